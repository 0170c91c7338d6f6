"""Enrichment: spaCy parse, linked entities, quantities and dates for one article.

Contract used by the pipeline's analyze stage::

    nlp = build_nlp(pack, kb)            # once per worker
    for analysis, doc in zip(batch, nlp.pipe(texts)):
        analysis.doc = doc
        enrich(analysis, pack, kb)       # fills entities, quantities, times
"""

from __future__ import annotations

from veille.kb import KnowledgeBase
from veille.lang import LanguagePack
from veille.model import Analysis


def build_nlp(pack: LanguagePack, kb: KnowledgeBase):
    """The pack's spaCy pipeline with the KB's entity ruler added."""
    from veille.enrich.entities import add_entity_ruler

    nlp = pack.load_nlp()
    add_entity_ruler(nlp, kb)
    return nlp


def enrich(analysis: Analysis, pack: LanguagePack, kb: KnowledgeBase) -> Analysis:
    """Fill ``entities``, ``quantities`` and ``times`` from ``analysis.doc``."""
    from veille.enrich.entities import link_entities
    from veille.enrich.fx import add_usd_values

    doc = analysis.doc
    published = analysis.article.published
    analysis.entities = link_entities(doc, kb, published)
    analysis.quantities = add_usd_values(pack.find_quantities(doc), published)
    analysis.times = pack.find_times(doc, published)
    return analysis
