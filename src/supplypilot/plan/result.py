"""What every planning engine returns: status, objective, bound, gap, reasons."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class SolveStatus(str, Enum):
    """How good the answer is, in the words a planner uses."""

    OPTIMAL = "optimal"        # proven optimal (within the solver's gap tolerance)
    FEASIBLE = "feasible"      # a valid plan, optimality not proven within the limit
    INFEASIBLE = "infeasible"  # proven that no plan satisfies the constraints
    NONE = "none"              # no plan found within the limit, infeasibility not proven


@dataclass
class PlanResult:
    """Common head of every planning result.

    Engines subclass it and add their tables (orders, schedule, routes...). ``binding`` lists the
    constraints that limit the objective (tight capacities, MOQs, budgets); ``conflicts`` lists an
    irreducible set of constraints that cannot hold together when the status is infeasible.
    """

    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    runtime: float = 0.0
    solver: str = ""
    seed: int | None = None
    binding: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound, or None when either is unknown."""
        if self.objective is None or self.bound is None:
            return None
        denom = max(abs(self.objective), 1e-9)
        return abs(self.objective - self.bound) / denom

    def is_feasible(self) -> bool:
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> str:
        rows = [("status", self.status.value),
                ("objective", "-" if self.objective is None else f"{self.objective:,.4f}"),
                ("bound", "-" if self.bound is None else f"{self.bound:,.4f}"),
                ("gap", "-" if self.gap is None else f"{self.gap:.2%}"),
                ("run-time", f"{self.runtime:.2f} s"),
                ("solver", self.solver or "-")]
        if self.seed is not None:
            rows.append(("seed", str(self.seed)))
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        lines += [f"binding: {b}" for b in self.binding]
        lines += [f"conflict: {c}" for c in self.conflicts]
        lines += [f"reason: {r}" for r in self.reasons]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
