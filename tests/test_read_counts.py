"""Counts the read side keeps when articles are stored (store/duckdb/readcounts.py).

Article event and claim counts, each event's timeline placement and the entity table are
written with the articles (and with a new version that retires an old one); migration 006
fills them for a store made before it. Each check compares with the same numbers
computed from the annotation tables, as the API used to per request.
"""

from __future__ import annotations

from datetime import date

import pytest

from veille.model import (
    Analysis,
    Article,
    Claim,
    EntityMention,
    EntityType,
    Event,
    FuzzyDate,
    Precision,
    Span,
    stable_id,
)
from veille.store import open_store
from veille.store.duckdb import daycounts, migrate, readcounts
from veille.store.duckdb.store import DuckDBStore

TEXT = "Le ministre Orlov a visité Tavria. Des tirs ont visé Tavria mardi. Orlov a démenti."


def _span(needle: str) -> Span:
    at = TEXT.index(needle)
    return Span(at, at + len(needle), needle)


def analysis(
    key: str,
    published: FuzzyDate,
    event_dates: list[FuzzyDate],
    claims: int,
    names: list[str],
    source: str | None = None,
) -> Analysis:
    article_id = stable_id("rc", key)
    article = Article(
        id=article_id,
        source=source or f"rc/{key}.txt",
        text=TEXT,
        title=key,
        outlet="Le Veilleur",
        published=published,
        content_hash=stable_id("rc-content", key),
        raw_hash=stable_id("rc-raw", key),
    )
    sentence, trigger = _span("Des tirs ont visé Tavria mardi."), _span("tirs")
    events = [
        Event(stable_id(article_id, "ev", i), article_id, "ASSAULT", sentence, trigger, date=d)
        for i, d in enumerate(event_dates)
    ]
    said = _span("Orlov a démenti.")
    claim_list = [
        Claim(stable_id(article_id, "cl", i), article_id, said, said, "démentir")
        for i in range(claims)
    ]
    entities = [
        EntityMention(_span(n).start, _span(n).end, n, EntityType.PER, n, kb_id="kb-orlov")
        if n == "Orlov"
        else EntityMention(_span(n).start, _span(n).end, n, EntityType.LOC, n, country="UKR")
        for n in names
    ]
    return Analysis(article=article, entities=entities, events=events, aid=[], claims=claim_list)


DAY = FuzzyDate(date(2024, 3, 5), Precision.DAY)
MONTH = FuzzyDate(date(2024, 2, 1), Precision.MONTH)
YEAR = FuzzyDate(date(2024, 1, 1), Precision.YEAR)
UNKNOWN = FuzzyDate.unknown()


def expected_entities(con) -> set[tuple]:
    return set(
        con.execute(
            "SELECT coalesce(kb_id, name), mode(name), mode(label), count(*), "
            "count(DISTINCT article_id) FROM entity_mentions GROUP BY 1"
        ).fetchall()
    )


def kept_entities(con) -> set[tuple]:
    return set(
        con.execute("SELECT key, name, label, mentions, articles FROM entity_stats").fetchall()
    )


def check_counts(con) -> None:
    assert (
        con.execute("SELECT id, num_events, num_claims FROM articles ORDER BY id").fetchall()
        == con.execute(
            "SELECT a.id, (SELECT count(*) FROM events e WHERE e.article_id = a.id), "
            "(SELECT count(*) FROM claims c WHERE c.article_id = a.id) "
            "FROM articles a ORDER BY a.id"
        ).fetchall()
    )
    assert kept_entities(con) == expected_entities(con)


SAMPLE = [
    analysis("a", DAY, [DAY, UNKNOWN, MONTH], 2, ["Orlov", "Tavria", "Tavria"]),
    analysis("b", MONTH, [UNKNOWN], 0, ["Tavria"]),
    analysis("c", YEAR, [UNKNOWN, YEAR], 1, ["Orlov"]),
    analysis("d", UNKNOWN, [], 0, []),
]


def placements(con) -> dict[tuple[str, int], tuple]:
    rows = con.execute(
        "SELECT a.title, e.idx, e.place_date, e.place_precision FROM events e "
        "JOIN articles a ON a.id = e.article_id"
    ).fetchall()
    return {(t, i): (d, p) for t, i, d, p in rows}


def test_counts_and_places_kept_when_storing_and_superseding(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        store.save_batch(SAMPLE[:2])
        store.save_batch(SAMPLE[2:])
        con = store.connection()
        check_counts(con)
        assert dict(con.execute("SELECT title, num_events FROM articles").fetchall()) == {
            "a": 3, "b": 1, "c": 2, "d": 0,
        }  # fmt: skip
        # own date when known to the day or month, else the article's, else none
        assert placements(con) == {
            ("a", 0): (date(2024, 3, 5), "day"),
            ("a", 1): (date(2024, 3, 5), "day"),
            ("a", 2): (date(2024, 2, 1), "month"),
            ("b", 0): (date(2024, 2, 1), "month"),
            ("c", 0): (None, None),
            ("c", 1): (None, None),
        }
        assert ("kb-orlov", "Orlov", "PER", 2, 2) in kept_entities(con)
        # a new version of "a" (same source) without Orlov: his counts drop with it
        store.save_batch([analysis("a2", DAY, [DAY], 0, ["Tavria"], source="rc/a.txt")])
        check_counts(con)
        assert ("kb-orlov", "Orlov", "PER", 1, 1) in kept_entities(con)
        assert ("Tavria", "Tavria", "LOC", 2, 2) in kept_entities(con)
        # the last mention of an entity gone: its row goes too
        store.save_batch([analysis("c2", YEAR, [], 0, [], source="rc/c.txt")])
        check_counts(con)
        assert "kb-orlov" not in {row[0] for row in kept_entities(con)}


def test_what_storing_sets_on_its_rows_equals_the_sql_refresh(tmp_path):
    """save_batch computes counts and event places on the rows it inserts (no table-wide
    UPDATE per write); the SQL refresh over every article must find nothing to change."""
    with open_store(tmp_path / "v.duckdb") as store:
        store.save_batch(SAMPLE[:3])
        store.save_batch([analysis("a2", DAY, [MONTH, YEAR], 1, ["Orlov"], source="rc/a.txt")])
        store.save_batch(SAMPLE[3:])
        con = store.connection()

        def snapshot() -> tuple:
            counts = "SELECT id, num_events, num_claims FROM articles ORDER BY ALL"
            places = "SELECT id, place_date, place_precision FROM events ORDER BY ALL"
            return (
                con.execute(counts).fetchall(),
                con.execute(places).fetchall(),
                kept_entities(con),
            )

        before = snapshot()
        assert any(place for _, place, _ in before[1]) and any(n for _, n, _ in before[0])
        readcounts.refresh(con, [r[0] for r in con.execute("SELECT id FROM articles").fetchall()])
        assert snapshot() == before


def test_migration_fills_a_store_made_before_it(tmp_path, monkeypatch):
    db = tmp_path / "old.duckdb"
    latest = migrate.available_migrations
    monkeypatch.setattr(
        migrate, "available_migrations", lambda: [m for m in latest() if m.version < 6]
    )
    monkeypatch.setattr(readcounts, "refresh", lambda *a, **k: None)
    monkeypatch.setattr(readcounts, "fill_rows", lambda tables: [])  # no 006 columns yet
    monkeypatch.setattr(readcounts, "refresh_entities", lambda *a, **k: None)
    monkeypatch.setattr(daycounts, "days_of", lambda *a, **k: daycounts.Days())  # no 012 yet

    def plain_write(store, fn, *args):  # as stores wrote before migration 008
        store.connection().execute("BEGIN TRANSACTION")
        result = fn(*args)
        store.connection().execute("COMMIT")
        return result

    monkeypatch.setattr(DuckDBStore, "_write", plain_write)
    with open_store(db) as store:
        store.save_batch(SAMPLE)
        assert (
            not store.connection()
            .execute(
                "SELECT count(*) FROM information_schema.columns WHERE column_name = 'num_events'"
            )
            .fetchone()[0]
        )
    monkeypatch.undo()
    with open_store(db) as store:
        con = store.connection()
        check_counts(con)
        assert placements(con)[("b", 0)] == (date(2024, 2, 1), "month")
        assert placements(con)[("c", 1)] == (None, None)


@pytest.mark.parametrize("entity", ["kb-orlov", "Tavria"])
def test_entity_list_reads_the_kept_table(tmp_path, entity):
    from veille.store.duckdb import queries
    from veille.store.duckdb.queries import Filters

    with open_store(tmp_path / "v.duckdb") as store:
        store.save_batch(SAMPLE)
        con = store.connection()
        page = queries.list_entities(con, Filters(), 10, 0)
        by_key = {item["key"]: item for item in page["items"]}
        assert page["total"] == 2
        assert by_key[entity]["articles"] == 2
        # a filter on mentions (a date range) still counts the matching mentions
        ranged = queries.list_entities(con, Filters(date_from=date(2024, 3, 1)), 10, 0)
        assert {i["key"]: i["articles"] for i in ranged["items"]} == {"kb-orlov": 1, "Tavria": 1}


def test_entity_counts_deferred_to_the_end_of_a_run(tmp_path):
    with open_store(tmp_path / "v.duckdb") as store:
        con = store.connection()
        with store.deferred_entity_stats():
            store.save_batch(SAMPLE[:2])
            store.save_batch(SAMPLE[2:])
            # the write still sets its rows' own counts; the entity rows wait
            assert con.execute("SELECT count(*) FROM entity_stats").fetchone()[0] == 0
            assert dict(con.execute("SELECT title, num_events FROM articles").fetchall())["a"]
        check_counts(con)
        assert ("kb-orlov", "Orlov", "PER", 2, 2) in kept_entities(con)


def test_a_run_after_a_killed_one_recounts_the_deferred_entities(tmp_path):
    from datetime import UTC, datetime

    from veille.pipeline import run_on_store
    from veille.settings import load_settings

    settings = load_settings(overrides={"db_path": tmp_path / "v.duckdb"}, env={})
    with open_store(settings.db_path) as store:
        store.start_run(datetime.now(UTC))  # never finished: killed
        store._deferred_keys = set()  # killed inside deferred_entity_stats, before its end
        store.save_batch(SAMPLE)
        store._deferred_keys = None
        con = store.connection()
        assert kept_entities(con) != expected_entities(con)
        run_on_store(store, settings, [], stages=[])
        check_counts(con)
        assert store.unfinished_runs() == 0
