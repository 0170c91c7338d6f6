"""``veille serve`` (the API and dashboard) and ``veille report`` (static HTML briefing)."""

from __future__ import annotations

import signal
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
    watch: Annotated[
        bool,
        typer.Option(
            "--watch",
            help="Be the database's single writer: poll due sources (`veille sources`) and "
            "accept files from `veille run --server` (POST /api/v1/ingest, token needed).",
        ),
    ] = False,
    watch_dir: Annotated[
        list[Path] | None,
        typer.Option("--watch-dir", help="With --watch: also ingest new files in this folder."),
    ] = None,
    tick: Annotated[
        float, typer.Option("--tick", min=0.1, help="With --watch: seconds between checks.")
    ] = 30.0,
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allow-host",
            help="Another host name requests may use (repeatable); loopback names and "
            "--host are always allowed.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes (default: one per core; one with --watch).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve the JSON API (/api/v1, spec at /api) and the dashboard."""
    import os

    import uvicorn

    from veille.api import HOSTS_ENV, THREADS_ENV, allowed_hosts, create_app
    from veille.api import workers as server_workers
    from veille.api.nodelay import PROTOCOL as NODELAY_PROTOCOL
    from veille.cli.common import open_read_store, open_write_store
    from veille.errors import ServeError
    from veille.search import index_articles
    from veille.server_file import ServerInfo, remove_server_info, write_server_info

    writer = None
    processes = 1 if watch else (workers or os.cpu_count() or 1)  # one writer, one process
    with handle_errors():
        settings = make_settings(db, config)
        store = open_write_store(settings) if watch else open_read_store(settings)
        if reindex:
            added = index_articles(store, settings)
            if added:
                console.print(f"search index: {added} articles added")
        hosts = allowed_hosts(host, tuple(allow_host or ()))
        app = create_app(settings, store=store, hosts=hosts)
        if watch:
            from veille.fetch.writer import SingleWriter

            writer = SingleWriter(store, settings, tick_s=tick, folders=watch_dir or [])
            app.state.veille.writer = writer
    url = f"http://{host}:{port}"
    write_server_info(settings.db_path, ServerInfo(url, os.getpid(), writer is not None))
    console.print(f"Veille on {url}/  (API spec: {url}/api)")
    if writer is not None:
        sources = len(store.list_sources())
        console.print(
            f"watching {sources} sources (dashboard: {url}/sources); "
            f"files: veille run --server {url} PATHS"
        )
        writer.start()
    if processes > 1:
        store.close()  # each worker opens the database read-only itself
        # workers rebuild the settings from the environment: pass what the flags said
        os.environ["VEILLE_DB_PATH"] = str(settings.db_path.resolve())
        if config:
            os.environ["VEILLE_CONFIG"] = str(Path(config).resolve())
        os.environ[HOSTS_ENV] = ",".join(hosts)
        os.environ[THREADS_ENV] = str(max(1, (os.cpu_count() or 1) // processes))
        console.print(f"{processes} server workers")
        options = {
            "app": "veille.api:app_from_environment",
            "factory": True,
            "log_level": "warning",
            "http": NODELAY_PROTOCOL,
        }
        try:
            if server_workers.supported():  # a listening socket each: connections spread
                with handle_errors():
                    try:
                        status = server_workers.serve(host, port, processes, options)
                    except OSError as exc:
                        raise ServeError(f"cannot listen on {host}:{port}: {exc}") from None
                if status:
                    raise typer.Exit(status)
            else:
                uvicorn.run(host=host, port=port, workers=processes, **options)
        finally:
            remove_server_info(settings.db_path)
        return
    # uvicorn re-raises SIGTERM once it has shut down; let it unwind through `finally`
    # (writer stopped, database closed, server note removed) instead of killing us.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", http=NODELAY_PROTOCOL)
    finally:
        if writer is not None:
            writer.stop()
        remove_server_info(settings.db_path)
        store.close()


def _exit_on_sigterm(signum, frame) -> None:
    raise SystemExit(0)


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
