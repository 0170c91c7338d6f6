"""Tables ``sources`` and ``fetched_urls``: what Veille watches and what it has fetched.

Mixed into ``DuckDBStore``; writes go through its ``_write`` (one transaction each).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from veille.model import Source, SourceKind
from veille.store.duckdb.rows import ts_read, ts_write

_SOURCE_COLUMNS = tuple(f.name for f in fields(Source))
_TIME_COLUMNS = {"added_at", "last_fetch_at", "last_new_at", "next_poll_at"}
_FETCHED_COLUMNS = (
    "url",
    "source_id",
    "first_seen",
    "last_try",
    "status",
    "attempts",
    "raw_hash",
    "article_id",
    "detail",
)


def _source_read(row: dict[str, Any]) -> Source:
    values = {name: row[name] for name in _SOURCE_COLUMNS}
    for name in _TIME_COLUMNS:
        values[name] = ts_read(values[name])
    values["kind"] = SourceKind(values["kind"]) if values["kind"] else None
    return Source(**values)


def _source_row(source: Source) -> dict[str, Any]:
    row = asdict(source)
    for name in _TIME_COLUMNS:
        row[name] = ts_write(row[name])
    row["kind"] = source.kind.value if source.kind else None
    return row


def source_rows(con) -> list[Source]:
    """Every source, by name then URL (for a read cursor: the API's sources page)."""
    cursor = con.execute("SELECT * FROM sources ORDER BY coalesce(name, url), url")
    names = [d[0] for d in cursor.description]
    return [_source_read(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


class SourcesMixin:
    """Source and fetched-URL bookkeeping for ``DuckDBStore``."""

    def add_source(self, source: Source) -> bool:
        """Store a new source; False (and nothing changed) when its URL is already watched."""

        def write() -> bool:
            found = self._conn.execute(
                "SELECT 1 FROM sources WHERE url = ? OR id = ?", [source.url, source.id]
            ).fetchone()
            if found:
                return False
            row = _source_row(source)
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            self._conn.execute(
                f"INSERT INTO sources ({columns}) VALUES ({marks})", list(row.values())
            )
            return True

        return self._write(write)

    def list_sources(self) -> list[Source]:
        return source_rows(self._conn)

    def find_sources(self, key: str) -> list[Source]:
        """Sources whose URL or name equals ``key``, or whose id starts with it."""
        rows = self._query(
            "SELECT * FROM sources WHERE url = ? OR name = ? OR starts_with(id, ?) ORDER BY url",
            [key, key, key],
        )
        return [_source_read(r) for r in rows]

    def remove_source(self, source_id: str) -> bool:
        def write() -> bool:
            found = self._conn.execute("SELECT 1 FROM sources WHERE id = ?", [source_id]).fetchone()
            self._conn.execute("DELETE FROM sources WHERE id = ?", [source_id])
            return found is not None

        return self._write(write)

    def due_sources(self, now: datetime) -> list[Source]:
        """Sources never polled or whose next poll time has come, oldest due first."""
        rows = self._query(
            "SELECT * FROM sources WHERE next_poll_at IS NULL OR next_poll_at <= ? "
            "ORDER BY next_poll_at NULLS FIRST, url",
            [ts_write(now)],
        )
        return [_source_read(r) for r in rows]

    def update_source(self, source: Source) -> None:
        """Write back a source's fetch state (everything but its id)."""
        row = _source_row(source)
        row.pop("id")
        sets = ", ".join(f"{name} = ?" for name in row)
        self._write(
            lambda: self._conn.execute(
                f"UPDATE sources SET {sets} WHERE id = ?", [*row.values(), source.id]
            )
        )

    def fetched_states(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]:
        """``{url: {status, attempts, article_id, ...}}`` for the URLs already met."""
        wanted = list(dict.fromkeys(urls))
        if not wanted:
            return {}
        rows = self._query(
            "SELECT * FROM fetched_urls WHERE url IN (SELECT unnest(?::VARCHAR[]))", [wanted]
        )
        return {r["url"]: r for r in rows}

    def record_fetched(self, records: Iterable[dict[str, Any]]) -> None:
        """Upsert ``fetched_urls`` rows; ``attempts`` grows by one on each new try."""
        rows = [{name: r.get(name) for name in _FETCHED_COLUMNS} for r in records]
        if not rows:
            return
        for row in rows:
            row["first_seen"] = ts_write(row["first_seen"])
            row["last_try"] = ts_write(row["last_try"])

        def write() -> None:
            for row in rows:
                self._conn.execute(
                    "INSERT INTO fetched_urls VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?) "
                    "ON CONFLICT (url) DO UPDATE SET last_try = excluded.last_try, "
                    "status = excluded.status, attempts = fetched_urls.attempts + 1, "
                    "raw_hash = coalesce(excluded.raw_hash, fetched_urls.raw_hash), "
                    "article_id = coalesce(excluded.article_id, fetched_urls.article_id), "
                    "detail = excluded.detail",
                    [
                        row["url"],
                        row["source_id"],
                        row["first_seen"],
                        row["last_try"],
                        row["status"],
                        row["raw_hash"],
                        row["article_id"],
                        row["detail"],
                    ],
                )

        self._write(write)

    def source_article_counts(self) -> dict[str, int]:
        """Articles stored per source (through the URLs fetched for it)."""
        rows = self._conn.execute(
            "SELECT source_id, count(*) FROM fetched_urls WHERE status = 'stored' "
            "GROUP BY source_id"
        ).fetchall()
        return {r[0]: r[1] for r in rows}
