"""Kept orders (store/duckdb/ranked.py): an unfiltered list's pages become slices of its
whole order, kept per store generation. Same rows, totals and cursors as the SQL path, and
a write drops the kept orders."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import duckdb
import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store
from veille.model import stable_id
from veille.store import open_store
from veille.store.duckdb import queries
from veille.store.duckdb.ranked import Ranks


@pytest.fixture(scope="module")
def table():
    """NULLs and ties in every sort column but the last; DATE and DECIMAL keys."""
    rng = random.Random(11)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (d DATE, v DECIMAL(38, 4), s DOUBLE, id VARCHAR, body VARCHAR)")
    rows = [
        (
            rng.choice([None, date(2024, 1, 1) + timedelta(days=rng.randrange(4))]),
            rng.choice([None, "1.5000", "2.2500", "12345678901.1234"]),
            rng.choice([None, 0.1, 0.30000000000000004, 1e-9]),
            f"id{i:03d}",
            f"row {i}",
        )
        for i in range(120)
    ]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?)", rows)
    con.execute("CREATE TABLE store_generation (n BIGINT)")
    con.execute("INSERT INTO store_generation VALUES (0)")
    yield con
    con.close()


ORDER = queries.Order("t", (("d", True), ("v", True), ("s", False), ("id", False)), fetch="id")


def page(con, limit, offset=0, cursor=None, ranks=None):
    return queries._page(
        con, "SELECT * FROM t", [], limit, offset, dict, ORDER, cursor, None, ranks
    )


def test_kept_order_gives_the_same_pages(table):
    ranks = Ranks(build_after=1)
    for limit in (1, 7, 50):
        for offset in (0, 3, 119, 120, 500):
            assert page(table, limit, offset, ranks=ranks) == page(table, limit, offset)
        plain_cursor = kept_cursor = None
        while True:
            plain = page(table, limit, cursor=plain_cursor)
            kept = page(table, limit, cursor=kept_cursor, ranks=ranks)
            assert kept == plain  # rows, total and next_cursor
            plain_cursor, kept_cursor = plain["next_cursor"], kept["next_cursor"]
            if plain_cursor is None:
                break
    assert ranks.builds == 1 and ranks.hits > 20


def test_a_cursor_the_order_did_not_hand_out_still_pages(table):
    ranks = Ranks(build_after=1)
    cursor = page(table, 10)["next_cursor"]  # from the SQL path (another server worker)
    assert page(table, 10, cursor=cursor, ranks=ranks) == page(table, 10, cursor=cursor)
    with pytest.raises(queries.CursorError):
        page(table, 10, cursor="garbage", ranks=ranks)


def test_another_workers_cursor_is_found_by_its_row(table):
    """A cursor handed out elsewhere starts after its row when that row is in the kept
    order with the same sort values; a cursor whose values match no row pages by SQL."""
    mine, theirs = Ranks(build_after=1), Ranks(build_after=1)
    walked = []
    cursor = None
    while True:
        body = page(table, 9, cursor=cursor, ranks=theirs)
        if cursor is not None:  # asked of the other worker, who never handed it out
            assert page(table, 9, cursor=cursor, ranks=mine) == body
        walked += [item["id"] for item in body["items"]]
        if (cursor := body["next_cursor"]) is None:
            break
    assert len(walked) == 120 and len(set(walked)) == 120
    assert len(mine.position_cache_sizes()) == 1 and mine.position_cache_sizes()[0] > 5
    order, first = ORDER, page(table, 1)["items"][0]
    moved = order.cursor([None, None, None, first["id"]])  # its row, other sort values
    assert page(table, 5, cursor=moved, ranks=mine) == page(table, 5, cursor=moved)


def test_orders_are_kept_from_the_second_use_and_dropped_by_a_write(table):
    ranks = Ranks()
    page(table, 5, ranks=ranks)
    assert ranks.builds == 0  # one look at a list does not pay for its whole order
    page(table, 5, ranks=ranks)
    page(table, 5, offset=5, ranks=ranks)
    assert ranks.builds == 1
    table.execute("UPDATE store_generation SET n = n + 1")
    table.execute("INSERT INTO t VALUES (DATE '2030-01-01', NULL, NULL, 'new', 'newest')")
    try:
        first = page(table, 5, ranks=ranks)
        assert first["items"][0]["id"] == "new" and first["total"] == 121
        assert first == page(table, 5)
    finally:
        table.execute("DELETE FROM t WHERE id = 'new'")
        table.execute("UPDATE store_generation SET n = n + 1")


def test_api_lists_follow_a_write(tmp_path):
    """Through the API on a writable store: kept orders answer, and a stored article
    shows on the next page request."""
    from veille.api import create_app

    synth = load_synth_store()
    analyses = list(synth.demo_analyses())
    settings = synth.build_store(tmp_path / "r.duckdb", analyses[:2])
    store = open_store(settings.db_path)
    try:
        app = create_app(settings, store=store)
        ranks = app.state.veille.ranks
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for limit in (48, 49, 50):  # distinct pages: the page cache keeps each answer
                before = client.get(f"/api/v1/articles?limit={limit}").json()
            assert ranks.builds == 1
            extra = analyses[2]
            new_id = stable_id("ranked", "x")
            extra = replace(extra, article=replace(extra.article, id=new_id))
            store.save_batch([extra])
            after = client.get("/api/v1/articles?limit=50").json()
            assert after["total"] == before["total"] + 1
            assert new_id in [item["id"] for item in after["items"]]
    finally:
        store.close()


def test_exact_copies_counted_once_per_generation(tmp_path, monkeypatch):
    """Duplicate groups' exact copies: one count over every group per generation when the
    server keeps them, the same numbers as the per-page count, and a write counts again."""
    from veille.model import Analysis, Article, DuplicateGroup

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

    same = "Un texte repris mot pour mot par plusieurs sites, pour ce test."
    ranks = Ranks()
    with open_store(tmp_path / "d.duckdb") as store:
        con = store.connection()
        store.save_batch([art("a", same), art("b", same), art("c", same + " Et une phrase.")])
        store.save_duplicate_groups([DuplicateGroup("g", "near", ("a", "b", "c"), (), (), 0.8)])
        plain = queries.list_duplicate_groups(con, queries.Filters(), 10, 0)
        kept = queries.list_duplicate_groups(con, queries.Filters(), 10, 0, None, ranks)
        assert kept == plain and kept["items"][0]["exact_copies"] == 2
        executed = []
        real_execute = type(con).execute

        def counting(self, sql, *args, **kwargs):
            executed.append(sql)
            return real_execute(self, sql, *args, **kwargs)

        monkeypatch.setattr(type(con), "execute", counting)
        queries.list_duplicate_groups(con, queries.Filters(), 10, 0, None, ranks)
        assert not [sql for sql in executed if "content_hash" in sql]  # kept: not counted
        monkeypatch.undo()
        store.save_batch([art("d", same)])
        # a group's id is a hash of its members: another member, another group
        store.save_duplicate_groups(
            [DuplicateGroup("g2", "near", ("a", "b", "c", "d"), (), (), 0.8)]
        )
        again = queries.list_duplicate_groups(con, queries.Filters(), 10, 0, None, ranks)
        assert again["items"][0]["exact_copies"] == 3
        assert again == queries.list_duplicate_groups(con, queries.Filters(), 10, 0)


FILTERED = "SELECT * FROM t WHERE (d >= ? OR v IS NULL)"


def filtered_page(con, limit, offset=0, cursor=None, ranks=None, day=date(2024, 1, 2)):
    return queries._page(
        con, FILTERED, [day], limit, offset, dict, ORDER, cursor, "SELECT * FROM t", ranks
    )


def test_a_filtered_list_gets_a_kept_order_of_its_own(table):
    ranks = Ranks()
    plain = filtered_page(table, 7, 3)
    assert filtered_page(table, 7, 3, ranks=ranks) == plain and ranks.builds == 0
    assert filtered_page(table, 7, 3, ranks=ranks) == plain and ranks.builds == 1
    plain_cursor = kept_cursor = None
    while True:  # paging through it: slices of its order, same pages as SQL
        expected = filtered_page(table, 7, cursor=plain_cursor)
        got = filtered_page(table, 7, cursor=kept_cursor, ranks=ranks)
        assert got == expected
        plain_cursor, kept_cursor = expected["next_cursor"], got["next_cursor"]
        if plain_cursor is None:
            break
    assert ranks.builds == 1
    other_day = date(2024, 1, 3)  # other filter values: another order
    for _ in range(2):
        assert filtered_page(table, 7, ranks=ranks, day=other_day) == filtered_page(
            table, 7, day=other_day
        )
    assert ranks.builds == 2


def test_filtered_orders_are_bounded(table, monkeypatch):
    from veille.store.duckdb import ranked

    monkeypatch.setattr(ranked, "MAX_FILTERED_ROWS", 150)
    ranks = Ranks(build_after=1)
    page(table, 5, ranks=ranks)  # the unfiltered order is always kept
    for day in range(1, 5):
        filtered_page(table, 5, ranks=ranks, day=date(2024, 1, day))
    kept = ranks.kept_orders()
    assert kept[0] == ("t", 120)  # unfiltered, never dropped
    assert sum(rows for _, rows in kept[1:]) <= 150 and len(kept) < 5
