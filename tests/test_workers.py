"""`veille run --workers N`: stages in worker processes, one setup per worker, one writer."""

from __future__ import annotations

import dataclasses
import os
import shutil
from pathlib import Path

import pytest

from veille.model import Analysis
from veille.pipeline import AnalyzeStage, LanguageStage, run
from veille.settings import load_settings
from veille.store import open_store


class PidStage:
    """Writes the process id that analysed each article into its title; logs each setup."""

    name = "pid"
    version = "1"

    def __init__(self, log: Path, die_on: str | None = None) -> None:
        self.log = log
        self.die_on = die_on

    def setup(self) -> None:
        with self.log.open("a") as handle:
            handle.write(f"{os.getpid()}\n")

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        for analysis in batch:
            if self.die_on and self.die_on in analysis.article.text:
                os._exit(3)  # a worker killed mid-batch (out of memory, segfault)
            analysis.article = dataclasses.replace(analysis.article, title=str(os.getpid()))
        return batch


def write_corpus(folder: Path, count: int) -> Path:
    folder.mkdir()
    for i in range(count):
        (folder / f"a{i:02d}.txt").write_text(
            f"Dépêche numéro {i}. Les sapeurs ont réparé le pont de la rivière {i}.\n",
            encoding="utf-8",
        )
    return folder


def settings_for(tmp_path: Path, name: str, workers: int, batch_size: int = 2):
    return load_settings(
        overrides={"db_path": tmp_path / name, "batch_size": batch_size, "workers": workers},
        env={},
    )


def titles(db: Path) -> list[str]:
    with open_store(db, read_only=True) as store:
        return [r[0] for r in store.connection().execute("SELECT title FROM articles").fetchall()]


def test_stages_run_in_n_workers_each_set_up_once(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 12)
    log = tmp_path / "setups.log"
    settings = settings_for(tmp_path, "w.duckdb", workers=2)
    summary = run([corpus], settings, stages=[PidStage(log)])
    assert (summary.stored, summary.failed) == (12, 0)
    setups = log.read_text().split()
    # the driver sets up before forking, then each worker once (idempotent: a no-op for
    # what it inherited)
    assert setups[0] == str(os.getpid())
    workers = setups[1:]
    assert len(workers) == len(set(workers)) == 2 and str(os.getpid()) not in workers
    # analysed only in the workers (under load one worker may take every batch)
    assert set(titles(settings.db_path)) <= set(workers)


class LoadOnceStage:
    """A stage whose "model" records the process that loaded it; each article's title
    says which process analysed it with a model loaded by which process."""

    name = "load-once"
    version = "1"

    def __init__(self) -> None:
        self.loaded_by: int | None = None

    def setup(self) -> None:
        if self.loaded_by is None:
            self.loaded_by = os.getpid()

    def release(self) -> None:
        self.loaded_by = None

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        for analysis in batch:
            title = f"{os.getpid()}:{self.loaded_by}"
            analysis.article = dataclasses.replace(analysis.article, title=title)
        return batch


@pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(), reason="no fork"
)
def test_forked_workers_use_the_models_the_driver_loaded_once(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 12)
    settings = settings_for(tmp_path, "w.duckdb", workers=2)
    stage = LoadOnceStage()
    assert run([corpus], settings, stages=[stage]).stored == 12
    pairs = [t.split(":") for t in titles(settings.db_path)]
    driver = str(os.getpid())
    assert all(analysed != driver for analysed, _ in pairs)  # analysed in the workers
    assert {loaded for _, loaded in pairs} == {driver}  # with what the driver loaded
    assert stage.loaded_by is None  # which the driver let go once the workers had it


def test_analyze_stage_releases_only_what_it_loaded():
    kb, nlp, loaded = object(), object(), object()
    stage = AnalyzeStage(kb=kb, nlps={"fr": nlp})
    stage._nlps["xx"] = loaded  # as if built by setup() for another language
    stage.release()
    assert stage._kb is kb and stage._nlps == {"fr": nlp}
    stage = AnalyzeStage()
    stage._kb, stage._nlps = kb, {"fr": loaded}
    stage.release()
    assert stage._kb is None and stage._nlps == {}


def test_stored_ids_are_looked_up_once_per_chunk_not_per_document(tmp_path, monkeypatch):
    from veille.store.duckdb.store import DuckDBStore

    corpus = write_corpus(tmp_path / "corpus", 12)
    jsonl = tmp_path / "more.jsonl"
    jsonl.write_text(
        "".join(
            f'{{"text": "Brève numéro {i} : le convoi humanitaire est arrivé au port ce matin."}}\n'
            for i in range(20)
        ),
        encoding="utf-8",
    )
    settings = settings_for(tmp_path, "w.duckdb", workers=1, batch_size=8)
    assert run([corpus, jsonl], settings, stages=[LoadOnceStage()]).stored == 32
    calls = {"has_article": 0, "known_ids": 0}
    for name in calls:
        original = getattr(DuckDBStore, name)

        def counted(self, *args, _name=name, _original=original):
            calls[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(DuckDBStore, name, counted)
    again = run([corpus, jsonl], settings, stages=[LoadOnceStage()])
    assert (again.read, again.known, again.stored) == (32, 32, 0)
    # 32 documents in chunks of 8, plus the lookups save_batch does on what it stores
    assert calls["has_article"] == 0 and calls["known_ids"] <= 4


def test_store_writes_take_many_batches_at_once(tmp_path, monkeypatch):
    from veille import pipeline
    from veille.store.duckdb.store import DuckDBStore

    writes: list[int] = []
    original = DuckDBStore.save_batch

    def counted(self, analyses):
        writes.append(len(analyses))
        return original(self, analyses)

    monkeypatch.setattr(DuckDBStore, "save_batch", counted)
    monkeypatch.setattr(pipeline, "STORE_BATCHES", 3)
    corpus = write_corpus(tmp_path / "corpus", 25)
    for workers in (1, 2):
        writes.clear()
        settings = settings_for(tmp_path, f"w{workers}.duckdb", workers=workers, batch_size=4)
        summary = run([corpus], settings, stages=[LoadOnceStage()])
        assert (summary.stored, summary.failed) == (25, 0)
        # batches of 4 written three at a time, the rest at the end
        assert writes == [12, 12, 1], workers


class BreakingStage(LoadOnceStage):
    """Raises on one article, as a broken data file does (the run stops)."""

    def process(self, batch: list[Analysis]) -> list[Analysis]:
        if any("numéro 9." in a.article.text for a in batch):
            raise RuntimeError("broken lexicon")
        return super().process(batch)


def test_a_run_stopped_by_an_error_stores_what_was_analysed(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 12)
    settings = settings_for(tmp_path, "w.duckdb", workers=1, batch_size=4)
    with pytest.raises(RuntimeError, match="broken lexicon"):
        run([corpus], settings, stages=[BreakingStage()])
    # a00..a07 were analysed before a08-a11 broke the run: stored, not analysed again
    assert len(titles(settings.db_path)) == 8


def test_one_batch_is_analysed_in_the_driver(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 2)
    log = tmp_path / "setups.log"
    summary = run([corpus], settings_for(tmp_path, "w.duckdb", workers=2), stages=[PidStage(log)])
    assert summary.stored == 2
    assert log.read_text().split() == [str(os.getpid())]


def test_a_dead_worker_fails_its_batch_and_the_run_goes_on(tmp_path):
    corpus = write_corpus(tmp_path / "corpus", 8)
    settings = settings_for(tmp_path, "w.duckdb", workers=2, batch_size=1)
    stages = [PidStage(tmp_path / "setups.log", die_on="numéro 3.")]
    summary = run([corpus], settings, stages=stages)
    assert summary.failed >= 1 and summary.stored + summary.failed == 8
    assert any("worker process died" in e.reason for e in summary.errors)
    assert all(e.path and "corpus" in e.path for e in summary.errors)
    retry = run([corpus], settings, stages=[PidStage(tmp_path / "setups.log")])
    assert retry.stored == summary.failed and retry.known == summary.stored


@pytest.mark.slow
def test_workers_store_the_same_rows_as_one_process(tmp_path, seeds_dir, nlp, kb):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    tables = ("articles", "entity_mentions", "events", "aid_commitments", "claims", "quantities")
    dumps = []
    for workers in (1, 2):
        settings = settings_for(tmp_path, f"w{workers}.duckdb", workers=workers)
        stages = [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]
        summary = run([corpus], settings, stages=stages)
        assert (summary.stored, summary.failed) == (5, 0), summary.errors
        with open_store(settings.db_path, read_only=True) as store:
            conn = store.connection()
            dumps.append(
                {
                    t: conn.execute(
                        f"SELECT * EXCLUDE (stored_at, ingested_at) FROM {t} ORDER BY ALL"
                        if t == "articles"
                        else f"SELECT * FROM {t} ORDER BY ALL"
                    ).fetchall()
                    for t in tables
                }
            )
    assert dumps[0] == dumps[1]
    assert len(dumps[0]["events"]) > 0


class GcStage(PidStage):
    """Logs whether garbage collection ran during its setup."""

    def setup(self) -> None:
        import gc

        with self.log.open("a") as handle:
            handle.write(f"{gc.isenabled()}\n")


@pytest.mark.parametrize("workers", [1, 2])
def test_models_load_without_garbage_collection(tmp_path, workers):
    """A load makes objects that all stay: the driver (and a worker set up on its own) loads
    with collection paused, and turns it back on after."""
    import gc

    corpus = write_corpus(tmp_path / "corpus", 6)
    log = tmp_path / "gc.log"
    assert gc.isenabled()
    run([corpus], settings_for(tmp_path, "w.duckdb", workers), stages=[GcStage(log)])
    assert gc.isenabled()
    assert set(log.read_text().split()) == {"False"}
