"""Adapters from the store to the planning engines.

The engines (inventory, MRP, schedule, routing, network) take plain numbers and small builder
objects; this module reads what they need from the foundation's tables — forecasts, lead times,
costs, capacities, coordinates — so that the tools, the planning cycle and the copilot build
their models the same way.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select

from supplypilot.data.model import Item, Lane, Location, Supplier, SupplierItem
from supplypilot.data.store import Store
from supplypilot.errors import InputError, UnknownEntityError

Z80 = 1.2815515655446004  # standard normal quantile of 0.90: half-width of an 80 % interval


def _item(store: Store, code: str) -> Item:
    with store.session() as s:
        item = s.get(Item, code)
        if item is None:
            raise UnknownEntityError("item", code, "Use `supplypilot data items` to list the codes.")
        s.expunge(item)
        return item


def lead_time_of(store: Store, item: str, location: str | None) -> tuple[float, float, str]:
    """Replenishment lead time (mean, std, source) of ``item`` into ``location``.

    Purchased items use their primary supplier (the item-specific lead time if the supplier
    quotes one); made or distributed items use the slowest lane into the location, or, without
    a location, the mean lane time from plants to DCs.
    """
    with store.engine.connect() as conn:
        sup = conn.execute(
            select(SupplierItem.supplier_code, SupplierItem.lead_time_days, Supplier.lead_time_days,
                   Supplier.lead_time_std_days, SupplierItem.is_primary)
            .join(Supplier, Supplier.code == SupplierItem.supplier_code)
            .where(SupplierItem.item_code == item)
            .order_by(SupplierItem.is_primary.desc(), SupplierItem.unit_price)).first()
        if sup is not None:
            lt = float(sup[1] if sup[1] is not None else sup[2])
            return lt, float(sup[3] or 0.0), f"supplier {sup[0]}"
        q = select(Lane.origin_code, Lane.lead_time_days)
        if location:
            q = q.where(Lane.destination_code == location)
        else:
            dcs = select(Location.code).where(Location.kind == "dc")
            q = q.where(Lane.destination_code.in_(dcs))
        lanes = conn.execute(q).all()
    if not lanes:
        return 1.0, 0.0, "default of 1 day (no supplier or lane into this location)"
    times = np.array([float(r[1]) for r in lanes])
    if location:
        return float(times.max()), float(times.std()), f"lane {lanes[int(times.argmax())][0]}→{location}"
    return float(times.mean()), float(times.std()), "mean plant→DC lane"


def policy_for_item(store: Store, item: str, location: str | None = None, service_level: float = 0.95,
                    fill_rate: float | None = None, review_period_days: int | None = None,
                    ordering_cost: float = 100.0, holding_rate: float = 0.25) -> dict[str, Any]:
    """An inventory policy for one item (at one location) from its forecast and lead time.

    Demand per day is the mean of a 28-day forecast; its error standard deviation comes from the
    forecast's 80 % interval (half-width / z₀.₉₀), i.e. from the forecasting model's own error
    distribution, not from the raw variability of the history.
    """
    from supplypilot.forecast.service import forecast_store
    from supplypilot.plan.inventory import recommend_policy

    it = _item(store, item)
    fc = forecast_store(store, [item], [location] if location else None, level="item", horizon=28,
                        levels=[80])
    f = fc.forecasts
    mean = float(f["forecast"].mean())
    std = float(((f["forecast-hi-80"] - f["forecast-lo-80"]) / (2 * Z80)).mean())
    if not mean > 0:
        raise InputError(f"Item {item!r}{' at ' + location if location else ''} has no forecast demand "
                         "(the forecast is zero); no stock policy is needed.", where="item")
    lt, lt_std, source = lead_time_of(store, item, location)
    holding = float(it.unit_cost) * holding_rate / 365.0
    target = {"fill_rate": fill_rate} if fill_rate is not None else {"service_level": service_level}
    pol = recommend_policy(demand_mean=mean, demand_std=max(std, 1e-6), lead_time_mean=lt, lead_time_std=lt_std,
                           holding_cost=max(holding, 1e-9), ordering_cost=ordering_cost,
                           review_period=review_period_days, **target)
    params = {k: round(float(v), 3) for k, v in pol.parameters.items() if isinstance(v, (int, float))}
    ss = float(pol.parameters.get("safety_stock", params.get("reorder_point", 0.0) - mean * lt))
    model = str(fc.choice["model"].iloc[0])
    reason = (f"{pol.reason} Demand {mean:.1f}/day (±{std:.1f}) from the {model} forecast; lead time "
              f"{lt:.1f} days (±{lt_std:.1f}) from {source}; holding cost {holding:.4f}/unit/day "
              f"({holding_rate:.0%} a year of unit cost {float(it.unit_cost):.2f}).")
    return {
        "item": item, "location": location, "policy": pol.kind, "parameters": params,
        "safety_stock": round(ss, 3), "expected_cost_per_day": round(float(pol.expected_cost or 0.0), 4),
        "service_level": None if pol.service_level is None else round(float(pol.service_level), 4),
        "fill_rate": None if pol.fill_rate is None else round(float(pol.fill_rate), 4),
        "demand_per_day": round(mean, 3), "demand_std_per_day": round(std, 3), "lead_time_days": round(lt, 3),
        "lead_time_std_days": round(lt_std, 3), "lead_time_source": source, "forecast_model": model,
        "reason": reason,
    }


def store_network(store: Store, period_days: int = 28) -> Any:
    """The supply network serving the last ``period_days`` of stored demand."""
    from supplypilot.plan.network import NetworkModel

    with store.engine.connect() as conn:
        from supplypilot.data.model import Demand
        from sqlalchemy import func

        last = conn.execute(select(func.max(Demand.date))).scalar_one()
    if last is None:
        raise InputError("The store holds no demand; import or generate data first.", where="demand")
    end = pd.Timestamp(last)
    start = end - pd.Timedelta(days=period_days - 1)
    return NetworkModel.from_store(store, start.date(), end.date(), allow_shortage=True)


def ceil_int(x: float) -> int:
    return int(math.ceil(x - 1e-9))
