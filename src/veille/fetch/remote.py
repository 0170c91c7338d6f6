"""``veille run --server URL``: send files to the server that holds the database.

The files named by the paths are read here (same expansion, extensions and size limit as
a local run) and posted in batches to ``POST /api/v1/ingest`` with the API token; the
server's writer thread ingests them and answers with its run summary.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import httpx

from veille.errors import VeilleError
from veille.ingest import list_inputs
from veille.ingest.errors import InputError
from veille.ingest.read import read_bytes
from veille.settings import Settings

BATCH_BYTES = 16 * 1024 * 1024  # raw bytes per request (base64 adds a third)
COUNTS = ("read", "stored", "known", "skipped", "failed", "not_analysed")
COUNTS += ("entities", "quantities", "events", "aid", "claims", "indexed")


class RemoteError(VeilleError):
    code = "V602"


def _batches(paths: list[Path], settings: Settings) -> Iterable[list[tuple[Path, bytes]]]:
    batch: list[tuple[Path, bytes]] = []
    size = 0
    for path in paths:
        raw = read_bytes(path, settings.max_file_bytes)
        if batch and size + len(raw) > BATCH_BYTES:
            yield batch
            batch, size = [], 0
        batch.append((path, raw))
        size += len(raw)
    if batch:
        yield batch


def send_to_server(
    server: str,
    paths: Iterable[str | Path],
    urls: list[str],
    settings: Settings,
    token: str | None,
    *,
    timeout_s: float = 3600.0,
) -> dict[str, Any]:
    """Post the files (and URLs) to ``server``; one merged summary dict, like a local run's."""
    if not token:
        raise RemoteError("no API token: set VEILLE_API_TOKEN (the server's) or pass --token")
    endpoint = server.rstrip("/") + "/api/v1/ingest"
    merged: dict[str, Any] = {name: 0 for name in COUNTS}
    merged.update(seconds=0.0, errors=[], db_path=server)
    files: list[Path] = []
    for item in list_inputs(paths, settings):
        if isinstance(item, InputError):
            merged["errors"].append({"code": item.code, "path": item.path, "reason": item.reason})
            merged["failed"] += 1
        else:
            files.append(item)
    readable: list[Path] = []
    for path in files:
        try:
            read_bytes(path, settings.max_file_bytes)
        except InputError as error:
            merged["errors"].append(
                {"code": error.code, "path": error.path, "reason": error.reason}
            )
            merged["skipped" if getattr(error, "skipped", False) else "failed"] += 1
            continue
        readable.append(path)
    requests: list[dict[str, Any]] = [
        {
            "files": [
                {"name": str(path), "content_base64": base64.b64encode(raw).decode("ascii")}
                for path, raw in batch
            ],
            "urls": [],
        }
        for batch in _batches(readable, settings)
    ]
    if urls:
        requests.append({"files": [], "urls": urls})
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=httpx.Timeout(timeout_s, connect=10.0)) as client:
        for body in requests:
            try:
                response = client.post(endpoint, json=body, headers=headers)
            except httpx.HTTPError as exc:
                raise RemoteError(f"cannot reach the server: {exc}", path=endpoint) from exc
            if response.status_code != 200:
                try:
                    detail = response.json().get("detail")
                except ValueError:
                    detail = response.text[:200]
                raise RemoteError(f"HTTP {response.status_code}: {detail}", path=endpoint)
            result = response.json()
            for name in COUNTS:
                merged[name] += int(result.get(name) or 0)
            merged["seconds"] += float(result.get("seconds") or 0.0)
            merged["errors"] += result.get("errors") or []
    return merged
