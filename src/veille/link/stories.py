"""Stories: articles grouped into topics over time.

Document vectors are built from stored data, not from spaCy's ``doc.vector`` (which is
not kept after analysis): each article is a sparse TF-IDF vector over its linked
entities (KB id, else type and folded name; weighted ``entity_weight`` times a word) and
its most frequent longer words (sublinear term frequency).

Weights look back in time. A feature's idf in an article (BM25's idf: always positive,
yet small for a feature nearly every article has, so the war's two belligerents weigh
little without any stop list) counts the article itself and the articles dated in the
``idf_window_days`` days before the article's day (not its own day), and so does the cap
on common features (a feature in more than ``max_df_share`` of those articles, or in more
than ``max_postings`` of them, never seeds a candidate pair). So an article's vector never
depends on articles of its own day or later: a feed adding today's articles changes no
stored article's vector (``veille.link.incremental`` computes the pairs of the new
articles only, and keeps every pair in ``story_pairs``); an article added on an older
day d changes the vectors of the articles of the ``idf_window_days`` days after d. A
word new today weighs much in today's articles (the news of the day links them), and
thirty days are wider than the pair window (``window_days``) and hold thousands of
articles on a monitoring feed (stable counts).

Cold start: while the days before an article hold fewer than ``min_window_articles``
articles (the first days of a store, a sparse backfill, a corpus of a few dozen
articles), an idf over them would say little, so the article weighs its features against
the articles dated within ``idf_window_days`` before or after its day, its own day
included, as an idf over a whole small corpus does. Such an article's vector changes
when an article is added within that distance of it; whether an article is cold never
changes with articles of its own day or later, and a store past its first weeks has no
cold article near today, so this costs nothing on a feed.

An article's day is its publication day, else the day Veille read it. Articles with
neither (undated: none read by ``veille run``, which always sets the reading time) form
their own pool: their idf counts undated articles only, and they are compared with
undated articles only; they join dated stories through incidents and duplicate groups.

Two articles are linked when

- their vectors' cosine reaches ``threshold`` and their days are at most
  ``window_days`` apart (both dated) or both are undated, or
- they report one incident, or they are in one duplicate group.

Stories are the connected components of these links with two or more articles, their
articles in time order (day, then id; undated last). A story's id is a hash of its first
article: a function of the set, yet unchanged when later articles join, so a growing
story keeps its id and its stored rows. The label joins the names of the entities with
the most mentions across the story, each mention weighted by the entity's idf in the
mentioning article's window (so "Ukraine" rarely leads a label). Everything is a
function of the set of articles, so incremental and from-scratch runs agree.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy.sparse import csr_matrix

from veille.link.records import ArticleRecord
from veille.model import DuplicateGroup, Incident, Story, stable_id

_SPAN = 1 << 23  # more than any day ordinal plus a window: (feature, day) in one int64
UNDATED_ORDER = 1 << 30  # an undated article's place in a story: after every day
# label weights in millionths, as whole numbers: their sums never depend on the order
LABEL_SCALE = 1_000_000
# work done a part at a time, so memory stays flat however many pairs a run makes
EXPAND_BUDGET = 2_000_000  # candidate postings expanded at once
COSINE_CHUNK = 20_000  # pairs at once: about 1M entries a side, ~12 MB each


@dataclass(frozen=True, slots=True)
class StoryConfig:
    threshold: float = 0.2  # cosine; on the 10 real articles: related 0.25-0.34, others <= 0.13
    window_days: int = 14
    idf_window_days: int = 30  # weights count the articles of this many days before each one
    # fewer articles than this in those days: the article is weighed against the days
    # around it instead (cold start); at least the articles a full cap needs
    min_window_articles: int = 100
    entity_weight: float = 2.0
    max_df_share: float = 0.5  # features in more articles than this share never link alone
    # nor do features in more articles than this in a cold window (61 days; under one a
    # day, the old whole-store cap of 300 was stricter than that at 50,000 articles), or
    # than as many per day in a warm one (30 days: 24): it bounds the candidates a seed
    # brings, whatever the store's size
    max_postings: int = 50
    seed_features: int = 10  # a candidate shares one of these heaviest features
    label_entities: int = 3
    top_entities: int = 5


@dataclass(slots=True)
class StoryInputs:
    """Articles' story features as arrays: what ``weigh`` and ``similar_pairs`` read.

    ``row``/``feat``/``raw``/``count``/``entity`` hold one entry per (article, feature):
    the article's index in ``ids`` (sorted), the feature's rank among the feature names
    present, its weight before idf (sublinear tf; entities ``entity_weight`` times a
    word), its count and whether it is an entity. Entries come article by article,
    entities first, each in its stored order. ``days`` are day ordinals per article (-1:
    undated).
    """

    ids: list[str]
    days: np.ndarray
    row: np.ndarray
    feat: np.ndarray
    raw: np.ndarray
    count: np.ndarray
    entity: np.ndarray
    width: int


@dataclass(frozen=True, slots=True)
class Weights:
    """Per entry of ``StoryInputs``: the idf in the article's window, the value in the
    article's L2-normalised vector, and whether the feature may seed candidates. Right
    only for articles whose whole window is in the inputs."""

    idf: np.ndarray
    value: np.ndarray
    seedable: np.ndarray


@dataclass(frozen=True, slots=True)
class StoryMember:
    """What a story's label and dates read of one article: its entities (key, name,
    label weight: mentions times the entity's idf in the article's window, in
    ``LABEL_SCALE`` units), its words with counts, its publication day and its place in
    time (``member_order``)."""

    article_id: str
    published: date | None
    order: int
    entities: tuple[tuple[str, str, int], ...]
    terms: tuple[tuple[str, int], ...]


def member_order(day: int) -> int:
    """Where an article of this day ordinal (-1: undated) stands in a story: by day,
    undated last (ties by id)."""
    return day if day >= 0 else UNDATED_ORDER


def story_features(article: ArticleRecord, config: StoryConfig) -> list[tuple[str, float, int]]:
    """(feature name, weight before idf, count) of one article, in entry order."""
    out = [
        ("e:" + key, config.entity_weight * (1 + math.log(c)), c) for key, _, c in article.entities
    ]
    out += [("t:" + term, 1 + math.log(c), c) for term, c in article.terms]
    return out


def inputs_from_records(articles: Sequence[ArticleRecord], config: StoryConfig) -> StoryInputs:
    ids = sorted(a.article_id for a in articles)
    by_id = {a.article_id: a for a in articles}
    code: dict[str, int] = {}
    rows: list[int] = []
    codes: list[int] = []
    raw: list[float] = []
    counts: list[int] = []
    days = np.full(len(ids), -1, dtype=np.int64)
    for i, article_id in enumerate(ids):
        a = by_id[article_id]
        if (day := a.day) is not None:
            days[i] = day.toordinal()
        for name, weight, count in story_features(a, config):
            rows.append(i)
            codes.append(code.setdefault(name, len(code)))
            raw.append(weight)
            counts.append(count)
    # feature codes renumbered in name order, so ties between weights break by name
    rank = np.empty(len(code), dtype=np.int64)
    names = sorted(code)
    rank[[code[f] for f in names]] = np.arange(len(code))
    is_entity = np.array([f.startswith("e:") for f in names], dtype=bool)
    feat = rank[np.asarray(codes, dtype=np.int64)]
    return StoryInputs(
        ids=ids,
        days=days,
        row=np.asarray(rows, dtype=np.int64),
        feat=feat,
        raw=np.asarray(raw, dtype=np.float64),
        count=np.asarray(counts, dtype=np.int64),
        entity=is_entity[feat] if len(feat) else np.zeros(0, dtype=bool),
        width=len(code),
    )


def weigh(inputs: StoryInputs, config: StoryConfig, articles: np.ndarray | None = None) -> Weights:
    """Each entry's idf, vector value and seed eligibility, from its article and the
    articles dated in the ``idf_window_days`` days before its article's day, or within
    that many days around it when those are fewer than ``min_window_articles`` (cold);
    undated articles: from the undated ones. With ``articles`` (a mask), only the entries
    of those articles are weighed (the others are zero and never seed).

    Every figure of an article is computed from its own entries and window only, in a
    fixed order, so it is the same float whichever other articles the inputs hold."""
    row, feat = inputs.row, inputs.feat
    days = inputs.days
    window = config.idf_window_days
    cold = cold_articles(days, config)
    entry_day = days[row]
    dated = entry_day >= 0
    wanted = np.ones(len(row), dtype=bool) if articles is None else articles[row]
    key = feat[dated] * _SPAN + entry_day[dated]
    # bisections with sorted needles (the wanted entries' keys): much faster
    needed = wanted[dated]
    if articles is None:
        order = np.argsort(key)  # (equal keys: equal counts, in any order)
        ordered = key[order]
        needles = ordered
    else:
        ordered = np.sort(key)
        order = np.argsort(key[needed])
        needles = key[needed][order]
    needle_cold = cold[row[dated][needed]][order]
    # warm: the days before (own day excluded) plus the entry itself; cold: days around
    hi = np.searchsorted(ordered, needles - 1, side="right")
    if needle_cold.any():
        hi[needle_cold] = np.searchsorted(ordered, needles[needle_cold] + window, side="right")
    needed_df = np.empty(len(needles), dtype=np.int64)
    needed_df[order] = hi - np.searchsorted(ordered, needles - window, side="left") + ~needle_cold
    df = np.zeros(len(row), dtype=np.int64)
    df[np.flatnonzero(dated)[needed]] = needed_df
    undated = wanted & ~dated
    df[undated] = np.bincount(feat[~dated], minlength=inputs.width)[feat[undated]]
    # articles in each one's window (those without features count too)
    known = days >= 0
    n = np.full(len(days), int((~known).sum()), dtype=np.int64)
    n[known] = window_sizes(days[known], days[known], cold[known], window)
    n_entry = n[row]
    idf = np.where(wanted, np.log(1 + (n_entry - df + 0.5) / (df + 0.5)), 0.0)
    weight = inputs.raw * idf
    norm = np.sqrt(np.bincount(row, weights=weight * weight, minlength=len(days)))
    norm[norm == 0] = 1.0
    window_cap = np.full(len(days), config.max_postings, dtype=np.int64)
    window_cap[known & ~cold] = config.max_postings * window // (2 * window + 1)
    max_df = np.maximum(
        2, np.minimum((config.max_df_share * n_entry).astype(np.int64), window_cap[row])
    )
    return Weights(idf=idf, value=weight / norm[row], seedable=wanted & (df <= max_df))


def window_sizes(all_days: np.ndarray, days: np.ndarray, cold: np.ndarray, window: int):
    """Articles in the window of an article on each of ``days`` (cold or not), among the
    dated articles ``all_days``: the days before plus itself, or the days around."""
    ordered = np.sort(all_days)
    lo = np.searchsorted(ordered, days - window, side="left")
    before = np.searchsorted(ordered, days - 1, side="right") - lo
    around = np.searchsorted(ordered, days + window, side="right") - lo
    return np.where(cold, around, before + 1)


def cold_days(all_days: np.ndarray, days: np.ndarray, config: StoryConfig) -> np.ndarray:
    """Whether articles on each of ``days`` (dated) are cold: fewer than
    ``min_window_articles`` of the dated articles ``all_days`` in the days before."""
    ordered = np.sort(all_days)
    before = np.searchsorted(ordered, days - 1, side="right") - np.searchsorted(
        ordered, days - config.idf_window_days, side="left"
    )
    return before < config.min_window_articles


def cold_articles(days: np.ndarray, config: StoryConfig) -> np.ndarray:
    """Per article (day ordinals, -1 undated): cold (always false when undated)."""
    known = days >= 0
    out = np.zeros(len(days), dtype=bool)
    out[known] = cold_days(days[known], days[known], config)
    return out


def label_weights(inputs: StoryInputs, weights: Weights) -> np.ndarray:
    """Each entry's label weight: its count times its idf, in ``LABEL_SCALE`` units."""
    return np.rint(inputs.count * weights.idf * LABEL_SCALE).astype(np.int64)


def vectors(articles: Sequence[ArticleRecord], config: StoryConfig) -> dict[str, dict[str, float]]:
    """L2-normalised sparse TF-IDF vectors, by article id (feature names as keys)."""
    inputs = inputs_from_records(articles, config)
    value = weigh(inputs, config).value
    by_id = {a.article_id: a for a in articles}
    out: dict[str, dict[str, float]] = {}
    start = np.searchsorted(inputs.row, np.arange(len(inputs.ids)))
    for i, article_id in enumerate(inputs.ids):
        names = [name for name, _, _ in story_features(by_id[article_id], config)]
        out[article_id] = {f: float(value[start[i] + k]) for k, f in enumerate(names)}
    return out


def similar_articles(
    articles: Sequence[ArticleRecord], config: StoryConfig
) -> list[tuple[str, str, float]]:
    """Pairs whose cosine reaches the threshold within the time window, sorted."""
    return similar_pairs(inputs_from_records(articles, config), config)


def similar_pairs(
    inputs: StoryInputs,
    config: StoryConfig,
    weights: Weights | None = None,
    *,
    dirty: np.ndarray | None = None,
    valid: np.ndarray | None = None,
) -> list[tuple[str, str, float]]:
    """Pairs whose cosine reaches the threshold within the time window, sorted.

    b is a candidate for a when it has one of a's ``seed_features`` heaviest features
    (all pairs would be quadratic; a pair whose cosine reaches the threshold almost
    always shares one) that may seed (not too common in a's window), and both are dated
    at most ``window_days`` apart or both undated. With ``dirty`` (a mask of articles),
    only pairs with a dirty article are made; with ``valid``, only pairs of valid
    articles (those whose whole window the inputs hold).
    """
    return pair_list(inputs, pair_arrays(inputs, config, weights, dirty=dirty, valid=valid))


def pair_list(
    inputs: StoryInputs, pairs: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> list[tuple[str, str, float]]:
    """``pair_arrays``' pairs as (article id, article id, cosine)."""
    left, right, cosines = pairs
    ids = inputs.ids
    return [
        (ids[a], ids[b], c)
        for a, b, c in zip(left.tolist(), right.tolist(), cosines.tolist(), strict=True)
    ]


def pair_arrays(
    inputs: StoryInputs,
    config: StoryConfig,
    weights: Weights | None = None,
    *,
    dirty: np.ndarray | None = None,
    valid: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``similar_pairs`` as arrays: the articles' indices in ``inputs.ids`` (left < right,
    sorted) and the cosines."""
    days, row, feat = inputs.days, inputs.row, inputs.feat
    n = len(inputs.ids)
    if n < 2 or not len(row):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0, dtype=np.float64)
    weights = weights or weigh(inputs, config, valid)
    value, seedable = weights.value, weights.seedable
    if valid is not None:  # the entries of valid articles only: pairs are made among them
        usable = valid[row]
        row, feat, value, seedable = row[usable], feat[usable], value[usable], seedable[usable]

    # seeds: each article's heaviest features (ties by feature), those not too common in
    # its window: entries ordered by (article, value's rank, feature). (Sorts here are
    # numpy's default, vectorised and 4-6x faster than a stable sort, on keys whose ties
    # do not change the result or are broken explicitly.)
    by_value = np.argsort(-value)
    heavier = value[by_value]
    value_rank = np.empty(len(row), dtype=np.int64)
    value_rank[by_value] = np.cumsum(np.concatenate(([0], heavier[1:] != heavier[:-1])))
    order = _order(row * (int(value_rank.max(initial=0)) + 1) + value_rank, feat)
    first = np.searchsorted(row[order], np.arange(n))
    place = np.arange(len(order)) - first[row[order]]
    seed = order[(place < config.seed_features) & seedable[order]]
    seed_row, seed_feat = row[seed], feat[seed]

    # postings of each feature by day (undated ones apart), found by bisection; with
    # ``dirty``, a clean article's seeds look among the dirty articles' postings only
    found: list[np.ndarray] = []
    entry_day = days[row]
    every = np.ones(len(row), dtype=bool)
    if dirty is None:
        groups = [(seed_row, seed_feat, every)]
    else:
        from_dirty = dirty[seed_row]
        groups = [
            (seed_row[from_dirty], seed_feat[from_dirty], every),
            (seed_row[~from_dirty], seed_feat[~from_dirty], dirty[row]),
        ]
    window = config.window_days
    for s_row, s_feat, posted in groups:
        dated = posted & (entry_day >= 0)
        post_key = feat[dated] * _SPAN + entry_day[dated]
        post_order = np.argsort(post_key)  # (pairs are deduplicated and sorted after)
        post_key, post_row = post_key[post_order], row[dated][post_order]
        undated = posted & (entry_day < 0)
        undated_order = np.argsort(feat[undated])
        undated_feat, undated_row = feat[undated][undated_order], row[undated][undated_order]
        seed_day = days[s_row]
        known = seed_day >= 0
        d_row, d_key = s_row[known], s_feat[known] * _SPAN + seed_day[known]
        starts = np.searchsorted(post_key, d_key - window, side="left")
        ends = np.searchsorted(post_key, d_key + window, side="right")
        u_row, u_feat = s_row[~known], s_feat[~known]
        u_starts = np.searchsorted(undated_feat, u_feat, side="left")
        u_ends = np.searchsorted(undated_feat, u_feat, side="right")
        found += _expand(d_row, starts, ends, post_row, n, dirty)
        found += _expand(u_row, u_starts, u_ends, undated_row, n, dirty)
    pairs = _unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    left, right = pairs // n, pairs % n
    cosines = _cosines(row, feat, value, width=inputs.width, left=left, right=right)
    keep = cosines >= config.threshold
    return left[keep], right[keep], cosines[keep]


def _order(key: np.ndarray, then: np.ndarray) -> np.ndarray:
    """Indices that sort ``key``, equal keys by ``then`` (distinct among them): numpy's
    default sort, then a lexsort of the few tied entries only."""
    order = np.argsort(key)
    ordered = key[order]
    same = ordered[1:] == ordered[:-1]
    tied = np.zeros(len(order), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        at = np.flatnonzero(tied)
        sub = order[at]
        order[at] = sub[np.lexsort((then[sub], key[sub]))]
    return order


def _unique(codes: np.ndarray) -> np.ndarray:
    """Sorted distinct values (np.unique hashes int64 arrays first: many times slower)."""
    codes = np.sort(codes)
    if len(codes) < 2:
        return codes
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]


def _expand(
    seed_row: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    target: np.ndarray,
    n: int,
    dirty: np.ndarray | None,
) -> list[np.ndarray]:
    """Pair codes (lo * n + hi) of each seed's article with every posting in its range
    (only pairs with a ``dirty`` article, when given), made a bounded number of seeds at a
    time (each chunk deduplicated), so memory stays flat however many postings the seeds
    reach."""
    lens = ends - starts
    out: list[np.ndarray] = []
    bounds = np.searchsorted(
        np.cumsum(lens), np.arange(EXPAND_BUDGET, int(lens.sum()), EXPAND_BUDGET)
    )
    for part in np.split(np.arange(len(lens)), bounds):
        if not len(part):
            continue
        part_lens = lens[part]
        total = int(part_lens.sum())
        if not total:
            continue
        owner = np.repeat(part, part_lens)
        offset = np.arange(total) - np.repeat(np.cumsum(part_lens) - part_lens, part_lens)
        a, b = seed_row[owner], target[starts[owner] + offset]
        keep = a != b
        if dirty is not None:
            keep &= dirty[a] | dirty[b]
        a, b = a[keep], b[keep]
        out.append(_unique(np.minimum(a, b) * n + np.maximum(a, b)))
    return out


def _cosines(
    row: np.ndarray,
    feat: np.ndarray,
    value: np.ndarray,
    *,
    width: int,
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """Dot products of the normalised vectors of the article pairs (left[k], right[k]):
    the rows of both sides taken from a CSR matrix (features sorted) and multiplied
    element-wise, a merge in compiled code. Each dot product is summed in feature order,
    one product after the other (``np.bincount``), so it is the same float whichever
    other articles or pairs are computed with it."""
    if not len(left):
        return np.zeros(0, dtype=np.float64)
    articles = int(row.max()) + 1
    order = np.argsort(row * width + feat)  # (distinct keys)
    indptr = np.concatenate(([0], np.cumsum(np.bincount(row, minlength=articles))))
    matrix = csr_matrix((value[order], feat[order], indptr), shape=(articles, width))
    matrix.has_sorted_indices = True
    out = np.empty(len(left), dtype=np.float64)
    for lo in range(0, len(left), COSINE_CHUNK):
        li, ri = left[lo : lo + COSINE_CHUNK], right[lo : lo + COSINE_CHUNK]
        product = matrix[li].multiply(matrix[ri]).tocsr()
        owner = np.repeat(np.arange(len(li)), np.diff(product.indptr))
        out[lo : lo + COSINE_CHUNK] = np.bincount(owner, weights=product.data, minlength=len(li))
    return out


def story_components(ids: Iterable[str], links: Iterable[Sequence[str]]) -> list[list[str]]:
    """Connected components (sorted member lists, two or more members) of the articles
    ``ids`` under ``links`` (pairs, incidents' or groups' article ids); links to
    articles not in ``ids`` are ignored."""
    parent = {aid: aid for aid in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for linked in links:
        present = [x for x in linked if x in parent]
        for other in present[1:]:
            ra, rb = sorted((find(present[0]), find(other)))
            parent[rb] = ra
    members: dict[str, list[str]] = defaultdict(list)
    for aid in sorted(parent):
        members[find(aid)].append(aid)
    return [m for m in members.values() if len(m) > 1]


def find_stories(
    articles: Sequence[ArticleRecord],
    incidents: Sequence[Incident] = (),
    groups: Sequence[DuplicateGroup] = (),
    config: StoryConfig | None = None,
) -> list[Story]:
    """Every story of a set of articles held in memory (the same definition as the
    stored, incremental stories)."""
    config = config or StoryConfig()
    inputs = inputs_from_records(articles, config)
    weights = weigh(inputs, config)
    pairs = similar_pairs(inputs, config, weights)
    links = [(a, b) for a, b, _ in pairs]
    links += [i.article_ids for i in incidents] + [g.article_ids for g in groups]
    label_weight = label_weights(inputs, weights)
    start = np.searchsorted(inputs.row, np.arange(len(inputs.ids)))
    index = {aid: i for i, aid in enumerate(inputs.ids)}
    by_id = {a.article_id: a for a in articles}

    def member(article_id: str) -> StoryMember:
        r, first = by_id[article_id], int(start[index[article_id]])
        return StoryMember(
            article_id,
            r.published_day,
            member_order(int(inputs.days[index[article_id]])),
            tuple(
                (key, name, int(label_weight[first + k]))
                for k, (key, name, _) in enumerate(r.entities)
            ),
            r.terms,
        )

    stories = [
        build_story([member(a) for a in m], config) for m in story_components(inputs.ids, links)
    ]
    stories.sort(key=lambda s: s.id)
    return stories


def story_id(first_article: str) -> str:
    """A story's id: from its first article in time order (see the module docstring)."""
    return stable_id("story", first_article)


def build_story(members: Sequence[StoryMember], config: StoryConfig) -> Story:
    """A story of these articles (in time order; its id from the first one), labelled by
    its most mentioned distinctive entities."""
    members = sorted(members, key=lambda m: (m.order, m.article_id))
    ids = tuple(m.article_id for m in members)
    mentions: dict[str, int] = {}
    names: dict[str, str] = {}
    for m in members:
        for key, name, weight in m.entities:
            mentions[key] = mentions.get(key, 0) + weight
            names.setdefault(key, name)
    ranked = sorted(mentions, key=lambda k: (-mentions[k], names[k], k))
    top = tuple(names[k] for k in ranked[: config.top_entities])
    if top:
        label = " · ".join(top[: config.label_entities])
    else:  # no linked entities: the most common longer words
        terms: Counter[str] = Counter()
        for m in members:
            terms.update(dict(m.terms))
        label = " · ".join(sorted(terms, key=lambda t: (-terms[t], t))[: config.label_entities])
    # publication dates only: an undated story stays undated rather than taking the day
    # Veille happened to read its articles
    days = [m.published for m in members if m.published is not None]
    return Story(
        id=story_id(ids[0]),
        label=label,
        article_ids=ids,
        top_entities=top,
        first_date=min(days, default=None),
        last_date=max(days, default=None),
    )
