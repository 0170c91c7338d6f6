"""Lemma repairs for fr_core_news_md, as a pipeline component.

The model's rule lemmatizer leaves many present-tense verbs unlemmatised ("il demande" ->
"demande") and tags some participles as adjectives with an adjective's lemma. Extractors
look lexicons up by lemma, so the repair happens once, in the pipeline, from
``data/lemmas.yaml``; no extractor keeps its own table of fixes.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.lang import read_data_file

LEMMAS_FILE = "lemmas.yaml"
COMPONENT = "veille_fr_lemma_repairs"


def load_repairs(
    data_dir: Path,
) -> tuple[tuple[tuple[str, str], ...], dict[str, str], frozenset[str]]:
    """(verb endings to try, lemma by lowercase form, dependents that make an adjective a
    verb) from the pack's ``lemmas.yaml``."""
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
    dependents = frozenset(str(d) for d in data.get("verb_dependents") or ())
    return (
        tuple(endings),
        {str(k).lower(): str(v).lower() for k, v in forms.items()},
        dependents,
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
    endings, forms, verb_dependents = load_repairs(data_dir)
    lemmas = known_lemmas(nlp.get_pipe("lemmatizer").lookups)
    cache: dict[str, str | None] = {}

    def verb_lemma(form: str) -> str | None:
        if form not in cache:
            cache[form] = next(
                (
                    cand
                    for end, new in endings
                    if form.endswith(end) and (cand := form[: -len(end)] + new) in lemmas
                ),
                None,
            )
        return cache[form]

    def repair(doc: Any) -> Any:
        for token in doc:
            if token.pos_ == "ADJ" and any(c.dep_ in verb_dependents for c in token.children):
                token.pos_ = "VERB"
            lower = token.lower_
            if lower in forms:
                token.lemma_ = forms[lower]
            elif (
                token.pos_ in ("VERB", "AUX")
                and token.lemma_ == lower
                and "Inf" not in token.morph.get("VerbForm")
                and (lemma := verb_lemma(lower))
            ):
                token.lemma_ = lemma
        return doc

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
