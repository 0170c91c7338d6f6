"""The versioned JSON API under ``/api/v1``. Read-only, except ``POST /admin/reindex``,
which needs the configured token. Lists return ``{"items": [...], "total": N,
"next_cursor": C}``: pass ``cursor=C`` for the next page (keyset pagination), or use
``offset``."""

from __future__ import annotations

import csv
import io
import json
from enum import StrEnum
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response

from veille import search as search_mod
from veille.api import params, views
from veille.api.deps import AppState, ErrorBody, cursor, require_token, state
from veille.api.params import Page, page_params
from veille.api.serialize import analysis_json
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters


def _query_names(dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def reject_unknown_parameters(request: Request) -> None:
    """A filter a route does not apply is refused (422), never silently ignored: a user
    asking ``/events?q=x`` must not get every event back as if it matched. A parameter
    given twice (``offset=1&offset=2``) is refused too: every parameter takes one value."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    known = _query_names(dependant)
    names = set(request.query_params)
    errors = [
        {"loc": ["query", name], "msg": "unknown parameter", "type": "extra_forbidden"}
        for name in sorted(names - known)
    ]
    errors += [
        {"loc": ["query", name], "msg": "given more than once", "type": "value_error"}
        for name in sorted(names & known)
        if len(request.query_params.getlist(name)) > 1
    ]
    if errors:
        raise RequestValidationError(errors)


router = APIRouter(prefix="/api/v1", dependencies=[Depends(reject_unknown_parameters)])

NOT_FOUND = {404: {"description": "No such item", "model": ErrorBody}}

Con = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]
ArticleFlt = Annotated[Filters, Depends(params.ARTICLE_FILTERS)]
EventFlt = Annotated[Filters, Depends(params.EVENT_FILTERS)]
MapFlt = Annotated[Filters, Depends(params.MAP_FILTERS)]
IncidentFlt = Annotated[Filters, Depends(params.INCIDENT_FILTERS)]
AidFlt = Annotated[Filters, Depends(params.AID_FILTERS)]
ClaimFlt = Annotated[Filters, Depends(params.CLAIM_FILTERS)]
EntityFlt = Annotated[Filters, Depends(params.ENTITY_FILTERS)]
TimelineFlt = Annotated[Filters, Depends(params.TIMELINE_FILTERS)]
OverviewFlt = Annotated[Filters, Depends(params.OVERVIEW_FILTERS)]
StoryFlt = Annotated[Filters, Depends(params.STORY_FILTERS)]
DuplicateFlt = Annotated[Filters, Depends(params.DUPLICATE_FILTERS)]
Pg = Annotated[Page, Depends(page_params)]
St = Annotated[AppState, Depends(state)]


class TimelineKind(StrEnum):
    events = "events"
    incidents = "incidents"


class ExportTable(StrEnum):
    articles = "articles"
    events = "events"
    incidents = "incidents"
    aid = "aid"
    claims = "claims"
    entities = "entities"


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    parquet = "parquet"


def _not_found(what: str, key: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"no {what} {key!r}")


def resolve(con: duckdb.DuckDBPyConnection, table: str, what: str, key: str) -> str:
    """The full id for ``key`` (an id or a unique prefix of 8+ characters); 404 otherwise."""
    try:
        found = queries.resolve_id(con, table, key)
    except queries.AmbiguousIdError:
        raise HTTPException(
            status_code=404, detail=f"{key!r} starts several {what} ids: give more characters"
        ) from None
    if found is None:
        raise _not_found(what, key)
    return found


def _one(con: duckdb.DuckDBPyConnection, table: str, what: str, key: str, get) -> dict[str, Any]:
    """One incident, story, group or event by id or unique prefix; 404 when there is none."""
    item = get(con, resolve(con, table, what, key))
    if item is None:
        raise _not_found(what, key)
    return item


def search_articles(
    st: AppState, con: duckdb.DuckDBPyConnection, f: Filters, page: Page
) -> dict[str, Any]:
    """Articles for a search box: BM25 over the index when there is a query, else newest."""
    index = st.search_index() if f.q else None
    if not f.q or index is None:
        result = queries.list_articles(con, f, page.limit, page.offset, page.cursor, st.ranks)
        for item in result["items"]:
            item["score"] = None
            item["snippet"] = None
            item["highlights"] = []
        result["engine"] = "store"
        return result
    sf = search_mod.SearchFilters(
        entity=f.entity,
        event_type=f.type,
        country=f.country,
        date_from=f.date_from,
        date_to=f.date_to,
        outlet=f.outlet,
        verification=f.verification,
    )
    if page.cursor:
        raise queries.CursorError("search results are ranked by relevance: page them with offset")
    found = search_mod.search(st.settings, f.q, sf, page.limit, page.offset, index=index)
    summaries = queries.article_summaries(con, [h.article_id for h in found.items])
    items = []
    for hit in found.items:
        item = summaries.get(hit.article_id, {"id": hit.article_id, "title": hit.title})
        item.update(
            score=round(hit.score, 4),
            snippet=hit.snippet,
            highlights=[list(h) for h in hit.highlights],
        )
        items.append(item)
    return {"items": items, "total": found.total, "next_cursor": None, "engine": "index"}


@router.get("/stats", summary="Counts of everything")
def get_stats(st: St, con: Con) -> dict[str, Any]:
    return st.kept(con, "stats", lambda: queries.stats(con))


@router.get("/overview", summary="The overview page's data (JSON twin of /)")
def get_overview(st: St, con: Con, f: OverviewFlt) -> dict[str, Any]:
    return st.kept(con, ("overview", f), lambda: views.overview(con, f, st.ranks))


@router.get("/timeline", summary="Events or incidents by day or month and type")
def get_timeline(
    st: St, con: Con, f: TimelineFlt, kind: TimelineKind = TimelineKind.events
) -> dict[str, Any]:
    def compute() -> dict[str, Any]:
        items = queries.timeline(con, kind.value, f, st.ranks)
        undated = queries.timeline_undated(con, kind.value, f, st.ranks)
        return {"items": items, "total": len(items), "undated": undated}

    return st.kept(con, ("timeline", kind.value, f), compute)


@router.get("/outlets", summary="Outlets and their article counts")
def get_outlets(st: St, con: Con) -> dict[str, Any]:
    items = st.kept(con, "outlets", lambda: queries.outlets(con))
    return {"items": items, "total": len(items)}


@router.get("/articles", summary="Search and list articles")
def get_articles(st: St, con: Con, f: ArticleFlt, page: Pg) -> dict[str, Any]:
    return search_articles(st, con, f, page)


@router.get(
    "/articles/{article_id}",
    summary="One article with every annotation and offset",
    responses=NOT_FOUND,
)
def get_article(st: St, con: Con, article_id: str) -> dict[str, Any]:
    analysis = st.get_analysis(resolve(con, "articles", "article", article_id))
    if analysis is None:
        raise _not_found("article", article_id)
    return analysis_json(analysis)


@router.get(
    "/articles/{article_id}/versions",
    summary="Version history of an article's source file",
    responses=NOT_FOUND,
)
def get_article_versions(con: Con, article_id: str) -> dict[str, Any]:
    items = queries.article_versions(con, article_id)
    if not items and len(article_id) >= queries.MIN_ID_PREFIX:  # a live article's prefix
        try:
            full = queries.resolve_id(con, "articles", article_id)
        except queries.AmbiguousIdError:
            full = None
        items = queries.article_versions(con, full) if full else []
    if not items:
        raise _not_found("article", article_id)
    return {"items": items, "total": len(items)}


@router.get("/events", summary="Events, newest first")
def get_events(st: St, con: Con, f: EventFlt, page: Pg) -> dict[str, Any]:
    return queries.list_events(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get("/events/{event_id}", summary="One event", responses=NOT_FOUND)
def get_event(con: Con, event_id: str) -> dict[str, Any]:
    return _one(con, "events", "event", event_id, queries.get_event)


@router.get("/map", summary="Located events for the map (JSON twin of /map)")
def get_map(st: St, con: Con, f: MapFlt) -> dict[str, Any]:
    items = views.map_points(con, f, st.ranks)
    return {"items": items, "total": len(items)}


@router.get("/incidents", summary="Incidents merged across articles")
def get_incidents(st: St, con: Con, f: IncidentFlt, page: Pg) -> dict[str, Any]:
    return queries.list_incidents(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get(
    "/incidents/{incident_id}",
    summary="One incident: every article and sentence that reports it, with outlet and date",
    responses=NOT_FOUND,
)
def get_incident(con: Con, incident_id: str) -> dict[str, Any]:
    return _one(con, "incidents", "incident", incident_id, queries.get_incident)


@router.get("/stories", summary="Stories: articles grouped into topics, largest first")
def get_stories(st: St, con: Con, f: StoryFlt, page: Pg) -> dict[str, Any]:
    return queries.list_stories(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get("/stories/{story_id}", summary="One story with its articles", responses=NOT_FOUND)
def get_story(con: Con, story_id: str) -> dict[str, Any]:
    return _one(con, "stories", "story", story_id, queries.get_story)


@router.get("/duplicates", summary="Groups of exact and near-duplicate articles")
def get_duplicates(st: St, con: Con, f: DuplicateFlt, page: Pg) -> dict[str, Any]:
    return queries.list_duplicate_groups(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get(
    "/duplicates/{group_id}",
    summary="One duplicate group with its articles",
    responses=NOT_FOUND,
)
def get_duplicate_group(con: Con, group_id: str) -> dict[str, Any]:
    return _one(con, "duplicate_groups", "duplicate group", group_id, queries.get_duplicate_group)


@router.get("/aid", summary="Aid commitments, largest first")
def get_aid(st: St, con: Con, f: AidFlt, page: Pg) -> dict[str, Any]:
    return queries.list_aid(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get("/aid/totals", summary="Aid totals in USD by donor and status")
def get_aid_totals(st: St, con: Con, f: AidFlt) -> dict[str, Any]:
    return st.kept(con, ("aid_totals", f), lambda: queries.aid_totals(con, f, st.ranks))


@router.get("/claims", summary="Attributed claims")
def get_claims(st: St, con: Con, f: ClaimFlt, page: Pg) -> dict[str, Any]:
    return queries.list_claims(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get("/entities", summary="Entities by number of articles")
def get_entities(st: St, con: Con, f: EntityFlt, page: Pg) -> dict[str, Any]:
    return queries.list_entities(con, f, page.limit, page.offset, page.cursor, st.ranks)


@router.get(
    "/entities/{key}", summary="One entity: mentions and co-occurring entities", responses=NOT_FOUND
)
def get_entity(con: Con, key: str, page: Pg) -> dict[str, Any]:
    item = queries.entity_detail(con, key, page.limit, page.offset, cursor=page.cursor)
    if item is None:
        raise _not_found("entity", key)
    return item


@router.get(
    "/export/events.geojson",
    summary="Located events as GeoJSON",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}},
)
def export_geojson(con: Con, f: MapFlt) -> Response:
    body = json.dumps(views.geojson(views.map_points(con, f)), ensure_ascii=False)
    return Response(
        body,
        media_type="application/geo+json",
        headers={"Content-Disposition": 'attachment; filename="events.geojson"'},
    )


@router.get(
    "/export/{table}.{fmt}",
    summary="A whole table as CSV, JSON lines or Parquet",
    response_class=Response,
    responses={
        200: {
            "description": "The table as a file",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {
                    "schema": {"type": "string", "format": "binary"}
                },
            },
        }
    },
)
def export_table(con: Con, table: ExportTable, fmt: ExportFormat) -> Response:
    data = queries.export_table(con, table.value)
    buffer = io.BytesIO()
    if fmt is ExportFormat.parquet:
        import pyarrow.parquet as pq

        pq.write_table(data, buffer)
        media = "application/vnd.apache.parquet"
    elif fmt is ExportFormat.csv:
        import pyarrow.csv as pacsv

        pacsv.write_csv(_flatten_for_csv(data), buffer)
        media = "text/csv; charset=utf-8"
    else:
        for row in data.to_pylist():
            buffer.write(json.dumps(row, ensure_ascii=False, default=str).encode("utf-8"))
            buffer.write(b"\n")
        media = "application/x-ndjson"
    return Response(
        buffer.getvalue(),
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{table.value}.{fmt.value}"'},
    )


class DownloadView(StrEnum):
    articles = "articles"
    events = "events"
    incidents = "incidents"
    aid = "aid"
    claims = "claims"
    entities = "entities"
    stories = "stories"
    duplicates = "duplicates"


class DownloadFormat(StrEnum):
    csv = "csv"
    json = "json"
    geojson = "geojson"


DOWNLOAD_MAX = 10_000  # rows in one download of a view
_VIEW_QUERIES = {
    "articles": queries.list_articles,
    "events": queries.list_events,
    "incidents": queries.list_incidents,
    "aid": queries.list_aid,
    "claims": queries.list_claims,
    "entities": queries.list_entities,
    "stories": queries.list_stories,
    "duplicates": queries.list_duplicate_groups,
}
_PLACED = {"events", "incidents"}  # views whose rows have coordinates


def _flat(row: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One CSV row: nested records become ``parent_child`` columns, lists JSON text."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}_"))
        elif isinstance(value, list):
            out[name] = json.dumps(value, ensure_ascii=False, default=str)
        else:
            out[name] = value
    return out


def _features(view: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    features = []
    for item in items:
        loc = item.get("location") or {}
        if loc.get("lat") is None or loc.get("lon") is None:
            continue
        props = {k: v for k, v in _flat(item).items() if not k.startswith("location_l")}
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [loc["lon"], loc["lat"]]},
                "properties": props,
            }
        )
    return {"type": "FeatureCollection", "features": features}


DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The view as a file",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {"schema": {"type": "object"}},
            "application/geo+json": {"schema": {"type": "object"}},
        },
    },
    404: {"description": "No GeoJSON for a view without places", "model": ErrorBody},
}


def _add_download_route(view: DownloadView) -> None:
    """``/download/<view>.<fmt>``: one route per view, taking (and documenting) exactly the
    filters of that view's list route."""
    dependency = params.filters_for(*params.VIEW_FILTER_NAMES[view.value])

    # a default, not Annotated: string annotations cannot name this local dependency
    def download(
        con: Con,
        fmt: DownloadFormat,
        f: Filters = Depends(dependency),  # noqa: B008
    ) -> Response:
        return download_view(con, view, fmt, f)

    download.__name__ = f"download_{view.value}"
    geo = ", GeoJSON" if view.value in _PLACED else ""
    router.get(
        f"/download/{view.value}.{{fmt}}",
        summary=f"Download the {view.value} list with its filters: CSV, JSON{geo}",
        response_class=Response,
        responses=DOWNLOAD_RESPONSES,
    )(download)


def download_view(con, view: DownloadView, fmt: DownloadFormat, f: Filters) -> Response:
    """One list view, filtered, as a file (at most ``DOWNLOAD_MAX`` rows)."""
    if fmt is DownloadFormat.geojson and view.value not in _PLACED:
        raise HTTPException(status_code=404, detail=f"{view.value} have no places: no GeoJSON")
    page = _VIEW_QUERIES[view.value](con, f, DOWNLOAD_MAX, 0)
    items = page["items"]
    name = f"veille-{view.value}.{fmt.value}"
    if fmt is DownloadFormat.json:
        body = json.dumps({"items": items, "total": page["total"]}, ensure_ascii=False, default=str)
        media = "application/json"
    elif fmt is DownloadFormat.geojson:
        body = json.dumps(_features(view.value, items), ensure_ascii=False, default=str)
        media = "application/geo+json"
    else:
        buffer = io.StringIO()
        rows = [_flat(item) for item in items]
        columns = list(dict.fromkeys(k for row in rows for k in row))
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        body = buffer.getvalue()
        media = "text/csv; charset=utf-8"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


def _flatten_for_csv(table):
    """CSV has no lists: list columns become JSON text."""
    import pyarrow as pa

    columns = []
    for column in table.columns:
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            column = pa.array(
                [
                    None if v is None else json.dumps(v, ensure_ascii=False)
                    for v in column.to_pylist()
                ],
                type=pa.string(),
            )
        columns.append(column)
    return pa.table(columns, names=table.column_names)


@router.post(
    "/admin/reindex",
    summary="Update the search index (needs the API token)",
    responses={
        401: {"description": "Missing or wrong token", "model": ErrorBody},
        403: {"description": "Writes are disabled (no token configured)", "model": ErrorBody},
    },
)
def post_reindex(st: St, _: Annotated[None, Depends(require_token)]) -> dict[str, Any]:
    added = search_mod.index_articles(st.store, st.settings)
    return {"added": added}


for _view in DownloadView:
    _add_download_route(_view)
