"""Importing the real SupplyGraph data set through mappings/supplygraph.yaml."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from supplypilot import config
from supplypilot.data.model import Demand, Item, Location, ProductionRecord, Shipment
from supplypilot.data.store import Store
from supplypilot.data.supplygraph import import_supplygraph
from supplypilot.errors import InputError

DATASET = "forecasting/supplygraph"
UNIT = "Raw Dataset/Homogenoeus/Temporal Data/Unit"
MODELS = {"items": Item, "locations": Location, "production_records": ProductionRecord,
          "shipments": Shipment, "demand": Demand}


def supplygraph_base() -> Path:
    """The SupplyGraph folder; fail (SUPPLYPILOT_REQUIRE_SERVICES=1) or skip when absent."""
    base = config.data_dir() / DATASET
    if not (base / UNIT / "Sales Order.csv").is_file():
        msg = (f"SupplyGraph data not found at {base.resolve()} "
               "(set SUPPLYPILOT_DATA to the shared data folder)")
        if os.environ.get("SUPPLYPILOT_REQUIRE_SERVICES") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return base


def counts(store: Store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {e: conn.execute(select(func.count()).select_from(m)).scalar_one()
                for e, m in MODELS.items()}


def sales_file(base: Path) -> pd.DataFrame:
    return pd.read_csv(base / UNIT / "Sales Order.csv")


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    base = supplygraph_base()
    store = Store(f"sqlite:///{tmp_path_factory.mktemp('sg') / 's.db'}")
    report = import_supplygraph(store, base)
    return store, report, base


def test_import_succeeds_with_one_item_per_distinct_product(imported) -> None:
    """The import is ok and stores the 40 distinct product codes as finished items."""
    store, report, _ = imported
    assert report.ok and not report.dry_run
    with store.engine.connect() as conn:
        kinds = conn.execute(select(Item.kind, func.count()).group_by(Item.kind)).all()
    assert kinds == [("finished", 40)]


def test_demand_has_a_row_per_day_and_product(imported) -> None:
    """Demand holds every one of the 221 days for every product, zero days included."""
    store, _, base = imported
    days = sales_file(base)["Date"].nunique()
    assert days == 221
    with store.engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(Demand)).scalar_one()
        zeros = conn.execute(select(func.count()).where(Demand.qty == 0)).scalar_one()
    assert n == days * 40
    assert zeros > 0


def test_total_sales_units_match_the_file(imported) -> None:
    """Stored demand sums to the Sales Order file over all 41 columns (POP001L12P.1 included)."""
    store, _, base = imported
    wide = sales_file(base).drop(columns="Date")
    assert len(wide.columns) == 41
    with store.engine.connect() as conn:
        total = conn.execute(select(func.sum(Demand.qty))).scalar_one()
    assert total == pytest.approx(wide.to_numpy().sum(), rel=1e-12)


def test_duplicate_product_columns_are_summed(imported) -> None:
    """POP001L12P's daily demand is the sum of its two Sales Order columns."""
    store, _, base = imported
    wide = sales_file(base)
    expected = (wide["POP001L12P"] + wide["POP001L12P.1"]).to_numpy()
    with store.engine.connect() as conn:
        got = [q for (q,) in conn.execute(
            select(Demand.qty).where(Demand.item_code == "POP001L12P").order_by(Demand.date))]
    assert got == pytest.approx(expected.tolist())


def test_flows_keep_only_positive_days(imported) -> None:
    """Production records and shipments exist only for product-days with a quantity > 0."""
    store, _, base = imported

    def positive(name: str) -> int:
        wide = pd.read_csv(base / UNIT / name).drop(columns="Date")
        merged = wide.T.groupby(lambda c: c.removesuffix(".1")).sum().T
        return int((merged > 0).to_numpy().sum())

    n = counts(store)
    assert n["production_records"] == positive("Production .csv")
    assert n["shipments"] == positive("Factory Issue.csv") + positive("Delivery To distributor.csv")


def test_plants_and_storage_locations_are_imported(imported) -> None:
    """The 25 plants and 13 storage locations become locations in Asia/Dhaka with no coordinates."""
    store, _, _ = imported
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(Location.kind, Location.timezone, Location.lat)
            .where(Location.code.like("SG-%-%"))
        ).all()
    kinds = pd.Series([k for k, _, _ in rows]).value_counts().to_dict()
    assert kinds == {"plant": 25, "dc": 13}
    assert {tz for _, tz, _ in rows} == {"Asia/Dhaka"}
    assert all(lat is None for _, _, lat in rows)


def test_reimport_creates_no_duplicates(tmp_path: Path) -> None:
    """Importing twice leaves every count unchanged and reports the rows as updated."""
    base = supplygraph_base()
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    import_supplygraph(store, base)
    before = counts(store)
    again = import_supplygraph(store, base)
    assert counts(store) == before
    assert all(f.inserted == 0 and f.updated == f.rows for f in again.files)


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    """A dry run validates the whole data set and leaves the store empty."""
    base = supplygraph_base()
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    report = import_supplygraph(store, base, dry_run=True)
    assert report.ok and report.dry_run
    assert set(counts(store).values()) == {0}


def test_missing_data_folder_names_the_path(tmp_path: Path) -> None:
    """A missing data folder raises InputError naming that folder."""
    missing = tmp_path / "no-such-folder"
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(InputError) as err:
        import_supplygraph(store, missing)
    assert str(missing) in str(err.value)


def test_default_folder_comes_from_supplypilot_data(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a base, the folder under SUPPLYPILOT_DATA is used and named when absent."""
    monkeypatch.setenv("SUPPLYPILOT_DATA", str(tmp_path / "data"))
    store = Store(f"sqlite:///{tmp_path / 's.db'}")
    with pytest.raises(InputError) as err:
        import_supplygraph(store)
    assert str(tmp_path / "data" / DATASET) in str(err.value)
