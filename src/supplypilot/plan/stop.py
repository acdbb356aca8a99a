"""Stopping criteria: small callables every planning engine understands.

As in PyVRP (``pyvrp/stop``), a criterion is called with the best objective found so far and
returns True when the search should stop. Each engine adapter also reads ``time_limit()`` so
that exact solvers (HiGHS, CP-SAT) get a hard limit instead of being polled.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from supplypilot.errors import InputError


@runtime_checkable
class StoppingCriterion(Protocol):
    def __call__(self, best_cost: float) -> bool: ...

    def time_limit(self) -> float | None:
        """Seconds this criterion allows at most, or None if it does not bound time."""


@dataclass
class MaxRuntime:
    """Stop after ``seconds`` of wall-clock time (measured from the first call)."""

    seconds: float
    _start: float | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.seconds > 0:
            raise InputError(f"The 'seconds' parameter of MaxRuntime must be > 0. Got {self.seconds!r} instead.",
                             where="seconds")

    def __call__(self, best_cost: float) -> bool:
        if self._start is None:
            self._start = time.perf_counter()
        return time.perf_counter() - self._start >= self.seconds

    def time_limit(self) -> float | None:
        return float(self.seconds)


@dataclass
class MaxIterations:
    """Stop after ``iterations`` calls."""

    iterations: int
    _count: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise InputError(f"The 'iterations' parameter of MaxIterations must be >= 1. "
                             f"Got {self.iterations!r} instead.", where="iterations")

    def __call__(self, best_cost: float) -> bool:
        self._count += 1
        return self._count > self.iterations

    def time_limit(self) -> float | None:
        return None


@dataclass
class NoImprovement:
    """Stop after ``iterations`` consecutive calls without a better objective."""

    iterations: int
    _best: float = field(default=float("inf"), init=False, repr=False)
    _since: int = field(default=0, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.iterations < 1:
            raise InputError(f"The 'iterations' parameter of NoImprovement must be >= 1. "
                             f"Got {self.iterations!r} instead.", where="iterations")

    def __call__(self, best_cost: float) -> bool:
        if best_cost < self._best:
            self._best, self._since = best_cost, 0
        else:
            self._since += 1
        return self._since >= self.iterations

    def time_limit(self) -> float | None:
        return None


class MultipleCriteria:
    """Stop as soon as any of the given criteria says so."""

    def __init__(self, criteria: list[StoppingCriterion]) -> None:
        if not criteria:
            raise InputError("MultipleCriteria needs at least one criterion. Got [] instead.", where="criteria")
        self.criteria = list(criteria)

    def __call__(self, best_cost: float) -> bool:
        return any([c(best_cost) for c in self.criteria])

    def time_limit(self) -> float | None:
        limits = [t for c in self.criteria if (t := c.time_limit()) is not None]
        return min(limits) if limits else None

    def __repr__(self) -> str:
        return f"MultipleCriteria({self.criteria!r})"


def time_limit_of(stop: StoppingCriterion | float | None, default: float = 60.0) -> float:
    """The hard time limit an exact solver should get for ``stop`` (seconds)."""
    if stop is None:
        return default
    if isinstance(stop, (int, float)):
        return float(MaxRuntime(float(stop)).seconds)
    limit = stop.time_limit()
    return default if limit is None else limit
