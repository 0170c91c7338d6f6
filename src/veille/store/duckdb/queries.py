"""Read queries for the API, the dashboard and the static report.

Every function takes a DuckDB connection (a cursor per request; see ``api.deps``) and
returns plain JSON-ready values: dicts, lists, str, int, float, None. Dates come out as
ISO strings and money as floats (USD totals are for charts; exact decimals stay in the
``*_text`` columns and in ``Store.get_analysis``).

User input only ever reaches SQL as ``?`` parameters; column names are fixed here.
"""

from __future__ import annotations

import base64
import binascii
import json
import weakref
from calendar import monthrange
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb

    from veille.search import IndexDoc
    from veille.store.duckdb.dayspans import DaySpans, Span
    from veille.store.duckdb.ranked import Ranks

Page = dict[str, Any]  # {"items": [...], "total": N, "next_cursor": str | None}

MIN_ID_PREFIX = 8  # shortest id prefix accepted anywhere (tables print 12 characters)
_ID_TABLES = ("articles", "incidents", "stories", "duplicate_groups", "events")


class AmbiguousIdError(ValueError):
    """An id prefix that starts more than one id."""


class CursorError(ValueError):
    """A ``cursor`` this list did not give out (or a cursor where one cannot be used)."""


_CURSOR_MAX = 2000  # characters; a cursor holds a few sort values
MAX_KEPT_ROWS = 6000  # events a server keeps shaped per generation (``list_events``: ~9 MB)
MAX_KEPT_ARTICLES = 30_000  # their articles' titles, outlets, ... (``_attach_articles``: ~12 MB)


@dataclass(frozen=True, slots=True)
class Order:
    """How a list is sorted: columns of its rows, each descending or not, NULLs last. The
    last columns make the order total, so the last row's values (a cursor) say exactly
    where the next page starts, whatever was stored since: keyset pagination, whose cost
    does not grow with the depth of the page as ``OFFSET`` does."""

    name: str  # the list's name, written into its cursors
    keys: tuple[tuple[str, bool], ...]  # (column, descending)
    # A column unique to each row: the page's keys are found first, then only its rows are
    # read whole (sorting thousands of wide rows to keep 50 costs more than reading twice).
    fetch: str | None = None
    # Expressions over a row (``q.``) kept beside the whole order when a server keeps it,
    # so that a filtered list is a mask over that order (``_ranked_page``).
    facets: tuple[str, ...] = ()
    # (row column, facet): columns a page takes from the kept order instead of reading
    # them (DOUBLE columns cost ~1 CPU-ms each to read for 50 rows spread over a table);
    # they come last in the row, so the row's shape must take them by name
    from_order: tuple[tuple[str, str], ...] = ()

    def sql(self) -> str:
        return ", ".join(f'q."{c}" {"DESC" if d else "ASC"} NULLS LAST' for c, d in self.keys)

    def after(self, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """SQL keeping the rows that sort after ``values`` (NULLs last)."""
        ors, params = [], []
        for i, (column, desc) in enumerate(self.keys):
            if values[i] is None:  # nothing sorts after NULL on this column
                continue
            clauses, ps = [], []
            for (prior, _), value in zip(self.keys[:i], values[:i], strict=True):
                if value is None:
                    clauses.append(f'q."{prior}" IS NULL')
                else:
                    clauses.append(f'q."{prior}" = ?')
                    ps.append(value)
            op = "<" if desc else ">"
            clauses.append(f'(q."{column}" {op} ? OR q."{column}" IS NULL)')
            ps.append(values[i])
            ors.append("(" + " AND ".join(clauses) + ")")
            params += ps
        return (" OR ".join(ors) or "FALSE"), params

    def cursor(self, values: Sequence[Any]) -> str:
        def plain(v: Any) -> Any:
            if isinstance(v, Decimal):
                return str(v)  # exact; DuckDB casts it back to the column's DECIMAL
            if isinstance(v, date | datetime):
                return v.isoformat()
            raise TypeError(type(v).__name__)

        text = json.dumps([self.name, *values], default=plain, separators=(",", ":"))
        return base64.urlsafe_b64encode(text.encode("utf-8")).rstrip(b"=").decode("ascii")

    def values(self, cursor: str) -> list[Any]:
        """The sort values a cursor of this list holds; CursorError for anything else."""
        bad = CursorError(f"not a cursor of the {self.name} list: pass next_cursor as given")
        if len(cursor) > _CURSOR_MAX:
            raise bad
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            data = json.loads(raw.decode("utf-8"))
        except (binascii.Error, ValueError):
            raise bad from None
        if (
            not isinstance(data, list)
            or len(data) != len(self.keys) + 1
            or data[0] != self.name
            or not all(v is None or isinstance(v, str | int | float) for v in data[1:])
        ):
            raise bad
        return data[1:]


@dataclass(frozen=True, slots=True)
class Filters:
    """Filters shared by the list queries; each query uses the fields that apply to it."""

    type: str | None = None  # event / incident type
    mode: str | None = None
    country: str | None = None  # actor, target or location country (ISO alpha-3, NATO, EU)
    entity: str | None = None  # KB id (or name) mentioned in the article
    date_from: date | None = None
    date_to: date | None = None
    verification: str | None = None
    article_id: str | None = None
    outlet: str | None = None
    donor: str | None = None
    recipient: str | None = None
    status: str | None = None
    kind: str | None = None
    speaker: str | None = None  # speaker name, country or KB id
    label: str | None = None  # entity label
    q: str | None = None  # substring match on names (entities list)
    located: bool = False  # only events with coordinates


class _Where:
    """Accumulates ``AND`` clauses and their parameters."""

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.params: list[Any] = []

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    def each(self, f: Filters, clauses: dict[str, str]) -> _Where:
        """For every filter of ``f`` that is set, its clause here, the filter's value
        standing for each ``?`` of it: the per-view filter lists are only these tables."""
        for name, clause in clauses.items():
            value = getattr(f, name)
            if value:
                self.add(clause, *[value] * clause.count("?"))
        return self

    def sql(self) -> str:
        return (" WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def _value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    return v


_CONVERTED_TYPES = ("DATE", "TIME", "DECIMAL")  # DATE, TIMESTAMP..., DECIMAL(p,s)


def _rows(cur: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    return _dicts(cur.description, cur.fetchall())


def _dicts(description: Sequence[Any], rows: list[tuple]) -> list[dict[str, Any]]:
    names = [d[0] for d in description]
    # convert only the columns that need it: pages of thousands of rows are common
    convert = [i for i, d in enumerate(description) if str(d[1]).startswith(_CONVERTED_TYPES)]
    if convert:
        rows = [list(row) for row in rows]
        for row in rows:
            for i in convert:
                row[i] = _value(row[i])
    return [dict(zip(names, row, strict=True)) for row in rows]


def _json(v: Any) -> Any:
    if v is None or isinstance(v, list | dict):
        return v
    return json.loads(v)


def _page(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any],
    limit: int,
    offset: int,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    order: Order,
    cursor: str | None = None,
    rows_sql: str | None = None,
    ranks: Ranks | None = None,
    kept_rows: dict[Any, dict[str, Any]] | None = None,
) -> Page:
    """One page of ``sql`` (no ORDER BY: ``order`` sorts it) and the total count.

    ``rows_sql``: ``sql`` without its filters (no parameters), to read the page's rows by
    ``order.fetch`` without evaluating the filters a third time.

    The page starts after ``cursor`` (the ``next_cursor`` of the page before) when given,
    else at ``offset``. ``ORDER BY ... LIMIT`` over the sort keys lets DuckDB keep only the
    top rows; a filtered list counts its matches there too (a window count over narrow
    rows), so its filters run once; an unfiltered one, or a cursor page (which ranks only
    what follows), counts apart.

    ``ranks``: the server's kept orders; a list (with its filters) asked for twice in a
    store generation is then read as a slice of its whole order (same rows, total and
    cursors): paging through a list costs a slice and a fetch, not a ranking.
    ``kept_rows``: shaped rows read before, by ``order.fetch`` (``_page_items``).
    """
    if ranks is not None and order.fetch:
        page = _ranked_page(
            con, sql, params, limit, offset, shape, order, cursor, rows_sql, ranks,
            kept_rows=kept_rows,
        )  # fmt: skip
        if page is not None:
            return page
    return _sql_page(con, sql, params, limit, offset, shape, order, cursor, rows_sql)


def _sql_page(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any],
    limit: int,
    offset: int,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    order: Order,
    cursor: str | None,
    rows_sql: str | None,
) -> Page:
    """``_page`` ranked by DuckDB."""
    after, after_params = ("", []) if cursor is None else order.after(order.values(cursor))
    keys = [c for c, _ in order.keys]
    wanted = (
        ", ".join(f'q."{c}"' for c in dict.fromkeys([*keys, order.fetch])) if order.fetch else "*"
    )
    counted = cursor is None and bool(params)
    cur = con.execute(
        f"SELECT {wanted}{', count(*) OVER () AS _total' if counted else ''} FROM ({sql}) q"
        f"{' WHERE ' + after if after else ''} ORDER BY {order.sql()} LIMIT ? OFFSET ?",
        [*params, *after_params, limit + 1, offset],
    )
    description, raw = cur.description, cur.fetchall()
    if counted and raw:
        total = int(raw[0][-1])
        description, raw = description[:-1], [row[:-1] for row in raw]
    else:
        total = int(con.execute(f"SELECT count(*) FROM ({sql})", list(params)).fetchone()[0])
    if not raw:
        return {"items": [], "total": total, "next_cursor": None}
    names = [d[0] for d in description]
    next_cursor = None
    if len(raw) > limit:  # one row more than asked: there is a next page
        raw = raw[:limit]
        next_cursor = order.cursor([raw[-1][names.index(c)] for c in keys])
    if order.fetch and raw:
        at = names.index(order.fetch)
        items = _page_items(con, sql, params, rows_sql, order, shape, [r[at] for r in raw])
    else:
        items = [shape(row) for row in _dicts(description, raw)]
    return {"items": items, "total": total, "next_cursor": next_cursor}


def _page_items(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any],
    rows_sql: str | None,
    order: Order,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    ids: list,
    kept_rows: dict[Any, dict[str, Any]] | None = None,
    carried: dict[Any, dict[str, Any]] | None = None,
) -> list[dict[str, Any]]:
    """The page's rows read by ``order.fetch`` (from ``rows_sql`` when given: the filters
    are not evaluated again), shaped, in the order of ``ids``.

    ``kept_rows``: items by id that the caller kept (for one store generation and one
    ``rows_sql``): only the others are read. ``carried``: the ``order.from_order``
    columns of each id, taken from the kept order: not read."""
    source, source_params = (rows_sql, []) if rows_sql else (sql, list(params))
    missing = ids if kept_rows is None else [i for i in ids if i not in kept_rows]
    if not missing:
        return [kept_rows[i] for i in ids]
    if carried:
        columns = ", ".join(f'"{column}"' for column, _ in order.from_order)
        source = f"SELECT * EXCLUDE ({columns}) FROM ({source})"
    description, raw = _fetch(con, source, source_params, order.fetch, missing)
    rows = _dicts(description, raw)
    if carried:
        for row in rows:
            row.update(carried[row[order.fetch]])
    items = [shape(row) for row in rows]
    if kept_rows is None:
        return items
    at = [d[0] for d in description].index(order.fetch)
    found = {row[at]: item for row, item in zip(raw, items, strict=True)}
    return [kept_rows.get(i) or found[i] for i in ids if i in kept_rows or i in found]


def _fetch(
    con: duckdb.DuckDBPyConnection, source: str, params: Sequence[Any], column: str, ids: list
) -> tuple[Any, list[tuple]]:
    """The rows of ``source`` whose ``column`` is one of ``ids``, in the order of ``ids``."""
    cur = con.execute(
        f'SELECT * FROM ({source}) q WHERE q."{column}" IN ({", ".join("?" * len(ids))})',
        [*params, *ids],
    )
    description, found = cur.description, cur.fetchall()
    at = [d[0] for d in description].index(column)
    by_id = {row[at]: row for row in found}
    return description, [by_id[i] for i in ids if i in by_id]


def _ranked_page(
    con: duckdb.DuckDBPyConnection,
    sql: str,
    params: Sequence[Any],
    limit: int,
    offset: int,
    shape: Callable[[dict[str, Any]], dict[str, Any]],
    order: Order,
    cursor: str | None,
    rows_sql: str | None,
    ranks: Ranks,
    mask: Callable[[Any, Any], Any] | None = None,
    kept_rows: dict[Any, dict[str, Any]] | None = None,
) -> Page | None:
    """The page as a slice of the kept order of ``sql``; None while it is not kept, or for
    a cursor this order did not hand out (the SQL path then answers).

    ``mask``: the filters of ``sql`` as a function of the kept whole order of ``rows_sql``
    (with its ``order.facets``) and ``con``, a boolean Arrow column (None: not yet): the
    page is then a slice of the rows it keeps, without a ranking of its own."""
    import pyarrow.compute as pc

    assert order.fetch is not None
    keys = [c for c, _ in order.keys]
    values = None if cursor is None else order.values(cursor)  # another list's: an error
    whole = mask is not None or not params  # the unfiltered order, with its facets
    ranked = ranks.ranked(
        con, generation(con), order.name, keys, order.fetch,
        rows_sql if mask is not None and rows_sql else sql, order.sql(),
        () if mask is not None else params, order.facets if whole else (),
    )  # fmt: skip
    if ranked is None:
        return None
    start = (
        offset
        if cursor is None or values is None
        else ranked.position_after(cursor, keys, values, order.cursor)
    )
    if start is None:
        return None
    names = ranked.table.column_names
    carry = order.from_order if all(facet in names for _, facet in order.from_order) else ()
    if mask is None:
        total, rows = ranked.total, ranked.slice(start, limit + 1)
    else:
        keep = mask(ranked, con)
        if keep is None:  # not answerable from the kept order yet
            return None
        kept = pc.indices_nonzero(keep)  # positions of the rows kept, in order
        total = len(kept)
        # a cursor gives a position in the whole order: the kept rows from there on
        first = start if cursor is None else pc.sum(pc.less(kept, start)).as_py() or 0
        chosen = kept.slice(first, limit + 1)
        wanted = [*keys, order.fetch, *(facet for _, facet in carry)]
        rows = ranked.table.select([*dict.fromkeys(wanted)]).take(chosen)
    if rows.num_rows == 0:
        return {"items": [], "total": total, "next_cursor": None}
    next_cursor = None
    if rows.num_rows > limit:  # one row more than asked: there is a next page
        rows = rows.slice(0, limit)
        next_cursor = order.cursor([rows.column(c)[limit - 1].as_py() for c in keys])
        after = start + limit if mask is None else chosen[limit - 1].as_py() + 1
        ranked.remember(next_cursor, after)
    ids = rows.column(order.fetch).to_pylist()
    carried = None
    if carry:
        values = {column: rows.column(facet).to_pylist() for column, facet in carry}
        carried = {i: {c: v[at] for c, v in values.items()} for at, i in enumerate(ids)}
    items = _page_items(con, sql, params, rows_sql, order, shape, ids, kept_rows, carried)
    return {"items": items, "total": total, "next_cursor": next_cursor}


def _same(row: dict[str, Any]) -> dict[str, Any]:
    return row


def _span(row: dict[str, Any], prefix: str) -> dict[str, Any]:
    return {
        "start": row.pop(f"{prefix}_start"),
        "end": row.pop(f"{prefix}_end"),
        "text": row.pop(f"{prefix}_text"),
    }


def _party(row: dict[str, Any], prefix: str, fields=("text", "name", "country", "sector", "kb_id")):
    values = {f: row.pop(f"{prefix}_{f}") for f in fields}
    return values if any(v is not None for v in values.values()) else None


def _place(row: dict[str, Any]) -> dict[str, Any] | None:
    """An event's or incident's ``location_*`` columns as one record (None: no place)."""
    location = {
        "name": row.pop("location_name"),
        "country": row.pop("location_place_country"),
        "kb_id": row.pop("location_kb_id"),
        "lat": row.pop("location_lat"),
        "lon": row.pop("location_lon"),
    }
    return location if location["name"] or location["lat"] is not None else None


def _dated(row: dict[str, Any], column: str = "date", precision: str | None = None) -> None:
    """Replace a DATE + precision pair by the gold-format string (2023-10, 2023, ...)."""
    precision = precision or f"{column}_precision"
    value, prec = row.get(column), row.get(precision)
    if value and prec in ("month", "year"):
        row[column] = value[:7] if prec == "month" else value[:4]
    if prec == "unknown":
        row[column] = None


def _date_range(where: _Where, column: str, f: Filters) -> None:
    if f.date_from:
        where.add(f"{column} >= ?", f.date_from)
    if f.date_to:
        where.add(f"{column} <= ?", f.date_to)


# ---------------------------------------------------------------------------
# Search support


_INDEX_DOCS_SQL = """
WITH ent AS (
    SELECT article_id,
           list(DISTINCT kb_id) FILTER (WHERE kb_id IS NOT NULL) AS kb_ids,
           list(DISTINCT name) AS names,
           list(DISTINCT country) FILTER (WHERE country IS NOT NULL) AS countries
    FROM entity_mentions GROUP BY article_id
), ev AS (
    SELECT article_id,
           list(DISTINCT type) AS types,
           flatten(list([actor_country, target_country, location_country])) AS countries,
           list(DISTINCT verification) FILTER (WHERE verification IS NOT NULL) AS verifications
    FROM events GROUP BY article_id
), cl AS (
    SELECT article_id,
           list(DISTINCT verification) FILTER (WHERE verification IS NOT NULL) AS verifications
    FROM claims GROUP BY article_id
)
SELECT a.id, a.text, a.title, a.outlet, a.published_date,
       ent.kb_ids, ent.names, ent.countries, ev.types, ev.countries, ev.verifications,
       cl.verifications
FROM articles a
LEFT JOIN ent ON ent.article_id = a.id
LEFT JOIN ev ON ev.article_id = a.id
LEFT JOIN cl ON cl.article_id = a.id
WHERE a.id NOT IN (SELECT unnest(?::VARCHAR[]))
ORDER BY a.stored_at, a.id
"""


def generation(con: duckdb.DuckDBPyConnection) -> int:
    """A number every write to the store raises: answers computed at one generation hold
    until it changes (the one ``pin_generation`` read, for a cursor it pinned)."""
    pinned = _PINNED.get(con)
    if pinned is not None:
        return pinned
    return con.execute("SELECT n FROM store_generation").fetchall()[0][0]


# A server's cursor of one request -> the generation read when it was made: the kept
# answers, orders and values a request reads all ask for it (~10 queries of ~0.1 CPU-ms
# each for a dated overview), and one request sees one generation throughout.
_PINNED: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def pin_generation(con: duckdb.DuckDBPyConnection, known: int | None = None) -> int:
    """Read the generation once for ``con``, a cursor that lives for one request (or take
    ``known``, read for the same request just before): later ``generation(con)`` calls
    return it (forgotten with the cursor)."""
    if known is None:
        known = con.execute("SELECT n FROM store_generation").fetchall()[0][0]
    _PINNED[con] = known
    return known


def store_identity(con: duckdb.DuckDBPyConnection) -> str:
    """Which database this is: when its first migration ran (a new file gets a new one)."""
    row = con.execute("SELECT applied_at FROM schema_version ORDER BY version LIMIT 1").fetchone()
    return "" if row is None else str(row[0])


def _distinct(*lists: list | None) -> tuple[str, ...]:
    return tuple(sorted({v for values in lists if values for v in values if v}))


def iter_index_docs(
    con: duckdb.DuckDBPyConnection,
    exclude: set[str] | frozenset[str] = frozenset(),
    batch: int = 1000,
) -> Iterator[IndexDoc]:
    """Stored articles not in ``exclude``, with their facets, as the search index wants them."""
    from veille.search import IndexDoc

    cur = con.cursor()
    try:
        cur.execute(_INDEX_DOCS_SQL, [sorted(exclude)])
        while rows := cur.fetchmany(batch):
            for (id_, text, title, outlet, published, kb_ids, names, ent_countries, types,
                 ev_countries, ev_verifications, cl_verifications) in rows:  # fmt: skip
                yield IndexDoc(
                    id=id_,
                    text=text,
                    title=title,
                    outlet=outlet,
                    published=published,
                    entity=_distinct(kb_ids, names),
                    event_type=_distinct(types),
                    country=_distinct(ent_countries, ev_countries),
                    verification=_distinct(ev_verifications, cl_verifications),
                )
    finally:
        cur.close()


# ---------------------------------------------------------------------------
# Overview


def _article_span(f: Filters, alias: str = "a") -> tuple[str, list[Any]]:
    """SQL keeping articles published in f's date range (undated ones are out of range)."""
    clauses, params = ["TRUE"], []
    if f.date_from or f.date_to:  # a year-only date cannot be placed in a range
        clauses.append(f"{alias}.published_precision IN ('day', 'week', 'month')")
    if f.date_from:
        clauses.append(f"{alias}.published_date >= ?")
        params.append(f.date_from)
    if f.date_to:
        clauses.append(f"{alias}.published_date <= ?")
        params.append(f.date_to)
    return " AND ".join(clauses), params


def _fuzzy_range(where: _Where, day_sql: str, precision_sql: str, f: Filters) -> None:
    """Keep dates known to the day, week or month whose period overlaps f's date range."""
    if f.date_from:
        where.add(
            f"(CASE WHEN {precision_sql} IN ('day', 'week') THEN {day_sql} "
            f"WHEN {precision_sql} = 'month' THEN last_day({day_sql}) END) >= ?",
            f.date_from,
        )
    if f.date_to:
        where.add(
            f"(CASE WHEN {precision_sql} IN ('day', 'week', 'month') THEN {day_sql} END) <= ?",
            f.date_to,
        )


def _event_precision_sql(alias: str = "e") -> str:
    """The precision of ``_event_day_sql``."""
    return f"{alias}.place_precision"


def _event_day_sql(alias: str = "e") -> str:
    """An event's date as the timeline places it: its own when known to the day, week or
    month, else its article's publication date at those precisions (else NULL); set when
    the article is stored (``readcounts``)."""
    return f"{alias}.place_date"


def stats(
    con: duckdb.DuckDBPyConnection,
    f: Filters | None = None,
    aid: dict[str, Any] | None = None,
    ranks: Ranks | None = None,
) -> dict[str, Any]:
    """Counts of everything, the covered period, and events by type.

    With a date range in ``f``, every count is limited to it: articles by publication
    date, events by their date (else their article's), incidents by their date, aid by its
    announcement date (else its article's), claims and entities by their article's
    (``ranks``: the server's kept values; the day counts are then summed in memory)."""
    f = f or Filters()
    if not (f.date_from or f.date_to):
        counts, by_type, by_verification = _whole_counts(con)
    elif ranks is not None:
        counts, by_type, by_verification = day_spans(con, ranks).counts(_day_span(f))
    else:
        counts, by_type, by_verification = _ranged_counts(con, f)
    # ``aid``: the caller's aid_totals over the same range, when it has it already
    aid = aid or aid_totals(con, Filters(date_from=f.date_from, date_to=f.date_to))
    groups = {g["key"]: g for g in aid["groups"]}
    return {
        "articles": counts[0],
        "outlets": counts[1],
        "events": counts[2],
        "incidents": counts[3],
        "aid_commitments": counts[4],  # reports of aid, before merging into packages
        "aid_packages": aid["packages"],
        "aid_usd": aid["headline"]["usd"],  # committed or delivered, each package once
        "aid_usd_pledged": groups["pledged"]["usd"],  # announced/planned/negotiating only
        "aid_usd_includes": aid["headline"]["includes"],
        "claims": counts[5],
        "entities": counts[6],
        "first_published": _value(counts[7]),
        "last_published": _value(counts[8]),
        "located_events": counts[9],
        "events_by_type": {t: n for t, n in by_type},
        "claims_by_verification": {v: n for v, n in by_verification},
    }


def day_spans(con: duckdb.DuckDBPyConnection, ranks: Ranks) -> DaySpans:
    """The day count tables of this generation, kept in memory by the server."""
    from veille.store.duckdb.dayspans import DaySpans

    return ranks.value(generation(con), "day_spans", lambda: DaySpans(con))


def _day_span(f: Filters) -> Span:
    from veille.store.duckdb.dayspans import Span, day_number

    return Span(
        day_number(f.date_from) if f.date_from else None,
        day_number(f.date_to) if f.date_to else None,
    )


def _whole_counts(con: duckdb.DuckDBPyConnection) -> tuple[list[Any], list, list]:
    """``stats``' counts over the whole store (its answer is kept per store generation)."""
    # one statement each: DuckDB runs ten scalar subqueries in one SELECT several times slower
    counts = [
        con.execute(sql).fetchone()[0]
        for sql in (
            "SELECT count(*) FROM articles",
            "SELECT count(DISTINCT outlet) FROM articles",
            "SELECT count(*) FROM events",
            "SELECT count(*) FROM incidents",
            "SELECT count(*) FROM aid_commitments",
            "SELECT count(*) FROM claims",
            "SELECT count(*) FROM entity_stats",  # kept by readcounts
            "SELECT min(published_date) FROM articles",
            "SELECT max(published_date) FROM articles",
            "SELECT count(*) FROM events WHERE location_lat IS NOT NULL",
        )
    ]
    by_type = con.execute(
        "SELECT type, count(*) FROM events GROUP BY type ORDER BY count(*) DESC, type"
    ).fetchall()
    by_verification = con.execute(
        "SELECT coalesce(verification, 'none'), count(*) FROM claims GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return counts, by_type, by_verification


def _ranged_counts(con: duckdb.DuckDBPyConnection, f: Filters) -> tuple[list[Any], list, list]:
    """``stats``' counts within f's dates, summed from the day count tables (``daycounts``:
    the same numbers as counting the articles, events, claims, mentions and aid reports of
    the range, without reading them)."""
    days = _Where()
    _date_range(days, "day", f)
    span, span_p = days.sql(), days.params
    placed = _Where()
    _fuzzy_range(placed, _event_day_sql("e"), _event_precision_sql("e"), f)
    inc_range = _Where()
    _fuzzy_range(inc_range, "i.date", "i.date_precision", f)
    articles = con.execute(
        "SELECT coalesce(sum(articles), 0), count(DISTINCT outlet), min(day), max(day) "
        f"FROM day_articles{span}",
        span_p,
    ).fetchone()
    events = con.execute(
        "SELECT coalesce(sum(events), 0), coalesce(sum(events) FILTER (WHERE located), 0) "
        f"FROM day_events e{placed.sql()}",
        placed.params,
    ).fetchone()
    count = {
        name: con.execute(sql, params).fetchone()[0]
        for name, sql, params in (
            ("incidents", f"SELECT count(*) FROM incidents i{inc_range.sql()}", inc_range.params),
            ("aid", f"SELECT coalesce(sum(commitments), 0) FROM day_aid{span}", span_p),
            ("claims", f"SELECT coalesce(sum(claims), 0) FROM day_claims{span}", span_p),
            ("entities", f"SELECT count(DISTINCT key) FROM day_entities{span}", span_p),
        )
    }
    counts = [
        articles[0], articles[1], events[0], count["incidents"], count["aid"], count["claims"],
        count["entities"], articles[2], articles[3], events[1],
    ]  # fmt: skip
    by_type = con.execute(
        f"SELECT type, sum(events) AS n FROM day_events e{placed.sql()} "
        "GROUP BY type ORDER BY n DESC, type",
        placed.params,
    ).fetchall()
    by_verification = con.execute(
        f"SELECT coalesce(verification, 'none'), sum(claims) FROM day_claims{span} "
        "GROUP BY 1 ORDER BY 1",
        span_p,
    ).fetchall()
    return counts, by_type, by_verification


# The bin of an event: its own date when known to the day (or week) or month, else its
# article's publication date at the same precisions. Year-only and unknown: "undated".
# ``day_events`` holds the events counted by place and type (``daycounts``): ``n`` of them.
_EVENT_BIN = """
SELECT CASE WHEN e.place_precision IN ('day', 'week') THEN e.place_date
            WHEN e.place_precision = 'month' THEN date_trunc('month', e.place_date)::DATE
       END AS day,
       CASE WHEN e.place_precision IN ('day', 'week') THEN 'day'
            WHEN e.place_precision = 'month' THEN 'month'
       END AS precision,
       e.type AS type, e.events AS n
FROM day_events e
"""

# An incident is binned by its own date (which linking takes from its mentions, else from
# its first report's publication date); older stores fall back to that publication date,
# looked up only for the incidents that need it.
_INCIDENT_BIN = """
SELECT CASE WHEN i.date_precision IN ('day', 'week') THEN i.date
            WHEN i.date_precision = 'month' THEN date_trunc('month', i.date)::DATE
            ELSE f.first_day
       END AS day,
       CASE WHEN i.date_precision IN ('day', 'week') THEN 'day'
            WHEN i.date_precision = 'month' THEN 'month'
            WHEN f.first_day IS NOT NULL THEN 'day'
       END AS precision,
       i.type AS type, 1 AS n
FROM incidents i LEFT JOIN (
    SELECT ia.incident_id, min(a.published_date) AS first_day
    FROM incident_articles ia JOIN articles a ON a.id = ia.article_id
    WHERE a.published_precision = 'day' AND ia.incident_id IN
          (SELECT id FROM incidents WHERE date_precision NOT IN ('day', 'week', 'month'))
    GROUP BY ia.incident_id
) f ON f.incident_id = i.id
"""


def _timeline_where(f: Filters) -> _Where:
    where = _Where()
    if f.type:
        where.add("type = ?", f.type)
    # a month bin is in range when any of its days is
    if f.date_from:
        where.add(
            "(CASE WHEN precision = 'month' THEN last_day(day) ELSE day END) >= ?", f.date_from
        )
    if f.date_to:
        where.add("day <= ?", f.date_to)
    return where


def timeline(
    con: duckdb.DuckDBPyConnection,
    kind: str = "events",
    f: Filters | None = None,
    ranks: Ranks | None = None,
) -> list[dict[str, Any]]:
    """Counts by period and type: ``[{"day", "period", "precision", "type", "count"}]``.

    Each item is binned by the precision it has: ``precision`` is ``day`` (``period``
    ``2023-10-04``) or ``month`` (``period`` ``2023-10``, ``day`` its first day). Events
    without a date of their own take their article's publication date; incidents take
    their reports' (never the time Veille read them). Undated items are counted by
    ``timeline_undated``.

    ``ranks``: the server's kept values; the whole timeline is then binned once per store
    generation and a type or date range keeps its bins (the filters only read the bins).
    """
    f = f or Filters()
    if ranks is not None and (f.type or f.date_from or f.date_to):
        whole = ranks.value(
            generation(con), f"timeline:{kind}", lambda: _bin_ends(timeline(con, kind))
        )
        # _timeline_where on the bins: a month bin is in range when any of its days is
        low = f.date_from.isoformat() if f.date_from else ""
        high = f.date_to.isoformat() if f.date_to else "~"
        return [
            row
            for end, row in whole
            if end >= low and row["day"] <= high and (not f.type or row["type"] == f.type)
        ]
    source = _INCIDENT_BIN if kind == "incidents" else _EVENT_BIN
    where = _timeline_where(f)
    where.add("day IS NOT NULL")
    cur = con.execute(
        f"SELECT day, precision, type, sum(n)::BIGINT AS count FROM ({source}){where.sql()} "
        "GROUP BY day, precision, type ORDER BY day, precision, type",
        where.params,
    )
    rows = _rows(cur)
    for row in rows:
        row["period"] = row["day"][:7] if row["precision"] == "month" else row["day"]
    return rows


def _bin_ends(rows: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """Each bin of a timeline with its last day (ISO), the month's for a month bin."""
    ends = []
    for row in rows:
        end = row["day"]
        if row["precision"] == "month":
            day = date.fromisoformat(end)
            end = day.replace(day=monthrange(day.year, day.month)[1]).isoformat()
        ends.append((end, row))
    return ends


def timeline_undated(
    con: duckdb.DuckDBPyConnection,
    kind: str = "events",
    f: Filters | None = None,
    ranks: Ranks | None = None,
) -> int:
    """How many events (or incidents) of ``f.type`` no timeline can place (year-only or no
    date at all): the note under every timeline (``ranks``: counted once per generation)."""
    f = f or Filters()
    source = _INCIDENT_BIN if kind == "incidents" else _EVENT_BIN
    if ranks is not None:
        by_type = ranks.value(
            generation(con),
            f"undated:{kind}",
            lambda: dict(
                con.execute(
                    f"SELECT type, sum(n)::BIGINT FROM ({source}) WHERE day IS NULL GROUP BY type"
                ).fetchall()
            ),
        )
        return by_type.get(f.type, 0) if f.type else sum(by_type.values())
    where = _Where()
    if f.type:
        where.add("type = ?", f.type)
    where.add("day IS NULL")
    sql = f"SELECT coalesce(sum(n), 0)::BIGINT FROM ({source}){where.sql()}"
    return con.execute(sql, where.params).fetchone()[0]


def entity_names(con: duckdb.DuckDBPyConnection, limit: int = 300) -> list[str]:
    """The most mentioned entity names, for the suggestions of entity filter boxes."""
    cur = con.execute(
        "SELECT name FROM entity_stats ORDER BY articles DESC, name LIMIT ?",
        [limit],
    )
    return [r[0] for r in cur.fetchall()]


def outlets(con: duckdb.DuckDBPyConnection, limit: int = 200) -> list[dict[str, Any]]:
    cur = con.execute(
        "SELECT outlet, count(*) AS articles FROM articles WHERE outlet IS NOT NULL "
        "GROUP BY outlet ORDER BY articles DESC, outlet LIMIT ?",
        [limit],
    )
    return _rows(cur)


# ---------------------------------------------------------------------------
# Articles


_ARTICLE_COLUMNS = (
    "id, source, version, title, url, outlet, language, published_date AS published, "
    "published_precision, ingested_at, num_chars, num_events, num_claims"  # kept by readcounts
)


def _article_row(row: dict[str, Any]) -> dict[str, Any]:
    _dated(row, "published", "published_precision")
    return row


_ARTICLE_FILTERS = {
    "outlet": "outlet = ?",
    "entity": "id IN (SELECT article_id FROM entity_mentions "
    "WHERE kb_id = ? OR lower(name) = lower(?))",
    "type": "id IN (SELECT article_id FROM events WHERE type = ?)",
    "country": "id IN (SELECT article_id FROM events WHERE ? IN "
    "(actor_country, target_country, location_country) "
    "UNION ALL SELECT article_id FROM entity_mentions WHERE country = ?)",
    "verification": "id IN (SELECT article_id FROM events WHERE verification = ? "
    "UNION ALL SELECT article_id FROM claims WHERE verification = ?)",
}
ARTICLE_ORDER = Order("articles", (("published", True), ("id", False)), fetch="id")


def _article_mask(f: Filters) -> Callable[[Any, Any], Any] | None:
    """``list_articles``' filters of ``f`` over the kept order of every article: the dates
    compare its ``published`` key; each other filter (a set of articles: those with
    events of a type, mentions of a country, ...) is found once per filter value and
    order, then kept as a boolean column (``RankedList.member``, from its second use)."""
    if f.q:
        return None
    wanted = [(name, clause) for name, clause in _ARTICLE_FILTERS.items() if getattr(f, name)]

    def mask(ranked: Any, con: duckdb.DuckDBPyConnection) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        table = ranked.table
        kept = []
        if f.date_from:
            kept.append(pc.greater_equal(table["published"], pa.scalar(f.date_from, pa.date32())))
        if f.date_to:
            kept.append(pc.less_equal(table["published"], pa.scalar(f.date_to, pa.date32())))
        for name, clause in wanted:
            params = [getattr(f, name)] * clause.count("?")
            rows = ranked.member(con, f"SELECT id FROM articles WHERE {clause}", params)
            if rows is None:  # a filter value asked for the first time: SQL answers
                return None
            kept.append(rows)
        return _all(table, kept)

    return mask


def list_articles(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    """Articles, newest first, with the structured filters (``q`` as a plain substring)."""
    where = _Where()
    if f.q:  # plain substring fallback, used only when there is no search index
        where.add("(text ILIKE ? OR title ILIKE ?)", f"%{f.q}%", f"%{f.q}%")
    _date_range(where, "published_date", f)
    where.each(f, _ARTICLE_FILTERS)
    rows = f"SELECT {_ARTICLE_COLUMNS} FROM articles"
    mask = _article_mask(f) if where.clauses else None
    if ranks is not None and mask is not None:  # a filtered list: a mask over the whole order
        page = _ranked_page(
            con, rows + where.sql(), where.params, limit, offset, _article_row, ARTICLE_ORDER,
            cursor, rows, ranks, mask,
        )  # fmt: skip
        if page is not None:
            return page
    return _page(
        con, rows + where.sql(), where.params, limit, offset, _article_row, ARTICLE_ORDER, cursor,
        rows, None if mask is not None else ranks,
    )  # fmt: skip


def article_summaries(
    con: duckdb.DuckDBPyConnection, ids: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """Title, outlet, date and counts for the given ids (search results)."""
    if not ids:
        return {}
    cur = con.execute(
        f"SELECT {_ARTICLE_COLUMNS} FROM articles WHERE id IN (SELECT unnest(?))", [list(ids)]
    )
    return {row["id"]: _article_row(row) for row in _rows(cur)}


def article_versions(con: duckdb.DuckDBPyConnection, article_id: str) -> list[dict[str, Any]]:
    """Every version of the source ``article_id`` belongs to (it may be a superseded one)."""
    cur = con.execute(
        "SELECT source, version, article_id, title, content_hash, num_chars, stored_at, "
        "superseded_at, superseded_at IS NULL AS current FROM article_versions "
        "WHERE source IN (SELECT source FROM article_versions WHERE article_id = ?) "
        "ORDER BY source, version",
        [article_id],
    )
    return _rows(cur)


def resolve_id(con: duckdb.DuckDBPyConnection, table: str, key: str) -> str | None:
    """The full id in ``table`` (articles, incidents, stories, duplicate_groups, events) for
    ``key``: the id itself, or a unique prefix of 8 or more characters (what tables print).
    Raises ``AmbiguousIdError`` when a prefix names several."""
    if table not in _ID_TABLES:
        raise ValueError(table)
    if con.execute(f"SELECT 1 FROM {table} WHERE id = ? LIMIT 1", [key]).fetchone():
        return key
    if len(key) < MIN_ID_PREFIX:
        return None
    found = [
        r[0]
        for r in con.execute(
            f"SELECT DISTINCT id FROM {table} WHERE starts_with(id, ?) ORDER BY id LIMIT 3",
            [key],
        ).fetchall()
    ]
    if len(found) > 1:
        raise AmbiguousIdError(f"{key!r} starts several ids in {table}")
    return found[0] if found else None


def article_exists(con: duckdb.DuckDBPyConnection, article_id: str) -> bool:
    return con.execute("SELECT 1 FROM articles WHERE id = ?", [article_id]).fetchone() is not None


# ---------------------------------------------------------------------------
# Events and incidents


_EVENT_SQL = """
SELECT e.*, a.title AS article_title, a.outlet AS article_outlet,
       a.published_date AS article_published, a.url AS article_url,
       a.source AS article_source
FROM events e JOIN articles a ON a.id = e.article_id
"""


def _event_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": row.pop("id"),
        "article_id": row.pop("article_id"),
        "idx": row.pop("idx"),
        "type": row.pop("type"),
        "mode": row.pop("mode"),
        "modality": row.pop("modality"),
    }
    item["sentence"] = _span(row, "sentence")
    item["trigger"] = _span(row, "trigger")
    item["actor"] = _party(row, "actor")
    item["target"] = _party(row, "target")
    item["location"] = _place(row)
    _dated(row)
    item["location_country"] = row.pop("location_country")
    item["date"] = row.pop("date")
    item["date_precision"] = row.pop("date_precision")
    item["quantities"] = _json(row.pop("quantities")) or []
    row.pop("place_date", None)  # the timeline's placement, not the event's own date
    row.pop("place_precision", None)
    item.update(row)  # claimed_by, verification, confidence, stage, article_*
    return item


def _event_where(f: Filters, alias: str = "e") -> _Where:
    p = f"{alias}." if alias else ""
    where = _Where().each(
        f,
        {
            "type": f"{p}type = ?",
            "mode": f"{p}mode = ?",
            "country": f"? IN ({p}actor_country, {p}target_country, {p}location_country)",
            "verification": f"{p}verification = ?",
            "article_id": f"{p}article_id = ?",
            "outlet": f"{p}article_id IN (SELECT id FROM articles WHERE outlet = ?)",
            # a KB id or a name, in any case
            "entity": f"(? IN ({p}actor_kb_id, {p}target_kb_id, {p}location_kb_id) "
            f"OR lower(?) IN (lower({p}actor_name), lower({p}target_name), "
            f"lower({p}location_name)) OR {p}article_id IN (SELECT article_id "
            "FROM entity_mentions WHERE kb_id = ? OR lower(name) = lower(?)))",
            "located": f"{p}location_lat IS NOT NULL AND {p}location_lon IS NOT NULL",
        },
    )
    # the event's own date, else its article's publication date (as the timeline bins it)
    if f.date_from or f.date_to:
        name = alias or "events"
        _fuzzy_range(where, _event_day_sql(name), _event_precision_sql(name), f)
    return where


def _attach_articles(
    con: duckdb.DuckDBPyConnection,
    items: list[dict[str, Any]],
    kept: dict[str, tuple] | None = None,
) -> None:
    """Add title, outlet and publication date of each item's article (one small query;
    ``kept``: the articles' fields the caller kept for this store generation, by id: only
    the others are read, then kept there too)."""
    ids = sorted({item["article_id"] for item in items})
    missing = ids if kept is None else [i for i in ids if i not in kept]
    found = {} if kept is None else {i: kept[i] for i in ids if i in kept}
    if missing:
        cur = con.execute(
            "SELECT id, title, outlet, published_date, url, source FROM articles "
            "WHERE id = ANY(?::VARCHAR[])",
            [missing],
        )
        read = {row[0]: row[1:] for row in cur.fetchall()}
        found.update(read)
        if kept is not None:
            if len(kept) + len(read) > MAX_KEPT_ARTICLES:
                kept.clear()
            kept.update(read)
    for item in items:
        title, outlet, published, url, source = found.get(item["article_id"], (None,) * 5)
        item.update(
            article_title=title,
            article_outlet=outlet,
            article_published=_value(published),
            article_url=url,
            article_source=source,
        )


# What filters of the event list read, kept beside its whole order (``_event_mask``): the
# first and last day of an event's timeline place are what ``_fuzzy_range`` compares.
_EVENT_FACETS = (
    "q.type AS _type",
    "q.mode AS _mode",
    "q.verification AS _verification",
    "q.actor_country AS _actor_country",
    "q.target_country AS _target_country",
    "q.location_country AS _location_country",
    "q.location_lat IS NOT NULL AND q.location_lon IS NOT NULL AS _located",
    "CASE WHEN q.place_precision IN ('day', 'week', 'month') THEN q.place_date END AS _first_day",
    "CASE WHEN q.place_precision IN ('day', 'week') THEN q.place_date "
    "WHEN q.place_precision = 'month' THEN last_day(q.place_date) END AS _last_day",
    # what a map point shows (``event_points``), for located events only
    "q.location_lat AS _lat",
    "q.location_lon AS _lon",
    "q.location_name AS _place",
    "q.date_precision AS _date_precision",
    "CASE WHEN q.location_lat IS NOT NULL AND q.location_lon IS NOT NULL "
    "THEN q.sentence_text END AS located_sentence",  # not a code: text of its own
)
EVENT_ORDER = Order(
    "events",
    (("date", True), ("article_id", False), ("idx", False)),
    fetch="id",
    facets=_EVENT_FACETS,
    from_order=(("location_lat", "_lat"), ("location_lon", "_lon")),
)
_MASKED_EVENT_FILTERS = frozenset(
    ("type", "mode", "verification", "country", "located", "date_from", "date_to")
)


def _event_mask(f: Filters) -> Callable[[Any], Any] | None:
    """``_event_where``'s filters of ``f`` over a kept order's facets (SQL's NULL never
    keeps a row); None when ``f`` has a filter the facets cannot answer."""
    others = (name for name in f.__dataclass_fields__ if name not in _MASKED_EVENT_FILTERS)
    if any(getattr(f, name) for name in others):
        return None

    def mask(ranked: Any, con: duckdb.DuckDBPyConnection) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        from veille.store.duckdb.ranked import equal

        table = ranked.table
        kept = []
        for name in ("type", "mode", "verification"):
            if value := getattr(f, name):
                kept.append(equal(table[f"_{name}"], value))
        if f.country:
            a, b, c = (
                equal(table[f"_{role}_country"], f.country)
                for role in ("actor", "target", "location")
            )
            kept.append(pc.or_kleene(pc.or_kleene(a, b), c))
        if f.located:
            kept.append(table["_located"])
        if f.date_from:
            kept.append(pc.greater_equal(table["_last_day"], pa.scalar(f.date_from, pa.date32())))
        if f.date_to:
            kept.append(pc.less_equal(table["_first_day"], pa.scalar(f.date_to, pa.date32())))
        return _all(table, kept)

    return mask


def _all(table: Any, kept: list[Any]) -> Any:
    """Rows where every one of ``kept`` (boolean columns) is true (NULL is not)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not kept:
        return pa.chunked_array([pa.array([True] * table.num_rows, pa.bool_())])
    both = kept[0]
    for more in kept[1:]:
        both = pc.and_kleene(both, more)
    return pc.fill_null(both, False)


def list_events(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    """Events by their own date, newest first (undated last).

    Events are filtered and sorted without joining articles, which would cost a hash join
    over every event; the page's articles are fetched afterwards.
    """
    where = _event_where(f)
    rows = "SELECT e.* FROM events e"
    mask = _event_mask(f) if where.clauses else None
    page = None
    # the events a server read lately, shaped, with their articles: the overview's latest
    # events of a date range are mostly the same ones whatever the range
    kept = None if ranks is None else ranks.value(generation(con), "event_rows", dict)
    if ranks is not None and mask is not None:  # a filtered list: a mask over the whole order
        page = _ranked_page(
            con, rows + where.sql(), where.params, limit, offset, _event_item, EVENT_ORDER,
            cursor, rows, ranks, mask, kept,
        )  # fmt: skip
    if page is None:
        page = _page(
            con, rows + where.sql(), where.params, limit, offset, _event_item, EVENT_ORDER,
            cursor, rows, None if mask is not None else ranks, kept,
        )  # fmt: skip
    articles = None if ranks is None else ranks.value(generation(con), "event_articles", dict)
    _attach_articles(con, [item for item in page["items"] if "article_title" not in item], articles)
    if kept is not None:  # shared by later answers: never changed after this
        if len(kept) + len(page["items"]) > MAX_KEPT_ROWS:
            kept.clear()
        kept.update((item["id"], item) for item in page["items"])
    return page


def get_event(con: duckdb.DuckDBPyConnection, event_id: str) -> dict[str, Any] | None:
    cur = con.execute(
        f"{_EVENT_SQL} WHERE e.id = ? ORDER BY e.article_id, e.idx LIMIT 1", [event_id]
    )
    rows = _rows(cur)
    return _event_item(rows[0]) if rows else None


_POINT_COLUMNS = {  # a map point's field -> its column in the events' kept order
    "id": "id", "article_id": "article_id", "type": "_type", "lat": "_lat", "lon": "_lon",
    "place": "_place", "date": "date", "date_precision": "_date_precision",
    "evidence": "located_sentence",
}  # fmt: skip


def _kept_points(
    con: duckdb.DuckDBPyConnection, f: Filters, limit: int, ranks: Ranks
) -> list[dict[str, Any]] | None:
    """``event_points``' rows read from the events' kept order (its facets hold what a
    point shows); None when the order is not kept or a filter is not one of its facets."""
    import pyarrow as pa
    import pyarrow.compute as pc

    mask = _event_mask(f)
    if mask is None:
        return None
    keys = [c for c, _ in EVENT_ORDER.keys]
    ranked = ranks.ranked(
        con, generation(con), EVENT_ORDER.name, keys, "id", "SELECT e.* FROM events e",
        EVENT_ORDER.sql(), (), EVENT_ORDER.facets,
    )  # fmt: skip
    if ranked is None:
        return None
    chosen = pc.indices_nonzero(mask(ranked, con)).slice(0, limit)
    table = ranked.table.select(list(_POINT_COLUMNS.values())).take(chosen)
    # column by column, as plain text: Table.to_pylist builds rows through Arrow scalars,
    # and a dictionary-encoded or date column's to_pylist is ~20x slower than its text's
    # (a date cast to text is its ISO form)
    columns = []
    for c in _POINT_COLUMNS.values():
        column = table.column(c)
        if pa.types.is_dictionary(column.type):
            column = column.cast(column.type.value_type)
        elif pa.types.is_date(column.type):
            column = pc.cast(column, pa.string())
        columns.append(column.to_pylist())
    names = list(_POINT_COLUMNS)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def event_points(
    con: duckdb.DuckDBPyConnection, f: Filters, limit: int = 5000, ranks: Ranks | None = None
) -> list[dict[str, Any]]:
    """Events with coordinates, for the map and GeoJSON (newest first, bounded): only what
    a point shows (thousands of whole events would cost more than the query). ``date`` is
    the event's own (as the gold writes it), else its article's publication day.
    ``ranks``: the server's kept orders (the events' holds what a point shows)."""
    located = Filters(**{**_asdict(f), "located": True})
    rows = _kept_points(con, located, limit, ranks) if ranks is not None else None
    if rows is None:
        where = _event_where(located)
        rows = _rows(
            con.execute(
                "SELECT e.id, e.article_id, e.type, e.location_lat AS lat, e.location_lon AS lon, "
                "e.location_name AS place, e.date, e.date_precision, e.sentence_text AS evidence "
                f"FROM events e{where.sql()} ORDER BY e.date DESC NULLS LAST, e.article_id, e.idx "
                "LIMIT ?",
                [*where.params, limit],
            )
        )
    undated = sorted({r["article_id"] for r in rows if r["date"] is None})
    published = dict(
        con.execute(
            "SELECT id, published_date::VARCHAR FROM articles WHERE id = ANY(?::VARCHAR[])",
            [undated],
        ).fetchall()
        if undated
        else []
    )
    for row in rows:
        _dated(row)
        del row["date_precision"]
        row["date"] = row["date"] or published.get(row["article_id"])
    return rows


def _asdict(f: Filters) -> dict[str, Any]:
    return {name: getattr(f, name) for name in f.__dataclass_fields__}


def _incident_item(row: dict[str, Any]) -> dict[str, Any]:
    row["location"] = _place(row)
    _dated(row)
    return row


INCIDENT_ORDER = Order(
    "incidents", (("date", True), ("num_mentions", True), ("id", False)), fetch="id"
)


def list_incidents(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    where = _Where().each(
        f,
        {
            "type": "type = ?",
            "mode": "mode = ?",
            "country": "? IN (actor, target, location_country)",
            "verification": "verification = ?",
            "article_id": "id IN (SELECT incident_id FROM incident_articles WHERE article_id = ?)",
        },
    )
    _fuzzy_range(where, "date", "date_precision", f)
    sql = f"SELECT * FROM incidents{where.sql()}"
    return _page(
        con, sql, where.params, limit, offset, _incident_item, INCIDENT_ORDER, cursor,
        "SELECT * FROM incidents", ranks,
    )  # fmt: skip


def get_incident(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute("SELECT * FROM incidents WHERE id = ?", [incident_id]))
    if not rows:
        return None
    item = _incident_item(rows[0])
    events = con.execute(
        f"{_EVENT_SQL} WHERE e.id IN (SELECT event_id FROM incident_events WHERE incident_id = ?) "
        "ORDER BY a.published_date, e.article_id, e.idx",
        [incident_id],
    )
    item["events"] = [_event_item(r) for r in _rows(events)]
    item["articles"] = _articles_of(con, "incident_articles", "incident_id", incident_id)
    return item


def _articles_of(
    con: duckdb.DuckDBPyConnection, table: str, key: str, value: str
) -> list[dict[str, Any]]:
    """The articles of an incident, story or duplicate group, with outlet, URL, file, date."""
    cur = con.execute(
        "SELECT a.id, a.title, a.outlet, a.url, a.source, a.language, "
        "a.published_date AS published, a.published_precision, a.content_hash, a.num_chars "
        f"FROM {table} m JOIN articles a ON a.id = m.article_id WHERE m.{key} = ? "
        "ORDER BY a.published_date NULLS LAST, a.id",
        [value],
    )
    return [_article_row(r) for r in _rows(cur)]


# ---------------------------------------------------------------------------
# Stories and duplicate groups


def _story_item(row: dict[str, Any]) -> dict[str, Any]:
    row["top_entities"] = list(row.get("top_entities") or [])
    return row


STORY_ORDER = Order(
    "stories", (("num_articles", True), ("last_date", True), ("id", False)), fetch="id"
)


def list_stories(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    """Stories, largest first; a date range keeps stories whose span overlaps it."""
    where = _Where()
    if f.date_from:
        where.add("last_date >= ?", f.date_from)
    if f.date_to:
        where.add("first_date <= ?", f.date_to)
    if f.entity:
        where.add("(label ILIKE ? OR list_contains(top_entities, ?))", f"%{f.entity}%", f.entity)
    where.each(
        f, {"article_id": "id IN (SELECT story_id FROM story_articles WHERE article_id = ?)"}
    )
    sql = (
        "SELECT s.*, (SELECT count(*) FROM story_articles m WHERE m.story_id = s.id) "
        f"AS num_articles FROM stories s{where.sql()}"
    )
    if ranks is None:
        return _page(con, sql, where.params, limit, offset, _story_item, STORY_ORDER, cursor)
    # a server counts every story's articles once per generation: a page's rows are then
    # read without counting them (a pass over every story's articles, ~3 CPU-ms a page)
    sizes = _member_counts(con, ranks, "story_articles", "story_id")

    def shape(row: dict[str, Any]) -> dict[str, Any]:
        row["num_articles"] = sizes.get(row["id"], 0)
        return _story_item(row)

    rows = "SELECT s.*, NULL::BIGINT AS num_articles FROM stories s"  # counted by ``shape``
    return _page(con, sql, where.params, limit, offset, shape, STORY_ORDER, cursor, rows, ranks)


def _member_counts(
    con: duckdb.DuckDBPyConnection, ranks: Ranks, table: str, key: str
) -> dict[str, int]:
    """How many rows of ``table`` each ``key`` has (a story's or group's articles), counted
    once per store generation."""
    return ranks.value(
        generation(con),
        f"sizes:{table}",
        lambda: dict(con.execute(f"SELECT {key}, count(*) FROM {table} GROUP BY ALL").fetchall()),
    )


def get_story(con: duckdb.DuckDBPyConnection, story_id: str) -> dict[str, Any] | None:
    rows = _rows(con.execute("SELECT * FROM stories WHERE id = ?", [story_id]))
    if not rows:
        return None
    item = _story_item(rows[0])
    item["articles"] = _articles_of(con, "story_articles", "story_id", story_id)
    item["num_articles"] = len(item["articles"])
    return item


# Members of a group whose clean text is the same as another member's: a "near" group may
# hold exact copies too, and says how many (as `stats` counts exact duplicate texts).
_EXACT_COPIES = (
    "(SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM duplicate_group_articles m "
    "JOIN articles a ON a.id = m.article_id WHERE m.group_id = g.id "
    "GROUP BY a.content_hash HAVING count(*) > 1)) AS exact_copies"
)


DUPLICATE_ORDER = Order(
    "duplicates", (("kind", False), ("similarity", True), ("id", False)), fetch="id"
)


def list_duplicate_groups(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    where = _Where().each(
        f,
        {
            "kind": "kind = ?",
            "outlet": "list_contains(outlets, ?)",
            "article_id": "id IN (SELECT group_id FROM duplicate_group_articles "
            "WHERE article_id = ?)",
        },
    )
    sql = (
        "SELECT g.*, (SELECT count(*) FROM duplicate_group_articles m WHERE m.group_id = g.id) "
        f"AS num_articles FROM duplicate_groups g{where.sql()}"
    )
    if ranks is None:
        page = _page(con, sql, where.params, limit, offset, _same, DUPLICATE_ORDER, cursor)
    else:  # each group's articles counted once per generation (as stories' are)
        sizes = _member_counts(con, ranks, "duplicate_group_articles", "group_id")

        def shape(row: dict[str, Any]) -> dict[str, Any]:
            row["num_articles"] = sizes.get(row["id"], 0)
            return row

        rows = "SELECT g.*, NULL::BIGINT AS num_articles FROM duplicate_groups g"
        page = _page(
            con, sql, where.params, limit, offset, shape, DUPLICATE_ORDER, cursor, rows, ranks
        )
    # exact copies for this page's groups only (a column of the list would count them all),
    # or for every group once per store generation when the server keeps them
    ids = [item["id"] for item in page["items"]]

    def exact_copies(ids: list[str] | None) -> dict[str, int]:
        return dict(
            con.execute(
                "SELECT group_id, sum(n) FROM (SELECT m.group_id, count(*) AS n "
                "FROM duplicate_group_articles m JOIN articles a ON a.id = m.article_id "
                f"{'' if ids is None else 'WHERE m.group_id = ANY(?::VARCHAR[]) '}"
                "GROUP BY m.group_id, a.content_hash HAVING count(*) > 1) GROUP BY group_id",
                [] if ids is None else [ids],
            ).fetchall()
        )

    if ranks is None:
        copies = exact_copies(ids)
    else:
        copies = ranks.value(generation(con), "exact_copies", lambda: exact_copies(None))
    for item in page["items"]:
        item["exact_copies"] = int(copies.get(item["id"], 0))
    return page


def get_duplicate_group(con: duckdb.DuckDBPyConnection, group_id: str) -> dict[str, Any] | None:
    rows = _rows(
        con.execute(f"SELECT g.*, {_EXACT_COPIES} FROM duplicate_groups g WHERE id = ?", [group_id])
    )
    if not rows:
        return None
    item = rows[0]
    item["articles"] = _articles_of(con, "duplicate_group_articles", "group_id", group_id)
    item["num_articles"] = len(item["articles"])
    return item


# ---------------------------------------------------------------------------
# Aid


def _aid_item(row: dict[str, Any]) -> dict[str, Any]:
    row["evidence"] = _json(row.get("evidence")) or []
    row["items"] = _json(row.get("items")) or []
    # Exact decimals as strings beside the float columns.
    row["value_exact"] = row.pop("value_text", None)
    row["usd_value_exact"] = row.pop("usd_value_text", None)
    _dated(row, "announced_date", "announced_precision")
    return row


def _aid_fields(f: Filters) -> _Where:
    """The filters aid commitments and aid packages share: parties, status, kind."""
    return _Where().each(
        f,
        {
            "donor": "donor = ?",
            "recipient": "recipient = ?",
            "status": "status = ?",
            "kind": "kind = ?",
        },
    )


def _aid_where(f: Filters) -> _Where:
    where = _aid_fields(f).each(f, {"article_id": "article_id = ?"})
    _date_range(where, "announced_date", f)
    return where


AID_ORDER = Order("aid", (("usd_value", True), ("article_id", False), ("idx", False)), fetch="id")


def list_aid(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    where = _aid_where(f)
    sql = (
        "SELECT c.*, a.title AS article_title, a.outlet AS article_outlet, "
        "a.published_date AS article_published, a.url AS article_url, "
        "a.source AS article_source "
        "FROM aid_commitments c JOIN articles a ON a.id = c.article_id"
    )
    return _page(
        con,
        sql + where.sql(),
        where.params,
        limit,
        offset,
        _aid_item,
        AID_ORDER,
        cursor,
        sql,
        ranks,
    )


# Status groups of the aid headline: what is committed or delivered is never added to what
# is only announced, planned or under negotiation.
AID_STATUS_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("committed", "Committed or delivered", ("delivered", "committed", "approved")),
    (
        "pledged",
        "Announced, promised, planned or negotiating",
        ("announced", "promised", "planned", "negotiating"),
    ),
    ("suspended", "Suspended", ("suspended",)),
    ("unknown", "Status not stated", ()),
)

# One row per aid package: a merged commitment (veille.link.aid, its latest status), or a
# commitment linking has not merged yet. A package reported announced and then delivered
# counts once, as delivered. Its date is its latest status step's (else the article's).
# (Grouped joins rather than correlated subqueries: DuckDB runs them several times faster.)
_AID_PACKAGES = """
SELECT m.id, m.donor, m.recipient, m.kind, m.mechanism, m.status, m.value, m.currency,
       m.usd_value, h.day, coalesce(r.reports, 0) AS reports, r.articles
FROM merged_aid m
LEFT JOIN (SELECT merged_id, arg_max(date, idx) AS day FROM merged_aid_history
           GROUP BY merged_id) h ON h.merged_id = m.id
LEFT JOIN (SELECT mc.merged_id, count(*) AS reports,
                  list(c.article_id) FILTER (WHERE c.article_id IS NOT NULL) AS articles
           FROM merged_aid_commitments mc LEFT JOIN aid_commitments c ON c.id = mc.commitment_id
           GROUP BY mc.merged_id) r ON r.merged_id = m.id
UNION ALL
SELECT c.id, c.donor, c.recipient, c.kind, c.mechanism, c.status, c.value, c.currency,
       c.usd_value, coalesce(c.announced_date, a.published_date) AS day, 1 AS reports,
       [c.article_id] AS articles
FROM aid_commitments c JOIN articles a ON a.id = c.article_id
WHERE c.id NOT IN (SELECT commitment_id FROM merged_aid_commitments)
"""


def _package_where(f: Filters) -> _Where:
    where = _aid_fields(f).each(f, {"article_id": "list_contains(articles, ?)"})
    _date_range(where, "day", f)
    return where


def _status_group(status: str | None) -> str:
    for key, _, statuses in AID_STATUS_GROUPS:
        if status in statuses:
            return key
    return "unknown"


def aid_totals(
    con: duckdb.DuckDBPyConnection, f: Filters | None = None, ranks: Ranks | None = None
) -> dict[str, Any]:
    """Aid in USD per package, never adding what is committed to what is only announced.

    Each package counts once, under its latest status (a package announced and then
    delivered is delivered). Purchases are sales, not aid: they are totalled apart.
    ``headline`` is what is committed or delivered; ``groups`` every status group with
    what it includes; ``by_donor``/``by_status``/``by_donor_status`` are over aid packages
    (purchases left out), for the charts.

    ``ranks``: the server's kept values; every package is then read once per store
    generation and a date range picks among them (merging packages costs a pass over
    every commitment and its history, ~20 CPU-ms at 100,000 articles).
    """
    f = f or Filters()
    if ranks is not None and replace(f, date_from=None, date_to=None) == Filters():
        packages = ranks.value(
            generation(con), "aid_packages", lambda: _rows(con.execute(_AID_PACKAGES))
        )
        low = f.date_from.isoformat() if f.date_from else None
        high = f.date_to.isoformat() if f.date_to else None
        rows = [
            row
            for row in packages
            if (low is None or (row["day"] is not None and row["day"] >= low))
            and (high is None or (row["day"] is not None and row["day"] <= high))
        ]
    else:
        where = _package_where(f)
        rows = _rows(con.execute(f"SELECT * FROM ({_AID_PACKAGES}){where.sql()}", where.params))
    aid = [r for r in rows if r["mechanism"] != "purchase"]
    purchases = [r for r in rows if r["mechanism"] == "purchase"]

    def total(items: list[dict[str, Any]]) -> dict[str, Any]:
        valued = [r["usd_value"] for r in items if r["usd_value"] is not None]
        return {"usd": float(sum(valued)), "count": len(items), "valued": len(valued)}

    by_group: dict[str, list[dict[str, Any]]] = {}
    for r in aid:
        by_group.setdefault(_status_group(r["status"]), []).append(r)
    groups = []
    for key, label, statuses in AID_STATUS_GROUPS:
        members = by_group.get(key, [])
        groups.append({"key": key, "label": label, "statuses": list(statuses), **total(members)})

    def grouped(keys: tuple[str, ...]) -> list[dict[str, Any]]:
        out: dict[tuple, list[dict[str, Any]]] = {}
        for r in aid:
            out.setdefault(tuple(r[k] for k in keys), []).append(r)
        items = [{**dict(zip(keys, k, strict=True)), **total(v)} for k, v in out.items()]
        return sorted(items, key=lambda i: (-i["usd"], -i["count"], str(i[keys[0]])))

    committed = next(g for g in groups if g["key"] == "committed")
    return {
        "headline": {
            **committed,
            "label": "committed or delivered",
            "includes": "aid packages whose latest status is committed, approved or "
            "delivered, each counted once; not announcements, plans, negotiations or "
            "purchases",
        },
        "groups": groups,
        "purchases": {
            **total(purchases),
            "label": "Purchases (sales, not aid)",
            "includes": "deals where the recipient buys from the supplier",
        },
        "packages": len(aid),
        "reports": int(sum(r["reports"] for r in rows)),
        "by_donor": grouped(("donor",)),
        "by_status": grouped(("status",)),
        "by_donor_status": grouped(("donor", "status")),
        "total_usd": committed["usd"],
    }


PACKAGE_ORDER = Order("aid_packages", (("usd_value", True), ("id", False)), fetch="id")


def aid_packages(
    con: duckdb.DuckDBPyConnection, f: Filters, limit: int, offset: int, cursor: str | None = None
) -> Page:
    """Aid packages (merged across reports), largest first."""
    where = _package_where(f)
    sql = f"SELECT * FROM ({_AID_PACKAGES}){where.sql()}"
    return _page(con, sql, where.params, limit, offset, _same, PACKAGE_ORDER, cursor)


# ---------------------------------------------------------------------------
# Claims


def _claim_item(row: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": row.pop("id"),
        "article_id": row.pop("article_id"),
        "idx": row.pop("idx"),
        "cue": row.pop("cue"),
        "anonymous": row.pop("anonymous"),
        "verification": row.pop("verification"),
    }
    item["sentence"] = _span(row, "sentence")
    item["content"] = _span(row, "content")
    item["speaker"] = _party(row, "speaker")
    item["verification_evidence"] = _json(row.pop("verification_evidence"))
    item.update(row)
    return item


CLAIM_ORDER = Order(
    "claims", (("article_published", True), ("article_id", False), ("idx", False)), fetch="id"
)


def list_claims(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    where = _Where().each(
        f,
        {
            "verification": "c.verification = ?",
            "speaker": "? IN (c.speaker_name, c.speaker_country, c.speaker_kb_id)",
            "country": "c.speaker_country = ?",
            "article_id": "c.article_id = ?",
            "outlet": "a.outlet = ?",
        },
    )
    _date_range(where, "a.published_date", f)
    sql = (
        "SELECT c.*, a.title AS article_title, a.outlet AS article_outlet, "
        "a.published_date AS article_published, a.url AS article_url, "
        "a.source AS article_source "
        "FROM claims c JOIN articles a ON a.id = c.article_id"
    )
    return _page(
        con,
        sql + where.sql(),
        where.params,
        limit,
        offset,
        _claim_item,
        CLAIM_ORDER,
        cursor,
        sql,
        ranks,
    )


# ---------------------------------------------------------------------------
# Entities


_ENTITY_KEY = "coalesce(kb_id, name)"


ENTITY_ORDER = Order("entities", (("articles", True), ("mentions", True), ("key", False)))


def list_entities(
    con: duckdb.DuckDBPyConnection,
    f: Filters,
    limit: int,
    offset: int,
    cursor: str | None = None,
    ranks: Ranks | None = None,
) -> Page:
    """Entities by number of articles mentioning them; key is the KB id, else the name.

    ``label`` and ``country`` keep entities whose most frequent label and country they
    are. Those lists read ``entity_stats`` (kept when articles are stored); a text, article
    or date filter counts the matching mentions instead (a date filter alone: the counts
    by day, summed in memory when the server keeps them, ``ranks``)."""
    where = _Where().each(f, {"label": "label = ?", "country": "country = ?"})
    if not (f.q or f.article_id or f.date_from or f.date_to):
        sql = (
            "SELECT key, kb_id, name, label, country, mentions, articles "
            f"FROM entity_stats{where.sql()}"
        )
        return _page(con, sql, where.params, limit, offset, _same, ENTITY_ORDER, cursor)
    if not (f.q or f.article_id or f.label or f.country):
        if ranks is not None and cursor is None:
            return _kept_dated_entities(day_spans(con, ranks), f, limit, offset)
        return _dated_entities(con, f, limit, offset, cursor)
    if f.q:
        where.add("(name ILIKE ? OR text ILIKE ?)", f"%{f.q}%", f"%{f.q}%")
    where.each(f, {"article_id": "article_id = ?"})
    if f.date_from or f.date_to:
        span, params = _article_span(f, "a")
        where.add(f"article_id IN (SELECT a.id FROM articles a WHERE {span})", *params)
    sql = (
        f"SELECT {_ENTITY_KEY} AS key, any_value(kb_id) AS kb_id, mode(name) AS name, "
        "mode(label) AS label, mode(country) AS country, count(*) AS mentions, "
        f"count(DISTINCT article_id) AS articles FROM entity_mentions{where.sql()} "
        f"GROUP BY {_ENTITY_KEY}"
    )
    return _page(con, sql, where.params, limit, offset, _same, ENTITY_ORDER, cursor)


def _dated_entities(
    con: duckdb.DuckDBPyConnection, f: Filters, limit: int, offset: int, cursor: str | None
) -> Page:
    """Entities mentioned in articles of f's dates, from the day count tables
    (``daycounts``): ranked on their summed counts, then each entity's KB id and most
    frequent name, label and country in the range read for the page's entities only (a
    tie goes to the value that sorts first)."""
    days = _Where()
    _date_range(days, "day", f)
    sql = (
        "SELECT key, sum(mentions)::BIGINT AS mentions, sum(articles)::BIGINT AS articles "
        f"FROM day_entities{days.sql()} GROUP BY key"
    )
    page = _page(con, sql, days.params, limit, offset, _same, ENTITY_ORDER, cursor)
    keys = [item["key"] for item in page["items"]]
    days.add("key IN (SELECT unnest(?::VARCHAR[]))", keys)
    forms: dict[str, list[tuple]] = {}
    for key, *form in con.execute(
        "SELECT key, kb_id, name, label, country, sum(mentions) FROM day_entity_forms"
        f"{days.sql()} GROUP BY ALL",
        days.params,
    ).fetchall():
        forms.setdefault(key, []).append(tuple(form))

    def mode(rows: list[tuple], at: int) -> Any:
        counts: dict[Any, int] = {}
        for row in rows:
            if row[at] is not None:
                counts[row[at]] = counts.get(row[at], 0) + row[-1]
        return min(counts, key=lambda v: (-counts[v], v)) if counts else None

    page["items"] = [
        {
            "key": item["key"],
            "kb_id": max((r[0] for r in rows if r[0] is not None), default=None),
            "name": mode(rows, 1),
            "label": mode(rows, 2),
            "country": mode(rows, 3),
            "mentions": item["mentions"],
            "articles": item["articles"],
        }
        for item in page["items"]
        for rows in [forms.get(item["key"], [])]
    ]
    return page


def _kept_dated_entities(spans: DaySpans, f: Filters, limit: int, offset: int) -> Page:
    """``_dated_entities`` (a first page or one at an offset) from the server's kept day
    counts: the same items, total and next cursor."""
    span = _day_span(f)
    total, rows = spans.ranked_entities(span, offset, limit + 1)
    next_cursor = None
    if len(rows) > limit:  # one row more than asked: there is a next page
        rows = rows[:limit]
        key, mentions, articles = rows[-1]
        next_cursor = ENTITY_ORDER.cursor([articles, mentions, key])
    forms = spans.forms([key for key, _, _ in rows], span)
    items = [
        {**form, "mentions": mentions, "articles": articles, "key": key}
        for form, (key, mentions, articles) in zip(forms, rows, strict=True)
    ]
    items = [{name: item[name] for name in _ENTITY_FIELDS} for item in items]
    return {"items": items, "total": total, "next_cursor": next_cursor}


_ENTITY_FIELDS = ("key", "kb_id", "name", "label", "country", "mentions", "articles")


MENTION_ORDER = Order(
    "mentions", (("article_published", True), ("article_id", False), ("idx", False))
)


def entity_detail(
    con: duckdb.DuckDBPyConnection,
    key: str,
    limit: int,
    offset: int,
    related: int = 20,
    cursor: str | None = None,
) -> dict[str, Any] | None:
    """One entity: its summary, a page of mentions, and co-occurring entities."""
    head = _rows(
        con.execute(
            f"SELECT {_ENTITY_KEY} AS key, any_value(kb_id) AS kb_id, mode(name) AS name, "
            "mode(label) AS label, mode(country) AS country, count(*) AS mentions, "
            "count(DISTINCT article_id) AS articles, list(DISTINCT text) AS surface_forms "
            f"FROM entity_mentions WHERE {_ENTITY_KEY} = ? GROUP BY {_ENTITY_KEY}",
            [key],
        )
    )
    if not head:
        return None
    item = head[0]
    item["surface_forms"] = sorted(item["surface_forms"] or [])[:30]
    item["mention_list"] = _page(
        con,
        'SELECT m.article_id, m.idx, m.start_char AS start, m.end_char AS "end", m.text, '
        # the words around the mention (the sentence is not stored for entities)
        "substr(a.text, greatest(1, m.start_char - 119), "
        "least(m.start_char, 120) + (m.end_char - m.start_char) + 120) AS context, "
        "greatest(0, m.start_char - 120) AS context_start, "
        "m.resolved_by, a.title AS article_title, a.outlet AS article_outlet, "
        "a.url AS article_url, "
        "a.published_date AS article_published FROM entity_mentions m "
        "JOIN articles a ON a.id = m.article_id WHERE coalesce(m.kb_id, m.name) = ?",
        [key],
        limit,
        offset,
        _same,
        MENTION_ORDER,
        cursor,
    )
    item["cooccurring"] = _rows(
        con.execute(
            "SELECT coalesce(o.kb_id, o.name) AS key, mode(o.name) AS name, "
            "mode(o.label) AS label, count(DISTINCT o.article_id) AS articles "
            "FROM entity_mentions o WHERE o.article_id IN "
            "(SELECT article_id FROM entity_mentions WHERE coalesce(kb_id, name) = ?) "
            "AND coalesce(o.kb_id, o.name) <> ? GROUP BY 1 ORDER BY articles DESC, key LIMIT ?",
            [key, key, related],
        )
    )
    return item


# ---------------------------------------------------------------------------
# Exports


EXPORT_TABLES: dict[str, str] = {
    "articles": "SELECT * EXCLUDE (dropped_lines) FROM articles ORDER BY stored_at, id",
    "events": "SELECT * FROM events ORDER BY article_id, idx",
    "incidents": "SELECT * FROM incidents ORDER BY id",
    "aid": "SELECT * FROM aid_commitments ORDER BY article_id, idx",
    "claims": "SELECT * FROM claims ORDER BY article_id, idx",
    "entities": "SELECT * FROM entity_mentions ORDER BY article_id, idx",
}


def export_table(con: duckdb.DuckDBPyConnection, name: str):
    """A whole table as a pyarrow Table, for CSV / JSON / Parquet downloads."""
    return con.sql(EXPORT_TABLES[name]).to_arrow_table()
