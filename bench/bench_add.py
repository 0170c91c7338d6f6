"""The whole of `veille run` over 100 new articles: on an empty store vs on a large one.

    .venv/bin/python bench/bench_add.py --db /tmp/veille-link-50k.duckdb [--recent]

Issue 13's acceptance: "adding 100 articles to a 50,000-article store takes at most 1.5x
the time of adding them to an empty store (link step timed separately)". bench_link.py
times the link step alone on synthetic analyses; this bench times what a user waits for:
the real `veille run --workers N` (reading, cleaning, spaCy and the rules in N workers,
storing, linking, search indexing) over one JSONL file of 100 articles, with the same
file added to a new empty store and to a copy of the large store (built by bench_link.py
``--db``), alternately, ``--pairs`` times. Each run is a child process: its wall time,
the CPU seconds of it and its workers, and the link step's own wall and CPU seconds (the
run's ``link_step_*`` counts) are reported.

Texts are ``synth_store.synthetic_analyses`` articles of their own seed (corpus
sentences recombined: new articles, not versions of stored ones), dated anywhere in the
store's 600 days (a backfill) or, with ``--recent``, on the day after its last one (a
monitoring feed). Results: bench/results/add.json, bench/results/add-recent.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from statistics import median

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth_store import synthetic_analyses

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "add.json"
RESULTS_RECENT = ROOT / "bench" / "results" / "add-recent.json"
ADD = 100
BASE_SEED = 11  # bench_link.py's base store
NEW_SEED = 13  # not bench_link's additions (12): articles the base store never saw


def write_additions(path: Path, recent: bool) -> None:
    """100 new articles as one JSONL file, dated in the store's days or just after them."""
    last = max(a.article.published.value for a in synthetic_analyses(2000, seed=BASE_SEED))
    with path.open("w", encoding="utf-8") as handle:
        for i, analysis in enumerate(synthetic_analyses(ADD, seed=NEW_SEED)):
            a = analysis.article
            day = last + timedelta(days=1) if recent else a.published.value
            record = {
                "text": a.text,
                "title": a.title,
                "url": f"https://synth.example/new/{NEW_SEED}/{i}",
                "outlet": a.outlet,
                "published": day.isoformat(),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def ensure_search_index(db: Path) -> None:
    """Index the large store once (a cache beside it), or every large run would index
    all its articles, not the 100 new ones."""
    from veille.search import index_articles
    from veille.settings import load_settings
    from veille.store import open_store

    if Path(f"{db}.search").is_dir():
        return
    print(f"  indexing {db} once", file=sys.stderr)
    store = open_store(db)
    try:
        index_articles(store, load_settings(overrides={"db_path": db}, env={}))
    finally:
        store.close()


def run_once(jsonl: Path, db: Path, workers: int) -> dict:
    """`veille run` in a child process; its wall and CPU seconds (workers included)."""
    cmd = [str(Path(sys.executable).parent / "veille"), "run", str(jsonl), "--db", str(db)]
    cmd += ["--workers", str(workers), "--json", "--progress", "none"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ})
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"veille run failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(done.stdout)
    links = summary.get("links", {})
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, 2),
        "stored": summary.get("stored"),
        "link_and_index_s": summary.get("link_seconds"),
        "link_wall_s": links.get("link_wall_seconds"),
        "link_cpu_s": links.get("link_cpu_seconds"),
        "link_steps_cpu_s": links.get("link_step_cpu_seconds"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True, help="the large store (copied)")
    parser.add_argument("--recent", action="store_true", help="dated after the store")
    parser.add_argument("--pairs", type=int, default=2, help="empty/large runs, alternating")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--tmp", type=Path, help="where the store copies go (default: /tmp)")
    args = parser.parse_args()
    if not args.db.is_file():
        raise SystemExit(f"{args.db}: no such store (build it with bench_link.py --db)")
    ensure_search_index(args.db)
    runs: dict[str, list[dict]] = {"empty": [], "large": []}
    with tempfile.TemporaryDirectory(dir=args.tmp) as tmp:
        jsonl = Path(tmp) / "additions.jsonl"
        write_additions(jsonl, args.recent)
        for pair in range(args.pairs):
            for kind in ("empty", "large") if pair % 2 == 0 else ("large", "empty"):
                db = Path(tmp) / f"{kind}.duckdb"
                if kind == "large":
                    shutil.copy(args.db, db)
                    shutil.copytree(Path(f"{args.db}.search"), Path(f"{db}.search"))
                row = run_once(jsonl, db, args.workers)
                runs[kind].append(row)
                print(f"  {kind}: {row}", file=sys.stderr)
                db.unlink()
                shutil.rmtree(Path(f"{db}.search"), ignore_errors=True)

    def ratio(key: str) -> float:
        return round(
            median(r[key] for r in runs["large"]) / median(r[key] for r in runs["empty"]), 2
        )

    out = {
        "add": ADD,
        "recent": args.recent,
        "workers": args.workers,
        "large_store": str(args.db),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "runs": runs,
        "ratio_wall": ratio("wall_s"),
        "ratio_cpu": ratio("cpu_s"),
        "ratio_link_cpu": ratio("link_cpu_s"),
    }
    path = RESULTS_RECENT if args.recent else RESULTS
    path.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in out.items() if k != "runs"}, indent=2))


if __name__ == "__main__":
    main()
