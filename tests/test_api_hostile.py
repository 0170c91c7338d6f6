"""API regressions from the hostile-input audit (issue 12): items 4, 9, 12 and 16."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from test_api import load_synth_store

LOCAL = "http://127.0.0.1"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    from veille.api import create_app
    from veille.search import index_articles
    from veille.store import open_store

    synth = load_synth_store()
    analyses = synth.demo_analyses()
    settings = synth.build_store(
        tmp_path_factory.mktemp("hostile") / "demo.duckdb",
        analyses,
        synth.demo_incidents(analyses),
    )
    with open_store(settings.db_path) as store:
        index_articles(store, settings)
    application = create_app(settings)
    yield application
    application.state.veille.store.close()


@pytest.fixture(scope="module")
def client(app):
    with TestClient(app, base_url=LOCAL, raise_server_exceptions=False) as c:
        yield c


# --- 4: date filters anywhere in the calendar --------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "q=drones&date_from=0001-01-01",
        "q=drones&date_to=9999-12-31",
        "q=drones&date_from=1500-01-01&date_to=1600-12-31",
        "date_from=0001-01-01&date_to=9999-12-31",
    ],
)
def test_4_search_with_any_date_filter_answers(client, query):
    response = client.get(f"/api/v1/articles?{query}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")


def test_4_bad_dates_are_422_with_documented_fields(client):
    for value in ("0", "10000-01-01", "2023-02-30", "yesterday"):
        response = client.get(f"/api/v1/events?date_from={value}")
        assert response.status_code == 422, value
        (error,) = response.json()["detail"]
        assert set(error) == {"loc", "msg", "type"}
        assert error["loc"] == ["query", "date_from"]


# --- 9: filters a route does not apply ---------------------------------------------------


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/api/v1/events?q=zzzz", "q"),
        ("/api/v1/articles?article_id=zzzz", "article_id"),
        ("/api/v1/incidents?outlet=x", "outlet"),
        ("/api/v1/timeline?country=UKR", "country"),
        ("/api/v1/aid?verification=confirmed", "verification"),
        ("/api/v1/stats?type=ASSAULT", "type"),
    ],
)
def test_9_a_filter_the_route_ignores_is_refused(client, url, name):
    response = client.get(url)
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", name], "msg": "unknown parameter", "type": "extra_forbidden"}
    ]


def test_12_a_parameter_given_twice_is_refused(client):
    response = client.get("/api/v1/events?offset=0&offset=1")
    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["query", "offset"], "msg": "given more than once", "type": "value_error"}
    ]


def test_9_the_spec_lists_only_the_filters_each_route_applies(client):
    spec = client.get("/openapi.json").json()["paths"]

    def names(path: str) -> set[str]:
        return {p["name"] for p in spec[path]["get"]["parameters"]}

    assert "q" not in names("/api/v1/events")
    assert "article_id" not in names("/api/v1/articles")
    assert names("/api/v1/timeline") == {"kind", "type", "date_from", "date_to"}
    kind = next(p for p in spec["/api/v1/timeline"]["get"]["parameters"] if p["name"] == "kind")
    assert kind["schema"]["anyOf"][0]["$ref"].endswith("TimelineKind")


def test_9_filters_that_are_applied_still_filter(client):
    everything = client.get("/api/v1/events").json()["total"]
    assert everything > 0
    assert client.get("/api/v1/events?article_id=zzzz").json()["total"] == 0
    assert client.get("/api/v1/entities?q=zzzz").json()["total"] == 0


# --- 12: responses as documented -------------------------------------------------------


def test_12_documented_error_responses(client):
    spec = client.get("/openapi.json").json()["paths"]
    assert "404" in spec["/api/v1/articles/{article_id}"]["get"]["responses"]
    assert {"401", "403"} <= set(spec["/api/v1/admin/reindex"]["post"]["responses"])
    export = spec["/api/v1/export/{table}.{fmt}"]["get"]["responses"]["200"]["content"]
    assert {"text/csv", "application/x-ndjson", "application/vnd.apache.parquet"} <= set(export)
    assert client.get("/api/v1/articles/nope").json() == {"detail": "no article 'nope'"}


def test_12_an_unexpected_error_is_json_not_plain_text(app, client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("veille.store.duckdb.queries.stats", broken)
    response = client.get("/api/v1/stats")
    assert response.status_code == 500
    assert response.json() == {"code": "V600", "detail": "internal error: RuntimeError"}


# --- 16: Host header (DNS rebinding) -----------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "127.0.0.1:8000"])
def test_16_loopback_hosts_are_served(client, host):
    assert client.get("/api/v1/stats", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example"])
def test_16_other_hosts_are_refused(client, host):
    response = client.get("/api/v1/stats", headers={"Host": host})
    assert response.status_code == 400
    assert "items" not in response.text and "articles" not in response.text


def test_16_the_bound_host_and_named_hosts_are_allowed():
    from veille.api import allowed_hosts

    assert allowed_hosts("192.168.1.20", ("veille.lan",)) == [
        "127.0.0.1",
        "localhost",
        "[::1]",
        "192.168.1.20",
        "veille.lan",
    ]
    assert allowed_hosts("0.0.0.0") == ["127.0.0.1", "localhost", "[::1]"]
    assert allowed_hosts("fe80::1")[-1] == "[fe80::1]"


def test_9_downloads_take_only_their_views_filters(client):
    spec = client.get("/openapi.json").json()["paths"]
    names = {p["name"] for p in spec["/api/v1/download/articles.{fmt}"]["get"]["parameters"]}
    assert names == {"fmt", "q", "entity", "type", "country", "verification", "outlet",
                     "date_from", "date_to"}  # fmt: skip
    assert client.get("/api/v1/download/articles.csv?status=announced").status_code == 422
    assert client.get("/api/v1/download/aid.csv?status=announced").status_code == 200
    assert client.get("/api/v1/download/claims.geojson").status_code == 404
