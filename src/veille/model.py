"""The data model every stage reads and writes.

All annotations are standoff: ``start``/``end`` are character offsets into the
immutable clean text of their article (``Article.text``), and ``text`` repeats the
covered string so a record is readable on its own. Records are frozen; a stage that
adds information returns new objects (``dataclasses.replace``).

Vocabularies follow ``shared/gold/FORMAT.md``: country codes are ISO 3166-1 alpha-3
plus ``NATO``, ``EU`` and ``EUROPE``; event types are PLOVER's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

# ---------------------------------------------------------------------------
# Vocabularies


class Precision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROX = "approx"  # près de, environ
    MIN = "min"  # plus de, au moins, dépassant
    MAX = "max"  # moins de, jusqu'à


class EntityType(StrEnum):
    PER = "PER"
    ORG = "ORG"
    LOC = "LOC"
    WEAPON = "WEAPON"
    MISC = "MISC"


class Modality(StrEnum):
    """PLOVER auxiliary modes. ``None`` on an event means it is reported as having happened."""

    FUTURE = "future"
    HYPOTHETICAL = "hypothetical"
    HISTORICAL = "historical"
    NEGATION = "negation"


class Verification(StrEnum):
    UNVERIFIED = "unverified"
    CONFIRMED = "confirmed"
    DENIED = "denied"


class AidStatus(StrEnum):
    ANNOUNCED = "announced"
    PROMISED = "promised"
    NEGOTIATING = "negotiating"
    PLANNED = "planned"
    APPROVED = "approved"
    DELIVERED = "delivered"
    SUSPENDED = "suspended"
    COMMITTED = "committed"


PLOVER_EVENT_TYPES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)


# ---------------------------------------------------------------------------
# Helpers


def stable_id(*parts: object, size: int = 16) -> str:
    """A content-derived id (blake2b), stable across runs and processes."""
    h = hashlib.blake2b(digest_size=size)
    for part in parts:
        h.update(str(part).encode("utf-8", "surrogatepass"))  # any str, even a lone surrogate
        h.update(b"\x1f")
    return h.hexdigest()


# The dates Veille holds: a year inside Python's calendar (1..9999) on each side, so any
# window or relative-date arithmetic (a week, a month, a year) cannot overflow. The search
# index and the API take them as day numbers (``date.toordinal``), which cannot either.
DATE_MIN = date(2, 1, 1)
DATE_MAX = date(9998, 12, 31)


@dataclass(frozen=True, slots=True)
class FuzzyDate:
    """A date known to some precision: ``date(2023, 10, 1)`` with MONTH means 2023-10.

    A date outside ``DATE_MIN``..``DATE_MAX`` ("0001-01-01", "9999-12-31") is not one
    Veille can reason about: it becomes unknown rather than overflowing later.
    """

    value: date | None
    precision: Precision = Precision.UNKNOWN

    def __post_init__(self) -> None:
        if self.value is not None and not DATE_MIN <= self.value <= DATE_MAX:
            object.__setattr__(self, "value", None)
            object.__setattr__(self, "precision", Precision.UNKNOWN)

    def iso(self) -> str | None:
        """The gold-format string: ``2023-10-04``, ``2023-10``, ``2023``, or ``None``."""
        if self.value is None or self.precision is Precision.UNKNOWN:
            return None
        if self.precision is Precision.YEAR:
            return f"{self.value.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return self.value.isoformat()  # DAY, and WEEK as the week's Monday

    @classmethod
    def unknown(cls) -> FuzzyDate:
        return cls(None, Precision.UNKNOWN)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of an article's clean text."""

    start: int
    end: int
    text: str


# ---------------------------------------------------------------------------
# Articles


@dataclass(frozen=True, slots=True)
class Article:
    """One version of one input document, cleaned.

    ``id`` hashes the source key with the raw bytes, so re-ingesting the same file adds
    nothing and a changed file becomes a new version. ``content_hash`` hashes the clean
    text alone, so the same text from two sources is recognisable as an exact duplicate.
    """

    id: str
    source: str  # path or URL as given
    text: str  # clean text; every offset in the model points into it
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    language: str | None = None
    published: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    ingested_at: datetime | None = None
    content_hash: str = ""
    raw_hash: str = ""
    input_format: str = "txt"  # txt, html, jsonl
    dropped_lines: tuple[str, ...] = ()  # boilerplate removed by the cleaner, for audit
    # pipeline notes stored with the article, e.g. "language-unsupported" (not analysed)
    flags: tuple[str, ...] = ()


# ---------------------------------------------------------------------------
# Enrichment


@dataclass(frozen=True, slots=True)
class EntityMention:
    """A mention in the text, linked to the knowledge base when possible."""

    start: int
    end: int
    text: str
    label: EntityType
    name: str  # KB canonical name, else the normalised surface form
    kb_id: str | None = None
    country: str | None = None  # ISO alpha-3, NATO, EU, EUROPE
    sector: str | None = None  # GOV, MIL, ... for actors (CAMEO/PLOVER agent sectors)
    role: str | None = None  # KB role id when the mention is a role phrase
    refers_to: str | None = None  # KB id a metonym or role phrase stands for (gov, office holder)
    resolved_by: str = "ner"  # ner, kb, short-form, metonymy, role
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A number with what it counts: money, a count of things, or a percentage."""

    start: int
    end: int
    text: str
    value: Decimal
    unit: str  # ISO currency code, "percent", or the counted noun's singular lemma
    kind: str  # money, count, percent
    qualifier: Qualifier = Qualifier.EXACT
    usd_value: Decimal | None = None  # money only, from the bundled yearly FX table
    fx_year: int | None = None


@dataclass(frozen=True, slots=True)
class TimeExpression:
    """A temporal expression resolved against the article's publication date."""

    start: int
    end: int
    text: str
    date: FuzzyDate
    end_date: FuzzyDate | None = None  # ranges: "depuis le début de l'année"


# ---------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts or is acted upon, reduced to what event coding needs."""

    text: str
    name: str
    country: str | None = None
    sector: str | None = None
    kb_id: str | None = None


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    country: str | None = None
    kb_id: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class EventQuantity:
    value: Decimal
    unit: str
    role: str  # intercepted, killed, launched, value, occupied_share, ...
    qualifier: Qualifier = Qualifier.EXACT


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    article_id: str
    type: str  # PLOVER event type
    sentence: Span  # the evidence
    trigger: Span
    mode: str | None = None
    modality: Modality | None = None
    actor: Actor | None = None
    target: Actor | None = None
    location: Place | None = None
    location_country: str | None = None
    date: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    quantities: tuple[EventQuantity, ...] = ()
    claimed_by: str | None = None
    verification: Verification | None = None
    confidence: float = 0.5
    stage: str = ""


@dataclass(frozen=True, slots=True)
class AidItem:
    system: str  # KB canonical name or the noun lemma ("drone")
    quantity: Decimal | None = None
    qualifier: Qualifier | None = None
    kb_id: str | None = None


@dataclass(frozen=True, slots=True)
class AidCommitment:
    id: str
    article_id: str
    evidence: tuple[Span, ...]  # every sentence that states this commitment
    donor: str | None = None
    recipient: str | None = None
    kind: str | None = None  # military, financial, humanitarian
    mechanism: str | None = None  # donation, purchase, loan, coproduction
    value: Decimal | None = None
    currency: str | None = None
    usd_value: Decimal | None = None
    qualifier: Qualifier | None = None
    status: AidStatus | None = None
    items: tuple[AidItem, ...] = ()
    announced: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    confidence: float = 0.5
    stage: str = ""


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    article_id: str
    sentence: Span  # evidence: the sentence, or the whole passage of a multi-sentence quote
    content: Span  # what is asserted
    cue: str  # lemma of the cue verb or phrase (déclarer, selon, ...)
    speaker: Actor | None = None
    anonymous: bool = False  # "des sources fiables", "les médias britanniques"
    verification: Verification | None = None
    verification_evidence: Span | None = None
    confidence: float = 0.5
    stage: str = ""


# ---------------------------------------------------------------------------
# Per-article result


@dataclass(slots=True)
class Analysis:
    """Everything known about one article; what flows between stages.

    ``doc`` holds the spaCy parse while the article is inside a worker. It is never
    stored or pickled (``__getstate__`` drops it), so stages stay picklable for Ray.
    """

    article: Article
    entities: list[EntityMention] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    times: list[TimeExpression] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    aid: list[AidCommitment] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    doc: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {
            name: (None if name == "doc" else getattr(self, name))
            for name in self.__dataclass_fields__
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            setattr(self, name, value)


# ---------------------------------------------------------------------------
# Across articles


@dataclass(frozen=True, slots=True)
class DuplicateGroup:
    id: str
    kind: str  # exact, near
    article_ids: tuple[str, ...]
    outlets: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()
    similarity: float = 1.0  # lowest estimated Jaccard inside the group


@dataclass(frozen=True, slots=True)
class Incident:
    """One real-world event, with every mention of it across articles."""

    id: str
    type: str
    event_ids: tuple[str, ...]
    article_ids: tuple[str, ...]
    mode: str | None = None
    actor: str | None = None  # country code
    target: str | None = None
    location: Place | None = None
    location_country: str | None = None
    date: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    num_mentions: int = 0
    num_articles: int = 0
    num_sources: int = 0  # distinct outlets
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    claimants: tuple[str, ...] = ()
    verification: str | None = None


@dataclass(frozen=True, slots=True)
class AidStatusChange:
    status: AidStatus
    date: FuzzyDate
    article_id: str
    commitment_id: str
    evidence: Span


@dataclass(frozen=True, slots=True)
class MergedAid:
    """One aid commitment across articles, with its status history."""

    id: str
    commitment_ids: tuple[str, ...]
    donor: str | None
    recipient: str | None
    kind: str | None = None
    mechanism: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    usd_value: Decimal | None = None
    status: AidStatus | None = None  # the latest
    history: tuple[AidStatusChange, ...] = ()


@dataclass(frozen=True, slots=True)
class Story:
    id: str
    label: str
    article_ids: tuple[str, ...]
    top_entities: tuple[str, ...] = ()
    first_date: date | None = None
    last_date: date | None = None


class SourceKind(StrEnum):
    FEED = "feed"  # RSS or Atom
    SITEMAP = "sitemap"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Source:
    """Something Veille watches; ``kind`` is None until the first fetch tells."""

    id: str
    url: str
    every_seconds: int
    added_at: datetime
    name: str | None = None
    language: str | None = None
    kind: SourceKind | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_fetch_at: datetime | None = None
    last_status: str | None = None
    last_error: str | None = None
    last_new_at: datetime | None = None
    error_count: int = 0
    next_poll_at: datetime | None = None
    articles: int = 0
