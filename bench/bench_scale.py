"""All cores: `veille run --workers N` against bare spaCy `nlp.pipe(n_process=N)`, same texts.

    .venv/bin/python bench/bench_scale.py                       # 10,000 articles, 2 workers
    .venv/bin/python bench/bench_scale.py --articles 600        # a busy machine
    .venv/bin/python bench/bench_scale.py --articles 600 --one  # also 1 worker, for scaling

The texts are synthetic articles (``bench/synth.py``: sentences of the real corpus
recombined and varied, a fifth of them planted duplicates), written to one JSONL file.
In one run, paired on the same texts:

- bare: ``corpus.bare_nlp(pack)`` (``spacy.load``: the model as shipped) then
  ``nlp.pipe(texts, n_process=N)``, its load included;
- veille (run first, so the peak RSS of this process is the driver's and that of its
  children the largest worker's): ``veille.pipeline.run`` with ``workers=N`` into a
  fresh database: ingest,
  clean, language id, parse, enrichment, extraction and store, model loads included
  (``analysis``), then linking and search indexing (``link``), timed separately.

The ratio that the issue asks for is veille analysis articles/s over bare articles/s.
The per-worker rate (``--one``) and the driver's store and link rates feed the
projection in bench/README.md. Results: bench/results/scale.json. The machine may be
shared: read ratios, not absolute rates.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import bare_nlp
from synth import Synthesizer

from veille import pipeline
from veille.lang import get_pack
from veille.pipeline import run
from veille.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "scale.json"


def write_jsonl(path: Path, count: int, seed: int) -> list[str]:
    articles = Synthesizer(seed).corpus(count)
    with path.open("w", encoding="utf-8") as handle:
        for a in articles:
            record = {"text": a.text, "url": a.url, "outlet": a.outlet, "published": "2024-03-01"}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return [a.text for a in articles]


def peak_rss_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kilobytes on Linux


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds of this process and of its children that have exited so far."""
    own, children = (
        resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


class LinkCPU:
    """The driver's CPU seconds in linking and indexing (``_link_and_finish``), so that the
    analysis CPU can be told apart from them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self._original = pipeline._link_and_finish

    def __enter__(self) -> LinkCPU:
        def timed(*args, **kwargs):
            t0 = time.process_time()
            try:
                return self._original(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - t0

        pipeline._link_and_finish = timed
        return self

    def __exit__(self, *exc: object) -> None:
        pipeline._link_and_finish = self._original


def bare(texts: list[str], workers: int) -> tuple[float, float]:
    """Wall seconds and CPU seconds (all processes) of the bare model on ``texts``."""
    own0, children0 = cpu_seconds()
    t0 = time.perf_counter()
    nlp = bare_nlp(get_pack("fr"))  # the model as shipped, without Veille's additions
    for _ in nlp.pipe(texts, batch_size=16, n_process=workers):
        pass
    wall = time.perf_counter() - t0
    own1, children1 = cpu_seconds()
    return wall, own1 - own0 + children1 - children0


def veille(jsonl: Path, db: Path, workers: int, batch_size: int) -> dict:
    settings = load_settings(
        overrides={"db_path": db, "workers": workers, "batch_size": batch_size}, env={}
    )
    own0, children0 = cpu_seconds()
    with LinkCPU() as link_cpu:
        summary = run([jsonl], settings)
    own1, children1 = cpu_seconds()  # the workers have exited before linking starts
    if summary.failed:
        print(f"warning: {summary.failed} failures: {summary.skip_reasons()}")
    analysis = summary.seconds - summary.link_seconds
    driver_cpu = own1 - own0 - link_cpu.seconds
    return {
        "workers": workers,
        "stored": summary.stored,
        "analysis_s": round(analysis, 2),
        "analysis_articles_per_s": round(summary.stored / analysis, 2),
        "analysis_cpu_s": round(driver_cpu + children1 - children0, 2),
        "driver_cpu_s": round(driver_cpu, 2),
        "workers_cpu_s": round(children1 - children0, 2),
        "link_cpu_s": round(link_cpu.seconds, 2),
        "store_s": round(summary.store_seconds, 2),
        "store_articles_per_s": round(summary.stored / max(summary.store_seconds, 1e-9), 1),
        "link_s": round(summary.link_seconds, 2),
        "total_s": round(summary.seconds, 2),
        "total_articles_per_s": round(summary.stored / summary.seconds, 2),
        "links": summary.links,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--one", action="store_true", help="also run bare and veille on 1")
    args = parser.parse_args()

    out: dict = {"articles": args.articles, "machine": platform.platform(), "runs": []}
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "synthetic.jsonl"
        texts = write_jsonl(jsonl, args.articles, args.seed)
        counts = [args.workers, 1] if args.one else [args.workers]
        for workers in counts:
            row = veille(jsonl, Path(tmp) / f"w{workers}.duckdb", workers, args.batch_size)
            if workers == counts[0]:  # veille ran first: this process is its driver so far
                row["driver_peak_rss_mb"] = round(peak_rss_mb(resource.RUSAGE_SELF))
                row["worker_peak_rss_mb"] = round(peak_rss_mb(resource.RUSAGE_CHILDREN))
            bare_s, bare_cpu = bare(texts, workers)
            row["bare_s"] = round(bare_s, 2)
            row["bare_cpu_s"] = round(bare_cpu, 2)
            row["bare_articles_per_s"] = round(len(texts) / bare_s, 2)
            row["ratio_analysis_vs_bare"] = round(
                row["analysis_articles_per_s"] / row["bare_articles_per_s"], 3
            )
            # articles per CPU-second, veille over bare: steadier than wall time when
            # other jobs share the cores (but blind to idle cores)
            row["cpu_ratio_analysis_vs_bare"] = round(
                (row["stored"] / row["analysis_cpu_s"]) / (len(texts) / bare_cpu), 3
            )
            out["runs"].append(row)
            print(
                f"workers={workers}: bare {row['bare_articles_per_s']} art/s, veille analysis "
                f"{row['analysis_articles_per_s']} art/s (ratio "
                f"{row['ratio_analysis_vs_bare']}; per CPU-s "
                f"{row['cpu_ratio_analysis_vs_bare']}: driver {row['driver_cpu_s']} + "
                f"workers {row['workers_cpu_s']} vs bare {row['bare_cpu_s']} CPU-s), "
                f"store {row['store_articles_per_s']} art/s, link+index {row['link_s']} s "
                f"({row['link_cpu_s']} CPU-s), end to end {row['total_articles_per_s']} art/s"
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    out["note"] = "2 shared cores, noisy: read the ratios measured in one run"
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
