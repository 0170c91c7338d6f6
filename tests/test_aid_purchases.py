"""Purchases between third countries and elided objects (aid.yaml: joint_cues,
count_words): who buys, who sells, and when a purchase is no aid at all.

Sentences are written for these tests (not from the seeds or the corpus).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from veille.extract.aid import extract_aid
from veille.model import AidCommitment


@pytest.fixture(scope="module")
def aid_of(analyze, fr_pack, kb):
    def run(text: str) -> list[AidCommitment]:
        analysis = analyze(text, extract=False)
        return extract_aid(analysis, fr_pack, kb)

    return run


def _parties(aid: list[AidCommitment]) -> set[tuple[str | None, str | None]]:
    return {(a.donor, a.recipient) for a in aid}


def test_an_elided_object_is_the_last_weapon_named(aid_of) -> None:
    text = (
        "Le Danemark a promis des systèmes NASAMS à l'Ukraine. "
        "La Suède en livrera deux, la Finlande en fournira un autre."
    )
    aid = {a.donor: a for a in aid_of(text)}
    assert aid["SWE"].recipient == "UKR"
    assert [(i.system, i.quantity) for i in aid["SWE"].items] == [("NASAMS", Decimal(2))]
    assert [(i.system, i.quantity) for i in aid["FIN"].items] == [("NASAMS", Decimal(1))]
    assert aid["FIN"].status.value == "promised"


def test_en_without_a_number_is_no_elided_object(aid_of) -> None:
    text = "Le Portugal a présenté des canons Caesar. La Grèce en achète aussi."
    assert aid_of(text) == []


def test_a_buyer_of_a_foreign_weapon_receives_it_from_the_maker(aid_of) -> None:
    text = "Des obusiers Caesar ont été présentés au salon. La Lituanie en achète 18 exemplaires."
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient, deal.mechanism) == ("FRA", "LTU", "purchase")
    assert [(i.system, i.quantity) for i in deal.items] == [("Caesar", Decimal(18))]


def test_a_country_buying_its_own_weapons_is_no_aid(aid_of) -> None:
    assert aid_of("La France a commandé 40 canons Caesar pour son armée.") == []


def test_joint_purchase_partners_buy_too(aid_of) -> None:
    text = (
        "La France a conclu un accord de coopération avec la Belgique et le Portugal pour "
        "acquérir conjointement des canons Caesar."
    )
    assert _parties(aid_of(text)) == {("FRA", "BEL"), ("FRA", "PRT")}


def test_the_buyer_named_on_a_purchase_noun(aid_of) -> None:
    text = "Le groupe KNDS France a reçu de nouvelles commandes de la Slovaquie."
    assert _parties(aid_of(text)) == {("FRA", "SVK")}


def test_a_relative_clause_with_en_buys_for_its_antecedent(aid_of) -> None:
    text = (
        "Le canon Caesar est très demandé. Hormis la Belgique, qui en a elle aussi acheté "
        "neuf, plusieurs pays s'y intéressent."
    )
    assert _parties(aid_of(text)) == {("FRA", "BEL")}


def test_recipient_hung_on_the_number_of_an_elided_object(aid_of) -> None:
    text = (
        "Le système NASAMS protège Oslo. La Norvège en a conservé huit après en avoir "
        "transféré quatre à l'Ukraine."
    )
    assert ("NOR", "UKR") in _parties(aid_of(text))


def test_participle_on_a_deal_noun_gives_its_status(aid_of) -> None:
    (deal,) = aid_of(
        "La Belgique formalise l'acquisition annoncée en mai de huit canons Caesar au profit "
        "de l'Ukraine."
    )
    assert (deal.donor, deal.recipient) == ("BEL", "UKR")
    assert deal.status is not None


def test_a_signed_deal_and_the_same_order_told_again_are_one(aid_of) -> None:
    text = (
        "La Lettonie a signé un contrat avec la France pour acheter des canons Caesar. "
        "Selon une source, la Lettonie en achète dix."
    )
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient, deal.status.value) == ("FRA", "LVA", "committed")
    assert len(deal.evidence) == 2


def test_a_cut_off_last_paragraph_is_not_a_heading(aid_of) -> None:
    text = (
        "Les alliés de Kiev se réunissent.\n\n"
        "Le ministre a indiqué que la Belgique a livré des munitions et des obus à l'Ukraine "
        "au cours du mois dernier, a précisé le"
    )
    assert _parties(aid_of(text)) == {("BEL", "UKR")}


def test_every_country_in_brackets_after_a_group_noun_gives(aid_of) -> None:
    text = (
        "Cinq partenaires de Kiev (la Belgique, les Pays-Bas, le Luxembourg, la Suède et "
        "la Finlande) ont livré des obus à l'Ukraine."
    )
    assert {a.donor for a in aid_of(text)} == {"BEL", "NLD", "LUX", "SWE", "FIN"}


def test_gapping_gives_the_same_thing_as_many_as_said(aid_of) -> None:
    text = (
        "La Suède a livré douze obusiers Archer à l'Ukraine, et la Finlande deux. "
        "Le Danemark a envoyé six chars à l'Ukraine et à la Moldavie."
    )
    got = {(a.donor, a.recipient): [(i.system, i.quantity) for i in a.items] for a in aid_of(text)}
    assert got[("FIN", "UKR")][0][1] == Decimal(2)
    assert got[("SWE", "UKR")][0][1] == Decimal(12)
    assert ("SWE", "FIN") not in got
    assert {("DNK", "UKR"), ("DNK", "MDA")} <= set(got)


def test_a_gift_to_an_intermediary_is_aid_to_the_article_recipient(aid_of) -> None:
    text = (
        "Le Canada a promis quatre systèmes NASAMS à l'Ukraine. Le Canada enverra les "
        "systèmes à l'OTAN, qui les distribuera ensuite."
    )
    assert _parties(aid_of(text)) == {("CAN", "UKR")}


def test_an_approval_by_european_leaders_is_the_eus(aid_of) -> None:
    text = "Les dirigeants européens ont approuvé une aide de 40 milliards d'euros à l'Ukraine."
    assert _parties(aid_of(text)) == {("EU", "UKR")}


def test_a_relative_subject_parsed_as_a_complement_clause(aid_of) -> None:
    text = "Le président ukrainien a remercié l'Allemagne, qui lui a livré des systèmes IRIS-T."
    (deal,) = aid_of(text)
    assert (deal.donor, deal.recipient) == ("DEU", "UKR")
    assert [i.system for i in deal.items] == ["IRIS-T"]


def test_gapping_after_a_receive_verb(aid_of) -> None:
    text = "L'Ukraine a reçu l'an dernier 40 chars Leopard, et la Moldavie 12."
    got = {a.recipient: [i.quantity for i in a.items] for a in aid_of(text)}
    assert got["UKR"] == [Decimal(40)] and got["MDA"] == [Decimal(12)]


def test_a_denied_delivery_is_none(aid_of) -> None:
    assert aid_of("La Chine a démenti avoir livré des drones à la Russie.") == []
