"""The server's single writer: one thread that polls sources and ingests files it is sent.

DuckDB lets one process write a database file; ``veille serve --watch`` is that process.
Its request threads read through their own cursors while this thread writes through
another one (a duplicate connection on the same database), so reads keep answering
during a write and see each batch once it commits.

    writer = SingleWriter(store, settings, tick_s=30)
    writer.start()
    summary = writer.ingest(paths)      # from a request thread: queued, waited for
    writer.stop()
"""

from __future__ import annotations

import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veille.fetch.client import Fetcher
from veille.fetch.watch import PassReport, Watcher
from veille.pipeline import RunSummary, Stage, run_on_store
from veille.settings import Settings


@dataclass
class _Job:
    paths: list[Path]
    urls: list[str]
    done: Future = field(default_factory=Future)


class SingleWriter:
    """Polls due sources every ``tick_s`` (when ``poll``) and runs queued ingest jobs."""

    def __init__(
        self,
        store: Any,
        settings: Settings,
        *,
        tick_s: float = 30.0,
        poll: bool = True,
        folders: list[Path] | None = None,
        stages: list[Stage] | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.settings = settings
        self.store = store.writer_store()  # its own cursor on the same database
        self.tick_s = tick_s
        self.poll_sources = poll
        self.fetcher = fetcher or Fetcher(settings)
        self.watcher = Watcher(
            self.store, settings, fetcher=self.fetcher, stages=stages, folders=folders or []
        )
        self._jobs: queue.Queue[_Job | None] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="veille-writer", daemon=True)
        self.last_pass: PassReport | None = None
        self.last_error: str | None = None
        self.passes = 0

    # -- control ---------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop soon: a pass waiting for a host's turn or a retry is abandoned (its pages
        are fetched again next time); a batch being analysed is finished and stored."""
        self._stop.set()
        self.fetcher.cancel()
        self._jobs.put(None)  # wake the loop
        self._thread.join(timeout)
        self.fetcher.close()
        self.store.close()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def ingest(
        self, paths: list[Path], urls: list[str] | None = None, timeout: float = 3600.0
    ) -> RunSummary:
        """Queue files (and URLs) for the writer thread and wait for its summary."""
        job = _Job(list(paths), list(urls or []))
        self._jobs.put(job)
        return job.done.result(timeout)

    def status(self) -> dict[str, Any]:
        last = self.last_pass
        return {
            "running": self.alive,
            "polling": self.poll_sources,
            "tick_s": self.tick_s,
            "passes": self.passes,
            "last_pass_at": last.started_at.isoformat() if last else None,
            "last_pass_stored": last.stored if last else None,
            "last_error": self.last_error,
        }

    # -- the thread --------------------------------------------------------------

    def _loop(self) -> None:
        next_poll = time.monotonic()
        while not self._stop.is_set():
            wait = max(0.0, next_poll - time.monotonic()) if self.poll_sources else None
            try:
                job = self._jobs.get(timeout=wait)
            except queue.Empty:
                job = None
            if self._stop.is_set():
                break
            if job is not None:
                self._run_job(job)
                continue
            if self.poll_sources and time.monotonic() >= next_poll:
                self._poll()
                next_poll = time.monotonic() + self._until_due()
        while True:  # refuse what is still queued, so no request waits for ever
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is not None:
                job.done.set_exception(RuntimeError("the server is stopping"))

    def _run_job(self, job: _Job) -> None:
        try:
            documents = self.watcher.documents_for_urls(job.urls) if job.urls else []
            summary = run_on_store(
                self.store,
                self.watcher.settings,  # analysis in this process (see Watcher)
                job.paths,
                stages=self.watcher.stages,
                documents=documents,
            )
        except Exception as exc:  # reported to the request; the writer keeps going
            job.done.set_exception(exc)
            return
        job.done.set_result(summary)

    def _poll(self) -> None:
        try:
            self.last_pass = self.watcher.poll()
            self.last_error = None
        except Exception as exc:  # a broken pass must not end the writer
            self.last_error = f"{type(exc).__name__}: {exc}"
        self.passes += 1

    def _until_due(self) -> float:
        """Seconds until the next source is due, at most ``tick_s``."""
        now = datetime.now(UTC)
        waits = [
            (s.next_poll_at - now).total_seconds()
            for s in self.store.list_sources()
            if s.next_poll_at is not None
        ]
        return max(0.05, min([self.tick_s, *waits]))
