"""The one result type of every single-item inventory calculation."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class InventoryPolicy:
    """An inventory policy for one item at one location, with what it costs and why.

    Every single-echelon function in :mod:`supplypilot.plan.inventory` returns this, so that a
    planner (or a table of thousands of rows) reads the same fields whatever the model was.

    Parameters
    ----------
    kind
        The policy family: ``"eoq"``, ``"newsvendor"``, ``"base_stock"``, ``"rQ"``, ``"sS"``,
        ``"order_up_to"``, ``"lot_sizing"`` or ``"joint_replenishment"``.
    parameters
        The numbers that define the policy, under their textbook names (``order_quantity``,
        ``reorder_point``, ``base_stock_level``, ``s``, ``S``, ``safety_stock``...).
    expected_cost
        Long-run expected cost per period (per unit of time for continuous models), or the total
        cost over the horizon for finite-horizon models; ``None`` when the model has no cost.
    service_level
        Cycle service level: probability that a replenishment cycle (or period) ends without a
        stockout; ``None`` when it is not meaningful (deterministic models).
    fill_rate
        Fraction of demand served from stock; ``None`` when not computed.
    reason
        One plain-language sentence saying what to do and why this policy was chosen.
    method
        How the numbers were obtained (``"exact"``, ``"EIL approximation"``, ...).
    details
        Anything else worth keeping (cost split, inputs echoed back).
    """

    kind: str
    parameters: dict[str, Any]
    expected_cost: float | None
    service_level: float | None = None
    fill_rate: float | None = None
    reason: str = ""
    method: str = "exact"
    details: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # plain Python numbers, so that results print cleanly and serialise to JSON
        for name in ("expected_cost", "service_level", "fill_rate"):
            v = getattr(self, name)
            if v is not None:
                object.__setattr__(self, name, float(v))
        object.__setattr__(self, "parameters", {k: _plain(v) for k, v in self.parameters.items()})

    def __getitem__(self, key: str) -> Any:
        """``policy["reorder_point"]`` is ``policy.parameters["reorder_point"]``."""
        return self.parameters[key]

    def summary(self) -> str:
        """An aligned block: kind, parameters, cost, service, reason."""
        rows = [("policy", f"{self.kind} ({self.method})")]
        rows += [(k, _fmt(v)) for k, v in self.parameters.items()]
        cost = "-" if self.expected_cost is None else _fmt(self.expected_cost)
        rows.append(("expected cost", cost))
        if self.service_level is not None:
            rows.append(("service level", f"{self.service_level:.2%}"))
        if self.fill_rate is not None:
            rows.append(("fill rate", f"{self.fill_rate:.2%}"))
        width = max(len(k) for k, _ in rows)
        lines = [f"{k:<{width}}  {v}" for k, v in rows]
        if self.reason:
            lines.append(f"reason: {self.reason}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()


def _plain(v: Any) -> Any:
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, bool):
        return v
    if hasattr(v, "item") and getattr(v, "ndim", 0) == 0:
        v = v.item()
    return v


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:,.4f}"
    return str(v)
