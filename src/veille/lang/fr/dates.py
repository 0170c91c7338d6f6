"""French temporal expressions, found in a doc's text and resolved against publication.

One regex, compiled once from ``data/dates.yaml``, finds the expressions (no
dateparser: it is slow and matches noise). Each kind of expression has a small resolver.

Precision is honest: an expression never gets a finer precision than the publication
date it is resolved against. With a publication known to the month, "mercredi" is that
month (MONTH); with an unknown publication, relative expressions are UNKNOWN while
absolute ones ("en février 2022", "le 24 février 2022") still resolve. A day and month
without a year, a month alone and a weekday are taken on or before the publication
("février" in an article of October 2023 is 2023-02; in one of January 2024 it is
2023-02; "mercredi" is the last Wednesday on or before publication), unless "prochain"
follows or the governing verb is in the future tense ("se réunira mardi", "va frapper
lundi", read from the parse when the doc has one): then on or after publication.

Seasons resolve to their first month with MONTH precision: spring = March, summer =
June, autumn = September, winter = December ("l'hiver prochain" published in October
2023 is 2023-12). A season named without "prochain"/"dernier" is the one under way at
publication, else the nearer of the last one and the next one.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache, partial
from pathlib import Path

from veille.errors import DataFileError
from veille.lang.fr.numbers import parse_number
from veille.lang.fr.quantities import DATA_DIR, alternation, load_yaml, section
from veille.model import FuzzyDate, Precision, TimeExpression
from veille.spacy_utils import doc_text

_RANK = {
    Precision.DAY: 0,
    Precision.WEEK: 1,
    Precision.MONTH: 2,
    Precision.YEAR: 3,
    Precision.UNKNOWN: 4,
}
_UNIT_PRECISION = {
    "day": Precision.DAY,
    "week": Precision.WEEK,
    "month": Precision.MONTH,
    "year": Precision.YEAR,
}
_S = r"[\s\u00a0]+"
_YEAR = r"(?:1\d|20)\d{2}"


_CUE_SECTIONS = ("month_cues", "year_cues", "season_determiners", "ago_markers", "ahead_markers")
_LITERAL_FIRST_WORDS = ("dans", "la", "début", "fin", "mi")  # words written in the pattern
FUTURE_TENSE = 2  # direction: on or after publication, from the verb's tense
_WORD_START = re.compile(r"(?<![\w\-'’])\w+")


@dataclass(frozen=True)
class DateGrammar:
    pattern: re.Pattern[str]
    months: dict[str, int]
    weekdays: dict[str, int]
    relative_days: dict[str, int]
    relative_periods: dict[str, tuple[str, int]]
    ranges: dict[str, str]
    duration_units: dict[str, str]
    seasons: dict[str, int]
    triggers: frozenset[str]
    habitual_re: re.Pattern[str]
    future_auxiliaries: frozenset[str]
    future_endings: tuple[str, ...]
    next_words: frozenset[str]
    last_words: frozenset[str]


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


@lru_cache(maxsize=2)
def load_date_grammar(data_dir: Path = DATA_DIR) -> DateGrammar:
    """The compiled grammar; raises DataFileError naming the file when it is malformed."""
    try:
        return _build_date_grammar(data_dir)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise DataFileError(f"malformed entry: {exc!r}", path=str(data_dir / "dates.yaml")) from exc


def _build_date_grammar(data_dir: Path) -> DateGrammar:
    path = data_dir / "dates.yaml"
    d = load_yaml(path)
    q = load_yaml(data_dir / "quantities.yaml")

    def entries(name: str, field: str) -> dict[str, object]:
        return {_key(str(e["form"])): e[field] for e in section(d, name, path)}

    months = {k: int(v) for k, v in entries("months", "month").items()}
    weekdays = {k: int(v) for k, v in entries("weekdays", "weekday").items()}
    relative_days = {k: int(v) for k, v in entries("relative_days", "offset").items()}
    relative_periods = {
        _key(str(e["form"])): (str(e["unit"]), int(e["offset"]))
        for e in section(d, "relative_periods", path)
    }
    ranges = {k: str(v) for k, v in entries("ranges_to_publication", "unit").items()}
    duration_units = {k: str(v) for k, v in entries("duration_units", "unit").items()}
    seasons = {k: int(v) for k, v in entries("seasons", "month").items()}
    next_words = [str(w) for w in section(d, "next_words", path)]
    last_words = [str(w) for w in section(d, "last_words", path)]
    number_words = alternation(
        [str(w) for w in section(q, "number_words", data_dir / "quantities.yaml")]
    )

    month = alternation(list(months))
    stoplist = {_key(str(w)) for w in section(d, "bare_month_stoplist", path)}
    bare_month = alternation([m for m in months if m not in stoplist])
    weekday = alternation(list(weekdays))
    parts = alternation([str(p) for p in section(d, "day_parts", path)])
    rel = alternation(next_words + last_words)
    number = rf"\d+|(?:{number_words})(?:(?:-|{_S}|{_S}et{_S})(?:{number_words}))*"
    units = alternation(list(duration_units))
    day = r"1er|premier|[0-3]?\d"
    alternatives = [
        rf"(?P<range>{alternation(list(ranges))})",
        rf"(?:dans{_S})?la{_S}nuit{_S}(?:de|du){_S}(?P<nr1>{weekday}){_S}(?:à|au){_S}"
        rf"(?P<nr2>{weekday})",
        rf"(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>[0-3]\d)(?![\d])",
        rf"(?P<num_d>[0-3]?\d)[/.](?P<num_m>[01]?\d)[/.](?P<num_y>{_YEAR}|\d{{2}})(?![\d/])",
        rf"(?:(?P<fd_wd>{weekday}){_S})?(?P<fd_d>{day}){_S}(?P<fd_m>{month})"
        rf"(?:{_S}(?P<fd_y>{_YEAR})(?!\d))?",
        rf"(?:(?:début|fin|mi)[\s-]+)?(?P<my_m>{month}){_S}(?P<my_y>{_YEAR})(?!\d)",
        rf"(?:{alternation([str(c) for c in section(d, 'month_cues', path)])})[\s-]+"
        rf"(?P<mc_m>{month})(?:{_S}(?P<mc_y>{_YEAR})(?!\d)|{_S}(?P<mc_rel>{rel}))?",
        rf"(?P<mr_m>{month}){_S}(?P<mr_rel>{rel})|(?P<bare_m>{bare_month})",
        rf"(?P<season_det>{alternation([str(c) for c in section(d, 'season_determiners', path)])})"
        rf"[\s\u00a0]*(?P<season>{alternation(list(seasons))})"
        rf"(?:{_S}(?P<season_y>{_YEAR})(?!\d)|{_S}(?P<season_rel>{rel}))?",
        rf"(?:{alternation([str(c) for c in section(d, 'year_cues', path)])})[\s-]+"
        rf"(?P<year>{_YEAR})(?![\d,.]\d)",
        rf"(?:{alternation([str(m) for m in section(d, 'ago_markers', path)])}){_S}"
        rf"(?P<ago_n>{number}){_S}(?P<ago_u>{units})",
        rf"(?:{alternation([str(m) for m in section(d, 'ahead_markers', path)])}){_S}"
        rf"(?P<ahead_n>{number}){_S}(?P<ahead_u>{units})",
        rf"(?P<period>{alternation(list(relative_periods))})",
        rf"(?P<relday>{alternation(list(relative_days))})(?:{_S}(?:{parts}))?",
        rf"(?:(?:dans{_S})?la{_S}nuit{_S}(?:de|du){_S})?(?P<wd>{weekday})"
        rf"(?:{_S}(?:{parts}))?(?:{_S}(?P<wd_rel>{rel}))?",
    ]
    pattern = re.compile(
        r"(?<![\w\-'’])(?i:" + "|".join(f"(?:{a})" for a in alternatives) + r")(?![\w\-])"
    )
    # First words an expression can start with; the pattern is tried only there.
    phrases = [
        *months,
        *weekdays,
        *relative_days,
        *relative_periods,
        *ranges,
        *(str(w) for key in _CUE_SECTIONS for w in section(d, key, path)),
        *_LITERAL_FIRST_WORDS,
    ]
    triggers = frozenset(re.split(r"[\s'’\-.]", _key(p))[0] for p in phrases)
    return DateGrammar(
        pattern=pattern,
        months=months,
        weekdays=weekdays,
        relative_days=relative_days,
        relative_periods=relative_periods,
        ranges=ranges,
        duration_units=duration_units,
        seasons=seasons,
        triggers=triggers,
        future_auxiliaries=frozenset(str(w) for w in section(d, "future_auxiliaries", path)),
        future_endings=tuple(str(w) for w in section(d, "future_endings", path)),
        habitual_re=re.compile(
            rf"(?<![\w])(?i:{alternation([str(w) for w in section(d, 'habitual_markers', path)])})"
            r"[\s\u00a0]*$"
        ),
        next_words=frozenset(_key(w) for w in next_words),
        last_words=frozenset(_key(w) for w in last_words),
    )


# ---------------------------------------------------------------------------
# Date arithmetic


def truncate(day: date, precision: Precision) -> date:
    """The first day of the period ``day`` falls in (Monday for WEEK)."""
    if precision is Precision.WEEK:
        return day - timedelta(days=day.weekday())
    if precision is Precision.MONTH:
        return day.replace(day=1)
    if precision is Precision.YEAR:
        return date(day.year, 1, 1)
    return day


def period_end(fuzzy: FuzzyDate) -> date:
    """The last day of the period a known FuzzyDate stands for."""
    start = truncate(fuzzy.value, fuzzy.precision)
    if fuzzy.precision is Precision.WEEK:
        return start + timedelta(days=6)
    if fuzzy.precision is Precision.MONTH:
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    if fuzzy.precision is Precision.YEAR:
        return date(start.year, 12, 31)
    return start


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _known(published: FuzzyDate | None) -> bool:
    return (
        published is not None
        and published.value is not None
        and published.precision is not Precision.UNKNOWN
    )


def relative(
    published: FuzzyDate, precision: Precision, compute: Callable[[date], date]
) -> FuzzyDate:
    """A date computed from the publication date, never finer than the publication."""
    if not _known(published):
        return FuzzyDate.unknown()
    if _RANK[precision] < _RANK[published.precision]:
        # "mercredi" in an article known to the month: that month, no invented day.
        return FuzzyDate(truncate(published.value, published.precision), published.precision)
    return FuzzyDate(truncate(compute(published.value), precision), precision)


def _infer_year(month: int, day: int, published: FuzzyDate, direction: int = 0) -> int | None:
    """The year of a day and month given without one: not after publication, by default."""
    if not _known(published):
        return None
    year = published.value.year
    if published.precision is Precision.YEAR:
        return year + (1 if direction > 0 else 0)
    candidate = date(year, month, day)
    if direction == FUTURE_TENSE:  # on or after publication
        return year + 1 if candidate < truncate(published.value, Precision.MONTH) else year
    if direction > 0:
        return year + 1 if candidate <= published.value else year
    if direction < 0:
        this_period = truncate(published.value, Precision.MONTH)
        return year - 1 if candidate >= this_period else year
    return year - 1 if candidate > period_end(published) else year


# ---------------------------------------------------------------------------
# Resolvers


def _direction(word: str | None, grammar: DateGrammar) -> int:
    if not word:
        return 0
    word = _key(word)
    return 1 if word in grammar.next_words else -1 if word in grammar.last_words else 0


def _weekday(weekday: int, direction: int, published: FuzzyDate) -> FuzzyDate:
    def compute(pub: date) -> date:
        back = (pub.weekday() - weekday) % 7
        if direction == FUTURE_TENSE:
            return pub + timedelta(days=(weekday - pub.weekday()) % 7)
        if direction > 0:
            return pub + timedelta(days=(weekday - pub.weekday()) % 7 or 7)
        if direction < 0:
            return pub - timedelta(days=back or 7)
        return pub - timedelta(days=back)

    return relative(published, Precision.DAY, compute)


def _day_month(
    day: str, month: int, year: str | None, published: FuzzyDate, direction: int
) -> FuzzyDate | None:
    day_number = 1 if day.lower() in ("1er", "premier") else int(day)
    if year is None:
        inferred = _infer_year(month, min(day_number, 28), published, direction)
        if inferred is None:
            return FuzzyDate.unknown()
        return _valid(inferred, month, day_number, Precision.DAY)
    return _valid(_full_year(year), month, day_number, Precision.DAY)


def _full_year(year: str) -> int:
    return int(year) + 2000 if len(year) == 2 else int(year)


def _valid(year: int, month: int, day: int, precision: Precision) -> FuzzyDate | None:
    try:
        return FuzzyDate(date(year, month, day), precision)
    except ValueError:
        return None  # 31 février, 45/13/2022


def _month_only(month: int, direction: int, published: FuzzyDate) -> FuzzyDate:
    year = _infer_year(month, 1, published, direction)
    if year is None:
        return FuzzyDate.unknown()
    return FuzzyDate(date(year, month, 1), Precision.MONTH)


def _season(month: int, direction: int, published: FuzzyDate) -> FuzzyDate:
    if not _known(published):
        return FuzzyDate.unknown()
    if published.precision is Precision.YEAR:
        return FuzzyDate(date(published.value.year, 1, 1), Precision.YEAR)
    now = truncate(published.value, Precision.MONTH)
    starts = [date(now.year + k, month, 1) for k in (-2, -1, 0, 1)]
    current = next((s for s in starts if s <= now < add_months(s, 3)), None)
    previous = max(s for s in starts if add_months(s, 3) <= now)
    upcoming = min(s for s in [*starts, date(now.year + 2, month, 1)] if s > now)
    if direction > 0:
        chosen = upcoming
    elif direction < 0:
        chosen = previous
    elif current is not None:
        chosen = current
    else:
        since_previous = (now.year - previous.year) * 12 + now.month - previous.month - 3
        until_next = (upcoming.year - now.year) * 12 + upcoming.month - now.month
        chosen = previous if since_previous < until_next else upcoming
    return FuzzyDate(chosen, Precision.MONTH)


def _shift(unit: str, amount: int, published: FuzzyDate) -> FuzzyDate:
    precision = _UNIT_PRECISION[unit]

    def compute(pub: date) -> date:
        if unit == "day":
            return pub + timedelta(days=amount)
        if unit == "week":
            return pub + timedelta(weeks=amount)
        if unit == "month":
            return add_months(pub, amount)
        return date(pub.year + amount, 1, 1)

    return relative(published, precision, compute)


def _range(unit: str, published: FuzzyDate) -> tuple[FuzzyDate, FuzzyDate | None]:
    if not _known(published):
        return FuzzyDate.unknown(), FuzzyDate.unknown()
    precision = _UNIT_PRECISION[unit]
    if _RANK[precision] <= _RANK[published.precision]:
        start = FuzzyDate(truncate(published.value, published.precision), published.precision)
    else:
        start = FuzzyDate(truncate(published.value, precision), Precision.DAY)
    return start, published


def _resolve(
    m: re.Match[str], grammar: DateGrammar, published: FuzzyDate, future: Callable[[], bool]
) -> tuple[FuzzyDate, FuzzyDate | None] | None:
    """Resolve one match; ``future()`` says whether its verb is in the future tense."""
    g = m.groupdict()
    if g["range"]:
        return _range(grammar.ranges[_key(g["range"])], published)
    if g["nr2"]:  # "dans la nuit de lundi à mardi": the later day
        return _weekday(grammar.weekdays[_key(g["nr2"])], 0, published), None
    if g["iso_y"]:
        found = _valid(int(g["iso_y"]), int(g["iso_m"]), int(g["iso_d"]), Precision.DAY)
        return (found, None) if found else None
    if g["num_d"]:
        day, month, year = int(g["num_d"]), int(g["num_m"]), _full_year(g["num_y"])
        found = _valid(year, month, day, Precision.DAY)
        return (found, None) if found else None
    if g["fd_m"]:
        direction = FUTURE_TENSE if not g["fd_y"] and future() else 0
        month = grammar.months[_key(g["fd_m"])]
        found = _day_month(g["fd_d"], month, g["fd_y"], published, direction)
        return (found, None) if found else None
    if g["my_m"]:
        return FuzzyDate(
            date(int(g["my_y"]), grammar.months[_key(g["my_m"])], 1), Precision.MONTH
        ), None
    if g["mc_y"]:
        return FuzzyDate(
            date(int(g["mc_y"]), grammar.months[_key(g["mc_m"])], 1), Precision.MONTH
        ), None
    if g["mc_m"] or g["mr_m"] or g["bare_m"]:
        month = grammar.months[_key(g["mc_m"] or g["mr_m"] or g["bare_m"])]
        direction = _direction(g["mc_rel"] or g["mr_rel"], grammar)
        if direction == 0 and future():
            direction = FUTURE_TENSE
        return _month_only(month, direction, published), None
    if g["season"]:
        month = grammar.seasons[_key(g["season"])]
        if g["season_y"]:
            return FuzzyDate(date(int(g["season_y"]), month, 1), Precision.MONTH), None
        return _season(month, _direction(g["season_rel"], grammar), published), None
    if g["year"]:
        return FuzzyDate(date(int(g["year"]), 1, 1), Precision.YEAR), None
    if g["ago_n"] or g["ahead_n"]:
        amount = parse_number(g["ago_n"] or g["ahead_n"])
        if amount is None or amount != int(amount):
            return None
        unit = grammar.duration_units[_key(g["ago_u"] or g["ahead_u"])]
        sign = -1 if g["ago_n"] else 1
        return _shift(unit, sign * int(amount), published), None
    if g["period"]:
        unit, offset = grammar.relative_periods[_key(g["period"])]
        return _shift(unit, offset, published), None
    if g["relday"]:
        return _shift("day", grammar.relative_days[_key(g["relday"])], published), None
    if g["wd"]:
        direction = _direction(g["wd_rel"], grammar)
        if direction == 0 and future():
            direction = FUTURE_TENSE
        return _weekday(grammar.weekdays[_key(g["wd"])], direction, published), None
    return None  # pragma: no cover - every alternative has a resolver


def _is_future(token, grammar: DateGrammar) -> bool:
    """Future by morphology, or by ending: the tagger often calls "réunira" a past."""
    if "Fut" in token.morph.get("Tense"):
        return True
    return "Fin" in token.morph.get("VerbForm") and token.lower_.endswith(grammar.future_endings)


def _future_tense(doc, start: int, end: int, grammar: DateGrammar) -> bool:
    """Whether the verb governing a span is in the future ("se réunira jeudi",
    "va se rendre à Kiev mardi"). False when the doc has no parse or morphology."""
    has_annotation = getattr(doc, "has_annotation", None)
    if has_annotation is None or not (has_annotation("DEP") and has_annotation("MORPH")):
        return False
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None:
        return False
    token = span.root
    for _ in range(5):  # climb to the governing finite verb
        if token.pos_ in ("VERB", "AUX"):
            if _is_future(token, grammar):
                return True
            for child in token.children:
                if child.dep_.startswith("aux") and _is_future(child, grammar):
                    return True
            if token.lemma_ in grammar.future_auxiliaries and any(
                child.dep_ == "xcomp" and "Inf" in child.morph.get("VerbForm")
                for child in token.children
            ):
                return True  # "va frapper": near future
            if "Inf" not in token.morph.get("VerbForm"):
                return False
        if token.head is token:
            return False
        token = token.head
    return False


def find_times(doc, published: FuzzyDate | None = None) -> list[TimeExpression]:
    """Temporal expressions in a doc (any spaCy Doc, or anything with ``.text``).

    Offsets are character offsets into ``doc.text``, so callers can pick the expression
    nearest to a trigger in the same sentence.
    """
    grammar = load_date_grammar()
    published = published if published is not None else FuzzyDate.unknown()
    text: str = doc_text(doc)  # built from the tokens once per doc
    found: list[TimeExpression] = []
    match = grammar.pattern.match
    consumed = 0
    for word in _WORD_START.finditer(text):
        first = word.group()
        if word.start() < consumed or not (first[0].isdigit() or first.lower() in grammar.triggers):
            continue
        m = match(text, word.start())
        if m is None:
            continue
        consumed = m.end()
        if grammar.habitual_re.search(text, max(0, m.start() - 20), m.start()):
            continue  # "chaque mardi", "tous les 24 février": not one date
        future = partial(_future_tense, doc, m.start(), m.end(), grammar)
        try:
            resolved = _resolve(m, grammar, published, future)
        except (OverflowError, ValueError):  # "dans 9000 ans": past the calendar's end
            resolved = FuzzyDate.unknown(), None
        if resolved is None:
            continue
        when, until = resolved
        found.append(
            TimeExpression(start=m.start(), end=m.end(), text=m.group(), date=when, end_date=until)
        )
    return found
