"""Near-duplicate grouping: speed, memory, precision and recall on planted duplicates.

    .venv/bin/python bench/bench_dedup.py                      # 10k, 30k, 100k
    .venv/bin/python bench/bench_dedup.py --sizes 2000 --calibrate 2000   # quick run

Each size runs in a fresh process so its peak RSS is its own. Precision and recall are
pairwise: a pair of articles is a true duplicate when both come from the same base
article (exact copy or rewrite, see synth.py); a predicted pair is two articles in one
group. ``--calibrate N`` also measures the exact Jaccard similarity of planted rewrite
pairs against unrelated pairs (random ones, and the most similar unrelated pairs LSH can
find at a low threshold) for several shingle sizes: that table is what justifies the
default threshold and shingle size in ``veille.link.dedup.DedupConfig``.

Results go to bench/results/dedup.json. The machine may be shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import gc
import json
import multiprocessing as mp
import platform
import random
import resource
import sys
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synth import Synthesizer  # noqa: E402

from veille.link.dedup import (  # noqa: E402
    DedupConfig,
    DedupRecord,
    group_duplicates,
    jaccard,
    shingles,
    signatures,
)
from veille.model import stable_id  # noqa: E402

DEFAULTS = DedupConfig()


def rss_mb() -> float:
    """Peak resident memory of this process image (VmHWM; ru_maxrss survives exec on Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def run_size(size: int, config: DedupConfig, seed: int) -> dict:
    corpus = Synthesizer(seed=seed).corpus(size)
    # the corpus lives for the whole run: keep the collector from rescanning it
    gc.collect()
    gc.freeze()
    rss_before = rss_mb()
    t0 = time.perf_counter()
    sigs = signatures((a.text for a in corpus), config)
    t1 = time.perf_counter()
    records = [
        DedupRecord(a.id, stable_id("text", a.text), s, a.outlet, a.url)
        for a, s in zip(corpus, sigs, strict=True)
    ]
    groups = group_duplicates(records, config)
    t2 = time.perf_counter()

    cluster = {a.id: a.cluster for a in corpus}
    true_pairs = sum(pairs(n) for n in Counter(cluster.values()).values())
    predicted = sum(pairs(len(g.article_ids)) for g in groups)
    hits = sum(
        pairs(n) for g in groups for n in Counter(cluster[i] for i in g.article_ids).values()
    )
    kinds = Counter(a.kind for a in corpus)
    return {
        "size": size,
        "planted": {"exact": kinds["exact"], "rewrite": kinds["rewrite"]},
        "true_pairs": true_pairs,
        "predicted_pairs": predicted,
        "groups": len(groups),
        "precision": round(hits / predicted, 4) if predicted else 1.0,
        "recall": round(hits / true_pairs, 4) if true_pairs else 1.0,
        "seconds_signatures": round(t1 - t0, 2),
        "seconds_grouping": round(t2 - t1, 2),
        "seconds_total": round(t2 - t0, 2),
        "us_per_article": round((t2 - t0) / size * 1e6, 1),
        "peak_rss_mb": round(rss_mb(), 1),
        "rss_before_grouping_mb": round(rss_before, 1),
    }


def percentiles(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {}

    def at(q: float) -> float:
        return round(values[min(len(values) - 1, int(q * len(values)))], 3)

    return {
        "n": len(values),
        "min": round(values[0], 3),
        "p01": at(0.01),
        "p05": at(0.05),
        "median": at(0.5),
        "p95": at(0.95),
        "p99": at(0.99),
        "max": round(values[-1], 3),
    }


def calibrate(size: int, seed: int, shingle_sizes: tuple[int, ...]) -> dict:
    """Exact Jaccard of planted rewrites vs unrelated pairs, per shingle size."""
    corpus = Synthesizer(seed=seed).corpus(size)
    by_id = {a.id: a for a in corpus}
    rng = random.Random(seed)
    rewrites = [(a.cluster, a.id) for a in corpus if a.kind == "rewrite"]
    unrelated = []
    while len(unrelated) < len(rewrites):
        a, b = rng.sample(corpus, 2)
        if a.cluster != b.cluster:
            unrelated.append((a.id, b.id))
    out = {}
    for k in shingle_sizes:
        sets = {a.id: shingles(a.text, k) for a in corpus}
        low = DedupConfig(threshold=0.2, shingle_size=k)
        recs = [
            DedupRecord(a.id, stable_id("text", a.text), s)
            for a, s in zip(corpus, signatures((a.text for a in corpus), low), strict=True)
        ]
        # the most similar unrelated pairs: LSH candidates at a low threshold
        hard = []
        for g in group_duplicates(recs, low):
            ids = g.article_ids
            for i, x in enumerate(ids):
                for y in ids[i + 1 :]:
                    if by_id[x].cluster != by_id[y].cluster:
                        hard.append(jaccard(sets[x], sets[y]))
        out[f"shingle_{k}"] = {
            "rewrite_pairs": percentiles([jaccard(sets[a], sets[b]) for a, b in rewrites]),
            "random_unrelated_pairs": percentiles(
                [jaccard(sets[a], sets[b]) for a, b in unrelated]
            ),
            "nearest_unrelated_pairs": percentiles(hard),
        }
    return {"corpus_size": size, "by_shingle_size": out}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,30000,100000")
    parser.add_argument("--calibrate", type=int, default=5000, help="corpus size, 0 to skip")
    parser.add_argument("--threshold", type=float, default=DEFAULTS.threshold)
    parser.add_argument("--shingle-size", type=int, default=DEFAULTS.shingle_size)
    parser.add_argument("--num-perm", type=int, default=DEFAULTS.num_perm)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "results" / "dedup.json")
    args = parser.parse_args()
    config = DedupConfig(args.threshold, args.shingle_size, args.num_perm)

    result: dict = {
        "config": {
            "threshold": config.threshold,
            "shingle_size": config.shingle_size,
            "num_perm": config.num_perm,
        },
        "machine": {"python": platform.python_version(), "cpus": mp.cpu_count()},
        "note": "shared machine (8 engineers on 2 cores): timings are noisy",
    }
    if args.calibrate:
        result["calibration"] = calibrate(args.calibrate, args.seed, (3, 4, 5))
        print(json.dumps(result["calibration"], indent=1), flush=True)
    runs = []
    ctx = mp.get_context("spawn")
    for size in (int(s) for s in args.sizes.split(",") if s):
        with ctx.Pool(1) as pool:
            run = pool.apply(run_size, (size, config, args.seed))
        print(json.dumps(run), flush=True)
        runs.append(run)
    result["runs"] = runs
    if len(runs) > 1:
        first, last = runs[0], runs[-1]
        result["time_ratio_vs_size_ratio"] = [
            round(last["seconds_total"] / first["seconds_total"], 2),
            round(last["size"] / first["size"], 2),
        ]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
