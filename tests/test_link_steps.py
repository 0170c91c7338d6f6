"""What an incremental run of the link steps (duplicates, incidents, merged aid) skips
or hands on, beyond giving the tables of a rebuild (tests/test_link_blocks.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from test_link_blocks import dump, make_articles, rebuilt
from veille.link import LinkConfig, incremental, state, update_links
from veille.settings import Settings
from veille.store import open_store


def test_new_articles_are_stored_without_deleting_link_rows(monkeypatch):
    """A later run's new articles have no link rows yet: storing theirs runs no delete
    over the blocking tables (a pass over each of them on a large store)."""
    analyses = make_articles(4, n=40)
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch(analyses[:25])
    update_links(store, settings)
    deleted: list[list[str]] = []
    original = state._delete
    monkeypatch.setattr(
        state, "_delete", lambda conn, ids: deleted.append(list(ids)) or original(conn, ids)
    )
    store.save_batch(analyses[25:])
    assert update_links(store, settings)["linked_new"] == 15
    assert deleted == []
    assert dump(store) == rebuilt(analyses, settings)
    store.close()


class _FailingOn:
    """A connection whose statements starting with ``prefix`` fail."""

    def __init__(self, conn, prefix: str) -> None:
        self._conn, self._prefix = conn, prefix

    def execute(self, sql: str, *args):
        if sql.startswith(self._prefix):
            raise RuntimeError("disk full")
        return self._conn.execute(sql, *args)


def test_a_record_leaves_with_all_its_link_rows_or_none():
    """Deleting an article's link rows stops half-way: none is deleted, so no blocking
    row is left without its record (a later run stores new articles without deleting)."""
    analyses = make_articles(5, n=10)
    store = open_store(":memory:")
    store.save_batch(analyses)
    update_links(store, Settings())
    conn = store.connection()
    article_id = next(a.article.id for a in analyses if a.events)

    def counts() -> list[int]:
        return [
            conn.execute(f"SELECT count(*) FROM {t} WHERE article_id = ?", [article_id]).fetchone()[
                0
            ]
            for t in ("link_articles", *state.BLOCK_TABLES)
        ]

    before = counts()
    assert before[0] == 1 and before[2] > 0  # its record and its mentions
    with pytest.raises(RuntimeError):
        state.delete_records(_FailingOn(conn, "DELETE FROM link_aid"), [article_id])
    assert counts() == before
    state.delete_records(conn, [article_id])
    assert counts() == [0] * len(before)
    store.close()


def _ties(conn, event_ids: set[str]) -> set[frozenset[str]]:
    """Article sets (two or more) of the stored incidents holding any of these mentions."""
    members: dict[str, set[str]] = {}
    for incident_id, article_id in conn.execute(
        "SELECT incident_id, article_id FROM incident_articles WHERE incident_id IN "
        "(SELECT incident_id FROM incident_events WHERE event_id IN (SELECT unnest(?::VARCHAR[])))",
        [sorted(event_ids)],
    ).fetchall():
        members.setdefault(incident_id, set()).add(article_id)
    return {frozenset(m) for m in members.values() if len(m) > 1}


@pytest.mark.parametrize("seed", [1, 3])
def test_reclustering_incidents_hands_the_stories_their_ties(seed, monkeypatch):
    """The incidents step returns the article sets of the incidents it replaced and of
    those replacing them, as the tables hold them before and after: the stories step
    learns which ties it lost and gained without reading the incidents again."""
    analyses = make_articles(seed, n=70)
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch(analyses[:40])
    update_links(store, settings)
    seen: list[tuple] = []
    original = incremental.update_incidents

    def spy(store_, conn, config, scope, gone_events, *rest):
        before = _ties(conn, scope | gone_events)
        got = original(store_, conn, config, scope, gone_events, *rest)
        seen.append(((set(got[0]), set(got[1])), (before, _ties(conn, scope - gone_events))))
        return got

    monkeypatch.setattr(incremental, "update_incidents", spy)
    store.save_batch(analyses[40:])
    update_links(store, settings)
    ((got, expected),) = seen
    assert got == expected
    assert expected[0] and expected[1]  # some ties were lost and gained
    assert len(got[0]) == len(list(got[0])) and len(got[1]) == len(list(got[1]))
    assert dump(store) == rebuilt(analyses, settings)
    store.close()


def test_migration_gives_old_link_records_their_date_and_place_columns(tmp_path, monkeypatch):
    """A store linked before migration 013 keeps its link records: the migration copies
    each record's outlet, url, publication date and ingestion time into the columns that
    runs read (dated_records, places), with what the whole record says."""
    from veille.store.duckdb import migrate

    analyses = make_articles(6, n=20)
    analyses[0] = replace(analyses[0], article=replace(analyses[0].article, outlet=None))
    ingested = datetime(2024, 5, 2, 8, 30, tzinfo=UTC)
    analyses[1] = replace(analyses[1], article=replace(analyses[1].article, ingested_at=ingested))
    made = open_store(":memory:")
    made.save_batch(analyses)
    update_links(made, Settings())
    rows = (
        made.connection()
        .execute("SELECT article_id, signature, signature_config, record FROM link_articles")
        .fetchall()
    )
    made.close()
    db = tmp_path / "old.duckdb"
    latest = migrate.available_migrations
    monkeypatch.setattr(
        migrate, "available_migrations", lambda: [m for m in latest() if m.version < 13]
    )
    with open_store(db) as store:
        store.connection().executemany(
            "INSERT INTO link_articles (article_id, signature, signature_config, record) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
    monkeypatch.undo()
    with open_store(db) as store:
        conn = store.connection()
        ids = [r[0] for r in rows]
        whole = state.records_of(conn, ids)
        dated = state.dated_records(conn, ids)
        assert {a: (r.published, r.ingested_at, r.outlet, r.seen) for a, r in dated.items()} == {
            a: (r.published, r.ingested_at, r.outlet, r.seen) for a, r in whole.items()
        }
        assert state.places(conn, ids) == {a: (r.outlet, r.url) for a, r in whole.items()}
        assert any(r.outlet is None for r in whole.values())
        assert any(r.published.value is None for r in whole.values())
        assert dated[analyses[1].article.id].ingested_at == ingested


def test_new_mentions_start_the_closure_from_their_rows_as_stored():
    """The closure's first front is built from the new records, not read back: it must
    be exactly their link_events rows (intervals, places, classes, precision)."""
    analyses = make_articles(7, n=40)
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch(analyses)
    update_links(store, settings)
    conn = store.connection()
    columns = [c.strip() for c in incremental.EVENT_COLUMNS.split(",")]
    records = list(state.records_of(conn, [a.article.id for a in analyses]).values())
    config = LinkConfig.from_settings(settings)
    built = state.event_rows(records, config, columns)
    stored = conn.sql(f"SELECT {incremental.EVENT_COLUMNS} FROM link_events").to_arrow_table()
    key = [(c, "ascending") for c in columns]
    assert built.num_rows == stored.num_rows > 20
    assert built.sort_by(key).to_pylist() == stored.sort_by(key).to_pylist()
    assert any(r["lo"] is None for r in built.to_pylist())  # undated mentions too
    store.close()


def test_new_and_gone_ids_come_from_one_read():
    analyses = make_articles(8, n=12)
    store = open_store(":memory:")
    store.save_batch(analyses[:8])
    update_links(store, Settings())
    store.save_batch(analyses[8:])
    conn = store.connection()
    key = LinkConfig().signature_key
    gone = analyses[0].article.id
    conn.execute("DELETE FROM articles WHERE id = ?", [gone])
    assert state.changed_ids(conn, key) == (sorted(a.article.id for a in analyses[8:]), [gone])
    store.close()
