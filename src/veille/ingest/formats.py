"""Input formats: .txt, .html/.htm, .jsonl -> RawDocument (bytes, decoded text, metadata)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from veille.errors import printable
from veille.ingest.errors import FormatError, InputError, RepairedInputWarning
from veille.ingest.read import decode_text, read_bytes
from veille.model import FuzzyDate, Precision, stable_id


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input document before cleaning. ``article_id`` is known before any NLP."""

    source: str  # absolute path, ``path#L3`` for a JSONL line, or the URL it gives
    input_format: str  # txt, html, jsonl
    text: str  # decoded text (HTML markup for html)
    raw_hash: str
    encoding: str = "utf-8"
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    language: str | None = None  # when the source says (JSONL "language"); else detected
    path: str = ""  # the file it came from (``file:line`` for JSONL), for error messages
    warnings: tuple[InputError, ...] = ()  # repaired on the way in; stored all the same
    meta_hash: str = ""  # what a metadata table says about it (veille.ingest.meta)

    @property
    def article_id(self) -> str:
        # metadata is part of the input: a corrected manifest row makes a new version
        if self.meta_hash:
            return stable_id(self.source, self.raw_hash, self.meta_hash)
        return stable_id(self.source, self.raw_hash)


def parse_partial_date(value: object) -> FuzzyDate:
    """``2023``, ``2023-10``, ``2023-10-04`` or an ISO datetime; unknown otherwise."""
    if not isinstance(value, str) or not value.strip():
        return FuzzyDate.unknown()
    text = value.strip()
    try:
        if len(text) == 4 and text.isdigit():
            return FuzzyDate(date(int(text), 1, 1), Precision.YEAR)
        if len(text) == 7 and text[4] == "-":
            return FuzzyDate(date(int(text[:4]), int(text[5:7]), 1), Precision.MONTH)
        return FuzzyDate(date.fromisoformat(text[:10]), Precision.DAY)
    except ValueError:
        return FuzzyDate.unknown()


def source_key(path: Path) -> str:
    """The absolute path as stored and hashed: printable, valid UTF-8 whatever the name.

    A name with bytes that are not UTF-8, or with control characters, gets visible escapes
    (``\\xff``, ``\\n``): the same file always gets the same key.
    """
    return printable(os.path.abspath(path))


def _valid_str(value: str) -> str:
    """JSON may carry lone surrogates (``"\\ud800"``); they cannot be stored as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def _string(record: dict, key: str) -> str | None:
    value = record.get(key)
    return _valid_str(value) if isinstance(value, str) else None


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """JSONL lines split on ``\\n`` only: U+2028, U+0085 and the like are valid inside a
    JSON string, and ``str.splitlines`` would cut a record (and shift every line number)."""
    for number, line in enumerate(text.split("\n"), start=1):
        yield number, line.removesuffix("\r")


def raw_digest(raw: bytes) -> str:
    """The content address of input bytes (also the name of fetched bytes kept on disk)."""
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def read_documents(path: Path, max_bytes: int) -> Iterator[RawDocument | InputError]:
    """The documents in one file: one for .txt/.html, one per line for .jsonl."""
    source = source_key(path)
    try:
        raw = read_bytes(path, max_bytes)
        text, encoding = decode_text(raw, str(path))
    except InputError as error:
        yield error
        return
    warnings: tuple[InputError, ...] = ()
    if encoding.startswith("utf-8 ("):  # "utf-8 (2 invalid bytes replaced)"
        warnings = (
            RepairedInputWarning(
                f"stored as UTF-8; {encoding.removeprefix('utf-8 (').rstrip(')')} by U+FFFD",
                path=str(path),
            ),
        )
        encoding = "utf-8"
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        for item in _jsonl(path, source, text):
            if warnings and isinstance(item, RawDocument) and "\ufffd" in item.text:
                item = replace(item, warnings=warnings)
            yield item
        return
    kind = "html" if suffix in (".html", ".htm") else "txt"
    yield RawDocument(
        source=source,
        input_format=kind,
        text=text,
        raw_hash=raw_digest(raw),
        encoding=encoding,
        path=str(path),
        warnings=warnings,
    )


def _jsonl(path: Path, source: str, text: str) -> Iterator[RawDocument | InputError]:
    for number, line in _lines(text):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield FormatError(f"invalid JSON: {exc.msg}", path=where)
            continue
        if not isinstance(record, dict):
            yield FormatError("a JSONL line must be an object", path=where)
            continue
        body = _string(record, "text")
        if body is None or not body.strip():
            yield FormatError('missing or empty "text" field', path=where)
            continue
        url = _string(record, "url")
        outlet = _string(record, "outlet")  # else the URL's host, in to_article
        title = _string(record, "title")
        language = _string(record, "language")
        if not (isinstance(language, str) and language.isalpha() and 2 <= len(language) <= 3):
            language = None
        yield RawDocument(
            source=url or f"{source}#L{number}",
            input_format="jsonl",
            text=body,
            raw_hash=raw_digest(line.encode("utf-8", "surrogatepass")),
            title=title.strip() or None if title else None,
            url=url,
            outlet=outlet,
            published=parse_partial_date(record.get("published")),
            language=language.lower() if language else None,
            path=where,
        )
