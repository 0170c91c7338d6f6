"""Verification from the article's own words ("could not be verified independently"),
reaching the claims of the claimant it names, else the nearest; and events asserted
inside a claim carry its speaker and verification."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from veille.extract.actors import resolve_actor
from veille.extract.claims_lexicon import VerificationRule, VerificationRules
from veille.extract.units import (
    Sentence,
    char_span,
    normalise_quotes,
    sentences,
)
from veille.model import (
    Analysis,
    Claim,
    Event,
    Span,
    Verification,
)


def verify(
    claims: list[Claim],
    analysis: Analysis,
    kb: Any,
    rules: VerificationRules,
    sents: list[Sentence] | None = None,
) -> list[Claim]:
    """Set each claim's verification from the article's own statements about it."""
    doc = analysis.doc
    if not claims or doc is None:
        return claims
    sents = sents if sents is not None else sentences(doc)
    text = analysis.article.text
    index_of = {c.id: _sentence_index(sents, c.sentence.end - 1) for c in claims}
    rank = {status: n for n, status in enumerate(reversed(rules.priority))}
    chosen: dict[str, tuple[Verification, Span]] = {}
    for sent in sents:
        sentence_text = normalise_quotes(text[sent.char_start : sent.char_end])
        for index in rules.screen.candidates(sentence_text):  # the rules that may match
            rule = rules.rules[index]
            match = rule.pattern.search(sentence_text)
            if match is None:
                continue
            at = sent.char_start + match.start()
            country = _judge_country(doc, sent, at, analysis, kb)
            before = sentence_text[max(0, match.start() - 20) : match.start()].lower()
            resumptive = any(r in before for r in rules.resumptive)
            targets = _targets(claims, index_of, sent.index, at, rule, country, rules, resumptive)
            evidence = char_span(text, sent.char_start, sent.char_end)
            for claim in targets:
                old = chosen.get(claim.id)
                if old is None or rank.get(rule.status, -1) > rank.get(old[0], -1):
                    chosen[claim.id] = (rule.status, evidence)
            break  # first rule per sentence
    return [
        replace(c, verification=chosen[c.id][0], verification_evidence=chosen[c.id][1])
        if c.id in chosen
        else c
        for c in claims
    ]


def _sentence_index(sents: list[Sentence], char: int) -> int:
    for s in sents:
        if s.char_start <= char < s.char_end:
            return s.index
    return -1


def _judge_country(doc: Any, sent: Sentence, at: int, analysis: Analysis, kb: Any) -> str | None:
    """Country of the subject of the verification phrase (claimant or judge)."""
    anchor = None
    for tok in doc[sent.start : sent.end]:
        if tok.idx >= at:
            anchor = tok
            break
    if anchor is None:
        return None
    node, hops = anchor, 0
    # from "n'", "a", "sans" up to the clause's verb
    while node.pos_ not in ("VERB", "ADJ") and node.head.i != node.i and hops < 3:
        node, hops = node.head, hops + 1
    while True:
        for child in node.children:
            if child.dep_ in ("nsubj", "nsubj:pass"):
                actor = resolve_actor(child, analysis, kb)
                return actor.country if actor is not None else None
        # "n'ont pas pu être vérifiées": the subject sits on "pu"; never leave the clause
        if node.dep_ != "xcomp" or node.head.i == node.i:
            return None
        node = node.head


def _targets(
    claims: list[Claim],
    index_of: dict[str, int],
    s: int,
    at: int,
    rule: VerificationRule,
    country: str | None,
    rules: VerificationRules,
    resumptive: bool = False,
) -> list[Claim]:
    def country_of(c: Claim) -> str | None:
        return c.speaker.country if c.speaker else None

    # a claim judges nothing inside itself ("X rapporte que Kiev a confirmé ..."), unless
    # a resumptive pronoun points back at it ("X affirme avoir ..., ce que Moscou dément")
    pool = [
        c
        for c in claims
        if c.sentence.start <= at
        and not (
            c.content.start <= at < c.content.end and rule.target == "opponent" and not resumptive
        )
    ]
    if rule.target == "claimant" and country is not None:
        return [
            c
            for c in pool
            if country_of(c) == country and 0 <= s - index_of[c.id] <= rules.window_named
        ]
    if rule.target == "opponent" and country is not None:
        pool = [c for c in pool if country_of(c) != country]
    near = [c for c in pool if 0 <= s - index_of[c.id] <= rules.window_nearest]
    if not near:
        return []
    closest = max(index_of[c.id] for c in near)
    return [c for c in near if index_of[c.id] == closest]


# ---------------------------------------------------------------------------
# Events inside claims


def attribute_events(events: list[Event], claims: list[Claim]) -> list[Event]:
    """Events asserted inside a claim carry its speaker's country and its verification.

    An event whose trigger lies in a claim's content (or whose sentence is the content)
    gets ``claimed_by`` = the speaker's country unless the events stage already set it
    (interceptions), and the claim's verification when it has none.
    """
    out = []
    for event in events:
        claim = _claim_for(event, claims)
        if claim is None:
            out.append(event)
            continue
        country = claim.speaker.country if claim.speaker else None
        if event.claimed_by is not None and country is not None and event.claimed_by != country:
            out.append(event)
            continue
        changes: dict[str, Any] = {}
        if event.claimed_by is None and country is not None:
            changes["claimed_by"] = country
        if event.verification is None and claim.verification is not None:
            changes["verification"] = claim.verification
        out.append(replace(event, **changes) if changes else event)
    return out


def _claim_for(event: Event, claims: list[Claim]) -> Claim | None:
    best: Claim | None = None
    for claim in claims:
        inside = (
            claim.content.start <= event.trigger.start and event.trigger.end <= claim.content.end
        )
        covers = (
            claim.content.start <= event.sentence.start and event.sentence.end <= claim.content.end
        )
        if (inside or covers) and (
            best is None
            or claim.content.end - claim.content.start < best.content.end - best.content.start
        ):
            best = claim
    return best
