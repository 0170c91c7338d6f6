"""Per-app state and per-request database access.

The app holds one read-only store. Each request gets its own DuckDB cursor (a duplicate
connection on the same database), because one connection must not run two queries at
once and FastAPI runs sync endpoints in a thread pool.
"""

from __future__ import annotations

import hmac
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import duckdb
from fastapi import Header, HTTPException, Request
from pydantic import BaseModel

from veille.store.duckdb.ranked import Ranks

TOKEN_ENV = "VEILLE_API_TOKEN"
RELOAD_SECONDS = 5.0  # how stale the search index may be after `veille run`
MAX_KEPT_ANSWERS = 512  # distinct filter combinations kept per generation
GENERATION_KEY = "veille_generation"  # the store generation a request read, in its state


class ErrorBody(BaseModel):
    """What a 4xx other than 422 answers (FastAPI's HTTPException body)."""

    detail: str


@dataclass(slots=True)
class AppState:
    settings: Any
    store: Any
    token: str | None  # write endpoints are refused when no token is configured
    # Held only while making a cursor off the shared connection; queries run on cursors.
    store_lock: threading.Lock = field(default_factory=threading.Lock)
    index_lock: threading.Lock = field(default_factory=threading.Lock)
    index: Any = None  # the tantivy index, opened on first search
    index_loaded_at: float = 0.0
    writer: Any = None  # veille.fetch.writer.SingleWriter when served with --watch
    # whole-store answers (stats, overview, timelines, aid totals) by request, valid while
    # the store's generation stays the same: they cost a scan of every table to compute
    answers: dict[Any, Any] = field(default_factory=dict)
    answers_generation: int = -1
    answers_lock: threading.Lock = field(default_factory=threading.Lock)
    # the unfiltered lists' whole orders, kept per generation (pages become slices)
    ranks: Ranks = field(default_factory=Ranks)

    def generation(self) -> int:
        """The store's generation, read on a cursor of its own (the page cache asks)."""
        from veille.store.duckdb.queries import generation

        with self.store_lock:
            cur = self.store.connection().cursor()
        try:
            return generation(cur)
        finally:
            cur.close()

    def kept(self, con: duckdb.DuckDBPyConnection, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``'s answer for ``key``, computed again only after a write."""
        from veille.store.duckdb.queries import generation

        now = generation(con)
        with self.answers_lock:
            if now != self.answers_generation:
                self.answers.clear()
                self.answers_generation = now
            if key in self.answers:
                return self.answers[key]
        answer = compute()
        with self.answers_lock:
            if self.answers_generation == now and len(self.answers) < MAX_KEPT_ANSWERS:
                self.answers[key] = answer
        return answer

    def search_index(self):
        """The search index, kept open and reloaded now and then (None while absent)."""
        from veille.search import index_dir, open_index
        from veille.store.duckdb.queries import store_identity

        with self.index_lock:
            now = time.monotonic()
            if now - self.index_loaded_at > RELOAD_SECONDS or self.index is None:
                if self.index is None:
                    with self.store_lock:
                        store_id = store_identity(self.store.connection())
                    # an index left from a deleted database is not this one's: ignore it
                    self.index = open_index(index_dir(self.settings), store_id=store_id)
                else:
                    self.index.reload()  # see commits made by `veille run` since
                self.index_loaded_at = now
            return self.index

    def get_analysis(self, article_id: str):
        """Read on a cursor of its own: requests never wait on each other's queries."""
        with self.store_lock:  # held only to make the cursor, not while querying
            cur = self.store.connection().cursor()
        try:
            return self.store.on_connection(cur).get_analysis(article_id)
        finally:
            cur.close()


# The per-request dependencies are coroutines: they do no I/O worth a thread (making a
# cursor takes microseconds), and a sync dependency costs a hop to the thread pool and
# back on every request (about 0.2 ms each under load; seven per list request before).


async def state(request: Request) -> AppState:
    return request.app.state.veille


async def cursor(request: Request) -> AsyncIterator[duckdb.DuckDBPyConnection]:
    from veille.store.duckdb.queries import pin_generation

    st = request.app.state.veille
    with st.store_lock:
        cur = st.store.connection().cursor()
    try:
        # one read of the generation for the whole request (the page cache's, if it read it)
        pin_generation(cur, request.scope.get("state", {}).get(GENERATION_KEY))
        yield cur
    finally:
        cur.close()


def configured_token(settings: Any) -> str | None:
    return getattr(settings, "api_token", None) or os.environ.get(TOKEN_ENV) or None


def require_token(request: Request, authorization: str | None = Header(default=None)) -> None:
    """Write endpoints: ``Authorization: Bearer <token>`` must match the configured token."""
    expected = request.app.state.veille.token
    if not expected:
        raise HTTPException(status_code=403, detail=f"writes are disabled: set {TOKEN_ENV}")
    given = (authorization or "").removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise HTTPException(
            status_code=401, detail="missing or wrong token", headers={"WWW-Authenticate": "Bearer"}
        )
