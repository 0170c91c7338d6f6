"""An event's attributes beyond its parties and place: date (and whether it is background),
quantities with their roles, confidence."""

from __future__ import annotations

from typing import Any

from veille.extract.event_draft import Draft
from veille.model import EventQuantity, FuzzyDate, Modality, Precision


class AttributesMixin:
    """Attributes for the event extractor (reads its ``analysis``, ``lex``, ``mod``, ``doc``
    and ``units``)."""

    analysis: Any
    lex: Any
    mod: Any
    doc: Any
    units: list[tuple[int, int]]

    def confidence(self, draft: Draft) -> float:
        score = 0.7 if draft.verbal else 0.55
        if draft.actor is not None and draft.target is not None:
            score += 0.1
        if draft.actor_inferred:
            score -= 0.15
        return round(max(0.1, min(0.95, score)), 2)

    def quantities(self, draft: Draft) -> list[EventQuantity]:
        start, end = self.unit_bounds(draft.trigger)
        out: list[EventQuantity] = []
        obj_ranges: list[tuple[int, int]] = []
        if draft.intercept_object is not None:
            counted = draft.intercept_object
            if counted.dep_ == "nmod" and counted.head.head == draft.trigger:
                counted = counted.head  # "20 des 25 drones": the count the verb governs
            # "18 missiles et 30 drones ont été détruits" parsed as two subjects of the verb
            heads = [counted]
            if counted.head == draft.trigger:
                heads += [c for c in draft.trigger.children if c.dep_ == counted.dep_]
            for head in heads:
                toks = list(head.subtree)
                obj_ranges.append((toks[0].idx, toks[-1].idx + len(toks[-1])))
        quantities = self.analysis.quantities
        for q in quantities:
            if not (start <= q.start < end):
                continue
            if any(o.start <= q.start and q.end <= o.end and o != q for o in quantities):
                continue  # "25 drones" inside "20 des 25 drones": the part is the count
            if q.kind == "money":
                if draft.type != "ASSAULT":
                    out.append(EventQuantity(q.value, q.unit, "value", q.qualifier))
                continue
            if any(lo <= q.start < hi for lo, hi in obj_ranges):
                role = "intercepted"
            else:
                role = self._quantity_role(q)
            if role:
                out.append(EventQuantity(q.value, q.unit, role, q.qualifier))
        return out

    def _quantity_role(self, quantity: Any) -> str | None:
        span = self.doc.char_span(quantity.start, quantity.end, alignment_mode="expand")
        if span is None:
            return None
        tok = span.root
        for _ in range(4):
            for near in (tok, *tok.children):
                role = self.lex.quantity_roles.get(near.lemma_.lower())
                if role:
                    return role
            if tok.head == tok:
                break
            tok = tok.head
        return None

    def unit_bounds(self, token: Any) -> tuple[int, int]:
        first, last = self.units[token.i]
        return self.doc[first].idx, self.doc[last].idx + len(self.doc[last].text)

    def event_date(self, draft: Draft, start: int, end: int) -> tuple[FuzzyDate, Modality | None]:
        """The nearest dated expression in the trigger's clause (or a governing one: "a
        déclaré mercredi que ..."), else the publication date, else unknown.

        An event dated long before publication is background (historical).
        """
        published = self.analysis.article.published
        anchor = draft.trigger.idx
        best = None
        for time in self.analysis.times:
            if not (start <= time.start < end) or time.date.value is None:
                continue
            if draft.clause_verbs and self._clause_of(time) not in draft.clause_verbs:
                continue  # "alors que la guerre se poursuivra l'année prochaine"
            distance = abs(time.start - anchor)
            if best is None or distance < best[0]:
                best = (distance, time)
        modality = draft.modality
        if best is not None:
            date = best[1].date
            if (
                modality is None
                and published.value is not None
                and published.precision is not Precision.UNKNOWN
                and date.value is not None
                and (published.value - date.value).days >= self.mod.historical_min_days
            ):
                modality = Modality.HISTORICAL
            return date, modality
        if modality is None and published.value is not None:
            return published, modality
        return FuzzyDate.unknown(), modality

    def _clause_of(self, time: Any) -> int | None:
        """Index of the verb (or event noun) whose clause holds a time expression."""
        span = self.doc.char_span(time.start, time.end, alignment_mode="expand")
        if span is None:
            return None
        tok = span.root
        for _ in range(8):
            if tok.pos_ in ("VERB", "AUX") or tok.lemma_.lower() in self.lex.nouns:
                return tok.i
            if tok.head == tok:
                return tok.i
            tok = tok.head
        return None
