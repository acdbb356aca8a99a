"""Text basics shared by the parser, the linker and the grounding check."""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

__all__ = ["CJK", "Language", "detect_language", "normalize", "tokens"]

Language = Literal["zh", "en"]
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[\u3400-\u9fff\uf900-\ufaff]|[+]")


def detect_language(text: str) -> Language:
    """``"zh"`` when the text holds any CJK character, else ``"en"``.

    One Chinese character is enough: mixed instructions ("预测PH002-256的需求") are written for
    a Chinese reader, and the answer should be too.
    """
    return "zh" if CJK.search(text) else "en"


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation to ASCII), curly quotes to straight,
    whitespace collapsed; case is kept because codes and names are read from it."""
    t = unicodedata.normalize("NFKC", text)
    t = t.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = t.replace("\u2014", " - ").replace("\u2013", "-")
    return re.sub(r"\s+", " ", t).strip()


def tokens(text: str) -> list[tuple[str, int, int]]:
    """Lower-case tokens with their character spans: latin words, numbers, single CJK
    characters and ``+``; letters and digits are split ("16GB" → "16", "gb") so that
    "Nova1" and "Nova 1" read the same."""
    low = text.lower().replace("/", "+")
    return [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(low)]
