"""Every aid commitment is also an event: AID when it is given, AGREE when it is promised.

The aid extractor reads constructions the event walk does not ("une aide de 50 milliards
d'euros à l'Ukraine" under "trouver un accord sur"); an analyst counting events expects
the commitment among them. An event already coded in the sentences that state the
commitment with the donor or the recipient as its actor (in the cooperation family)
stands for it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from veille.model import (
    Actor,
    AidCommitment,
    AidStatus,
    EntityMention,
    Event,
    Modality,
    stable_id,
)

STAGE = "aid-events@1"
# PLOVER: a promise or plan of future aid is an agreement, aid given is AID
_GIVEN = frozenset({AidStatus.DELIVERED, AidStatus.COMMITTED, AidStatus.APPROVED})
_FUTURE = frozenset({AidStatus.PROMISED, AidStatus.PLANNED, AidStatus.ANNOUNCED})
COOPERATION = frozenset({"AID", "AGREE", "CONSULT", "COOPERATE", "SUPPORT", "CONCEDE"})


@dataclass(frozen=True)
class AidEventHints:
    """What the aid extractor knows beyond the commitments: the ids of those told only in
    the conditional (hypothetical events), and group actors that stand for a donor
    ("EUROPE" for the "EU" whose approval it is)."""

    hypothetical: frozenset[str] = frozenset()
    aliases: Mapping[str, str] = field(default_factory=dict)


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor is not None else None


def _covered(aid: AidCommitment, events: list[Event], hints: AidEventHints) -> bool:
    """Whether an event already stands for the commitment; one without a target gets the
    commitment's other party as its target ("Les États-Unis fournissent un nouveau lot
    d'armes": to the recipient the commitment found), one whose actor is a group standing
    for the donor gets the donor ("les dirigeants européens" approving: the EU). An event
    aimed at a third party ("enverront les systèmes à l'OTAN") does not stand for it."""
    for n, event in enumerate(events):
        if event.type not in COOPERATION:
            continue
        if not any(
            event.sentence.start <= sentence.start < event.sentence.end for sentence in aid.evidence
        ):
            continue
        # a purchase or a request is told from the recipient's side ("Kiev négocie avec
        # Washington"): either party as the actor stands for the commitment
        actor = _country(event.actor)
        if actor is not None and hints.aliases.get(actor) == aid.donor:
            event = replace(event, actor=Actor(text="", name=aid.donor, country=aid.donor))
            actor = aid.donor
        if actor not in (aid.donor, aid.recipient):
            continue
        if _country(event.target) not in (None, aid.donor, aid.recipient):
            continue
        other = aid.recipient if actor == aid.donor else aid.donor
        if event.target is None and other is not None and other != actor:
            event = replace(event, target=Actor(text="", name=other, country=other))
        events[n] = event
        return True
    return False


def _parties_in_order(
    aid: AidCommitment, mentions: Sequence[EntityMention]
) -> tuple[str | None, str | None]:
    """(actor, target): the giver acts, but a purchase is told from the side that the
    sentence names first ("La Croatie a passé une commande auprès de KNDS France": the
    buyer; "la France achète des canons au profit de Kiev": the buyer who gives)."""
    if aid.mechanism != "purchase" or not aid.recipient:
        return aid.donor, aid.recipient
    sentence = aid.evidence[0]
    for mention in sorted(mentions, key=lambda m: m.start):
        if sentence.start <= mention.start < sentence.end and mention.country == aid.recipient:
            return aid.recipient, aid.donor
        if sentence.start <= mention.start < sentence.end and mention.country == aid.donor:
            break
    return aid.donor, aid.recipient


def aid_events(
    aid: list[AidCommitment],
    events: list[Event],
    lead_end: int | None = None,
    mentions: Sequence[EntityMention] = (),
    hints: AidEventHints | None = None,
) -> list[Event]:
    """``events`` plus one event for each commitment no event stands for yet.

    With ``lead_end`` (the end offset of the article's lead), only commitments the lead
    states become events: the news the article reports, not the background aid it recalls
    ("sous l'administration précédente, Washington avait engagé ..."). ``mentions`` (the
    article's entity mentions) tell which side of a purchase the sentence tells it from;
    ``hints`` mark the commitments told in the conditional (hypothetical events).
    """
    out = list(events)
    hints = hints or AidEventHints()
    for commitment in aid:
        if commitment.donor is None or not commitment.evidence or _covered(commitment, out, hints):
            continue
        if lead_end is not None and not any(s.start < lead_end for s in commitment.evidence):
            continue
        sentence = commitment.evidence[0]
        given = commitment.status in _GIVEN or commitment.status is None
        if commitment.mechanism == "purchase" and commitment.status is AidStatus.COMMITTED:
            given = False  # an order placed is an agreement; the delivery is the aid
        modality = Modality.FUTURE if commitment.status in _FUTURE else None
        if commitment.id in hints.hypothetical:
            modality = Modality.HYPOTHETICAL
        actor, target = _parties_in_order(commitment, mentions)
        out.append(
            Event(
                id=stable_id(commitment.id, STAGE),
                article_id=commitment.article_id,
                type="AID" if given else "AGREE",
                sentence=sentence,
                trigger=sentence,
                modality=modality,
                actor=Actor(text="", name=actor, country=actor),
                target=Actor(text="", name=target, country=target) if target else None,
                date=commitment.announced,
                confidence=round(min(commitment.confidence, 0.7), 2),
                stage=STAGE,
            )
        )
    out.sort(key=lambda e: (e.sentence.start, e.trigger.start))
    return out
