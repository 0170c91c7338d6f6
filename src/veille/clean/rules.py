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
    return "".join(ch for ch in line.casefold() if ch.isalnum())


@dataclass(frozen=True)
class CleanRules:
    widget_keys: frozenset[str]
    boilerplate: tuple[re.Pattern[str], ...]
    caption_credits: tuple[re.Pattern[str], ...]
    metadata: tuple[re.Pattern[str], ...]
    months: dict[str, int]


def _compile(patterns: list[str], where: str, key: str) -> tuple[re.Pattern[str], ...]:
    compiled = []
    for pattern in patterns or ():
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as exc:
            raise DataFileError(f"{key}: bad pattern {pattern!r}: {exc}", path=where) from exc
    return tuple(compiled)


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
    for path in paths:
        try:
            data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise DataFileError(f"cannot load cleaning rules: {exc}", path=str(path)) from exc
        if not isinstance(data, dict):
            raise DataFileError("expected a mapping at the top level", path=str(path))
        where = str(path)
        widgets.update(line_key(w) for w in data.get("widget_lines") or ())
        boilerplate += _compile(data.get("boilerplate_patterns"), where, "boilerplate_patterns")
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
    )
