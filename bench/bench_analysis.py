"""Analysis cost per process: Veille's whole analysis against bare spaCy, in one run.

    .venv/bin/python bench/bench_analysis.py             # 112 docs, best of 3
    .venv/bin/python bench/bench_analysis.py --docs 300 --repeat 5

Texts are the seed articles plus ../shared/corpus/fr, cycled to ``--docs``. Both pipelines
are loaded before any timing (loads are not counted); the two timings interleave, each the
best of ``--repeat`` on one process:

- bare: ``spacy.load(pack.spacy_model)`` + ``nlp.pipe`` (the statistical French model alone);
- veille: ``veille.enrich.build_nlp`` + ``nlp.pipe`` + ``enrich`` + ``extract`` (entities,
  quantities, dates, events, aid, claims) per article: what ``AnalyzeStage`` does.

Each round also times both with the lemmatizer's word cache emptied first (``ratio_new_words``):
the bench cycles a few texts, so its warm rounds see no new word form, while a process
reading fresh articles keeps meeting some.

Times are CPU seconds of this process (``time.process_time``): on a shared machine they
move far less than wall time. The brief's target: veille >= 0.8 x bare. Results go to
bench/results/analysis.json; read the ratio, measured in one run.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import bare_nlp, load_texts

from veille.enrich import build_nlp, enrich
from veille.extract import extract
from veille.kb import KnowledgeBase
from veille.lang import get_pack
from veille.model import Analysis, Article, FuzzyDate, stable_id
from veille.spacy_utils import remember_text

RESULTS = Path(__file__).resolve().parent / "results" / "analysis.json"


def forget_words(nlp) -> None:
    """Empty the lemmatizer's per-word cache: the next pass meets every word form as new,
    as a process does on articles it has not seen (the bench cycles a few texts)."""
    nlp.get_pipe("lemmatizer").cache.clear()


def time_bare(nlp, texts: list[str], batch_size: int) -> float:
    start = time.process_time()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.process_time() - start


def time_veille(nlp, pack, kb, texts: list[str], batch_size: int) -> tuple[float, dict]:
    counts = {"events": 0, "aid": 0, "claims": 0}
    start = time.process_time()
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=batch_size), strict=True):
        article = Article(
            id=stable_id("bench", text), source="<bench>", text=text, language="fr",
            published=FuzzyDate.unknown(),
        )  # fmt: skip
        remember_text(doc, text)  # as AnalyzeStage does for a doc parsed from the text
        analysis = Analysis(article=article, doc=doc)
        enrich(analysis, pack, kb)
        extract(analysis, pack, kb)
        for part in counts:
            counts[part] += len(getattr(analysis, part))
    return time.process_time() - start, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=112)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()
    texts = load_texts(args.docs)
    pack = get_pack("fr")
    kb = KnowledgeBase.load()
    model = bare_nlp(pack)
    veille_nlp = build_nlp(pack, kb)
    # warm both (lexeme caches, lazy loads) before timing
    time_bare(model, texts[:8], args.batch_size)
    time_veille(veille_nlp, pack, kb, texts[:8], args.batch_size)
    bare_s, veille_s, bare_new_s, veille_new_s, counts = [], [], [], [], {}
    for _ in range(args.repeat):
        bare_s.append(time_bare(model, texts, args.batch_size))
        seconds, counts = time_veille(veille_nlp, pack, kb, texts, args.batch_size)
        veille_s.append(seconds)
        forget_words(model)
        bare_new_s.append(time_bare(model, texts, args.batch_size))
        forget_words(veille_nlp)
        veille_new_s.append(time_veille(veille_nlp, pack, kb, texts, args.batch_size)[0])
    bare_rate = len(texts) / min(bare_s)
    veille_rate = len(texts) / min(veille_s)
    bare_new_rate = len(texts) / min(bare_new_s)
    veille_new_rate = len(texts) / min(veille_new_s)
    result = {
        "docs": len(texts),
        "avg_chars": round(sum(map(len, texts)) / len(texts)),
        "repeat": args.repeat,
        "bare_docs_per_cpu_s": round(bare_rate, 2),
        "veille_docs_per_cpu_s": round(veille_rate, 2),
        "ratio": round(veille_rate / bare_rate, 3),
        "bare_new_words_docs_per_cpu_s": round(bare_new_rate, 2),
        "veille_new_words_docs_per_cpu_s": round(veille_new_rate, 2),
        "ratio_new_words": round(veille_new_rate / bare_new_rate, 3),
        "target_ratio": 0.8,
        "extracted_per_run": counts,
        "machine": f"{platform.machine()} {platform.python_version()} (shared, noisy)",
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
