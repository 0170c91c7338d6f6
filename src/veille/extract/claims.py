"""Claims extraction."""
# PLACEHOLDER: returns nothing until its owner lands the real implementation.

from __future__ import annotations


def extract_claims(analysis, pack, kb) -> list:
    return []


def attribute_events(events: list, claims: list) -> list:
    return events
