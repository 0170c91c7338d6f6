"""French quantities: money, counts, percentages and durations in a parsed doc.

Word starts that begin with a digit or a number word are tried against one compiled
core regex (digits, number words, "une quarantaine de"); an anchored regex at each
core's end reads the scale word and the currency, percent or measure sign; the spaCy
tokens after it give a counted noun's singular lemma. Lexicons live in
``data/quantities.yaml``, ``data/units.yaml``, ``data/currencies.yaml``,
``data/tracked_units.yaml`` (and month names in ``data/dates.yaml``).

``Quantity.kind`` is ``money`` (unit: ISO code), ``percent`` (unit: "percent"),
``count`` (unit: the noun's lemma) or ``duration`` ("deux jours", "45 ans": stored, but
not a fact analysts track). Ranges ("de 2 à 3 milliards de dollars", "entre 20 et 30
drones") give two quantities, the lower one ``min`` and the upper one ``max``. An amount
with a scale word and no currency takes the currency of the previous amount in the same
sentence ("3 milliards d'euros, dont 500 millions ...").

Not quantities: numbers inside dates ("24 février", "février 2022", "en 2014"),
ordinals ("1er", "47e"), model designations ("F-16", "Leopard 2"), fractions ("deux
tiers"), bare numbers with no unit after them, and English amounts ("$61bn").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from veille.errors import DataFileError
from veille.lang.fr.numbers import DIGITS_PATTERN, exact, parse_digits, parse_number_words
from veille.model import Qualifier, Quantity
from veille.spacy_utils import doc_text

DATA_DIR = Path(__file__).parent / "data"

APOSTROPHES = "['’]"
_WS = r"[\s\u00a0\u202f\u2009]"

MONEY = "money"
COUNT = "count"
PERCENT = "percent"
DURATION = "duration"
AGE = "age"  # "un enfant de sept ans": stored, not a fact analysts track
ATTRIBUTE = "attribute"  # "une conférence de deux jours": a property of the noun before
AGO = "ago"  # "il y a deux ans": a point in time, not an amount


def load_yaml(path: Path) -> dict[str, Any]:
    """A lexicon file as a mapping; raises DataFileError naming the file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"cannot read lexicon: {exc}", path=str(path)) from exc
    if not isinstance(data, dict):
        raise DataFileError("lexicon must be a mapping of sections", path=str(path))
    return data


def section(data: dict[str, Any], key: str, path: Path) -> Any:
    """One section of a lexicon; raises DataFileError naming the file when it is missing."""
    if key not in data:
        raise DataFileError(f"missing section {key!r}", path=str(path))
    return data[key]


def phrase_pattern(phrase: str) -> str:
    """A regex for a lexicon phrase: apostrophes match ' and ’, spaces any whitespace."""
    parts = []
    for char in phrase:
        if char in "'’":
            parts.append(APOSTROPHES)
        elif char == " ":
            parts.append(_WS + "+")
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def alternation(phrases: list[str]) -> str:
    """Longest first, so "dollars canadiens" wins over "dollars"."""
    return "|".join(phrase_pattern(p) for p in sorted(set(phrases), key=len, reverse=True))


@dataclass(frozen=True)
class Grammar:
    """Compiled quantity grammar; built once from the data files."""

    core_re: re.Pattern[str]
    tail_re: re.Pattern[str]
    prefix_currency_re: re.Pattern[str]
    qualifier_re: re.Pattern[str]
    suffix_qualifier_re: re.Pattern[str]
    year_cue_re: re.Pattern[str]
    designation_re: re.Pattern[str]
    clock_re: re.Pattern[str]
    sentence_break_re: re.Pattern[str]
    range_joint_re: re.Pattern[str]
    range_between_re: re.Pattern[str]
    qualifiers: dict[str, Qualifier]
    suffix_qualifiers: dict[str, Qualifier]
    weak_words: frozenset[str]
    weak_noun_re: re.Pattern[str]  # "un blessé": after these nouns "un" is a count
    core_triggers: frozenset[str]  # first words a number core can start with
    scales: dict[str, int]
    approx_nouns: dict[str, int]
    currencies: dict[str, tuple[str, bool]]  # normalised form -> (ISO code, needs_scale)
    measure_units: dict[str, str]
    durations: dict[str, str]
    not_counts: frozenset[str]
    lemma_overrides: dict[str, str]
    words_before_unit: frozenset[str]
    months: frozenset[str]
    tracked: frozenset[str]
    money_nouns: frozenset[str]  # "33,5 milliards d'aide": money, not a count of "aide"
    partitive_openers: frozenset[str]  # "41 des 48 drones"
    partitive_determiners: frozenset[str]  # "25 de ces drones"
    age_units: frozenset[str]
    age_re: re.Pattern[str]  # before "N ans": "un enfant de", "âgés de", ", "
    ago_re: re.Pattern[str]  # before "N ans": "il y a"


# Required fields of each entry, per section of list-of-mapping lexicons.
_FIELDS = {
    "scales": ("word", "value"),
    "scale_abbreviations": ("word", "value"),
    "approx_nouns": ("word", "value"),
    "qualifiers": ("phrase", "qualifier"),
    "suffix_qualifiers": ("phrase", "qualifier"),
    "currencies": ("form", "code", "kind"),
    "durations": ("form", "unit"),
    "abbreviations": ("form", "unit"),
    "lemma_overrides": ("form", "lemma"),
    "months": ("form", "month"),
}
_QUALIFIER_VALUES = {q.value for q in Qualifier}


def _entries(data: dict[str, Any], key: str, path: Path) -> list[dict[str, Any]]:
    """A section of mappings, each with its required fields checked (error names the file)."""
    values = section(data, key, path)
    if not isinstance(values, list):
        raise DataFileError(f"section {key!r} must be a list", path=str(path))
    fields = _FIELDS[key]
    for number, entry in enumerate(values, start=1):
        if not isinstance(entry, dict) or any(entry.get(f) is None for f in fields):
            raise DataFileError(
                f"{key} entry {number} {entry!r} needs fields {', '.join(fields)}", path=str(path)
            )
        if "qualifier" in fields and entry["qualifier"] not in _QUALIFIER_VALUES:
            raise DataFileError(
                f"{key} entry {number}: qualifier must be one of {sorted(_QUALIFIER_VALUES)}",
                path=str(path),
            )
        if "value" in fields and not isinstance(entry["value"], int):
            raise DataFileError(f"{key} entry {number}: value must be an integer", path=str(path))
    return values


def _strings(data: dict[str, Any], key: str, path: Path) -> list[str]:
    values = section(data, key, path)
    if not isinstance(values, list) or not values:
        raise DataFileError(f"section {key!r} must be a non-empty list", path=str(path))
    return [str(v) for v in values]


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip()


@lru_cache(maxsize=2)
def load_grammar(data_dir: Path = DATA_DIR) -> Grammar:
    q_path = data_dir / "quantities.yaml"
    u_path = data_dir / "units.yaml"
    c_path = data_dir / "currencies.yaml"
    d_path = data_dir / "dates.yaml"
    q, u, c, d = (load_yaml(p) for p in (q_path, u_path, c_path, d_path))

    number_words = _strings(q, "number_words", q_path)
    scales = {str(e["word"]).lower(): int(e["value"]) for e in _entries(q, "scales", q_path)}
    abbrevs = {str(e["word"]): int(e["value"]) for e in _entries(q, "scale_abbreviations", q_path)}
    approx = {str(e["word"]): int(e["value"]) for e in _entries(q, "approx_nouns", q_path)}
    qualifiers = {
        _norm(e["phrase"]).lower(): Qualifier(e["qualifier"])
        for e in _entries(q, "qualifiers", q_path)
    }
    suffix_qualifiers = {
        _norm(e["phrase"]).lower(): Qualifier(e["qualifier"])
        for e in _entries(q, "suffix_qualifiers", q_path)
    }
    percent_markers = _strings(q, "percent_markers", q_path)
    currencies_raw = _entries(c, "currencies", c_path)
    durations = {str(e["form"]): str(e["unit"]) for e in _entries(u, "durations", u_path)}
    measure = {str(e["form"]): str(e["unit"]) for e in _entries(u, "abbreviations", u_path)}
    overrides = {str(e["form"]): str(e["lemma"]) for e in _entries(u, "lemma_overrides", u_path)}
    months = frozenset(_norm(str(e["form"])).lower() for e in _entries(d, "months", d_path))

    currencies: dict[str, tuple[str, bool]] = {}
    word_forms, code_forms, symbol_forms = [], [], []
    for entry in currencies_raw:
        form, code, kind = str(entry["form"]), str(entry["code"]), str(entry["kind"])
        if kind not in ("word", "code", "symbol"):
            raise DataFileError(f"currency {form!r}: unknown kind {kind!r}", path=str(c_path))
        key = _norm(form) if kind != "word" else _norm(form).lower()
        currencies[key] = (code, bool(entry.get("needs_scale", False)))
        {"word": word_forms, "code": code_forms, "symbol": symbol_forms}[kind].append(form)

    nw = alternation(number_words)
    word_number = rf"(?:{nw})(?:(?:{_WS}+et{_WS}+|-et-|-|{_WS}+)(?:{nw}))*"
    approx_alt = alternation(list(approx))
    core = (
        rf"(?<![\w\-/.,:°#№])(?:"
        rf"(?P<approx>(?i:une?){_WS}+(?P<apn>(?i:{approx_alt}))s?{_WS}+(?i:de{_WS}+|d{APOSTROPHES}{_WS}*))"
        rf"|(?P<digits>{DIGITS_PATTERN})"
        rf"|(?P<words>(?i:{word_number}))(?![\w\-])"
        r")"
    )
    cur_words = alternation(word_forms)
    cur_codes = alternation(code_forms)
    cur_symbols = alternation(symbol_forms)
    currency = rf"(?:(?i:{cur_words})(?![\w])|(?:{cur_codes})(?![A-Za-z])|(?:{cur_symbols}))"
    scale_words = alternation(list(scales))
    abbr = alternation(list(abbrevs))
    de = rf"(?i:de{_WS}+|d{APOSTROPHES}{_WS}*)"
    tail = (
        rf"(?:{_WS}*(?:(?P<scale>(?i:{scale_words}))(?![\w])"
        rf"|(?P<abbr>{abbr})(?={_WS}*(?:{de})?{currency})))?"
        rf"(?:{_WS}*(?:{de})?(?P<cur>{currency})"
        rf"|{_WS}*(?P<pct>{alternation(percent_markers)})(?![\w])"
        rf"|{_WS}*(?P<measure>{alternation(list(measure))})(?![\w]))?"
    )
    qualifier = rf"(?<![\w'’])(?P<q>(?i:{alternation(list(qualifiers))})){_WS}*$"
    suffix_q = rf"{_WS}*,?{_WS}*(?P<q>(?i:{alternation(list(suffix_qualifiers))}))(?![\w])"
    year_cues = alternation([*_strings(q, "year_cues", q_path), *sorted(months)])
    tracked = load_tracked_units(data_dir)
    age_cues = alternation(_strings(u, "age_cues", u_path))
    de_before = rf"(?i:de{_WS}+|d{APOSTROPHES}{_WS}*)"
    qualifier_words = alternation(list(qualifiers))
    return Grammar(
        core_re=re.compile(core),
        tail_re=re.compile(tail),
        prefix_currency_re=re.compile(rf"(?<![\w$€£])(?P<cur>{cur_symbols}){_WS}*$"),
        qualifier_re=re.compile(qualifier),
        suffix_qualifier_re=re.compile(suffix_q),
        year_cue_re=re.compile(rf"(?<![\w])(?i:{year_cues}){_WS}*(?:{APOSTROPHES}{_WS}*)?$"),
        # "Leopard 2", "Boeing 737": a capitalised word glued to the number by one space,
        # not at the start of a sentence.
        designation_re=re.compile(r"(?<![.!?:;«\"\n\r])[^\S\n]+[A-ZÀ-Ý][a-zà-ÿ]+[\s\u00a0]$"),
        clock_re=re.compile(
            rf"(?<![\w])(?i:{alternation(_strings(u, 'clock_cues', u_path))}){_WS}*$"
        ),
        sentence_break_re=re.compile(r"[.!?\n]"),
        range_joint_re=re.compile(
            rf"{_WS}*(?:(?i:{alternation(_strings(q, 'range_joints', q_path))})|(?P<et>(?i:et)))"
            rf"{_WS}*(?=[\w$€£])"
        ),
        range_between_re=re.compile(
            rf"(?<![\w])(?i:{alternation(_strings(q, 'range_openers', q_path))}){_WS}*$"
        ),
        qualifiers=qualifiers,
        suffix_qualifiers=suffix_qualifiers,
        weak_words=frozenset(w.lower() for w in _strings(q, "weak_number_words", q_path)),
        weak_noun_re=re.compile(
            rf"{_WS}+(?i:{alternation(_strings(q, 'weak_number_nouns', q_path))})(?![\w-])"
        ),
        core_triggers=frozenset(w.lower() for w in number_words),
        scales=scales | abbrevs,
        approx_nouns=approx,
        currencies=currencies,
        measure_units=measure,
        durations=durations,
        not_counts=frozenset(_strings(u, "not_counts", u_path)),
        lemma_overrides=overrides,
        words_before_unit=frozenset(_strings(q, "words_before_unit", q_path)),
        months=months,
        tracked=tracked,
        money_nouns=frozenset(_strings(q, "money_nouns", q_path)),
        partitive_openers=frozenset(_norm(w) for w in _strings(q, "partitive_openers", q_path)),
        partitive_determiners=frozenset(
            _norm(w) for w in _strings(q, "partitive_determiners", q_path)
        ),
        age_units=frozenset(_strings(u, "age_units", u_path)),
        age_re=re.compile(
            rf"(?:(?<![\w])(?i:{age_cues}){_WS}+{de_before}(?:(?i:{qualifier_words}){_WS}*)?"
            rf"|,{_WS}*)$"
        ),
        ago_re=re.compile(
            rf"(?<![\w])(?i:{alternation(_strings(u, 'ago_cues', u_path))}){_WS}+"
            rf"(?:(?i:{qualifier_words}){_WS}*)?$"
        ),
    )


@lru_cache(maxsize=2)
def load_tracked_units(data_dir: Path = DATA_DIR) -> frozenset[str]:
    path = data_dir / "tracked_units.yaml"
    units = section(load_yaml(path), "tracked_units", path)
    if not isinstance(units, list):
        raise DataFileError("tracked_units must be a list of lemmas", path=str(path))
    return frozenset(str(u).lower() for u in units)


def is_tracked_unit(unit: str) -> bool:
    """True for units analysts track: any currency, percent, war-relevant count nouns and
    durations, and named weapon systems ("12 Caesar": the unit keeps its capital)."""
    if unit == "percent" or (len(unit) == 3 and unit.isupper()) or unit[:1].isupper():
        return True
    return unit.lower() in load_tracked_units()


def _singular(token, grammar: Grammar) -> str:
    """The counted noun's singular lemma, tolerant of tagger slips on plurals."""
    lower = token.lower_
    if lower in grammar.lemma_overrides:
        return grammar.lemma_overrides[lower]
    for candidate in (lower, lower[:-1] if lower[-1:] in "sx" else None):
        if candidate and candidate in grammar.tracked:
            return candidate
    lemma = token.lemma_.lower()
    return lemma or lower


class _TokenIndex:
    """Token lookup by start offset, built from one array read (no per-token objects)."""

    def __init__(self, doc, text: str) -> None:
        self.doc = doc
        self.text = text
        self.starts = dict(zip(doc.to_array("IDX").tolist(), range(len(doc)), strict=True))

    def starting_at(self, pos: int):
        """The token that starts at the first non-space char at or after ``pos``."""
        text = self.text
        while pos < len(text) and text[pos].isspace():
            pos += 1
        i = self.starts.get(pos)
        return self.doc[i] if i is not None else None


def _hyphen_compound(token, doc) -> tuple[str, int] | None:
    """("lance-roquettes", end) when the tokenizer split a hyphenated noun in three."""
    if token.whitespace_ or token.i + 2 >= len(doc) or not token.is_alpha:
        return None
    hyphen, last = doc[token.i + 1], doc[token.i + 2]
    if hyphen.text != "-" or hyphen.whitespace_ or not last.is_alpha:
        return None
    return f"{token.lower_}-{last.lower_}", last.idx + len(last.text)


def _next(token):
    return token.nbor(1) if token is not None and token.i + 1 < len(token.doc) else None


def _partitive(token, grammar: Grammar):
    """The noun of "des 48 drones", "de ces drones" after a number, and where an inner
    number starts (read on its own too), or (None, None)."""
    lower = _norm(token.lower_)
    inner = None
    if lower in grammar.partitive_openers:
        token = _next(token)
    elif lower in ("de", "d'"):
        token = _next(token)
        if token is None or _norm(token.lower_) not in grammar.partitive_determiners:
            return None, None
        token = _next(token)
    else:
        return None, None
    if token is not None and token.like_num:
        inner, token = token.idx, _next(token)
    return token, inner


def _weapon_name(token) -> tuple[str, int] | None:
    """("Caesar", end) when a named weapon system follows the number ("12 Caesar")."""
    if token.ent_type_ != "WEAPON" or token.ent_iob_ != "B" or not token.text[:1].isupper():
        return None
    last = token
    while last.i + 1 < len(token.doc) and token.doc[last.i + 1].ent_iob_ == "I":
        last = token.doc[last.i + 1]
    return token.doc[token.i : last.i + 1].text, last.idx + len(last.text)


def _counted_noun(index: _TokenIndex, pos: int, grammar: Grammar, after_scale: bool):
    """(unit, kind, end, inner) for the noun a number counts, or None; ``inner`` is where a
    number inside a partitive starts ("41 des 48 drones"), else None."""
    found = _counted_noun_at(index, pos, grammar, after_scale)
    if found is not None or after_scale:
        return None if found is None else (*found, None)
    token = index.starting_at(pos)
    noun, inner = _partitive(token, grammar) if token is not None else (None, None)
    if noun is None:
        return None
    found = _counted_noun_at(index, noun.idx, grammar, False)
    return None if found is None or found[1] != COUNT else (*found, inner)


def _counted_noun_at(index: _TokenIndex, pos: int, grammar: Grammar, after_scale: bool):
    """(unit, kind, end) for the noun starting at ``pos``, or None."""
    doc = index.doc
    token = index.starting_at(pos)
    if token is None:
        return None
    if after_scale and token.lower_ in ("de", "d'", "d’"):
        token = token.nbor(1) if token.i + 1 < len(doc) else None
    skipped = 0
    while token is not None and token.lower_ in grammar.words_before_unit and skipped < 2:
        token = token.nbor(1) if token.i + 1 < len(doc) else None
        skipped += 1
    if token is None:
        return None
    lower = token.lower_
    if lower in grammar.months or lower in grammar.not_counts:
        return None
    end = token.idx + len(token.text)
    compound = _hyphen_compound(token, doc)
    if compound is not None:  # "4 lance-roquettes", split by the tokenizer
        text, end = compound
        return grammar.lemma_overrides.get(text, text), COUNT, end
    if lower in grammar.durations:
        return grammar.durations[lower], DURATION, end
    weapon = _weapon_name(token)
    if weapon is not None:
        return weapon[0], COUNT, weapon[1]
    if token.pos_ == "NOUN" or lower in grammar.lemma_overrides:
        unit = _singular(token, grammar)
        if unit in grammar.durations.values():
            return unit, DURATION, end
        return unit, COUNT, end
    # "37 blessés" tagged as a participle; "31 DRONES" in a headline tagged as a name
    if token.pos_ in ("ADJ", "VERB") or token.is_upper:
        unit = _singular(token, grammar)
        if unit in grammar.tracked:
            return unit, COUNT, end
    return None


def _core_value(match: re.Match[str], grammar: Grammar) -> Decimal | None:
    if match.group("approx") is not None:
        return Decimal(grammar.approx_nouns[match.group("apn").lower()])
    if match.group("digits") is not None:
        return parse_digits(match.group("digits"))
    return parse_number_words(match.group("words"))


@dataclass
class _Reading:
    """A number read so far: its value (scaled), and its unit when the tail gave one."""

    core: re.Match[str]
    start: int
    end: int
    value: Decimal
    factor: int = 1
    scaled: bool = False
    unit: str | None = None
    kind: str | None = None
    resume: int | None = None  # where reading goes on when a number sits inside this one


def _read_number(core: re.Match[str], text: str, grammar: Grammar) -> _Reading | None:
    """Value, scale word and currency, percent or measure sign right after a number."""
    value = _core_value(core, grammar)
    if value is None:
        return None
    reading = _Reading(core=core, start=core.start(), end=core.end(), value=value)
    tail = grammar.tail_re.match(text, core.end())
    scale_word = tail.group("scale") or tail.group("abbr")
    if scale_word:
        reading.factor = grammar.scales.get(scale_word.lower()) or grammar.scales[scale_word]
        reading.value = value * reading.factor
        reading.scaled = True
        if tail.group("scale"):
            reading.end = tail.end("scale")
    currency = tail.group("cur")
    if currency:
        key = _norm(currency)
        code, needs_scale = grammar.currencies.get(key) or grammar.currencies[key.lower()]
        if not needs_scale or scale_word:
            reading.unit, reading.kind, reading.end = code, MONEY, tail.end("cur")
    elif tail.group("pct"):
        reading.unit, reading.kind, reading.end = "percent", PERCENT, tail.end("pct")
    elif tail.group("measure"):
        unit = grammar.measure_units[tail.group("measure")]
        reading.unit, reading.kind, reading.end = unit, COUNT, tail.end()
    weak = core.group("words") and core.group("words").lower() in grammar.weak_words
    casualty = bool(weak) and grammar.weak_noun_re.match(text, core.end()) is not None
    if weak and reading.kind != MONEY and not scale_word and not casualty:
        return None  # "un", "une" are articles unless a scale, a currency or a casualty

    if reading.kind is None and not core.group("approx") and _glued_or_joined(text, tail.end()):
        return None  # 1er, 47e, 14h30, 61bn, 24/02, 2027-2028
    return reading


class _Reader:
    """Reads the quantities of one doc in text order."""

    def __init__(self, doc, grammar: Grammar) -> None:
        self.doc = doc
        self.grammar = grammar
        self.text: str = doc_text(doc)  # built from the tokens once per doc
        self.index: _TokenIndex | None = None
        self.found: list[Quantity] = []

    def complete(self, r: _Reading) -> bool:
        """Give a reading its unit (prefix currency, counted noun, elided currency)."""
        if r.kind is not None:
            return True
        grammar, text = self.grammar, self.text
        before = text[max(0, r.start - 40) : r.start]
        prefix = grammar.prefix_currency_re.search(before)
        if prefix:  # "$50 millions", "€ 3 milliards"
            code, _ = grammar.currencies[_norm(prefix.group("cur"))]
            r.unit, r.kind, r.start = code, MONEY, r.start - (len(before) - prefix.start())
            return True
        if _is_year_or_date(r.core, before, grammar) or _is_designation(before, grammar):
            return False
        if self.index is None:
            self.index = _TokenIndex(self.doc, text)
        noun = _counted_noun(self.index, r.end, grammar, r.scaled or bool(r.core.group("approx")))
        if noun is not None and r.scaled and noun[0] in grammar.money_nouns:
            # "88 milliards d'euros, dont 33,5 milliards d'aide militaire": an amount
            elided = self.elided_currency(r)
            if elided:
                r.unit, r.kind, r.end = elided, MONEY, noun[2]
            return elided is not None
        if noun is not None:
            r.unit, r.kind, r.end, r.resume = noun
            r.kind = self.time_kind(r)
            # "à 10 heures" is a clock time, not a duration
            return not (r.unit == "heure" and grammar.clock_re.search(before))
        elided = self.elided_currency(r) if r.scaled else None
        if elided:  # "7 milliards d'euros, dont 500 millions pour des munitions"
            r.unit, r.kind = elided, MONEY
            return True
        return self.elided_count(r) if not r.scaled and not r.core.group("approx") else False

    def time_kind(self, r: _Reading) -> str | None:
        """AGE for "un enfant de sept ans", AGO for "il y a deux ans", else r's kind."""
        if r.kind != DURATION:
            return r.kind
        grammar = self.grammar
        before = self.text[max(0, r.start - 40) : r.start]
        if r.unit in grammar.age_units and grammar.age_re.search(before):
            return AGE
        if grammar.ago_re.search(before):
            return AGO
        return ATTRIBUTE if self.after_noun_de(r.start) else DURATION

    def after_noun_de(self, start: int) -> bool:
        """The number follows "<noun> (<adjective>) de": "une trêve (totale) de 30 jours"."""
        if self.index is None:
            self.index = _TokenIndex(self.doc, self.text)
        first = self.index.starting_at(start)
        if first is None or first.i < 2:
            return False
        de = first.nbor(-1)
        if _norm(de.lower_) not in ("de", "d'"):
            return False
        head = de.nbor(-1)
        if head.pos_ == "ADJ" and head.i > 0:
            head = head.nbor(-1)
        return head.pos_ == "NOUN"

    def elided_count(self, r: _Reading) -> bool:
        """A bare number right after a verb, in the sentence of a count, counts the same
        thing: "Paris en possède 58 exemplaires après en avoir cédé 18 à Kiev"."""
        previous = next((q for q in reversed(self.found) if q.end <= r.start), None)
        if previous is None or previous.kind != COUNT:
            return False
        if self.grammar.sentence_break_re.search(self.text, previous.end, r.start):
            return False
        index = self.index
        after = index.starting_at(r.end) if index else None
        if after is not None and (
            after.lower_ in self.grammar.months
            or after.lower_ in self.grammar.not_counts
            or after.lower_ in self.grammar.durations
            or after.text in ("%", "€", "$", "£", "-", "/", "h", ":")
        ):
            return False
        first = index.starting_at(r.start) if index else None
        before = first.nbor(-1) if first is not None and first.i > 0 else None
        if before is None:
            return False
        if before.pos_ != "VERB":
            return False
        r.unit, r.kind = previous.unit, COUNT
        return True

    def elided_currency(self, r: _Reading) -> str | None:
        """The currency of the last amount in the same sentence, for "dont 500 millions"."""
        for q in reversed(self.found):
            if q.kind == MONEY and not self.grammar.sentence_break_re.search(
                self.text, q.end, r.start
            ):
                return q.unit
            if q.kind == MONEY:
                return None
        return None

    def qualify(self, r: _Reading) -> Qualifier:
        """Qualifier phrase before the number (moving ``start``) or just after it."""
        grammar, text = self.grammar, self.text
        qualifier = Qualifier.APPROX if r.core.group("approx") else Qualifier.EXACT
        before = text[max(0, r.core.start() - 40) : r.core.start()]
        q = grammar.qualifier_re.search(before)
        if q:
            stated = grammar.qualifiers[_norm(q.group("q")).lower()]
            if stated is Qualifier.EXACT:  # "en plus de 30 drones" stays "30 drones"
                return qualifier
            r.start = min(r.start, r.core.start() - (len(before) - q.start("q")))
            return stated
        suffix = grammar.suffix_qualifier_re.match(text, r.end)
        if suffix:
            r.end = suffix.end()
            return grammar.suffix_qualifiers[_norm(suffix.group("q")).lower()]
        return qualifier

    def emit(self, r: _Reading, qualifier: Qualifier, start: int | None = None) -> None:
        start = r.start if start is None else start
        self.found.append(
            Quantity(
                start=start,
                end=r.end,
                text=self.text[start : r.end],
                value=exact(r.value),
                unit=r.unit or "",
                kind=r.kind or COUNT,
                qualifier=qualifier,
            )
        )

    def range_upper(self, low: _Reading) -> _Reading | None:
        """The upper number of "20 à 30 drones", "entre 2 et 3 milliards de dollars"."""
        grammar, text = self.grammar, self.text
        joint = grammar.range_joint_re.match(text, low.end)
        if joint is None:
            return None
        between = bool(grammar.range_between_re.search(text, max(0, low.start - 10), low.start))
        if joint.group("et") and not between:
            return None  # "2 et 3" is a range only after "entre"
        core = grammar.core_re.match(text, joint.end())
        if core is None:
            return None
        high = _read_number(core, text, grammar)
        if high is None or not self.complete(high):
            return None
        return high

    def read(self) -> list[Quantity]:
        consumed = 0
        for core in _cores(self.text, self.grammar):
            if core.start() < consumed:
                continue
            r = _read_number(core, self.text, self.grammar)
            if r is None:
                continue
            if r.kind is None:
                high = self.range_upper(r)
                if high is not None:
                    if r.factor == 1:  # "de 2 à 3 milliards": the scale is shared
                        r.value *= high.factor
                    r.unit, r.kind = high.unit, high.kind
                    r.end = high.end
                    r.kind = high.kind = self.time_kind(r)  # "âgés de 3 à 6 ans"
                    self.emit(r, Qualifier.MIN)
                    self.emit(high, Qualifier.MAX)
                    consumed = high.end
                    continue
            if not self.complete(r):
                continue
            qualifier = self.qualify(r)
            self.emit(r, qualifier)
            consumed = r.resume if r.resume is not None else r.end
        return harmonise_money_qualifiers(self.found)


def find_quantities(doc) -> list[Quantity]:
    """Money, counts, percentages and durations in a parsed French doc."""
    return _Reader(doc, load_grammar()).read()


def harmonise_money_qualifiers(quantities: list[Quantity]) -> list[Quantity]:
    """Give a bare amount the bound stated for the same amount elsewhere in the article.

    Headlines and restatements drop the hedge: "plus de 100 milliards de dollars" in the
    body is "100 milliards de dollars" in the title. An article naming one amount of one
    currency with a single bound and otherwise without one means that bound throughout.
    Counts are left alone: "jusqu'à 30 drones" and "30 drones abattus" are different facts.
    """
    bounds: dict[tuple[Decimal, str], set[Qualifier]] = {}
    for q in quantities:
        if q.kind == MONEY and q.qualifier is not Qualifier.EXACT:
            bounds.setdefault((q.value, q.unit), set()).add(q.qualifier)
    if not bounds:
        return quantities
    result = []
    for q in quantities:
        stated = bounds.get((q.value, q.unit))
        if q.kind == MONEY and q.qualifier is Qualifier.EXACT and stated and len(stated) == 1:
            q = replace(q, qualifier=next(iter(stated)))
        result.append(q)
    return result


_WORD_START = re.compile(r"(?<![\w\-])\w+")


def _cores(text: str, grammar: Grammar) -> Iterator[re.Match[str]]:
    """Number cores, tried only where a word starts with a digit or a number word.

    Matching the core regex at every position costs more than walking word starts.
    """
    match_core = grammar.core_re.match
    triggers = grammar.core_triggers
    for word in _WORD_START.finditer(text):
        first = word.group()
        if first[0].isdigit() or first.lower() in triggers:
            core = match_core(text, word.start())
            if core is not None:
                yield core


def _glued_or_joined(text: str, pos: int) -> bool:
    """A letter glued to the number, or a date/time/range separator followed by a digit."""
    nxt = text[pos : pos + 2]
    if nxt[:1].isalpha():
        return True
    return len(nxt) == 2 and nxt[0] in "/:-–h" and nxt[1].isdigit()


def _is_year_or_date(core: re.Match[str], before: str, grammar: Grammar) -> bool:
    digits = core.group("digits")
    if digits is None or not digits.isdigit():
        return False
    if len(digits) == 4 and 1800 <= int(digits) <= 2100:
        return bool(grammar.year_cue_re.search(before))
    return False


def _is_designation(before: str, grammar: Grammar) -> bool:
    return bool(grammar.designation_re.search(before))
