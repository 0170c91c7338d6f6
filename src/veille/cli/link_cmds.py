"""``veille incidents``, ``veille stories``, ``veille duplicates``: cross-article results.

Each lists what ``veille run`` last linked (``veille.link.update_links``), newest and
best-attested first as the store orders them, with filters applied here; ``--json``
prints ``{"items": [...], "total": N}`` where ``total`` counts every match, not the page.
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
ALL = 1_000_000_000  # the store pages; filters here need every row

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


def in_period(
    span: tuple[date, date] | None,
    since: date | None,
    until: date | None,
    include_undated: bool = False,
) -> bool:
    """Whether an item dated ``span`` (first, last day) falls in [since, until].

    Without a date range everything matches; with one, undated items are left out unless
    ``include_undated`` (they cannot be placed in time, so they are not silently kept)."""
    if since is None and until is None:
        return True
    if span is None:
        return include_undated
    first, last = span
    return (since is None or last >= since) and (until is None or first <= until)


def _page(items: Sequence[T], limit: int, offset: int) -> list[T]:
    return list(items[offset : offset + limit])


def _fetch(list_fn: Callable[..., list[T]], db, config, **kwargs: Any) -> list[T]:
    with handle_errors():
        store = open_read_store(make_settings(db, config))
        try:
            return list_fn(store)(ALL, 0, **kwargs)
        finally:
            store.close()


def _print_list(
    matches: Sequence[T],
    limit: int,
    offset: int,
    as_json: bool,
    *,
    item: Callable[[T], dict[str, Any]],
    title: str,
    columns: Sequence[str],
    row: Callable[[T], Sequence[str]],
) -> None:
    """One page of ``matches``: ``{"items", "total"}`` with --json, else a rich table."""
    page = _page(matches, limit, offset)
    if as_json:
        print_page([item(m) for m in page], len(matches))
        return
    table = Table(title=f"{len(matches)} {title}")
    for col in columns:
        table.add_column(col)
    for m in page:
        table.add_row(*row(m))
    console.print(table)


# -- incidents ----------------------------------------------------------------


def incident_matches(
    inc: Incident,
    *,
    country: str | None = None,
    since: date | None = None,
    until: date | None = None,
    include_undated: bool = False,
    verification: str | None = None,
    min_sources: int = 0,
) -> bool:
    if country and country not in {inc.actor, inc.target, inc.location_country}:
        return False
    # the incident's own date (its mentions', else its first report's publication date)
    if not in_period(date_interval(inc.date), since, until, include_undated):
        return False
    if verification and inc.verification != verification:
        return False
    return inc.num_sources >= min_sources


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
    found = _fetch(lambda s: s.list_incidents, db, config, type=type_)
    matches = [
        i
        for i in found
        if incident_matches(
            i,
            country=country,
            since=start,
            until=end,
            include_undated=include_undated,
            verification=verification,
            min_sources=min_sources,
        )
    ]
    _print_list(
        matches,
        limit,
        offset,
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


def story_matches(
    story: Story,
    *,
    since: date | None = None,
    until: date | None = None,
    include_undated: bool = False,
    entity: str | None = None,
) -> bool:
    # a story's dates are its articles' publication dates (never when Veille read them)
    span = (
        (story.first_date or story.last_date, story.last_date or story.first_date)
        if story.first_date or story.last_date
        else None
    )
    if not in_period(span, since, until, include_undated):
        return False
    if entity:
        needle = entity.casefold()
        names = [story.label, *story.top_entities]
        if not any(needle in n.casefold() for n in names):
            return False
    return True


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
    found = _fetch(lambda s: s.list_stories, db, config)
    matches = [
        s
        for s in found
        if story_matches(s, since=start, until=end, include_undated=include_undated, entity=entity)
    ]
    _print_list(
        matches,
        limit,
        offset,
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


def duplicate_matches(
    group: DuplicateGroup, *, kind: str | None = None, outlet: str | None = None
) -> bool:
    if kind and group.kind != kind:
        return False
    return not outlet or outlet in group.outlets


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
    found = _fetch(lambda s: s.list_duplicate_groups, db, config)
    matches = [g for g in found if duplicate_matches(g, kind=kind, outlet=outlet)]
    _print_list(
        matches,
        limit,
        offset,
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
