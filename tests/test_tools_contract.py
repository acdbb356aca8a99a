"""Every registered tool: described in both languages, schema snapshot, standard errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from supplypilot.errors import InputError, UnknownEntityError
from supplypilot.tools import REGISTRY, Context

SNAPSHOT = Path(__file__).parent / "fixtures" / "tool_schemas.json"
TOOLS = list(REGISTRY)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_tool_is_described_in_english_and_chinese(tool):
    """Each tool has an English and a Chinese one-line description."""
    assert tool.description and not CJK.search(tool.description)
    assert CJK.search(tool.description_zh)


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_every_input_field_is_described(tool):
    """A language model sees a description for every parameter."""
    for name, field in tool.input_model.model_fields.items():
        assert field.description, f"{tool.name}.{name} has no description"


@pytest.mark.parametrize("tool", TOOLS, ids=lambda t: t.name)
def test_strict_schema_lists_every_property(tool):
    """The strict schema forbids extra keys and requires every property."""
    schema = tool.input_schema(strict=True)
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == set(schema.get("properties", {}))


def test_schemas_match_the_snapshot():
    """Tool schemas change only on purpose (update tests/fixtures/tool_schemas.json)."""
    current = json.loads(json.dumps(REGISTRY.schemas(), ensure_ascii=False))
    if not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(current, ensure_ascii=False, indent=1, sort_keys=True))
    assert current == json.loads(SNAPSHOT.read_text())


def test_invalid_argument_gets_the_standard_message(sqlite_store):
    """A bad value names the parameter, the tool and the value received."""
    tool = REGISTRY.get("lineage")
    with pytest.raises(InputError, match=r"The 'limit' parameter of lineage is invalid: .*Got 0 instead"):
        tool.run({"ref": "X", "limit": 0}, Context(store_url=sqlite_store.url))
    assert sum(sqlite_store.counts().values()) == 0


def test_unknown_tool_is_named():
    """Asking for a tool that does not exist names it and lists the known ones."""
    with pytest.raises(UnknownEntityError, match="forecast_everything"):
        REGISTRY.get("forecast_everything")


def test_roles_filter_the_registry():
    """A viewer cannot see tools that write."""
    viewer = REGISTRY.for_role("viewer")
    assert viewer and not any(t.writes for t in viewer)
    with pytest.raises(PermissionError):
        REGISTRY.get("import_data").run({"paths": ["x.csv"]}, Context(role="viewer"))
