"""The exception hierarchy.

Every error a user can cause is an :class:`InputError` that says *what* is wrong and *where*
(file, row, column, or parameter), so the CLI, the REST API and the language layer can each
render it in their own form without parsing the message.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any


class SupplyPilotError(Exception):
    """Base class of every error raised on purpose by SupplyPilot."""


class InputError(SupplyPilotError, ValueError):
    """Bad input from a user: a file, a row, a parameter.

    Parameters
    ----------
    message
        One sentence naming what is wrong and the value received.
    where
        The place: a file path, ``file:row:column``, or a parameter name.
    """

    def __init__(self, message: str, where: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class UnknownEntityError(SupplyPilotError, LookupError):
    """A code (item, supplier, location, ...) that is not in the store."""

    def __init__(self, kind: str, code: str, hint: str | None = None) -> None:
        self.kind = kind
        self.code = code
        msg = f"Unknown {kind} {code!r}."
        if hint:
            msg += f" {hint}"
        super().__init__(msg)


class NotFittedError(SupplyPilotError, ValueError, AttributeError):
    """A model was asked to predict before ``fit``."""


class InfeasibleError(SupplyPilotError):
    """A planning problem has no feasible solution."""


class ModelBehaviorError(SupplyPilotError):
    """A language model called a missing tool or sent arguments that do not validate."""


class StoreError(SupplyPilotError):
    """The store cannot be reached or is not at the expected schema version."""


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file: where it is and why it was refused."""

    file: str
    row: int | None
    column: str | None
    value: Any
    reason: str

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        if d["value"] is not None and not isinstance(d["value"], (int, float, str, bool)):
            d["value"] = str(d["value"])
        return d

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column {self.column!r}"
        return f"{where}: {self.reason}, got {self.value!r}."


class ValidationFailed(InputError):
    """An import was refused. Carries every :class:`Problem` found; nothing was written."""

    def __init__(self, problems: Sequence[Problem], source: str) -> None:
        self.problems = list(problems)
        self.report: Any = None  # the full ImportReport, set by the importer
        n = len(self.problems)
        first = str(self.problems[0]) if self.problems else ""
        more = f" (and {n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        super().__init__(f"import refused, nothing was written: {first}{more}", where=source)
