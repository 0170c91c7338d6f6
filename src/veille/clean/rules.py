"""Cleaning rules loaded from the language packs' ``clean.yaml`` data files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from veille.errors import DataFileError

CLEAN_FILE = "clean.yaml"


def line_key(line: str) -> str:
    """A comparison key: case, accents kept, everything but letters and digits removed."""
    return "".join(filter(str.isalnum, line.casefold()))


@dataclass(frozen=True)
class CleanRules:
    widget_keys: frozenset[str]
    boilerplate: tuple[re.Pattern[str], ...]
    caption_credits: tuple[re.Pattern[str], ...]
    metadata: tuple[re.Pattern[str], ...]
    months: dict[str, int]
    related_headers: frozenset[str] = frozenset()  # line keys opening a list of links
    line_tails: tuple[re.Pattern[str], ...] = ()  # cut from the end of a line
    social_signatures: tuple[re.Pattern[str], ...] = ()  # "— Name (@handle) May 12, 2024"
    function_words: frozenset[str] = frozenset()  # of every pack: a line without any is foreign


_PART = re.compile(r"\{([a-z_]+)\}")


def _expand(pattern: str, parts: dict[str, str], where: str, key: str) -> str:
    """Replace each ``{name}`` by its named part (regex quantifiers like {1,40} are left)."""

    def part(match: re.Match[str]) -> str:
        if match.group(1) not in parts:
            raise DataFileError(f"{key}: unknown part {{{match.group(1)}}}", path=where)
        return parts[match.group(1)]

    return _PART.sub(part, pattern)


def _compile(
    patterns: list[str], where: str, key: str, parts: dict[str, str] | None = None
) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or ():
        try:
            compiled.append(re.compile(_expand(str(pattern), parts or {}, where, key), re.I))
        except re.error as exc:
            raise DataFileError(f"{key}: bad pattern {pattern!r}: {exc}", path=where) from exc
    return tuple(compiled)


def _parts(data: dict, where: str) -> dict[str, str]:
    """Named pattern parts of one file: ``agency`` from the agency names, then the regexes."""
    parts: dict[str, str] = {}
    agencies = data.get("agencies") or []
    if agencies:
        names = sorted({str(a) for a in agencies}, key=len, reverse=True)
        spaced = (re.escape(n).replace("\\ ", r"\s+") for n in names)
        parts["agency"] = r"(?<![\w-])(?:" + "|".join(spaced) + r")(?![\w-])"
    for name, regex in (data.get("pattern_parts") or {}).items():
        try:
            re.compile(str(regex))
        except re.error as exc:
            raise DataFileError(f"pattern_parts: bad part {name!r}: {exc}", path=where) from exc
        parts[str(name)] = f"(?:{regex})"
    return parts


def load_rules(paths: list[Path] | None = None) -> CleanRules:
    """Merge the ``clean.yaml`` of every language pack (or of ``paths``).

    Cleaning runs before language identification, so the rules of all packs apply.
    """
    if paths is None:
        from veille.lang import get_pack, supported

        paths = [get_pack(code).data_dir / CLEAN_FILE for code in supported()]
        paths = [p for p in paths if p.exists()]
    widgets: set[str] = set()
    boilerplate: list[re.Pattern[str]] = []
    captions: list[re.Pattern[str]] = []
    metadata: list[re.Pattern[str]] = []
    months: dict[str, int] = {}
    related: set[str] = set()
    tails: list[re.Pattern[str]] = []
    signatures: list[re.Pattern[str]] = []
    function_words: set[str] = set()
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataFileError(f"cannot load cleaning rules: {exc}", path=str(path)) from exc
        if not isinstance(data, dict):
            raise DataFileError("expected a mapping at the top level", path=str(path))
        where = str(path)
        parts = _parts(data, where)
        widgets.update(line_key(w) for w in data.get("widget_lines") or ())
        related.update(line_key(w) for w in data.get("related_link_headers") or ())
        function_words.update(str(w).casefold() for w in data.get("function_words") or ())
        boilerplate += _compile(
            data.get("boilerplate_patterns"), where, "boilerplate_patterns", parts
        )
        tails += _compile(data.get("line_tail_patterns"), where, "line_tail_patterns", parts)
        signatures += _compile(
            data.get("social_signature_patterns"), where, "social_signature_patterns", parts
        )
        captions += _compile(data.get("caption_credit_patterns"), where, "caption_credit_patterns")
        metadata += _compile(data.get("metadata_patterns"), where, "metadata_patterns")
        for entry in data.get("month_names") or ():
            try:
                months[str(entry["form"]).casefold()] = int(entry["month"])
            except (KeyError, TypeError, ValueError) as exc:
                raise DataFileError(f"month_names: bad entry {entry!r}", path=where) from exc
    return CleanRules(
        widget_keys=frozenset(widgets),
        boilerplate=tuple(boilerplate),
        caption_credits=tuple(captions),
        metadata=tuple(metadata),
        months=months,
        related_headers=frozenset(related),
        line_tails=tuple(tails),
        social_signatures=tuple(signatures),
        function_words=frozenset(function_words),
    )
