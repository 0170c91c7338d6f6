"""Peak memory of one `veille run` over many new articles (issue 13: under 1.5 GB at 50,000).

    .venv/bin/python bench/bench_memory.py                      # 50,000 articles
    .venv/bin/python bench/bench_memory.py --articles 5000 --relink

The run is the real runner (``veille.pipeline.run``: JSONL ingest, cleaning, language id in
2 forked workers, store writes, linking into an empty store, which takes the full link
path, search indexing) with spaCy and the rules replaced by synthetic annotations
(``bench/synth_store.annotate``: entities, events, aid and claims at valid offsets, made
from each article's own text), so that 50,000 articles take minutes, not hours. The
workers' peak with the real model does not grow with the run and is measured by
``bench_scale.py``; the driver's own model load before the fork (~0.6 GB) comes before
linking and is released after the fork.

Texts: ``synth_store.synthetic_analyses`` (corpus sentences, dates over 600 days), one
JSONL file. The run happens in a child process, so the figures are its own: peak RSS
(VmHWM) of the driver in each phase (reset between phases through
/proc/self/clear_refs), the largest worker's, and seconds. ``--relink`` then runs
``veille relink`` on the result in another child. Results: bench/results/memory.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "memory.json"
PLACE_SENTENCE = re.compile(r"Des frappes ont touché (.+?) dans la nuit\.")


def write_jsonl(path: Path, count: int, seed: int) -> None:
    from synth_store import synthetic_analyses

    with path.open("w", encoding="utf-8") as handle:
        for i, analysis in enumerate(synthetic_analyses(count, seed=seed)):
            a = analysis.article
            record = {
                "text": a.text,
                "title": a.title,
                "url": f"https://synth.example/{seed}/{i}",
                "outlet": a.outlet,
                "published": a.published.value.isoformat(),
            }
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


class SyntheticAnalysis:
    """Stands in for the parse and the rules: ``synth_store.annotate`` on each article's
    own (cleaned) text, seeded by its id, so every run annotates alike."""

    name = "synthetic-analysis"
    version = "1"

    def setup(self) -> None:
        pass

    def process(self, batch: list) -> list:
        from synth_store import PLACES, annotate

        places = {p[0]: p for p in PLACES}
        out = []
        for analysis in batch:
            article = analysis.article
            found = PLACE_SENTENCE.search(article.text)
            where = places.get(found.group(1)) if found else None
            if where is None or article.published.value is None:
                out.append(analysis)
                continue
            out.append(
                annotate(
                    article,
                    article.text.split("\n\n"),
                    where,
                    article.published.value,
                    random.Random(article.id),
                    ("run", article.id),
                )
            )
        return out


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Phases:
    """Peak RSS of this process per phase: VmHWM read, then reset to the current RSS
    (``clear_refs`` 5, Linux 4.0+) at each phase change."""

    def __init__(self) -> None:
        self.peaks_mb: dict[str, int] = {}
        self.seconds: dict[str, float] = {}
        self._phase = "analysis"
        self._t0 = time.perf_counter()

    def enter(self, phase: str) -> None:
        self.peaks_mb[self._phase] = max(
            self.peaks_mb.get(self._phase, 0), round(_status_kb("VmHWM") / 1024)
        )
        now = time.perf_counter()
        self.seconds[self._phase] = round(self.seconds.get(self._phase, 0) + now - self._t0, 2)
        self._phase, self._t0 = phase, now
        # not Linux, or not allowed: the later peaks then include the earlier ones
        with contextlib.suppress(OSError):
            Path("/proc/self/clear_refs").write_text("5")


def child_run(jsonl: Path, db: Path, workers: int, memory_limit: str | None) -> dict:
    import veille.link
    import veille.search
    from veille import pipeline
    from veille.settings import load_settings

    phases = Phases()
    link, index = veille.link.update_links, veille.search.index_articles

    def timed(phase: str, fn):
        def wrapper(*args, **kwargs):
            phases.enter(phase)
            try:
                return fn(*args, **kwargs)
            finally:
                phases.enter("finish")

        return wrapper

    veille.link.update_links = timed("link", link)
    veille.search.index_articles = timed("index", index)
    overrides = {"db_path": db, "workers": workers}
    if memory_limit:
        overrides["duckdb_memory_limit"] = memory_limit
    settings = load_settings(overrides=overrides, env={})
    stages = [pipeline.default_stages(settings)[0], SyntheticAnalysis()]
    summary = pipeline.run([jsonl], settings, stages=stages)
    phases.enter("end")
    return {
        "stored": summary.stored,
        "failed": summary.failed,
        "seconds": round(summary.seconds, 1),
        "store_s": round(summary.store_seconds, 1),
        "link_and_index_s": round(summary.link_seconds, 1),
        "phase_seconds": phases.seconds,
        "driver_peak_mb": phases.peaks_mb,
        "worker_peak_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
        "links": {k: v for k, v in summary.links.items() if not isinstance(v, dict)},
        "duckdb_memory_limit": settings.duckdb_memory_limit,
    }


def child_relink(db: Path, memory_limit: str | None) -> dict:
    from veille.link import relink
    from veille.settings import load_settings
    from veille.store import open_store

    overrides = {"db_path": db}
    if memory_limit:
        overrides["duckdb_memory_limit"] = memory_limit
    settings = load_settings(overrides=overrides, env={})
    store = open_store(db, memory_limit=settings.duckdb_memory_limit)
    started = time.perf_counter()
    try:
        counts = relink(store, settings)
    finally:
        store.close()
    return {
        "seconds": round(time.perf_counter() - started, 1),
        "peak_mb": round(_status_kb("VmHWM") / 1024),
        "counts": {k: v for k, v in counts.items() if not isinstance(v, dict)},
    }


def in_child(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"child {args[0]} failed ({done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=21)
    parser.add_argument("--memory-limit", help="DuckDB memory_limit (default: the setting's)")
    parser.add_argument("--relink", action="store_true", help="then time `veille relink`")
    parser.add_argument("--keep", type=Path, help="keep the database at this path")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    limit = args.memory_limit or ""
    if args.child:
        kind, *rest = args.child
        if kind == "run":
            jsonl, db, workers, limit = rest
            print(json.dumps(child_run(Path(jsonl), Path(db), int(workers), limit or None)))
        else:
            db, limit = rest
            print(json.dumps(child_relink(Path(db), limit or None)))
        return

    out: dict = {"articles": args.articles, "workers": args.workers}
    with tempfile.TemporaryDirectory() as tmp:
        jsonl = Path(tmp) / "synthetic.jsonl"
        write_jsonl(jsonl, args.articles, args.seed)
        db = args.keep or Path(tmp) / "memory.duckdb"
        out["run"] = in_child("run", str(jsonl), str(db), str(args.workers), limit)
        print(f"run: {out['run']}")
        if args.relink:
            out["relink"] = in_child("relink", str(db), limit)
            print(f"relink: {out['relink']}")
    out["note"] = (
        "synthetic annotations instead of spaCy (the workers' model peak: bench_scale); "
        "2 shared cores"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
