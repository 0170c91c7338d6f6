"""Stages and the local runner: inputs in, analyses stored.

A ``Stage`` is pure and picklable: ``setup()`` loads what it needs once per worker,
``process(batch) -> batch`` transforms analyses and touches no database. ``LocalRunner``
streams documents in batches through the stages and hands each batch to the store (the
only writer, one transaction per batch). A Ray runner can reuse the same stages.

    summary = run(["examples/corpus"], load_settings())
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import multiprocessing as mp
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from veille.clean import CleanRules, load_rules
from veille.errors import DataFileError, StoreError, VeilleError
from veille.ingest import (
    InputError,
    MetaTable,
    RawDocument,
    is_skip,
    list_inputs,
    load_run_meta,
    read_documents,
    to_article,
)
from veille.ingest.errors import AnalysisError
from veille.langid import FLAG_DEFAULTED, FLAG_UNSUPPORTED
from veille.model import Analysis
from veille.settings import Settings
from veille.spacy_utils import remember_text

if TYPE_CHECKING:
    from veille.store import Store

FLAG_ANALYSIS_FAILED = "analysis-failed"
# Batches per store transaction: each write has a fixed cost of a dozen statements,
# 0.5-0.8 ms CPU an article at 32 articles per write, 0.2-0.3 at 128 (the default batch
# of 32, four times); a run killed meanwhile loses at most that much analysis.
STORE_BATCHES = 4


@runtime_checkable
class Stage(Protocol):
    name: str
    version: str

    def setup(self) -> None:
        """Load models and data once per worker (idempotent)."""
        ...

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        """Return the batch with this stage's annotations; no I/O beyond loaded data."""
        ...

    # Optional: ``release()`` drops what ``setup()`` loaded (the runner calls it in its own
    # process once forked workers hold their copies; ``setup()`` may load again later).


def _add_flag(analysis: Analysis, flag: str) -> None:
    article = analysis.article
    if flag not in article.flags:
        analysis.article = dataclasses.replace(article, flags=(*article.flags, flag))


class LanguageStage:
    """Sets ``article.language`` with py3langid; flags languages without a pack."""

    name = "language"
    version = "1"

    def __init__(self, default_language: str = "fr", min_chars: int = 40) -> None:
        self.default_language = default_language
        self.min_chars = min_chars
        self._detector = None

    def setup(self) -> None:
        if self._detector is None:
            from veille.langid import LanguageDetector

            self._detector = LanguageDetector(self.default_language, self.min_chars)

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        from veille.lang import supported

        self.setup()
        packs = supported()
        for analysis in batch:
            article = analysis.article
            if article.language is None:  # a source may already say (JSONL, HTML lang)
                guess = self._detector.detect(article.text)
                analysis.article = dataclasses.replace(article, language=guess.code)
                if guess.defaulted:
                    _add_flag(analysis, FLAG_DEFAULTED)
            if analysis.article.language not in packs:
                _add_flag(analysis, FLAG_UNSUPPORTED)
        return batch

    def release(self) -> None:
        self._detector = None

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_detector": None}  # reloaded by setup() in the worker


class AnalyzeStage:
    """spaCy parse, enrichment and extraction for articles whose language has a pack.

    Articles in other languages pass through untouched (flagged by ``LanguageStage``). An
    article whose analysis raises is flagged ``analysis-failed: <reason>`` so the runner
    reports it and does not store it (a later run retries).
    """

    name = "analyze"
    version = "1"

    def __init__(
        self,
        kb_path: str | None = None,
        nlp_batch_size: int = 16,
        *,
        kb: Any = None,
        nlps: dict[str, Any] | None = None,
        max_chars: int | None = None,
        languages: tuple[str, ...] = (),
    ) -> None:
        """``kb`` and ``nlps`` (language -> built pipeline) may be given already loaded.

        Articles longer than ``max_chars`` are parsed in pieces (``enrich.long_text``).
        ``setup()`` builds the pipelines of ``languages`` (those with a pack) at once; other
        languages are built when an article needs them.
        """
        from veille.enrich.long_text import PIECE_CHARS

        self.kb_path = kb_path
        self.nlp_batch_size = nlp_batch_size
        self.max_chars = max_chars or PIECE_CHARS
        self.languages = languages
        self._kb = kb
        self._nlps: dict[str, Any] = dict(nlps or {})
        self._given = (kb, dict(self._nlps))  # kept by release(): not ours to drop

    def setup(self) -> None:
        from veille.lang import supported

        if self._kb is None:
            from veille.kb import KnowledgeBase

            self._kb = KnowledgeBase.load(self.kb_path) if self.kb_path else KnowledgeBase.load()
        for code in self.languages:
            if code in supported():
                self._nlp(code)

    def _nlp(self, code: str):
        if code not in self._nlps:
            from veille.enrich import build_nlp
            from veille.lang import get_pack

            self._nlps[code] = build_nlp(get_pack(code), self._kb)
        return self._nlps[code]

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        from veille.lang import get_pack, supported

        self.setup()
        by_language: dict[str, list[Analysis]] = {}
        for analysis in batch:
            if analysis.article.language in supported():
                by_language.setdefault(analysis.article.language, []).append(analysis)
        for code, group in by_language.items():
            pack = get_pack(code)
            nlp = self._nlp(code)
            regular = [a for a in group if len(a.article.text) <= self.max_chars]
            try:
                docs = list(
                    nlp.pipe([a.article.text for a in regular], batch_size=self.nlp_batch_size)
                )
            except Exception:  # isolate the article that breaks the batch
                docs = [self._parse_one(nlp, a) for a in regular]
            parsed = {id(a): doc for a, doc in zip(regular, docs, strict=True)}
            for analysis, doc in zip(regular, docs, strict=True):
                if doc is not None:  # parsed from exactly this text (not in pieces)
                    remember_text(doc, analysis.article.text)
            for analysis in group:
                if id(analysis) not in parsed:  # long: parsed in pieces, one at a time
                    parsed[id(analysis)] = self._parse_one(nlp, analysis)
            for analysis in group:
                doc = parsed[id(analysis)]
                if doc is not None:
                    self._analyze_one(analysis, doc, pack)
        return batch

    def _parse_one(self, nlp, analysis: Analysis):
        text = analysis.article.text
        try:
            if len(text) > self.max_chars:
                from veille.enrich.long_text import parse_long

                return parse_long(nlp, text, self.max_chars)
            return nlp(text)
        except Exception as exc:
            _add_flag(analysis, f"{FLAG_ANALYSIS_FAILED}: spaCy: {type(exc).__name__}: {exc}")
            return None

    def _analyze_one(self, analysis: Analysis, doc, pack) -> None:
        from veille.enrich import enrich
        from veille.extract import extract

        analysis.doc = doc
        try:
            enrich(analysis, pack, self._kb)
            extract(analysis, pack, self._kb)
        except DataFileError:
            raise  # a broken lexicon or KB file breaks every article: stop the run
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            reason = f"{type(exc).__name__}: {exc} ({Path(where.filename).name}:{where.lineno})"
            analysis.entities, analysis.quantities, analysis.times = [], [], []
            analysis.events, analysis.aid, analysis.claims = [], [], []
            _add_flag(analysis, f"{FLAG_ANALYSIS_FAILED}: {reason}")
        finally:
            analysis.doc = None  # never leaves the worker

    def release(self) -> None:
        self._kb, given_nlps = self._given
        self._nlps = dict(given_nlps)

    def __getstate__(self) -> dict[str, Any]:
        return {**self.__dict__, "_kb": None, "_nlps": {}, "_given": (None, {})}


def default_stages(settings: Settings) -> list[Stage]:
    return [
        LanguageStage(settings.default_language, settings.language_min_chars),
        AnalyzeStage(
            str(settings.kb_path) if settings.kb_path else None,
            settings.nlp_batch_size,
            languages=(settings.default_language,),
        ),
    ]


# ---------------------------------------------------------------------------
# Running


@dataclass
class RunSummary:
    """What a run did; the CLI prints it, tests and the API read it."""

    db_path: str
    read: int = 0  # documents read and decoded
    stored: int = 0  # new articles stored
    known: int = 0  # already in the store (or seen twice in this run)
    skipped: int = 0  # inputs deliberately not taken (empty, binary, too large, no text)
    failed: int = 0  # inputs that could not be read, decoded or analysed
    not_analysed: int = 0  # stored but flagged: language without a pack
    entities: int = 0
    quantities: int = 0
    events: int = 0
    aid: int = 0
    claims: int = 0
    seconds: float = 0.0
    # where the driver's time went (the rest: reading, cleaning, waiting for analysis)
    store_seconds: float = 0.0
    link_seconds: float = 0.0  # linking and search indexing after the articles are stored
    errors: list[VeilleError] = field(default_factory=list)
    # inputs stored after a repair (a stray invalid byte): printed, but the run exits 0
    warnings: list[VeilleError] = field(default_factory=list)
    links: dict[str, Any] = field(default_factory=dict)
    indexed: int = 0
    dataset: str | None = None  # the Parquet dataset the Ray engine wrote and imported
    meta_files: list[str] = field(default_factory=list)  # metadata tables applied
    db_created: bool = True  # False when a run that stored nothing left no database

    @property
    def articles_per_s(self) -> float:
        return self.read / self.seconds if self.seconds > 0 else 0.0

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "stored": self.stored,
            "known": self.known,
            "skipped": self.skipped,
            "failed": self.failed,
        }

    @property
    def ok(self) -> bool:
        return not self.errors

    def skip_reasons(self) -> dict[str, int]:
        """``{"V102 empty file (no text)": 2, ...}`` for skipped and failed inputs."""
        return dict(Counter(f"{e.code} {e.reason}" for e in self.errors))

    def to_dict(self) -> dict[str, Any]:
        skip = ("errors", "warnings", "links")
        data = {k: v for k, v in dataclasses.asdict(self).items() if k not in skip}
        data["articles_per_s"] = round(self.articles_per_s, 2)
        for name in ("seconds", "store_seconds", "link_seconds"):
            data[name] = round(data[name], 3)
        data["errors"] = [{"code": e.code, "path": e.path, "reason": e.reason} for e in self.errors]
        data["warnings"] = [
            {"code": e.code, "path": e.path, "reason": e.reason} for e in self.warnings
        ]
        data["links"] = self.links
        return data


ProgressFn = Callable[[int, int, "RunSummary"], None]  # (files done, files total, summary)


def apply_stages(stages: list[Stage], batch: list[Analysis]) -> list[Analysis]:
    """Run ``batch`` through ``stages`` in order (set up beforehand)."""
    for stage in stages:
        batch = stage.process(batch)
    return batch


_worker_stages: list[Stage] = []  # one worker process's stages, set up once by _worker_init


def _exit_with_parent() -> None:
    """Linux: a worker gets SIGTERM when its driver dies (even by SIGKILL), never orphaned."""
    import contextlib
    import ctypes
    import signal
    import sys

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):  # best effort: exotic libc
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _trim_heap() -> None:
    """glibc: hand freed heap memory back to the system (best effort, elsewhere a no-op)."""
    import contextlib
    import ctypes
    import sys

    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


@contextlib.contextmanager
def _collection_paused():
    """No garbage collection while models load: a load makes hundreds of thousands of
    objects that all stay, and each full collection meanwhile walks every one of them
    (about 0.4 s CPU of the model and KB load, measured)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _setup_stages(stages: list[Stage]) -> None:
    with _collection_paused():
        for stage in stages:
            stage.setup()


def _worker_init(stages: list[Stage]) -> None:
    global _worker_stages
    _exit_with_parent()
    _worker_stages = stages
    _setup_stages(stages)


def _worker_process(batch: list[Analysis]) -> list[Analysis]:
    return apply_stages(_worker_stages, batch)


class LocalRunner:
    """Streams inputs through the stages in batches; the store is the single writer.

    With ``settings.worker_count`` above 1 the stages run in that many worker processes
    while this process reads, cleans and stores; results are stored in submission order,
    so a run stores the same rows whatever the number of workers. Where processes fork,
    this process sets the stages up (loads the models) once and the workers inherit them,
    as spaCy's own ``n_process`` does: one load per run, not one per worker; elsewhere each
    worker sets them up once. A run of a single batch stays in this process (starting
    workers would cost more than it saves).
    """

    def __init__(
        self, stages: list[Stage], store: Store, settings: Settings, *, meta: Path | None = None
    ) -> None:
        self.stages = stages
        self.store = store
        self.settings = settings
        self.meta_path = meta
        self.workers = settings.worker_count
        self._rules: CleanRules | None = None
        self._meta = MetaTable()
        self._ready = False
        # article id -> the input it came from (``file:line`` for JSONL), for error lines
        self._origin: dict[str, str] = {}
        self._pending_warnings: dict[str, tuple[VeilleError, ...]] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._held: list[Analysis] | None = None  # first batch, until we know a second comes
        self._pending: deque[tuple[list[Analysis], Future]] = deque()
        self._unsaved: list[Analysis] = []  # analysed, waiting for the next store write
        self._report: Callable[[], None] = lambda: None  # progress, set by run()

    def run(
        self,
        paths: Iterable[str | Path],
        progress: ProgressFn | None = None,
        *,
        documents: Iterable[RawDocument | InputError] = (),
    ) -> RunSummary:
        """Files named by ``paths``, then ``documents`` already read (fetched pages)."""
        started = time.perf_counter()
        summary = RunSummary(db_path=str(self.settings.db_path))
        self._rules = load_rules()
        paths = list(paths)
        self._meta = load_run_meta(paths, self.meta_path)
        summary.meta_files = list(self._meta.sources)
        for error in self._meta.errors:
            self._record_error(summary, error)
        inputs = list_inputs(paths, self.settings)
        files = [item for item in inputs if not isinstance(item, InputError)]
        for error in inputs:
            if isinstance(error, InputError):
                self._record_error(summary, error)
        seen: set[str] = set()
        batch: list[Analysis] = []
        # items read but not admitted yet: which are stored already is asked of the store
        # once per chunk, not once per document (a query costs as much as cleaning one)
        chunk: list[RawDocument | InputError] = []

        def admit_chunk() -> None:
            nonlocal batch
            if not chunk:
                return
            known = self.store.known_ids(
                item.article_id for item in chunk if not isinstance(item, InputError)
            )
            for item in chunk:
                analysis = self._admit(item, summary, seen, known)
                if analysis is not None:
                    batch.append(analysis)
                if len(batch) >= self.settings.batch_size:
                    self._submit(batch, summary)
                    batch = []
            chunk.clear()

        def take(item: RawDocument | InputError) -> None:
            if isinstance(item, InputError):
                chunk.append(item)
            else:
                summary.read += 1
                chunk.append(self._meta.apply(item))
            if len(chunk) >= self.settings.batch_size:
                admit_chunk()

        files_done = 0

        def report() -> None:
            if progress:
                summary.seconds = time.perf_counter() - started
                progress(files_done, len(files), summary)

        # also after each store write: a large JSONL file is one file, and the last
        # writes come after the last file is read
        self._report = report
        try:
            for files_done, path in enumerate(files, start=1):  # noqa: B007 - report() reads it
                for item in read_documents(path, self.settings.max_file_bytes):
                    take(item)
                report()  # (its known and stored counts lag by a few batches at most)
            for item in documents:
                take(item)
            admit_chunk()
            if batch:
                self._submit(batch, summary)
            self._drain(summary)
            self._flush(summary)
        except BaseException:
            # what was analysed is stored even when the run stops early (a later run
            # would analyse it again); the original error is the one reported
            with contextlib.suppress(Exception):
                self._flush(summary)
            raise
        finally:
            self._close_pool()
        summary.seconds = time.perf_counter() - started
        return summary

    # -- analysis: in this process or in worker processes ---------------------------------

    def _submit(self, batch: list[Analysis], summary: RunSummary) -> None:
        if self.workers <= 1:
            self._store(self._analyse_here(batch), summary)
            return
        if self._pool is None and self._held is None and not self._pending:
            self._held = batch  # a one-batch run never starts workers
            return
        if self._held is not None:
            held, self._held = self._held, None
            self._to_pool(held, summary)
        self._to_pool(batch, summary)
        while len(self._pending) > 2 * self.workers:  # bounded: results wait for the writer
            self._collect(summary)

    def _to_pool(self, batch: list[Analysis], summary: RunSummary) -> None:
        frozen = False
        if self._pool is None:
            # fork where available: workers inherit the stages without pickling them, set
            # up here first so that the models are loaded once, not once per worker
            method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
            if method == "fork":
                self._setup_here()
                # the loaded models stay out of the workers' garbage collections, which
                # would otherwise copy every page they touch (python.org/3/library/gc)
                gc.freeze()
                frozen = True
            self._pool = ProcessPoolExecutor(
                self.workers,
                mp_context=mp.get_context(method),
                initializer=_worker_init,
                initargs=(self.stages,),
            )
        try:
            future = self._pool.submit(_worker_process, batch)  # the first one forks
        except BrokenProcessPool:  # a worker died since: settle what was sent, start afresh
            while self._pending:
                self._collect(summary)
            self._close_pool()  # (if nothing was pending)
            self._to_pool(batch, summary)
            return
        finally:
            if frozen:  # forked: this process's own collections as before
                gc.unfreeze()
        if frozen:
            self._release_here()
        self._pending.append((batch, future))

    def _drain(self, summary: RunSummary) -> None:
        if self._held is not None:
            held, self._held = self._held, None
            self._store(self._analyse_here(held), summary)
        while self._pending:
            self._collect(summary)

    def _collect(self, summary: RunSummary) -> None:
        batch, future = self._pending.popleft()
        try:
            result = future.result()
        except BrokenProcessPool as exc:  # a worker died (killed, out of memory): retry later
            self._fail(batch, f"analysis failed: worker process died ({exc})", summary)
            # every batch still pending belongs to the broken pool: keep what it finished
            while self._pending:
                batch, future = self._pending.popleft()
                try:
                    self._store(future.result(), summary)
                except BrokenProcessPool:
                    self._fail(batch, f"analysis failed: worker process died ({exc})", summary)
            self._close_pool()
            return
        self._store(result, summary)

    def _fail(self, batch: list[Analysis], reason: str, summary: RunSummary) -> None:
        for analysis in batch:
            where = self._origin.pop(analysis.article.id, analysis.article.source)
            self._pending_warnings.pop(analysis.article.id, None)
            self._record_error(summary, AnalysisError(reason, path=where))

    def _close_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _setup_here(self) -> None:
        if not self._ready:  # lazily: a run with nothing new loads no model
            _setup_stages(self.stages)
            self._ready = True

    def _release_here(self) -> None:
        """The forked workers hold the models now: this process lets its copies go (about
        400 MB of the driver's memory for the French model and the KB)."""
        for stage in self.stages:
            release = getattr(stage, "release", None)
            if release is not None:
                release()
        self._ready = False  # a pool started afresh (a worker died) sets them up again
        gc.collect()
        _trim_heap()

    def _analyse_here(self, batch: list[Analysis]) -> list[Analysis]:
        self._setup_here()
        return apply_stages(self.stages, batch)

    def _record_error(self, summary: RunSummary, error: VeilleError) -> None:
        summary.errors.append(error)
        if isinstance(error, InputError) and is_skip(error):
            summary.skipped += 1
        else:
            summary.failed += 1

    def _admit(
        self,
        item: RawDocument | InputError,
        summary: RunSummary,
        seen: set[str],
        known: set[str],
    ) -> Analysis | None:
        """A new Analysis for a document (its metadata applied) not stored yet: its id
        neither in ``seen`` this run nor in ``known``, the stored ones. None otherwise
        (counted)."""
        if isinstance(item, InputError):
            self._record_error(summary, item)
            return None
        article_id = item.article_id
        if article_id in seen or article_id in known:
            summary.known += 1
            return None
        seen.add(article_id)
        try:
            article = to_article(item, self._rules)
        except VeilleError as error:
            self._record_error(summary, error)
            return None
        self._origin[article.id] = item.path or article.source
        if item.warnings:
            self._pending_warnings[article.id] = item.warnings
        return Analysis(article=article)

    def _store(self, batch: list[Analysis], summary: RunSummary) -> None:
        """Count the failures of an analysed batch and queue the rest for the store."""
        for analysis in batch:
            failure = next(
                (f for f in analysis.article.flags if f.startswith(FLAG_ANALYSIS_FAILED)), None
            )
            if failure is not None:
                reason = failure.split(": ", 1)[-1]
                where = self._origin.pop(analysis.article.id, analysis.article.source)
                self._pending_warnings.pop(analysis.article.id, None)
                self._record_error(summary, AnalysisError(f"analysis failed: {reason}", path=where))
                continue
            self._unsaved.append(analysis)
        if len(self._unsaved) >= STORE_BATCHES * self.settings.batch_size:
            self._flush(summary)

    def _flush(self, summary: RunSummary) -> None:
        """Write the queued analyses in one transaction."""
        keep, self._unsaved = self._unsaved, []
        if not keep:
            return
        t0 = time.perf_counter()
        summary.stored += self.store.save_batch(keep)
        summary.store_seconds += time.perf_counter() - t0
        for analysis in keep:
            self._origin.pop(analysis.article.id, None)
            summary.warnings.extend(self._pending_warnings.pop(analysis.article.id, ()))
        for analysis in keep:
            if FLAG_UNSUPPORTED in analysis.article.flags:
                summary.not_analysed += 1
            summary.entities += len(analysis.entities)
            summary.quantities += len(analysis.quantities)
            summary.events += len(analysis.events)
            summary.aid += len(analysis.aid)
            summary.claims += len(analysis.claims)
        self._report()


def run(
    paths: Iterable[str | Path],
    settings: Settings,
    progress: ProgressFn | None = None,
    *,
    stages: list[Stage] | None = None,
    meta: Path | None = None,
    documents: Iterable[RawDocument | InputError] = (),
) -> RunSummary:
    """Ingest, analyse and store ``paths`` (and ``documents``); then update links and search.

    ``meta`` is a CSV/TSV metadata table (``veille.ingest.meta``); manifests beside the
    inputs are used as well.

    Per-input problems are collected in ``summary.errors`` (the run continues); a store
    that cannot be opened raises ``StoreError``.
    """
    from veille.store import open_store

    db_path = Path(settings.db_path)
    created = str(db_path) != ":memory:" and not db_path.exists()
    store = open_store(settings.db_path, memory_limit=settings.duckdb_memory_limit)
    summary: RunSummary | None = None
    try:
        summary = run_on_store(
            store, settings, paths, progress, stages=stages, meta=meta, documents=documents
        )
    finally:
        store.close()
        if created and summary is not None and summary.stored == 0:
            # a run that stored nothing leaves no empty database behind to be mistaken for
            # a real one (`veille articles` then says there is no database yet)
            for leftover in (db_path, db_path.with_name(db_path.name + ".wal")):
                leftover.unlink(missing_ok=True)
            summary.db_created = False
    return summary


def run_on_store(
    store: Store,
    settings: Settings,
    paths: Iterable[str | Path] = (),
    progress: ProgressFn | None = None,
    *,
    stages: list[Stage] | None = None,
    meta: Path | None = None,
    documents: Iterable[RawDocument | InputError] = (),
) -> RunSummary:
    """``run`` on a store already open for writing (a server's writer, a watch loop)."""
    # a run killed after storing but before linking leaves links stale: catch up now
    stale_links = store.unfinished_runs() > 0
    if stale_links:  # and it may have left entity counts deferred (below): recount them
        store.rebuild_entity_stats()
    run_id = store.start_run(datetime.now(UTC))
    runner_class = LocalRunner
    if settings.engine == "ray":
        from veille.ray_runner import RayRunner as runner_class
    runner = runner_class(
        stages if stages is not None else default_stages(settings), store, settings, meta=meta
    )
    # entity counts once per run, not once per batch (each recount scans every mention)
    with store.deferred_entity_stats():
        summary = runner.run(paths, progress, documents=documents)
    _link_and_finish(store, settings, summary, run_id, stale_links)
    return summary


def _link_and_finish(
    store: Store, settings: Settings, summary: RunSummary, run_id: str, stale_links: bool
) -> None:
    """Update links and the search index when something was stored; close the run."""
    t0 = time.perf_counter()
    if summary.stored or stale_links:  # links and index only change with new articles
        from veille.link import update_links
        from veille.search import index_articles

        try:
            cpu = time.process_time()
            summary.links = update_links(store, settings) or {}
            # the link step's own cost (this process: DuckDB's threads included), as
            # benchmarks compare it between stores; indexing is the rest of link_seconds
            summary.links["link_wall_seconds"] = round(time.perf_counter() - t0, 3)
            summary.links["link_cpu_seconds"] = round(time.process_time() - cpu, 3)
            summary.indexed = index_articles(store, settings) or 0
        except Exception as exc:  # stored articles are committed; report, do not lose them
            summary.errors.append(
                StoreError(
                    f"linking or indexing failed: {type(exc).__name__}: {exc}",
                    path=str(settings.db_path),
                )
            )
    summary.link_seconds = time.perf_counter() - t0
    summary.seconds += summary.link_seconds
    # when linking failed the run stays unfinished, so the next run retries the linking
    if not any(isinstance(e, StoreError) for e in summary.errors):
        store.finish_run(run_id, summary.counts())


def load(dataset: str | Path, settings: Settings) -> RunSummary:
    """Bulk-import a Parquet dataset (``veille run --engine ray`` output), then link and
    index: what ``run`` does after analysis. Raises ``StoreError`` for a bad dataset."""
    from veille.store import open_store

    started = time.perf_counter()
    summary = RunSummary(db_path=str(settings.db_path), dataset=str(dataset))
    store = open_store(settings.db_path, memory_limit=settings.duckdb_memory_limit)
    try:
        stale_links = store.unfinished_runs() > 0
        run_id = store.start_run(datetime.now(UTC))
        t0 = time.perf_counter()
        counts = store.import_dataset(dataset)
        summary.store_seconds = time.perf_counter() - t0
        summary.read = summary.stored = counts["articles"]
        summary.entities = counts["entity_mentions"]
        summary.quantities = counts["quantities"]
        summary.events = counts["events"]
        summary.aid = counts["aid_commitments"]
        summary.claims = counts["claims"]
        summary.seconds = time.perf_counter() - started
        _link_and_finish(store, settings, summary, run_id, stale_links)
    finally:
        store.close()
    return summary
