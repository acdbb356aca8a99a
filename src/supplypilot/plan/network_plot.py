"""A flow diagram of a network plan: echelons left to right, line width by flow."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from supplypilot.plan.network import NetworkModel, NetworkResult

__all__ = ["plot_network"]

COLUMNS = {"supplier": 0, "plant": 1, "dc": 2, "customer": 3}
TITLES = ("suppliers", "plants", "DCs", "customers")


def _positions(model: NetworkModel) -> dict[str, tuple[float, float]]:
    by_kind: dict[str, list[str]] = {k: [] for k in COLUMNS}
    for name, node in model.nodes.items():
        by_kind[node.kind].append(name)
    pos = {}
    for kind, names in by_kind.items():
        for i, name in enumerate(sorted(names)):
            pos[name] = (float(COLUMNS[kind]), 1.0 - (i + 1) / (len(names) + 1))
    return pos


def plot_network(result: NetworkResult, model: NetworkModel, ax: Any = None,
                 path: str | Path | None = None, label_limit: int = 30) -> Any:
    """Draw ``result``'s flows on ``model``'s nodes and return the matplotlib axes.

    Lanes carry lines whose width grows with their flow; lanes and nodes at capacity are red
    so the bottleneck is what the eye meets first; closed nodes are grey crosses. Node names are
    written while a column has at most ``label_limit`` nodes. ``path`` saves a PNG.
    """
    import matplotlib

    if ax is None:
        matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 6))
    pos = _positions(model)
    flows = result.lane_flows()
    full = set()
    if not result.binding_table.empty:
        full = {c for c in result.binding_table["constraint"] if c.startswith("capacity of lane")}
    top = float(flows["qty"].max()) if not flows.empty else 1.0
    for f in flows.itertuples():
        (x0, y0), (x1, y1) = pos[f.src], pos[f.dst]
        lane = model.lanes.get((f.src, f.dst, f.mode))
        hot = lane is not None and any(c.startswith(f"capacity of lane {f.src}→{f.dst} by "
                                                    f"{f.mode} ") for c in full)
        ax.plot([x0, x1], [y0, y1], color="tab:red" if hot else "tab:blue", alpha=0.6,
                linewidth=0.5 + 6.0 * float(f.qty) / top, solid_capstyle="round", zorder=1)
    at_limit = set() if result.binding_table.empty else set(
        result.binding_table.loc[result.binding_table["kind"] != "lane", "node"])
    counts = {k: sum(n.kind == k for n in model.nodes.values()) for k in COLUMNS}
    for name, node in model.nodes.items():
        x, y = pos[name]
        closed = node.open is False or result.opened.get(name) is False
        color = "grey" if closed else ("tab:red" if name in at_limit else "black")
        ax.scatter([x], [y], s=30, zorder=2, color=color, marker="x" if closed else "o")
        if counts[node.kind] <= label_limit:
            ax.annotate(name, (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xticks(range(4), TITLES)
    ax.set_yticks([])
    ax.set_xlim(-0.3, 3.6)
    cost = "-" if result.objective is None else f"{result.objective:,.0f}"
    serv = "-" if result.service is None else f"{result.service:.0%}"
    ax.set_title(f"{result.name}: {result.status.value}, cost {cost}, service {serv}")
    if path is not None:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    return ax
