"""Restatements of one event inside an article merged into one: same type, parties and
place, compatible dates and modes; the best-placed mention kept (body over headline,
verbal over nominal, richer over poorer, first over later)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from veille.extract.event_lexicon import EventLexicon
from veille.extract.syntax import is_heading_text
from veille.model import Actor, Event, FuzzyDate, Modality


def _is_heading(event: Event, headline_end: int, text: str = "") -> bool:
    """The headline, an all-capitals subheading, or a title-like line: a paragraph of its
    own with no final punctuation ("Trump promet une aide militaire à Kiev")."""
    if event.sentence.end <= headline_end or is_heading_text(event.sentence.text):
        return True
    if not text:
        return False
    line_start = text.rfind("\n", 0, event.sentence.start) + 1
    line_end = text.find("\n", event.sentence.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return bool(line) and line == event.sentence.text.strip() and line[-1] not in '.!?»"…:'


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor is not None else None


def _same(a: Event, b: Event, lex: EventLexicon, heading: Callable[[Event], bool]) -> bool:
    """Same event restated: same type family, parties and place, compatible modes.

    A mode missing on one side is compatible when the place is named or one of them is
    a headline (the body names the weapon the headline leaves out); two body sentences
    with and without a mode and no place are kept apart ("la prise d'un village" vs "des
    drones ont frappé").
    """
    if a.type != b.type:
        return False  # a promise and a delivery are two facts
    if not _dates_compatible(a.date, b.date):
        return False  # two strikes on different days
    if (a.modality is Modality.HISTORICAL) != (b.modality is Modality.HISTORICAL):
        return False  # a past attack recalled as background is not today's
    if _country(a.actor) != _country(b.actor):
        return False
    ta, tb = _country(a.target), _country(b.target)
    # within a family of cooperation types a missing recipient is a restatement
    # ("prévoit de livrer des armes" after "annonce l'envoi d'armes à l'Ukraine")
    if ta != tb and not (a.type in lex.dedup_family and (ta is None or tb is None)):
        return False
    if _counts_differ(a, b):
        return False  # two deals of different amounts, two raids with different tolls
    la = a.location.name if a.location else None
    lb = b.location.name if b.location else None
    if la != lb and la is not None and lb is not None and not _same_area(la, lb):
        return False
    if la != lb and a.mode != b.mode:
        # a mention without place restates a placed one only from a headline
        return False
    if a.mode == b.mode:
        return True
    if a.mode is None or b.mode is None:
        # a named place makes the restatement certain; else only a headline may omit it
        return la is not None or heading(a) or heading(b)
    return False


def _same_area(a: str, b: str) -> bool:
    """A region named after its city ("Volgograd Oblast", "Volgograd"): one area told at
    two scales."""
    short, long = sorted((a, b), key=len)
    return long.startswith(short + " ")


def _counts_differ(a: Event, b: Event) -> bool:
    """Both events count the same thing (role and unit) and share no value."""
    counts_a: dict[tuple[str | None, str | None], set] = {}
    for q in a.quantities:
        counts_a.setdefault((q.role, q.unit), set()).add(q.value)
    counts_b: dict[tuple[str | None, str | None], set] = {}
    for q in b.quantities:
        counts_b.setdefault((q.role, q.unit), set()).add(q.value)
    return any(not counts_a[key] & counts_b[key] for key in counts_a.keys() & counts_b.keys())


def _dates_compatible(a: FuzzyDate, b: FuzzyDate) -> bool:
    """Unknown dates agree with anything; else one date's period holds the other's."""
    ia, ib = a.iso(), b.iso()
    if ia is None or ib is None:
        return True
    return ia.startswith(ib) or ib.startswith(ia)


def dedupe(
    events: list[tuple[Event, bool]],
    lex: EventLexicon,
    headline_end: int,
    text: str = "",
    distinct: frozenset[str] = frozenset(),
) -> list[Event]:
    """Merge restatements of one event in an article; keep the best-placed mention.

    ``events`` pairs each event with whether its trigger is verbal (a verb, or an event
    noun under a host verb). Events whose id is in ``distinct`` ("une seconde attaque")
    are never merged. Preference: body over headline, verbal over nominal, more
    attributes over fewer, first over later.
    """

    def rank(item: tuple[Event, bool]) -> tuple:
        event, verbal = item
        richness = (
            bool(event.quantities) + (event.location is not None) + (event.target is not None)
        )
        return (heading(event), not verbal, -richness, event.sentence.start)

    def heading(event: Event) -> bool:
        return _is_heading(event, headline_end, text)

    groups: list[list[tuple[Event, bool]]] = []
    for item in events:
        if item[0].id in distinct:
            groups.append([item])
            continue
        for group in groups:
            # every member, not just the first: a headline without counts restates two
            # raids told with different counts, which stay two
            if group[0][0].id not in distinct and all(
                _same(member, item[0], lex, heading) for member, _ in group
            ):
                group.append(item)
                break
        else:
            groups.append([item])
    kept = []
    for items in groups:
        best = min(items, key=rank)[0]
        group = [event for event, _ in items]
        mode = best.mode or next((e.mode for e in group if e.mode), None)
        claimed = best.claimed_by or next((e.claimed_by for e in group if e.claimed_by), None)
        quantities = best.quantities or next((e.quantities for e in group if e.quantities), ())
        kept.append(replace(best, mode=mode, claimed_by=claimed, quantities=quantities))
    kept.sort(key=lambda e: (e.sentence.start, e.trigger.start))
    return kept
