"""Read one input file safely: size limit, regular files only, encoding detection."""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from veille.ingest.errors import (
    BinaryInputError,
    DecodeError,
    EmptyInputError,
    TooLargeError,
    UnreadableError,
)

_SNIFF = 8192
_CONTROL_OK = {"\t", "\n", "\r", "\f", "\v"}
_MAX_CONTROL_SHARE = 0.02  # decoded "text" with more control characters is not text
# Single-byte Western guesses that charset-normalizer may return for Latin text; cp1252
# (the usual legacy web encoding) is tried first when the bytes are valid cp1252.
_WESTERN_SINGLE_BYTE = ("cp125", "latin", "iso8859", "mac_")


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """The file's bytes; errors for non-regular, unreadable, empty or too large files."""
    try:
        info = os.stat(path)
    except OSError as exc:
        raise UnreadableError(f"cannot stat file: {exc.strerror or exc}", path=str(path)) from exc
    if not path.is_file():
        raise UnreadableError("not a regular file", path=str(path))
    if info.st_size > max_bytes:
        raise TooLargeError(
            f"file is {info.st_size / 1_048_576:.1f} MB, above the "
            f"{max_bytes / 1_048_576:.0f} MB limit (setting max_file_mb)",
            path=str(path),
        )
    try:
        with open(path, "rb") as handle:
            raw = handle.read(max_bytes + 1)  # never trust st_size alone (growing files)
    except OSError as exc:
        raise UnreadableError(f"cannot read file: {exc.strerror or exc}", path=str(path)) from exc
    if len(raw) > max_bytes:
        raise TooLargeError("file grew above the size limit while reading", path=str(path))
    if not raw.strip():
        raise EmptyInputError("empty file (no text)", path=str(path))
    return raw


def _control_share(text: str) -> float:
    sample = text[:_SNIFF]
    if not sample:
        return 0.0
    bad = sum(1 for ch in sample if (ch < " " and ch not in _CONTROL_OK) or ch == "\ufffd")
    return bad / len(sample)


def decode_text(raw: bytes, path: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), a BOM-marked UTF-16/32, else detected."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            try:
                return raw.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(
                    f"invalid {encoding} despite its byte-order mark", path=path
                ) from exc
    if b"\x00" in raw[:_SNIFF]:
        raise BinaryInputError("binary file (NUL bytes), not text", path=path)
    try:
        text, encoding = raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = _detect(raw, path)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise BinaryInputError("binary file (control characters), not text", path=path)
    return text, encoding


def _detect(raw: bytes, path: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None or not best.encoding:
        raise DecodeError(
            "cannot decode: not UTF-8 and no other encoding fits the bytes", path=path
        )
    if best.encoding.startswith(_WESTERN_SINGLE_BYTE):
        try:
            return raw.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    return str(best), best.encoding
