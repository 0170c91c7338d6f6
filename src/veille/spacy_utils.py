"""Small helpers over spaCy objects shared by the enrichment and extraction stages."""

from __future__ import annotations

from typing import Any

_TEXT_KEY = "veille.text"


def doc_text(doc: Any) -> str:
    """``doc.text``, built once per Doc.

    spaCy rebuilds ``Doc.text`` from every token on each access; rules that slice it per
    sentence or per clause would otherwise pay a whole-document join each time.
    """
    data = getattr(doc, "user_data", None)
    if data is None:  # not a Doc (a stand-in with ``.text``)
        return doc.text
    text = data.get(_TEXT_KEY)
    if text is None:
        text = data[_TEXT_KEY] = doc.text
    return text


def remember_text(doc: Any, text: str) -> None:
    """Give ``doc_text`` the string the doc was parsed from, so it is never rebuilt.

    Only for a doc made by the pipeline from exactly ``text``: spaCy's tokenization is
    non-destructive, so ``doc.text == text`` (not for a doc joined from pieces).
    """
    data = getattr(doc, "user_data", None)
    if data is not None:  # a stand-in without user_data reads its own .text
        data[_TEXT_KEY] = text
