"""``veille run``, ``veille articles``, ``veille show``, ``veille stats``."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    LimitOption,
    OffsetOption,
    console,
    err_console,
    handle_errors,
    held_error,
    make_settings,
    open_read_store,
    print_error,
    print_json,
    print_page,
    to_jsonable,
)
from veille.display import aid_parties, money_with_usd, not_analysed_reason
from veille.errors import StoreError, VeilleError
from veille.model import Analysis, EntityType, Incident

# Highlight styles for `veille show`.
ENTITY_STYLES = {
    EntityType.PER: "bold cyan",
    EntityType.ORG: "bold magenta",
    EntityType.LOC: "bold green",
    EntityType.WEAPON: "bold yellow",
    EntityType.MISC: "bold blue",
}
EVENT_STYLE = "bold white on red"
CLAIM_STYLE = "italic"


class Engine(StrEnum):
    LOCAL = "local"
    RAY = "ray"


class ProgressMode(StrEnum):
    AUTO = "auto"  # a bar on a terminal, nothing otherwise
    BAR = "bar"
    PLAIN = "plain"  # one line per file on stderr (logs, CI)
    NONE = "none"


def register(app: typer.Typer) -> None:
    app.command("run")(run_command)
    app.command("load")(load_command)
    app.command("articles")(articles_command)
    app.command("show")(show_command)
    app.command("stats")(stats_command)


# ---------------------------------------------------------------------------
# veille run


def run_command(
    paths: Annotated[
        list[str],
        typer.Argument(help="Files, folders (recursive), globs, or web pages and feeds (URLs)."),
    ],
    db: DbOption = None,
    config: ConfigOption = None,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Articles per batch.")
    ] = None,
    max_file_mb: Annotated[
        float | None, typer.Option("--max-file-mb", min=0.0, help="Reject larger files.")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=0,
            help="Analysis processes, each loading the model once (default: one per core; "
            "1: analyse in this process).",
        ),
    ] = None,
    engine: Annotated[
        Engine | None,
        typer.Option("--engine", help="local: processes here; ray: a Ray cluster (veille[ray])."),
    ] = None,
    ray_address: Annotated[
        str | None,
        typer.Option("--ray-address", help="Ray cluster to join (default: start a local one)."),
    ] = None,
    progress: Annotated[
        ProgressMode, typer.Option("--progress", help="Progress display on stderr.")
    ] = ProgressMode.AUTO,
    meta: Annotated[
        Path | None,
        typer.Option(
            "--meta",
            help="CSV/TSV table of file, url, outlet, title, published, language "
            "(a MANIFEST.tsv or manifest.csv beside the inputs is used too).",
            show_default=False,
        ),
    ] = None,
    server: Annotated[
        str | None,
        typer.Option(
            "--server",
            help="Send the files to the `veille serve --watch` at this URL (it holds the "
            "database) instead of writing the database here.",
            show_default=False,
        ),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token", envvar="VEILLE_API_TOKEN", help="The server's API token.", show_default=False
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Ingest, clean, analyse and store articles. Exit 1 when any input failed."""
    from veille.fetch import is_web_url
    from veille.pipeline import run as run_paths

    with handle_errors():
        settings = make_settings(
            db,
            config,
            batch_size=batch_size,
            max_file_mb=max_file_mb,
            workers=workers,
            engine=engine.value if engine else None,
            ray_address=ray_address,
        )
        urls = [p for p in paths if is_web_url(p)]
        paths = [p for p in paths if not is_web_url(p)]
        if server:
            summary = _send(server, paths, urls, settings, token)
            progress = ProgressMode.NONE
        documents = _fetch_urls(urls, settings) if urls and not server else []

        def run(paths, settings, progress=None, meta=None):
            try:
                return run_paths(paths, settings, progress, meta=meta, documents=documents)
            except StoreError as exc:
                raise held_error(settings, exc) from None

        mode = progress
        if mode is ProgressMode.AUTO:
            mode = ProgressMode.BAR if err_console.is_terminal else ProgressMode.NONE
        if server:
            pass  # sent: the server's summary is printed below
        elif mode is ProgressMode.BAR:
            with _bar() as bar:
                task = bar.add_task("articles", total=None, rate="")

                def show(done: int, total: int, summary) -> None:
                    rate = f"{summary.articles_per_s:.1f} articles/s"
                    bar.update(task, completed=done, total=total, rate=rate)

                summary = run(paths, settings, show, meta=meta)
        elif mode is ProgressMode.PLAIN:

            def show(done: int, total: int, summary) -> None:
                err_console.print(
                    f"[{done}/{total}] stored {summary.stored}, known {summary.known}, "
                    f"{summary.articles_per_s:.1f} articles/s",
                    markup=False,
                )

            summary = run(paths, settings, show, meta=meta)
        else:
            summary = run(paths, settings, meta=meta)
    for error in summary.errors:
        print_error(error)
    for warning in summary.warnings:
        print_error(warning, style="yellow")
    if as_json:
        print_json(summary.to_dict())
    else:
        console.print(_summary_table(summary))
        if not summary.db_created:
            console.print(
                f"Nothing was stored, so no database was created at {summary.db_path}.",
                soft_wrap=True,
            )
        if summary.stored == 0 and summary.known and not summary.errors:
            console.print(
                f"Nothing new: all {summary.known} articles are already in {summary.db_path}.",
                soft_wrap=True,
            )
        elif summary.stored == 0 and summary.known:
            console.print(
                f"Nothing new stored; {summary.known} articles were already known.",
                soft_wrap=True,
            )
    if summary.errors:
        raise typer.Exit(1)


def _send(server: str, paths: list[str], urls: list[str], settings, token: str | None):
    """A run done by the server: its summary, as a RunSummary for the usual printing."""
    from veille.fetch.remote import COUNTS, send_to_server
    from veille.pipeline import RunSummary

    result = send_to_server(server, paths, urls, settings, token)
    summary = RunSummary(db_path=server, seconds=float(result["seconds"]))
    for name in COUNTS:
        setattr(summary, name, int(result.get(name) or 0))
    for error in result["errors"]:
        kind = type("ServerReportedError", (VeilleError,), {"code": error["code"]})
        summary.errors.append(kind(error["reason"], path=error["path"]))
    return summary


def _fetch_urls(urls: list[str], settings) -> list:
    """The pages (or feed items) at ``urls``, fetched politely before the run starts."""
    from veille.fetch import Fetcher, Watcher

    with Fetcher(settings) as fetcher:
        watcher = Watcher(None, settings, fetcher=fetcher, stages=[])
        return watcher.documents_for_urls(urls)


def load_command(
    dataset: Annotated[Path, typer.Argument(help="A dataset written by `run --engine ray`.")],
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bulk-import a Parquet dataset into the database, then link and index."""
    from veille.pipeline import load

    with handle_errors():
        settings = make_settings(db, config)
        summary = load(dataset, settings)
    for error in summary.errors:
        print_error(error)
    if as_json:
        print_json(summary.to_dict())
    else:
        console.print(_summary_table(summary))
    if summary.errors:
        raise typer.Exit(1)


def _bar() -> Progress:
    return Progress(
        TextColumn("[bold]veille run"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _summary_table(summary) -> Table:
    table = Table(title="veille run", show_header=False, title_justify="left")
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles read", str(summary.read))
    table.add_row("stored (new)", str(summary.stored))
    table.add_row("already known", str(summary.known))
    table.add_row("skipped", str(summary.skipped))
    table.add_row("failed", str(summary.failed))
    for reason, count in summary.skip_reasons().items():
        short = reason if len(reason) <= 70 else reason[:69] + "…"
        table.add_row(Text(f"  {short}", style="dim"), str(count))
    if summary.not_analysed:
        table.add_row("stored, not analysed (language)", str(summary.not_analysed))
    table.add_row("entities", str(summary.entities))
    table.add_row("quantities", str(summary.quantities))
    table.add_row("events", str(summary.events))
    table.add_row("aid commitments", str(summary.aid))
    table.add_row("claims", str(summary.claims))
    table.add_row("time taken", f"{summary.seconds:.1f} s")
    table.add_row("articles/s", f"{summary.articles_per_s:.1f}")
    table.add_row("database", summary.db_path)
    for source in summary.meta_files:
        table.add_row("metadata from", source)
    return table


# ---------------------------------------------------------------------------
# veille articles / stats


def articles_command(
    db: DbOption = None,
    config: ConfigOption = None,
    limit: LimitOption = 20,
    offset: OffsetOption = 0,
    language: Annotated[str | None, typer.Option(help="Only this language code.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Only this outlet.")] = None,
    versions: Annotated[
        bool,
        typer.Option(
            "--versions", help="Version history of every file that changed (oldest first)."
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """List stored articles (latest versions), newest publication first."""
    with handle_errors():
        settings = make_settings(db, config)
        with open_read_store(settings) as store:
            if versions:
                history = store.article_versions()
            else:
                items, total = store.list_articles(limit, offset, language=language, outlet=outlet)
    if versions:
        _print_versions(history[offset : offset + limit], len(history), as_json)
        return
    if as_json:
        print_page(to_jsonable(items), total)
        return
    table = Table(title=f"{len(items)} of {total} articles", title_justify="left")
    table.add_column("id", min_width=12, no_wrap=True)
    table.add_column("published", min_width=10, no_wrap=True)
    table.add_column("lang", min_width=4, no_wrap=True)
    table.add_column("outlet", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("title", min_width=20, max_width=44, overflow="ellipsis", no_wrap=True)
    for column in ("ent", "ev", "aid", "cl"):
        table.add_column(column, justify="right", no_wrap=True)
    for item in items:
        title = item["title"] or Path(item["source"]).name
        flags = " ".join(f"[{f}]" for f in item["flags"])
        table.add_row(
            item["id"][:12],
            item["published"] or "",
            item["language"] or "",
            item["outlet"] or "",
            Text(f"{title} {flags}".strip(), overflow="ellipsis", no_wrap=True),
            str(item["entities"]),
            str(item["events"]),
            str(item["aid"]),
            str(item["claims"]),
        )
    console.print(table)


def _print_versions(items: list[dict[str, Any]], total: int, as_json: bool) -> None:
    if as_json:
        print_page(to_jsonable(items), total)
        return
    table = Table(title=f"{len(items)} of {total} versions", title_justify="left")
    table.add_column("source", overflow="fold")
    table.add_column("v", justify="right", no_wrap=True)
    table.add_column("id", no_wrap=True)
    table.add_column("stored", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("title", overflow="ellipsis", no_wrap=True, max_width=40)
    for item in items:
        table.add_row(
            item["source"],
            str(item["version"]),
            item["article_id"][:12],
            item["stored_at"].strftime("%Y-%m-%d %H:%M"),
            "current" if item["current"] else "superseded",
            item["title"] or "",
        )
    console.print(table)
    if not items:
        console.print("No file has more than one version.")


def stats_command(
    db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """Counts of everything in the database."""
    with handle_errors():
        settings = make_settings(db, config)
        with open_read_store(settings) as store:
            stats = store.stats()
    if as_json:
        print_json(stats)
        return
    table = Table(
        title=f"veille stats: {stats['db_path']}", show_header=False, title_justify="left"
    )
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in stats.items():
        if key in ("db_path", "last_run"):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items()) or "-"
        table.add_row(key.replace("_", " "), str(value))
    if "last_run" in stats:
        run = stats["last_run"]
        table.add_row(
            "last run",
            f"{run['started_at']}: read {run['read']}, stored {run['stored']}, "
            f"failed {run['failed']}",
        )
    console.print(table)


# ---------------------------------------------------------------------------
# veille show


def show_command(
    item_id: Annotated[
        str, typer.Argument(metavar="ID", help="Article id (or prefix) or incident id.")
    ],
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show an article (clean text with highlights) or an incident with all its mentions."""
    with handle_errors():
        settings = make_settings(db, config)
        with open_read_store(settings) as store:
            matches = store.resolve_article_id(item_id)
            if len(matches) > 1 and item_id not in matches:
                print_error(f"V110 {item_id}: ambiguous id prefix ({len(matches)} articles)")
                raise typer.Exit(1)
            if matches:
                analysis = store.get_analysis(item_id if item_id in matches else matches[0])
                if as_json:
                    print_json(analysis)
                else:
                    _print_analysis(analysis)
                return
            from veille.store.duckdb.queries import AmbiguousIdError, resolve_id

            try:  # the 12-character ids the tables print, or any unique 8+ prefix
                incident_id = resolve_id(store.connection(), "incidents", item_id)
            except AmbiguousIdError:
                print_error(f"V110 {item_id}: ambiguous id prefix (several incidents)")
                raise typer.Exit(1) from None
            incident = store.get_incident(incident_id) if incident_id else None
            if incident is None:
                superseded = store.article_versions(article_id=item_id)
                if superseded:
                    print_error(
                        f"V110 {item_id}: an older version of {superseded[-1]['source']}; "
                        "see `veille articles --versions`"
                    )
                else:
                    print_error(f"V110 {item_id}: no article or incident with this id")
                raise typer.Exit(1)
            events = store.get_events(incident.event_ids)
            titles = {}
            for article_id in incident.article_ids:
                article = store.get_article(article_id)
                if article is not None:
                    titles[article_id] = article.title or article.source
    if as_json:
        print_json({"incident": incident, "events": events, "article_titles": titles})
    else:
        _print_incident(incident, events, titles)


def highlighted_text(analysis: Analysis) -> Text:
    """The clean text with entities, event triggers and claim sentences styled."""
    text = Text(analysis.article.text)
    for claim in analysis.claims:
        text.stylize(CLAIM_STYLE, claim.sentence.start, claim.sentence.end)
    for mention in analysis.entities:
        text.stylize(ENTITY_STYLES.get(mention.label, "bold"), mention.start, mention.end)
    for event in analysis.events:
        text.stylize(EVENT_STYLE, event.trigger.start, event.trigger.end)
    return text


def _print_analysis(analysis: Analysis) -> None:
    a = analysis.article
    console.rule(escape(a.title or Path(a.source).name))
    meta = [
        f"id {a.id}",
        f"source {a.source}",
        f"published {a.published.iso() or 'unknown'}",
        f"language {a.language or '?'}",
    ]
    if a.outlet:
        meta.append(f"outlet {a.outlet}")
    if a.flags:
        meta.append("flags " + ", ".join(a.flags))
    console.print(" · ".join(meta), style="dim", markup=False)
    if reason := not_analysed_reason(a):
        console.print(f"Not analysed: {reason}.", style="bold", markup=False)
    legend = Text("legend: ")
    for label, style in ENTITY_STYLES.items():
        legend.append(label.value, style=style).append(" ")
    legend.append("event", style=EVENT_STYLE).append(" ").append("claim", style=CLAIM_STYLE)
    console.print(legend)
    console.print()
    console.print(highlighted_text(analysis))
    console.print()
    if analysis.entities:
        table = Table(title="entities", title_justify="left")
        for column in ("text", "label", "name", "kb id", "country"):
            table.add_column(column)
        seen: set[tuple[str, str]] = set()
        for m in analysis.entities:
            if (m.name, m.label) in seen:
                continue
            seen.add((m.name, m.label))
            table.add_row(m.text, m.label.value, m.name, m.kb_id or "", m.country or "")
        console.print(table)
    if analysis.events:
        table = Table(title="events", title_justify="left")
        for column in ("type", "mode", "actor", "target", "where", "date", "claimed by", "trigger"):
            table.add_column(column)
        for e in analysis.events:
            table.add_row(
                e.type,
                e.mode or "",
                (e.actor.country or e.actor.name) if e.actor else "",
                (e.target.country or e.target.name) if e.target else "",
                (e.location.name if e.location else e.location_country) or "",
                e.date.iso() or "",
                e.claimed_by or "",
                e.trigger.text,
            )
        console.print(table)
    if analysis.aid:
        table = Table(title="aid commitments", title_justify="left")
        for column in ("who", "kind", "value", "status", "items"):
            table.add_column(column)
        for c in analysis.aid:
            value = money_with_usd(c.value, c.currency, c.usd_value) if c.value is not None else ""
            items = ", ".join(
                f"{i.quantity} {i.system}" if i.quantity is not None else i.system for i in c.items
            )
            table.add_row(
                aid_parties(c.donor, c.recipient, c.mechanism),
                c.kind or "",
                value,
                c.status.value if c.status else "",
                items,
            )
        console.print(table)
    if analysis.claims:
        table = Table(title="claims", title_justify="left")
        for column in ("speaker", "country", "cue", "verification", "content"):
            table.add_column(column)
        for c in analysis.claims:
            speaker = c.speaker.name if c.speaker else ("(anonymous)" if c.anonymous else "")
            table.add_row(
                speaker,
                (c.speaker.country if c.speaker else "") or "",
                c.cue,
                c.verification.value if c.verification else "",
                Text(c.content.text, overflow="ellipsis"),
            )
        console.print(table)


def _print_incident(incident: Incident, events: list, titles: dict[str, Any]) -> None:
    where = incident.location.name if incident.location else incident.location_country
    console.rule(f"incident {incident.id}")
    console.print(
        f"{incident.type} {incident.mode or ''} · actor {incident.actor or '?'} → "
        f"target {incident.target or '?'} · {where or 'somewhere'} · "
        f"{incident.date.iso() or 'date unknown'}",
        markup=False,
    )
    console.print(
        f"{incident.num_mentions} mentions in {incident.num_articles} articles from "
        f"{incident.num_sources} sources · claimed by {', '.join(incident.claimants) or '-'} "
        f"· verification {incident.verification or '-'}",
        style="dim",
        markup=False,
    )
    for event in events:
        console.print()
        title = titles.get(event.article_id, event.article_id)
        console.print(Text(f"{title}  ({event.article_id[:12]})", style="bold"))
        sentence = Text(event.sentence.text)
        start = event.trigger.start - event.sentence.start
        end = event.trigger.end - event.sentence.start
        if 0 <= start < end <= len(sentence):
            sentence.stylize(EVENT_STYLE, start, end)
        console.print(sentence)
