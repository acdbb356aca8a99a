"""Lot sizing: turn a series of net requirements into order quantities.

Two kinds of tools live here, usable alone or through :class:`~supplypilot.plan.mrp.MrpModel`:

* **Rules for one item** (:class:`LotForLot`, :class:`FixedOrderQuantity`,
  :class:`PeriodOrderQuantity`, :class:`EconomicOrderQuantity`, :class:`WagnerWhitin`). Each
  takes the net requirements of the periods in which an order can still arrive and returns the
  planned receipts, such that cumulative receipts never fall behind cumulative requirements
  (which is what keeps projected stock at or above safety stock in MRP). Wagner–Whitin is the
  exact dynamic programme; the others are the textbook heuristics planners know.
* **Capacitated lot sizing with setup times** for many items sharing resources
  (:func:`solve_clsp`), a MILP solved with HiGHS. It uses the *facility-location*
  reformulation (Krarup and Bilde 1977): ``z[i, s, t]`` is the part of item ``i``'s requirement
  of period ``t`` made in period ``s``. Its LP relaxation is the convex hull of each item's
  uncapacitated problem, so the solver starts from a far tighter bound than with the textbook
  ``x <= M * y`` model. Each setup's big-M is also cut to what the period's capacity can make
  after the setup time. HiGHS's branch-and-bound is sequential, so with two threads
  (``HighsParams(threads=2)``) a second process races the textbook inventory-balance model,
  whose small LP gives cheap nodes; the first proof of optimality wins.

Periods are positions ``0 .. T-1`` in the arrays here; :mod:`supplypilot.plan.mrp` maps them to
its 1-based planning periods.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from supplypilot.errors import InputError
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

__all__ = [
    "CapacitatedLotSizing", "ClspInstance", "ClspSolution", "EconomicOrderQuantity",
    "FixedOrderQuantity", "HighsParams", "InstanceFormatWarning", "LotForLot", "LotSizingRule",
    "PeriodOrderQuantity", "WagnerWhitin", "as_rule", "economic_order_quantity", "lot_cost",
    "read_trigeiro", "solve_clsp",
]

_EPS = 1e-9


class InstanceFormatWarning(UserWarning):
    """An instance file deviates from its documented format; the warning says what was assumed."""


# --------------------------------------------------------------------------- single-item rules


def _check_net(net: Any, where: str) -> np.ndarray:
    arr = np.asarray(net, dtype=float)
    if arr.ndim != 1 or (arr.size and (not np.all(np.isfinite(arr)) or arr.min() < 0)):
        raise InputError(f"The 'net' parameter of {where} must be a 1-D sequence of finite numbers "
                         f">= 0. Got {net!r} instead.", where="net")
    return arr


def _cover(net: np.ndarray, order_size: Any) -> np.ndarray:
    """Walk the periods; when stock carried forward cannot cover a period, order.

    ``order_size(t, shortfall)`` returns the quantity to order in period ``t``, at least
    ``shortfall``. Shared by the rules that differ only in how big a lot is.
    """
    lots = np.zeros_like(net)
    carried = 0.0
    for t, need in enumerate(net):
        if need > carried + _EPS:
            lots[t] = order_size(t, need - carried)
            carried += lots[t]
        carried = max(carried - need, 0.0)
    return lots


@dataclass(frozen=True)
class LotForLot:
    """Order exactly each period's net requirement: no stock is carried, one setup per period."""

    name = "lot-for-lot"

    def lots(self, net: Any, setup_cost: float = 0.0, holding_cost: float = 0.0) -> np.ndarray:
        """Planned receipts per period (here equal to ``net``)."""
        return _check_net(net, "LotForLot.lots").copy()


@dataclass(frozen=True)
class FixedOrderQuantity:
    """Order in multiples of ``quantity`` (a pallet, a container, a supplier's pack size).

    When a period's shortfall is larger than one lot, the smallest multiple covering it is
    ordered, so the plan never runs short because of the lot size.
    """

    quantity: float
    name = "fixed order quantity"

    def __post_init__(self) -> None:
        if not (isinstance(self.quantity, (int, float)) and math.isfinite(self.quantity)
                and self.quantity > 0):
            raise InputError(f"The 'quantity' parameter of FixedOrderQuantity must be a number "
                             f"> 0. Got {self.quantity!r} instead.", where="quantity")

    def lots(self, net: Any, setup_cost: float = 0.0, holding_cost: float = 0.0) -> np.ndarray:
        """Planned receipts per period, each a multiple of ``quantity``."""
        q = float(self.quantity)
        return _cover(_check_net(net, "FixedOrderQuantity.lots"),
                      lambda t, short: math.ceil(short / q - 1e-9) * q)


@dataclass(frozen=True)
class PeriodOrderQuantity:
    """Each order covers the requirements of ``periods`` consecutive periods.

    With ``periods=None`` the interval is the EOQ expressed in periods of average demand,
    rounded, at least 1 (the usual POQ definition), so it adapts to the item's costs.
    """

    periods: int | None = None
    name = "period order quantity"

    def __post_init__(self) -> None:
        if self.periods is not None and not (isinstance(self.periods, int) and self.periods >= 1):
            raise InputError(f"The 'periods' parameter of PeriodOrderQuantity must be an int >= 1 "
                             f"or None. Got {self.periods!r} instead.", where="periods")

    def interval(self, net: Any, setup_cost: float, holding_cost: float) -> int:
        """Periods covered by one order for this series and these costs."""
        if self.periods is not None:
            return self.periods
        arr = _check_net(net, "PeriodOrderQuantity.interval")
        mean = float(arr.mean()) if arr.size else 0.0
        if mean <= 0:
            return 1
        eoq = economic_order_quantity(mean, setup_cost, holding_cost)
        return 1 if math.isinf(eoq) else max(1, round(eoq / mean))

    def lots(self, net: Any, setup_cost: float = 0.0, holding_cost: float = 0.0) -> np.ndarray:
        """Planned receipts per period: the next ``periods`` requirements, less stock carried."""
        arr = _check_net(net, "PeriodOrderQuantity.lots")
        p = self.interval(arr, setup_cost, holding_cost)

        def size(t: int, short: float) -> float:
            return max(short, float(arr[t:t + p].sum()) - (arr[t] - short))

        return _cover(arr, size)


def economic_order_quantity(demand_per_period: float, setup_cost: float,
                            holding_cost: float) -> float:
    """The classic EOQ ``sqrt(2 D S / h)``; infinite when holding is free, 0 when demand is.

    Parameters
    ----------
    demand_per_period
        Average requirement per period.
    setup_cost
        Cost of placing one order (or one setup).
    holding_cost
        Cost of holding one unit for one period.
    """
    if demand_per_period <= 0:
        return 0.0
    if holding_cost <= 0:
        return math.inf
    return math.sqrt(2.0 * demand_per_period * max(setup_cost, 0.0) / holding_cost)


@dataclass(frozen=True)
class EconomicOrderQuantity:
    """Order the EOQ (from the average net requirement), or the shortfall when that is larger.

    The EOQ is rounded up to a whole unit. It assumes level demand, so on lumpy MRP series it
    carries more stock than Wagner–Whitin; it is offered because planners know and audit it.
    """

    name = "EOQ"

    def quantity(self, net: Any, setup_cost: float, holding_cost: float) -> float:
        """The EOQ for this series and these costs (rounded up to a whole unit)."""
        arr = _check_net(net, "EconomicOrderQuantity.quantity")
        mean = float(arr.mean()) if arr.size else 0.0
        eoq = economic_order_quantity(mean, setup_cost, holding_cost)
        return math.inf if math.isinf(eoq) else float(math.ceil(eoq - 1e-9))

    def lots(self, net: Any, setup_cost: float = 0.0, holding_cost: float = 0.0) -> np.ndarray:
        """Planned receipts per period."""
        arr = _check_net(net, "EconomicOrderQuantity.lots")
        q = self.quantity(arr, setup_cost, holding_cost)
        if math.isinf(q):  # holding is free: one order for everything
            return _cover(arr, lambda t, short: short + float(arr[t + 1:].sum()))
        return _cover(arr, lambda t, short: max(q, short))


@dataclass(frozen=True)
class WagnerWhitin:
    """The least setup + holding cost for one uncapacitated item (Wagner and Whitin 1958).

    The O(T^2) dynamic programme over "the last order is placed in period j and covers up to
    period t", using that an optimal plan orders only when stock runs out.
    """

    name = "Wagner-Whitin"

    def lots(self, net: Any, setup_cost: float = 0.0, holding_cost: float = 0.0) -> np.ndarray:
        """Planned receipts per period minimising ``setup_cost * orders + holding_cost * stock``."""
        arr = _check_net(net, "WagnerWhitin.lots")
        n = arr.size
        best = np.full(n + 1, math.inf)
        best[0] = 0.0
        choice = np.zeros(n + 1, dtype=int)
        for t in range(1, n + 1):  # best[t]: cheapest plan covering periods 0..t-1
            for j in range(t):  # last order in period j covers j..t-1
                hold = holding_cost * float(np.dot(np.arange(t - j), arr[j:t]))
                setup = setup_cost if arr[j:t].sum() > _EPS else 0.0
                cost = best[j] + setup + hold
                if cost < best[t] - 1e-12:
                    best[t], choice[t] = cost, j
        lots = np.zeros(n)
        t = n
        while t > 0:
            j = choice[t]
            lots[j] = arr[j:t].sum()
            t = j
        return lots


@dataclass(frozen=True)
class CapacitatedLotSizing:
    """Plan the item jointly with the other capacitated items on shared resources (a MILP).

    Only meaningful inside :class:`~supplypilot.plan.mrp.MrpModel`, which collects the items of
    one BOM level that carry this rule and calls :func:`solve_clsp` once for them.
    """

    name = "capacitated"


LotSizingRule = LotForLot | FixedOrderQuantity | PeriodOrderQuantity | EconomicOrderQuantity | \
    WagnerWhitin | CapacitatedLotSizing

_BY_NAME: dict[str, LotSizingRule] = {
    "lot-for-lot": LotForLot(), "lfl": LotForLot(), "l4l": LotForLot(),
    "poq": PeriodOrderQuantity(), "period-order-quantity": PeriodOrderQuantity(),
    "eoq": EconomicOrderQuantity(), "economic-order-quantity": EconomicOrderQuantity(),
    "wagner-whitin": WagnerWhitin(), "ww": WagnerWhitin(),
    "capacitated": CapacitatedLotSizing(), "clsp": CapacitatedLotSizing(),
}
_RULE_TYPES = (LotForLot, FixedOrderQuantity, PeriodOrderQuantity, EconomicOrderQuantity,
               WagnerWhitin, CapacitatedLotSizing)


def as_rule(value: Any, where: str = "lot_sizing") -> LotSizingRule:
    """A rule object from itself or from its short name (``"lot-for-lot"``, ``"eoq"``, ``"poq"``,
    ``"wagner-whitin"``, ``"capacitated"``); a fixed order quantity needs its object."""
    if isinstance(value, _RULE_TYPES):
        return value
    if isinstance(value, str) and value.strip().lower() in _BY_NAME:
        return _BY_NAME[value.strip().lower()]
    names = ", ".join(repr(k) for k in
                      ("lot-for-lot", "poq", "eoq", "wagner-whitin", "capacitated"))
    raise InputError(f"The '{where}' parameter must be a lot-sizing rule object or one of {names} "
                     f"(use FixedOrderQuantity(q) for a fixed lot). Got {value!r} instead.",
                     where=where)


def lot_cost(net: Any, lots: Any, setup_cost: float, holding_cost: float) -> float:
    """Setup plus holding cost of ``lots`` against ``net`` (stock counted at period end)."""
    stock = np.cumsum(np.asarray(lots, dtype=float) - np.asarray(net, dtype=float))
    if stock.size and stock.min() < -1e-6:
        raise InputError("The lots do not cover the net requirements: cumulative shortfall "
                         f"{-stock.min():g}.", where="lots")
    return float(setup_cost * np.count_nonzero(np.asarray(lots) > _EPS)
                 + holding_cost * np.clip(stock, 0, None).sum())


# --------------------------------------------------------------------------- CLSP data


@dataclass(frozen=True)
class ClspInstance:
    """A capacitated lot-sizing problem with setup times, in arrays.

    Attributes
    ----------
    demand
        ``(items, periods)`` requirement per period; no backlog is allowed.
    capacity
        ``(resources, periods)`` time available per period.
    usage
        ``(items, resources)`` time one unit takes on each resource.
    setup_time
        ``(items, resources)`` time a setup takes in a period where the item is made.
    setup_cost, holding_cost
        ``(items,)`` cost per setup and per unit carried to the next period.
    items, resources
        Names used in messages and tables.
    """

    demand: np.ndarray
    capacity: np.ndarray
    usage: np.ndarray
    setup_time: np.ndarray
    setup_cost: np.ndarray
    holding_cost: np.ndarray
    name: str = "clsp"
    items: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        d = np.asarray(self.demand, dtype=float)
        if d.ndim != 2:
            raise InputError(f"The 'demand' parameter of ClspInstance must be a 2-D array (items, "
                             f"periods). Got shape {d.shape} instead.", where="demand")
        n, t = d.shape
        cap = np.asarray(self.capacity, dtype=float)
        cap = cap.reshape(1, -1) if cap.ndim == 1 else cap
        r = cap.shape[0]
        shapes = {"demand": (d, (n, t)), "capacity": (cap, (r, t)),
                  "usage": (np.asarray(self.usage, dtype=float).reshape(n, r), (n, r)),
                  "setup_time": (np.asarray(self.setup_time, dtype=float).reshape(n, r), (n, r)),
                  "setup_cost": (np.asarray(self.setup_cost, dtype=float).reshape(n), (n,)),
                  "holding_cost": (np.asarray(self.holding_cost, dtype=float).reshape(n), (n,))}
        for key, (arr, shape) in shapes.items():
            if arr.shape != shape or not np.all(np.isfinite(arr)) or (arr.size and arr.min() < 0):
                raise InputError(f"The '{key}' parameter of ClspInstance must be an array of "
                                 f"shape {shape} with finite values >= 0. Got {arr.shape} instead.",
                                 where=key)
            object.__setattr__(self, key, arr)
        object.__setattr__(self, "items",
                           tuple(self.items) or tuple(f"item{i + 1}" for i in range(n)))
        object.__setattr__(self, "resources",
                           tuple(self.resources) or tuple(f"resource{k + 1}" for k in range(r)))

    @property
    def shape(self) -> tuple[int, int]:
        """``(items, periods)``."""
        return self.demand.shape  # type: ignore[return-value]

    @property
    def integral_optimum(self) -> bool:
        """Whether the optimal cost is a whole number, so any gap below 1 proves optimality.

        True for whole-number data on one resource with unit times of 0 or 1 (Trigeiro's
        instances): once the setups are fixed, the rest is a network flow with integer data,
        whose optimum is integral.
        """
        arrays = (self.demand, self.capacity, self.setup_time, self.setup_cost, self.holding_cost)
        return (self.capacity.shape[0] == 1 and bool(np.isin(self.usage, (0.0, 1.0)).all())
                and all(bool(np.all(a == np.round(a))) for a in arrays))


def read_trigeiro(path: str | Path) -> ClspInstance:
    """Read a Trigeiro, Thomas and McClain (1989) ``.DAT`` file.

    Layout: ``items periods``; a line ``1``; the capacity per period; one line per item
    ``unit_time holding_cost setup_time setup_cost``; then the demand with periods as rows, in
    blocks of at most 15 items (items 1-15, then 16-n). A row with more values than its block has
    items is cut to the expected width with an :class:`InstanceFormatWarning` (``G73.DAT`` has
    one such row) rather than shifting every later number.
    """
    path = Path(path)
    rows: list[tuple[int, list[float]]] = []
    for no, line in enumerate(path.read_text().splitlines(), start=1):
        try:
            values = [float(tok) for tok in line.split()]
        except ValueError:
            continue  # the legend lines closing the file
        if values:
            rows.append((no, values))
    try:
        n, t = int(rows[0][1][0]), int(rows[0][1][1])
        capacity = rows[2][1][0]
        items = np.array([r[1][:4] for r in rows[3:3 + n]])
    except (IndexError, ValueError) as exc:
        raise InputError(f"{path.name} does not start with 'items periods', '1', the capacity and "
                         f"one line per item.", where=str(path)) from exc
    demand = np.zeros((n, t))
    at = 3 + n
    for first in range(0, n, 15):
        width = min(15, n - first)
        for p in range(t):
            if at >= len(rows):
                raise InputError(f"{path.name} ends before the demand of period {p + 1} for items "
                                 f"{first + 1}-{first + width}.", where=str(path))
            no, values = rows[at]
            if len(values) < width:
                raise InputError(f"{path.name}, line {no}: {len(values)} demand values where "
                                 f"{width} are expected.", where=f"{path}:{no}")
            if len(values) > width:
                warnings.warn(f"{path.name}, line {no}: {len(values)} demand values where {width} "
                              f"are expected; the first {width} were used.", InstanceFormatWarning,
                              stacklevel=2)
            demand[first:first + width, p] = values[:width]
            at += 1
    return ClspInstance(demand=demand, capacity=np.full((1, t), capacity),
                        usage=items[:, [0]], setup_time=items[:, [2]], setup_cost=items[:, 3],
                        holding_cost=items[:, 1], name=path.stem)


# --------------------------------------------------------------------------- CLSP MILP


@dataclass(frozen=True)
class HighsParams:
    """HiGHS settings for the lot-sizing MILPs (kept out of long keyword lists).

    Attributes
    ----------
    threads
        1: one HiGHS run of the facility-location model. 2: that run raced, in a second
        process, against the textbook inventory-balance model (HiGHS's branch-and-bound is
        sequential, so a second thread is best spent on a different model); the first proof
        wins and the other is stopped. More than 2 is not used.
    mip_rel_gap
        Relative gap at which HiGHS stops and reports optimal; 0 asks for a full proof.
    mip_abs_gap
        Absolute gap for the same purpose.
    seed
        HiGHS ``random_seed``, so the same inputs give the same plan.
    """

    threads: int = 1
    mip_rel_gap: float = 0.0
    mip_abs_gap: float = 1e-6
    seed: int = 0

    def apply(self, highs: Any, time_limit: float) -> None:
        """Set these options (one HiGHS thread, the time limit) on a ``highspy.Highs`` object."""
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("threads", 1)
        highs.setOptionValue("mip_rel_gap", float(self.mip_rel_gap))
        highs.setOptionValue("mip_abs_gap", float(self.mip_abs_gap))
        highs.setOptionValue("random_seed", int(self.seed))
        highs.setOptionValue("time_limit", float(max(time_limit, 0.01)))


@dataclass
class ClspSolution:
    """What :func:`solve_clsp` found.

    ``production[i, s]`` is made in period ``s``; ``inventory[i, t]`` is held at the end of
    ``t``; ``load[r, s]`` includes setup times. ``objective`` is setup + holding cost;
    ``bound`` the best proven lower bound (over every raced model); ``formulation`` names the
    model whose plan is returned.
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    production: np.ndarray
    setups: np.ndarray
    inventory: np.ndarray
    load: np.ndarray
    runtime: float
    nodes: int = 0
    formulation: str = ""
    message: str = ""
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (None when either is unknown)."""
        if self.objective is None or self.bound is None:
            return None
        return abs(self.objective - self.bound) / max(abs(self.objective), 1e-9)


class _Milp:
    """Columns and rows gathered in lists, then handed to HiGHS in one ``passModel``."""

    def __init__(self) -> None:
        self.cost: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.integer: list[bool] = []
        self.ri: list[int] = []
        self.ci: list[int] = []
        self.vv: list[float] = []
        self.row_lo: list[float] = []
        self.row_hi: list[float] = []

    def col(self, cost: float, lb: float, ub: float, is_int: bool = False) -> int:
        self.cost.append(cost), self.lo.append(lb), self.hi.append(ub), self.integer.append(is_int)
        return len(self.cost) - 1

    def row(self, entries: list[tuple[int, float]], lb: float, ub: float) -> None:
        r = len(self.row_lo)
        for c, v in entries:
            self.ri.append(r), self.ci.append(c), self.vv.append(v)
        self.row_lo.append(lb), self.row_hi.append(ub)

    def to_highs(self, highs: Any) -> None:
        import highspy
        from scipy.sparse import csc_matrix

        inf = highspy.kHighsInf
        n_col, n_row = len(self.cost), len(self.row_lo)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n_col, n_row
        lp.col_cost_ = np.asarray(self.cost, dtype=float)
        lp.col_lower_ = np.asarray(self.lo, dtype=float)
        lp.col_upper_ = np.where(np.isinf(self.hi), inf, self.hi).astype(float)
        lp.row_lower_ = np.where(np.isinf(self.row_lo), -inf, self.row_lo).astype(float)
        lp.row_upper_ = np.where(np.isinf(self.row_hi), inf, self.row_hi).astype(float)
        a = csc_matrix((np.asarray(self.vv, dtype=float), (np.asarray(self.ri, dtype=int),
                                                             np.asarray(self.ci, dtype=int))),
                       shape=(n_row, n_col))
        a.sum_duplicates()
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n_col, n_row
        lp.a_matrix_.start_ = a.indptr.astype(np.int32)
        lp.a_matrix_.index_ = a.indices.astype(np.int32)
        lp.a_matrix_.value_ = a.data.astype(float)
        lp.integrality_ = [highspy.HighsVarType.kInteger if f else highspy.HighsVarType.kContinuous
                           for f in self.integer]
        highs.passModel(lp)


def _setup_limit(inst: ClspInstance, i: int, s: int) -> float | None:
    """Most of item ``i`` one setup in period ``s`` can make, or None when the setup does not fit.

    This is the big-M of the setup, tightened per period: the capacity left after the setup
    time, divided by the unit time, on every resource the item uses.
    """
    a, st = inst.usage[i], inst.setup_time[i]
    room = inst.capacity[:, s] - st
    if np.any(room[(a > 0) | (st > 0)] < -_EPS):
        return None
    limit = float(np.min(room[a > 0] / a[a > 0])) if (a > 0).any() else math.inf
    return None if limit <= _EPS else limit


def _capacity_rows(inst: ClspInstance, milp: _Milp, y_col: np.ndarray,
                   made: dict[tuple[int, int], list[int]]) -> None:
    for r in range(inst.capacity.shape[0]):
        for s in range(inst.demand.shape[1]):
            entries: list[tuple[int, float]] = []
            for i in range(inst.demand.shape[0]):
                if y_col[i, s] < 0:
                    continue
                if inst.usage[i, r] > 0:
                    entries += [(c, float(inst.usage[i, r])) for c in made[(i, s)]]
                if inst.setup_time[i, r] > 0:
                    entries.append((int(y_col[i, s]), float(inst.setup_time[i, r])))
            milp.row(entries, -math.inf, float(inst.capacity[r, s]))


def _facility_location(inst: ClspInstance) -> tuple[_Milp, np.ndarray, dict]:
    """``z[i, s, t]``: the part of item ``i``'s period-``t`` requirement made in ``s``.

    ``z <= d_t y_s`` for every pair is what makes the relaxation the convex hull of each item's
    uncapacitated problem, i.e. every (l, S) inequality holds without being separated.
    """
    d = inst.demand
    n, t_len = d.shape
    milp = _Milp()
    y_col = -np.ones((n, t_len), dtype=int)
    made: dict[tuple[int, int], list[int]] = {}
    covers: dict[tuple[int, int], list[int]] = {}  # (i, t) -> z columns meeting d[i, t]
    for i in range(n):
        remaining = np.cumsum(d[i, ::-1])[::-1]
        for s in range(t_len):
            limit = _setup_limit(inst, i, s)
            if remaining[s] <= _EPS or limit is None:
                continue
            y = milp.col(float(inst.setup_cost[i]), 0.0, 1.0, True)
            y_col[i, s] = y
            made[(i, s)] = []
            for t in range(s, t_len):
                if d[i, t] > _EPS:
                    z = milp.col(float(inst.holding_cost[i]) * (t - s), 0.0, float(d[i, t]))
                    made[(i, s)].append(z)
                    covers.setdefault((i, t), []).append(z)
                    milp.row([(z, 1.0), (y, -float(d[i, t]))], -math.inf, 0.0)
            if limit < remaining[s] - _EPS:
                milp.row([(z, 1.0) for z in made[(i, s)]] + [(y, -limit)], -math.inf, 0.0)
    for i in range(n):
        for t in range(t_len):
            if d[i, t] > _EPS:
                milp.row([(z, 1.0) for z in covers.get((i, t), [])], float(d[i, t]), float(d[i, t]))
    _capacity_rows(inst, milp, y_col, made)
    return milp, y_col, made


def _inventory_balance(inst: ClspInstance) -> tuple[_Milp, np.ndarray, dict]:
    """The textbook model: ``s[t-1] + x[t] - s[t] = d[t]``, ``x <= M y`` with M tightened per
    period, and ``x[t] <= d[t] y[t] + s[t]`` (the simplest (l, S) inequalities).

    Weaker than facility location, but its small LP makes nodes cheap, so it sometimes proves
    optimality sooner: a useful second entrant in a race.
    """
    d = inst.demand
    n, t_len = d.shape
    milp = _Milp()
    y_col = -np.ones((n, t_len), dtype=int)
    made: dict[tuple[int, int], list[int]] = {}
    for i in range(n):
        remaining = np.cumsum(d[i, ::-1])[::-1]
        prev = None
        for t in range(t_len):
            limit = _setup_limit(inst, i, t)
            big_m = 0.0 if limit is None else min(limit, float(remaining[t]))
            x = milp.col(0.0, 0.0, big_m)
            s = milp.col(float(inst.holding_cost[i]), 0.0, math.inf)
            milp.row([(x, 1.0), (s, -1.0)] + ([(prev, 1.0)] if prev is not None else []),
                     float(d[i, t]), float(d[i, t]))
            if big_m > _EPS:
                y = milp.col(float(inst.setup_cost[i]), 0.0, 1.0, True)
                y_col[i, t] = y
                made[(i, t)] = [x]
                milp.row([(x, 1.0), (y, -big_m)], -math.inf, 0.0)
                milp.row([(x, 1.0), (y, -float(d[i, t])), (s, -1.0)], -math.inf, 0.0)
            prev = s
    _capacity_rows(inst, milp, y_col, made)
    return milp, y_col, made


FORMULATIONS = {"facility-location": _facility_location, "inventory-balance": _inventory_balance}


def _run_one(inst: ClspInstance, formulation: str, time_limit: float,
             params: HighsParams) -> dict[str, Any]:
    """Build one model, solve it with HiGHS, read the plan back into arrays."""
    import highspy

    milp, y_col, made = FORMULATIONS[formulation](inst)
    h = highspy.Highs()
    params.apply(h, time_limit)
    milp.to_highs(h)
    h.run()
    ms, info = h.getModelStatus(), h.getInfo()
    status = {ms.kOptimal: "optimal", ms.kInfeasible: "infeasible"}.get(ms, "stopped")
    has = info.primal_solution_status == 2 and status != "infeasible"
    objective = float(info.objective_function_value) if has else None
    bound = float(info.mip_dual_bound) if status != "infeasible" else None
    nodes, message = int(info.mip_node_count), h.modelStatusToString(ms)
    prod = np.zeros(inst.demand.shape)
    setups = np.zeros(inst.demand.shape, dtype=bool)
    if has:
        x = np.asarray(h.getSolution().col_value)
        if params.mip_abs_gap >= 0.5 and abs(objective - round(objective)) > 1e-6:
            x, objective = _polish(h, y_col, x, objective)
        for (i, s), cols in made.items():
            prod[i, s] = float(x[cols].sum()) if cols else 0.0
            setups[i, s] = x[y_col[i, s]] > 0.5
    return {"formulation": formulation, "status": status, "has_solution": has,
            "objective": objective, "bound": bound, "nodes": nodes, "message": message,
            "production": prod, "setups": setups,
            "stats": {"columns": len(milp.cost), "rows": len(milp.row_lo),
                      "binaries": int(np.count_nonzero(y_col >= 0))}}


def _polish(h: Any, y_col: np.ndarray, x: np.ndarray, objective: float) -> tuple[np.ndarray, float]:
    """Re-solve with the setups fixed, so the plan is the best one for them.

    Used when a gap below one unit was accepted as a proof (:attr:`ClspInstance.integral_optimum`)
    but the incumbent's cost is fractional: the LP with fixed setups is a network flow, so its
    optimum is the whole-number optimum the proof refers to.
    """
    import highspy

    ys = y_col[y_col >= 0].astype(np.int32)
    vals = np.round(x[ys])
    h.changeColsBounds(ys.size, ys, vals, vals)
    h.changeColsIntegrality(ys.size, ys, np.array([highspy.HighsVarType.kContinuous] * ys.size))
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return x, objective
    return np.asarray(h.getSolution().col_value), float(h.getInfo().objective_function_value)


def _child(conn: Any, inst: ClspInstance, formulation: str, time_limit: float,
           params: HighsParams) -> None:
    try:
        conn.send(_run_one(inst, formulation, time_limit, params))
    finally:
        conn.close()


def _race(inst: ClspInstance, formulations: list[str], time_limit: float,
          params: HighsParams) -> list[dict[str, Any]]:
    """Solve each formulation in its own process; stop the others at the first proof.

    Processes rather than threads: two HiGHS runs share no state, and a loser is stopped at
    once (``terminate``) instead of at its next callback.
    """
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    procs, conns = {}, {}
    for name in formulations:
        parent, child = ctx.Pipe(duplex=False)
        p = ctx.Process(target=_child, args=(child, inst, name, time_limit, params), daemon=True)
        p.start()
        child.close()
        procs[name], conns[parent] = p, name
    results = []
    deadline = time.perf_counter() + time_limit + 30.0  # HiGHS stops itself; this is a safeguard
    while conns and time.perf_counter() < deadline:
        for conn in wait(list(conns), timeout=1.0):
            name = conns.pop(conn)
            try:
                results.append(conn.recv())
            except EOFError:  # the process died without an answer
                pass
            if results and results[-1]["status"] in ("optimal", "infeasible"):
                conns.clear()
                break
    for p in procs.values():
        if p.is_alive():
            p.terminate()
        p.join(timeout=5)
    return results


def solve_clsp(instance: ClspInstance, stop: StoppingCriterion | float | None = None, *,
               params: HighsParams | None = None) -> ClspSolution:
    """Solve a capacitated lot-sizing problem with setup times to optimality (or the time limit).

    Parameters
    ----------
    instance
        The data; requirements must be met in their period or earlier (no backlog).
    stop
        Stopping criterion or seconds; only its time limit is used, as a hard HiGHS limit.
    params
        HiGHS settings; the default asks for a proven optimum on one thread. ``threads=2``
        races two models (see :class:`HighsParams`).

    When :attr:`ClspInstance.integral_optimum` holds, HiGHS stops as soon as the gap is below
    one unit of cost, which proves optimality on whole-number data.

    Returns
    -------
    ClspSolution
        Status ``OPTIMAL`` when proven, ``FEASIBLE`` at the time limit with a plan,
        ``INFEASIBLE`` when HiGHS proves no plan fits the capacity, ``NONE`` otherwise.

    Examples
    --------
    >>> inst = ClspInstance(demand=[[0, 30, 40]], capacity=[[80, 80, 80]], usage=[[1]],
    ...                     setup_time=[[5]], setup_cost=[100], holding_cost=[1])
    >>> solve_clsp(inst).objective  # one setup in period 2, 40 units held one period
    140.0
    """
    params = params or HighsParams()
    if instance.integral_optimum:  # a gap below one unit of cost is then a proof
        params = replace(params, mip_abs_gap=max(params.mip_abs_gap, 1.0 - 1e-6))
    t0 = time.perf_counter()
    limit = time_limit_of(stop)
    if params.threads >= 2:
        runs = _race(instance, list(FORMULATIONS), limit, params)
    else:
        runs = [_run_one(instance, "facility-location", limit, params)]
    runtime = time.perf_counter() - t0
    proven = [r for r in runs if r["status"] in ("optimal", "infeasible")]
    with_plan = sorted((r for r in runs if r["has_solution"]), key=lambda r: r["objective"])
    best = proven[0] if proven else (with_plan[0] if with_plan else (runs[0] if runs else None))
    bounds = [r["bound"] for r in runs if r["bound"] is not None]
    bound = max(bounds) if bounds else None
    objective = round(best["objective"], 6) if best and best["has_solution"] else None
    if best is None:
        status = SolveStatus.NONE
    elif best["status"] == "infeasible":
        status = SolveStatus.INFEASIBLE
    elif best["status"] == "optimal" or (
            objective is not None and bound is not None
            and objective - bound <= max(params.mip_abs_gap, params.mip_rel_gap * abs(objective))):
        status = SolveStatus.OPTIMAL
    else:
        status = SolveStatus.FEASIBLE if objective is not None else SolveStatus.NONE
    if status == SolveStatus.OPTIMAL and objective is not None:
        bound = min(bound, objective) if bound is not None else objective
    shape = instance.demand.shape
    prod = best["production"] if best and best["has_solution"] else np.zeros(shape)
    setups = best["setups"] if best and best["has_solution"] else np.zeros(shape, dtype=bool)
    prod = np.round(prod, 9)  # solver noise (69.99999999999999) is not a planner's quantity
    prod[prod < 1e-7] = 0.0
    return ClspSolution(
        status=status, objective=objective, bound=bound, production=prod, setups=setups,
        inventory=np.cumsum(prod - instance.demand, axis=1),
        load=instance.usage.T @ prod + instance.setup_time.T @ setups.astype(float),
        runtime=runtime, nodes=sum(r["nodes"] for r in runs),
        formulation=best["formulation"] if best else "",
        message="; ".join(f"{r['formulation']}: {r['message']}" for r in runs),
        stats=best["stats"] if best else {})
