"""Whole answers of the list and stats routes kept per store generation (api/pagecache.py):
a repeated page is answered without its queries, with the same body; If-None-Match gives
304; a write makes every page computed again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store
from veille.api.pagecache import etag_of, matches
from veille.model import stable_id
from veille.store import open_store
from veille.store.duckdb import queries


@pytest.fixture
def served(tmp_path, monkeypatch):
    """A writable store (the test writes while the API reads) and a count of list_events."""
    from veille.api import create_app

    synth = load_synth_store()
    analyses = list(synth.demo_analyses())
    settings = synth.build_store(tmp_path / "p.duckdb", analyses[:2])
    store = open_store(settings.db_path)
    calls = {"events": 0}
    real = queries.list_events

    def counted(*args, **kwargs):
        calls["events"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(queries, "list_events", counted)
    app = create_app(settings, store=store)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client, store, analyses, calls
    store.close()


def test_a_repeated_page_is_answered_from_the_cache(served):
    client, _, _, calls = served
    first = client.get("/api/v1/events?limit=5")
    second = client.get("/api/v1/events?limit=5")
    assert first.status_code == second.status_code == 200
    assert calls["events"] == 1
    assert second.content == first.content
    assert first.headers["x-veille-cache"] == "miss" and second.headers["x-veille-cache"] == "hit"
    assert second.headers["etag"] == first.headers["etag"] == etag_of(first.content).decode()
    assert second.headers["content-type"] == "application/json"
    assert second.headers["cache-control"] == "no-cache"
    assert "content-security-policy" in second.headers  # the outer middleware still runs
    client.get("/api/v1/events?limit=6")  # another query string, another answer
    assert calls["events"] == 2


def test_if_none_match_gives_304_without_a_body(served):
    client, _, _, calls = served
    etag = client.get("/api/v1/events?limit=5").headers["etag"]
    again = client.get("/api/v1/events?limit=5", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/api/v1/events?limit=5", headers={"If-None-Match": '"stale"'})
    assert other.status_code == 200 and other.content
    assert calls["events"] == 1


def test_a_write_drops_every_kept_answer(served):
    client, store, analyses, calls = served
    before = client.get("/api/v1/events?limit=50")
    stats = client.get("/api/v1/stats").json()
    extra = analyses[2]
    extra = replace(extra, article=replace(extra.article, id=stable_id("pagecache", "x")))
    store.save_batch([extra])
    after = client.get("/api/v1/events?limit=50", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200  # new content: the old ETag no longer matches
    assert after.headers["x-veille-cache"] == "miss" and calls["events"] == 2
    assert after.json()["total"] == before.json()["total"] + len(extra.events)
    assert after.headers["etag"] != before.headers["etag"]
    assert client.get("/api/v1/stats").json()["articles"] == stats["articles"] + 1


def test_what_is_not_kept(served):
    client, _, _, calls = served
    for _ in range(2):  # errors are not kept
        assert client.get("/api/v1/events?limit=0").status_code == 422
    assert "etag" not in client.get("/api/v1/events?limit=0").headers
    one = client.get("/api/v1/events?limit=1").json()["items"][0]["id"]
    for _ in range(2):  # one-item routes are not list pages
        assert "x-veille-cache" not in client.get(f"/api/v1/events/{one}").headers
    for _ in range(2):  # ranked search: the index changes apart from the store
        assert "x-veille-cache" not in client.get("/api/v1/articles?q=drone").headers
    assert client.get("/api/v1/articles?limit=3").headers["x-veille-cache"] == "miss"
    assert calls["events"] == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        (b"", False),
        (b'"abc"', True),
        (b'W/"abc"', True),
        (b'"x", "abc"', True),
        (b"*", True),
        (b'"abcd"', False),
    ],
)
def test_if_none_match_comparison(header, expected):
    assert matches(header, b'"abc"') is expected


def test_a_list_request_makes_at_most_two_thread_pool_hops(served, monkeypatch):
    """Only the endpoint and FastAPI's check of its answer run in the thread pool: the
    cheap dependencies (state, cursor, filters, page, unknown parameters) are coroutines."""
    import anyio.to_thread

    client, _, _, _ = served
    hops = []
    real = anyio.to_thread.run_sync

    async def counted(func, *args, **kwargs):
        hops.append(getattr(func, "__name__", repr(func)))
        return await real(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counted)
    response = client.get("/api/v1/events?type=ASSAULT&limit=3")
    assert response.status_code == 200
    assert len(hops) <= 2, hops
    assert response.headers["x-frame-options"] == "DENY"


def test_dashboard_pages_are_kept_until_a_write(served):
    client, store, analyses, calls = served
    first = client.get("/events?limit=5")
    again = client.get("/events?limit=5")
    assert first.status_code == again.status_code == 200
    assert again.headers["x-veille-cache"] == "hit" and again.content == first.content
    assert again.headers["content-type"].startswith("text/html")
    assert calls["events"] == 1
    extra = analyses[2]
    extra = replace(extra, article=replace(extra.article, id=stable_id("pagecache", "html")))
    store.save_batch([extra])
    after = client.get("/events?limit=5")
    assert after.headers["x-veille-cache"] == "miss" and calls["events"] == 2
    assert "x-veille-cache" not in client.get("/search?q=drone").headers
