"""Frames: predicates and their arguments, found by dependency patterns kept as data.

A frame is a predicate token (a verb, or a noun that names an event) with its arguments
by role: subject, passive subject, object, passive agent, ... The pack's ``frames.yaml``
gives, for each role, spaCy ``DependencyMatcher`` patterns anchored on the predicate (the
node "pred") that name the argument (the node "arg"); a role's patterns are tried in order.
So the shapes French writes an argument in ("une dizaine de drones" counted through its
quantity noun, a subject the parser hung on the auxiliary) are data, and another language
pack brings its own patterns rather than code.

A frame is matched when an extractor asks for it (``frame_at``) and cached on the ``Doc``
(``doc.user_data``), so events, aid and claims share it. Named token patterns (``spans``,
spaCy ``Matcher``) cover what the parse does not tie together ("dont 48 dans ...").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
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
    args: Mapping[str, list[Any]] = field(default_factory=dict)

    def arg(self, role: str) -> Any | None:
        """The role's first argument (matching stops there)."""
        if isinstance(self.args, _RoleArgs):
            return self.args.first(role)
        found = self.args.get(role)
        return found[0] if found else None

    def each(self, role: str) -> list[Any]:
        """Every argument of the role (empty when there is none)."""
        return self.args.get(role, [])


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
    """Matches a pack's frame patterns on the predicates asked for.

    The patterns are spaCy ``DependencyMatcher`` patterns and are validated by spaCy when
    the pack loads, but they are matched here, from the predicate down, only for the
    tokens an extractor asks about: running the DependencyMatcher over every token of
    every document cost about 8% of the parse, for the few predicates a lexicon knows.
    Supported: the operators ">" (child), "<" (head), ">>" (descendant), ">--" / ">++"
    (a child before / after), "<--" / "<++" (a head before / after), "." / ";" (the
    next / previous word), and token attributes DEP, POS, LEMMA, LOWER, TEXT and MORPH
    with a value or IN, NOT_IN, REGEX, IS_SUPERSET.
    """

    def __init__(self, vocab: Any, patterns: FramePatterns) -> None:
        from spacy.matcher import DependencyMatcher

        validator = DependencyMatcher(vocab)
        for role, role_patterns in patterns.roles:
            for rank, pattern in enumerate(role_patterns):
                _validate(validator, f"role {role!r} pattern {rank + 1}", pattern, patterns)
        for rank, pattern in enumerate(patterns.transparent):
            _validate(validator, f"transparent pattern {rank + 1}", pattern, patterns)
        self.patterns = patterns

        self.by_role = dict(patterns.roles)

    def frame(self, token: Any) -> Frame:
        return Frame(token, _RoleArgs(self, token))

    def role_args(self, role: str, token: Any, first: bool = False) -> list[Any]:
        """The arguments of one role, in pattern order (only the first if ``first``)."""
        found: list[Any] = []
        for pattern in self.by_role.get(role, ()):
            for nodes in _matches(pattern, token):
                arg = self._stands_for(nodes[ARGUMENT_NODE])
                if arg not in found:
                    found.append(arg)
                    if first:
                        return found
        return found

    def _stands_for(self, token: Any) -> Any:
        """What an argument stands for ("une dizaine de drones" -> drones)."""
        for pattern in self.patterns.transparent:
            for nodes in _matches(pattern, token, first=ARGUMENT_NODE):
                return nodes[COUNTED_NODE]
        return token


class _RoleArgs(Mapping[str, list[Any]]):
    """A frame's arguments by role (roles without one are absent), each role matched the
    first time an extractor reads it: a pack has many roles, an extractor reads a few."""

    def __init__(self, parser: FrameParser, token: Any) -> None:
        self._parser, self._token = parser, token
        self._found: dict[str, list[Any]] = {}
        self._first: dict[str, Any] = {}

    def first(self, role: str) -> Any | None:
        """The role's first argument, without matching the rest of the role."""
        if role not in self._found and role not in self._first:
            found = self._parser.role_args(role, self._token, first=True)
            self._first[role] = found[0] if found else None
        if role in self._found:
            return self._found[role][0] if self._found[role] else None
        return self._first[role]

    def __getitem__(self, role: str) -> list[Any]:
        if role not in self._found:
            self._found[role] = self._parser.role_args(role, self._token)
        if not self._found[role]:
            raise KeyError(role)
        return self._found[role]

    def __iter__(self) -> Iterator[str]:
        return (role for role in self._parser.by_role if role in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))


def _validate(validator: Any, where: str, pattern: list, patterns: FramePatterns) -> None:
    try:
        validator.add(where, [pattern])
    except ValueError as exc:
        raise DataFileError(f"{where}: {exc}", path=patterns.path) from None
    for node in pattern:
        op = node.get("REL_OP")
        if op is not None and op not in _RELATIONS:
            raise DataFileError(f"{where}: operator {op!r} is not supported", path=patterns.path)
        unknown = set(node.get("RIGHT_ATTRS", {})) - set(_ATTRIBUTES)
        if unknown:
            raise DataFileError(f"{where}: attributes {sorted(unknown)}", path=patterns.path)


_RELATIONS = {
    ">": lambda tok: list(tok.children),
    "<": lambda tok: [tok.head] if tok.head != tok else [],
    ">>": lambda tok: [t for t in tok.subtree if t != tok],
    # with word order: a child before / after, a head before / after, the next word
    ">--": lambda tok: list(tok.lefts),
    ">++": lambda tok: list(tok.rights),
    "<--": lambda tok: [tok.head] if tok.head.i < tok.i else [],
    "<++": lambda tok: [tok.head] if tok.head.i > tok.i else [],
    # in document order: the parse's own sentence ends are no limit ("Washington" left as
    # a sentence of its own before "et Londres ont livré")
    ".": lambda tok: [tok.nbor()] if tok.i + 1 < len(tok.doc) else [],
    ";": lambda tok: [tok.nbor(-1)] if tok.i > 0 else [],
}
_ATTRIBUTES = {
    "DEP": lambda t: t.dep_,
    "POS": lambda t: t.pos_,
    "LEMMA": lambda t: t.lemma_,
    "LOWER": lambda t: t.lower_,
    "TEXT": lambda t: t.text,
    "MORPH": lambda t: t.morph,
}


def _attr_ok(token: Any, attrs: dict[str, Any]) -> bool:
    for name, wanted in attrs.items():
        value = _ATTRIBUTES[name](token)
        if not isinstance(wanted, dict):
            if str(value) != wanted:
                return False
            continue
        for op, arg in wanted.items():
            if op == "IN" and value not in arg:
                return False
            if op == "NOT_IN" and value in arg:
                return False
            if op == "REGEX" and not re.search(arg, str(value)):
                return False
            if op == "IS_SUPERSET" and not set(arg) <= set(str(value).split("|")):
                return False
    return True


def _matches(pattern: list, token: Any, first: str = PREDICATE_NODE) -> Any:
    """Every assignment of the pattern's nodes to tokens, its first node on ``token``."""
    head = pattern[0]
    if head["RIGHT_ID"] != first or not _attr_ok(token, head.get("RIGHT_ATTRS", {})):
        return

    def extend(index: int, nodes: dict[str, Any]) -> Any:
        if index == len(pattern):
            yield dict(nodes)
            return
        node = pattern[index]
        for candidate in _RELATIONS[node["REL_OP"]](nodes[node["LEFT_ID"]]):
            if candidate in nodes.values() or not _attr_ok(candidate, node["RIGHT_ATTRS"]):
                continue
            nodes[node["RIGHT_ID"]] = candidate
            yield from extend(index + 1, nodes)
            del nodes[node["RIGHT_ID"]]

    yield from extend(1, {first: token})


_PARSERS: dict[tuple[int, Path], FrameParser] = {}


def _parser(vocab: Any, data_dir: Path) -> FrameParser:
    key = (id(vocab), data_dir)
    if key not in _PARSERS:
        _PARSERS[key] = FrameParser(vocab, load_frame_patterns(data_dir))
    return _PARSERS[key]


def frame_at(doc: Any, data_dir: Path, token: Any) -> Frame:
    """The frame of one predicate token (cached on the document)."""
    cache = doc.user_data.setdefault(_CACHE_KEY, {})
    frame = cache.get(token.i)
    if frame is None:
        frame = cache[token.i] = _parser(doc.vocab, Path(data_dir)).frame(token)
    return frame


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
