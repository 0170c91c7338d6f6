"""What a server keeps to answer dated overviews and event pages cheaply (dayspans.py, the
kept rows of queries.list_events): the same answers as the queries, read once per store
generation; and the one generation a request's cursor reads (queries.pin_generation)."""

from __future__ import annotations

from datetime import date

import pytest

from test_day_counts import RANGES, SAMPLE, UNKNOWN, _short, analysis, day
from veille.store import open_store
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters
from veille.store.duckdb.ranked import Ranks

KEPT_RANGES = [
    *RANGES,
    Filters(date_from=date(2024, 2, 29)),
    Filters(date_to=date(2024, 3, 5)),
    Filters(date_to=date(2023, 1, 1)),
    Filters(date_from=date(2024, 2, 20), date_to=date(2024, 2, 10)),  # reversed, in a month
]


@pytest.fixture
def linked(tmp_path):
    """SAMPLE (month-, year- and un-dated events and articles, an article without outlet,
    entity names that tie), a second version of an article, and the incidents of both."""
    from veille.link import update_links
    from veille.settings import load_settings

    settings = load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})
    with open_store(settings.db_path) as store:
        store.save_batch(SAMPLE)
        store.save_batch(
            [
                analysis(
                    "a2", day("2024-03-06"), "Le Guet", source="dc/a.txt", claims=(None,),
                    events=(("ATTACK", day("2024-03-06"), True), ("ASSAULT", UNKNOWN, True)),
                    names=("Lomny", "Kessel", "Lomny"),
                )
            ]
        )  # fmt: skip
        update_links(store, settings)
        yield store


@pytest.mark.parametrize("f", KEPT_RANGES, ids=_short)
def test_kept_day_counts_give_the_dated_stats_and_entities_of_the_queries(linked, f):
    con = linked.connection()
    ranks = Ranks()
    assert queries.stats(con, f, ranks=ranks) == queries.stats(con, f)
    for limit, offset in ((50, 0), (2, 0), (2, 1), (1, 3), (2, 99)):
        kept = queries.list_entities(con, f, limit, offset, ranks=ranks)
        assert kept == queries.list_entities(con, f, limit, offset)  # items, total, cursor


def test_some_kept_ranges_count_incidents_and_ties(linked):
    """The ranges above are not all empty: incidents, located events, several types."""
    con = linked.connection()
    got = queries.stats(con, Filters(date_from=date(2024, 2, 15)), ranks=Ranks())
    assert got["incidents"] and got["located_events"] and len(got["events_by_type"]) == 2
    # "Varga" twice and "ministre Varga" once on 2024-03-07: the most frequent form
    items = queries.list_entities(con, Filters(date_from=date(2024, 3, 7)), 10, 0, ranks=Ranks())
    assert {i["key"]: i["name"] for i in items["items"]}["kb-varga"] == "Varga"


def test_kept_day_counts_follow_a_write(linked):
    con = linked.connection()
    ranks = Ranks()
    f = Filters(date_from=date(2024, 3, 1))
    before = queries.stats(con, f, ranks=ranks)
    kessel = {i["key"]: i for i in queries.list_entities(con, f, 50, 0, ranks=ranks)["items"]}
    linked.save_batch([analysis("z", day("2024-03-08"), "Nouveau", names=("Kessel",))])
    after = queries.stats(con, f, ranks=ranks)
    assert after == queries.stats(con, f)
    assert after["articles"] == before["articles"] + 1
    assert after["outlets"] == before["outlets"] + 1
    entities = queries.list_entities(con, f, 50, 0, ranks=ranks)
    assert entities == queries.list_entities(con, f, 50, 0)
    now = {i["key"]: i for i in entities["items"]}
    assert now["Kessel"]["articles"] == kessel["Kessel"]["articles"] + 1


def test_latest_events_of_another_range_read_only_the_events_not_read_before(linked, monkeypatch):
    con = linked.connection()
    ranks = Ranks(build_after=1)
    wide, narrow = Filters(date_from=date(2024, 2, 1)), Filters(date_from=date(2024, 3, 5))
    first = queries.list_events(con, narrow, 12, 0, ranks=ranks)
    assert first == queries.list_events(con, narrow, 12, 0)
    fetched: list[str] = []
    real = queries._fetch

    def counting(con, source, params, column, ids):
        fetched.extend(ids)
        return real(con, source, params, column, ids)

    monkeypatch.setattr(queries, "_fetch", counting)
    second = queries.list_events(con, wide, 12, 0, ranks=ranks)
    monkeypatch.undo()
    assert second == queries.list_events(con, wide, 12, 0)  # articles attached too
    assert second["items"][0]["article_title"] is not None
    old = {item["id"] for item in first["items"]}
    assert old and sorted(fetched) == sorted(i["id"] for i in second["items"] if i["id"] not in old)
    assert fetched  # the wide range has events the narrow one has not


def test_a_request_cursor_keeps_the_generation_it_read(tmp_path):
    with open_store(tmp_path / "g.duckdb") as store:
        store.save_batch(SAMPLE[:1])
        con = store.connection()
        request = con.cursor()
        pinned = queries.pin_generation(request)
        assert pinned == queries.generation(con)
        store.save_batch(SAMPLE[1:2])
        assert queries.generation(request) == pinned  # one generation for the request
        assert queries.generation(con) > pinned  # any other connection reads the store's
        request.close()


def test_event_pages_take_coordinates_from_the_kept_order(linked, monkeypatch):
    """Reading DOUBLE columns of rows spread over the table costs more than the rest of
    the row: a kept page takes an event's coordinates from the kept order instead."""
    con = linked.connection()
    sources: list[str] = []
    real = queries._fetch

    def recording(con, source, params, column, ids):
        sources.append(source)
        return real(con, source, params, column, ids)

    for f in (Filters(), Filters(type="ATTACK"), Filters(date_from=date(2024, 3, 1))):
        ranks = Ranks(build_after=1)
        monkeypatch.setattr(queries, "_fetch", recording)
        kept = queries.list_events(con, f, 3, 1, ranks=ranks)
        monkeypatch.undo()
        assert kept == queries.list_events(con, f, 3, 1)
        assert "location_lat" in sources[-1] and "EXCLUDE" in sources[-1]
    located = queries.list_events(con, Filters(), 50, 0, ranks=Ranks(build_after=1))["items"]
    assert any(item["location"] and item["location"]["lat"] is not None for item in located)


def test_story_pages_count_articles_once_per_generation(linked, monkeypatch):
    from veille.model import Story

    con = linked.connection()
    ids = [row[0] for row in con.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    linked.save_stories(
        [
            Story(f"s{n}", f"story {n}", tuple(ids[: n % 4 + 1]), ("Lomny",), date(2024, 3, n))
            for n in range(1, 9)
        ]
    )
    sources: list[str] = []
    real = queries._fetch

    def recording(con, source, params, column, ids):
        sources.append(source)
        return real(con, source, params, column, ids)

    ranks = Ranks(build_after=1)
    for f in (Filters(), Filters(entity="Lomny"), Filters(date_from=date(2024, 3, 4))):
        for limit, offset in ((3, 0), (3, 2), (50, 0)):
            monkeypatch.setattr(queries, "_fetch", recording)
            kept = queries.list_stories(con, f, limit, offset, ranks=ranks)
            monkeypatch.undo()
            assert kept == queries.list_stories(con, f, limit, offset)
            assert "story_articles" not in sources[-1]  # counted once, not per page
    assert queries.list_stories(con, Filters(), 50, 0, ranks=ranks)["items"][0]["num_articles"] == 4


def test_duplicate_pages_count_articles_once_per_generation(linked, monkeypatch):
    from veille.model import DuplicateGroup

    con = linked.connection()
    ids = [row[0] for row in con.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    linked.save_duplicate_groups(
        [
            DuplicateGroup(f"g{n}", ("near", "exact")[n % 2], tuple(ids[: n % 4 + 2]),
                           ("La Vigie",) if n % 3 else (), (), 0.5 + n / 20)
            for n in range(8)
        ]
    )  # fmt: skip
    sources: list[str] = []
    real = queries._fetch

    def recording(con, source, params, column, ids):
        sources.append(source)
        return real(con, source, params, column, ids)

    ranks = Ranks(build_after=1)
    for f in (Filters(), Filters(kind="near"), Filters(outlet="La Vigie")):
        for limit, offset in ((3, 0), (3, 2), (50, 0)):
            monkeypatch.setattr(queries, "_fetch", recording)
            kept = queries.list_duplicate_groups(con, f, limit, offset, None, ranks)
            monkeypatch.undo()
            assert kept == queries.list_duplicate_groups(con, f, limit, offset)
            assert "duplicate_group_articles" not in sources[-1]  # counted once, not per page
    sizes = [
        i["num_articles"] for i in queries.list_duplicate_groups(con, Filters(), 50, 0)["items"]
    ]
    assert sorted(sizes) == [2, 2, 3, 3, 4, 4, 5, 5]


def test_an_api_request_reads_the_store_generation_once(tmp_path, monkeypatch):
    """The page cache reads it, the request's cursor keeps it: a dated overview (stats,
    timelines, entities, latest events, aid: each asks for it) reads it once."""
    import duckdb
    from fastapi.testclient import TestClient

    from veille.api import create_app
    from veille.settings import load_settings

    settings = load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})
    with open_store(settings.db_path) as store:
        store.save_batch(SAMPLE)
    app = create_app(settings)
    executed: list[str] = []
    real = duckdb.DuckDBPyConnection.execute

    def counting(self, sql, *args, **kwargs):
        executed.append(sql)
        return real(self, sql, *args, **kwargs)

    with TestClient(app, base_url="http://127.0.0.1") as client:
        for n, day in enumerate(("2024-03-01", "2024-02-15", "2024-03-06")):
            url = f"/api/v1/overview?date_from={day}"
            monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", counting)
            got = client.get(url)
            monkeypatch.undo()
            assert got.status_code == 200 and got.json()["stats"]["articles"]
            reads = [sql for sql in executed if "store_generation" in sql]
            assert len(reads) == n + 1  # one a request
    app.state.veille.store.close()


def test_event_pages_read_only_articles_not_read_before(linked, monkeypatch):
    import duckdb

    con = linked.connection()
    ranks = Ranks(build_after=1)
    read: list[list[str]] = []
    real = duckdb.DuckDBPyConnection.execute

    def recording(self, sql, *args, **kwargs):
        if "FROM articles WHERE id = ANY" in sql:
            read.append(list(args[0][0]))
        return real(self, sql, *args, **kwargs)

    pages = []
    for offset in (0, 1, 2):
        monkeypatch.setattr(duckdb.DuckDBPyConnection, "execute", recording)
        pages.append(queries.list_events(con, Filters(), 2, offset, ranks=ranks))
        monkeypatch.undo()
        assert pages[-1] == queries.list_events(con, Filters(), 2, offset)
    seen = [i for ids in read for i in ids]
    assert len(seen) == len(set(seen))  # no article read twice
    assert set(seen) == {i["article_id"] for page in pages for i in page["items"]}
