"""Whole-pipeline throughput: `veille run` against bare spaCy `nlp.pipe` on the same texts.

    .venv/bin/python bench/bench_pipeline.py               # seeds + shared corpus x 8
    .venv/bin/python bench/bench_pipeline.py --repeat 20 --batch-size 32

The corpus is the seed articles plus ../shared/corpus/fr, copied ``--repeat`` times with
one varying line so every copy has its own id. Timings:

- bare: ``pack.load_nlp()`` then ``nlp.pipe`` over the raw texts (the French model alone);
- run: ``veille.pipeline.run`` into a fresh database (ingest, clean, language id, parse,
  enrichment, extraction, store, linking, search index), model loading included;
- rerun: the same ``run`` again, when every article is already known.

Results go to bench/results/pipeline.json. The machine may be shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

from veille.lang import get_pack
from veille.pipeline import run
from veille.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [ROOT / "examples" / "corpus", ROOT.parent / "shared" / "corpus" / "fr"]
RESULTS = ROOT / "bench" / "results" / "pipeline.json"


def make_corpus(folder: Path, repeat: int) -> list[str]:
    texts = []
    files = sorted(p for source in SOURCES if source.is_dir() for p in source.glob("*.txt"))
    for copy in range(repeat):
        for path in files:
            text = path.read_text(encoding="utf-8")
            text += f"\nCopie numéro {copy} de cet article, conservée pour le banc d'essai.\n"
            (folder / f"{copy:03d}_{path.name}").write_text(text, encoding="utf-8")
            texts.append(text)
    return texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=8, help="copies of each article")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        texts = make_corpus(corpus, args.repeat)
        n = len(texts)

        t0 = time.perf_counter()
        nlp = get_pack("fr").load_nlp()
        load = time.perf_counter() - t0
        t0 = time.perf_counter()
        for _ in nlp.pipe(texts, batch_size=16):
            pass
        bare = time.perf_counter() - t0
        del nlp

        settings = load_settings(
            overrides={"db_path": Path(tmp) / "bench.duckdb", "batch_size": args.batch_size},
            env={},
        )
        t0 = time.perf_counter()
        summary = run([corpus], settings)
        full = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = run([corpus], settings)
        rerun = time.perf_counter() - t0

    rows = [
        ("bare nlp.pipe (parse only, load excluded)", n, bare),
        ("bare load + nlp.pipe", n, load + bare),
        ("veille run (everything, loads included)", summary.stored, full),
        ("veille run again (all known)", again.known, rerun),
    ]
    print(f"{n} articles ({args.repeat} copies of {n // args.repeat}); noisy shared machine")
    print(f"{'what':<44} {'articles':>8} {'seconds':>8} {'art/s':>7}")
    for label, count, seconds in rows:
        print(f"{label:<44} {count:>8} {seconds:>8.1f} {count / seconds:>7.1f}")
    print(f"run / bare (with loads): {full / (load + bare):.1f}x; failures: {summary.failed}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "articles": n,
                "repeat": args.repeat,
                "batch_size": args.batch_size,
                "bare_load_s": round(load, 2),
                "bare_pipe_s": round(bare, 2),
                "bare_articles_per_s": round(n / bare, 2),
                "run_s": round(full, 2),
                "run_articles_per_s": round(summary.stored / full, 2),
                "rerun_s": round(rerun, 2),
                "stored": summary.stored,
                "failed": summary.failed,
                "entities": summary.entities,
                "events": summary.events,
                "machine": platform.platform(),
                "note": "2 shared cores; timings are noisy",
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
