"""Compact, JSON-serialisable records of what linking needs from each article.

``update_links`` reads each new ``Analysis`` once, keeps these records (in the store's
``link_article`` table), and recomputes groups, incidents, merged aid and stories from
records alone: articles are never parsed or hashed again, and a result depends only on
the set of records, so adding articles one by one or all at once gives the same ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import numpy as np

from veille.model import (
    AidCommitment,
    AidItem,
    Analysis,
    Article,
    Event,
    FuzzyDate,
    Place,
    Precision,
    Span,
    stable_id,
)

WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Casefolded, accent-free form used to compare names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _fuzzy_to_json(d: FuzzyDate) -> list[str | None]:
    return [d.value.isoformat() if d.value else None, d.precision.value]


def _fuzzy_from_json(raw: list[str | None] | None) -> FuzzyDate:
    if not raw:
        return FuzzyDate.unknown()
    value, precision = raw
    return FuzzyDate(date.fromisoformat(value) if value else None, Precision(precision))


def _span_to_json(s: Span) -> list[Any]:
    return [s.start, s.end, s.text]


def _span_from_json(raw: list[Any]) -> Span:
    return Span(int(raw[0]), int(raw[1]), str(raw[2]))


def _place_to_json(p: Place | None) -> dict | None:
    if p is None:
        return None
    return {"name": p.name, "country": p.country, "kb_id": p.kb_id, "lat": p.lat, "lon": p.lon}


def _place_from_json(raw: dict | None) -> Place | None:
    return Place(**raw) if raw else None


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(raw: str | None) -> Decimal | None:
    return None if raw is None else Decimal(raw)


@dataclass(frozen=True, slots=True)
class EventRecord:
    """One event mention, reduced to what incident matching compares."""

    event_id: str
    article_id: str
    type: str
    sentence: Span
    mode: str | None = None
    modality: str | None = None
    actor: str | None = None  # country code (else KB id) of the actor
    target: str | None = None
    place: Place | None = None
    area: str | None = None  # country of the place, else location_country, else target's
    date: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    claimed_by: str | None = None
    verification: str | None = None
    reported: FuzzyDate = field(default_factory=FuzzyDate.unknown)  # article's publication

    @property
    def place_key(self) -> str | None:
        if self.place is None:
            return None
        return self.place.kb_id or fold(self.place.name)

    def to_json(self) -> dict:
        return {
            "event_id": self.event_id,
            "article_id": self.article_id,
            "type": self.type,
            "sentence": _span_to_json(self.sentence),
            "mode": self.mode,
            "modality": self.modality,
            "actor": self.actor,
            "target": self.target,
            "place": _place_to_json(self.place),
            "area": self.area,
            "date": _fuzzy_to_json(self.date),
            "claimed_by": self.claimed_by,
            "verification": self.verification,
            "reported": _fuzzy_to_json(self.reported),
        }

    @classmethod
    def from_json(cls, raw: dict) -> EventRecord:
        return cls(
            event_id=raw["event_id"],
            article_id=raw["article_id"],
            type=raw["type"],
            sentence=_span_from_json(raw["sentence"]),
            mode=raw.get("mode"),
            modality=raw.get("modality"),
            actor=raw.get("actor"),
            target=raw.get("target"),
            place=_place_from_json(raw.get("place")),
            area=raw.get("area"),
            date=_fuzzy_from_json(raw.get("date")),
            claimed_by=raw.get("claimed_by"),
            verification=raw.get("verification"),
            reported=_fuzzy_from_json(raw.get("reported")),
        )


def _actor_code(actor) -> str | None:
    if actor is None:
        return None
    return actor.country or actor.kb_id


def event_record(event: Event, reported: FuzzyDate | None = None) -> EventRecord:
    """``reported`` is the article's publication date, the fallback for an undated event."""
    target = _actor_code(event.target)
    place = event.location
    area = (place.country if place else None) or event.location_country
    if area is None and event.target is not None:
        area = event.target.country
    return EventRecord(
        event_id=event.id,
        article_id=event.article_id,
        type=event.type,
        sentence=event.sentence,
        mode=event.mode,
        modality=event.modality.value if event.modality else None,
        actor=_actor_code(event.actor),
        target=target,
        place=place,
        area=area,
        date=event.date,
        claimed_by=event.claimed_by,
        verification=event.verification.value if event.verification else None,
        reported=reported or FuzzyDate.unknown(),
    )


@dataclass(frozen=True, slots=True)
class AidRecord:
    commitment_id: str
    article_id: str
    evidence: Span
    donor: str | None = None
    recipient: str | None = None
    kind: str | None = None
    mechanism: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    usd_value: Decimal | None = None
    status: str | None = None
    systems: tuple[str, ...] = ()  # "system×quantity" of items, system folded ("patriot×10")
    announced: FuzzyDate = field(default_factory=FuzzyDate.unknown)

    def to_json(self) -> dict:
        return {
            "commitment_id": self.commitment_id,
            "article_id": self.article_id,
            "evidence": _span_to_json(self.evidence),
            "donor": self.donor,
            "recipient": self.recipient,
            "kind": self.kind,
            "mechanism": self.mechanism,
            "value": _dec(self.value),
            "currency": self.currency,
            "usd_value": _dec(self.usd_value),
            "status": self.status,
            "systems": list(self.systems),
            "announced": _fuzzy_to_json(self.announced),
        }

    @classmethod
    def from_json(cls, raw: dict) -> AidRecord:
        return cls(
            commitment_id=raw["commitment_id"],
            article_id=raw["article_id"],
            evidence=_span_from_json(raw["evidence"]),
            donor=raw.get("donor"),
            recipient=raw.get("recipient"),
            kind=raw.get("kind"),
            mechanism=raw.get("mechanism"),
            value=_undec(raw.get("value")),
            currency=raw.get("currency"),
            usd_value=_undec(raw.get("usd_value")),
            status=raw.get("status"),
            systems=tuple(raw.get("systems") or ()),
            announced=_fuzzy_from_json(raw.get("announced")),
        )


def _system_key(item: AidItem) -> str:
    """A counted item: a bare system name ("Patriot") is too common to identify a deal."""
    quantity = "?" if item.quantity is None else format(Decimal(item.quantity).normalize(), "f")
    return f"{item.kb_id or fold(item.system)}×{quantity}"


def aid_record(commitment: AidCommitment) -> AidRecord:
    evidence = commitment.evidence[0] if commitment.evidence else Span(0, 0, "")
    return AidRecord(
        commitment_id=commitment.id,
        article_id=commitment.article_id,
        evidence=evidence,
        donor=commitment.donor,
        recipient=commitment.recipient,
        kind=commitment.kind,
        mechanism=commitment.mechanism,
        value=commitment.value,
        currency=commitment.currency,
        usd_value=commitment.usd_value,
        status=commitment.status.value if commitment.status else None,
        systems=tuple(sorted({_system_key(i) for i in commitment.items})),
        announced=commitment.announced,
    )


@dataclass(frozen=True, slots=True)
class ArticleRecord:
    """One article as linking sees it."""

    article_id: str
    content_hash: str
    signature: np.ndarray  # MinHash values (see dedup.py)
    outlet: str | None = None
    url: str | None = None
    title: str | None = None
    published: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    ingested_at: datetime | None = None
    entities: tuple[tuple[str, str, int], ...] = ()  # (key, display name, mentions)
    terms: tuple[tuple[str, int], ...] = ()  # most frequent longer words, with counts
    events: tuple[EventRecord, ...] = ()
    aid: tuple[AidRecord, ...] = ()

    @property
    def seen(self) -> datetime | None:
        """When the article appeared: its day of publication, else its ingestion time."""
        pub = self.published
        if pub.value is not None and pub.precision is Precision.DAY:
            return datetime(pub.value.year, pub.value.month, pub.value.day, tzinfo=UTC)
        if self.ingested_at is not None:
            at = self.ingested_at
            return at if at.tzinfo else at.replace(tzinfo=UTC)
        if pub.value is not None and pub.precision is not Precision.UNKNOWN:
            return datetime(pub.value.year, pub.value.month, pub.value.day, tzinfo=UTC)
        return None

    @property
    def day(self) -> date | None:
        seen = self.seen
        return seen.date() if seen else None

    @property
    def published_day(self) -> date | None:
        """The publication date when known to the day, week or month (never ingest time):
        what stories and incidents report as their dates."""
        pub = self.published
        if pub.value is None or pub.precision in (Precision.UNKNOWN, Precision.YEAR):
            return None
        return pub.value

    def to_json(self) -> dict:
        """Everything but the signature, which is stored as bytes beside it."""
        return {
            "article_id": self.article_id,
            "content_hash": self.content_hash,
            "outlet": self.outlet,
            "url": self.url,
            "title": self.title,
            "published": _fuzzy_to_json(self.published),
            "ingested_at": self.ingested_at.isoformat() if self.ingested_at else None,
            "entities": [list(e) for e in self.entities],
            "terms": [list(t) for t in self.terms],
            "events": [e.to_json() for e in self.events],
            "aid": [a.to_json() for a in self.aid],
        }

    @classmethod
    def from_json(cls, raw: dict, signature: np.ndarray) -> ArticleRecord:
        at = raw.get("ingested_at")
        return cls(
            article_id=raw["article_id"],
            content_hash=raw["content_hash"],
            signature=signature,
            outlet=raw.get("outlet"),
            url=raw.get("url"),
            title=raw.get("title"),
            published=_fuzzy_from_json(raw.get("published")),
            ingested_at=datetime.fromisoformat(at) if at else None,
            entities=tuple((str(k), str(n), int(c)) for k, n, c in raw.get("entities") or ()),
            terms=tuple((str(t), int(c)) for t, c in raw.get("terms") or ()),
            events=tuple(EventRecord.from_json(e) for e in raw.get("events") or ()),
            aid=tuple(AidRecord.from_json(a) for a in raw.get("aid") or ()),
        )


# Words shorter than this are mostly function words in any alphabetic language; the
# story vectors weight the rest by inverse document frequency.
MIN_TERM_LENGTH = 5
MAX_TERMS = 40


def article_terms(text: str) -> tuple[tuple[str, int], ...]:
    counts = Counter(w for w in WORD.findall(fold(text)) if len(w) >= MIN_TERM_LENGTH)
    counts = Counter({w: c for w, c in counts.items() if not w.isdigit()})
    return tuple(sorted(counts.most_common(MAX_TERMS)))


def article_entities(analysis: Analysis) -> tuple[tuple[str, str, int], ...]:
    counts: Counter[str] = Counter()
    names: dict[str, str] = {}
    for ent in analysis.entities:
        key = ent.kb_id or f"{ent.label.value}:{fold(ent.name)}"
        counts[key] += 1
        names.setdefault(key, ent.name)
    return tuple(sorted((k, names[k], c) for k, c in counts.items()))


def article_record(analysis: Analysis, signature: np.ndarray) -> ArticleRecord:
    article: Article = analysis.article
    return ArticleRecord(
        article_id=article.id,
        content_hash=article.content_hash or stable_id("text", article.text),
        signature=signature,
        outlet=article.outlet,
        url=article.url,
        title=article.title,
        published=article.published,
        ingested_at=article.ingested_at,
        entities=article_entities(analysis),
        terms=article_terms(article.text),
        events=tuple(event_record(e, article.published) for e in analysis.events),
        aid=tuple(aid_record(a) for a in analysis.aid),
    )


__all__ = [
    "AidRecord",
    "ArticleRecord",
    "EventRecord",
    "aid_record",
    "article_record",
    "event_record",
    "fold",
]
