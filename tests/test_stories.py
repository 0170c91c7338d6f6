"""Stories: articles grouped into topics over time (veille.link.stories)."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import numpy as np
import pytest

from veille.link import relink, stories, update_links
from veille.link.records import ArticleRecord, article_terms
from veille.link.stories import (
    StoryConfig,
    find_stories,
    inputs_from_records,
    pair_arrays,
    pair_list,
    similar_pairs,
    story_id,
    vectors,
    weigh,
)
from veille.model import (
    Analysis,
    Article,
    DuplicateGroup,
    FuzzyDate,
    Incident,
    Precision,
    stable_id,
)
from veille.settings import Settings
from veille.store import open_store

PATRIOT = ("kb:patriot", "Patriot", 3)
ZELENSKY = ("kb:zelensky", "Volodymyr Zelensky", 2)
PISTORIUS = ("kb:pistorius", "Boris Pistorius", 2)
SAMARA = ("kb:samara", "Samara", 2)
DRONE_PLANT = ("kb:plant", "Usine de drones", 2)
UKRAINE = ("kb:ukr", "Ukraine", 4)


def art(aid: str, day: str | None, entities=(), text: str = "") -> ArticleRecord:
    return ArticleRecord(
        article_id=aid,
        content_hash=stable_id("hash", aid),
        signature=np.zeros(4, dtype=np.uint64),
        published=FuzzyDate(date.fromisoformat(day), Precision.DAY) if day else FuzzyDate.unknown(),
        entities=tuple(entities),
        terms=article_terms(text),
    )


PATRIOT_TEXT = "Livraison de systèmes Patriot à l'Ukraine, annonce le ministre allemand Pistorius."
STRIKE_TEXT = "Frappe de drones ukrainiens contre une usine de munitions à Samara, en Russie."


def corpus() -> list[ArticleRecord]:
    return [
        art("p1", "2024-06-01", [PATRIOT, PISTORIUS, UKRAINE], PATRIOT_TEXT),
        art("p2", "2024-06-03", [PATRIOT, PISTORIUS, ZELENSKY, UKRAINE], PATRIOT_TEXT),
        art("s1", "2024-06-02", [SAMARA, DRONE_PLANT, UKRAINE], STRIKE_TEXT),
        art("s2", "2024-06-02", [SAMARA, DRONE_PLANT, UKRAINE], STRIKE_TEXT + " Explosions."),
        art(
            "x",
            "2024-06-02",
            [ZELENSKY, UKRAINE, ("kb:rada", "Rada", 2), ("kb:budget", "Budget 2025", 1)],
            "Discours du président devant la Rada sur le budget, les impôts, les retraites, "
            "la corruption, les élections municipales et la réforme judiciaire attendue.",
        ),
    ]


def test_articles_sharing_entities_and_words_form_stories():
    stories = find_stories(corpus())
    assert sorted(s.article_ids for s in stories) == [("p1", "p2"), ("s1", "s2")]
    patriot = next(s for s in stories if s.article_ids == ("p1", "p2"))
    assert patriot.label.startswith("Patriot")
    assert "Boris Pistorius" in patriot.top_entities
    assert (patriot.first_date, patriot.last_date) == (date(2024, 6, 1), date(2024, 6, 3))
    # the id comes from the first article in time order
    assert patriot.id == story_id("p1") == stable_id("story", "p1")


def test_entity_present_everywhere_weighs_little():
    vecs = vectors(corpus(), StoryConfig())
    assert vecs["p1"]["e:kb:ukr"] < vecs["p1"]["e:kb:patriot"]
    assert vecs["p1"]["e:kb:ukr"] < vecs["p1"]["e:kb:pistorius"]


def test_time_window_splits_the_same_topic_far_apart():
    arts = corpus()
    arts[1] = art("p2", "2024-09-01", [PATRIOT, PISTORIUS, ZELENSKY, UKRAINE], PATRIOT_TEXT)
    ids = [s.article_ids for s in find_stories(arts)]
    assert ("p1", "p2") not in ids
    wide = find_stories(arts, config=StoryConfig(window_days=120))
    # (alone in its weeks, p2 weighs every feature alike, so it also reaches x)
    assert any({"p1", "p2"} <= set(s.article_ids) for s in wide)


def test_weights_count_only_the_articles_of_the_weeks_around():
    arts = corpus()
    before = vectors(arts, StoryConfig())
    far = art("far", "2024-08-01", [UKRAINE, PATRIOT], PATRIOT_TEXT)  # 59 days after p2
    near = art("near", "2024-06-28", [UKRAINE, PATRIOT], PATRIOT_TEXT)  # 25 days after p2
    assert vectors([*arts, far], StoryConfig()) == {
        **before,
        "far": vectors([far], StoryConfig())["far"],
    }
    with_near = vectors([*arts, near], StoryConfig())
    assert with_near["p2"] != before["p2"] and with_near["x"] != before["x"]
    # a smaller window leaves p2 (June 3) out of the count for an article of June 20
    late = art("late", "2024-06-20", [PATRIOT], PATRIOT_TEXT)
    assert (
        vectors([*arts, late], StoryConfig(idf_window_days=10))["p1"]
        == vectors(arts, StoryConfig(idf_window_days=10))["p1"]
    )


def test_undated_articles_pair_only_with_undated_ones():
    arts = corpus()
    twins = [
        art("u1", None, [SAMARA, DRONE_PLANT], STRIKE_TEXT),
        art("u2", None, [SAMARA], STRIKE_TEXT),
    ]
    ids = [s.article_ids for s in find_stories([*arts, *twins])]
    assert ("s1", "s2") in ids and ("u1", "u2") in ids
    # an undated article joins a dated story through a shared incident
    incident = Incident("i", "ASSAULT", ("e1", "e2"), ("s1", "u1"))
    ids = [s.article_ids for s in find_stories([*arts, *twins], incidents=[incident])]
    assert ("s1", "s2", "u1", "u2") in ids


def test_shared_incident_or_duplicate_group_links_articles():
    arts = corpus()
    incident = Incident("i", "ASSAULT", ("e1", "e2"), ("p1", "x"))
    stories = find_stories(arts, incidents=[incident])
    assert ("p1", "x", "p2") in [s.article_ids for s in stories]  # in time order
    group = DuplicateGroup("g", "exact", ("s1", "x"))
    stories = find_stories(arts, groups=[group])
    assert ("s1", "s2", "x") in [s.article_ids for s in stories]


def test_label_falls_back_to_words_without_entities():
    arts = [art("a", None, (), STRIKE_TEXT), art("b", None, (), STRIKE_TEXT + " Incendie.")]
    (story,) = find_stories(arts)
    assert story.top_entities == ()
    assert story.label
    assert story.first_date is None


def test_real_seed_articles_do_not_all_collapse_into_one_story(seed_texts):
    arts = [art(name, None, (), text) for name, text in seed_texts.items()]
    stories = find_stories(arts)
    assert all(len(s.article_ids) < len(arts) for s in stories)


def test_stories_do_not_depend_on_order():
    arts = corpus()
    expected = find_stories(arts)
    random.Random(4).shuffle(arts)
    assert find_stories(arts) == expected


def test_a_story_keeps_its_id_and_lists_its_articles_in_time_order_as_it_grows():
    arts = corpus()
    later = art("p0", "2024-06-05", [PATRIOT, PISTORIUS, UKRAINE], PATRIOT_TEXT)
    undated = art("pu", None, [PATRIOT], PATRIOT_TEXT)
    incident = Incident("i", "ASSAULT", ("e1", "e2"), ("p1", "pu"))
    before = next(s for s in find_stories(arts) if "p1" in s.article_ids)
    grown = find_stories([*arts, later, undated], [incident])
    (after,) = [s for s in grown if "p1" in s.article_ids]
    # by day (p0 sorts first by id but is the latest), undated last
    order = [a for a in after.article_ids if a in {"p1", "p2", "p0", "pu"}]
    assert order == ["p1", "p2", "p0", "pu"] and after.article_ids[-1] == "pu"
    assert after.id == before.id == story_id("p1")


def warm(**kwargs) -> StoryConfig:
    """Articles with 2 or more articles in the 30 days before them look back only."""
    return StoryConfig(min_window_articles=2, **kwargs)


def test_warm_weights_look_only_at_the_days_before():
    arts = corpus()  # p1 on June 1, s1, s2, x on June 2, p2 on June 3
    config = warm()
    before = vectors(arts, config)
    same_day = art("d", "2024-06-03", [UKRAINE, PATRIOT], PATRIOT_TEXT)
    later = art("l", "2024-06-20", [UKRAINE, PATRIOT], PATRIOT_TEXT)
    last = art("z", "2024-06-25", [UKRAINE, PATRIOT], PATRIOT_TEXT)
    after = vectors([*arts, same_day, later], config)
    # p2 has four articles in the days before it: neither its own day nor later counts
    assert after["p2"] == before["p2"]
    # l has six, June 1 to 3: a later article changes nothing, an earlier one does
    assert vectors([*arts, same_day, later, last], config)["l"] == after["l"]
    assert vectors([*arts, later], config)["l"] != after["l"]
    # an article in the days before p2 changes it
    earlier = art("e", "2024-05-20", [UKRAINE, PATRIOT], PATRIOT_TEXT)
    assert vectors([*arts, earlier], config)["p2"] != before["p2"]


def test_cold_start_weighs_against_the_days_around():
    """p1 and the June 2 articles have fewer than two articles in the days before them:
    they are cold and count the weeks around them, later articles included, as an idf
    over a whole small corpus does; p2 (four before it) is warm."""
    arts = corpus()
    config = warm()
    later = art("l", "2024-06-20", [UKRAINE, PATRIOT], PATRIOT_TEXT)
    before, after = vectors(arts, config), vectors([*arts, later], config)
    assert after["p1"] != before["p1"] and after["x"] != before["x"]
    assert after["p2"] == before["p2"]
    # cold, an article weighs as it did with weights around every article
    around = StoryConfig(min_window_articles=10_000)
    assert before["p1"] == vectors(arts, around)["p1"]
    # a store's first days: without the cold rule p1 would weigh every feature alike
    first_days = inputs_from_records([arts[0], arts[4]], config)  # p1 and x share Ukraine
    p1 = first_days.row == first_days.ids.index("p1")
    assert len(set(weigh(first_days, StoryConfig(min_window_articles=0)).idf[p1])) == 1
    assert len(set(weigh(first_days, config).idf[p1])) == 2


def test_a_word_new_today_links_todays_articles():
    """Against the weeks before, a name never seen weighs much on the day it appears
    (its idf counts today's articles only as themselves), so two reports of it link
    though the rest of their words are common."""
    common = [ZELENSKY, UKRAINE]
    history = [
        art(f"h{i}", f"2024-05-{10 + i:02d}", common, "Le président parle du front et du budget.")
        for i in range(12)
    ]
    news = "Le président parle du front. Koursk: percée surprise vers Koursk et Soudja."
    today = [art(t, "2024-06-01", common, news + extra) for t, extra in (("k1", ""), ("k2", "!"))]
    stories = find_stories([*history, *today], config=warm())
    assert any({"k1", "k2"} <= set(s.article_ids) for s in stories)


def test_the_cap_on_common_features_counts_per_day_of_the_window():
    """A feature in 31 articles of a month seeds candidates when weighed against the 61
    days around (at most 50 there), not against the 30 days before (at most 24)."""
    common = ("kb:front", "Front", 1)
    month = [art(f"c{i}", f"2024-05-{1 + i:02d}", [common]) for i in range(30)]
    filler = [art(f"f{i}", f"2024-05-{1 + i % 30:02d}", [(f"kb:f{i}", "F", 1)]) for i in range(100)]
    target = art("t", "2024-05-31", [common])
    inputs = inputs_from_records([*month, *filler, target], StoryConfig())
    entry = int(np.flatnonzero(inputs.row == inputs.ids.index("t"))[0])
    assert weigh(inputs, StoryConfig(min_window_articles=10_000)).seedable[entry]
    assert not weigh(inputs, StoryConfig(min_window_articles=1)).seedable[entry]


def reference_pairs(arts, config: StoryConfig) -> list[tuple[str, str, float]]:
    """similar_pairs' definition, pair by pair in plain Python: candidates share one of
    either article's seed features (its heaviest, ties by name, not too common), both
    dated within the window or both undated; each cosine summed in feature name order."""
    inputs = inputs_from_records(arts, config)
    weights = weigh(inputs, config)
    names = {}
    for a in arts:
        names[a.article_id] = [
            ("e:" + k for k, _, _ in a.entities),
            ("t:" + t for t, _ in a.terms),
        ]
    vec, seeds = {}, {}
    start = np.searchsorted(inputs.row, np.arange(len(inputs.ids)))
    for i, aid in enumerate(inputs.ids):
        feats = [f for part in names[aid] for f in part]
        entries = range(int(start[i]), int(start[i]) + len(feats))
        vec[aid] = {f: float(weights.value[e]) for f, e in zip(feats, entries, strict=True)}
        ranked = sorted(zip(feats, entries, strict=True), key=lambda x: (-vec[aid][x[0]], x[0]))
        seeds[aid] = {f for f, e in ranked[: config.seed_features] if weights.seedable[e]}
    day = {aid: int(d) for aid, d in zip(inputs.ids, inputs.days, strict=True)}
    out = []
    for i, a in enumerate(inputs.ids):
        for b in inputs.ids[i + 1 :]:
            if (day[a] < 0) != (day[b] < 0) or abs(day[a] - day[b]) > config.window_days:
                continue
            if not (seeds[a] & vec[b].keys() or seeds[b] & vec[a].keys()):
                continue
            cosine = 0.0
            for f in sorted(vec[a].keys() & vec[b].keys()):
                cosine += vec[a][f] * vec[b][f]
            if cosine >= config.threshold:
                out.append((a, b, cosine))
    return out


@pytest.mark.parametrize("chunks", [(2_000_000, 50_000), (40, 7)])
def test_pairs_match_the_definition_computed_pair_by_pair(monkeypatch, chunks):
    """The vectorised pairs (sorted, in arrays and as ids) are exactly the pair-by-pair
    definition's, cosines to the last bit, whatever the chunking of the work."""
    monkeypatch.setattr(stories, "EXPAND_BUDGET", chunks[0])
    monkeypatch.setattr(stories, "COSINE_CHUNK", chunks[1])
    rng = random.Random(7)
    people = [(f"kb:p{i}", f"P{i}", 1) for i in range(12)]
    words = [f"mot{i:02d}x" for i in range(40)]
    arts = []
    for i in range(90):
        day = None if i % 15 == 0 else f"2024-05-{1 + rng.randrange(28):02d}"
        ents = [(k, n, rng.randint(1, 4)) for k, n, _ in rng.sample(people, rng.randint(0, 4))]
        text = " ".join(rng.choices(words[: 10 + i % 30], k=rng.randint(4, 14)))
        arts.append(art(f"a{i:02d}", day, ents, text))
    for config in (StoryConfig(threshold=0.1), warm(threshold=0.05, seed_features=3)):
        inputs = inputs_from_records(arts, config)
        expected = reference_pairs(arts, config)
        assert len(expected) > 20
        left, right, cosines = pair_arrays(inputs, config)
        assert (left < right).all()
        found = zip(left.tolist(), right.tolist(), cosines.tolist(), strict=True)
        assert [(inputs.ids[a], inputs.ids[b], c) for a, b, c in found] == expected
        assert pair_list(inputs, (left, right, cosines)) == expected
        assert similar_pairs(inputs, config) == expected
        # those of valid articles with a dirty one, as an incremental run makes them
        valid = np.array([d < 0 or d <= inputs.days.max() - 8 for d in inputs.days])
        dirty = valid & (np.arange(len(inputs.ids)) % 7 == 0)
        ok = {a for a, v in zip(inputs.ids, valid, strict=True) if v}
        changed = {a for a, v in zip(inputs.ids, dirty, strict=True) if v}
        some = [p for p in expected if {p[0], p[1]} <= ok and {p[0], p[1]} & changed]
        assert len(some) > 5
        assert similar_pairs(inputs, config, dirty=dirty, valid=valid) == some


# -- stories kept in a store (veille.link.story_updates) ---------------------------------

STORY_TABLES = ("stories", "story_articles", "story_pairs", "story_weights", "story_entities")


def stored_article(name: str, day: int, text: str) -> Analysis:
    """An article of a store, published ``day`` days after 2024-03-01."""
    article = Article(
        id=stable_id("stored", name),
        source=f"stored/{name}.txt",
        text=text,
        title=name,
        url=f"https://stored.example/{name}",
        outlet="stored",
        language="fr",
        published=FuzzyDate(date(2024, 3, 1) + timedelta(days=day), Precision.DAY),
        content_hash=stable_id("text", text),
        raw_hash=stable_id("raw", name),
    )
    return Analysis(article=article)


def story_tables(store) -> dict:
    conn = store.connection()
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in STORY_TABLES}


class FewBefore(Settings):
    """Articles with one article or more in the days before them are warm."""

    story_min_window_articles = 1


@pytest.mark.parametrize("joined", [True, False])
def test_a_story_that_lost_a_tie_is_walked_only_when_this_runs_links_do_not_join_it(
    monkeypatch, joined
):
    """k and d are one story; a run says the incident tying them split. When a new
    article pairs with both, the links the run computed already join them: no walk in
    SQL. When it pairs with neither, the walk decides (still one story: k and d pair)."""
    from veille.link import incremental, story_updates

    k = stored_article("k", 0, "shared shared common common kword")
    d = stored_article("d", 2, "shared shared common common dword")
    text = "shared shared common common nword" if joined else "other words entirely"
    n = stored_article("n", 3, text)
    # (earlier articles make k and d warm: a run on day 3 leaves their weights and pair)
    early = [stored_article(f"e{i}", i - 10, f"unrelated{i} filler{i} words{i}") for i in (0, 1)]
    settings = FewBefore()
    store = open_store(":memory:")
    store.save_batch([*early, k, d])
    update_links(store, settings)
    (story,) = store.list_stories(10)
    tie = frozenset({k.article.id, d.article.id})
    reclustered = incremental.update_incidents

    def split(*args):  # the incident's articles before the run, then after: none
        reclustered(*args)
        return [tie], []

    monkeypatch.setattr(incremental, "update_incidents", split)
    walks: list[set[str]] = []
    walk = story_updates._still_linked
    monkeypatch.setattr(
        story_updates, "_still_linked", lambda conn, ends: walks.append(ends) or walk(conn, ends)
    )
    store.save_batch([n])
    update_links(store, settings)
    assert walks == ([] if joined else [set(tie)])
    (after,) = store.list_stories(10)
    assert after.id == story.id
    assert set(after.article_ids) == {k.article.id, d.article.id} | (
        {n.article.id} if joined else set()
    )
    tables = story_tables(store)
    relink(store, settings)
    assert story_tables(store) == tables
    store.close()


def test_weighing_some_articles_gives_their_weights_exactly():
    """weigh(..., articles) weighs the entries of those articles only, each to the same
    float as when every article is weighed; the others are zero and never seed."""
    arts = corpus() + [
        art(f"h{i}", f"2024-05-{10 + i:02d}", [UKRAINE], STRIKE_TEXT) for i in range(9)
    ]
    arts.append(art("u", None, [PATRIOT], PATRIOT_TEXT))
    for config in (StoryConfig(), warm()):
        inputs = inputs_from_records(arts, config)
        full = weigh(inputs, config)
        some = np.zeros(len(inputs.ids), dtype=bool)
        some[[inputs.ids.index(a) for a in ("p2", "x", "h3", "u")]] = True
        part = weigh(inputs, config, some)
        mine = some[inputs.row]
        for name in ("idf", "value", "seedable"):
            assert np.array_equal(getattr(part, name)[mine], getattr(full, name)[mine]), name
        assert not part.value[~mine].any() and not part.seedable[~mine].any()
        assert full.seedable[mine].any() and full.value[~mine].all()


def test_a_run_of_new_articles_that_change_no_stored_weight_reads_no_story_pairs(monkeypatch):
    """New articles on the last day (warm: they change no stored weight) are the only
    dirty ones and have no stored pairs yet: the run neither scans nor deletes
    story_pairs; the tables are relink's."""
    from veille.link import state

    # one every five days from day -40: only the first is cold, 49 days before the new one
    early = [stored_article(f"e{i}", 5 * i - 40, f"shared common early{i}word") for i in range(10)]
    settings = FewBefore()
    store = open_store(":memory:")
    store.save_batch(early)
    update_links(store, settings)
    queries: list[str] = []
    rows = state.rows
    monkeypatch.setattr(
        state, "rows", lambda conn, sql, *p: queries.append(sql) or rows(conn, sql, *p)
    )
    store.save_batch([stored_article("last", 9, "shared common lastword early9word")])
    update_links(store, settings)
    assert queries and not any("story_pairs" in q for q in queries)
    monkeypatch.undo()
    tables = story_tables(store)
    assert tables["story_pairs"]
    relink(store, settings)
    assert story_tables(store) == tables
    store.close()


def test_stored_features_of_some_days_are_those_of_their_articles():
    """story_inputs over day ranges (and the undated articles) reads the articles of
    those days with exactly their features, ranked among themselves."""
    from veille.link import LinkConfig, records_from_analyses, state

    arts = [stored_article(f"a{i}", i * 3, f"shared word{i % 4} other{i % 3}") for i in range(12)]
    undated = stored_article("u", 0, "shared undated words")
    undated = replace(undated, article=replace(undated.article, published=FuzzyDate.unknown()))
    store = open_store(":memory:")
    store.save_batch([*arts, undated])
    update_links(store, Settings())
    config = LinkConfig.from_settings(Settings())
    first = date(2024, 3, 1).toordinal()
    ranges = [(first + 3, first + 9), (first + 20, first + 24)]
    got = state.story_inputs(store.connection(), config.signature_key, ranges, True)
    records = records_from_analyses([*arts, undated], config)
    kept = [
        r
        for r in records
        if r.day is None or any(lo <= r.day.toordinal() <= hi for lo, hi in ranges)
    ]
    assert len(kept) == 6
    want = inputs_from_records(kept, config.stories)
    assert got.ids == want.ids and got.width == want.width
    for name in ("days", "row", "feat", "raw", "count", "entity"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name
    store.close()
