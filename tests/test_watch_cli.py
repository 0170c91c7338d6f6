"""``veille sources``, ``veille watch --once`` and ``veille run URL`` against a local site."""

from __future__ import annotations

import json

import pytest

from test_cli import cli  # noqa: F401 - the CLI fixture with the fake analysis stage
from veille.store import open_store
from webfixtures import SiteServer


@pytest.fixture
def site():
    with SiteServer() as running:
        yield running


@pytest.fixture
def db(tmp_path, monkeypatch):
    for name, value in {
        "VEILLE_FETCH_HOST_INTERVAL_S": "0",
        "VEILLE_FETCH_TIMEOUT_S": "1",
        "VEILLE_FETCH_BACKOFF_S": "0.01",
        "VEILLE_FETCH_RETRIES": "1",
    }.items():
        monkeypatch.setenv(name, value)
    return tmp_path / "watch.duckdb"


def test_sources_add_list_remove(cli, site, db):  # noqa: F811
    added = cli("sources", "add", site.base + "/rss.xml#x", "--name", "Quotidien", "--db", db)
    assert added.exit_code == 0 and "watching" in added.output
    again = cli("sources", "add", site.base + "/rss.xml", "--db", db)
    assert "already watched" in again.output
    listed = json.loads(cli("sources", "list", "--json", "--db", db).output)
    assert listed["total"] == 1
    source = listed["items"][0]
    assert source["url"] == site.base + "/rss.xml" and source["every_seconds"] == 900
    assert source["last_fetch_at"] is None and source["error_count"] == 0
    table = cli("sources", "list", "--db", db).output
    assert "Quotidien" in table and "never" in table and "due now" in table
    removed = cli("sources", "remove", "Quotidien", "--db", db)
    assert removed.exit_code == 0
    assert json.loads(cli("sources", "list", "--json", "--db", db).output)["total"] == 0


def test_sources_add_refuses_bad_input(cli, db):  # noqa: F811
    assert cli("sources", "add", "ftp://example.fr/feed", "--db", db).exit_code == 2
    bad_every = cli("sources", "add", "https://example.fr/rss", "--every", "bientôt", "--db", db)
    assert bad_every.exit_code == 2 and "duration" in bad_every.output
    missing = cli("sources", "remove", "inconnu", "--db", db)
    assert missing.exit_code == 1


def test_sources_import_opml_then_watch_once(cli, site, db, tmp_path):  # noqa: F811
    opml = tmp_path / "abonnements.opml"
    opml.write_bytes(site.respond("/feeds.opml", {})[2])
    imported = cli("sources", "import", opml, "--every", "1h", "--db", db)
    assert "2 feeds listed, 2 added" in imported.output
    first = cli("watch", "--once", "--json", "--db", db)
    report = json.loads(first.output)
    assert report["stored"] == 4 and first.exit_code == 0
    assert {s["status"].split(":")[0] for s in report["sources"]} == {"feed"}
    listed = json.loads(cli("sources", "list", "--json", "--db", db).output)["items"]
    assert all(s["last_fetch_at"] and s["next_poll_at"] and s["kind"] == "feed" for s in listed)
    assert sum(s["articles"] for s in listed) == 4
    # nothing due yet: a second pass fetches nothing at all
    before = len(site.requests)
    second = json.loads(cli("watch", "--once", "--json", "--db", db).output)
    assert second["sources"] == [] and len(site.requests) == before


def test_watch_once_reports_a_failing_source_and_exits_1(cli, site, db):  # noqa: F811
    cli("sources", "add", site.base + "/broken.html", "--db", db)
    cli("sources", "add", site.base + "/atom.xml", "--db", db)
    result = cli("watch", "--once", "--db", db)
    assert result.exit_code == 1
    assert "HTTP 500" in result.output
    listed = json.loads(cli("sources", "list", "--json", "--db", db).output)["items"]
    broken = next(s for s in listed if s["url"].endswith("/broken.html"))
    assert broken["error_count"] == 1 and "HTTP 500" in broken["last_error"]


def test_run_urls_ingests_pages_and_feeds(cli, site, db):  # noqa: F811
    result = cli(
        "run", site.base + "/articles/a1.html", site.base + "/atom.xml", "--json", "--db", db
    )
    summary = json.loads(result.output)
    assert summary["stored"] == 3  # a1, then a2 and a3 from the Atom feed
    with open_store(db, read_only=True) as store:
        sources = {store.get_article(i).source for i in store.article_ids()}
    assert site.base + "/articles/a2.html" in sources  # canonical: no ?xtor=


def test_run_url_forbidden_by_robots_is_one_line(cli, site, db):  # noqa: F811
    result = cli("run", site.base + "/private/secret.html", "--db", db)
    assert result.exit_code == 1
    assert "V133" in result.output and "robots.txt" in result.output
