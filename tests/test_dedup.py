"""Exact and near-duplicate groups (veille.link.dedup)."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from veille.errors import DataFileError
from veille.link.dedup import DedupConfig, find_duplicates, jaccard, shingles
from veille.model import Article, stable_id

SHARED_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "fr"


def article(text: str, outlet: str, name: str) -> Article:
    return Article(
        id=stable_id("test-dedup", outlet, name),
        source=f"{outlet}/{name}",
        text=text,
        outlet=outlet,
        url=f"https://{outlet}.example/{name}",
        content_hash=stable_id("text", text),
    )


def rewrite(text: str, seed: int = 3) -> str:
    """What a second outlet does to a wire story: reorder, trim, reword."""
    rng = random.Random(seed)
    paras = [p for p in text.split("\n") if p.strip()]
    paras[1], paras[2] = paras[2], paras[1]  # swap two paragraphs
    del paras[-1]  # drop the last one
    for k in (0, 1):  # reword a quarter of the first two paragraphs
        words = paras[k].split()
        for i in rng.sample(range(len(words)), len(words) // 4):
            words[i] = words[i].upper() + "x"
        paras[k] = " ".join(words)
    return "\n\n".join(paras)


@pytest.mark.parametrize(
    ("text", "size", "expected"),
    [
        ("Kiev a été frappée", 2, {"kiev a", "a été", "été frappée"}),
        ("Kiev a été frappée", 3, {"kiev a été", "a été frappée"}),
        ("Un deux", 3, {"un deux"}),
        ("", 3, set()),
    ],
)
def test_shingles_are_casefolded_word_ngrams(text, size, expected):
    assert shingles(text, size) == {e.encode("utf-8") for e in expected}


def test_threshold_out_of_range_is_an_error(seed_texts):
    with pytest.raises(DataFileError, match="near_duplicate_threshold"):
        find_duplicates([article("un deux trois", "a", "x")], DedupConfig(threshold=1.5))


def test_shingles_ignore_case_and_punctuation():
    assert shingles("La Russie, a abattu", 2) == shingles("la russie a ABATTU !", 2)


def test_rewritten_copy_of_a_seed_is_grouped_with_it(seed_texts):
    name, text = sorted(seed_texts.items())[0]
    copy = rewrite(text)
    assert copy != text
    original, rewritten = article(text, "afp", name), article(copy, "lemonde", name)
    groups = find_duplicates([original, rewritten])
    assert len(groups) == 1
    group = groups[0]
    assert group.kind == "near"
    assert set(group.article_ids) == {original.id, rewritten.id}
    assert group.outlets == ("afp", "lemonde")
    assert len(group.urls) == 2
    assert DedupConfig().threshold <= group.similarity < 1.0


def test_exact_copy_is_an_exact_group_keeping_every_outlet(seed_texts):
    name, text = sorted(seed_texts.items())[1]
    items = [article(text, outlet, name) for outlet in ("afp", "lefigaro", "ouestfrance")]
    (group,) = find_duplicates(items)
    assert group.kind == "exact"
    assert group.similarity == 1.0
    assert group.outlets == ("afp", "lefigaro", "ouestfrance")


def test_exact_copy_and_rewrite_make_one_near_group(seed_texts):
    name, text = sorted(seed_texts.items())[2]
    items = [
        article(text, "afp", name),
        article(text, "rtl", name),
        article(rewrite(text, seed=9), "tf1", name),
    ]
    (group,) = find_duplicates(items)
    assert group.kind == "near"
    assert len(group.article_ids) == 3


def test_unrelated_real_articles_are_not_grouped(seed_texts):
    texts = dict(seed_texts)
    if SHARED_CORPUS.is_dir():
        texts.update({p.name: p.read_text(encoding="utf-8") for p in SHARED_CORPUS.glob("*.txt")})
    items = [article(t, f"outlet{i}", n) for i, (n, t) in enumerate(sorted(texts.items()))]
    assert len(items) >= 5
    assert find_duplicates(items) == []


def test_unrelated_seeds_stay_apart_even_beside_a_duplicate_pair(seed_texts):
    names = sorted(seed_texts)
    items = [article(seed_texts[n], "a", n) for n in names]
    items.append(article(rewrite(seed_texts[names[4]]), "b", names[4]))
    (group,) = find_duplicates(items)
    assert len(group.article_ids) == 2


def test_threshold_is_configurable(seed_texts):
    name, text = sorted(seed_texts.items())[0]
    pair = [article(text, "afp", name), article(rewrite(text), "lemonde", name)]
    assert find_duplicates(pair, DedupConfig(threshold=0.99)) == []


def test_group_ids_are_content_hashes_independent_of_order(seed_texts):
    name, text = sorted(seed_texts.items())[3]
    items = [article(text, "a", name), article(rewrite(text), "b", name), article(text, "c", name)]
    forward = find_duplicates(items)
    backward = find_duplicates(items[::-1])
    assert forward == backward
    assert forward[0].id == stable_id("duplicates", *sorted(a.id for a in items))


def test_estimated_similarity_tracks_exact_jaccard(seed_texts):
    name, text = sorted(seed_texts.items())[4]
    copy = rewrite(text)
    exact = jaccard(shingles(text, 3), shingles(copy, 3))
    (group,) = find_duplicates([article(text, "a", name), article(copy, "b", name)])
    assert abs(group.similarity - exact) < 0.15
    assert re.fullmatch(r"[0-9a-f]{32}", group.id)
