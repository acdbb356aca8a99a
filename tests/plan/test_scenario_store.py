"""ScenarioStore: scenarios saved as JSON by name, listed, loaded; side-by-side tables."""

from __future__ import annotations

import pytest

from supplypilot.config import home
from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.plan.network import NetworkModel
from supplypilot.plan.scenario import (
    DemandChange,
    NodeClosed,
    Scenario,
    ScenarioStore,
    apply,
    compare_side_by_side,
)

SCENARIO = Scenario(name="roastery2 down", description="Roastery 2 closes for repairs.",
                    edits=[NodeClosed(node="roastery2"), DemandChange(node="cafe1", pct=10)])


def small_model() -> NetworkModel:
    m = NetworkModel()
    m.add_supplier("S", capacity={"p": 100})
    m.add_dc("D1")
    m.add_dc("D2")
    m.add_customer("C", {"p": 50})
    m.add_lane("S", "D1", cost=1.0)
    m.add_lane("S", "D2", cost=2.0)
    m.add_lane("D1", "C", cost=1.0)
    m.add_lane("D2", "C", cost=1.0)
    return m


def test_save_then_load_returns_the_same_scenario(tmp_path):
    """A saved scenario loads back equal, edits and all."""
    store = ScenarioStore(tmp_path)
    store.save(SCENARIO)
    assert store.load("roastery2 down") == SCENARIO


def test_default_folder_is_under_supplypilot_home():
    """Without a folder, scenarios live in <SUPPLYPILOT_HOME>/scenarios as <name>.json."""
    path = ScenarioStore().save(SCENARIO)
    assert path == home() / "scenarios" / "roastery2 down.json"
    assert '"kind": "node_closed"' in path.read_text(encoding="utf-8")


def test_list_returns_saved_names_sorted(tmp_path):
    """list() gives the names of every saved scenario, sorted."""
    store = ScenarioStore(tmp_path)
    for name in ("b", "a", "需求上涨"):
        store.save(Scenario(name=name))
    assert store.list() == ["a", "b", "需求上涨"]


def test_list_of_a_missing_folder_is_empty(tmp_path):
    """A store whose folder does not exist yet lists nothing."""
    assert ScenarioStore(tmp_path / "nowhere").list() == []


def test_save_refuses_to_overwrite_when_asked(tmp_path):
    """overwrite=False refuses to replace an existing scenario."""
    store = ScenarioStore(tmp_path)
    store.save(SCENARIO)
    with pytest.raises(InputError, match="already exists"):
        store.save(SCENARIO, overwrite=False)


def test_load_unknown_name_lists_known_ones(tmp_path):
    """Loading a name that was never saved names the saved ones."""
    store = ScenarioStore(tmp_path)
    store.save(SCENARIO)
    with pytest.raises(UnknownEntityError, match="known scenarios are roastery2 down"):
        store.load("roastery3 down")


def test_name_with_a_path_is_refused(tmp_path):
    """A name that would leave the folder is refused."""
    with pytest.raises(InputError, match="The 'name' parameter of ScenarioStore"):
        ScenarioStore(tmp_path).save(Scenario(name="../escape"))


def test_delete_removes_the_file(tmp_path):
    """delete() removes a saved scenario."""
    store = ScenarioStore(tmp_path)
    store.save(SCENARIO)
    store.delete("roastery2 down")
    assert store.list() == []


def test_corrupt_file_is_an_input_error(tmp_path):
    """A scenario file that is not JSON is reported with its path."""
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="A scenario must be a JSON object") as err:
        ScenarioStore(tmp_path).load("broken")
    assert err.value.where.endswith("broken.json")


def test_side_by_side_has_one_column_per_result():
    """Baseline and a scenario side by side: cost, change, service and the busiest lanes."""
    base = small_model()
    results = [base.solve(), apply(base, Scenario(name="no D1", edits=[NodeClosed(node="D1")]))
               .solve()]
    table = compare_side_by_side(results, key_flows=2)
    assert list(table.columns) == ["baseline", "no D1"]
    assert table.loc["cost"].tolist() == [100.0, 150.0]
    assert table.loc["cost change"].tolist() == [0.0, 50.0]
    assert table.loc["service %"].tolist() == [100.0, 100.0]
    assert table.loc["flow S→D1"].tolist() == [50.0, 0.0]
