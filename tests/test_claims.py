"""Attributed claims: reported speech, speakers, contents, and events inside claims.

Sentences are written for these tests (not from the seeds). Each row says which claims a
careful analyst codes: cue lemma, speaker country, whether the source is anonymous, and a
snippet the content must contain.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from veille.errors import DataFileError
from veille.extract.claims import extract_claims
from veille.extract.claims_lexicon import load_claim_lexicon, load_verification_rules
from veille.extract.verification import attribute_events
from veille.model import Actor, Claim, Event, Span, Verification


@pytest.fixture(scope="module")
def claims_of(analyze, fr_pack, kb):
    def run(text: str) -> list[Claim]:
        analysis = analyze(text, extract=False)
        return extract_claims(analysis, fr_pack, kb)

    return run


# (text, [(cue, speaker country, anonymous, content snippet), ...])
CLAIM_CASES = [
    (
        "Le ministère russe de la Défense a affirmé jeudi que ses troupes avaient pris le "
        "contrôle du village de Robotyne.",
        [("affirmer", "RUS", False, "ses troupes avaient pris le contrôle")],
    ),
    (
        "Les autorités ukrainiennes ont indiqué que trois civils avaient été tués lors du "
        "bombardement.",
        [("indiquer", "UKR", False, "trois civils avaient été tués")],
    ),
    (
        "Selon l'état-major ukrainien, 23 drones ont été abattus pendant la nuit.",
        [("selon", "UKR", False, "23 drones ont été abattus")],
    ),
    (
        "D'après des responsables américains, la livraison des chars est prévue pour l'automne.",
        [("d'après", "USA", True, "la livraison des chars est prévue")],
    ),
    (
        "« Nous ne reculerons pas », a déclaré le président ukrainien lors d'une conférence "
        "de presse.",
        [("déclarer", "UKR", False, "Nous ne reculerons pas")],
    ),
    (
        "Une source proche du dossier rapporte que les négociations ont repris à Istanbul.",
        [("rapporter", None, True, "les négociations ont repris")],
    ),
    (
        "Des sources militaires russes affirment avoir détruit un dépôt de munitions près de "
        "Kharkiv.",
        [("affirmer", "RUS", True, "avoir détruit un dépôt de munitions")],
    ),
    (
        "Les médias allemands rapportent que Berlin envisage de livrer des missiles de croisière.",
        [("rapporter", "DEU", True, "Berlin envisage de livrer")],
    ),
    (
        "Le porte-parole de la diplomatie russe a averti les Occidentaux que toute livraison "
        "d'avions serait considérée comme une escalade.",
        [("avertir", "RUS", False, "toute livraison d'avions serait considérée")],
    ),
    (
        "Le gouvernement polonais estime que l'aide à l'Ukraine doit être accélérée.",
        [("estimer", "POL", False, "l'aide à l'Ukraine doit être accélérée")],
    ),
    (
        "Le ministre britannique de la Défense a souligné que l'Ukraine avait besoin de "
        "davantage de munitions.",
        [("souligner", "GBR", False, "l'Ukraine avait besoin de davantage de munitions")],
    ),
    (
        "Les troupes russes ont reculé de deux kilomètres, a indiqué l'armée ukrainienne.",
        [("indiquer", "UKR", False, "Les troupes russes ont reculé de deux kilomètres")],
    ),
    (
        "Les analyses des services de renseignement britanniques indiquent que Moscou manque "
        "de missiles.",
        [("indiquer", "GBR", True, "Moscou manque de missiles")],
    ),
    (
        "Le président français a déclaré : « L'Europe doit produire davantage d'obus ».",
        [("déclarer", "FRA", False, "L'Europe doit produire davantage d'obus")],
    ),
    (
        "Les experts militaires américains avertissent que la Russie reconstitue ses forces.",
        [("avertir", "USA", True, "la Russie reconstitue ses forces")],
    ),
    (
        "Moscou affirme que les frappes visaient uniquement des cibles militaires.",
        [("affirmer", "RUS", False, "les frappes visaient uniquement des cibles militaires")],
    ),
    (
        "Des sources diplomatiques rapportent que le ministre russe a déclaré que les "
        "pourparlers étaient dans l'impasse.",
        [("rapporter", None, True, "les pourparlers étaient dans l'impasse")],
    ),
    (
        "« Nous ne céderons aucun territoire », a martelé le chef de la diplomatie ukrainienne.",
        [("marteler", "UKR", False, "Nous ne céderons aucun territoire")],
    ),
    (
        "Le Premier ministre polonais a regretté que les livraisons prennent du retard.",
        [("regretter", "POL", False, "les livraisons prennent du retard")],
    ),
    # not claims: no speaker, commentary without an identified speaker, no reported content
    ("Les analystes estiment que l'offensive pourrait durer des mois.", []),
    ("Les autorités ont toutefois cherché à minimiser l'incident.", []),
    ("Cette décision intervient après des semaines de discussions.", []),
    ("Il a été rapporté que des combats avaient éclaté près de Bakhmout.", []),
    ("Les déclarations soulignent que la coopération doit se poursuivre.", []),
    ("Kiev veut négocier la paix selon ses propres conditions.", []),
    ("L'armée ukrainienne considère cette démarche comme une étape essentielle.", []),
    ("Le gouvernement a annoncé l'envoi de nouveaux équipements.", []),
    # speech nouns: the owner says the "selon laquelle" clause (frame roles noun_owner,
    # noun_content)
    (
        "Le Kremlin a rejeté l'affirmation de Varsovie selon laquelle des missiles russes "
        "auraient survolé son territoire.",
        [("affirmation", "POL", False, "des missiles russes auraient survolé son territoire")],
    ),
    (
        "Minsk a raillé l'annonce par le gouvernement lituanien selon laquelle trois "
        "ballons avaient franchi la frontière.",
        [("annonce", "LTU", False, "trois ballons avaient franchi la frontière")],
    ),
    # source phrases are the frame layer's token patterns; the cue is the whole phrase
    (
        "De l'avis des responsables polonais, la frontière restera fermée tout l'hiver.",
        [("de l'avis des", "POL", True, "la frontière restera fermée")],
    ),
    (
        "Aux dires du ministre lituanien, trois ballons ont franchi la frontière.",
        [("aux dires du", "LTU", False, "trois ballons ont franchi la frontière")],
    ),
    # a denial's object is what it denies, an act included (frame role object)
    (
        "Minsk a démenti les informations de la presse polonaise sur des manœuvres.",
        [("démentir", "BLR", False, "les informations de la presse polonaise")],
    ),
    (
        "Le ministère moldave a nié toute frappe sur son territoire.",
        [("nier", "MDA", False, "toute frappe sur son territoire")],
    ),
    # "de source X": at the head of a sentence, or behind "a-t-on appris"
    (
        "De source militaire roumaine, deux drones se sont écrasés près de Galati.",
        [("de source", "ROU", True, "deux drones se sont écrasés")],
    ),
    (
        "Le port restera fermé jusqu'à lundi, a-t-on appris de source diplomatique turque.",
        [("apprendre", "TUR", True, "Le port restera fermé jusqu'à lundi")],
    ),
    ("Le président a appris que deux ponts avaient été détruits.", []),
    # no owner, nobody says it
    ("L'information selon laquelle deux avions ont été abattus circule depuis hier.", []),
    # "conclu avec X" (labelled obl:agent by the parser) is no "par" agent: X says nothing
    ("Le contrat a été annoncé avec le ministre letton de la Défense lors d'une visite.", []),
    # "X a d'abord annoncé ...": the parse may hang the cue on "d'"; the subject is shared
    (
        "Le ministère estonien a d'abord annoncé des exercices navals dans le golfe de Finlande.",
        [("annoncer", "EST", False, "des exercices navals")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CLAIM_CASES, ids=[c[0][:40] for c in CLAIM_CASES])
def test_claims(claims_of, text: str, expected: list[tuple]) -> None:
    claims = claims_of(text)
    got = [
        (c.cue, c.speaker.country if c.speaker else None, c.anonymous, c.content.text)
        for c in claims
    ]
    assert len(got) == len(expected), got
    for (cue, country, anonymous, content), want in zip(got, expected, strict=True):
        w_cue, w_country, w_anonymous, w_snippet = want
        assert (cue, country, anonymous) == (w_cue, w_country, w_anonymous), got
        assert w_snippet.replace("'", "’") in content.replace("'", "’") or w_snippet in content


def test_claim_offsets_point_into_the_text(claims_of) -> None:
    text = "Le ministère russe de la Défense a affirmé que ses troupes avaient avancé."
    (claim,) = claims_of(text)
    assert text[claim.sentence.start : claim.sentence.end] == claim.sentence.text == text
    assert text[claim.content.start : claim.content.end] == claim.content.text
    assert claim.content.text.startswith("ses troupes")
    assert claim.stage.startswith("claims@")


def test_inverted_pronoun_is_the_last_named_speaker(claims_of) -> None:
    text = (
        "Le ministre ukrainien de la Défense a affirmé que les lignes tenaient.\n\n"
        "« Nous avons besoin de plus d'obus », a-t-il ajouté."
    )
    claims = claims_of(text)
    assert [c.cue for c in claims] == ["affirmer", "ajouter"]
    assert claims[1].speaker is not None and claims[1].speaker.country == "UKR"
    assert claims[1].content.text.startswith("«")


def test_quote_over_two_sentences_keeps_the_whole_passage(claims_of) -> None:
    text = (
        "« Nous tiendrons. Nous n'avons pas le choix », a déclaré le maire ukrainien de la ville."
    )
    (claim,) = claims_of(text)
    assert claim.sentence.text == text
    assert "Nous tiendrons." in claim.content.text


def test_next_sentence_by_the_same_speaker_continues_the_claim(claims_of) -> None:
    text = (
        "Le ministère russe de la Défense a déclaré que ses forces avaient repoussé une attaque. "
        "Une centaine de soldats ont été tués, a précisé le ministère."
    )
    (claim,) = claims_of(text)
    assert claim.speaker is not None and claim.speaker.country == "RUS"
    assert "repoussé une attaque" in claim.sentence.text
    assert "Une centaine de soldats" in claim.sentence.text
    assert "Une centaine de soldats" in claim.content.text


def _event(trigger_start: int, trigger_end: int, sentence: Span, **kw) -> Event:
    return Event(
        id="e",
        article_id="a",
        type="ASSAULT",
        sentence=sentence,
        trigger=Span(trigger_start, trigger_end, "x"),
        **kw,
    )


def _claim(content: Span, country: str | None, verification: Verification | None) -> Claim:
    return Claim(
        id="c",
        article_id="a",
        sentence=Span(0, 100, ""),
        content=content,
        cue="déclarer",
        speaker=Actor(text="x", name="x", country=country),
        verification=verification,
    )


def test_attribute_events_inside_a_claim() -> None:
    claim = _claim(Span(40, 90, ""), "RUS", Verification.UNVERIFIED)
    inside = _event(50, 57, Span(0, 100, ""))
    outside = _event(10, 17, Span(0, 100, ""))
    other_sentence = _event(120, 125, Span(110, 160, ""))
    got = attribute_events([inside, outside, other_sentence], [claim])
    assert (got[0].claimed_by, got[0].verification) == ("RUS", Verification.UNVERIFIED)
    assert (got[1].claimed_by, got[1].verification) == (None, None)
    assert got[2] == other_sentence


def test_attribute_events_whose_sentence_is_the_content() -> None:
    claim = _claim(Span(100, 200, ""), "UKR", None)
    event = _event(10, 15, Span(100, 200, ""))
    (got,) = attribute_events([event], [claim])
    assert got.claimed_by == "UKR" and got.verification is None


def test_attribute_events_keeps_claimed_by_set_by_events() -> None:
    claim = _claim(Span(0, 100, ""), "UKR", Verification.DENIED)
    event = _event(10, 15, Span(0, 100, ""), claimed_by="RUS")
    (got,) = attribute_events([event], [claim])
    assert got == event
    same = replace(event, claimed_by="UKR")
    (got,) = attribute_events([same], [claim])
    assert got.claimed_by == "UKR" and got.verification is Verification.DENIED


def test_lexicons_load_once(fr_pack) -> None:
    assert load_claim_lexicon(fr_pack.data_dir) is load_claim_lexicon(fr_pack.data_dir)
    lex = load_claim_lexicon(fr_pack.data_dir)
    assert "déclarer" in lex.cues and lex.cues["estimer"].kind == "opinion"
    assert load_verification_rules(fr_pack.data_dir).rules


def test_malformed_lexicon_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text("cues:\n  dire: {kind: gossip, takes: [que]}\n")
    with pytest.raises(DataFileError) as err:
        load_claim_lexicon(tmp_path)
    assert "claims.yaml" in str(err.value) and err.value.code == "V301"
    (tmp_path / "verification.yaml").write_text("rules:\n  - {pattern: '(', status: unverified}\n")
    with pytest.raises(DataFileError):
        load_verification_rules(tmp_path)


# (text, the speaker's name of the LAST claim, its country): names are comparable across
# languages (KB canonical names, English labels for unnamed groups), anaphors resolved.
SPEAKER_NAME_CASES = [
    # a linked institution carries the KB canonical name
    ("Le Pentagone a reconnu que les stocks d'obus étaient insuffisants.", "Pentagon", "USA"),
    # unnamed groups: English label from head noun + adjectives + demonym
    ("Des sources fiables rapportent que les pourparlers reprendront.", "reliable sources", None),
    (
        "Les médias britanniques ont rapporté que Londres enverrait des chars.",
        "British media",
        "GBR",
    ),
    ("Les responsables ukrainiens ont indiqué que la ligne tenait.", "Ukrainian officials", "UKR"),
    (
        "Les autorités ukrainiennes ont affirmé que trois civils étaient morts à Soumy.",
        "Ukrainian authorities",
        "UKR",
    ),
    (
        "Les analystes militaires polonais estiment que l'offensive ralentira.",
        "Polish military analysts",
        "POL",
    ),
    ("Une source anonyme a indiqué que le convoi était parti.", "anonymous source", None),
    # a role phrase with no date resolves to the last person named holding that office
    (
        "Donald Trump a reçu Volodymyr Zelensky à Washington. Le chef de la Maison Blanche a "
        "déclaré que l'aide continuerait.",
        "Donald Trump",
        "USA",
    ),
    # a bare "le président" is the last speaker or person named holding a presidency
    (
        "Emmanuel Macron a rencontré le ministre Sébastien Lecornu. Le président a précisé que "
        "les livraisons reprendraient.",
        "Emmanuel Macron",
        "FRA",
    ),
    # "..., soulignant ...": the gerund adjunct does not hide the main statement
    (
        "Joe Biden a visité une usine. Le président a indiqué que le dossier restait ouvert, "
        "soulignant les efforts déjà consentis par les alliés.",
        "Joe Biden",
        "USA",
    ),
    # an appositive name wins over the role and its region; the country comes from the region
    (
        "Le gouverneur de la région de Soumy, Ivan Petrenko, a déclaré que deux maisons avaient "
        "brûlé.",
        "Ivan Petrenko",
        "UKR",
    ),
    # the channel is not part of the speaker
    (
        "Le ministère sur Telegram a indiqué que douze drones avaient été abattus.",
        "Le ministère",
        None,
    ),
    # an inverted pronoun with a cue of regret
    (
        "Dmitri Peskov a parlé aux journalistes. « La situation est grave », a-t-il déploré.",
        "Dmitry Peskov",
        "RUS",
    ),
]


@pytest.mark.parametrize(
    ("text", "name", "country"), SPEAKER_NAME_CASES, ids=[c[0][:40] for c in SPEAKER_NAME_CASES]
)
def test_speaker_names(claims_of, text: str, name: str, country: str | None) -> None:
    claims = claims_of(text)
    assert claims, text
    speaker = claims[-1].speaker
    assert speaker is not None
    assert (speaker.name, speaker.country) == (name, country), claims[-1]


def test_office_holder_keeps_kb_id(claims_of) -> None:
    text = (
        "Donald Trump a reçu Volodymyr Zelensky. Le président américain a déclaré que les "
        "sanctions resteraient en place."
    )
    (claim,) = claims_of(text)
    assert claim.speaker is not None and claim.speaker.kb_id == "per:donald-trump"


def test_a_source_preposition_is_not_part_of_the_speaker_text(claims_of) -> None:
    (claim,) = claims_of("Selon les douaniers polonais, trois camions ont été saisis.")
    assert claim.speaker.text == "les douaniers polonais"
    (claim,) = claims_of("D'après le renseignement estonien, un drone est tombé près de Narva.")
    assert claim.speaker.text == "le renseignement estonien"


def test_appositive_name_is_the_speaker_text(claims_of) -> None:
    text = "Le maire de la ville de Soumy, Artem Kobzar, a affirmé que l'eau était coupée."
    (claim,) = claims_of(text)
    assert claim.speaker is not None and claim.speaker.text == "Artem Kobzar"


def test_malformed_speaker_label_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "claims.yaml").write_text(
        "cues:\n  dire: {kind: report, takes: [que]}\nspeaker_labels:\n  nouns:\n    source: x\n"
    )
    with pytest.raises(DataFileError) as err:
        load_claim_lexicon(tmp_path)
    assert "claims.yaml" in str(err.value)


# Attribution: multiword cues, and speakers whose country comes from their own words, a
# possessive or the places around the statement (sentences written for these tests).
ATTRIBUTION_CASES = [
    # multiword cue, the content hangs on its companion verb
    (
        "Le gouvernement polonais a fait savoir que la frontière resterait ouverte.",
        ("faire savoir", "POL", "la frontière resterait ouverte"),
    ),
    # a local speaker takes the country of the place in its sentence
    (
        "Un incendie s'est déclaré dans un dépôt de carburant à Belgorod, a indiqué le gouverneur.",
        ("indiquer", "RUS", "Un incendie s'est déclaré"),
    ),
    # ... or of the sentence before it
    (
        "Des explosions ont été entendues à Odessa dans la nuit. Les autorités ont déclaré "
        "que deux entrepôts avaient brûlé.",
        ("déclarer", "UKR", "deux entrepôts avaient brûlé"),
    ),
    # the participle clause names who interviewed the source, not whom it speaks for
    (
        "Un responsable du ministère ukrainien de la Défense, interrogé par Reuters, a affirmé "
        "que les stocks étaient suffisants.",
        ("affirmer", "UKR", "les stocks étaient suffisants"),
    ),
    # a possessive speaks for the person named before it
    (
        "Le chancelier Olaf Scholz se rendra lundi à Varsovie, a annoncé son porte-parole.",
        ("annoncer", "DEU", "se rendra lundi à Varsovie"),
    ),
    # a reflexive cue
    (
        "Le ministre lituanien s'est félicité que l'accord ait été signé si vite.",
        ("féliciter", "LTU", "l'accord ait été signé"),
    ),
    # ... with a "de" complement
    (
        "L'armée de l'air roumaine s'est félicitée de la rapidité de ses pilotes.",
        ("féliciter", "ROU", "la rapidité de ses pilotes"),
    ),
    # an incise between the auxiliary and the participle
    (
        "Le ministère letton de la Défense a de son côté déclaré avoir renforcé la frontière.",
        ("déclarer", "LVA", "avoir renforcé la frontière"),
    ),
    # a passive cue: the agent speaks
    (
        "Un nouveau cessez-le-feu a été annoncé par le Kremlin dans la soirée.",
        ("annoncer", "RUS", "Un nouveau cessez-le-feu"),
    ),
    # a relative clause does not hide the source it hangs on
    (
        "L'électricité manque à Lviv selon l'opérateur Ukrenergo, qui dessert toute la région.",
        ("selon", "UKR", "L'électricité manque"),
    ),
    # a plant speaks for the place it stands in
    (
        "Selon l'usine, un incendie a éclaté près de Toula vers minuit.",
        ("selon", "RUS", "un incendie a éclaté"),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), ATTRIBUTION_CASES, ids=[c[0][:40] for c in ATTRIBUTION_CASES]
)
def test_attribution(claims_of, text: str, expected: tuple) -> None:
    cue, country, snippet = expected
    claims = claims_of(text)
    assert [(c.cue, c.speaker.country if c.speaker else None) for c in claims] == [
        (cue, country)
    ], claims
    assert snippet in claims[0].content.text


def test_a_context_country_does_not_make_an_opinion_a_claim(claims_of) -> None:
    text = "Des drones ont frappé Kharkiv. Les responsables estiment que la ville tiendra."
    assert claims_of(text) == []


def test_phrase_cues_are_read_from_data(fr_pack) -> None:
    lexicon = load_claim_lexicon(fr_pack.data_dir)
    assert len(lexicon.cues) + len(lexicon.reflexive_cues) + len(lexicon.phrase_cues) >= 120
    assert "savoir" in {w for rest, _ in lexicon.phrase_cues["faire"] for w in rest}


def test_a_quotation_without_cue_continues_the_statement(claims_of) -> None:
    text = (
        "« La situation est stable », a déclaré le maire de Kharkiv, Igor Terekhov. "
        "« Les écoles rouvriront lundi dans tout le quartier. »"
    )
    claims = claims_of(text)
    assert [c.speaker.country for c in claims] == ["UKR", "UKR"]
    assert "Les écoles rouvriront" in claims[1].content.text


def test_a_stray_quotation_mark_is_no_claim(claims_of) -> None:
    text = "« Nous tiendrons », a affirmé le général polonais.\n»\nLa journée a été calme."
    assert len(claims_of(text)) == 1


def test_a_negated_cue_is_no_claim_but_a_denial_is(claims_of) -> None:
    assert claims_of("Le ministère estonien n'a pas confirmé cette information.") == []
    denied = claims_of(
        "Le ministère estonien a démenti que des troupes aient franchi la frontière."
    )
    assert [c.cue for c in denied] == ["démentir"]


def test_being_unable_to_confirm_is_no_claim(claims_of) -> None:
    assert claims_of("Le ministère letton n'a pas pu confirmer ces informations.") == []
    assert claims_of("L'agence n'est pas en mesure de confirmer ce bilan.") == []
    said = claims_of("Le ministère letton a pu confirmer que deux drones étaient tombés.")
    assert [c.cue for c in said] == ["confirmer"]


def test_a_condition_or_a_question_is_no_claim(claims_of) -> None:
    assert claims_of("Minsk a prévenu qu'il répondrait si ses avions étaient visés.") != []
    assert claims_of("Le Kremlin a averti qu'il riposterait si Kiev frappait Belgorod.") != []
    assert claims_of("Minsk répondra si des avions biélorusses sont visés.") == []
    assert claims_of("Le journaliste a demandé si des chars avaient été livrés.") == []
    said = claims_of("Le général a déclaré que si le front cédait, la ville tomberait.")
    assert [c.cue for c in said] == ["déclarer"]


def test_an_apposition_closed_by_a_comma_is_no_incise(claims_of) -> None:
    # the comma after "Dmitri Peskov" closes the subject's apposition: he speaks, and what
    # he denies follows the cue
    (claim,) = claims_of(
        "Le porte-parole du Kremlin, Dmitri Peskov, a démenti toute livraison d'armes."
    )
    assert claim.speaker.name == "Dmitry Peskov"
    assert claim.content.text == "toute livraison d'armes"


def test_announcing_ones_own_act_is_no_claim(claims_of) -> None:
    assert claims_of("Le président finlandais a annoncé l'envoi de nouveaux obus à Kiev.") == []


def test_a_plant_takes_the_country_of_the_facility_named_before(claims_of) -> None:
    text = (
        "Des drones venus d'Ukraine ont touché une raffinerie russe dans la nuit. "
        "« Deux réservoirs ont brûlé », a précisé l'usine."
    )
    assert [c.speaker.country for c in claims_of(text)] == ["RUS"]


def test_sentences_are_split_once_per_doc(bare_nlp) -> None:
    from veille.extract.units import sentences

    doc = bare_nlp("Titre sans point\nUne première phrase. Une seconde phrase.")
    assert sentences(doc) is sentences(doc)
    assert len(sentences(doc)) == 3
