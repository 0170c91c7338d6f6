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


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le``/``-be`` when NUL bytes sit on one side of nearly every ASCII pair."""
    sample = raw[:_SNIFF]
    if len(sample) < 4 or len(raw) % 2:
        return None
    even, odd = sample[0::2], sample[1::2]
    pairs = len(sample) // 2
    for zeros, encoding in ((odd, "utf-16-le"), (even, "utf-16-be")):
        others = even if zeros is odd else odd
        if zeros.count(0) >= 0.6 * pairs and others.count(0) <= 0.02 * pairs:
            return encoding
    return None


def _mostly_utf8(raw: bytes) -> tuple[str, int] | None:
    """(text, bad bytes) when the bytes are UTF-8 but for a few stray invalid bytes.

    Legacy single-byte text (cp1252 ``é`` = one byte) is invalid UTF-8 at every accented
    letter and has no valid multi-byte sequence; a UTF-8 file with a stray byte has many
    valid accented letters and one or two bad bytes. Decoding it as another encoding would
    turn every accent into mojibake, so the stray bytes become U+FFFD instead.
    """
    bad = len(raw) - len(raw.decode("utf-8", "ignore").encode("utf-8"))
    text = raw.decode("utf-8", "replace")
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    return (text, bad) if good > 2 * bad else None


def decode_text(raw: bytes, path: str) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM), UTF-16/32, else detected.

    ``encoding`` is ``utf-8 (N invalid bytes replaced)`` when a UTF-8 file had stray bytes.
    """
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
        utf16 = _utf16_without_bom(raw)
        if utf16 is None:
            raise BinaryInputError("binary file (NUL bytes), not text", path=path)
        try:
            text, encoding = raw.decode(utf16), utf16
        except UnicodeDecodeError as exc:
            raise BinaryInputError("binary file (NUL bytes), not text", path=path) from exc
    else:
        try:
            text, encoding = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            repaired = _mostly_utf8(raw)
            if repaired is not None:
                text, bad = repaired
                encoding = f"utf-8 ({bad} invalid byte{'s' if bad > 1 else ''} replaced)"
            else:
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
