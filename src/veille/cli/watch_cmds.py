"""``veille watch [DIR...] [--once]``: poll due sources (and folders) in the foreground."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.text import Text

from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    err_console,
    handle_errors,
    make_settings,
    open_write_store,
    print_error,
    print_json,
)
from veille.cli.sources_cmds import sources_table


class _Display:
    """The live view: one status line for the pass, the sources table below it."""

    def __init__(self, live: Live | None, *, quiet: bool = False) -> None:
        self.live = live
        self.quiet = quiet  # --json: stdout is one JSON object, stderr stays silent
        self.pages = 0
        self.page_errors = 0
        self.sources_done = 0
        self.phase = "starting"

    def event(self, kind: str, data: Any) -> None:
        if kind == "page":
            self.pages += 1
            if data[1] != "fetched":
                self.page_errors += 1
        elif kind == "source":
            self.sources_done += 1
            if self.live is None and not self.quiet:
                report = data
                label = report.source.name or report.source.url
                err_console.print(f"{label}: {report.status}", markup=False, soft_wrap=True)
        self.refresh()

    def refresh(self, sources: list | None = None) -> None:
        if self.live is None:
            return
        line = Text(
            f"veille watch · {self.phase} · sources polled {self.sources_done} · "
            f"pages fetched {self.pages} ({self.page_errors} not taken)",
            style="bold",
        )
        if sources is not None:
            self._table = sources_table(sources)
        table = getattr(self, "_table", None)
        self.live.update(Group(line, table) if table is not None else line)


def watch_command(
    folders: Annotated[
        list[Path] | None, typer.Argument(help="Folders whose new files are ingested too.")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (for cron).")] = False,
    tick: Annotated[
        float, typer.Option("--tick", min=0.1, help="Seconds between checks for due work.")
    ] = 30.0,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Poll due sources politely and ingest new articles (and new files in FOLDERS)."""
    from veille.fetch import Watcher

    folders = folders or []
    for folder in folders:
        if not folder.is_dir():
            print_error(f"V107 {folder}: not a folder")
            raise typer.Exit(1)
    failed = False
    with handle_errors():
        settings = make_settings(db, config)
        store = open_write_store(settings)
        live = None
        if err_console.is_terminal and not as_json:
            live = Live(console=err_console, refresh_per_second=4, transient=once)
        display = _Display(live, quiet=as_json)
        watcher = Watcher(store, settings, folders=folders, on_event=display.event)
        try:
            if live is not None:
                live.start()
            display.refresh(store.list_sources())
            while True:
                display.phase = "polling"
                report = watcher.poll()
                failed = failed or report.failed
                display.phase = f"last pass {datetime.now(UTC):%H:%M:%S}: {report.stored} new"
                display.refresh(store.list_sources())
                if live is None and not as_json:
                    err_console.print(
                        f"pass: {len(report.sources)} sources, {report.pages_fetched} pages, "
                        f"{report.files} files, {report.stored} new articles "
                        f"in {report.seconds:.1f} s",
                        markup=False,
                    )
                for error in report.errors:
                    if live is None and not as_json:
                        print_error(error)
                if once:
                    break
                time.sleep(_sleep_for(store, tick))
        except KeyboardInterrupt:
            pass
        finally:
            if live is not None:
                live.stop()
            watcher.fetcher.close()
            store.close()
    if once:
        if as_json:
            print_json(_report_json(report))
        else:
            console.print(sources_table(_last_sources(settings)))
        if failed:
            raise typer.Exit(1)


def _sleep_for(store, tick: float) -> float:
    """Until the next source is due, at most ``tick`` seconds (folders are checked then)."""
    now = datetime.now(UTC)
    waits = [(s.next_poll_at - now).total_seconds() for s in store.list_sources() if s.next_poll_at]
    return max(0.1, min([tick, *waits]))


def _last_sources(settings) -> list:
    from veille.cli.common import open_read_store

    with open_read_store(settings) as store:
        return store.list_sources()


def _report_json(report) -> dict[str, Any]:
    return {
        "sources": [
            {
                "id": r.source.id,
                "url": r.source.url,
                "status": r.status,
                "items": r.items,
                "new": r.new,
                "error": str(r.error) if r.error else None,
            }
            for r in report.sources
        ],
        "pages_fetched": report.pages_fetched,
        "files": report.files,
        "stored": report.stored,
        "run": report.summary.to_dict() if report.summary else None,
        "seconds": round(report.seconds, 3),
    }


def register(app: typer.Typer) -> None:
    app.command("watch")(watch_command)
