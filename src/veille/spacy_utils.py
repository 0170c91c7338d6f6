"""Small helpers over spaCy objects shared by the enrichment and extraction stages."""

from __future__ import annotations

from typing import Any

_TEXT_KEY = "veille.text"


def doc_text(doc: Any) -> str:
    """``doc.text``, built once per Doc.

    spaCy rebuilds ``Doc.text`` from every token on each access; rules that slice it per
    sentence or per clause would otherwise pay a whole-document join each time.
    """
    text = doc.user_data.get(_TEXT_KEY)
    if text is None:
        text = doc.user_data[_TEXT_KEY] = doc.text
    return text
