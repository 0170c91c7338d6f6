"""What each dashboard page shows, as JSON: the pages, their JSON twins and the static
report all call these, so the HTML always shows what the API returns."""

from __future__ import annotations

from typing import Any

import duckdb

from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters
from veille.store.duckdb.ranked import Ranks

MAP_POINTS = 3000


def overview(
    con: duckdb.DuckDBPyConnection, f: Filters | None = None, ranks: Ranks | None = None
) -> dict[str, Any]:
    """Counts, timelines of events and incidents by type and day or month, top entities,
    latest events and aid, all limited to ``f``'s date range when it has one (``ranks``:
    the server's kept orders and values)."""
    f = f or Filters()
    span = Filters(date_from=f.date_from, date_to=f.date_to)
    aid = queries.aid_totals(con, span, ranks)
    return {
        "date_from": span.date_from.isoformat() if span.date_from else None,
        "date_to": span.date_to.isoformat() if span.date_to else None,
        "stats": queries.stats(con, span, aid, ranks),
        "timeline_events": queries.timeline(con, "events", span, ranks),
        "timeline_events_undated": queries.timeline_undated(con, "events", span, ranks),
        "timeline_incidents": queries.timeline(con, "incidents", span, ranks),
        "timeline_incidents_undated": queries.timeline_undated(con, "incidents", span, ranks),
        "top_entities": queries.list_entities(con, span, 12, 0, ranks=ranks)["items"],
        "latest_events": queries.list_events(con, span, 12, 0, ranks=ranks)["items"],
        "aid_by_donor_status": aid["by_donor_status"],
    }


def map_points(
    con: duckdb.DuckDBPyConnection, f: Filters | None = None, ranks: Ranks | None = None
) -> list[dict[str, Any]]:
    """Located events reduced to what the map draws (newest first, bounded)."""
    points = queries.event_points(con, f or Filters(), MAP_POINTS, ranks)
    for p in points:
        p["evidence"] = p["evidence"][:240]
        p["href"] = f"/articles/{p['article_id']}#ev-{p['id']}"
    return points


def geojson(points: list[dict[str, Any]]) -> dict[str, Any]:
    """Located events as a GeoJSON FeatureCollection (lon, lat order)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
                "properties": {k: v for k, v in p.items() if k not in ("lat", "lon")},
            }
            for p in points
        ],
    }


def aid_page(con: duckdb.DuckDBPyConnection, f: Filters, limit: int, offset: int) -> dict[str, Any]:
    return {
        "totals": queries.aid_totals(con, f),
        "commitments": queries.list_aid(con, f, limit, offset),
    }
