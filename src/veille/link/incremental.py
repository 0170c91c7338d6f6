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
splits a story only when links it lost no longer meet (``veille.link.story_updates``); stories
nothing touched stay, and a story that grows keeps its id and its rows.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from veille.link import state
from veille.link.aid import STATUS_RANK, build_merged, cluster_aid, merge_order
from veille.link.dedup import DedupRecord, _UnionFind, group_duplicates
from veille.link.incidents import SourceIndex, build_incident, cluster_mentions
from veille.link.records import ArticleRecord
from veille.link.story_updates import update_stories
from veille.model import DuplicateGroup, stable_id


class _Articles(dict):
    """Stored article records read on demand, each once per run, holding only what
    incidents read of an article (its dates and outlet: ``state.dated_records``)."""

    def __init__(self, conn, new: Sequence[ArticleRecord] = ()) -> None:
        super().__init__((r.article_id, r) for r in new)
        self._conn = conn
        self.fresh = frozenset(r.article_id for r in new)  # the run's new articles

    def need(self, ids: Iterable[str]) -> _Articles:
        missing = {i for i in ids if i not in self}
        if missing:
            self.update(state.dated_records(self._conn, missing))
        return self


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
    # the new articles' band keys come from their signatures, not from a read of the table
    with state.registered(conn, "_new_bands", state.band_rows(new, config)):
        # the stored rows of those keys first (a semi-join on the key alone), then the pairs
        banded = state.rows(
            conn,
            "WITH o AS MATERIALIZED (SELECT band, key, article_id FROM link_bands "
            "WHERE key IN (SELECT key FROM _new_bands)) "
            "SELECT DISTINCT n.article_id, o.article_id FROM _new_bands n JOIN o "
            "ON o.band = n.band AND o.key = n.key WHERE o.article_id <> n.article_id",
        )
    by_text = defaultdict(list)
    for a, r in fresh.items():
        by_text[r.content_hash].append(a)
    same_text = [
        (a, other)
        for other, content_hash in state.rows(
            conn,
            "SELECT article_id, content_hash FROM link_articles "
            "WHERE content_hash IN (SELECT unnest(?::VARCHAR[]))",
            sorted(by_text),
        )
        for a in by_text[content_hash]
        if a != other
    ]
    known = {a: (r.signature, r.content_hash) for a, r in fresh.items()}
    for article_id, signature, content_hash in state.rows(
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
    # one text is grouped by its hash, with no similarity of its own
    scored = [(a, b) for a, b in banded if known[a][1] != known[b][1]]
    if scored:
        row = {a: i for i, a in enumerate(known)}
        matrix = np.stack([np.asarray(sig, dtype=np.uint64) for sig, _ in known.values()])
        left = matrix[[row[a] for a, _ in scored]]
        right = matrix[[row[b] for _, b in scored]]
        # as veille.link.dedup.similar_pairs scores, all pairs at once
        for (a, b), sim in zip(scored, (left == right).mean(axis=1).tolist(), strict=True):
            if sim >= config.dedup.threshold:
                links.union(a, b)
                sims.append((a, sim))
    old: dict[str, list[str]] = {}
    stored: dict[str, tuple] = {}
    # a group's members as one list (its stored outlets and urls read once, not per member)
    for group_id, kind, similarity, outlets, urls, members in state.rows(
        conn,
        "SELECT d.id, any_value(d.kind), any_value(d.similarity), any_value(d.outlets), "
        "any_value(d.urls), list(g.article_id ORDER BY g.idx) "
        "FROM duplicate_group_articles g JOIN duplicate_groups d ON d.id = g.group_id "
        "WHERE g.group_id IN (SELECT group_id FROM duplicate_group_articles "
        "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) GROUP BY d.id ORDER BY d.id",
        sorted(a for a in links.parent if a not in fresh),
    ):
        old[group_id] = members
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
        state.places(conn, (a for a in links.parent if a not in fresh and a not in in_group))
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
    candidates = state.column(
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
    for group_id, article_id in state.rows(
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
    for article_id, signature, content_hash, outlet, url in state.rows(
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


def _may_be_first(
    conn, groups: Iterable[Iterable[str]], days: dict[str, int] | None = None
) -> set[str]:
    """The members of each group that may be its first article (earliest ``seen``, then
    smallest id), found from the stored days (``seen``'s date; read unless given) without
    reading every member's record: those within a day of the group's earliest day (a day
    of slack: an ingestion time's date is in its own time zone), or every member when
    none is dated."""
    groups = [list(g) for g in groups]
    if days is None:
        days = dict(
            state.rows(
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


# what the closure reads of a mention (link_events without its record)
EVENT_COLUMNS = (
    "event_id, type, area, lo, hi, place_key, modality_class, actor, target, day_precise"
)
# what the closure reads of a mention (link_events without its record)
EVENT_COLUMNS = (
    "event_id, type, area, lo, hi, place_key, modality_class, actor, target, day_precise"
)
_C_COLUMNS = ", ".join(f"c.{c.strip()}" for c in EVENT_COLUMNS.split(","))
# mentions of link_events (``c``) that may be compatible with one of ``_front`` (``f``),
# with their blocking columns (the next round's front): a pair where either has no known
# days must name the same place (an equi-join on it); a dated pair must have overlapping
# days (give or take the slack). A short interval (a day, a week, a recent report's days)
# is found by the week its first day falls in, among the weeks a front mention's days may
# reach back to; the few long ones (a month, a year) by their type and area. Dated ones
# only between the front's first and last days, given as constants: the scan filters on
# them and reads the other columns of the rows that pass only
SHORT_DAYS = 8
_UNDATED_FRONT = f"""
    SELECT {_C_COLUMNS} FROM _front f JOIN link_events c
        ON c.type = f.type AND c.place_key = f.place_key
    WHERE f.lo IS NULL AND {EVENT_LINK}
"""
_DATED_FRONT = f"""
    SELECT {_C_COLUMNS} FROM _front f JOIN (
        SELECT {EVENT_COLUMNS} FROM link_events WHERE lo IS NULL) c
        ON c.type = f.type AND c.place_key = f.place_key
    WHERE f.lo IS NOT NULL AND {EVENT_LINK}
    UNION
    SELECT {_C_COLUMNS} FROM (
        SELECT *, unnest(range(
            (lo - $slack - {SHORT_DAYS} - DATE '1970-01-01') // 7,
            (hi + $slack - DATE '1970-01-01') // 7 + 1)) AS week
        FROM _front WHERE lo IS NOT NULL) f
    JOIN (SELECT {EVENT_COLUMNS}, (lo - DATE '1970-01-01') // 7 AS week FROM link_events
          WHERE lo >= $first - $slack - {SHORT_DAYS} AND lo <= $last + $slack
            AND hi - lo <= {SHORT_DAYS}) c
        ON c.type = f.type AND coalesce(c.area, '') = coalesce(f.area, '') AND c.week = f.week
    WHERE {EVENT_LINK}
    UNION
    SELECT {_C_COLUMNS} FROM _front f JOIN (
        SELECT {EVENT_COLUMNS} FROM link_events
        WHERE lo <= $last + $slack AND hi >= $first - $slack AND hi - lo > {SHORT_DAYS}) c
        ON c.type = f.type AND coalesce(c.area, '') = coalesce(f.area, '')
    WHERE f.lo IS NOT NULL AND {EVENT_LINK}
"""


def _neighbours(conn, front: pa.Table, slack: int) -> pa.Table:
    """The rows of link_events that may be compatible with one of ``front``'s."""
    lo = front.column("lo")
    parts, params = [], {"slack": slack}
    if lo.null_count:
        parts.append(_UNDATED_FRONT)
    if lo.null_count < len(lo):
        parts.append(_DATED_FRONT)
        params["first"] = pc.min(lo).as_py()
        params["last"] = pc.max(front.column("hi")).as_py()
    with state.registered(conn, "_front", front):
        return _table(conn.execute(" UNION ".join(parts), params).fetchall(), front.schema)


def _table(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    """Query rows as an Arrow table (``conn.sql(...).to_arrow_table()`` would bind and
    plan the query twice: a relation, then its result)."""
    columns = list(zip(*rows, strict=True)) if rows else [()] * len(schema)
    return pa.Table.from_arrays(
        [pa.array(c, type=f.type) for c, f in zip(columns, schema, strict=True)], schema=schema
    )


def components(
    conn, config, new: Sequence[ArticleRecord], gone_events: Iterable[str] = ()
) -> set[str]:
    """The mentions connected to the new articles' and to ``gone_events`` in the stored
    link tables (through pairs that may be compatible): the components holding them."""
    # the frontier's rows as a small table: joining the whole table with itself and
    # then filtering would cost a pass over every pair of a block. Each round's query
    # returns the rows of the next front, so no round reads link_events by id again,
    # and the first front is the new mentions' rows as they were stored
    front = state.event_rows(new, config, [c.strip() for c in EVENT_COLUMNS.split(",")])
    gone = sorted(set(gone_events))
    if gone:
        stored = conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM link_events "
            "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
            [gone],
        ).fetchall()
        front = pa.concat_tables([front, _table(stored, front.schema)])
    reached = set(front.column("event_id").to_pylist())
    while front.num_rows:
        found = _neighbours(conn, front, int(config.incidents.window_days))
        keep = []
        for i, event_id in enumerate(found.column("event_id").to_pylist()):
            if event_id not in reached:
                reached.add(event_id)
                keep.append(i)
        front = found.take(pa.array(keep, type=pa.int64()))
    return reached


# -- incidents -------------------------------------------------------------------


def update_incidents(
    store, conn, config, scope: set[str], gone_events: set[str], dup_changed: set[str], articles
) -> tuple[list[frozenset[str]], list[frozenset[str]]]:
    """Recluster the mentions in ``scope`` (whole components, removed ones left out) and
    rebuild the incidents whose articles changed duplicate group. Returns the article
    sets (of two or more) of the incidents replaced and of those that replace them: the
    ties between articles the stories step sees lost and gained."""
    # the stored incidents holding a mention of the scope (replaced) and their articles
    replaced: dict[str, set[str]] = defaultdict(set)
    for incident_id, article_id in state.rows(
        conn,
        "SELECT incident_id, article_id FROM incident_articles WHERE incident_id IN "
        "(SELECT incident_id FROM incident_events "
        "WHERE event_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY incident_id, idx",
        sorted(scope | gone_events),
    ):
        replaced[incident_id].add(article_id)
    # incidents left as they were whose articles changed duplicate group: same members,
    # but their sources may now count differently
    recount: dict[str, list[str]] = {}
    # (a new article's mentions are all in the scope: its incidents are replaced anyway)
    dup_changed = dup_changed - articles.fresh
    if dup_changed:
        for incident_id, event_id in state.rows(
            conn,
            "SELECT incident_id, event_id FROM incident_events WHERE incident_id IN "
            "(SELECT incident_id FROM incident_articles "
            "WHERE article_id IN (SELECT unnest(?::VARCHAR[]))) ORDER BY incident_id, idx",
            sorted(dup_changed),
        ):
            if incident_id not in replaced:
                recount.setdefault(incident_id, []).append(event_id)
    kept = {e for members in recount.values() for e in members}
    mentions = {m.event_id: m for m in state.event_records(conn, (scope - gone_events) | kept)}
    clusters = cluster_mentions(
        [mentions[e] for e in sorted(scope - gone_events)], config.incidents
    )
    reclustered = len(clusters)
    clusters += [[mentions[e] for e in members] for members in recount.values()]
    article_ids = {m.article_id for c in clusters for m in c}
    groups, days = state.duplicate_groups_with_days(conn, article_ids)
    articles.need(article_ids | _may_be_first(conn, (g.article_ids for g in groups), days))
    sources = SourceIndex(articles, groups)
    incidents = [build_incident(c, articles, sources) for c in clusters]
    store.save_incidents(incidents, replace_all=False, remove=sorted(set(replaced) | set(recount)))
    before = [frozenset(m) for m in replaced.values() if len(m) > 1]
    after = [frozenset(i.article_ids) for i in incidents[:reclustered] if i.num_articles > 1]
    return before, after


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
        replayed = state.column(conn, "SELECT commitment_id FROM _aid_replay")
    finally:
        conn.execute("DROP TABLE IF EXISTS _aid_replay")
        conn.execute("DROP TABLE IF EXISTS _aid_start")
    members: dict[str, list[str]] = defaultdict(list)
    for merged_id, commitment_id in state.rows(
        conn,
        "SELECT merged_id, commitment_id FROM merged_aid_commitments "
        "WHERE merged_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted(stale),
    ):
        members[merged_id].append(commitment_id)
    ids = (replayed | undonored | {c for m in members.values() for c in m}) - set(gone_aid)
    records = {r.commitment_id: r for r in state.aid_records(conn, ids)}
    # merging reads an article's publication date only as the date of a commitment that
    # states none (``veille.link.aid._when``)
    articles = state.dated_records(
        conn, {r.article_id for r in records.values() if r.announced.value is None}
    )

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

    articles = _Articles(conn, new)
    gone_ids = sorted(r.article_id for r in gone)
    gone_events = {e.event_id for r in gone for e in r.events}
    event_scope = components(conn, config, new, gone_events)
    state.delete_records(conn, gone_ids)
    lap("components")
    dup_changed = update_duplicates(store, conn, config, new, gone, articles)
    lap("duplicates")
    ties = update_incidents(store, conn, config, event_scope, gone_events, dup_changed, articles)
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
        ties=ties,
    )
    lap("stories")
    return {
        "relinked_mentions": len(event_scope - gone_events),
        "relinked_commitments": relinked_commitments,
        **stories,
        "link_step_seconds": seconds,
        "link_step_cpu_seconds": cpu_seconds,
    }
