"""Entity recognition and linking: tables of French sentences with the expected links."""

from __future__ import annotations

from datetime import date

import pytest

from veille.enrich.entities import RULER_NAME, link_entities
from veille.model import EntityMention, EntityType, FuzzyDate, Precision

DAY = FuzzyDate(date(2023, 10, 4), Precision.DAY)
MONTH = FuzzyDate(date(2024, 3, 1), Precision.MONTH)
UNKNOWN = FuzzyDate.unknown()


@pytest.fixture(scope="module")
def mentions(nlp, kb):
    def _mentions(text: str, published: FuzzyDate = DAY) -> list[EntityMention]:
        return link_entities(nlp(text), kb, published)

    return _mentions


def _find(found: list[EntityMention], text: str) -> EntityMention:
    hits = [m for m in found if m.text == text]
    assert hits, f"{text!r} not in {[m.text for m in found]}"
    return hits[0]


def test_ruler_sits_after_the_statistical_ner(nlp) -> None:
    names = nlp.pipe_names
    assert names.index(RULER_NAME) == names.index("ner") + 1


@pytest.mark.parametrize(
    ("sentence", "surface", "kb_id", "label", "country"),
    [
        (
            "Des explosions ont été entendues à Kharkov dans la nuit.",
            "Kharkov",
            "city:kharkiv",
            EntityType.LOC,
            "UKR",
        ),
        (
            "Les habitants de Zaporijjia ont passé la nuit dans les abris.",
            "Zaporijjia",
            "city:zaporizhzhia",
            EntityType.LOC,
            "UKR",
        ),
        (
            "La ville d'Odessa a été visée par des missiles.",
            "Odessa",
            "city:odesa",
            EntityType.LOC,
            "UKR",
        ),
        (
            "Les combats se poursuivent autour d'Avdiïvka.",
            "Avdiïvka",
            "town:avdiivka",
            EntityType.LOC,
            "UKR",
        ),
        (
            "Un dépôt pétrolier a pris feu à Novorossiisk.",
            "Novorossiisk",
            "city:novorossiysk",
            EntityType.LOC,
            "RUS",
        ),
        (
            "Un drone est tombé dans la région de Koursk.",
            "région de Koursk",
            "region:ru-kursk",
            EntityType.LOC,
            "RUS",
        ),
        (
            "Un navire a été touché en mer Noire.",
            "mer Noire",
            "sea:black-sea",
            EntityType.LOC,
            None,
        ),
        (
            "Le pont de Crimée a été fermé à la circulation.",
            "pont de Crimée",
            "infra:crimean-bridge",
            EntityType.LOC,
            "UKR",
        ),
        (
            "Washington a livré des missiles Patriot supplémentaires.",
            "Patriot",
            "weapon:patriot",
            EntityType.WEAPON,
            "USA",
        ),
        (
            "Les premiers chasseurs F-16 sont arrivés au printemps.",
            "F-16",
            "weapon:f-16",
            EntityType.WEAPON,
            "USA",
        ),
        (
            "Berlin refuse toujours de livrer des missiles Taurus.",
            "Taurus",
            "weapon:taurus",
            EntityType.WEAPON,
            "DEU",
        ),
        (
            "Des drones Shahed ont visé le port.",
            "Shahed",
            "weapon:shahed",
            EntityType.WEAPON,
            "IRN",
        ),
        (
            "Des chars Leopard 2 ont été détruits près de Robotyne.",
            "Leopard 2",
            "weapon:leopard-2",
            EntityType.WEAPON,
            "DEU",
        ),
        (
            "Selon l'AIEA, la centrale reste en état d'arrêt à froid.",
            "AIEA",
            "org:iaea",
            EntityType.ORG,
            None,
        ),
        ("Les ministres de l'UE se réunissent à Bruxelles.", "UE", "org:eu", EntityType.ORG, "EU"),
        (
            "L'état-major ukrainien a publié son bilan quotidien.",
            "état-major ukrainien",
            "org:ukr-general-staff",
            EntityType.ORG,
            "UKR",
        ),
        (
            "Le Bundestag a voté une nouvelle enveloppe.",
            "Bundestag",
            "org:bundestag",
            EntityType.ORG,
            "DEU",
        ),
        (
            "Sergueï Lavrov a rencontré son homologue turc.",
            "Sergueï Lavrov",
            "per:sergei-lavrov",
            EntityType.PER,
            "RUS",
        ),
        (
            "L'agence Reuters cite des sources militaires.",
            "Reuters",
            "org:reuters",
            EntityType.ORG,
            "GBR",
        ),
        (
            "D'après NBC News, le vote aura lieu jeudi.",
            "NBC News",
            "org:nbc-news",
            EntityType.ORG,
            "USA",
        ),
        (
            "Le Premier ministre Denis Chmygal a reçu les ambassadeurs.",
            "Denis Chmygal",
            "per:denys-shmyhal",
            EntityType.PER,
            "UKR",
        ),
        (
            "La conférence de Munich sur la sécurité s'ouvre vendredi.",
            "conférence de Munich sur la sécurité",
            "event:munich-security-conference",
            EntityType.MISC,
            "DEU",
        ),
    ],
)
def test_mentions_link_to_the_kb(mentions, sentence, surface, kb_id, label, country) -> None:
    mention = _find(mentions(sentence), surface)
    assert mention.kb_id == kb_id
    assert mention.label is label
    assert mention.country == country


def test_places_carry_coordinates(mentions) -> None:
    mention = _find(mentions("Une frappe a touché Dnipro mardi matin."), "Dnipro")
    assert mention.kb_id == "city:dnipro"
    assert mention.lat == pytest.approx(48.45, abs=0.2)
    assert mention.lon == pytest.approx(34.98, abs=0.2)


@pytest.mark.parametrize(
    ("sentence", "surface", "government", "country"),
    [
        ("Kiev a demandé davantage de systèmes de défense aérienne.", "Kiev", "gov:ukr", "UKR"),
        ("Moscou accuse les Occidentaux de prolonger le conflit.", "Moscou", "gov:rus", "RUS"),
        (
            "L'Ukraine négocie un accord de sécurité avec Washington.",
            "Washington",
            "gov:usa",
            "USA",
        ),
        ("Les frappes ont été revendiquées par Moscou.", "Moscou", "gov:rus", "RUS"),
        ("Le Kremlin a démenti toute implication.", "Kremlin", "gov:rus", "RUS"),
        ("La Maison Blanche prépare un nouveau paquet d'aide.", "Maison Blanche", "gov:usa", "USA"),
        ("Les troupes de Moscou ont progressé de deux kilomètres.", "Moscou", "gov:rus", "RUS"),
        ("Les pourparlers entre Kiev et Moscou sont au point mort.", "Moscou", "gov:rus", "RUS"),
        ("Berlin va livrer des chars à Kiev avant l'hiver.", "Kiev", "gov:ukr", "UKR"),
        ("Paris a promis une aide supplémentaire à Kiev.", "Kiev", "gov:ukr", "UKR"),
    ],
)
def test_capitals_and_seats_acting_refer_to_their_government(
    mentions, sentence, surface, government, country
) -> None:
    mention = _find(mentions(sentence), surface)
    assert mention.resolved_by == "metonymy"
    assert mention.refers_to == government
    assert mention.sector == "GOV"
    assert mention.country == country
    assert mention.kb_id is not None  # still the place or building itself


@pytest.mark.parametrize(
    ("sentence", "surface"),
    [
        ("Des sirènes ont retenti à Kiev dans la nuit.", "Kiev"),
        ("Il est arrivé à Moscou lundi soir.", "Moscou"),
    ],
)
def test_capitals_as_places_stay_places(mentions, sentence, surface) -> None:
    mention = _find(mentions(sentence), surface)
    assert mention.label is EntityType.LOC
    assert mention.refers_to is None
    assert mention.resolved_by == "kb"


@pytest.mark.parametrize(
    ("sentence", "phrase", "role", "holder", "published"),
    [
        (
            "Le président américain a promis de nouvelles livraisons.",
            "président américain",
            "USA.president",
            "per:joe-biden",
            DAY,
        ),
        (
            "Le chef de la Maison Blanche a signé le texte.",
            "chef de la Maison Blanche",
            "USA.president",
            "per:joe-biden",
            DAY,
        ),
        (
            "Le ministre russe de la Défense s'est rendu sur le front.",
            "ministre russe de la Défense",
            "RUS.defence_minister",
            "per:sergei-shoigu",
            DAY,
        ),
        (
            "Le ministre de la Défense russe a limogé un général.",
            "ministre de la Défense russe",
            "RUS.defence_minister",
            "per:sergei-shoigu",
            DAY,
        ),
        (
            "Le secrétaire général de l'OTAN a appelé à la fermeté.",
            "secrétaire général de l'OTAN",
            "NATO.secretary_general",
            "per:jens-stoltenberg",
            DAY,
        ),
        (
            "Le chef de la diplomatie ukrainienne était à Paris.",
            "chef de la diplomatie ukrainienne",
            "UKR.foreign_minister",
            "per:dmytro-kuleba",
            DAY,
        ),
        (
            "Le président des États-Unis a reçu son homologue.",
            "président des États-Unis",
            "USA.president",
            "per:joe-biden",
            DAY,
        ),
        (
            "Le chancelier allemand reste prudent.",
            "chancelier allemand",
            "DEU.chancellor",
            "per:olaf-scholz",
            DAY,
        ),
        (
            "Le Premier ministre britannique s'est exprimé.",
            "Premier ministre britannique",
            "GBR.prime_minister",
            "per:rishi-sunak",
            DAY,
        ),
        (
            "Le commandant en chef ukrainien a reconnu des difficultés.",
            "commandant en chef ukrainien",
            "UKR.commander_in_chief",
            "per:oleksandr-syrskyi",
            MONTH,
        ),
        (
            "Le président ukrainien a remercié ses alliés.",
            "président ukrainien",
            "UKR.president",
            "per:volodymyr-zelensky",
            MONTH,
        ),
        (
            "Le chef du Pentagone a annoncé une enveloppe.",
            "chef du Pentagone",
            "USA.defence_minister",
            "per:lloyd-austin",
            DAY,
        ),
    ],
)
def test_role_phrases_resolve_to_the_holder_on_the_publication_date(
    mentions, sentence, phrase, role, holder, published
) -> None:
    mention = _find(mentions(sentence, published), phrase)
    assert mention.label is EntityType.PER
    assert mention.role == role
    assert mention.refers_to == holder
    assert mention.resolved_by == "role"


def test_without_a_date_a_person_named_elsewhere_does_not_resolve_the_role(mentions) -> None:
    text = "Donald Trump a reçu son homologue. Le président américain a promis des armes."
    assert _find(mentions(text, UNKNOWN), "président américain").refers_to is None


def test_role_phrase_without_a_known_date_stays_unresolved(mentions) -> None:
    mention = _find(
        mentions("Le président américain a promis des armes.", UNKNOWN), "président américain"
    )
    assert mention.role == "USA.president"
    assert mention.refers_to is None
    assert mention.country == "USA"
    year_only = FuzzyDate(date(2024, 1, 1), Precision.YEAR)
    mention = _find(
        mentions("Le président américain a promis des armes.", year_only), "président américain"
    )
    assert mention.refers_to is None


def test_role_changing_hands_during_the_month_stays_unresolved(mentions) -> None:
    # Shoigu was replaced by Belousov in May 2024: a month-precision date cannot choose.
    may = FuzzyDate(date(2024, 5, 1), Precision.MONTH)
    found = mentions("Le ministre russe de la Défense a visité une usine.", may)
    mention = _find(found, "ministre russe de la Défense")
    assert mention.role == "RUS.defence_minister"
    assert mention.refers_to is None


def test_short_forms_link_to_the_full_name(mentions) -> None:
    found = mentions(
        "Le général Christopher Cavoli s'est rendu à Vilnius. Selon Cavoli, la menace reste forte."
    )
    full = _find(found, "Christopher Cavoli")
    assert full.kb_id == "per:christopher-cavoli"
    shorts = [m for m in found if m.text == "Cavoli"]
    assert shorts and all(m.kb_id == "per:christopher-cavoli" for m in shorts)
    assert all(m.resolved_by == "short-form" for m in shorts)


def test_short_forms_of_people_outside_the_kb(mentions) -> None:
    found = mentions(
        "L'analyste Marta Kowalczyk travaille à Varsovie. Kowalczyk estime que le front tiendra."
    )
    full = _find(found, "Marta Kowalczyk")
    assert full.kb_id is None and full.name == "Marta Kowalczyk"
    short = [m for m in found if m.text == "Kowalczyk"]
    assert short and short[0].name == "Marta Kowalczyk"
    assert short[0].resolved_by == "short-form"


def test_kb_fixes_labels_and_case(mentions) -> None:
    found = mentions("Le congrès du parti s'est tenu à Lviv. Le Congrès américain débat de l'aide.")
    texts = {m.text: m for m in found}
    assert "congrès" not in texts
    assert _find(found, "Congrès américain").kb_id == "org:us-congress"


def test_junk_spans_are_dropped(mentions) -> None:
    found = mentions("VIDÉO EXCLUSIVE DU FRONT\n\nLes forces ukrainiennes ont repris Robotyne.")
    assert all("\n\n" not in m.text for m in found)
    assert not any(m.text.isupper() and len(m.text) > 6 for m in found)
    assert _find(found, "Robotyne").kb_id == "town:robotyne"


def test_unlinked_mentions_get_a_normalised_name(mentions) -> None:
    found = mentions("Le maire de Trouville, Jean-Marc Dubreuil-Lefort, a salué l'initiative.")
    people = [
        m for m in found if m.label is EntityType.PER and m.kb_id is None and m.resolved_by == "ner"
    ]
    assert people
    assert all(m.name == " ".join(m.text.split()).strip() for m in people)


@pytest.mark.parametrize(
    ("sentence", "phrase", "role", "holder"),
    [
        (
            "Le porte-parole du Kremlin a refusé de commenter.",
            "porte-parole du Kremlin",
            "RUS.presidential_spokesperson",
            "per:dmitry-peskov",
        ),
        (
            "La présidente de la Commission européenne est attendue.",
            "présidente de la Commission européenne",
            "EU.commission_president",
            "per:ursula-von-der-leyen",
        ),
        (
            "Le chef de la diplomatie européenne a condamné l'attaque.",
            "chef de la diplomatie européenne",
            "EU.foreign_policy_chief",
            "per:josep-borrell",
        ),
        (
            "Le maître du Kremlin a promulgué la loi.",
            "maître du Kremlin",
            "RUS.president",
            "per:vladimir-putin",
        ),
        (
            "La vice-présidente américaine s'est rendue en Pologne.",
            "vice-présidente américaine",
            "USA.vice_president",
            "per:kamala-harris",
        ),
        (
            "Le secrétaire américain à la Défense a rencontré ses homologues.",
            "secrétaire américain à la Défense",
            "USA.defence_minister",
            "per:lloyd-austin",
        ),
        (
            "Le chef de l'État russe a signé un décret.",
            "chef de l'État russe",
            "RUS.president",
            "per:vladimir-putin",
        ),
        (
            "Le secrétaire général de l'ONU s'est dit préoccupé.",
            "secrétaire général de l'ONU",
            "UN.secretary_general",
            "per:antonio-guterres",
        ),
    ],
)
def test_more_role_phrases(mentions, sentence, phrase, role, holder) -> None:
    mention = _find(mentions(sentence, DAY), phrase)
    assert (mention.role, mention.refers_to) == (role, holder)


def test_role_mentions_act_for_the_office_country(mentions) -> None:
    found = mentions("Le secrétaire général de l'OTAN a répondu au ministre russe de la Défense.")
    assert _find(found, "secrétaire général de l'OTAN").country == "NATO"
    assert _find(found, "ministre russe de la Défense").country == "RUS"


@pytest.mark.parametrize(
    "sentence",
    [
        "Le président a parlé longuement aux journalistes.",  # no country: no role
        "Le ministre adjoint de la Défense russe a démissionné.",  # another office
        "Le président du club a démissionné.",
    ],
)
def test_no_role_without_a_country_or_known_office(mentions, sentence) -> None:
    assert not [m for m in mentions(sentence) if m.resolved_by == "role"]


def test_places_inside_a_person_name_stay_in_the_person(mentions) -> None:
    found = mentions("Vladimir Saldo a rencontré Victoria Nuland hier.")
    assert not [m for m in found if m.label is EntityType.LOC]
    assert _find(found, "Vladimir Saldo").kb_id == "per:vladimir-saldo"
    assert _find(found, "Victoria Nuland").kb_id == "per:victoria-nuland"


def test_parent_organisation_named_inside_a_name(mentions) -> None:
    found = mentions("Le Comité militaire de l’OTAN se réunit à Bruxelles.")
    committee = _find(found, "Comité militaire de l’OTAN")
    assert committee.kb_id == "org:nato-military-committee"
    nato = _find(found, "OTAN")
    assert nato.kb_id == "org:nato"
    assert committee.start < nato.start < nato.end == committee.end


def test_typographic_apostrophes_match_kb_names(mentions) -> None:
    found = mentions("Le groupe de contact pour la défense de l’Ukraine s’est réuni.")
    assert _find(found, "groupe de contact pour la défense de l’Ukraine").kb_id == (
        "event:ramstein-group"
    )


@pytest.mark.parametrize(
    ("sentence", "phrase", "kb_id"),
    [
        ("Des explosions ont secoué la capitale ukrainienne.", "capitale ukrainienne", "city:kyiv"),
        ("Les drones visaient la capitale russe.", "capitale russe", "city:moscow"),
    ],
)
def test_capital_descriptions_link_to_the_capital(mentions, sentence, phrase, kb_id) -> None:
    mention = _find(mentions(sentence), phrase)
    assert mention.kb_id == kb_id
    assert mention.label is EntityType.LOC
    assert mention.lat is not None


def test_mentions_are_sorted_and_offsets_match_the_text(mentions) -> None:
    text = (
        "Kiev a reçu des missiles ATACMS. Le ministre russe de la Défense a réagi depuis "
        "Moscou, tandis que l'OTAN se réunissait."
    )
    found = mentions(text)
    assert [m.start for m in found] == sorted(m.start for m in found)
    assert all(text[m.start : m.end] == m.text for m in found)


def test_role_phrases_ignore_missing_accents(mentions) -> None:
    mention = _find(
        mentions("Le chef de l'Etat ukrainien a remercié Berlin."), "chef de l'Etat ukrainien"
    )
    assert mention.role == "UKR.president"
    assert mention.refers_to == "per:volodymyr-zelensky"


def test_demonym_entities(kb) -> None:
    assert kb.entity_for_adjective("Occidentaux").id == "area:west"
    assert kb.entity_for_adjective("Russes").id == "country:rus"
    assert kb.entity_for_adjective("rapides") is None


def test_a_named_person_beside_the_role_phrase_is_its_holder(mentions) -> None:
    found = mentions("Le secrétaire d'État américain Antony Blinken est arrivé.", UNKNOWN)
    assert _find(found, "secrétaire d'État américain").refers_to == "per:antony-blinken"
    found = mentions("Rob Bauer, chef du Comité militaire de l'OTAN, a parlé.", UNKNOWN)
    assert _find(found, "chef du Comité militaire de l'OTAN").refers_to == "per:rob-bauer"


@pytest.mark.parametrize(
    ("sentence", "phrase", "country", "role", "holder"),
    [
        # the office of the person named before, in the demonym's country, on the date
        (
            "Le ministre russe des Affaires étrangères a rencontré son homologue chinois.",
            "homologue chinois",
            "CHN",
            "CHN.foreign_minister",
            "per:wang-yi",
        ),
        (
            "Volodymyr Zelensky s'est entretenu avec son homologue allemand.",
            "homologue allemand",
            "DEU",
            "DEU.president",
            "per:frank-walter-steinmeier",
        ),
        # nobody named before: an actor of that country all the same
        ("Il a reçu ses homologues ukrainiens.", "homologues ukrainiens", "UKR", None, None),
    ],
)
def test_a_counterpart_is_an_actor_of_the_demonym_country(
    mentions, sentence, phrase, country, role, holder
) -> None:
    mention = _find(mentions(sentence), phrase)
    assert mention.label is EntityType.PER
    assert (mention.country, mention.role, mention.refers_to) == (country, role, holder)


def test_a_counterpart_without_a_country_is_no_mention(mentions) -> None:
    found = mentions("Le ministre a rencontré son homologue de la Défense.")
    assert not [m for m in found if "homologue" in m.text]


def test_former_office_holders_are_not_todays(mentions) -> None:
    found = mentions("L'ancien président américain a critiqué la décision.", DAY)
    role = _find(found, "président américain")
    assert role.role == "USA.president" and role.refers_to is None
    found = mentions("L'ancien président américain Barack Obama a critiqué la décision.", DAY)
    assert _find(found, "président américain").refers_to == "per:barack-obama"


def test_ruler_works_without_a_statistical_model(kb) -> None:
    import spacy

    blank = spacy.blank("fr")
    from veille.enrich.entities import add_entity_ruler

    add_entity_ruler(blank, kb)
    add_entity_ruler(blank, kb)  # idempotent
    assert blank.pipe_names == [RULER_NAME]
    found = link_entities(blank("Des Patriot ont été livrés à Odessa."), kb, UNKNOWN)
    assert [(m.text, m.kb_id) for m in found] == [
        ("Patriot", "weapon:patriot"),
        ("Odessa", "city:odesa"),
    ]


# ---------------------------------------------------------------------------
# Institutions and sites named by a common noun (entity_patterns.yaml nominal_names)


@pytest.mark.parametrize(
    ("sentence", "phrase", "label", "country"),
    [
        (
            "Le ministère polonais de l'Intérieur a fermé deux postes-frontières.",
            "ministère polonais de l'Intérieur",
            EntityType.ORG,
            "POL",
        ),
        (
            "Selon le ministère russe des Transports, le trafic a repris.",
            "ministère russe des Transports",
            EntityType.ORG,
            "RUS",
        ),
        (
            "Un drone a touché la raffinerie de pétrole de Saratov dans la nuit.",
            "raffinerie de pétrole de Saratov",
            EntityType.ORG,
            "RUS",
        ),
        (
            "Les experts ont visité la centrale thermique de Kharkiv.",
            "centrale thermique de Kharkiv",
            EntityType.ORG,
            "UKR",
        ),
        (
            "Les ministres se sont vus au palais de Topkapi.",
            "palais de Topkapi",
            EntityType.LOC,
            None,
        ),
    ],
)
def test_common_noun_names_are_one_entity(mentions, sentence, phrase, label, country) -> None:
    named = [m for m in mentions(sentence) if m.name == phrase]
    assert [(m.label, m.country) for m in named] == [(label, country)]


def test_a_place_inside_a_site_name_stays_the_only_mention_of_its_words(mentions) -> None:
    found = mentions("Un drone a touché la raffinerie de pétrole de Saratov dans la nuit.")
    saratov = _find(found, "Saratov")
    site = _find(found, "raffinerie de pétrole")
    assert saratov.kb_id is not None and site.name == "raffinerie de pétrole de Saratov"
    assert site.end < saratov.start


def test_no_site_name_around_a_person_or_across_a_sentence(mentions) -> None:
    found = mentions("Le service de presse du ministère a cité Vladimir Poutine.")
    assert not [m for m in found if m.text.startswith("ministère")]
    found = mentions("Le ministère a annoncé que des drones de Kiev avaient frappé.")
    assert not [m for m in found if m.text.startswith("ministère")]


@pytest.mark.parametrize(
    ("sentence", "phrase", "kb_id"),
    [
        ("Le géant pétrolier Loukoïl a suspendu la production.", "Loukoïl", "org:lukoil"),
        ("KNDS France produira davantage d'obusiers.", "KNDS France", "org:knds-france"),
        ("(Belga) Le gouvernement a validé le plan.", "Belga", "org:belga"),
        ("Le contrat a été signé au salon Eurosatory.", "salon Eurosatory", "event:eurosatory"),
        ("Des Shahed-136/131 ont été lancés.", "Shahed-136/131", "weapon:shahed"),
        ("L'armée française forme des soldats.", "armée française", "org:fra-armed-forces"),
    ],
)
def test_kb_names_media_companies_fairs_and_spellings(mentions, sentence, phrase, kb_id) -> None:
    assert _find(mentions(sentence), phrase).kb_id == kb_id


@pytest.mark.parametrize(
    ("sentence", "word", "kb_id"),
    [
        (
            "Le président du Conseil Antonio Costa a ouvert le sommet.",
            "Conseil",
            "org:european-council",
        ),
        (
            "La présidente de la Commission, Ursula von der Leyen, a parlé aux députés.",
            "Commission",
            "org:european-commission",
        ),
    ],
)
def test_an_organisation_named_by_its_first_word_beside_its_head(
    mentions, sentence, word, kb_id
) -> None:
    assert _find(mentions(sentence, UNKNOWN), word).kb_id == kb_id


def test_a_first_word_names_nothing_the_person_does_not_head(mentions) -> None:
    found = mentions("Le président du Parlement Antonio Costa a ouvert le sommet.", UNKNOWN)
    assert not [m for m in found if m.text == "Parlement"]


def test_folding_keeps_offsets_and_folds_each_character_alone() -> None:
    from veille.enrich.entities import _fold, _fold_char

    text = "Le Ministre ukrainien des Affaires étrangères, Dmytro Kouleba, à l'ÉTÉ ﬁn Ⅻ ß İ"
    assert _fold(text) == "".join(_fold_char(c) for c in text)
    assert len(_fold(text)) == len(text)
    assert _fold("Étrangères") == "etrangeres"


def test_office_phrases_are_found_where_regex_finds_them():
    """Role phrases are matched from the places their first word is found: the same
    matches as the office pattern over the whole folded text, also where `re` folds a
    character `str.find` does not see (a dotless i)."""
    from pathlib import Path

    from veille.enrich.entities import _cues, _fold, _office_matches
    from veille.extract.screens import has_special_fold
    from veille.lang import get_pack

    cues = _cues(Path(get_pack("fr").data_dir))
    texts = [
        "Le Premier ministre ukrainien et le premier ministre polonais ont parlé au ministre "
        "des Affaires étrangères ; le vice-président américain, le président du Conseil.",
        "ministreministre ministre-adjoint le ministre de la Défense, porte-parole du ministère",
        "Le mınıstre des Affaires étrangères a reçu le ministre de la Défense.",  # dotless i
    ]
    found = 0
    for text in texts:
        folded = _fold(text)
        literal = not has_special_fold(folded)
        for office in cues.offices:
            expected = [(m.span(), m.groupdict()) for m in office.pattern.finditer(folded)]
            got = [(m.span(), m.groupdict()) for m in _office_matches(office, folded, literal)]
            assert got == expected, (office.pattern.pattern, text)
            found += len(expected)
    assert found >= 8
    assert has_special_fold(_fold(texts[-1])) and not has_special_fold(_fold(texts[0]))
