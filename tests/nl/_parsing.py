"""Parse helpers shared by the slot-fix tests: one instruction, optionally after earlier turns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from supplypilot.nlp import parse
from supplypilot.nlp.session import Session


def parse_turns(text: str, catalog: Any, context: Sequence[str] = ()) -> Any:
    """The parse result of ``text``, after ``context`` was said in the same session."""
    session = Session() if context else None
    for earlier in context:
        parse(earlier, catalog, session)
    return parse(text, catalog, session)


def single_call(text: str, catalog: Any, context: Sequence[str] = ()) -> tuple[str, dict]:
    """The one tool call ``text`` parses to (name, arguments); fails if it asks or calls several."""
    res = parse_turns(text, catalog, context)
    assert res.ok, (text, res.clarification)
    assert len(res.calls) == 1
    return res.calls[0].name, res.calls[0].args
