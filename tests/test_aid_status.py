"""Aid status (aid.yaml: status_cues, conditional_*): approvals by legislatures and
councils, plans above approvals, conditionals (planned, hypothetical events), pledges.

Sentences are written for these tests (not from the seeds or the corpus).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from veille.extract import extract
from veille.extract.aid import extract_aid
from veille.model import AidCommitment, Modality

B = Decimal(1_000_000_000)
M = Decimal(1_000_000)


@pytest.fixture(scope="module")
def aid_of(analyze, fr_pack, kb):
    def run(text: str) -> list[AidCommitment]:
        return extract_aid(analyze(text, extract=False), fr_pack, kb)

    return run


STATUS_CASES = [
    # votes and approvals by legislatures and councils
    ("Le Congrès a finalement voté une aide de 2,4 milliards $ US à l'Ukraine.", "approved"),
    ("Le Conseil européen a approuvé une enveloppe de 1,5 Md€ pour l'Ukraine.", "approved"),
    (
        "Les Vingt-Sept ont trouvé un accord sur une aide de 20 milliards d'euros à Kiev.",
        "approved",
    ),
    ("Le Parlement danois a donné son feu vert à l'envoi de 300 M$ d'aide à Kiev.", "approved"),
    # a compound past the tagger calls an infinitive ("a débloqué": VerbForm=Inf)
    ("L'Autriche a débloqué 1,5 Md€ pour l'Ukraine.", "approved"),
    # a plan or a negotiation above an approval: not approved yet
    (
        "Les députés s'apprêtent à approuver une aide de 500 millions d'euros à l'Ukraine.",
        "planned",
    ),
    (
        "L'Allemagne négocie un accord sur une aide de 3 milliards d'euros à l'Ukraine.",
        "negotiating",
    ),
    # a pledge is a commitment
    ("La Norvège s'est engagée à fournir des obus à l'Ukraine.", "committed"),
    # conditionals, whatever tense the tagger reads
    ("Le Canada fournirait des obus à l'Ukraine.", "planned"),
    ("La Suède achèterait des drones pour l'Ukraine.", "planned"),
]


@pytest.mark.parametrize(("text", "status"), STATUS_CASES, ids=[c[0][:40] for c in STATUS_CASES])
def test_status(aid_of, text: str, status: str) -> None:
    aid = aid_of(text)
    assert aid, text
    assert [a.status.value for a in aid] == [status] * len(aid)


def test_amount_spellings_of_an_approval(aid_of) -> None:
    (deal,) = aid_of("Le Congrès a finalement voté une aide de 2,4 milliards $ US à l'Ukraine.")
    assert (deal.donor, deal.value, deal.currency) == ("USA", Decimal("2.4") * B, "USD")
    (deal,) = aid_of("Le Parlement danois a donné son feu vert à l'envoi de 300 M$ d'aide à Kiev.")
    assert (deal.donor, deal.recipient, deal.value) == ("DNK", "UKR", 300 * M)


def test_an_imperfect_is_not_a_conditional(aid_of) -> None:
    (deal,) = aid_of("En 2022, la Suède livrait des obus à l'Ukraine chaque semaine.")
    assert deal.status.value != "planned"


def test_a_conditional_commitment_is_a_hypothetical_event(analyze, fr_pack, kb) -> None:
    text = "Le système NASAMS protège les villes. Le Canada en paierait deux pour l'Ukraine."
    analysis = extract(analyze(text, extract=False), fr_pack, kb)
    (deal,) = analysis.aid
    assert (deal.donor, deal.recipient, deal.status.value) == ("CAN", "UKR", "planned")
    assert [(i.system, i.quantity) for i in deal.items] == [("NASAMS", Decimal(2))]
    events = [e for e in analysis.events if e.actor and e.actor.country == "CAN"]
    assert [e.modality for e in events] == [Modality.HYPOTHETICAL]


def test_giving_is_no_mechanism_but_ceding_is_a_donation(aid_of) -> None:
    (deal,) = aid_of("Les États-Unis ont donné des blindés à l'Ukraine.")
    assert deal.mechanism is None
    (deal,) = aid_of("La France a cédé des canons à l'Ukraine.")
    assert deal.mechanism == "donation"


def test_a_conjoined_clause_lends_no_mechanism(aid_of) -> None:
    text = "La Grèce a cédé des obus à l'Ukraine et a commandé des radars pour son armée."
    by_recipient = {a.recipient: a for a in aid_of(text)}
    assert by_recipient["UKR"].mechanism == "donation"


def test_giving_permission_is_no_aid_but_the_weapons_given_are(aid_of) -> None:
    text = (
        "Les États-Unis ont donné l'autorisation à l'Ukraine de tirer des roquettes à "
        "longue portée qu'ils lui ont livrées."
    )
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient, deal.mechanism) == ("USA", "UKR", None)


def test_buying_for_a_country_and_buying_for_oneself(aid_of) -> None:
    (deal,) = aid_of("Le Portugal achète des obus Caesar pour l'Ukraine.")
    assert (deal.donor, deal.recipient) == ("PRT", "UKR")
    (deal,) = aid_of("La Roumanie achète des chars Abrams pour son armée.")
    assert (deal.donor, deal.recipient) == ("USA", "ROU")


def test_we_are_waiting_for_weapons_said_by_a_minister(analyze, fr_pack, kb) -> None:
    text = (
        "Le ministre lituanien de la Défense a déclaré : « Nous attendons des chars Leopard "
        "supplémentaires »."
    )
    analysis = extract(analyze(text, extract=False), fr_pack, kb)
    assert [(a.donor, a.recipient, a.status.value) for a in analysis.aid] == [
        ("DEU", "LTU", "promised")
    ]


def test_pleading_for_deliveries_is_no_aid(aid_of) -> None:
    assert aid_of("Chisinau plaidait pour que lui soient livrés des chars Leopard.") == []


def test_a_commitment_leads_its_evidence_not_a_purpose_before_it(aid_of) -> None:
    text = (
        "La Moldavie a multiplié les démarches pour obtenir ces avions. "
        "La Moldavie a reçu ses premiers avions de chasse F-16, a annoncé le président."
    )
    (deal,) = aid_of(text)
    assert deal.evidence[0].text.startswith("La Moldavie a reçu")


def test_a_conditional_reported_in_the_past_is_a_future(analyze, fr_pack, kb) -> None:
    text = "Le gouvernement belge a annoncé qu'il enverrait 200 millions d'euros d'armes à Kiev."
    analysis = extract(analyze(text, extract=False), fr_pack, kb)
    assert [(a.donor, a.status.value) for a in analysis.aid] == [("BEL", "announced")]
    assert all(e.modality is not Modality.HYPOTHETICAL for e in analysis.events)


def test_should_deliver_is_planned_but_not_hypothetical(analyze, fr_pack, kb) -> None:
    text = "Selon Oslo, la Norvège devrait livrer des obusiers à l'Ukraine au printemps."
    analysis = extract(analyze(text, extract=False), fr_pack, kb)
    assert [(a.donor, a.status.value) for a in analysis.aid] == [("NOR", "planned")]
    assert all(e.modality is not Modality.HYPOTHETICAL for e in analysis.events)
