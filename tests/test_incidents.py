"""Incidents across articles (veille.link.incidents), from hand-built event records."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime

import numpy as np
import pytest

from veille.link.incidents import IncidentConfig, dates_compatible, find_incidents
from veille.link.records import ArticleRecord, event_record
from veille.model import (
    Actor,
    DuplicateGroup,
    Event,
    FuzzyDate,
    Modality,
    Place,
    Precision,
    Span,
    Verification,
    stable_id,
)

D, W, M, Y, U = (Precision.DAY, Precision.WEEK, Precision.MONTH, Precision.YEAR, Precision.UNKNOWN)
SAMARA = Place("Samara", "RUS", "geo:samara")
STAVROPOL = Place("Stavropol", "RUS", "geo:stavropol")


def fd(value: str | None, precision: Precision = D) -> FuzzyDate:
    return FuzzyDate(date.fromisoformat(value) if value else None, precision)


def strike(
    article_id: str,
    *,
    place: Place | None = SAMARA,
    when: FuzzyDate | None = None,
    actor: str | None = "UKR",
    target: str | None = "RUS",
    kind: str = "ASSAULT",
    claimed_by: str | None = None,
    verification: Verification | None = None,
    modality: Modality | None = None,
    n: int = 0,
) -> Event:
    sentence = Span(0, 30, f"Frappe {place.name if place else ''} {article_id} {n}")
    return Event(
        id=stable_id("event", article_id, n),
        article_id=article_id,
        type=kind,
        sentence=sentence,
        trigger=Span(0, 6, "Frappe"),
        actor=Actor("Kiev", "Ukraine", actor) if actor else None,
        target=Actor("Moscou", "Russie", target) if target else None,
        location=place,
        location_country=place.country if place else None,
        date=when or fd("2024-05-10"),
        claimed_by=claimed_by,
        verification=verification,
        modality=modality,
    )


def art(article_id: str, events: list[Event], outlet: str | None = None, day: str = "2024-05-11"):
    return ArticleRecord(
        article_id=article_id,
        content_hash=stable_id("hash", article_id),
        signature=np.zeros(4, dtype=np.uint64),
        outlet=outlet or f"outlet-{article_id}",
        published=fd(day),
        events=tuple(event_record(e, fd(day)) for e in events),
    )


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        (fd("2024-05-10"), fd("2024-05-10"), True),
        (fd("2024-05-10"), fd("2024-05-11"), True),  # within the ±1 day window
        (fd("2024-05-10"), fd("2024-05-12"), False),
        (fd("2024-05-01", M), fd("2024-05-31"), True),  # a day in that month
        (fd("2024-05-01", M), fd("2024-06-01"), False),  # no window around a month
        (fd("2024-05-01", M), fd("2024-06-01", M), False),
        (fd("2024-05-06", W), fd("2024-05-12"), True),  # Monday + 6 days
        (fd("2024-05-06", W), fd("2024-05-13"), False),
        (fd("2024-01-01", Y), fd("2024-12-31"), True),
        (fd("2024-01-01", Y), fd("2023-12-31"), False),
        (fd(None, U), fd("1999-01-01"), True),  # unknown fits anything
    ],
)
def test_dates_compatible_given_precision(a, b, ok):
    assert dates_compatible(a, b, window_days=1) is ok
    assert dates_compatible(b, a, window_days=1) is ok


def test_window_is_configurable():
    assert dates_compatible(fd("2024-05-10"), fd("2024-05-13"), window_days=3)


def test_same_strike_on_consecutive_days_merges():
    arts = [
        art("a", [strike("a", when=fd("2024-05-10"))]),
        art("b", [strike("b", when=fd("2024-05-11"))]),
    ]
    (incident,) = find_incidents(arts)
    assert incident.num_mentions == 2
    assert incident.num_articles == 2
    assert incident.num_sources == 2
    assert incident.date == fd("2024-05-10")
    assert incident.location == SAMARA


def test_same_strike_two_days_apart_stays_two_incidents():
    arts = [
        art("a", [strike("a", when=fd("2024-05-10"))]),
        art("b", [strike("b", when=fd("2024-05-12"))]),
    ]
    assert len(find_incidents(arts)) == 2
    assert len(find_incidents(arts, config=IncidentConfig(window_days=2))) == 1


def test_samara_and_stavropol_stay_two_incidents():
    arts = [
        art("a", [strike("a", place=SAMARA, n=0), strike("a", place=STAVROPOL, n=1)]),
        art("b", [strike("b", place=STAVROPOL)]),
        # "a strike in Russia": compatible with both, joins one, chains nothing
        art("c", [strike("c", place=None)]),
    ]
    incidents = find_incidents(arts)
    assert sorted(i.location.name for i in incidents) == ["Samara", "Stavropol"]
    assert sum(i.num_mentions for i in incidents) == 4
    stavropol = next(i for i in incidents if i.location == STAVROPOL)
    samara = next(i for i in incidents if i.location == SAMARA)
    assert {stable_id("event", "a", 1), stable_id("event", "b", 0)} <= set(stavropol.event_ids)
    assert stable_id("event", "a", 0) in samara.event_ids
    # the country-level report joins exactly one of them
    assert ("c" in samara.article_ids) != ("c" in stavropol.article_ids)


def test_place_name_matches_without_kb_id_ignoring_case_and_accents():
    arts = [
        art("a", [strike("a", place=Place("Kharkiv", "UKR"), actor="RUS", target="UKR")]),
        art("b", [strike("b", place=Place("KHÂRKIV", "UKR"), actor="RUS", target="UKR")]),
    ]
    assert len(find_incidents(arts)) == 1


@pytest.mark.parametrize(
    ("other", "merged"),
    [
        ({"kind": "COERCE"}, False),  # another type
        ({"actor": "RUS"}, False),  # conflicting actors
        ({"actor": None}, True),  # unknown actor is compatible
        ({"target": None}, True),
        ({"modality": Modality.HYPOTHETICAL}, False),  # "could strike" is not a strike
        ({"modality": Modality.HISTORICAL}, True),
        ({"when": fd("2024-05-01", M)}, True),
        ({"when": fd(None, U)}, True),
        ({"place": Place("Donetsk", "UKR")}, False),  # other country
    ],
)
def test_compatibility_rules(other, merged):
    arts = [art("a", [strike("a")]), art("b", [strike("b", **other)])]
    assert (len(find_incidents(arts)) == 1) is merged


@pytest.mark.parametrize(
    ("dated", "modality", "merged"),
    [
        ("2024-05-08", None, True),  # undated report of 2024-05-11 covers the week before
        ("2024-05-12", None, True),  # ...and its day of publication (±1 day window)
        ("2024-04-01", None, False),  # not a month earlier
        ("2024-04-01", Modality.HISTORICAL, True),  # background: any time
    ],
)
def test_undated_mention_is_recent_news_of_its_article(dated, modality, merged):
    arts = [
        art("a", [strike("a", when=fd(dated))], day=dated),
        art("b", [strike("b", when=fd(None, U), modality=modality)], day="2024-05-11"),
    ]
    assert (len(find_incidents(arts)) == 1) is merged


def test_country_without_place_uses_the_target_country():
    arts = [
        art("a", [strike("a", place=None, target="RUS")]),
        art("b", [strike("b", place=None, target="RUS")]),
        art("c", [strike("c", place=None, target="BLR")]),
    ]
    assert sorted(i.num_mentions for i in find_incidents(arts)) == [1, 2]


def test_same_outlet_and_duplicate_group_count_once_as_sources():
    arts = [
        art("a", [strike("a")], outlet="afp"),
        art("b", [strike("b")], outlet="afp"),  # same outlet
        art("c", [strike("c")], outlet="rtl"),
        art("d", [strike("d")], outlet="tf1"),  # wire copy of c
    ]
    group = DuplicateGroup("g", "near", ("c", "d"), ("rtl", "tf1"))
    (incident,) = find_incidents(arts, [group])
    assert (incident.num_mentions, incident.num_articles, incident.num_sources) == (4, 4, 2)
    (alone,) = find_incidents(arts)
    assert alone.num_sources == 3


def test_a_copy_counts_as_its_origin_without_merging_outlets():
    arts = [
        art("a1", [strike("a1")], outlet="afp", day="2024-05-10"),
        art("a2", [strike("a2")], outlet="lemonde", day="2024-05-11"),  # copy of a1
        art("a3", [strike("a3")], outlet="lemonde", day="2024-05-11"),  # own reporting
        art("a4", [strike("a4")], outlet="rtl", day="2024-05-11"),  # copy of a1 too
    ]
    group = DuplicateGroup("g", "near", ("a1", "a2", "a4"))
    (incident,) = find_incidents(arts, [group])
    assert incident.num_sources == 2  # afp (three articles), lemonde (its own)


@pytest.mark.parametrize(
    ("mentions", "groups", "expected", "claimants"),
    [
        ([{"claimed_by": "RUS"}, {"claimed_by": "RUS"}], [], "claimed", ("RUS",)),
        (
            [{"claimed_by": "RUS", "verification": Verification.UNVERIFIED}],
            [],
            "unverified",
            ("RUS",),
        ),
        ([{}, {}], [], "corroborated", ()),
        ([{}, {}], [("a", "b")], "reported", ()),  # one wire story, twice
        ([{}], [], "reported", ()),
        ([{"claimed_by": "RUS"}, {"claimed_by": "UKR"}], [], "corroborated", ("RUS", "UKR")),
        ([{"claimed_by": "RUS"}, {"verification": Verification.DENIED}], [], "denied", ("RUS",)),
        (
            [{"verification": Verification.CONFIRMED}, {"verification": Verification.DENIED}],
            [],
            "disputed",
            (),
        ),
        ([{"verification": Verification.CONFIRMED}], [], "confirmed", ()),
    ],
)
def test_verification_vocabulary(mentions, groups, expected, claimants):
    ids = "abcdef"
    arts = [art(ids[i], [strike(ids[i], **m)]) for i, m in enumerate(mentions)]
    dup = [DuplicateGroup(f"g{i}", "exact", g) for i, g in enumerate(groups)]
    (incident,) = find_incidents(arts, dup)
    assert incident.verification == expected
    assert incident.claimants == claimants


def test_first_and_last_seen_come_from_the_articles():
    arts = [
        art("a", [strike("a")], day="2024-05-10"),
        art("b", [strike("b")], day="2024-05-11"),
    ]
    (incident,) = find_incidents(arts)
    assert incident.first_seen.date() == date(2024, 5, 10)
    assert incident.last_seen.date() == date(2024, 5, 11)


def test_ingestion_time_is_never_an_incident_date():
    """Issue 10: dates come from publication, never from when Veille read the article."""
    rec = art("a", [strike("a", when=FuzzyDate.unknown())], day="2024-05-01")
    rec = replace(rec, published=fd("2024-05-01", M), ingested_at=datetime(2024, 5, 20, 8))
    (incident,) = find_incidents([rec])
    assert incident.first_seen is None and incident.last_seen is None  # no publication day
    assert incident.date == fd("2024-05-01", M)  # undated mention: its report's month


def test_result_and_ids_do_not_depend_on_order():
    arts = [
        art(f"x{i}", [strike(f"x{i}", when=fd(f"2024-05-{10 + i % 4:02d}"), place=p, n=i)])
        for i, p in enumerate([SAMARA, STAVROPOL, None, SAMARA, STAVROPOL, None, SAMARA])
    ]
    expected = find_incidents(arts)
    for seed in range(5):
        shuffled = arts[:]
        random.Random(seed).shuffle(shuffled)
        assert find_incidents(shuffled) == expected
    for incident in expected:
        assert incident.id == stable_id("incident", *sorted(incident.event_ids))


def test_timeless_mentions_merge_only_on_the_same_named_place():
    def timeless(aid: str, place: Place | None) -> ArticleRecord:
        rec = art(aid, [strike(aid, place=place, when=fd(None, U))])
        events = tuple(replace(e, reported=fd(None, U)) for e in rec.events)
        return replace(rec, published=fd(None, U), events=events)

    assert len(find_incidents([timeless("a", SAMARA), timeless("b", SAMARA)])) == 1
    assert len(find_incidents([timeless("a", SAMARA), timeless("b", None)])) == 2
    assert len(find_incidents([timeless("a", None), timeless("b", None)])) == 2
    dated = art("c", [strike("c", place=None, when=fd("2024-05-10"))])
    assert len(find_incidents([timeless("a", SAMARA), dated])) == 2


def _brute_force(mentions, config):
    """The definition: each mention (in order) joins the preferred fully compatible incident."""
    from veille.link.incidents import _distance, _order, compatible

    blocks = {}
    for m in mentions:
        blocks.setdefault((m.type, m.area), []).append(m)
    out = []
    for key in sorted(blocks, key=lambda k: (k[0], k[1] or "")):
        clusters = []
        for m in sorted(blocks[key], key=_order):
            fits = [i for i, c in enumerate(clusters) if all(compatible(m, x, config) for x in c)]
            if not fits:
                clusters.append([m])
                continue
            best = min(
                fits,
                key=lambda i: (
                    not any(x.place_key and x.place_key == m.place_key for x in clusters[i]),
                    _distance(m, clusters[i]),
                    i,
                ),
            )
            clusters[best].append(m)
        out.extend(clusters)
    return out


@pytest.mark.parametrize("seed", range(6))
def test_indexed_clustering_equals_the_brute_force_definition(seed):
    from veille.link.incidents import cluster_mentions

    rng = random.Random(seed)
    places = [SAMARA, STAVROPOL, Place("Koursk", "RUS"), None, None]
    precisions = [D, D, D, W, M, Y, U]
    arts = []
    for i in range(120):
        p = rng.choice(precisions)
        day = date(2024, rng.randint(1, 3), rng.randint(1, 28))
        when = FuzzyDate(None if p is U else day, p)
        published = rng.choice([fd(None, U), FuzzyDate(day, D)])
        ev = strike(
            f"r{i}",
            place=rng.choice(places),
            when=when,
            actor=rng.choice(["UKR", None]),
            kind=rng.choice(["ASSAULT", "ASSAULT", "COERCE"]),
            modality=rng.choice([None, None, Modality.HISTORICAL]),
        )
        rec = event_record(ev, published)
        arts.append(rec)
    config = IncidentConfig()
    got = [[m.event_id for m in c] for c in cluster_mentions(arts, config)]
    want = [[m.event_id for m in c] for c in _brute_force(arts, config)]
    assert got == want
    assert any(len(c) > 2 for c in got)  # the data does merge things
