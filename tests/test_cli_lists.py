"""`veille incidents`, `stories`, `duplicates` filter and page in SQL (store.list_*/count_*).

The filters give what the Python predicates they replace gave, on incidents dated at every
precision: a date range keeps the incidents whose period overlaps it."""

from __future__ import annotations

import itertools
import json
from datetime import date

import pytest
import typer
from typer.testing import CliRunner

from veille.cli import link_cmds
from veille.link.incidents import date_interval
from veille.model import DuplicateGroup, FuzzyDate, Incident, Precision, Story
from veille.store import open_store

DATES = [
    FuzzyDate(date(2023, 12, 31), Precision.DAY),
    FuzzyDate(date(2024, 1, 29), Precision.WEEK),  # runs into February
    FuzzyDate(date(2024, 2, 1), Precision.MONTH),
    FuzzyDate(date(2024, 1, 1), Precision.YEAR),
    FuzzyDate(date(2024, 3, 15), Precision.DAY),
    FuzzyDate.unknown(),
]
INCIDENTS = [
    Incident(
        id=f"inc-{i:02d}",
        type=("ASSAULT", "COERCE")[i % 2],
        event_ids=(f"ev-{i}",),
        article_ids=(f"art-{i}",),
        actor=("RUS", "UKR", None)[i % 3],
        target=("UKR", None, "RUS")[i % 3],
        location_country=(None, "POL")[i % 2],
        date=d,
        num_mentions=i % 4 + 1,
        num_articles=1,
        num_sources=i % 3,
        verification=(None, "confirmed", "denied")[i % 3],
    )
    for i, d in enumerate(DATES * 3)
]


def reference(inc: Incident, since, until, undated, country, verification, min_sources) -> bool:
    span = date_interval(inc.date)
    if since or until:
        if span is None and not undated:
            return False
        if span and not (
            (since is None or span[1] >= since) and (until is None or span[0] <= until)
        ):
            return False
    if country and country not in {inc.actor, inc.target, inc.location_country}:
        return False
    if verification and inc.verification != verification:
        return False
    return inc.num_sources >= min_sources


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("lists") / "l.duckdb"
    with open_store(path) as store:
        store.save_incidents(INCIDENTS)
        store.save_stories(
            [
                Story("s-1", "Frappes sur Tavria", ("a", "b", "c"), ("Tavria", "Orlov"),
                      date(2024, 1, 10), date(2024, 2, 3)),
                Story("s-2", "Pourparlers", ("d", "e"), ("Genève",), date(2023, 5, 1), None),
                Story("s-3", "Sans date", ("f", "g"), ("ORLOV",)),
            ]
        )  # fmt: skip
        store.save_duplicate_groups(
            [
                DuplicateGroup("d-1", "exact", ("a", "b"), ("Le Veilleur", "La Vigie")),
                DuplicateGroup("d-2", "near", ("c", "d"), ("La Vigie",), similarity=0.9),
            ]
        )
    return path


SINCE = [None, date(2024, 1, 1), date(2024, 2, 10)]
UNTIL = [None, date(2023, 12, 31), date(2024, 2, 1)]


@pytest.mark.parametrize("since,until", list(itertools.product(SINCE, UNTIL)))
def test_incident_filters_match_the_python_predicate(db, since, until):
    with open_store(db, read_only=True) as store:
        for undated, country, verification, min_sources in itertools.product(
            (False, True), (None, "POL", "RUS"), (None, "confirmed"), (0, 2)
        ):
            filters = dict(since=since, until=until, include_undated=undated, country=country,
                           verification=verification, min_sources=min_sources)  # fmt: skip
            want = {i.id for i in INCIDENTS if reference(i, *filters.values())}
            got = store.list_incidents(100, 0, **filters)
            assert {i.id for i in got} == want, filters
            assert store.count_incidents(**filters) == len(want)


def cli(db, *args: str) -> dict:
    app = typer.Typer()
    link_cmds.register(app)
    result = CliRunner().invoke(app, [*args, "--db", str(db), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_cli_pages_in_the_store(db):
    everything = cli(db, "incidents", "--limit", "100")
    page = cli(db, "incidents", "--limit", "4", "--offset", "4")
    assert page["total"] == everything["total"] == len(INCIDENTS)
    assert [i["id"] for i in page["items"]] == [i["id"] for i in everything["items"][4:8]]
    found = cli(db, "incidents", "--type", "ASSAULT", "--since", "2024-02", "--limit", "2")
    assert found["total"] == sum(
        1 for i in INCIDENTS if i.type == "ASSAULT" and reference(
            i, date(2024, 2, 1), None, False, None, None, 0)
    ) and len(found["items"]) == 2  # fmt: skip


def test_story_and_duplicate_filters(db):
    def ids(*args: str) -> list[str]:
        return [s["id"] for s in cli(db, *args)["items"]]

    assert ids("stories", "--entity", "orlov") == ["s-1", "s-3"]  # label or top entity, any case
    assert ids("stories", "--since", "2024-02") == ["s-1"]
    assert ids("stories", "--until", "2023") == ["s-2"]  # an open end stands for both
    assert ids("stories", "--since", "2024", "--include-undated") == ["s-1", "s-3"]
    assert cli(db, "stories", "--limit", "1")["total"] == 3
    assert ids("duplicates", "--outlet", "La Vigie") == ["d-1", "d-2"]
    assert ids("duplicates", "--kind", "near") == ["d-2"]
    assert cli(db, "duplicates", "--kind", "exact")["total"] == 1
