"""Full-model JSON: one document per article with every annotation and its offsets.

Conventions, the same in every file: dataclasses become objects with all their fields,
``Decimal`` becomes a string (exact: ``"3500000000"``), dates and datetimes ISO strings,
enums their value, tuples lists. ``FuzzyDate`` is ``{"value": "2023-10-01", "precision":
"month", "iso": "2023-10"}``. The spaCy doc is never included.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from veille.model import Analysis, FuzzyDate

SCHEMA_VERSION = 1


def to_jsonable(value: Any) -> Any:
    """Any model value as plain JSON types (see the module docstring)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, FuzzyDate):
        return {
            "value": to_jsonable(value.value),
            "precision": value.precision.value,
            "iso": value.iso(),
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: to_jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name != "doc"
        }
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot export {type(value).__name__} as JSON")


def analysis_to_dict(analysis: Analysis) -> dict[str, Any]:
    """Every annotation of one article, offsets into ``article.text`` included."""
    from veille.eval import doc_name

    data = to_jsonable(analysis)
    return {"schema_version": SCHEMA_VERSION, "doc": doc_name(analysis.article.source), **data}


def analysis_json(analysis: Analysis) -> str:
    """One article's full-model JSON text, as ``veille export --format json`` writes it."""
    return json.dumps(analysis_to_dict(analysis), ensure_ascii=False, indent=2) + "\n"


def analyses_json(analyses: list[Analysis]) -> str:
    """Several articles as one JSON array (for a download endpoint)."""
    return json.dumps([analysis_to_dict(a) for a in analyses], ensure_ascii=False) + "\n"
