"""Stories kept incrementally: a run recomputes the story pairs and label weights of the
articles whose weights changed, joins the stored stories by the links gained, and splits
a story only when the links it lost no longer meet (see ``veille.link.incremental`` for
the other link tables and the order of the steps).

Weights look back in time (``veille.link.stories``): an article's vector and label weights
depend on the articles of the days before it only (on the days around it while it is
cold), so the new articles of a feed change no stored article's weights; stories nothing
touched stay, and a story that grows keeps its id and its rows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from veille.link import state
from veille.link.stories import (
    UNDATED_ORDER,
    build_story,
    cold_days,
    label_weights,
    member_order,
    pair_arrays,
    pair_list,
    story_id,
    weigh,
)

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
    """Store the pairs (``pair_arrays``: indices in ``inputs.ids``, cosines) and the label
    weights of the entity entries of the ``dirty`` articles (of every article: None),
    as Arrow columns built from the arrays (no Python object per row)."""
    left, right, cosine = pairs
    ids = pa.array(inputs.ids, pa.string())
    state._insert_arrow(
        conn,
        "story_pairs",
        {"a": ids.take(left), "b": ids.take(right), "cosine": pa.array(cosine, pa.float64())},
        _PAIRS,
    )
    row = inputs.row
    entries = inputs.entity.copy()
    if dirty is not None:
        entries &= dirty[row]
    start = np.searchsorted(row, np.arange(len(inputs.ids)))
    picked = np.flatnonzero(entries)
    state._insert_arrow(
        conn,
        "story_weights",
        {
            "article_id": ids.take(row[picked]),
            "idx": pa.array((picked - start[row[picked]]).astype(np.int32), pa.int32()),
            # whole numbers (exact in a DOUBLE): sums in SQL do not depend on the order
            "weight": pa.array(
                label_weights(inputs, weights)[picked].astype(np.float64), pa.float64()
            ),
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
    article sets of the incidents reclustered this run, before and after (as
    ``incremental.update_incidents`` returns them).

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
    # the stale pairs, deleted and read in one scan of story_pairs; new articles have no
    # story rows yet (a removed article's rows go with it: it is stale in that run), so a
    # feed whose new articles change no stored weights reads neither table
    old_pairs: set[tuple[str, str]] = set()
    if not new_ids.issuperset(stale):
        old_pairs = {
            (a, b)
            for a, b in state.rows(
                conn,
                "DELETE FROM story_pairs WHERE a IN (SELECT unnest(?::VARCHAR[])) "
                "OR b IN (SELECT unnest(?::VARCHAR[])) RETURNING a, b",
                stale,
                stale,
            )
        }
        conn.execute(
            "DELETE FROM story_weights WHERE article_id IN (SELECT unnest(?::VARCHAR[]))",
            [stale],
        )
    weights = weigh(inputs, cfg, valid)  # (the dirty articles are valid)
    found_pairs = pair_arrays(inputs, cfg, weights, dirty=dirty, valid=valid)
    _save_pairs_and_weights(conn, inputs, weights, found_pairs, dirty)
    pairs = pair_list(inputs, found_pairs)

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
    new_groups = [g.article_ids for g in state.duplicate_groups_of(conn, new_ids)]
    gained += new_groups
    touched = new_ids | dirty_ids | {a for link in [*gained, *lost_pairs, *lost_ties] for a in link}
    old_story = dict(
        state.rows(
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
    # (often they meet through links this run knows already: the pairs it computed, the
    # incidents as they are now, the groups of the new articles; else a walk in SQL)
    if ends:
        known = _Joined([*new_pairs, *after, *new_groups])
    broken |= {
        story
        for story, e in ends.items()
        if len(e) > WALK_ENDS or not (known.together(e) or _still_linked(conn, e))
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
    return state.column(
        conn,
        "SELECT article_id FROM story_articles WHERE story_id IN (SELECT unnest(?::VARCHAR[]))",
        sorted(story_ids),
    )


class _Joined:
    """Which articles some links join (a union-find over them)."""

    def __init__(self, links: Iterable[Iterable[str]]) -> None:
        self.parent: dict[str, str] = {}
        for link in links:
            first, *rest = (self.find(a) for a in link)
            for other in rest:
                if other != first:
                    self.parent[other] = first

    def find(self, x: str) -> str:
        parent = self.parent
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def together(self, articles: Iterable[str]) -> bool:
        """Whether the links join all these articles."""
        return len({self.find(a) for a in articles}) == 1


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
                for a, b in state.rows(conn, STORY_EDGES[kind]):
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
        state.rows(
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
        for a, day in state.rows(
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
        ids = [r[0] for r in state.rows(conn, "SELECT article_id FROM _story_scope ORDER BY code")]
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
    pairs = pair_arrays(inputs, cfg, weights)
    _save_pairs_and_weights(conn, inputs, weights, pairs, None)
    found = {story_id(m[0]): ([], m) for m in _components(conn, None)}
    stored = state.column(conn, "SELECT id FROM stories")
    stories = _write_stories(conn, cfg, found, stored - set(found), set())
    return {
        "story_articles_reached": len(inputs.ids),
        "story_pairs_new": len(pairs[0]),
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
    temps = (
        "_story_parts",
        "_story_loose",
        "_story_weighed",
        "_story_totals",
        "_story_added",
        "_story_tail",
    )
    try:
        conn.execute("CREATE OR REPLACE TEMP TABLE _story_parts AS SELECT * FROM story_parts")
        conn.execute("CREATE OR REPLACE TEMP TABLE _story_loose AS SELECT * FROM story_loose")
        # totals: the stored ones of whole stories, and the weights of the other members
        # (and of every member of a story whose weights changed), whose features are
        # read among the rows of their days only (rows are written as articles are
        # linked: a feed's new rows are the last ones, and DuckDB skips row groups of
        # other days)
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_weighed AS SELECT story, article_id FROM "
            "_story_loose UNION ALL SELECT p.story, s.article_id FROM _story_parts p "
            "JOIN story_articles s ON s.story_id = p.old_story WHERE NOT p.fresh"
        )
        first_day, last_day = conn.execute(
            "SELECT min(day_ordinal), max(day_ordinal) FROM link_story_articles "
            "WHERE article_id IN (SELECT article_id FROM _story_weighed)"
        ).fetchone()
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_totals AS "
            "SELECT story, feature, sum(total) AS total, min(first_article) AS first_article, "
            "arg_min(name, first_article) AS name FROM ("
            "SELECT p.story, e.feature, e.total, e.first_article, e.name FROM _story_parts p "
            "JOIN story_entities e ON e.story_id = p.old_story WHERE p.fresh "
            "UNION ALL SELECT t.story, f.feature, w.weight, f.article_id, f.name "
            "FROM _story_weighed t JOIN story_weights w USING (article_id) "
            "JOIN link_features f ON f.article_id = w.article_id AND f.idx = w.idx "
            "WHERE f.day_ordinal BETWEEN ? AND ?"
            ") GROUP BY story, feature",
            [first_day, last_day],
        )
        top: dict[str, list[str]] = defaultdict(list)
        for story, name in state.rows(
            conn,
            "SELECT story, name FROM _story_totals QUALIFY row_number() OVER "
            "(PARTITION BY story ORDER BY total DESC, name, feature) <= ? "
            "ORDER BY story, total DESC, name, feature",
            cfg.top_entities,
        ):
            top[story].append(name)
        dates = {
            story: (first, last)
            for story, first, last in state.rows(
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
        # (statements with nothing to do are not run: each costs a scan)
        for story, article_id in wordless and state.rows(
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
        # (a kept story whose last stored member comes before its first added one only
        # grows at its end, as a feed's stories do: none of its rows move, and its
        # members' days are not read)
        lo = ORDER.replace("day_ordinal", "l.day_ordinal")
        conn.execute(
            "CREATE OR REPLACE TEMP TABLE _story_tail AS "
            "WITH f AS (SELECT story, o AS fo, article_id AS fa, "
            "story IN (SELECT unnest(?::VARCHAR[])) AS kept FROM _story_added "
            "QUALIFY row_number() OVER (PARTITION BY story ORDER BY o, article_id) = 1), "
            "s AS (SELECT s.story_id AS story, s.idx, s.article_id FROM story_articles s "
            "JOIN f ON f.story = s.story_id), "
            "e AS (SELECT story, arg_max(article_id, idx) AS last FROM s GROUP BY story), "
            "moved AS (SELECT f.* FROM f JOIN e USING (story) "
            "LEFT JOIN link_story_articles l ON l.article_id = e.last "
            f"WHERE NOT f.kept OR l.article_id IS NULL OR {lo} > f.fo "
            f"OR ({lo} = f.fo AND e.last > f.fa)), "
            # every row of a story that takes a new id; of a kept one, the rows after its
            # first added member, looked for among the days from the earliest added one
            "t AS (SELECT s.story, s.idx, s.article_id, NULL::BIGINT AS o, false AS kept "
            "FROM s JOIN moved m USING (story) WHERE NOT m.kept UNION ALL "
            f"SELECT s.story, s.idx, s.article_id, {lo}, true FROM s JOIN moved m USING (story) "
            "JOIN (SELECT article_id, day_ordinal FROM link_story_articles "
            "WHERE day_ordinal >= (SELECT min(o) FROM _story_added) OR day_ordinal < 0) l "
            f"ON l.article_id = s.article_id WHERE m.kept AND ({lo} > m.fo "
            f"OR ({lo} = m.fo AND s.article_id > m.fa))) "
            "SELECT story, idx, article_id, o, kept FROM t",
            [based],
        )
        start = (
            "SELECT a.story, coalesce(n.members, 0) - (SELECT count(*) FROM _story_tail t "
            "WHERE t.story = a.story) AS start FROM (SELECT DISTINCT story FROM _story_added) a "
            "LEFT JOIN (SELECT story_id AS story, count(*) AS members FROM story_articles "
            "WHERE story_id IN (SELECT story FROM _story_added) GROUP BY 1) n USING (story)"
        )
        conn.execute(f"CREATE OR REPLACE TEMP TABLE _story_start AS {start}")
        gone = sorted(remove)
        for table, key in (
            ("stories", "id"),
            ("story_articles", "story_id"),
            ("story_entities", "story_id"),
        ):
            if gone:
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
