"""Errors with a code and a reason. The library raises them; the CLI prints them.

Codes: V1xx input and ingest, V2xx cleaning, V3xx knowledge base and language data,
V4xx store, V5xx evaluation, V6xx API.
"""

from __future__ import annotations


class VeilleError(Exception):
    """Base error: ``code`` is stable, ``reason`` is for people."""

    code = "V000"

    def __init__(self, reason: str, *, path: str | None = None) -> None:
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
