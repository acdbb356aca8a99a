"""The MRP builder: add items, BOM lines, demand, open orders and resources, then ``solve``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from supplypilot.errors import InputError
from supplypilot.plan.lotsizing import HighsParams, LotSizingRule, as_rule
from supplypilot.plan.mrp._data import (
    BomLine, Demand, Item, Resource, ScheduledReceipt, Usage, find_cycle, integer, number, text,
    unknown,
)
from supplypilot.plan.stop import StoppingCriterion

if TYPE_CHECKING:
    from supplypilot.plan.mrp._result import MrpResult


@dataclass(frozen=True)
class MrpData:
    """An immutable snapshot of a model: what :func:`solve_mrp` plans.

    ``horizon`` is the number of 1-based periods; on-hand stock is counted at the start of
    period 1.
    """

    horizon: int
    items: tuple[Item, ...]
    bom: tuple[BomLine, ...]
    demands: tuple[Demand, ...]
    receipts: tuple[ScheduledReceipt, ...]
    resources: tuple[Resource, ...]
    usages: tuple[Usage, ...]


class MrpModel:
    """Material requirements planning over a multi-level bill of materials.

    Build it like PyVRP's ``Model``: each ``add_*`` call checks its values and returns the
    record it created; :meth:`solve` explodes the BOM level by level (low-level codes), nets
    gross requirements against stock, allocations, safety stock and open orders, offsets lead
    times, sizes lots with each item's rule, and pegs every planned order to the demand it serves.

    Parameters
    ----------
    horizon
        Number of planning periods (numbered 1 to ``horizon``). ``None`` takes the latest
        period mentioned by a demand, receipt or resource capacity.

    Examples
    --------
    >>> m = MrpModel(horizon=4)
    >>> _ = m.add_item("PHONE", lead_time=1)
    >>> _ = m.add_item("SOC", lead_time=2, on_hand=5)
    >>> _ = m.add_bom_line("PHONE", "SOC", qty=1)
    >>> _ = m.add_demand("PHONE", period=4, qty=10, ref="SO-1")
    >>> orders = m.solve().planned_orders
    >>> list(zip(orders["item"], orders["release"], orders["due"], orders["qty"]))
    [('PHONE', 3, 4, 10.0), ('SOC', 1, 3, 5.0)]
    """

    def __init__(self, horizon: int | None = None) -> None:
        if horizon is not None:
            integer(horizon, "horizon", "MrpModel", minimum=1)
        self.horizon = horizon
        self._items: dict[str, Item] = {}
        self._bom: list[BomLine] = []
        self._children: dict[str, list[str]] = {}
        self._demands: list[Demand] = []
        self._receipts: list[ScheduledReceipt] = []
        self._resources: dict[str, Resource] = {}
        self._usages: dict[tuple[str, str], Usage] = {}

    def __repr__(self) -> str:
        return (f"MrpModel(horizon={self.horizon!r}, items={len(self._items)}, "
                f"bom_lines={len(self._bom)}, demands={len(self._demands)}, "
                f"receipts={len(self._receipts)}, resources={len(self._resources)})")

    # ----------------------------------------------------------------------- builders

    def add_item(self, code: str, lead_time: int, on_hand: float = 0, allocated: float = 0,
                 safety_stock: float = 0, lot_sizing: LotSizingRule | str = "lot-for-lot",
                 unit_cost: float = 0, setup_cost: float = 0, holding_cost: float = 0,
                 make_or_buy: str | None = None) -> Item:
        """Add an item to plan.

        Parameters
        ----------
        code
            Unique item code (positional, as in ``add_item("SOC-7", 4)``).
        lead_time
            Whole periods from releasing an order to receiving it.
        on_hand, allocated, safety_stock
            Stock at the start of period 1, the part of it promised elsewhere, and the level
            projected stock should not fall below.
        lot_sizing
            A rule from :mod:`supplypilot.plan.lotsizing` or its short name.
        unit_cost, setup_cost, holding_cost
            Price (or variable cost) per unit, cost per order, cost per unit per period held.
        make_or_buy
            ``"make"``, ``"buy"`` or ``None`` to decide from the BOM and resource usage.

        Raises
        ------
        InputError
            For a duplicate code or a value out of range.
        """
        method = "MrpModel.add_item"
        text(code, "code", method)
        if code in self._items:
            raise InputError(f"Item {code!r} is already in this model; each code is added once.",
                             where="code")
        if make_or_buy not in (None, "make", "buy"):
            raise InputError(f"The 'make_or_buy' parameter of {method} must be 'make', 'buy' or "
                             f"None. Got {make_or_buy!r} instead.", where="make_or_buy")
        item = Item(code=code, lead_time=integer(lead_time, "lead_time", method),
                    on_hand=number(on_hand, "on_hand", method),
                    allocated=number(allocated, "allocated", method),
                    safety_stock=number(safety_stock, "safety_stock", method),
                    lot_sizing=as_rule(lot_sizing, "lot_sizing"),
                    unit_cost=number(unit_cost, "unit_cost", method),
                    setup_cost=number(setup_cost, "setup_cost", method),
                    holding_cost=number(holding_cost, "holding_cost", method),
                    make_or_buy=make_or_buy)  # type: ignore[arg-type]
        self._items[code] = item
        return item

    def add_bom_line(self, parent: str, child: str, qty: float, scrap: float = 0) -> BomLine:
        """Say that one ``parent`` needs ``qty`` of ``child``, plus ``scrap`` (a fraction < 1).

        Raises
        ------
        UnknownEntityError
            When ``parent`` or ``child`` was not added with :meth:`add_item`.
        InputError
            For bad quantities, or when the line would close a BOM cycle (the cycle is named).
        """
        method = "add_bom_line"
        for c in (parent, child):
            self._item(c, method)
        qty_ = number(qty, "qty", "MrpModel.add_bom_line", strict=True)
        scrap_ = number(scrap, "scrap", "MrpModel.add_bom_line")
        if scrap_ >= 1:
            raise InputError(f"The 'scrap' parameter of MrpModel.add_bom_line must be a fraction "
                             f"in [0, 1). Got {scrap!r} instead.", where="scrap")
        children = {k: list(v) for k, v in self._children.items()}
        children.setdefault(parent, []).append(child)
        cycle = find_cycle(children)
        if cycle is not None:
            raise InputError(f"BOM cycle {' -> '.join(cycle)}: the line {parent} -> {child} would "
                             f"make {parent} part of itself; remove one line of the cycle.",
                             where="add_bom_line")
        self._children = children
        line = BomLine(parent=parent, child=child, qty=qty_, scrap=scrap_)
        self._bom.append(line)
        return line

    def add_demand(self, item: str, period: int, qty: float, ref: str | None = None) -> Demand:
        """Add a gross requirement (sales order, forecast, service part) due in ``period``.

        ``ref`` names the demand in pegging; by default ``D1``, ``D2``, ... in order of addition.
        """
        method = "MrpModel.add_demand"
        self._item(item, "add_demand")
        ref_ = text(ref, "ref", method) if ref is not None else f"D{len(self._demands) + 1}"
        demand = Demand(item=item, period=self._period(period, method),
                        qty=number(qty, "qty", method), ref=ref_)
        self._demands.append(demand)
        return demand

    def add_scheduled_receipt(self, item: str, period: int, qty: float,
                              ref: str | None = None) -> ScheduledReceipt:
        """Add an open order already released (on order), arriving in ``period``.

        Its quantity counts as supply when netting; made items' open orders load no resource
        (their work is assumed under way).
        """
        method = "MrpModel.add_scheduled_receipt"
        self._item(item, "add_scheduled_receipt")
        ref_ = text(ref, "ref", method) if ref is not None else f"SR{len(self._receipts) + 1}"
        receipt = ScheduledReceipt(item=item, period=self._period(period, method),
                                   qty=number(qty, "qty", method), ref=ref_)
        self._receipts.append(receipt)
        return receipt

    def add_resource(self, name: str, capacity: float | Sequence[float]) -> Resource:
        """Add a resource with ``capacity`` time units per period (a number or one per period)."""
        method = "MrpModel.add_resource"
        text(name, "name", method)
        if name in self._resources:
            raise InputError(f"Resource {name!r} is already in this model; each name is added "
                             f"once.", where="name")
        if isinstance(capacity, (int, float)) and not isinstance(capacity, bool):
            cap: tuple[float, ...] | float = number(capacity, "capacity", method)
        else:
            try:
                cap = tuple(number(c, "capacity", method)
                            for c in capacity)  # type: ignore[union-attr]
            except TypeError as exc:
                raise InputError(f"The 'capacity' parameter of {method} must be a number >= 0 or a "
                                 f"sequence of them. Got {capacity!r} instead.",
                                 where="capacity") from exc
            if not cap or (self.horizon is not None and len(cap) != self.horizon):
                raise InputError(f"The 'capacity' parameter of {method} must have one value per "
                                 f"period ({self.horizon}). Got {len(cap)} values instead.",
                                 where="capacity")
        resource = Resource(name=name, capacity=cap)
        self._resources[name] = resource
        return resource

    def add_usage(self, item: str, resource: str, per_unit: float = 1.0,
                  setup_time: float = 0.0) -> Usage:
        """Say that one ``item`` takes ``per_unit`` of ``resource`` plus ``setup_time`` an order."""
        method = "MrpModel.add_usage"
        self._item(item, "add_usage")
        if resource not in self._resources:
            raise unknown("resource", resource, "add_usage", "add it with add_resource first")
        usage = Usage(item=item, resource=resource, per_unit=number(per_unit, "per_unit", method),
                      setup_time=number(setup_time, "setup_time", method))
        self._usages[(item, resource)] = usage
        return usage

    # ----------------------------------------------------------------------- data and solve

    def data(self) -> MrpData:
        """The immutable snapshot :func:`solve_mrp` works on (the horizon resolved)."""
        periods = [d.period for d in self._demands] + [r.period for r in self._receipts]
        periods += [len(r.capacity) for r in self._resources.values()
                    if isinstance(r.capacity, tuple)]
        horizon = self.horizon or max(periods, default=1)
        for r in self._resources.values():
            if isinstance(r.capacity, tuple) and len(r.capacity) != horizon:
                raise InputError(f"Resource {r.name!r} has {len(r.capacity)} capacity values but "
                                 f"the horizon has {horizon} periods.", where="capacity")
        for rec in [*self._demands, *self._receipts]:
            if rec.period > horizon:
                raise InputError(f"{type(rec).__name__} {rec.ref!r} falls in period {rec.period}, "
                                 f"after the horizon's last period {horizon}.", where="period")
        return MrpData(horizon=horizon, items=tuple(self._items.values()), bom=tuple(self._bom),
                       demands=tuple(self._demands), receipts=tuple(self._receipts),
                       resources=tuple(self._resources.values()),
                       usages=tuple(self._usages.values()))

    def solve(self, stop: StoppingCriterion | float | None = None, seed: int = 0,
              params: HighsParams | None = None) -> MrpResult:
        """Plan: explode, net, offset, size lots and peg; see :func:`solve_mrp`.

        Parameters
        ----------
        stop
            Time limit (criterion or seconds) shared by the capacitated lot-sizing MILPs.
        seed
            HiGHS random seed, recorded in the result.
        params
            HiGHS settings; ``seed`` replaces its ``seed``.
        """
        from supplypilot.plan.mrp._solve import solve_mrp

        return solve_mrp(self.data(), stop=stop, seed=seed, params=params)

    # ----------------------------------------------------------------------- helpers

    def _item(self, item: Any, method: str) -> Item:
        if not isinstance(item, str) or item not in self._items:
            raise unknown("item", str(item), method, "add it with add_item first")
        return self._items[item]

    def _period(self, period: Any, method: str) -> int:
        p = integer(period, "period", method, minimum=1)
        if self.horizon is not None and p > self.horizon:
            raise InputError(f"The 'period' parameter of {method} must be an int in [1, "
                             f"{self.horizon}]. Got {period!r} instead.", where="period")
        return p


