"""Validated query parameters shared by the JSON API and the pages.

FastAPI turns a bad value into a 422 with the offending parameter named; nothing here can
reach the database unvalidated. Page sizes are bounded by ``MAX_LIMIT``.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

from fastapi import Query
from fastapi.exceptions import RequestValidationError
from pydantic import BeforeValidator

from veille import filters
from veille.model import PLOVER_EVENT_TYPES, AidStatus, EntityType, Verification
from veille.store.duckdb.queries import Filters

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
MAX_OFFSET = 1_000_000

EventType = StrEnum("EventType", {t: t for t in PLOVER_EVENT_TYPES})

# Country codes: ISO alpha-3 plus NATO, EU, EUROPE (model.py), in any case, or a country
# name in French or English; checked by veille.filters as the CLI checks them.
COUNTRY_DOC = "ISO alpha-3 in any case (UKR, ukr), NATO, EU, EUROPE, or a name (Russie, Russia)"


def _country(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return filters.country_code(value, option=name)
    except filters.FilterError as exc:
        raise RequestValidationError(
            [{"loc": ("query", name), "msg": exc.reason, "type": "value_error"}]
        ) from None


SHORT = 200  # longest accepted free-text filter
DAY_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _iso_day(value: object) -> object:
    """Only ``YYYY-MM-DD``: pydantic alone would take ``0`` as a Unix timestamp."""
    if isinstance(value, str) and not re.fullmatch(DAY_PATTERN, value):
        raise ValueError("expected a day as YYYY-MM-DD")
    return value


Day = Annotated[date, BeforeValidator(_iso_day)]


@dataclass(frozen=True, slots=True)
class Page:
    limit: int
    offset: int
    cursor: str | None = None


CURSOR_DOC = (
    "where the page starts: the next_cursor of the page before (instead of offset; a "
    "cursor page costs the same at any depth, a large offset more the deeper it goes)"
)


async def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")] = DEFAULT_LIMIT,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
    cursor: Annotated[
        str | None, Query(max_length=2000, pattern=r"^[A-Za-z0-9_-]+$", description=CURSOR_DOC)
    ] = None,
) -> Page:
    if cursor and offset:
        raise RequestValidationError(
            [{"loc": ("query", "cursor"), "msg": "give offset or cursor, not both",
              "type": "value_error"}]
        )  # fmt: skip
    return Page(limit=limit, offset=offset, cursor=cursor or None)


def filter_params(
    type: Annotated[EventType | None, Query(description="PLOVER event type")] = None,
    mode: Annotated[str | None, Query(max_length=40)] = None,
    country: Annotated[str | None, Query(max_length=80, description=COUNTRY_DOC)] = None,
    entity: Annotated[
        str | None, Query(max_length=SHORT, description="KB id or name (any case)")
    ] = None,
    date_from: Annotated[Day | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    date_to: Annotated[Day | None, Query(description="YYYY-MM-DD, inclusive")] = None,
    verification: Annotated[Verification | None, Query()] = None,
    article_id: Annotated[str | None, Query(max_length=64, pattern=r"^[0-9a-zA-Z_-]+$")] = None,
    outlet: Annotated[str | None, Query(max_length=SHORT)] = None,
    donor: Annotated[str | None, Query(max_length=80, description=COUNTRY_DOC)] = None,
    recipient: Annotated[str | None, Query(max_length=80, description=COUNTRY_DOC)] = None,
    status: Annotated[AidStatus | None, Query(description="aid status")] = None,
    kind: Annotated[str | None, Query(max_length=40, description="aid kind")] = None,
    speaker: Annotated[str | None, Query(max_length=SHORT)] = None,
    label: Annotated[EntityType | None, Query(description="entity label")] = None,
    q: Annotated[str | None, Query(max_length=SHORT)] = None,
    located: Annotated[bool, Query(description="only events with coordinates")] = False,
) -> Filters:
    return Filters(
        type=type.value if type else None,
        mode=mode or None,
        country=_country(country, "country"),
        entity=entity or None,
        date_from=date_from,
        date_to=date_to,
        verification=verification.value if verification else None,
        article_id=article_id,
        outlet=outlet or None,
        donor=_country(donor, "donor"),
        recipient=_country(recipient, "recipient"),
        status=status.value if status else None,
        kind=kind or None,
        speaker=speaker or None,
        label=label.value if label else None,
        q=q or None,
        located=located,
    )


_FILTER_PARAMETERS = inspect.signature(filter_params, eval_str=True).parameters


def filters_for(*names: str) -> Callable[..., Filters]:
    """A dependency taking only the named filters: an API route documents (and accepts)
    exactly the filters its query applies, never one it would silently ignore."""
    unknown = set(names) - set(_FILTER_PARAMETERS)
    if unknown:
        raise ValueError(f"no such filter: {', '.join(sorted(unknown))}")

    async def dependency(**values: object) -> Filters:  # a coroutine: no thread-pool hop
        return filter_params(**values)  # the others keep their "any" defaults

    dependency.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [_FILTER_PARAMETERS[name] for name in names], return_annotation=Filters
    )
    dependency.__name__ = f"filters_{'_'.join(names)}"
    return dependency


# What each list query applies (store/duckdb/queries.py).
DATES = ("date_from", "date_to")
EVENT_NAMES = (
    "type", "mode", "country", "entity", "verification", "article_id", "outlet", "located", *DATES
)  # fmt: skip
# The filters each list view applies, by view name (pages and downloads use these too).
VIEW_FILTER_NAMES: dict[str, tuple[str, ...]] = {
    "articles": ("q", "entity", "type", "country", "verification", "outlet", *DATES),
    "events": EVENT_NAMES,
    "incidents": ("type", "mode", "country", "verification", "article_id", *DATES),
    "aid": ("donor", "recipient", "status", "kind", "article_id", *DATES),
    "claims": ("verification", "speaker", "country", "article_id", "outlet", *DATES),
    "entities": ("label", "country", "q", "article_id", *DATES),
    "stories": ("entity", "article_id", *DATES),
    "duplicates": ("kind", "outlet", "article_id"),
}
ARTICLE_FILTERS = filters_for(*VIEW_FILTER_NAMES["articles"])
EVENT_FILTERS = filters_for(*VIEW_FILTER_NAMES["events"])
MAP_FILTERS = filters_for(*(n for n in EVENT_NAMES if n != "located"))
INCIDENT_FILTERS = filters_for(*VIEW_FILTER_NAMES["incidents"])
AID_FILTERS = filters_for(*VIEW_FILTER_NAMES["aid"])
CLAIM_FILTERS = filters_for(*VIEW_FILTER_NAMES["claims"])
ENTITY_FILTERS = filters_for(*VIEW_FILTER_NAMES["entities"])
TIMELINE_FILTERS = filters_for("type", *DATES)
OVERVIEW_FILTERS = filters_for(*DATES)
STORY_FILTERS = filters_for(*VIEW_FILTER_NAMES["stories"])
DUPLICATE_FILTERS = filters_for(*VIEW_FILTER_NAMES["duplicates"])
