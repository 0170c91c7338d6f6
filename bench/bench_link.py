"""Linking cost as the store grows: +100 articles on an empty store vs on a store of N.

    .venv/bin/python bench/bench_link.py --base 2000      # a busy machine
    .venv/bin/python bench/bench_link.py --base 50000     # the issue's acceptance size

Articles are synthetic analyses (``bench/synth_store.py``: corpus sentences with events,
aid, claims and entities at valid offsets), so no NLP runs: this times linking only.
For each store size: the base is saved and linked (untimed), then 100 new articles are
saved and ``update_links`` is timed (CPU and wall seconds), then two more +100 runs show
how the database file grows per run. The issue's target: +100 on the large store in at
most 1.5x the time of +100 on an empty one. Results: bench/results/link.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth_store import synthetic_analyses

from veille.link import update_links
from veille.settings import load_settings
from veille.store import open_store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "link.json"
ADD = 100


def timed_link(store, settings) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    update_links(store, settings)
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(base: int, tmp: Path) -> dict:
    db = tmp / f"link-{base}.duckdb"
    settings = load_settings(overrides={"db_path": db}, env={})
    articles = synthetic_analyses(base + 3 * ADD, seed=11)
    store = open_store(db, memory_limit=settings.duckdb_memory_limit)
    try:
        saved = 0
        while saved < base:
            chunk = list(islice(articles, min(2000, base - saved)))
            store.save_batch(chunk)
            saved += len(chunk)
        if base:
            update_links(store, settings)
        row: dict = {"base": base}
        sizes = []
        for run in range(3):
            store.save_batch(list(islice(articles, ADD)))
            wall, cpu = timed_link(store, settings)
            store.connection().execute("CHECKPOINT")
            sizes.append(round(os.path.getsize(db) / 1_048_576, 1))
            if run == 0:
                row["link_wall_s"], row["link_cpu_s"] = round(wall, 2), round(cpu, 2)
        row["db_mb_after_each_run"] = sizes
    finally:
        store.close()
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=50_000, help="articles in the big store")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rows = [measure(0, Path(tmp)), measure(args.base, Path(tmp))]
    ratio = rows[1]["link_cpu_s"] / max(rows[0]["link_cpu_s"], 1e-9)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for row in rows:
        print(
            f"+{ADD} on {row['base']:>6}: link {row['link_wall_s']} s wall, "
            f"{row['link_cpu_s']} CPU-s; db MB after 3 runs {row['db_mb_after_each_run']}"
        )
    print(f"ratio large/empty (CPU): {ratio:.1f}x (target <= 1.5x); peak RSS {peak:.0f} MB")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {"add": ADD, "runs": rows, "ratio_cpu": round(ratio, 2), "peak_rss_mb": round(peak)},
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
