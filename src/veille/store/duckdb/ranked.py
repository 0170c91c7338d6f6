"""Whole orders of the lists, kept per store generation.

Ranking a page of a list costs a top-N over every row of its table (events: ~250,000 rows
at 100k articles, 8-11 CPU-ms a page, more the deeper the offset). While the store does not
change, that order does not change either: the server keeps a list's order once it is
asked for twice in one generation (one sort of the key columns, ~60 CPU-ms and 20 MB of
Arrow for the events of 100k articles; ~150 CPU-ms and 51 MB with the facets the events
keep beside it, ``Order.facets``), and a page is then a slice of it. A list filtered on
facets, or on sets of rows kept per filter value (``RankedList.member``), is a mask over
that order; another filtered list gets an order of its own the same way, so paging
through it costs slices too; those are bounded by ``MAX_FILTERED_ROWS``. Any write raises
the generation and drops every kept order.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb

BUILD_AFTER = 2  # uses of one list in one generation before its order is kept
MAX_CURSORS = 20_000  # cursors handed out per kept order that are remembered
# Filtered lists (one order per filter combination asked twice) are kept while their rows
# add up to this, least recently used first out (~40 MB of events' keys and ids at most);
# the unfiltered ones always are (~32 MB for every list of a 100k-article store).
MAX_FILTERED_ROWS = 500_000
MAX_COUNTED = 20_000  # filter combinations whose uses are counted per generation
# filter values whose rows are kept as a boolean column per order (~12 KB each at 100k rows)
MAX_MEMBERS = 512


@dataclass(slots=True)
class RankedList:
    """One list's rows in order: its sort keys and fetch column, as Arrow columns."""

    table: Any  # pyarrow.Table: the order's key columns, then the fetch column
    fetch: str = ""  # the column unique to each row
    # next_cursor handed out -> position of the row after it (LRU, bounded)
    cursors: OrderedDict[str, int] = field(default_factory=OrderedDict)
    # (query, parameters) -> which rows' fetch value it returns, as a boolean column
    members: OrderedDict[tuple, Any] = field(default_factory=OrderedDict)
    member_uses: dict[tuple, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return self.table.num_rows

    def slice(self, start: int, length: int) -> Any:
        return self.table.slice(start, length)

    def member(self, con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any]) -> Any:
        """Which rows have a fetch value ``sql`` returns (its first column), as a boolean
        column in this order; found on the query's ``BUILD_AFTER``-th use (None before:
        a filter asked once is cheaper in SQL), then kept (bounded, LRU)."""
        import pyarrow.compute as pc

        key = (sql, tuple(params))
        with self.lock:
            if (got := self.members.get(key)) is not None:
                self.members.move_to_end(key)
                return got
            if len(self.member_uses) >= MAX_COUNTED:
                self.member_uses.clear()
            self.member_uses[key] = uses = self.member_uses.get(key, 0) + 1
            if uses < BUILD_AFTER:
                return None
        own = con.cursor()  # Arrow straight from DuckDB needs a connection with no result
        try:
            found = own.sql(sql, params=list(params)).to_arrow_table().column(0)
        finally:
            own.close()
        got = pc.is_in(self.table.column(self.fetch), value_set=found.combine_chunks())
        with self.lock:
            self.members[key] = got
            if len(self.members) > MAX_MEMBERS:
                self.members.popitem(last=False)
        return got

    def remember(self, cursor: str, position: int) -> None:
        self.cursors[cursor] = position
        if len(self.cursors) > MAX_CURSORS:
            self.cursors.popitem(last=False)

    def position_after(
        self, cursor: str, keys: Sequence[str], values: Sequence[Any], cursor_of: Callable
    ) -> int | None:
        """Where the page after ``cursor`` starts: a cursor this order handed out, or one
        another server worker did whose row is here with the same sort values (found by
        its trailing id columns, then checked whole); None otherwise."""
        if cursor in self.cursors:
            return self.cursors[cursor]
        import pyarrow as pa
        import pyarrow.compute as pc

        mask = None
        for column, value in reversed(list(zip(keys, values, strict=True))):
            data = self.table.column(column)
            is_text = pa.types.is_string(data.type) or pa.types.is_large_string(data.type)
            if is_text and not isinstance(value, str):
                return None
            if not is_text and not (
                pa.types.is_integer(data.type) and type(value) is int  # not a bool either
            ):
                return None
            same = pc.equal(data, pa.scalar(value, data.type))
            mask = same if mask is None else pc.and_(mask, same)
            if is_text:  # an id: few rows left to check
                break
        else:
            return None
        for at in pc.indices_nonzero(mask).to_pylist()[:100]:
            row = [self.table.column(c)[at].as_py() for c in keys]
            if cursor_of(row) == cursor:
                self.remember(cursor, at + 1)
                return at + 1
        return None


def _coded(table: Any) -> Any:
    """Text facets (columns named ``_...``) dictionary-encoded: a filter compares codes."""
    import pyarrow as pa

    for at, name in enumerate(table.column_names):
        column = table.column(at)
        if name.startswith("_") and pa.types.is_string(column.type):
            table = table.set_column(at, name, column.combine_chunks().dictionary_encode())
    return table


def equal(column: Any, value: Any) -> Any:
    """``column = value`` over a kept column (NULL where the column is NULL)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not pa.types.is_dictionary(column.type):
        return pc.equal(column, value)
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    code = pc.index(array.dictionary, value).as_py()
    if code < 0:  # not a value of this column: no row equals it
        return pc.equal(array.indices, -1)
    return pc.equal(array.indices, code)


class Ranks:
    """The kept orders of one server process (thread-safe); ``None`` while not kept."""

    def __init__(self, build_after: int = BUILD_AFTER) -> None:
        self._lock = threading.Lock()
        self._generation: int | None = None
        self._uses: dict[tuple, int] = {}
        self._kept: OrderedDict[tuple, RankedList] = OrderedDict()
        self._filtered_rows = 0
        self._building: set[tuple] = set()
        self._values: dict[str, Any] = {}
        self.build_after = build_after
        self.builds = 0  # orders sorted since start (for tests and the bench)
        self.hits = 0  # kept orders handed out

    def _at(self, generation: int) -> None:
        """Forget everything kept for another generation (call with the lock held)."""
        if generation != self._generation:
            self._generation = generation
            self._uses.clear()
            self._kept.clear()
            self._filtered_rows = 0
            self._building.clear()
            self._values.clear()

    def value(self, generation: int, name: str, compute: Callable[[], Any]) -> Any:
        """A whole-list value (say, every duplicate group's count of exact copies), computed
        once per generation: one pass over the tables instead of a join per page."""
        with self._lock:
            self._at(generation)
            if name in self._values:
                return self._values[name]
        answer = compute()
        with self._lock:
            if generation == self._generation:
                self._values[name] = answer
        return answer

    def kept_orders(self) -> list[tuple[str, int]]:
        """(list name, rows) of every kept order, least recently used first (for tests)."""
        with self._lock:
            return [(key[0], kept.total) for key, kept in self._kept.items()]

    def position_cache_sizes(self) -> list[int]:
        """How many cursor positions each kept order remembers (for tests)."""
        with self._lock:
            return [len(kept.cursors) for kept in self._kept.values()]

    def ranked(
        self, con: duckdb.DuckDBPyConnection, generation: int, name: str, keys: Sequence[str],
        fetch: str, sql: str, order_sql: str, params: Sequence[Any] = (),
        facets: Sequence[str] = (),
    ) -> RankedList | None:  # fmt: skip
        """The kept order of ``sql`` with ``params`` (a list query and its filters) at
        ``generation``; sorted here on its ``build_after``-th use, None before. ``facets``:
        SQL expressions over its rows (``q.``) kept beside the keys."""
        key = (name, sql, tuple(params), tuple(facets))
        with self._lock:
            self._at(generation)
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
                self.hits += 1
                return kept
            if len(self._uses) >= MAX_COUNTED:
                self._uses.clear()
            self._uses[key] = uses = self._uses.get(key, 0) + 1
            if uses < self.build_after or key in self._building:
                return None
            self._building.add(key)
        try:
            columns = ", ".join([*(f'q."{c}"' for c in dict.fromkeys([*keys, fetch])), *facets])
            ordered = f"SELECT {columns} FROM ({sql}) q ORDER BY {order_sql}"
            own = con.cursor()  # Arrow straight from DuckDB needs a connection with no result
            try:
                # one chunk per column: a take over DuckDB's chunks concatenates them first
                # (~1.3 CPU-ms for the events' keys at 100k articles, per page)
                table = _coded(own.sql(ordered, params=list(params)).to_arrow_table())
                table = table.combine_chunks()
            finally:
                own.close()
        finally:
            with self._lock:
                self._building.discard(key)
        kept = RankedList(table, fetch)
        with self._lock:
            if generation != self._generation:  # a write came meanwhile: not this order
                return None
            self._kept[key] = kept
            if params:
                self._filtered_rows += kept.total
                self._evict()
            self.builds += 1
            self.hits += 1
        return kept

    def _evict(self) -> None:
        """Drop the least recently used filtered orders past ``MAX_FILTERED_ROWS`` (lock held)."""
        for key in list(self._kept):
            if self._filtered_rows <= MAX_FILTERED_ROWS:
                break
            if key[2]:  # filtered
                self._filtered_rows -= self._kept.pop(key).total
