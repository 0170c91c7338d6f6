"""The bundled knowledge base: loading, schema check, lookups, roles and demonyms."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from veille.errors import DataFileError
from veille.kb import KnowledgeBase, normalize
from veille.model import EntityType


def test_bundled_kb_loads_with_a_version(kb: KnowledgeBase) -> None:
    assert kb.version
    assert len(kb) > 1000


@pytest.mark.parametrize(
    ("surface", "kb_id", "name"),
    [
        ("Kiev", "city:kyiv", "Kyiv"),
        ("Kyiv", "city:kyiv", "Kyiv"),
        ("KYÏV", "city:kyiv", "Kyiv"),
        ("Kharkov", "city:kharkiv", "Kharkiv"),
        ("Odessa", "city:odesa", "Odesa"),
        ("Zaporojie", "city:zaporizhzhia", "Zaporizhzhia"),
        ("Zaporijjia", "city:zaporizhzhia", "Zaporizhzhia"),
        ("Artiomovsk", "city:bakhmut", "Bakhmut"),
        ("Bakhmout", "city:bakhmut", "Bakhmut"),
        ("Dnipropetrovsk", "city:dnipro", "Dnipro"),
        ("Nikolaïev", "city:mykolaiv", "Mykolaiv"),
        ("Marioupol", "city:mariupol", "Mariupol"),
        ("Avdiïvka", "town:avdiivka", "Avdiivka"),
        ("Sébastopol", "city:sevastopol", "Sevastopol"),
        ("Koursk", "city:kursk", "Kursk"),
        ("saint-petersbourg", "city:saint-petersburg", "Saint Petersburg"),
        ("Moscou", "city:moscow", "Moscow"),
        ("Crimée", "area:crimea", "Crimea"),
        ("mer d'Azov", "sea:azov", "Sea of Azov"),
        ("pont de Kertch", "infra:crimean-bridge", "Crimean Bridge"),
        ("États-Unis", "country:usa", "United States"),
        ("Etats-Unis", "country:usa", "United States"),
        ("Russie", "country:rus", "Russia"),
        ("Japon", "country:jpn", "Japan"),
        ("Pays-Bas", "country:nld", "Netherlands"),
        ("OTAN", "org:nato", "NATO"),
        ("UE", "org:eu", "European Union"),
        ("AIEA", "org:iaea", "International Atomic Energy Agency"),
        ("Pentagone", "org:pentagon", "Pentagon"),
        ("Maison Blanche", "org:white-house", "White House"),
        ("ministère russe de la Défense", "org:rus-mod", "Russian Ministry of Defence"),
        (
            "état-major ukrainien",
            "org:ukr-general-staff",
            "General Staff of the Armed Forces of Ukraine",
        ),
        ("Congrès", "org:us-congress", "United States Congress"),
        ("Bundestag", "org:bundestag", "Bundestag"),
        ("SCALP", "weapon:storm-shadow", "Storm Shadow"),
        ("Geran-2", "weapon:shahed", "Shahed-136"),
        ("Patriot", "weapon:patriot", "MIM-104 Patriot"),
        ("ATACMS", "weapon:atacms", "MGM-140 ATACMS"),
        ("Vladimir Poutine", "per:vladimir-putin", "Vladimir Putin"),
        ("Choïgou", "per:sergei-shoigu", "Sergei Shoigu"),
        ("Associated Press", "org:ap", "Associated Press"),
        (
            "Forum sur la sécurité de Varsovie",
            "event:warsaw-security-forum",
            "Warsaw Security Forum",
        ),
    ],
)
def test_lookup_is_case_and_accent_insensitive(
    kb: KnowledgeBase, surface: str, kb_id: str, name: str
) -> None:
    found = kb.lookup(surface)
    assert found, surface
    assert found[0].id == kb_id
    assert found[0].name == name


def test_entities_carry_type_country_and_coordinates(kb: KnowledgeBase) -> None:
    kyiv = kb.get("city:kyiv")
    assert kyiv is not None
    assert kyiv.type is EntityType.LOC
    assert kyiv.country == "UKR"
    assert kyiv.kind == "capital"
    assert kyiv.lat == pytest.approx(50.45, abs=0.1)
    assert kyiv.lon == pytest.approx(30.52, abs=0.1)
    assert kyiv.seat_of == "gov:ukr"
    patriot = kb.get("weapon:patriot")
    assert patriot is not None and patriot.type is EntityType.WEAPON
    assert patriot.family == "weapon:family-air-defence"
    assert kb.get("org:pentagon").sector == "MIL"
    assert kb.get("no:such-id") is None


def test_every_country_and_ukrainian_and_russian_city(kb: KnowledgeBase) -> None:
    countries = [e for e in kb if e.kind == "country"]
    assert len(countries) >= 240
    cities = [e for e in kb if e.kind in {"city", "capital"} and e.country in {"UKR", "RUS"}]
    assert len(cities) >= 300
    assert all(e.lat is not None for e in cities)


@pytest.mark.parametrize(
    ("country", "kb_id"),
    [("UKR", "gov:ukr"), ("RUS", "gov:rus"), ("USA", "gov:usa"), ("XXX", None)],
)
def test_government_of(kb: KnowledgeBase, country: str, kb_id: str | None) -> None:
    government = kb.government_of(country)
    assert (government.id if government else None) == kb_id


@pytest.mark.parametrize(
    ("role", "on", "holder"),
    [
        ("USA.president", date(2023, 10, 4), "per:joe-biden"),
        ("USA.president", date(2025, 3, 1), "per:donald-trump"),
        ("USA.president", date(2019, 3, 1), "per:donald-trump"),
        ("RUS.defence_minister", date(2023, 1, 1), "per:sergei-shoigu"),
        ("RUS.defence_minister", date(2024, 6, 1), "per:andrei-belousov"),
        ("UKR.commander_in_chief", date(2023, 5, 1), "per:valerii-zaluzhnyi"),
        ("UKR.commander_in_chief", date(2024, 3, 1), "per:oleksandr-syrskyi"),
        ("NATO.military_committee_chair", date(2021, 6, 25), "per:rob-bauer"),
        ("NATO.military_committee_chair", date(2025, 1, 17), "per:giuseppe-cavo-dragone"),
        ("NATO.secretary_general", date(2024, 9, 30), "per:jens-stoltenberg"),
        ("NATO.secretary_general", date(2024, 10, 1), "per:mark-rutte"),
        ("GBR.prime_minister", date(2022, 10, 1), "per:liz-truss"),
        ("DEU.chancellor", date(2025, 6, 1), "per:friedrich-merz"),
        ("USA.house_speaker", date(2023, 10, 10), None),  # vacancy after McCarthy's removal
        ("USA.president", date(2001, 1, 1), None),
    ],
)
def test_role_holder_respects_date_ranges(
    kb: KnowledgeBase, role: str, on: date, holder: str | None
) -> None:
    person = kb.role_holder(role, on)
    assert (person.id if person else None) == holder


@pytest.mark.parametrize(
    ("word", "country"),
    [
        ("russe", "RUS"),
        ("russes", "RUS"),
        ("ukrainien", "UKR"),
        ("ukrainienne", "UKR"),
        ("ukrainiens", "UKR"),
        ("ukrainiennes", "UKR"),
        ("américain", "USA"),
        ("Américaines", "USA"),
        ("britanniques", "GBR"),
        ("allemand", "DEU"),
        ("français", "FRA"),
        ("polonais", "POL"),
        ("néerlandaise", "NLD"),
        ("nord-coréens", "PRK"),
        ("biélorusse", "BLR"),
        ("européen", "EUROPE"),
        ("européennes", "EUROPE"),
        ("otanien", "NATO"),
        ("occidentaux", None),
        ("Ukrainian", "UKR"),
        ("rapide", None),
    ],
)
def test_country_for_adjective(kb: KnowledgeBase, word: str, country: str | None) -> None:
    assert kb.country_for_adjective(word) == country


def test_normalize() -> None:
    assert normalize("Kyïv") == "kyiv"
    assert normalize("l’OTAN") == "l'otan"
    assert normalize("Saint-Pétersbourg") == "saint petersbourg"
    assert normalize("  Maison   Blanche ") == "maison blanche"


GOOD = {"id": "city:testville", "type": "LOC", "kind": "city", "name": "Testville"}


def _write_kb(tmp_path: Path, entries: list[dict], raw_line: str | None = None) -> Path:
    lines = [json.dumps(e, ensure_ascii=False) for e in entries]
    if raw_line is not None:
        lines.append(raw_line)
    (tmp_path / "places.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(
        "kb_version: test\nfiles: [places.jsonl]\n", encoding="utf-8"
    )
    return tmp_path


def test_load_a_custom_directory(tmp_path: Path) -> None:
    kb = KnowledgeBase.load(_write_kb(tmp_path, [GOOD]))
    assert kb.version == "test"
    assert [e.id for e in kb.lookup("testville")] == ["city:testville"]


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ({**GOOD, "type": "PLACE"}, "type 'PLACE'"),
        ({**GOOD, "kind": "planet"}, "kind 'planet'"),
        ({k: v for k, v in GOOD.items() if k != "name"}, "missing or empty 'name'"),
        ({**GOOD, "id": "Testville"}, "is not a 'prefix:slug' id"),
        ({**GOOD, "country": "Ukraine"}, "country 'Ukraine'"),
        ({**GOOD, "lat": 95.0, "lon": 10.0}, "lat 95.0 is out of range"),
        ({**GOOD, "lat": 45.0}, "lat and lon go together"),
        ({**GOOD, "names": {"fr": "Testville"}}, "names.fr must be a list"),
        ({**GOOD, "colour": "blue"}, "unknown field(s) ['colour']"),
        ({**GOOD, "wikidata": "212"}, "is not a Q-id"),
        ({**GOOD, "seat_of": "gov:nowhere"}, "seat_of 'gov:nowhere' of 'city:testville'"),
        (
            {**GOOD, "roles": [{"role": "USA.president", "start": "2021-13-01"}]},
            "must be ISO dates",
        ),
        (
            {
                **GOOD,
                "roles": [{"role": "USA.president", "start": "2021-01-01", "end": "2020-01-01"}],
            },
            "is before start",
        ),
    ],
)
def test_malformed_entry_names_file_line_and_reason(
    tmp_path: Path, entry: dict, reason: str
) -> None:
    other = {**GOOD, "id": "city:other", "name": "Other"}
    path = _write_kb(tmp_path, [other, entry])
    with pytest.raises(DataFileError) as excinfo:
        KnowledgeBase.load(path)
    message = str(excinfo.value)
    assert message.startswith("V301 ")
    assert "places.jsonl" in message
    assert "line 2" in message
    assert reason in message


def test_invalid_json_and_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match=r"line 2: invalid JSON"):
        KnowledgeBase.load(_write_kb(tmp_path, [GOOD], raw_line="{not json"))
    with pytest.raises(DataFileError, match=r"line 2: duplicate id 'city:testville'"):
        KnowledgeBase.load(_write_kb(tmp_path, [GOOD, GOOD]))


def test_missing_manifest_is_a_data_file_error(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="missing KB manifest"):
        KnowledgeBase.load(tmp_path)


def test_yaml_entries_report_their_line(tmp_path: Path) -> None:
    (tmp_path / "people.yaml").write_text(
        "# people\n- {id: per:a, type: PER, kind: person, name: A}\n"
        "- {id: per:b, type: PER, kind: person, name: B,"
        " roles: [{role: bad, start: 2020-01-01}]}\n",
        encoding="utf-8",
    )
    (tmp_path / "manifest.yaml").write_text("kb_version: t\nfiles: [people.yaml]\n")
    with pytest.raises(DataFileError, match=r"people.yaml: line 3: role id 'bad'"):
        KnowledgeBase.load(tmp_path)


def test_country_and_capital_entities(kb: KnowledgeBase) -> None:
    assert kb.country_entity("UKR").id == "country:ukr"
    assert kb.country_entity("EUROPE").id == "area:europe"
    assert kb.capital_of("UKR").id == "city:kyiv"
    assert kb.capital_of("USA").id == "city:washington"
    assert kb.capital_of("XXX") is None


def test_generated_names_skip_first_names_and_common_words(kb: KnowledgeBase) -> None:
    assert not [e for e in kb.lookup("Dominique") if e.kind == "country"]
    assert kb.get("country:mus").names["fr"] == ("île Maurice",)
    assert kb.entity_for_adjective("européens").id == "area:europe"
