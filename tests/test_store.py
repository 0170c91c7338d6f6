"""The DuckDB store: migrations, exact round-trips, idempotent batches, cross-article tables."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest

from veille.errors import StoreError
from veille.model import (
    Actor,
    AidCommitment,
    AidItem,
    AidStatus,
    AidStatusChange,
    Analysis,
    Article,
    Claim,
    DuplicateGroup,
    EntityMention,
    EntityType,
    Event,
    EventQuantity,
    FuzzyDate,
    Incident,
    MergedAid,
    Modality,
    Place,
    Precision,
    Qualifier,
    Quantity,
    Span,
    Story,
    TimeExpression,
    Verification,
    stable_id,
)
from veille.store import open_store
from veille.store.duckdb.migrate import available_migrations

TEXT = "La Russie a abattu 31 drones ukrainiens. Washington promet 50 milliards de dollars."


def full_analysis(source: str = "/tmp/a.txt", raw: str = "raw") -> Analysis:
    """An analysis with every annotation type and every optional field set."""
    article_id = stable_id(source, raw)
    sent1 = Span(0, 40, TEXT[0:40])
    sent2 = Span(41, len(TEXT), TEXT[41:])
    article = Article(
        id=article_id,
        source=source,
        text=TEXT,
        title="Titre",
        url="https://example.org/a",
        outlet="example.org",
        language="fr",
        published=FuzzyDate(date(2023, 10, 1), Precision.MONTH),
        ingested_at=datetime(2024, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
        content_hash=stable_id(TEXT),
        raw_hash=stable_id(raw),
        input_format="txt",
        dropped_lines=("Click to comment", "Les + Lus"),
        flags=("demo",),
    )
    russia = Actor("La Russie", "Russia", "RUS", "GOV", "Q159")
    return Analysis(
        article=article,
        entities=[
            EntityMention(
                0,
                9,
                "La Russie",
                EntityType.LOC,
                "Russia",
                "Q159",
                "RUS",
                "GOV",
                None,
                "Q159",
                "kb",
                55.75,
                37.61,
            ),
            EntityMention(41, 51, "Washington", EntityType.LOC, "Washington"),
        ],
        quantities=[
            Quantity(19, 27, "31 drones", Decimal("31"), "drone", "count"),
            Quantity(
                59,
                83,
                "50 milliards de dollars",
                Decimal("5E+10"),
                "USD",
                "money",
                Qualifier.APPROX,
                Decimal("50000000000.123456"),
                2023,
            ),
        ],
        times=[
            TimeExpression(0, 5, "hier", FuzzyDate(date(2023, 10, 3), Precision.DAY)),
            TimeExpression(
                6, 9, "depuis", FuzzyDate(date(2023, 1, 1), Precision.YEAR), FuzzyDate.unknown()
            ),
        ],
        events=[
            Event(
                id=stable_id(article_id, "e1"),
                article_id=article_id,
                type="ASSAULT",
                sentence=sent1,
                trigger=Span(12, 18, "abattu"),
                mode="drone",
                modality=Modality.HISTORICAL,
                actor=russia,
                target=Actor("ukrainiens", "Ukraine", "UKR"),
                location=Place("Crimée", "UKR", "Q7835", 45.0, 34.0),
                location_country="UKR",
                date=FuzzyDate(date(2023, 10, 4), Precision.DAY),
                quantities=(EventQuantity(Decimal("31"), "drone", "intercepted", Qualifier.MIN),),
                claimed_by="RUS",
                verification=Verification.UNVERIFIED,
                confidence=0.75,
                stage="events@1",
            ),
            Event(
                id=stable_id(article_id, "e2"),
                article_id=article_id,
                type="AGREE",
                sentence=sent2,
                trigger=Span(52, 58, "promet"),
            ),
        ],
        aid=[
            AidCommitment(
                id=stable_id(article_id, "a1"),
                article_id=article_id,
                evidence=(sent2, sent1),
                donor="USA",
                recipient="UKR",
                kind="military",
                mechanism="purchase",
                value=Decimal("50000000000"),
                currency="USD",
                usd_value=Decimal("50000000000.5"),
                qualifier=Qualifier.EXACT,
                status=AidStatus.PROMISED,
                items=(AidItem("Patriot", Decimal("10"), Qualifier.MIN, "Q1"), AidItem("drone")),
                announced=FuzzyDate(date(2023, 10, 1), Precision.MONTH),
                confidence=0.9,
                stage="aid@1",
            )
        ],
        claims=[
            Claim(
                id=stable_id(article_id, "c1"),
                article_id=article_id,
                sentence=sent1,
                content=Span(12, 39, TEXT[12:39]),
                cue="déclarer",
                speaker=russia,
                anonymous=False,
                verification=Verification.UNVERIFIED,
                verification_evidence=Span(0, 5, TEXT[0:5]),
                confidence=0.6,
                stage="claims@1",
            ),
            Claim(
                id=stable_id(article_id, "c2"),
                article_id=article_id,
                sentence=sent2,
                content=sent2,
                cue="selon",
                anonymous=True,
            ),
        ],
    )


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "t.duckdb")
    yield s
    s.close()


def test_migrations_are_recorded_and_not_reapplied(tmp_path):
    path = tmp_path / "m.duckdb"
    open_store(path).close()
    open_store(path).close()  # second open must not re-run 001
    conn = duckdb.connect(str(path), read_only=True)
    versions = [
        r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1").fetchall()
    ]
    conn.close()
    assert versions == [m.version for m in available_migrations()]
    assert versions[0] == 1


def test_every_annotation_round_trips_exactly(store):
    analysis = full_analysis()
    assert store.save_batch([analysis]) == 1
    back = store.get_analysis(analysis.article.id)
    assert back is not None
    assert back.article == analysis.article
    for attr in ("entities", "quantities", "times", "events", "aid", "claims"):
        assert getattr(back, attr) == getattr(analysis, attr), attr
    # Decimal keeps its exact digits, not only its value
    assert str(back.quantities[1].value) == "5E+10"
    assert str(back.quantities[1].usd_value) == "50000000000.123456"


def test_money_columns_are_decimal_not_float(store):
    store.save_batch([full_analysis()])
    kinds = dict(
        store.connection()
        .execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'aid_commitments'"
        )
        .fetchall()
    )
    assert kinds["usd_value"] == "DECIMAL(38,4)"
    value = store.connection().execute("SELECT usd_value FROM aid_commitments").fetchone()[0]
    assert value == Decimal("50000000000.5000")


def test_save_batch_is_idempotent_and_versions_per_source(store):
    first = full_analysis(raw="v1")
    assert store.save_batch([first, first]) == 1
    assert store.save_batch([first]) == 0
    second = full_analysis(raw="v2")  # same source, changed bytes: a new version
    assert store.save_batch([second]) == 1
    versions = (
        store.connection()
        .execute("SELECT version FROM articles WHERE source = ? ORDER BY version", ["/tmp/a.txt"])
        .fetchall()
    )
    assert [v[0] for v in versions] == [2]  # the new version supersedes the first
    history = store.article_versions(source="/tmp/a.txt")
    assert [(h["version"], h["current"]) for h in history] == [(1, False), (2, True)]
    assert store.stats()["entities"] == 2  # counted once, not once per version


def test_failed_batch_rolls_back_everything(store, monkeypatch):
    good = full_analysis(source="/tmp/good.txt")
    bad = full_analysis(source="/tmp/bad.txt")
    # text=None breaks a NOT NULL column: fails inside DuckDB after the articles were inserted
    bad.entities.append(EntityMention(0, 1, None, EntityType.PER, "x"))
    with pytest.raises(StoreError):
        store.save_batch([good, bad])
    assert store.article_ids() == []
    assert store.stats()["entities"] == 0


def test_iter_list_and_resolve(store):
    analyses = [full_analysis(source=f"/tmp/{i}.txt") for i in range(5)]
    store.save_batch(analyses)
    got = list(store.iter_analyses())
    assert {a.article.id for a in got} == {a.article.id for a in analyses}
    wanted = [analyses[3].article.id, analyses[1].article.id]
    assert [a.article.id for a in store.iter_analyses(wanted)] == wanted
    items, total = store.list_articles(limit=2, offset=0)
    assert total == 5 and len(items) == 2
    assert items[0]["entities"] == 2 and items[0]["events"] == 2
    assert items[0]["published"] == "2023-10"
    assert store.list_articles(language="en")[1] == 0
    prefix = analyses[0].article.id[:10]
    assert store.resolve_article_id(prefix) == [analyses[0].article.id]
    assert store.get_analysis("nope") is None


def test_cross_article_tables_replace_and_round_trip(store):
    analysis = full_analysis()
    store.save_batch([analysis])
    aid_ = analysis.article.id
    event = analysis.events[0]
    incident = Incident(
        id="i1",
        type="ASSAULT",
        event_ids=(event.id, "e-other"),
        article_ids=(aid_, "other"),
        mode="drone",
        actor="RUS",
        target="UKR",
        location=Place("Crimée", "UKR"),
        location_country="UKR",
        date=FuzzyDate(date(2023, 10, 4), Precision.DAY),
        num_mentions=2,
        num_articles=2,
        num_sources=1,
        first_seen=datetime(2023, 10, 4, tzinfo=UTC),
        last_seen=datetime(2023, 10, 5, tzinfo=UTC),
        claimants=("RUS",),
        verification="unverified",
    )
    assert store.save_incidents([incident]) == 1
    assert store.save_incidents([incident]) == 1  # idempotent
    assert store.get_incident("i1") == incident
    assert store.list_incidents() == [incident]
    assert [e.id for e in store.get_events(incident.event_ids)] == [event.id]

    group = DuplicateGroup("g1", "near", (aid_, "b"), ("x.org",), ("https://x.org/1",), 0.85)
    merged = MergedAid(
        id="m1",
        commitment_ids=(analysis.aid[0].id,),
        donor="USA",
        recipient="UKR",
        value=Decimal("1.5E+9"),
        currency="USD",
        usd_value=Decimal("1500000000"),
        status=AidStatus.DELIVERED,
        history=(
            AidStatusChange(
                AidStatus.PROMISED,
                FuzzyDate(date(2023, 1, 1), Precision.MONTH),
                aid_,
                analysis.aid[0].id,
                Span(0, 5, "La Ru"),
            ),
        ),
    )
    story = Story("s1", "Patriot", (aid_,), ("Patriot",), date(2023, 1, 1), date(2023, 2, 1))
    store.save_duplicate_groups([group])
    store.save_merged_aid([merged])
    store.save_stories([story])
    assert store.list_duplicate_groups() == [group]
    assert store.list_merged_aid() == [merged]
    assert store.list_stories() == [story]

    # replace_all (default): the list given is the new state
    store.save_stories([Story("s2", "Drones", (aid_,))])
    assert [s.id for s in store.list_stories()] == ["s2"]
    # replace_all=False: upsert only what is given
    store.save_stories([story], replace_all=False)
    assert {s.id for s in store.list_stories()} == {"s1", "s2"}
    stats = store.stats()
    assert (stats["incidents"], stats["stories"], stats["merged_aid"]) == (1, 2, 1)

    # a new state rewrites only the rows that changed (rowids of the others stay)
    def rowids(table: str) -> dict[str, int]:
        rows = store.connection().execute(f"SELECT id, rowid FROM {table}").fetchall()
        return dict(rows)

    other = dataclasses.replace(incident, id="i2", event_ids=("e-third",), verification=None)
    store.save_incidents([incident, other])
    before = rowids("incidents")
    changed = dataclasses.replace(other, verification="confirmed")
    store.save_incidents([incident, changed])
    after = rowids("incidents")
    assert after["i1"] == before["i1"] and after["i2"] != before["i2"]
    assert store.get_incident("i1") == incident and store.get_incident("i2") == changed
    store.save_incidents([changed])
    assert [i.id for i in store.list_incidents()] == ["i2"]
    assert store.get_incident("i2") == changed  # its members were kept


def test_read_only_store_errors_clearly(tmp_path):
    with pytest.raises(StoreError, match=r"V401 .*missing.duckdb: no database"):
        open_store(tmp_path / "missing.duckdb", read_only=True)
    path = tmp_path / "r.duckdb"
    with open_store(path) as writer:
        writer.save_batch([full_analysis()])
    reader = open_store(path, read_only=True)
    assert len(reader.article_ids()) == 1
    with pytest.raises(StoreError, match="read-only"):
        reader.save_batch([full_analysis(raw="other")])
    reader.close()


def test_unfinished_runs_are_counted_until_a_run_finishes(store):
    store.start_run(datetime.now(UTC))  # a run that was killed
    assert store.unfinished_runs() == 1
    run_id = store.start_run(datetime.now(UTC))
    store.finish_run(run_id, {"read": 1})
    assert store.unfinished_runs() == 0
    assert store.stats()["runs"] == 1


def test_record_run_shows_in_stats(store):
    store.record_run(datetime.now(UTC), {"read": 3, "stored": 2, "failed": 1})
    last = store.stats()["last_run"]
    assert (last["read"], last["stored"], last["failed"]) == (3, 2, 1)


def test_memory_limit_caps_duckdb_and_a_bad_one_is_a_clear_error(tmp_path):
    from veille.errors import StoreError

    with open_store(tmp_path / "m.duckdb", memory_limit="256MB") as store:
        limit = store.connection().execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert limit.replace(" ", "") in ("244.1MiB", "256.0MB", "256MB")
    with pytest.raises(StoreError, match="cannot open the database"):
        open_store(tmp_path / "m.duckdb", memory_limit="plenty")
