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
from collections.abc import Sequence
from dataclasses import dataclass

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


def similar_articles(
    articles: Sequence[ArticleRecord], config: StoryConfig
) -> list[tuple[str, str, float]]:
    """Pairs whose cosine reaches the threshold within the time window."""
    vecs = vectors(articles, config)
    days = {a.article_id: a.day for a in articles}
    n = len(articles)
    max_df = max(2, min(int(config.max_df_share * n), config.max_postings))
    postings: dict[str, list[str]] = defaultdict(list)
    for aid in sorted(vecs):
        for f in vecs[aid]:
            postings[f].append(aid)
    # candidates: b has one of a's heaviest features (all pairs would be quadratic; a
    # pair whose cosine reaches the threshold almost always shares one)
    window = config.window_days
    candidates: set[tuple[str, str]] = set()
    for a, vec in vecs.items():
        da = days[a]
        for f in sorted(vec, key=lambda f: (-vec[f], f))[: config.seed_features]:
            ids = postings[f]
            if len(ids) > max_df:
                continue
            for b in ids:  # the time window first: most candidates end there
                if b == a or (da and (db := days[b]) and abs((da - db).days) > window):
                    continue
                candidates.add((a, b) if a < b else (b, a))
    pairs = []
    for a, b in candidates:
        va, vb = vecs[a], vecs[b]
        if len(va) > len(vb):
            va, vb = vb, va
        cos = sum(w * vb.get(f, 0.0) for f, w in va.items())
        if cos >= config.threshold:
            pairs.append((a, b, cos))
    pairs.sort()  # sorting the few pairs kept, not every candidate
    return pairs


def find_stories(
    articles: Sequence[ArticleRecord],
    incidents: Sequence[Incident] = (),
    groups: Sequence[DuplicateGroup] = (),
    config: StoryConfig | None = None,
) -> list[Story]:
    config = config or StoryConfig()
    known = {a.article_id for a in articles}
    parent = {aid: aid for aid in known}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = sorted((find(a), find(b)))
        parent[rb] = ra

    for a, b, _ in similar_articles(articles, config):
        union(a, b)
    for ids in [i.article_ids for i in incidents] + [g.article_ids for g in groups]:
        ids = [x for x in ids if x in known]
        for other in ids[1:]:
            union(ids[0], other)

    members: dict[str, list[ArticleRecord]] = defaultdict(list)
    for a in articles:
        members[find(a.article_id)].append(a)
    entity_df = Counter(key for a in articles for key, _, _ in a.entities)
    n = len(articles)
    idf = {k: math.log(1 + (n - d + 0.5) / (d + 0.5)) for k, d in entity_df.items()}
    stories = []
    for recs in members.values():
        if len(recs) < 2:
            continue
        stories.append(build_story(recs, idf, config))
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
