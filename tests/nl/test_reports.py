"""Reports and dispatch instructions, the copilot's own registry tools."""

from __future__ import annotations

import pytest

import supplypilot.nlp  # noqa: F401  (registers the copilot's tools)
from supplypilot.tools import REGISTRY, Context


@pytest.fixture
def fast_routes():
    """Route search of a fraction of a second per DC: the tests check the writing, not the routes."""
    tool = REGISTRY.get("plan_routes")
    original = tool.func

    def quick(req, ctx):
        return original(req.model_copy(update={"time_limit_s": 0.5}), ctx)

    object.__setattr__(tool, "func", quick)  # Tool is a frozen dataclass
    try:
        yield
    finally:
        object.__setattr__(tool, "func", original)


def test_the_copilot_tools_are_in_the_registry():
    """daily_report and dispatch_instructions are registry tools with both descriptions."""
    for name in ("daily_report", "dispatch_instructions"):
        t = REGISTRY.get(name)
        assert t.description and t.description_zh and not t.writes


def test_daily_report_writes_markdown_and_html_in_both_languages(store_url, fast_routes):
    """The daily report is written in Chinese and English, as Markdown and as self-contained HTML."""
    res = REGISTRY.get("daily_report").run({"period": "daily"}, Context(store_url=store_url))
    assert res.grounded, res.ungrounded
    assert sorted(p.rsplit(".", 2)[-2] + "." + p.rsplit(".", 1)[-1] for p in res.files) == [
        "en.html", "en.md", "zh.html", "zh.md"]
    zh_md = next(p for p in res.files if p.endswith(".zh.md"))
    text = open(zh_md, encoding="utf-8").read()
    assert "需求预测" in text and "数据与工具来源" in text and res.plots
    html = open(next(p for p in res.files if p.endswith(".en.html")), encoding="utf-8").read()
    assert "data:image/png;base64," in html


def test_carrier_instructions_say_when_and_how_much(store_url, fast_routes):
    """Each truck of a DC gets its departure, its stops with arrival times and the kilograms."""
    res = REGISTRY.get("dispatch_instructions").run({"node": "DC-EAST", "role": "carrier", "use_last_cycle": False},
                                                    Context(store_url=store_url))
    carriers = [i for i in res.instructions if i.role == "carrier"]
    assert carriers and carriers[0].grounded and carriers[0].lines
    first = carriers[0].lines[0]
    assert first.action == "deliver" and first.unit == "kg" and first.qty > 0
    assert first.counterpart in carriers[0].text_en and "出发" in carriers[0].text_zh
    assert res.tools_run == [{"name": "plan_routes", "args": {"depot": "DC-EAST", "time_limit_s": 5.0, "plot": False}}]


def test_dispatch_for_a_site_that_does_not_exist_names_it(store_url):
    """An unknown site is refused with its code and the known plants and DCs, nothing planned."""
    from supplypilot.errors import UnknownEntityError

    with pytest.raises(UnknownEntityError, match="'DC-WEST'.*DC-EAST"):
        REGISTRY.get("dispatch_instructions").run({"node": "DC-WEST"}, Context(store_url=store_url))
