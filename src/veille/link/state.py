"""Persistence of link records in the store's ``link_articles`` table (migration 002)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np

from veille.errors import StoreError
from veille.link.records import ArticleRecord

SIGNATURE_DTYPE = np.dtype("<u8")


def linked_ids(conn, config_key: str) -> set[str]:
    """Articles whose record is stored with signatures made under ``config_key``."""
    rows = conn.execute(
        "SELECT article_id FROM link_articles WHERE signature_config = ?", [config_key]
    ).fetchall()
    return {r[0] for r in rows}


def save_records(conn, records: Sequence[ArticleRecord], config_key: str, *, path: str) -> None:
    if not records:
        return
    rows = [
        (
            r.article_id,
            np.asarray(r.signature, dtype=SIGNATURE_DTYPE).tobytes(),
            config_key,
            json.dumps(r.to_json(), ensure_ascii=False),
        )
        for r in records
    ]
    conn.execute("BEGIN TRANSACTION")
    try:
        conn.execute(
            "DELETE FROM link_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [[r[0] for r in rows]],
        )
        conn.executemany(
            "INSERT INTO link_articles (article_id, signature, signature_config, record) "
            "VALUES (?, ?, ?, ?)",
            rows,
        )
        conn.execute("COMMIT")
    except Exception as exc:
        conn.execute("ROLLBACK")
        raise StoreError(f"cannot save link records: {exc}", path=path) from exc


def delete_records(conn, article_ids: Iterable[str]) -> None:
    ids = list(article_ids)
    if ids:
        conn.execute(
            "DELETE FROM link_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        )


def load_records(conn, config_key: str) -> list[ArticleRecord]:
    """Every stored record made under ``config_key``, sorted by article id."""
    out = []
    for article_id, signature, record in conn.execute(
        "SELECT article_id, signature, record FROM link_articles "
        "WHERE signature_config = ? ORDER BY article_id",
        [config_key],
    ).fetchall():
        raw = json.loads(record) if isinstance(record, str) else record
        sig = np.frombuffer(bytes(signature), dtype=SIGNATURE_DTYPE).astype(np.uint64)
        if raw.get("article_id") != article_id:
            raise StoreError(f"link record of {article_id} names another article", path=None)
        out.append(ArticleRecord.from_json(raw, sig))
    return out
