"""Keyset pagination: every list route gives ``next_cursor``; following it walks the same
rows in the same order as ``offset`` does, at a cost that does not grow with the depth."""

from __future__ import annotations

import random
from datetime import date, timedelta

import duckdb
import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store
from veille.store.duckdb import queries

LISTS = {
    "articles": "id",
    "events": "id",
    "incidents": "id",
    "stories": "id",
    "duplicates": "id",
    "aid": "id",
    "claims": "id",
    "entities": "key",
}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from veille.api import create_app

    synth = load_synth_store()
    analyses = list(synth.demo_analyses())
    settings = synth.build_store(
        tmp_path_factory.mktemp("cursor") / "c.duckdb", analyses, synth.demo_incidents(analyses)
    )
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.veille.store.close()


def walk(client: TestClient, path: str, key: str, limit: int = 1) -> list[str]:
    seen, cursor = [], None
    for _ in range(1000):
        url = f"{path}?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(url).json()
        seen += [item[key] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("no end")


@pytest.mark.parametrize("name", list(LISTS))
def test_cursor_walk_equals_offset_pages(client, name):
    path, key = f"/api/v1/{name}", LISTS[name]
    everything = client.get(f"{path}?limit=200").json()
    assert everything["next_cursor"] is None
    expected = [item[key] for item in everything["items"]]
    assert walk(client, path, key) == expected
    assert walk(client, path, key, limit=2) == expected
    if len(expected) > 1:  # an offset page hands a cursor on as well
        first = client.get(f"{path}?limit=1&offset=0").json()
        after = client.get(f"{path}?limit=200&cursor={first['next_cursor']}").json()
        assert [item[key] for item in after["items"]] == expected[1:]
        assert after["total"] == everything["total"]  # every match, not what is left


def test_entity_mentions_page_with_a_cursor(client):
    key = client.get("/api/v1/entities?limit=1").json()["items"][0]["key"]
    full = client.get(f"/api/v1/entities/{key}?limit=200").json()["mention_list"]
    first = client.get(f"/api/v1/entities/{key}?limit=1").json()["mention_list"]
    if full["total"] > 1:
        rest = client.get(f"/api/v1/entities/{key}?limit=200&cursor={first['next_cursor']}")
        assert rest.json()["mention_list"]["items"] == full["items"][1:]


@pytest.mark.parametrize(
    "query",
    [
        "cursor=bm90LWEtY3Vyc29y",  # base64 of something else
        "cursor=!!",  # not base64url
        "cursor=" + "A" * 3000,  # too long
        "cursor={events}",  # a cursor of another list
        "cursor={articles}&offset=2",  # both
    ],
)
def test_bad_cursors_are_422(client, query):
    events = client.get("/api/v1/events?limit=1").json()["next_cursor"]
    articles = client.get("/api/v1/articles?limit=1").json()["next_cursor"]
    assert events and articles
    response = client.get("/api/v1/articles?" + query.format(events=events, articles=articles))
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "cursor"


def test_keyset_order_with_nulls_and_ties():
    """Order.after on a table with NULLs and ties in every sort column but the last:
    walking any page size gives the rows of one ORDER BY, each once."""
    rng = random.Random(5)
    con = duckdb.connect()
    con.execute("CREATE TABLE t (d DATE, v DECIMAL(38, 4), s DOUBLE, id VARCHAR)")
    rows = [
        (
            rng.choice([None, date(2024, 1, 1) + timedelta(days=rng.randrange(4))]),
            rng.choice([None, "1.5000", "2.2500", "12345678901.1234"]),
            rng.choice([None, 0.1, 0.30000000000000004, 1e-9]),
            f"id{i:03d}",
        )
        for i in range(120)
    ]
    con.executemany("INSERT INTO t VALUES (?, ?, ?, ?)", rows)
    order = queries.Order("t", (("d", True), ("v", True), ("s", False), ("id", False)))
    expected = [r[0] for r in con.execute(f"SELECT id FROM t q ORDER BY {order.sql()}").fetchall()]
    for limit in (1, 7, 50):
        seen, cursor = [], None
        while True:
            page = queries._page(con, "SELECT * FROM t", [], limit, 0, dict, order, cursor)
            seen += [item["id"] for item in page["items"]]
            assert page["total"] == 120
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == expected
