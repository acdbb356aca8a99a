"""What a solve returns: :class:`NetworkResult`, the plan's tables and summary."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from supplypilot.plan.result import PlanResult

FLOW_COLUMNS = ["src", "dst", "mode", "product", "qty", "unit_cost", "cost"]


def _frame(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


@dataclass
class NetworkResult(PlanResult):
    """A network plan: flows, production, cost breakdown, service, binding capacities.

    ``binding_table`` lists every capacity used to its limit with its ``shadow_price``: the
    change in total cost per extra unit of that capacity (negative: one more unit saves that
    much). ``conflict_table`` (infeasible plans) lists an irreducible set of constraints that
    cannot hold together; ``conflicts`` and ``reasons`` say the same in words.
    """

    name: str = "baseline"
    flows: pd.DataFrame = field(default_factory=lambda: _frame(FLOW_COLUMNS))
    production: pd.DataFrame = field(default_factory=lambda: _frame(["plant", "product", "qty"]))
    service_table: pd.DataFrame = field(default_factory=lambda: _frame(
        ["customer", "product", "demand", "delivered", "short"]))
    cost_breakdown: dict[str, float] = field(default_factory=dict)
    binding_table: pd.DataFrame = field(default_factory=lambda: _frame(
        ["constraint", "kind", "node", "product", "limit", "used", "shadow_price"]))
    conflict_table: pd.DataFrame = field(default_factory=lambda: _frame(
        ["constraint", "kind", "node", "product", "limit"]))
    opened: dict[str, bool] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)

    def __repr__(self) -> str:
        obj = "-" if self.objective is None else f"{self.objective:,.2f}"
        serv = "-" if self.service is None else f"{self.service:.1%}"
        return (f"NetworkResult(name={self.name!r}, status={self.status.value}, objective={obj}, "
                f"service={serv}, flows={len(self.flows)} rows, solver={self.solver!r})")

    @property
    def service(self) -> float | None:
        """Share of total demand delivered (0–1); None without a plan or without demand."""
        if not self.is_feasible() or self.service_table.empty:
            return None
        demand = float(self.service_table["demand"].sum())
        return float(self.service_table["delivered"].sum()) / demand if demand > 0 else 1.0

    def lane_flows(self) -> pd.DataFrame:
        """Flow per lane, all products together (``src, dst, mode, qty, cost``)."""
        if self.flows.empty:
            return _frame(["src", "dst", "mode", "qty", "cost"])
        return (self.flows.groupby(["src", "dst", "mode"], as_index=False)[["qty", "cost"]].sum()
                .sort_values("qty", ascending=False, ignore_index=True))

    def summary(self) -> str:
        head = super().summary()
        lines = [f"scenario  {self.name}"]
        if self.service is not None:
            lines.append(f"service   {self.service:.1%} of demand delivered")
        lines += [f"cost      {k}: {v:,.2f}" for k, v in self.cost_breakdown.items() if v]
        if self.size:
            lines.append("size      " + ", ".join(f"{v:,} {k}" for k, v in self.size.items()))
        return "\n".join([lines[0], head, *lines[1:]])
