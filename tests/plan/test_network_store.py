"""NetworkModel.from_store: the network built from the foundation's tables (sample data)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from supplypilot.data import Store, import_frames
from supplypilot.data.sample import generate_electronics
from supplypilot.errors import InputError
from supplypilot.plan.network import NetworkModel
from supplypilot.plan.result import SolveStatus
from supplypilot.plan.scenario import NodeClosed, Scenario, apply

TABLES = ["items", "locations", "bom", "suppliers", "supplier_items", "lanes", "resources",
          "demand"]
DAYS = 28


@pytest.fixture(scope="module")
def sample():
    """The small electronics sample: master data and the last four weeks of demand."""
    data = generate_electronics(scale="small", seed=1, tables=TABLES)
    demand = data.tables["demand"]
    end = pd.Timestamp(demand["date"].max())
    data.tables["demand"] = demand[demand["date"] > end - pd.Timedelta(days=DAYS)]
    return data, end.date()


@pytest.fixture(scope="module")
def store(sample, tmp_path_factory):
    data, _ = sample
    st = Store(f"sqlite:///{tmp_path_factory.mktemp('network') / 'store.db'}")
    import_frames(st, data.tables, "sample")
    yield st
    st.dispose()


@pytest.fixture(scope="module")
def model(store) -> NetworkModel:
    return NetworkModel.from_store(store)


def test_nodes_come_from_locations_by_kind(model, sample):
    """10 suppliers, 2 plants, 3 DCs, and one customer per location with demand."""
    data, _ = sample
    kinds = pd.Series({n: nd.kind for n, nd in model.nodes.items()}).value_counts().to_dict()
    demand_locations = data.tables["demand"]["location_code"].nunique()
    assert kinds == {"supplier": 10, "plant": 2, "dc": 3, "customer": demand_locations}


def test_demand_is_summed_over_the_period(model, sample):
    """Customer demand equals the imported demand of the last four weeks, location by item."""
    data, _ = sample
    want = data.tables["demand"].groupby(["location_code", "item_code"])["qty"].sum()
    got = {(n.removesuffix("/local"), p): q for n, nd in model.nodes.items()
           for p, q in nd.demand.items()}
    assert got == pytest.approx(want[want > 0].to_dict())


def test_lane_capacity_is_scaled_to_the_period(model, sample):
    """A lane's capacity is its capacity per day times the 28 days."""
    data, _ = sample
    lane = data.tables["lanes"].iloc[-1]
    key = (lane["origin_code"], lane["destination_code"], lane["mode"])
    assert model.lanes[key].capacity == pytest.approx(lane["capacity_per_day"] * DAYS)


def test_plant_recipe_explodes_the_bom_to_purchased_parts(model):
    """A phone needs 387 MLCC per motherboard, grossed up by both levels' scrap."""
    recipe = model.node("PLT-SZ").recipe["PH001-256"]
    assert "MB-PH001-256" not in recipe
    assert recipe["PAS-MLCC"] == pytest.approx(387.0 / (1 - 0.045) / (1 - 0.005))


def test_store_network_solves_with_full_service(model):
    """The sample network is feasible: every unit of demand is delivered."""
    res = model.solve()
    assert res.status is SolveStatus.OPTIMAL
    assert res.service == pytest.approx(1.0)
    assert res.cost_breakdown["purchase"] > 0
    assert res.flows.loc[res.flows["src"] == "PLT-SZ", "qty"].sum() > 0


def test_closing_the_big_plant_is_infeasible_for_lack_of_plant_capacity(model):
    """Without Shenzhen, Chengdu's lines cannot make four weeks of demand; the conflict says so."""
    res = apply(model, Scenario(name="no Shenzhen", edits=[NodeClosed(node="PLT-SZ")])).solve()
    assert res.status is SolveStatus.INFEASIBLE
    assert "PLT-CD" in set(res.conflict_table.loc[res.conflict_table["kind"] == "plant", "node"])
    assert "after closing PLT-SZ" in res.reasons[0]


def test_period_without_demand_has_no_customers(store):
    """A period with no demand at all builds a network with no customers to serve."""
    m = NetworkModel.from_store(store, start=dt.date(2000, 1, 1), end=dt.date(2000, 1, 31))
    assert not any(nd.kind == "customer" for nd in m.nodes.values())


def test_start_after_end_is_refused(store):
    """start after end is an input error naming 'start'."""
    with pytest.raises(InputError, match="The 'start' parameter of from_store must be on or "
                                         "before 'end'"):
        NetworkModel.from_store(store, start="2026-10-31", end="2026-10-01")


def test_store_without_demand_is_refused(sqlite_store):
    """An empty store has nothing to plan for, and says to import demand."""
    with pytest.raises(InputError, match="The store has no demand to plan for"):
        NetworkModel.from_store(sqlite_store)
