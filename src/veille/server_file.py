"""``<db>.server.json``: which running ``veille serve`` holds a database, and at what URL.

A writing server holds DuckDB's lock on its file, so another process cannot write there;
this note lets ``veille run`` say who holds it and where to send files instead.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ServerInfo:
    url: str
    pid: int
    writer: bool  # started with --watch: accepts files on POST /api/v1/ingest


def server_file(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".server.json")


def write_server_info(db_path: Path, info: ServerInfo) -> Path:
    path = server_file(db_path)
    path.write_text(
        json.dumps({"url": info.url, "pid": info.pid, "writer": info.writer}), encoding="utf-8"
    )
    return path


def remove_server_info(db_path: Path) -> None:
    with contextlib.suppress(OSError):
        server_file(db_path).unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def running_server(db_path: Path) -> ServerInfo | None:
    """The server holding ``db_path``, when its note exists and its process is alive."""
    try:
        data = json.loads(server_file(db_path).read_text(encoding="utf-8"))
        info = ServerInfo(str(data["url"]), int(data["pid"]), bool(data.get("writer")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if _alive(info.pid) else None
