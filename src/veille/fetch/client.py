"""A polite HTTP client: robots.txt, a per-host pace, bounded everything, careful retries.

One ``Fetcher`` serves a whole watch process (threads may share it). Each request:

1. is checked against the host's robots.txt (fetched once per hour and cached);
2. waits for its host's turn (one request per ``fetch_host_interval_s``, or per the
   robots.txt ``Crawl-delay`` when that is longer);
3. sends a user agent naming Veille and its version, and the validators it was given
   (``If-None-Match``/``If-Modified-Since``), so an unchanged feed costs one 304;
4. follows at most ``fetch_max_redirects`` redirects itself (each hop checked again),
   refusing loops;
5. reads at most ``fetch_max_bytes`` within ``fetch_total_timeout_s``, of an expected
   content type;
6. is retried on 429, 5xx and connection errors with exponential backoff and jitter,
   waiting what ``Retry-After`` asks when that is short enough.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
import urllib.robotparser
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from veille import __version__
from veille.fetch.errors import (
    BodyTooLargeError,
    ContentTypeError,
    FetchError,
    HttpStatusError,
    NetworkError,
    RedirectError,
    RobotsForbiddenError,
)
from veille.fetch.urls import host_of
from veille.settings import Settings

ROBOTS_TTL_S = 3600.0  # a fetched robots.txt is trusted this long
ROBOTS_ERROR_TTL_S = 300.0  # an unreachable robots.txt forbids the host this long
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
    "application/x-rss+xml",
)
PAGE_TYPES = ("text/html", "application/xhtml+xml")
ANY_SOURCE_TYPES = FEED_TYPES + PAGE_TYPES + ("text/plain",)  # some servers send feeds so
ROBOTS_TOKEN = "Veille"


class FetchCancelled(Exception):
    """The fetcher was cancelled (a server stopping) while a request waited its turn."""


def user_agent(settings: Settings) -> str:
    contact = f"; {settings.fetch_contact}" if settings.fetch_contact else ""
    return f"Veille/{__version__} (news monitoring{contact})"


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int  # 200 or 304
    body: bytes
    content_type: str  # media type only, lower case ("" when the server gave none)
    charset: str | None
    etag: str | None
    last_modified: str | None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass
class _Host:
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_at: float = 0.0
    robots: urllib.robotparser.RobotFileParser | None = None
    robots_until: float = 0.0
    crawl_delay: float = 0.0  # robots.txt's Crawl-delay, when longer than our own pace


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class Fetcher:
    """Polite GETs; thread-safe. ``transport`` lets tests plug in an httpx transport."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None):
        self.settings = settings
        self.user_agent = user_agent(settings)
        self._client = httpx.Client(
            headers={"User-Agent": self.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.fetch_timeout_s),
            follow_redirects=False,  # followed by hand: each hop is checked and paced
            limits=httpx.Limits(max_connections=max(4, settings.fetch_concurrency * 2)),
            transport=transport,
        )
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self.requests_per_host: Counter[str] = Counter()
        self._random = random.Random()
        self._cancelled = threading.Event()

    def close(self) -> None:
        self._client.close()

    def cancel(self) -> None:
        """Make every wait (pace, backoff, Retry-After) end now with ``FetchCancelled``."""
        self._cancelled.set()

    def _sleep(self, seconds: float) -> None:
        if self._cancelled.wait(max(0.0, seconds)):
            raise FetchCancelled()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- public ----------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...] = ANY_SOURCE_TYPES,
    ) -> Response:
        """GET ``url`` politely; raises a ``FetchError`` naming the URL and the reason."""
        attempt = 0
        while True:
            try:
                return self._get_following(url, etag, last_modified, accept)
            except FetchError as error:
                if not error.transient or attempt >= self.settings.fetch_retries:
                    raise
                wait = self._backoff(attempt)
                if error.retry_after:
                    if error.retry_after > self.settings.fetch_max_wait_s:
                        raise  # the caller moves this source's next poll instead
                    wait = max(wait, error.retry_after)
                    self._push_host(url, error.retry_after)
                attempt += 1
                self._sleep(wait)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets Veille fetch ``url``."""
        host = self._host(url)
        now = time.monotonic()
        if host.robots is None or now >= host.robots_until:
            host.robots, ttl = self._load_robots(url)
            host.robots_until = now + ttl
            host.crawl_delay = float(host.robots.crawl_delay(ROBOTS_TOKEN) or 0.0)
            if host.crawl_delay:  # the robots.txt request itself counts as the last one
                self._push_host(url, host.crawl_delay)
        return host.robots.can_fetch(ROBOTS_TOKEN, url)

    # -- steps -----------------------------------------------------------------

    def _get_following(
        self, url: str, etag: str | None, last_modified: str | None, accept: tuple[str, ...]
    ) -> Response:
        seen = {url}
        current = url
        for _ in range(self.settings.fetch_max_redirects + 1):
            if not self.allowed(current):
                raise RobotsForbiddenError("robots.txt forbids this URL", path=current)
            result = self._request(current, etag, last_modified, accept)
            if isinstance(result, Response):
                return result
            target = result
            if target in seen:
                raise RedirectError(f"redirect loop back to {target}", path=url)
            seen.add(target)
            current = target
        raise RedirectError(f"more than {self.settings.fetch_max_redirects} redirects", path=url)

    def _request(
        self, url: str, etag: str | None, last_modified: str | None, accept: tuple[str, ...]
    ) -> Response | str:
        """One request: a Response, or the absolute URL a redirect points to."""
        headers = {"Accept": ", ".join((*accept, "*/*;q=0.1"))}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        self._pace(url)
        deadline = time.monotonic() + self.settings.fetch_total_timeout_s
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                return self._read(url, response, accept, deadline)
        except httpx.TimeoutException as exc:
            raise NetworkError(f"timed out ({type(exc).__name__})", path=url) from exc
        except httpx.TransportError as exc:
            raise NetworkError(f"connection failed: {exc or type(exc).__name__}", path=url) from exc
        except httpx.InvalidURL as exc:
            raise FetchError(f"invalid URL: {exc}", path=url) from exc

    def _read(
        self, url: str, response: httpx.Response, accept: tuple[str, ...], deadline: float
    ) -> Response | str:
        status = response.status_code
        if status in REDIRECT_STATUSES:
            location = response.headers.get("location")
            if not location:
                raise RedirectError(f"HTTP {status} without a Location", path=url)
            return str(response.url.join(location))
        if status == 304:
            return self._response(url, response, b"")
        if status != 200:
            retry_after = parse_retry_after(response.headers.get("retry-after")) or 0.0
            raise HttpStatusError(status, path=url, retry_after=retry_after)
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        if media and not any(media == a or media.endswith("+xml") for a in accept):
            raise ContentTypeError(f"unexpected content type {media}", path=url)
        limit = self.settings.fetch_max_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLargeError(
                f"body of {int(declared):,} bytes is above the {limit:,} byte limit "
                "(setting fetch_max_mb)",
                path=url,
            )
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError(
                    f"body grew above the {limit:,} byte limit (setting fetch_max_mb)", path=url
                )
            if time.monotonic() > deadline:
                raise NetworkError(
                    f"body not received within {self.settings.fetch_total_timeout_s:g} s",
                    path=url,
                )
            chunks.append(chunk)
        return self._response(url, response, b"".join(chunks))

    def _response(self, url: str, response: httpx.Response, body: bytes) -> Response:
        content_type = response.headers.get("content-type", "")
        media = content_type.split(";")[0].strip().lower()
        charset = response.charset_encoding if content_type else None
        return Response(
            url=url,
            status=response.status_code,
            body=body,
            content_type=media,
            charset=charset,
            etag=response.headers.get("etag"),
            last_modified=response.headers.get("last-modified"),
        )

    # -- politeness ------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = host_of(url)
        with self._hosts_lock:
            return self._hosts.setdefault(key, _Host())

    def _pace(self, url: str) -> None:
        """Wait for this host's turn; count the request."""
        host = self._host(url)
        with host.lock:
            self._sleep(host.next_at - time.monotonic())
            pace = max(self.settings.fetch_host_interval_s, host.crawl_delay)
            host.next_at = time.monotonic() + pace
        with self._count_lock:
            self.requests_per_host[host_of(url)] += 1

    def _push_host(self, url: str, seconds: float) -> None:
        host = self._host(url)
        with host.lock:
            host.next_at = max(host.next_at, time.monotonic() + seconds)

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with jitter: base * 2**attempt, times 0.5 to 1.5."""
        return self.settings.fetch_backoff_s * (2**attempt) * (0.5 + self._random.random())

    def _load_robots(self, url: str) -> tuple[urllib.robotparser.RobotFileParser, float]:
        """The host's robots.txt rules and how long to trust them (RFC 9309 on errors)."""
        robots_url = host_of(url) + "/robots.txt"
        parser = urllib.robotparser.RobotFileParser(robots_url)
        current = robots_url
        try:
            for _ in range(self.settings.fetch_max_redirects + 1):
                result = self._request(current, None, None, ("text/plain", "*/*"))
                if isinstance(result, str):
                    current = result
                    continue
                text = result.body.decode(result.charset or "utf-8", errors="replace")
                parser.parse(text.splitlines())
                return parser, ROBOTS_TTL_S
            parser.allow_all = True  # a redirect maze: treat as no robots.txt
            return parser, ROBOTS_TTL_S
        except HttpStatusError as error:
            if error.status >= 500 or error.status == 429:
                parser.disallow_all = True  # unreachable: assume complete disallow for now
                return parser, ROBOTS_ERROR_TTL_S
            parser.allow_all = True  # 4xx: no robots.txt, everything allowed
            return parser, ROBOTS_TTL_S
        except (BodyTooLargeError, ContentTypeError):
            parser.allow_all = True
            return parser, ROBOTS_TTL_S
        except NetworkError:
            raise  # the host is unreachable: the page would fail the same way, say so
        except FetchError:
            parser.disallow_all = True
            return parser, ROBOTS_ERROR_TTL_S

    def stats(self) -> dict[str, Any]:
        with self._count_lock:
            return {"requests": sum(self.requests_per_host.values()), **self.requests_per_host}
