"""Counts by day that dated overviews read, kept when articles are stored.

An overview or a stats answer limited to a date range counts articles, outlets, claims,
entities, events and aid reports in that range. Counting them per request means scanning
every event, claim and entity mention (about 100 CPU-ms at 100,000 articles); these tables
hold the same counts grouped by day, so a range is a sum over a few hundred small rows.

- ``day_articles``, ``day_claims``, ``day_entities``, ``day_entity_forms``: by the
  publication day of articles dated to the day, week or month (what a date range keeps,
  ``queries._article_span``); the forms hold each entity's names, labels and countries
  (an entity list limited to dates shows the most frequent ones in the range).
- ``day_events``: by the place the timeline gives each event (``place_date`` and its
  precision, NULL when it has none), its type and whether it has coordinates.
- ``day_aid``: aid reports by their announcement day, else their article's publication day.

Each row only depends on the articles of its day (or place), so a write recomputes the
rows of the days its new and retired articles touch (``days_of``, ``refresh``): the tables
always equal a recount of the whole store (``rebuild``, migration 012).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb

_DATED = "a.published_precision IN ('day', 'week', 'month')"
_AID_DAY = "coalesce(c.announced_date, a.published_date)"

# table -> (the column its days are in, the query giving its rows where {days} holds)
_TABLES: dict[str, tuple[str, str, str]] = {
    "day_articles": (
        "published",
        "day",
        "SELECT a.published_date AS day, a.outlet, count(*) AS articles FROM articles a "
        f"WHERE {_DATED} AND {{days}} GROUP BY ALL",
    ),
    "day_claims": (
        "published",
        "day",
        "SELECT a.published_date AS day, c.verification, count(*) AS claims FROM claims c "
        f"JOIN articles a ON a.id = c.article_id WHERE {_DATED} AND {{days}} GROUP BY ALL",
    ),
    "day_entities": (
        "published",
        "day",
        "SELECT a.published_date AS day, coalesce(m.kb_id, m.name) AS key, "
        "count(*) AS mentions, count(DISTINCT m.article_id) AS articles "
        "FROM entity_mentions m JOIN articles a ON a.id = m.article_id "
        f"WHERE {_DATED} AND {{days}} GROUP BY 1, 2",
    ),
    "day_entity_forms": (
        "published",
        "day",
        "SELECT a.published_date AS day, coalesce(m.kb_id, m.name) AS key, m.kb_id, m.name, "
        "m.label, m.country, count(*) AS mentions "
        "FROM entity_mentions m JOIN articles a ON a.id = m.article_id "
        f"WHERE {_DATED} AND {{days}} GROUP BY ALL",
    ),
    "day_events": (
        "placed",
        "place_date",
        "SELECT e.place_date, e.place_precision, e.type, e.location_lat IS NOT NULL AS located, "
        "count(*) AS events FROM events e WHERE {days} GROUP BY ALL",
    ),
    "day_aid": (
        "aid",
        "day",
        f"SELECT {_AID_DAY} AS day, count(*) AS commitments FROM aid_commitments c "
        "LEFT JOIN articles a ON a.id = c.article_id WHERE {days} GROUP BY ALL",
    ),
}
# where each kind of day comes from, in the rows of the tables above
_SOURCE_DAY = {"published": "a.published_date", "placed": "e.place_date", "aid": _AID_DAY}


@dataclass(slots=True)
class Days:
    """The days whose rows a write changes, by kind (None: the undated rows)."""

    published: set[date] = field(default_factory=set)
    placed: set[date | None] = field(default_factory=set)
    aid: set[date | None] = field(default_factory=set)

    def update(self, other: Days) -> None:
        self.published |= other.published
        self.placed |= other.placed
        self.aid |= other.aid

    def __bool__(self) -> bool:
        return bool(self.published or self.placed or self.aid)


def days_of(conn: duckdb.DuckDBPyConnection, article_ids: Sequence[str]) -> Days:
    """The days these stored articles count on (call before deleting them, after storing)."""
    ids = list(article_ids)
    if not ids:
        return Days()
    wanted = "IN (SELECT unnest(?::VARCHAR[]))"

    def distinct(sql: str) -> set:
        return {row[0] for row in conn.execute(sql, [ids]).fetchall()}

    return Days(
        published=distinct(f"SELECT DISTINCT a.published_date FROM articles a WHERE a.id {wanted} "
                           f"AND {_DATED}"),
        placed=distinct(f"SELECT DISTINCT e.place_date FROM events e WHERE e.article_id {wanted}"),
        aid=distinct(
            f"SELECT DISTINCT {_AID_DAY} FROM aid_commitments c LEFT JOIN articles a "
            f"ON a.id = c.article_id WHERE c.article_id {wanted}"
        ),
    )  # fmt: skip


def _in_days(column: str, days: set) -> tuple[str, list]:
    """SQL keeping rows whose ``column`` is one of ``days`` (None: NULL)."""
    dated = sorted(d for d in days if d is not None)
    clause = f"{column} IN (SELECT unnest(?::DATE[]))"
    if None in days:
        clause = f"({clause} OR {column} IS NULL)"
    return clause, [dated]


def refresh(conn: duckdb.DuckDBPyConnection, days: Days) -> None:
    """Recount the rows of ``days`` from the stored articles (inside the write)."""
    for table, (kind, column, select) in _TABLES.items():
        touched = getattr(days, kind)
        if not touched:
            continue
        kept, kept_params = _in_days(column, touched)
        conn.execute(f"DELETE FROM {table} WHERE {kept}", kept_params)
        source, params = _in_days(_SOURCE_DAY[kind], touched)
        conn.execute(f"INSERT INTO {table} BY NAME {select.format(days=source)}", params)


def rebuild(conn: duckdb.DuckDBPyConnection) -> None:
    """Recount every row from the stored articles."""
    for table, (_, _, select) in _TABLES.items():
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} BY NAME {select.format(days='TRUE')}")


def recount(conn: duckdb.DuckDBPyConnection, table: str) -> str:
    """The query recounting every row of ``table`` (what tests compare it with)."""
    return _TABLES[table][2].format(days="TRUE")
