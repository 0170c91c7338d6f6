"""Drill-down: incident, story, duplicate-group and entity pages with their JSON twins."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from typer.testing import CliRunner

from test_api import load_synth_store
from veille.model import Article, DuplicateGroup, FuzzyDate, Precision, Story, stable_id


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from veille.model import Analysis
    from veille.store import open_store

    synth = load_synth_store()
    analyses = synth.demo_analyses()
    english = Article(
        id=stable_id("english"),
        source="/tmp/en.txt",
        text="Russia said its air defences shot down 31 drones over Crimea overnight.",
        language="en",
        flags=("language-unsupported",),
        content_hash="en",
        raw_hash="en",
        published=FuzzyDate(date(2023, 10, 4), Precision.DAY),
    )
    path = tmp_path_factory.mktemp("drill") / "d.duckdb"
    settings = synth.build_store(path, [*analyses, Analysis(article=english)])
    ids = [a.article.id for a in analyses]
    with open_store(path) as store:
        store.save_incidents(synth.demo_incidents(analyses))
        store.save_stories(
            [
                Story(
                    stable_id("story"),
                    "Samara · Crimea",
                    tuple(ids[:2]),
                    ("Samara", "Crimea"),
                    date(2023, 10, 4),
                    date(2023, 10, 5),
                )
            ]
        )
        store.save_duplicate_groups(
            [DuplicateGroup(stable_id("dup"), "exact", tuple(ids[1:3]), ("A", "B"), (), 1.0)]
        )
    return settings, analyses, english


@pytest.fixture(scope="module")
def client(demo):
    from veille.api import create_app

    app = create_app(demo[0])
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.veille.store.close()


def test_incident_page_lists_every_sentence_with_outlet_and_date(client):
    incidents = client.get("/api/v1/incidents").json()["items"]
    busiest = max(incidents, key=lambda i: i["num_mentions"])
    body = client.get(f"/api/v1/incidents/{busiest['id'][:12]}").json()  # a printed prefix
    assert body["id"] == busiest["id"]
    assert len(body["events"]) == busiest["num_mentions"]
    assert {a["id"] for a in body["articles"]} == {e["article_id"] for e in body["events"]}
    assert all("outlet" in a and "published" in a and "url" in a for a in body["articles"])
    page = client.get(f"/incidents/{busiest['id'][:8]}")
    assert page.status_code == 200
    for event in body["events"]:
        assert str(escape(event["sentence"]["text"][:40])) in page.text
        assert str(escape(event["article_outlet"] or "unknown outlet")) in page.text
    listing = client.get("/incidents").text
    assert f'href="/incidents/{busiest["id"]}"' in listing  # no more raw-JSON links
    assert client.get("/incidents/0000000000").status_code == 404


def test_story_and_duplicate_pages_and_api(client, demo):
    _, analyses, _ = demo
    stories = client.get("/api/v1/stories").json()
    assert set(stories) >= {"items", "total"} and stories["total"] == 1
    story = client.get(f"/api/v1/stories/{stories['items'][0]['id']}").json()
    assert [a["id"] for a in story["articles"]] and story["num_articles"] == 2
    assert "Samara · Crimea" in client.get(f"/stories/{story['id'][:8]}").text
    assert "Samara · Crimea" in client.get("/stories").text
    groups = client.get("/api/v1/duplicates?kind=exact").json()
    assert groups["total"] == 1
    group = client.get(f"/api/v1/duplicates/{groups['items'][0]['id']}").json()
    assert {a["id"] for a in group["articles"]} == {a.article.id for a in analyses[1:3]}
    page = client.get(f"/duplicates/{group['id']}").text
    assert all(f"/articles/{a['id']}" in page for a in group["articles"])
    assert client.get("/api/v1/duplicates?kind=near").json()["total"] == 0


def test_entity_page_shows_the_sentences(client):
    body = client.get("/api/v1/entities/kyiv").json()
    mention = body["mention_list"]["items"][0]
    assert mention["text"] in mention["context"]
    page = client.get("/entities/kyiv").text
    assert f"<mark>{mention['text']}</mark>" in page


def test_an_article_not_analysed_says_why(client, demo):
    english = demo[2]
    page = client.get(f"/articles/{english.id}").text
    assert "Not analysed: no language pack for en" in page
    body = client.get(f"/api/v1/articles/{english.id[:8]}").json()
    assert body["not_analysed"] == "no language pack for en" and body["events"] == []
    from veille.cli import app

    shown = CliRunner().invoke(app, ["show", english.id[:8], "--db", str(demo[0].db_path)])
    assert "Not analysed: no language pack for en." in shown.stdout


def test_report_has_contents_and_names_sources(demo):
    from veille.report import render_report
    from veille.store import open_store

    with open_store(demo[0].db_path, read_only=True) as store:
        report = render_report(store.connection().cursor())
    assert 'id="toc"' in report and 'href="#events-section"' in report
    assert 'id="events-section"' in report
    for a in demo[1][:3]:
        where = a.article.url or a.article.source
        assert str(escape(where)) in report, where


def test_cli_show_accepts_the_printed_incident_prefix(demo):
    from veille.cli import app

    db = str(demo[0].db_path)
    runner = CliRunner()
    listed = json.loads(runner.invoke(app, ["incidents", "--db", db, "--json"]).stdout)
    incident_id = listed["items"][0]["id"]
    shown = runner.invoke(app, ["show", incident_id[:12], "--db", db])
    assert shown.exit_code == 0, shown.output
    assert f"incident {incident_id}" in shown.stdout


def test_a_near_group_says_how_many_exact_copies_it_holds(tmp_path):
    from veille.model import Analysis
    from veille.store import open_store
    from veille.store.duckdb import queries

    def art(name: str, text: str) -> Analysis:
        return Analysis(
            article=Article(
                id=name,
                source=f"/{name}.txt",
                text=text,
                content_hash=stable_id(text),
                raw_hash=name,
            )
        )

    same = "Le même texte copié mot pour mot par deux sites."
    with open_store(tmp_path / "d.duckdb") as store:
        store.save_batch([art("a", same), art("b", same), art("c", same + " Avec une phrase.")])
        store.save_duplicate_groups([DuplicateGroup("g", "near", ("a", "b", "c"), (), (), 0.8)])
        listed = queries.list_duplicate_groups(store.connection(), queries.Filters(), 10, 0)
        group = queries.get_duplicate_group(store.connection(), "g")
    assert listed["items"][0]["exact_copies"] == 2 and group["exact_copies"] == 2
