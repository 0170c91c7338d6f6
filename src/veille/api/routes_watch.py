"""Sources status (``/sources`` and its JSON twin) and the writer's ingest endpoint.

``POST /api/v1/ingest`` needs the API token and a server started with ``--watch`` (the
database's single writer): it stores the files it is sent in ``<db>.inbox/`` and hands
them to the writer thread, then answers with the run summary.
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import duckdb
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from veille.api.deps import AppState, ErrorBody, cursor, require_token, state
from veille.store.duckdb.sources import source_rows

router = APIRouter()

Con = Annotated[duckdb.DuckDBPyConnection, Depends(cursor)]
St = Annotated[AppState, Depends(state)]
MAX_FILES = 1000
_UNSAFE = re.compile(r"[^\w.\- ]+")


class IngestFile(BaseModel):
    name: str = Field(max_length=255, description="File name; its extension picks the format.")
    content_base64: str = Field(description="The file's bytes, base64-encoded.")


class IngestRequest(BaseModel):
    files: list[IngestFile] = Field(default_factory=list, max_length=MAX_FILES)
    urls: list[str] = Field(default_factory=list, max_length=MAX_FILES)


def sources_json(con: duckdb.DuckDBPyConnection, st: AppState) -> dict[str, Any]:
    from veille.cli.common import to_jsonable

    items = to_jsonable(source_rows(con))
    writer = getattr(st, "writer", None)
    return {
        "items": items,
        "total": len(items),
        "writer": writer.status() if writer is not None else None,
        "now": datetime.now(UTC).isoformat(),
    }


@router.get("/api/v1/sources", summary="Watched sources: last fetch, last new, errors, next poll")
def get_sources(st: St, con: Con) -> dict[str, Any]:
    return sources_json(con, st)


@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, st: St, con: Con) -> HTMLResponse:
    data = sources_json(con, st)
    html = request.app.state.jinja.get_template("sources.html").render(
        request_path=request.url.path,
        query=dict(request.query_params),
        twin="/api/v1/sources",
        data=data,
    )
    return HTMLResponse(html)


def _safe_name(name: str, index: int) -> str:
    base = Path(name.replace("\\", "/")).name
    cleaned = _UNSAFE.sub("_", base).strip(" .") or "file"
    return f"{index:04d}-{cleaned}"


@router.post(
    "/api/v1/ingest",
    summary="Ingest files or URLs (needs the token and --watch)",
    responses={
        400: {"description": "The body is not JSON", "model": ErrorBody},
        401: {"description": "Missing or wrong token", "model": ErrorBody},
        403: {"description": "Writes are disabled (no token configured)", "model": ErrorBody},
        409: {"description": "This server does not write (no --watch)", "model": ErrorBody},
        413: {"description": "A file is above the size limit", "model": ErrorBody},
    },
)
def post_ingest(
    st: St, body: IngestRequest, _: Annotated[None, Depends(require_token)]
) -> dict[str, Any]:
    writer = getattr(st, "writer", None)
    if writer is None or not writer.alive:
        raise HTTPException(
            status_code=409,
            detail="this server does not write to its database: start it with "
            "`veille serve --watch` to send it files",
        )
    settings = st.settings
    inbox = settings.db_path.with_name(settings.db_path.name + ".inbox") / uuid.uuid4().hex
    limit = settings.max_file_bytes
    decoded: list[tuple[str, bytes]] = []
    for index, item in enumerate(body.files):
        try:
            raw = base64.b64decode(item.content_base64, validate=True)
        except (binascii.Error, ValueError):
            raise RequestValidationError(  # the documented 422 shape
                [
                    {
                        "loc": ["body", "files", index, "content_base64"],
                        "msg": "not valid base64",
                        "type": "value_error",
                    }
                ]
            ) from None
        if len(raw) > limit:
            raise HTTPException(
                status_code=413, detail=f"{item.name}: above the {limit:,} byte limit"
            )
        decoded.append((_safe_name(item.name, index), raw))
    paths: list[Path] = []
    if decoded:
        inbox.mkdir(parents=True)
        for name, raw in decoded:
            path = inbox / name
            path.write_bytes(raw)
            paths.append(path)
    summary = writer.ingest(paths, body.urls)
    result = summary.to_dict()
    # name the files as the client sent them, not by their inbox path
    names = {str(p): body.files[i].name for i, p in enumerate(paths)}
    for error in result["errors"]:
        for inbox_path, original in names.items():
            if error["path"] and error["path"].startswith(inbox_path):
                error["path"] = original + error["path"][len(inbox_path) :]
    return result
