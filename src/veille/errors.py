"""Errors with a code and a reason. The library raises them; the CLI prints them.

Codes: V1xx input and ingest, V2xx cleaning, V3xx knowledge base and language data,
V4xx store, V5xx evaluation, V6xx API.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import PurePath

# Characters that must never reach a terminal or split a one-line error: C0 and C1
# controls, DEL, line and paragraph separators, and bidirectional overrides (which can
# make a file name read backwards). Everything else prints as it is.
_BIDI_CONTROLS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (os.fsdecode's surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if ch in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _needs_escape(ch: str) -> bool:
    if ch in _BIDI_CONTROLS or 0xDC80 <= ord(ch) <= 0xDCFF:
        return True
    category = unicodedata.category(ch)
    return category in ("Cc", "Zl", "Zp", "Cs")


def printable(value: object) -> str:
    """A path, name or message safe for one terminal line: controls, separators, bidi
    overrides and non-UTF-8 bytes become visible escapes (``\\n``, ``\\x1b``, ``\\xff``).

    Every error line goes through this (``VeilleError`` applies it to path and reason).
    """
    if isinstance(value, bytes):
        value = os.fsdecode(value)
    elif isinstance(value, PurePath):
        value = str(value)
    text = value if isinstance(value, str) else str(value)
    if not any(_needs_escape(ch) for ch in text):
        return text
    return "".join(_escape_char(ch) if _needs_escape(ch) else ch for ch in text)


class VeilleError(Exception):
    """Base error: ``code`` is stable, ``reason`` is for people.

    Path and reason are made printable here, so no error line can be split by a newline
    in a file name or carry a terminal escape sequence.
    """

    code = "V000"

    def __init__(self, reason: str, *, path: str | os.PathLike | bytes | None = None) -> None:
        reason = printable(reason)
        path = printable(path) if path is not None else None
        self.reason = reason
        self.path = path
        where = f"{path}: " if path else ""
        super().__init__(f"{self.code} {where}{reason}")


class InputError(VeilleError):
    code = "V101"


class CleanError(VeilleError):
    code = "V201"


class DataFileError(VeilleError):
    """A shipped or user data file (KB, lexicon, patterns) is malformed."""

    code = "V301"


class StoreError(VeilleError):
    code = "V401"


class EvalError(VeilleError):
    code = "V501"


class ServeError(VeilleError):
    """`veille serve` cannot start (its port is taken, say)."""

    code = "V603"
