"""``ask``, ``chat`` and ``report`` on a Typer app, through typer.testing.CliRunner."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from supplypilot.nlp.cli import register_cli


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    register_cli(a)
    return a


def test_ask_json_prints_the_call_the_results_and_the_text(app, store_url):
    """``ask --json`` gives the parsed call, the tool results and the text."""
    res = CliRunner().invoke(app, ["ask", "PH001-512现在还有多少库存", "--json", "--db", store_url])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["tool_calls"] == [{"name": "inventory_position", "args": {"item": "PH001-512"}}]
    assert data["results"][0]["lines"] and "PH001-512" in data["text"]


def test_ask_prints_a_question_for_an_unknown_supplier(app, store_url):
    """A name that is not in the data gets a question, not an answer."""
    res = CliRunner().invoke(app, ["ask", "What if supplier Foxconn's lead time doubles?", "--db", store_url])
    assert res.exit_code == 0 and "Foxconn" in res.stdout and "SUP-HQE" in res.stdout


def test_chat_keeps_the_conversation(app, store_url):
    """In chat, "那华北仓呢？" follows the previous stock question."""
    res = CliRunner().invoke(app, ["chat", "--db", store_url],
                             input="华东仓Pad 1的库存有多少？\n那华北仓呢？\nexit\n")
    assert res.exit_code == 0, res.output
    assert "DC-EAST" in res.stdout and "DC-NORTH" in res.stdout


def test_ask_refuses_a_bad_language_option(app, store_url):
    """--lang accepts zh or en only, with the standard exit code 2."""
    res = CliRunner().invoke(app, ["ask", "x", "--lang", "fr", "--db", store_url])
    assert res.exit_code == 2
