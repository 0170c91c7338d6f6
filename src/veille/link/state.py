"""Persistence of link records: ``link_articles`` (migration 002) and the blocking tables
``link_bands``, ``link_events``, ``link_aid`` and ``link_meta`` (migration 007).

``link_articles`` keeps each article's whole record (JSON) and MinHash signature; the
blocking tables keep, per article, what incremental linking searches on in SQL: its LSH
band keys, its event mentions (type, area, the days they may be about, place) and its aid
commitments (donor, day), each with the JSON of the mention or commitment, so a run parses
only the few records it has to compare.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from veille.errors import StoreError
from veille.link.aid import _start, _when
from veille.link.dedup import band_keys, band_params, lsh_eligible
from veille.link.incidents import _modality_class, mention_interval
from veille.link.records import AidRecord, ArticleRecord, EventRecord
from veille.link.stories import StoryInputs, StoryMember, member_order, story_features
from veille.model import Precision

SIGNATURE_DTYPE = np.dtype("<u8")
BLOCK_TABLES = ("link_bands", "link_events", "link_aid", "link_features", "link_story_articles")
# what stories keep between runs (rebuilt with them, not with the blocking rows)
STORY_TABLES = ("story_pairs", "story_weights", "story_entities")


def rows(conn, sql: str, *params) -> list[tuple]:
    """The rows of one query over the link tables."""
    return conn.execute(sql, list(params)).fetchall()


@contextmanager
def registered(conn, name: str, table: pa.Table) -> Iterator[None]:
    """``table`` (Arrow, in memory) readable as ``name`` by the queries run inside."""
    conn.register(name, table)
    try:
        yield
    finally:
        conn.unregister(name)


def column(conn, sql: str, *params) -> set[str]:
    """The first column of a query's rows, as a set."""
    return {r[0] for r in rows(conn, sql, *params)}


def duplicate_groups_of(conn, article_ids: Iterable[str]) -> list[SimpleNamespace]:
    """The stored duplicate groups holding any of these articles (ids of every member)."""
    members: dict[str, list[str]] = {}
    for group_id, article_id in rows(
        conn,
        "SELECT group_id, article_id FROM duplicate_group_articles WHERE group_id IN "
        "(SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY group_id, idx",
        sorted(set(article_ids)),
    ):
        members.setdefault(group_id, []).append(article_id)
    return [SimpleNamespace(article_ids=tuple(ids)) for ids in members.values()]


def duplicate_groups_with_days(
    conn, article_ids: Iterable[str]
) -> tuple[list[SimpleNamespace], dict[str, int]]:
    """``duplicate_groups_of`` these articles, and the stored day (``day_ordinal``) of
    every member, in one read."""
    members: dict[str, list[str]] = {}
    days: dict[str, int] = {}
    for group_id, article_id, day in rows(
        conn,
        "SELECT g.group_id, g.article_id, s.day_ordinal FROM duplicate_group_articles g "
        "LEFT JOIN link_story_articles s USING (article_id) WHERE g.group_id IN "
        "(SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY g.group_id, g.idx",
        sorted(set(article_ids)),
    ):
        members.setdefault(group_id, []).append(article_id)
        if day is not None:
            days[article_id] = day
    return [SimpleNamespace(article_ids=tuple(ids)) for ids in members.values()], days


def linked_ids(conn, config_key: str) -> set[str]:
    """Articles whose record is stored with signatures made under ``config_key``."""
    rows = conn.execute(
        "SELECT article_id FROM link_articles WHERE signature_config = ?", [config_key]
    ).fetchall()
    return {r[0] for r in rows}


def changed_ids(conn, config_key: str) -> tuple[list[str], list[str]]:
    """Stored articles without a record made under ``config_key`` (new to linking), and
    articles linked under it that the store no longer holds (gone), each sorted: one
    join of the two id columns."""
    new, gone = [], []
    for stored, linked in conn.execute(
        "SELECT a.id, l.article_id FROM articles a FULL JOIN "
        "(SELECT article_id FROM link_articles WHERE signature_config = ?) l "
        "ON l.article_id = a.id WHERE a.id IS NULL OR l.article_id IS NULL",
        [config_key],
    ).fetchall():
        if linked is None:
            new.append(stored)
        else:
            gone.append(linked)
    return sorted(new), sorted(gone)


def count_linked(conn, config_key: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM link_articles WHERE signature_config = ?", [config_key]
    ).fetchone()[0]


def _ids_param(ids: Iterable[str]) -> list[list[str]]:
    return [list(ids)]


def _insert_arrow(conn, table: str, columns: dict[str, list], schema: pa.Schema) -> None:
    if not columns or not len(next(iter(columns.values()))):
        return
    rows = pa.Table.from_pydict(columns, schema=schema)  # noqa: F841 - DuckDB replacement scan
    conn.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")


_ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("signature", pa.binary()),
        ("signature_config", pa.string()),
        ("record", pa.string()),
        ("content_hash", pa.string()),
        ("outlet", pa.string()),
        ("url", pa.string()),
        ("published", pa.string()),
        ("ingested_at", pa.string()),
    ]
)
_BANDS = pa.schema([("article_id", pa.string()), ("band", pa.int16()), ("key", pa.uint64())])
_EVENTS = pa.schema(
    [
        ("event_id", pa.string()),
        ("article_id", pa.string()),
        ("type", pa.string()),
        ("area", pa.string()),
        ("lo", pa.date32()),
        ("hi", pa.date32()),
        ("place_key", pa.string()),
        ("record", pa.string()),
        ("modality_class", pa.string()),
        ("actor", pa.string()),
        ("target", pa.string()),
        ("day_precise", pa.bool_()),
    ]
)
_FEATURES = pa.schema(
    [
        ("article_id", pa.string()),
        ("idx", pa.int32()),
        ("feature", pa.string()),
        ("raw", pa.float64()),
        ("day_ordinal", pa.int32()),
        ("name", pa.string()),
        ("count", pa.int32()),
    ]
)
_STORY_ARTICLES = pa.schema(
    [("article_id", pa.string()), ("day_ordinal", pa.int32()), ("published", pa.date32())]
)
_AID = pa.schema(
    [
        ("commitment_id", pa.string()),
        ("article_id", pa.string()),
        ("donor", pa.string()),
        ("day", pa.date32()),
        ("record", pa.string()),
        ("recipient", pa.string()),
        ("kind", pa.string()),
        ("mechanism", pa.string()),
        ("value", pa.float64()),
        ("currency", pa.string()),
        ("usd_value", pa.float64()),
        ("counted", pa.list_(pa.string())),
    ]
)


def band_rows(records: Sequence[ArticleRecord], config) -> pa.Table:
    """The ``link_bands`` rows of ``records``: what they are stored with, and what a run
    looks the new articles' band partners up with (no read of the table for them)."""
    eligible = [r for r in records if lsh_eligible(r.signature)]
    if not eligible:
        return _BANDS.empty_table()
    bands, rows = band_params(config.dedup)
    keys = band_keys(np.stack([r.signature for r in eligible]), bands, rows)
    return pa.Table.from_pydict(
        {
            "article_id": [r.article_id for r in eligible for _ in range(bands)],
            "band": list(range(bands)) * len(eligible),
            "key": keys.reshape(-1).tolist(),
        },
        schema=_BANDS,
    )


def _event_columns(
    records: Sequence[ArticleRecord], config, *, record: bool = True
) -> dict[str, list]:
    """The ``link_events`` rows of ``records``' mentions, by column (without the mention's
    JSON unless ``record``)."""
    names = [n for n in _EVENTS.names if record or n != "record"]
    events: dict[str, list] = {k: [] for k in names}
    for r in records:
        for e in r.events:
            interval = mention_interval(e, config.incidents)
            events["event_id"].append(e.event_id)
            events["article_id"].append(e.article_id)
            events["type"].append(e.type)
            events["area"].append(e.area)
            events["lo"].append(interval[0] if interval else None)
            events["hi"].append(interval[1] if interval else None)
            events["place_key"].append(e.place_key)
            if record:
                events["record"].append(json.dumps(e.to_json(), ensure_ascii=False))
            events["modality_class"].append(_modality_class(e.modality))
            events["actor"].append(e.actor)
            events["target"].append(e.target)
            when = e.date if e.date.value is not None else e.reported
            events["day_precise"].append(when.precision is Precision.DAY)
    return events


def event_rows(records: Sequence[ArticleRecord], config, columns: Sequence[str]) -> pa.Table:
    """``columns`` of the ``link_events`` rows of ``records``' mentions, as stored: what a
    run starts the closure of its new mentions from, without reading them back."""
    events = _event_columns(records, config, record=False)
    return pa.Table.from_pydict(
        {c: events[c] for c in columns}, schema=pa.schema([_EVENTS.field(c) for c in columns])
    )


def _write_blocks(conn, records: Sequence[ArticleRecord], config) -> None:
    """Blocking rows of ``records`` (config: a ``veille.link.LinkConfig``)."""
    bands = band_rows(records, config)
    if bands.num_rows:
        conn.execute("INSERT INTO link_bands BY NAME SELECT * FROM bands")
    _insert_arrow(conn, "link_events", _event_columns(records, config), _EVENTS)
    aid: dict[str, list] = {k: [] for k in _AID.names}
    for r in records:
        for a in r.aid:
            aid["commitment_id"].append(a.commitment_id)
            aid["article_id"].append(a.article_id)
            aid["donor"].append(a.donor)
            aid["day"].append(_start(_when(a, {r.article_id: r})))
            aid["record"].append(json.dumps(a.to_json(), ensure_ascii=False))
            aid["recipient"].append(a.recipient)
            aid["kind"].append(a.kind)
            aid["mechanism"].append(a.mechanism)
            aid["value"].append(None if a.value is None else float(a.value))
            aid["currency"].append(a.currency)
            aid["usd_value"].append(None if a.usd_value is None else float(a.usd_value))
            aid["counted"].append(sorted(x for x in a.systems if not x.endswith("×?")))
    _insert_arrow(conn, "link_aid", aid, _AID)
    features: dict[str, list] = {k: [] for k in _FEATURES.names}
    days: dict[str, list] = {k: [] for k in _STORY_ARTICLES.names}
    for r in records:
        day = r.day.toordinal() if r.day is not None else -1
        days["article_id"].append(r.article_id)
        days["day_ordinal"].append(day)
        days["published"].append(r.published_day)
        names = [name for _, name, _ in r.entities]
        for idx, (feature, raw, count) in enumerate(story_features(r, config.stories)):
            features["article_id"].append(r.article_id)
            features["idx"].append(idx)
            features["feature"].append(feature)
            features["raw"].append(raw)
            features["day_ordinal"].append(day)
            features["name"].append(names[idx] if idx < len(names) else None)
            features["count"].append(count)
    _insert_arrow(conn, "link_features", features, _FEATURES)
    _insert_arrow(conn, "link_story_articles", days, _STORY_ARTICLES)


def save_records(
    conn, records: Sequence[ArticleRecord], config, *, path: str, fresh: bool = False
) -> None:
    """Store records and their blocking rows (replacing any earlier ones of those ids,
    unless the caller knows there are none: ``fresh``)."""
    if not records:
        return
    ids = [r.article_id for r in records]
    conn.execute("BEGIN TRANSACTION")
    try:
        if not fresh:
            _delete(conn, ids)
        raws = [r.to_json() for r in records]
        _insert_arrow(
            conn,
            "link_articles",
            {
                "article_id": ids,
                "signature": [
                    np.asarray(r.signature, dtype=SIGNATURE_DTYPE).tobytes() for r in records
                ],
                "signature_config": [config.signature_key] * len(records),
                "record": [json.dumps(raw, ensure_ascii=False) for raw in raws],
                "content_hash": [r.content_hash for r in records],
                # what dated_records reads, as columns (migration 013)
                "outlet": [raw["outlet"] for raw in raws],
                "url": [raw["url"] for raw in raws],
                "published": [json.dumps(raw["published"]) for raw in raws],
                "ingested_at": [raw["ingested_at"] for raw in raws],
            },
            _ARTICLES,
        )
        _write_blocks(conn, records, config)
        conn.execute("COMMIT")
    except Exception as exc:
        conn.execute("ROLLBACK")
        raise StoreError(f"cannot save link records: {exc}", path=path) from exc


def _delete(conn, ids: list[str]) -> None:
    for table in ("link_articles", *BLOCK_TABLES):
        conn.execute(
            f"DELETE FROM {table} WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [ids]
        )


def delete_records(conn, article_ids: Iterable[str]) -> None:
    """Forget these articles' records and blocking rows, all or none (an article stored
    again later finds no row left of its earlier record: ``save_records(fresh=True)``)."""
    ids = list(article_ids)
    if ids:
        conn.execute("BEGIN TRANSACTION")
        try:
            _delete(conn, ids)
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise


def keep_only(conn, config_key: str) -> None:
    """Forget the link rows of articles not linked under ``config_key`` (records made
    under other signature settings, blocking rows left without their record)."""
    stale = "SELECT article_id FROM link_articles WHERE signature_config IS DISTINCT FROM ?"
    for table in BLOCK_TABLES:
        conn.execute(
            f"DELETE FROM {table} WHERE article_id IN ({stale}) OR article_id NOT IN "
            "(SELECT article_id FROM link_articles)",
            [config_key],
        )
    conn.execute(f"DELETE FROM link_articles WHERE article_id IN ({stale})", [config_key])


def clear(conn) -> None:
    """Forget every link record (``veille relink`` reads every article again)."""
    for table in ("link_articles", *BLOCK_TABLES, *STORY_TABLES):
        conn.execute(f"DELETE FROM {table}")
    conn.execute("DELETE FROM link_meta")


def fingerprint(conn) -> str | None:
    row = conn.execute("SELECT value FROM link_meta WHERE key = 'config'").fetchone()
    return row[0] if row else None


def set_fingerprint(conn, value: str) -> None:
    conn.execute("DELETE FROM link_meta WHERE key = 'config'")
    conn.execute("INSERT INTO link_meta VALUES ('config', ?)", [value])


def _record(article_id: str, signature, record) -> ArticleRecord:
    raw = json.loads(record) if isinstance(record, str) else record
    sig = np.frombuffer(bytes(signature), dtype=SIGNATURE_DTYPE).astype(np.uint64)
    if raw.get("article_id") != article_id:
        raise StoreError(f"link record of {article_id} names another article", path=None)
    return ArticleRecord.from_json(raw, sig)


def load_records(conn, config_key: str) -> list[ArticleRecord]:
    """Every stored record made under ``config_key``, sorted by article id."""
    return [
        _record(*row)
        for row in conn.execute(
            "SELECT article_id, signature, record FROM link_articles "
            "WHERE signature_config = ? ORDER BY article_id",
            [config_key],
        ).fetchall()
    ]


def places(conn, article_ids: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """The outlet and url of these articles, by id."""
    return {
        a: (outlet, url)
        for a, outlet, url in rows(
            conn,
            "SELECT article_id, outlet, url FROM link_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted(set(article_ids)),
        )
    }


def records_of(conn, article_ids: Iterable[str]) -> dict[str, ArticleRecord]:
    """The stored records of these articles, by id."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT article_id, signature, record FROM link_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall()
    return {row[0]: _record(*row) for row in rows}


def dated_records(conn, article_ids: Iterable[str]) -> dict[str, ArticleRecord]:
    """Records holding only the publication and ingestion dates and the outlet (what
    merging aid, finding a duplicate group's first article and counting an incident's
    sources read), from their columns: the wide record is not read."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    empty = np.zeros(0, dtype=np.uint64)
    out = {}
    for article_id, published, ingested, outlet in conn.execute(
        "SELECT article_id, published, ingested_at, outlet FROM link_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    ).fetchall():
        raw = {
            "article_id": article_id,
            "content_hash": "",
            "published": json.loads(published) if published else None,
            "ingested_at": ingested,
            "outlet": outlet,
        }
        out[article_id] = ArticleRecord.from_json(raw, empty)
    return out


def story_inputs(
    conn, config_key: str, days: Sequence[tuple[int, int]] | None = None, undated: bool = True
) -> StoryInputs:
    """Linked articles' story features as arrays (veille.link.stories.StoryInputs), read
    in SQL: every article, or (``days``) those whose day ordinal lies in one of these
    closed ranges, and the undated ones when ``undated``."""
    where, params = "true", [config_key]
    feature_where, feature_params = "true", []
    if days is not None:
        parts = ["day_ordinal BETWEEN ? AND ?"] * len(days) + ["day_ordinal = -1"] * undated
        where = "(" + (" OR ".join(parts) or "false") + ")"
        feature_where, feature_params = where, [v for lo_hi in days for v in lo_hi]
        params += feature_params
        where = where.replace("day_ordinal", "s.day_ordinal")
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _story_rows AS SELECT s.article_id, s.day_ordinal, "
        "(row_number() OVER (ORDER BY s.article_id) - 1)::BIGINT AS row "
        "FROM link_story_articles s JOIN link_articles l USING (article_id) "
        f"WHERE l.signature_config = ? AND {where}",
        params,
    )
    try:
        arts = conn.execute(
            "SELECT article_id, day_ordinal FROM _story_rows ORDER BY row"
        ).fetchnumpy()
        # (the features' own day filter lets DuckDB skip row groups of other days: rows
        # are written as articles are linked, so a feed's days are in the last ones)
        cols = conn.sql(
            "SELECT a.row, f.idx, f.feature, f.raw, f.count FROM (SELECT * FROM link_features "
            f"WHERE {feature_where}) f JOIN _story_rows a USING (article_id)",
            params=feature_params,
        ).to_arrow_table()
    finally:
        conn.execute("DROP TABLE IF EXISTS _story_rows")
    # feature ranks in name order (Arrow sorts strings by their UTF-8 bytes: code point
    # order, as Python's sorted does), entries by article then stored order
    names = cols.column("feature").combine_chunks().dictionary_encode()
    rank = np.empty(len(names.dictionary), dtype=np.int64)
    rank[np.asarray(pc.array_sort_indices(names.dictionary))] = np.arange(len(rank))
    code = np.asarray(names.indices, dtype=np.int64)
    row = cols.column("row").to_numpy()
    idx = cols.column("idx").to_numpy().astype(np.int64)
    order = np.argsort(row * (int(idx.max(initial=0)) + 1) + idx)  # (distinct keys)
    feat = rank[code][order]
    entity = np.asarray(pc.starts_with(names.dictionary, pattern="e:"), dtype=bool)
    return StoryInputs(
        ids=[str(a) for a in arts["article_id"]],
        days=np.asarray(arts["day_ordinal"], dtype=np.int64),
        row=row[order],
        feat=feat,
        raw=cols.column("raw").to_numpy()[order],
        count=cols.column("count").to_numpy().astype(np.int64)[order],
        entity=entity[code][order],
        width=len(rank),
    )


def story_members(conn, article_ids: Iterable[str], *, terms: bool) -> dict[str, StoryMember]:
    """What story labels and dates read of these articles (veille.link.stories.StoryMember),
    from the stored features, label weights and days: no record is parsed. Their words
    (a label's fallback) only with ``terms``."""
    ids = sorted(set(article_ids))
    if not ids:
        return {}
    dates = {
        a: (published, day)
        for a, published, day in conn.execute(
            "SELECT article_id, published, day_ordinal FROM link_story_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
    }
    entities: dict[str, list] = defaultdict(list)
    words: dict[str, list] = defaultdict(list)
    only = "" if terms else "AND f.feature LIKE 'e:%' "
    for article_id, feature, name, count, weight in conn.execute(
        "SELECT f.article_id, f.feature, f.name, f.count, w.weight FROM link_features f "
        "LEFT JOIN story_weights w ON w.article_id = f.article_id AND w.idx = f.idx "
        "WHERE f.article_id IN (SELECT unnest(?::VARCHAR[])) "
        f"{only}ORDER BY f.article_id, f.idx",
        [ids],
    ).fetchall():
        if feature.startswith("e:"):
            entities[article_id].append((feature[2:], name, int(weight)))
        else:
            words[article_id].append((feature[2:], count))
    return {
        a: StoryMember(
            a, dates[a][0], member_order(dates[a][1]), tuple(entities[a]), tuple(words[a])
        )
        for a in ids
    }


def event_records(conn, event_ids: Iterable[str]) -> list[EventRecord]:
    ids = sorted(set(event_ids))
    if not ids:
        return []
    return [
        EventRecord.from_json(json.loads(r[0]))
        for r in conn.execute(
            "SELECT record FROM link_events WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
    ]


def aid_records(conn, commitment_ids: Iterable[str]) -> list[AidRecord]:
    ids = sorted(set(commitment_ids))
    if not ids:
        return []
    return [
        AidRecord.from_json(json.loads(r[0]))
        for r in conn.execute(
            "SELECT record FROM link_aid WHERE commitment_id IN (SELECT unnest(?::VARCHAR[]))",
            [ids],
        ).fetchall()
    ]
