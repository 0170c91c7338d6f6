"""Which of a list of regular expressions may match a text, told by plain substring tests.

Lexicon rules written as regular expressions (verification phrases: ~18 searched in
every sentence) mostly match nothing; CPython's ``re`` scans the whole sentence for each.
Every match of a rule contains one of a few literal strings read from its parsed pattern
("(?:a|ont) (?:démenti|nié)" cannot match without "démenti" or "nié"), so a rule whose
strings are all absent is skipped: the rules tried are the same up to the first that
matches, which is the same match.

Case-insensitive rules compare lowercased strings. ``str.lower`` and ``re``'s
case-insensitive matching agree on every character but the few that ``re`` folds
specially (long s, dotless i, Kelvin sign, ...: ``re._casefix``) and the capital dotted I
(lowered to two characters): a text holding any of those tries every rule.
"""

from __future__ import annotations

import re
from re import _casefix, _parser  # CPython's own parser of patterns: what re compiles
from re import _constants as sre
from typing import Any

_MAX_STRINGS = 64  # alternatives kept for one part of a pattern
_MIN_LENGTH = 4  # shorter strings occur everywhere: a part with longer ones is preferred


def required_strings(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """Strings one of which every match of ``pattern`` contains, or None when no such
    set is found (lookarounds, classes, optional parts only ...)."""
    found = _required(list(_parser.parse(pattern.pattern, pattern.flags)))
    if not found or "" in found:
        return None
    return tuple(sorted(set(found)))


def _finite(item: tuple[Any, Any]) -> list[str] | None:
    """Every string one parsed item matches, when it matches a few literal strings."""
    op, arg = item
    if op is sre.LITERAL:
        return [chr(arg)]
    if op is sre.IN:
        return [chr(v) for _, v in arg] if all(o is sre.LITERAL for o, _ in arg) else None
    if op is sre.SUBPATTERN:
        return None if arg[1] or arg[2] else _expand(arg[-1])  # (?i:...): flags of its own
    if op is sre.BRANCH:
        out: list[str] = []
        for branch in arg[1]:
            strings = _expand(branch)
            if strings is None:
                return None
            out.extend(strings)
        return out if len(out) <= _MAX_STRINGS else None
    return None


def _expand(sequence: Any) -> list[str] | None:
    out = [""]
    for item in sequence:
        strings = _finite(item)
        if strings is None:
            return None
        out = [a + b for a in out for b in strings]
        if len(out) > _MAX_STRINGS:
            return None
    return out


def _required(sequence: Any) -> list[str] | None:
    """One set of strings that every match of the parsed ``sequence`` contains one of:
    among its parts (runs of consecutive literal items, groups and repeats of at least
    one), the set with the fewest strings of at least ``_MIN_LENGTH`` characters."""
    items = list(sequence)
    finite = [_finite(item) for item in items]
    candidates: list[list[str]] = []
    for first in range(len(items)):
        run = [""]
        for strings in finite[first:]:
            if strings is None or "" in strings:
                break
            run = [a + b for a in run for b in strings]
            if len(run) > _MAX_STRINGS:
                break
            candidates.append(run)
    for (op, arg), strings in zip(items, finite, strict=True):
        if strings is not None:
            continue
        inner: list[str] | None = None
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and arg[0] >= 1:
            inner = _required(arg[2])
        elif op is sre.SUBPATTERN and not (arg[1] or arg[2]):
            inner = _required(arg[-1])
        elif op is sre.BRANCH:
            parts = [_required(branch) for branch in arg[1]]
            if all(parts):
                inner = [s for part in parts for s in part]
        if inner:
            candidates.append(inner)
    candidates = [c for c in candidates if "" not in c]
    if not candidates:
        return None
    long = [c for c in candidates if min(map(len, c)) >= _MIN_LENGTH]
    if long:
        return min(long, key=lambda c: (len(c), -min(map(len, c))))
    return max(candidates, key=lambda c: (min(map(len, c)), -len(c)))


# characters that re's case-insensitive matching folds where str.lower does not agree
_SPECIAL_FOLDS = frozenset(
    chr(c) for k, v in _casefix._EXTRA_CASES.items() for c in (k, *v) if c > 127
) | {"\u0130"}
_SPECIAL_FOLD = re.compile("[" + re.escape("".join(sorted(_SPECIAL_FOLDS))) + "]")


def has_special_fold(text: str) -> bool:
    """Whether ``text`` holds a character that ``re``'s case-insensitive matching folds
    where ``str.lower`` does not agree (there a lowercase literal may match elsewhere than
    where ``str.find`` finds it)."""
    return _SPECIAL_FOLD.search(text) is not None


class Screen:
    """The indexes of ``patterns`` that may match a text (``candidates``), in order."""

    def __init__(self, patterns: list[re.Pattern[str]]) -> None:
        # per pattern: its strings as (case-insensitive, string) pairs, or None: always tried
        self._keys: list[frozenset[tuple[bool, str]] | None] = []
        for pattern in patterns:
            folded = bool(pattern.flags & re.IGNORECASE)
            strings = required_strings(pattern)
            if strings is not None:
                strings = tuple(s.lower() for s in strings) if folded else strings
                # a string that holds another is never the only one present
                strings = tuple(s for s in strings if not any(o != s and o in s for o in strings))
            self._keys.append(None if strings is None else frozenset((folded, s) for s in strings))
        every = set().union(*(k for k in self._keys if k is not None))
        self._folded_keys = tuple(sorted(s for folded, s in every if folded))
        self._exact_keys = tuple(sorted(s for folded, s in every if not folded))
        self._always = [n for n, keys in enumerate(self._keys) if keys is None]

    def candidates(self, text: str) -> list[int]:
        if self._folded_keys and _SPECIAL_FOLD.search(text) is not None:
            return list(range(len(self._keys)))
        present: set[tuple[bool, str]] = set()
        if self._folded_keys:
            lowered = text.lower()
            present.update((True, key) for key in self._folded_keys if key in lowered)
        present.update((False, key) for key in self._exact_keys if key in text)
        if not present:
            return self._always
        return [
            n for n, keys in enumerate(self._keys) if keys is None or not keys.isdisjoint(present)
        ]
