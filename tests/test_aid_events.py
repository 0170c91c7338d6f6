"""Aid commitments of the lead become events when no event stands for them."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from veille.extract.aid_events import AidEventHints, aid_events
from veille.model import Actor, AidCommitment, AidStatus, Event, Span


def _aid(start: int, status: AidStatus, donor: str = "CAN") -> AidCommitment:
    return AidCommitment(
        id=f"aid{start}",
        article_id="a",
        evidence=(Span(start, start + 40, "x" * 40),),
        donor=donor,
        recipient="UKR",
        value=Decimal("1000000"),
        status=status,
    )


def _event(start: int, type_: str, actor: str) -> Event:
    span = Span(start, start + 40, "x" * 40)
    return Event(
        id=f"e{start}", article_id="a", type=type_, sentence=span, trigger=span,
        actor=Actor(text=actor, name=actor, country=actor),
    )  # fmt: skip


def test_a_promise_in_the_lead_becomes_an_agree_event() -> None:
    events = aid_events([_aid(0, AidStatus.PROMISED)], [], lead_end=100)
    assert [(e.type, e.actor.country, e.target.country) for e in events] == [
        ("AGREE", "CAN", "UKR")
    ]


def test_a_delivery_becomes_an_aid_event() -> None:
    events = aid_events([_aid(0, AidStatus.DELIVERED)], [], lead_end=100)
    assert [e.type for e in events] == ["AID"]


def test_an_event_of_either_party_in_the_sentence_stands_for_the_commitment() -> None:
    existing = [_event(0, "CONSULT", "UKR")]
    (event,) = aid_events([_aid(0, AidStatus.NEGOTIATING)], existing, lead_end=100)
    assert (event.id, event.type, event.actor.country) == ("e0", "CONSULT", "UKR")
    # it had no target: the commitment's other party is its target
    assert event.target.country == "CAN"


def test_background_aid_after_the_lead_is_no_event() -> None:
    assert aid_events([_aid(500, AidStatus.COMMITTED)], [], lead_end=100) == []


def test_a_purchase_is_told_from_the_side_named_first(analyze, fr_pack, kb) -> None:
    from veille.extract import extract

    text = "La Slovaquie a passé commande de canons Caesar auprès de KNDS France."
    analysis = extract(analyze(text, extract=False), fr_pack, kb)
    assert [(a.donor, a.recipient) for a in analysis.aid] == [("FRA", "SVK")]
    agree = [e for e in analysis.events if e.type in ("AGREE", "AID")]
    assert [(e.type, e.actor.country, e.target.country) for e in agree] == [("AGREE", "SVK", "FRA")]


def test_an_event_aimed_at_a_third_party_does_not_stand_for_the_commitment() -> None:
    other = replace(_event(0, "AID", "CAN"), target=Actor(text="", name="NATO", country="NATO"))
    events = aid_events([_aid(0, AidStatus.DELIVERED)], [other], lead_end=100)
    assert [(e.type, e.actor.country, e.target.country) for e in events] == [
        ("AID", "CAN", "NATO"),
        ("AID", "CAN", "UKR"),
    ]


def test_a_group_event_standing_for_its_institution_takes_the_donor() -> None:
    group = _event(0, "AGREE", "EUROPE")
    hints = AidEventHints(aliases={"EUROPE": "EU"})
    (event,) = aid_events([_aid(0, AidStatus.APPROVED, donor="EU")], [group], 100, (), hints)
    assert (event.id, event.actor.country, event.target.country) == ("e0", "EU", "UKR")
