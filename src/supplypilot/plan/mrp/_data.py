"""The plain records an :class:`~supplypilot.plan.mrp.MrpModel` is made of, and their checks.

Records are frozen so that a solved model's inputs cannot drift under its result; the builder
validates every value once, when it is added, so that a mistake is reported at the call that
made it rather than deep inside the solve.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.lotsizing import LotSizingRule

MakeOrBuy = Literal["make", "buy"]


@dataclass(frozen=True)
class Item:
    """A part, assembly or product that MRP plans.

    ``make_or_buy=None`` means "decide from the data": an item with BOM children or resource
    usage is made, any other item is bought. ``allocated`` stock is on hand but promised to
    orders outside this model, so it is not available to the demands here.
    """

    code: str
    lead_time: int
    on_hand: float = 0.0
    allocated: float = 0.0
    safety_stock: float = 0.0
    lot_sizing: LotSizingRule | None = None
    unit_cost: float = 0.0
    setup_cost: float = 0.0
    holding_cost: float = 0.0
    make_or_buy: MakeOrBuy | None = None

    @property
    def available(self) -> float:
        """Stock free for this plan at the start of period 1 (may be negative)."""
        return self.on_hand - self.allocated


@dataclass(frozen=True)
class BomLine:
    """``qty`` of ``child`` go into one ``parent``; ``scrap`` is the fraction of the child lost.

    The child's requirement is ``qty / (1 - scrap)`` per parent, so a 10 % scrap on 2 per unit
    asks for 2.222... units.
    """

    parent: str
    child: str
    qty: float
    scrap: float = 0.0

    @property
    def gross_qty(self) -> float:
        """Child units to release per parent unit, scrap included."""
        return self.qty / (1.0 - self.scrap)


@dataclass(frozen=True)
class Demand:
    """Independent demand (a sales order or forecast) for ``item`` due in ``period``.

    ``ref`` is what pegging reports: every planned order names the refs it serves.
    """

    item: str
    period: int
    qty: float
    ref: str


@dataclass(frozen=True)
class ScheduledReceipt:
    """An open order (purchase or work order) arriving in ``period``; MRP counts it as supply."""

    item: str
    period: int
    qty: float
    ref: str


@dataclass(frozen=True)
class Resource:
    """A machine, line or crew with ``capacity`` time units in each period (1-based)."""

    name: str
    capacity: tuple[float, ...] | float

    def capacity_in(self, period: int) -> float:
        """Capacity of 1-based ``period``."""
        if isinstance(self.capacity, tuple):
            return self.capacity[period - 1]
        return float(self.capacity)


@dataclass(frozen=True)
class Usage:
    """One unit of ``item`` takes ``per_unit`` on ``resource``, plus ``setup_time`` per order.

    The load falls in the order's release period: the period in which work starts.
    """

    item: str
    resource: str
    per_unit: float
    setup_time: float = 0.0


# --------------------------------------------------------------------------- checks


def number(value: Any, name: str, method: str, minimum: float = 0.0, strict: bool = False) -> float:
    """``value`` as a float, or the standard InputError naming parameter and method."""
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok:
        ok = value > minimum if strict else value >= minimum
    if not ok:
        sign = ">" if strict else ">="
        raise InputError(f"The '{name}' parameter of {method} must be a number {sign} {minimum:g}. "
                         f"Got {value!r} instead.", where=name)
    return float(value)


def integer(value: Any, name: str, method: str, minimum: int = 0) -> int:
    """``value`` as an int (bools refused), or the standard InputError."""
    if not (isinstance(value, int) and not isinstance(value, bool) and value >= minimum):
        raise InputError(f"The '{name}' parameter of {method} must be an int >= {minimum}. "
                         f"Got {value!r} instead.", where=name)
    return int(value)


def text(value: Any, name: str, method: str) -> str:
    """A non-empty string code (item, resource, reference)."""
    if not (isinstance(value, str) and value.strip()):
        raise InputError(f"The '{name}' parameter of {method} must be a non-empty str. "
                         f"Got {value!r} instead.", where=name)
    return value


def unknown(kind: str, value: str, method: str, fix: str) -> UnknownEntityError:
    """"Unknown item 'X-99' in add_bom_line: add it with add_item first." as the error."""
    err = UnknownEntityError(kind, value)
    err.args = (f"Unknown {kind} {value!r} in {method}: {fix}.",)  # the place and the fix
    return err


def find_cycle(children: dict[str, list[str]]) -> list[str] | None:
    """One BOM cycle as ``[a, b, ..., a]``, or None; iterative DFS so deep BOMs do not recurse."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for root in children:
        if state.get(root):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, k = stack.pop()
            if k == 0:
                state[node] = 1
                path.append(node)
            kids = children.get(node, [])
            if k < len(kids):
                stack.append((node, k + 1))
                nxt = kids[k]
                if state.get(nxt) == 1:
                    return path[path.index(nxt):] + [nxt]
                if not state.get(nxt):
                    stack.append((nxt, 0))
            else:
                state[node] = 2
                path.pop()
    return None


def low_level_codes(items: list[str], children: dict[str, list[str]]) -> dict[str, int]:
    """The deepest level at which each item appears (0 = end item), so that an item is netted
    only after every parent that can add to its gross requirements has been planned."""
    parents: dict[str, int] = {i: 0 for i in items}
    for kids in children.values():
        for c in kids:
            parents[c] += 1
    level = {i: 0 for i in items}
    ready = [i for i in items if parents[i] == 0]
    while ready:  # Kahn's topological order; cycles were refused before
        node = ready.pop()
        for c in children.get(node, []):
            level[c] = max(level[c], level[node] + 1)
            parents[c] -= 1
            if parents[c] == 0:
                ready.append(c)
    return level
