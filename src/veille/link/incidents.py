"""Incidents: event mentions from different articles that describe one real-world event.

Two mentions are *compatible* when all of these hold:

- same PLOVER type, and both report the event as having happened (modality none or
  historical) or both carry the same other modality (future, hypothetical, negation);
- actors agree: same code, or one of them unknown; likewise targets;
- places agree: both named places are the same place (KB id, else accent- and
  case-insensitive name). A mention with a country but no place is compatible with a
  named place of that country. The *area* (country of the place, else the event's
  location country, else the target's country) must be equal; mentions with no area at
  all only meet other mentions with no area;
- dates agree given their precision. Each date is read as an interval: a day is itself, a
  week its seven days, a month its days, a year its days, an unknown date everything.
  Two intervals must overlap; when both dates have day precision they may also be up to
  ``window_days`` apart (default 1: reports of a night strike straddle midnight). An
  undated mention that is not historical is read as recent news: its article's
  publication interval, extended ``recent_days`` (default 7) back. A mention with no
  date and no publication date fits any date, but then only merges with a mention naming
  the same place: "a strike in Russia", at no known time, is not evidence enough.

Incidents are built by *complete linkage*: a mention joins an incident only if it is
compatible with every mention already in it. This is what keeps a strike in Samara and
one in Stavropol apart even when a third article only says "a strike in Russia" (which
is compatible with both, and joins one). Mentions are visited in a fixed order (most
precise dates first, then by date, then by id), so the result depends only on the set of
mentions. Work is split into blocks (type, area) that never interact.

Verification of an incident, first rule that applies:

- ``disputed``: some mention is confirmed and some denied;
- ``denied``: some mention is denied;
- ``confirmed``: some mention is confirmed;
- ``corroborated``: two or more independent sources state it as fact, or two or more
  different parties claim it;
- ``unverified``: some article says it could not be verified;
- ``claimed``: every mention is one party's claim (``claimants`` names it);
- ``reported``: one independent source states it as fact.

``num_sources`` counts distinct outlets, where an article in a duplicate group counts as
the outlet of the group's earliest article (a wire copy is not a second witness); an
article without an outlet is its own source.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from veille.link.records import ArticleRecord, EventRecord
from veille.model import DuplicateGroup, FuzzyDate, Incident, Precision, stable_id

HAPPENED = {None, "historical"}
PRECISION_ORDER = {
    Precision.DAY: 0,
    Precision.WEEK: 1,
    Precision.MONTH: 2,
    Precision.YEAR: 3,
    Precision.UNKNOWN: 4,
}


@dataclass(frozen=True, slots=True)
class IncidentConfig:
    window_days: int = 1  # how far apart two day-precision dates may be
    recent_days: int = 7  # an undated event happened at most this long before its report


def date_interval(d: FuzzyDate) -> tuple[date, date] | None:
    """The days a fuzzy date may stand for; ``None`` when unknown."""
    v, p = d.value, d.precision
    if v is None or p is Precision.UNKNOWN:
        return None
    if p is Precision.DAY:
        return v, v
    if p is Precision.WEEK:
        return v, v + timedelta(days=6)
    if p is Precision.MONTH:
        start = v.replace(day=1)
        nxt = (start + timedelta(days=32)).replace(day=1)
        return start, nxt - timedelta(days=1)
    return date(v.year, 1, 1), date(v.year, 12, 31)


def dates_compatible(a: FuzzyDate, b: FuzzyDate, window_days: int = 1) -> bool:
    ia, ib = date_interval(a), date_interval(b)
    if ia is None or ib is None:
        return True
    slack = (
        timedelta(days=window_days)
        if a.precision is Precision.DAY and b.precision is Precision.DAY
        else timedelta(0)
    )
    return ia[0] - slack <= ib[1] and ib[0] - slack <= ia[1]


def mention_interval(m: EventRecord, config: IncidentConfig) -> tuple[date, date] | None:
    """The days a mention may be about: its date, else shortly before its publication."""
    own = date_interval(m.date)
    if own is not None or m.modality == "historical":
        return own
    published = date_interval(m.reported)
    if published is None:
        return None
    return published[0] - timedelta(days=config.recent_days), published[1]


def mention_dates_compatible(a: EventRecord, b: EventRecord, config: IncidentConfig) -> bool:
    ia, ib = mention_interval(a, config), mention_interval(b, config)
    if ia is None or ib is None:
        return a.place_key is not None and a.place_key == b.place_key
    both_days = all(
        (m.date if m.date.value is not None else m.reported).precision is Precision.DAY
        for m in (a, b)
    )
    slack = timedelta(days=config.window_days if both_days else 0)
    return ia[0] - slack <= ib[1] and ib[0] - slack <= ia[1]


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


def _modality_class(m: str | None) -> str | None:
    return None if m in HAPPENED else m


def compatible(a: EventRecord, b: EventRecord, config: IncidentConfig) -> bool:
    """Whether two mentions may describe the same real-world event (see module doc)."""
    if a.type != b.type or a.area != b.area:
        return False
    if _modality_class(a.modality) != _modality_class(b.modality):
        return False
    if not (_agree(a.actor, b.actor) and _agree(a.target, b.target)):
        return False
    if not _agree(a.place_key, b.place_key):
        return False
    return mention_dates_compatible(a, b, config)


def _order(m: EventRecord) -> tuple:
    d = m.date
    return (PRECISION_ORDER[d.precision], d.value or date.max, m.event_id)


def _distance(m: EventRecord, members: list[EventRecord]) -> int:
    """Days between a mention and the closest dated member (0 when undated)."""
    if m.date.value is None:
        return 0
    days = [abs((m.date.value - x.date.value).days) for x in members if x.date.value]
    return min(days, default=0)


def _week_keys(interval: tuple[date, date], slack: int) -> range:
    lo, hi = interval
    return range((lo.toordinal() - slack) // 7, (hi.toordinal() + slack) // 7 + 1)


def _cluster_block(block: list[EventRecord], config: IncidentConfig) -> list[list[EventRecord]]:
    """Complete linkage over one (type, area) block.

    Equivalent to checking every existing incident for each mention, but incidents are
    found through two indexes (the weeks their dated members may fall in, the places
    they name), so a large block is not quadratic. Every incident compatible with a
    mention is among the candidates: sharing a day means sharing its week; a timeless
    mention only merges on its named place.
    """
    clusters: list[list[EventRecord]] = []
    by_week: dict[int, set[int]] = defaultdict(set)
    by_place: dict[str, set[int]] = defaultdict(set)

    def index(i: int, m: EventRecord) -> None:
        interval = mention_interval(m, config)
        if interval is not None:
            for week in _week_keys(interval, config.window_days):
                by_week[week].add(i)
        if m.place_key:
            by_place[m.place_key].add(i)

    for m in sorted(block, key=_order):
        interval = mention_interval(m, config)
        found: set[int] = set(by_place.get(m.place_key, ())) if m.place_key else set()
        if interval is not None:
            for week in _week_keys(interval, config.window_days):
                found |= by_week.get(week, set())
        fits = sorted(i for i in found if all(compatible(m, x, config) for x in clusters[i]))
        if not fits:
            clusters.append([m])
            index(len(clusters) - 1, m)
            continue
        # prefer the incident naming the same place, then the closest date, then the oldest
        best = min(
            fits,
            key=lambda i: (
                not any(x.place_key and x.place_key == m.place_key for x in clusters[i]),
                _distance(m, clusters[i]),
                i,
            ),
        )
        clusters[best].append(m)
        index(best, m)
    return clusters


def cluster_mentions(
    mentions: Iterable[EventRecord], config: IncidentConfig | None = None
) -> list[list[EventRecord]]:
    """Groups of compatible mentions (complete linkage, order-independent)."""
    config = config or IncidentConfig()
    blocks: dict[tuple[str, str | None], list[EventRecord]] = defaultdict(list)
    for m in mentions:
        blocks[(m.type, m.area)].append(m)
    clusters: list[list[EventRecord]] = []
    for key in sorted(blocks, key=lambda k: (k[0], k[1] or "")):
        clusters.extend(_cluster_block(blocks[key], config))
    return clusters


class SourceIndex:
    """Which outlet an article counts as: a copy counts as the outlet it was copied from.

    An article in a duplicate group stands for the group's earliest article (first seen,
    then smallest id); its source is that article's outlet, or the article itself when
    the outlet is unknown. Counting distinct sources thus counts each outlet once and
    each wire story once, without merging outlets that merely share one wire story.
    """

    def __init__(
        self, articles: Mapping[str, ArticleRecord], groups: Sequence[DuplicateGroup]
    ) -> None:
        far = datetime.max.replace(tzinfo=UTC)
        self._origin: dict[str, str] = {}
        for g in groups:
            known = [a for a in g.article_ids if a in articles]
            if not known:
                continue
            first = min(known, key=lambda a: (articles[a].seen or far, a))
            for a in g.article_ids:
                self._origin[a] = first
        self._articles = articles

    def source(self, article_id: str) -> str:
        origin = self._origin.get(article_id, article_id)
        rec = self._articles.get(origin)
        return f"outlet:{rec.outlet}" if rec and rec.outlet else f"article:{origin}"


def verification(
    members: Sequence[EventRecord], sources: SourceIndex
) -> tuple[str, tuple[str, ...]]:
    """The incident's overall verification and its claimants (see module doc)."""
    states = {m.verification for m in members}
    claimants = tuple(sorted({m.claimed_by for m in members if m.claimed_by}))
    factual_sources = {sources.source(m.article_id) for m in members if m.claimed_by is None}
    if "confirmed" in states and "denied" in states:
        return "disputed", claimants
    if "denied" in states:
        return "denied", claimants
    if "confirmed" in states:
        return "confirmed", claimants
    if len(factual_sources) >= 2 or len(claimants) >= 2:
        return "corroborated", claimants
    if "unverified" in states:
        return "unverified", claimants
    if not factual_sources:
        return "claimed", claimants
    return "reported", claimants


def _most_common(values: Iterable[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    if not counts:
        return None
    return min(counts, key=lambda v: (-counts[v], v))


def _best_date(members: Sequence[EventRecord]) -> FuzzyDate:
    dated = sorted((m for m in members if m.date.value is not None), key=_order)
    return dated[0].date if dated else FuzzyDate.unknown()


def build_incident(
    members: Sequence[EventRecord],
    articles: Mapping[str, ArticleRecord],
    sources: SourceIndex,
) -> Incident:
    members = sorted(members, key=lambda m: m.event_id)
    article_ids = tuple(sorted({m.article_id for m in members}))
    # first/last seen are publication days, never the time Veille read the articles
    days = sorted(
        articles[a].published.value
        for a in article_ids
        if a in articles and articles[a].published.precision is Precision.DAY
    )
    seen = [datetime(d.year, d.month, d.day, tzinfo=UTC) for d in days]
    when = _best_date(members)
    if when.value is None:  # undated mentions: the incident is dated by its first report
        reports = [
            p
            for a in article_ids
            if a in articles
            and (p := articles[a].published).value is not None
            and p.precision is not Precision.UNKNOWN
        ]
        if reports:
            when = min(reports, key=lambda p: (p.value, PRECISION_ORDER[p.precision]))
    place_key = _most_common(m.place_key for m in members)
    location = next((m.place for m in members if m.place and m.place_key == place_key), None)
    verdict, claimants = verification(members, sources)
    return Incident(
        id=stable_id("incident", *(m.event_id for m in members)),
        type=members[0].type,
        event_ids=tuple(m.event_id for m in members),
        article_ids=article_ids,
        mode=_most_common(m.mode for m in members),
        actor=_most_common(m.actor for m in members),
        target=_most_common(m.target for m in members),
        location=location,
        location_country=members[0].area,
        date=when,
        num_mentions=len(members),
        num_articles=len(article_ids),
        num_sources=len({sources.source(a) for a in article_ids}),
        first_seen=min(seen, default=None),
        last_seen=max(seen, default=None),
        claimants=claimants,
        verification=verdict,
    )


def find_incidents(
    articles: Sequence[ArticleRecord],
    groups: Sequence[DuplicateGroup] = (),
    config: IncidentConfig | None = None,
) -> list[Incident]:
    """Every incident (one or more mentions) among the articles' events, sorted by id."""
    by_id = {a.article_id: a for a in articles}
    sources = SourceIndex(by_id, groups)
    mentions = [e for a in articles for e in a.events]
    incidents = [build_incident(c, by_id, sources) for c in cluster_mentions(mentions, config)]
    incidents.sort(key=lambda i: i.id)
    return incidents
