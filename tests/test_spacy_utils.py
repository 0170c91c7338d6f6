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


def _starts_by_token_loop(doc) -> list[bool]:
    """The definition: a token whose text or trailing whitespace holds a line break starts
    a sentence after it (what the component did token by token)."""
    starts = [False] * len(doc)
    for token in doc[:-1]:
        if "\n" in token.text or "\n" in token.whitespace_:
            starts[token.i + 1] = True
    return starts


def test_line_break_starts_are_those_of_every_break():
    from veille.enrich import _mark_line_breaks

    nlp = spacy.blank("fr")
    texts = [
        "Titre sans point\nLe premier paragraphe commence ici.",
        "Un.\n\nDeux paragraphes plus loin\r\n trois\n",
        "Ligne\u2028séparée\tpar\u00a0des blancs\n \nfin",
        "\nCommence par un saut",
        "Finit par un saut\n",
        "Aucun saut de ligne ici.",
        "",
        "\n",
    ]
    for text in texts * 2:  # twice: the second time the forms are known
        doc = _mark_line_breaks(nlp(text))
        expected = _starts_by_token_loop(doc)
        got = [bool(t.is_sent_start) for t in doc]
        assert got[1:] == expected[1:], text  # (the first token always starts one)
