"""Entity recognition and linking to the knowledge base."""
# PLACEHOLDER: returns nothing until its owner lands the real implementation.

from __future__ import annotations

from veille.model import EntityMention, EntityType, FuzzyDate

_LABELS = {"PER": EntityType.PER, "ORG": EntityType.ORG, "LOC": EntityType.LOC}


def add_entity_ruler(nlp, kb) -> None:
    return None


def link_entities(doc, kb, published: FuzzyDate) -> list[EntityMention]:
    return [
        EntityMention(e.start_char, e.end_char, e.text, _LABELS.get(e.label_, EntityType.MISC), e.text)
        for e in doc.ents
    ]
