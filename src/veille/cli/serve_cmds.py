"""``veille serve`` (the API and dashboard) and ``veille report`` (static HTML briefing)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from veille.cli.common import ConfigOption, DbOption, console, handle_errors, make_settings


def serve(
    host: Annotated[
        str, typer.Option(help="Interface to bind (loopback by default).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8000,
    db: DbOption = None,
    config: ConfigOption = None,
    reindex: Annotated[
        bool, typer.Option(help="Bring the search index up to date before serving.")
    ] = True,
) -> None:
    """Serve the JSON API (/api/v1, spec at /api) and the dashboard."""
    import uvicorn

    from veille.api import create_app
    from veille.search import index_articles
    from veille.store import open_store

    with handle_errors():
        settings = make_settings(db, config)
        store = open_store(settings.db_path, read_only=True)
        if reindex:
            added = index_articles(store, settings)
            if added:
                console.print(f"search index: {added} articles added")
        app = create_app(settings, store=store)
    console.print(f"Veille on http://{host}:{port}/  (API spec: http://{host}:{port}/api)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        store.close()


def report(
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "report.html"
    ),
    title: Annotated[str, typer.Option(help="Title of the briefing.")] = "Veille briefing",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Write one self-contained HTML briefing (charts, map, aid, claims) for offline sharing."""
    from veille.report import write_report
    from veille.store import open_store

    with handle_errors():
        settings = make_settings(db, config)
        store = open_store(settings.db_path, read_only=True)
        try:
            path = write_report(store, output, title)
        finally:
            store.close()
    console.print(f"wrote {path}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("report")(report)
