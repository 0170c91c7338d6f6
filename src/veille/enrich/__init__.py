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

LINE_BREAK_COMPONENT = "veille_line_breaks"


def _mark_line_breaks(doc):
    """Start a sentence after every line break.

    Clean text keeps one paragraph (or headline) per line; without this the parser
    attaches a headline's verb to the next paragraph's subject.
    """
    # A token's trailing whitespace is one space or nothing in spaCy, so a line break is in
    # a token's text: a property of its form (ORTH), looked up once per form, not per token.
    from spacy.attrs import ORTH

    if len(_BREAK_FORMS) > _BREAK_FORMS_MAX:  # bounded: a long run meets many forms
        _BREAK_FORMS.clear()
    strings = doc.vocab.strings
    for i, orth in enumerate(doc.to_array(ORTH)[:-1].tolist()):  # the last starts nothing
        has_break = _BREAK_FORMS.get(orth)
        if has_break is None:
            has_break = _BREAK_FORMS[orth] = "\n" in strings[orth]
        if has_break:
            doc[i + 1].is_sent_start = True
    return doc


# form (ORTH hash: the string's, the same in any vocab) -> whether it holds a line break
_BREAK_FORMS: dict[int, bool] = {}
_BREAK_FORMS_MAX = 50_000


def build_nlp(pack: LanguagePack, kb: KnowledgeBase):
    """The pack's spaCy pipeline with line-break sentence starts and the KB's entity ruler."""
    from spacy.language import Language

    from veille.enrich.entities import add_entity_ruler

    if not Language.has_factory(LINE_BREAK_COMPONENT):
        Language.component(LINE_BREAK_COMPONENT, func=_mark_line_breaks)
    nlp = pack.load_nlp()
    nlp.add_pipe(LINE_BREAK_COMPONENT, before="parser" if "parser" in nlp.pipe_names else None)
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
