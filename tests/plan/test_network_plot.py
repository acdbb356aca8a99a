"""plot_network draws a plan's flows and saves a PNG."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from supplypilot.plan.network import NetworkModel  # noqa: E402
from supplypilot.plan.network_plot import plot_network  # noqa: E402


def model() -> NetworkModel:
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 100})
    m.add_dc("D1", 30)
    m.add_dc("D2", open=False)
    m.add_customer("C", {"p": 50})
    m.add_lane("S", "D1", cost=1.0)
    m.add_lane("S", "D2", cost=1.0)
    m.add_lane("D1", "C", cost=1.0, capacity=40)
    m.add_lane("S", "C", cost=5.0)
    return m


def test_plot_draws_one_line_per_lane_with_flow(tmp_path):
    """Each lane with flow (S→D1, D1→C, S→C) is one line, and a PNG is written."""
    m = model()
    res = m.solve()
    path = tmp_path / "net.png"
    ax = plot_network(res, m, path=path)
    assert len(ax.lines) == len(res.lane_flows()) == 3
    assert path.stat().st_size > 0
    plt.close(ax.figure)


def test_plot_marks_full_dc_and_closed_dc(tmp_path):
    """D1 at its 30-unit capacity is drawn red, closed D2 as a grey cross."""
    m = model()
    ax = plot_network(m.solve(), m)
    colours = {t.get_text(): tuple(c.get_facecolor()[0][:3])
               for t, c in zip(ax.texts, ax.collections, strict=True)}
    assert colours["D1"] == matplotlib.colors.to_rgb("tab:red")
    assert colours["D2"] == matplotlib.colors.to_rgb("grey")
    plt.close(ax.figure)
