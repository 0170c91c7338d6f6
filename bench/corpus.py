"""What the benchmarks run on: real article texts (the bundled seeds and ../shared/corpus/fr)
and the bare model they are compared with."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "examples" / "corpus", ROOT.parent / "shared" / "corpus" / "fr")


def text_files(sources: tuple[Path, ...] = SOURCES) -> list[Path]:
    return sorted(p for folder in sources if folder.is_dir() for p in folder.glob("*.txt"))


def load_texts(count: int) -> list[str]:
    """``count`` texts, cycling over the real articles."""
    base = [p.read_text(encoding="utf-8") for p in text_files()]
    if not base:
        raise SystemExit("no texts found in examples/corpus or ../shared/corpus/fr")
    return [base[i % len(base)] for i in range(count)]


def bare_nlp(pack):
    """The pack's spaCy model exactly as shipped (``spacy.load``): no Veille tokenizer rule,
    lemma repair or entity ruler, so every ratio is against the model alone."""
    import spacy

    return spacy.load(pack.spacy_model)
