"""Scoring predictions against gold annotations (``shared/gold/FORMAT.md``).

Library first: ``veille eval`` prints what these functions return.

Decisions where FORMAT.md leaves room, fixed here so scores are comparable over time:

- **Text normalisation** (evidence, entity names, speakers, body checks): Unicode
  compatibility decomposition with accents dropped, case folded, typographic apostrophes
  read as ``'``, double quotes of every style (``« »``, curly, straight) read as spaces
  (French sets ``« »`` off with spaces, English does not), dashes as ``-``, ``œ``/``æ`` as
  ``oe``/``ae``, and any whitespace run (non-breaking and narrow spaces included) as one
  space.
- **Evidence**: a gold ``evidence`` may be one snippet or a list; a prediction matches when
  its evidence contains any of them. A prediction's evidence is its ``evidence`` plus, when
  present, every sentence in ``evidence_all`` (an aid commitment stated in several places).
- **Greedy one-to-one matching** (events, aid, claims, quantities): gold items with
  ``required`` true (the default) are visited first, then the optional ones, each group in
  gold order; each takes, among the still unmatched predictions that match it, the one
  agreeing on the most scored attributes, ties going to the earlier prediction. Matches to
  optional gold items are neither credited nor false positives. Attribute accuracies are
  computed on the credited (required) pairs only.
- **Match keys "when the gold has one"**: the event actor, the aid donor and recipient and
  the claim speaker_country constrain the match only when the gold value is not null.
- **Attributes**: null equals null; codes and names compare normalised. Event ``mode`` is
  scored only where the gold mode is not null. Event ``location`` is right when the
  normalised place names are equal or the ``location_country`` values are equal. Event
  ``date`` compares the date strings. Aid ``value`` is right within 1% (null only equals
  null). Aid ``items`` is right when the two lists pair up one-to-one on system (equal
  names or one name's words a subset of the other's: "Patriot" ~ "MIM-104 Patriot"),
  quantity and qualifier.
- **Claim speaker** (lenient): right when the normalised gold speaker equals the predicted
  ``speaker`` (the KB canonical name when linked, English like the gold), its surface text
  ``speaker_text``, or any of ``speaker_aliases`` (the KB's aliases, when exported).
- **Quantities**: value (numerically), unit and qualifier equal and the texts overlap: one
  normalised text contains the other, or both share a token that holds a digit (spaces
  inside numbers removed first: "12 000" = "12000"). Predictions with the same value, unit
  and qualifier are one fact (the gold lists facts, not mentions): they count once, and
  match through any of their texts.
- **Undefined scores**: a part with nothing in gold and nothing predicted has precision,
  recall and F1 of ``None`` (per document and overall); otherwise a 0/0 ratio is 0.0.
  A gold document without a prediction is scored against an empty prediction.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any, Protocol

from veille.errors import EvalError
from veille.model import Analysis

PARTS: tuple[str, ...] = ("events", "aid", "claims")

# ---------------------------------------------------------------------------
# Normalisation

_CHAR_MAP = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "`": "'",
        "\u00b4": "'",
        # double quotes of any style are dropped: French puts spaces inside « »
        '"': " ",
        "\u201c": " ",
        "\u201d": " ",
        "\u201e": " ",
        "\u201f": " ",
        "\u00ab": " ",
        "\u00bb": " ",
        "\u2039": " ",
        "\u203a": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u0153": "oe",
        "\u0152": "oe",
        "\u00e6": "ae",
        "\u00c6": "ae",
    }
)
_SPACES = re.compile(r"\s+")
_SPACE_IN_NUMBER = re.compile(r"(?<=\d)\s+(?=\d)")
_TOKEN = re.compile(r"\w+|[^\w\s]")


def normalize_text(text: str | None) -> str:
    """Text as the scorer compares it: no accents, case, typographic quotes, extra spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.translate(_CHAR_MAP))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.translate(_CHAR_MAP).casefold()).strip()


def _norm_value(value: Any) -> Any:
    return normalize_text(value) if isinstance(value, str) else value


def _same(gold: Any, pred: Any) -> bool:
    """Equality with null == null and strings compared normalised."""
    return _norm_value(gold) == _norm_value(pred)


def _as_decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# ---------------------------------------------------------------------------
# Score containers


@dataclass(slots=True)
class Tally:
    """``correct`` out of ``total``; ``share`` is ``None`` when there is nothing to count."""

    correct: int = 0
    total: int = 0

    @property
    def share(self) -> float | None:
        return self.correct / self.total if self.total else None

    def add(self, other: Tally) -> None:
        self.correct += other.correct
        self.total += other.total

    def record(self, ok: bool) -> None:
        self.correct += int(ok)
        self.total += 1


@dataclass(slots=True)
class PartScore:
    """Matching result for one list part (events, aid, claims or quantities)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    ignored: int = 0  # predictions matched to optional gold items
    attributes: dict[str, Tally] = field(default_factory=dict)
    # for inspection, per document only (not summed): credited (gold index, prediction
    # index) pairs, required gold items left unmatched, predictions matching nothing
    pairs: list[tuple[int, int]] = field(default_factory=list)
    missed: list[int] = field(default_factory=list)
    false_positives: list[int] = field(default_factory=list)

    @property
    def defined(self) -> bool:
        return bool(self.tp or self.fp or self.fn)

    @property
    def precision(self) -> float | None:
        if not self.defined:
            return None
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float | None:
        if not self.defined:
            return None
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, other: PartScore) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        self.ignored += other.ignored
        for name, tally in other.attributes.items():
            self.attributes.setdefault(name, Tally()).add(tally)

    def to_dict(self, with_attributes: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "precision": self.precision,
            "recall": self.recall,
            "f1": self.f1,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "ignored": self.ignored,
        }
        if with_attributes:
            out["attributes"] = {name: t.share for name, t in self.attributes.items()}
            out["attribute_counts"] = {
                name: {"correct": t.correct, "total": t.total}
                for name, t in self.attributes.items()
            }
        return out


@dataclass(slots=True)
class DocScore:
    """Every part of FORMAT.md for one document (or summed over all of them)."""

    body: Tally = field(default_factory=Tally)
    published: Tally = field(default_factory=Tally)
    entities: Tally = field(default_factory=Tally)
    events: PartScore = field(default_factory=PartScore)
    aid: PartScore = field(default_factory=PartScore)
    claims: PartScore = field(default_factory=PartScore)
    quantities: PartScore = field(default_factory=PartScore)
    predicted: bool = True  # False when the gold document had no prediction
    # per document: what was missed and what was predicted in vain, part by part
    details: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def add(self, other: DocScore) -> None:
        self.body.add(other.body)
        self.published.add(other.published)
        self.entities.add(other.entities)
        self.events.add(other.events)
        self.aid.add(other.aid)
        self.claims.add(other.claims)
        self.quantities.add(other.quantities)

    def to_dict(self, *, details: bool = False) -> dict[str, Any]:
        out = {
            "body": {
                "score": self.body.share,
                "passed": self.body.correct,
                "total": self.body.total,
            },
            "published": {
                "accuracy": self.published.share,
                "correct": self.published.correct,
                "total": self.published.total,
            },
            "entities": {
                "recall": self.entities.share,
                "matched": self.entities.correct,
                "total": self.entities.total,
            },
            "events": self.events.to_dict(),
            "aid": self.aid.to_dict(),
            "claims": self.claims.to_dict(),
            "quantities": self.quantities.to_dict(with_attributes=False),
        }
        if details:
            out["details"] = self.details
        return out


@dataclass(slots=True)
class EvalReport:
    """Per-document scores, their micro-averaged sum, and what could not be paired."""

    documents: dict[str, DocScore]
    missing: list[str] = field(default_factory=list)  # gold docs with no prediction
    unscored: list[str] = field(default_factory=list)  # predictions with no gold

    @property
    def overall(self) -> DocScore:
        total = DocScore()
        for doc in self.documents.values():
            total.add(doc)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall.to_dict(),
            "documents": {
                name: self.documents[name].to_dict(details=True) for name in sorted(self.documents)
            },
            "missing": list(self.missing),
            "unscored": list(self.unscored),
        }


# ---------------------------------------------------------------------------
# Loading


def _read_json_dir(
    directory: str | Path, what: str, check: Callable[[dict, str], None] | None = None
) -> dict[str, dict]:
    path = Path(directory)
    if not path.is_dir():
        raise EvalError(f"{what} directory does not exist", path=str(path))
    out: dict[str, dict] = {}
    for file in sorted(path.glob("*.json")):
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise EvalError(f"cannot read {what} file as JSON: {exc}", path=str(file)) from exc
        if not isinstance(data, dict):
            raise EvalError(f"{what} file does not hold a JSON object", path=str(file))
        if not isinstance(data.get("doc") or "", str):
            raise EvalError(f'{what} file: "doc" must be a string', path=str(file))
        if check is not None:
            check(data, str(file))
        doc = data.get("doc") or file.name.removesuffix(".json")
        if doc in out:
            raise EvalError(f"two {what} files are for document {doc}", path=str(file))
        out[doc] = data
    return out


_GOLD_LISTS = ("entities", "events", "aid", "claims", "quantities")


def _check_gold(data: dict, where: str) -> None:
    """A gold file with a wrong field type is one clear error, never a traceback later."""
    for part in _GOLD_LISTS:
        items = data.get(part)
        if items is not None and not (
            isinstance(items, list) and all(isinstance(i, dict) for i in items)
        ):
            raise EvalError(f'gold file: "{part}" must be a list of objects', path=where)
    body = data.get("body")
    if body is not None and not isinstance(body, dict):
        raise EvalError('gold file: "body" must be an object', path=where)
    for key in ("must_drop", "must_keep"):
        lines = (body or {}).get(key)
        if lines is not None and not (
            isinstance(lines, list) and all(isinstance(x, str) for x in lines)
        ):
            raise EvalError(f'gold file: "body.{key}" must be a list of strings', path=where)
    try:  # every other value: scoring the gold against itself must work
        score_document(data, data)
    except (TypeError, AttributeError, ValueError, KeyError, ArithmeticError) as exc:
        raise EvalError(
            f"gold file has a value of the wrong type ({type(exc).__name__}: {exc})", path=where
        ) from exc


def load_gold(gold_dir: str | Path) -> dict[str, dict]:
    """Gold files of a directory, keyed by document name (the ``doc`` field)."""
    gold = _read_json_dir(gold_dir, "gold", _check_gold)
    if not gold:
        raise EvalError("no gold files (*.json) found", path=str(gold_dir))
    return gold


def load_predictions(pred_dir: str | Path) -> dict[str, dict]:
    """Prediction files of a directory (``veille export --format gold``), keyed by doc."""
    return _read_json_dir(pred_dir, "prediction")


# ---------------------------------------------------------------------------
# Parts scored as shares


def score_body(gold_body: dict | None, pred_body: dict | None) -> Tally:
    """must_drop lines absent and must_keep snippets present in the clean text."""
    tally = Tally()
    gold_body = gold_body or {}
    text = normalize_text((pred_body or {}).get("clean_text") or "")
    for line in gold_body.get("must_drop") or []:
        tally.record(normalize_text(line) not in text)
    for snippet in gold_body.get("must_keep") or []:
        tally.record(normalize_text(snippet) in text)
    return tally


def _published_key(value: Any) -> tuple[str, str] | None:
    if not isinstance(value, dict) or not value.get("date"):
        return None
    return str(value["date"]), str(value.get("precision") or "unknown")


def score_published(gold_published: Any, pred_published: Any) -> Tally:
    """Date string and precision equal; a null gold date wants a null prediction."""
    tally = Tally()
    tally.record(_published_key(gold_published) == _published_key(pred_published))
    return tally


_COARSE_TYPES = {"PER": "PER", "ORG": "ORG", "LOC": "LOC", "GPE": "LOC", "MISC": "MISC"}


def coarse_type(label: str | None) -> str:
    """PER, ORG, LOC (GPE included) or MISC (weapons and anything else)."""
    return _COARSE_TYPES.get((label or "").upper(), "MISC")


def _entity_names(entity: dict) -> set[str]:
    names = {normalize_text(entity.get("name"))}
    names.update(normalize_text(m) for m in _as_list(entity.get("mentions")))
    names.discard("")
    return names


def score_entities(gold_entities: list[dict], pred_entities: list[dict]) -> Tally:
    """Recall of gold entities: a shared name or mention and the same coarse type."""
    tally = Tally()
    predicted = [(_entity_names(p), coarse_type(p.get("type"))) for p in pred_entities or []]
    for gold in gold_entities or []:
        names, kind = _entity_names(gold), coarse_type(gold.get("type"))
        tally.record(any(kind == pk and names & pn for pn, pk in predicted))
    return tally


# ---------------------------------------------------------------------------
# Greedy one-to-one matching for list parts

AttributeFn = Callable[[dict, dict], bool | None]  # None: not scored for this pair


@dataclass(frozen=True)
class PartRules:
    """How one list part is matched and which attributes are scored on its pairs."""

    matches: Callable[[dict, dict], bool]
    attributes: dict[str, AttributeFn]


def _evidence_contains(gold: dict, pred: dict) -> bool:
    snippets = [normalize_text(s) for s in _as_list(gold.get("evidence"))]
    snippets = [s for s in snippets if s]
    if not snippets:
        return True  # the gold puts no constraint on where the fact is stated
    sentences = [normalize_text(s) for s in _as_list(pred.get("evidence"))]
    sentences += [normalize_text(s) for s in _as_list(pred.get("evidence_all"))]
    return any(snippet in sentence for snippet in snippets for sentence in sentences if sentence)


def _key_agrees(gold: dict, pred: dict, key: str) -> bool:
    """A match key that constrains only when the gold has a value."""
    return gold.get(key) is None or _same(gold.get(key), pred.get(key))


def _types_overlap(gold: dict, pred: dict) -> bool:
    gold_types = {str(t).upper() for t in _as_list(gold.get("type"))}
    pred_types = {str(t).upper() for t in _as_list(pred.get("type"))}
    return bool(gold_types & pred_types)


def _event_matches(gold: dict, pred: dict) -> bool:
    return (
        _types_overlap(gold, pred)
        and _key_agrees(gold, pred, "actor")
        and _evidence_contains(gold, pred)
    )


def _equal_attr(key: str) -> AttributeFn:
    return lambda gold, pred: _same(gold.get(key), pred.get(key))


def _event_mode(gold: dict, pred: dict) -> bool | None:
    if gold.get("mode") is None:
        return None
    return _same(gold.get("mode"), pred.get("mode"))


def _event_location(gold: dict, pred: dict) -> bool:
    if gold.get("location") is not None and _same(gold.get("location"), pred.get("location")):
        return True
    return _same(gold.get("location_country"), pred.get("location_country"))


EVENT_RULES = PartRules(
    matches=_event_matches,
    attributes={
        "mode": _event_mode,
        "modality": _equal_attr("modality"),
        "target": _equal_attr("target"),
        "location": _event_location,
        "date": _equal_attr("date"),
        "claimed_by": _equal_attr("claimed_by"),
        "verification": _equal_attr("verification"),
    },
)


def _aid_matches(gold: dict, pred: dict) -> bool:
    return (
        _key_agrees(gold, pred, "donor")
        and _key_agrees(gold, pred, "recipient")
        and _evidence_contains(gold, pred)
    )


def values_close(gold: Any, pred: Any, tolerance: Decimal = Decimal("0.01")) -> bool:
    """Numbers within ``tolerance`` (relative to the gold value); null equals only null."""
    g, p = _as_decimal(gold), _as_decimal(pred)
    if g is None or p is None:
        return g is None and p is None
    if g == 0:
        return p == 0
    return abs(p - g) <= tolerance * abs(g)


def _aid_value(gold: dict, pred: dict) -> bool:
    return values_close(gold.get("value"), pred.get("value"))


def _systems_agree(gold: Any, pred: Any) -> bool:
    g, p = normalize_text(gold), normalize_text(pred)
    if g == p:
        return True
    g_words, p_words = set(_TOKEN.findall(g)), set(_TOKEN.findall(p))
    return bool(g_words and p_words) and (g_words <= p_words or p_words <= g_words)


def _item_agrees(gold: dict, pred: dict) -> bool:
    same_quantity = _as_decimal(gold.get("quantity")) == _as_decimal(pred.get("quantity"))
    return (
        _systems_agree(gold.get("system"), pred.get("system"))
        and same_quantity
        and _same(gold.get("qualifier"), pred.get("qualifier"))
    )


def _aid_items(gold: dict, pred: dict) -> bool:
    gold_items = [i for i in _as_list(gold.get("items")) if isinstance(i, dict)]
    pred_items = [i for i in _as_list(pred.get("items")) if isinstance(i, dict)]
    if len(gold_items) != len(pred_items):
        return False
    left = list(range(len(pred_items)))
    for item in gold_items:
        hit = next((i for i in left if _item_agrees(item, pred_items[i])), None)
        if hit is None:
            return False
        left.remove(hit)
    return True


AID_RULES = PartRules(
    matches=_aid_matches,
    attributes={
        "value": _aid_value,
        "qualifier": _equal_attr("qualifier"),
        "status": _equal_attr("status"),
        "mechanism": _equal_attr("mechanism"),
        "items": _aid_items,
    },
)


def _claim_matches(gold: dict, pred: dict) -> bool:
    return _key_agrees(gold, pred, "speaker_country") and _evidence_contains(gold, pred)


def speaker_agrees(gold: dict, pred: dict) -> bool:
    """The lenient speaker equality documented at the top of this module."""
    wanted = normalize_text(gold.get("speaker"))
    if not wanted:
        return not normalize_text(pred.get("speaker"))
    names = [pred.get("speaker"), pred.get("speaker_text"), *_as_list(pred.get("speaker_aliases"))]
    return any(normalize_text(n) == wanted for n in names if isinstance(n, str))


CLAIM_RULES = PartRules(
    matches=_claim_matches,
    attributes={"speaker": speaker_agrees, "verification": _equal_attr("verification")},
)

RULES: dict[str, PartRules] = {"events": EVENT_RULES, "aid": AID_RULES, "claims": CLAIM_RULES}


def _required(item: dict) -> bool:
    return item.get("required", True) is not False


def _agreement(rules: PartRules, gold: dict, pred: dict) -> int:
    return sum(1 for fn in rules.attributes.values() if fn(gold, pred))


def match_part(gold_items: list[dict], pred_items: list[dict], rules: PartRules) -> PartScore:
    """Greedy one-to-one matching (order documented at the top of this module)."""
    result = PartScore(attributes={name: Tally() for name in rules.attributes})
    order = [i for i, g in enumerate(gold_items) if _required(g)]
    order += [i for i, g in enumerate(gold_items) if not _required(g)]
    used: set[int] = set()
    for gi in order:
        gold = gold_items[gi]
        candidates = [
            pi for pi, pred in enumerate(pred_items) if pi not in used and rules.matches(gold, pred)
        ]
        if not candidates:
            if _required(gold):
                result.fn += 1
                result.missed.append(gi)
            continue
        best = max(candidates, key=lambda pi: (_agreement(rules, gold, pred_items[pi]), -pi))
        used.add(best)
        if not _required(gold):
            result.ignored += 1
            continue
        result.tp += 1
        result.pairs.append((gi, best))
        for name, fn in rules.attributes.items():
            verdict = fn(gold, pred_items[best])
            if verdict is not None:
                result.attributes[name].record(verdict)
    result.false_positives = [pi for pi in range(len(pred_items)) if pi not in used]
    result.fp = len(result.false_positives)
    return result


# ---------------------------------------------------------------------------
# Quantities


def _quantity_tokens(text: str) -> set[str]:
    return {t for t in _TOKEN.findall(text) if any(c.isdigit() for c in t)}


def texts_overlap(gold_text: str | None, pred_text: str | None) -> bool:
    """One normalised text inside the other, or a shared token holding a digit."""
    g = _SPACE_IN_NUMBER.sub("", normalize_text(gold_text))
    p = _SPACE_IN_NUMBER.sub("", normalize_text(pred_text))
    if not g or not p:
        return False
    return g in p or p in g or bool(_quantity_tokens(g) & _quantity_tokens(p))


def _quantity_key(item: dict) -> tuple[Decimal | None, str, str]:
    value = _as_decimal(item.get("value"))
    return (
        value.normalize() if value is not None else None,
        normalize_text(item.get("unit")),
        normalize_text(item.get("qualifier") or "exact"),
    )


def score_quantities(gold_items: list[dict], pred_items: list[dict]) -> PartScore:
    """Quantities as facts: identical predictions count once (see module docstring)."""

    def matches(gold: dict, fact: dict) -> bool:
        return _quantity_key(gold) == _quantity_key(fact) and any(
            texts_overlap(gold.get("text"), text) for text in fact["texts"]
        )

    facts = _distinct_quantities(pred_items)
    return match_part(gold_items, facts, PartRules(matches=matches, attributes={}))


def _distinct_quantities(pred_items: list[dict]) -> list[dict]:
    """Predictions merged per (value, unit, qualifier); ``texts`` lists every mention."""
    facts: dict[tuple, dict] = {}
    for pred in pred_items:
        fact = facts.setdefault(_quantity_key(pred), {**pred, "texts": []})
        fact["texts"].append(pred.get("text") or "")
    return list(facts.values())


# ---------------------------------------------------------------------------
# Whole documents


def score_document(gold: dict, pred: dict | None) -> DocScore:
    """Score one prediction (``None`` when missing) against its gold."""
    pred = pred or {}
    result = DocScore(predicted=bool(pred))
    clean_text = (pred.get("body") or {}).get("clean_text") or ""
    result.body = score_body(gold.get("body"), pred.get("body"))
    result.published = score_published(gold.get("published"), pred.get("published"))
    result.entities = score_entities(gold.get("entities") or [], pred.get("entities") or [])
    for part in PARTS:
        setattr(
            result,
            part,
            match_part(gold.get(part) or [], pred.get(part) or [], RULES[part]),
        )
    result.quantities = score_quantities(gold.get("quantities") or [], pred.get("quantities") or [])
    for part in (*PARTS, "quantities"):
        scored: PartScore = getattr(result, part)
        gold_items, pred_items = gold.get(part) or [], pred.get(part) or []
        if part == "quantities":
            pred_items = _distinct_quantities(pred_items)
        result.details[part] = {
            "missed": [
                _missed_summary(part, gold_items[i], pred_items, clean_text) for i in scored.missed
            ],
            "false_positives": [_summary(part, pred_items[i]) for i in scored.false_positives],
        }
        if part in RULES:
            result.details[part]["wrong_attributes"] = [
                _wrong_attributes(RULES[part], gold_items[gi], pred_items[pi])
                for gi, pi in scored.pairs
                if any(fn(gold_items[gi], pred_items[pi]) is False
                       for fn in RULES[part].attributes.values())
            ]  # fmt: skip
    return result


def _wrong_attributes(rules: PartRules, gold: dict, pred: dict) -> dict[str, Any]:
    """A matched pair's attributes that disagree: {name: (gold value, predicted value)}."""
    wrong = {
        name: (gold.get(name), pred.get(name))
        for name, fn in rules.attributes.items()
        if fn(gold, pred) is False
    }
    return {"evidence": pred.get("evidence"), "wrong": wrong}


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"A-ZÀ-Ý0-9])|\n+")


def sentence_with(text: str, snippet: str) -> str | None:
    """The sentence (or line) of ``text`` whose normalised form holds the snippet."""
    target = normalize_text(snippet)
    if not target or not text:
        return None
    for sentence in _SENTENCE_END.split(text):
        if target in normalize_text(sentence):
            return sentence.strip()
    return text.strip() if target in normalize_text(text) else None


def _missed_summary(part: str, gold: dict, preds: list[dict], clean_text: str) -> dict[str, Any]:
    """A missed gold item, the article sentence that states it, and the predictions made
    from that sentence that did not match it (wrong type, actor, donor...): what to fix."""
    out = _summary(part, gold)
    if part == "quantities":
        return out
    snippets = [s for s in _as_list(gold.get("evidence")) if s]
    out["sentence"] = next(
        (found for s in snippets if (found := sentence_with(clean_text, s))), None
    )
    out["near"] = [
        _summary(part, pred) for pred in preds if snippets and _evidence_contains(gold, pred)
    ]
    for near in out["near"]:
        near.pop("evidence", None)
    return out


_SUMMARY_KEYS = {
    "events": ("type", "actor", "target", "location"),
    "aid": ("donor", "recipient", "value", "status"),
    "claims": ("speaker", "speaker_country"),
    "quantities": ("text", "value", "unit", "qualifier"),
}


def _summary(part: str, item: dict) -> dict[str, Any]:
    """The few fields that identify an item in a report, evidence shortened."""
    out = {key: item.get(key) for key in _SUMMARY_KEYS[part]}
    if part != "quantities":
        evidence = item.get("evidence")
        if isinstance(evidence, str) and len(evidence) > 160:
            evidence = evidence[:157] + "..."
        out["evidence"] = evidence
    return out


def score(gold: dict[str, dict], pred: dict[str, dict]) -> EvalReport:
    """Score predictions against gold, both keyed by document name."""
    documents = {doc: score_document(g, pred.get(doc)) for doc, g in sorted(gold.items())}
    return EvalReport(
        documents=documents,
        missing=sorted(doc for doc in gold if doc not in pred),
        unscored=sorted(doc for doc in pred if doc not in gold),
    )


def evaluate_dirs(gold_dir: str | Path, pred_dir: str | Path) -> EvalReport:
    """Score a directory of prediction files against a directory of gold files."""
    return score(load_gold(gold_dir), load_predictions(pred_dir))


class AnalysisSource(Protocol):
    """What ``evaluate_store`` needs from a store."""

    def iter_analyses(self, article_ids: Iterable[str] | None = None) -> Iterator[Analysis]: ...


def doc_name(source: str) -> str:
    """The gold ``doc`` for an article source: the file name of a path or URL."""
    name = PurePosixPath(source.replace("\\", "/").split("?", 1)[0].rstrip("/")).name
    return name or source


def latest_per_doc(analyses: Iterable[Analysis]) -> dict[str, Analysis]:
    """One analysis per document name: the most recently ingested version wins."""
    chosen: dict[str, Analysis] = {}
    for analysis in analyses:
        name = doc_name(analysis.article.source)
        current = chosen.get(name)
        if current is None or version_key(analysis) > version_key(current):
            chosen[name] = analysis
    return chosen


def version_key(analysis: Analysis) -> tuple[str, str]:
    """Orders versions of one document: ingestion time, then article id."""
    ingested = analysis.article.ingested_at
    return (ingested.isoformat() if ingested else "", analysis.article.id)


def predictions_from_analyses(analyses: Iterable[Analysis], kb: Any = None) -> dict[str, dict]:
    """Gold-shaped predictions for the latest version of each document.

    ``kb`` (a ``veille.kb.KnowledgeBase``, optional) adds speakers' KB aliases.
    """
    from veille.export.gold import analysis_to_prediction

    return {name: analysis_to_prediction(a, kb) for name, a in latest_per_doc(analyses).items()}


def evaluate_store(gold_dir: str | Path, store: AnalysisSource, kb: Any = None) -> EvalReport:
    """Score what a store holds, predicting on the fly, against a gold directory."""
    return score(load_gold(gold_dir), predictions_from_analyses(store.iter_analyses(), kb))
