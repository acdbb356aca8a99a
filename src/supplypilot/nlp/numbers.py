"""Numbers as people write them: Arabic, Chinese numerals, English words, with multipliers.

Both the slot filler (reading "两千台", "百分之二十", "1.5 million") and the grounding check
(reading the numbers a generated text states) need the same reading of a number, so it lives
here once.
"""

from __future__ import annotations

import re

__all__ = ["CN_DIGITS", "NUMBER", "chinese_to_number", "parse_number", "words_to_number"]

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
             "七": 7, "八": 8, "九": 9}
_CN_SMALL = {"十": 10, "百": 100, "千": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_CN_CHARS = "".join(CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)

_ARABIC = r"\d+(?:,\d{3})*(?:\.\d+)?"
_MULT = r"(?:\s*(?:万|千|百万|亿|k\b|K\b|million\b|thousand\b|m\b))?"
NUMBER = re.compile(rf"(?:{_ARABIC}){_MULT}|[{_CN_CHARS}]+")
"""One number as written: ``1,200``, ``1.5万``, ``800k``, ``两千五``."""

_EN_UNITS = {"zero": 0, "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
             "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
             "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
             "eighteen": 18, "nineteen": 19, "couple": 2, "few": 3}
_EN_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
            "eighty": 80, "ninety": 90}
_EN_SCALE = {"hundred": 100, "thousand": 1000, "million": 1_000_000}
EN_NUMBER_WORDS = frozenset(_EN_UNITS) | frozenset(_EN_TENS) | frozenset(_EN_SCALE)


def _cn_section(text: str) -> float:
    """A Chinese numeral below 10,000 ("三千五百", "两千五", "十二")."""
    total, digit, last_unit = 0.0, None, 1
    for ch in text:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            unit = _CN_SMALL[ch]
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    if digit is not None:
        # "两千五" means 2,500: a trailing digit counts in the unit below the last one.
        total += digit * (last_unit // 10 if last_unit >= 100 and text[-1] in CN_DIGITS
                          and len(text) > 1 and text[-2] in _CN_SMALL else 1)
    return total


def chinese_to_number(text: str) -> float | None:
    """Read a Chinese numeral; ``None`` when ``text`` is not one.

    Examples
    --------
    >>> chinese_to_number("两千"), chinese_to_number("三千五百"), chinese_to_number("两千五")
    (2000.0, 3500.0, 2500.0)
    >>> chinese_to_number("十四"), chinese_to_number("一百二十万")
    (14.0, 1200000.0)
    """
    if not text or any(ch not in _CN_CHARS for ch in text):
        return None
    if all(ch in CN_DIGITS for ch in text) and len(text) > 1:  # "二〇二六": digit by digit
        return float("".join(str(CN_DIGITS[ch]) for ch in text))
    total, rest = 0.0, text
    for big_char, big in sorted(_CN_BIG.items(), key=lambda kv: -kv[1]):
        if big_char in rest:
            head, rest = rest.split(big_char, 1)
            total += (_cn_section(head) if head else 1) * big
            if rest and rest[0] in CN_DIGITS and len(rest) == 1:  # "三万五" = 35,000
                return total + CN_DIGITS[rest] * big / 10
    return total + (_cn_section(rest) if rest else 0.0)


def words_to_number(words: list[str]) -> float | None:
    """Read English number words ("two", "twenty five", "a hundred"); ``None`` if not one."""
    if not words or any(w not in EN_NUMBER_WORDS for w in words):
        return None
    total, current = 0, 0
    for w in words:
        if w in _EN_UNITS:
            current += _EN_UNITS[w]
        elif w in _EN_TENS:
            current += _EN_TENS[w]
        else:
            current = max(current, 1) * _EN_SCALE[w]
            if _EN_SCALE[w] >= 1000:
                total, current = total + current, 0
    return float(total + current)


def parse_number(text: str) -> float | None:
    """Read one number token as matched by :data:`NUMBER`; ``None`` if it is not a number.

    Examples
    --------
    >>> parse_number("1,200"), parse_number("1.5万"), parse_number("800k"), parse_number("两千")
    (1200.0, 15000.0, 800000.0, 2000.0)
    """
    t = text.strip()
    m = re.fullmatch(rf"({_ARABIC})\s*(万|千|百万|亿|k|K|million|thousand|m)?", t)
    if m:
        value = float(m.group(1).replace(",", ""))
        mult = {"万": 1e4, "千": 1e3, "百万": 1e6, "亿": 1e8, "k": 1e3, "K": 1e3, "million": 1e6,
                "thousand": 1e3, "m": 1e6, None: 1.0}[m.group(2)]
        return value * mult
    return chinese_to_number(t)
