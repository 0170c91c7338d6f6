"""Flat tables (CSV, Parquet) and GeoJSON from analyses and incidents.

Seven tables: articles, entities, quantities, events, aid, claims, incidents. Every
column is flat; nested lists (event quantities, aid items and evidence spans, incident
members) are JSON strings. Money and other decimals appear twice: ``value`` as a float
for analysis and ``value_text`` as the exact ``str(Decimal)``. Dates are the gold-format
string (``2023-10`` for a month) beside a ``*_precision`` column. Columns and types are
fixed per table (``SCHEMAS``), so an empty table still has its header.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from veille.eval import doc_name
from veille.export.json import to_jsonable
from veille.model import Actor, Analysis, FuzzyDate, Incident, Place, Span

STR, INT, FLOAT, BOOL = pa.string(), pa.int64(), pa.float64(), pa.bool_()


def _actor_columns(prefix: str) -> list[tuple[str, pa.DataType]]:
    return [(f"{prefix}_{k}", STR) for k in ("text", "name", "country", "sector", "kb_id")]


def _place_columns() -> list[tuple[str, pa.DataType]]:
    return [
        ("location_name", STR),
        ("location_place_country", STR),
        ("location_kb_id", STR),
        ("lat", FLOAT),
        ("lon", FLOAT),
    ]


SCHEMAS: dict[str, pa.Schema] = {
    "articles": pa.schema(
        [
            ("id", STR),
            ("doc", STR),
            ("source", STR),
            ("title", STR),
            ("url", STR),
            ("outlet", STR),
            ("language", STR),
            ("published", STR),
            ("published_precision", STR),
            ("ingested_at", STR),
            ("content_hash", STR),
            ("raw_hash", STR),
            ("input_format", STR),
            ("num_chars", INT),
            ("dropped_lines", STR),
            ("text", STR),
        ]
    ),
    "entities": pa.schema(
        [
            ("article_id", STR),
            ("start", INT),
            ("end", INT),
            ("text", STR),
            ("label", STR),
            ("name", STR),
            ("kb_id", STR),
            ("country", STR),
            ("sector", STR),
            ("role", STR),
            ("refers_to", STR),
            ("resolved_by", STR),
            ("lat", FLOAT),
            ("lon", FLOAT),
        ]
    ),
    "quantities": pa.schema(
        [
            ("article_id", STR),
            ("start", INT),
            ("end", INT),
            ("text", STR),
            ("value", FLOAT),
            ("value_text", STR),
            ("unit", STR),
            ("kind", STR),
            ("qualifier", STR),
            ("usd_value", FLOAT),
            ("usd_value_text", STR),
            ("fx_year", INT),
        ]
    ),
    "events": pa.schema(
        [
            ("id", STR),
            ("article_id", STR),
            ("type", STR),
            ("mode", STR),
            ("modality", STR),
            *_actor_columns("actor"),
            *_actor_columns("target"),
            *_place_columns(),
            ("location_country", STR),
            ("date", STR),
            ("date_precision", STR),
            ("claimed_by", STR),
            ("verification", STR),
            ("quantities", STR),
            ("confidence", FLOAT),
            ("stage", STR),
            ("trigger", STR),
            ("trigger_start", INT),
            ("trigger_end", INT),
            ("evidence", STR),
            ("evidence_start", INT),
            ("evidence_end", INT),
        ]
    ),
    "aid": pa.schema(
        [
            ("id", STR),
            ("article_id", STR),
            ("donor", STR),
            ("recipient", STR),
            ("kind", STR),
            ("mechanism", STR),
            ("value", FLOAT),
            ("value_text", STR),
            ("currency", STR),
            ("usd_value", FLOAT),
            ("usd_value_text", STR),
            ("qualifier", STR),
            ("status", STR),
            ("items", STR),
            ("announced", STR),
            ("announced_precision", STR),
            ("confidence", FLOAT),
            ("stage", STR),
            ("evidence", STR),
            ("evidence_start", INT),
            ("evidence_end", INT),
            ("evidence_all", STR),
        ]
    ),
    "claims": pa.schema(
        [
            ("id", STR),
            ("article_id", STR),
            *_actor_columns("speaker"),
            ("anonymous", BOOL),
            ("cue", STR),
            ("verification", STR),
            ("verification_evidence", STR),
            ("verification_start", INT),
            ("verification_end", INT),
            ("content", STR),
            ("content_start", INT),
            ("content_end", INT),
            ("confidence", FLOAT),
            ("stage", STR),
            ("evidence", STR),
            ("evidence_start", INT),
            ("evidence_end", INT),
        ]
    ),
    "incidents": pa.schema(
        [
            ("id", STR),
            ("type", STR),
            ("mode", STR),
            ("actor", STR),
            ("target", STR),
            *_place_columns(),
            ("location_country", STR),
            ("date", STR),
            ("date_precision", STR),
            ("num_mentions", INT),
            ("num_articles", INT),
            ("num_sources", INT),
            ("first_seen", STR),
            ("last_seen", STR),
            ("claimants", STR),
            ("verification", STR),
            ("event_ids", STR),
            ("article_ids", STR),
        ]
    ),
}

TABLES: tuple[str, ...] = tuple(SCHEMAS)


# ---------------------------------------------------------------------------
# Rows


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _text(value: Decimal | None) -> str | None:
    return str(value) if value is not None else None


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False)


def _actor(prefix: str, actor: Actor | None) -> dict[str, Any]:
    keys = ("text", "name", "country", "sector", "kb_id")
    return {f"{prefix}_{k}": (getattr(actor, k) if actor else None) for k in keys}


def _place(place: Place | None) -> dict[str, Any]:
    return {
        "location_name": place.name if place else None,
        "location_place_country": place.country if place else None,
        "location_kb_id": place.kb_id if place else None,
        "lat": place.lat if place else None,
        "lon": place.lon if place else None,
    }


def _date(prefix: str, value: FuzzyDate) -> dict[str, Any]:
    return {prefix: value.iso(), f"{prefix}_precision": value.precision.value}


def _span(prefix: str, span: Span | None, *, text_key: str | None = None) -> dict[str, Any]:
    return {
        text_key or prefix: span.text if span else None,
        f"{prefix}_start": span.start if span else None,
        f"{prefix}_end": span.end if span else None,
    }


def article_row(analysis: Analysis) -> dict[str, Any]:
    a = analysis.article
    return {
        "id": a.id,
        "doc": doc_name(a.source),
        "source": a.source,
        "title": a.title,
        "url": a.url,
        "outlet": a.outlet,
        "language": a.language,
        **_date("published", a.published),
        "ingested_at": a.ingested_at.isoformat() if a.ingested_at else None,
        "content_hash": a.content_hash,
        "raw_hash": a.raw_hash,
        "input_format": a.input_format,
        "num_chars": len(a.text),
        "dropped_lines": _json(a.dropped_lines),
        "text": a.text,
    }


def analysis_rows(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The rows one article contributes to each per-article table."""
    aid_id = analysis.article.id
    rows: dict[str, list[dict[str, Any]]] = {"articles": [article_row(analysis)]}
    rows["entities"] = [
        {
            "article_id": aid_id,
            "start": m.start,
            "end": m.end,
            "text": m.text,
            "label": _enum(m.label),
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
        for m in analysis.entities
    ]
    rows["quantities"] = [
        {
            "article_id": aid_id,
            "start": q.start,
            "end": q.end,
            "text": q.text,
            "value": _float(q.value),
            "value_text": _text(q.value),
            "unit": q.unit,
            "kind": q.kind,
            "qualifier": _enum(q.qualifier),
            "usd_value": _float(q.usd_value),
            "usd_value_text": _text(q.usd_value),
            "fx_year": q.fx_year,
        }
        for q in analysis.quantities
    ]
    rows["events"] = [
        {
            "id": e.id,
            "article_id": e.article_id,
            "type": e.type,
            "mode": e.mode,
            "modality": _enum(e.modality),
            **_actor("actor", e.actor),
            **_actor("target", e.target),
            **_place(e.location),
            "location_country": e.location_country,
            **_date("date", e.date),
            "claimed_by": e.claimed_by,
            "verification": _enum(e.verification),
            "quantities": _json(e.quantities),
            "confidence": e.confidence,
            "stage": e.stage,
            **_span("trigger", e.trigger),
            **_span("evidence", e.sentence),
        }
        for e in analysis.events
    ]
    rows["aid"] = []
    for c in analysis.aid:
        spans = sorted(c.evidence, key=lambda s: s.start)
        rows["aid"].append(
            {
                "id": c.id,
                "article_id": c.article_id,
                "donor": c.donor,
                "recipient": c.recipient,
                "kind": c.kind,
                "mechanism": c.mechanism,
                "value": _float(c.value),
                "value_text": _text(c.value),
                "currency": c.currency,
                "usd_value": _float(c.usd_value),
                "usd_value_text": _text(c.usd_value),
                "qualifier": _enum(c.qualifier),
                "status": _enum(c.status),
                "items": _json(c.items),
                **_date("announced", c.announced),
                "confidence": c.confidence,
                "stage": c.stage,
                **_span("evidence", spans[0] if spans else None),
                "evidence_all": _json(spans),
            }
        )
    rows["claims"] = [
        {
            "id": c.id,
            "article_id": c.article_id,
            **_actor("speaker", c.speaker),
            "anonymous": c.anonymous,
            "cue": c.cue,
            "verification": _enum(c.verification),
            **_span("verification", c.verification_evidence, text_key="verification_evidence"),
            **_span("content", c.content),
            "confidence": c.confidence,
            "stage": c.stage,
            **_span("evidence", c.sentence),
        }
        for c in analysis.claims
    ]
    return rows


def incident_row(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.id,
        "type": incident.type,
        "mode": incident.mode,
        "actor": incident.actor,
        "target": incident.target,
        **_place(incident.location),
        "location_country": incident.location_country,
        **_date("date", incident.date),
        "num_mentions": incident.num_mentions,
        "num_articles": incident.num_articles,
        "num_sources": incident.num_sources,
        "first_seen": incident.first_seen.isoformat() if incident.first_seen else None,
        "last_seen": incident.last_seen.isoformat() if incident.last_seen else None,
        "claimants": _json(incident.claimants),
        "verification": incident.verification,
        "event_ids": _json(incident.event_ids),
        "article_ids": _json(incident.article_ids),
    }


def table_rows(
    analyses: Iterable[Analysis], incidents: Iterable[Incident] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Rows of every table, keyed by table name (all of ``TABLES``, possibly empty)."""
    out: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for analysis in analyses:
        for name, rows in analysis_rows(analysis).items():
            out[name].extend(rows)
    out["incidents"] = [incident_row(i) for i in incidents]
    return out


def to_arrow(name: str, rows: list[dict[str, Any]]) -> pa.Table:
    """One table as Arrow with its fixed schema."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def table_csv(name: str, rows: list[dict[str, Any]]) -> bytes:
    """One table as CSV bytes (UTF-8, header row, RFC 4180 quoting)."""
    sink = io.BytesIO()
    pa_csv.write_csv(to_arrow(name, rows), sink)
    return sink.getvalue()


def table_parquet(name: str, rows: list[dict[str, Any]]) -> bytes:
    """One table as Parquet bytes (zstd-compressed)."""
    sink = io.BytesIO()
    pq.write_table(to_arrow(name, rows), sink, compression="zstd")
    return sink.getvalue()


# ---------------------------------------------------------------------------
# GeoJSON


def event_feature(event: Any) -> dict[str, Any] | None:
    """A GeoJSON Feature for an event with coordinates, else ``None``."""
    place = event.location
    if place is None or place.lat is None or place.lon is None:
        return None
    return {
        "type": "Feature",
        "id": event.id,
        "geometry": {"type": "Point", "coordinates": [place.lon, place.lat]},
        "properties": {
            "id": event.id,
            "type": event.type,
            "mode": event.mode,
            "modality": _enum(event.modality),
            "date": event.date.iso(),
            "date_precision": event.date.precision.value,
            "actor": event.actor.country if event.actor else None,
            "target": event.target.country if event.target else None,
            "location": place.name,
            "location_country": event.location_country or place.country,
            "claimed_by": event.claimed_by,
            "verification": _enum(event.verification),
            "article_id": event.article_id,
            "evidence": event.sentence.text,
            "evidence_start": event.sentence.start,
            "evidence_end": event.sentence.end,
        },
    }


def events_geojson(analyses: Iterable[Analysis]) -> dict[str, Any]:
    """Events that have coordinates, as a GeoJSON FeatureCollection (RFC 7946: lon, lat)."""
    features = []
    for analysis in analyses:
        for event in analysis.events:
            feature = event_feature(event)
            if feature is not None:
                features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def geojson_text(analyses: Iterable[Analysis]) -> str:
    return json.dumps(events_geojson(analyses), ensure_ascii=False) + "\n"
