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
    model: ModelName = Field(default="auto", description="Model name, or auto: chosen per series by cross-validation.")
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
