"""Whole answers of the list and stats routes, kept per store generation, with ETags.

A monitoring dashboard polls the same pages over and over while the store changes every
few minutes at most. This ASGI middleware keeps each ``GET`` answer (status 200) of the
routes in ``CACHED_PATHS`` and of the dashboard pages in ``PAGE_PATHS`` by path and query
string until the store's generation changes (every write raises it, migration 008), so a
repeated page costs one read of the generation instead of its queries. Every such answer
carries a strong ``ETag`` (a hash of its body: the same in every server worker) and
``Cache-Control: no-cache`` (a client may keep it but must ask again); a request whose
``If-None-Match`` names the current ETag gets ``304 Not Modified`` without a body.
``X-Veille-Cache`` says ``hit`` or ``miss``.

Not kept: ranked search (``/articles?q=``: the search index changes apart from the store),
anything but 200, and answers larger than ``MAX_ENTRY_BYTES``.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from veille.api.deps import GENERATION_KEY

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

API = "/api/v1"
CACHED_PATHS = frozenset(
    f"{API}/{name}"
    for name in (
        "stats", "overview", "timeline", "outlets", "articles", "events", "map", "incidents",
        "stories", "duplicates", "aid", "aid/totals", "claims", "entities",
    )
)  # fmt: skip
# the dashboard's list pages: HTML views of the same lists (not /search: the index)
PAGE_PATHS = frozenset(
    ("/", "/map", "/events", "/incidents", "/stories", "/duplicates", "/aid", "/claims",
     "/entities")
)  # fmt: skip
SEARCHED_PATHS = frozenset({f"{API}/articles"})  # `q` there is answered by the search index
MAX_BYTES = 64 * 1024 * 1024  # all kept answers of one server process
MAX_ENTRY_BYTES = 8 * 1024 * 1024
MAX_ENTRIES = 4096
_KEPT_HEADERS = (b"content-type",)


@dataclass(frozen=True, slots=True)
class Answer:
    etag: bytes
    headers: tuple[tuple[bytes, bytes], ...]  # content-type, content-length, etag, ...
    body: bytes


def etag_of(body: bytes) -> bytes:
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode("ascii") + b'"'


def matches(if_none_match: bytes | None, etag: bytes) -> bool:
    """RFC 9110 weak comparison: ``*`` or any listed tag equal to ``etag`` (``W/`` ignored)."""
    if not if_none_match:
        return False
    for tag in if_none_match.split(b","):
        tag = tag.strip()
        if tag == b"*" or tag.removeprefix(b"W/") == etag:
            return True
    return False


class PageCache:
    """The middleware; ``generation(app)`` reads the store's generation (cheap query)."""

    def __init__(self, app: Callable[..., Awaitable[None]]) -> None:
        self.app = app
        self.entries: OrderedDict[tuple[str, bytes], Answer] = OrderedDict()
        self.generation: int | None = None
        self.size = 0
        self.hits = 0
        self.misses = 0

    def _cacheable(self, scope: Scope) -> bool:
        if scope["type"] != "http" or scope["method"] != "GET":
            return False
        path = scope["path"]
        if path not in CACHED_PATHS and path not in PAGE_PATHS:
            return False
        if path in SEARCHED_PATHS and scope.get("query_string"):
            names = {k for k, _ in parse_qsl(scope["query_string"].decode("latin-1"))}
            return "q" not in names
        return True

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._cacheable(scope):
            await self.app(scope, receive, send)
            return
        now = scope["app"].state.veille.generation()
        scope.setdefault("state", {})[GENERATION_KEY] = now  # the request reads no other
        if now != self.generation:
            self.entries.clear()
            self.size = 0
            self.generation = now
        key = (scope["path"], scope.get("query_string", b""))
        if_none_match = _header(scope, b"if-none-match")
        answer = self.entries.get(key)
        if answer is not None:
            self.entries.move_to_end(key)
            self.hits += 1
            await _reply(send, answer, if_none_match, b"hit")
            return
        self.misses += 1
        start: Message = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, keep)
        body = b"".join(chunks)
        if start.get("status") != 200:
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return
        etag = etag_of(body)
        kept = [(k, v) for k, v in start.get("headers", ()) if k.lower() in _KEPT_HEADERS]
        headers = (
            *kept,
            (b"content-length", str(len(body)).encode("ascii")),
            (b"etag", etag),
            (b"cache-control", b"no-cache"),
        )
        answer = Answer(etag, headers, body)
        if len(body) <= MAX_ENTRY_BYTES and self.generation == now:
            self._keep(key, answer)
        await _reply(send, answer, if_none_match, b"miss")

    def _keep(self, key: tuple[str, bytes], answer: Answer) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self.entries[key] = answer
        self.size += len(answer.body)
        while self.entries and (self.size > MAX_BYTES or len(self.entries) > MAX_ENTRIES):
            _, dropped = self.entries.popitem(last=False)
            self.size -= len(dropped.body)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value
    return None


async def _reply(send: Send, answer: Answer, if_none_match: bytes | None, how: bytes) -> None:
    if matches(if_none_match, answer.etag):
        headers = [(b"etag", answer.etag), (b"cache-control", b"no-cache")]
        await send({"type": "http.response.start", "status": 304,
                    "headers": [*headers, (b"x-veille-cache", how)]})  # fmt: skip
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200,
                "headers": [*answer.headers, (b"x-veille-cache", how)]})  # fmt: skip
    await send({"type": "http.response.body", "body": answer.body})
