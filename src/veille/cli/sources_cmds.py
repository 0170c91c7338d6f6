"""``veille sources add|list|remove|import``: what Veille watches, and how each source is doing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    console,
    handle_errors,
    make_settings,
    open_read_store,
    open_write_store,
    print_error,
    print_page,
)
from veille.model import Source

sources_app = typer.Typer(
    help="Feeds, sitemaps and pages to watch (`veille watch` polls them).",
    no_args_is_help=True,
)

EveryOption = Annotated[
    str | None,
    typer.Option("--every", help="Poll interval: 15m, 1h, 90s (default: setting poll_every_s)."),
]
LanguageOption = Annotated[
    str | None, typer.Option("--language", help="Language code of its articles (e.g. fr).")
]


def _every(value: str | None) -> int | None:
    from veille.fetch import parse_every

    if value is None:
        return None
    try:
        return parse_every(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--every") from None


def _check_language(value: str | None) -> str | None:
    if value is None:
        return None
    if not (value.isalpha() and 2 <= len(value) <= 3):
        raise typer.BadParameter("a 2 or 3 letter language code (fr, en...)", "--language")
    return value.lower()


@sources_app.command("add")
def add_command(
    url: Annotated[str, typer.Argument(help="Feed, sitemap or page URL (http or https).")],
    name: Annotated[str | None, typer.Option("--name", help="Outlet name to show.")] = None,
    language: LanguageOption = None,
    every: EveryOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Watch a feed, sitemap or page; its kind is found on the first fetch."""
    from veille.fetch import is_web_url, new_source

    if not is_web_url(url):
        raise typer.BadParameter("an http:// or https:// URL", param_hint="URL")
    seconds = _every(every)
    language = _check_language(language)
    with handle_errors():
        settings = make_settings(db, config)
        source = new_source(url, settings, name=name, language=language, every_seconds=seconds)
        with open_write_store(settings) as store:
            added = store.add_source(source)
    if added:
        console.print(f"watching {source.url} (id {source.id[:12]})", markup=False)
    else:
        console.print(f"already watched: {source.url}", markup=False)


@sources_app.command("import")
def import_command(
    opml: Annotated[Path, typer.Argument(help="OPML file exported by a feed reader.")],
    language: LanguageOption = None,
    every: EveryOption = None,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Watch every feed listed in an OPML file (feeds already watched are left as they are)."""
    from veille.fetch import new_source, parse_opml

    seconds = _every(every)
    language = _check_language(language)
    with handle_errors():
        settings = make_settings(db, config)
        listed = parse_opml(opml)
        added = 0
        with open_write_store(settings) as store:
            for entry in listed:
                source = new_source(
                    entry.url,
                    settings,
                    name=entry.name,
                    language=language or entry.language,
                    every_seconds=seconds,
                )
                added += store.add_source(source)
    console.print(
        f"{opml}: {len(listed)} feeds listed, {added} added, {len(listed) - added} already watched",
        markup=False,
    )


@sources_app.command("remove")
def remove_command(
    key: Annotated[str, typer.Argument(metavar="SOURCE", help="URL, name or id prefix.")],
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Stop watching a source (articles already stored stay)."""
    with handle_errors():
        settings = make_settings(db, config)
        with open_write_store(settings) as store:
            found = store.find_sources(key)
            if len(found) != 1:
                reason = "no source matches" if not found else f"{len(found)} sources match"
                print_error(f"V120 {key}: {reason}; give its URL or a longer id")
                raise typer.Exit(1)
            store.remove_source(found[0].id)
    console.print(f"no longer watching {found[0].url}", markup=False)


def _ago(when: datetime | None, now: datetime) -> str:
    if when is None:
        return "never"
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 90:
        text = f"{seconds:.0f}s"
    elif seconds < 5400:
        text = f"{seconds / 60:.0f}m"
    elif seconds < 172800:
        text = f"{seconds / 3600:.0f}h"
    else:
        text = f"{seconds / 86400:.0f}d"
    return f"in {text}" if future else f"{text} ago"


def source_json(source: Source) -> dict:
    from veille.cli.common import to_jsonable

    return to_jsonable(source)


def sources_table(sources: list[Source], now: datetime | None = None) -> Table:
    now = now or datetime.now(UTC)
    table = Table(title=f"{len(sources)} sources", title_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("name / url", max_width=40, overflow="ellipsis", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("every", justify="right", no_wrap=True)
    table.add_column("last fetch", no_wrap=True)
    table.add_column("last new", no_wrap=True)
    table.add_column("articles", justify="right", min_width=8)
    table.add_column("errors", justify="right", min_width=6)
    table.add_column("next poll", no_wrap=True)
    table.add_column("status", max_width=40, overflow="ellipsis", no_wrap=True)
    for s in sources:
        status = Text(s.last_status or "-", style="red" if s.error_count else "")
        next_poll = "due now" if s.next_poll_at is None or s.next_poll_at <= now else None
        table.add_row(
            s.id[:12],
            Text(s.name or s.url),
            s.kind.value if s.kind else "?",
            f"{s.every_seconds // 60}m" if s.every_seconds >= 60 else f"{s.every_seconds}s",
            _ago(s.last_fetch_at, now),
            _ago(s.last_new_at, now),
            str(s.articles),
            str(s.error_count),
            next_poll or _ago(s.next_poll_at, now),
            status,
        )
    return table


@sources_app.command("list")
def list_command(
    db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """Each source with its last fetch, last new article, error count and next poll."""
    with handle_errors():
        settings = make_settings(db, config)
        with open_read_store(settings) as store:
            sources = store.list_sources()
    if as_json:
        print_page([source_json(s) for s in sources], len(sources))
        return
    if not sources:
        console.print("No sources yet: add one with `veille sources add URL`.", markup=False)
        return
    console.print(sources_table(sources))


def register(app: typer.Typer) -> None:
    app.add_typer(sources_app, name="sources")
