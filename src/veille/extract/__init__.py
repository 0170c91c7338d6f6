"""Extraction: events (PLOVER), aid commitments and attributed claims for one article.

Runs after ``veille.enrich.enrich`` on the same ``Analysis`` (its ``doc`` still set).
Claims come first so that events asserted inside a claim can carry ``claimed_by`` and
the claim's verification.
"""

from __future__ import annotations

from veille.kb import KnowledgeBase
from veille.lang import LanguagePack
from veille.model import Analysis

# The lead: the headline and the sentences after it that carry the article's news.
LEAD_SENTENCES = 3


def lead_end(analysis: Analysis, sentences: int) -> int:
    """End offset of the article's first ``sentences`` sentences (headline included)."""
    from veille.extract.units import sentences as split

    units = split(analysis.doc)
    if not units:
        return 0
    return units[min(sentences, len(units)) - 1].char_end


def extract(analysis: Analysis, pack: LanguagePack, kb: KnowledgeBase) -> Analysis:
    from veille.extract.aid import aid_event_hints, extract_aid
    from veille.extract.aid_events import aid_events
    from veille.extract.claims import extract_claims
    from veille.extract.events import extract_events
    from veille.extract.verification import attribute_events

    analysis.claims = extract_claims(analysis, pack, kb)
    events = extract_events(analysis, pack, kb)
    analysis.events = attribute_events(events, analysis.claims)
    analysis.aid = extract_aid(analysis, pack, kb)
    analysis.events = aid_events(
        analysis.aid,
        analysis.events,
        lead_end(analysis, LEAD_SENTENCES),
        analysis.entities,
        aid_event_hints(analysis),
    )
    return analysis
