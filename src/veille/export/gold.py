"""Predictions in the gold format of ``shared/gold/FORMAT.md`` (what ``veille eval`` reads).

One prediction per article. Differences from a gold file, as FORMAT.md allows: ``body``
holds ``clean_text``; evidence is the whole sentence (or quote passage) with
``evidence_start``/``evidence_end``; extra fields (ids, confidence, trigger, offsets,
``evidence_all``, ``speaker_text``) are ignored by the scorer.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from veille.eval import doc_name, normalize_text
from veille.lang import PACKS
from veille.model import (
    Actor,
    AidCommitment,
    Analysis,
    Claim,
    EntityMention,
    EntityType,
    Event,
    Quantity,
    Span,
)

# Quantity kinds the gold lists; counts only when the language pack tracks their unit.
_ALWAYS_TRACKED_KINDS = frozenset({"money", "percent"})
_FILTERED_KINDS = frozenset({"count", "duration"})  # kept when the pack tracks the unit


def number(value: Decimal | float | int | None) -> int | float | None:
    """A JSON number: an int when integral, else a float."""
    if value is None:
        return None
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    if dec == dec.to_integral_value():
        return int(dec)
    return float(dec)


def _enum(value: Any) -> Any:
    return getattr(value, "value", value)


def _coarse_type(label: EntityType | str) -> str:
    label = _enum(label)
    return label if label in {"PER", "ORG", "LOC", "MISC"} else "MISC"


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor else None


def _evidence(span: Span) -> dict[str, Any]:
    return {"evidence": span.text, "evidence_start": span.start, "evidence_end": span.end}


def tracked_unit_filter(language: str | None) -> Callable[[str], bool] | None:
    """The pack's ``quantities.is_tracked_unit`` for a language, or ``None`` if it has none."""
    module_name = PACKS.get(language or "")
    if module_name is None:
        return None
    try:
        module = importlib.import_module(f"{module_name}.quantities")
    except ImportError:
        return None
    return getattr(module, "is_tracked_unit", None)


def _entities(mentions: list[EntityMention]) -> list[dict[str, Any]]:
    """Mentions grouped per KB id, else per normalised name and coarse type."""
    groups: dict[tuple, dict[str, Any]] = {}
    for m in sorted(mentions, key=lambda m: (m.start, m.end)):
        key = (
            ("kb", m.kb_id) if m.kb_id else ("name", normalize_text(m.name), _coarse_type(m.label))
        )
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "name": m.name,
                "type": _coarse_type(m.label),
                "country": m.country,
                "mentions": [],
                "kb_id": m.kb_id,
            }
        if group["country"] is None and m.country:
            group["country"] = m.country
        if m.text not in group["mentions"]:
            group["mentions"].append(m.text)
    return list(groups.values())


def event_to_prediction(event: Event) -> dict[str, Any]:
    location_country = event.location_country or (
        event.location.country if event.location else None
    )
    return {
        "type": [event.type],
        "mode": event.mode,
        "modality": _enum(event.modality),
        "actor": _country(event.actor),
        "target": _country(event.target),
        "location": event.location.name if event.location else None,
        "location_country": location_country,
        "date": event.date.iso(),
        "date_precision": _enum(event.date.precision),
        "claimed_by": event.claimed_by,
        "verification": _enum(event.verification),
        "quantities": [
            {
                "value": number(q.value),
                "unit": q.unit,
                "role": q.role,
                "qualifier": _enum(q.qualifier),
            }
            for q in event.quantities
        ],
        **_evidence(event.sentence),
        "id": event.id,
        "confidence": event.confidence,
        "trigger": event.trigger.text,
        "trigger_start": event.trigger.start,
        "trigger_end": event.trigger.end,
        "actor_name": event.actor.name if event.actor else None,
        "target_name": event.target.name if event.target else None,
    }


def aid_to_prediction(aid: AidCommitment) -> dict[str, Any]:
    spans = sorted(aid.evidence, key=lambda s: s.start)
    first = (
        _evidence(spans[0])
        if spans
        else {"evidence": None, "evidence_start": None, "evidence_end": None}
    )
    return {
        "donor": aid.donor,
        "recipient": aid.recipient,
        "kind": aid.kind,
        "mechanism": aid.mechanism,
        "value": number(aid.value),
        "currency": aid.currency,
        "qualifier": _enum(aid.qualifier),
        "status": _enum(aid.status),
        "items": [
            {
                "system": item.system,
                "quantity": number(item.quantity),
                "qualifier": _enum(item.qualifier),
            }
            for item in aid.items
        ],
        **first,
        "evidence_all": [s.text for s in spans],
        "evidence_offsets": [[s.start, s.end] for s in spans],
        "usd_value": number(aid.usd_value),
        "announced": aid.announced.iso(),
        "id": aid.id,
        "confidence": aid.confidence,
    }


class AliasSource(Protocol):
    """What the export needs from ``veille.kb.KnowledgeBase``: entities by id."""

    def get(self, kb_id: str) -> Any: ...


def _aliases(kb: AliasSource | None, kb_id: str | None) -> list[str]:
    """Every name and alias the KB knows for an entity (empty without a KB or id)."""
    if kb is None or not kb_id:
        return []
    entity = kb.get(kb_id)
    forms = getattr(entity, "surface_forms", None)
    return list(forms()) if callable(forms) else []


def claim_to_prediction(claim: Claim, kb: AliasSource | None = None) -> dict[str, Any]:
    speaker = claim.speaker
    return {
        "speaker": speaker.name if speaker else None,
        "speaker_country": _country(speaker),
        "cue": claim.cue,
        "verification": _enum(claim.verification),
        **_evidence(claim.sentence),
        "id": claim.id,
        "confidence": claim.confidence,
        "speaker_text": speaker.text if speaker else None,
        "speaker_kb_id": speaker.kb_id if speaker else None,
        "speaker_aliases": _aliases(kb, speaker.kb_id if speaker else None),
        "anonymous": claim.anonymous,
        "content": claim.content.text,
        "content_start": claim.content.start,
        "content_end": claim.content.end,
    }


def quantity_to_prediction(quantity: Quantity) -> dict[str, Any]:
    return {
        "text": quantity.text,
        "value": number(quantity.value),
        "unit": quantity.unit,
        "qualifier": _enum(quantity.qualifier),
        "kind": quantity.kind,
        "start": quantity.start,
        "end": quantity.end,
    }


def _tracked_quantities(analysis: Analysis) -> list[Quantity]:
    is_tracked = tracked_unit_filter(analysis.article.language)
    kept = []
    for q in analysis.quantities:
        # counts and durations of tracked units (ages and "il y a N ans" have other kinds)
        tracked_count = q.kind in _FILTERED_KINDS and (is_tracked is None or is_tracked(q.unit))
        if q.kind in _ALWAYS_TRACKED_KINDS or tracked_count:
            kept.append(q)
    return sorted(kept, key=lambda q: (q.start, q.end))


def analysis_to_prediction(analysis: Analysis, kb: AliasSource | None = None) -> dict[str, Any]:
    """One article's prediction in the FORMAT.md prediction shape.

    With ``kb``, each claim also lists its speaker's KB names and aliases
    (``speaker_aliases``), which the scorer accepts as the speaker's name.
    """
    article = analysis.article
    published = article.published.iso()
    return {
        "doc": doc_name(article.source),
        "language": article.language,
        "title": article.title,
        "published": (
            {"date": published, "precision": _enum(article.published.precision)}
            if published
            else None
        ),
        "body": {"clean_text": article.text},
        "entities": _entities(analysis.entities),
        "events": [
            event_to_prediction(e)
            for e in sorted(analysis.events, key=lambda e: (e.sentence.start, e.trigger.start))
        ],
        "aid": [aid_to_prediction(a) for a in analysis.aid],
        "claims": [
            claim_to_prediction(c, kb)
            for c in sorted(analysis.claims, key=lambda c: c.sentence.start)
        ],
        "quantities": [quantity_to_prediction(q) for q in _tracked_quantities(analysis)],
        "article_id": article.id,
        "source": article.source,
    }


def prediction_json(analysis: Analysis, kb: AliasSource | None = None) -> str:
    """A prediction file's text, as ``veille export --format gold`` writes it."""
    return json.dumps(analysis_to_prediction(analysis, kb), ensure_ascii=False, indent=2) + "\n"
