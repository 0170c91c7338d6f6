"""Actor resolution: noun phrase -> country + sector.

These tests build the Analysis by hand (bare spaCy parse + a small fake KB and hand-made
linked mentions) so that they exercise the resolution rules on their own; the pipeline
tests in test_events.py run them on top of the real KB and entity linker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest

from veille.extract.actors import actor_from_possessive, resolve_actor
from veille.model import Analysis, Article, EntityMention, EntityType, FuzzyDate


@dataclass(frozen=True)
class FakeEntity:
    id: str
    name: str
    country: str | None
    sector: str | None = None
    kind: str = "country"


class FakeKB:
    """The three KB methods actor resolution relies on."""

    ADJECTIVES: ClassVar[dict[str, str]] = {
        "russe": "RUS",
        "russes": "RUS",
        "ukrainien": "UKR",
        "ukrainienne": "UKR",
        "ukrainiens": "UKR",
        "ukrainiennes": "UKR",
        "américain": "USA",
        "américaine": "USA",
        "américains": "USA",
        "américaines": "USA",
        "britannique": "GBR",
        "britanniques": "GBR",
        "européens": "EUROPE",
        "européen": "EUROPE",
        "allemand": "DEU",
        "allemands": "DEU",
        "français": "FRA",
        "française": "FRA",
    }
    ENTITIES: ClassVar[dict[str, FakeEntity]] = {
        "gov:ukr": FakeEntity("gov:ukr", "Government of Ukraine", "UKR", "GOV", "government"),
        "gov:rus": FakeEntity("gov:rus", "Government of Russia", "RUS", "GOV", "government"),
        "gov:usa": FakeEntity("gov:usa", "Government of the United States", "USA", "GOV"),
        "org:nato": FakeEntity("org:nato", "NATO", "NATO", "IGO", "alliance"),
        "per:zelensky": FakeEntity("per:zelensky", "Volodymyr Zelensky", "UKR", "GOV", "person"),
        "per:macron": FakeEntity("per:macron", "Emmanuel Macron", "FRA", "GOV", "person"),
        "loc:belgorod": FakeEntity("loc:belgorod", "Belgorod", "RUS", None, "city"),
    }

    def country_for_adjective(self, word: str) -> str | None:
        return self.ADJECTIVES.get(word.lower())

    def get(self, kb_id: str) -> FakeEntity | None:
        return self.ENTITIES.get(kb_id)

    def government_of(self, country: str) -> FakeEntity | None:
        return self.ENTITIES.get(f"gov:{country.lower()}")


# surface form -> (label, kb id, refers_to)
MENTIONS = {
    "Kiev": (EntityType.LOC, "loc:kyiv", "gov:ukr"),
    "Moscou": (EntityType.LOC, "loc:moscow", "gov:rus"),
    "Washington": (EntityType.LOC, "loc:washington", "gov:usa"),
    "Kremlin": (EntityType.LOC, "loc:kremlin", "gov:rus"),
    "OTAN": (EntityType.ORG, "org:nato", None),
    "Zelensky": (EntityType.PER, "per:zelensky", None),
    "Emmanuel Macron": (EntityType.PER, "per:macron", None),
    "Belgorod": (EntityType.LOC, "loc:belgorod", None),
}


@pytest.fixture(scope="module")
def fake_kb() -> FakeKB:
    return FakeKB()


@pytest.fixture(scope="module")
def build(bare_nlp, fake_kb):
    def _build(text: str) -> Analysis:
        doc = bare_nlp(text)
        mentions = []
        for surface, (label, kb_id, refers_to) in MENTIONS.items():
            start = text.find(surface)
            if start < 0:
                continue
            entity = fake_kb.get(refers_to or kb_id)
            mentions.append(
                EntityMention(
                    start=start,
                    end=start + len(surface),
                    text=surface,
                    label=label,
                    name=surface,
                    kb_id=kb_id,
                    country=entity.country if entity else None,
                    refers_to=refers_to,
                    resolved_by="metonymy" if refers_to else "kb",
                )
            )
        article = Article(
            id="t", source="<test>", text=text, language="fr", published=FuzzyDate.unknown()
        )
        return Analysis(article=article, entities=mentions, doc=doc)

    return _build


def _token(analysis: Analysis, word: str):
    for tok in analysis.doc:
        if tok.text == word:
            return tok
    raise AssertionError(f"{word!r} not in {analysis.doc.text!r}")


# sentence, head word of the phrase, expected country, expected sector
CASES = [
    ("Les forces ukrainiennes ont progressé près de la ville.", "forces", "UKR", "MIL"),
    ("Des avions russes ont survolé la zone.", "avions", "RUS", "MIL"),
    ("Le ministère russe de la Défense a publié un communiqué.", "ministère", "RUS", "GOV"),
    ("Les autorités américaines ont publié un rapport.", "autorités", "USA", "GOV"),
    ("Les alliés européens se sont réunis lundi.", "alliés", "EUROPE", "GOV"),
    ("Les médias britanniques ont publié une enquête.", "médias", "GBR", "MED"),
    ("Kiev a rejeté la proposition.", "Kiev", "UKR", "GOV"),
    ("Moscou a dénoncé la décision.", "Moscou", "RUS", "GOV"),
    ("Le Kremlin a démenti ces informations.", "Kremlin", "RUS", "GOV"),
    ("Washington a annoncé de nouvelles mesures.", "Washington", "USA", "GOV"),
    ("L'OTAN a renforcé sa présence à l'est.", "OTAN", "NATO", "IGO"),
    ("Zelensky a remercié ses partenaires.", "Zelensky", "UKR", "GOV"),
    ("Les troupes de Moscou ont reculé.", "troupes", "RUS", "MIL"),
    ("Les forces de Kiev ont lancé une contre-attaque.", "forces", "UKR", "MIL"),
    ("Le président américain a signé le texte.", "président", "USA", "GOV"),
    ("La marine russe a perdu un navire.", "marine", "RUS", "MIL"),
    ("Les soldats ukrainiens tiennent la ligne.", "soldats", "UKR", "MIL"),
    ("Le gouvernement allemand a confirmé la livraison.", "gouvernement", "DEU", "GOV"),
    ("Des usines situées à Belgorod ont été touchées.", "usines", "RUS", None),
    ("Le président français Emmanuel Macron a appelé au calme.", "président", "FRA", "GOV"),
    # a capitalised demonym noun names the people ("les Russes"), a lowercase one does not
    ("Les Ukrainiens ont tenu la ville.", "Ukrainiens", "UKR", None),
    ("Des Américains ont rejoint la mission.", "Américains", "USA", None),
]


@pytest.mark.parametrize(("text", "head", "country", "sector"), CASES)
def test_resolve_actor(build, fake_kb, text, head, country, sector):
    analysis = build(text)
    actor = resolve_actor(_token(analysis, head), analysis, fake_kb)
    assert actor is not None
    assert actor.country == country
    assert actor.sector == sector


def test_span_input_uses_its_root(build, fake_kb):
    analysis = build("Les forces ukrainiennes ont progressé.")
    span = analysis.doc[0:3]
    actor = resolve_actor(span, analysis, fake_kb)
    assert actor is not None and (actor.country, actor.sector) == ("UKR", "MIL")


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("Les analystes estiment que la guerre durera.", "analystes"),
        ("La situation reste tendue.", "situation"),
    ],
)
def test_non_actors_resolve_to_none(build, fake_kb, text, head):
    analysis = build(text)
    assert resolve_actor(_token(analysis, head), analysis, fake_kb) is None


def test_sector_noun_without_country(build, fake_kb):
    analysis = build("Les autorités ont fermé la route.")
    actor = resolve_actor(_token(analysis, "autorités"), analysis, fake_kb)
    assert actor is not None and actor.country is None and actor.sector == "GOV"


def test_possessive_takes_the_sentence_subject(build, fake_kb):
    analysis = build(
        "Le ministère russe de la Défense a déclaré que ses défenses aériennes avaient abattu "
        "dix drones."
    )
    owner = actor_from_possessive(_token(analysis, "défenses"), analysis, fake_kb)
    assert owner is not None and owner.country == "RUS"
    actor = resolve_actor(_token(analysis, "défenses"), analysis, fake_kb)
    assert actor is not None and (actor.country, actor.sector) == ("RUS", "MIL")


def test_pronoun_takes_the_previous_subject(build, fake_kb):
    analysis = build(
        "Les autorités ukrainiennes ont réagi mardi. Elles ont dénoncé une provocation."
    )
    actor = resolve_actor(_token(analysis, "Elles"), analysis, fake_kb)
    assert actor is not None and actor.country == "UKR"


def test_pronoun_without_antecedent(build, fake_kb):
    analysis = build("Il pleut sur la ville.")
    assert resolve_actor(_token(analysis, "Il"), analysis, fake_kb) is None


def test_mention_at_answers_as_a_scan_of_the_mentions():
    """Answers kept per doc are those of a scan of the mention list (the longest covering
    mention, the first of equal ones), and a new list is read afresh."""
    import spacy

    from veille.extract.actors import mention_at

    doc = spacy.blank("fr")("Le président ukrainien Volodymyr Zelensky a parlé à Kiev.")
    per = EntityMention(23, 41, "Volodymyr Zelensky", EntityType.PER, "Volodymyr Zelensky")
    first = EntityMention(33, 41, "Zelensky", EntityType.PER, "Zelensky")
    second = EntityMention(33, 41, "Zelensky", EntityType.PER, "Zelensky bis")
    kyiv = EntityMention(52, 56, "Kiev", EntityType.LOC, "Kyiv", country="UKR")
    analysis = Analysis(article=Article(id="a", source="<t>", text=doc.text), doc=doc)

    def scan(token):
        covering = [m for m in analysis.entities if m.start <= token.idx < m.end]
        return max(covering, key=lambda m: m.end - m.start, default=None)

    for mentions in ([first, second, kyiv], [per, first, kyiv], [second, first], []):
        analysis.entities = mentions
        for _ in range(2):  # the second time from the kept answers
            for token in doc:
                assert mention_at(analysis, token) is scan(token), token.text
