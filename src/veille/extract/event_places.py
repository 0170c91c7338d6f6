"""Where an event happened: places below country level in its phrases (one event per
place), a country-level location, anaphora ("cette ville"), instruments (the mode)."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from typing import Any

from veille.extract.actors import demonym_country, mention_at, phrase_tokens
from veille.extract.frames import spans_of
from veille.extract.syntax import (
    SUBJ_DEPS,
    SUBJ_PASS_DEPS,
    children_with,
    obliques,
    points_back,
)
from veille.model import EventQuantity, Place

# KB kinds (veille.kb) that are places below country level, and country-level ones.
PLACE_KINDS = frozenset(
    {"region", "city", "capital", "town", "district", "sea", "cape", "river", "infrastructure"}
)
COUNTRY_KINDS = frozenset({"country", "supranational", "continent"})
# Water bodies belong to no single country: their location country is the KB's (often none),
# never the defender's or the target's.
WATER_KINDS = frozenset({"sea", "river"})


_RELATIVE = frozenset({"acl:relcl", "relcl"})


class PlacesMixin:
    """Place finding for the event extractor (reads its ``analysis``, ``kb``, ``lex``,
    ``doc`` and ``units``)."""

    analysis: Any
    kb: Any
    lex: Any
    doc: Any
    data_dir: Any
    pack: Any
    units: list[tuple[int, int]]

    def instrument_mode(self, roots: list[Any]) -> str | None:
        for root in roots:
            for tok in phrase_tokens(root):
                mode = self.lex.instruments.get(tok.lemma_.lower()) or self.lex.instruments.get(
                    tok.text.lower()
                )
                if mode:
                    return mode
        return None

    def place_entity_kind(self, place: Place) -> str | None:
        entity = self.kb.get(place.kb_id) if place.kb_id and hasattr(self.kb, "get") else None
        return getattr(entity, "kind", None)

    def place_kind(self, mention: Any) -> str | None:
        entity = self.kb.get(mention.kb_id) if mention.kb_id and hasattr(self.kb, "get") else None
        kind = getattr(entity, "kind", None)
        if kind in PLACE_KINDS:
            return "place"
        if kind in COUNTRY_KINDS:
            return "country"
        if kind is None and mention.label == "LOC" and mention.lat is not None:
            return "place"
        return None

    def locative_children(self, token: Any, *, assault: bool) -> list[Any]:
        cases = self.lex.location_cases if assault else self.lex.locative_cases
        return [c for c, case in obliques(token, self.lex.contractions) if case in cases]

    def occasions(self, verb: Any) -> list[Any]:
        """The occasion a verb's event happens at: "lors d'une réunion", "en marge du
        sommet" (the parser hangs "lors" as an adverb governing the noun)."""
        found = [
            noun
            for adverb in verb.children
            if adverb.dep_ == "advmod" and adverb.lower_ in self.lex.occasion_adverbs
            for noun in adverb.children
            if noun.pos_ == "NOUN"
        ]
        found += [
            c
            for c, case in obliques(verb, self.lex.contractions)
            if case in self.lex.occasion_cases and c.pos_ == "NOUN"
        ]
        return found

    def origin_children(self, token: Any, type_: str) -> list[Any]:
        """The place a type's event happens at, named as where it comes from ("se sont
        retirées de Kherson")."""
        cases = self.lex.origin_cases.get(type_, frozenset())
        return [c for c, case in obliques(token, self.lex.contractions) if case in cases]

    def collect_places(
        self,
        roots: list[Any],
        assault: bool,
        skip: set[int] | None = None,
        *,
        metonyms: bool = True,
    ) -> tuple[list[Place], str | None]:
        """Places below country level in these phrases, and a country-level location.

        A seat of government named as a party ("avec Washington") is no location; inside
        a phrase it counts only under a locative preposition ("à Kiev").
        """
        places: dict[str, Place] = {}
        situating: set[str] = set()
        country: str | None = None
        for root in roots:
            # a relative clause tells something else ("en Crimée, ce que Moscou n'a pas
            # confirmé"); where a thing comes from is not where the event happens
            outside = {
                t.i
                for tok in root.subtree
                if tok != root
                and (tok.dep_ in _RELATIVE or self.case(tok) in self.lex.source_cases)
                for t in tok.subtree
            }
            for tok in root.subtree:
                if tok.i in outside or tok.dep_ in _RELATIVE or (skip and tok.i in skip):
                    continue
                mention = mention_at(self.analysis, tok)
                if mention is None:
                    if (
                        assault
                        and country is None
                        and tok.dep_ == "amod"
                        and self.lex.in_class(tok.head, "place")
                        and self.case(tok.head) in self.lex.locative_cases
                    ):
                        country = demonym_country(tok, self.kb)
                    continue
                if mention.refers_to and (
                    not metonyms
                    or (self.case(tok) in self.lex.owner_cases and self._owns_event(tok))
                    or (tok != root and self.case(tok) not in self.lex.locative_cases)
                ):
                    continue  # "une attaque de Kiev": the government, not the city
                kind = self.place_kind(mention)
                entity = self.kb.get(mention.kb_id) if mention.kb_id else None
                place_country = mention.country or getattr(entity, "country", None)
                if kind == "place":
                    key = mention.kb_id or mention.name
                    if key not in places:
                        places[key] = self._place(mention, entity)
                        if self._situating(tok):
                            situating.add(key)
                elif kind == "country" and country is None:
                    country = place_country
        if situating and len(situating) < len(places):
            # "au cap X, à l'extrémité ouest de la Crimée": the region situates the cape
            places = {k: p for k, p in places.items() if k not in situating}
        if not places and self.lex.place_anaphora:
            for root in roots:
                place = self.anaphoric_place(root)
                if place is not None:
                    places[place.kb_id or place.name] = place
                    break
        return list(places.values()), country

    def _situating(self, token: Any) -> bool:
        """A place inside "à l'extrémité ouest de X", "au nord de X" that is not itself a
        conjunct: it situates another place of the clause rather than naming a new one."""
        head = token.head
        return (
            token.dep_ == "nmod"
            and head != token
            and head.lemma_.lower() in self.lex.situating_nouns
            and head.dep_ != "conj"
        )

    def anaphoric_place(self, token: Any) -> Place | None:
        """ "cette ville", "la ville" with no name of its own: the last city (of the kinds
        the lexicon allows for the noun) named in this or the previous sentences."""
        kinds = self.lex.place_anaphora.get(token.lemma_.lower())
        if not kinds:
            return None
        if not points_back(token):
            return None
        if any(mention_at(self.analysis, t) for t in token.subtree if t != token):
            return None  # "la ville de Kharkiv" names itself
        first, _last = self.units[token.i]
        for _ in range(self.lex.anaphora_sentences):
            if first == 0:
                break
            first, _ = self.units[first - 1]
        window_start = self.doc[first].idx
        for mention in reversed(self.analysis.entities):
            if not (window_start <= mention.start < token.idx):
                continue
            entity = self.kb.get(mention.kb_id) if mention.kb_id else None
            if getattr(entity, "kind", None) in kinds:
                return self._place(mention, entity)
        return None

    def count_subsets(self, draft: Any) -> list[tuple[Place, EventQuantity]]:
        """Parts of the event's count told with their own place: "abattu 170 drones, dont
        48 dans la région de X et neuf dans la région de Y" -> (X, 48), (Y, 9).

        Found by the pack's token patterns ``count_subset`` (the first part) and
        ``count_subset_more`` (the parts after it), after the count, in its sentence.
        """
        counts = [q for q in draft.quantities if q.role not in (None, "value")]
        if not counts:
            return []
        first, last = self.units[draft.trigger.i]
        starts = [
            start
            for start, _end in spans_of(self.doc, self.data_dir, "count_subset")
            if first <= start <= last
        ]
        if not starts:
            return []
        more = [
            start
            for start, _end in spans_of(self.doc, self.data_dir, "count_subset_more")
            if starts[0] < start <= last
        ]
        bounds = [*sorted({*starts, *more}), last + 1]
        subsets = []
        count = counts[0]
        for start, end in pairwise(bounds):
            value = self.pack.parse_number(self.doc[start + 1].text)
            place = self._first_place(start + 2, min(end, start + 12))
            if value is not None and place is not None:
                subsets.append((place, replace(count, value=value)))
        return subsets

    def _first_place(self, start: int, end: int) -> Place | None:
        for tok in self.doc[start:end]:
            mention = mention_at(self.analysis, tok)
            if mention is not None and self.place_kind(mention) == "place":
                return self._place(mention, self.kb.get(mention.kb_id) if mention.kb_id else None)
        return None

    def _place(self, mention: Any, entity: Any) -> Place:
        lat = mention.lat if mention.lat is not None else getattr(entity, "lat", None)
        lon = mention.lon if mention.lon is not None else getattr(entity, "lon", None)
        return Place(
            name=getattr(entity, "name", None) or mention.name,
            country=mention.country or getattr(entity, "country", None),
            kb_id=mention.kb_id,
            lat=lat,
            lon=lon,
        )

    # -- the walk ------------------------------------------------------------

    def clause_roots(self, trigger: Any) -> list[Any]:
        """Where a trigger's clause may name its place: the trigger's subtree, or for a noun
        the verb that hosts it."""
        if trigger.pos_ in ("NOUN", "PROPN") and trigger.dep_ in ("nsubj", "nsubj:pass", "obj"):
            return [trigger.head]
        if trigger.dep_ == "conj" and trigger.head.pos_ in ("VERB", "AUX"):
            # "ont intercepté et détruit": the subject hangs on the first verb
            return [trigger, *children_with(trigger.head, *SUBJ_DEPS, *SUBJ_PASS_DEPS)]
        return [trigger]

    def other_clauses(self, trigger: Any) -> set[int]:
        """Tokens of clauses inside the trigger's that report something else: reported
        speech and incises ("..., a indiqué le gouverneur de X"), relative clauses."""
        skip: set[int] = set()
        for root in self.clause_roots(trigger):
            for tok in root.subtree:
                if tok != root and tok.dep_ in ("parataxis", "ccomp", "acl:relcl", "advcl"):
                    skip.update(t.i for t in tok.subtree)
        return skip

    def _owns_event(self, token: Any) -> bool:
        """The token complements an event or weapon noun ("une attaque de drone de Kiev")."""
        tok = token.head
        for _ in range(2):  # "attaque de drone de Kiev": through the weapon noun
            lemma = tok.lemma_.lower()
            if tok.pos_ == "NOUN" and lemma in self.lex.nouns:
                return True
            if lemma not in self.lex.instruments or tok.head == tok:
                return False
            tok = tok.head
        return False
