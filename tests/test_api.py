"""The JSON API under /api/v1, endpoint by endpoint, on a small hand-made store.

The store holds ``bench/synth_store.demo_analyses()``: three French articles (drones over
Crimea claimed by Russia, strikes on Samara with a US arms deal under negotiation, German
aid announced by Pistorius) and one hostile article full of HTML; offsets are exact.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

BENCH = Path(__file__).resolve().parents[1] / "bench"


def load_synth_store():
    """bench/synth_store.py (not a package), loaded by path."""
    name = "veille_bench_synth_store"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, BENCH / "synth_store.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    synth = load_synth_store()
    analyses = synth.demo_analyses()
    settings = synth.build_store(
        tmp_path_factory.mktemp("api") / "demo.duckdb", analyses, synth.demo_incidents(analyses)
    )
    return settings, analyses


@pytest.fixture(scope="module")
def client(demo):
    from veille.api import create_app

    settings, _ = demo
    app = create_app(settings)
    with TestClient(app, base_url="http://127.0.0.1") as c:
        yield c
    app.state.veille.store.close()


@pytest.fixture(scope="module")
def ids(demo):
    _, analyses = demo
    crimea, samara, aid, hostile = analyses
    return {
        "crimea": crimea.article.id,
        "samara": samara.article.id,
        "aid": aid.article.id,
        "hostile": hostile.article.id,
        "crimea_event": crimea.events[0].id,
    }


def get(client: TestClient, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, (url, response.text[:500])
    return response.json()


def assert_page(body: dict) -> None:
    assert set(body) >= {"items", "total"}
    assert isinstance(body["items"], list)
    assert body["total"] >= len(body["items"])


# ---------------------------------------------------------------------------
# Overview


def test_stats_counts_everything(client):
    stats = get(client, "/api/v1/stats")
    assert stats["articles"] == 4
    assert stats["events"] == 5
    assert stats["incidents"] == 3
    assert stats["aid_commitments"] == 3
    assert stats["claims"] == 3
    assert stats["located_events"] == 4
    assert stats["events_by_type"] == {"ASSAULT": 3, "AID": 1, "CONSULT": 1}
    # the headline is what is committed or delivered (POL, no value); the DEU package is
    # only announced and the US deal is a purchase under negotiation: neither is added in
    assert stats["aid_usd"] == 0
    assert stats["aid_usd_pledged"] == pytest.approx(1_407_000_000)
    assert stats["aid_packages"] == 2 and "each counted once" in stats["aid_usd_includes"]
    assert (stats["first_published"], stats["last_published"]) == ("2023-10-04", "2023-10-07")


def test_overview_is_the_home_page_twin(client):
    body = get(client, "/api/v1/overview")
    assert body["stats"]["articles"] == 4
    days = {(r["day"], r["type"]): r["count"] for r in body["timeline_events"]}
    assert days[("2023-10-05", "ASSAULT")] == 2
    assert days[("2023-10-04", "ASSAULT")] == 1
    assert {r["donor"] for r in body["aid_by_donor_status"]} == {"DEU", "POL"}  # no purchases
    assert body["top_entities"][0]["key"] == "kyiv"  # in three articles
    assert 'rel="alternate" type="application/json" href="/api/v1/overview"' in client.get("/").text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "kind=events",
            {
                ("2023-10-04", "ASSAULT"),
                ("2023-10-05", "ASSAULT"),
                ("2023-10-05", "AID"),
                ("2023-10-05", "CONSULT"),
            },
        ),
        ("kind=events&type=AID", {("2023-10-05", "AID")}),
        ("kind=incidents", {("2023-10-04", "ASSAULT"), ("2023-10-05", "ASSAULT")}),
        (
            "kind=events&date_from=2023-10-05&date_to=2023-10-05&type=ASSAULT",
            {("2023-10-05", "ASSAULT")},
        ),
    ],
)
def test_timeline_by_day_and_type(client, query, expected):
    body = get(client, f"/api/v1/timeline?{query}")
    assert_page(body)
    assert {(r["day"], r["type"]) for r in body["items"]} == expected


def test_outlets(client):
    body = get(client, "/api/v1/outlets")
    assert {r["outlet"]: r["articles"] for r in body["items"]}["Le Monde"] == 2


# ---------------------------------------------------------------------------
# Articles and search


def test_articles_list_newest_first(client, ids):
    body = get(client, "/api/v1/articles?limit=2")
    assert body["total"] == 4 and len(body["items"]) == 2
    assert body["items"][0]["id"] == ids["hostile"]  # 2023-10-07
    second = get(client, "/api/v1/articles?limit=2&offset=2")
    assert [a["id"] for a in second["items"]] == [ids["samara"], ids["crimea"]]


def test_article_search_is_french_aware(client, ids):
    body = get(client, "/api/v1/articles?q=drone")  # singular finds "drones"
    assert body["engine"] == "index"
    found = [a["id"] for a in body["items"]]
    assert found[0] == ids["crimea"]  # in the title and twice in the body
    hit = body["items"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower().startswith("drone")
    assert hit["title"].startswith("La Russie affirme")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=defense", {"crimea", "aid", "hostile"}),  # accents folded: Défense
        ("q=munition", {"samara"}),
        ("q=drones&type=ASSAULT&verification=unverified", {"crimea"}),
        ("q=drone&country=RUS", {"crimea", "hostile"}),
        ("q=Kiev&entity=pistorius", {"aid"}),
        ("q=Kiev&outlet=Le%20Monde", {"crimea", "aid"}),
        ("q=Kiev&date_from=2023-10-05", {"samara", "aid"}),
        ("type=AID", {"aid"}),
        ("q=introuvablexyz", set()),
    ],
)
def test_article_search_filters(client, ids, query, expected):
    body = get(client, f"/api/v1/articles?{query}")
    assert {a["id"] for a in body["items"]} == {ids[k] for k in expected}
    assert body["total"] == len(expected)


def test_empty_form_fields_mean_any(client, ids):
    body = get(client, "/api/v1/articles?q=dr%C3%B4ne&type=&country=&date_from=&verification=")
    assert body["items"][0]["id"] == ids["crimea"]
    assert client.get("/search?q=&type=&outlet=").status_code == 200


def test_article_has_every_annotation_with_offsets(client, ids, demo):
    body = get(client, f"/api/v1/articles/{ids['crimea']}")
    text = body["article"]["text"]
    for key in ("entities", "quantities", "times", "events", "claims"):
        assert body[key], key
    for mention in body["entities"]:
        assert text[mention["start"] : mention["end"]] == mention["text"]
    event = body["events"][0]
    assert event["type"] == "ASSAULT"
    assert text[event["sentence"]["start"] : event["sentence"]["end"]] == event["sentence"]["text"]
    assert event["quantities"] == [
        {"value": 31, "unit": "drone", "role": "intercepted", "qualifier": "exact"}
    ]
    assert event["date"] == {"date": "2023-10-04", "precision": "day"}
    assert body["claims"][0]["verification"] == "unverified"
    assert body["article"]["published"] == {"date": "2023-10-04", "precision": "day"}


def test_unknown_article_is_404(client):
    assert client.get("/api/v1/articles/nope").status_code == 404
    assert client.get("/articles/nope").status_code == 404


# ---------------------------------------------------------------------------
# Events and incidents


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ("", 5),
        ("type=ASSAULT", 3),
        ("type=ASSAULT&country=RUS", 3),
        ("country=USA", 1),
        ("verification=unverified", 1),
        ("located=true", 4),
        # the event's own date, else its article's (as the timeline bins it): the CONSULT has
        # no date of its own and counts on its article's day
        ("date_from=2023-10-05", 4),
        ("date_to=2023-10-04", 1),
        ("entity=samara", 2),  # events located there or in articles naming it
        ("outlet=Le%20Monde", 2),
        ("mode=drone", 2),
    ],
)
def test_events_filters(client, query, count):
    body = get(client, f"/api/v1/events?{query}")
    assert_page(body)
    assert body["total"] == count


def test_events_paginate(client):
    first = get(client, "/api/v1/events?limit=2")
    rest = get(client, "/api/v1/events?limit=2&offset=2")
    beyond = get(client, "/api/v1/events?limit=2&offset=10")
    assert first["total"] == rest["total"] == beyond["total"] == 5
    assert len(first["items"]) == 2 and len(rest["items"]) == 2 and beyond["items"] == []
    assert not {e["id"] for e in first["items"]} & {e["id"] for e in rest["items"]}


def test_event_record_shape(client, ids):
    event = get(client, f"/api/v1/events/{ids['crimea_event']}")
    assert event["article_id"] == ids["crimea"]
    assert event["actor"]["country"] == "UKR" and event["target"]["country"] == "RUS"
    assert event["location"] == {
        "name": "Cape Tarkhankut",
        "country": "UKR",
        "kb_id": "tarkhankut",
        "lat": 45.35,
        "lon": 32.5,
    }
    assert event["claimed_by"] == "RUS"
    assert event["trigger"]["text"] == "abattu"
    assert client.get("/api/v1/events/nope").status_code == 404


def test_map_points_link_to_evidence(client, ids):
    body = get(client, "/api/v1/map")
    assert body["total"] == 4
    point = next(p for p in body["items"] if p["id"] == ids["crimea_event"])
    assert point["href"] == f"/articles/{ids['crimea']}#ev-{ids['crimea_event']}"
    assert (point["lat"], point["lon"]) == (45.35, 32.5)


def test_incidents(client):
    body = get(client, "/api/v1/incidents")
    assert body["total"] == 3
    assert get(client, "/api/v1/incidents?verification=unverified")["total"] == 1
    first = body["items"][0]
    detail = get(client, f"/api/v1/incidents/{first['id']}")
    assert [e["id"] for e in detail["events"]]
    assert client.get("/api/v1/incidents/nope").status_code == 404


# ---------------------------------------------------------------------------
# Aid, claims, entities


def test_aid_list_and_filters(client):
    body = get(client, "/api/v1/aid")
    assert body["total"] == 3
    assert body["items"][0]["donor"] == "USA"  # largest first
    assert body["items"][0]["value_exact"] == "50000000000"
    assert get(client, "/api/v1/aid?status=delivered")["items"][0]["donor"] == "POL"
    assert get(client, "/api/v1/aid?donor=DEU")["items"][0]["items"][0]["system"] == "IRIS-T"


def test_aid_totals_by_donor_and_status_in_usd(client):
    body = get(client, "/api/v1/aid/totals")
    by_donor = {r["donor"]: r["usd"] for r in body["by_donor"]}
    assert by_donor == {"DEU": 1_407_000_000, "POL": 0}  # the US purchase is not aid
    by_status = {r["status"]: r["count"] for r in body["by_status"]}
    assert by_status == {"announced": 1, "delivered": 1}
    groups = {g["key"]: (g["usd"], g["count"]) for g in body["groups"]}
    assert groups == {
        "committed": (0, 1),
        "pledged": (pytest.approx(1_407_000_000), 1),
        "suspended": (0, 0),
        "unknown": (0, 0),
    }
    assert (body["purchases"]["usd"], body["purchases"]["count"]) == (50_000_000_000, 1)
    assert body["total_usd"] == body["headline"]["usd"] == 0
    assert "not announcements" in body["headline"]["includes"]
    pledged = get(client, "/api/v1/aid/totals?recipient=UKR&kind=military")["groups"][1]
    assert pledged["usd"] > 0


def test_claims(client):
    body = get(client, "/api/v1/claims")
    assert body["total"] == 3
    assert (
        get(client, "/api/v1/claims?verification=confirmed")["items"][0]["speaker"]["name"]
        == "Boris Pistorius"
    )
    russian = get(client, "/api/v1/claims?speaker=RUS")
    assert russian["total"] == 1
    assert russian["items"][0]["verification_evidence"]["text"].startswith("Cette affirmation")


def test_entities_and_entity_page(client, ids):
    body = get(client, "/api/v1/entities?label=LOC")
    assert body["items"][0]["key"] == "kyiv"
    assert get(client, "/api/v1/entities?q=pistor")["items"][0]["name"] == "Boris Pistorius"
    kyiv = get(client, "/api/v1/entities/kyiv?limit=2")
    assert kyiv["articles"] == 3
    assert kyiv["mention_list"]["total"] == 3 and len(kyiv["mention_list"]["items"]) == 2
    related = {o["key"] for o in kyiv["cooccurring"]}
    assert {"pistorius", "crimea", "samara"} <= related and "kyiv" not in related
    assert client.get("/api/v1/entities/nope").status_code == 404


# ---------------------------------------------------------------------------
# Exports


def test_export_csv(client):
    response = client.get("/api/v1/export/events.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 5 and {"type", "sentence_text", "location_lat"} <= set(rows[0])


def test_export_parquet(client):
    response = client.get("/api/v1/export/aid.parquet")
    table = pq.read_table(io.BytesIO(response.content))
    assert table.num_rows == 3 and "usd_value" in table.column_names


def test_export_json_lines(client):
    response = client.get("/api/v1/export/claims.json")
    rows = [json.loads(line) for line in response.text.splitlines()]
    assert len(rows) == 3 and all("content_text" in r for r in rows)


def test_export_geojson(client):
    body = client.get("/api/v1/export/events.geojson").json()
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 4
    lon, lat = body["features"][-1]["geometry"]["coordinates"]
    assert -180 <= lon <= 180 and -90 <= lat <= 90


def test_export_rejects_unknown_table_or_format(client):
    assert client.get("/api/v1/export/secrets.csv").status_code == 422
    assert client.get("/api/v1/export/events.xlsx").status_code == 422


# ---------------------------------------------------------------------------
# Documentation and pages


def test_openapi_lists_every_endpoint(client):
    paths = set(client.get("/openapi.json").json()["paths"])
    for path in (
        "/api/v1/stats",
        "/api/v1/overview",
        "/api/v1/timeline",
        "/api/v1/articles",
        "/api/v1/articles/{article_id}",
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/incidents",
        "/api/v1/incidents/{incident_id}",
        "/api/v1/aid",
        "/api/v1/aid/totals",
        "/api/v1/claims",
        "/api/v1/entities",
        "/api/v1/entities/{key}",
        "/api/v1/map",
        "/api/v1/export/events.geojson",
        "/api/v1/export/{table}.{fmt}",
    ):
        assert path in paths
    assert "/api/v1/events" in client.get("/api").text


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/map",
        "/events",
        "/incidents",
        "/aid",
        "/claims",
        "/entities",
        "/entities/kyiv",
        "/search?q=drone",
        "/api",
    ],
)
def test_pages_render_with_a_json_twin(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert 'rel="alternate" type="application/json"' in response.text


def test_article_page_marks_evidence(client, ids):
    html = client.get(f"/articles/{ids['crimea']}").text
    assert f'data-ann="ev-{ids["crimea_event"]}' in html or f"ev-{ids['crimea_event']}" in html
    assert 'href="#ev-' in html
    events_html = client.get("/events").text
    assert f'href="/articles/{ids["crimea"]}#ev-{ids["crimea_event"]}"' in events_html


def test_static_assets_are_bundled(client):
    assert client.get("/static/charts.js").status_code == 200
    assert client.get("/static/app.css").status_code == 200
    world = client.get("/static/europe.geo.json").json()
    assert any(f["properties"]["name"] == "Ukraine" for f in world["features"])


# ---------------------------------------------------------------------------
# Writes


def test_reindex_needs_a_configured_token(client, monkeypatch):
    state = client.app.state.veille
    assert client.post("/api/v1/admin/reindex").status_code == 403
    monkeypatch.setattr(state, "token", "s3cret")
    assert client.post("/api/v1/admin/reindex").status_code == 401
    assert (
        client.post("/api/v1/admin/reindex", headers={"Authorization": "Bearer nope"}).status_code
        == 401
    )
    ok = client.post("/api/v1/admin/reindex", headers={"Authorization": "Bearer s3cret"})
    assert ok.status_code == 200 and ok.json() == {"added": 0}  # already indexed


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_api_is_read_only(client, method, ids):
    response = getattr(client, method)(f"/api/v1/articles/{ids['crimea']}")
    assert response.status_code == 405
