"""Supply network design and flow planning: a small builder over one HiGHS linear programme.

:class:`NetworkModel` is built like PyVRP's ``Model``: ``add_supplier``, ``add_plant``,
``add_dc``, ``add_customer`` and ``add_lane`` each return the created object, then
``solve(stop=...)`` builds the programme and returns a :class:`NetworkResult`.

The programme, per product ``p``:

* flow ``x[lane, p] >= 0`` on every lane that can carry ``p`` (products that can never reach a
  lane's origin, or are never needed past its destination, get no variable);
* production ``make[plant, p]`` where a plant has a recipe (``p`` made from its inputs);
* conservation at plants and DCs: ``inflow + made = outflow + consumed by recipes``;
* demand: ``inflow + short = demand`` at each customer, ``short`` only with ``allow_shortage``;
* capacities: supplier (total and per product), plant (production, or throughput without a
  recipe), DC throughput and lane capacity, each an explicit row so that its dual value (what
  one more unit of capacity would save) and its part in an infeasibility can be reported;
* opening decisions: a plant or DC added with ``open=None`` gets a binary, its fixed cost and
  ``throughput <= capacity * open`` (the model becomes a MILP).

Lead times are *priced*, not constrained: each unit passing a supplier or a lane carries
``holding_cost_per_day x lead-time days`` of inventory cost (stock in transit or held to cover
the wait). That keeps the model linear and makes a longer supplier lead time move volume to
faster sources when it pays. Delivery promises are the one lead-time *rule*: a customer's
``max_delivery_days`` forbids the lanes into it that take longer.

When hard demand cannot be met, HiGHS computes an irreducible infeasible subset of rows
(``Highs.getIis``), which the result states in domain words ("demand at cafe3 ... exceeds the
capacity of lane roastery1→cafe3 ... after closing roastery2").
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import json
import logging
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from supplypilot import config
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.result import PlanResult, SolveStatus
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

__all__ = ["Lane", "NetworkModel", "NetworkResult", "Node", "NodeKind", "network_from_store"]

logger = logging.getLogger("supplypilot.plan.network")

NodeKind = Literal["supplier", "plant", "dc", "customer"]
KIND_WORDS = {"supplier": ("supplier", "供应商"), "plant": ("plant", "工厂"),
              "dc": ("DC", "配送中心"), "customer": ("customer", "客户")}
COST_PARTS = ("purchase", "transport", "production", "handling", "lead_time", "fixed", "shortage")
FLOW_COLUMNS = ["src", "dst", "mode", "product", "qty", "unit_cost", "cost"]
TOL = 1e-6
IIS_IRREDUCIBLE_MAX_ROWS = 1000
"""Largest programme (rows) whose conflict set is made irreducible; see ``_explain``."""

Amount = float | Mapping[str, float]


# --------------------------------------------------------------------------- plain data


@dataclass(frozen=True)
class Node:
    """A supplier, plant, DC or customer. Built by the ``NetworkModel.add_*`` methods.

    ``capacity`` bounds the node's total volume (supplied, produced, or passed through) and
    ``product_capacity`` bounds single products; ``open`` is True (open), False (closed: no
    lane touching it is used) or None (the solver decides, paying ``fixed_cost`` if it opens).
    """

    name: str
    kind: NodeKind
    products: tuple[str, ...] = ()
    capacity: float | None = None
    product_capacity: Mapping[str, float] = field(default_factory=dict)
    unit_cost: Mapping[str, float] = field(default_factory=dict)
    lead_time: float = 0.0
    fixed_cost: float = 0.0
    open: bool | None = True
    recipe: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    demand: Mapping[str, float] = field(default_factory=dict)
    max_delivery_days: float | None = None


@dataclass(frozen=True)
class Lane:
    """A transport lane ``src → dst`` by one ``mode``; ``capacity`` is shared by its products."""

    src: str
    dst: str
    mode: str = "road"
    products: tuple[str, ...] | None = None
    cost: Mapping[str, float] | float = 0.0
    capacity: float | None = None
    lead_time: float = 0.0

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.src, self.dst, self.mode)

    def cost_of(self, product: str) -> float:
        return float(self.cost) if not isinstance(self.cost, Mapping) else float(self.cost[product])

    def label(self) -> str:
        return f"{self.src}→{self.dst} ({self.mode})"


def _number(value: Any, param: str, owner: str, *, low: float = 0.0, strict: bool = False,
            allow_none: bool = False) -> float | None:
    """Validate one number with the house message shape; ``None`` passes when allowed."""
    if value is None and allow_none:
        return None
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and (value > low if strict else value >= low):
        return float(value)
    op = ">" if strict else ">="
    raise InputError(f"The {param!r} parameter of {owner} must be a number {op} {low:g}. "
                     f"Got {value!r} instead.", where=param)


def _amounts(value: Amount | None, param: str, owner: str) -> dict[str, float]:
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return {str(k): float(_number(v, f"{param}[{k!r}]", owner)) for k, v in value.items()}
    raise InputError(f"The {param!r} parameter of {owner} must be a mapping product → number. "
                     f"Got {value!r} instead.", where=param)


def unknown(kind: str, code: str, where: str, known: Iterable[str]) -> UnknownEntityError:
    """An :class:`UnknownEntityError` worded "Unknown node 'X' in Where: known nodes are ..."."""
    known = sorted(known)
    close = difflib.get_close_matches(code, known, n=1)
    shown = ", ".join(known[:12]) + (f", ... ({len(known)} in all)" if len(known) > 12 else "")
    msg = f"Unknown {kind} {code!r} in {where}: known {kind}s are {shown or 'none'}."
    if close:
        msg += f" Did you mean {close[0]!r}?"
    err = UnknownEntityError(kind, code)
    err.args = (msg,)  # the hierarchy's fixed wording lacks the place; keep its type and fields
    return err


# --------------------------------------------------------------------------- the builder


class NetworkModel:
    """A supply network to plan: nodes, products, lanes; ``solve`` minimises total cost.

    Parameters
    ----------
    name
        Shown in results and comparisons (a scenario sets it to its own name).
    allow_shortage
        False (default): every demand must be met, and an impossible plan is reported as
        infeasible with the constraints that conflict. True: unmet demand is allowed at
        ``shortage_penalty`` per unit, so the plan always exists and service may drop.
    shortage_penalty
        Cost of one unit not delivered, or a mapping product → cost. ``None`` uses ten times
        the costliest way the network can serve a unit of that product, so the solver falls
        short only where it really cannot deliver.
    holding_cost_per_day
        Inventory cost of one unit for one day; lead-time days on suppliers and lanes are
        priced with it (0 leaves lead times out of the cost). ``add_product`` can override it.
    integer_flows
        Whole units on every flow (a MILP), as in OptiGuide's coffee model.

    Examples
    --------
    >>> m = NetworkModel()
    >>> _ = m.add_supplier("s1", capacity={"beans": 100})
    >>> _ = m.add_customer("c1", demand={"beans": 40})
    >>> _ = m.add_lane("s1", "c1", cost=2.0)
    >>> m.solve().objective
    80.0
    """

    def __init__(self, name: str = "baseline", *, allow_shortage: bool = False,
                 shortage_penalty: Amount | None = None, holding_cost_per_day: float = 0.0,
                 integer_flows: bool = False) -> None:
        self.name = name
        self.allow_shortage = bool(allow_shortage)
        if isinstance(shortage_penalty, Mapping):
            self.shortage_penalty: Amount | None = _amounts(shortage_penalty, "shortage_penalty",
                                                            "NetworkModel")
        else:
            self.shortage_penalty = _number(shortage_penalty, "shortage_penalty", "NetworkModel",
                                            allow_none=True)
        self.holding_cost_per_day = float(_number(holding_cost_per_day, "holding_cost_per_day",
                                                  "NetworkModel"))
        self.integer_flows = bool(integer_flows)
        self._products: dict[str, float | None] = {}
        self._nodes: dict[str, Node] = {}
        self._lanes: dict[tuple[str, str, str], Lane] = {}
        self.changes: list[tuple[str, str, frozenset[str]]] = []
        """Edits applied by scenarios: (English words, Chinese words, nodes concerned)."""

    def __repr__(self) -> str:
        kinds = {k: sum(n.kind == k for n in self._nodes.values()) for k in KIND_WORDS}
        parts = ", ".join(f"{v} {k}s" for k, v in kinds.items())
        return (f"NetworkModel(name={self.name!r}: {parts}, {len(self._products)} products, "
                f"{len(self._lanes)} lanes)")

    # ----------------------------------------------------------------- reading

    @property
    def nodes(self) -> Mapping[str, Node]:
        """Nodes by name (a copy: edit through ``replace_node`` or a scenario)."""
        return dict(self._nodes)

    @property
    def lanes(self) -> Mapping[tuple[str, str, str], Lane]:
        """Lanes by ``(src, dst, mode)`` (a copy)."""
        return dict(self._lanes)

    @property
    def products(self) -> tuple[str, ...]:
        """Every product named so far, in the order first seen."""
        return tuple(self._products)

    def node(self, name: str | Node, where: str = "NetworkModel") -> Node:
        """The node called ``name``; an unknown name raises an error listing the known ones.

        A :class:`Node` object must be this model's own: passing one from another model (or a
        stale copy) is refused, because matching it by name would silently edit the wrong node.
        """
        if isinstance(name, Node):
            if self._nodes.get(name.name) is not name:
                raise InputError(f"The given node {name.name!r} is not in this model instance.",
                                 where=where)
            return name
        if name not in self._nodes:
            raise unknown("node", name, where, self._nodes)
        return self._nodes[name]

    def lanes_between(self, src: str, dst: str, mode: str | None = None,
                      where: str = "NetworkModel") -> list[Lane]:
        """Lanes from ``src`` to ``dst`` (one ``mode`` or all); none raises an error."""
        self.node(src, where)
        self.node(dst, where)
        found = [ln for ln in self._lanes.values()
                 if ln.src == src and ln.dst == dst and (mode is None or ln.mode == mode)]
        if not found:
            goes = sorted({ln.dst for ln in self._lanes.values() if ln.src == src})
            raise unknown("lane", f"{src}→{dst}" + (f" ({mode})" if mode else ""), where,
                          [f"{src}→{d}" for d in goes])
        return found

    # ----------------------------------------------------------------- building

    def add_product(self, name: str, *, holding_cost_per_day: float | None = None) -> str:
        """Declare a product, optionally with its own daily holding cost (its value tied up)."""
        cost = _number(holding_cost_per_day, "holding_cost_per_day", "add_product",
                       allow_none=True)
        if cost is not None or name not in self._products:
            self._products[name] = cost
        return name

    def _register(self, products: Iterable[str]) -> None:
        for p in products:
            self._products.setdefault(str(p), None)

    def _add_node(self, node: Node) -> Node:
        if not node.name or not isinstance(node.name, str):
            raise InputError(f"A node name must be a non-empty text. Got {node.name!r} instead.",
                             where="name")
        if node.name in self._nodes:
            raise InputError(f"A node named {node.name!r} already exists "
                             f"(a {self._nodes[node.name].kind}).", where="name")
        self._nodes[node.name] = node
        return node

    def add_supplier(self, name: str, capacity: Amount | None = None, *,
                     products: Sequence[str] | None = None, unit_cost: Amount = 0.0,
                     lead_time: float = 0.0) -> Node:
        """Add a supplier: where products enter the network.

        Parameters
        ----------
        capacity
            Units it can supply: a mapping product → units (which also says what it sells),
            or one number for all its products together, or ``None`` for no limit.
        products
            What it sells, when ``capacity`` is not a mapping.
        unit_cost
            Purchase price per unit (one number, or per product).
        lead_time
            Days from order to dispatch; priced at the model's holding cost.
        """
        per = _amounts(capacity, "capacity", "add_supplier") if isinstance(capacity, Mapping) \
            else {}
        total = None if isinstance(capacity, Mapping) else \
            _number(capacity, "capacity", "add_supplier", allow_none=True)
        offered = tuple(per) or tuple(products or ())
        if not offered and isinstance(unit_cost, Mapping):
            offered = tuple(unit_cost)
        if not offered:
            raise InputError(f"The 'products' parameter of add_supplier must list what {name!r} "
                             f"sells when 'capacity' is not a mapping. Got {products!r} instead.",
                             where="products")
        self._register(offered)
        node = Node(name, "supplier", offered, total, per,
                    self._unit_costs(unit_cost, offered, "add_supplier"),
                    float(_number(lead_time, "lead_time", "add_supplier")))
        return self._add_node(node)

    def add_plant(self, name: str, capacity: Amount | None = None, *,
                  recipe: Mapping[str, Mapping[str, float]] | None = None,
                  unit_cost: Amount = 0.0, fixed_cost: float = 0.0,
                  open: bool | None = True) -> Node:
        """Add a plant. With a ``recipe`` it converts inputs into products, otherwise it passes
        products through (a cross-dock).

        Parameters
        ----------
        capacity
            Units it can make in all (or per product, as a mapping); without a recipe, units it
            can pass through. ``None``: no limit.
        recipe
            ``{output: {input: units per output}}``, e.g. ``{"light": {"beans": 1}}``.
        unit_cost
            Production cost per unit made (one number, or per output product).
        fixed_cost, open
            ``open=None`` lets the solver decide whether to run the plant, paying
            ``fixed_cost`` when it does; ``open=False`` closes it.
        """
        rec = {str(o): _amounts(ins, f"recipe[{o!r}]", "add_plant")
               for o, ins in (recipe or {}).items()}
        for o, ins in rec.items():
            self._register([o, *ins])
        per = _amounts(capacity, "capacity", "add_plant") if isinstance(capacity, Mapping) else {}
        total = None if isinstance(capacity, Mapping) else \
            _number(capacity, "capacity", "add_plant", allow_none=True)
        node = Node(name, "plant", tuple(rec), total, per,
                    self._unit_costs(unit_cost, tuple(rec), "add_plant"), 0.0,
                    float(_number(fixed_cost, "fixed_cost", "add_plant")), open, rec)
        return self._add_node(node)

    def add_dc(self, name: str, capacity: float | None = None, *, handling_cost: float = 0.0,
               fixed_cost: float = 0.0, open: bool | None = True) -> Node:
        """Add a distribution centre: products pass through, up to ``capacity`` units in all.

        ``handling_cost`` is paid per unit received; ``open=None`` lets the solver decide
        whether to use it, paying ``fixed_cost`` when it does.
        """
        node = Node(name, "dc", (), _number(capacity, "capacity", "add_dc", allow_none=True),
                    {}, {"*": float(_number(handling_cost, "handling_cost", "add_dc"))}, 0.0,
                    float(_number(fixed_cost, "fixed_cost", "add_dc")), open)
        return self._add_node(node)

    def add_customer(self, name: str, demand: Mapping[str, float], *,
                     max_delivery_days: float | None = None) -> Node:
        """Add a customer with its demand per product over the planning period.

        ``max_delivery_days`` forbids lanes into this customer that take longer.
        """
        dem = _amounts(demand, "demand", "add_customer")
        self._register(dem)
        node = Node(name, "customer", tuple(dem), demand=dem,
                    max_delivery_days=_number(max_delivery_days, "max_delivery_days",
                                              "add_customer", allow_none=True))
        return self._add_node(node)

    def add_lane(self, src: str | Node, dst: str | Node, products: Sequence[str] | None = None,
                 cost: Amount = 0.0, capacity: float | None = None, lead_time: float = 0.0,
                 mode: str = "road") -> Lane:
        """Add a lane ``src → dst``.

        Parameters
        ----------
        products
            Products it may carry; ``None``: any (or the keys of ``cost`` if it is a mapping).
        cost
            Transport cost per unit (one number, or per product).
        capacity
            Units it can carry in all products together; ``None``: no limit.
        lead_time
            Days in transit; priced at the model's holding cost.
        mode
            Transport mode; two lanes between the same nodes differ by mode.
        """
        s, d = self.node(src, "add_lane"), self.node(dst, "add_lane")
        if s.kind == "customer" or d.kind == "supplier" or s.name == d.name:
            raise InputError(f"A lane cannot run from {s.kind} {s.name!r} to {d.kind} {d.name!r}: "
                             "lanes leave suppliers, plants or DCs and end at plants, DCs or "
                             "customers.", where="add_lane")
        prods = tuple(products) if products is not None else \
            (tuple(cost) if isinstance(cost, Mapping) else None)
        if prods is not None:
            self._register(prods)
        lane_cost: Amount = _amounts(cost, "cost", "add_lane") if isinstance(cost, Mapping) \
            else float(_number(cost, "cost", "add_lane"))
        if isinstance(lane_cost, dict) and prods and (miss := set(prods) - set(lane_cost)):
            raise InputError(f"The 'cost' parameter of add_lane must price every product of the "
                             f"lane. Got no cost for {sorted(miss)} instead.", where="cost")
        lane = Lane(s.name, d.name, str(mode), prods, lane_cost,
                    _number(capacity, "capacity", "add_lane", allow_none=True),
                    float(_number(lead_time, "lead_time", "add_lane")))
        if lane.key in self._lanes:
            raise InputError(f"The lane {lane.label()} already exists.", where="add_lane")
        self._lanes[lane.key] = lane
        return lane

    @staticmethod
    def _unit_costs(value: Amount, products: tuple[str, ...], owner: str) -> dict[str, float]:
        if isinstance(value, Mapping):
            return _amounts(value, "unit_cost", owner)
        v = float(_number(value, "unit_cost", owner))
        return {p: v for p in products}

    # ----------------------------------------------------------------- editing (scenarios)

    def copy(self) -> NetworkModel:
        """A deep copy: scenarios edit the copy, never the baseline."""
        return copy.deepcopy(self)

    def replace_node(self, name: str, **changes: Any) -> Node:
        """Swap node ``name`` for a copy with ``changes`` (nodes are immutable values)."""
        node = dataclasses.replace(self.node(name), **changes)
        self._register(node.products)
        self._nodes[name] = node
        return node

    def replace_lane(self, lane: Lane, **changes: Any) -> Lane:
        new = dataclasses.replace(lane, **changes)
        self._lanes[lane.key] = new
        return new

    def remove_lane(self, lane: Lane) -> None:
        del self._lanes[lane.key]

    def note_change(self, en: str, zh: str, nodes: Iterable[str]) -> None:
        """Remember an edit, so an infeasibility can say "after closing roastery2"."""
        self.changes.append((en, zh, frozenset(nodes)))

    # ----------------------------------------------------------------- loading

    @classmethod
    def from_optiguide(cls, path: str | Path | None = None, **kwargs: Any) -> NetworkModel:
        """The OptiGuide coffee network (3 suppliers, 2 roasteries, 3 cafés; optimum 2470).

        Suppliers sell ``beans``; roasteries turn one unit of beans into one unit of ``light``
        or ``dark`` roast at their roasting cost; cafés demand both roasts. ``path`` defaults to
        ``<data_dir>/nl/optiguide/coffee_instance.json``; ``kwargs`` go to the constructor.
        """
        path = Path(path) if path else config.data_dir() / "nl" / "optiguide" / \
            "coffee_instance.json"
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise InputError(f"Cannot read the OptiGuide instance: {exc}.", where=str(path)) \
                from exc
        try:
            return cls._coffee(d, cls(**kwargs))
        except (KeyError, AttributeError, ValueError) as exc:
            raise InputError(f"The OptiGuide instance is not in the coffee layout: {exc!r}.",
                             where=str(path)) from exc

    @staticmethod
    def _coffee(d: dict[str, Any], m: NetworkModel) -> NetworkModel:
        roasteries = sorted(d["roasting_cost_light"])
        for s, cap in d["capacity_in_supplier"].items():
            m.add_supplier(s, capacity={"beans": cap})
        for r in roasteries:
            m.add_plant(r, recipe={"light": {"beans": 1.0}, "dark": {"beans": 1.0}},
                        unit_cost={"light": d["roasting_cost_light"][r],
                                   "dark": d["roasting_cost_dark"][r]})
        light, dark = d["light_coffee_needed_for_cafe"], d["dark_coffee_needed_for_cafe"]
        cafes = sorted(set(light) | set(dark))
        for c in cafes:
            m.add_customer(c, demand={"light": light.get(c, 0), "dark": dark.get(c, 0)})
        for key, cost in d["shipping_cost_from_supplier_to_roastery"].items():
            s, r = key.split("|")
            m.add_lane(s, r, ["beans"], cost=cost)
        for key, cost in d["shipping_cost_from_roastery_to_cafe"].items():
            r, c = key.split("|")
            m.add_lane(r, c, ["light", "dark"], cost=cost)
        return m

    @classmethod
    def from_store(cls, store: Any, start: dt.date | str | None = None,
                   end: dt.date | str | None = None, *, holding_rate: float = 0.25,
                   **kwargs: Any) -> NetworkModel:
        """Build the network from the store's tables; see :func:`network_from_store`.

        ``kwargs`` go to the constructor (``allow_shortage``, ``shortage_penalty``...).
        """
        return network_from_store(store, start, end, holding_rate=holding_rate,
                                  model=cls(**kwargs))

    # ----------------------------------------------------------------- solving

    def solve(self, stop: StoppingCriterion | float | None = None, *, seed: int = 0,
              mip_gap: float = 1e-4) -> NetworkResult:
        """Minimise total cost with HiGHS; an LP unless opening decisions or whole units apply.

        Parameters
        ----------
        stop
            Stopping criterion (or seconds); its time limit is HiGHS's ``time_limit``.
        seed
            HiGHS ``random_seed``; the same seed and model give the same plan.
        mip_gap
            Relative gap at which a MILP counts as optimal.
        """
        t0 = time.perf_counter()
        lp = _build(self)
        return _solve(self, lp, time_limit_of(stop), seed, mip_gap, t0)


# --------------------------------------------------------------------------- the result


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


# --------------------------------------------------------------------------- the programme

CAPACITY_KINDS = ("supply", "supply_product", "plant", "plant_product", "dc", "lane", "open")


@dataclass
class _Row:
    """What one row of the programme means, in the planner's terms."""

    kind: str  # demand | balance | one of CAPACITY_KINDS
    node: str
    product: str | None = None
    lane: Lane | None = None
    limit: float | None = None
    y_col: int | None = None  # the opening binary scaling this capacity, if any


@dataclass
class _Lp:
    """The assembled programme plus what each column and row means."""

    col_kind: list[str] = field(default_factory=list)  # flow | make | short | open
    col_ref: list[Any] = field(default_factory=list)
    col_cost: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in COST_PARTS})
    col_upper: list[float] = field(default_factory=list)
    col_integer: list[bool] = field(default_factory=list)
    rows: list[_Row] = field(default_factory=list)
    row_lo: list[float] = field(default_factory=list)
    row_hi: list[float] = field(default_factory=list)
    entries: tuple[list[int], list[int], list[float]] = field(default_factory=lambda: ([], [], []))
    fixed_offset: float = 0.0

    def add_col(self, kind: str, ref: Any, upper: float = math.inf, integer: bool = False,
                **costs: float) -> int:
        self.col_kind.append(kind)
        self.col_ref.append(ref)
        for k in COST_PARTS:
            self.col_cost[k].append(costs.get(k, 0.0))
        self.col_upper.append(upper)
        self.col_integer.append(integer)
        return len(self.col_kind) - 1

    def add_row(self, row: _Row, coefs: Iterable[tuple[int, float]], lo: float, hi: float,
                keep_empty: bool = False) -> int | None:
        coefs = list(coefs)
        if not coefs and not keep_empty:
            return None
        r = len(self.rows)
        self.rows.append(row)
        self.row_lo.append(lo)
        self.row_hi.append(hi)
        ri, ci, vv = self.entries
        for c, v in coefs:
            ri.append(r)
            ci.append(c)
            vv.append(v)
        return r


def _lane_products(lane: Lane, everything: set[str]) -> set[str]:
    return everything if lane.products is None else set(lane.products)


def _reach(m: NetworkModel, nodes: dict[str, Node], lanes: list[Lane]
           ) -> tuple[dict[str, set[str]], dict[str, set[str]], dict[str, set[str]]]:
    """Products that can leave each node (forward) and that each node needs (backward).

    A variable for product ``p`` on lane ``u → v`` is only created when ``p`` can leave ``u``
    and is needed at ``v``: on a 5-product network most lane-product pairs are useless, and
    leaving them out keeps the programme (and any infeasibility report) small.
    """
    everything = set(m.products)
    inn: dict[str, set[str]] = {n: set() for n in nodes}
    out: dict[str, set[str]] = {n: set(nd.products) if nd.kind == "supplier" else set()
                                for n, nd in nodes.items()}
    for n, nd in nodes.items():
        if nd.kind == "plant":
            out[n] |= {o for o, ins in nd.recipe.items() if not ins}
    for _ in range(len(nodes) + 1):
        changed = False
        for ln in lanes:
            new = (out[ln.src] & _lane_products(ln, everything)) - inn[ln.dst]
            if new:
                changed = True
                inn[ln.dst] |= new
                nd = nodes[ln.dst]
                if nd.kind in ("plant", "dc"):
                    out[ln.dst] |= inn[ln.dst]
                    out[ln.dst] |= {o for o, ins in nd.recipe.items() if set(ins) <= inn[ln.dst]}
        if not changed:
            break
    need_in: dict[str, set[str]] = {n: {p for p, q in nd.demand.items() if q > 0}
                                    if nd.kind == "customer" else set() for n, nd in nodes.items()}
    need_out: dict[str, set[str]] = {n: set() for n in nodes}
    for _ in range(len(nodes) + 1):
        changed = False
        for ln in lanes:
            new = (need_in[ln.dst] & _lane_products(ln, everything)) - need_out[ln.src]
            if new:
                changed = True
                need_out[ln.src] |= new
                nd = nodes[ln.src]
                if nd.kind in ("plant", "dc"):
                    need_in[ln.src] |= need_out[ln.src]
                    for o in need_out[ln.src] & set(nd.recipe):
                        need_in[ln.src] |= set(nd.recipe[o])
        if not changed:
            break
    return inn, out, need_in


def _holding(m: NetworkModel, product: str) -> float:
    own = m._products.get(product)
    return m.holding_cost_per_day if own is None else own


def _build(m: NetworkModel) -> _Lp:
    """Assemble the programme; closed nodes and lanes touching them get no variables."""
    nodes = {n: nd for n, nd in m._nodes.items() if nd.open is not False}
    lanes = [ln for ln in m._lanes.values() if ln.src in nodes and ln.dst in nodes
             and (nodes[ln.dst].max_delivery_days is None
                  or ln.lead_time <= nodes[ln.dst].max_delivery_days + TOL)]
    inn, out, need = _reach(m, nodes, lanes)
    everything = set(m.products)
    lp = _Lp()
    ints = m.integer_flows
    ins: dict[str, list[int]] = {n: [] for n in nodes}
    outs: dict[str, list[int]] = {n: [] for n in nodes}
    by_np_in: dict[tuple[str, str], list[int]] = {}
    by_np_out: dict[tuple[str, str], list[int]] = {}
    for ln in lanes:
        src, dst = nodes[ln.src], nodes[ln.dst]
        cols = []
        for p in sorted(out[ln.src] & need[ln.dst] & _lane_products(ln, everything)):
            hold = _holding(m, p)
            costs = {"transport": ln.cost_of(p), "lead_time": hold * ln.lead_time}
            if src.kind == "supplier":
                costs["purchase"] = src.unit_cost.get(p, 0.0)
                costs["lead_time"] += hold * src.lead_time
            if dst.kind == "dc":
                costs["handling"] = dst.unit_cost.get("*", 0.0)
            c = lp.add_col("flow", (ln, p), integer=ints, **costs)
            cols.append(c)
            outs[ln.src].append(c)
            ins[ln.dst].append(c)
            by_np_out.setdefault((ln.src, p), []).append(c)
            by_np_in.setdefault((ln.dst, p), []).append(c)
        if ln.capacity is not None:
            lp.add_row(_Row("lane", ln.src, lane=ln, limit=ln.capacity),
                       ((c, 1.0) for c in cols), -math.inf, ln.capacity)
    make: dict[tuple[str, str], int] = {}
    for n, nd in nodes.items():
        if nd.kind != "plant":
            continue
        for o, rec in nd.recipe.items():
            if o in need[n] and set(rec) <= inn[n]:
                make[(n, o)] = lp.add_col("make", (n, o), integer=ints,
                                          production=nd.unit_cost.get(o, 0.0))
    _balance_rows(lp, nodes, by_np_in, by_np_out, make)
    _demand_rows(m, lp, nodes, by_np_in)
    _capacity_rows(m, lp, nodes, ins, outs, by_np_out, make)
    return lp


def _balance_rows(lp: _Lp, nodes: dict[str, Node], by_np_in: dict[tuple[str, str], list[int]],
                  by_np_out: dict[tuple[str, str], list[int]],
                  make: dict[tuple[str, str], int]) -> None:
    keys = {k for k in (*by_np_in, *by_np_out, *make) if nodes[k[0]].kind in ("plant", "dc")}
    for n, nd in nodes.items():
        for o, rec in nd.recipe.items():
            if (n, o) in make:
                keys |= {(n, q) for q in rec}
    for n, p in sorted(keys):
        coefs = [(c, 1.0) for c in by_np_in.get((n, p), [])]
        coefs += [(c, -1.0) for c in by_np_out.get((n, p), [])]
        if (n, p) in make:
            coefs.append((make[(n, p)], 1.0))
        coefs += [(make[(n, o)], -q) for o, rec in nodes[n].recipe.items()
                  for q_in, q in rec.items() if q_in == p and (n, o) in make]
        lp.add_row(_Row("balance", n, p), coefs, 0.0, 0.0)


def _demand_rows(m: NetworkModel, lp: _Lp, nodes: dict[str, Node],
                 by_np_in: dict[tuple[str, str], list[int]]) -> None:
    penalty = _penalties(m, lp, nodes, by_np_in) if m.allow_shortage else {}
    for n, nd in nodes.items():
        for p, qty in nd.demand.items():
            if qty <= 0:
                continue
            coefs = [(c, 1.0) for c in by_np_in.get((n, p), [])]
            if m.allow_shortage:
                coefs.append((lp.add_col("short", (n, p), upper=qty, shortage=penalty[p]), 1.0))
            lp.add_row(_Row("demand", n, p, limit=qty), coefs, qty, qty, keep_empty=True)


def _penalties(m: NetworkModel, lp: _Lp, nodes: dict[str, Node],
               by_np_in: dict[tuple[str, str], list[int]]) -> dict[str, float]:
    """Shortage cost per product: the model's, or 10 × the costliest way to serve one unit.

    The costliest route is a longest-path pass over the flow variables (recipes multiply the
    cost of their inputs); it stops after as many passes as there are nodes, which bounds it
    on networks with loops.
    """
    given = m.shortage_penalty
    if isinstance(given, (int, float)):
        return dict.fromkeys(m.products, float(given))
    given = dict(given or {})
    total = [sum(lp.col_cost[k][c] for k in COST_PARTS) for c in range(len(lp.col_kind))]
    val_out: dict[tuple[str, str], float] = {}
    val_in: dict[tuple[str, str], float] = {}
    for _ in range(len(nodes) + 1):
        changed = False
        for c, kind in enumerate(lp.col_kind):
            if kind != "flow":
                continue
            ln, p = lp.col_ref[c]
            v = val_out.get((ln.src, p), 0.0) + total[c]
            if v > val_in.get((ln.dst, p), -1.0) + TOL:
                val_in[(ln.dst, p)] = v
                changed = True
                nd = nodes[ln.dst]
                best = v
                for o, rec in nd.recipe.items():
                    if p in rec:
                        made = nd.unit_cost.get(o, 0.0) + sum(
                            q * val_in.get((ln.dst, i), 0.0) for i, q in rec.items())
                        val_out[(ln.dst, o)] = max(val_out.get((ln.dst, o), 0.0), made)
                val_out[(ln.dst, p)] = max(val_out.get((ln.dst, p), 0.0), best)
        if not changed:
            break
    worst: dict[str, float] = {}
    for (n, p), v in val_in.items():
        if nodes[n].kind == "customer":
            worst[p] = max(worst.get(p, 0.0), v)
    return {p: given.get(p, 10.0 * worst.get(p, 0.0) + 1.0) for p in m.products}


def _capacity_rows(m: NetworkModel, lp: _Lp, nodes: dict[str, Node], ins: dict[str, list[int]],
                   outs: dict[str, list[int]], by_np_out: dict[tuple[str, str], list[int]],
                   make: dict[tuple[str, str], int]) -> None:
    big_m = sum(q for nd in nodes.values() for q in nd.demand.values()) * max(
        [1.0] + [sum(r.values()) for nd in nodes.values() for r in nd.recipe.values()])
    for n, nd in nodes.items():
        if nd.kind == "supplier":
            for p, cap in nd.product_capacity.items():
                lp.add_row(_Row("supply_product", n, p, limit=cap),
                           ((c, 1.0) for c in by_np_out.get((n, p), [])), -math.inf, cap)
            if nd.capacity is not None:
                lp.add_row(_Row("supply", n, limit=nd.capacity), ((c, 1.0) for c in outs[n]),
                           -math.inf, nd.capacity)
            continue
        if nd.kind == "customer":
            continue
        made = [c for (pl, _o), c in make.items() if pl == n]
        volume = made if nd.recipe else ins[n]
        kind = "plant" if nd.kind == "plant" else "dc"
        y = None
        if nd.open is None:
            y = lp.add_col("open", n, upper=1.0, integer=True, fixed=nd.fixed_cost)
        elif nd.fixed_cost:
            lp.fixed_offset += nd.fixed_cost
        cap = nd.capacity if nd.capacity is not None else (big_m if y is not None else None)
        if cap is not None:
            coefs = [(c, 1.0) for c in volume] + ([(y, -cap)] if y is not None else [])
            row_kind = kind if nd.capacity is not None else "open"
            lp.add_row(_Row(row_kind, n, limit=cap, y_col=y), coefs, -math.inf,
                       0.0 if y is not None else cap)
        for p, pcap in nd.product_capacity.items():
            if (n, p) in make:
                lp.add_row(_Row("plant_product", n, p, limit=pcap), [(make[(n, p)], 1.0)],
                           -math.inf, pcap)


def _to_highs(lp: _Lp, relax: bool = False) -> Any:
    import highspy
    from scipy.sparse import csc_matrix

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n, r = len(lp.col_kind), len(lp.rows)
    model = highspy.HighsLp()
    model.num_col_, model.num_row_ = n, r
    model.col_cost_ = np.sum([np.asarray(lp.col_cost[k], dtype=float) for k in COST_PARTS],
                             axis=0) if n else np.zeros(0)
    model.col_lower_ = np.zeros(n)
    model.col_upper_ = np.where(np.isinf(lp.col_upper), highspy.kHighsInf, lp.col_upper)
    model.row_lower_ = np.where(np.isinf(lp.row_lo), -highspy.kHighsInf, lp.row_lo)
    model.row_upper_ = np.where(np.isinf(lp.row_hi), highspy.kHighsInf, lp.row_hi)
    model.offset_ = lp.fixed_offset
    ri, ci, vv = lp.entries
    a = csc_matrix((vv, (ri, ci)), shape=(r, n))
    a.sum_duplicates()
    model.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    model.a_matrix_.num_col_, model.a_matrix_.num_row_ = n, r
    model.a_matrix_.start_ = a.indptr.astype(np.int32)
    model.a_matrix_.index_ = a.indices.astype(np.int32)
    model.a_matrix_.value_ = a.data.astype(float)
    if any(lp.col_integer) and not relax:
        model.integrality_ = [highspy.HighsVarType.kInteger if i else
                              highspy.HighsVarType.kContinuous for i in lp.col_integer]
    h.passModel(model)
    return h


# --------------------------------------------------------------------------- solving


def _solve(m: NetworkModel, lp: _Lp, time_limit: float, seed: int, mip_gap: float,
           t0: float) -> NetworkResult:
    import highspy

    h = _to_highs(lp)
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("random_seed", int(seed))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    is_mip = any(lp.col_integer)
    h.run()
    ms = h.getModelStatus()
    if ms == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")
        h.run()
        ms = h.getModelStatus()
    info = h.getInfo()
    size = {"variables": len(lp.col_kind), "constraints": len(lp.rows),
            "nonzeros": len(lp.entries[0]), "binaries": sum(k == "open" for k in lp.col_kind)}
    res = NetworkResult(status=SolveStatus.NONE, name=m.name, seed=seed, size=size,
                        solver=f"HiGHS {h.version()} ({'MILP' if is_mip else 'LP'})")
    if ms == highspy.HighsModelStatus.kInfeasible:
        res.status = SolveStatus.INFEASIBLE
        _explain(m, lp, res, time_limit)
    elif ms == highspy.HighsModelStatus.kOptimal or info.primal_solution_status == 2:
        res.status = SolveStatus.OPTIMAL if ms == highspy.HighsModelStatus.kOptimal \
            else SolveStatus.FEASIBLE
        _read_plan(m, lp, h, res, is_mip)
    else:
        res.reasons.append(f"HiGHS stopped without a plan: {h.modelStatusToString(ms)}.")
    res.runtime = time.perf_counter() - t0
    logger.debug("network %s solved: %s in %.3f s", m.name, res.status.value, res.runtime)
    return res


def _read_plan(m: NetworkModel, lp: _Lp, h: Any, res: NetworkResult, is_mip: bool) -> None:
    """Fill flows, costs, service and binding capacities from HiGHS's solution."""
    x = np.asarray(h.getSolution().col_value, dtype=float)
    info = h.getInfo()
    if is_mip:
        res.bound = float(info.mip_dual_bound)
        duals, acts = _fixed_duals(lp, x)
    else:
        sol = h.getSolution()
        duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
        acts = np.asarray(sol.row_value, dtype=float)
    res.cost_breakdown = {k: float(np.dot(np.asarray(lp.col_cost[k], dtype=float), x))
                          for k in COST_PARTS}
    res.cost_breakdown["fixed"] += lp.fixed_offset
    res.objective = float(sum(res.cost_breakdown.values()))
    if not is_mip:
        res.bound = res.objective
    flows, made, short = [], [], {}
    for c, kind in enumerate(lp.col_kind):
        v = float(x[c])
        if kind == "open":
            res.opened[lp.col_ref[c]] = v > 0.5
        elif v <= TOL:
            continue
        elif kind == "flow":
            ln, p = lp.col_ref[c]
            unit = sum(lp.col_cost[k][c] for k in COST_PARTS)
            flows.append((ln.src, ln.dst, ln.mode, p, v, unit, unit * v))
        elif kind == "make":
            made.append((*lp.col_ref[c], v))
        else:
            short[lp.col_ref[c]] = v
    for n, nd in m._nodes.items():
        if nd.open is False:
            res.opened[n] = False
    res.flows = pd.DataFrame(flows, columns=FLOW_COLUMNS).sort_values(
        ["src", "dst", "mode", "product"], ignore_index=True)
    res.production = pd.DataFrame(made, columns=["plant", "product", "qty"])
    serv = [(r.node, r.product, r.limit, r.limit - short.get((r.node, r.product), 0.0),
             short.get((r.node, r.product), 0.0)) for r in lp.rows if r.kind == "demand"]
    res.service_table = pd.DataFrame(serv, columns=["customer", "product", "demand", "delivered",
                                                    "short"])
    _binding(lp, x, acts, duals, res)


def _fixed_duals(lp: _Lp, x: np.ndarray) -> tuple[np.ndarray | None, np.ndarray]:
    """Duals of a MILP plan: re-solve the LP with every integer variable fixed at its value.

    Shadow prices only exist for an LP; fixing the opening decisions at the optimum (and
    letting whole-unit flows be fractional) gives the usual reading "what one more unit of
    capacity saves, with the same plants and DCs open".
    """
    h = _to_highs(lp, relax=True)
    idx = np.flatnonzero(np.asarray(lp.col_kind) == "open").astype(np.int32)
    vals = np.round(x[idx])
    h.changeColsBounds(len(idx), idx, vals, vals)
    h.run()
    sol = h.getSolution()
    acts = np.asarray(sol.row_value, dtype=float)
    return (np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None), acts


def _binding(lp: _Lp, x: np.ndarray, acts: np.ndarray, duals: np.ndarray | None,
             res: NetworkResult) -> None:
    out = []
    for i, r in enumerate(lp.rows):
        if r.kind not in CAPACITY_KINDS or r.limit is None:
            continue
        used = float(acts[i])
        limit = float(r.limit)
        if r.y_col is not None:
            if x[r.y_col] < 0.5:
                continue
            used += limit * float(x[r.y_col])
        if used < limit - TOL * max(1.0, abs(limit)):
            continue
        en, _zh = _words(r)
        sp = float(duals[i]) + 0.0 if duals is not None else math.nan  # no -0.0
        out.append((en, r.kind, r.node, r.product, limit, used, sp))
        saves = "" if math.isnan(sp) else f"; one more unit would save {_fmt(max(-sp, 0.0))}"
        res.binding.append(f"{en} is fully used{saves}")
    res.binding_table = pd.DataFrame(out, columns=["constraint", "kind", "node", "product",
                                                   "limit", "used", "shadow_price"])


# --------------------------------------------------------------------------- infeasibility


def _fmt(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.2f}"


def _words(r: _Row) -> tuple[str, str]:
    """One row in the planner's words, English and Chinese."""
    lim = _fmt(r.limit)
    if r.kind == "demand":
        return (f"demand at {r.node} ({lim} units of {r.product})",
                f"{r.node} 的 {r.product} 需求（{lim} 单位）")
    if r.kind == "balance":
        return f"flow balance of {r.product} at {r.node}", f"{r.node} 处 {r.product} 的流量守恒"
    if r.kind == "lane" and r.lane is not None:
        return (f"capacity of lane {r.lane.src}→{r.lane.dst} by {r.lane.mode} ({lim} units)",
                f"线路 {r.lane.src}→{r.lane.dst}（{r.lane.mode}）的运力（{lim} 单位）")
    if r.kind in ("supply", "supply_product"):
        of = f" for {r.product}" if r.product else ""
        zof = f" {r.product} " if r.product else ""
        return (f"capacity of supplier {r.node}{of} ({lim} units)",
                f"供应商 {r.node} 的{zof}产能（{lim} 单位）")
    if r.kind in ("plant", "plant_product"):
        of = f" for {r.product}" if r.product else ""
        return f"capacity of plant {r.node}{of} ({lim} units)", f"工厂 {r.node} 的产能（{lim} 单位）"
    if r.kind == "open":  # a node without capacity whose opening is decided: big-M row
        return (f"throughput of {r.node} when open (at most {lim} units)",
                f"{r.node} 开启后的通过量（最多 {lim} 单位）")
    return f"capacity of DC {r.node} ({lim} units)", f"配送中心 {r.node} 的容量（{lim} 单位）"


def _explain(m: NetworkModel, lp: _Lp, res: NetworkResult, time_limit: float) -> None:
    """Find an irreducible infeasible subset with HiGHS and say it in domain words.

    The IIS is computed on the LP (binaries relaxed): opening a plant or DC only adds
    capacity, so the MILP is infeasible exactly when its relaxation is. HiGHS's deletion
    filter proves the set irreducible but solves many LPs (about a minute on 2,600 rows);
    above ``IIS_IRREDUCIBLE_MAX_ROWS`` rows the set comes from one LP (seconds), still a set
    that cannot hold together, but maybe not minimal; ``extra["conflicts_irreducible"]``
    says which.
    """
    import highspy

    h = _to_highs(lp, relax=True)
    h.setOptionValue("time_limit", float(time_limit))
    exact = len(lp.rows) <= IIS_IRREDUCIBLE_MAX_ROWS
    strategy = highspy.IisStrategy.kIisStrategyIrreducible if exact else \
        highspy.IisStrategy.kIisStrategyFromLp
    h.setOptionValue("iis_strategy", int(strategy))
    res.extra["conflicts_irreducible"] = exact
    h.run()
    status, iis = h.getIis()
    rows = [lp.rows[i] for i in (iis.row_index_ if iis.valid_ else [])]
    if status != highspy.HighsStatus.kOk or not rows:
        res.reasons.append("HiGHS proved the plan infeasible but found no conflict set.")
        return
    res.conflict_table = pd.DataFrame(
        [(_words(r)[0], r.kind, r.node, r.product, r.limit) for r in rows],
        columns=["constraint", "kind", "node", "product", "limit"])
    res.conflicts = [_words(r)[0] for r in rows]
    en, zh = _conflict_sentence(m, rows)
    res.reasons.append(en)
    res.extra["reasons_zh"] = [zh]


def _conflict_sentence(m: NetworkModel, rows: list[_Row]) -> tuple[str, str]:
    demands = [r for r in rows if r.kind == "demand"]
    limits = [r for r in rows if r.kind in CAPACITY_KINDS]
    at: dict[str, list[_Row]] = {}
    for r in demands:
        at.setdefault(r.node, []).append(r)
    if len(at) <= 3:
        d_en = ", ".join(f"{n} (" + ", ".join(f"{_fmt(r.limit)} units of {r.product}"
                                              for r in rs) + ")" for n, rs in at.items())
        d_zh = "、".join(f"{n}（" + "、".join(f"{r.product} {_fmt(r.limit)} 单位" for r in rs)
                         + "）" for n, rs in at.items())
    else:  # a long list hides the point: count, name a few, give the total
        few, total = ", ".join(list(at)[:3]), _fmt(sum(r.limit or 0.0 for r in demands))
        d_en = f"{len(at)} customers ({few}, ...; {total} units in all)"
        d_zh = f"{len(at)} 个客户（{few} 等，共 {total} 单位）"
    l_en = ", ".join(_words(r)[0].removeprefix("capacity of ") for r in limits)
    l_zh = "、".join(_words(r)[1] for r in limits)
    if demands and limits:
        tot_d = sum(r.limit or 0.0 for r in demands)
        tot_c = sum(r.limit or 0.0 for r in limits)
        if tot_d > tot_c + TOL and len(limits) == 1:
            en = f"Demand at {d_en} exceeds the capacity of {l_en}"
            zh = f"{d_zh}的需求超过了{l_zh}"
        elif tot_d > tot_c + TOL:
            en = f"Demand at {d_en} exceeds the total capacity ({_fmt(tot_c)} units) of {l_en}"
            zh = f"{d_zh}的需求超过了{l_zh}的总能力（共 {_fmt(tot_c)} 单位）"
        else:
            en = f"Demand at {d_en} cannot be met within the capacity of {l_en}"
            zh = f"在{l_zh}的能力范围内无法满足{d_zh}的需求"
    elif demands:
        en = f"Demand at {d_en} cannot be reached: no open lane brings it there"
        zh = f"{d_zh}的需求无法送达：没有可用的线路"
    else:
        en = "These constraints cannot hold together: " + "; ".join(_words(r)[0] for r in rows)
        zh = "以下约束无法同时满足：" + "；".join(_words(r)[1] for r in rows)
    named = {r.node for r in rows} | {r.lane.dst for r in rows if r.lane is not None}
    near = named | {ln.src for ln in m._lanes.values() if ln.dst in named} | \
        {ln.dst for ln in m._lanes.values() if ln.src in named}
    after = [(e, z) for e, z, nodes in m.changes if nodes & near]
    if after:
        more = f" and {len(after) - 3} more edits" if len(after) > 3 else ""
        zmore = f"等 {len(after)} 项修改" if len(after) > 3 else ""
        en += ", after " + " and ".join(e for e, _ in after[:3]) + more
        zh += "（" + "、".join(z for _, z in after[:3]) + zmore + "之后）"
    return en + ".", zh + "。"


# --------------------------------------------------------------------------- from the store


def _read(store: Any, sql: str, **params: Any) -> pd.DataFrame:
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return pd.read_sql(text(sql), conn, params=params)


def _explode(item: str, qty: float, bom: dict[str, list[tuple[str, float]]], bought: set[str],
             leaves: dict[str, float], depth: int = 0) -> None:
    """Add the purchased parts of ``qty`` units of ``item`` to ``leaves`` (scrap included)."""
    for child, per in bom.get(item, []):
        if child in bought or child not in bom or depth > 20:
            leaves[child] = leaves.get(child, 0.0) + qty * per
        else:
            _explode(child, qty * per, bom, bought, leaves, depth + 1)


def network_from_store(store: Any, start: dt.date | str | None = None,
                       end: dt.date | str | None = None, *, holding_rate: float = 0.25,
                       model: NetworkModel | None = None) -> NetworkModel:
    """A network from the foundation's tables, for demand summed over ``[start, end]``.

    What becomes what:

    * **customers**: stores and customers with demand in the period (``qty_clean`` where
      cleaning set it, else ``qty``); demand recorded at a DC (spare parts) becomes a customer
      ``<DC>/local`` fed by a free lane from that DC;
    * **suppliers**: each supplier, named by its code, selling its ``supplier_items`` at their
      unit price, with ``capacity_per_week`` scaled to the period and its lead time; lanes from
      its site (``location_code``) start at the supplier;
    * **plants**: each plant can make every finished good whose bill of materials is in the
      store, from the purchased parts it explodes to (``qty_per / (1 - scrap_rate)`` per level);
      its capacity, in finished units, is the daily capacity of its production lines
      (resources of kind ``line``) over the period: a coarse aggregate, the scheduler sees the
      lines one by one. Products without a BOM (spare parts) pass through plants;
    * **DCs**: pass-through, no capacity (the store has none);
    * **lanes**: cost per unit, lead time, ``capacity_per_day`` over the period; a lane's
      fixed cost per shipment is left out (it is a shipment-size question, not a flow one);
    * **holding cost** per unit-day: the item's unit cost × ``holding_rate`` / 365, which
      prices lead times.

    ``start``/``end`` default to the last 28 days with demand.
    """
    m = model if model is not None else NetworkModel()
    _number(holding_rate, "holding_rate", "from_store")
    if end is None:
        last = _read(store, "SELECT MAX(date) AS d FROM demand")["d"].iloc[0]
        if last is None:
            raise InputError("The store has no demand to plan for: import demand first.",
                             where="demand")
        end = pd.Timestamp(last).date()
    end = pd.Timestamp(end).date()
    start = pd.Timestamp(start).date() if start is not None else end - dt.timedelta(days=27)
    if start > end:
        raise InputError(f"The 'start' parameter of from_store must be on or before 'end' "
                         f"({end}). Got {start} instead.", where="start")
    days = (end - start).days + 1
    demand = _read(store, "SELECT item_code, location_code, SUM(COALESCE(qty_clean, qty)) AS qty "
                   "FROM demand WHERE date >= :a AND date <= :b "
                   "GROUP BY item_code, location_code", a=start, b=end)
    demand = demand[demand["qty"] > 0]
    locs = _read(store, "SELECT code, kind FROM location").set_index("code")["kind"]
    items = _read(store, "SELECT code, unit_cost FROM item").set_index("code")["unit_cost"]
    sups = _read(store, "SELECT code, location_code, lead_time_days, capacity_per_week "
                        "FROM supplier")
    offers = _read(store, "SELECT supplier_code, item_code, unit_price FROM supplier_item")
    bom_rows = _read(store, "SELECT parent_code, child_code, qty_per, scrap_rate FROM bom_line")
    lanes = _read(store, "SELECT * FROM lane")
    res = _read(store, "SELECT plant_code, kind, capacity_per_hour, hours_per_day FROM resource")
    for code, cost in items.items():
        m.add_product(code, holding_cost_per_day=float(cost) * holding_rate / 365.0)
    bought = set(offers["item_code"])
    bom: dict[str, list[tuple[str, float]]] = {}
    for r in bom_rows.itertuples():
        bom.setdefault(r.parent_code, []).append(
            (r.child_code, float(r.qty_per) / (1.0 - float(r.scrap_rate or 0.0))))
    recipes = {}
    for item in sorted(set(demand["item_code"]) & set(bom)):
        leaves: dict[str, float] = {}
        _explode(item, 1.0, bom, bought, leaves)
        recipes[item] = leaves
    site_of: dict[str, list[str]] = {}
    for s in sups.itertuples():
        sold = offers[offers["supplier_code"] == s.code]
        if sold.empty:
            continue
        cap = None if pd.isna(s.capacity_per_week) else float(s.capacity_per_week) * days / 7.0
        m.add_supplier(s.code, cap, products=list(sold["item_code"]),
                       unit_cost=dict(zip(sold["item_code"], sold["unit_price"].astype(float),
                                          strict=True)),
                       lead_time=float(s.lead_time_days))
        site_of.setdefault(s.location_code or s.code, []).append(s.code)
    lines = res[res["kind"] == "line"]
    daily = (lines["capacity_per_hour"] * lines["hours_per_day"]).groupby(lines["plant_code"]).sum()
    for code, kind in locs.items():
        if kind == "plant":
            cap = float(daily[code]) * days if code in daily.index else None
            m.add_plant(code, cap, recipe=recipes)
        elif kind == "dc":
            m.add_dc(code)
    wanted = {loc: dict(zip(g["item_code"], g["qty"].astype(float), strict=True))
              for loc, g in demand.groupby("location_code")}
    for loc, dem in wanted.items():
        kind = locs.get(loc)
        if kind in ("store", "customer"):
            m.add_customer(loc, dem)
        elif kind == "dc":
            m.add_customer(f"{loc}/local", dem)
            m.add_lane(loc, f"{loc}/local", mode="local")
    for ln in lanes.itertuples():
        for src in site_of.get(ln.origin_code, [ln.origin_code]):
            if src in m._nodes and ln.destination_code in m._nodes:
                cap = None if pd.isna(ln.capacity_per_day) else float(ln.capacity_per_day) * days
                m.add_lane(src, ln.destination_code, cost=float(ln.cost_per_unit), capacity=cap,
                           lead_time=float(ln.lead_time_days), mode=ln.mode)
    logger.debug("network from store: %r over %s..%s", m, start, end)
    return m
