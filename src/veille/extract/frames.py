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

import contextlib
import functools
import operator
import re
from collections.abc import Callable, Iterator, Mapping
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
_STANDS_FOR_KEY = "veille.frames.stands_for"


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
        self.by_role = {
            role: tuple(map(_compile, role_patterns)) for role, role_patterns in patterns.roles
        }
        self.transparent = tuple(_compile(p) for p in patterns.transparent)

    def frame(self, token: Any) -> Frame:
        return Frame(token, _RoleArgs(self, token))

    def role_args(self, role: str, token: Any, first: bool = False) -> list[Any]:
        """The arguments of one role, in pattern order (only the first if ``first``)."""
        found: list[Any] = []
        seen: set[int] = set()  # token positions: comparing tokens themselves costs more
        for pattern in self.by_role.get(role, ()):
            if not pattern.check_first(token):  # most patterns stop here: no generator
                continue
            for nodes in _matches(pattern, token):
                arg = self._stands_for(nodes[ARGUMENT_NODE])
                if arg.i not in seen:
                    seen.add(arg.i)
                    found.append(arg)
                    if first:
                        return found
        return found

    def _stands_for(self, token: Any) -> Any:
        """What an argument stands for ("une dizaine de drones" -> drones); cached on the
        document, as an argument is often met again by another role or predicate."""
        known = token.doc.user_data.setdefault(_STANDS_FOR_KEY, {})
        stands_for = known.get(token.i)
        if stands_for is None:
            stands_for = known[token.i] = self._counted(token)
        return stands_for

    def _counted(self, token: Any) -> Any:
        for pattern in self.transparent:
            if not pattern.check_first(token):
                continue
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

    # Mapping's get and ``in`` go through a KeyError for every role without an argument
    def get(self, role: str, default: Any = None) -> Any:
        if role not in self._found:
            self._found[role] = self._parser.role_args(role, self._token)
        return self._found[role] or default

    def __contains__(self, role: object) -> bool:
        return bool(self.get(role))  # type: ignore[arg-type]

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


# Each relation gives the candidates for a node from the token it hangs on.
_RELATIONS: dict[str, Callable[[Any], Any]] = {
    ">": lambda tok: list(tok.children),
    "<": lambda tok: [tok.head] if tok.head.i != tok.i else [],
    ">>": lambda tok: [t for t in tok.subtree if t.i != tok.i],
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
    "DEP": operator.attrgetter("dep_"),
    "POS": operator.attrgetter("pos_"),
    "LEMMA": operator.attrgetter("lemma_"),
    "LOWER": operator.attrgetter("lower_"),
    "TEXT": operator.attrgetter("text"),
    "MORPH": operator.attrgetter("morph"),
}
# Checked first to last: a token fails on its label far more often than on its morphology,
# which is the dearest to read.
_CHECK_ORDER = ("DEP", "POS", "LOWER", "LEMMA", "TEXT", "MORPH")


def _value_test(name: str, wanted: Any) -> list[Callable[[Any], bool]]:
    """The tests one attribute's value must pass (see ``_attr_ok``'s operators)."""
    as_text = name == "MORPH"  # the other attributes are read as strings already
    if not isinstance(wanted, dict):
        if as_text:
            return [lambda value: str(value) == wanted]
        return [lambda value: value == wanted]
    tests: list[Callable[[Any], bool]] = []
    for op, arg in wanted.items():
        if op in ("IN", "NOT_IN"):
            members: Any = arg
            if not as_text:
                with contextlib.suppress(TypeError):  # strings: a set says the same, faster
                    members = frozenset(arg)
            if op == "IN":
                tests.append(lambda value, members=members: value in members)
            else:
                tests.append(lambda value, members=members: value not in members)
        elif op == "REGEX":
            search = re.compile(arg).search
            tests.append(lambda value, search=search: search(str(value)) is not None)
        elif op == "IS_SUPERSET":
            needed = set(arg)
            tests.append(lambda value, needed=needed: needed <= set(str(value).split("|")))
    return tests


def _compile_attrs(attrs: dict[str, Any]) -> Callable[[Any], bool]:
    """One function telling whether a token has ``attrs`` (``RIGHT_ATTRS``): each value read
    once, the operators' arguments prepared once per pattern instead of once per token."""
    checks = tuple(
        (_ATTRIBUTES[name], tuple(_value_test(name, attrs[name])))
        for name in sorted(attrs, key=_CHECK_ORDER.index)
    )
    if not checks:
        return lambda token: True
    if len(checks) == 1 and len(checks[0][1]) == 1:  # most nodes test one attribute once
        (read, (test,)), *_ = checks
        return lambda token: test(read(token))

    def check(token: Any) -> bool:
        for read, tests in checks:
            value = read(token)
            for test in tests:
                if not test(value):
                    return False
        return True

    return check


@dataclass(frozen=True, slots=True)
class _Node:
    name: str
    anchor: str  # the node it is found from
    related: Callable[[Any], Any]
    check: Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class _Compiled:
    first: str
    check_first: Callable[[Any], bool]
    nodes: tuple[_Node, ...]


def _compile(pattern: list[dict[str, Any]]) -> _Compiled:
    head = pattern[0]
    return _Compiled(
        head["RIGHT_ID"],
        _compile_attrs(head.get("RIGHT_ATTRS", {})),
        tuple(
            _Node(
                node["RIGHT_ID"],
                node["LEFT_ID"],
                _RELATIONS[node["REL_OP"]],
                _compile_attrs(node["RIGHT_ATTRS"]),
            )
            for node in pattern[1:]
        ),
    )


def _matches(compiled: _Compiled, token: Any, first: str = PREDICATE_NODE) -> Any:
    """Every assignment of the pattern's nodes to tokens, its first node on ``token``."""
    if compiled.first != first or not compiled.check_first(token):
        return
    nodes = compiled.nodes
    size = len(nodes)

    taken = [token.i]  # the positions of found's tokens: one token fills one node at most

    def extend(index: int, found: dict[str, Any]) -> Any:
        if index == size:
            yield dict(found)
            return
        node = nodes[index]
        check = node.check
        for candidate in node.related(found[node.anchor]):
            if candidate.i in taken or not check(candidate):
                continue
            found[node.name] = candidate
            taken.append(candidate.i)
            yield from extend(index + 1, found)
            taken.pop()
            del found[node.name]

    yield from extend(0, {first: token})


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
