"""Shared CLI helpers: the console, common options, JSON and error printing.

Every command module reuses these so output looks the same everywhere: ``--json`` prints
one JSON object; list commands print ``{"items": [...], "total": N}``; errors print as
one line ``V401 path: reason`` on stderr.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from veille.errors import StoreError, VeilleError, printable
from veille.settings import Settings, load_settings

PIPED_WIDTH = 240  # piped output has no terminal width: never cut tables at 80 columns


def _stdout_console() -> Console:
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console(highlight=False)
    return Console(highlight=False, width=PIPED_WIDTH)


console = _stdout_console()
err_console = Console(stderr=True, highlight=False)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", help="DuckDB file (default ./veille.duckdb or $VEILLE_DB_PATH).", show_default=False
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="TOML settings file (or $VEILLE_CONFIG).", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
LimitOption = Annotated[int, typer.Option("--limit", min=1, help="Rows per page.")]
OffsetOption = Annotated[int, typer.Option("--offset", min=0, help="Rows to skip.")]


def make_settings(db: Path | None = None, config: Path | None = None, **flags: Any) -> Settings:
    """Settings for a command: defaults < config file < VEILLE_* < these flags."""
    return load_settings(config, overrides={"db_path": db, **flags})


def to_jsonable(value: Any) -> Any:
    """Model records, Decimals, dates and enums as plain JSON values (Decimal as string)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    return value


def print_json(value: Any) -> None:
    """One JSON object on stdout (plain print: no rich markup or wrapping)."""
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def print_page(items: list[Any], total: int) -> None:
    print_json({"items": items, "total": total})


def print_error(error: VeilleError | str, style: str = "red") -> None:
    """One line on stderr: ``V101 path: reason`` (names made printable, never split)."""
    err_console.print(printable(str(error)), style=style, markup=False, soft_wrap=True)


@contextmanager
def handle_errors(exit_code: int = 1) -> Iterator[None]:
    """Turn a VeilleError escaping a command into one error line and a non-zero exit."""
    from veille.filters import FilterError

    try:
        yield
    except VeilleError as exc:
        print_error(exc)
        raise typer.Exit(2 if isinstance(exc, FilterError) else exit_code) from None


def open_read_store(settings: Settings):
    """The store opened read-only for a read command."""
    from veille.store import open_store

    try:
        return open_store(settings.db_path, read_only=True)
    except StoreError as exc:
        raise held_error(settings, exc) from None


def open_write_store(settings: Settings):
    """The store opened for writing (created and migrated when new)."""
    from veille.store import open_store

    try:
        return open_store(settings.db_path)
    except StoreError as exc:
        raise held_error(settings, exc) from None


def held_error(settings: Settings, error: StoreError) -> StoreError:
    """``error``, or one line saying which running server holds the database and what to do."""
    from veille.server_file import running_server

    info = running_server(settings.db_path)
    if info is None:
        return error
    if info.writer:
        hint = f"send files to it with `veille run --server {info.url} PATHS`"
    else:
        hint = (
            "stop it, or restart it as the writer with `veille serve --watch` and send files "
            f"with `veille run --server {info.url} PATHS`"
        )
    return StoreError(
        f"in use by the Veille server at {info.url} (pid {info.pid}); {hint}",
        path=str(settings.db_path),
    )
