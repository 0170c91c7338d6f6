"""DuckDB implementation of the store: SQL, migrations and row conversion live here."""

from veille.store.duckdb.store import DuckDBStore

__all__ = ["DuckDBStore"]
