"""Where tool calls come from: the offline parser (default) or an OpenAI-compatible server.

Either way the calls are validated by the registry (the tool's pydantic input model) before
anything runs; a backend only proposes.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

from supplypilot.nlp.backends.offline import OfflineBackend
from supplypilot.nlp.backends.openai import OpenAIBackend

if TYPE_CHECKING:
    from supplypilot.nlp.catalog import Catalog
    from supplypilot.nlp.parser import ParseResult
    from supplypilot.nlp.session import Session

__all__ = ["Backend", "OfflineBackend", "OpenAIBackend", "backend_from_env"]


class Backend(Protocol):
    """Turns an instruction into proposed tool calls or a clarifying question."""

    name: str

    def propose(self, text: str, catalog: Catalog, session: Session) -> ParseResult: ...


def backend_from_env() -> OpenAIBackend | None:
    """The OpenAI-compatible backend when ``SUPPLYPILOT_LLM_BASE_URL`` and
    ``SUPPLYPILOT_LLM_MODEL`` are set (key: ``SUPPLYPILOT_LLM_API_KEY``), else ``None``."""
    url, model = os.environ.get("SUPPLYPILOT_LLM_BASE_URL"), os.environ.get("SUPPLYPILOT_LLM_MODEL")
    if not url or not model:
        return None
    return OpenAIBackend(base_url=url, model=model, api_key=os.environ.get("SUPPLYPILOT_LLM_API_KEY"))
