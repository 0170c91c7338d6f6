"""Completing event drafts: places and the missing side from the conflict dyad, what is
kept, sequels ("une seconde attaque"), and one Event per party and place."""

from __future__ import annotations

from typing import Any

from veille.extract.event_draft import Draft
from veille.extract.event_places import WATER_KINDS
from veille.model import Actor, Event, Modality, Place, Span, stable_id

VERSION = "0.1"
STAGE = f"events@{VERSION}"


class CompletionMixin:
    """Completion for the event extractor (reads its ``analysis``, ``lex``, ``doc`` and
    ``units``; uses the places, parties and attributes mixins)."""

    analysis: Any
    lex: Any
    doc: Any
    units: list[tuple[int, int]]

    def _is_sequel(self, draft: Draft) -> bool:
        """ "Une seconde attaque", "une nouvelle frappe" with no party or place of its own:
        the next episode of the event told just before."""
        return (
            draft.noun is not None
            and draft.actor is None
            and draft.target is None
            and not draft.places
            and any(
                c.dep_ == "amod" and c.lemma_.lower() in self.lex.sequel_modifiers
                for c in draft.noun.children
            )
        )

    def _continue(self, draft: Draft, previous: Draft) -> None:
        draft.actor, draft.target = previous.actor, previous.target
        draft.places, draft.location_country = list(previous.places), previous.location_country
        draft.mode = draft.mode or previous.mode
        draft.claimed_by = draft.claimed_by or previous.claimed_by
        draft.actor_inferred = True

    def finish(self, draft: Draft) -> None:
        lex = self.lex
        assault = draft.type == "ASSAULT"
        skip = draft.author_tokens if assault else draft.party_tokens
        places, country = self.collect_places(draft.location_roots, assault, skip)
        more, _ = self.collect_places(draft.place_roots, assault, skip)
        places += [p for p in more if p not in places]
        if assault and not places:
            # the place may hang anywhere in the trigger's clause: on the subject ("les
            # défenses au-dessus de X ont abattu"), on a count ("dont 48 dans la région
            # de X"), on a victim ("cinq blessés dans la région de X")
            skip_clause = (
                self.other_clauses(draft.trigger) | draft.party_tokens | draft.author_tokens
            )
            places, _ = self.collect_places(
                self.clause_roots(draft.trigger), assault, skip_clause, metonyms=False
            )

        draft.places = places
        if draft.location_country is None:
            draft.location_country = country or (places[0].country if places else None)
        if assault:
            if (
                draft.location_country is None
                and draft.target is not None
                and draft.target.country in lex.dyad_other
            ):
                draft.location_country = draft.target.country
            if draft.target is None and draft.location_country is not None:
                side = draft.location_country
                draft.target = Actor(text="", name=side, country=side)
        if draft.actor is None and not draft.actor_phrase and draft.type in lex.dyad_actor_types:
            side = draft.target.country if draft.target else draft.location_country
            if side in lex.dyad_other:
                other = lex.dyad_other[side]
                draft.actor = Actor(text="", name=other, country=other)
                draft.actor_inferred = True
        if (
            draft.target is not None
            and draft.actor is not None
            and draft.target.country == draft.actor.country
        ):
            draft.target = None
        if (
            draft.target is None
            and draft.actor is not None
            and draft.actor.country in lex.dyad_other
            and draft.type in lex.dyad_target_types
            and not draft.party_object
        ):
            other = lex.dyad_other[draft.actor.country]
            draft.target = Actor(text="", name=other, country=other)
        if (
            assault
            and draft.location_country is None
            and draft.target is not None
            and draft.target.country in lex.dyad_other
        ):
            # an assault on one side of the war happens on its territory unless told
            draft.location_country = draft.target.country
        if draft.modality is Modality.FUTURE and draft.type in lex.future_types:
            # PLOVER: a promise or plan of aid or cooperation is an agreement
            draft.type = lex.future_types[draft.type]
            if any(
                self.doc[i].lemma_.lower() in lex.commitment_governors
                for i in draft.clause_verbs
                if i != draft.trigger.i
            ):
                draft.modality = None  # the promise was made: the agreement happened
        draft.quantities = self.quantities(draft)
        draft.subsets = self.count_subsets(draft) if assault else []

    def keep(self, draft: Draft) -> bool:
        if draft.modality in self.lex.drop_modalities:
            return False
        if draft.generic_subject and draft.type not in self.lex.actor_optional_types:
            return False
        has_actor = draft.actor is not None and draft.actor.country is not None
        has_target = draft.target is not None and draft.target.country is not None
        if not has_actor and draft.type not in self.lex.actor_optional_types:
            return False
        return has_actor or has_target or draft.type in self.lex.keep_without_parties

    def to_events(self, draft: Draft) -> list[Event]:
        article = self.analysis.article
        first, last = self.units[draft.trigger.i]
        sent = self.doc[first : last + 1]
        sentence = Span(sent.start_char, sent.end_char, sent.text)
        trig = draft.trigger
        trigger = Span(trig.idx, trig.idx + len(trig.text), trig.text)
        date, modality = self.event_date(draft, sentence.start, sentence.end)
        confidence = self.confidence(draft)
        subset_places = {place for place, _ in draft.subsets}
        places: list[Place | None] = [p for p in draft.places if p not in subset_places]
        places = places or [None]
        events = []
        co_actors = [
            a for a in draft.co_actors if a.country and (draft.reciprocal or a != draft.target)
        ]
        parts = [(draft.actor, p, draft.quantities) for p in places]
        parts += [(a, p, draft.quantities) for a in co_actors for p in places]
        # a part of the count with its own place is an event of its own
        parts += [(draft.actor, place, [count]) for place, count in draft.subsets]
        for actor, place, quantities in parts:
            target = draft.target
            if actor is not draft.actor and target is not None and actor.country == target.country:
                # "l'Ukraine et la Russie se sont accusées": each party's target is the other
                target = draft.actor
            location_country = (place.country if place else None) or draft.location_country
            if place is not None and self.place_entity_kind(place) in WATER_KINDS:
                location_country = place.country
            place_name = place.name if place else ""
            # the first party keeps the id it had before coordinations were split
            extra = () if actor is draft.actor else (actor.country,)
            events.append(
                Event(
                    id=stable_id(article.id, STAGE, draft.type, trigger.start, place_name, *extra),
                    article_id=article.id,
                    type=draft.type,
                    sentence=sentence,
                    trigger=trigger,
                    mode=draft.mode,
                    modality=modality,
                    actor=actor,
                    target=target,
                    location=place,
                    location_country=location_country,
                    date=date,
                    quantities=tuple(quantities),
                    claimed_by=draft.claimed_by,
                    confidence=confidence,
                    stage=STAGE,
                )
            )
        return events
