"""Input formats: .txt, .html/.htm, .jsonl -> RawDocument (bytes, decoded text, metadata)."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from veille.errors import printable
from veille.ingest.errors import (
    EmptyInputError,
    FormatError,
    InputError,
    RepairedInputWarning,
    TooLargeError,
    UnreadableError,
)
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
    """The documents in one file: one for .txt/.html, one per line for .jsonl.

    A UTF-8 JSONL file is streamed record by record, with ``max_bytes`` as the limit of
    one record, not of the file: a dump of any size reads in bounded memory.
    """
    source = source_key(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl" and _streamable(path):
        yield from _jsonl_stream(path, source, max_bytes)
        return
    try:
        raw = read_bytes(path, max_bytes)
        text, encoding = decode_text(raw, str(path))
    except InputError as error:
        yield error
        return
    warnings = _repair_warnings(encoding, str(path))
    encoding = "utf-8" if warnings else encoding
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


def _repair_warnings(encoding: str, where: str) -> tuple[InputError, ...]:
    if encoding.startswith("utf-8 ("):  # "utf-8 (2 invalid bytes replaced)"
        repaired = encoding.removeprefix("utf-8 (").rstrip(")")
        return (RepairedInputWarning(f"stored as UTF-8; {repaired} by U+FFFD", path=where),)
    return ()


def _streamable(path: Path) -> bool:
    """A regular file whose lines end with the byte ``\\n`` (not UTF-16/32: read whole)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError:
        return False  # read_bytes reports why
    if not path.is_file() or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" not in head


def _jsonl_stream(path: Path, source: str, max_bytes: int) -> Iterator[RawDocument | InputError]:
    limit = f"{max_bytes / 1_048_576:.0f} MB limit (setting max_file_mb)"
    seen_text = False
    try:
        with open(path, "rb") as handle:
            number = 0
            while True:
                raw = handle.readline(max_bytes + 1)
                if not raw:
                    break
                number += 1
                where = f"{path}:{number}"
                if len(raw) > max_bytes and not raw.endswith(b"\n"):
                    while raw and not raw.endswith(b"\n"):  # skip the rest of the record
                        raw = handle.readline(1 << 20)
                    seen_text = True
                    yield TooLargeError(f"JSONL record is above the {limit}", path=where)
                    continue
                if number == 1:
                    raw = raw.removeprefix(codecs.BOM_UTF8)
                raw = raw.removesuffix(b"\n").removesuffix(b"\r")
                if not raw.strip():
                    continue
                seen_text = True
                try:
                    line, encoding = decode_text(raw, where)
                except InputError as error:
                    yield error
                    continue
                item = _jsonl_record(path, source, number, line)
                warnings = _repair_warnings(encoding, where)
                if warnings and isinstance(item, RawDocument):
                    item = replace(item, warnings=warnings)
                yield item
    except OSError as exc:
        yield UnreadableError(f"cannot read file: {exc.strerror or exc}", path=str(path))
        return
    if not seen_text:
        yield EmptyInputError("empty file (no text)", path=str(path))


def _jsonl(path: Path, source: str, text: str) -> Iterator[RawDocument | InputError]:
    for number, line in _lines(text):
        if line.strip():
            yield _jsonl_record(path, source, number, line)


def _jsonl_record(path: Path, source: str, number: int, line: str) -> RawDocument | InputError:
    """One JSONL line (``number`` counts from 1) as a document, or why it is not one."""
    where = f"{path}:{number}"
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return FormatError(f"invalid JSON: {exc.msg}", path=where)
    if not isinstance(record, dict):
        return FormatError("a JSONL line must be an object", path=where)
    body = _string(record, "text")
    if body is None or not body.strip():
        return FormatError('missing or empty "text" field', path=where)
    url = _string(record, "url")
    outlet = _string(record, "outlet")  # else the URL's host, in to_article
    title = _string(record, "title")
    language = _string(record, "language")
    if not (isinstance(language, str) and language.isalpha() and 2 <= len(language) <= 3):
        language = None
    return RawDocument(
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
