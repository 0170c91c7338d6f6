"""Long articles: parsed in pieces cut at paragraph or sentence ends, joined back into one
Doc whose text is the article's exactly, so every offset stays true.

spaCy refuses texts over ``nlp.max_length`` (E088, 1,000,000 characters) because the
parser and NER need about 1 GB of memory per 100,000 characters. Raising the limit would
trade that error for running out of memory; parsing in pieces keeps memory bounded.
"""

from __future__ import annotations

import re

# Cut preferably after a blank line, then after a line break, then after a sentence end,
# then after any whitespace; a piece with none of these is cut where it must be.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"[.!?…»”)]\s+"),
    re.compile(r"\s+"),
)
PIECE_CHARS = 100_000


def split_for_parsing(text: str, max_chars: int = PIECE_CHARS) -> list[str]:
    """Pieces of at most ``max_chars`` whose concatenation is ``text``, cut at the best
    boundary found in the second half of each piece."""
    if max_chars < 2:
        raise ValueError("max_chars must be at least 2")
    pieces: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window_end = start + max_chars
        cut = None
        for boundary in _BOUNDARIES:
            ends = [m.end() for m in boundary.finditer(text, start + max_chars // 2, window_end)]
            if ends:
                cut = ends[-1]
                break
        pieces.append(text[start : cut or window_end])
        start = cut or window_end
    pieces.append(text[start:])
    return pieces


def parse_long(nlp, text: str, max_chars: int = PIECE_CHARS):
    """One Doc for ``text``, parsed piece by piece; ``doc.text == text`` always."""
    from spacy.tokens import Doc

    docs = list(nlp.pipe(split_for_parsing(text, max_chars)))
    doc = Doc.from_docs(docs, ensure_whitespace=False)
    if doc.text != text:  # a guarantee the offsets rest on; never expected to fail
        raise ValueError("the pieces of a long article did not join back into its text")
    return doc
