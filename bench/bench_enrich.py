"""Enrichment overhead: full enrichment against bare spaCy on the same French texts.

    .venv/bin/python bench/bench_enrich.py              # ~100 docs, best of 3
    .venv/bin/python bench/bench_enrich.py --docs 300 --repeat 5

Texts are the seed articles plus ../shared/corpus/fr, repeated to ``--docs``. Three
timings, each the best of ``--repeat`` interleaved runs on one core:

- bare: ``spacy.load(pack.spacy_model)`` + ``nlp.pipe`` (the statistical French model alone);
- full: ``veille.enrich.build_nlp`` (adds the KB entity ruler) + ``nlp.pipe`` +
  ``veille.enrich.enrich`` (linking, quantities, dates, FX) per article;
- grammars: quantities + dates + FX alone on already parsed docs (ms per article).

Overhead = full time / bare time - 1; the target is at most 25%. Results go to
bench/results/enrich.json. The machine may be shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from veille.enrich import build_nlp, enrich
from veille.enrich.fx import add_usd_values
from veille.kb import KnowledgeBase
from veille.lang import get_pack
from veille.model import Analysis, Article, FuzzyDate, stable_id

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import bare_nlp, load_texts  # noqa: E402


def best_of_interleaved(repeat: int, *runs) -> list[float]:
    """Best time of each run, alternating them so load changes on a shared machine hit all."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for i, run in enumerate(runs):
            start = time.perf_counter()
            run()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "enrich.json")
    args = parser.parse_args()

    texts = load_texts(args.docs)
    chars = sum(len(t) for t in texts)
    pack = get_pack("fr")
    kb = KnowledgeBase.load()
    model = bare_nlp(pack)
    full_nlp = build_nlp(pack, kb)
    published = FuzzyDate.unknown()
    articles = [
        Article(id=stable_id("bench", i), source=f"bench-{i}", text=t, language="fr")
        for i, t in enumerate(texts)
    ]

    def run_bare() -> None:
        for _ in model.pipe(texts):
            pass

    def run_full() -> None:
        for article, doc in zip(articles, full_nlp.pipe(texts), strict=True):
            enrich(Analysis(article=article, doc=doc), pack, kb)

    docs = list(pack.load_nlp().pipe(texts))

    def run_grammars() -> None:
        for doc in docs:
            add_usd_values(pack.find_quantities(doc), published)
            pack.find_times(doc, published)

    run_bare(), run_full(), run_grammars()  # warm up: lexicons, caches, lazy imports
    bare, full, grammars = best_of_interleaved(args.repeat, run_bare, run_full, run_grammars)
    overhead = full / bare - 1
    result = {
        "docs": len(texts),
        "avg_chars": round(chars / len(texts)),
        "repeat": args.repeat,
        "bare_docs_per_s": round(len(texts) / bare, 2),
        "full_docs_per_s": round(len(texts) / full, 2),
        "overhead_pct": round(100 * overhead, 1),
        "grammars_ms_per_doc": round(1000 * grammars / len(texts), 3),
        "grammars_ms_per_2300_chars": round(1000 * grammars / chars * 2300, 3),
        "target_overhead_pct": 25,
        "machine": f"{platform.machine()} {platform.python_version()} (shared, noisy)",
    }
    print(f"{'stage':<34}{'docs/s':>10}")
    print(f"{'bare spaCy (load_nlp + pipe)':<34}{result['bare_docs_per_s']:>10}")
    print(f"{'full (build_nlp + pipe + enrich)':<34}{result['full_docs_per_s']:>10}")
    print(f"overhead: {result['overhead_pct']}% (target <= 25%)")
    print(
        f"quantities + dates + FX alone: {result['grammars_ms_per_doc']} ms/doc "
        f"({result['grammars_ms_per_2300_chars']} ms per 2,300 chars)"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
