"""Incremental linking (veille.link.incremental) gives exactly the tables of a full rebuild.

A store is built in several runs whose articles have overlapping dates, shared places,
unknown actors, near and exact copies, nearby aid values and a replaced article version;
after every run the link tables must equal what ``veille relink`` rebuilds from scratch.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest

from veille.link import relink, update_links
from veille.model import (
    Actor,
    AidCommitment,
    AidItem,
    AidStatus,
    Analysis,
    Article,
    EntityMention,
    EntityType,
    Event,
    FuzzyDate,
    Modality,
    Place,
    Precision,
    Span,
    Verification,
    stable_id,
)
from veille.settings import Settings
from veille.store import open_store

TABLES = (
    "duplicate_groups",
    "duplicate_group_articles",
    "incidents",
    "incident_events",
    "incident_articles",
    "merged_aid",
    "merged_aid_commitments",
    "merged_aid_history",
    "stories",
    "story_articles",
    "story_pairs",
    "story_weights",
    "story_entities",
)
SYLLABLES = ["ka", "ro", "mi", "tel", "su", "van", "dor", "pli", "ne", "gu", "zar", "fo"]
PLACES = [
    Place("Vorka", "RUS", "geo:vorka"),
    Place("Telmi", "RUS", "geo:telmi"),
    Place("Sudan", "UKR", None),
]
ENTITIES = [f"Ent{name}" for name in ("alpha", "beta", "gamma", "delta", "omega", "sigma")]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))


def _paragraphs(rng: random.Random) -> list[str]:
    return [" ".join(_word(rng) for _ in range(rng.randint(12, 20))) + "." for _ in range(4)]


def _fuzzy(rng: random.Random, day: int) -> FuzzyDate:
    roll = rng.random()
    if roll < 0.6:
        return FuzzyDate(date(2024, 4, 30) + timedelta(days=day), Precision.DAY)
    if roll < 0.7:
        return FuzzyDate(date(2024, 5, 1), Precision.MONTH)
    if roll < 0.8:
        return FuzzyDate(date(2024, 5, 6), Precision.WEEK)
    return FuzzyDate.unknown()


def make_articles(seed: int, n: int = 70, span: int = 24) -> list[Analysis]:
    """``n`` articles published over ``span`` days from 1 May 2024 (a tenth undated)."""
    rng = random.Random(seed)
    bases = [_paragraphs(rng) for _ in range(14)]
    out = []
    for i in range(n):
        paras = list(rng.choice(bases))
        roll = rng.random()
        if roll < 0.3:
            del paras[rng.randrange(len(paras))]  # a near copy
        elif roll < 0.5:
            paras = _paragraphs(rng)  # its own text
        text = "\n".join(paras)  # else an exact copy of a base
        day = rng.randint(1, span)
        published = (
            FuzzyDate(date(2024, 4, 30) + timedelta(days=day), Precision.DAY)
            if rng.random() < 0.9
            else FuzzyDate.unknown()
        )
        article = Article(
            id=stable_id("blocks", seed, i),
            source=f"src/{i}.txt",
            text=text,
            title=paras[0][:40],
            url=f"https://o{i % 5}.example/{i}",
            outlet=rng.choice(["o1", "o2", "o3", None]),
            language="fr",
            published=published,
            content_hash=stable_id("text", text),
            raw_hash=stable_id("raw", seed, i),
        )
        first = paras[0]
        sentence = Span(0, len(first), first)
        events = []
        for j in range(rng.randint(0, 3)):
            place = rng.choice([*PLACES, None, None])
            events.append(
                Event(
                    id=stable_id("blocks-ev", seed, i, j),
                    article_id=article.id,
                    type=rng.choice(["ASSAULT", "ASSAULT", "COERCE"]),
                    sentence=sentence,
                    trigger=Span(0, 2, first[:2]),
                    modality=rng.choice([None, None, None, Modality.HISTORICAL, Modality.FUTURE]),
                    actor=rng.choice([None, Actor("a", "A", "UKR"), Actor("b", "B", "RUS")]),
                    target=rng.choice([None, Actor("c", "C", "RUS")]),
                    location=place,
                    location_country=place.country if place else rng.choice(["RUS", None]),
                    date=_fuzzy(rng, max(1, day - rng.randint(0, 2))),
                    claimed_by=rng.choice([None, None, "RUS", "UKR"]),
                    verification=rng.choice(
                        [None, None, Verification.CONFIRMED, Verification.DENIED]
                    ),
                )
            )
        aid = []
        if rng.random() < 0.6:
            value = Decimal(rng.choice([100, 104, 109, 115, 200, 205])) * 1_000_000
            items = (AidItem("obus", Decimal(rng.choice([10, 20]))),) if rng.random() < 0.5 else ()
            aid.append(
                AidCommitment(
                    id=stable_id("blocks-aid", seed, i),
                    article_id=article.id,
                    evidence=(sentence,),
                    donor=rng.choice(["USA", "DEU", None]),
                    recipient=rng.choice(["UKR", None]),
                    kind="military",
                    value=value if rng.random() < 0.7 else None,
                    currency="USD",
                    usd_value=value if rng.random() < 0.5 else None,
                    status=rng.choice(list(AidStatus)),
                    items=items,
                    announced=_fuzzy(rng, day),
                )
            )
        names = rng.sample(ENTITIES, k=rng.randint(1, 3))
        entities = [
            EntityMention(0, 2, name, EntityType.ORG, name, kb_id=f"kb:{name.lower()}")
            for name in names
        ]
        out.append(Analysis(article=article, entities=entities, events=events, aid=aid))
    return out


def dump(store) -> dict:
    conn = store.connection()
    return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}


def rebuilt(analyses: list[Analysis], settings: Settings) -> dict:
    store = open_store(":memory:")
    store.save_batch(analyses)
    relink(store, settings)
    tables = dump(store)
    store.close()
    return tables


class WarmSettings:
    """Settings under which a few articles in the days before one make it warm (its
    weights look back only; veille.link.stories), so small stores mix warm and cold."""

    def __init__(self, min_window: int) -> None:
        self._settings = Settings()
        self.story_min_window_articles = min_window

    def __getattr__(self, name: str):
        return getattr(self._settings, name)


@pytest.mark.parametrize(
    ("seed", "span", "min_window"),
    [
        *[(1, 24, 100), (2, 24, 100), (3, 24, 100), (4, 240, 100), (5, 240, 100)],
        *[(6, 24, 4), (7, 24, 12), (8, 240, 2), (9, 240, 3), (10, 60, 6)],
    ],
)
def test_every_incremental_run_equals_relink(seed, span, min_window, monkeypatch):
    """Over 24 days every story weight sees every article; over 240 days (eight story
    weight windows) a run rebuilds only the stories near the new articles' days. With a
    small ``min_window`` most articles weigh against the days before them only. (Runs
    that make most of a store dirty rebuild its stories whole, which is nearly every run
    of these small stores: that is kept for seed 1 only, so the others update.)"""
    from veille.link import story_updates

    if seed != 1:
        monkeypatch.setattr(story_updates, "REBUILD_SHARE", 2.0)
    analyses = make_articles(seed, n=70 if span < 100 else 110, span=span)
    settings = Settings() if min_window == 100 else WarmSettings(min_window)
    rng = random.Random(seed)
    rng.shuffle(analyses)  # dates overlap across runs
    store = open_store(":memory:")
    stored: dict[str, Analysis] = {}
    cuts = [0, 25, 40, 41, 58, len(analyses)]
    partial = []
    for run, (lo, hi) in enumerate(pairwise(cuts)):
        batch = analyses[lo:hi]
        if run == 3:  # a new version of an earlier article replaces it
            # one whose commitment and mentions were merged with others', so its removal
            # splits results
            merged = store.connection().execute(
                "SELECT commitment_id FROM merged_aid_commitments WHERE merged_id IN "
                "(SELECT merged_id FROM merged_aid_commitments GROUP BY 1 HAVING count(*) > 1)"
            )
            shared = {r[0] for r in merged.fetchall()}
            old = next(a for a in stored.values() if a.aid and a.aid[0].id in shared and a.events)
            text = old.article.text + "\nUne phrase ajoutée."
            article = replace(
                old.article,
                id=stable_id("blocks-v2", old.article.id),
                text=text,
                content_hash=stable_id("text", text),
                raw_hash=stable_id("raw-v2", old.article.id),
            )
            new = Analysis(
                article=article,
                entities=old.entities,
            )  # without the mentions and commitment it had
            del stored[old.article.id]
            batch = [new]
        store.save_batch(batch)
        stored.update({a.article.id: a for a in batch})
        summary = update_links(store, settings)
        assert summary["linked_new"] == len(batch)
        assert summary["unlinked_gone"] == (run == 3)
        assert dump(store) == rebuilt(list(stored.values()), settings), f"run {run}"
        partial.append(summary.get("story_articles_reached", len(stored)) < len(stored))
    if span > 100:  # the one-article runs leave most stories as they were
        assert partial[2] and partial[3]
    if seed == 1:  # every run made most of the store dirty: rebuilt
        assert not any(partial)
    tables = dump(store)
    assert all(tables[t] for t in TABLES)  # every kind of link exists
    assert relink(store, settings)["linked_new"] == len(stored)
    assert dump(store) == tables
    store.close()


def test_later_runs_never_read_every_record(monkeypatch):
    from veille.link import full

    analyses = make_articles(4, n=30)
    store = open_store(":memory:")
    store.save_batch(analyses[:20])
    update_links(store, Settings())
    rebuilds: list[int] = []
    original = full.rebuild
    monkeypatch.setattr(full, "rebuild", lambda *a: rebuilds.append(1) or original(*a))
    store.save_batch(analyses[20:])
    update_links(store, Settings())
    assert rebuilds == []
    # a changed link setting rebuilds everything from the stored records
    update_links(store, replace(Settings(), near_duplicate_threshold=0.5))
    assert rebuilds == [1]
    store.close()


def test_stored_story_features_equal_the_in_memory_ones():
    import numpy as np

    from veille.link import LinkConfig, records_from_analyses, state
    from veille.link.stories import inputs_from_records

    analyses = make_articles(5, n=40)
    store = open_store(":memory:")
    store.save_batch(analyses[:25])
    update_links(store, Settings())
    store.save_batch(analyses[25:])
    update_links(store, Settings())
    config = LinkConfig.from_settings(Settings())
    stored = state.story_inputs(store.connection(), config.signature_key)
    direct = inputs_from_records(records_from_analyses(analyses, config), config.stories)
    assert stored.ids == direct.ids and stored.width == direct.width
    for name in ("days", "row", "feat", "raw", "count", "entity"):
        assert np.array_equal(getattr(stored, name), getattr(direct, name)), name
    assert int(stored.entity.sum()) == sum(len(a.entities) for a in analyses)
    store.close()


def _plain(name: str, day: int, text: str) -> Analysis:
    article = Article(
        id=stable_id("plain", name),
        source=f"plain/{name}.txt",
        text=text,
        title=name,
        url=f"https://plain.example/{name}",
        outlet="plain",
        language="fr",
        published=FuzzyDate(date(2024, 3, 1) + timedelta(days=day), Precision.DAY),
        content_hash=stable_id("text", text),
        raw_hash=stable_id("raw", name),
    )
    return Analysis(article=article)


def test_a_pair_lost_to_new_weights_splits_the_story_it_held():
    """k (day 0) and d (day 10) share a word; z (day 40) brings that word into d's 30-day
    window only, which lowers its weight for d below the threshold. The story k-d-m loses
    d, though k and m are not near z: the whole old story must be rebuilt."""

    def words(prefix: str, n: int) -> str:
        return " ".join(f"{prefix}{chr(97 + i)}word" for i in range(n))

    k = _plain("k", 0, "shared shared mkpair mkpair " + words("kk", 1))
    d = _plain("d", 10, "shared shared " + words("dd", 2))
    m = _plain("m", -5, "mkpair mkpair " + words("mm", 1))
    z = _plain("z", 40, "shared")
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch([k, d, m])
    update_links(store, settings)
    ids = {x.article.id: name for name, x in {"k": k, "d": d, "m": m, "z": z}.items()}

    def stories() -> list[set[str]]:
        return [{ids[a] for a in s.article_ids} for s in store.list_stories(10)]

    assert stories() == [{"k", "d", "m"}]
    store.save_batch([z])
    update_links(store, settings)
    assert stories() == [{"k", "m"}]
    assert dump(store) == rebuilt([k, d, m, z], settings)
    store.close()


def test_new_weights_pair_an_article_with_one_outside_the_changed_window():
    """z (day 40) shares a's (day 10) own word: in a's window that word weighs less, so
    a and b (day -2, 42 days before z: its weights do not change) now pass the threshold."""
    a = _plain("a", 10, "shared shared aaaword")
    b = _plain("b", -2, "shared shared bbaword")
    z = _plain("z", 40, "aaaword")
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch([a, b])
    update_links(store, settings)
    assert store.list_stories(10) == []
    store.save_batch([z])
    update_links(store, settings)
    assert [set(s.article_ids) for s in store.list_stories(10)] == [{a.article.id, b.article.id}]
    assert dump(store) == rebuilt([a, b, z], settings)
    store.close()


def test_an_exact_copy_joins_a_near_group_as_near():
    """a and its near copy b are one near group; c, a later exact copy of a, joins it: the
    group stays near (its texts differ), with b's similarity to a."""
    rng = random.Random(9)
    paras = _paragraphs(rng)
    a = _plain("a", 0, "\n".join(paras))
    b = _plain("b", 1, "\n".join(paras[1:]))
    c = _plain("c", 2, "\n".join(paras))
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch([a, b])
    update_links(store, settings)
    store.save_batch([c])
    update_links(store, settings)
    (group,) = store.connection().execute("SELECT kind FROM duplicate_groups").fetchall()
    assert group == ("near",)
    assert dump(store) == rebuilt([a, b, c], settings)
    store.close()


def test_a_partner_is_weighed_against_its_own_days_before():
    """Warm articles look back only: the new a (day 40) pairs with b (day 26), whose
    weights count c (day 0), 40 days before a: c must be read to weigh b exactly."""
    c = _plain("c", 0, "shared shared cword")
    b = _plain("b", 26, "shared shared betaword betaword bword")
    a = _plain("a", 40, "shared betaword aword")
    settings = WarmSettings(1)
    store = open_store(":memory:")
    store.save_batch([c, b])
    update_links(store, settings)
    store.save_batch([a])
    update_links(store, settings)
    assert store.connection().execute("SELECT count(*) FROM story_pairs").fetchone()[0]
    assert dump(store) == rebuilt([a, b, c], settings)
    store.close()


def _giving(name: str, day: int, millions: int) -> Analysis:
    """An article reporting that the USA give Ukraine ``millions`` of dollars."""
    plain = _plain(name, day, f"Les États-Unis donnent {millions} millions {name}.")
    value = Decimal(millions) * 1_000_000
    text = plain.article.text
    commitment = AidCommitment(
        id=stable_id("giving", name),
        article_id=plain.article.id,
        evidence=(Span(0, len(text), text),),
        donor="USA",
        recipient="UKR",
        kind="military",
        value=value,
        currency="USD",
        usd_value=value,
        status=AidStatus.ANNOUNCED,
    )
    return replace(plain, aid=[commitment])


@pytest.mark.parametrize(("day", "millions", "most"), [(60, 300, 6), (5, 180, 40)])
def test_aid_merges_again_from_the_first_new_commitment_only(day, millions, most):
    """Forty commitments 5% apart in value, one a day: each may merge with its
    neighbours, so they are all one chain of compatible pairs. One reported after them
    (day 60) is merged again with the clusters that may take it, not the whole chain; one
    reported on day 5 changes what every later one joins, and all of them are merged
    again. Both give the tables of a rebuild."""
    stored = [_giving(f"g{i}", i, round(100 * 1.05**i)) for i in range(40)]
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch(stored)
    update_links(store, settings)
    added = _giving("late", day, millions)
    store.save_batch([added])
    summary = update_links(store, settings)
    assert summary["relinked_commitments"] <= most
    assert dump(store) == rebuilt([*stored, added], settings)
    store.close()


def _strike(name: str, day: int) -> Analysis:
    """An article reporting a strike on Vorka on its day of publication."""
    plain = _plain(name, day, f"Une frappe a touché Vorka {name}.")
    text = plain.article.text
    event = Event(
        id=stable_id("strike", name),
        article_id=plain.article.id,
        type="ASSAULT",
        sentence=Span(0, len(text), text),
        trigger=Span(4, 10, text[4:10]),
        location=PLACES[0],
        location_country="RUS",
        date=plain.article.published,
    )
    return replace(plain, events=[event])


def test_a_mention_a_day_after_a_stored_one_joins_its_incident():
    """Day-precise reports a day apart are one incident (the midnight window): the new
    report's component reaches the stored one through the window's slack."""
    first, later = _strike("first", 10), _strike("later", 11)
    settings = Settings()
    store = open_store(":memory:")
    store.save_batch([first])
    update_links(store, settings)
    store.save_batch([later])
    update_links(store, settings)
    rows = store.connection().execute("SELECT num_articles FROM incidents").fetchall()
    assert rows == [(2,)]
    assert dump(store) == rebuilt([first, later], settings)
    store.close()


def test_a_story_only_touched_by_a_run_stays(monkeypatch):
    """An incident reclustered with the same articles (a new mention compatible with it
    did not join) touches its story without changing it: the story stays as stored."""
    from veille.link import incremental

    k = _plain("k", 0, "shared shared common common kword")
    d = _plain("d", 2, "shared shared common common dword")
    far = _plain("far", 90, "other words entirely")
    settings = WarmSettings(1)
    store = open_store(":memory:")
    store.save_batch([k, d])
    update_links(store, settings)
    (story,) = store.list_stories(10)
    tie = frozenset({k.article.id, d.article.id})
    reclustered = incremental.update_incidents

    def touching(*args):  # the incident of k and d reclustered, with the same articles
        reclustered(*args)
        return [tie], [tie]

    monkeypatch.setattr(incremental, "update_incidents", touching)
    store.save_batch([far])
    update_links(store, settings)
    assert store.list_stories(10) == [story]
    store.close()


def test_a_run_that_makes_most_articles_dirty_rebuilds_the_stories():
    """Articles added on the first of 40 days change the weights of the 30 days after
    them: most of the store. Its stories are rebuilt whole (the same tables)."""
    early = [_plain(f"e{i}", i, f"shared common early{i}word") for i in range(2)]
    later = [_plain(f"l{i}", 3 + i, f"shared common later{i}word") for i in range(40)]
    settings = WarmSettings(1)
    store = open_store(":memory:")
    store.save_batch(later)
    update_links(store, settings)
    store.save_batch(early)
    summary = update_links(store, settings)
    assert summary["story_articles_reached"] == len(early) + len(later)
    assert dump(store) == rebuilt([*early, *later], settings)
    # one article added on the last day changes no stored weight: not rebuilt
    store.save_batch([_plain("last", 43, "shared common lastword")])
    assert update_links(store, settings)["story_articles_reached"] < 10
    store.close()
