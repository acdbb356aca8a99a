"""Tests of the electronics-maker sample data generator (supplypilot.data.sample)."""

from __future__ import annotations

import json
from zoneinfo import available_timezones

import numpy as np
import pandas as pd
import pytest

from supplypilot.data.model import ENTITY_MODELS
from supplypilot.data.sample import (
    DEFAULT_END,
    ENTITY_ORDER,
    MASTER_ENTITIES,
    SampleData,
    generate_electronics,
    importable_columns,
)

END = pd.Timestamp(DEFAULT_END)


@pytest.fixture(scope="module")
def small() -> SampleData:
    return generate_electronics("small", seed=0)


def _by_table() -> dict[str, str]:
    return {m.__tablename__: e for e, m in ENTITY_MODELS.items()}


def test_same_seed_gives_identical_tables(small: SampleData) -> None:
    """Generating twice with the same seed gives identical tables and truth."""
    again = generate_electronics("small", seed=0)
    assert list(again.tables) == list(small.tables)
    for name, frame in small.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name], obj=name)
    for name, frame in small.truth.items():
        pd.testing.assert_frame_equal(frame, again.truth[name], obj=name)


def test_different_seed_differs(small: SampleData) -> None:
    """A different seed gives different master data (costs, supplier reliabilities)."""
    other = generate_electronics("small", seed=1, tables=("items", "suppliers"))
    assert not other.tables["items"]["unit_cost"].equals(small.tables["items"]["unit_cost"])
    reliability = small.tables["suppliers"]["reliability"]
    assert not other.tables["suppliers"]["reliability"].equals(reliability)


def test_columns_match_model_exactly(small: SampleData) -> None:
    """Every importable entity is generated, in import order, with exactly its model's columns."""
    assert tuple(small.tables) == ENTITY_ORDER
    for entity, frame in small.tables.items():
        assert list(frame.columns) == importable_columns(entity), entity
        assert len(frame) > 0, entity


def test_foreign_keys_resolve(small: SampleData) -> None:
    """Every foreign key names an existing row of the referenced entity."""
    by_table = _by_table()
    for entity, frame in small.tables.items():
        for col in ENTITY_MODELS[entity].__table__.columns:
            if col.name not in frame.columns or not col.foreign_keys:
                continue
            target = next(iter(col.foreign_keys)).column
            codes = set(small.tables[by_table[target.table.name]][target.name])
            values = frame[col.name].dropna()
            bad = values[~values.isin(codes)]
            assert bad.empty, f"{entity}.{col.name}: {bad.unique()[:5]}"


def test_natural_keys_unique(small: SampleData) -> None:
    """No two rows of an entity share a natural key."""
    for entity, frame in small.tables.items():
        key = list(ENTITY_MODELS[entity].__natural_key__)
        dup = frame.duplicated(subset=key)
        assert not dup.any(), f"{entity}: {frame[dup].head()}"


def test_info_checks_hold(small: SampleData) -> None:
    """Bounds, choices, nullability, time zones, JSON price breaks and history dates all hold."""
    zones = available_timezones() | {"UTC"}
    limit = END + pd.Timedelta(days=1)
    for entity, frame in small.tables.items():
        for col in ENTITY_MODELS[entity].__table__.columns:
            if col.name not in frame.columns:
                continue
            s = frame[col.name]
            info = col.info
            if not col.nullable:
                assert s.notna().all(), f"{entity}.{col.name} has nulls"
            v = s.dropna()
            where = f"{entity}.{col.name}"
            if "ge" in info:
                assert (v >= info["ge"]).all(), where
            if "gt" in info:
                assert (v > info["gt"]).all(), where
            if "le" in info:
                assert (v <= info["le"]).all(), where
            if "lt" in info:
                assert (v < info["lt"]).all(), where
            if "choices" in info:
                assert set(v) <= set(info["choices"]), where
            if info.get("timezone"):
                assert set(v) <= zones, where
            if info.get("history"):
                assert (pd.to_datetime(v) < limit).all(), where
            if info.get("json") == "price_breaks":
                for text in v:
                    breaks = json.loads(text)
                    qtys = [b[0] for b in breaks]
                    assert qtys == sorted(set(qtys)) and all(b[1] >= 0 for b in breaks), text


def test_dtypes_are_dates_and_booleans(small: SampleData) -> None:
    """Date columns are datetime64 and boolean columns are bool."""
    from sqlalchemy import Boolean, Date, DateTime

    for entity, frame in small.tables.items():
        for col in ENTITY_MODELS[entity].__table__.columns:
            if col.name not in frame.columns:
                continue
            if isinstance(col.type, (Date, DateTime)):
                assert pd.api.types.is_datetime64_any_dtype(frame[col.name]), f"{entity}.{col.name}"
            if isinstance(col.type, Boolean):
                assert frame[col.name].dtype == bool, f"{entity}.{col.name}"


def test_counts_meet_minimums(small: SampleData) -> None:
    """At least 8 suppliers, 2 plants, 3 DCs, 30 stores/customers and two years of daily demand."""
    loc = small.tables["locations"]
    kinds = loc["kind"].value_counts()
    assert len(small.tables["suppliers"]) >= 8
    assert kinds["plant"] == 2 and kinds["dc"] == 3
    assert kinds["store"] + kinds.get("customer", 0) >= 30
    items = small.tables["items"]
    assert 10 <= (items["kind"] == "finished").sum() <= 15
    assert 60 <= len(items) <= 120
    dem = small.tables["demand"]
    assert 100_000 <= len(dem) <= 200_000
    assert (dem["date"].max() - dem["date"].min()).days >= 730
    assert dem["date"].max() == END
    stores = set(loc.loc[loc["kind"] == "store", "code"])
    one = dem[dem["location_code"].isin(stores)].groupby(["item_code",
                                                          "location_code"])["date"].nunique()
    assert one.max() == (dem["date"].max() - dem["date"].min()).days + 1  # daily, no gaps


def test_bom_is_acyclic_and_three_levels(small: SampleData) -> None:
    """The BOM has no cycle and finished goods go three levels down to components."""
    bom = small.tables["bom"]
    kids: dict[str, list[str]] = bom.groupby("parent_code")["child_code"].apply(list).to_dict()

    def depth(code: str, path: tuple[str, ...] = ()) -> int:
        assert code not in path, f"cycle through {code}"
        return 1 + max((depth(c, (*path, code)) for c in kids.get(code, [])), default=0)

    items = small.tables["items"].set_index("code")
    finished = items.index[items["kind"] == "finished"]
    depths = {f: depth(f) for f in finished}
    assert max(depths.values()) == 3
    assert all(d in (2, 3) for d in depths.values())
    leaves = set(bom["child_code"]) - set(bom["parent_code"])
    assert set(items.loc[list(leaves), "kind"]) == {"component"}


def test_costs_roll_up_and_prices_exceed_cost(small: SampleData) -> None:
    """A parent costs at least its children's material and finished goods sell above cost."""
    items = small.tables["items"].set_index("code")
    bom = small.tables["bom"].copy()
    bom["mat"] = bom["qty_per"] * items.loc[bom["child_code"], "unit_cost"].to_numpy()
    mat = bom.groupby("parent_code")["mat"].sum()
    assert (items.loc[mat.index, "unit_cost"] >= mat).all()
    fg = items[items["kind"] == "finished"]
    assert (fg["price"] > fg["unit_cost"]).all()
    assert items.loc[items["shelf_life_days"].notna(),
                     "name"].str.contains("batter|cell", case=False).all()


def test_weekend_peak_at_stores(small: SampleData) -> None:
    """Stores sell more on Saturdays and Sundays than Monday to Thursday."""
    dem = small.tables["demand"]
    stores = small.tables["locations"].query("kind == 'store'")["code"]
    d = dem[dem["location_code"].isin(stores)]
    dow = d["date"].dt.dayofweek
    assert d.loc[dow >= 5, "qty"].mean() > 1.15 * d.loc[dow <= 3, "qty"].mean()


def test_promo_days_sell_more(small: SampleData) -> None:
    """Promotion days have a higher mean demand than other days, at a lower price."""
    dem = small.tables["demand"]
    sold = dem[dem["location_code"].str.startswith(("ST-", "CUS-TMALL", "CUS-JD"))]
    assert sold["promo"].any()
    assert sold.loc[sold["promo"], "qty"].mean() > 1.2 * sold.loc[~sold["promo"], "qty"].mean()
    rel = sold["price"] / sold.groupby("item_code")["price"].transform("max")
    assert rel[sold["promo"]].mean() < rel[~sold["promo"]].mean()


def test_launches_ramp_up_and_eol_decays(small: SampleData) -> None:
    """No demand before a launch, a ramp-up after it, and decay to zero after end-of-life."""
    dc = small.truth["demand_components"]
    # demand with the calendar taken out: what is left is the lifecycle (and noise)
    dem = small.tables["demand"].assign(base=(dc["mean"] / dc["lifecycle"]).to_numpy(),
                                        channel=dc["channel"].to_numpy())
    items = small.tables["items"].set_index("code")
    fg = items[items["kind"] == "finished"]
    start = dem["date"].min()
    margin = pd.Timedelta(days=60)
    launched = fg[(fg["launch_date"] > start + margin) & (fg["launch_date"] <= END - margin)]
    assert len(launched) >= 1
    for code, row in launched.iterrows():
        d = dem[dem["item_code"] == code]
        assert d["date"].min() == row["launch_date"]
        age = (d["date"] - row["launch_date"]).dt.days
        smooth = d["channel"].isin(["store", "online"])  # B2B orders are lumpy
        first, later = d[smooth & (age < 7)], d[smooth & (age >= 30) & (age < 60)]
        assert first["qty"].sum() / first["base"].sum() < 0.7 * later["qty"].sum() / later["base"].sum()
    ended = fg[fg["eol_date"] <= END - pd.Timedelta(days=60)]
    assert len(ended) >= 1
    for code, row in ended.iterrows():
        d = dem[dem["item_code"] == code]
        rel = (d["date"] - row["eol_date"]).dt.days
        assert d["date"].max() <= row["eol_date"] + pd.Timedelta(days=90)
        assert d.loc[rel.between(30, 90),
                     "qty"].mean() < 0.1 * d.loc[rel.between(-240, -150), "qty"].mean()


def test_demand_components_multiply_to_the_mean(small: SampleData) -> None:
    """The truth factors multiply to the true mean, and the drawn demand averages to it."""
    dc = small.truth["demand_components"]
    dem = small.tables["demand"]
    assert len(dc) == len(dem) and (dc["item_code"].to_numpy() == dem["item_code"].to_numpy()).all()
    prod = dc[["baseline", "trend", "weekly", "yearly", "holiday", "promo_uplift",
               "lifecycle"]].prod(axis=1)
    smooth = dc["channel"].isin(["store", "online", "distributor"])
    np.testing.assert_allclose(prod[smooth], dc.loc[smooth, "mean"], rtol=1e-3)
    assert (dc.loc[~smooth, "mean"] <= prod[~smooth] * (1 + 1e-3)).all()
    for ch, g in dem.assign(mean=dc["mean"].to_numpy(), ch=dc["channel"]).groupby("ch"):
        tol = 0.03 if ch in ("store", "online") else 0.2  # B2B and spare orders are lumpy
        assert abs(g["qty"].sum() / g["mean"].sum() - 1) < tol, ch
    assert (dem["qty"] == dem["qty"].round()).all() and (dem["qty"] >= 0).all()


def test_festivals_and_chinese_new_year_show(small: SampleData) -> None:
    """Singles' Day peaks online and stores dip over Chinese New Year after a pre-CNY peak."""
    dc = small.truth["demand_components"]
    dem = small.tables["demand"].assign(ch=dc["channel"].to_numpy())
    online = dem[dem["ch"] == "online"].groupby("date")["qty"].sum()
    assert online[pd.Timestamp("2025-11-11")] > 4 * online.median()
    assert online[pd.Timestamp("2025-06-18")] > 2.5 * online.median()
    store = dem[dem["ch"] == "store"].groupby("date")["qty"].sum()
    cny = pd.Timestamp("2026-02-17")
    week = store[cny - pd.Timedelta(days=1): cny + pd.Timedelta(days=5)].mean()
    pre = store[cny - pd.Timedelta(days=21): cny - pd.Timedelta(days=9)].mean()
    assert week < 0.6 * pre
    events = small.truth["events"]
    assert {"festival", "holiday", "cny", "launch", "eol"} <= set(events["kind"])


def test_spare_parts_demand_is_intermittent_at_dcs(small: SampleData) -> None:
    """Spare parts sell at the DCs, on few days, in small integer quantities."""
    dem = small.tables["demand"]
    items = small.tables["items"].set_index("code")
    dcs = set(small.tables["locations"].query("kind == 'dc'")["code"])
    spare = dem[dem["item_code"].map(items["kind"]) == "spare"]
    assert len(spare) > 0 and set(spare["location_code"]) <= dcs
    assert (spare["qty"] == 0).mean() > 0.6
    assert spare.loc[spare["qty"] > 0, "qty"].mean() < 10


def test_each_bought_item_has_one_primary_supplier(small: SampleData) -> None:
    """Every purchased item has exactly one primary supplier and some are dual-sourced."""
    si = small.tables["supplier_items"]
    per_item = si.groupby("item_code")["is_primary"].agg(["sum", "size"])
    assert (per_item["sum"] == 1).all()
    assert (per_item["size"] == 2).any()
    items = small.tables["items"]
    bought = set(items.loc[items["kind"].isin(["component", "spare"]), "code"])
    assert set(si["item_code"]) == bought


def test_rfid_undercounts_by_its_loss_rate(small: SampleData) -> None:
    """RFID stock counts fall short of the true stock by about the RFID loss rate."""
    inv = small.tables["inventory"]
    true = small.truth["inventory_true"]
    src = small.truth["inventory_sources"].query("source == 'RFID'")
    rfid = inv[inv["source"] == "RFID"].merge(true, on=["item_code", "location_code", "date"],
                                               suffixes=("", "_true"))
    ratio = rfid["on_hand"].sum() / rfid["on_hand_true"].sum()
    assert abs(ratio - (1 - src["loss_rate"].mean())) < 0.01
    wms = inv[inv["source"] == "WMS"].merge(true, on=["item_code", "location_code", "date"],
                                             suffixes=("", "_true"))
    assert abs(wms["on_hand"].sum() / wms["on_hand_true"].sum() - 1) < 0.01
    assert set(inv["source"]) == {"ERP", "WMS", "RFID"}


def test_sensor_anomalies_present_in_readings(small: SampleData) -> None:
    """Every labelled sensor anomaly shows in the readings (excursion, ramp, stuck value, spike)."""
    rd = small.tables["sensor_readings"]
    an = small.truth["sensor_anomalies"]
    assert {"hvac_failure", "vibration_ramp", "stuck", "spike"} <= set(an["kind"])
    groups = {k: g.sort_values("ts").reset_index(drop=True)
              for k, g in rd.groupby(["sensor_id", "metric"])}
    for a in an.itertuples():
        g = groups[(a.sensor_id, a.metric)]
        inside = g[(g["ts"] >= a.start) & (g["ts"] <= a.end)]
        assert len(inside) > 0, a
        if a.kind == "stuck":
            assert len(inside) >= 2 and inside["value"].nunique() == 1, a
        elif a.kind == "spike":
            i = inside.index[0]
            nb = g["value"].iloc[list(range(max(0, i - 5),
                                            i)) + list(range(i + 1, min(len(g), i + 6)))]
            scale = np.median(np.abs(np.diff(nb.to_numpy()))) + 1e-6
            assert abs(inside["value"].iloc[0] - nb.median()) > 3 * scale, a
        elif a.kind == "hvac_failure":
            outside = g.loc[(g["ts"] < a.start) | (g["ts"] > a.end), "value"]
            assert inside["value"].max() > outside.median() + 5, a
        elif a.kind == "vibration_ramp":
            running = g.loc[g["value"] > 1.0, "value"]
            assert inside["value"].max() > 2.5 * running.median(), a


def test_sensor_seq_gaps_match_loss_rates(small: SampleData) -> None:
    """Gaps in the message sequence numbers match the true loss rate of each sensor within 0.02."""
    rd = small.tables["sensor_readings"]
    loss = small.truth["sensor_loss"].set_index("sensor_id")["loss_rate"]
    stats = rd.groupby(["sensor_id", "metric"])["seq"].agg(["min", "max", "count"])
    est = 1 - stats["count"] / (stats["max"] - stats["min"] + 1)
    truth = loss.loc[est.index.get_level_values(0)].to_numpy()
    assert np.all(np.abs(est.to_numpy() - truth) <= 0.02)
    assert (loss > 0).all() and (est > 0).all()
    assert rd.groupby(["sensor_id", "metric"])["seq"].is_monotonic_increasing.all()


def test_write_csv_reads_back(small: SampleData, tmp_path) -> None:
    """write() produces CSV files that pandas reads back with the same row counts."""
    paths = small.write(tmp_path, "csv")
    tables = [p for p in paths if p.parent == tmp_path]
    assert [p.stem for p in tables] == list(ENTITY_ORDER)
    for p in paths:
        back = pd.read_csv(p, low_memory=False)
        frame = small.tables[p.stem] if p.parent == tmp_path else small.truth[p.stem]
        assert len(back) == len(frame), p.name
    items = pd.read_csv(tmp_path / "items.csv")
    assert items["name_zh"].str.contains("智能手机").any()
    first = pd.read_csv(tmp_path / "demand.csv", nrows=1)
    assert len(str(first["date"].iloc[0])) == 10  # ISO date, no time


def test_write_parquet_reads_back(small: SampleData, tmp_path) -> None:
    """write(format='parquet') produces parquet files with the same rows and dtypes."""
    paths = small.write(tmp_path, "parquet")
    for p in paths:
        back = pd.read_parquet(p)
        frame = small.tables[p.stem] if p.parent == tmp_path else small.truth[p.stem]
        assert len(back) == len(frame), p.name
    back = pd.read_parquet(tmp_path / "demand.parquet")
    assert pd.api.types.is_datetime64_any_dtype(back["date"]) and back["promo"].dtype == bool


def test_master_only_matches_full_run(small: SampleData) -> None:
    """Generating only master data gives the same master data as a full run, without flows."""
    master = generate_electronics("small", seed=0, tables=MASTER_ENTITIES)
    assert tuple(master.tables) == MASTER_ENTITIES
    for name in MASTER_ENTITIES:
        pd.testing.assert_frame_equal(master.tables[name], small.tables[name], obj=name)


def test_progress_reports_stages() -> None:
    """The progress callback hears each stage and ends at 100 percent."""
    seen: list[tuple[str, int]] = []
    generate_electronics("small", seed=3, tables=("items",), progress=lambda s,
                         p: seen.append((s, p)))
    assert seen[0][0] == "master" and seen[-1] == ("done", 100)
    assert [p for _, p in seen] == sorted(p for _, p in seen)


def test_flows_are_consistent(small: SampleData) -> None:
    """Sales orders add up to customer demand and production stays within the calendar hours."""
    dem = small.tables["demand"]
    so = small.tables["sales_orders"]
    cust = dem[dem["location_code"].str.startswith("CUS-")]
    total = so.groupby(["item_code", "customer_code", "order_date"])["qty"].sum()
    want = cust[cust["qty"] > 0].set_index(["item_code", "location_code", "date"])["qty"]
    assert total.sum() == want.sum() and len(total) == len(want)
    rec = small.tables["production_records"]
    cal = small.tables["resource_calendar"].set_index(["resource_code", "date"])["available_hours"]
    used = rec.groupby(["resource_code", "date"])["hours_run"].sum()
    assert (used <= cal.loc[used.index] + 1e-6).all()
    po = small.tables["purchase_orders"]
    assert (po["received_qty"] <= po["qty"]).all()
    assert po.loc[po["status"] == "received", "received_date"].notna().all()
    sh = small.tables["shipments"]
    assert sh.loc[sh["status"] == "delivered", "actual_arrival"].notna().all()
    assert sh.loc[sh["status"].isin(["in_transit", "delayed", "planned"]),
                  "actual_arrival"].isna().all()


def test_medium_master_data_sizes() -> None:
    """The medium scale has about 60 finished goods, 400 items and 50 locations."""
    mid = generate_electronics("medium", seed=0, tables=("items", "locations"))
    items = mid.tables["items"]
    assert 50 <= (items["kind"] == "finished").sum() <= 70
    assert 330 <= len(items) <= 450
    assert 45 <= len(mid.tables["locations"]) <= 60


@pytest.mark.slow
def test_large_master_data_is_big_enough() -> None:
    """The large scale has at least 1,000 items, 50 locations and 300 sellable finished goods."""
    big = generate_electronics("large", seed=0, tables=("items", "locations", "bom"))
    items = big.tables["items"]
    assert len(items) >= 1000
    assert len(big.tables["locations"]) >= 50
    sellable = items[(items["kind"] == "finished") & (items["launch_date"] <= END)]
    assert len(sellable) >= 300
