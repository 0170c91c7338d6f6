"""Filtered lists as masks over the kept whole order: a server that keeps the events'
order with their facets (type, mode, verification, countries, coordinates, timeline
place; queries._event_mask), or the articles' with the sets of articles each filter value
keeps (queries._article_mask), answers a filtered page without ranking it again. Same
items, totals and cursors as the SQL path, NULLs included."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from veille.model import (
    Actor,
    Analysis,
    Article,
    EntityMention,
    EntityType,
    Event,
    FuzzyDate,
    Place,
    Precision,
    Span,
    Verification,
    stable_id,
)
from veille.store import open_store
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters
from veille.store.duckdb.ranked import Ranks

TEXT = "Des drones ont frappé Vesk mardi, selon l'état-major."
COUNTRIES = (None, "UKR", "RUS", "POL")
DATES = (Precision.DAY, Precision.WEEK, Precision.MONTH, Precision.YEAR, None)


def fuzzy(rng: random.Random, precision: Precision | None) -> FuzzyDate:
    if precision is None:
        return FuzzyDate.unknown()
    return FuzzyDate(date(2024, 1, 1) + timedelta(days=rng.randrange(90)), precision)


def analyses(n: int, seed: int = 5) -> list[Analysis]:
    rng = random.Random(seed)
    span, trigger = Span(0, len(TEXT), TEXT), Span(4, 10, "drones")
    out = []
    for i in range(n):
        article_id = stable_id("facets", str(i))
        article = Article(
            id=article_id, source=f"facets/{i}.txt", text=TEXT, title=f"t{i}",
            outlet=rng.choice(("La Vigie", "Le Guet", None)),
            published=fuzzy(rng, rng.choice(DATES)), content_hash=stable_id("fc", str(i)),
            raw_hash=stable_id("fr", str(i)),
        )  # fmt: skip

        def actor(country: str | None) -> Actor | None:
            return None if country is None and rng.random() < 0.5 else Actor("x", "X", country)

        events = [
            Event(
                stable_id(article_id, "ev", k), article_id, rng.choice(("ASSAULT", "COERCE")),
                span, trigger, mode=rng.choice((None, "drone", "missile")),
                actor=actor(rng.choice(COUNTRIES)), target=actor(rng.choice(COUNTRIES)),
                location=rng.choice((None, Place("Vesk", "UKR", lat=49.0, lon=36.1),
                                     Place("Vesk", "UKR"))),
                location_country=rng.choice(COUNTRIES), date=fuzzy(rng, rng.choice(DATES)),
                verification=rng.choice((None, *Verification)),
            )
            for k in range(rng.randrange(5))
        ]  # fmt: skip
        vesk = TEXT.index("Vesk")
        entities = [
            EntityMention(vesk, vesk + 4, "Vesk", EntityType.LOC, "Vesk", country=country)
            for country in rng.sample(COUNTRIES, rng.randrange(3))
        ]
        out.append(Analysis(article=article, events=events, entities=entities))
    return out


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("facets") / "f.duckdb") as store:
        store.save_batch(analyses(60))
        yield store.connection()


FILTERS = [
    Filters(type="ASSAULT"),
    Filters(country="UKR"),
    Filters(country="POL", type="COERCE"),
    Filters(mode="drone", verification="confirmed"),
    Filters(located=True),
    Filters(date_from=date(2024, 2, 1)),
    Filters(date_to=date(2024, 1, 20)),
    Filters(date_from=date(2024, 1, 10), date_to=date(2024, 2, 10), country="RUS"),
    Filters(type="ASSAULT", country="UKR", date_from=date(2024, 1, 15), located=True),
    Filters(country="FRA"),  # no event
    Filters(mode="tank"),  # not a value of the column
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: repr(queries._asdict(f))[:60])
def test_masked_pages_equal_the_sql_pages(con, f):
    ranks = Ranks(build_after=1)
    for limit in (1, 4, 50):
        for offset in (0, 3, 500):
            expected = queries.list_events(con, f, limit, offset)
            assert queries.list_events(con, f, limit, offset, ranks=ranks) == expected
        plain = kept = None
        while True:  # cursor walks, each path on its own cursors
            expected = queries.list_events(con, f, limit, cursor=plain, offset=0)
            got = queries.list_events(con, f, limit, 0, kept, ranks)
            assert got == expected
            plain, kept = expected["next_cursor"], got["next_cursor"]
            if plain is None:
                break
    # one kept order, the unfiltered one: filters are masks over it
    assert [name for name, _ in ranks.kept_orders()] == ["events"]


def test_the_filters_keep_something_and_cursors_cross_paths(con):
    ranks = Ranks(build_after=1)
    totals = [queries.list_events(con, f, 5, 0, ranks=ranks)["total"] for f in FILTERS]
    everything = queries.list_events(con, Filters(), 5, 0)["total"]
    assert all(0 < t < everything for t in totals[:-2]) and totals[-2:] == [0, 0]
    f = FILTERS[1]
    first = queries.list_events(con, f, 3, 0, ranks=ranks)
    # a cursor a masked page handed out pages the SQL path the same, and the other way
    assert queries.list_events(con, f, 3, 0, first["next_cursor"]) == queries.list_events(
        con, f, 3, 0, first["next_cursor"], Ranks(build_after=1)
    )
    sql_first = queries.list_events(con, f, 3, 0)
    assert queries.list_events(con, f, 3, 0, sql_first["next_cursor"], ranks) == (
        queries.list_events(con, f, 3, 0, sql_first["next_cursor"])
    )


def test_other_filters_are_sql(con):
    ranks = Ranks(build_after=1)
    f = Filters(type="ASSAULT", outlet="La Vigie")
    assert queries._event_mask(f) is None
    assert queries.list_events(con, f, 5, 0, ranks=ranks) == queries.list_events(con, f, 5, 0)


ARTICLE_FILTERS = [
    Filters(type="ASSAULT"),
    Filters(country="UKR"),
    Filters(country="POL", type="COERCE", date_from=date(2024, 1, 20)),
    Filters(verification="denied"),
    Filters(outlet="Le Guet", date_to=date(2024, 2, 15)),
    Filters(entity="Vesk"),
    Filters(date_from=date(2024, 2, 1)),
    Filters(country="FRA"),
]


@pytest.mark.parametrize("f", ARTICLE_FILTERS, ids=lambda f: repr(queries._asdict(f))[:60])
def test_masked_article_pages_equal_the_sql_pages(con, f):
    ranks = Ranks(build_after=1)
    for limit in (1, 4, 50):
        for offset in (0, 3, 500):
            expected = queries.list_articles(con, f, limit, offset)
            assert queries.list_articles(con, f, limit, offset, ranks=ranks) == expected
        plain = kept = None
        while True:
            expected = queries.list_articles(con, f, limit, 0, plain)
            got = queries.list_articles(con, f, limit, 0, kept, ranks)
            assert got == expected
            plain, kept = expected["next_cursor"], got["next_cursor"]
            if plain is None:
                break
    assert [name for name, _ in ranks.kept_orders()] == ["articles"]
    total = queries.list_articles(con, queries.Filters(), 1, 0)["total"]
    assert (0 < expected["total"] < total) == (f.country != "FRA")


def test_each_filter_value_is_found_once_per_order(con, monkeypatch):
    ranks = Ranks(build_after=1)
    for day in range(1, 20):  # the same type and country, other days: sets found once
        f = Filters(type="ASSAULT", country="UKR", date_from=date(2024, 1, day))
        assert queries.list_articles(con, f, 5, 0, ranks=ranks) == queries.list_articles(
            con, f, 5, 0
        )
    (order,) = ranks._kept.values()
    assert len(order.members) == 2


@pytest.mark.parametrize("f", [Filters(), *FILTERS], ids=lambda f: repr(queries._asdict(f))[:60])
def test_map_points_from_the_kept_order_equal_the_query(con, f):
    ranks = Ranks(build_after=1)
    for limit in (1, 5, 5000):
        assert queries.event_points(con, f, limit, ranks) == queries.event_points(con, f, limit)
    assert [name for name, _ in ranks.kept_orders()] == ["events"]
    if f == Filters():
        points = queries.event_points(con, f, 5000, ranks)
        assert points and all(p["lat"] is not None for p in points)
