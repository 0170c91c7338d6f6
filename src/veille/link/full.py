"""The full link path in bounded memory: every duplicate group, incident and merged aid,
computed from the stored link tables one block at a time.

``link_records`` computes the same results from every article record held at once, which
at 50,000 articles takes about 2 GB. Here nothing holds every record: incidents are
clustered by (type, area) block and merged aid by donor, exactly the blocks
``cluster_mentions`` and ``cluster_aid`` split their input into (a block's result never
depends on another block), each block read from ``link_events`` / ``link_aid`` when its
turn comes; what a block compares about its articles (outlet, publication and ingestion
dates) is one small record per article, and duplicates read only signatures. Results are
written a few thousand at a time; results no block produced any more are removed at the
end, so readers never see an empty table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import numpy as np

from veille.link import state
from veille.link.aid import build_merged, cluster_aid
from veille.link.dedup import DedupRecord, group_duplicates
from veille.link.incidents import SourceIndex, build_incident, cluster_mentions
from veille.link.records import AidRecord, ArticleRecord, EventRecord
from veille.model import DuplicateGroup

# results written per store transaction: bounded memory, few transactions
SAVE_EVERY = 2000


def dedup_records(conn, config_key: str) -> list[DedupRecord]:
    """What duplicate grouping compares of every linked article, sorted by id."""
    return [
        DedupRecord(
            article_id,
            content_hash,
            np.frombuffer(bytes(signature), dtype=state.SIGNATURE_DTYPE).astype(np.uint64),
            outlet,
            url,
        )
        for article_id, signature, content_hash, outlet, url in conn.execute(
            "SELECT article_id, signature, content_hash, record->>'$.outlet', "
            "record->>'$.url' FROM link_articles WHERE signature_config = ? ORDER BY article_id",
            [config_key],
        ).fetchall()
    ]


def source_records(conn, config_key: str) -> dict[str, ArticleRecord]:
    """Every linked article with only what incidents and merged aid read of it: outlet,
    publication and ingestion dates."""
    empty = np.zeros(0, dtype=np.uint64)
    out = {}
    for article_id, outlet, published, ingested in conn.execute(
        "SELECT article_id, record->>'$.outlet', record->'$.published', "
        "record->>'$.ingested_at' FROM link_articles WHERE signature_config = ?",
        [config_key],
    ).fetchall():
        raw = {
            "article_id": article_id,
            "content_hash": "",
            "outlet": outlet,
            "published": json.loads(published) if published else None,
            "ingested_at": ingested,
        }
        out[article_id] = ArticleRecord.from_json(raw, empty)
    return out


def _blocks(conn, table: str, columns: str) -> list[tuple]:
    return conn.execute(f"SELECT DISTINCT {columns} FROM {table}").fetchall()


def event_blocks(conn) -> Iterator[list[EventRecord]]:
    """The stored mentions, one (type, area) block at a time."""
    for type_, area in _blocks(conn, "link_events", "type, area"):
        rows = conn.execute(
            "SELECT record FROM link_events WHERE type = ? AND area IS NOT DISTINCT FROM ?",
            [type_, area],
        ).fetchall()
        yield [EventRecord.from_json(json.loads(r[0])) for r in rows]


def aid_blocks(conn) -> Iterator[list[AidRecord]]:
    """The stored commitments, one donor at a time."""
    for (donor,) in _blocks(conn, "link_aid", "donor"):
        rows = conn.execute(
            "SELECT record FROM link_aid WHERE donor IS NOT DISTINCT FROM ?", [donor]
        ).fetchall()
        yield [AidRecord.from_json(json.loads(r[0])) for r in rows]


class _Writer:
    """Writes results a few thousand at a time and, at the end, removes the stored ones
    that were not written again."""

    def __init__(self, conn, table: str, save) -> None:
        self._before = {r[0] for r in conn.execute(f"SELECT id FROM {table}").fetchall()}
        self._save = save
        self._written: set[str] = set()
        self._pending: list = []

    def add(self, items) -> None:
        self._pending.extend(items)
        if len(self._pending) >= SAVE_EVERY:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._save(self._pending, replace_all=False)
            self._written.update(item.id for item in self._pending)
            self._pending = []

    def close(self) -> None:
        self._flush()
        stale = sorted(self._before - self._written)
        if stale:
            self._save([], replace_all=False, remove=stale)


def rebuild(store, conn, config) -> list[DuplicateGroup]:
    """Recompute every duplicate group, incident and merged aid from the stored link
    tables (which must hold exactly the linked articles, with blocking rows made under
    ``config``) and write them; returns the duplicate groups."""
    key = config.signature_key
    groups = group_duplicates(dedup_records(conn, key), config.dedup)
    store.save_duplicate_groups(groups)
    articles = source_records(conn, key)
    sources = SourceIndex(articles, groups)
    incidents = _Writer(conn, "incidents", store.save_incidents)
    for block in event_blocks(conn):
        clusters = cluster_mentions(block, config.incidents)
        incidents.add(build_incident(c, articles, sources) for c in clusters)
    incidents.close()
    merged = _Writer(conn, "merged_aid", store.save_merged_aid)
    for block in aid_blocks(conn):
        merged.add(build_merged(c, articles) for c in cluster_aid(block, articles, config.aid))
    merged.close()
    return groups
