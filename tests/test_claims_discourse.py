"""Claims over the article: incises, clefts and speakers named after their cue.

Sentences are written for these tests (not from the seeds or the corpus).
"""

from __future__ import annotations

import pytest

from veille.extract.claims import extract_claims
from veille.model import Claim


@pytest.fixture(scope="module")
def claims_of(analyze, fr_pack, kb):
    def run(text: str) -> list[Claim]:
        analysis = analyze(text, extract=False)
        return extract_claims(analysis, fr_pack, kb)

    return run


def _summary(claims: list[Claim]) -> list[tuple[str, str | None]]:
    return [(c.cue, c.speaker.country if c.speaker else None) for c in claims]


# (text, [(cue, speaker country, content snippet), ...])
DISCOURSE_CASES = [
    # an inverted clitic with an adverb between it and the participle
    (
        "Le ministre polonais de la Défense a visité la base aérienne. Deux radars ont été "
        "livrés à la garnison, a-t-il aussi précisé.",
        [("préciser", "POL", "Deux radars ont été livrés")],
    ),
    # a cleft reports the sentence before it
    (
        "Les livraisons de chars reprendront en mars. C'est ce qu'a annoncé le ministre "
        "finlandais de la Défense lors d'une conférence à Helsinki.",
        [("annoncer", "FIN", "Les livraisons de chars reprendront en mars")],
    ),
    # ... or the clause before it; the speaker follows a date
    (
        "Les réserves d'obus baissent rapidement, ce qu'a confirmé lundi un responsable norvégien.",
        [("confirmer", "NOR", "Les réserves d'obus baissent rapidement")],
    ),
    # an incise whose speaker comes after a date the parse took for its head
    (
        "La centrale a été reconnectée au réseau, a annoncé samedi 3 mai le président "
        "Volodymyr Zelensky qui a visité le site.",
        [("annoncer", "UKR", "La centrale a été reconnectée au réseau")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), DISCOURSE_CASES, ids=[c[0][:40] for c in DISCOURSE_CASES]
)
def test_discourse(claims_of, text: str, expected: list[tuple]) -> None:
    claims = claims_of(text)
    assert _summary(claims) == [(cue, country) for cue, country, _ in expected], claims
    for claim, (_, _, snippet) in zip(claims, expected, strict=True):
        assert snippet in claim.content.text
        assert snippet in claim.sentence.text


def test_a_cleft_claim_keeps_both_sentences_as_evidence(claims_of) -> None:
    text = (
        "Les livraisons de chars reprendront en mars. C'est ce qu'a annoncé le ministre "
        "finlandais de la Défense lors d'une conférence à Helsinki."
    )
    (claim,) = claims_of(text)
    assert claim.sentence.text == text


def test_a_name_after_the_role_is_the_speaker(claims_of) -> None:
    text = (
        "La centrale a été reconnectée au réseau, a annoncé samedi 3 mai le président "
        "Volodymyr Zelensky qui a visité le site."
    )
    (claim,) = claims_of(text)
    assert claim.speaker is not None and claim.speaker.name == "Volodymyr Zelensky"


def test_a_quotation_split_by_the_sentence_splitter_is_one_claim(claims_of) -> None:
    text = (
        "Le maire de Kharkiv a déclaré que la ville tenait. "
        '"Tout est calme, calme dans nos rues. Des renforts sont arrivés", a-t-il ajouté.'
    )
    claims = claims_of(text)
    assert [c.cue for c in claims] == ["déclarer", "ajouter"]
    assert "Des renforts sont arrivés" in claims[1].content.text


def test_the_source_is_the_source_named_before(claims_of) -> None:
    text = (
        "Une source au sein du gouvernement ukrainien a affirmé que les exercices étaient "
        "terminés. « Nos soldats rentrent demain », a précisé la source."
    )
    assert _summary(claims_of(text)) == [("affirmer", "UKR"), ("préciser", "UKR")]


def test_a_shorter_description_is_the_speaker_described_before(claims_of) -> None:
    text = (
        "Des drones russes ont survolé la frontière, a indiqué l'armée de l'air polonaise. "
        "Les appareils venaient de Biélorussie, a précisé l'armée de l'air."
    )
    first, second = claims_of(text)
    assert first.speaker is not None and second.speaker is not None
    assert second.speaker.name == first.speaker.name
    assert second.speaker.country == "POL"


def test_two_incises_are_two_statements(claims_of) -> None:
    text = (
        "Les écoles rouvriront lundi, a déclaré le maire de Lviv, Andriy Sadovyi. Les bus "
        "circulent à nouveau, a-t-il précisé."
    )
    claims = claims_of(text)
    assert _summary(claims) == [("déclarer", "UKR"), ("préciser", "UKR")]
    assert claims[1].content.text == "Les bus circulent à nouveau"


def test_a_participle_with_an_agent_is_its_claim(claims_of) -> None:
    text = (
        "Une frappe de missile revendiquée par l'armée ukrainienne a détruit un dépôt, ont "
        "indiqué les autorités russes."
    )
    claims = claims_of(text)
    assert _summary(claims) == [("revendiquer", "UKR"), ("indiquer", "RUS")]
    assert claims[0].content.text == "Une frappe de missile"


@pytest.mark.parametrize(
    ("text", "country"),
    [
        ("Une réunion entre les deux ministres a été annoncée par Varsovie ce soir.", "POL"),
        ("Un échange de prisonniers a été annoncé par Moscou ce soir.", "RUS"),
    ],
)
def test_a_passive_agent_speaks_however_it_is_parsed(claims_of, text: str, country: str) -> None:
    assert _summary(claims_of(text)) == [("annoncer", country)]


@pytest.mark.parametrize(
    "text",
    [
        "Selon un communiqué du ministère estonien de la Défense, deux navires ont été "
        "escortés. Les patrouilles continueront, selon le texte.",
        "Un cessez-le-feu est exigé, selon le mémorandum turc remis aux deux parties. Selon ce "
        "document, les prisonniers seront échangés.",
    ],
)
def test_a_text_cited_before_speaks_again(claims_of, text: str) -> None:
    claims = claims_of(text)
    assert len(claims) == 2
    assert claims[0].speaker is not None and claims[1].speaker is not None
    assert claims[1].speaker.country == claims[0].speaker.country in ("EST", "TUR")


# (text, [(cue, speaker country, content snippet), ...]): cues with an object, an
# infinitive or a quotation behind a preposition
COMPLEMENT_CASES = [
    (
        "La direction du port ukrainien n'a pas nommé les coupables, mais a dénoncé des actes "
        "de sabotage venus de la mer.",
        [("dénoncer", "UKR", "des actes de sabotage")],
    ),
    (
        "Varsovie l'accusait de financer des groupes armés.",
        [("accuser", "POL", "financer des groupes armés")],
    ),
    (
        'Ankara lui répond en le qualifiant de "menteur".',
        [("qualifier", "TUR", "menteur")],
    ),
    # a relative clause: the antecedent speaks, in both statements
    (
        "L'électricité manque à Lviv selon l'opérateur Ukrenergo, qui déplore des dégâts "
        "importants.",
        [("selon", "UKR", "L'électricité manque"), ("déplorer", "UKR", "des dégâts importants")],
    ),
    # an event noun in quotation marks is the speaker's words, not the speaker's own act
    (
        "L'opérateur ukrainien Naftogaz déplore la « pire attaque contre ses dépôts depuis "
        "l'hiver ».",
        [("déplorer", "UKR", "pire attaque contre ses dépôts")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), COMPLEMENT_CASES, ids=[c[0][:40] for c in COMPLEMENT_CASES]
)
def test_cue_complements(claims_of, text: str, expected: list[tuple]) -> None:
    claims = claims_of(text)
    assert _summary(claims) == [(cue, country) for cue, country, _ in expected], claims
    for claim, (_, _, snippet) in zip(claims, expected, strict=True):
        assert snippet in claim.content.text


def test_a_named_body_after_its_common_noun_is_the_speaker(claims_of) -> None:
    text = "L'opérateur ukrainien Naftogaz déplore la « pire attaque contre ses dépôts »."
    (claim,) = claims_of(text)
    assert claim.speaker is not None and claim.speaker.name == "Naftogaz"


def test_a_statement_repeated_word_for_word_is_one_claim(claims_of) -> None:
    line = "- Le ministre lituanien affirme que la frontière restera fermée."
    assert len(claims_of(f"{line}\n\n{line}")) == 1


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        (
            "Le président du Conseil européen, Charles Michel, a déclaré que l'accord était "
            "historique. Le leader européen se félicite que les Vingt-Sept restent unis.",
            "Charles Michel",
            "EU",
        ),
        (
            "Volodymyr Zelensky a affirmé que le front tenait. Le dirigeant ukrainien estime que "
            "l'hiver sera difficile.",
            "Volodymyr Zelensky",
            "UKR",
        ),
    ],
)
def test_a_role_with_a_demonym_is_the_last_speaker_of_that_country(
    claims_of, text: str, name: str, country: str
) -> None:
    last = claims_of(text)[-1]
    assert last.speaker is not None
    assert (last.speaker.name, last.speaker.country) == (name, country)


def test_a_headline_quoting_the_body_is_not_a_second_claim(claims_of) -> None:
    text = (
        '"Nos défenses ont tenu toute la nuit malgré les drones", a déclaré le maire '
        "ukrainien\n\n"
        "Le maire de Kharkiv a parlé dimanche. "
        '"Nos défenses ont tenu toute la nuit malgré les drones" et "les écoles rouvriront '
        "lundi\", a déclaré le maire ukrainien lors d'une conférence."
    )
    claims = claims_of(text)
    assert len(claims) == 1
    assert "Le maire de Kharkiv" not in claims[0].sentence.text
    assert claims[0].sentence.text.startswith('"Nos défenses ont tenu toute la nuit')
    assert "les écoles rouvriront" in claims[0].sentence.text


def test_an_incise_between_auxiliary_and_participle_keeps_the_subject(claims_of) -> None:
    text = (
        "Le ministère estonien de la Défense avait, de son côté, affirmé dans son bulletin "
        "quotidien avoir abattu trois drones au-dessus de la mer."
    )
    claims = claims_of(text)
    assert _summary(claims) == [("affirmer", "EST")]
    assert claims[0].content.text.startswith("avoir abattu trois drones")
