"""French numbers: digits as French typesets them, and number words.

Digits: "12 000" (space, no-break or narrow no-break space between groups of three),
"3,5" (decimal comma), "1.000.000" (dot between groups of three), "3.5" (decimal dot
as some outlets write it). Words: "vingt et un", "trois cent mille", parsed by text2num.

A scale word after the number ("50 milliards") is not handled here: text2num would read
"50 milliards" as "50 1000000000"; ``veille.lang.fr.quantities`` owns that grammar.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from text_to_num import text2num

# Spaces French typesetting puts between digit groups: space, no-break, narrow no-break, thin.
GROUP_SPACES = " \u00a0\u202f\u2009"

# A number in digits. Order matters: grouped forms first so "12 000" is one number.
DIGITS_PATTERN = (
    rf"\d{{1,3}}(?:[{GROUP_SPACES}]\d{{3}})+(?:,\d+)?(?![\d.,]\d)"  # 12 000 / 12 000,5
    r"|\d{1,3}(?:\.\d{3})+(?:,\d+)?(?![\d.]\d)"  # 1.000.000
    r"|\d+(?:[,.]\d+)?(?![\d.,]\d)"  # 20 / 3,5 / 3.5
)
_DIGITS_RE = re.compile(rf"(?:{DIGITS_PATTERN})")
_SPACES_RE = re.compile(f"[{GROUP_SPACES}]")
_HYPHENS_RE = re.compile(r"[\s\u2010\u2011-]+")


def exact(value: Decimal) -> Decimal:
    """``value`` without a spurious fractional part: Decimal("3.5E9") -> Decimal("3500000000")."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_digits(text: str) -> Decimal | None:
    """A number written in digits, French style; None when ``text`` is not one."""
    text = text.strip()
    if not _DIGITS_RE.fullmatch(text):
        return None
    text = _SPACES_RE.sub("", text)
    if "," in text:
        text = text.replace(".", "").replace(",", ".")  # 1.000,5 -> 1000.5
    elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}\.\d{3}", text):
        text = text.replace(".", "")  # 1.000.000 and 1.500 are thousands separators
    try:
        return exact(Decimal(text))
    except InvalidOperation:  # pragma: no cover - the regex admits only digits
        return None


@lru_cache(maxsize=4096)
def parse_number_words(text: str) -> Decimal | None:
    """A cardinal number in French words ("vingt et un", "trois cent mille"), else None."""
    words = _HYPHENS_RE.sub(" ", text.strip().lower())
    if not words:
        return None
    try:
        return Decimal(text2num(words, "fr"))
    except ValueError:
        return None


def parse_number(text: str) -> Decimal | None:
    """A number in digits or in words, else None."""
    value = parse_digits(text)
    if value is not None:
        return value
    return parse_number_words(text)
