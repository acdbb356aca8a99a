"""Forecasting operations in the tool registry (CLI, REST API and copilot read these)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from supplypilot import config
from supplypilot.forecast.service import MODELS, forecast_store
from supplypilot.tools import Context, tool

ModelName = Literal["auto", "SeasonalNaive", "AutoETS", "AutoTheta", "AutoARIMA", "CrostonOptimized",
                    "TSB", "IMAPA", "ADIDA", "Naive", "LightGBM", "Chinchilla"]
assert set(ModelName.__args__) == {"auto", *MODELS}  # type: ignore[attr-defined]


class ForecastRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[str] = Field(default_factory=list, description="Item codes to forecast; empty: every item with demand.")
    location: str | None = Field(default=None, description="One location code; empty: all locations summed.")
    by: Literal["item", "item_location", "family", "total"] = Field(
        default="item", description="Aggregation: per item, per item and location, per product family, or total.")
    horizon: int = Field(default=28, ge=1, le=365, description="Days ahead to forecast.")
    level: list[int] = Field(default_factory=lambda: [80, 95],
                             description="Prediction-interval levels in percent, each in 1..99.")
    model: ModelName = Field(default="auto", description="Model name, or auto: per series, the 1/MASE-weighted mix of the three best candidates in cross-validation.")
    plot: bool = Field(default=True, description="Write a PNG per series (history, forecast, intervals) to the out folder.")

    @field_validator("level")
    @classmethod
    def _levels_in_range(cls, v: list[int]) -> list[int]:
        bad = [lv for lv in v if not 0 < lv < 100]
        if bad:
            raise ValueError(f"interval levels must be in 1..99, got {bad}")
        return sorted(set(v))


class ForecastPoint(BaseModel):
    ds: str = Field(description="Date (YYYY-MM-DD).")
    forecast: float = Field(description="Point forecast (units).")
    lo: dict[str, float] = Field(description="Lower interval bound per level.")
    hi: dict[str, float] = Field(description="Upper interval bound per level.")


class SeriesForecast(BaseModel):
    unique_id: str = Field(description="Series: item, item|location, family or total.")
    model: str = Field(description="Model used for this series.")
    reason: str = Field(description="Why this model (cross-validation scores).")
    total: float = Field(description="Forecast summed over the horizon.")
    last_period_actual: float = Field(description="Actual demand over the same number of days just before.")
    change_pct: float | None = Field(description="Forecast total versus the last period, in percent.")
    points: list[ForecastPoint] = Field(description="The daily forecasts.")
    plot: str | None = Field(description="PNG path of the plot, if written.")


class ForecastResult(BaseModel):
    by: str = Field(description="Aggregation level.")
    horizon: int = Field(description="Days ahead.")
    level: list[int] = Field(description="Interval levels in percent.")
    history_start: str = Field(description="First date of history used.")
    history_end: str = Field(description="Last date of history used.")
    history_rows: int = Field(description="Series-days of history used.")
    metric: str = Field(description="Model-selection metric.")
    series: list[SeriesForecast] = Field(description="One entry per series.")


@tool("forecast_demand", en="Forecast future demand per item, location or family, with intervals and the model chosen.",
      zh="预测未来销售需求（按物料、地点或产品族），含预测区间和所选模型。",
      cli="forecast", arguments=("items",))
def forecast_demand(req: ForecastRequest, ctx: Context) -> ForecastResult:
    res = forecast_store(ctx.store, req.items or None, [req.location] if req.location else None,
                         level=req.by, horizon=req.horizon, levels=req.level, model=req.model,
                         plot_dir=config.out_dir() / "forecast" if req.plot else None)
    totals = res.totals().set_index("unique_id")
    choice = res.choice.set_index("unique_id")
    series = []
    for uid, g in res.forecasts.groupby("unique_id", sort=True):
        t = totals.loc[uid]
        points = [ForecastPoint(ds=str(r["ds"])[:10], forecast=round(float(r["forecast"]), 3),
                                lo={str(lv): round(float(r[f"forecast-lo-{lv}"]), 3) for lv in res.levels},
                                hi={str(lv): round(float(r[f"forecast-hi-{lv}"]), 3) for lv in res.levels})
                  for _, r in g.iterrows()]
        change = t["change_pct"]
        series.append(SeriesForecast(
            unique_id=str(uid), model=str(choice.loc[uid, "model"]), reason=str(choice.loc[uid, "reason"]),
            total=round(float(t["forecast_total"]), 3), last_period_actual=round(float(t["last_period_actual"]), 3),
            change_pct=None if change != change else round(float(change), 2), points=points,
            plot=res.plots.get(str(uid))))
    h = res.history
    return ForecastResult(by=res.level, horizon=res.horizon, level=res.levels,
                          history_start=str(h["ds"].min())[:10], history_end=str(h["ds"].max())[:10],
                          history_rows=len(h), metric=res.metric, series=series)


# --------------------------------------------------------------------------- multi-output flows

FLOW_TARGETS = {"sales": "y", "production": "production", "shipments": "shipments", "inventory": "inventory"}


class FlowsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[str] = Field(default_factory=list, description="Item codes; empty: every item with demand.")
    by: Literal["item", "total"] = Field(default="total", description="Report per item or summed over the items.")
    horizon: int = Field(default=28, ge=7, le=182, description="Days ahead to forecast.")
    targets: list[Literal["sales", "production", "inventory", "shipments"]] = Field(
        default_factory=lambda: ["sales", "production", "inventory", "shipments"],
        description="Quantities to report (all are predicted jointly).")


class FlowSeries(BaseModel):
    unique_id: str = Field(description="Item code, or total.")
    target: str = Field(description="sales, production, inventory or shipments.")
    total: float = Field(description="Sum over the horizon (inventory: the value on the last day).")
    last_period_actual: float = Field(description="Same measure over the previous period (inventory: last value).")
    first_day: float = Field(description="Forecast on the first day.")
    last_day: float = Field(description="Forecast on the last day.")
    lo80_last_day: float | None = Field(description="80 % interval low on the last day.")
    hi80_last_day: float | None = Field(description="80 % interval high on the last day.")


class FlowsResult(BaseModel):
    model: str = Field(description="Chinchilla multi-output transformer, trained now on the stored history.")
    n_params: int = Field(description="Parameters N (Chinchilla-sized).")
    n_tokens: int = Field(description="Training tokens D (patches).")
    compute_flops: float = Field(description="Training compute C = 6·N·D.")
    horizon: int = Field(description="Days ahead.")
    history_start: str = Field(description="First day of history used.")
    history_end: str = Field(description="Last day of history used.")
    series: list[FlowSeries] = Field(description="One entry per series and target.")
    plot: str | None = Field(description="PNG of the projected flows.")


@tool("forecast_flows", en="Project sales, production, inventory and shipments jointly with the multi-output Chinchilla model.",
      zh="用多输出 Chinchilla 模型联合预测销售量、生产量、库存量与物流量。", cli="project", arguments=("items",))
def forecast_flows(req: FlowsRequest, ctx: Context) -> FlowsResult:
    import numpy as np
    import pandas as pd

    from supplypilot.forecast.history import flows_frame
    from supplypilot.forecast.models.chinchilla import Chinchilla

    df = flows_frame(ctx.store, req.items or None, level="item")
    cols = ["y", "production", "shipments", "inventory"]
    # one thread: on a shared 2-core machine two torch threads make each step ~40x slower
    model = Chinchilla(h=req.horizon, input_size=max(56, 2 * req.horizon), targets=cols, max_epochs=20,
                       max_steps=800, early_stopping_patience=4, seed=0, num_threads=1, alias="Chinchilla")
    model.fit(df[["unique_id", "ds", *cols]], freq="D")
    pred = model.predict(req.horizon, level=[80])
    name = model.name

    def col(t: str) -> str:
        return name if t == "y" else f"{name}:{t}"

    frames = {"item": pred}
    if req.by == "total":
        num = [c for c in pred.columns if c not in ("unique_id", "ds")]
        frames = {"total": pred.groupby("ds", as_index=False)[num].sum().assign(unique_id="total")}
        hist = df.groupby("ds", as_index=False)[cols].sum().assign(unique_id="total")
    else:
        hist = df
    out = []
    for (uid, g) in frames[req.by].groupby("unique_id", sort=True):
        h = hist[hist["unique_id"] == uid].sort_values("ds")
        for label in req.targets:
            t = FLOW_TARGETS[label]
            vals = g.sort_values("ds")[col(t)].to_numpy(dtype=float)
            recent = h[t].tail(req.horizon).to_numpy(dtype=float)
            stock = label == "inventory"
            lo, hi = g[f"{col(t)}-lo-80"], g[f"{col(t)}-hi-80"]
            out.append(FlowSeries(
                unique_id=str(uid), target=label,
                total=round(float(vals[-1] if stock else vals.sum()), 2),
                last_period_actual=round(float(recent[-1] if stock else recent.sum()), 2) if len(recent) else 0.0,
                first_day=round(float(vals[0]), 2), last_day=round(float(vals[-1]), 2),
                lo80_last_day=round(float(lo.iloc[-1]), 2) if len(lo) else None,
                hi80_last_day=round(float(hi.iloc[-1]), 2) if len(hi) else None))
    plot = None
    if req.by == "total":
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(len(req.targets), 1, figsize=(9, 2.4 * len(req.targets)), sharex=True)
        g = frames["total"]
        for ax, label in zip(np.atleast_1d(axes), req.targets, strict=True):
            t = FLOW_TARGETS[label]
            h = hist.tail(120)
            ax.plot(h["ds"], h[t], color="0.2", lw=1, label="history")
            ax.plot(g["ds"], g[col(t)], color="C0", lw=1.6, label="Chinchilla")
            ax.fill_between(g["ds"], g[f"{col(t)}-lo-80"], g[f"{col(t)}-hi-80"], color="C0", alpha=0.25, label="80 %")
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
        np.atleast_1d(axes)[0].legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        folder = config.out_dir() / "forecast"
        folder.mkdir(parents=True, exist_ok=True)
        plot = str(folder / "flows_total.png")
        fig.savefig(plot, dpi=110)
        plt.close(fig)
    return FlowsResult(model=f"{name} ({model.n_params_:,} parameters, {len(cols)} outputs)",
                       n_params=int(model.n_params_), n_tokens=int(model.n_tokens_),
                       compute_flops=float(model.compute_flops_), horizon=req.horizon,
                       history_start=str(pd.Timestamp(df["ds"].min()).date()),
                       history_end=str(pd.Timestamp(df["ds"].max()).date()), series=out, plot=plot)
