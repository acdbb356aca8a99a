"""Plots of stored data: one function per figure, returning the matplotlib Figure."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from supplypilot.data.model import Demand, Item  # noqa: E402
from supplypilot.data.store import Store  # noqa: E402


def family_demand(store: Store) -> pd.DataFrame:
    """Weekly demand per product family (cleaned values where cleaning ran)."""
    q = (select(Item.family, Demand.date, func.sum(func.coalesce(Demand.qty_clean, Demand.qty)).label("qty"))
         .join(Item, Item.code == Demand.item_code).where(Item.kind == "finished")
         .group_by(Item.family, Demand.date))
    with store.engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["date"] = pd.to_datetime(df["date"])
    return (df.set_index("date").groupby("family")["qty"].resample("W-MON", label="left", closed="left")
            .sum().reset_index())


def plot_family_demand(weekly: pd.DataFrame, family: str) -> Figure:
    """Weekly demand of one family, with its 8-week moving average."""
    part = weekly[weekly["family"] == family].sort_values("date")
    fig, ax = plt.subplots(figsize=(10, 3.6), layout="constrained")
    ax.plot(part["date"], part["qty"], lw=1, color="#4477aa", label="weekly demand")
    ax.plot(part["date"], part["qty"].rolling(8, min_periods=1).mean(), lw=2, color="#ee6677",
            label="8-week average")
    ax.set_title(f"Demand history — {family}")
    ax.set_ylabel("units / week")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left")
    return fig


def save_family_plots(store: Store, folder: Path) -> list[Path]:
    """One PNG per product family in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    weekly = family_demand(store)
    paths = []
    for family in sorted(weekly["family"].dropna().unique()):
        fig = plot_family_demand(weekly, family)
        path = folder / f"demand_{family}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        paths.append(path)
    return paths
