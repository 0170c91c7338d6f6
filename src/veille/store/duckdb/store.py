"""The DuckDB store: one file, one writer, one transaction per batch."""

from __future__ import annotations

import contextlib
import copy
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from veille.errors import StoreError
from veille.model import (
    Analysis,
    Article,
    DuplicateGroup,
    Event,
    Incident,
    MergedAid,
    Story,
)
from veille.store.duckdb import daycounts, readcounts
from veille.store.duckdb import rows as R
from veille.store.duckdb.migrate import apply_migrations, available_migrations, current_version
from veille.store.duckdb.sources import SourcesMixin

# Annotation tables: (table, reader). Rows are keyed (article_id, idx).
_ANNOTATIONS = (
    ("entity_mentions", "entities", R.entity_read),
    ("quantities", "quantities", R.quantity_read),
    ("times", "times", R.time_read),
    ("events", "events", R.event_read),
    ("aid_commitments", "aid", R.aid_read),
    ("claims", "claims", R.claim_read),
)
_ITER_CHUNK = 200


# The first and last day a DATE + precision may stand for (veille.link.incidents.date_interval);
# NULL when unknown.
_PERIOD_FIRST = (
    "(CASE WHEN date_precision IN ('day', 'week') THEN date "
    "WHEN date_precision = 'month' THEN date_trunc('month', date)::DATE "
    "WHEN date_precision = 'year' THEN date_trunc('year', date)::DATE END)"
)
_PERIOD_LAST = (
    "(CASE WHEN date_precision = 'day' THEN date "
    "WHEN date_precision = 'week' THEN (date + INTERVAL 6 DAY)::DATE "
    "WHEN date_precision = 'month' THEN last_day(date) "
    "WHEN date_precision = 'year' THEN make_date(year(date), 12, 31) END)"
)


def _overlaps(
    first: str, last: str, since: date | None, until: date | None, include_undated: bool
) -> tuple[list[str], list[Any]]:
    """SQL keeping periods [first, last] that overlap [since, until]; without a range every
    row, with one the undated rows only when ``include_undated``."""
    if since is None and until is None:
        return [], []
    clauses, params = [f"{first} IS NOT NULL"], []
    if since is not None:
        clauses.append(f"{last} >= ?")
        params.append(since)
    if until is not None:
        clauses.append(f"{first} <= ?")
        params.append(until)
    dated = " AND ".join(clauses)
    return [f"({first} IS NULL OR ({dated}))" if include_undated else f"({dated})"], params


def _incident_where(
    *,
    type: str | None = None,
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
    include_undated: bool = False,
    verification: str | None = None,
    min_sources: int = 0,
) -> tuple[str, list[Any]]:
    clauses, params = _overlaps(_PERIOD_FIRST, _PERIOD_LAST, since, until, include_undated)
    for sql, value in (
        ("type = ?", type),
        ("? IN (actor, target, location_country)", country),
        ("verification = ?", verification),
    ):
        if value:
            clauses.append(sql)
            params.append(value)
    if min_sources:
        clauses.append("num_sources >= ?")
        params.append(min_sources)
    return " AND ".join(clauses) or "TRUE", params


def _story_where(
    *,
    since: date | None = None,
    until: date | None = None,
    include_undated: bool = False,
    entity: str | None = None,
) -> tuple[str, list[Any]]:
    # a story's span is its articles' publication dates (either end standing for both)
    clauses, params = _overlaps(
        "coalesce(s.first_date, s.last_date)",
        "coalesce(s.last_date, s.first_date)",
        since,
        until,
        include_undated,
    )
    if entity:
        clauses.append(
            "(contains(lower(s.label), lower(?)) "
            "OR len(list_filter(s.top_entities, lambda x: contains(lower(x), lower(?)))) > 0)"
        )
        params += [entity, entity]
    return " AND ".join(clauses) or "TRUE", params


def _duplicate_where(*, kind: str | None = None, outlet: str | None = None) -> tuple[str, list]:
    clauses, params = [], []
    if kind:
        clauses.append("kind = ?")
        params.append(kind)
    if outlet:
        clauses.append("list_contains(outlets, ?)")
        params.append(outlet)
    return " AND ".join(clauses) or "TRUE", params


def _fetch_dicts(cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class DuckDBStore(SourcesMixin):
    """A Veille database in one DuckDB file. See ``veille.store`` for the tables."""

    def __init__(
        self,
        path: str | Path,
        *,
        read_only: bool = False,
        memory_limit: str | None = None,
        threads: int | None = None,
    ) -> None:
        self.path = str(path)
        self.read_only = read_only
        # entity keys whose entity_stats rows wait for the end of a run (deferred_entity_stats)
        self._deferred_keys: set[str] | None = None
        self._deferred_days: daycounts.Days | None = None  # and day counts (daycounts)
        if read_only and self.path != ":memory:" and not Path(self.path).exists():
            raise StoreError("no database here yet; run `veille run PATHS` first", path=self.path)
        try:
            # DuckDB's buffer is the only part of a run's memory that grows with the store
            config: dict[str, Any] = {"memory_limit": memory_limit} if memory_limit else {}
            if threads:
                config["threads"] = threads
            self._conn = duckdb.connect(self.path, read_only=read_only, config=config)
        except duckdb.IOException as exc:
            raise StoreError(
                f"cannot open the database (in use by another process?): {exc}", path=self.path
            ) from exc
        except duckdb.Error as exc:
            raise StoreError(f"cannot open the database: {exc}", path=self.path) from exc
        if read_only:
            latest = available_migrations()[-1].version
            if current_version(self._conn) < latest:
                self._conn.close()
                raise StoreError(
                    "database schema is older than this Veille; open it once for writing "
                    "(e.g. `veille run`) to migrate it",
                    path=self.path,
                )
        else:
            apply_migrations(self._conn, db_path=self.path)

    # -- plumbing ------------------------------------------------------------

    def writer_store(self) -> DuckDBStore:
        """Another handle on this database with a connection of its own (a cursor), so one
        thread can write while others read through theirs (``veille serve --watch``)."""
        if self.read_only:
            raise StoreError("the store was opened read-only", path=self.path)
        other = object.__new__(DuckDBStore)
        other.__dict__.update(self.__dict__)
        other._conn = self._conn.cursor()
        other._deferred_keys = None
        other._deferred_days = None
        return other

    @contextlib.contextmanager
    def deferred_entity_stats(self) -> Iterator[None]:
        """Within: each ``save_batch`` notes the entity keys and days it touches instead of
        recomputing their ``entity_stats`` and day count rows, which scans every mention (a
        cost that grows with the store, per batch); on leaving, one recompute for all of
        them. A run killed inside leaves those rows stale: ``rebuild_entity_stats`` (the next
        run) fixes them."""
        self._deferred_keys = set()
        self._deferred_days = daycounts.Days()
        try:
            yield
        finally:
            keys, self._deferred_keys = self._deferred_keys, None
            days, self._deferred_days = self._deferred_days, None
            if keys or days:
                self._write(self._recount, sorted(keys), days)

    def _recount(self, keys: list[str], days: daycounts.Days) -> None:
        readcounts.refresh_entities(self._conn, keys)
        daycounts.refresh(self._conn, days)

    def _count_days(self, days: daycounts.Days) -> None:
        """Recount the day count rows of ``days`` now, or at the end of a deferring run."""
        if self._deferred_days is not None:
            self._deferred_days.update(days)
        else:
            daycounts.refresh(self._conn, days)

    def rebuild_entity_stats(self) -> None:
        """Recompute every ``entity_stats`` and day count row (after a run killed while
        deferring them)."""
        self._write(self._rebuild_counts)

    def _rebuild_counts(self) -> None:
        readcounts.rebuild_entities(self._conn)
        daycounts.rebuild(self._conn)

    def connection(self) -> duckdb.DuckDBPyConnection:
        """The underlying connection, for read-only query modules."""
        return self._conn

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> DuckDBStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        return _fetch_dicts(self._conn.execute(sql, params or []))

    def _insert(self, table: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            return
        arrow_rows = pa.Table.from_pylist(rows)  # noqa: F841 - read by DuckDB's replacement scan
        self._conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM arrow_rows")

    def on_connection(self, conn: duckdb.DuckDBPyConnection) -> DuckDBStore:
        """This store's reads on another connection (a per-request cursor), read-only."""
        view = copy.copy(self)
        view._conn = conn
        view.read_only = True
        return view

    def _write(self, fn, *args) -> Any:
        """Run ``fn`` inside one transaction; roll back and raise StoreError on failure."""
        if self.read_only:
            raise StoreError("the store was opened read-only", path=self.path)
        self._conn.execute("BEGIN TRANSACTION")
        try:
            result = fn(*args)
            # readers keep whole-store answers until this changes (queries.generation)
            self._conn.execute("UPDATE store_generation SET n = n + 1")
            self._conn.execute("COMMIT")
        except Exception as exc:
            self._conn.execute("ROLLBACK")
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"write failed and was rolled back: {exc}", path=self.path) from exc
        return result

    # -- articles ------------------------------------------------------------

    def has_article(self, article_id: str) -> bool:
        row = self._conn.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone()
        return row is not None

    def known_ids(self, article_ids: Iterable[str]) -> set[str]:
        """Which of these ids are already stored."""
        ids = list(article_ids)
        if not ids:
            return set()
        found = self._conn.execute(
            "SELECT id FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        ).fetchall()
        return {r[0] for r in found}

    def article_ids(self) -> list[str]:
        """All article ids, in storage order."""
        rows = self._conn.execute("SELECT id FROM articles ORDER BY stored_at, id").fetchall()
        return [r[0] for r in rows]

    def resolve_article_id(self, prefix: str) -> list[str]:
        """Ids starting with ``prefix`` (so people can type the first characters)."""
        found = self._conn.execute(
            "SELECT id FROM articles WHERE starts_with(id, ?) ORDER BY id LIMIT 10", [prefix]
        ).fetchall()
        return [r[0] for r in found]

    def save_batch(self, analyses: list[Analysis]) -> int:
        """Store new articles with all their annotations in ONE transaction.

        Articles already stored (same id) are skipped, so saving is idempotent. Returns how
        many articles were newly stored.
        """
        return self._write(self._save_batch, analyses)

    def _save_batch(self, analyses: list[Analysis]) -> int:
        fresh: dict[str, Analysis] = {}
        known = self.known_ids(a.article.id for a in analyses)
        for analysis in analyses:
            if analysis.article.id not in known:
                fresh.setdefault(analysis.article.id, analysis)
        if not fresh:
            return 0
        sources = sorted({a.article.source for a in fresh.values()})
        current = dict(
            self._conn.execute(
                "SELECT source, id FROM articles WHERE source IN (SELECT unnest(?::VARCHAR[]))",
                [sources],
            ).fetchall()
        )
        versions = dict(
            self._conn.execute(
                "SELECT source, max(version) FROM article_versions "
                "WHERE source IN (SELECT unnest(?::VARCHAR[])) GROUP BY source",
                [sources],
            ).fetchall()
        )
        now = R.ts_write(datetime.now(UTC))
        superseded: list[str] = []
        retired_keys: list[str] = []
        days = daycounts.Days()
        tables: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for analysis in fresh.values():
            article = analysis.article
            previous = current.get(article.source)
            if previous is not None and previous != article.id:
                superseded.append(previous)  # a changed file: the new version replaces it
            current[article.source] = article.id
            version = versions.get(article.source, 0) + 1
            versions[article.source] = version
            tables["articles"].append(R.article_row(article, version))
            tables["article_versions"].append(
                {
                    "source": article.source,
                    "version": version,
                    "article_id": article.id,
                    "title": article.title,
                    "content_hash": article.content_hash,
                    "raw_hash": article.raw_hash,
                    "num_chars": len(article.text),
                    "stored_at": now,
                    "superseded_at": None,
                }
            )
            aid_ = article.id
            tables["entity_mentions"] += [
                R.entity_row(aid_, i, m) for i, m in enumerate(analysis.entities)
            ]
            tables["quantities"] += [
                R.quantity_row(aid_, i, q) for i, q in enumerate(analysis.quantities)
            ]
            tables["times"] += [R.time_row(aid_, i, t) for i, t in enumerate(analysis.times)]
            tables["events"] += [R.event_row(i, e) for i, e in enumerate(analysis.events)]
            tables["aid_commitments"] += [R.aid_row(i, a) for i, a in enumerate(analysis.aid)]
            tables["claims"] += [R.claim_row(i, c) for i, c in enumerate(analysis.claims)]
        if superseded:
            gone = set(superseded)
            # a version superseded inside this batch is never inserted (only its history row)
            for table, rows in tables.items():
                if table == "article_versions":
                    for row in rows:
                        if row["article_id"] in gone and row["article_id"] != current.get(
                            row["source"]
                        ):
                            row["superseded_at"] = now
                    continue
                key = "id" if table == "articles" else "article_id"
                tables[table] = [r for r in rows if r[key] not in gone]
            days = daycounts.days_of(self._conn, sorted(gone))  # before they are deleted
            retired_keys = self._retire(sorted(gone), now)
        # counts and event places set on the rows themselves: no table-wide UPDATE per write
        new_keys = readcounts.fill_rows(tables)
        for table, rows in tables.items():
            self._insert(table, rows)
        days.update(daycounts.days_of(self._conn, [row["id"] for row in tables["articles"]]))
        self._count_days(days)
        if self._deferred_keys is not None:
            self._deferred_keys.update(new_keys, retired_keys)
        else:
            readcounts.refresh_entities(self._conn, [*new_keys, *retired_keys])
        return len(fresh)

    # -- bulk import (veille load, the Ray engine) ----------------------------------------

    def import_dataset(self, dataset: str | Path) -> dict[str, Any]:
        """Bulk-load a Parquet dataset (one directory per table, the store's columns) with
        ``read_parquet``, in one transaction. Articles already stored are skipped; a new
        version of a stored source supersedes it as ``save_batch`` does. Returns the rows
        added per table and the new article ``ids``."""
        folder = Path(dataset)
        if not (folder / "articles").is_dir():
            raise StoreError("not a Veille dataset (no articles/ directory)", path=str(folder))
        return self._write(self._import_dataset, folder)

    def _import_dataset(self, folder: Path) -> dict[str, Any]:
        def parts(table: str) -> list[str]:
            return sorted(str(p) for p in (folder / table).glob("*.parquet"))

        counts: dict[str, Any] = {t: 0 for t in ("articles", *(t for t, _, _ in _ANNOTATIONS))}
        counts["ids"] = []
        files = parts("articles")
        if not files:
            return counts
        conn = self._conn
        # one row per new id; a source given twice keeps its latest ingest (the live one)
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _incoming AS SELECT * FROM read_parquet(?) "
            "WHERE id NOT IN (SELECT id FROM articles) "
            "QUALIFY row_number() OVER (PARTITION BY id) = 1",
            [files],
        )
        conn.execute(
            "DELETE FROM _incoming WHERE id IN (SELECT id FROM _incoming QUALIFY row_number() "
            "OVER (PARTITION BY source ORDER BY ingested_at DESC, id DESC) > 1)"
        )
        now = R.ts_write(datetime.now(UTC))
        superseded = [
            r[0]
            for r in conn.execute(
                "SELECT a.id FROM articles a JOIN _incoming i USING (source)"
            ).fetchall()
        ]
        days = daycounts.days_of(conn, sorted(superseded))  # before they are deleted
        retired_keys = self._retire(sorted(superseded), now) if superseded else []
        conn.execute(
            "UPDATE _incoming SET version = 1 + coalesce(v.latest, 0) FROM (SELECT source, "
            "max(version) AS latest FROM article_versions GROUP BY source) v "
            "WHERE v.source = _incoming.source"
        )
        conn.execute("INSERT INTO articles BY NAME SELECT *, ? AS stored_at FROM _incoming", [now])
        conn.execute(
            "INSERT INTO article_versions BY NAME SELECT source, version, id AS article_id, "
            "title, content_hash, raw_hash, num_chars, ? AS stored_at, "
            "NULL::TIMESTAMP AS superseded_at FROM _incoming",
            [now],
        )
        counts["ids"] = [r[0] for r in conn.execute("SELECT id FROM _incoming").fetchall()]
        counts["articles"] = len(counts["ids"])
        for table, _, _ in _ANNOTATIONS:
            files = parts(table)
            if not files:
                continue
            before = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            conn.execute(
                f"INSERT INTO {table} BY NAME SELECT * FROM read_parquet(?) "
                "WHERE article_id IN (SELECT id FROM _incoming)",
                [files],
            )
            counts[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] - before
        readcounts.refresh(conn, counts["ids"], retired_keys)
        days.update(daycounts.days_of(conn, counts["ids"]))
        self._count_days(days)
        conn.execute("DROP TABLE _incoming")
        return counts

    def _retire(self, article_ids: list[str], when: datetime) -> list[str]:
        """Take superseded versions out of the live tables; their history row stays.
        Returns the entity keys they mentioned (whose counts change)."""
        keys = readcounts.entity_keys(self._conn, article_ids)
        for table, _, _ in _ANNOTATIONS:
            self._conn.execute(
                f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
                [article_ids],
            )
        # link_articles keeps the retired ids: the next update_links sees them gone and
        # recomputes only the links they were part of
        self._conn.execute(
            "DELETE FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [article_ids]
        )
        self._conn.execute(
            "UPDATE article_versions SET superseded_at = ? "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[])) AND superseded_at IS NULL",
            [when, article_ids],
        )
        return keys

    def article_versions(
        self, *, source: str | None = None, article_id: str | None = None
    ) -> list[dict[str, Any]]:
        """Version history, oldest first: of one source, of the source of ``article_id``, or of
        every source that has more than one version (``current`` marks the live one)."""
        if article_id is not None:
            where = (
                "source IN (SELECT source FROM article_versions WHERE article_id = ?)",
                [article_id],
            )
        elif source is not None:
            where = ("source = ?", [source])
        else:
            where = (
                "source IN (SELECT source FROM article_versions GROUP BY source "
                "HAVING count(*) > 1)",
                [],
            )
        rows = self._query(
            "SELECT source, version, article_id, title, content_hash, num_chars, stored_at, "
            "superseded_at, superseded_at IS NULL AS current FROM article_versions "
            f"WHERE {where[0]} ORDER BY source, version",
            where[1],
        )
        for row in rows:
            for key in ("stored_at", "superseded_at"):
                row[key] = R.ts_read(row[key])
        return rows

    def get_article(self, article_id: str) -> Article | None:
        found = self._query("SELECT * FROM articles WHERE id = ?", [article_id])
        return R.article_read(found[0]) if found else None

    def get_analysis(self, article_id: str) -> Analysis | None:
        return next(self._analyses([article_id]), None)

    def iter_analyses(self, article_ids: Iterable[str] | None = None) -> Iterator[Analysis]:
        """Every stored analysis (or those of ``article_ids``), fully rebuilt, in chunks."""
        ids = self.article_ids() if article_ids is None else list(article_ids)
        for start in range(0, len(ids), _ITER_CHUNK):
            yield from self._analyses(ids[start : start + _ITER_CHUNK])

    def _analyses(self, ids: list[str]) -> Iterator[Analysis]:
        articles = {
            row["id"]: R.article_read(row)
            for row in self._query(
                "SELECT * FROM articles WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
            )
        }
        found: dict[str, Analysis] = {i: Analysis(article=a) for i, a in articles.items()}
        for table, attr, reader in _ANNOTATIONS:
            rows = self._query(
                f"SELECT * FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
                "ORDER BY article_id, idx",
                [list(found)],
            )
            for row in rows:
                getattr(found[row["article_id"]], attr).append(reader(row))
        for article_id in ids:  # keep the caller's order
            if article_id in found:
                yield found[article_id]

    def list_articles(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        language: str | None = None,
        outlet: str | None = None,
        flagged: bool | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of article summaries (newest publication first) and the total count."""
        where, params = ["TRUE"], []
        if language:
            where.append("a.language = ?")
            params.append(language)
        if outlet:
            where.append("a.outlet = ?")
            params.append(outlet)
        if flagged is not None:
            where.append(
                "len(coalesce(a.flags, []::VARCHAR[])) > 0"
                if flagged
                else "len(coalesce(a.flags, []::VARCHAR[])) = 0"
            )
        clause = " AND ".join(where)
        total = self._conn.execute(f"SELECT count(*) FROM articles a WHERE {clause}", params)
        total_n = total.fetchone()[0]
        items = self._query(
            "SELECT a.id, a.source, a.version, a.title, a.outlet, a.language,"
            " a.published_date, a.published_precision, a.num_chars, a.flags, a.input_format,"
            f" a.stored_at FROM articles a WHERE {clause}"
            " ORDER BY a.published_date DESC NULLS LAST, a.stored_at, a.id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        # annotation counts of this page's articles only (per row subqueries would count
        # every article's)
        ids = [item["id"] for item in items]
        for table, attr, _ in _ANNOTATIONS:
            found = dict(
                self._conn.execute(
                    f"SELECT article_id, count(*) FROM {table} "
                    "WHERE article_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY article_id",
                    [ids],
                ).fetchall()
            )
            for item in items:
                item[attr] = found.get(item["id"], 0)
        for item in items:
            precision = item.pop("published_precision")
            value = item.pop("published_date")
            item["published"] = R.fuzzy_read(value, precision).iso()
            item["published_precision"] = precision
            item["flags"] = list(item["flags"] or [])
        return items, total_n

    def get_events(self, event_ids: Iterable[str]) -> list[Event]:
        rows = self._query(
            "SELECT * FROM events WHERE id IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY article_id, idx",
            [list(event_ids)],
        )
        return [R.event_read(r) for r in rows]

    # -- runs ----------------------------------------------------------------

    def start_run(self, started_at: datetime) -> str:
        """Log that a run began; ``finish_run`` completes the row. Returns the run id."""
        run_id = uuid.uuid4().hex
        row = {"id": run_id, "started_at": R.ts_write(started_at)}
        self._write(self._insert, "runs", [row])
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, int]) -> None:
        """Complete this run's row; runs killed earlier are forgotten (this one caught up)."""
        names = ("read", "stored", "known", "skipped", "failed")

        def write() -> None:
            self._conn.execute(
                "UPDATE runs SET finished_at = ?, read = ?, stored = ?, known = ?, skipped = ?, "
                "failed = ? WHERE id = ?",
                [R.ts_write(datetime.now(UTC)), *(counts.get(n, 0) for n in names), run_id],
            )
            self._conn.execute("DELETE FROM runs WHERE finished_at IS NULL")

        self._write(write)

    def unfinished_runs(self) -> int:
        """Runs that started but never finished (killed): their links may be stale."""
        return self._conn.execute("SELECT count(*) FROM runs WHERE finished_at IS NULL").fetchone()[
            0
        ]

    def record_run(self, started_at: datetime, counts: dict[str, int]) -> str:
        """Log a finished run in one call; returns its id."""
        run_id = self.start_run(started_at)
        self.finish_run(run_id, counts)
        return run_id

    def stats(self) -> dict[str, Any]:
        """Counts of everything stored, for `veille stats` and the API."""
        one = lambda sql: self._conn.execute(sql).fetchone()[0]  # noqa: E731
        out: dict[str, Any] = {
            "db_path": self.path,
            "schema_version": current_version(self._conn),
            "articles": one("SELECT count(*) FROM articles"),
            "sources": one("SELECT count(DISTINCT source) FROM articles"),
            "flagged_articles": one(
                "SELECT count(*) FROM articles WHERE len(coalesce(flags, []::VARCHAR[])) > 0"
            ),
            "exact_duplicate_texts": one(
                "SELECT coalesce(sum(n - 1), 0) FROM "
                "(SELECT count(*) AS n FROM articles GROUP BY content_hash)"
            ),
        }
        for table, attr, _ in _ANNOTATIONS:
            out[attr] = one(f"SELECT count(*) FROM {table}")
        for table in ("duplicate_groups", "incidents", "merged_aid", "stories", "runs"):
            out[table] = one(f"SELECT count(*) FROM {table}")
        out["languages"] = dict(
            self._conn.execute(
                "SELECT coalesce(language, 'unknown'), count(*) FROM articles "
                "GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        out["event_types"] = dict(
            self._conn.execute(
                "SELECT type, count(*) FROM events GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        out["entity_labels"] = dict(
            self._conn.execute(
                "SELECT label, count(*) FROM entity_mentions GROUP BY 1 ORDER BY 2 DESC, 1"
            ).fetchall()
        )
        last = self._query(
            "SELECT * FROM runs WHERE finished_at IS NOT NULL ORDER BY started_at DESC LIMIT 1"
        )
        if last:
            run = last[0]
            out["last_run"] = {
                k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in run.items()
            }
        return out

    # -- cross-article results ------------------------------------------------

    def _replace(
        self,
        main_table: str,
        child_tables: tuple[str, ...],
        records,
        to_rows,
        *,
        replace_all: bool,
        remove: Iterable[str] = (),
    ) -> int:
        items = [to_rows(r) for r in records]
        ids = [main["id"] for main, _ in items] + list(remove)
        key = {
            "duplicate_group_articles": "group_id",
            "incident_events": "incident_id",
            "incident_articles": "incident_id",
            "merged_aid_commitments": "merged_id",
            "merged_aid_history": "merged_id",
            "story_articles": "story_id",
        }

        def write() -> int:
            if replace_all:
                return self._sync(main_table, child_tables, items, key)
            else:
                for table in child_tables:
                    self._conn.execute(
                        f"DELETE FROM {table} WHERE {key[table]} IN (SELECT unnest(?::VARCHAR[]))",
                        [ids],
                    )
                self._conn.execute(
                    f"DELETE FROM {main_table} WHERE id IN (SELECT unnest(?::VARCHAR[]))", [ids]
                )
            seen: set[str] = set()
            mains, children = [], defaultdict(list)
            for main, kids in items:
                if main["id"] in seen:  # last one given wins
                    continue
                seen.add(main["id"])
                mains.append(main)
                for table, rows in kids.items():
                    children[table] += rows
            self._insert(main_table, mains)
            for table, rows in children.items():
                self._insert(table, rows)
            return len(mains)

        return self._write(write)

    def _sync(
        self,
        main_table: str,
        child_tables: tuple[str, ...],
        items: list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]],
        key: dict[str, str],
    ) -> int:
        """Make ``main_table`` (and its members) hold exactly ``items``, touching only the rows
        that changed: a run that adds a few articles rewrites a few links, not every table
        (ids are hashes of the members, so unchanged results keep their rows)."""
        conn = self._conn
        mains: dict[str, dict[str, Any]] = {}
        for main, _ in items:
            mains.setdefault(main["id"], main)  # last one given wins (items are reversed)
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _wanted AS FROM {main_table} LIMIT 0")
        self._insert("_wanted", list(mains.values()))
        stale = [
            r[0]
            for r in conn.execute(
                f"SELECT id FROM (FROM {main_table} EXCEPT FROM _wanted)"
            ).fetchall()
        ]
        if stale:
            for table in child_tables:
                conn.execute(
                    f"DELETE FROM {table} WHERE {key[table]} IN (SELECT unnest(?::VARCHAR[]))",
                    [stale],
                )
            conn.execute(
                f"DELETE FROM {main_table} WHERE id IN (SELECT unnest(?::VARCHAR[]))", [stale]
            )
        fresh = {
            r[0]
            for r in conn.execute(
                f"SELECT id FROM _wanted WHERE id NOT IN (SELECT id FROM {main_table})"
            ).fetchall()
        }
        conn.execute(
            f"INSERT INTO {main_table} FROM _wanted WHERE id IN (SELECT unnest(?::VARCHAR[]))",
            [sorted(fresh)],
        )
        conn.execute("DROP TABLE _wanted")
        children: dict[str, list[dict[str, Any]]] = defaultdict(list)
        done: set[str] = set()
        for main, kids in items:
            if main["id"] in fresh and main["id"] not in done:
                done.add(main["id"])
                for table, rows in kids.items():
                    children[table] += rows
        for table, rows in children.items():
            self._insert(table, rows)
        return len(mains)

    def save_duplicate_groups(
        self,
        groups: Iterable[DuplicateGroup],
        *,
        replace_all: bool = True,
        remove: Iterable[str] = (),
    ) -> int:
        return self._replace(
            "duplicate_groups",
            ("duplicate_group_articles",),
            list(groups)[::-1],
            R.duplicate_group_rows,
            replace_all=replace_all,
            remove=remove,
        )

    def save_incidents(
        self, incidents: Iterable[Incident], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int:
        return self._replace(
            "incidents",
            ("incident_events", "incident_articles"),
            list(incidents)[::-1],
            R.incident_rows,
            replace_all=replace_all,
            remove=remove,
        )

    def save_merged_aid(
        self, items: Iterable[MergedAid], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int:
        return self._replace(
            "merged_aid",
            ("merged_aid_commitments", "merged_aid_history"),
            list(items)[::-1],
            R.merged_aid_rows,
            replace_all=replace_all,
            remove=remove,
        )

    def save_stories(
        self, stories: Iterable[Story], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int:
        return self._replace(
            "stories",
            ("story_articles",),
            list(stories)[::-1],
            R.story_rows,
            replace_all=replace_all,
            remove=remove,
        )

    def _members(self, table: str, key: str, value: str, ids: list[str]) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for owner, member in self._conn.execute(
            f"SELECT {key}, {value} FROM {table} WHERE {key} IN (SELECT unnest(?::VARCHAR[])) "
            f"ORDER BY {key}, idx",
            [ids],
        ).fetchall():
            out[owner].append(member)
        return out

    def list_incidents(
        self, limit: int = 50, offset: int = 0, *, type: str | None = None, **filters: Any
    ) -> list[Incident]:
        """Incidents with the most mentions first; ``filters`` as ``count_incidents``."""
        where, params = _incident_where(type=type, **filters)
        rows = self._query(
            f"SELECT * FROM incidents WHERE {where} "
            "ORDER BY num_mentions DESC, date DESC NULLS LAST, id LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        ids = [r["id"] for r in rows]
        events = self._members("incident_events", "incident_id", "event_id", ids)
        articles = self._members("incident_articles", "incident_id", "article_id", ids)
        return [R.incident_read(r, events[r["id"]], articles[r["id"]]) for r in rows]

    def count_incidents(self, **filters: Any) -> int:
        """How many incidents match: ``type``, ``country`` (actor, target or location),
        ``since``/``until`` (days; the incident's date period overlaps them; undated ones
        only with ``include_undated``), ``verification``, ``min_sources``."""
        where, params = _incident_where(**filters)
        return self._conn.execute(
            f"SELECT count(*) FROM incidents WHERE {where}", params
        ).fetchone()[0]

    def get_incident(self, incident_id: str) -> Incident | None:
        rows = self._query("SELECT * FROM incidents WHERE id = ?", [incident_id])
        if not rows:
            return None
        events = self._members("incident_events", "incident_id", "event_id", [incident_id])
        articles = self._members("incident_articles", "incident_id", "article_id", [incident_id])
        return R.incident_read(rows[0], events[incident_id], articles[incident_id])

    def list_stories(self, limit: int = 50, offset: int = 0, **filters: Any) -> list[Story]:
        """Stories, largest first; ``filters`` as ``count_stories``."""
        where, params = _story_where(**filters)
        rows = self._query(
            "SELECT s.*, (SELECT count(*) FROM story_articles m WHERE m.story_id = s.id) AS n "
            f"FROM stories s WHERE {where} ORDER BY n DESC, last_date DESC NULLS LAST, id "
            "LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        members = self._members("story_articles", "story_id", "article_id", [r["id"] for r in rows])
        return [R.story_read(r, members[r["id"]]) for r in rows]

    def count_stories(self, **filters: Any) -> int:
        """How many stories match: ``since``/``until`` (their span of publication dates
        overlaps them; undated ones only with ``include_undated``), ``entity`` (text in the
        label or a top entity, any case)."""
        where, params = _story_where(**filters)
        return self._conn.execute(
            f"SELECT count(*) FROM stories s WHERE {where}", params
        ).fetchone()[0]

    def list_duplicate_groups(
        self, limit: int = 50, offset: int = 0, **filters: Any
    ) -> list[DuplicateGroup]:
        """Duplicate groups, exact first; ``filters``: ``kind``, ``outlet``."""
        where, params = _duplicate_where(**filters)
        rows = self._query(
            f"SELECT * FROM duplicate_groups WHERE {where} ORDER BY kind, similarity DESC, id "
            "LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        members = self._members(
            "duplicate_group_articles", "group_id", "article_id", [r["id"] for r in rows]
        )
        return [R.duplicate_group_read(r, members[r["id"]]) for r in rows]

    def count_duplicate_groups(self, **filters: Any) -> int:
        where, params = _duplicate_where(**filters)
        return self._conn.execute(
            f"SELECT count(*) FROM duplicate_groups WHERE {where}", params
        ).fetchone()[0]

    def list_merged_aid(self, limit: int = 50, offset: int = 0) -> list[MergedAid]:
        rows = self._query(
            "SELECT * FROM merged_aid ORDER BY usd_value DESC NULLS LAST, id LIMIT ? OFFSET ?",
            [limit, offset],
        )
        ids = [r["id"] for r in rows]
        commitments = self._members("merged_aid_commitments", "merged_id", "commitment_id", ids)
        history: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for h in self._query(
            "SELECT * FROM merged_aid_history WHERE merged_id IN (SELECT unnest(?::VARCHAR[])) "
            "ORDER BY merged_id, idx",
            [ids],
        ):
            history[h["merged_id"]].append(h)
        return [R.merged_aid_read(r, commitments[r["id"]], history[r["id"]]) for r in rows]
