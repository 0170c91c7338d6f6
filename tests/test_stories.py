"""Stories: articles grouped into topics over time (veille.link.stories)."""

from __future__ import annotations

import random
from datetime import date

import numpy as np

from veille.link.records import ArticleRecord, article_terms
from veille.link.stories import StoryConfig, find_stories, vectors
from veille.model import DuplicateGroup, FuzzyDate, Incident, Precision, stable_id

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
    assert patriot.id == stable_id("story", "p1", "p2")


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
    assert ("p1", "p2", "x") in [s.article_ids for s in stories]
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
