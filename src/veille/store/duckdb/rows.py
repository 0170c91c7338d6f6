"""Conversion between model records and table rows (dicts keyed by column name).

Decimals are written twice: a DECIMAL(38,4) column for filtering and ``*_text`` holding
``str(value)`` so reading gives back exactly the Decimal that was written. Datetimes are
stored as naive UTC and read back as aware UTC.
"""

from __future__ import annotations

import decimal
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from veille.model import (
    Actor,
    AidCommitment,
    AidItem,
    AidStatus,
    AidStatusChange,
    Article,
    Claim,
    DuplicateGroup,
    EntityMention,
    EntityType,
    Event,
    EventQuantity,
    FuzzyDate,
    Incident,
    MergedAid,
    Modality,
    Place,
    Precision,
    Qualifier,
    Quantity,
    Span,
    Story,
    TimeExpression,
    Verification,
)

Row = dict[str, Any]

_FOUR_PLACES = Decimal("0.0001")
_WIDE = decimal.Context(prec=80)


# ---------------------------------------------------------------------------
# scalar helpers


def dec_column(value: Decimal | None) -> Decimal | None:
    """The filterable DECIMAL(38,4) value (rounded half-even to 4 places)."""
    if value is None:
        return None
    return value.quantize(_FOUR_PLACES, context=_WIDE)


def dec_text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def dec_read(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def ts_write(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None)


def ts_read(value: datetime | None) -> datetime | None:
    return None if value is None else value.replace(tzinfo=UTC)


def enum_or_none(kind, value: str | None):
    return None if value is None else kind(value)


def span_json(span: Span) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": span.text}


def span_read(data: dict[str, Any]) -> Span:
    return Span(data["start"], data["end"], data["text"])


def fuzzy_read(value, precision: str | None) -> FuzzyDate:
    return FuzzyDate(value, Precision(precision or "unknown"))


def json_read(value: str | None) -> Any:
    return None if value is None else json.loads(value)


def json_write(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _actor_cols(prefix: str, actor: Actor | None) -> Row:
    if actor is None:
        return {f"{prefix}_{k}": None for k in ("text", "name", "country", "sector", "kb_id")}
    return {
        f"{prefix}_text": actor.text,
        f"{prefix}_name": actor.name,
        f"{prefix}_country": actor.country,
        f"{prefix}_sector": actor.sector,
        f"{prefix}_kb_id": actor.kb_id,
    }


def _actor_read(prefix: str, row: Row) -> Actor | None:
    if row[f"{prefix}_name"] is None and row[f"{prefix}_text"] is None:
        return None
    return Actor(
        text=row[f"{prefix}_text"],
        name=row[f"{prefix}_name"],
        country=row[f"{prefix}_country"],
        sector=row[f"{prefix}_sector"],
        kb_id=row[f"{prefix}_kb_id"],
    )


def _place_cols(place: Place | None) -> Row:
    if place is None:
        return {
            "location_name": None,
            "location_place_country": None,
            "location_kb_id": None,
            "location_lat": None,
            "location_lon": None,
        }
    return {
        "location_name": place.name,
        "location_place_country": place.country,
        "location_kb_id": place.kb_id,
        "location_lat": place.lat,
        "location_lon": place.lon,
    }


def _place_read(row: Row) -> Place | None:
    if row["location_name"] is None:
        return None
    return Place(
        name=row["location_name"],
        country=row["location_place_country"],
        kb_id=row["location_kb_id"],
        lat=row["location_lat"],
        lon=row["location_lon"],
    )


# ---------------------------------------------------------------------------
# per-article records


def article_row(article: Article, version: int) -> Row:
    return {
        "id": article.id,
        "source": article.source,
        "version": version,
        "text": article.text,
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet,
        "language": article.language,
        "published_date": article.published.value,
        "published_precision": str(article.published.precision),
        "ingested_at": ts_write(article.ingested_at),
        "content_hash": article.content_hash,
        "raw_hash": article.raw_hash,
        "input_format": article.input_format,
        "dropped_lines": json_write(list(article.dropped_lines)),
        "flags": list(article.flags),
        "num_chars": len(article.text),
    }


def article_read(row: Row) -> Article:
    return Article(
        id=row["id"],
        source=row["source"],
        text=row["text"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        published=fuzzy_read(row["published_date"], row["published_precision"]),
        ingested_at=ts_read(row["ingested_at"]),
        content_hash=row["content_hash"],
        raw_hash=row["raw_hash"],
        input_format=row["input_format"],
        dropped_lines=tuple(json_read(row["dropped_lines"]) or ()),
        flags=tuple(row["flags"] or ()),
    )


def entity_row(article_id: str, idx: int, m: EntityMention) -> Row:
    return {
        "article_id": article_id,
        "idx": idx,
        "start_char": m.start,
        "end_char": m.end,
        "text": m.text,
        "label": str(m.label),
        "name": m.name,
        "kb_id": m.kb_id,
        "country": m.country,
        "sector": m.sector,
        "role": m.role,
        "refers_to": m.refers_to,
        "resolved_by": m.resolved_by,
        "lat": m.lat,
        "lon": m.lon,
    }


def entity_read(row: Row) -> EntityMention:
    return EntityMention(
        start=row["start_char"],
        end=row["end_char"],
        text=row["text"],
        label=EntityType(row["label"]),
        name=row["name"],
        kb_id=row["kb_id"],
        country=row["country"],
        sector=row["sector"],
        role=row["role"],
        refers_to=row["refers_to"],
        resolved_by=row["resolved_by"],
        lat=row["lat"],
        lon=row["lon"],
    )


def quantity_row(article_id: str, idx: int, q: Quantity) -> Row:
    return {
        "article_id": article_id,
        "idx": idx,
        "start_char": q.start,
        "end_char": q.end,
        "text": q.text,
        "value": dec_column(q.value),
        "value_text": dec_text(q.value),
        "unit": q.unit,
        "kind": q.kind,
        "qualifier": str(q.qualifier),
        "usd_value": dec_column(q.usd_value),
        "usd_value_text": dec_text(q.usd_value),
        "fx_year": q.fx_year,
    }


def quantity_read(row: Row) -> Quantity:
    return Quantity(
        start=row["start_char"],
        end=row["end_char"],
        text=row["text"],
        value=dec_read(row["value_text"]),
        unit=row["unit"],
        kind=row["kind"],
        qualifier=Qualifier(row["qualifier"]),
        usd_value=dec_read(row["usd_value_text"]),
        fx_year=row["fx_year"],
    )


def time_row(article_id: str, idx: int, t: TimeExpression) -> Row:
    return {
        "article_id": article_id,
        "idx": idx,
        "start_char": t.start,
        "end_char": t.end,
        "text": t.text,
        "date": t.date.value,
        "date_precision": str(t.date.precision),
        "end_date": t.end_date.value if t.end_date else None,
        "end_precision": str(t.end_date.precision) if t.end_date else None,
    }


def time_read(row: Row) -> TimeExpression:
    end = None
    if row["end_precision"] is not None:
        end = fuzzy_read(row["end_date"], row["end_precision"])
    return TimeExpression(
        start=row["start_char"],
        end=row["end_char"],
        text=row["text"],
        date=fuzzy_read(row["date"], row["date_precision"]),
        end_date=end,
    )


def event_row(idx: int, e: Event) -> Row:
    return {
        "id": e.id,
        "article_id": e.article_id,
        "idx": idx,
        "type": e.type,
        "sentence_start": e.sentence.start,
        "sentence_end": e.sentence.end,
        "sentence_text": e.sentence.text,
        "trigger_start": e.trigger.start,
        "trigger_end": e.trigger.end,
        "trigger_text": e.trigger.text,
        "mode": e.mode,
        "modality": None if e.modality is None else str(e.modality),
        **_actor_cols("actor", e.actor),
        **_actor_cols("target", e.target),
        **_place_cols(e.location),
        "location_country": e.location_country,
        "date": e.date.value,
        "date_precision": str(e.date.precision),
        "quantities": json_write(
            [
                {
                    "value": str(q.value),
                    "unit": q.unit,
                    "role": q.role,
                    "qualifier": str(q.qualifier),
                }
                for q in e.quantities
            ]
        ),
        "claimed_by": e.claimed_by,
        "verification": None if e.verification is None else str(e.verification),
        "confidence": e.confidence,
        "stage": e.stage,
    }


def event_read(row: Row) -> Event:
    return Event(
        id=row["id"],
        article_id=row["article_id"],
        type=row["type"],
        sentence=Span(row["sentence_start"], row["sentence_end"], row["sentence_text"]),
        trigger=Span(row["trigger_start"], row["trigger_end"], row["trigger_text"]),
        mode=row["mode"],
        modality=enum_or_none(Modality, row["modality"]),
        actor=_actor_read("actor", row),
        target=_actor_read("target", row),
        location=_place_read(row),
        location_country=row["location_country"],
        date=fuzzy_read(row["date"], row["date_precision"]),
        quantities=tuple(
            EventQuantity(Decimal(q["value"]), q["unit"], q["role"], Qualifier(q["qualifier"]))
            for q in json_read(row["quantities"]) or ()
        ),
        claimed_by=row["claimed_by"],
        verification=enum_or_none(Verification, row["verification"]),
        confidence=row["confidence"],
        stage=row["stage"],
    )


def aid_row(idx: int, a: AidCommitment) -> Row:
    return {
        "id": a.id,
        "article_id": a.article_id,
        "idx": idx,
        "evidence": json_write([span_json(s) for s in a.evidence]),
        "donor": a.donor,
        "recipient": a.recipient,
        "kind": a.kind,
        "mechanism": a.mechanism,
        "value": dec_column(a.value),
        "value_text": dec_text(a.value),
        "currency": a.currency,
        "usd_value": dec_column(a.usd_value),
        "usd_value_text": dec_text(a.usd_value),
        "qualifier": None if a.qualifier is None else str(a.qualifier),
        "status": None if a.status is None else str(a.status),
        "items": json_write(
            [
                {
                    "system": i.system,
                    "quantity": dec_text(i.quantity),
                    "qualifier": None if i.qualifier is None else str(i.qualifier),
                    "kb_id": i.kb_id,
                }
                for i in a.items
            ]
        ),
        "announced_date": a.announced.value,
        "announced_precision": str(a.announced.precision),
        "confidence": a.confidence,
        "stage": a.stage,
    }


def aid_read(row: Row) -> AidCommitment:
    return AidCommitment(
        id=row["id"],
        article_id=row["article_id"],
        evidence=tuple(span_read(s) for s in json_read(row["evidence"]) or ()),
        donor=row["donor"],
        recipient=row["recipient"],
        kind=row["kind"],
        mechanism=row["mechanism"],
        value=dec_read(row["value_text"]),
        currency=row["currency"],
        usd_value=dec_read(row["usd_value_text"]),
        qualifier=enum_or_none(Qualifier, row["qualifier"]),
        status=enum_or_none(AidStatus, row["status"]),
        items=tuple(
            AidItem(
                system=i["system"],
                quantity=dec_read(i["quantity"]),
                qualifier=enum_or_none(Qualifier, i["qualifier"]),
                kb_id=i["kb_id"],
            )
            for i in json_read(row["items"]) or ()
        ),
        announced=fuzzy_read(row["announced_date"], row["announced_precision"]),
        confidence=row["confidence"],
        stage=row["stage"],
    )


def claim_row(idx: int, c: Claim) -> Row:
    return {
        "id": c.id,
        "article_id": c.article_id,
        "idx": idx,
        "sentence_start": c.sentence.start,
        "sentence_end": c.sentence.end,
        "sentence_text": c.sentence.text,
        "content_start": c.content.start,
        "content_end": c.content.end,
        "content_text": c.content.text,
        "cue": c.cue,
        **_actor_cols("speaker", c.speaker),
        "anonymous": c.anonymous,
        "verification": None if c.verification is None else str(c.verification),
        "verification_evidence": (
            None
            if c.verification_evidence is None
            else json_write(span_json(c.verification_evidence))
        ),
        "confidence": c.confidence,
        "stage": c.stage,
    }


def claim_read(row: Row) -> Claim:
    evidence = json_read(row["verification_evidence"])
    return Claim(
        id=row["id"],
        article_id=row["article_id"],
        sentence=Span(row["sentence_start"], row["sentence_end"], row["sentence_text"]),
        content=Span(row["content_start"], row["content_end"], row["content_text"]),
        cue=row["cue"],
        speaker=_actor_read("speaker", row),
        anonymous=row["anonymous"],
        verification=enum_or_none(Verification, row["verification"]),
        verification_evidence=None if evidence is None else span_read(evidence),
        confidence=row["confidence"],
        stage=row["stage"],
    )


# ---------------------------------------------------------------------------
# cross-article records: (main row, {child table: rows})


def duplicate_group_rows(g: DuplicateGroup) -> tuple[Row, dict[str, list[Row]]]:
    main = {
        "id": g.id,
        "kind": g.kind,
        "similarity": g.similarity,
        "outlets": list(g.outlets),
        "urls": list(g.urls),
    }
    members = [{"group_id": g.id, "idx": i, "article_id": a} for i, a in enumerate(g.article_ids)]
    return main, {"duplicate_group_articles": members}


def duplicate_group_read(row: Row, article_ids: list[str]) -> DuplicateGroup:
    return DuplicateGroup(
        id=row["id"],
        kind=row["kind"],
        article_ids=tuple(article_ids),
        outlets=tuple(row["outlets"] or ()),
        urls=tuple(row["urls"] or ()),
        similarity=row["similarity"],
    )


def incident_rows(inc: Incident) -> tuple[Row, dict[str, list[Row]]]:
    main = {
        "id": inc.id,
        "type": inc.type,
        "mode": inc.mode,
        "actor": inc.actor,
        "target": inc.target,
        **_place_cols(inc.location),
        "location_country": inc.location_country,
        "date": inc.date.value,
        "date_precision": str(inc.date.precision),
        "num_mentions": inc.num_mentions,
        "num_articles": inc.num_articles,
        "num_sources": inc.num_sources,
        "first_seen": ts_write(inc.first_seen),
        "last_seen": ts_write(inc.last_seen),
        "claimants": list(inc.claimants),
        "verification": inc.verification,
    }
    children = {
        "incident_events": [
            {"incident_id": inc.id, "idx": i, "event_id": e} for i, e in enumerate(inc.event_ids)
        ],
        "incident_articles": [
            {"incident_id": inc.id, "idx": i, "article_id": a}
            for i, a in enumerate(inc.article_ids)
        ],
    }
    return main, children


def incident_read(row: Row, event_ids: list[str], article_ids: list[str]) -> Incident:
    return Incident(
        id=row["id"],
        type=row["type"],
        event_ids=tuple(event_ids),
        article_ids=tuple(article_ids),
        mode=row["mode"],
        actor=row["actor"],
        target=row["target"],
        location=_place_read(row),
        location_country=row["location_country"],
        date=fuzzy_read(row["date"], row["date_precision"]),
        num_mentions=row["num_mentions"],
        num_articles=row["num_articles"],
        num_sources=row["num_sources"],
        first_seen=ts_read(row["first_seen"]),
        last_seen=ts_read(row["last_seen"]),
        claimants=tuple(row["claimants"] or ()),
        verification=row["verification"],
    )


def merged_aid_rows(m: MergedAid) -> tuple[Row, dict[str, list[Row]]]:
    main = {
        "id": m.id,
        "donor": m.donor,
        "recipient": m.recipient,
        "kind": m.kind,
        "mechanism": m.mechanism,
        "value": dec_column(m.value),
        "value_text": dec_text(m.value),
        "currency": m.currency,
        "usd_value": dec_column(m.usd_value),
        "usd_value_text": dec_text(m.usd_value),
        "status": None if m.status is None else str(m.status),
    }
    children = {
        "merged_aid_commitments": [
            {"merged_id": m.id, "idx": i, "commitment_id": c}
            for i, c in enumerate(m.commitment_ids)
        ],
        "merged_aid_history": [
            {
                "merged_id": m.id,
                "idx": i,
                "status": str(h.status),
                "date": h.date.value,
                "date_precision": str(h.date.precision),
                "article_id": h.article_id,
                "commitment_id": h.commitment_id,
                "evidence_start": h.evidence.start,
                "evidence_end": h.evidence.end,
                "evidence_text": h.evidence.text,
            }
            for i, h in enumerate(m.history)
        ],
    }
    return main, children


def merged_aid_read(row: Row, commitment_ids: list[str], history: list[Row]) -> MergedAid:
    return MergedAid(
        id=row["id"],
        commitment_ids=tuple(commitment_ids),
        donor=row["donor"],
        recipient=row["recipient"],
        kind=row["kind"],
        mechanism=row["mechanism"],
        value=dec_read(row["value_text"]),
        currency=row["currency"],
        usd_value=dec_read(row["usd_value_text"]),
        status=enum_or_none(AidStatus, row["status"]),
        history=tuple(
            AidStatusChange(
                status=AidStatus(h["status"]),
                date=fuzzy_read(h["date"], h["date_precision"]),
                article_id=h["article_id"],
                commitment_id=h["commitment_id"],
                evidence=Span(h["evidence_start"], h["evidence_end"], h["evidence_text"]),
            )
            for h in history
        ),
    )


def story_rows(s: Story) -> tuple[Row, dict[str, list[Row]]]:
    main = {
        "id": s.id,
        "label": s.label,
        "top_entities": list(s.top_entities),
        "first_date": s.first_date,
        "last_date": s.last_date,
    }
    members = [{"story_id": s.id, "idx": i, "article_id": a} for i, a in enumerate(s.article_ids)]
    return main, {"story_articles": members}


def story_read(row: Row, article_ids: list[str]) -> Story:
    return Story(
        id=row["id"],
        label=row["label"],
        article_ids=tuple(article_ids),
        top_entities=tuple(row["top_entities"] or ()),
        first_date=row["first_date"],
        last_date=row["last_date"],
    )
