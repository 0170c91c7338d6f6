"""Exact and near-duplicate articles.

Two articles are one group when they have the same ``content_hash`` (kind ``exact``) or
when the Jaccard similarity of their word-shingle sets, estimated by MinHash (datasketch),
reaches the threshold (kind ``near``). Candidates come from LSH banding with datasketch's
choice of bands for the threshold, done by sorting the signature matrix (see
``candidate_pairs``), so grouping is roughly linear in the number of articles; each
candidate pair is then checked against the threshold with the signatures' estimate.
Groups are connected components of the accepted pairs (single linkage), so the result
depends only on the set of articles, never on the order they arrived in.

Shingles are runs of ``shingle_size`` consecutive words (``\\w+``, casefolded), which is
language-independent. The default size and threshold are justified by
``bench/bench_dedup.py`` (see ``bench/results/dedup.json``).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

from veille.errors import DataFileError
from veille.model import Article, DuplicateGroup, stable_id

WORD = re.compile(r"\w+")
MINHASH_SEED = 1


@dataclass(frozen=True, slots=True)
class DedupConfig:
    threshold: float = 0.35  # estimated Jaccard at or above which two articles are one group
    shingle_size: int = 3  # words per shingle
    num_perm: int = 128  # MinHash permutations


@dataclass(frozen=True, slots=True)
class DedupRecord:
    """What dedup needs to know about one article; ``signature`` is the MinHash values."""

    article_id: str
    content_hash: str
    signature: np.ndarray
    outlet: str | None = None
    url: str | None = None


def shingles(text: str, size: int) -> set[bytes]:
    """The set of word ``size``-grams of a text (one shingle for a text shorter than that)."""
    words = WORD.findall(text.casefold())
    if len(words) <= size:
        return {" ".join(words).encode("utf-8")} if words else set()
    return {" ".join(words[i : i + size]).encode("utf-8") for i in range(len(words) - size + 1)}


def jaccard(a: set[bytes], b: set[bytes]) -> float:
    """Exact Jaccard similarity of two shingle sets (used by the bench and tests)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def signatures(texts: Iterable[str], config: DedupConfig) -> list[np.ndarray]:
    """MinHash signatures (``num_perm`` uint64 values) of many texts."""
    sets = (sorted(shingles(text, config.shingle_size)) for text in texts)
    return [
        m.hashvalues.copy()
        for m in MinHash.generator(sets, num_perm=config.num_perm, seed=MINHASH_SEED)
    ]


def record_for(article: Article, signature: np.ndarray) -> DedupRecord:
    return DedupRecord(
        article_id=article.id,
        content_hash=article.content_hash or stable_id("text", article.text),
        signature=signature,
        outlet=article.outlet,
        url=article.url,
    )


def records_for(articles: Sequence[Article], config: DedupConfig) -> list[DedupRecord]:
    sigs = signatures((a.text for a in articles), config)
    return [record_for(a, s) for a, s in zip(articles, sigs, strict=True)]


def estimated_jaccard(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = self.parent.setdefault(x, x)
        while root != self.parent[root]:
            root = self.parent[root]
        while x != root:  # path compression
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            # the smaller id wins, so roots do not depend on insertion order
            lo, hi = sorted((ra, rb))
            self.parent[hi] = lo


@functools.lru_cache(maxsize=8)
def band_params(config: DedupConfig) -> tuple[int, int]:
    """(bands, rows per band) that datasketch picks for this threshold and num_perm."""
    # LSH only proposes candidates; above 0.9 datasketch cannot band, and a lower
    # candidate threshold only costs a few more checks
    lsh = MinHashLSH(threshold=min(config.threshold, 0.9), num_perm=config.num_perm)
    return lsh.b, lsh.r


def band_keys(matrix: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 per article and band (wrapping multiply-add over the band's values).

    Sorting or joining on it is far faster than on byte strings, and a rare collision only
    adds a candidate to check. The store keeps these keys (``link_bands``) so that a run
    finds the stored articles sharing a band with a new one in SQL; both paths use this
    function, so they propose exactly the same candidates.
    """
    n = len(matrix)
    out = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            block = matrix[:, band * rows : (band + 1) * rows].astype(np.uint64)
            keys = np.zeros(n, dtype=np.uint64)
            for col in range(rows):
                keys = keys * np.uint64(0x100000001B3) + block[:, col]
            out[:, band] = keys
    return out


def lsh_eligible(signature: np.ndarray) -> bool:
    """A text without a single word (constant signature) is nobody's near-duplicate."""
    return bool(len(signature)) and not (signature == signature[0]).all()


def candidate_pairs(matrix: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """Index pairs (i < j) that agree on every value of at least one band.

    This is MinHash LSH banding done with sorting over the signature matrix instead of
    datasketch's dict-of-sets index, which needs about 10 KB per article at 32 bands.
    """
    n = len(matrix)
    found: list[np.ndarray] = []
    all_keys = band_keys(matrix, bands, rows)
    for band in range(bands):
        keys = all_keys[:, band]
        order = np.argsort(keys, kind="stable")
        ranked = keys[order]
        same = ranked[1:] == ranked[:-1]
        if not same.any():
            continue
        # runs of equal band values: every pair inside a run is a candidate
        edges = np.diff(np.concatenate(([False], same, [False])).astype(np.int8))
        starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) + 1
        pairs_only = ends - starts == 2  # the usual case, done for all runs at once
        a, b = order[starts[pairs_only]], order[starts[pairs_only] + 1]
        found.append(np.minimum(a, b).astype(np.int64) * n + np.maximum(a, b))
        for lo, hi in zip(starts[~pairs_only], ends[~pairs_only], strict=True):
            members = np.sort(order[lo:hi]).astype(np.int64)
            i, j = np.triu_indices(len(members), k=1)
            found.append(members[i] * n + members[j])
    if not found:
        return np.empty((0, 2), dtype=np.int64)
    codes = np.unique(np.concatenate(found))
    return np.stack((codes // n, codes % n), axis=1)


def similar_pairs(
    records: Sequence[DedupRecord], config: DedupConfig
) -> list[tuple[str, str, float]]:
    """Pairs of distinct-text articles whose estimated Jaccard reaches the threshold."""
    if not 0.0 < config.threshold <= 1.0:
        raise DataFileError(
            f"near_duplicate_threshold must be in (0, 1], got {config.threshold}",
            path="<settings>",
        )
    # one representative per exact text: exact copies are grouped by hash, not by LSH;
    # a text without a single word (constant signature) is nobody's near-duplicate
    reps: list[DedupRecord] = []
    seen_hash: set[str] = set()
    for rec in sorted(records, key=lambda r: r.article_id):
        if rec.content_hash in seen_hash or not lsh_eligible(rec.signature):
            continue
        seen_hash.add(rec.content_hash)
        reps.append(rec)
    if len(reps) < 2:
        return []
    matrix = np.stack([r.signature for r in reps])
    bands, rows = band_params(config)
    pairs: list[tuple[str, str, float]] = []
    candidates = candidate_pairs(matrix, bands, rows)
    for chunk in range(0, len(candidates), 65536):
        part = candidates[chunk : chunk + 65536]
        sims = (matrix[part[:, 0]] == matrix[part[:, 1]]).mean(axis=1)
        for (i, j), sim in zip(part, sims, strict=True):
            if sim >= config.threshold:
                pairs.append((reps[i].article_id, reps[j].article_id, float(sim)))
    pairs.sort()
    return pairs


def group_duplicates(
    records: Sequence[DedupRecord], config: DedupConfig | None = None
) -> list[DuplicateGroup]:
    """Duplicate groups (two or more articles) among ``records``, sorted by id."""
    config = config or DedupConfig()
    uf = _UnionFind()
    by_hash: dict[str, list[str]] = defaultdict(list)
    for rec in records:
        by_hash[rec.content_hash].append(rec.article_id)
    for ids in by_hash.values():
        for other in ids[1:]:
            uf.union(ids[0], other)
    lowest: dict[str, float] = {}
    pairs = similar_pairs(records, config)
    for a, b, _ in pairs:
        uf.union(a, b)
    for a, _, sim in pairs:
        root = uf.find(a)
        lowest[root] = min(lowest.get(root, 1.0), sim)

    members: dict[str, list[DedupRecord]] = defaultdict(list)
    for rec in records:
        members[uf.find(rec.article_id)].append(rec)
    groups = []
    for root, recs in members.items():
        if len(recs) < 2:
            continue
        recs.sort(key=lambda r: r.article_id)
        ids = tuple(r.article_id for r in recs)
        exact = len({r.content_hash for r in recs}) == 1
        groups.append(
            DuplicateGroup(
                id=stable_id("duplicates", *ids),
                kind="exact" if exact else "near",
                article_ids=ids,
                outlets=tuple(sorted({r.outlet for r in recs if r.outlet})),
                urls=tuple(sorted({r.url for r in recs if r.url})),
                similarity=1.0 if exact else round(lowest.get(root, 1.0), 4),
            )
        )
    groups.sort(key=lambda g: g.id)
    return groups


def find_duplicates(
    articles: Sequence[Article], config: DedupConfig | None = None
) -> list[DuplicateGroup]:
    """Duplicate groups among articles (computes their MinHash signatures)."""
    config = config or DedupConfig()
    return group_duplicates(records_for(articles, config), config)
