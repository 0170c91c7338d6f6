"""Entity stage overhead: KB ruler + linking against bare spaCy on the same French texts.

    .venv/bin/python bench/bench_entities.py              # ~100 docs, best of 3
    .venv/bin/python bench/bench_entities.py --docs 300 --repeat 5

Texts are the seed articles plus ../shared/corpus/fr, repeated to ``--docs``. Timings are
the best of ``--repeat`` runs on one core:

- bare: ``spacy.load(pack.spacy_model)`` + ``nlp.pipe``;
- ruler: the same pipeline with ``add_entity_ruler`` + ``nlp.pipe``;
- linked: ruler pipeline + ``link_entities`` on every doc;
- components: the ruler alone and ``link_entities`` alone on parsed docs (ms/doc), whose
  sum over the bare parse time is the overhead least affected by a busy machine.

The whole enrichment (quantities, dates, FX too) is measured by bench/bench_enrich.py;
this one isolates the knowledge-base part. Results go to bench/results/entities.json.
The machine may be shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

from veille.enrich.entities import add_entity_ruler, link_entities
from veille.kb import KnowledgeBase
from veille.lang import get_pack
from veille.model import FuzzyDate

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from corpus import bare_nlp, load_texts  # noqa: E402


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "entities.json")
    args = parser.parse_args()

    texts = load_texts(args.docs)
    pack = get_pack("fr")
    start = time.perf_counter()
    kb = KnowledgeBase.load()
    kb_load = time.perf_counter() - start
    model = bare_nlp(pack)
    ruler_nlp = pack.load_nlp()
    start = time.perf_counter()
    add_entity_ruler(ruler_nlp, kb)
    ruler_build = time.perf_counter() - start
    published = FuzzyDate.unknown()
    mentions = 0

    def run_bare() -> None:
        for _ in model.pipe(texts):
            pass

    def run_ruler() -> None:
        for _ in ruler_nlp.pipe(texts):
            pass

    def run_linked() -> None:
        nonlocal mentions
        mentions = 0
        for doc in ruler_nlp.pipe(texts):
            mentions += len(link_entities(doc, kb, published))

    run_bare(), run_linked()  # warm up
    # Interleaved rounds: on a shared machine a slow spell then hits every variant alike.
    bare = ruler = linked = float("inf")
    for _ in range(args.repeat):
        bare = min(bare, best_of(1, run_bare))
        ruler = min(ruler, best_of(1, run_ruler))
        linked = min(linked, best_of(1, run_linked))
    # The components alone, on parsed docs: less sensitive to noise than end-to-end runs.
    docs = list(ruler_nlp.pipe(texts))
    component = ruler_nlp.get_pipe("veille_kb_ruler")
    ruler_only = best_of(args.repeat, lambda: [component(doc) for doc in docs])
    link_only = best_of(args.repeat, lambda: [link_entities(d, kb, published) for d in docs])
    result = {
        "docs": len(texts),
        "avg_chars": round(sum(len(t) for t in texts) / len(texts)),
        "repeat": args.repeat,
        "kb_entities": len(kb),
        "kb_load_s": round(kb_load, 3),
        "ruler_build_s": round(ruler_build, 3),
        "bare_docs_per_s": round(len(texts) / bare, 2),
        "ruler_docs_per_s": round(len(texts) / ruler, 2),
        "linked_docs_per_s": round(len(texts) / linked, 2),
        "overhead_pct": round(100 * (linked / bare - 1), 1),
        "bare_ms_per_doc": round(1000 * bare / len(texts), 2),
        "ruler_ms_per_doc": round(1000 * ruler_only / len(texts), 2),
        "link_ms_per_doc": round(1000 * link_only / len(texts), 2),
        "component_overhead_pct": round(100 * (ruler_only + link_only) / bare, 1),
        "mentions_per_doc": round(mentions / len(texts), 1),
        "machine": f"{platform.machine()} {platform.python_version()} (shared, noisy)",
    }
    for key, value in result.items():
        print(f"{key:<24}{value}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
