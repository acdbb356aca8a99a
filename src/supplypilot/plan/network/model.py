"""The network's plain data and its builder: nodes, lanes, and :class:`NetworkModel`.

Kept apart from the programme (``_lp``) and the solver (``_solve``) so that building and
editing a network (scenarios do) needs neither HiGHS nor the row bookkeeping.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import difflib
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from supplypilot import config
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.network.result import NetworkResult
from supplypilot.plan.stop import StoppingCriterion, time_limit_of

NodeKind = Literal["supplier", "plant", "dc", "customer"]
KIND_WORDS = {"supplier": ("supplier", "供应商"), "plant": ("plant", "工厂"),
              "dc": ("DC", "配送中心"), "customer": ("customer", "客户")}
TOL = 1e-6

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
        from supplypilot.plan.network.store import network_from_store

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
        from supplypilot.plan.network._lp import _build
        from supplypilot.plan.network._solve import _solve

        t0 = time.perf_counter()
        lp = _build(self)
        return _solve(self, lp, time_limit_of(stop), seed, mip_gap, t0)
