"""Model records to JSON-ready values, and the article reader's highlighted segments."""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from veille.model import Analysis, FuzzyDate


def to_json(value: Any) -> Any:
    """Recursively convert dataclasses, enums, decimals and dates to JSON values."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, FuzzyDate):
        return {"date": value.iso(), "precision": value.precision.value}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value):
        return {
            f.name: to_json(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "doc"
        }
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return str(value)


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """Everything about one article, offsets included (the reader's JSON twin)."""
    from veille.display import not_analysed_reason

    data = to_json(analysis)
    article = data.pop("article")
    article.pop("dropped_lines", None)
    # why an article has no annotations, when it was stored without analysis
    return {"article": article, "not_analysed": not_analysed_reason(analysis.article), **data}


# ---------------------------------------------------------------------------
# Reader segments


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of text with the annotations covering it (escaped by the template)."""

    text: str
    classes: str  # CSS classes: ent, qty, time, ev, claim, trigger
    keys: str  # annotation keys for the reader's highlighting (ev-ID, claim-ID, ...)
    title: str  # tooltip


def _marks(analysis: Analysis) -> list[tuple[int, int, str, str, str]]:
    """(start, end, css class, key, tooltip) for every annotation with offsets."""
    marks: list[tuple[int, int, str, str, str]] = []
    for m in analysis.entities:
        what = f"{m.label.value if hasattr(m.label, 'value') else m.label}: {m.name}"
        if m.kb_id:
            what += f" ({m.kb_id})"
        marks.append((m.start, m.end, "ent", "", what))
    for q in analysis.quantities:
        marks.append((q.start, q.end, "qty", "", f"{q.kind}: {q.value} {q.unit}"))
    for t in analysis.times:
        marks.append((t.start, t.end, "time", "", f"date: {t.date.iso() or '?'}"))
    for e in analysis.events:
        key = f"ev-{e.id}"
        marks.append((e.sentence.start, e.sentence.end, "ev", key, f"event {e.type}"))
        marks.append((e.trigger.start, e.trigger.end, "trigger", key, f"trigger {e.type}"))
    for c in analysis.claims:
        who = c.speaker.name if c.speaker else ("anonymous" if c.anonymous else "?")
        marks.append(
            (c.sentence.start, c.sentence.end, "claim", f"claim-{c.id}", f"claim by {who}")
        )
    for a in analysis.aid:
        for span in a.evidence:
            marks.append((span.start, span.end, "aid", f"aid-{a.id}", f"aid from {a.donor or '?'}"))
    n = len(analysis.article.text)
    return [(max(0, s), min(n, e), c, k, t) for s, e, c, k, t in marks if 0 <= s < e <= n]


def segments(analysis: Analysis) -> list[Segment]:
    """Split the clean text at every annotation boundary.

    Each piece lists the annotations that cover it, so overlapping spans (a quantity
    inside an event sentence inside a claim) all show, and the template escapes the text.
    """
    text = analysis.article.text
    marks = _marks(analysis)
    cuts = sorted({0, len(text), *(s for s, *_ in marks), *(e for _, e, *_ in marks)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        classes = sorted({m[2] for m in covering})
        keys = sorted({m[3] for m in covering if m[3]})
        titles = [m[4] for m in covering if m[2] in ("ent", "qty", "time")]
        out.append(Segment(text[start:end], " ".join(classes), " ".join(keys), "; ".join(titles)))
    return out
