"""Load test of the API on 127.0.0.1: p50/p95/p99 latency of search and event listing.

Builds (or reuses) a store of synthetic articles (``bench/synth_store.py``), serves it
with uvicorn in a subprocess bound to 127.0.0.1, and drives it from a few client threads
for a bounded time per scenario. Results go to ``bench/results/bench_api.json``.

Quick run:  python bench/bench_api.py --articles 2000 --seconds 5
Full run:   python bench/bench_api.py --articles 100000 --seconds 30   (target p95 < 100 ms)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SEARCH_WORDS = (
    "drones",
    "frappes",
    "munitions",
    "Kharkiv",
    "Crimée",
    "aide militaire",
    "missiles",
    "défense aérienne",
    "Zelensky",
    "négociations",
    "sanctions",
    "Bakhmout",
    "offensive",
)
EVENT_TYPES = ("ASSAULT", "AID", "CONSULT", "ACCUSE", "THREATEN")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_store(db: Path, articles: int) -> None:
    if db.exists():
        return
    sys.path.insert(0, str(HERE))
    from synth_store import build_store, synthetic_analyses

    t0 = time.perf_counter()
    build_store(db, synthetic_analyses(articles))
    print(f"built {db} ({articles} articles) in {time.perf_counter() - t0:.0f}s", file=sys.stderr)


SERVER = """
import sys, uvicorn
from types import SimpleNamespace
from pathlib import Path
from veille.api import create_app
settings = SimpleNamespace(db_path=Path(sys.argv[1]), search_index_dir=None)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning",
            workers=1)
"""


def start_server(db: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), str(port)])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/stats", timeout=5).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def scenario_urls(name: str, rng: random.Random) -> str:
    if name == "search":
        return f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&limit=20"
    if name == "search_filtered":
        return (
            f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&type={rng.choice(EVENT_TYPES)}&limit=20"
        )
    if name == "events":
        return f"/api/v1/events?limit=50&offset={rng.randrange(0, 2000, 50)}"
    if name == "events_filtered":
        day = f"2023-{rng.randint(1, 12):02d}-01"
        return f"/api/v1/events?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={day}&limit=50"
    raise ValueError(name)


def drive(base: str, name: str, seconds: float, clients: int, max_requests: int) -> dict:
    """Run one scenario for ``seconds`` (or ``max_requests``) from ``clients`` threads."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(seed: int) -> None:
        nonlocal errors
        rng = random.Random(seed)
        with httpx.Client(base_url=base, timeout=30) as client:
            while time.monotonic() < stop_at:
                with lock:
                    if len(latencies) + errors >= max_requests:
                        return
                url = scenario_urls(name, rng)
                t0 = time.perf_counter()
                ok = client.get(url).status_code == 200
                dt = (time.perf_counter() - t0) * 1000
                with lock:
                    if ok:
                        latencies.append(dt)
                    else:
                        errors += 1

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2)
            if latencies
            else float("nan")
        )

    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="store to use (built if absent)")
    parser.add_argument("--seconds", type=float, default=20.0, help="per scenario")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--max-requests", type=int, default=20_000, help="per scenario")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_api.json")
    args = parser.parse_args(argv)

    db = args.db or Path(f"/tmp/veille-bench-{args.articles}.duckdb")
    ensure_store(db, args.articles)
    port = free_port()
    proc = start_server(db, port)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    try:
        stats = httpx.get(base + "/api/v1/stats", timeout=30).json()
        rng = random.Random(1)
        with httpx.Client(base_url=base, timeout=30) as client:
            for name in ("search", "search_filtered", "events", "events_filtered"):
                for _ in range(args.warmup):
                    client.get(scenario_urls(name, rng))
        for name in ("search", "search_filtered", "events", "events_filtered"):
            results[name] = drive(base, name, args.seconds, args.clients, args.max_requests)
            print(name, results[name])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "note": "shared 2-core machine; other processes were running, so timings are noisy",
        "store": {"articles": stats["articles"], "events": stats["events"], "db": str(db)},
        "clients": args.clients,
        "seconds_per_scenario": args.seconds,
        "target": "p95 < 100 ms for search and event listing",
        "scenarios": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
