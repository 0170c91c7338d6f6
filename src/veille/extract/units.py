"""Text units shared by the extractors: sentences that never cross a line break, with
their paragraph, and character spans of token runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from veille.model import Span
from veille.spacy_utils import doc_text


@dataclass(frozen=True)
class Sentence:
    """A sentence of the doc, never crossing a line break, with its paragraph number."""

    index: int
    start: int  # token indices
    end: int
    paragraph: int
    char_start: int
    char_end: int


def normalise_quotes(text: str) -> str:
    """Typographic apostrophes to ' so that lexicon entries match either form."""
    return text.replace("’", "'").replace("ʼ", "'")


def sentences(doc: Any) -> list[Sentence]:
    """spaCy sentences split again at line breaks (headlines have no final stop).

    Computed once per doc (kept in ``doc.user_data``): every extractor reads the same units.
    """
    cached = doc.user_data.get(_SENTENCES_KEY)
    if cached is None:
        cached = doc.user_data[_SENTENCES_KEY] = _split(doc)
    return cached


_SENTENCES_KEY = "veille.sentences"


def _split(doc: Any) -> list[Sentence]:
    out: list[Sentence] = []
    paragraph = 0
    for sent in doc.sents:
        chunk_start = sent.start
        for tok in sent:
            if "\n" in tok.text:
                if tok.i > chunk_start:
                    out.append(_sentence(doc, len(out), chunk_start, tok.i, paragraph))
                paragraph += 1
                chunk_start = tok.i + 1
            elif "\n" in tok.whitespace_:
                out.append(_sentence(doc, len(out), chunk_start, tok.i + 1, paragraph))
                paragraph += 1
                chunk_start = tok.i + 1
        if chunk_start < sent.end:
            out.append(_sentence(doc, len(out), chunk_start, sent.end, paragraph))
    merged: list[Sentence] = []
    for s in out:
        if s.char_end <= s.char_start:
            continue
        prev = merged[-1] if merged else None
        if prev is not None and prev.paragraph == s.paragraph and not _ends_sentence(doc, prev):
            # the parser cut mid-sentence ("Selon l'état | -major ukrainien, ...")
            merged[-1] = Sentence(
                prev.index, prev.start, s.end, prev.paragraph, prev.char_start, s.char_end
            )
        else:
            merged.append(s)
    return [
        Sentence(n, s.start, s.end, s.paragraph, s.char_start, s.char_end)
        for n, s in enumerate(merged)
    ]


_FINAL = (".", "!", "?", "…", "»", '"', "”", ":", ";")


def _ends_sentence(doc: Any, sent: Sentence) -> bool:
    return doc_text(doc)[sent.char_start : sent.char_end].rstrip().endswith(_FINAL)


def _sentence(doc: Any, index: int, start: int, end: int, paragraph: int) -> Sentence:
    while start < end and doc[start].is_space:
        start += 1
    while end > start and doc[end - 1].is_space:
        end -= 1
    if start >= end:
        return Sentence(index, start, start, paragraph, 0, 0)
    return Sentence(
        index, start, end, paragraph, doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
    )


def sentence_of(sents: list[Sentence], token_i: int) -> Sentence | None:
    for s in sents:
        if s.start <= token_i < s.end:
            return s
    return None


def char_span(text: str, start: int, end: int) -> Span:
    return Span(start, end, text[start:end])


def token_span(doc: Any, tokens: list[Any]) -> tuple[int, int] | None:
    """Char range of tokens, trimmed of punctuation at both ends."""
    toks = sorted(tokens, key=lambda t: t.i)
    while toks and (toks[0].is_punct or toks[0].is_space):
        toks.pop(0)
    while toks and (toks[-1].is_punct or toks[-1].is_space):
        toks.pop()
    if not toks:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1])


def subject_on_auxiliary(verb: Any, deps: tuple[str, ...]) -> Any | None:
    """ "X a, de son côté, déclaré": an incise after the auxiliary makes the parser hang
    the subject on the auxiliary rather than on the participle."""
    for aux in verb.children:
        if aux.dep_.startswith("aux"):
            for child in aux.children:
                if child.dep_ in deps:
                    return child
    return None
