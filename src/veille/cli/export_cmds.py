"""``veille export``: write the store as gold predictions, JSON, CSV, Parquet or GeoJSON."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    handle_errors,
    make_settings,
    open_read_store,
    print_json,
)
from veille.export import FORMATS, export_store
from veille.kb import KnowledgeBase
from veille.settings import Settings

ExportFormat = StrEnum("ExportFormat", {name: name for name in FORMATS})


def export_command(
    fmt: Annotated[
        ExportFormat,
        typer.Option("--format", "-f", help="gold | json | csv | parquet | geojson."),
    ],
    out_dir: Annotated[Path, typer.Option("--output", "-o", help="Directory to write into.")],
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Export the store: one file per article (gold, json), per table (csv, parquet), or
    one events.geojson."""
    with handle_errors():
        settings = make_settings(db, config)
        kb = load_kb(settings) if fmt.value == "gold" else None
        store = open_read_store(settings)
        try:
            paths = export_store(store, fmt.value, out_dir, kb)
        finally:
            store.close()
    if as_json:
        print_json({"format": fmt.value, "files": [str(p) for p in paths], "total": len(paths)})
    else:
        console.print(f"Wrote {len(paths)} {fmt.value} file(s) to {out_dir}")


def load_kb(settings: Settings) -> KnowledgeBase:
    """The knowledge base the pipeline used (its aliases make speaker names comparable)."""
    return KnowledgeBase.load(settings.kb_path)


def register(app: typer.Typer) -> None:
    app.command("export")(export_command)
