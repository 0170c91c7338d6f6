"""doc_text: a Doc's text built once and shared by the stages that read it."""

from __future__ import annotations

from types import SimpleNamespace

import spacy

from veille.spacy_utils import doc_text


def test_doc_text_is_built_once_per_doc():
    doc = spacy.blank("fr")("Les sapeurs ont réparé le pont.  Puis ils sont partis.")
    first = doc_text(doc)
    assert first == doc.text
    assert doc_text(doc) is first  # the same string object: not built again


def test_doc_text_reads_a_stand_in_with_text_only():
    assert doc_text(SimpleNamespace(text="Un texte sans Doc.")) == "Un texte sans Doc."
