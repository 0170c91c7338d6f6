"""Incremental linking: update the stored links from the new (and removed) articles only.

Duplicate groups, incidents and merged aid are each a function of the *connected
components* of a pairwise relation over the articles, mentions or commitments:

- duplicate groups are the components of "same text, or MinHash estimate at or above the
  threshold" (single linkage);
- incidents and merged aid are built by complete linkage in a fixed order, inside blocks
  that never interact. A mention only ever joins an incident whose members are all
  compatible with it, so the clustering of one component of the compatibility graph
  never depends on mentions outside it (an incident of another component always holds a
  mention incompatible with this one), and the order inside the component is the global
  order restricted to it. Clustering a component alone thus gives exactly the incidents a
  full rebuild gives; likewise for aid.

Adding mentions only adds edges, so every old component lies inside one new component. A
run therefore finds, by blocking in SQL over the ``link_*`` tables (same type and area
with overlapping dates or the same place; same donor within the window; a shared LSH band
key or content hash), every stored item connected to a new one, follows those links until
nothing new is reached, recomputes only those components and replaces only the results
they held. A removed article's component is recomputed from the mentions compatible with
its own. Incidents whose articles changed duplicate group are rebuilt (their number of
sources counts a copy once), with the same members.

Stories are the components of story pairs, incidents and duplicate groups, with weights
that look back in time (``veille.link.stories``): an article's vector and label weights
depend on the articles of the days before it only (on the days around it while it is
cold), so a run recomputes the pairs (``story_pairs``) and label weights
(``story_weights``) of the new articles and of those whose weights they change (none
for a feed's articles of today), then joins the stored stories by the links gained and
splits a story only when links it lost no longer meet (``update_stories``); stories
nothing touched stay, and a story that grows keeps its id and its rows.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from types import SimpleNamespace

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from veille.link import state
from veille.link.aid import STATUS_RANK, build_merged, cluster_aid, merge_order
from veille.link.dedup import DedupRecord, _UnionFind, group_duplicates
from veille.link.incidents import SourceIndex, build_incident, cluster_mentions
from veille.link.records import ArticleRecord
from veille.link.stories import (
    UNDATED_ORDER,
    build_story,
    cold_days,
    label_weights,
    member_order,
    similar_pairs,
    story_id,
    weigh,
)
from veille.model import DuplicateGroup, stable_id


class _Articles(dict):
    """Stored article records read on demand, each once per run, holding only what
    incidents read of an article (its dates and outlet: ``state.dated_records``)."""

    def __init__(self, conn) -> None:
        super().__init__()
        self._conn = conn

    def need(self, ids: Iterable[str]) -> _Articles:
        missing = {i for i in ids if i not in self}
        if missing:
            self.update(state.dated_records(self._conn, missing))
        return self


def _rows(conn, sql: str, *params) -> list[tuple]:
    return conn.execute(sql, list(params)).fetchall()


def _column(conn, sql: str, *params) -> set[str]:
    return {r[0] for r in _rows(conn, sql, *params)}


# -- duplicates ------------------------------------------------------------------


def update_duplicates(
    store, conn, config, new: Sequence[ArticleRecord], gone: Sequence[ArticleRecord], articles
) -> set[str]:
    """Bring the duplicate groups up to date; returns the articles whose first copy
    changed (an incident counts an article as the source of its group's first article,
    so their incidents count sources anew)."""
    if gone:
        return _regroup_duplicates(store, conn, config, sorted(r.article_id for r in new), gone)
    return _join_duplicates(store, conn, config, new, articles)


def _join_duplicates(store, conn, config, new: Sequence[ArticleRecord], articles) -> set[str]:
    """Groups are the components of the pairs (same text, or a shared band and an
    estimate at the threshold), so added articles only join groups: the pairs to check
    are those of a new article, and a stored group that gains one is merged whole with
    what it meets, keeping its members, outlets, urls and lowest similarity as stored."""
    fresh = {r.article_id: r for r in new}
    ids = sorted(fresh)
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _new_bands AS SELECT article_id, band, key FROM link_bands "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [ids],
    )
    try:
        banded = _rows(
            conn,
            "SELECT DISTINCT n.article_id, o.article_id FROM _new_bands n JOIN link_bands o "
            "ON o.band = n.band AND o.key = n.key WHERE o.article_id <> n.article_id",
        )
    finally:
        conn.execute("DROP TABLE _new_bands")
    by_text = defaultdict(list)
    for a, r in fresh.items():
        by_text[r.content_hash].append(a)
    same_text = [
        (a, other)
        for other, content_hash in _rows(
            conn,
            "SELECT article_id, content_hash FROM link_articles "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            sorted(by_text),
        )
        for a in by_text[content_hash]
        if a != other
    ]
    known = {a: (r.signature, r.content_hash) for a, r in fresh.items()}
    for article_id, signature, content_hash in _rows(
        conn,
        "SELECT article_id, signature, content_hash "
        "FROM link_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted({b for _, b in [*banded, *same_text]} - fresh.keys()),
    ):
        sig = np.frombuffer(bytes(signature), dtype=state.SIGNATURE_DTYPE).astype(np.uint64)
        known[article_id] = (sig, content_hash)
    links = _UnionFind()
    for a, b in same_text:
        links.union(a, b)
    sims: list[tuple[str, float]] = []  # (article, similarity) of each accepted pair
    for a, b in banded:
        (sig_a, hash_a), (sig_b, hash_b) = known[a], known[b]
        if hash_a == hash_b:
            continue  # one text: grouped by its hash, no similarity of its own
        sim = float((sig_a == sig_b).mean())  # as veille.link.dedup.similar_pairs scores
        if sim >= config.dedup.threshold:
            links.union(a, b)
            sims.append((a, sim))
    old: dict[str, list[str]] = defaultdict(list)
    stored: dict[str, tuple] = {}
    for group_id, article_id, kind, similarity, outlets, urls in _rows(
        conn,
        "SELECT g.group_id, g.article_id, d.kind, d.similarity, d.outlets, d.urls "
        "FROM duplicate_group_articles g JOIN duplicate_groups d ON d.id = g.group_id "
        "WHERE g.group_id IN (SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY g.group_id, g.idx",
        sorted(a for a in links.parent if a not in fresh),
    ):
        old[group_id].append(article_id)
        stored[group_id] = (kind, similarity, outlets or [], urls or [])
    for members in old.values():
        for a in members[1:]:
            links.union(members[0], a)
    parts: dict[str, list[str]] = defaultdict(list)
    for a in list(links.parent):
        parts[links.find(a)].append(a)
    in_group = {a: g for g, members in old.items() for a in members}
    # outlet and url of the articles that were in no group (the groups keep theirs)
    where = {a: (r.outlet, r.url) for a, r in fresh.items()}
    where.update(
        (a, (outlet, url))
        for a, outlet, url in _rows(
            conn,
            "SELECT article_id, record->>'$.outlet', record->>'$.url' FROM link_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted(a for a in links.parent if a not in fresh and a not in in_group),
        )
    )
    lowest: dict[str, float] = {}
    for a, sim in sims:
        root = links.find(a)
        lowest[root] = min(lowest.get(root, 1.0), sim)
    groups = []
    for root, members in parts.items():
        met = {in_group[a] for a in members if a in in_group}
        loose = [a for a in members if a not in in_group]  # new, or stored alone
        hashes = {known[a][1] for a in loose} | {
            known[a][1] for a in members if a in known and a in in_group
        }
        exact = len(hashes) == 1 and all(stored[g][0] == "exact" for g in met)
        low = min([lowest.get(root, 1.0)] + [stored[g][1] for g in met if stored[g][0] == "near"])
        groups.append(
            DuplicateGroup(
                id=stable_id("duplicates", *sorted(members)),
                kind="exact" if exact else "near",
                article_ids=tuple(sorted(members)),
                outlets=tuple(
                    sorted(
                        {where[a][0] for a in loose if where[a][0]}.union(
                            *(stored[g][2] for g in met)
                        )
                    )
                ),
                urls=tuple(
                    sorted(
                        {where[a][1] for a in loose if where[a][1]}.union(
                            *(stored[g][3] for g in met)
                        )
                    )
                ),
                similarity=1.0 if exact else round(low, 4),
            )
        )
    store.save_duplicate_groups(groups, replace_all=False, remove=sorted(old))
    # which article each counts as the copy of (its group's first): it changes for every
    # member of a merged group whose first article is no longer the first
    moved = {a for members in parts.values() for a in members}
    maybe = _may_be_first(conn, [*old.values(), *parts.values()])
    dates = articles.need(maybe)
    far = datetime.max.replace(tzinfo=UTC)

    def first(members: Iterable[str]) -> str:
        return min((a for a in members if a in maybe), key=lambda a: (dates[a].seen or far, a))

    def heads(groups: Iterable[list[str]]) -> dict[str, str]:
        return {a: head for m, head in ((m, first(m)) for m in groups) for a in m}

    before, after = heads(old.values()), heads(parts.values())
    return {a for a in moved if before.get(a, a) != after[a]}


def _regroup_duplicates(
    store, conn, config, new_ids: list[str], gone: Sequence[ArticleRecord]
) -> set[str]:
    """Recompute every group a new or removed article touches, from its articles."""
    gone_ids = sorted(r.article_id for r in gone)
    conn.execute(
        "CREATE OR REPLACE TEMP TABLE _new_bands AS SELECT band, key FROM link_bands "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
        [new_ids],
    )
    candidates = _column(
        conn,
        "SELECT o.article_id FROM _new_bands n JOIN link_bands o "
        "ON o.band = n.band AND o.key = n.key "
        "UNION SELECT article_id FROM link_articles WHERE content_hash IN "
        "(SELECT content_hash FROM link_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[])))",
        new_ids,
    )
    conn.execute("DROP TABLE _new_bands")
    seeds = candidates | set(new_ids) | set(gone_ids)
    old_groups: dict[str, set[str]] = {}
    for group_id, article_id in _rows(
        conn,
        "SELECT group_id, article_id FROM duplicate_group_articles WHERE group_id IN "
        "(SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[])))",
        sorted(seeds),
    ):
        old_groups.setdefault(group_id, set()).add(article_id)
    # every stored article linked to a new one, with its whole old group: a union of
    # components of the new graph (old groups only link inside themselves or to new ones)
    scope = (seeds | {a for m in old_groups.values() for a in m}) - set(gone_ids)
    dedup = []
    for article_id, signature, content_hash, outlet, url in _rows(
        conn,
        "SELECT article_id, signature, content_hash, record->>'$.outlet', record->>'$.url' "
        "FROM link_articles WHERE article_id IN (SELECT unnest(?::VARCHAR[])) "
        "ORDER BY article_id",
        sorted(scope),
    ):
        sig = np.frombuffer(bytes(signature), dtype=state.SIGNATURE_DTYPE).astype(np.uint64)
        dedup.append(DedupRecord(article_id, content_hash, sig, outlet, url))
    groups = group_duplicates(dedup, config.dedup)
    new_by_id = {g.id: set(g.article_ids) for g in groups}
    store.save_duplicate_groups(
        [g for g in groups if g.id not in old_groups],
        replace_all=False,
        remove=[g for g in old_groups if g not in new_by_id],
    )
    moved = {a for g, m in old_groups.items() if g not in new_by_id for a in m}
    moved |= {a for g, m in new_by_id.items() if g not in old_groups for a in m}
    dates = state.dated_records(conn, moved - set(gone_ids))
    dates.update({r.article_id: r for r in gone})
    far = datetime.max.replace(tzinfo=UTC)

    def origins(groups: dict[str, set[str]]) -> dict[str, str]:
        out = {}
        for members in groups.values():
            if members & moved:
                first = min(members, key=lambda a: (dates[a].seen or far, a))
                out.update(dict.fromkeys(members, first))
        return out

    before, after = origins(old_groups), origins(new_by_id)
    return {a for a in moved if before.get(a, a) != after.get(a, a)}


def _may_be_first(conn, groups: Iterable[Iterable[str]]) -> set[str]:
    """The members of each group that may be its first article (earliest ``seen``, then
    smallest id), found from the stored days (``seen``'s date) without reading every
    member's record: those within a day of the group's earliest day (a day of slack: an
    ingestion time's date is in its own time zone), or every member when none is dated."""
    groups = [list(g) for g in groups]
    days = dict(
        _rows(
            conn,
            "SELECT article_id, day_ordinal FROM link_story_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted({a for g in groups for a in g}),
        )
    )
    out: set[str] = set()
    for members in groups:
        dated = [days[a] for a in members if days.get(a, -1) >= 0]
        if not dated:
            out.update(members)
            continue
        first_day = min(dated)
        out.update(a for a in members if a not in days or 0 <= days[a] <= first_day + 1)
    return out


def _groups_of(conn, article_ids: Iterable[str]) -> list[SimpleNamespace]:
    """The stored duplicate groups holding any of these articles (ids of every member)."""
    members: dict[str, list[str]] = {}
    for group_id, article_id in _rows(
        conn,
        "SELECT group_id, article_id FROM duplicate_group_articles WHERE group_id IN "
        "(SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY group_id, idx",
        sorted(set(article_ids)),
    ):
        members.setdefault(group_id, []).append(article_id)
    return [SimpleNamespace(article_ids=tuple(ids)) for ids in members.values()]


# -- following links in SQL ------------------------------------------------------

# ``c`` may be compatible with ``f`` (both rows of link_events): exactly
# veille.link.incidents.compatible, written over the blocking columns.
EVENT_LINK = """
    c.type = f.type AND coalesce(c.area, '') = coalesce(f.area, '')
    AND c.modality_class IS NOT DISTINCT FROM f.modality_class
    AND (c.actor IS NULL OR f.actor IS NULL OR c.actor = f.actor)
    AND (c.target IS NULL OR f.target IS NULL OR c.target = f.target)
    AND (c.place_key IS NULL OR f.place_key IS NULL OR c.place_key = f.place_key)
    AND CASE WHEN f.lo IS NULL OR c.lo IS NULL THEN f.place_key = c.place_key
        ELSE c.lo <= f.hi + CASE WHEN c.day_precise AND f.day_precise THEN $slack ELSE 0 END
         AND f.lo <= c.hi + CASE WHEN c.day_precise AND f.day_precise THEN $slack ELSE 0 END
        END
"""

# ``c`` may be merged with ``f`` (rows of link_aid): veille.link.aid.compatible with a
# hair of tolerance on the float values, so a few more pairs pass; the clustering itself
# compares the exact decimals.
AID_LINK = """
    c.donor = f.donor
    AND (c.recipient IS NULL OR f.recipient IS NULL OR c.recipient = f.recipient)
    AND (c.kind IS NULL OR f.kind IS NULL OR c.kind = f.kind)
    AND (c.mechanism IS NULL OR f.mechanism IS NULL OR c.mechanism = f.mechanism)
    AND (c.day IS NULL OR f.day IS NULL OR abs(c.day - f.day) <= $window)
    AND CASE
        WHEN c.usd_value IS NOT NULL AND f.usd_value IS NOT NULL
        THEN abs(c.usd_value - f.usd_value)
             <= $tolerance * greatest(abs(c.usd_value), abs(f.usd_value))
        WHEN c.value IS NOT NULL AND f.value IS NOT NULL
             AND c.currency IS NOT DISTINCT FROM f.currency
        THEN abs(c.value - f.value) <= $tolerance * greatest(abs(c.value), abs(f.value))
        WHEN c.value IS NOT NULL AND f.value IS NOT NULL THEN false
        ELSE len(list_intersect(c.counted, f.counted)) > 0
    END
"""


# mentions of link_events (``c``) that may be compatible with one of ``_front`` (``f``):
# a pair where either has no known days must name the same place (an equi-join on it);
# a dated pair must have overlapping days (give or take the slack). A short interval
# (a day, a week, a recent report's days) is found by the week its first day falls in,
# among the weeks a front mention's days may reach back to; the few long ones (a month, a
# year) by their type and area
SHORT_DAYS = 8
EVENT_NEIGHBOURS = f"""
    SELECT c.event_id FROM _front f JOIN link_events c
        ON c.type = f.type AND c.place_key = f.place_key
    WHERE (f.lo IS NULL OR c.lo IS NULL) AND {EVENT_LINK}
    UNION
    SELECT c.event_id FROM (
        SELECT *, unnest(range(
            (lo - $slack - {SHORT_DAYS} - DATE '1970-01-01') // 7,
            (hi + $slack - DATE '1970-01-01') // 7 + 1)) AS week
        FROM _front WHERE lo IS NOT NULL) f
    JOIN (SELECT *, (lo - DATE '1970-01-01') // 7 AS week FROM link_events
          WHERE hi - lo <= {SHORT_DAYS}
            AND lo >= (SELECT min(lo) FROM _front) - $slack - {SHORT_DAYS}
            AND lo <= (SELECT max(hi) FROM _front) + $slack) c
        ON c.type = f.type AND coalesce(c.area, '') = coalesce(f.area, '') AND c.week = f.week
    WHERE {EVENT_LINK}
    UNION
    SELECT c.event_id FROM _front f JOIN (
        SELECT * FROM link_events WHERE hi - lo > {SHORT_DAYS}) c
        ON c.type = f.type AND coalesce(c.area, '') = coalesce(f.area, '')
    WHERE f.lo IS NOT NULL AND {EVENT_LINK}
"""


def components(conn, config, event_ids: Iterable[str]) -> set[str]:
    """The mentions connected to the given ones in the stored link tables (through pairs
    that may be compatible): the components holding them."""
    reached = set(event_ids)
    frontier = sorted(reached)
    try:
        while frontier:
            # the frontier's rows first: joining the whole table with itself and then
            # filtering would cost a pass over every pair of a block
            conn.execute(
                "CREATE OR REPLACE TEMP TABLE _front AS SELECT * FROM link_events "
                "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
                [frontier],
            )
            found = conn.execute(
                EVENT_NEIGHBOURS, {"slack": int(config.incidents.window_days)}
            ).fetchall()
            frontier = sorted({r[0] for r in found} - reached)
            reached.update(frontier)
    finally:
        conn.execute("DROP TABLE IF EXISTS _front")
    return reached


# -- incidents -------------------------------------------------------------------


def update_incidents(
    store, conn, config, scope: set[str], gone_events: set[str], dup_changed: set[str], articles
) -> None:
    """Recluster the mentions in ``scope`` (whole components, removed ones left out) and
    rebuild the incidents whose articles changed duplicate group."""
    stale = _column(
        conn,
        "SELECT DISTINCT incident_id FROM incident_events "
        "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted(scope | gone_events),
    )
    mentions = {m.event_id: m for m in state.event_records(conn, scope - gone_events)}
    clusters = cluster_mentions(mentions.values(), config.incidents)
    # incidents left as they were whose articles changed duplicate group: same members,
    # but their sources may now count differently
    recount: dict[str, list[str]] = {}
    if dup_changed:
        for incident_id, event_id in _rows(
            conn,
            "SELECT incident_id, event_id FROM incident_events WHERE incident_id IN "
            "(SELECT incident_id FROM incident_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY incident_id, idx",
            sorted(dup_changed),
        ):
            if incident_id not in stale:
                recount.setdefault(incident_id, []).append(event_id)
    if recount:
        ids = {e for members in recount.values() for e in members}
        mentions.update({m.event_id: m for m in state.event_records(conn, ids)})
        clusters += [[mentions[e] for e in members] for members in recount.values()]
    article_ids = {m.article_id for c in clusters for m in c}
    groups = _groups_of(conn, article_ids)
    articles.need(article_ids | _may_be_first(conn, (g.article_ids for g in groups)))
    sources = SourceIndex(articles, groups)
    incidents = [build_incident(c, articles, sources) for c in clusters]
    store.save_incidents(incidents, replace_all=False, remove=sorted(stale | set(recount)))


# -- merged aid ------------------------------------------------------------------

# a commitment's place in the merge (veille.link.aid.merge_order) as a row value; ``rank``
# is STATUS_RANK written over the stored record
_AID_RANK = (
    "CASE {t}.record->>'$.status' "
    + " ".join(f"WHEN '{status.value}' THEN {rank}" for status, rank in STATUS_RANK.items())
    + " ELSE 0 END"
)
_AID_DAY = "coalesce({t}.day, DATE '9999-12-31')"
# ``{t}`` comes at or after (``>=``) or before (``<``) its donor's start ``s``; the status
# (read from the JSON) only on the start's day
_AID_AFTER = (
    f"({_AID_DAY} > s.day OR ({_AID_DAY} = s.day AND "
    f"({_AID_RANK}, {{t}}.commitment_id) >= (s.rank, s.commitment_id)))"
)
_AID_BEFORE = (
    f"({_AID_DAY} < s.day OR ({_AID_DAY} = s.day AND "
    f"({_AID_RANK}, {{t}}.commitment_id) < (s.rank, s.commitment_id)))"
)
_AID_STARTS = pa.schema(
    [
        ("donor", pa.string()),
        ("day", pa.date32()),
        ("rank", pa.int32()),
        ("commitment_id", pa.string()),
    ]
)


def update_aid(
    store, conn, config, new: Sequence[ArticleRecord], gone: Sequence[ArticleRecord]
) -> int:
    """Resume each donor's merge at its first new or removed commitment.

    Merging visits a donor's commitments in a fixed order (``merge_order``), each joining
    the first cluster formed whose members all accept it. Up to the first changed
    commitment the clusters are those stored, cut to their members before it; from there
    on only the commitments after it (``_aid_replay``) are merged again, into the stored
    clusters that hold one of them and those whose earlier members may all accept one of
    them (the loose test of ``AID_LINK``): no other cluster can take a commitment, so the
    result is the full merge's. With new articles dated after the store (a monitoring
    feed), that is a few commitments and the few clusters of similar value. Returns how
    many commitments were merged again."""
    starts: dict[str, tuple] = {}
    for r in [*new, *gone]:
        for a in r.aid:
            key = merge_order(a, {r.article_id: r})
            if a.donor is not None and (a.donor not in starts or key < starts[a.donor]):
                starts[a.donor] = key
    gone_aid = sorted(a.commitment_id for r in gone for a in r.aid)
    undonored = {a.commitment_id for r in new for a in r.aid if a.donor is None}
    start_rows = pa.Table.from_pydict(  # noqa: F841 - read by DuckDB's replacement scan
        {
            "donor": list(starts),
            "day": [k[0] for k in starts.values()],
            "rank": [k[1] for k in starts.values()],
            "commitment_id": [k[2] for k in starts.values()],
        },
        schema=_AID_STARTS,
    )
    conn.execute("CREATE OR REPLACE TEMP TABLE _aid_start AS SELECT * FROM start_rows")
    try:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _aid_replay AS SELECT c.* FROM link_aid c "
            f"JOIN _aid_start s ON c.donor = s.donor WHERE {_AID_AFTER.format(t='c')}"
        )
        found = conn.execute(
            "SELECT merged_id FROM merged_aid_commitments WHERE commitment_id IN "
            "(SELECT commitment_id FROM _aid_replay UNION ALL SELECT unnest($gone::VARCHAR[])) "
            "UNION SELECT merged_id FROM ("
            f"SELECT c.merged_id, f.commitment_id, bool_and({AID_LINK}) AS takes FROM "
            "(SELECT m.merged_id, c.* FROM merged_aid_commitments m "
            "JOIN link_aid c USING (commitment_id) JOIN _aid_start s ON c.donor = s.donor "
            f"WHERE {_AID_BEFORE.format(t='c')}) c "
            "JOIN _aid_replay f ON c.donor = f.donor GROUP BY ALL) WHERE takes",
            {
                "gone": gone_aid,
                "window": int(config.aid.window_days),
                # a hair more than the tolerance: floats only ever let more pairs through
                "tolerance": float(config.aid.value_tolerance) * (1 + 1e-9) + 1e-12,
            },
        ).fetchall()
        stale = {r[0] for r in found}
        replayed = _column(conn, "SELECT commitment_id FROM _aid_replay")
    finally:
        conn.execute("DROP TABLE IF EXISTS _aid_replay")
        conn.execute("DROP TABLE IF EXISTS _aid_start")
    members: dict[str, list[str]] = defaultdict(list)
    for merged_id, commitment_id in _rows(
        conn,
        "SELECT merged_id, commitment_id FROM merged_aid_commitments "
        "WHERE merged_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted(stale),
    ):
        members[merged_id].append(commitment_id)
    ids = (replayed | undonored | {c for m in members.values() for c in m}) - set(gone_aid)
    records = {r.commitment_id: r for r in state.aid_records(conn, ids)}
    # merging reads only each article's publication date (an undated commitment's date)
    articles = state.dated_records(conn, {r.article_id for r in records.values()})

    def before_start(rec) -> bool:
        return rec.donor in starts and merge_order(rec, articles) < starts[rec.donor]

    formed = [
        part
        for m in members.values()
        if (part := [records[c] for c in m if c in records and before_start(records[c])])
    ]
    again = [r for r in records.values() if not before_start(r)]
    clusters = cluster_aid(again, articles, config.aid, formed=formed)
    store.save_merged_aid(
        [build_merged(c, articles) for c in clusters], replace_all=False, remove=sorted(stale)
    )
    return len(again)


# -- stories ---------------------------------------------------------------------

_PAIRS = pa.schema([("a", pa.string()), ("b", pa.string()), ("cosine", pa.float64())])
_WEIGHTS = pa.schema([("article_id", pa.string()), ("idx", pa.int32()), ("weight", pa.float64())])
_MEMBERS = pa.schema([("story", pa.string()), ("article_id", pa.string())])
_PARTS = pa.schema([("story", pa.string()), ("old_story", pa.string()), ("fresh", pa.bool_())])
_STORIES = pa.schema(
    [
        ("id", pa.string()),
        ("label", pa.string()),
        ("top_entities", pa.list_(pa.string())),
        ("first_date", pa.date32()),
        ("last_date", pa.date32()),
    ]
)

# more dirty articles than this share of the store: stories are rebuilt whole
REBUILD_SHARE = 0.5

# a story that lost links to more articles than this is split into the components of
# its links rather than walked: a walk that must meet so many ends reads it all anyway
WALK_ENDS = 200

# an article's place in a story (veille.link.stories.member_order) from its day ordinal
ORDER = f"CASE WHEN day_ordinal < 0 THEN {UNDATED_ORDER} ELSE day_ordinal END"

# the links of the articles in _story_front, as (article, linked article): story pairs,
# then shared incidents and duplicate groups (these may tie one article to thousands)
STORY_EDGES = {
    "pairs": """
        SELECT f.article_id, p.b FROM _story_front f JOIN story_pairs p ON p.a = f.article_id
        UNION ALL
        SELECT f.article_id, p.a FROM _story_front f JOIN story_pairs p ON p.b = f.article_id
    """,
    "ties": """
        SELECT f.article_id, o.article_id FROM _story_front f
            JOIN incident_articles i ON i.article_id = f.article_id
            JOIN incident_articles o
            ON o.incident_id = i.incident_id AND o.article_id <> f.article_id
        UNION ALL SELECT f.article_id, o.article_id FROM _story_front f
            JOIN duplicate_group_articles g ON g.article_id = f.article_id
            JOIN duplicate_group_articles o
            ON o.group_id = g.group_id AND o.article_id <> f.article_id
    """,
}


def story_ties(conn, event_ids: Iterable[str]) -> list[frozenset[str]]:
    """Article sets (two or more articles) of the stored incidents holding any of these
    mentions: ``update`` reads them before and after reclustering, so the stories step
    learns which ties an incident that split no longer makes."""
    members: dict[str, set[str]] = defaultdict(set)
    for incident_id, article_id in _rows(
        conn,
        "SELECT incident_id, article_id FROM incident_articles WHERE incident_id IN "
        "(SELECT incident_id FROM incident_events "
        "WHERE event_id IN (SELECT unnest(?::VARCHAR[])))",
        sorted(set(event_ids)),
    ):
        members[incident_id].add(article_id)
    return [frozenset(m) for m in members.values() if len(m) > 1]


def _merged(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Closed integer ranges, overlapping or touching ones joined, sorted."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _within(days: np.ndarray, ranges: list[tuple[int, int]], undated: bool) -> np.ndarray:
    mask = days < 0 if undated else np.zeros(len(days), dtype=bool)
    for lo, hi in ranges:
        mask |= (days >= lo) & (days <= hi)
    return mask


def _dirty_days(conn, cfg, changed: Sequence[int]) -> list[tuple[int, int]]:
    """The days whose articles' weights an article added or removed on one of the days
    ``changed`` alters: the ``idf_window_days`` days after it, and the cold days (see
    ``veille.link.stories``) within that distance before it, its own day included.
    Whether a day is cold depends on the days before it only, so the stored days (after
    the change) tell it for every day not already in the first set."""
    w = cfg.idf_window_days
    after = [(x + 1, x + w) for x in changed]
    looked = _merged((x - 2 * w, x) for x in changed)
    if not looked:
        return []
    hist = conn.execute(
        "SELECT day_ordinal, count(*) FROM link_story_articles WHERE "
        + " OR ".join(["day_ordinal BETWEEN ? AND ?"] * len(looked))
        + " GROUP BY day_ordinal",
        [v for r in looked for v in r],
    ).fetchnumpy()
    stored = np.repeat(
        np.asarray(hist["day_ordinal"], dtype=np.int64),
        np.asarray(hist["count_star()"], dtype=np.int64),
    )
    near = np.unique(np.concatenate([np.arange(x - w, x + 1) for x in changed]))
    cold = near[cold_days(stored, near, cfg)]
    return _merged([*after, *((int(d), int(d)) for d in cold)])


def _mostly_dirty(conn, dirty_days: list[tuple[int, int]], undated: bool, new: int) -> bool:
    """Whether more than ``REBUILD_SHARE`` of the linked articles would be dirty."""
    parts = ["day_ordinal BETWEEN ? AND ?"] * len(dirty_days) + ["day_ordinal = -1"] * undated
    dirty, stored = conn.execute(
        f"SELECT count(*) FILTER (WHERE {' OR '.join(parts) or 'false'}), count(*) "
        "FROM link_story_articles",
        [v for r in dirty_days for v in r],
    ).fetchone()
    return dirty + new > REBUILD_SHARE * stored


def _save_pairs_and_weights(conn, inputs, weights, pairs, dirty) -> None:
    state._insert_arrow(
        conn,
        "story_pairs",
        {
            "a": [a for a, _, _ in pairs],
            "b": [b for _, b, _ in pairs],
            "cosine": [c for _, _, c in pairs],
        },
        _PAIRS,
    )
    row = inputs.row
    entries = inputs.entity.copy()
    if dirty is not None:
        entries &= dirty[row]
    start = np.searchsorted(row, np.arange(len(inputs.ids)))
    picked = np.flatnonzero(entries)
    ids = np.asarray(inputs.ids, dtype=object)
    state._insert_arrow(
        conn,
        "story_weights",
        {
            "article_id": ids[row[picked]].tolist(),
            "idx": (picked - start[row[picked]]).tolist(),
            # whole numbers (exact in a DOUBLE): sums in SQL do not depend on the order
            "weight": label_weights(inputs, weights)[picked].astype(np.float64).tolist(),
        },
        _WEIGHTS,
    )


def update_stories(
    store,
    conn,
    config,
    days: Iterable[int] | None = None,
    gone: Iterable[str] = (),
    new: Iterable[str] = (),
    ties: tuple[Sequence[frozenset], Sequence[frozenset]] = ((), ()),
) -> dict:
    """Bring the stories up to date; ``days=None``: every story anew.

    Otherwise ``days`` are the day ordinals (-1: undated) of the articles ``new`` (stored
    with their link rows) and ``gone`` (removed) since the last run, and ``ties`` the
    article sets of the incidents reclustered this run, before and after (``story_ties``).

    The *dirty* articles are the new ones and those whose weights the change alters
    (``_dirty_days``; every undated one when an undated article changed): their pairs
    and label weights are recomputed, from the features of the articles within
    ``idf_window_days`` plus the pair window of them (a dirty article's partner is at
    most ``window_days`` away, and its weights read its window). Stories then change only
    by the links that changed: stored stories are the components of the old links, so
    the new ones are the stored stories (minus what they lost) joined by the links
    gained. A story that lost a pair or an incident tie is kept whole when the ends are
    still linked inside it (a short walk in SQL), else split into the components of its
    remaining links, as is a story that lost an article; then stories and new articles
    are joined by the gained pairs, the reclustered incidents and the duplicate groups of
    the new articles (groups only grow when articles are added). Only the stories whose
    members or label weights changed are written, and only their member rows that moved.
    """
    cfg = config.stories
    if days is None:
        return _rebuild_stories(store, conn, config)
    gone_ids, new_ids = set(gone), set(new)
    changed = set(days)
    dated, undated = sorted(d for d in changed if d >= 0), -1 in changed
    dirty_days = _dirty_days(conn, cfg, dated)
    if _mostly_dirty(conn, dirty_days, undated, len(new_ids)):
        # a backfill over the whole history: the pairs of nearly every article are
        # computed anyway, and a rebuild skips comparing them with the stored ones
        return _rebuild_stories(store, conn, config)
    seeds = _merged([*dirty_days, *((x, x) for x in dated)])
    reach, pair_w = cfg.idf_window_days + cfg.window_days, cfg.window_days
    inputs = state.story_inputs(
        conn, config.signature_key, _merged((lo - reach, hi + reach) for lo, hi in seeds), undated
    )
    is_new = np.fromiter((a in new_ids for a in inputs.ids), dtype=bool, count=len(inputs.ids))
    dirty = _within(inputs.days, dirty_days, undated) | is_new
    valid = _within(inputs.days, _merged((lo - pair_w, hi + pair_w) for lo, hi in seeds), undated)
    dirty_ids = {inputs.ids[i] for i in np.flatnonzero(dirty)}
    stale = sorted(dirty_ids | gone_ids)
    old_pairs = {
        (a, b)
        for a, b in _rows(
            conn,
            "SELECT a, b FROM story_pairs WHERE a IN (SELECT unnest(?::VARCHAR[])) "
            "OR b IN (SELECT unnest(?::VARCHAR[]))",
            stale,
            stale,
        )
    }
    conn.execute(
        "DELETE FROM story_pairs WHERE a IN (SELECT unnest(?::VARCHAR[])) "
        "OR b IN (SELECT unnest(?::VARCHAR[]))",
        [stale, stale],
    )
    conn.execute(
        "DELETE FROM story_weights WHERE article_id IN (SELECT unnest(?::VARCHAR[]))", [stale]
    )
    weights = weigh(inputs, cfg)
    pairs = similar_pairs(inputs, cfg, weights, dirty=dirty, valid=valid)
    _save_pairs_and_weights(conn, inputs, weights, pairs, dirty)

    new_pairs = {(a, b) for a, b, _ in pairs}
    lost_pairs = [p for p in old_pairs - new_pairs if not gone_ids & set(p)]
    before, after = ties
    holding: dict[str, list[frozenset]] = defaultdict(list)
    for tie in after:
        holding[min(tie)].append(tie)
    # an incident that split (not one that only grew) may have held its story together
    lost_ties = []
    for tie in before:
        rest = tie - gone_ids
        if len(rest) > 1 and not any(rest <= t for a in rest for t in holding[a]):
            lost_ties.append(rest)
    gained = [*(new_pairs - old_pairs), *after]
    gained += [g.article_ids for g in _groups_of(conn, new_ids)]
    touched = new_ids | dirty_ids | {a for link in [*gained, *lost_pairs, *lost_ties] for a in link}
    old_story = dict(
        _rows(
            conn,
            "SELECT article_id, story_id FROM story_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted(touched | gone_ids),
        )
    )
    broken = {old_story[a] for a in gone_ids if a in old_story}
    ends: dict[str, set[str]] = defaultdict(set)
    for link in [*lost_pairs, *lost_ties]:
        story = old_story[next(iter(link))]
        if story not in broken:
            ends[story].update(link)
    # a story that lost links stays whole when their ends are still linked (through it or
    # not: every part it may have split into holds such an end, so all end up together)
    broken |= {
        story for story, e in ends.items() if len(e) > WALK_ENDS or not _still_linked(conn, e)
    }
    pieces = _components(conn, _members_of(conn, broken) - gone_ids) if broken else []

    # union of whole stored stories (("s", id)) and loose articles (("a", id))
    parent: dict[tuple[str, str], tuple[str, str]] = {}

    def node(article: str) -> tuple[str, str]:
        story = old_story.get(article)
        return ("a", article) if story is None or story in broken else ("s", story)

    def find(x: tuple[str, str]) -> tuple[str, str]:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(nodes: list[tuple[str, str]]) -> None:
        roots = sorted({find(x) for x in nodes})
        for other in roots[1:]:
            parent[other] = roots[0]

    for a in touched - gone_ids:
        find(node(a))
    for piece in pieces:
        union([("a", a) for a in piece])
    for link in gained:
        union([node(a) for a in link])
    groups: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for x in list(parent):
        groups[find(x)].append(x)
    relabel = {old_story[a] for a in dirty_ids if a in old_story} - broken
    parts: dict[int, tuple[list[str], list[str]]] = {}
    unchanged = set()
    for k, nodes in enumerate(groups.values()):
        stories_in = sorted(v for kind, v in nodes if kind == "s")
        loose = sorted(v for kind, v in nodes if kind == "a")
        if len(stories_in) == 1 and not loose and stories_in[0] not in relabel:
            unchanged.add(stories_in[0])  # members, links and label weights as stored
        elif stories_in or len(loose) > 1:  # (not a lone article)
            parts[k] = (stories_in, loose)
    found = _name_parts(conn, parts)
    old = {old_story[a] for a in touched | gone_ids if a in old_story}
    stories = _write_stories(conn, cfg, found, old - set(found) - unchanged, relabel)
    return {
        "story_articles_reached": len(touched) + sum(len(p) for p in pieces),
        "story_pairs_new": len(pairs),
        "stories_rebuilt": stories,
    }


def _members_of(conn, story_ids: Iterable[str]) -> set[str]:
    return _column(
        conn,
        "SELECT article_id FROM story_articles WHERE story_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted(story_ids),
    )


def _still_linked(conn, ends: set[str]) -> bool:
    """Whether the articles ``ends`` are all linked to one another by the links as they are
    now: a walk from all of them at once, which stops as soon as they have met (a few
    steps when a story lost one link of many). Each step follows the story pairs of the
    articles reached, then their incidents and duplicate groups (a group may hold
    thousands of articles, so its members are walked from only if the pairs did not
    meet first)."""
    parent = {a: a for a in ends}
    owner = dict(parent)  # article reached: the end it was reached from
    sets = len(ends)

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    # each step follows the pairs of the articles reached last, then the ties of those
    # reached the step before (one step behind: the pairs often meet first)
    reached, behind = set(ends), set()
    try:
        while sets > 1 and (reached or behind):
            fronts = {"pairs": sorted(reached), "ties": sorted(behind)}
            reached, behind = set(), set(fronts["pairs"])
            for kind, front in fronts.items():
                if sets == 1 or not front:
                    continue
                conn.execute(
                    "CREATE OR REPLACE TEMP TABLE _story_front AS "
                    "SELECT unnest(?::VARCHAR[]) AS article_id",
                    [front],
                )
                for a, b in _rows(conn, STORY_EDGES[kind]):
                    ra = find(owner[a])
                    if b in owner:
                        rb = find(owner[b])
                        if ra != rb:
                            parent[rb] = ra
                            sets -= 1
                    else:
                        owner[b] = ra
                        reached.add(b)
    finally:
        conn.execute("DROP TABLE IF EXISTS _story_front")
    return sets == 1


def _name_parts(conn, parts: dict[int, tuple[list[str], list[str]]]) -> dict[str, tuple]:
    """Each new or changed story (stored stories joined whole, loose articles) named by
    its first article in time order: {story id: (stored stories, loose articles)}."""
    if not parts:
        return {}
    firsts = dict(
        _rows(
            conn,
            "SELECT story_id, article_id FROM story_articles WHERE idx = 0 "
            "AND story_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted({s for stories_in, _ in parts.values() for s in stories_in}),
        )
    )
    candidates = {firsts[s] for stories_in, _ in parts.values() for s in stories_in}
    candidates |= {a for _, loose in parts.values() for a in loose}
    order = {
        a: (member_order(day), a)
        for a, day in _rows(
            conn,
            "SELECT article_id, day_ordinal FROM link_story_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            sorted(candidates),
        )
    }
    found = {}
    for stories_in, loose in parts.values():
        first = min([firsts[s] for s in stories_in] + loose, key=order.__getitem__)
        found[story_id(first)] = (stories_in, loose)
    return found


def _components(conn, scope: Iterable[str] | None) -> list[list[str]]:
    """The stories (member lists in time order, two or more) of the articles in ``scope``
    (every linked article when None), a union of whole components of the links."""
    select = f"SELECT article_id, {ORDER} AS o FROM link_story_articles"
    if scope is None:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_scope AS SELECT article_id, "
            f"(row_number() OVER (ORDER BY o, article_id) - 1)::BIGINT AS code FROM ({select})"
        )
    else:
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_scope AS SELECT article_id, "
            f"(row_number() OVER (ORDER BY o, article_id) - 1)::BIGINT AS code FROM ({select} "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[])))",
            [sorted(scope)],
        )
    try:
        ids = [r[0] for r in _rows(conn, "SELECT article_id FROM _story_scope ORDER BY code")]
        # pairs, and each incident's or group's articles tied to its first one
        edges = conn.execute(
            "SELECT s1.code AS x, s2.code AS y FROM story_pairs p "
            "JOIN _story_scope s1 ON s1.article_id = p.a "
            "JOIN _story_scope s2 ON s2.article_id = p.b "
            "UNION ALL SELECT s.code, min(s.code) OVER (PARTITION BY i.incident_id) "
            "FROM incident_articles i JOIN _story_scope s USING (article_id) "
            "UNION ALL SELECT s.code, min(s.code) OVER (PARTITION BY g.group_id) "
            "FROM duplicate_group_articles g JOIN _story_scope s USING (article_id)"
        ).fetchnumpy()
    finally:
        conn.execute("DROP TABLE IF EXISTS _story_scope")
    n = len(ids)
    x, y = np.asarray(edges["x"], dtype=np.int64), np.asarray(edges["y"], dtype=np.int64)
    graph = coo_matrix((np.ones(len(x), dtype=np.int8), (x, y)), shape=(n, n))
    _, component = connected_components(graph, directed=False)
    order = np.argsort(component, kind="stable")  # members in time order
    bounds = np.flatnonzero(np.diff(component[order])) + 1
    return [[ids[i] for i in part] for part in np.split(order, bounds) if len(part) > 1]


def _rebuild_stories(store, conn, config) -> dict:
    """Every pair, label weight and story anew, from the stored link rows."""
    cfg = config.stories
    inputs = state.story_inputs(conn, config.signature_key)
    for table in state.STORY_TABLES:
        conn.execute(f"DELETE FROM {table}")
    weights = weigh(inputs, cfg)
    pairs = similar_pairs(inputs, cfg, weights)
    _save_pairs_and_weights(conn, inputs, weights, pairs, None)
    found = {story_id(m[0]): ([], m) for m in _components(conn, None)}
    stored = _column(conn, "SELECT id FROM stories")
    stories = _write_stories(conn, cfg, found, stored - set(found), set())
    return {
        "story_articles_reached": len(inputs.ids),
        "story_pairs_new": len(pairs),
        "stories_rebuilt": stories,
    }


def _write_stories(conn, cfg, found: dict[str, tuple], remove: set[str], relabel: set[str]) -> int:
    """Write the stories ``found`` ({id: (stored stories it joins whole, other articles)})
    and remove the stored stories ``remove``; ``relabel``: stored stories whose members'
    label weights changed.

    Labels come from each story's label totals (``story_entities``): a story's totals
    are those of the stored stories it joins plus its other articles' label weights
    (whole numbers: the sums are exact in any order), ranked as
    ``veille.link.stories.build_story`` ranks them; dates likewise from the stored
    stories' dates. Of the member rows only those that moved are written: a story that
    keeps its id keeps its rows up to its first new member in time order (for a story
    that grew by today's articles, all of them)."""
    stories_ids = sorted(found)
    # stories that keep the id of a stored story they join whole: they keep its rows
    based = [sid for sid in stories_ids if sid in found[sid][0]]
    parts = [(sid, old) for sid in stories_ids for old in found[sid][0]]
    story_parts = pa.Table.from_pydict(  # noqa: F841 - read by DuckDB's replacement scan
        {
            "story": [sid for sid, _ in parts],
            "old_story": [old for _, old in parts],
            "fresh": [old not in relabel for _, old in parts],
        },
        schema=_PARTS,
    )
    loose = [(sid, a) for sid in stories_ids for a in found[sid][1]]
    story_loose = pa.Table.from_pydict(  # noqa: F841 - read by DuckDB's replacement scan
        {"story": [sid for sid, _ in loose], "article_id": [a for _, a in loose]},
        schema=_MEMBERS,
    )
    temps = ("_story_parts", "_story_loose", "_story_totals", "_story_added", "_story_tail")
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE _story_parts AS SELECT * FROM story_parts")
        conn.execute("CREATE OR REPLACE TEMP TABLE _story_loose AS SELECT * FROM story_loose")
        # totals: the stored ones of whole stories, and the weights of the other members
        # (and of every member of a story whose weights changed)
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_totals AS "
            "SELECT story, feature, sum(total) AS total, min(first_article) AS first_article, "
            "arg_min(name, first_article) AS name FROM ("
            "SELECT p.story, e.feature, e.total, e.first_article, e.name FROM _story_parts p "
            "JOIN story_entities e ON e.story_id = p.old_story WHERE p.fresh "
            "UNION ALL SELECT t.story, f.feature, w.weight, f.article_id, f.name FROM ("
            "SELECT story, article_id FROM _story_loose UNION ALL "
            "SELECT p.story, s.article_id FROM _story_parts p "
            "JOIN story_articles s ON s.story_id = p.old_story WHERE NOT p.fresh) t "
            "JOIN story_weights w USING (article_id) "
            "JOIN link_features f ON f.article_id = w.article_id AND f.idx = w.idx"
            ") GROUP BY story, feature"
        )
        top: dict[str, list[str]] = defaultdict(list)
        for story, name in _rows(
            conn,
            "SELECT story, name FROM _story_totals QUALIFY row_number() OVER "
            "(PARTITION BY story ORDER BY total DESC, name, feature) <= ? "
            "ORDER BY story, total DESC, name, feature",
            cfg.top_entities,
        ):
            top[story].append(name)
        dates = {
            story: (first, last)
            for story, first, last in _rows(
                conn,
                "SELECT story, min(f), max(l) FROM ("
                "SELECT p.story, s.first_date AS f, s.last_date AS l FROM _story_parts p "
                "JOIN stories s ON s.id = p.old_story UNION ALL "
                "SELECT m.story, a.published, a.published FROM _story_loose m "
                "JOIN link_story_articles a USING (article_id)) GROUP BY story",
            )
        }
        # members other than those of the stored story whose id the story keeps
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_added AS SELECT m.story, m.article_id, "
            f"{ORDER} AS o FROM (SELECT story, article_id FROM _story_loose UNION ALL "
            "SELECT p.story, s.article_id FROM _story_parts p "
            "JOIN story_articles s ON s.story_id = p.old_story WHERE p.old_story <> p.story) m "
            "JOIN link_story_articles USING (article_id)"
        )
        wordless = sorted(set(found) - set(top))
        words: dict[str, list[str]] = defaultdict(list)
        for story, article_id in _rows(
            conn,
            "SELECT story, article_id FROM _story_added "
            "WHERE story IN (SELECT unnest(?::VARCHAR[])) UNION ALL "
            "SELECT story_id, article_id FROM story_articles "
            "WHERE story_id IN (SELECT unnest(?::VARCHAR[])) "
            "AND story_id IN (SELECT unnest(?::VARCHAR[]))",
            wordless,
            wordless,
            based,
        ):
            words[story].append(article_id)
        members = state.story_members(conn, {a for m in words.values() for a in m}, terms=True)
        rows: dict[str, list] = {k: [] for k in _STORIES.names}
        for sid in stories_ids:
            if sid in top:
                label = " · ".join(top[sid][: cfg.label_entities])
                first, last = dates[sid]
                entities = top[sid]
            else:  # no linked entities: labelled by words, as build_story does
                story = build_story([members[a] for a in words[sid]], cfg)
                label, entities = story.label, list(story.top_entities)
                first, last = story.first_date, story.last_date
            for name, value in zip(
                _STORIES.names, (sid, label, entities, first, last), strict=True
            ):
                rows[name].append(value)
        # the stored rows from each story's first added member on move (all of them when
        # the story takes a new id), and are written again with the added members
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_tail AS "
            "WITH f AS (SELECT story, o AS fo, article_id AS fa FROM _story_added "
            "QUALIFY row_number() OVER (PARTITION BY story ORDER BY o, article_id) = 1), "
            "t AS (SELECT s.story_id AS story, s.idx, s.article_id, "
            f"{ORDER.replace('day_ordinal', 'l.day_ordinal')} AS o, f.fo, f.fa, "
            "s.story_id IN (SELECT unnest(?::VARCHAR[])) AS kept "
            "FROM story_articles s JOIN f ON f.story = s.story_id "
            "LEFT JOIN link_story_articles l ON l.article_id = s.article_id) "
            "SELECT story, idx, article_id, o, kept FROM t "
            "WHERE NOT kept OR o > fo OR (o = fo AND article_id > fa)",
            [based],
        )
        start = (
            "SELECT story, (SELECT count(*) FROM story_articles s WHERE s.story_id = a.story) "
            "- (SELECT count(*) FROM _story_tail t WHERE t.story = a.story) AS start "
            "FROM (SELECT DISTINCT story FROM _story_added) a"
        )
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _story_start AS {start}")
        gone = sorted(remove)
        for table, key in (
            ("stories", "id"),
            ("story_articles", "story_id"),
            ("story_entities", "story_id"),
        ):
            conn.execute(
                f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?::VARCHAR[]))", [gone]
            )
        conn.execute("DELETE FROM stories WHERE id IN (SELECT unnest(?::VARCHAR[]))", [stories_ids])
        state._insert_arrow(conn, "stories", rows, _STORIES)
        conn.execute(
            "DELETE FROM story_entities WHERE story_id IN (SELECT unnest(?::VARCHAR[]))",
            [stories_ids],
        )
        conn.execute(
            "INSERT INTO story_entities SELECT story, feature, total, first_article, name "
            "FROM _story_totals"
        )
        conn.execute(
            "DELETE FROM story_articles s WHERE EXISTS (SELECT 1 FROM _story_tail t "
            "WHERE t.story = s.story_id AND t.idx = s.idx)"
        )
        conn.execute(
            "INSERT INTO story_articles SELECT u.story, (st.start + row_number() OVER "
            "(PARTITION BY u.story ORDER BY u.o, u.article_id) - 1)::INTEGER, u.article_id "
            "FROM (SELECT story, article_id, o FROM _story_tail WHERE kept UNION ALL "
            "SELECT story, article_id, o FROM _story_added) u JOIN _story_start st USING (story)"
        )
    finally:
        for table in (*temps, "_story_start"):
            conn.execute(f"DROP TABLE IF EXISTS {table}")
    return len(found)


def update(
    store, conn, config, new: Sequence[ArticleRecord], gone: Sequence[ArticleRecord]
) -> dict:
    """Bring every link table up to date after the records ``new`` were stored with their
    blocking rows; the records ``gone`` are still stored and are deleted here, once the
    components they belonged to are known (following links through them only widens the
    scope, never misses a part of it). Returns how much was recomputed, and the seconds
    (wall and CPU) each step took."""
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}  # this process's CPU (DuckDB's threads included)
    clock, cpu = time.perf_counter(), time.process_time()

    def lap(step: str) -> None:
        nonlocal clock, cpu
        now, cpu_now = time.perf_counter(), time.process_time()
        seconds[step], cpu_seconds[step] = round(now - clock, 3), round(cpu_now - cpu, 3)
        clock, cpu = now, cpu_now

    articles = _Articles(conn)
    articles.update({r.article_id: r for r in new})
    gone_ids = sorted(r.article_id for r in gone)
    gone_events = {e.event_id for r in gone for e in r.events}
    event_scope = components(
        conn, config, {e.event_id for r in new for e in r.events} | gone_events
    )
    state.delete_records(conn, gone_ids)
    lap("components")
    dup_changed = update_duplicates(store, conn, config, new, gone, articles)
    lap("duplicates")
    ties_before = story_ties(conn, event_scope | gone_events)
    update_incidents(store, conn, config, event_scope, gone_events, dup_changed, articles)
    ties_after = story_ties(conn, event_scope - gone_events)
    lap("incidents")
    relinked_commitments = update_aid(store, conn, config, new, gone)
    lap("aid")
    stories = update_stories(
        store,
        conn,
        config,
        days={r.day.toordinal() if r.day is not None else -1 for r in [*new, *gone]},
        gone=gone_ids,
        new=[r.article_id for r in new],
        ties=(ties_before, ties_after),
    )
    lap("stories")
    return {
        "relinked_mentions": len(event_scope - gone_events),
        "relinked_commitments": relinked_commitments,
        **stories,
        "link_step_seconds": seconds,
        "link_step_cpu_seconds": cpu_seconds,
    }
