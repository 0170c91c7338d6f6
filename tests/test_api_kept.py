"""Whole-store answers (stats, overview, timelines, aid totals, outlets) are computed once
per store generation: a second request reuses the first's answer, any write makes the
next request compute again."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store
from veille.model import stable_id
from veille.store import open_store
from veille.store.duckdb import queries


@pytest.fixture
def app_and_store(tmp_path):
    from veille.api import create_app

    synth = load_synth_store()
    analyses = list(synth.demo_analyses())
    settings = synth.build_store(tmp_path / "k.duckdb", analyses[:2])
    store = open_store(settings.db_path)  # writable: the test writes while the API reads
    app = create_app(settings, store=store)
    yield app, store, analyses
    store.close()


def test_answers_kept_until_a_write(app_and_store, monkeypatch):
    app, store, analyses = app_and_store
    calls = {"stats": 0, "aid_totals": 0}
    for name in calls:
        real = getattr(queries, name)

        def counted(*args, _real=real, _name=name, **kwargs):
            calls[_name] += 1
            return _real(*args, **kwargs)

        monkeypatch.setattr(queries, name, counted)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        first = client.get("/api/v1/stats").json()
        assert client.get("/api/v1/stats").json() == first
        assert calls == {"stats": 1, "aid_totals": 1}  # stats includes the aid headline
        client.get("/api/v1/aid/totals")
        client.get("/api/v1/aid/totals")
        assert calls == {"stats": 1, "aid_totals": 2}
        before = queries.generation(store.connection())
        extra = analyses[2]
        extra = replace(extra, article=replace(extra.article, id=stable_id("kept", "x")))
        store.save_batch([extra])
        assert queries.generation(store.connection()) > before
        after = client.get("/api/v1/stats").json()
        assert after["articles"] == first["articles"] + 1
        assert calls["stats"] == 2
        # a filter is part of the key
        totals = calls["aid_totals"]
        client.get("/api/v1/aid/totals?donor=USA")
        assert calls["aid_totals"] == totals + 1


def test_aid_totals_from_the_kept_packages_equal_the_query(tmp_path):
    """A server reads every aid package once per generation and picks a date range's in
    Python: the same totals as filtering them in SQL."""
    from datetime import date, timedelta

    from veille.link import update_links
    from veille.settings import load_settings
    from veille.store.duckdb.ranked import Ranks

    synth = load_synth_store()
    settings = synth.build_store(tmp_path / "a.duckdb", list(synth.demo_analyses()))
    with open_store(settings.db_path) as store:
        update_links(store, load_settings(overrides={"db_path": settings.db_path}, env={}))
        con = store.connection()
        days = sorted(
            {r["day"] for r in queries._rows(con.execute(queries._AID_PACKAGES)) if r["day"]}
        )
        assert len(days) >= 2
        middle = date.fromisoformat(days[len(days) // 2])
        ranks = Ranks()
        ranges = [
            queries.Filters(),
            queries.Filters(date_from=middle),
            queries.Filters(date_to=middle),
            queries.Filters(date_from=middle - timedelta(days=1), date_to=middle),
            queries.Filters(date_from=date(2100, 1, 1)),
        ]
        for f in ranges:
            assert queries.aid_totals(con, f, ranks) == queries.aid_totals(con, f)
        assert (
            0
            < queries.aid_totals(con, ranges[1], ranks)["packages"]
            < len(queries._rows(con.execute(queries._AID_PACKAGES)))
        )
        # another filter than dates is the query's
        donor = queries.Filters(donor="USA", date_from=middle)
        assert queries.aid_totals(con, donor, ranks) == queries.aid_totals(con, donor)
