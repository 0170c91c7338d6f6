"""CLI and web hygiene: validated filters, one-line errors, prefixes, downloads, versions."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from test_api import load_synth_store
from veille.cli import app


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    synth = load_synth_store()
    analyses = synth.demo_analyses()
    path = tmp_path_factory.mktemp("hygiene") / "h.duckdb"
    settings = synth.build_store(path, analyses, synth.demo_incidents(analyses))
    return settings, analyses


@pytest.fixture(scope="module")
def client(demo):
    from veille.api import create_app

    application = create_app(demo[0])
    with TestClient(application, base_url="http://127.0.0.1") as c:
        yield c
    application.state.veille.store.close()


def cli(*args: str):
    return CliRunner().invoke(app, list(args))


def test_cli_filters_are_validated_in_one_line_with_exit_2(demo):
    db = str(demo[0].db_path)
    bad = cli("incidents", "--type", "FOO", "--db", db)
    assert bad.exit_code == 2
    assert bad.stderr.startswith("V011 --type: 'FOO' is not one of") and bad.stderr.count("\n") == 1
    unknown = cli("incidents", "--country", "Narnia", "--db", db)
    assert unknown.exit_code == 2 and unknown.stderr.startswith("V011 --country: unknown country")
    by_code = json.loads(cli("incidents", "--country", "rus", "--db", db, "--json").stdout)
    by_name = json.loads(cli("incidents", "--country", "Russia", "--db", db, "--json").stdout)
    by_french = json.loads(cli("incidents", "--country", "Russie", "--db", db, "--json").stdout)
    assert by_code["total"] == by_name["total"] == by_french["total"] > 0
    assert cli("duplicates", "--kind", "maybe", "--db", db).exit_code == 2


def test_usage_errors_are_one_line_and_version_is_printed():
    result = cli("incidents", "--bogus")
    assert result.exit_code == 2
    assert result.stderr == "V010 veille incidents: No such option: --bogus\n"
    missing = cli("show")
    assert missing.exit_code == 2 and missing.stderr.startswith("V010 veille show: Missing")
    assert "╭" not in missing.output
    version = cli("--version")
    assert version.exit_code == 0 and version.stdout.startswith("veille ")


def test_a_run_that_stores_nothing_creates_no_database(tmp_path):
    db = tmp_path / "never.duckdb"
    result = cli("run", str(tmp_path / "missing"), "--db", str(db))
    assert result.exit_code == 1
    assert not db.exists() and not (tmp_path / "never.duckdb.wal").exists()
    assert "no database was created" in result.stdout
    read = cli("articles", "--db", str(db))
    assert read.exit_code == 1 and "no database here yet" in read.stderr


def test_piped_tables_are_not_cut_at_80_columns(demo):
    result = cli("articles", "--db", str(demo[0].db_path))
    assert result.exit_code == 0
    assert max(len(line) for line in result.stdout.splitlines()) > 80
    title = demo[1][0].article.title
    assert title[:40] in result.stdout


def test_api_countries_in_any_case_or_by_name(client):
    def total(query: str) -> int:
        response = client.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.text
        return response.json()["total"]

    assert total("country=RUS") == total("country=rus") == total("country=Russie") > 0
    assert total("country=russia") == total("country=RUS")
    bad = client.get("/api/v1/events?country=Narnia")
    assert bad.status_code == 422 and "unknown country" in json.dumps(bad.json())
    page = client.get("/events?country=Narnia")
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "unknown country" in page.text and '"detail"' not in page.text


def test_entity_filters_take_names_with_suggestions(client):
    by_id = client.get("/api/v1/events?entity=samara").json()["total"]
    by_name = client.get("/api/v1/events?entity=Samara").json()["total"]
    assert by_name == by_id > 0
    page = client.get("/events").text
    assert 'list="entity-names"' in page and '<option value="Samara">' in page


def test_id_prefixes_of_eight_characters_work_everywhere(client, demo):
    article_id = demo[1][0].article.id
    assert client.get(f"/api/v1/articles/{article_id[:8]}").json()["article"]["id"] == article_id
    assert client.get(f"/articles/{article_id[:12]}").status_code == 200
    assert client.get(f"/api/v1/articles/{article_id[:7]}").status_code == 404


def test_missing_pages_are_friendly_html(client):
    page = client.get("/incidents/nothing-here")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text and 'href="/"' in page.text
    assert client.get("/api/v1/incidents/nothing-here").json()["detail"]


def test_every_list_page_downloads_its_view(client):
    for path, view in (
        ("/events?type=ASSAULT", "events"),
        ("/incidents", "incidents"),
        ("/aid", "aid"),
        ("/claims", "claims"),
        ("/entities", "entities"),
        ("/search", "articles"),
        ("/stories", "stories"),
        ("/duplicates", "duplicates"),
    ):
        page = client.get(path).text
        assert f'href="/api/v1/download/{view}.csv' in page, path
        assert f'href="/api/v1/download/{view}.json' in page, path
    page = client.get("/events?type=ASSAULT").text
    assert 'href="/api/v1/download/events.csv?type=ASSAULT"' in page
    assert 'href="/api/v1/download/events.geojson?type=ASSAULT"' in page
    rows = list(
        csv.DictReader(io.StringIO(client.get("/api/v1/download/events.csv?type=ASSAULT").text))
    )
    assert rows and {r["type"] for r in rows} == {"ASSAULT"}
    assert "sentence_text" in rows[0]
    data = client.get("/api/v1/download/events.json?type=ASSAULT").json()
    assert data["total"] == len(rows) == len(data["items"])
    geo = client.get("/api/v1/download/events.geojson?type=ASSAULT").json()
    assert geo["type"] == "FeatureCollection" and geo["features"]
    assert client.get("/api/v1/download/claims.geojson").status_code == 404
