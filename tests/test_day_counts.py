"""Counts by day kept when articles are stored (store/duckdb/daycounts.py, migration 012).

Dated overviews and stats sum these tables instead of scanning every event, claim and
entity mention. Each check compares the tables with a recount of the whole store after
writes, new versions that retire old ones, deferred runs and relinking, and compares the
dated answers with the same numbers counted from the annotation tables, as the API did.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veille.model import (
    AidCommitment,
    Analysis,
    Article,
    Claim,
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
from veille.store.duckdb import daycounts, migrate, queries
from veille.store.duckdb.queries import Filters

TEXT = "La ministre Varga a visité Lomny. Des frappes ont touché Lomny jeudi. Kessel a nié."
TABLES = ("day_articles", "day_claims", "day_entities", "day_entity_forms", "day_events", "day_aid")


def _span(needle: str) -> Span:
    at = TEXT.index(needle)
    return Span(at, at + len(needle), needle)


def day(d: str, precision: Precision = Precision.DAY) -> FuzzyDate:
    return FuzzyDate(date.fromisoformat(d), precision)


def analysis(
    key: str,
    published: FuzzyDate,
    outlet: str | None = "La Vigie",
    events: tuple[tuple[str, FuzzyDate, bool], ...] = (),  # type, date, has coordinates
    claims: tuple[Verification | None, ...] = (),
    names: tuple[str, ...] = (),
    aid: tuple[FuzzyDate, ...] = (),
    source: str | None = None,
) -> Analysis:
    article_id = stable_id("dc", key)
    article = Article(
        id=article_id,
        source=source or f"dc/{key}.txt",
        text=TEXT,
        title=key,
        outlet=outlet,
        published=published,
        content_hash=stable_id("dc-content", key),
        raw_hash=stable_id("dc-raw", key),
    )
    sentence, trigger = _span("Des frappes ont touché Lomny jeudi."), _span("frappes")
    lomny = Place("Lomny", country="UKR", lat=48.1, lon=37.2)
    event_list = [
        Event(
            stable_id(article_id, "ev", i), article_id, kind, sentence, trigger,
            location=lomny if located else None, date=when,
        )
        for i, (kind, when, located) in enumerate(events)
    ]  # fmt: skip
    said = _span("Kessel a nié.")
    claim_list = [
        Claim(stable_id(article_id, "cl", i), article_id, said, said, "nier", verification=v)
        for i, v in enumerate(claims)
    ]
    forms = {
        "Varga": (EntityType.PER, "kb-varga", None),
        "ministre Varga": (EntityType.PER, "kb-varga", None),
        "Lomny": (EntityType.LOC, None, "UKR"),
        "Kessel": (EntityType.ORG, None, None),
    }
    entities = [
        EntityMention(
            _span(n).start, _span(n).end, n, forms[n][0], n, kb_id=forms[n][1], country=forms[n][2]
        )
        for n in names
    ]
    aid_list = [
        AidCommitment(
            stable_id(article_id, "aid", i), article_id, (sentence,), donor="DEU",
            recipient="UKR", usd_value=Decimal("1000000"), announced=when,
        )
        for i, when in enumerate(aid)
    ]  # fmt: skip
    return Analysis(
        article=article, entities=entities, events=event_list, aid=aid_list, claims=claim_list
    )


UNKNOWN = FuzzyDate.unknown()
CONFIRMED, DENIED = Verification.CONFIRMED, Verification.DENIED
SAMPLE = [
    analysis(
        "a", day("2024-03-05"), "La Vigie",
        events=(("ASSAULT", day("2024-03-04"), True), ("ASSAULT", UNKNOWN, False),
                ("ATTACK", day("2024-02-01", Precision.MONTH), True)),
        claims=(CONFIRMED, None), names=("Varga", "Lomny", "Lomny"),
        aid=(day("2024-03-01"), UNKNOWN),
    ),
    analysis(
        "b", day("2024-02-01", Precision.MONTH), "Le Guet",
        events=(("ATTACK", UNKNOWN, False),), claims=(DENIED,), names=("Lomny", "Kessel"),
    ),
    analysis(
        "c", day("2024-01-01", Precision.YEAR), None,
        events=(("ASSAULT", day("2024-01-01", Precision.YEAR), True),), claims=(CONFIRMED,),
        names=("ministre Varga",), aid=(UNKNOWN,),
    ),
    analysis("d", UNKNOWN, "La Vigie", names=("Kessel",)),
    analysis(
        "e", day("2024-03-07"), "Le Guet",
        events=(("ASSAULT", day("2024-03-07"), False),), claims=(DENIED, DENIED),
        names=("Varga", "ministre Varga", "Varga", "Kessel"), aid=(day("2024-03-20"),),
    ),
]  # fmt: skip


def kept(con) -> dict[str, list[tuple]]:
    return {t: sorted(con.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in TABLES}


def recounted(con) -> dict[str, list[tuple]]:
    out = {}
    for table in TABLES:
        columns = ", ".join(d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description)
        recount = daycounts.recount(con, table)
        out[table] = sorted(con.execute(f"SELECT {columns} FROM ({recount})").fetchall(), key=repr)
    return out


def check(con) -> None:
    got = kept(con)
    assert got == recounted(con)
    assert any(got.values())


def test_kept_equal_a_recount_after_writes_new_versions_and_retirements(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        con = store.connection()
        store.save_batch(SAMPLE[:2])
        check(con)
        store.save_batch(SAMPLE[2:])
        check(con)
        assert con.execute("SELECT sum(articles) FROM day_articles").fetchone()[0] == 3
        # a new version of "a" (same source), moved to another day with other annotations:
        # the retired version's days are recounted without it
        store.save_batch(
            [analysis("a2", day("2024-03-06"), "Le Guet",
                      events=(("ATTACK", day("2024-03-06"), True),), names=("Kessel",),
                      source="dc/a.txt")]
        )  # fmt: skip
        check(con)
        days = {d for (d,) in con.execute("SELECT day FROM day_articles").fetchall()}
        assert date(2024, 3, 5) not in days and date(2024, 3, 6) in days
        # and a version of "e" with nothing left on its day
        store.save_batch([analysis("e2", UNKNOWN, None, source="dc/e.txt")])
        check(con)
        assert not con.execute(
            "SELECT count(*) FROM day_entities WHERE day = '2024-03-07'"
        ).fetchone()[0]


def test_a_deferring_run_recounts_its_days_once_at_the_end(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        con = store.connection()
        store.save_batch(SAMPLE[:1])
        with store.deferred_entity_stats():
            store.save_batch(SAMPLE[1:3])
            store.save_batch([analysis("a2", day("2024-03-09"), source="dc/a.txt")])
            assert kept(con) != recounted(con)  # waiting for the end of the run
            store.save_batch(SAMPLE[3:])
        check(con)


def test_a_killed_deferring_run_is_recounted_by_the_next(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        con = store.connection()
        store._deferred_keys, store._deferred_days = set(), daycounts.Days()  # killed inside
        store.save_batch(SAMPLE)
        store._deferred_keys = store._deferred_days = None
        assert kept(con) != recounted(con)
        store.rebuild_entity_stats()  # what the next run does first (pipeline.run_on_store)
        check(con)


def test_relinking_leaves_them_equal_to_a_recount(tmp_path):
    from veille.link import relink, update_links
    from veille.settings import load_settings

    settings = load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})
    with open_store(settings.db_path) as store:
        store.save_batch(SAMPLE)
        update_links(store, settings)
        before = kept(store.connection())
        relink(store, settings)
        assert kept(store.connection()) == before
        check(store.connection())


def test_a_bulk_import_keeps_them(tmp_path):
    import pyarrow.parquet as pq

    with open_store(tmp_path / "src.duckdb") as source:
        source.save_batch(SAMPLE)
        con = source.connection()
        dataset = tmp_path / "dataset"
        for table in ("articles", "entity_mentions", "events", "aid_commitments", "claims"):
            (dataset / table).mkdir(parents=True)
            rows = con.sql(f"SELECT * FROM {table}").to_arrow_table()
            if table == "articles":
                rows = rows.drop_columns(["stored_at"])
            pq.write_table(rows, dataset / table / "part-0.parquet")
        expected = kept(con)
    with open_store(tmp_path / "dst.duckdb") as store:
        store.save_batch([analysis("z", day("2024-03-05"), names=("Lomny",))])
        store.import_dataset(dataset)
        check(store.connection())
        assert kept(store.connection()) != expected  # "z" counts too


def test_migration_fills_a_store_made_before_it(tmp_path, monkeypatch):
    db = tmp_path / "old.duckdb"
    latest = migrate.available_migrations
    monkeypatch.setattr(
        migrate, "available_migrations", lambda: [m for m in latest() if m.version < 12]
    )
    monkeypatch.setattr(daycounts, "days_of", lambda *a, **k: daycounts.Days())
    with open_store(db) as store:
        store.save_batch(SAMPLE)
    monkeypatch.undo()
    with open_store(db) as store:
        check(store.connection())


# --- dated answers: the same as counting the annotation tables ---------------------------


def counted_stats(con, f: Filters) -> dict:
    """The dated counts of ``queries.stats`` as the API computed them before migration 012."""
    art, art_p = queries._article_span(f, "a")
    ev = queries._Where()
    queries._fuzzy_range(ev, "e.place_date", "e.place_precision", f)
    ev_where, ev_p = " AND ".join(ev.clauses), ev.params
    aid = queries._Where()
    queries._date_range(
        aid, "coalesce(c.announced_date, (SELECT published_date FROM articles x "
        "WHERE x.id = c.article_id))", f,
    )  # fmt: skip
    in_art = f"article_id IN (SELECT a.id FROM articles a WHERE {art})"

    def one(sql: str, params: list):
        return con.execute(sql, params).fetchone()[0]

    first = one(f"SELECT min(published_date) FROM articles a WHERE {art}", art_p)
    last = one(f"SELECT max(published_date) FROM articles a WHERE {art}", art_p)
    return {
        "articles": one(f"SELECT count(*) FROM articles a WHERE {art}", art_p),
        "outlets": one(f"SELECT count(DISTINCT outlet) FROM articles a WHERE {art}", art_p),
        "events": one(f"SELECT count(*) FROM events e WHERE {ev_where}", ev_p),
        "aid_commitments": one(
            f"SELECT count(*) FROM aid_commitments c WHERE {' AND '.join(aid.clauses)}", aid.params
        ),
        "claims": one(f"SELECT count(*) FROM claims WHERE {in_art}", art_p),
        "entities": one(
            f"SELECT count(DISTINCT coalesce(kb_id, name)) FROM entity_mentions WHERE {in_art}",
            art_p,
        ),
        "first_published": first and first.isoformat(),
        "last_published": last and last.isoformat(),
        "located_events": one(
            f"SELECT count(*) FROM events e WHERE location_lat IS NOT NULL AND {ev_where}", ev_p
        ),
        "events_by_type": dict(
            con.execute(
                f"SELECT type, count(*) FROM events e WHERE {ev_where} "
                "GROUP BY type ORDER BY count(*) DESC, type",
                ev_p,
            ).fetchall()
        ),
        "claims_by_verification": dict(
            con.execute(
                f"SELECT coalesce(verification, 'none'), count(*) FROM claims WHERE {in_art} "
                "GROUP BY 1 ORDER BY 1",
                art_p,
            ).fetchall()
        ),
    }


RANGES = [
    Filters(date_from=date(2024, 3, 1)),
    Filters(date_from=date(2024, 2, 15)),
    Filters(date_to=date(2024, 2, 10)),
    Filters(date_from=date(2024, 3, 5), date_to=date(2024, 3, 6)),
    Filters(date_from=date(2024, 3, 7), date_to=date(2024, 3, 7)),
    Filters(date_from=date(2025, 1, 1)),
]


def _short(f: Filters) -> str:
    return f"{f.type or ''}{f.date_from or ''}..{f.date_to or ''}"


@pytest.fixture
def stored(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        store.save_batch(SAMPLE)
        a2 = analysis(
            "a2", day("2024-03-06"), "Le Guet", source="dc/a.txt", claims=(None,),
            events=(("ATTACK", day("2024-03-06"), True),), names=("Lomny", "Kessel", "Lomny"),
        )  # fmt: skip
        store.save_batch([a2])
        store.save_batch(SAMPLE[:1])  # the old version again: a third version of dc/a.txt
        yield store.connection()


@pytest.mark.parametrize("f", RANGES, ids=_short)
def test_dated_stats_equal_the_counts_of_the_annotation_tables(stored, f):
    got = queries.stats(stored, f)
    expected = counted_stats(stored, f)
    assert {k: got[k] for k in expected} == expected
    assert list(got["events_by_type"]) == list(expected["events_by_type"])  # same order


def test_some_ranges_count_something(stored):
    assert queries.stats(stored, RANGES[0])["events"] and queries.stats(stored, RANGES[0])["claims"]
    assert queries.stats(stored, RANGES[2])["articles"] == 1  # the month-dated article


@pytest.mark.parametrize("kind", ["events", "incidents"])
@pytest.mark.parametrize("f", [Filters(), Filters(type="ASSAULT"), *RANGES[:3]], ids=_short)
def test_timelines_equal_counting_the_events(stored, kind, f):
    source = queries._INCIDENT_BIN if kind == "incidents" else (
        "SELECT CASE WHEN e.place_precision IN ('day', 'week') THEN e.place_date "
        "WHEN e.place_precision = 'month' THEN date_trunc('month', e.place_date)::DATE END AS day, "
        "CASE WHEN e.place_precision IN ('day', 'week') THEN 'day' "
        "WHEN e.place_precision = 'month' THEN 'month' END AS precision, e.type AS type "
        "FROM events e"
    )  # fmt: skip
    where = queries._timeline_where(f)
    where.add("day IS NOT NULL")
    rows = stored.execute(
        f"SELECT day, precision, type, count(*) FROM ({source}){where.sql()} "
        "GROUP BY ALL ORDER BY day, precision, type",
        where.params,
    ).fetchall()
    got = queries.timeline(stored, kind, f)
    assert [(r["day"], r["precision"], r["type"], r["count"]) for r in got] == [
        (d.isoformat(), p, t, n) for d, p, t, n in rows
    ]
    undated = stored.execute(
        f"SELECT count(*) FROM ({source}) WHERE day IS NULL" + (" AND type = ?" if f.type else ""),
        [f.type] if f.type else [],
    ).fetchone()[0]
    assert queries.timeline_undated(stored, kind, f) == undated
    if kind == "events" and f == Filters():
        assert got and undated


@pytest.mark.parametrize("f", RANGES, ids=_short)
def test_dated_entity_lists_equal_counting_the_mentions(stored, f):
    span, params = queries._article_span(f, "a")
    expected = [
        dict(zip(("key", "kb_id", "name", "label", "country", "mentions", "articles"), row,
                 strict=True))
        for row in stored.execute(
            "SELECT coalesce(kb_id, name) AS key, any_value(kb_id), mode(name), mode(label), "
            "mode(country), count(*) AS m, count(DISTINCT article_id) AS n FROM entity_mentions "
            f"WHERE article_id IN (SELECT a.id FROM articles a WHERE {span}) GROUP BY 1 "
            "ORDER BY n DESC, m DESC, key",
            params,
        ).fetchall()
    ]  # fmt: skip
    page = queries.list_entities(stored, f, 50, 0)
    assert page["items"] == expected and page["total"] == len(expected)
    # paged by two, with cursors: the same entities
    walked, cursor = [], None
    while True:
        part = queries.list_entities(stored, f, 2, 0, cursor)
        walked += part["items"]
        assert part["total"] == len(expected)
        if not (cursor := part["next_cursor"]):
            break
    assert walked == expected
    assert queries.list_entities(stored, f, 2, 1)["items"] == expected[1:3]


def test_a_dated_entity_shows_its_most_frequent_name_in_the_range(stored):
    # "Varga" twice and "ministre Varga" once on 2024-03-07; once each on 2024-03-05
    items = queries.list_entities(stored, Filters(date_from=date(2024, 3, 7)), 10, 0)["items"]
    assert {i["key"]: i["name"] for i in items}["kb-varga"] == "Varga"


@pytest.mark.parametrize("kind", ["events", "incidents"])
def test_kept_timelines_equal_the_queries(tmp_path, kind):
    """A server bins the whole timeline once per generation and keeps a filter's bins."""
    from veille.link import update_links
    from veille.settings import load_settings
    from veille.store.duckdb.ranked import Ranks

    settings = load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})
    with open_store(settings.db_path) as store:
        store.save_batch(SAMPLE)
        store.save_batch([analysis("f", day("2024-03-05"), events=(("ASSAULT", UNKNOWN, True),))])
        update_links(store, settings)
        con = store.connection()
        ranks = Ranks()
        filters = [
            Filters(), Filters(type="ASSAULT"), Filters(type="ATTACK"), Filters(type="NONE"),
            *RANGES, Filters(date_from=date(2024, 2, 29)), Filters(date_from=date(2024, 3, 1)),
            Filters(type="ASSAULT", date_from=date(2024, 3, 5), date_to=date(2024, 3, 5)),
        ]  # fmt: skip
        for f in filters:
            assert queries.timeline(con, kind, f, ranks) == queries.timeline(con, kind, f)
            assert queries.timeline_undated(con, kind, f, ranks) == queries.timeline_undated(
                con, kind, f
            )
        assert queries.timeline(con, kind, Filters(date_from=date(2024, 3, 1)), ranks)
