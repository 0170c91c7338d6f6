"""The dashboard pages. Each page renders what its JSON twin returns (linked in the page)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from veille.api import views
from veille.api.deps import AppState, cursor, state
from veille.api.params import Page, filter_params, page_params
from veille.api.routes_api import resolve, search_articles
from veille.api.serialize import segments
from veille.display import not_analysed_reason
from veille.model import PLOVER_EVENT_TYPES, AidStatus, Verification
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters

router = APIRouter(include_in_schema=False)

Con = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]
Flt = Annotated[Filters, Depends(filter_params)]
Pg = Annotated[Page, Depends(page_params)]
St = Annotated[AppState, Depends(state)]


def _twin(request: Request, path: str) -> str:
    query = request.url.query
    return f"{path}?{query}" if query else path


def _pager(request: Request, page: Page, total: int) -> dict[str, Any]:
    params = dict(request.query_params)

    def url(offset: int) -> str:
        return f"{request.url.path}?{urlencode({**params, 'offset': offset, 'limit': page.limit})}"

    return {
        "first": page.offset + 1 if total else 0,
        "last": min(total, page.offset + page.limit),
        "total": total,
        "prev": url(max(0, page.offset - page.limit)) if page.offset > 0 else None,
        "next": url(page.offset + page.limit) if page.offset + page.limit < total else None,
    }


def _list_page(
    request: Request, name: str, result: dict[str, Any], page: Page, **context: Any
) -> HTMLResponse:
    """A list page: its rows, the pager, and the JSON twin at ``/api/v1/<name>``."""
    return _render(
        request,
        f"{name}.html",
        result=result,
        pager=_pager(request, page, result["total"]),
        twin=_twin(request, f"/api/v1/{name}"),
        **context,
    )


def _detail_page(
    request: Request, con, table: str, what: str, key: str, get, name: str, path: str
) -> HTMLResponse:
    """One incident, story or duplicate group by id or unique prefix, and its JSON twin."""
    full = resolve(con, table, what, key)
    return _render(request, f"{name}.html", item=get(con, full), twin=f"/api/v1/{path}/{full}")


def _render(request: Request, name: str, **context: Any) -> HTMLResponse:
    env = request.app.state.jinja
    html = env.get_template(name).render(
        request_path=request.url.path,
        query=dict(request.query_params),
        plover_types=PLOVER_EVENT_TYPES,
        verifications=[v.value for v in Verification],
        aid_statuses=[s.value for s in AidStatus],
        **context,
    )
    return HTMLResponse(html)


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, st: St, con: Con, f: Flt) -> HTMLResponse:
    span = Filters(date_from=f.date_from, date_to=f.date_to)  # the key the API keeps it by
    return _render(
        request,
        "overview.html",
        data=st.kept(con, ("overview", span), lambda: views.overview(con, span, st.ranks)),
        twin=_twin(request, "/api/v1/overview"),
    )


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, con: Con, f: Flt) -> HTMLResponse:
    points = views.map_points(con, f)
    return _render(request, "map.html", points=points, twin=_twin(request, "/api/v1/map"))


@router.get("/events", response_class=HTMLResponse)
def events_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_events(con, f, page.limit, page.offset, page.cursor)
    return _list_page(request, "events", result, page, entity_names=queries.entity_names(con))


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_incidents(con, f, page.limit, page.offset, page.cursor)
    return _list_page(
        request,
        "incidents",
        result,
        page,
        timeline=queries.timeline(con, "incidents", f),
        timeline_undated=queries.timeline_undated(con, "incidents", f),
    )


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, con: Con, incident_id: str) -> HTMLResponse:
    return _detail_page(
        request, con, "incidents", "incident", incident_id, queries.get_incident, "incident",
        "incidents",
    )  # fmt: skip


@router.get("/stories", response_class=HTMLResponse)
def stories_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_stories(con, f, page.limit, page.offset, page.cursor)
    return _list_page(request, "stories", result, page, entity_names=queries.entity_names(con))


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, con: Con, story_id: str) -> HTMLResponse:
    return _detail_page(
        request, con, "stories", "story", story_id, queries.get_story, "story", "stories"
    )


@router.get("/duplicates", response_class=HTMLResponse)
def duplicates_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_duplicate_groups(con, f, page.limit, page.offset, page.cursor)
    return _list_page(request, "duplicates", result, page)


@router.get("/duplicates/{group_id}", response_class=HTMLResponse)
def duplicate_page(request: Request, con: Con, group_id: str) -> HTMLResponse:
    return _detail_page(
        request, con, "duplicate_groups", "group", group_id, queries.get_duplicate_group,
        "duplicate", "duplicates",
    )  # fmt: skip


@router.get("/aid", response_class=HTMLResponse)
def aid_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    data = views.aid_page(con, f, page.limit, page.offset)
    return _render(
        request,
        "aid.html",
        data=data,
        pager=_pager(request, page, data["commitments"]["total"]),
        twin=_twin(request, "/api/v1/aid/totals"),
    )


@router.get("/claims", response_class=HTMLResponse)
def claims_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_claims(con, f, page.limit, page.offset, page.cursor)
    return _list_page(request, "claims", result, page)


@router.get("/entities", response_class=HTMLResponse)
def entities_page(request: Request, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = queries.list_entities(con, f, page.limit, page.offset, page.cursor)
    return _list_page(request, "entities", result, page)


@router.get("/entities/{key}", response_class=HTMLResponse)
def entity_page(request: Request, con: Con, key: str, page: Pg) -> HTMLResponse:
    item = queries.entity_detail(con, key, page.limit, page.offset, cursor=page.cursor)
    if item is None:
        raise HTTPException(status_code=404, detail=f"no entity {key!r}")
    return _render(
        request,
        "entity.html",
        item=item,
        pager=_pager(request, page, item["mention_list"]["total"]),
        twin=f"/api/v1/entities/{key}",
    )


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, st: St, con: Con, f: Flt, page: Pg) -> HTMLResponse:
    result = search_articles(st, con, f, page)
    return _render(
        request,
        "search.html",
        result=result,
        entity_names=queries.entity_names(con),
        outlets=queries.outlets(con),
        pager=_pager(request, page, result["total"]),
        twin=_twin(request, "/api/v1/articles"),
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(request: Request, st: St, con: Con, article_id: str) -> HTMLResponse:
    key = resolve(con, "articles", "article", article_id)
    analysis = st.get_analysis(key)
    if analysis is None:
        raise HTTPException(status_code=404, detail=f"no article {article_id!r}")
    return _render(
        request,
        "article.html",
        a=analysis,
        segments=segments(analysis),
        not_analysed=not_analysed_reason(analysis.article),
        twin=f"/api/v1/articles/{key}",
    )


@router.get("/api", response_class=HTMLResponse)
def api_docs_page(request: Request) -> HTMLResponse:
    """The OpenAPI description, readable offline (FastAPI's /docs loads a CDN)."""
    spec = request.app.openapi()
    endpoints = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "schema": p.get("schema", {}),
                    "description": p.get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            endpoints.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "summary": op.get("summary", ""),
                    "params": params,
                }
            )
    return _render(request, "api.html", endpoints=endpoints, twin="/openapi.json")
