"""Versions that supersede: an edited file replaces its earlier version everywhere."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from veille.pipeline import AnalyzeStage, LanguageStage, run
from veille.settings import load_settings
from veille.store import open_store
from veille.store.duckdb import queries

STRIKE = (
    "Frappe nocturne sur Odessa\n\n"
    "Dans la nuit de mardi, l'armée russe a frappé le port d'Odessa avec des missiles, "
    "ont annoncé les autorités ukrainiennes. Trois personnes ont été blessées.\n"
)
EDIT = "\nLe gouverneur a précisé plus tard que les secours étaient sur place.\n"


@pytest.fixture
def settings(tmp_path):
    return load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})


@pytest.fixture
def stages(nlp, kb):
    return [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]


def _counts(settings) -> dict:
    with open_store(settings.db_path, read_only=True) as store:
        stats = store.stats()
        api = queries.stats(store.connection())
    keys = ("articles", "entities", "events", "claims", "incidents")
    return {**{k: stats[k] for k in keys}, "api_events": api["events"]}


@pytest.mark.slow
def test_an_edited_file_supersedes_its_version_and_counts_do_not_change(tmp_path, settings, stages):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "odessa.txt"
    path.write_text(STRIKE, encoding="utf-8")
    run([folder], settings, stages=stages)
    before = _counts(settings)
    assert before["events"] >= 1 and before["articles"] == 1
    path.write_text(STRIKE + EDIT, encoding="utf-8")
    again = run([folder], settings, stages=stages)
    assert again.stored == 1
    after = _counts(settings)
    assert after["articles"] == 1
    assert after["events"] == before["events"] and after["api_events"] == before["api_events"]
    assert after["incidents"] == before["incidents"]
    with open_store(settings.db_path, read_only=True) as store:
        history = store.article_versions(source=str(path.resolve()))
        (live,) = store.article_ids()
        assert store.get_article(live).text.endswith("sur place.")
    assert [(h["version"], h["current"]) for h in history] == [(1, False), (2, True)]
    assert history[1]["article_id"] == live


def test_a_file_changed_back_makes_the_first_text_newest_again(tmp_path, settings, monkeypatch):
    """Issue 12 item 15: A -> B -> A leaves A live, not B."""
    monkeypatch.setattr("veille.enrich.enrich", lambda analysis, pack, kb: analysis)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)

    class NoParse:
        def pipe(self, texts, batch_size=16):
            return iter(list(texts))

    no_nlp = [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": NoParse()})]
    path = tmp_path / "a.txt"
    for text in (STRIKE, STRIKE + EDIT, STRIKE):
        path.write_text(text, encoding="utf-8")
        summary = run([path], settings, stages=no_nlp)
        assert summary.stored == 1, "each change (also back to A) is stored as a version"
    with open_store(settings.db_path, read_only=True) as store:
        (live,) = store.article_ids()
        history = store.article_versions(article_id=live)
        assert not store.get_article(live).text.endswith("sur place.")
    assert [(h["version"], h["current"]) for h in history] == [(1, False), (2, False), (3, True)]
    assert history[0]["article_id"] == history[2]["article_id"] == live


def test_versions_in_the_cli_and_the_api(tmp_path, settings, monkeypatch):
    from typer.testing import CliRunner

    from veille.api import create_app
    from veille.cli import app

    monkeypatch.setattr("veille.enrich.enrich", lambda analysis, pack, kb: analysis)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)

    class NoParse:
        def pipe(self, texts, batch_size=16):
            return iter(list(texts))

    no_nlp = [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": NoParse()})]
    path = tmp_path / "a.txt"
    for text in (STRIKE, STRIKE + EDIT):
        path.write_text(text, encoding="utf-8")
        run([path], settings, stages=no_nlp)
    result = CliRunner().invoke(
        app, ["articles", "--versions", "--json", "--db", str(settings.db_path)]
    )
    assert result.exit_code == 0, result.output
    import json

    page = json.loads(result.stdout)
    assert page["total"] == 2
    assert [(i["version"], i["current"]) for i in page["items"]] == [(1, False), (2, True)]
    assert Path(page["items"][0]["source"]).name == "a.txt"
    with open_store(settings.db_path, read_only=True) as store:
        (live,) = store.article_ids()
    client = TestClient(create_app(settings), base_url="http://127.0.0.1")
    body = client.get(f"/api/v1/articles/{live}/versions").json()
    assert body["total"] == 2 and body["items"][-1]["article_id"] == live
    old = body["items"][0]["article_id"]
    assert client.get(f"/api/v1/articles/{old}").status_code == 404
    assert client.get(f"/api/v1/articles/{old}/versions").json()["total"] == 2
    assert client.get(f"/api/v1/articles/{live[:8]}/versions").json()["total"] == 2
