"""Counts and placements the read side needs on every page, kept when articles are stored.

The API lists articles with their event and claim counts, places events on timelines by
their date (else their article's), and lists entities by how many articles mention them.
Computing these per request means aggregating whole tables; instead the store updates
them for the articles each write adds or retires (migration 006 fills them for older
stores). Every function runs inside the caller's write transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

_ENTITY_KEY = "coalesce(kb_id, name)"


def entity_keys(conn: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> list[str]:
    """The entity keys these articles mention (to refresh once their mentions change)."""
    if not article_ids:
        return []
    rows = conn.execute(
        f"SELECT DISTINCT {_ENTITY_KEY} FROM entity_mentions "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [list(article_ids)],
    ).fetchall()
    return [r[0] for r in rows]


_PLACED = ("day", "week", "month")  # precisions a timeline can place


def fill_rows(tables: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Set on the rows a write is about to insert what ``refresh`` would set on them once
    inserted (article counts, event places), without querying the tables; returns the
    entity keys of the new mentions. ``tables``: table name -> rows (``rows.py`` dicts)."""
    articles = {row["id"]: row for row in tables.get("articles", ())}
    for row in articles.values():
        row["num_events"] = row["num_claims"] = 0
    for column, table in (("num_events", "events"), ("num_claims", "claims")):
        for row in tables.get(table, ()):
            if (article := articles.get(row["article_id"])) is not None:
                article[column] += 1
    for row in tables.get("events", ()):
        article = articles.get(row["article_id"])
        if article is None:
            continue
        if row["date_precision"] in _PLACED:
            row["place_date"], row["place_precision"] = row["date"], row["date_precision"]
        elif article["published_precision"] in _PLACED:
            row["place_date"] = article["published_date"]
            row["place_precision"] = article["published_precision"]
        else:
            row["place_date"] = row["place_precision"] = None
    keys = {
        row["name"] if row["kb_id"] is None else row["kb_id"]
        for row in tables.get("entity_mentions", ())
        if row["article_id"] in articles
    }
    return sorted(k for k in keys if k is not None)


def refresh_entities(conn: duckdb.DuckDBPyConnection, keys: Sequence[str]) -> None:
    """Recompute the ``entity_stats`` rows of these entity keys."""
    touched = sorted(set(keys))
    if not touched:
        return
    conn.execute("DELETE FROM entity_stats WHERE key IN (SELECT unnest(?::VARCHAR[]))", [touched])
    conn.execute(
        f"INSERT INTO entity_stats SELECT {_ENTITY_KEY}, any_value(kb_id), mode(name), "
        "mode(label), mode(country), count(*), count(DISTINCT article_id) FROM entity_mentions "
        f"WHERE {_ENTITY_KEY} IN (SELECT unnest(?::VARCHAR[])) GROUP BY {_ENTITY_KEY}",
        [touched],
    )


def rebuild_entities(conn: duckdb.DuckDBPyConnection) -> None:
    """Recompute every ``entity_stats`` row from all the mentions."""
    conn.execute("DELETE FROM entity_stats")
    conn.execute(
        f"INSERT INTO entity_stats SELECT {_ENTITY_KEY}, any_value(kb_id), mode(name), "
        "mode(label), mode(country), count(*), count(DISTINCT article_id) FROM entity_mentions "
        f"GROUP BY {_ENTITY_KEY}"
    )


def refresh(
    conn: duckdb.DuckDBPyConnection, article_ids: Sequence[str], keys: Sequence[str] = ()
) -> None:
    """Set the counts of newly stored ``article_ids`` and their events' places, and
    recompute the entity rows they (and ``keys``, e.g. a retired version's) touch."""
    ids = list(article_ids)
    if ids:
        conn.execute(
            "UPDATE articles SET num_events = 0, num_claims = 0 "
            "WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        )
        for column, table in (("num_events", "events"), ("num_claims", "claims")):
            conn.execute(
                f"UPDATE articles SET {column} = c.n FROM (SELECT article_id, count(*) AS n "
                f"FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
                "GROUP BY article_id) c WHERE c.article_id = articles.id",
                [ids],
            )
        conn.execute(
            "UPDATE events SET "
            "place_date = CASE WHEN events.date_precision IN ('day', 'week', 'month') "
            "THEN events.date WHEN a.published_precision IN ('day', 'week', 'month') "
            "THEN a.published_date END, "
            "place_precision = CASE WHEN events.date_precision IN ('day', 'week', 'month') "
            "THEN events.date_precision WHEN a.published_precision IN ('day', 'week', 'month') "
            "THEN a.published_precision END "
            "FROM articles a WHERE a.id = events.article_id "
            "AND events.article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        )
    refresh_entities(conn, [*entity_keys(conn, ids), *keys])
