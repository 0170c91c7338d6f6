"""Time that tells the truth: bins by the precision known, undated counted, no ingest dates."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import numpy as np
import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from veille.cli import link_cmds
from veille.link import update_links
from veille.link.records import ArticleRecord
from veille.link.stories import find_stories
from veille.model import Analysis, Article, Event, FuzzyDate, Precision, Span, stable_id
from veille.settings import Settings, load_settings
from veille.store import open_store
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters

DAY, MONTH, YEAR = Precision.DAY, Precision.MONTH, Precision.YEAR
READ_AT = datetime(2026, 11, 1, 9, tzinfo=UTC)  # when Veille read everything


def fd(value: str | None, precision: Precision = DAY) -> FuzzyDate:
    if value is None:
        return FuzzyDate.unknown()
    return FuzzyDate(date.fromisoformat(value), precision)


def analysis(name: str, published: FuzzyDate, events: list[tuple[str, FuzzyDate]]) -> Analysis:
    text = f"Article {name}. " + " ".join(f"Frappe numéro {i} à Kharkiv." for i in range(9))
    article = Article(
        id=stable_id("article", name),
        source=f"/tmp/{name}.txt",
        text=text,
        title=f"Article {name}",
        outlet=f"outlet-{name}",
        language="fr",
        published=published,
        ingested_at=READ_AT,
        content_hash=stable_id("text", name),
        raw_hash=stable_id("raw", name),
    )
    found = []
    for i, (kind, when) in enumerate(events):
        start = len(f"Article {name}. ") + i * len("Frappe numéro 0 à Kharkiv. ")
        sentence = Span(start, start + 26, text[start : start + 26])
        found.append(
            Event(
                id=stable_id("event", name, i),
                article_id=article.id,
                type=kind,
                sentence=sentence,
                trigger=Span(start, start + 6, "Frappe"),
                date=when,
            )
        )
    return Analysis(article=article, events=found)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("time") / "t.duckdb"
    analyses = [
        analysis("day", fd("2023-10-04"), [("ASSAULT", fd("2023-10-04"))]),
        # known only to the month, in an article dated only to the month
        analysis("month", fd("2023-12-01", MONTH), [("ASSAULT", fd("2023-12-01", MONTH))]),
        # no date of its own: its article's publication day
        analysis("fallback", fd("2024-02-10"), [("AID", fd(None))]),
        # nothing to place it in time: the undated note
        analysis("undated", fd(None), [("ASSAULT", fd(None)), ("ASSAULT", fd("2024-01-01", YEAR))]),
    ]
    store = open_store(path)
    store.save_batch(analyses)
    update_links(store, Settings())
    store.close()
    return path


@pytest.fixture(scope="module")
def con(store_path):
    store = open_store(store_path, read_only=True)
    yield store.connection()
    store.close()


def test_month_only_events_are_binned_by_month_and_undated_counted(con):
    rows = queries.timeline(con, "events")
    bins = {(r["period"], r["precision"], r["type"]): r["count"] for r in rows}
    assert bins == {
        ("2023-10-04", "day", "ASSAULT"): 1,
        ("2023-12", "month", "ASSAULT"): 1,
        ("2024-02-10", "day", "AID"): 1,
    }
    assert queries.timeline_undated(con, "events") == 2  # no date, and a year-only date
    assert sum(bins.values()) + queries.timeline_undated(con, "events") == 5


def test_a_date_range_keeps_a_month_bin_that_overlaps_it(con):
    rows = queries.timeline(con, "events", Filters(date_from=date(2023, 12, 15)))
    assert {r["period"] for r in rows} == {"2023-12", "2024-02-10"}


def test_incidents_are_dated_by_publication_never_by_ingest_time(con):
    rows = queries.timeline(con, "incidents")
    assert {r["period"] for r in rows} == {"2023-10-04", "2023-12", "2024-02-10"}
    assert all(not r["day"].startswith("2026") for r in rows)
    incidents = queries.list_incidents(con, Filters(), 50, 0)["items"]
    seen = [i["first_seen"] for i in incidents if i["first_seen"]]
    assert seen and not any(s.startswith("2026") for s in seen)


def test_timeline_api_reports_undated(store_path):
    from veille.api import create_app

    settings = load_settings(overrides={"db_path": store_path}, env={})
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        body = client.get("/api/v1/timeline?kind=events").json()
        assert body["undated"] == 2 and body["total"] == 3
        overview = client.get("/api/v1/overview?date_from=2024-01-01").json()
        assert overview["stats"]["events"] == 1  # only the AID of 2024-02-10
        assert overview["stats"]["articles"] == 1
        assert [r["period"] for r in overview["timeline_events"]] == ["2024-02-10"]
        page = client.get("/?date_from=2024-01-01").text
        assert 'id="date-range"' in page and 'data-undated="2"' in page


def test_stories_take_publication_dates_not_ingest_time():
    def rec(name: str, published: FuzzyDate) -> ArticleRecord:
        return ArticleRecord(
            article_id=name,
            content_hash=stable_id(name),
            signature=np.zeros(4, dtype=np.uint64),
            published=published,
            ingested_at=READ_AT.replace(tzinfo=None),
            terms=(("raffinerie", 5), ("novochakhtinsk", 4), ("drones", 3)),
        )

    (story,) = find_stories([rec("a", fd("2022-06-22")), rec("b", fd("2022-06-23"))])
    assert (story.first_date, story.last_date) == (date(2022, 6, 22), date(2022, 6, 23))
    (undated,) = find_stories([rec("c", fd(None)), rec("d", fd(None))])
    assert undated.first_date is None and undated.last_date is None


@pytest.fixture
def cli(store_path):
    app = typer.Typer()
    link_cmds.register(app)

    def invoke(*args: str) -> dict:
        result = CliRunner().invoke(app, [*args, "--db", str(store_path), "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def test_since_and_until_leave_undated_out_unless_asked(cli):
    everything = cli("incidents")["total"]
    dates = [i["date"] for i in cli("incidents", "--since", "2023")["items"]]
    assert dates and all(d is not None for d in dates)
    with_undated = cli("incidents", "--since", "2023", "--include-undated")["total"]
    assert with_undated == everything > len(dates)
    assert [i["date"] for i in cli("incidents", "--until", "2023-10")["items"]] == ["2023-10-04"]
    # a month-precision incident is in a range it overlaps
    assert "2023-12" in [i["date"] for i in cli("incidents", "--since", "2023-12-20")["items"]]


def test_story_since_uses_publication_dates(tmp_path):
    from veille.model import Story
    from veille.store import open_store

    story = Story(
        "s", "label", ("a", "b"), first_date=date(2022, 6, 22), last_date=date(2022, 6, 23)
    )
    undated = replace(story, id="u", first_date=None, last_date=None)
    with open_store(tmp_path / "s.duckdb") as store:
        store.save_stories([story, undated])

        def ids(**filters) -> list[str]:
            return sorted(s.id for s in store.list_stories(10, 0, **filters))

        assert ids(since=date(2024, 1, 1)) == []
        assert ids(since=date(2024, 1, 1), include_undated=True) == ["u"]
        assert ids(until=link_cmds.parse_until("2022-06")) == ["s"]
