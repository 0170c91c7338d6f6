"""The counts by day (``daycounts``) held in memory by a server, once per store generation.

A dated overview sums the day count tables over its range: eight small queries for its
stats and a grouping of every entity's days for its top entities (~15 CPU-ms at 100,000
articles, most of a dated overview). A server keeps those tables here as numpy columns
sorted by day (24 MB at 100,000 articles, read in ~0.35 CPU-s after each write), so a range is
a slice or a mask and its sums are ``bincount``s: the same numbers as the queries
(``queries._ranged_counts`` and ``queries._dated_entities``, which answer without a
server), a fraction of a millisecond each.

Days are numbered from 1970-01-01 (Arrow's ``date32``). Rows a range can never keep (an
event or incident without a date to the day, week or month) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import duckdb

_EPOCH = date(1970, 1, 1)
_FORM_FIELDS = ("kb_id", "name", "label", "country")  # an entity's forms (day_entity_forms)


def day_number(day: date) -> int:
    return (day - _EPOCH).days


def _iso(number: int) -> str:
    return date.fromordinal(_EPOCH.toordinal() + int(number)).isoformat()


@dataclass(frozen=True, slots=True)
class Coded:
    """A text column as codes into its distinct values sorted (-1 for NULL): the smallest
    code of a tie is the value that sorts first, as Python sorts text."""

    codes: np.ndarray
    values: list[Any]


def _coded(column: Any) -> Coded:
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = column.combine_chunks().dictionary_encode() if len(column) else None
    if encoded is None:
        return Coded(np.zeros(0, dtype=np.int32), [])
    order = pc.array_sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    at = encoded.indices.cast(pa.int32()).fill_null(-1).to_numpy(zero_copy_only=False)
    codes = np.where(at >= 0, rank[np.maximum(at, 0)], -1).astype(np.int32)
    return Coded(codes, encoded.dictionary.take(pa.array(order)).to_pylist())


def _days(column: Any) -> np.ndarray:
    import pyarrow as pa

    return column.cast(pa.int32()).to_numpy(zero_copy_only=False).astype(np.int64)


def _ints(column: Any) -> np.ndarray:
    return column.to_numpy(zero_copy_only=False).astype(np.int64)


def _arrow(con: duckdb.DuckDBPyConnection, sql: str) -> Any:
    own = con.cursor()  # Arrow straight from DuckDB needs a connection with no result
    try:
        return own.sql(sql).to_arrow_table()
    finally:
        own.close()


# An event's or incident's period as the ranges see it (``queries._fuzzy_range``): its
# day for a date to the day or week, the whole month for a month; else never in a range.
_PERIOD = """
CASE WHEN {p} IN ('day', 'week', 'month') THEN {d} END AS first_day,
CASE WHEN {p} IN ('day', 'week') THEN {d} WHEN {p} = 'month' THEN last_day({d}) END AS last_day
"""


@dataclass(frozen=True, slots=True)
class Span:
    """A date range as day numbers (``None``: open on that side)."""

    low: int | None
    high: int | None

    def days(self, day: np.ndarray) -> slice:
        """The rows of columns sorted by ``day`` whose day is in the range."""
        start = 0 if self.low is None else int(np.searchsorted(day, self.low, "left"))
        stop = len(day) if self.high is None else int(np.searchsorted(day, self.high, "right"))
        return slice(start, max(start, stop))

    def periods(self, first: np.ndarray, last: np.ndarray) -> np.ndarray:
        """Which periods overlap the range (a boolean mask)."""
        keep = np.ones(len(first), dtype=bool)
        if self.low is not None:
            keep &= last >= self.low
        if self.high is not None:
            keep &= first <= self.high
        return keep


class DaySpans:
    """The day count tables of one store generation, as columns sorted by day."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        t = _arrow(con, "SELECT day, outlet, articles FROM day_articles WHERE day IS NOT NULL "
                        "ORDER BY day")  # fmt: skip
        self.article_day = _days(t["day"])
        self.article_outlet = _coded(t["outlet"])
        self.article_n = _ints(t["articles"])

        t = _arrow(con, "SELECT day, coalesce(verification, 'none') AS verification, claims "
                        "FROM day_claims WHERE day IS NOT NULL ORDER BY day")  # fmt: skip
        self.claim_day = _days(t["day"])
        self.claim_verification = _coded(t["verification"])
        self.claim_n = _ints(t["claims"])

        t = _arrow(con, "SELECT day, commitments FROM day_aid WHERE day IS NOT NULL ORDER BY day")
        self.aid_day = _days(t["day"])
        self.aid_n = _ints(t["commitments"])

        period = _PERIOD.format(p="place_precision", d="place_date")
        t = _arrow(con, f"SELECT * FROM (SELECT {period}, type, located, events FROM day_events) "
                        "WHERE first_day IS NOT NULL")  # fmt: skip
        self.event_first, self.event_last = _days(t["first_day"]), _days(t["last_day"])
        self.event_type = _coded(t["type"])
        self.event_located = t["located"].to_numpy(zero_copy_only=False).astype(bool)
        self.event_n = _ints(t["events"])

        period = _PERIOD.format(p="date_precision", d="date")
        t = _arrow(con, f"SELECT first_day, last_day, count(*) AS n FROM (SELECT {period} "
                        "FROM incidents) WHERE first_day IS NOT NULL GROUP BY ALL")  # fmt: skip
        self.incident_first, self.incident_last = _days(t["first_day"]), _days(t["last_day"])
        self.incident_n = _ints(t["n"])

        t = _arrow(con, "SELECT day, key, mentions, articles FROM day_entities "
                        "WHERE day IS NOT NULL ORDER BY day")  # fmt: skip
        # by entity, then day, as one number (entity code * width + day - first day), with
        # running sums: an entity's counts within a span are differences at two positions
        day, self.entity_key = _days(t["day"]), _coded(t["key"])
        self.first_entity_day = int(day[0]) if len(day) else 0
        self.day_width = int(day[-1]) - self.first_entity_day + 1 if len(day) else 1
        order = np.lexsort((day, self.entity_key.codes))
        self.entity_at = (
            self.entity_key.codes[order].astype(np.int64) * self.day_width
            + day[order]
            - self.first_entity_day
        )
        self.entity_mentions = np.concatenate(([0], np.cumsum(_ints(t["mentions"])[order])))
        self.entity_articles = np.concatenate(([0], np.cumsum(_ints(t["articles"])[order])))

        # each entity's forms, grouped by entity (codes of ``entity_key``), then by day
        t = _arrow(con, "SELECT day, key, kb_id, name, label, country, mentions "
                        "FROM day_entity_forms WHERE day IS NOT NULL")  # fmt: skip
        self.key_code = {value: code for code, value in enumerate(self.entity_key.values)}
        values = pa.array(self.entity_key.values, pa.string())
        key = _ints(pc.index_in(t["key"], value_set=values).fill_null(-1))
        day = _days(t["day"])
        order = np.lexsort((day, key))
        self.form_key = key[order]
        self.form_day = day[order]
        self.form_fields = [_coded(t[name].take(order)) for name in _FORM_FIELDS]
        self.form_mentions = _ints(t["mentions"])[order]
        self._last_totals: tuple[Span, tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    # -- stats ---------------------------------------------------------------------

    def counts(self, span: Span) -> tuple[list[Any], list, list]:
        """``queries._ranged_counts``: the stats counts, events by type and claims by
        verification within ``span``."""
        days = span.days(self.article_day)
        outlets = self.article_outlet.codes[days]
        article_days = self.article_day[days]
        events = span.periods(self.event_first, self.event_last)
        n = self.event_n[events]
        incidents = span.periods(self.incident_first, self.incident_last)
        counts = [
            int(self.article_n[days].sum()),
            len(np.unique(outlets[outlets >= 0])),
            int(n.sum()),
            int(self.incident_n[incidents].sum()),
            int(self.aid_n[span.days(self.aid_day)].sum()),
            int(self.claim_n[span.days(self.claim_day)].sum()),
            len(self.entity_totals(span)[0]),
            _iso(article_days[0]) if len(article_days) else None,
            _iso(article_days[-1]) if len(article_days) else None,
            int(n[self.event_located[events]].sum()),
        ]
        by_type = _sums(self.event_type, events, self.event_n)
        by_type.sort(key=lambda pair: (-pair[1], pair[0]))
        claims = span.days(self.claim_day)
        by_verification = _sums(self.claim_verification, claims, self.claim_n)
        return counts, by_type, by_verification

    # -- entities ------------------------------------------------------------------

    def entity_totals(self, span: Span) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(key codes, mentions, articles) of every entity mentioned within ``span`` (the
        last span's are kept: an overview counts them, then ranks them)."""
        last = self._last_totals
        if last is not None and last[0] == span:
            return last[1]
        low = 0 if span.low is None else max(0, span.low - self.first_entity_day)
        high = self.day_width - 1 if span.high is None else span.high - self.first_entity_day
        high = min(high, self.day_width - 1)
        base = np.arange(len(self.entity_key.values), dtype=np.int64) * self.day_width
        first = np.searchsorted(self.entity_at, base + low, "left")
        last = np.searchsorted(self.entity_at, base + max(high, low - 1), "right")
        present = np.flatnonzero(last > first)
        first, last = first[present], last[present]
        mentions = self.entity_mentions[last] - self.entity_mentions[first]
        articles = self.entity_articles[last] - self.entity_articles[first]
        totals = (present, mentions, articles)
        self._last_totals = (span, totals)  # one assignment: safe between threads
        return totals

    def ranked_entities(
        self, span: Span, offset: int, count: int
    ) -> tuple[int, list[tuple[str, int, int]]]:
        """How many entities are mentioned within ``span``, and ``count`` of them from
        ``offset`` as (key, mentions, articles): most articles first, then most mentions,
        then key (``queries.ENTITY_ORDER``)."""
        codes, mentions, articles = self.entity_totals(span)
        order = np.lexsort((codes, -mentions, -articles))[offset : offset + count]
        values = self.entity_key.values
        rows = [(values[codes[i]], int(mentions[i]), int(articles[i])) for i in order.tolist()]
        return len(codes), rows

    def forms(self, keys: list[str], span: Span) -> list[dict[str, Any]]:
        """For each of ``keys``: the KB id (the largest) and the most frequent name, label
        and country of its mentions within ``span`` (a tie goes to the value that sorts
        first). All keys at once: one pass per field over their rows."""
        found = [dict.fromkeys(_FORM_FIELDS) for _ in keys]
        spans = []
        for at, key in enumerate(keys):
            code = self.key_code.get(key)
            if code is not None:
                start = int(np.searchsorted(self.form_key, code, "left"))
                stop = int(np.searchsorted(self.form_key, code, "right"))
                spans.append((at, start, stop))
        if not spans:
            return found
        rows = np.concatenate([np.arange(start, stop) for _, start, stop in spans])
        owner = np.repeat([at for at, _, _ in spans], [stop - start for _, start, stop in spans])
        keep = span.periods(self.form_day[rows], self.form_day[rows])
        rows, owner = rows[keep], owner[keep]
        weights = self.form_mentions[rows]
        for name, field in zip(_FORM_FIELDS, self.form_fields, strict=True):
            codes = field.codes[rows]
            known = codes >= 0
            # (owner, value) pairs as one number, in owner then value order
            pairs = owner[known] * (len(field.values) + 1) + codes[known]
            distinct, at = np.unique(pairs, return_inverse=True)
            sums = np.bincount(at, weights=weights[known]) if len(distinct) else distinct
            whose, value = np.divmod(distinct, len(field.values) + 1)
            # per owner: the most mentions (kb id: the largest value), then the first value
            best = np.lexsort((value, -value if name == "kb_id" else -sums, whose))
            first = np.ones(len(best), dtype=bool)
            first[1:] = whose[best][1:] != whose[best][:-1]
            for i in best[first].tolist():
                found[int(whose[i])][name] = field.values[int(value[i])]
        return found


def _sums(coded: Coded, rows: Any, weights: np.ndarray) -> list[tuple[Any, int]]:
    """(value, summed weight) of each value of ``coded`` among ``rows``, in value order."""
    codes = coded.codes[rows]
    sums = np.bincount(codes, weights=weights[rows], minlength=len(coded.values))
    present = np.bincount(codes, minlength=len(coded.values))
    return [(coded.values[i], int(sums[i])) for i in np.flatnonzero(present).tolist()]
