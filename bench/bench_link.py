"""Linking cost as the store grows: +100 articles on an empty store vs on a store of N.

    .venv/bin/python bench/bench_link.py --base 2000
    .venv/bin/python bench/bench_link.py --base 50000 --db /tmp/veille-link-50k.duckdb

Articles are synthetic analyses (``bench/synth_store.py``: corpus sentences with events,
aid, claims and entities at valid offsets), so no NLP runs: this times storing and
linking only. The base store (``--db``) is built and linked once, then reused by later
runs (building 50,000 takes a long while on a shared machine). Each measurement copies
it, stores 100 new articles (dates anywhere in the same 600 days, so they land in every
part of the store; ``--recent`` dates them on the days right after its last one, like a
monitoring feed) and
times ``update_links`` three times in a row, in a child process whose peak RSS is the
figure reported. The same 300 articles are added to an empty store in the same run. The
issue's target: +100 on the large store in at most 1.5x the time of +100 on an empty one.
``--relink`` then checks that ``veille relink`` rebuilds the same tables. Results:
bench/results/link.json (random dates), bench/results/link-recent.json (``--recent``).
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
from dataclasses import replace
from datetime import timedelta
from itertools import islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth_store import synthetic_analyses

from veille.link import relink, update_links
from veille.settings import load_settings
from veille.store import open_store

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "link.json"
RESULTS_RECENT = ROOT / "bench" / "results" / "link-recent.json"
ADD = 100
RUNS = 3
TABLES = (
    "duplicate_groups",
    "duplicate_group_articles",
    "incidents",
    "incident_events",
    "incident_articles",
    "merged_aid",
    "merged_aid_commitments",
    "merged_aid_history",
    "stories",
    "story_articles",
)


def build(db: Path, base: int) -> float:
    """Save and link ``base`` synthetic articles into a new store at ``db``; seconds."""
    started = time.perf_counter()
    settings = load_settings(overrides={"db_path": db}, env={})
    store = open_store(db, memory_limit=settings.duckdb_memory_limit)
    try:
        articles = synthetic_analyses(base, seed=11)
        saved = 0
        while chunk := list(islice(articles, 2000)):
            store.save_batch(chunk)
            saved += len(chunk)
            print(f"  saved {saved}, {time.perf_counter() - started:.0f} s", file=sys.stderr)
        update_links(store, settings)
        store.connection().execute("CHECKPOINT")
    finally:
        store.close()
    return time.perf_counter() - started


def additions(recent: bool) -> list:
    """The 300 articles added in every measurement (their own seed: new ids; their own
    source names, or they would be new versions of the base articles and replace them)."""
    out = [
        replace(a, article=replace(a.article, source="new/" + a.article.source))
        for a in synthetic_analyses(ADD * RUNS, seed=12)
    ]
    if recent:  # the days just after the synthetic store's 600 days, one run a day
        last = max(a.article.published.value for a in synthetic_analyses(2000, seed=11))
        out = [
            replace(
                a,
                article=replace(
                    a.article,
                    published=replace(
                        a.article.published, value=last + timedelta(days=1 + i // ADD)
                    ),
                ),
                events=[
                    replace(e, date=replace(e.date, value=last + timedelta(days=1 + i // ADD)))
                    for e in a.events
                ],
            )
            for i, a in enumerate(out)
        ]
    return out


def peak_rss_mb() -> int:
    """This process's own peak RSS (VmHWM; ru_maxrss would carry the parent's over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure_child(db: Path, recent: bool, check_relink: bool) -> dict:
    """In the child process: add 3 x 100 articles to ``db``, timing each link step."""
    settings = load_settings(overrides={"db_path": db}, env={})
    store = open_store(db, memory_limit=settings.duckdb_memory_limit)
    new = additions(recent)
    row: dict = {"runs": []}
    try:
        for run in range(RUNS):
            batch = new[run * ADD : (run + 1) * ADD]
            wall = time.perf_counter()
            store.save_batch(batch)
            store_s = time.perf_counter() - wall
            wall, cpu = time.perf_counter(), time.process_time()
            counts = update_links(store, settings)
            row["runs"].append(
                {
                    "store_s": round(store_s, 2),
                    "link_wall_s": round(time.perf_counter() - wall, 2),
                    "link_cpu_s": round(time.process_time() - cpu, 2),
                    "steps_s": counts.get("link_step_seconds"),
                    "steps_cpu_s": counts.get("link_step_cpu_seconds"),
                    "relinked_mentions": counts.get("relinked_mentions"),
                    "relinked_commitments": counts.get("relinked_commitments"),
                }
            )
        store.connection().execute("CHECKPOINT")
        row["articles"] = len(store.article_ids())
        row["counts"] = {
            k: counts[k] for k in ("duplicate_groups", "incidents", "merged_aid", "stories")
        }
        row["db_mb"] = round(os.path.getsize(db) / 1_048_576, 1)
        row["peak_rss_mb"] = peak_rss_mb()
        if check_relink:
            conn = store.connection()

            def dump() -> dict:
                return {
                    t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES
                }

            incremental = dump()
            wall = time.perf_counter()
            relink(store, settings)
            row["relink_s"] = round(time.perf_counter() - wall, 1)
            row["relink_same_tables"] = dump() == incremental
    finally:
        store.close()
    return row


def measure(db: Path | None, tmp: Path, recent: bool, check_relink: bool) -> dict:
    work = tmp / "work.duckdb"
    if db is not None:
        shutil.copy(db, work)
    cmd = [sys.executable, __file__, "--child", str(work)]
    cmd += ["--recent"] * recent + ["--relink"] * check_relink
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    work.unlink(missing_ok=True)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", type=int, default=50_000, help="articles in the big store")
    parser.add_argument("--db", type=Path, help="the big store, built once and reused")
    parser.add_argument("--recent", action="store_true", help="new articles dated after it")
    parser.add_argument("--relink", action="store_true", help="check veille relink after")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure_child(args.child, args.recent, args.relink)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or Path(tmp) / f"base-{args.base}.duckdb"
        if not db.exists():
            print(f"building {db} ({args.base} articles)...", file=sys.stderr)
            print(f"built in {build(db, args.base):.0f} s", file=sys.stderr)
        empty = measure(None, Path(tmp), args.recent, False)
        large = measure(db, Path(tmp), args.recent, args.relink)
    ratio = empty["runs"][0]["link_cpu_s"] and (
        large["runs"][0]["link_cpu_s"] / empty["runs"][0]["link_cpu_s"]
    )
    for name, row in (("empty", empty), (f"{args.base}", large)):
        print(f"+{ADD} x {RUNS} on {name}: {row['runs']}; peak RSS {row['peak_rss_mb']} MB")
    print(f"link CPU ratio, first +{ADD}: {ratio:.1f}x (target <= 1.5x)")
    if args.relink:
        print(f"relink: {large['relink_s']} s, same tables: {large['relink_same_tables']}")
    results = RESULTS_RECENT if args.recent else RESULTS
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(
        json.dumps(
            {
                "add": ADD,
                "base": args.base,
                "recent": args.recent,
                "empty": empty,
                "large": large,
                "ratio_link_cpu_first_run": round(ratio, 2),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {results.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
