"""``veille incidents``, ``veille stories``, ``veille duplicates``: cross-article results.

Each lists what ``veille run`` last linked (``veille.link.update_links``), newest and
best-attested first as the store orders them; the store filters and pages in SQL, so a
page costs the same on any store size. ``--json`` prints ``{"items": [...], "total": N}``
where ``total`` counts every match, not the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

import typer
from rich.table import Table

from veille import filters
from veille.cli.common import (
    ConfigOption,
    DbOption,
    JsonOption,
    LimitOption,
    OffsetOption,
    console,
    handle_errors,
    make_settings,
    open_read_store,
    print_json,
    print_page,
    to_jsonable,
)
from veille.link.incidents import date_interval
from veille.model import DuplicateGroup, FuzzyDate, Incident, Precision, Story

T = TypeVar("T")

SinceOption = Annotated[
    str | None,
    typer.Option("--since", help="Only from this date on: YYYY-MM-DD, YYYY-MM or YYYY."),
]
UntilOption = Annotated[
    str | None,
    typer.Option("--until", help="Only up to this date: YYYY-MM-DD, YYYY-MM or YYYY (inclusive)."),
]
UndatedOption = Annotated[
    bool,
    typer.Option("--include-undated", help="With --since/--until, keep items that have no date."),
]


def _period(value: str, option: str) -> tuple[date, date]:
    """``2024``, ``2024-05`` or ``2024-05-10`` as the first and last day they cover."""
    parts = value.strip().split("-")
    try:
        nums = [int(p) for p in parts]
        if not 1 <= len(nums) <= 3:
            raise ValueError(value)
        if len(nums) == 1:
            return date(nums[0], 1, 1), date(nums[0], 12, 31)
        if len(nums) == 2:
            first = date(nums[0], nums[1], 1)
            return first, date_interval(FuzzyDate(first, Precision.MONTH))[1]
        day = date(*nums)
        return day, day
    except (TypeError, ValueError, OverflowError):
        raise typer.BadParameter(
            f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD", param_hint=option
        ) from None


def parse_since(value: str | None) -> date | None:
    """The first day ``value`` covers."""
    return None if value is None else _period(value, "--since")[0]


def parse_until(value: str | None) -> date | None:
    """The last day ``value`` covers (``--until 2024`` keeps all of 2024)."""
    return None if value is None else _period(value, "--until")[1]


def _fetch(what: str, db, config, limit: int, offset: int, **filters: Any) -> tuple[list[Any], int]:
    """One page of the store's ``list_<what>`` and the count of every match."""
    with handle_errors():
        store = open_read_store(make_settings(db, config))
        try:
            page = getattr(store, f"list_{what}")(limit, offset, **filters)
            return page, getattr(store, f"count_{what}")(**filters)
        finally:
            store.close()


def _print_list(
    page: Sequence[T],
    total: int,
    as_json: bool,
    *,
    item: Callable[[T], dict[str, Any]],
    title: str,
    columns: Sequence[str],
    row: Callable[[T], Sequence[str]],
) -> None:
    """One page: ``{"items", "total"}`` with --json, else a rich table."""
    if as_json:
        print_page([item(m) for m in page], total)
        return
    table = Table(title=f"{total} {title}")
    for col in columns:
        table.add_column(col)
    for m in page:
        table.add_row(*row(m))
    console.print(table)


# -- incidents ----------------------------------------------------------------


def incident_item(inc: Incident) -> dict[str, Any]:
    item = to_jsonable(inc)
    item["date"] = inc.date.iso()
    item["date_precision"] = inc.date.precision.value
    return item


def incidents_command(
    type_: Annotated[
        str | None, typer.Option("--type", help="PLOVER event type, e.g. ASSAULT.")
    ] = None,
    country: Annotated[
        str | None,
        typer.Option(
            "--country",
            help="Actor, target or location country: ISO alpha-3 in any case, or a name "
            "in French or English (Russie, Russia).",
        ),
    ] = None,
    since: SinceOption = None,
    until: UntilOption = None,
    include_undated: UndatedOption = False,
    verification: Annotated[
        str | None,
        typer.Option(
            "--verification",
            help="disputed, denied, confirmed, corroborated, unverified, claimed, reported.",
        ),
    ] = None,
    min_sources: Annotated[
        int, typer.Option("--min-sources", min=0, help="At least this many independent sources.")
    ] = 0,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Incidents: one real-world event with every article that reported it."""
    start, end = parse_since(since), parse_until(until)
    with handle_errors():  # the same checks as the API: one line, exit 2
        type_ = filters.event_type(type_) if type_ else None
        country = filters.country_code(country) if country else None
        verification = filters.verification(verification) if verification else None
    # the incident's own date (its mentions', else its first report's publication date)
    page, total = _fetch(
        "incidents",
        db,
        config,
        limit,
        offset,
        type=type_,
        country=country,
        since=start,
        until=end,
        include_undated=include_undated,
        verification=verification,
        min_sources=min_sources,
    )
    _print_list(
        page,
        total,
        as_json,
        item=incident_item,
        title="incident(s)",
        columns=(
            "id",
            "type",
            "date",
            "place",
            "actor>target",
            "mentions",
            "articles",
            "sources",
            "verification",
        ),
        row=_incident_row,
    )


def _incident_row(i: Incident) -> tuple[str, ...]:
    place = i.location.name if i.location else (i.location_country or "")
    return (
        i.id[:12],
        i.type + (f" ({i.mode})" if i.mode else ""),
        i.date.iso() or "",
        place,
        f"{i.actor or '?'}>{i.target or '?'}",
        str(i.num_mentions),
        str(i.num_articles),
        str(i.num_sources),
        i.verification or "",
    )


# -- stories ------------------------------------------------------------------


def story_item(story: Story) -> dict[str, Any]:
    item = to_jsonable(story)
    item["num_articles"] = len(story.article_ids)
    return item


def stories_command(
    since: SinceOption = None,
    until: UntilOption = None,
    include_undated: UndatedOption = False,
    entity: Annotated[
        str | None, typer.Option("--entity", help="Label or top entity contains this text.")
    ] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stories: articles grouped into topics over time, largest first."""
    start, end = parse_since(since), parse_until(until)
    # a story's dates are its articles' publication dates (never when Veille read them)
    page, total = _fetch(
        "stories",
        db,
        config,
        limit,
        offset,
        since=start,
        until=end,
        include_undated=include_undated,
        entity=entity,
    )
    _print_list(
        page,
        total,
        as_json,
        item=story_item,
        title="story(ies)",
        columns=("id", "label", "articles", "from", "to"),
        row=lambda s: (
            s.id[:12],
            s.label,
            str(len(s.article_ids)),
            s.first_date.isoformat() if s.first_date else "",
            s.last_date.isoformat() if s.last_date else "",
        ),
    )


# -- duplicates ---------------------------------------------------------------


def duplicate_item(group: DuplicateGroup) -> dict[str, Any]:
    item = to_jsonable(group)
    item["num_articles"] = len(group.article_ids)
    return item


def duplicates_command(
    kind: Annotated[str | None, typer.Option("--kind", help="exact or near.")] = None,
    outlet: Annotated[
        str | None, typer.Option("--outlet", help="Groups with an article from this outlet.")
    ] = None,
    limit: LimitOption = 50,
    offset: OffsetOption = 0,
    db: DbOption = None,
    config: ConfigOption = None,
    as_json: JsonOption = False,
) -> None:
    """Groups of exact and near-duplicate articles, with every outlet and URL."""
    with handle_errors():
        kind = filters.choice(kind, ("exact", "near"), "--kind") if kind else None
    page, total = _fetch("duplicate_groups", db, config, limit, offset, kind=kind, outlet=outlet)
    _print_list(
        page,
        total,
        as_json,
        item=duplicate_item,
        title="duplicate group(s)",
        columns=("id", "kind", "articles", "similarity", "outlets"),
        row=lambda g: (
            g.id[:12],
            g.kind,
            str(len(g.article_ids)),
            f"{g.similarity:.2f}",
            ", ".join(g.outlets),
        ),
    )


def relink_command(
    db: DbOption = None, config: ConfigOption = None, as_json: JsonOption = False
) -> None:
    """Rebuild duplicates, incidents, merged aid and stories from every stored article."""
    from veille.link import relink
    from veille.store import open_store

    with handle_errors():
        settings = make_settings(db, config)
        with open_store(settings.db_path, memory_limit=settings.duckdb_memory_limit) as store:
            counts = relink(store, settings)
    if as_json:
        print_json(counts)
        return
    console.print(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items()))


def register(app: typer.Typer) -> None:
    app.command("relink")(relink_command)
    app.command("incidents")(incidents_command)
    app.command("stories")(stories_command)
    app.command("duplicates")(duplicates_command)
