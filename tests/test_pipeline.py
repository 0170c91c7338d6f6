"""Stages and the runner: batching, idempotent runs, language routing, failures, pickling."""

from __future__ import annotations

import pickle
import shutil
from types import SimpleNamespace

import pytest

from veille.errors import DataFileError
from veille.model import Analysis, EntityMention, EntityType
from veille.pipeline import AnalyzeStage, LanguageStage, LocalRunner, Stage, run
from veille.settings import load_settings
from veille.store import open_store

ENGLISH = (
    "Russia said on Wednesday that its air defences had shot down 31 Ukrainian drones over "
    "its territory and repelled an attempted landing in Crimea.\n"
)


class FakeNLP:
    """Stands in for spaCy: a 'doc' is the text; records what it was asked to parse."""

    def __init__(self) -> None:
        self.parsed: list[str] = []

    def pipe(self, texts, batch_size=16):
        for text in texts:
            self.parsed.append(text)
            yield SimpleNamespace(text=text)

    def __call__(self, text):
        return next(self.pipe([text]))


def fake_enrich(analysis, pack, kb):
    """One PER mention on the first word, so counts and storage are visible."""
    word = analysis.article.text.split()[0]
    analysis.entities = [EntityMention(0, len(word), word, EntityType.PER, word)]
    return analysis


@pytest.fixture
def fake_analysis(monkeypatch):
    """AnalyzeStage with a fake parser and enrichment: tests the runner, not the NLP."""
    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    nlp = FakeNLP()
    return nlp, [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": nlp})]


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "corpus"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.fixture
def settings(tmp_path):
    return load_settings(overrides={"db_path": tmp_path / "v.duckdb", "batch_size": 2}, env={})


def test_default_stages_follow_the_protocol(settings):
    from veille.pipeline import default_stages

    stages = default_stages(settings)
    assert [s.name for s in stages] == ["language", "analyze"]
    assert all(isinstance(s, Stage) for s in stages)


def test_second_run_stores_nothing_new(corpus, settings, fake_analysis):
    _, stages = fake_analysis
    first = run([corpus], settings, stages=stages)
    assert (first.read, first.stored, first.known, first.failed) == (5, 5, 0, 0)
    assert first.entities == 5 and first.ok
    second = run([corpus], settings, stages=stages)
    assert (second.read, second.stored, second.known) == (5, 0, 5)
    with open_store(settings.db_path, read_only=True) as store:
        assert len(store.article_ids()) == 5
        assert store.stats()["runs"] == 2


def test_changed_file_becomes_a_new_version(corpus, settings, fake_analysis):
    _, stages = fake_analysis
    run([corpus], settings, stages=stages)
    path = next(corpus.glob("001_*.txt"))
    path.write_text(path.read_text(encoding="utf-8") + "\nUne phrase ajoutée.\n", encoding="utf-8")
    again = run([corpus], settings, stages=stages)
    assert (again.stored, again.known) == (1, 4)
    with open_store(settings.db_path, read_only=True) as store:
        rows = (
            store.connection()
            .execute("SELECT version FROM articles WHERE source = ? ORDER BY version", [str(path)])
            .fetchall()
        )
        history = store.article_versions(source=str(path))
    assert [r[0] for r in rows] == [2]  # only the latest version is live
    assert [(h["version"], h["current"]) for h in history] == [(1, False), (2, True)]


def test_other_languages_are_stored_and_flagged_not_parsed(tmp_path, settings, fake_analysis):
    nlp, stages = fake_analysis
    (tmp_path / "en.txt").write_text(ENGLISH, encoding="utf-8")
    summary = run([tmp_path / "en.txt"], settings, stages=stages)
    assert (summary.stored, summary.not_analysed, summary.entities) == (1, 1, 0)
    assert nlp.parsed == []
    with open_store(settings.db_path, read_only=True) as store:
        (analysis,) = store.iter_analyses()
    assert analysis.article.language == "en"
    assert analysis.article.flags == ("language-unsupported",)


def test_a_failing_article_is_reported_and_not_stored(corpus, settings, fake_analysis, monkeypatch):
    _, stages = fake_analysis

    def enrich_or_fail(analysis, pack, kb):
        if "Samara" in analysis.article.text:
            raise ValueError("boom")
        return fake_enrich(analysis, pack, kb)

    monkeypatch.setattr("veille.enrich.enrich", enrich_or_fail)
    summary = run([corpus], settings, stages=stages)
    assert (summary.stored, summary.failed) == (4, 1)
    (error,) = summary.errors
    assert error.code == "V109" and error.path.endswith("000_1db0277e8b2fc71a.txt")
    assert "ValueError: boom" in error.reason
    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    retry = run([corpus], settings, stages=stages)  # fixed: the failed one is retried
    assert (retry.stored, retry.known) == (1, 4)


def test_a_broken_data_file_stops_the_run(corpus, settings, fake_analysis, monkeypatch):
    _, stages = fake_analysis

    def broken(analysis, pack, kb):
        raise DataFileError("bad lexicon", path="events.yaml")

    monkeypatch.setattr("veille.enrich.enrich", broken)
    with pytest.raises(DataFileError):
        run([corpus], settings, stages=stages)


@pytest.mark.parametrize("store_batches, writes", [(4, [5]), (2, [4, 1]), (1, [2, 2, 1])])
def test_store_transactions_hold_whole_batches(
    corpus, settings, fake_analysis, monkeypatch, store_batches, writes
):
    from veille import pipeline

    monkeypatch.setattr(pipeline, "STORE_BATCHES", store_batches)
    _, stages = fake_analysis
    store = open_store(settings.db_path)
    batches: list[int] = []
    original = store.save_batch

    def spy(analyses: list[Analysis]) -> int:
        batches.append(len(analyses))
        return original(analyses)

    store.save_batch = spy
    progress: list[tuple[int, int, int]] = []
    summary = LocalRunner(stages, store, settings).run(
        [corpus], lambda done, total, s: progress.append((done, total, s.stored))
    )
    store.close()
    # batches of 2, written once ``store_batches`` of them wait (and at the end)
    assert batches == writes and summary.stored == 5
    # reported after each file and after each write: the last report has them all stored
    assert sorted({(done, total) for done, total, _ in progress}) == [(i, 5) for i in range(1, 6)]
    assert progress[-1] == (5, 5, 5)


def test_links_and_search_are_updated_only_when_something_was_stored(
    corpus, settings, fake_analysis, monkeypatch
):
    _, stages = fake_analysis
    calls: list[str] = []
    monkeypatch.setattr("veille.link.update_links", lambda s, st: calls.append("link") or {"x": 1})
    monkeypatch.setattr("veille.search.index_articles", lambda s, st: calls.append("index") or 5)
    summary = run([corpus], settings, stages=stages)
    assert calls == ["link", "index"] and summary.links["x"] == 1 and summary.indexed == 5
    # the link step's own wall and CPU seconds, apart from indexing (benchmarks read them)
    assert summary.links["link_cpu_seconds"] >= 0
    assert 0 <= summary.links["link_wall_seconds"] <= summary.link_seconds
    run([corpus], settings, stages=stages)
    assert calls == ["link", "index"]


def test_failed_linking_is_reported_and_retried_by_the_next_run(
    corpus, settings, fake_analysis, monkeypatch
):
    _, stages = fake_analysis
    calls: list[str] = []

    def broken_links(store, st):
        calls.append("broken")
        raise RuntimeError("no links today")

    monkeypatch.setattr("veille.link.update_links", broken_links)
    monkeypatch.setattr("veille.search.index_articles", lambda s, st: 0)
    first = run([corpus], settings, stages=stages)
    assert first.stored == 5 and not first.ok
    assert first.errors[-1].code == "V401" and "no links today" in first.errors[-1].reason
    monkeypatch.setattr("veille.link.update_links", lambda s, st: calls.append("ok") or {})
    second = run([corpus], settings, stages=stages)  # nothing new, but links were stale
    assert second.stored == 0 and second.ok
    run([corpus], settings, stages=stages)  # caught up: nothing to do
    assert calls == ["broken", "ok"]
    with open_store(settings.db_path, read_only=True) as store:
        assert store.unfinished_runs() == 0 and store.stats()["runs"] == 2


def test_stages_pickle_without_loaded_models(fake_analysis):
    _, (language, analyze) = fake_analysis
    language.setup()
    for stage in (language, analyze):
        clone = pickle.loads(pickle.dumps(stage))
        assert (clone.name, clone.version) == (stage.name, stage.version)
    assert pickle.loads(pickle.dumps(analyze))._nlps == {}


@pytest.mark.slow
def test_real_pipeline_on_the_seeds(corpus, settings, nlp, kb):
    """The real French pipeline end to end: 5 stored, annotations round-trip, doc dropped."""
    stages = [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]
    summary = run([corpus], settings, stages=stages)
    assert (summary.stored, summary.failed, summary.skipped) == (5, 0, 0), summary.errors
    assert summary.entities > 20
    with open_store(settings.db_path, read_only=True) as store:
        analyses = list(store.iter_analyses())
    assert {a.article.language for a in analyses} == {"fr"}
    assert sum(len(a.entities) for a in analyses) == summary.entities
    for analysis in analyses:
        assert analysis.doc is None
        text = analysis.article.text
        for mention in analysis.entities:
            assert text[mention.start : mention.end] == mention.text


def test_the_analysis_reads_the_article_text_without_rebuilding_it(monkeypatch):
    import spacy

    from veille.model import Article, FuzzyDate
    from veille.spacy_utils import doc_text

    seen = []

    def enrich(analysis, pack, kb):
        seen.append(doc_text(analysis.doc) is analysis.article.text)
        return analysis

    monkeypatch.setattr("veille.enrich.enrich", enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    text = "Les sapeurs ont réparé le pont.\n\nPuis ils sont partis vers le nord."
    article = Article(
        id="a1", source="<t>", text=text, language="fr", published=FuzzyDate.unknown()
    )
    stage = AnalyzeStage(kb=object(), nlps={"fr": spacy.blank("fr")})
    stage.process([Analysis(article=article)])
    assert seen == [True]  # the parsed string itself: spaCy's tokens give it back unchanged
