"""Build Veille stores without running the NLP pipeline: for API tests and the API bench.

- ``demo_analyses()``: a few hand-made French articles with every kind of annotation at
  exact offsets, plus one hostile article whose text, title and outlet carry HTML and
  ``<script>`` (the security and browser tests check it never executes).
- ``synthetic_analyses(n)``: ``n`` articles recombined from the sentences of the real
  corpus, with entities, events (some located), aid and claims at valid offsets.
- ``build_store(db_path, analyses, incidents)``: saves them through the real store and
  indexes them for search, exactly as the pipeline does after a run.

Usage: ``python bench/synth_store.py --articles 100000 --db /tmp/veille-100k.duckdb``
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from veille.model import (
    Actor,
    AidCommitment,
    AidItem,
    AidStatus,
    Analysis,
    Article,
    Claim,
    EntityMention,
    EntityType,
    Event,
    EventQuantity,
    FuzzyDate,
    Incident,
    Place,
    Precision,
    Quantity,
    Span,
    TimeExpression,
    Verification,
    stable_id,
)

ROOT = Path(__file__).resolve().parents[1]
CORPORA = (ROOT / "examples" / "corpus", ROOT.parent / "shared" / "corpus" / "fr")

XSS_MARK = "window.__veille_xss"
HOSTILE_TEXT = (
    "Attaque <script>" + XSS_MARK + " = 1;</script> près de Kharkiv, selon l'armée.\n\n"
    'Un drone a frappé un dépôt <img src=x onerror="' + XSS_MARK + ' = 2"> à Kharkiv '
    "jeudi, a déclaré le ministère ukrainien de la Défense.\n\n"
    'Le texte contient aussi " onmouseover="' + XSS_MARK + ' = 3" et </span></div> pour voir.'
)


def span_of(text: str, needle: str, start: int = 0) -> Span:
    """The first occurrence of ``needle`` in ``text`` (an error if absent: data is static)."""
    at = text.index(needle, start)
    return Span(at, at + len(needle), needle)


def sentence_of(text: str, needle: str) -> Span:
    """The sentence (between line breaks or '. ') that contains ``needle``."""
    at = text.index(needle)
    begin = max(
        text.rfind("\n", 0, at) + 1, text.rfind(". ", 0, at) + 2 if ". " in text[:at] else 0
    )
    end_candidates = [i for i in (text.find(". ", at), text.find("\n", at)) if i != -1]
    end = min(end_candidates) + 1 if end_candidates else len(text)
    return Span(begin, end, text[begin:end])


def _article(key: str, text: str, title: str, outlet: str, day: date) -> Article:
    return Article(
        id=stable_id("demo", key),
        source=f"demo/{key}.txt",
        text=text,
        title=title,
        url=f"https://example.org/{key}",
        outlet=outlet,
        language="fr",
        published=FuzzyDate(day, Precision.DAY),
        ingested_at=datetime(2023, 10, 20, tzinfo=UTC),
        content_hash=stable_id("content", text),
        raw_hash=stable_id("raw", key),
    )


def _mention(text: str, needle: str, label: EntityType, name: str, **kw) -> EntityMention:
    s = span_of(text, needle)
    return EntityMention(s.start, s.end, s.text, label, name, **kw)


UKR = Actor("l'Ukraine", "Ukraine", "UKR", "GOV", "UKR")
RUS = Actor("la Russie", "Russia", "RUS", "GOV", "RUS")
RUS_MOD = Actor("ministère russe de la Défense", "Russian Ministry of Defence", "RUS", "MIL")
KYIV = Place("Kharkiv", "UKR", "kharkiv", 49.99, 36.23)


def demo_analyses() -> list[Analysis]:
    """Four articles: drones over Crimea (claim), strikes on Samara, German aid, hostile."""
    out: list[Analysis] = []

    t1 = (
        "La Russie affirme avoir abattu 31 drones ukrainiens au-dessus de la Crimée\n\n"
        "Le ministère russe de la Défense a déclaré mercredi que ses forces avaient abattu "
        "31 drones ukrainiens au-dessus du cap Tarkhankout. Cette affirmation n'a pas pu être "
        "vérifiée de manière indépendante. Kiev n'a pas commenté."
    )
    a1 = _article("crimee", t1, t1.split("\n")[0], "Le Monde", date(2023, 10, 4))
    ev1_sentence = sentence_of(t1, "avaient abattu")
    claim1 = Claim(
        id=stable_id("claim", a1.id, 0),
        article_id=a1.id,
        sentence=ev1_sentence,
        content=span_of(
            t1, "ses forces avaient abattu 31 drones ukrainiens au-dessus du cap Tarkhankout"
        ),
        cue="déclarer",
        speaker=RUS_MOD,
        verification=Verification.UNVERIFIED,
        verification_evidence=sentence_of(t1, "n'a pas pu être vérifiée"),
    )
    out.append(
        Analysis(
            article=a1,
            entities=[
                _mention(t1, "La Russie", EntityType.LOC, "Russia", kb_id="RUS", country="RUS"),
                _mention(
                    t1,
                    "Crimée",
                    EntityType.LOC,
                    "Crimea",
                    kb_id="crimea",
                    country="UKR",
                    lat=45.3,
                    lon=34.4,
                ),
                _mention(
                    t1,
                    "ministère russe de la Défense",
                    EntityType.ORG,
                    "Russian Ministry of Defence",
                    kb_id="ru-mod",
                    country="RUS",
                ),
                _mention(
                    t1,
                    "cap Tarkhankout",
                    EntityType.LOC,
                    "Cape Tarkhankut",
                    kb_id="tarkhankut",
                    country="UKR",
                    lat=45.35,
                    lon=32.5,
                ),
                _mention(
                    t1,
                    "Kiev",
                    EntityType.LOC,
                    "Kyiv",
                    kb_id="kyiv",
                    country="UKR",
                    lat=50.45,
                    lon=30.52,
                ),
            ],
            quantities=[
                Quantity(
                    *_se(span_of(t1, "31 drones", t1.index("\n"))),
                    value=Decimal(31),
                    unit="drone",
                    kind="count",
                )
            ],
            times=[
                TimeExpression(
                    *_se(span_of(t1, "mercredi")), date=FuzzyDate(date(2023, 10, 4), Precision.DAY)
                )
            ],
            events=[
                Event(
                    id=stable_id("ev", a1.id, 0),
                    article_id=a1.id,
                    type="ASSAULT",
                    sentence=ev1_sentence,
                    trigger=span_of(t1, "abattu", t1.index("\n")),
                    mode="drone",
                    actor=UKR,
                    target=RUS,
                    location=Place("Cape Tarkhankut", "UKR", "tarkhankut", 45.35, 32.5),
                    location_country="UKR",
                    date=FuzzyDate(date(2023, 10, 4), Precision.DAY),
                    quantities=(EventQuantity(Decimal(31), "drone", "intercepted"),),
                    claimed_by="RUS",
                    verification=Verification.UNVERIFIED,
                    confidence=0.8,
                    stage="demo",
                )
            ],
            claims=[claim1],
        )
    )

    t2 = (
        "Usines de munitions à Samara et Stavropol bombardées\n\n"
        "Des frappes ciblées ont visé des usines de munitions à Samara, en Russie. "
        "Parallèlement, Kiev négocie avec Washington un accord d'armement évalué à "
        "50 milliards de dollars."
    )
    a2 = _article("samara", t2, t2.split("\n")[0], "Ouest-France", date(2023, 10, 5))
    out.append(
        Analysis(
            article=a2,
            entities=[
                _mention(
                    t2,
                    "Samara",
                    EntityType.LOC,
                    "Samara",
                    kb_id="samara",
                    country="RUS",
                    lat=53.2,
                    lon=50.15,
                ),
                _mention(
                    t2,
                    "Stavropol",
                    EntityType.LOC,
                    "Stavropol",
                    kb_id="stavropol",
                    country="RUS",
                    lat=45.04,
                    lon=41.97,
                ),
                _mention(
                    t2,
                    "Kiev",
                    EntityType.LOC,
                    "Kyiv",
                    kb_id="kyiv",
                    country="UKR",
                    lat=50.45,
                    lon=30.52,
                ),
                _mention(
                    t2, "Washington", EntityType.LOC, "United States", kb_id="USA", country="USA"
                ),
            ],
            quantities=[
                Quantity(
                    *_se(span_of(t2, "50 milliards de dollars")),
                    value=Decimal(50_000_000_000),
                    unit="USD",
                    kind="money",
                    usd_value=Decimal(50_000_000_000),
                    fx_year=2023,
                )
            ],
            events=[
                Event(
                    id=stable_id("ev", a2.id, 0),
                    article_id=a2.id,
                    type="ASSAULT",
                    sentence=sentence_of(t2, "Des frappes ciblées"),
                    trigger=span_of(t2, "frappes"),
                    mode="aerial",
                    actor=UKR,
                    target=RUS,
                    location=Place("Samara", "RUS", "samara", 53.2, 50.15),
                    location_country="RUS",
                    date=FuzzyDate(date(2023, 10, 5), Precision.DAY),
                    stage="demo",
                ),
                Event(
                    id=stable_id("ev", a2.id, 1),
                    article_id=a2.id,
                    type="CONSULT",
                    sentence=sentence_of(t2, "négocie"),
                    trigger=span_of(t2, "négocie"),
                    actor=UKR,
                    target=Actor("Washington", "United States", "USA", "GOV", "USA"),
                    stage="demo",
                ),
            ],
            aid=[
                AidCommitment(
                    id=stable_id("aid", a2.id, 0),
                    article_id=a2.id,
                    evidence=(sentence_of(t2, "négocie"),),
                    donor="USA",
                    recipient="UKR",
                    kind="military",
                    mechanism="purchase",
                    value=Decimal(50_000_000_000),
                    currency="USD",
                    usd_value=Decimal(50_000_000_000),
                    status=AidStatus.NEGOTIATING,
                    announced=FuzzyDate(date(2023, 10, 5), Precision.DAY),
                    stage="demo",
                )
            ],
        )
    )

    t3 = (
        "L'Allemagne annonce une aide militaire de 1,3 milliard d'euros à l'Ukraine\n\n"
        "Le ministre allemand de la Défense, Boris Pistorius, a annoncé jeudi à Kiev un "
        "nouveau paquet d'aide militaire de 1,3 milliard d'euros, comprenant des systèmes "
        "IRIS-T. « Nous resterons aux côtés de l'Ukraine », a-t-il déclaré. "
        "La Pologne a pour sa part livré 10 chars à l'Ukraine."
    )
    a3 = _article("pistorius", t3, t3.split("\n")[0], "Le Monde", date(2023, 10, 6))
    out.append(
        Analysis(
            article=a3,
            entities=[
                _mention(t3, "Allemagne", EntityType.LOC, "Germany", kb_id="DEU", country="DEU"),
                _mention(
                    t3,
                    "Boris Pistorius",
                    EntityType.PER,
                    "Boris Pistorius",
                    kb_id="pistorius",
                    country="DEU",
                    sector="GOV",
                ),
                _mention(
                    t3,
                    "Kiev",
                    EntityType.LOC,
                    "Kyiv",
                    kb_id="kyiv",
                    country="UKR",
                    lat=50.45,
                    lon=30.52,
                ),
                _mention(t3, "IRIS-T", EntityType.WEAPON, "IRIS-T", kb_id="iris-t"),
                _mention(t3, "Pologne", EntityType.LOC, "Poland", kb_id="POL", country="POL"),
            ],
            quantities=[
                Quantity(
                    *_se(span_of(t3, "1,3 milliard d'euros", t3.index("\n"))),
                    value=Decimal("1300000000"),
                    unit="EUR",
                    kind="money",
                    usd_value=Decimal("1407000000"),
                    fx_year=2023,
                )
            ],
            events=[
                Event(
                    id=stable_id("ev", a3.id, 0),
                    article_id=a3.id,
                    type="AID",
                    sentence=sentence_of(t3, "a annoncé jeudi"),
                    trigger=span_of(t3, "annoncé", t3.index("\n")),
                    mode="military",
                    actor=Actor("L'Allemagne", "Germany", "DEU", "GOV", "DEU"),
                    target=UKR,
                    location=Place("Kyiv", "UKR", "kyiv", 50.45, 30.52),
                    location_country="UKR",
                    date=FuzzyDate(date(2023, 10, 5), Precision.DAY),
                    stage="demo",
                )
            ],
            aid=[
                AidCommitment(
                    id=stable_id("aid", a3.id, 0),
                    article_id=a3.id,
                    evidence=(sentence_of(t3, "a annoncé jeudi"),),
                    donor="DEU",
                    recipient="UKR",
                    kind="military",
                    mechanism="donation",
                    value=Decimal("1300000000"),
                    currency="EUR",
                    usd_value=Decimal("1407000000"),
                    status=AidStatus.ANNOUNCED,
                    items=(AidItem("IRIS-T", None, None, "iris-t"),),
                    announced=FuzzyDate(date(2023, 10, 5), Precision.DAY),
                    stage="demo",
                ),
                AidCommitment(
                    id=stable_id("aid", a3.id, 1),
                    article_id=a3.id,
                    evidence=(sentence_of(t3, "livré 10 chars"),),
                    donor="POL",
                    recipient="UKR",
                    kind="military",
                    status=AidStatus.DELIVERED,
                    items=(AidItem("char", Decimal(10)),),
                    stage="demo",
                ),
            ],
            claims=[
                Claim(
                    id=stable_id("claim", a3.id, 0),
                    article_id=a3.id,
                    sentence=sentence_of(t3, "Nous resterons"),
                    content=span_of(t3, "Nous resterons aux côtés de l'Ukraine"),
                    cue="déclarer",
                    speaker=Actor("Boris Pistorius", "Boris Pistorius", "DEU", "GOV", "pistorius"),
                    verification=Verification.CONFIRMED,
                    stage="demo",
                )
            ],
        )
    )

    t4 = HOSTILE_TEXT
    a4 = Article(
        **{
            **_fields(_article("hostile", t4, "", "", date(2023, 10, 7))),
            "title": "<script>" + XSS_MARK + " = 4;</script> Titre piégé",
            "outlet": '<b onmouseover="' + XSS_MARK + ' = 5">Evil</b>',
        }
    )
    out.append(
        Analysis(
            article=a4,
            entities=[
                _mention(
                    t4,
                    "Kharkiv",
                    EntityType.LOC,
                    "Kharkiv",
                    kb_id="kharkiv",
                    country="UKR",
                    lat=49.99,
                    lon=36.23,
                ),
                _mention(
                    t4, "<img src=x", EntityType.MISC, '<img src=x onerror="' + XSS_MARK + ' = 6">'
                ),
            ],
            events=[
                Event(
                    id=stable_id("ev", a4.id, 0),
                    article_id=a4.id,
                    type="ASSAULT",
                    sentence=sentence_of(t4, "Un drone a frappé"),
                    trigger=span_of(t4, "frappé"),
                    mode="drone",
                    actor=RUS,
                    target=UKR,
                    location=KYIV,
                    location_country="UKR",
                    date=FuzzyDate(date(2023, 10, 5), Precision.DAY),
                    stage="demo",
                )
            ],
            claims=[
                Claim(
                    id=stable_id("claim", a4.id, 0),
                    article_id=a4.id,
                    sentence=sentence_of(t4, "Un drone a frappé"),
                    content=span_of(t4, "Un drone a frappé un dépôt"),
                    cue="déclarer",
                    speaker=Actor(
                        "<script>" + XSS_MARK + " = 7</script>", "<i>Ministère</i>", "UKR"
                    ),
                    stage="demo",
                )
            ],
        )
    )
    return out


def demo_incidents(analyses: list[Analysis]) -> list[Incident]:
    """One incident per located ASSAULT, as the linker would produce for single mentions."""
    incidents = []
    for a in analyses:
        for e in a.events:
            if e.type != "ASSAULT":
                continue
            incidents.append(
                Incident(
                    id=stable_id("inc", e.id),
                    type=e.type,
                    event_ids=(e.id,),
                    article_ids=(a.article.id,),
                    mode=e.mode,
                    actor=e.actor.country if e.actor else None,
                    target=e.target.country if e.target else None,
                    location=e.location,
                    location_country=e.location_country,
                    date=e.date,
                    num_mentions=1,
                    num_articles=1,
                    num_sources=1,
                    first_seen=datetime(2023, 10, 20, tzinfo=UTC),
                    last_seen=datetime(2023, 10, 20, tzinfo=UTC),
                    claimants=(e.claimed_by,) if e.claimed_by else (),
                    verification=e.verification.value if e.verification else None,
                )
            )
    return incidents


def _se(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.text


def _fields(article: Article) -> dict:
    return {name: getattr(article, name) for name in article.__dataclass_fields__}


# ---------------------------------------------------------------------------
# Synthetic corpus for the bench


SENTENCE_END = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«\"])")
PLACES = (
    ("Kharkiv", 49.99, 36.23),
    ("Kiev", 50.45, 30.52),
    ("Odessa", 46.48, 30.72),
    ("Zaporijjia", 47.84, 35.14),
    ("Kherson", 46.64, 32.61),
    ("Bakhmout", 48.6, 38.0),
    ("Avdiïvka", 48.14, 37.74),
    ("Belgorod", 50.6, 36.6),
    ("Sébastopol", 44.6, 33.52),
    ("Donetsk", 48.0, 37.8),
    ("Lviv", 49.84, 24.03),
    ("Dnipro", 48.46, 35.04),
)
TYPES = ("ASSAULT", "ASSAULT", "ASSAULT", "AID", "CONSULT", "ACCUSE", "THREATEN", "AGREE", "COERCE")
COUNTRIES = ("UKR", "RUS", "USA", "DEU", "FRA", "GBR", "POL")
WORD = re.compile(r"\w{4,}")


def load_sentences() -> list[str]:
    sentences: list[str] = []
    for folder in CORPORA:
        for path in sorted(folder.glob("*.txt")):
            for para in path.read_text(encoding="utf-8").split("\n"):
                sentences.extend(
                    s.strip() for s in SENTENCE_END.split(para.strip()) if len(s.split()) >= 6
                )
    return sentences or [
        "Les forces ukrainiennes ont frappé un dépôt de munitions près de Kharkiv."
    ]


def synthetic_analyses(n: int, seed: int = 7) -> Iterator[Analysis]:
    """``n`` articles of 6–14 corpus sentences, each with a few annotations."""
    rng = random.Random(seed)
    sentences = load_sentences()
    start = date(2022, 2, 24)
    for i in range(n):
        picked = rng.sample(sentences, k=min(len(sentences), rng.randint(6, 14)))
        place, lat, lon = rng.choice(PLACES)
        picked.insert(rng.randrange(len(picked)), f"Des frappes ont touché {place} dans la nuit.")
        text = "\n\n".join(picked)
        day = start + timedelta(days=rng.randrange(600))
        article = Article(
            id=stable_id("synth", seed, i),
            source=f"synth/{i}.txt",
            text=text,
            title=picked[0][:120],
            outlet=f"outlet{rng.randrange(60):02d}",
            language="fr",
            published=FuzzyDate(day, Precision.DAY),
            content_hash=stable_id("synth-content", seed, i),
            raw_hash=stable_id("synth-raw", seed, i),
        )
        yield annotate(article, picked, (place, lat, lon), day, rng, (seed, i))


def annotate(
    article: Article,
    picked: list[str],
    where: tuple[str, float, float],
    day: date,
    rng: random.Random,
    key: tuple,
) -> Analysis:
    """Entities, events, aid and claims at valid offsets for an article whose text is the
    paragraphs ``picked`` joined by blank lines, one of them naming the place of ``where``
    (name, lat, lon); ids are made from ``key``."""
    text = article.text
    place, lat, lon = where
    entities = []
    for m in list(WORD.finditer(text))[:: max(1, rng.randint(15, 40))][:12]:
        entities.append(
            EntityMention(
                m.start(), m.end(), m.group(), EntityType.MISC, m.group().lower(), kb_id=None
            )
        )
    p = text.index(place)
    entities.append(
        EntityMention(
            p,
            p + len(place),
            place,
            EntityType.LOC,
            place,
            kb_id=place.lower(),
            country="UKR",
            lat=lat,
            lon=lon,
        )
    )
    events = []
    offsets = [0]
    for para in picked[:-1]:
        offsets.append(offsets[-1] + len(para) + 2)
    for j in range(rng.randint(1, 4)):
        k = rng.randrange(len(picked))
        s0 = offsets[k]
        sentence = Span(s0, s0 + len(picked[k]), picked[k])
        first = WORD.search(picked[k]) or re.search(r"\w+", picked[k])
        trig = Span(s0 + first.start(), s0 + first.end(), first.group())
        located = rng.random() < 0.4
        events.append(
            Event(
                id=stable_id("synth-ev", *key, j),
                article_id=article.id,
                type=rng.choice(TYPES),
                sentence=sentence,
                trigger=trig,
                actor=Actor("x", rng.choice(COUNTRIES), rng.choice(COUNTRIES)),
                target=Actor("y", rng.choice(COUNTRIES), rng.choice(COUNTRIES)),
                location=Place(
                    place,
                    "UKR",
                    place.lower(),
                    lat + rng.uniform(-0.2, 0.2),
                    lon + rng.uniform(-0.2, 0.2),
                )
                if located
                else None,
                location_country="UKR" if located else None,
                date=FuzzyDate(day - timedelta(days=rng.randrange(3)), Precision.DAY),
                verification=rng.choice(
                    (
                        None,
                        None,
                        Verification.UNVERIFIED,
                        Verification.CONFIRMED,
                        Verification.DENIED,
                    )
                ),
                stage="synth",
            )
        )
    aid = []
    if rng.random() < 0.15:
        k = rng.randrange(len(picked))
        usd = Decimal(rng.randrange(1, 500)) * Decimal(10_000_000)
        aid.append(
            AidCommitment(
                id=stable_id("synth-aid", *key),
                article_id=article.id,
                evidence=(Span(offsets[k], offsets[k] + len(picked[k]), picked[k]),),
                donor=rng.choice(COUNTRIES[2:]),
                recipient="UKR",
                kind="military",
                value=usd,
                currency="USD",
                usd_value=usd,
                status=rng.choice(list(AidStatus)),
                stage="synth",
            )
        )
    claims = []
    if rng.random() < 0.5:
        k = rng.randrange(len(picked))
        sp = Span(offsets[k], offsets[k] + len(picked[k]), picked[k])
        claims.append(
            Claim(
                id=stable_id("synth-claim", *key),
                article_id=article.id,
                sentence=sp,
                content=sp,
                cue="déclarer",
                speaker=Actor("z", rng.choice(COUNTRIES), rng.choice(COUNTRIES)),
                verification=rng.choice((None, Verification.UNVERIFIED, Verification.DENIED)),
                stage="synth",
            )
        )
    return Analysis(article=article, entities=entities, events=events, aid=aid, claims=claims)


def synthetic_links(store, seed: int = 7) -> dict[str, int]:
    """Incidents, stories, duplicate groups and merged aid over a stored synthetic corpus,
    made by grouping in SQL (running the real linker on 100k articles takes hours): enough
    rows of each to time the list routes. Saved through the store, as linking saves them."""
    from veille.model import AidStatusChange, DuplicateGroup, MergedAid, Story

    con = store.connection()
    rng = random.Random(seed)
    incidents = []
    rows = con.execute(
        "SELECT type, location_name, date, list(id ORDER BY id), list(DISTINCT article_id), "
        "any_value(location_lat), any_value(location_lon), any_value(actor_country), "
        "any_value(target_country) FROM events WHERE location_name IS NOT NULL "
        "GROUP BY type, location_name, date"
    ).fetchall()
    for type_, place, day, event_ids, article_ids, lat, lon, actor, target in rows:
        incidents.append(
            Incident(
                id=stable_id("synth-inc", type_, place, day),
                type=type_,
                event_ids=tuple(event_ids),
                article_ids=tuple(sorted(article_ids)),
                actor=actor,
                target=target,
                location=Place(place, "UKR", place.lower(), lat, lon),
                location_country="UKR",
                date=FuzzyDate(day, Precision.DAY),
                num_mentions=len(event_ids),
                num_articles=len(article_ids),
                num_sources=max(1, len(article_ids) // 2),
                first_seen=datetime(2024, 1, 1, tzinfo=UTC),
                last_seen=datetime(2024, 1, 1, tzinfo=UTC),
                verification=rng.choice((None, "unverified", "confirmed")),
            )
        )
    articles = con.execute(
        "SELECT id, outlet, url, published_date FROM articles ORDER BY published_date, id"
    ).fetchall()
    stories, groups = [], []
    at = 0
    while at < len(articles):
        size = rng.randint(2, 40)
        members = articles[at : at + size]
        at += size
        stories.append(
            Story(
                id=stable_id("synth-story", members[0][0]),
                label=f"story {len(stories)}",
                article_ids=tuple(m[0] for m in members),
                top_entities=tuple(rng.sample([p for p, _, _ in PLACES], 3)),
                first_date=members[0][3],
                last_date=members[-1][3],
            )
        )
    for k in range(0, len(articles) - 3, 20):
        members = articles[k : k + rng.randint(2, 3)]
        groups.append(
            DuplicateGroup(
                id=stable_id("synth-dup", members[0][0]),
                kind=rng.choice(("exact", "near")),
                article_ids=tuple(m[0] for m in members),
                outlets=tuple(sorted({m[1] for m in members if m[1]})),
                urls=tuple(m[2] for m in members if m[2]),
                similarity=round(rng.uniform(0.8, 1.0), 3),
            )
        )
    merged = []
    aid_rows = con.execute(
        "SELECT c.donor, c.status, list(c.id ORDER BY c.id), list(c.article_id ORDER BY c.id), "
        "list(c.usd_value ORDER BY c.id), list(a.published_date ORDER BY c.id), "
        "list(c.evidence ORDER BY c.id) FROM aid_commitments c "
        "JOIN articles a ON a.id = c.article_id "
        "GROUP BY c.donor, c.status, date_trunc('month', a.published_date)"
    ).fetchall()
    for donor, status, ids, article_ids, usd, days, evidence in aid_rows:
        first = json.loads(evidence[0])[0]
        merged.append(
            MergedAid(
                id=stable_id("synth-merged", *ids),
                commitment_ids=tuple(ids),
                donor=donor,
                recipient="UKR",
                kind="military",
                value=usd[0],
                currency="USD",
                usd_value=usd[0],
                status=AidStatus(status) if status else None,
                history=(
                    AidStatusChange(
                        AidStatus(status) if status else AidStatus.ANNOUNCED,
                        FuzzyDate(days[0], Precision.DAY),
                        article_ids[0],
                        ids[0],
                        Span(first["start"], first["end"], first["text"]),
                    ),
                ),
            )
        )
    return {
        "incidents": store.save_incidents(incidents),
        "stories": store.save_stories(stories),
        "duplicate_groups": store.save_duplicate_groups(groups),
        "merged_aid": store.save_merged_aid(merged),
    }


def build_store(
    db_path: Path, analyses, incidents=(), batch: int = 2000, progress=None
) -> SimpleNamespace:
    """Save ``analyses`` into a new store at ``db_path`` and index them; returns settings."""
    from veille.search import index_articles
    from veille.store import open_store

    settings = SimpleNamespace(db_path=Path(db_path), search_index_dir=None)
    store = open_store(db_path)
    try:
        chunk: list[Analysis] = []
        done = 0
        for analysis in analyses:
            chunk.append(analysis)
            if len(chunk) >= batch:
                done += store.save_batch(chunk) or len(chunk)
                chunk = []
                if progress:
                    progress(done)
        if chunk:
            store.save_batch(chunk)
        if incidents:
            store.save_incidents(list(incidents))
        index_articles(store, settings)
    finally:
        store.close()
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/veille-bench.duckdb"))
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.db.exists():
        print(f"{args.db} exists; remove it first", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    build_store(
        args.db,
        synthetic_analyses(args.articles, args.seed),
        progress=lambda n: print(
            f"{n} articles saved, {time.perf_counter() - t0:.0f}s", file=sys.stderr
        ),
    )
    print(f"built {args.db} with {args.articles} articles in {time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
