"""Language packs. The only code that knows a language lives in ``lang/<code>/``.

A pack is data plus a small object: the spaCy model to load, where its lexicons live,
and the language-specific grammars (numbers, dates). English later is a new folder and
one line in ``PACKS``.
"""

from __future__ import annotations

import importlib
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from veille.model import FuzzyDate, Quantity, TimeExpression

# language code -> module that defines ``PACK``; explicit, no import side effects.
PACKS: dict[str, str] = {"fr": "veille.lang.fr"}


class LanguagePack(Protocol):
    code: str
    spacy_model: str
    data_dir: Path

    def load_nlp(self):  # -> spacy.language.Language
        """Load the pack's spaCy pipeline (without Veille components)."""
        ...

    def find_quantities(self, doc) -> list[Quantity]:
        """Money, counts and percentages in a parsed doc, values normalised."""
        ...

    def parse_number(self, text: str) -> Decimal | None:
        """A number written in digits or in words ("48", "neuf"), else None."""
        ...

    def find_times(self, doc, published: FuzzyDate) -> list[TimeExpression]:
        """Temporal expressions in a parsed doc, resolved against ``published``."""
        ...


def read_data_file(path: Path, what: str) -> dict[str, Any]:
    """A pack's YAML data file as a mapping; a clear DataFileError naming the file otherwise."""
    import yaml

    from veille.errors import DataFileError

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError(f"missing {what}", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"invalid YAML: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise DataFileError("expected a mapping at top level", path=str(path))
    return data


def supported() -> tuple[str, ...]:
    return tuple(PACKS)


def get_pack(code: str) -> LanguagePack:
    """The pack for a language code; raises KeyError for an unsupported language."""
    module = importlib.import_module(PACKS[code])
    return module.PACK
