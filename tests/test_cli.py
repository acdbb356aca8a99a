"""The command line, through Typer's runner: exit codes, tables and --json."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from supplypilot.cli import app

runner = CliRunner()


def test_every_tool_has_a_command():
    """`supplypilot tools --json` lists the registry the commands are built from."""
    res = runner.invoke(app, ["tools", "--json"])
    assert res.exit_code == 0
    assert {"import_data", "lineage", "data_status"} <= set(json.loads(res.stdout))


def test_import_status_and_lineage(tmp_path):
    """Import a file, see it in status and trace a row back to it."""
    db = f"sqlite:///{tmp_path / 'c.db'}"
    (tmp_path / "items.csv").write_text("code,name,kind,unit_cost\nPH-1,Phone,finished,100\n")
    res = runner.invoke(app, ["import", str(tmp_path / "items.csv"), "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["files"][0]["inserted"] == 1
    res = runner.invoke(app, ["status", "--db", db, "--json"])
    tables = {t["entity"]: t["rows"] for t in json.loads(res.stdout)["tables"]}
    assert tables["items"] == 1
    res = runner.invoke(app, ["lineage", "PH-1", "--db", db, "--json"])
    out = json.loads(res.stdout)
    assert out["records"][0]["values"]["source_row"] == 2
    assert out["batches"][0]["source"].endswith("items.csv")


def test_bad_file_exits_2_and_names_the_place(tmp_path):
    """A refused file gives exit code 2 and names file, row and column."""
    db = f"sqlite:///{tmp_path / 'c.db'}"
    (tmp_path / "items.csv").write_text("code,name,kind,unit_cost\nPH-1,Phone,finished,-1\n")
    res = runner.invoke(app, ["import", str(tmp_path / "items.csv"), "--db", db, "--json"])
    assert res.exit_code == 2
    problem = json.loads(res.stdout)["problems"][0]
    assert (problem["row"], problem["column"]) == (2, "unit_cost")


def test_unknown_item_lookup_is_a_clear_error(tmp_path):
    """Asking for demand of an unknown item names it, exit code 2."""
    res = runner.invoke(app, ["data", "demand", "NOPE", "--db", f"sqlite:///{tmp_path / 'c.db'}"])
    assert res.exit_code == 2
    assert "NOPE" in res.output
