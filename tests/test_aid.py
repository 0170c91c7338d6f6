"""Aid and arms commitments (aid.yaml): parties, status, mechanism, value, items, merging.

Sentences are written for these tests (not from the seeds). Each row lists the expected
commitments as dicts of the attributes that matter for that sentence.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from veille.errors import DataFileError
from veille.extract.aid import extract_aid, load_aid_lexicon
from veille.model import AidCommitment, Qualifier


@pytest.fixture(scope="module")
def aid_of(analyze, fr_pack, kb):
    def run(text: str) -> list[AidCommitment]:
        analysis = analyze(text, extract=False)
        return extract_aid(analysis, fr_pack, kb)

    return run


B = Decimal(1_000_000_000)
M = Decimal(1_000_000)

AID_CASES = [
    (
        "Le gouvernement allemand a promis une aide militaire de 1,5 milliard d'euros à l'Ukraine.",
        [
            dict(
                donor="DEU",
                recipient="UKR",
                status="promised",
                kind="military",
                value=Decimal("1.5") * B,
                currency="EUR",
                qualifier=Qualifier.EXACT,
            )
        ],
    ),
    (
        "Washington a annoncé l'envoi de nouveaux obus d'artillerie à Kiev.",
        [dict(donor="USA", recipient="UKR", status="announced", kind="military")],
    ),
    # who negotiates a sale sells it; the partner buys
    (
        "La Suède négocie avec la Pologne la vente de deux avions de surveillance.",
        [dict(donor="SWE", recipient="POL", status="negotiating")],
    ),
    # the recipient hung deep in what a give noun moves
    (
        "La Finlande a annoncé l'envoi de douze véhicules de combat à Kiev.",
        [dict(donor="FIN", recipient="UKR", status="announced")],
    ),
    # a confirmed or prepared delivery is reported with its status
    (
        "La Grèce a confirmé la livraison d'obus à l'Ukraine.",
        [dict(donor="GRC", recipient="UKR", status="announced")],
    ),
    (
        "La Lettonie prépare l'envoi de drones à l'Ukraine.",
        [dict(donor="LVA", recipient="UKR", status="planned")],
    ),
    (
        "Les Pays-Bas ont livré à l'Ukraine les premiers avions de combat.",
        [dict(donor="NLD", recipient="UKR", status="delivered")],
    ),
    (
        "L'Ukraine négocie avec la France l'achat de canons automoteurs.",
        [dict(donor="FRA", recipient="UKR", status="negotiating", mechanism="purchase")],
    ),
    (
        "Le Congrès américain a approuvé une enveloppe de 61 milliards de dollars pour l'Ukraine.",
        [dict(donor="USA", recipient="UKR", status="approved", value=61 * B, currency="USD")],
    ),
    (
        "L'Union européenne a gelé une aide financière de 500 millions d'euros à l'Ukraine.",
        [dict(donor="EU", recipient="UKR", status="suspended", kind="financial", value=500 * M)],
    ),
    (
        "Le Royaume-Uni va fournir à l'Ukraine plus de 200 missiles antiaériens.",
        [
            dict(
                donor="GBR",
                recipient="UKR",
                status="promised",
                items=[("missile", Decimal(200), Qualifier.MIN)],
            )
        ],
    ),
    (
        "Kiev a reçu des munitions et des véhicules blindés de la part des États-Unis.",
        [dict(donor="USA", recipient="UKR", status="delivered", kind="military")],
    ),
    (
        "L'Ukraine envisage d'acquérir auprès de la Suède des avions de chasse pour 2 "
        "milliards de dollars.",
        [dict(donor="SWE", recipient="UKR", status="planned", mechanism="purchase", value=2 * B)],
    ),
    (
        "Le Japon a accordé à l'Ukraine un prêt de 3 milliards de dollars.",
        [dict(donor="JPN", recipient="UKR", mechanism="loan", kind="financial", value=3 * B)],
    ),
    (
        "Le Danemark financera la production de drones en Ukraine, en partenariat avec des "
        "entreprises ukrainiennes.",
        [
            dict(
                donor="DNK",
                recipient="UKR",
                status="promised",
                mechanism="coproduction",
                items=[("drone", None, None)],
            )
        ],
    ),
    (
        "Les livraisons d'armes américaines à l'Ukraine ont été suspendues.",
        [dict(donor="USA", recipient="UKR", status="suspended")],
    ),
    (
        "L'Ukraine discute avec les États-Unis un accord d'armement évalué à 8 milliards de "
        "dollars.",
        [
            dict(
                donor="USA",
                recipient="UKR",
                status="negotiating",
                value=8 * B,
                qualifier=Qualifier.APPROX,
            )
        ],
    ),
    (
        "Depuis 2022, l'Union européenne avait engagé plus de 80 milliards d'euros d'aide en "
        "faveur de l'Ukraine.",
        [
            dict(
                donor="EU",
                recipient="UKR",
                status="committed",
                value=80 * B,
                qualifier=Qualifier.MIN,
            )
        ],
    ),
    (
        "La Suisse a envoyé une aide humanitaire de 5 millions d'euros à l'Ukraine.",
        [dict(donor="CHE", recipient="UKR", status="delivered", kind="humanitarian")],
    ),
    (
        "Après avoir reçu des obus de la part de ses alliés européens, l'armée ukrainienne a "
        "repris l'offensive.",
        [dict(donor="EUROPE", recipient="UKR", status="delivered")],
    ),
    (
        "La Pologne a livré à l'Ukraine au moins 10 systèmes Patriot.",
        [dict(donor="POL", recipient="UKR", items=[("Patriot", Decimal(10), Qualifier.MIN)])],
    ),
    # agreeing to give is a promise; each donor of a coordinated subject gets one commitment
    (
        "La France et l'Italie ont convenu de fournir deux batteries SAMP/T à l'Ukraine.",
        [
            dict(
                donor=d, recipient="UKR", status="promised", items=[("SAMP/T", 2, Qualifier.EXACT)]
            )
            for d in ("FRA", "ITA")
        ],
    ),
    (
        "La Norvège s'est accordée avec la Suède pour livrer trois systèmes NASAMS à l'Ukraine.",
        [dict(donor="NOR", recipient="UKR", status="promised")],
    ),
    # reflexive "s'engager à" + aid verb: promised, never a second "committed" deal; the
    # donors listed in apposition each get one commitment
    (
        "Trois partenaires de Kiev (la Suède, la Norvège, le Canada et la France) se sont "
        "engagés mardi à livrer à l'Ukraine des dizaines de chars.",
        # a pledge ("se sont engagés à") is a commitment
        [dict(donor=d, recipient="UKR", status="committed") for d in ("SWE", "NOR", "CAN", "FRA")],
    ),
    # a count on the noun a weapon name modifies is the weapon's; "à l'Ukraine" hung deep
    # in the object is still the recipient
    (
        "L'Espagne va livrer 12 autres lanceurs mobiles HIMARS de fabrication américaine à "
        "l'Ukraine.",
        [
            dict(
                donor="ESP",
                recipient="UKR",
                status="promised",
                items=[("HIMARS", Decimal(12), Qualifier.EXACT)],
            )
        ],
    ),
    # "recevoir de X des Y": X gives, whether the parse reads "de" as a case or an article
    # of the name, and whoever made what it gives
    (
        "La Géorgie a reçu de la Lituanie des missiles Stinger.",
        [dict(donor="LTU", recipient="GEO", status="delivered")],
    ),
    (
        "La Moldavie a reçu de Bucarest des obusiers tractés.",
        [dict(donor="ROU", recipient="MDA", status="delivered")],
    ),
    # a purpose clause names the recipient when what it helps has a country
    (
        "La Corée du Sud va débloquer 2 milliards de dollars pour soutenir l'économie moldave.",
        [dict(donor="KOR", recipient="MDA", status="promised")],
    ),
    (
        "La Finlande a envoyé des obusiers afin de renforcer la défense estonienne.",
        [dict(donor="FIN", recipient="EST", status="delivered")],
    ),
    # the buyer stays the buyer when the parse leaves the subject as a root of its own
    (
        "Vilnius négocie l'achat de chars Leopard.",
        [dict(recipient="LTU", status="negotiating")],
    ),
    # not commitments: opposed, requested, vague, idioms, strikes
    ("Le Congrès s'oppose à l'envoi d'une aide militaire supplémentaire à l'Ukraine.", []),
    ("Kiev réclame davantage d'armes à ses alliés occidentaux.", []),
    ("Cette aide témoigne de la solidarité européenne.", []),
    ("Les frappes ont détruit un dépôt de munitions près de Kherson.", []),
    ("L'accès de l'Ukraine aux armes occidentales est remis en question.", []),
    ("Les problèmes de financement inquiètent les dirigeants européens.", []),
    # a participle with a named country as its passive agent tells a delivery; without
    # one it only describes the thing
    (
        "Les canons Caesar livrés par la France à l'Ukraine ont été touchés.",
        [
            dict(
                donor="FRA",
                recipient="UKR",
                status="delivered",
                items=[("Caesar", None, None)],
            )
        ],
    ),
    ("Les munitions financées par des fonds privés sont arrivées.", []),
    # a support verb says the noun's verb in its own tense ("a fait don" = "a donné")
    (
        "La Lituanie a fait don de huit drones à l'Ukraine.",
        [dict(donor="LTU", recipient="UKR", status="delivered", mechanism="donation")],
    ),
    (
        "La Belgique procédera à la livraison de quatre radars à la Moldavie.",
        [dict(donor="BEL", recipient="MDA", status="promised")],
    ),
    # every donor of a coordination, however the parse hung it: on a later word of a name
    # the tokenizer split, or before the subject as a root of its own
    (
        "Les Pays-Bas et le Danemark livreront à l'Ukraine des avions F-16.",
        [
            dict(donor="NLD", recipient="UKR", status="promised"),
            dict(donor="DNK", recipient="UKR", status="promised"),
        ],
    ),
    (
        "Washington et Ottawa ont livré des obus à Kiev.",
        [
            dict(donor="CAN", recipient="UKR", status="delivered"),
            dict(donor="USA", recipient="UKR", status="delivered"),
        ],
    ),
    # a place name the tagger mistook (here "Kiev" as a determiner) is still a recipient
    (
        "La Pologne a cédé à Kiev dix obusiers supplémentaires.",
        [dict(donor="POL", recipient="UKR", status="delivered")],
    ),
    # money paid out is delivered; a government's decision binds it
    (
        "La Corée du Sud a versé 300 millions de dollars à l'Ukraine.",
        [dict(donor="KOR", recipient="UKR", status="delivered", value=300 * M, currency="USD")],
    ),
    (
        "La Suède a décidé d'envoyer des avions de surveillance à l'Ukraine.",
        [dict(donor="SWE", recipient="UKR", status="committed")],
    ),
    # an event noun's own agent gives, not the subject that authorises it
    (
        "Les États-Unis ont autorisé la livraison de F-16 à l'Ukraine par le Danemark.",
        [dict(donor="DNK", recipient="UKR", status="approved")],
    ),
    # "de la part du Danemark et des Pays-Bas": the parse hangs the second donor on "part"
    (
        "Kiev va recevoir des radars de la part du Danemark et des Pays-Bas.",
        [
            dict(donor="DNK", recipient="UKR", status="promised"),
            dict(donor="NLD", recipient="UKR", status="promised"),
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), AID_CASES, ids=[c[0][:40] for c in AID_CASES])
def test_aid(aid_of, text: str, expected: list[dict]) -> None:
    got = aid_of(text)
    assert len(got) == len(expected), [(a.donor, a.recipient, a.status) for a in got]
    for commitment, want in zip(got, expected, strict=True):
        for name, value in want.items():
            if name == "items":
                items = [(i.system, i.quantity, i.qualifier) for i in commitment.items]
                assert items == value, items
            else:
                actual = getattr(commitment, name)
                assert actual == value, (name, actual, commitment)
        assert commitment.evidence and commitment.evidence[0].text in text


HEADLINE_AND_BODY = (
    "Berlin promet 500 millions d'euros d'aide militaire à Kiev\n\n"
    "Le gouvernement allemand a annoncé mardi une aide militaire de 500 millions d'euros à "
    "l'Ukraine. Cette aide comprendra des munitions et des systèmes de défense aérienne.\n\n"
    "Les livraisons d'armes allemandes à l'Ukraine devraient commencer en mars."
)


def test_same_deal_in_headline_and_body_is_one_commitment(aid_of) -> None:
    (deal,) = aid_of(HEADLINE_AND_BODY)
    assert (deal.donor, deal.recipient) == ("DEU", "UKR")
    assert deal.value == 500 * M and deal.currency == "EUR"
    assert deal.status is not None and deal.status.value == "announced"
    texts = [e.text for e in deal.evidence]
    # the first evidence is the first body sentence, the headline comes later
    assert texts[0].startswith("Le gouvernement allemand a annoncé")
    assert any(t.startswith("Berlin promet") for t in texts)
    assert len(texts) >= 3
    for span in deal.evidence:
        assert HEADLINE_AND_BODY[span.start : span.end] == span.text


def test_different_values_are_different_commitments(aid_of) -> None:
    text = (
        "Le Canada a promis 500 millions de dollars d'aide militaire à l'Ukraine. "
        "Le Canada a également promis 2 milliards de dollars d'aide financière à l'Ukraine."
    )
    deals = aid_of(text)
    assert sorted(d.value for d in deals) == [500 * M, 2 * B]
    assert all((d.donor, d.recipient) == ("CAN", "UKR") for d in deals)


def test_headline_alone_is_not_a_commitment(aid_of) -> None:
    text = "Washington promet des armes à Kiev\n\nLes combats se poursuivent dans l'est du pays."
    assert aid_of(text) == []


def test_ids_are_stable(aid_of) -> None:
    first = [d.id for d in aid_of(HEADLINE_AND_BODY)]
    assert first == [d.id for d in aid_of(HEADLINE_AND_BODY)]


def test_lexicon_loads_once_and_validates(fr_pack, tmp_path: Path) -> None:
    assert load_aid_lexicon(fr_pack.data_dir) is load_aid_lexicon(fr_pack.data_dir)
    (tmp_path / "aid.yaml").write_text("verb_triggers:\n  livrer: {role: lend}\n")
    with pytest.raises(DataFileError) as err:
        load_aid_lexicon(tmp_path)
    assert "aid.yaml" in str(err.value)
    (tmp_path / "aid.yaml").write_text(
        "verb_triggers:\n  livrer: {role: give}\n"
        "noun_triggers:\n  don: {role: give, verb: donner}\n"
    )
    load_aid_lexicon.cache_clear()
    with pytest.raises(DataFileError, match=r"noun_triggers\.don: verb 'donner'"):
        load_aid_lexicon(tmp_path)
    load_aid_lexicon.cache_clear()


def test_different_counts_are_different_commitments(aid_of) -> None:
    text = (
        "L'Espagne a livré quatre systèmes NASAMS à l'Ukraine. Par ailleurs, l'Espagne a "
        "livré six systèmes NASAMS à l'Ukraine en mars."
    )
    deals = aid_of(text)
    assert [[(i.system, i.quantity) for i in d.items] for d in deals] == [
        [("NASAMS", 4)],
        [("NASAMS", 6)],
    ]


def test_a_sentence_without_parties_does_not_take_the_next_ones(aid_of) -> None:
    text = "Les livraisons de ces chars seront rapides. Le Canada a envoyé des chars à l'Ukraine."
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient) == ("CAN", "UKR")
    assert [e.text for e in deal.evidence] == ["Le Canada a envoyé des chars à l'Ukraine."]


def test_stray_subject_fragments_before_a_verb_group(bare_nlp) -> None:
    """A line after a heading may parse as loose roots: "Le Japon" / "et la Corée" / "ont"."""
    from spacy.tokens import Doc

    from veille.extract.aid_parties import stray_subjects
    from veille.extract.units import Sentence

    words = ["Le", "Japon", "et", "la", "Corée", "ont", "convenu", "de", "livrer", "des", "obus"]
    heads = [1, 1, 4, 4, 4, 6, 6, 8, 6, 10, 8]
    deps = ["det", "ROOT", "cc", "det", "ROOT", "aux:tense", "ROOT", "mark", "xcomp", "det", "obj"]
    pos = ["DET", "PROPN", "CCONJ", "DET", "PROPN", "AUX", "VERB", "ADP", "VERB", "DET", "NOUN"]
    doc = Doc(bare_nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    sent = Sentence(
        index=0, start=0, end=len(doc), paragraph=0, char_start=0, char_end=len(doc.text)
    )
    verb = doc[8]
    assert [t.text for t in stray_subjects(verb, [doc[6]], sent)] == ["Japon", "Corée"]
    # a verb group with its own subject has none
    deps[1], heads[1] = "nsubj", 6
    doc = Doc(bare_nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert stray_subjects(doc[8], [doc[6]], sent) == []


def test_different_things_given_are_different_commitments(aid_of) -> None:
    text = (
        "La Suède a promis trois systèmes Patriot à l'Ukraine. La Suède a aussi promis des "
        "centaines d'obus à l'Ukraine."
    )
    deals = aid_of(text)
    assert [[i.system for i in d.items] for d in deals] == [["Patriot"], ["obus"]]
    assert all((d.donor, d.recipient, d.status.value) == ("SWE", "UKR", "promised") for d in deals)


def test_a_purchase_for_a_third_party_is_the_buyers_gift(aid_of) -> None:
    aid = aid_of("La Norvège achète des obusiers au profit de l'Ukraine.")
    assert [(a.donor, a.recipient, a.mechanism) for a in aid] == [("NOR", "UKR", "purchase")]


def test_an_unsaid_recipient_is_the_one_the_article_names_most(aid_of) -> None:
    text = (
        "Le Canada a livré des blindés à l'Ukraine. La Suède a envoyé des obus à l'Ukraine. "
        "Les Pays-Bas transmettront des radars à l'OTAN. Un autre lot de munitions a été "
        "fourni par la Belgique."
    )
    by_donor = {a.donor: a.recipient for a in aid_of(text)}
    assert by_donor["BEL"] == "UKR"


def test_another_deal_of_the_same_amount_is_not_merged(aid_of) -> None:
    text = (
        "Le Japon s'apprête à débloquer une enveloppe de 300 millions de dollars pour "
        "l'Ukraine. En mars, Tokyo avait déjà annoncé une autre aide de 300 millions de "
        "dollars à l'Ukraine."
    )
    deals = aid_of(text)
    assert [(d.donor, d.recipient, d.value) for d in deals] == [("JPN", "UKR", 300 * M)] * 2


def test_the_same_amount_told_in_two_tenses_is_one_deal(aid_of) -> None:
    text = (
        "Le Canada a annoncé une aide militaire de 450 millions de dollars pour l'Ukraine. "
        "\"Le Canada fournit des munitions et des drones à l'Ukraine, pour une valeur de 450 "
        'millions de dollars", précise le communiqué.'
    )
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient, deal.value) == ("CAN", "UKR", 450 * M)
    assert len(deal.evidence) == 2


def test_parts_of_a_package_are_its_items(aid_of) -> None:
    text = (
        "La Norvège a annoncé une aide de 7 milliards d'euros à l'Ukraine. Cette "
        "enveloppe comprend un prêt de 5 milliards d'euros et un don de 2 milliards d'euros."
    )
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient, deal.status.value) == ("NOR", "UKR", "announced")
    assert deal.value == 7 * B and deal.mechanism is None
    assert [i.system for i in deal.items] == ["prêt", "don"]


def test_a_package_for_several_countries_is_not_aid_to_one(aid_of) -> None:
    text = (
        "Le Sénat américain a adopté un paquet de 80 milliards de dollars comprenant une aide de "
        "50 milliards de dollars pour l'Ukraine."
    )
    (deal,) = aid_of(text)
    assert (deal.recipient, deal.value, deal.status.value) == ("UKR", 50 * B, "approved")
