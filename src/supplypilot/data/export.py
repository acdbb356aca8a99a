"""Export stored rows to CSV or Excel so that a spreadsheet never runs a cell as a formula.

Text that starts with ``= + - @`` (or a tab / carriage return) is stored literally but is
prefixed with a single quote on export (OWASP's CSV-injection advice), so ``=cmd|' /C calc'!A0``
reaches the planner as text.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sqlalchemy import select

from supplypilot.data.model import ENTITY_MODELS
from supplypilot.data.store import Store
from supplypilot.errors import InputError

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A copy with formula-like text prefixed by ``'``; numbers are left alone."""
    out = frame.copy()
    count = 0
    for col in out.columns:
        if out[col].dtype == object:
            s = out[col]
            mask = s.map(lambda v: isinstance(v, str) and v.startswith(DANGEROUS))
            count += int(mask.sum())
            out.loc[mask, col] = "'" + s[mask]
    return out, count


def export_entity(store: Store, entity: str, path: Path) -> tuple[int, int]:
    if entity not in ENTITY_MODELS:
        raise InputError(f"unknown entity {entity!r}; expected one of {', '.join(ENTITY_MODELS)}", "entity")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("export to .csv or .xlsx", str(path))
    with store.engine.connect() as conn:
        frame = pd.read_sql(select(ENTITY_MODELS[entity].__table__), conn)
    safe, n = neutralise(frame)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    if suffix == ".csv":
        safe.to_csv(tmp, index=False, encoding="utf-8-sig")
    else:
        safe.to_excel(tmp, index=False, engine="openpyxl")
    tmp.replace(path)
    return len(frame), n
