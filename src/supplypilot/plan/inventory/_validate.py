"""Parameter checks shared by every inventory function.

Every check raises :class:`~supplypilot.errors.InputError` *before* any solving starts, with the
project's one message shape ("The 'x' parameter of f must be a float in [0, inf). Got -1 instead."),
so that the CLI, the REST API and the language layer can show the same sentence.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import Any

import numpy as np

from supplypilot.errors import InputError


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    left = "(" if low is None or low_open else "["
    right = ")" if high is None or high_open else "]"
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    return f"{left}{lo}, {hi}{right}"


def check_number(
    value: Any,
    name: str,
    func: str,
    *,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
    integer: bool = False,
) -> float:
    """Return ``value`` as a float (or int) after checking it lies in the stated interval.

    Booleans, strings, NaN and infinities are refused: a cost of ``True`` or ``nan`` is always a
    mistake upstream, and letting it through would give a silent nonsense policy.
    """
    kind = "an int" if integer else "a float"
    msg = (f"The {name!r} parameter of {func} must be {kind} in "
           f"{_interval(low, high, low_open, high_open)}. Got {value!r} instead.")
    if isinstance(value, bool) or not isinstance(value, Real | np.integer | np.floating):
        raise InputError(msg, where=name)
    number = float(value)
    if not math.isfinite(number):
        raise InputError(msg, where=name)
    if integer and number != int(number):
        raise InputError(msg, where=name)
    if low is not None and (number < low or (low_open and number == low)):
        raise InputError(msg, where=name)
    if high is not None and (number > high or (high_open and number == high)):
        raise InputError(msg, where=name)
    return int(number) if integer else number


def nonneg(value: Any, name: str, func: str) -> float:
    """A cost, rate or time that may be zero but never negative."""
    return check_number(value, name, func, low=0.0)


def positive(value: Any, name: str, func: str) -> float:
    """A quantity that must be strictly positive (a demand rate, a holding cost in a ratio)."""
    return check_number(value, name, func, low=0.0, low_open=True)


def probability(value: Any, name: str, func: str) -> float:
    """A service level or fill rate: strictly between 0 and 1, because 1 needs infinite stock."""
    return check_number(value, name, func, low=0.0, high=1.0, low_open=True, high_open=True)


def check_sequence(
    values: Any, name: str, func: str, *, length: int | None = None, low: float | None = 0.0,
    low_open: bool = False, min_length: int = 1,
) -> list[float]:
    """Check every element of a list of numbers (per-period costs, per-stage lead times)."""
    if isinstance(values, str | bytes) or not isinstance(values, Sequence | np.ndarray):
        raise InputError(f"The {name!r} parameter of {func} must be a list of numbers. "
                         f"Got {values!r} instead.", where=name)
    items = list(values)
    if len(items) < min_length or (length is not None and len(items) != length):
        want = f"{length}" if length is not None else f"at least {min_length}"
        raise InputError(f"The {name!r} parameter of {func} must have {want} elements. "
                         f"Got {len(items)} instead.", where=name)
    return [check_number(v, f"{name}[{i}]", func, low=low, low_open=low_open)
            for i, v in enumerate(items)]


def one_of(value: Any, name: str, func: str, options: Sequence[str]) -> str:
    """A string option from a fixed set."""
    if value not in options:
        opts = ", ".join(repr(o) for o in options)
        raise InputError(f"The {name!r} parameter of {func} must be a str among {{{opts}}}. "
                         f"Got {value!r} instead.", where=name)
    return str(value)


def exactly_one(func: str, **named: Any) -> str:
    """Exactly one of several alternative targets (stockout cost, service level, fill rate)."""
    given = [k for k, v in named.items() if v is not None]
    if len(given) != 1:
        names = ", ".join(repr(k) for k in named)
        got = ", ".join(repr(k) for k in given) or "none"
        raise InputError(f"{func} needs exactly one of {names}. Got {got} instead.",
                         where=given[0] if given else next(iter(named)))
    return given[0]
