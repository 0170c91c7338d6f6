"""Events extraction."""
# PLACEHOLDER: returns nothing until its owner lands the real implementation.

from __future__ import annotations


def extract_events(analysis, pack, kb) -> list:
    return []
