"""Aid mentions and how they merge: mentions of the same deal (same parties, compatible
value, mechanism and status) become one commitment with several evidence sentences."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from veille.extract.units import Sentence, char_span
from veille.model import (
    AidCommitment,
    AidItem,
    AidStatus,
    Analysis,
    FuzzyDate,
    Qualifier,
    Quantity,
    stable_id,
)

STAGE = "aid@1"
# Statuses of a deal still in the making: mentions with these may describe the same deal.
_IN_PROGRESS = frozenset(
    {
        AidStatus.PLANNED,
        AidStatus.NEGOTIATING,
        AidStatus.PROMISED,
        AidStatus.ANNOUNCED,
        AidStatus.APPROVED,
    }
)


@dataclass
class AidMention:
    sentence: Sentence
    trigger: Any
    donor: str | None = None
    recipient: str | None = None
    kind: str | None = None
    mechanism: str | None = None
    money: Quantity | None = None
    qualifier: Qualifier | None = None
    status: AidStatus | None = None
    items: list[AidItem] = field(default_factory=list)
    heading: bool = False
    anaphoric: bool = False
    distinct: bool = False  # "une autre aide", "la précédente tranche": not the deal before
    part: bool = False  # "cette aide comprend un prêt de 3 milliards": a part of a deal
    hypothetical: bool = False  # "le Canada en paierait deux": a conditional
    announced: FuzzyDate = field(default_factory=FuzzyDate.unknown)


def _close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return True
    return abs(a - b) <= Decimal("0.01") * max(abs(a), abs(b))


def _status_compatible(a: AidStatus | None, b: AidStatus | None) -> bool:
    if a is None or b is None or a == b:
        return True
    return a in _IN_PROGRESS and b in _IN_PROGRESS


@dataclass
class _Deal:
    mentions: list[AidMention]

    def whole(self) -> list[AidMention]:
        """The mentions of the deal as a whole (its parts only when it has nothing else)."""
        return [m for m in self.mentions if not m.part] or self.mentions

    def value(self) -> Decimal | None:
        return next((m.money.value for m in self.whole() if m.money), None)

    def get(self, name: str) -> Any:
        return next((getattr(m, name) for m in self.whole() if getattr(m, name)), None)

    def statuses(self) -> list[AidStatus]:
        return [m.status for m in self.mentions if m.status]


def _compatible(deal: _Deal, m: AidMention) -> int:
    """0 when ``m`` cannot be this deal, else a score (exact party matches score higher)."""
    donor, recipient = deal.get("donor"), deal.get("recipient")
    if m.donor and donor and m.donor != donor:
        return 0
    if m.recipient and recipient and m.recipient != recipient:
        return 0
    if m.part:  # a part of a package joins it whatever its own amount and mechanism
        return 1 if any(not d.part for d in deal.mentions) else 0
    if not _close(deal.value(), m.money.value if m.money else None):
        return 0
    mechanism = deal.get("mechanism")
    if m.mechanism and mechanism and m.mechanism != mechanism:
        return 0
    if any(not _status_compatible(s, m.status) for s in deal.statuses()) and not (
        _same_order(deal, m) or _same_value(deal, m)
    ):
        return 0
    if not (m.donor or m.recipient) and not m.anaphoric:
        return 0
    if _counts_differ(deal, m):
        return 0
    score = 1 + (m.donor is not None and m.donor == donor) + (m.recipient == recipient)
    return score + (m.money is not None and deal.value() is not None)


def _same_order(deal: _Deal, m: AidMention) -> bool:
    """A deal signed (committed) and the same deal told as under way ("a signé un
    arrangement pour acheter des canons Caesar", "en achète 12"): same named system, or a
    purchase between the same two countries."""
    statuses = {*deal.statuses(), m.status} - {None}
    if AidStatus.COMMITTED not in statuses or not statuses <= {AidStatus.COMMITTED, *_IN_PROGRESS}:
        return False
    if m.mechanism == "purchase" and deal.get("mechanism") == "purchase":
        return m.donor == deal.get("donor") and m.recipient == deal.get("recipient")
    systems = {i.system.lower() for d in deal.mentions for i in d.items}
    return bool(systems & {i.system.lower() for i in m.items})


def _same_value(deal: _Deal, m: AidMention) -> bool:
    """The same amount between the same parties is the same deal, whatever tense tells it
    ("a annoncé une aide de 725 millions", "fournissent ... évaluée à 725 millions")."""
    value = deal.value()
    return (
        value is not None
        and m.money is not None
        and _close(value, m.money.value)
        and m.donor == deal.get("donor")
        and m.recipient == deal.get("recipient")
    )


def _counts_differ(deal: _Deal, m: AidMention) -> bool:
    """ "cinq systèmes Patriot" and "trois batteries Patriot" are two deals, and so are
    mentions that name different things."""
    counts = {i.system.lower(): i.quantity for d in deal.mentions for i in d.items if i.quantity}
    if any(i.quantity and counts.get(i.system.lower()) not in (None, i.quantity) for i in m.items):
        return True
    # "64 missiles Patriot" and "des centaines de missiles" name different things given
    systems = {i.system.lower() for d in deal.mentions for i in d.items}
    return bool(systems and m.items) and not systems & {i.system.lower() for i in m.items}


def merge_mentions(mentions: list[AidMention]) -> list[_Deal]:
    deals: list[_Deal] = []
    for m in mentions:
        if not (m.donor or m.recipient):
            continue  # nobody named and nothing to refer back to: another deal's parties
            # would otherwise be read into it
        best, best_score = None, 0
        for deal in [] if m.distinct else reversed(deals):  # most recent compatible first
            score = _compatible(deal, m)
            if score > best_score:
                best, best_score = deal, score
        if best is not None:
            best.mentions.append(m)
        else:
            deals.append(_Deal([m]))
    return deals


def to_commitment(deal: _Deal, analysis: Analysis) -> AidCommitment | None:
    donor, recipient = deal.get("donor"), deal.get("recipient")
    if donor is None and recipient is None:
        return None
    body = [m for m in deal.whole() if not m.heading]
    if not body:
        return None  # a headline or teaser alone: the article never states it
    # the first sentence that commits something leads ("a reçu ses premiers F-16"), not a
    # purpose told before it ("pour obtenir ces avions")
    primary = next((m for m in body if m.status or m.money), body[0])
    status = primary.status or next((m.status for m in [*body, *deal.mentions] if m.status), None)
    money_mention = (
        primary if primary.money else next((m for m in [*body, *deal.mentions] if m.money), None)
    )
    if status is None and money_mention is None:
        return None  # "cette aide témoigne ...": nothing committed
    text = analysis.article.text
    seen: set[int] = set()
    evidence = []
    for m in [primary, *deal.mentions]:
        if m.sentence.char_start not in seen:
            seen.add(m.sentence.char_start)
            evidence.append(char_span(text, m.sentence.char_start, m.sentence.char_end))
    items: dict[str, AidItem] = {}
    for m in deal.mentions:
        for item in m.items:
            old = items.get(item.system.lower())
            if old is None or (old.quantity is None and item.quantity is not None):
                items[item.system.lower()] = item
    money = money_mention.money if money_mention else None
    kinds = [m.kind for m in deal.mentions if m.kind]
    kind = "military" if "military" in kinds else (kinds[0] if kinds else None)
    confidence = 0.5 + 0.1 * min(len(evidence), 3) + (0.1 if money else 0.0)
    return AidCommitment(
        id=stable_id(analysis.article.id, "aid", donor, recipient, evidence[0].start),
        article_id=analysis.article.id,
        evidence=tuple(evidence),
        donor=donor,
        recipient=recipient,
        kind=kind,
        mechanism=deal.get("mechanism"),
        value=money.value if money else None,
        currency=money.unit if money else None,
        usd_value=money.usd_value if money else None,
        qualifier=money_mention.qualifier if money_mention else None,
        status=status,
        items=tuple(items.values()),
        announced=primary.announced,
        confidence=round(min(confidence, 0.95), 2),
        stage=STAGE,
    )


def inherit_parties(
    mentions: list[AidMention], intermediaries: frozenset[str] = frozenset()
) -> None:
    """ "Ce pacte ..." refers back: it takes the parties last named before it. A gift
    whose recipient goes unsaid ("un système a été fourni par la coalition") goes to the
    recipient the article has named most often so far (the last of them on a tie): the
    country the aid story is about, not an intermediary named once. A gift to an
    ``intermediary`` ("enverront les systèmes à l'OTAN, qui se chargera de leur
    distribution") is a part of the aid to that country."""
    donor: str | None = None
    recipient: str | None = None
    named: Counter[str] = Counter()
    order: list[str] = []
    for m in mentions:
        if m.recipient in intermediaries and named:
            top = max(named.values())
            m.recipient = next(r for r in reversed(order) if named[r] == top)
        if m.anaphoric:
            m.donor = m.donor or donor
            m.recipient = m.recipient or recipient
        elif m.recipient is None and m.donor is not None and named:
            top = max(named.values())
            usual = next(r for r in reversed(order) if named[r] == top)
            if usual != m.donor:
                m.recipient = usual
        donor = m.donor or donor
        recipient = m.recipient or recipient
        if m.recipient is not None and m.recipient not in intermediaries:
            named[m.recipient] += 1
            order.append(m.recipient)
