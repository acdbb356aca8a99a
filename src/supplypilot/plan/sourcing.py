"""Supplier selection: who supplies how much of each item, as a MILP solved with HiGHS.

:class:`SourcingModel` is built like the other planning models: ``add_item`` (demand, need
date, split rules), ``add_supplier`` (reliability, total capacity), ``add_offer`` (a supplier's
terms for one item: all-units price breaks, MOQ, capacity, lead time), ``set_budget``, then
``solve``. The programme:

* ``q[o, b] >= 0`` bought on offer ``o`` at price break ``b``, ``w[o, b]`` binary: at most one
  break per offer, and ``q`` within the break's range (*all-units* discount: the whole quantity
  gets the price of the break it reaches);
* demand met (buying more is allowed when an MOQ or a break makes it cheaper);
* offer and supplier capacities, MOQ, offers too slow for the need date switched off;
* split sourcing: a maximum share per offer and a minimum number of suppliers per item;
* reliability: either priced (``shortfall_penalty`` per unit expected short, ``(1 -
  reliability) x qty``) or required (quantity-weighted reliability >= ``min_reliability``);
* an optional budget on purchase spend.

Every constraint belongs to a named *group* ("capacity of SUP-A for SOC-7"). When no
allocation exists, the result names an irreducible set of groups that cannot hold together:
HiGHS's IIS (``Highs.getIis``) on the LP relaxation narrows the candidates when the relaxation
is already infeasible, and a deletion filter over groups (re-solving the MILP without each group
in turn) makes the set irreducible for the integer programme too, because MOQs and price breaks
can make a MILP infeasible while its relaxation is not.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from supplypilot.errors import InputError
from supplypilot.plan.lotsizing import HighsParams
from supplypilot.plan.mrp._data import integer, number, text, unknown
from supplypilot.plan.result import PlanResult, SolveStatus
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

__all__ = ["Offer", "PriceBreak", "SourcingItem", "SourcingModel", "SourcingResult", "Supplier"]

_TOL = 1e-6


@dataclass(frozen=True)
class PriceBreak:
    """From ``min_qty`` units on, every unit costs ``unit_price`` (all-units discount)."""

    min_qty: float
    unit_price: float


@dataclass(frozen=True)
class SourcingItem:
    """An item to buy: ``demand`` units needed by ``need_by`` (periods or days from now)."""

    code: str
    demand: float
    need_by: int | None = None
    min_suppliers: int = 1
    min_reliability: float | None = None
    shortfall_penalty: float = 0.0


@dataclass(frozen=True)
class Supplier:
    """A supplier; ``reliability`` is the expected share of an order delivered in full, on time."""

    code: str
    reliability: float = 1.0
    capacity: float | None = None
    max_share: float | None = None


@dataclass(frozen=True)
class Offer:
    """A supplier's terms for one item."""

    supplier: str
    item: str
    price_breaks: tuple[PriceBreak, ...]
    moq: float = 0.0
    capacity: float | None = None
    lead_time: int = 0
    max_share: float | None = None

    @property
    def key(self) -> str:
        return f"{self.supplier}/{self.item}"


@dataclass
class SourcingResult(PlanResult):
    """An allocation of demand to suppliers, with the reason for each line.

    Attributes
    ----------
    allocation
        ``item, supplier, qty, unit_price, price_break, cost, share, lead_time, reliability,
        expected_shortfall, reason``.
    excluded
        ``item, supplier, why`` for offers that could not be used at all (too slow).
    kpis
        ``purchase_cost``, ``expected_shortfall`` (units), ``shortfall_cost`` and
        ``budget_used`` (share of the budget, when one is set).
    """

    allocation: pd.DataFrame = field(default_factory=pd.DataFrame)
    excluded: pd.DataFrame = field(default_factory=pd.DataFrame)
    kpis: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        """The solve block of :class:`PlanResult` followed by spend and expected shortfall."""
        text_ = super().summary()
        if self.kpis:
            text_ += (f"\npurchase cost      {self.kpis['purchase_cost']:,.2f}"
                      f"\nexpected shortfall {self.kpis['expected_shortfall']:,.2f} units")
        return text_

    def __repr__(self) -> str:
        # the default dataclass repr would print every table in full
        return (f"SourcingResult(status={self.status.value!r}, objective={self.objective!r}, "
                f"allocation={len(self.allocation)}, conflicts={len(self.conflicts)}, "
                f"solver={self.solver!r}, seed={self.seed!r})")

    def __str__(self) -> str:
        out = self.summary()
        if not self.allocation.empty:
            out += "\n\nallocation\n" + self.allocation.to_string(index=False)
        return out


# --------------------------------------------------------------------------- builder


class SourcingModel:
    """Choose suppliers and quantities at least cost under business rules.

    Examples
    --------
    >>> m = SourcingModel()
    >>> _ = m.add_item("SOC-7", demand=1000, need_by=14)
    >>> _ = m.add_supplier("SUP-A"); _ = m.add_supplier("SUP-B")
    >>> _ = m.add_offer("SUP-A", "SOC-7", price_breaks=[(0, 10.0), (800, 9.0)], capacity=900)
    >>> _ = m.add_offer("SUP-B", "SOC-7", price_breaks=9.5)
    >>> alloc = m.solve().allocation
    >>> list(zip(alloc["supplier"], alloc["qty"], alloc["unit_price"]))
    [('SUP-A', 900.0, 9.0), ('SUP-B', 100.0, 9.5)]
    """

    def __init__(self) -> None:
        self._items: dict[str, SourcingItem] = {}
        self._suppliers: dict[str, Supplier] = {}
        self._offers: dict[str, Offer] = {}
        self.budget: float | None = None

    def __repr__(self) -> str:
        return (f"SourcingModel(items={len(self._items)}, suppliers={len(self._suppliers)}, "
                f"offers={len(self._offers)}, budget={self.budget!r})")

    def add_item(self, code: str, demand: float, need_by: int | None = None,
                 min_suppliers: int = 1, min_reliability: float | None = None,
                 shortfall_penalty: float = 0.0) -> SourcingItem:
        """Add an item to source.

        Parameters
        ----------
        code
            Unique item code.
        demand
            Units to buy.
        need_by
            Latest acceptable lead time (same unit as the offers' lead times); offers slower
            than this are excluded, and say so. ``None``: no date.
        min_suppliers
            Split sourcing: at least this many suppliers, each with at least one unit.
        min_reliability
            Require the quantity-weighted reliability of the chosen suppliers,
            ``sum(reliability x qty) / sum(qty)``, to reach this level.
        shortfall_penalty
            Cost per unit expected short, ``(1 - reliability) x qty``, added to the objective
            so that unreliable but cheap suppliers pay for their risk.
        """
        method = "SourcingModel.add_item"
        text(code, "code", method)
        if code in self._items:
            raise InputError(f"Item {code!r} is already in this model; each code is added once.",
                             where="code")
        if min_reliability is not None:
            _fraction(min_reliability, "min_reliability", method)
        item = SourcingItem(
            code=code, demand=number(demand, "demand", method, strict=True),
            need_by=None if need_by is None else integer(need_by, "need_by", method),
            min_suppliers=integer(min_suppliers, "min_suppliers", method, minimum=1),
            min_reliability=min_reliability,
            shortfall_penalty=number(shortfall_penalty, "shortfall_penalty", method))
        self._items[code] = item
        return item

    def add_supplier(self, code: str, reliability: float = 1.0, capacity: float | None = None,
                     max_share: float | None = None) -> Supplier:
        """Add a supplier: ``reliability`` in [0, 1], total ``capacity`` over all its offers, and a
        default ``max_share`` of any item's demand for its offers."""
        method = "SourcingModel.add_supplier"
        text(code, "code", method)
        if code in self._suppliers:
            raise InputError(f"Supplier {code!r} is already in this model; each code is added "
                             f"once.", where="code")
        supplier = Supplier(
            code=code, reliability=_fraction(reliability, "reliability", method),
            capacity=None if capacity is None else number(capacity, "capacity", method),
            max_share=None if max_share is None else _fraction(max_share, "max_share", method))
        self._suppliers[code] = supplier
        return supplier

    def add_offer(self, supplier: str, item: str,
                  price_breaks: float | Sequence[tuple[float, float]], moq: float = 0,
                  capacity: float | None = None, lead_time: int = 0,
                  max_share: float | None = None) -> Offer:
        """Add a supplier's terms for an item.

        Parameters
        ----------
        price_breaks
            One unit price, or ``[(min_qty, unit_price), ...]`` with increasing ``min_qty``.
        moq
            Minimum order quantity when the offer is used at all.
        capacity
            Most units this offer can deliver.
        lead_time
            Time to deliver, compared with the item's ``need_by``.
        max_share
            Most of the item's demand this offer may take (overrides the supplier's default).
        """
        method = "SourcingModel.add_offer"
        if supplier not in self._suppliers:
            raise unknown("supplier", str(supplier), "add_offer", "add it with add_supplier first")
        if item not in self._items:
            raise unknown("item", str(item), "add_offer", "add it with add_item first")
        offer = Offer(supplier=supplier, item=item, price_breaks=_breaks(price_breaks, method),
                      moq=number(moq, "moq", method),
                      capacity=None if capacity is None else number(capacity, "capacity", method),
                      lead_time=integer(lead_time, "lead_time", method),
                      max_share=None if max_share is None else
                      _fraction(max_share, "max_share", method))
        if offer.key in self._offers:
            raise InputError(f"Supplier {supplier!r} already has an offer for {item!r}; give all "
                             f"its price breaks in one add_offer call.", where="item")
        self._offers[offer.key] = offer
        return offer

    def set_budget(self, amount: float | None) -> None:
        """Cap total purchase spend (``None`` removes the cap)."""
        self.budget = (None if amount is None else
                       number(amount, "amount", "SourcingModel.set_budget"))

    def solve(self, stop: StoppingCriterion | float | None = None, seed: int = 0,
              params: HighsParams | None = None) -> SourcingResult:
        """Find the cheapest allocation; when none exists, name the conflicting constraints."""
        for code, item in self._items.items():
            if not any(o.item == code for o in self._offers.values()):
                raise InputError(f"Item {code!r} has no offer: add one with add_offer before "
                                 f"solving.", where="add_offer")
        t0 = time.perf_counter()
        params = replace(params or HighsParams(), seed=seed)
        limit = time_limit_of(stop)
        prob = _Problem(self)
        h, sol = prob.solve(prob.groups, limit, params)
        status = _status(h, sol)
        if status == SolveStatus.INFEASIBLE:
            conflicts, method = prob.explain(params, max(limit - (time.perf_counter() - t0), 1.0))
            return SourcingResult(status=status, runtime=time.perf_counter() - t0,
                                  solver=_solver_name(), seed=seed, conflicts=conflicts,
                                  reasons=[f"no allocation meets every constraint; the conflicting "
                                           f"set was found by {method}"] + prob.exclusion_notes(),
                                  excluded=prob.excluded_frame(), extra={"iis_method": method})
        if sol is None:
            return SourcingResult(status=status, runtime=time.perf_counter() - t0,
                                  solver=_solver_name(), seed=seed,
                                  reasons=["no allocation found within the time limit"])
        info = h.getInfo()
        return prob.result(sol, status, float(info.objective_function_value),
                           float(info.mip_dual_bound), time.perf_counter() - t0, seed)


def _fraction(value: Any, name: str, method: str) -> float:
    v = number(value, name, method)
    if v > 1:
        raise InputError(f"The '{name}' parameter of {method} must be a fraction in [0, 1]. "
                         f"Got {value!r} instead.", where=name)
    return v


def _breaks(value: Any, method: str) -> tuple[PriceBreak, ...]:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return (PriceBreak(0.0, number(value, "price_breaks", method)),)
    try:
        pairs = [(float(a), float(b)) for a, b in value]
    except (TypeError, ValueError) as exc:
        raise InputError(f"The 'price_breaks' parameter of {method} must be a price or a list of "
                         f"(min_qty, unit_price) pairs. Got {value!r} instead.",
                         where="price_breaks") from exc
    mins = [a for a, _ in pairs]
    if not pairs or mins != sorted(set(mins)) or min(mins) < 0 or any(
            not math.isfinite(b) or b < 0 for _, b in pairs):
        raise InputError(f"The 'price_breaks' parameter of {method} must list (min_qty, "
                         f"unit_price) pairs with strictly increasing min_qty >= 0 and prices "
                         f">= 0. Got {value!r} instead.", where="price_breaks")
    return tuple(PriceBreak(a, b) for a, b in pairs)


def _solver_name() -> str:
    import highspy

    h = highspy.Highs()
    return f"HiGHS {h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"


def _status(h: Any, sol: np.ndarray | None) -> SolveStatus:
    import highspy

    ms = h.getModelStatus()
    if ms == highspy.HighsModelStatus.kOptimal:
        return SolveStatus.OPTIMAL
    if ms == highspy.HighsModelStatus.kInfeasible:
        return SolveStatus.INFEASIBLE
    return SolveStatus.FEASIBLE if sol is not None else SolveStatus.NONE


# --------------------------------------------------------------------------- the MILP


class _Problem:
    """Columns, grouped rows and the texts that explain them, for one model snapshot."""

    def __init__(self, model: SourcingModel) -> None:
        self.items = dict(model._items)
        self.suppliers = dict(model._suppliers)
        self.offers = list(model._offers.values())
        self.budget = model.budget
        self.groups: dict[str, str] = {}  # group -> sentence
        for it in self.items.values():
            self.groups[f"demand:{it.code}"] = (f"demand of {it.code}: {it.demand:g} units"
                                                + (f" by {it.need_by}" if it.need_by is not None
                                                   else ""))
            if it.min_suppliers > 1:
                self.groups[f"min_suppliers:{it.code}"] = (f"{it.code} must be split over at least "
                                                           f"{it.min_suppliers} suppliers")
            if it.min_reliability is not None:
                self.groups[f"min_reliability:{it.code}"] = (
                    f"the quantity-weighted reliability of {it.code}'s suppliers must reach "
                    f"{it.min_reliability:.0%}")
        for o in self.offers:
            it = self.items[o.item]
            if it.need_by is not None and o.lead_time > it.need_by:
                self.groups[f"lead_time:{o.key}"] = (
                    f"{o.supplier} cannot deliver {o.item} in time (lead time {o.lead_time} > "
                    f"need by {it.need_by})")
            if o.capacity is not None:
                self.groups[f"capacity:{o.key}"] = (f"capacity of {o.supplier} for {o.item}: "
                                                    f"{o.capacity:g}")
            if o.moq > 0:
                self.groups[f"moq:{o.key}"] = f"MOQ of {o.supplier} for {o.item}: {o.moq:g}"
            share = self.share(o)
            if share is not None and share < 1:
                self.groups[f"max_share:{o.key}"] = (
                    f"{o.supplier} may take at most {share:.0%} of {o.item} "
                    f"({share * it.demand:g} units)")
        for s in self.suppliers.values():
            if s.capacity is not None and any(o.supplier == s.code for o in self.offers):
                self.groups[f"supplier_capacity:{s.code}"] = (f"total capacity of {s.code}: "
                                                              f"{s.capacity:g}")
        if self.budget is not None:
            self.groups["budget"] = f"budget {self.budget:,.2f}"

    def share(self, o: Offer) -> float | None:
        return o.max_share if o.max_share is not None else self.suppliers[o.supplier].max_share

    def upper(self, o: Offer) -> float:
        """Most this offer could ever be asked for: the demand, or the MOQ / top break if larger."""
        return max(self.items[o.item].demand, o.moq, o.price_breaks[-1].min_qty)

    def build(self, on: set[str] | dict[str, str], relax: bool = False) -> tuple[Any, list, list]:
        """A ``highspy.Highs`` with the rows of the groups in ``on``, its columns and row groups."""
        import highspy

        inf = highspy.kHighsInf
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        cols: list[tuple[Offer, int, str]] = []  # offer, break index, "q" or "w"
        cost, lo, hi, is_int = [], [], [], []
        for o in self.offers:
            risk = 1 - self.suppliers[o.supplier].reliability
            pen = risk * self.items[o.item].shortfall_penalty
            for b, br in enumerate(o.price_breaks):
                cols.append((o, b, "q")); cost.append(br.unit_price + pen); lo.append(0.0)
                hi.append(inf); is_int.append(False)
                cols.append((o, b, "w")); cost.append(0.0); lo.append(0.0); hi.append(1.0)
                is_int.append(not relax)
        index = {(c[0].key, c[1], c[2]): k for k, c in enumerate(cols)}
        h.addVars(len(cols), np.array(lo), np.array(hi))
        h.changeColsCost(len(cols), np.arange(len(cols), dtype=np.int32),
                         np.array(cost, dtype=float))
        if not relax:
            ints = np.array([k for k, f in enumerate(is_int) if f], dtype=np.int32)
            h.changeColsIntegrality(ints.size, ints,
                                    np.array([highspy.HighsVarType.kInteger] * ints.size))
        row_groups: list[str] = []

        def row(group: str, entries: list[tuple[int, float]], lb: float, ub: float) -> None:
            if group and group not in on:
                return
            h.addRow(lb, ub, len(entries), np.array([e[0] for e in entries], dtype=np.int32),
                     np.array([e[1] for e in entries], dtype=float))
            row_groups.append(group)

        def q(o: Offer) -> list[tuple[int, float]]:
            return [(index[(o.key, b, "q")], 1.0) for b in range(len(o.price_breaks))]

        def w(o: Offer, coef: float = 1.0) -> list[tuple[int, float]]:
            return [(index[(o.key, b, "w")], coef) for b in range(len(o.price_breaks))]

        for o in self.offers:  # structure: one break per offer, quantity inside its range
            brs = o.price_breaks
            least = min(1.0, self.items[o.item].demand)  # a used offer delivers at least a unit
            row("", w(o), -inf, 1.0)
            for b, br in enumerate(brs):
                qb, wb = index[(o.key, b, "q")], index[(o.key, b, "w")]
                top = brs[b + 1].min_qty if b + 1 < len(brs) else self.upper(o)
                row("", [(qb, 1.0), (wb, -max(br.min_qty, least))], 0.0, inf)
                row("", [(qb, 1.0), (wb, -max(top, br.min_qty, least))], -inf, 0.0)
            row(f"moq:{o.key}", q(o) + w(o, -o.moq), 0.0, inf)
            if o.capacity is not None:
                row(f"capacity:{o.key}", q(o), -inf, o.capacity)
            row(f"lead_time:{o.key}", q(o), -inf, 0.0)
            share = self.share(o)
            if share is not None:
                row(f"max_share:{o.key}", q(o), -inf, share * self.items[o.item].demand)
        for it in self.items.values():
            mine = [o for o in self.offers if o.item == it.code]
            row(f"demand:{it.code}", [e for o in mine for e in q(o)], it.demand, inf)
            row(f"min_suppliers:{it.code}", [e for o in mine for e in w(o)], it.min_suppliers, inf)
            if it.min_reliability is not None:  # sum(r q) >= rho sum(q): buying more cannot help
                row(f"min_reliability:{it.code}",
                    [(k, self.suppliers[o.supplier].reliability - it.min_reliability)
                     for o in mine for k, _ in q(o)], 0.0, inf)
        for s in self.suppliers.values():
            if s.capacity is not None:
                row(f"supplier_capacity:{s.code}",
                    [e for o in self.offers if o.supplier == s.code for e in q(o)],
                    -inf, s.capacity)
        row("budget", [(index[(o.key, b, "q")], br.unit_price) for o in self.offers
                       for b, br in enumerate(o.price_breaks)], -inf,
            self.budget if self.budget is not None else inf)
        return h, cols, row_groups

    def solve(self, on: set[str] | dict[str, str], limit: float,
              params: HighsParams) -> tuple[Any, np.ndarray | None]:
        h, _, _ = self.build(on)
        params.apply(h, limit)
        h.run()
        has = h.getInfo().primal_solution_status == 2
        return h, (np.asarray(h.getSolution().col_value) if has else None)

    def _infeasible(self, on: set[str], params: HighsParams, limit: float) -> bool:
        import highspy

        h, _ = self.solve(on, limit, params)
        return h.getModelStatus() == highspy.HighsModelStatus.kInfeasible

    def explain(self, params: HighsParams, limit: float) -> tuple[list[str], str]:
        """An irreducible set of conflicting groups, as sentences, and how it was found."""
        import highspy

        t0 = time.perf_counter()
        candidates = set(self.groups)
        method = "a deletion filter over constraint groups"
        h, _, row_groups = self.build(self.groups, relax=True)
        h.setOptionValue("iis_strategy", int(highspy.IisStrategy.kIisStrategyFromLp))
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
            status, iis = h.getIis()
            rows = {row_groups[r] for r in iis.row_index_ if row_groups[r]}
            if status == highspy.HighsStatus.kOk and iis.valid_ and rows and \
                    self._infeasible(rows, params, limit):
                candidates = rows
                method = "HiGHS IIS on the LP relaxation, then a deletion filter over its groups"
        keep = set(candidates)
        for g in sorted(candidates, key=self._order):
            if time.perf_counter() - t0 > limit:
                method += " (stopped at the time limit: the set may not be irreducible)"
                break
            if self._infeasible(keep - {g}, params, max(limit - (time.perf_counter() - t0), 0.5)):
                keep.discard(g)
        return [self.groups[g] for g in sorted(keep, key=self._order)], method

    @staticmethod
    def _order(group: str) -> tuple[int, str]:
        kinds = ["demand", "lead_time", "capacity", "supplier_capacity", "moq", "max_share",
                 "min_suppliers", "min_reliability", "budget"]
        kind = group.split(":", 1)[0]
        return (kinds.index(kind) if kind in kinds else len(kinds), group)

    def exclusion_notes(self) -> list[str]:
        return [self.groups[g] for g in self.groups if g.startswith("lead_time:")]

    def excluded_frame(self) -> pd.DataFrame:
        rows = [{"item": o.item, "supplier": o.supplier, "why": self.groups[f"lead_time:{o.key}"]}
                for o in self.offers if f"lead_time:{o.key}" in self.groups]
        return pd.DataFrame(rows, columns=["item", "supplier", "why"])

    # ----------------------------------------------------------------------- reading a plan

    def result(self, sol: np.ndarray, status: SolveStatus, objective: float, bound: float,
               runtime: float, seed: int) -> SourcingResult:
        _, cols, _ = self.build({}, relax=True)
        qty: dict[str, float] = {}
        tier: dict[str, int] = {}
        for k, (o, b, kind) in enumerate(cols):
            if kind == "q" and sol[k] > _TOL:
                qty[o.key] = qty.get(o.key, 0.0) + float(sol[k])
                tier[o.key] = b
        qty = {k: round(v, 9) for k, v in qty.items()}
        binding: list[str] = []
        reasons: list[str] = self.exclusion_notes()
        rows = []
        for o in self.offers:
            if o.key not in qty:
                continue
            it, sup = self.items[o.item], self.suppliers[o.supplier]
            q, br = qty[o.key], o.price_breaks[tier[o.key]]
            notes = [f"{br.unit_price:g}/unit at the {br.min_qty:g}+ break"]
            share = self.share(o)
            if o.capacity is not None and q >= o.capacity - _TOL:
                notes.append(f"capped by capacity {o.capacity:g}")
                binding.append(f"capacity of {o.supplier} for {o.item} ({o.capacity:g}) is used up")
            if share is not None and q >= share * it.demand - _TOL:
                notes.append(f"capped by max share {share:.0%}")
                binding.append(f"max share of {o.supplier} for {o.item} ({share:.0%}) is reached")
            if o.moq > 0 and q <= o.moq + _TOL:
                notes.append(f"at its MOQ {o.moq:g}")
                binding.append(f"MOQ of {o.supplier} for {o.item} ({o.moq:g}) sets the quantity")
            if tier[o.key] > 0 and q <= br.min_qty + _TOL:
                notes.append(f"raised to reach the {br.min_qty:g} price break")
                binding.append(f"{o.supplier}'s {br.min_qty:g}-unit price break for {o.item} sets "
                               f"the quantity")
            rows.append({"item": o.item, "supplier": o.supplier, "qty": q,
                         "unit_price": br.unit_price, "price_break": br.min_qty,
                         "cost": q * br.unit_price, "share": q / it.demand,
                         "lead_time": o.lead_time, "reliability": sup.reliability,
                         "expected_shortfall": (1 - sup.reliability) * q, "notes": notes})
        alloc = pd.DataFrame(rows, columns=["item", "supplier", "qty", "unit_price", "price_break",
                                            "cost", "share", "lead_time", "reliability",
                                            "expected_shortfall", "notes"])
        for code, it in self.items.items():
            mine = alloc[alloc["item"] == code]
            got = float(mine["qty"].sum())
            if got > it.demand + _TOL:
                reasons.append(f"{code}: buys {got:g} for a demand of {it.demand:g} because an MOQ "
                               f"or a price break makes that cheaper or required")
            if it.min_suppliers > 1 and len(mine) == it.min_suppliers:
                binding.append(f"{code} uses exactly the minimum of {it.min_suppliers} suppliers")
            if it.min_reliability is not None and got > 0:
                level = float((mine["qty"] * mine["reliability"]).sum()) / got
                if level <= it.min_reliability + _TOL:
                    binding.append(f"the quantity-weighted reliability of {code}'s suppliers is at "
                                   f"its minimum {it.min_reliability:.0%}")
            cheapest = mine["unit_price"].min() if len(mine) else None
            for idx in mine.index:
                if len(mine) > 1 and alloc.at[idx, "unit_price"] > cheapest + _TOL:
                    alloc.at[idx, "notes"].append("covers what cheaper offers cannot take")
        for sup in self.suppliers.values():
            used = float(alloc.loc[alloc["supplier"] == sup.code, "qty"].sum())
            if sup.capacity is not None and used > 0 and used >= sup.capacity - _TOL:
                binding.append(f"total capacity of {sup.code} ({sup.capacity:g}) is used up")
        spend = float(alloc["cost"].sum()) if not alloc.empty else 0.0
        if self.budget is not None and spend >= self.budget - 1e-6 * max(1.0, self.budget):
            binding.append(f"budget {self.budget:,.2f} is fully used")
        alloc["reason"] = alloc.pop("notes").map("; ".join)
        short = float(alloc["expected_shortfall"].sum())
        kpis = {"purchase_cost": spend, "expected_shortfall": short}
        kpis["shortfall_cost"] = objective - spend
        if self.budget:
            kpis["budget_used"] = spend / self.budget
        return SourcingResult(status=status, objective=objective, bound=bound, runtime=runtime,
                              solver=_solver_name(), seed=seed, binding=binding, reasons=reasons,
                              allocation=alloc, excluded=self.excluded_frame(), kpis=kpis)
