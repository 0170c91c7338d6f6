"""Stories: articles grouped into topics over time.

Document vectors are built from stored data, not from spaCy's ``doc.vector`` (which is
not kept after analysis): each article is a sparse TF-IDF vector over its linked
entities (KB id, else type and folded name; weighted ``entity_weight`` times a word) and
its most frequent longer words (sublinear term frequency, BM25's idf computed over the
current set of articles, so a word or entity present everywhere, such as the war's two
belligerents, weighs little without any stop list). Two articles are linked when

- their vectors' cosine reaches ``threshold`` and their days are at most
  ``window_days`` apart (when both are known), or
- they report one incident, or they are in one duplicate group.

Stories are the connected components of these links with two or more articles; the
label joins the names of the entities mentioned most across the story, each mention
weighted by the entity's idf (so "Ukraine" rarely leads a label). Everything is a
function of the set of articles, so incremental and from-scratch runs agree.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from veille.link.records import ArticleRecord
from veille.model import DuplicateGroup, Incident, Story, stable_id


@dataclass(frozen=True, slots=True)
class StoryConfig:
    threshold: float = 0.2  # cosine; on the 10 real articles: related 0.25-0.34, others <= 0.13
    window_days: int = 14
    entity_weight: float = 2.0
    max_df_share: float = 0.5  # features in more articles than this share never link alone
    max_postings: int = 300  # nor do features in more articles than this (bounds the work)
    seed_features: int = 10  # a candidate shares one of these heaviest features
    label_entities: int = 3
    top_entities: int = 5


def vectors(articles: Sequence[ArticleRecord], config: StoryConfig) -> dict[str, dict[str, float]]:
    """L2-normalised sparse TF-IDF vectors, by article id."""
    raw: dict[str, dict[str, float]] = {}
    for a in articles:
        # sublinear term frequency; an entity counts ``entity_weight`` times a word
        feats = {"e:" + key: config.entity_weight * (1 + math.log(c)) for key, _, c in a.entities}
        feats.update({"t:" + term: 1 + math.log(c) for term, c in a.terms})
        raw[a.article_id] = feats
    n = len(articles)
    df = Counter(f for feats in raw.values() for f in feats)
    out: dict[str, dict[str, float]] = {}
    for aid, feats in raw.items():
        # BM25's idf: always positive, yet small for a feature nearly every article has
        vec = {f: w * math.log(1 + (n - df[f] + 0.5) / (df[f] + 0.5)) for f, w in feats.items()}
        norm = math.sqrt(sum(v * v for v in vec.values())) or 1.0
        out[aid] = {f: v / norm for f, v in vec.items()}
    return out


@dataclass(slots=True)
class StoryInputs:
    """Every article's story features as arrays: what ``similar_pairs`` reads.

    ``row``/``feat``/``raw`` hold one entry per (article, feature): the article's index in
    ``ids`` (sorted), the feature's rank among all feature names, and its weight before
    idf (sublinear tf; entities ``entity_weight`` times a word). Entries come article by
    article, entities first, each in its stored order. ``days`` are day ordinals per
    article (-1: unknown).
    """

    ids: list[str]
    days: np.ndarray
    row: np.ndarray
    feat: np.ndarray
    raw: np.ndarray
    width: int


def story_features(article: ArticleRecord, config: StoryConfig) -> list[tuple[str, float]]:
    """(feature name, weight before idf) of one article, in entry order."""
    out = [("e:" + key, config.entity_weight * (1 + math.log(c))) for key, _, c in article.entities]
    out += [("t:" + term, 1 + math.log(c)) for term, c in article.terms]
    return out


def inputs_from_records(articles: Sequence[ArticleRecord], config: StoryConfig) -> StoryInputs:
    ids = sorted(a.article_id for a in articles)
    by_id = {a.article_id: a for a in articles}
    code: dict[str, int] = {}
    rows: list[int] = []
    codes: list[int] = []
    raw: list[float] = []
    days = np.full(len(ids), -1, dtype=np.int64)
    for i, article_id in enumerate(ids):
        a = by_id[article_id]
        if (day := a.day) is not None:
            days[i] = day.toordinal()
        for name, weight in story_features(a, config):
            rows.append(i)
            codes.append(code.setdefault(name, len(code)))
            raw.append(weight)
    # feature codes renumbered in name order, so ties between weights break by name
    rank = np.empty(len(code), dtype=np.int64)
    rank[[code[f] for f in sorted(code)]] = np.arange(len(code))
    return StoryInputs(
        ids=ids,
        days=days,
        row=np.asarray(rows, dtype=np.int64),
        feat=rank[np.asarray(codes, dtype=np.int64)],
        raw=np.asarray(raw, dtype=np.float64),
        width=len(code),
    )


def similar_articles(
    articles: Sequence[ArticleRecord], config: StoryConfig
) -> list[tuple[str, str, float]]:
    """Pairs whose cosine reaches the threshold within the time window, sorted."""
    return similar_pairs(inputs_from_records(articles, config), config)


def similar_pairs(inputs: StoryInputs, config: StoryConfig) -> list[tuple[str, str, float]]:
    """Pairs whose cosine reaches the threshold within the time window, sorted.

    The same vectors as ``vectors`` (computed here with numpy over all articles at once):
    b is a candidate for a when it has one of a's ``seed_features`` heaviest features
    (all pairs would be quadratic; a pair whose cosine reaches the threshold almost
    always shares one) that is in at most ``max_df`` articles, and their days are at most
    ``window_days`` apart when both are known.
    """
    ids, days, row, feat = inputs.ids, inputs.days, inputs.row, inputs.feat
    n, width = len(ids), inputs.width
    if n < 2 or not len(row):
        return []
    df = np.bincount(feat, minlength=width)
    idf = np.log(1 + (n - df + 0.5) / (df + 0.5))  # BM25's idf, as in ``vectors``
    weight = inputs.raw * idf[feat]
    norm = np.sqrt(np.bincount(row, weights=weight * weight, minlength=n))
    norm[norm == 0] = 1.0
    value = weight / norm[row]

    # seeds: each article's heaviest features, those in at most max_df articles
    max_df = max(2, min(int(config.max_df_share * n), config.max_postings))
    order = np.lexsort((feat, -value, row))
    first = np.searchsorted(row[order], np.arange(n))
    place = np.arange(len(order)) - first[row[order]]
    seed = order[(place < config.seed_features) & (df[feat[order]] <= max_df)]
    seed_row, seed_feat = row[seed], feat[seed]

    # postings of each feature by day (undated ones apart), found by bisection
    span = 1 << 23  # more than any day ordinal plus the window
    dated = days[row] >= 0
    post_key = feat[dated] * span + days[row][dated]
    post_order = np.argsort(post_key, kind="stable")
    post_key, post_row = post_key[post_order], row[dated][post_order]
    undated_order = np.argsort(feat[~dated], kind="stable")
    undated_feat, undated_row = feat[~dated][undated_order], row[~dated][undated_order]

    window = config.window_days
    seed_day = days[seed_row]
    known = seed_day >= 0
    low = np.where(known, seed_feat * span + seed_day - window, seed_feat * span)
    high = np.where(known, seed_feat * span + seed_day + window, seed_feat * span + span - 1)
    starts = np.searchsorted(post_key, low, side="left")
    ends = np.searchsorted(post_key, high, side="right")
    u_starts = np.searchsorted(undated_feat, seed_feat, side="left")
    u_ends = np.searchsorted(undated_feat, seed_feat, side="right")
    found = [
        *_expand(seed_row, starts, ends, post_row, n),
        *_expand(seed_row, u_starts, u_ends, undated_row, n),
    ]
    pairs = np.unique(np.concatenate(found)) if found else np.empty(0, dtype=np.int64)
    left, right = pairs // n, pairs % n
    cosines = _cosines(row, feat, value, width, left, right)
    keep = np.flatnonzero(cosines >= config.threshold)
    return [(ids[left[k]], ids[right[k]], float(cosines[k])) for k in keep]


def _expand(
    seed_row: np.ndarray, starts: np.ndarray, ends: np.ndarray, target: np.ndarray, n: int
) -> list[np.ndarray]:
    """Pair codes (lo * n + hi) of each seed's article with every posting in its range,
    made a bounded number of seeds at a time (each chunk deduplicated), so memory stays
    flat however many postings the seeds reach."""
    lens = ends - starts
    out: list[np.ndarray] = []
    budget = 2_000_000  # postings expanded at once
    bounds = np.searchsorted(np.cumsum(lens), np.arange(budget, int(lens.sum()), budget))
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
        distinct = a != b
        a, b = a[distinct], b[distinct]
        out.append(np.unique(np.minimum(a, b) * n + np.maximum(a, b)))
    return out


def _cosines(
    row: np.ndarray,
    feat: np.ndarray,
    value: np.ndarray,
    width: int,
    left: np.ndarray,
    right: np.ndarray,
) -> np.ndarray:
    """Dot products of the normalised vectors of the article pairs (left[k], right[k])."""
    keys = row * width + feat
    order = np.argsort(keys, kind="stable")
    keys, entry_feat, vals = keys[order], feat[order], value[order]
    start = np.searchsorted(keys // width, np.arange(int(row.max()) + 1), side="left")
    count = np.bincount(row, minlength=int(row.max()) + 1)
    out = np.zeros(len(left), dtype=np.float64)
    chunk = 25_000  # pairs at once: about 1.3M entries, tens of MB per array
    for lo in range(0, len(left), chunk):
        li, ri = left[lo : lo + chunk], right[lo : lo + chunk]
        lens = count[li]
        owner = np.repeat(np.arange(len(li)), lens)
        offset = np.arange(int(lens.sum())) - np.repeat(np.cumsum(lens) - lens, lens)
        entry = start[li][owner] + offset
        wanted = ri[owner] * width + entry_feat[entry]
        pos = np.minimum(np.searchsorted(keys, wanted), len(keys) - 1)
        product = np.where(keys[pos] == wanted, vals[entry] * vals[pos], 0.0)
        out[lo : lo + chunk] = np.bincount(owner, weights=product, minlength=len(li))
    return out


def find_stories(
    articles: Sequence[ArticleRecord],
    incidents: Sequence[Incident] = (),
    groups: Sequence[DuplicateGroup] = (),
    config: StoryConfig | None = None,
) -> list[Story]:
    config = config or StoryConfig()
    by_id = {a.article_id: a for a in articles}
    entity_df = Counter(key for a in articles for key, _, _ in a.entities)
    return stories_from(
        inputs_from_records(articles, config),
        entity_df,
        lambda ids: {i: by_id[i] for i in ids},
        incidents,
        groups,
        config,
    )


def stories_from(
    inputs: StoryInputs,
    entity_df: Mapping[str, int],
    records_of: Callable[[list[str]], Mapping[str, ArticleRecord]],
    incidents: Sequence = (),
    groups: Sequence = (),
    config: StoryConfig | None = None,
) -> list[Story]:
    """Stories from the articles' features; ``records_of`` gives the records of the
    articles in a story (for labels and dates), ``entity_df`` how many articles name each
    entity; incidents and groups need only ``article_ids``."""
    config = config or StoryConfig()
    ids = inputs.ids
    known = set(ids)
    parent = {aid: aid for aid in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra

    for a, b, _ in similar_pairs(inputs, config):
        union(a, b)
    for linked in [i.article_ids for i in incidents] + [g.article_ids for g in groups]:
        linked = [x for x in linked if x in known]
        for other in linked[1:]:
            union(linked[0], other)

    members: dict[str, list[str]] = defaultdict(list)
    for aid in ids:
        members[find(aid)].append(aid)
    multi = [m for m in members.values() if len(m) > 1]
    records = records_of([a for m in multi for a in m])
    n = len(ids)
    idf = {k: math.log(1 + (n - d + 0.5) / (d + 0.5)) for k, d in entity_df.items()}
    stories = [build_story([records[a] for a in m], idf, config) for m in multi]
    stories.sort(key=lambda s: s.id)
    return stories


def build_story(recs: Sequence[ArticleRecord], idf: dict[str, float], config: StoryConfig) -> Story:
    """A story of these articles, labelled by its most mentioned distinctive entities."""
    ids = tuple(sorted(r.article_id for r in recs))
    mentions: Counter[str] = Counter()
    names: dict[str, str] = {}
    for r in recs:
        for key, name, count in r.entities:
            mentions[key] += count * idf.get(key, 1.0)
            names.setdefault(key, name)
    ranked = sorted(mentions, key=lambda k: (-mentions[k], names[k]))
    top = tuple(names[k] for k in ranked[: config.top_entities])
    if top:
        label = " · ".join(top[: config.label_entities])
    else:  # no linked entities: the most common longer words
        terms: Counter[str] = Counter()
        for r in recs:
            terms.update(dict(r.terms))
        label = " · ".join(sorted(terms, key=lambda t: (-terms[t], t))[: config.label_entities])
    # publication dates only: an undated story stays undated rather than taking the day
    # Veille happened to read its articles
    days = [d for r in recs if (d := r.published_day) is not None]
    return Story(
        id=stable_id("story", *ids),
        label=label,
        article_ids=ids,
        top_entities=top,
        first_date=min(days, default=None),
        last_date=max(days, default=None),
    )
