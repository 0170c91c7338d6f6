"""Full-text search over articles (tantivy, French stemming)."""
# PLACEHOLDER: returns nothing until its owner lands the real implementation.

from __future__ import annotations


def index_articles(store, settings) -> int:
    """Add stored articles missing from the search index; returns how many were added."""
    return 0
