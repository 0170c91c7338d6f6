"""The web app: JSON API under /api/v1, dashboard pages, bundled static assets.

``create_app(settings)`` opens the database read-only; tests may pass an open store.
Everything the pages need (CSS, JS, map outlines) ships in ``api/web/static``; nothing
is fetched from another host at run time, and a strict Content-Security-Policy says so.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import jinja2
from fastapi import FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from veille import __version__ as veille_version
from veille.api.deps import AppState, configured_token
from veille.api.pagecache import PageCache
from veille.display import aid_parties, format_money, money_with_usd, party_label
from veille.errors import VeilleError

WEB = Path(__file__).parent / "web"
STATIC = WEB / "static"
TEMPLATES = WEB / "templates"

# Scripts and styles only from this app; inline <script type="application/json"> data
# blocks are not executed, so they need no exception.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def make_jinja() -> jinja2.Environment:
    """Templates with autoescaping always on: article text is untrusted."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from veille.api.params import VIEW_FILTER_NAMES

    env.globals["view_filters"] = VIEW_FILTER_NAMES  # what a download link may carry
    env.filters["usd"] = format_usd
    env.filters["money"] = format_money
    env.filters["party"] = party_label
    env.globals["money_with_usd"] = money_with_usd
    env.globals["aid_parties"] = aid_parties
    env.filters["web_url"] = web_url
    env.filters["num"] = lambda v: "–" if v is None else f"{v:,}".replace(",", " ")
    return env


def format_usd(value: float | int | None) -> str:
    """Compact dollars for cards and tables: $51.4\u00a0bn, $120\u00a0M."""
    return format_money(value, "USD")


def web_url(value: str | None) -> str | None:
    """Only http(s) links from article metadata; ``javascript:`` and the like are dropped."""
    if value and value.strip().lower().startswith(("http://", "https://")):
        return value.strip()
    return None


def _open_store(settings: Any):
    from veille.store import open_store

    threads = int(os.environ.get(THREADS_ENV) or 0) or None
    path = getattr(settings, "db_path", None) or "veille.duckdb"
    return open_store(path, read_only=True, threads=threads)


# Host names a request may carry. A page on another site can resolve its own name to
# 127.0.0.1 (DNS rebinding) and then read the local API; checking Host stops that.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")


def allowed_hosts(bind_host: str | None = None, extra: tuple[str, ...] = ()) -> list[str]:
    """Loopback names, the host the server binds to (an IPv6 literal in brackets), and
    any names given with ``veille serve --allow-host``."""
    hosts = list(LOOPBACK_HOSTS)
    for name in (bind_host, *extra):
        if name and name not in ("0.0.0.0", "::"):  # "every interface" is not a name
            hosts.append(f"[{name}]" if ":" in name and not name.startswith("[") else name)
    return list(dict.fromkeys(h.lower() for h in hosts))


class DropEmptyQueryParams:
    """HTML filter forms submit every field; an empty value means "any", not "invalid".

    The OpenAPI spec says so too (``_document_empty_means_any``).
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            # latin-1 both ways keeps every byte (percent-encoded UTF-8 included) as it was.
            raw = scope["query_string"].decode("latin-1")
            pairs = parse_qsl(raw, keep_blank_values=True, encoding="latin-1")
            kept = [(k, v) for k, v in pairs if v != ""]
            if len(kept) != len(pairs):
                query = urlencode(kept, encoding="latin-1")
                scope = {**scope, "query_string": query.encode("latin-1")}
        await self.app(scope, receive, send)


SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    """Every response carries these headers unless it set its own. A plain ASGI middleware:
    Starlette's ``@app.middleware("http")`` runs each request in a task of its own and
    copies the response through a stream (about 0.3 ms a request)."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


_EMPTY = {"type": "string", "maxLength": 0}


def _document_empty_means_any(spec: dict[str, Any]) -> dict[str, Any]:
    """Say in the spec what ``DropEmptyQueryParams`` does: every optional query parameter
    also takes an empty value, which means "any" (as an HTML form sends it)."""
    for operations in spec.get("paths", {}).values():
        for operation in operations.values():
            for param in operation.get("parameters", ()):
                if param.get("in") == "query" and not param.get("required"):
                    schema = param.get("schema", {})
                    keep = {
                        k: schema.pop(k) for k in ("title", "description", "default") if k in schema
                    }
                    param["schema"] = {**keep, "anyOf": [schema, _EMPTY]}
    return spec


HOSTS_ENV = "VEILLE_SERVE_HOSTS"  # allowed Host names for `veille serve --workers N`
# DuckDB threads of each of the N server workers: the cores shared out, so N processes do
# not each start a thread per core (measured: ~10% less CPU per list request at 1 thread)
THREADS_ENV = "VEILLE_SERVE_THREADS"


def app_from_environment() -> FastAPI:
    """The app for one server worker of `veille serve --workers N` (settings: VEILLE_*)."""
    from veille.settings import load_settings

    hosts = [h for h in os.environ.get(HOSTS_ENV, "").split(",") if h] or None
    return create_app(load_settings(), hosts=hosts)


def create_app(settings: Any, store: Any = None, hosts: list[str] | None = None) -> FastAPI:
    """The FastAPI app over ``settings``' database (or the given open ``store``).

    Requests whose Host header is not one of ``hosts`` (default: loopback names) get 400.
    """
    from veille.api import routes_api, routes_pages, routes_watch
    from veille.store.duckdb import queries

    app = FastAPI(
        title="Veille API",
        version=veille_version,
        description="Read-only access to articles, events, incidents, aid, claims and "
        "entities extracted from war reporting. Lists return `{items, total, next_cursor}`: "
        "pass `next_cursor` back as `cursor` for the next page (keyset pagination: the same "
        "cost at any depth, and no row skipped or repeated when articles arrive meanwhile), "
        "or page with `offset`. `total` counts every match, not what is left. Search results "
        "ranked by relevance (`/articles?q=` with the index) page with `offset` only.",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; /api renders the spec instead
        redoc_url=None,
    )
    app.state.veille = AppState(
        settings=settings, store=store or _open_store(settings), token=configured_token(settings)
    )
    app.state.jinja = make_jinja()

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = _document_empty_means_any(get_openapi(
                title=app.title, version=app.version, description=app.description,
                routes=app.routes,
            ))  # fmt: skip
        return app.openapi_schema

    app.openapi = openapi
    app.add_middleware(PageCache)  # inside: keyed by the query string DropEmptyQueryParams left
    app.add_middleware(DropEmptyQueryParams)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=hosts or allowed_hosts())
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(routes_api.router)
    app.include_router(routes_pages.router)
    app.include_router(routes_watch.router)

    app.add_middleware(SecurityHeaders)

    @app.exception_handler(VeilleError)
    async def veille_error(request: Request, exc: VeilleError) -> JSONResponse:
        return JSONResponse(status_code=500, content={"code": exc.code, "detail": exc.reason})

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        # The default handler echoes the input back; keep only where and why.
        errors = [
            {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _wants_page(request):
            lines = [f"{e['loc'][-1] if e['loc'] else 'value'}: {e['msg']}" for e in errors]
            return _error_page(request, 422, "Some filter values are not valid", lines)
        return JSONResponse(status_code=422, content={"detail": errors})

    @app.exception_handler(queries.CursorError)
    async def cursor_error(request: Request, exc: queries.CursorError):
        errors = [{"loc": ["query", "cursor"], "msg": str(exc), "type": "value_error"}]
        return await validation_error(request, RequestValidationError(errors))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if _wants_page(request):
            title = "Not found" if exc.status_code == 404 else "Something went wrong"
            return _error_page(request, exc.status_code, title, [str(exc.detail)])
        return await http_exception_handler(request, exc)

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, exc: Exception):
        # Never a traceback or plain text: a JSON body with a code, like every other error.
        if _wants_page(request):
            return _error_page(request, 500, "Something went wrong", [type(exc).__name__])
        return JSONResponse(
            status_code=500,
            content={"code": "V600", "detail": f"internal error: {type(exc).__name__}"},
        )

    return app


def _wants_page(request: Request) -> bool:
    """Dashboard pages get an HTML error page; the API and its spec keep JSON."""
    path = request.url.path
    return not (path.startswith(("/api/", "/openapi", "/static/")) or path == "/api")


def _error_page(request: Request, status: int, title: str, lines: list[str]) -> HTMLResponse:
    html = request.app.state.jinja.get_template("error.html").render(
        status=status,
        title=title,
        lines=lines,
        request_path=request.url.path,
        query={},
        twin="/api/v1/stats",
    )
    return HTMLResponse(html, status_code=status)
