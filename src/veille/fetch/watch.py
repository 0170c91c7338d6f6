"""One poll pass over the due sources (and watched folders), then the normal pipeline.

    watcher = Watcher(store, settings)
    report = watcher.poll()          # fetch due sources, new pages, analyse, store, link

A pass: (1) due sources are fetched, hosts in parallel, each host's requests one after
the other at its pace; (2) the items they list are canonicalised and those never met
before are fetched the same way; (3) pages become ``RawDocument``s (bytes kept in the raw
store) and go through ``run_on_store`` like files; (4) each source's status, validators
and next poll are written back. A failing source is spaced out and reported; it never
holds up the others.
"""

from __future__ import annotations

import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from veille import pipeline
from veille.errors import VeilleError
from veille.fetch.client import PAGE_TYPES, Fetcher, Response
from veille.fetch.errors import FetchError
from veille.fetch.parse import FeedItem, Listing, detect_kind, parse_feed, parse_sitemap
from veille.fetch.raw import RawStore
from veille.fetch.urls import canonical_url, host_of
from veille.ingest import RawDocument, is_skip
from veille.ingest.errors import InputError
from veille.ingest.read import decode_text
from veille.ingest.sources import expand_paths
from veille.model import Source, SourceKind, stable_id
from veille.pipeline import RunSummary, Stage, run_on_store
from veille.settings import Settings

MAX_ATTEMPTS = 3  # tries of a page that failed for a transient reason, over several polls
MAX_CHILD_SITEMAPS = 10
MAX_BACKOFF = timedelta(hours=24)
DONE_STATUSES = frozenset({"stored", "known", "skipped", "failed"})

T = TypeVar("T")
R = TypeVar("R")
EventFn = Callable[[str, Any], None]  # ("source", SourceReport) / ("page", (url, status))


def parse_every(text: str) -> int:
    """``15m``, ``1h``, ``90s``, ``1h30m`` or plain seconds -> seconds (at least 1)."""
    value = text.strip().lower()
    if value.isdigit():
        seconds = int(value)
    else:
        units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
        seconds, number = 0, ""
        for char in value:
            if char.isdigit():
                number += char
            elif char in units and number:
                seconds += int(number) * units[char]
                number = ""
            else:
                raise ValueError(f"not a duration: {text!r} (try 15m, 1h, 90s)")
        if number:
            raise ValueError(f"not a duration: {text!r} (a unit is missing: 15m, 1h, 90s)")
    if seconds < 1:
        raise ValueError(f"not a duration: {text!r} (must be at least 1s)")
    return seconds


def new_source(
    url: str,
    settings: Settings,
    *,
    name: str | None = None,
    language: str | None = None,
    every_seconds: int | None = None,
    now: datetime | None = None,
) -> Source:
    """A Source record for ``url`` (canonicalised; its id is derived from that URL)."""
    canonical = canonical_url(url)
    return Source(
        id=stable_id("source", canonical),
        url=canonical,
        every_seconds=every_seconds or settings.poll_every_s,
        added_at=now or datetime.now(UTC),
        name=name,
        language=language,
    )


@dataclass
class SourceReport:
    """What one poll did with one source."""

    source: Source
    status: str  # "feed: 12 items, 3 new", "not modified", "error: V111 ..."
    items: int = 0
    new: int = 0
    error: VeilleError | None = None


@dataclass
class PassReport:
    started_at: datetime
    seconds: float = 0.0
    sources: list[SourceReport] = field(default_factory=list)
    pages_fetched: int = 0
    files: int = 0
    fetch_seconds: float = 0.0  # feeds and pages fetched (the rest: analyse, store, link)
    summary: RunSummary | None = None

    @property
    def stored(self) -> int:
        return self.summary.stored if self.summary else 0

    @property
    def failed(self) -> bool:
        """A source could not be polled or a page failed (skipped pages are not failures)."""
        return any(r.error for r in self.sources) or bool(self.summary and self.summary.failed)

    @property
    def errors(self) -> list[VeilleError]:
        found: list[VeilleError] = [r.error for r in self.sources if r.error is not None]
        return found + (list(self.summary.errors) if self.summary else [])


@dataclass
class _Fetched:
    """A source's fetch: its listing (feed/sitemap) or its own page, or an error."""

    source: Source
    response: Response | None = None
    listing: Listing | None = None
    error: FetchError | VeilleError | None = None


@dataclass
class _Page:
    source: Source | None
    item: FeedItem
    url: str  # canonical


def _by_host(items: list[T], url_of: Callable[[T], str], work: Callable[[T], R], workers: int):
    """``work(item)`` for every item: hosts in parallel, one host's items in order."""
    groups: dict[str, list[T]] = defaultdict(list)
    for item in items:
        groups[host_of(url_of(item))].append(item)
    if not groups:
        return []

    def run_group(group: list[T]) -> list[tuple[T, R]]:
        return [(item, work(item)) for item in group]

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(groups)))) as pool:
        results = pool.map(run_group, groups.values())
        return [pair for group in results for pair in group]


def page_document(
    response: Response,
    item: FeedItem,
    raw: RawStore,
    *,
    source_url: str,
    language: str | None = None,
    outlet: str | None = None,
) -> RawDocument:
    """A fetched page as a RawDocument; its bytes are kept in ``raw`` first."""
    digest = raw.put(response.body)
    text = encoding = None
    if response.charset:
        try:
            text, encoding = response.body.decode(response.charset), response.charset
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text, encoding = decode_text(response.body, source_url)
    return RawDocument(
        source=source_url,
        input_format="html",
        text=text,
        raw_hash=digest,
        encoding=encoding or "utf-8",
        title=item.title,
        url=response.url,
        outlet=item.outlet or outlet,
        published=item.published,
        language=language,
        path=source_url,
    )


class Watcher:
    """Polls sources and folders into one store. The caller owns store and fetcher."""

    def __init__(
        self,
        store: Any,
        settings: Settings,
        *,
        fetcher: Fetcher | None = None,
        stages: list[Stage] | None = None,
        folders: Iterable[str | Path] = (),
        on_event: EventFn | None = None,
    ) -> None:
        self.store = store
        # Analysis stays in this long-lived process (workers=1): the stages load their
        # models once for every pass, and a server's writer thread must not fork.
        self.settings = replace(settings, workers=1)
        self.fetcher = fetcher or Fetcher(settings)
        self.raw = RawStore(settings.raw_store_dir)
        self.stages = stages if stages is not None else pipeline.default_stages(settings)
        self.folders = [Path(f) for f in folders]
        self.on_event = on_event or (lambda kind, data: None)
        self._file_marks: dict[str, tuple[int, int]] = {}
        self._lock = threading.Lock()  # one pass at a time

    # -- a pass ----------------------------------------------------------------

    def poll(self, *, now: datetime | None = None, every_source: bool = False) -> PassReport:
        """One pass over the due sources (all of them with ``every_source``) and folders."""
        with self._lock:
            now = now or datetime.now(UTC)
            started = time.perf_counter()
            report = PassReport(started_at=now)
            sources = self.store.list_sources() if every_source else self.store.due_sources(now)
            fetched = _by_host(
                sources, lambda s: s.url, self._fetch_source, self.settings.fetch_concurrency
            )
            pages, own_pages = self._select(fetched)
            docs: list[RawDocument | InputError] = []
            page_of_doc: dict[str, _Page] = {}
            page_errors: dict[str, InputError] = {}
            for page, response in own_pages:
                self._page_doc(page, response, docs, page_of_doc, page_errors)
            results = _by_host(
                pages, lambda p: p.url, self._fetch_page, self.settings.fetch_concurrency
            )
            report.pages_fetched = len(results)
            for page, result in results:
                if isinstance(result, InputError):
                    docs.append(result)
                    page_errors[page.url] = result
                else:
                    self._page_doc(page, result, docs, page_of_doc, page_errors)
            report.fetch_seconds = time.perf_counter() - started
            folder_docs = list(self._folder_inputs())
            report.files = len(folder_docs)
            ids = [d.article_id for d in docs if isinstance(d, RawDocument)]
            known_before = self.store.known_ids(ids)
            if docs or folder_docs:
                report.summary = run_on_store(
                    self.store,
                    self.settings,
                    folder_docs,
                    stages=self.stages,
                    documents=docs,
                )
            present = self.store.known_ids(ids)
            self._record(
                now, fetched, pages, page_of_doc, page_errors, known_before, present, report
            )
            report.seconds = time.perf_counter() - started
            return report

    def documents_for_urls(self, urls: Iterable[str]) -> list[RawDocument | InputError]:
        """What ``veille run URL...`` ingests: a page, or every item of a feed or sitemap."""
        adhoc = [new_source(u, self.settings) for u in urls]
        fetched = _by_host(
            adhoc, lambda s: s.url, self._fetch_source, self.settings.fetch_concurrency
        )
        docs: list[RawDocument | InputError] = []
        pages: list[_Page] = []
        for source, result in fetched:
            if result.error is not None:
                docs.append(result.error)  # type: ignore[arg-type]
            elif result.listing is not None:
                pages += [_Page(source, i, canonical_url(i.url)) for i in result.listing.items]
            elif result.response is not None:
                page = _Page(source, FeedItem(source.url), source.url)
                self._page_doc(page, result.response, docs, {}, {})
        unique = list({p.url: p for p in pages}.values())
        for page, response in _by_host(
            unique, lambda p: p.url, self._fetch_page, self.settings.fetch_concurrency
        ):
            if isinstance(response, InputError):
                docs.append(response)
            else:
                self._page_doc(page, response, docs, {}, {})
        return docs

    # -- steps -----------------------------------------------------------------

    def _fetch_source(self, source: Source) -> _Fetched:
        try:
            response = self.fetcher.get(
                source.url, etag=source.etag, last_modified=source.last_modified
            )
            if response.not_modified:
                return _Fetched(source, response)
            kind = detect_kind(response)
            limit = self.settings.fetch_max_items
            if kind is SourceKind.FEED:
                return _Fetched(source, response, parse_feed(response, limit))
            if kind is SourceKind.SITEMAP:
                listing = parse_sitemap(response, limit)
                items = list(listing.items)
                for child in listing.sitemaps[:MAX_CHILD_SITEMAPS]:
                    items += parse_sitemap(self.fetcher.get(child), limit).items
                items.sort(key=lambda i: i.published.value or datetime.min.date(), reverse=True)
                return _Fetched(source, response, replace(listing, items=tuple(items[:limit])))
            return _Fetched(source, response)  # a page: its own body is the article
        except FetchError as error:
            return _Fetched(source, error=error)
        except VeilleError as error:
            return _Fetched(source, error=error)

    def _select(
        self, fetched: list[tuple[Source, _Fetched]]
    ) -> tuple[list[_Page], list[tuple[_Page, Response]]]:
        """Item pages never fetched before (each URL once), and page sources' own bodies."""
        wanted: dict[str, _Page] = {}
        own: list[tuple[_Page, Response]] = []
        for source, result in fetched:
            if result.error is not None or result.response is None:
                continue
            if result.response.not_modified:
                continue
            if result.listing is None:
                own.append((_Page(source, FeedItem(source.url), source.url), result.response))
                continue
            for item in result.listing.items:
                url = canonical_url(item.url)
                wanted.setdefault(url, _Page(source, item, url))
        states = self.store.fetched_states(wanted)
        fresh = []
        for url, page in wanted.items():
            state = states.get(url)
            if state is None or (
                state["status"] not in DONE_STATUSES and state["attempts"] < MAX_ATTEMPTS
            ):
                fresh.append(page)
        return fresh, own

    def _fetch_page(self, page: _Page) -> Response | InputError:
        try:
            response = self.fetcher.get(page.item.url, accept=PAGE_TYPES)
        except FetchError as error:
            self.on_event("page", (page.url, f"{error.code} {error.reason}"))
            return error
        self.on_event("page", (page.url, "fetched"))
        return response

    def _page_doc(
        self,
        page: _Page,
        response: Response,
        docs: list,
        page_of_doc: dict[str, _Page],
        page_errors: dict[str, InputError],
    ) -> None:
        source = page.source
        try:
            doc = page_document(
                response,
                page.item,
                self.raw,
                source_url=page.url,
                language=source.language if source else None,
                outlet=source.name if source else None,
            )
        except InputError as error:
            docs.append(error)
            page_errors[page.url] = error
            return
        docs.append(doc)
        page_of_doc[doc.article_id] = page

    def _folder_inputs(self) -> Iterator[Path]:
        """Files in the watched folders that are new or changed since the last pass."""
        if not self.folders:
            return
        for item in expand_paths(self.folders, self.settings.extensions):
            if not isinstance(item, Path):
                continue
            try:
                info = os.stat(item)
            except OSError:
                continue
            key = os.path.abspath(item)
            mark = (info.st_mtime_ns, info.st_size)
            if self._file_marks.get(key) != mark:
                self._file_marks[key] = mark
                yield item

    # -- bookkeeping -----------------------------------------------------------

    def _record(
        self,
        now: datetime,
        fetched: list[tuple[Source, _Fetched]],
        pages: list[_Page],
        page_of_doc: dict[str, _Page],
        page_errors: dict[str, InputError],
        known_before: set[str],
        present: set[str],
        report: PassReport,
    ) -> None:
        run_errors = {
            e.path: e for e in (report.summary.errors if report.summary else []) if e.path
        }
        rows: list[dict[str, Any]] = []
        new_by_source: dict[str, int] = defaultdict(int)
        handled: set[str] = set()
        for article_id, page in page_of_doc.items():
            handled.add(page.url)
            if article_id in known_before:
                status, detail = "known", None
            elif article_id in present:
                status, detail = "stored", None
                if page.source is not None:
                    new_by_source[page.source.id] += 1
            else:
                error = run_errors.get(page.url)
                status = "skipped" if error and is_skip(error) else "failed"
                detail = str(error) if error else "not stored"
            rows.append(self._row(now, page, status, article_id, detail))
        for page in pages:
            if page.url in handled:
                continue
            error = page_errors.get(page.url)
            if error is None:
                continue
            if getattr(error, "transient", False):
                status = "retry"
            else:
                status = "skipped" if is_skip(error) else "failed"
            rows.append(self._row(now, page, status, None, str(error)))
        self.store.record_fetched(rows)
        for source, result in fetched:
            updated, line = self._updated_source(source, result, now, new_by_source[source.id])
            self.store.update_source(updated)
            item_count = len(result.listing.items) if result.listing else 0
            source_report = SourceReport(
                updated, line, item_count, new_by_source[source.id], result.error
            )
            report.sources.append(source_report)
            self.on_event("source", source_report)

    def _row(
        self, now: datetime, page: _Page, status: str, article_id: str | None, detail: str | None
    ) -> dict[str, Any]:
        return {
            "url": page.url,
            "source_id": page.source.id if page.source else None,
            "first_seen": now,
            "last_try": now,
            "status": status,
            "raw_hash": None,
            "article_id": article_id,
            "detail": detail,
        }

    def _updated_source(
        self, source: Source, result: _Fetched, now: datetime, new: int
    ) -> tuple[Source, str]:
        every = timedelta(seconds=source.every_seconds)
        if result.error is not None:
            errors = source.error_count + 1
            wait = min(every * (2 ** min(errors - 1, 10)), MAX_BACKOFF)
            retry_after = getattr(result.error, "retry_after", 0.0)
            wait = max(wait, timedelta(seconds=retry_after))
            line = f"error: {result.error.code} {result.error.reason}"
            return replace(
                source,
                last_fetch_at=now,
                last_status=line,
                last_error=str(result.error),
                error_count=errors,
                next_poll_at=now + wait,
            ), line
        response = result.response
        assert response is not None
        if response.not_modified:
            line = "not modified"
            kind = source.kind
            etag, modified = source.etag, source.last_modified
        else:
            kind = result.listing.kind if result.listing else SourceKind.PAGE
            count = len(result.listing.items) if result.listing else 1
            line = f"{kind.value}: {count} items, {new} new"
            etag, modified = response.etag, response.last_modified
        return replace(
            source,
            kind=kind,
            etag=etag,
            last_modified=modified,
            last_fetch_at=now,
            last_status=line,
            last_error=None,
            error_count=0,
            last_new_at=now if new else source.last_new_at,
            next_poll_at=now + every,
            articles=source.articles + new,
        ), line
