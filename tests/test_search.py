"""Full-text search: French stemming, folded accents, BM25 ranking, filters, incremental index."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from veille.search import (
    IndexDoc,
    SearchFilters,
    add_documents,
    index_articles,
    index_dir,
    indexed_ids,
    search,
)

DOCS = [
    IndexDoc(
        "a",
        "Le ministère russe de la Défense affirme avoir abattu 31 drones.",
        "Drones abattus au-dessus de la Crimée",
        "Le Monde",
        date(2023, 10, 4),
    ),
    IndexDoc(
        "b",
        "Des frappes ont visé une usine de munitions à Samara. Un drone a été vu.",
        "Frappes à Samara",
        "Ouest-France",
        date(2023, 10, 5),
    ),
    IndexDoc(
        "c",
        "L'Allemagne annonce une aide militaire à l'Ukraine, dont des systèmes "
        "de défense aérienne.",
        "Aide allemande",
        "Le Monde",
        date(2023, 10, 6),
    ),
    IndexDoc("d", "Les négociations sur les céréales reprennent à Istanbul.", None, None, None),
]


@pytest.fixture()
def settings(tmp_path: Path) -> SimpleNamespace:
    s = SimpleNamespace(search_index_dir=tmp_path / "idx", db_path=tmp_path / "x.duckdb")
    add_documents(index_dir(s), DOCS)
    return s


def ids(result) -> list[str]:
    return [h.article_id for h in result.items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("drone", {"a", "b"}),  # singular finds plural (Snowball French stemmer)
        ("drônes", {"a", "b"}),  # accents folded in the query ...
        ("defense", {"a", "c"}),  # ... and in the text: Défense, défense
        ("DÉFENSE", {"a", "c"}),
        ("négociation", {"d"}),
        ("munitions Samara", {"b"}),  # words are ANDed by default
        ("munitions OR céréales", {"b", "d"}),
        ('"usine de munitions"', {"b"}),  # phrase query
        ("introuvable", set()),
    ],
)
def test_french_matching(settings, query, expected):
    assert set(ids(search(settings, query))) == expected


def test_bm25_ranks_title_and_frequency_first(settings):
    # "a" has drones in its title and body; "b" mentions one drone once.
    assert ids(search(settings, "drones")) == ["a", "b"]


def test_snippet_is_plain_text_with_char_offsets(settings):
    hit = search(settings, "défense aérienne").items[0]
    assert hit.article_id == "c"
    words = [hit.snippet[s:e] for s, e in hit.highlights]
    assert "défense" in words and "aérienne" in words
    assert hit.published == "2023-10-06" and hit.outlet == "Le Monde"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (SearchFilters(outlet="Le Monde"), {"a", "c"}),
        (SearchFilters(date_from=date(2023, 10, 5)), {"b", "c"}),
        (SearchFilters(date_to=date(2023, 10, 4)), {"a"}),
        (SearchFilters(date_from=date(2023, 10, 5), date_to=date(2023, 10, 5)), {"b"}),
    ],
)
def test_index_side_filters(settings, filters, expected):
    assert set(ids(search(settings, "", filters))) == expected


def test_empty_query_lists_everything_and_paginates(settings):
    everything = search(settings, "", limit=2)
    assert everything.total == 4 and len(everything.items) == 2
    rest = search(settings, "", limit=2, offset=2)
    assert set(ids(everything)) | set(ids(rest)) == {"a", "b", "c", "d"}


def test_limit_is_bounded(settings):
    assert len(search(settings, "", limit=10_000).items) == 4
    assert search(settings, "", limit=-5).items == []


@pytest.mark.parametrize("query", ['"unclosed', "title:(", "AND", "*", "a:b:c", ")))"])
def test_malformed_queries_do_not_raise(settings, query):
    result = search(settings, query)
    assert result.total >= 0


def test_missing_index_finds_nothing(tmp_path):
    s = SimpleNamespace(search_index_dir=tmp_path / "none")
    assert search(s, "drone").total == 0


def test_adding_again_replaces(settings):
    add_documents(index_dir(settings), [IndexDoc("a", "Texte remplacé sans engin volant.")])
    assert ids(search(settings, "drone")) == ["b"]
    assert search(settings, "").total == 4
    assert indexed_ids(index_dir(settings)) == {"a", "b", "c", "d"}


def test_index_dir_defaults_beside_the_database(tmp_path):
    s = SimpleNamespace(search_index_dir=None, db_path=tmp_path / "veille.duckdb")
    assert index_dir(s) == tmp_path / "veille.duckdb.search"


# ---------------------------------------------------------------------------
# Over a real store


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from test_api import load_synth_store

    synth = load_synth_store()
    analyses = synth.demo_analyses()
    settings = synth.build_store(tmp_path_factory.mktemp("search") / "s.duckdb", analyses)
    return settings, {a.article.title[:12]: a.article.id for a in analyses}


def test_index_articles_is_incremental(stored):
    from veille.store import open_store

    settings, _ = stored
    assert len(indexed_ids(index_dir(settings))) == 4
    store = open_store(settings.db_path, read_only=True)
    try:
        assert index_articles(store, settings) == 0
    finally:
        store.close()


@pytest.mark.parametrize(
    ("query", "filters", "expected"),
    [
        ("abattu", SearchFilters(event_type="ASSAULT"), {"La Russie af"}),
        ("", SearchFilters(entity="pistorius"), {"L'Allemagne "}),
        ("", SearchFilters(country="USA"), {"Usines de mu"}),
        ("", SearchFilters(verification="confirmed"), {"L'Allemagne "}),
        ("Kiev", SearchFilters(event_type="AID", outlet="Le Monde"), {"L'Allemagne "}),
        ("Kiev", SearchFilters(event_type="SANCTION"), set()),
    ],
)
def test_store_filters_intersect_with_text(stored, query, filters, expected):
    settings, by_title = stored
    result = search(settings, query, filters)
    assert set(ids(result)) == {by_title[t] for t in expected}
    assert result.total == len(expected)
