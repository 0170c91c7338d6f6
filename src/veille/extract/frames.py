"""Frames: predicates and their arguments, found by dependency patterns kept as data.

A frame is a predicate token (a verb, or a noun that names an event) with its arguments
by role: subject, passive subject, object, passive agent, ... The pack's ``frames.yaml``
gives, for each role, spaCy ``DependencyMatcher`` patterns anchored on the predicate (the
node "pred") that name the argument (the node "arg"); a role's patterns are tried in order.
So the shapes French writes an argument in ("une dizaine de drones" counted through its
quantity noun, a subject the parser hung on the auxiliary) are data, and another language
pack brings its own patterns rather than code.

All patterns run once per document over the whole parse; the result is cached on the
``Doc`` (``doc.user_data``), so events, aid and claims share one pass.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.lang import read_data_file

FRAMES_FILE = "frames.yaml"
PREDICATE_NODE = "pred"
ARGUMENT_NODE = "arg"
COUNTED_NODE = "counted"
_CACHE_KEY = "veille.frames"


@dataclass(slots=True)
class Frame:
    """One predicate and its arguments, each role's tokens in pattern order."""

    predicate: Any
    args: dict[str, list[Any]] = field(default_factory=dict)

    def arg(self, role: str) -> Any | None:
        found = self.args.get(role)
        return found[0] if found else None


@dataclass(frozen=True)
class FramePatterns:
    """The roles in priority order, each with its patterns (already expanded)."""

    roles: tuple[tuple[str, tuple[list[dict[str, Any]], ...]], ...]
    transparent: tuple[list[dict[str, Any]], ...]
    spans: dict[str, list[list[dict[str, Any]]]]
    lists: dict[str, frozenset[str]]
    path: str


def _expand(value: Any, lists: dict[str, list[str]], path: Path) -> Any:
    """Replace "$name" by the list of that name, anywhere in a pattern."""
    if isinstance(value, str) and value.startswith("$"):
        if value[1:] not in lists:
            raise DataFileError(f"unknown list {value!r} in a pattern", path=str(path))
        return list(lists[value[1:]])
    if isinstance(value, dict):
        return {k: _expand(v, lists, path) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, lists, path) for v in value]
    return value


def _check(where: str, pattern: Any, path: Path, first: str, named: str) -> list[dict[str, Any]]:
    if not isinstance(pattern, list) or not pattern:
        raise DataFileError(f"{where}: a pattern must be a non-empty list", path=str(path))
    ids = [node.get("RIGHT_ID") for node in pattern if isinstance(node, dict)]
    if len(ids) != len(pattern) or ids[0] != first or named not in ids:
        raise DataFileError(
            f"{where}: a pattern starts at {first!r} and names {named!r}", path=str(path)
        )
    return pattern


@functools.cache
def load_frame_patterns(data_dir: Path) -> FramePatterns:
    path = Path(data_dir) / FRAMES_FILE
    data = read_data_file(path, "frame patterns")
    lists = {str(k): [str(w) for w in v] for k, v in (data.get("lists") or {}).items()}
    roles = []
    for role, patterns in (data.get("roles") or {}).items():
        expanded = tuple(
            _check(f"role {role!r}", _expand(p, lists, path), path, PREDICATE_NODE, ARGUMENT_NODE)
            for p in patterns or []
        )
        roles.append((str(role), expanded))
    transparent = tuple(
        _check("transparent", _expand(p, lists, path), path, ARGUMENT_NODE, COUNTED_NODE)
        for p in data.get("transparent") or []
    )
    spans = {}
    for name, patterns in (data.get("spans") or {}).items():
        if not isinstance(patterns, list) or not all(isinstance(p, list) for p in patterns):
            raise DataFileError(f"spans {name!r}: a list of token patterns", path=str(path))
        spans[str(name)] = [_expand(p, lists, path) for p in patterns]
    return FramePatterns(
        roles=tuple(roles),
        transparent=transparent,
        spans=spans,
        lists={k: frozenset(v) for k, v in lists.items()},
        path=str(path),
    )


class SpanFinder:
    """Runs a pack's named token patterns (``spans`` in frames.yaml) over a document."""

    def __init__(self, vocab: Any, patterns: FramePatterns) -> None:
        from spacy.matcher import Matcher

        self.matcher = Matcher(vocab)
        for name, token_patterns in patterns.spans.items():
            try:
                self.matcher.add(name, token_patterns)
            except ValueError as exc:
                raise DataFileError(f"spans {name!r}: {exc}", path=patterns.path) from None

    def __call__(self, doc: Any) -> dict[str, list[tuple[int, int]]]:
        found: dict[str, list[tuple[int, int]]] = {}
        for match_id, start, end in self.matcher(doc):
            found.setdefault(doc.vocab.strings[match_id], []).append((start, end))
        return {name: sorted(spans) for name, spans in found.items()}


class FrameParser:
    """Runs a pack's frame patterns over a parsed document."""

    def __init__(self, vocab: Any, patterns: FramePatterns) -> None:
        from spacy.matcher import DependencyMatcher

        self.patterns = patterns
        self.matcher = DependencyMatcher(vocab)
        # one key per pattern, so a match tells its role and its rank within the role
        self.keys: dict[int, tuple[int, str, int, int, int]] = {}
        for order, (role, role_patterns) in enumerate(patterns.roles):
            for rank, pattern in enumerate(role_patterns):
                key = f"frame:{role}:{rank}"
                try:
                    self.matcher.add(key, [pattern])
                except ValueError as exc:
                    raise DataFileError(
                        f"role {role!r} pattern {rank + 1}: {exc}", path=patterns.path
                    ) from None
                nodes = [node["RIGHT_ID"] for node in pattern]
                key_hash = vocab.strings[key]
                self.keys[key_hash] = (
                    order,
                    role,
                    rank,
                    nodes.index(PREDICATE_NODE),
                    nodes.index(ARGUMENT_NODE),
                )
        self.transparent: dict[int, tuple[int, int]] = {}
        for rank, pattern in enumerate(patterns.transparent):
            key = f"frame-transparent:{rank}"
            try:
                self.matcher.add(key, [pattern])
            except ValueError as exc:
                raise DataFileError(
                    f"transparent pattern {rank + 1}: {exc}", path=patterns.path
                ) from None
            nodes = [node["RIGHT_ID"] for node in pattern]
            self.transparent[vocab.strings[key]] = (
                nodes.index(ARGUMENT_NODE),
                nodes.index(COUNTED_NODE),
            )

    def __call__(self, doc: Any) -> dict[int, Frame]:
        found: list[tuple[int, int, int, int, str]] = []
        stands_for: dict[int, int] = {}
        for match_id, token_ids in self.matcher(doc):
            if match_id in self.transparent:
                arg, counted = self.transparent[match_id]
                stands_for.setdefault(token_ids[arg], token_ids[counted])
                continue
            order, role, rank, pred, arg = self.keys[match_id]
            found.append((token_ids[pred], order, rank, token_ids[arg], role))
        frames: dict[int, Frame] = {}
        for pred, _order, _rank, arg_i, role in sorted(found):
            arg = stands_for.get(arg_i, arg_i)
            frame = frames.get(pred)
            if frame is None:
                frame = frames[pred] = Frame(doc[pred])
            tokens = frame.args.setdefault(role, [])
            if doc[arg] not in tokens:
                tokens.append(doc[arg])
        return frames


_PARSERS: dict[tuple[int, Path], FrameParser] = {}


def _parser(vocab: Any, data_dir: Path) -> FrameParser:
    key = (id(vocab), data_dir)
    if key not in _PARSERS:
        _PARSERS[key] = FrameParser(vocab, load_frame_patterns(data_dir))
    return _PARSERS[key]


def frames_of(doc: Any, data_dir: Path) -> dict[int, Frame]:
    """Every frame of the document by predicate token index (cached on the document)."""
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is None:
        parser = _parser(doc.vocab, Path(data_dir))
        cached = doc.user_data[_CACHE_KEY] = parser(doc)
    return cached


_SPAN_FINDERS: dict[tuple[int, Path], SpanFinder] = {}
_SPANS_KEY = "veille.frame_spans"


def spans_of(doc: Any, data_dir: Path, name: str) -> list[tuple[int, int]]:
    """Token spans (start, end) matched by the named token patterns, in text order."""
    cached = doc.user_data.get(_SPANS_KEY)
    if cached is None:
        key = (id(doc.vocab), Path(data_dir))
        if key not in _SPAN_FINDERS:
            _SPAN_FINDERS[key] = SpanFinder(doc.vocab, load_frame_patterns(Path(data_dir)))
        cached = doc.user_data[_SPANS_KEY] = _SPAN_FINDERS[key](doc)
    return cached.get(name, [])


def frame_at(doc: Any, data_dir: Path, token: Any) -> Frame:
    """The frame of one predicate token (an empty frame when no pattern matched)."""
    return frames_of(doc, data_dir).get(token.i) or Frame(token)
