"""Cross-article linking: duplicates, incidents, merged aid, stories."""
# PLACEHOLDER: returns nothing until its owner lands the real implementation.

from __future__ import annotations


def update_links(store, settings) -> dict:
    """Bring duplicate groups, incidents, merged aid and stories up to date with the store."""
    return {}
