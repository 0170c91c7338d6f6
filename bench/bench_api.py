"""Load test of the API on 127.0.0.1: p50/p95/p99 latency of every list, search and
stats route, with one client and with 8 concurrent clients.

Builds (or reuses) a store of synthetic articles (``bench/synth_store.py``) with synthetic
incidents, stories, duplicate groups and merged aid, serves it with ``veille serve
--workers W`` (default: one per core) bound to 127.0.0.1, and drives each route from N
client threads for a bounded time. Results go to ``bench/results/bench_api.json``.

Quick run:  python bench/bench_api.py --articles 2000 --seconds 3
Full run:   python bench/bench_api.py --articles 100000 --seconds 10 --clients 1 8
            (target: p95 < 100 ms with 1 client, < 300 ms with 8)
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
from collections.abc import Callable
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
    """Build the synthetic store once (minutes at 100k), then reuse it."""
    sys.path.insert(0, str(HERE))
    from synth_store import build_store, synthetic_analyses, synthetic_links

    if not db.exists():
        t0 = time.perf_counter()
        build_store(db, synthetic_analyses(articles))
        print(
            f"built {db} ({articles} articles) in {time.perf_counter() - t0:.0f}s", file=sys.stderr
        )
    from veille.store import open_store

    with open_store(db) as store:  # also applies any newer migration
        if not store.connection().execute("SELECT count(*) FROM incidents").fetchone()[0]:
            t0 = time.perf_counter()
            made = synthetic_links(store)
            print(f"linked {made} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen:
    veille = Path(sys.executable).with_name("veille")
    proc = subprocess.Popen(
        [str(veille), "serve", "--db", str(db), "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/stats", timeout=10).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("server did not start")


def _day(rng: random.Random) -> str:
    return f"2023-{rng.randint(1, 12):02d}-01"


def _walk(path: str) -> Callable[[random.Random, dict], str]:
    """Page after page through a list with the cursor of the previous answer (or the
    offset, on a server without cursors), back to the start after 100 pages."""

    def url(rng: random.Random, state: dict) -> str:
        last = state.get("last") or {}
        pages = state.get("pages", 0)
        if not last or pages >= 100:
            state["pages"] = 0
            return f"{path}?limit=50"
        state["pages"] = pages + 1
        if last.get("next_cursor"):
            return f"{path}?limit=50&cursor={last['next_cursor']}"
        return f"{path}?limit=50&offset={50 * state['pages']}"

    url.walks = True  # type: ignore[attr-defined]
    return url


ROUTES: dict[str, Callable[[random.Random, dict], str]] = {
    # stats
    "stats": lambda rng, st: "/api/v1/stats",
    "overview": lambda rng, st: "/api/v1/overview",
    "timeline": lambda rng, st: f"/api/v1/timeline?kind={rng.choice(('events', 'incidents'))}",
    "aid_totals": lambda rng, st: "/api/v1/aid/totals",
    "outlets": lambda rng, st: "/api/v1/outlets",
    # search
    "search": lambda rng, st: f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&limit=20",
    "search_filtered": lambda rng, st: (
        f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&type={rng.choice(EVENT_TYPES)}&limit=20"
    ),
    # lists
    "articles": lambda rng, st: f"/api/v1/articles?limit=50&offset={rng.randrange(0, 5000, 50)}",
    "articles_filtered": lambda rng, st: (
        f"/api/v1/articles?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_day(rng)}"
        "&limit=50"
    ),
    "articles_walk": _walk("/api/v1/articles"),
    "events": lambda rng, st: f"/api/v1/events?limit=50&offset={rng.randrange(0, 5000, 50)}",
    "events_filtered": lambda rng, st: (
        f"/api/v1/events?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_day(rng)}&limit=50"
    ),
    "events_walk": _walk("/api/v1/events"),
    "map": lambda rng, st: f"/api/v1/map?type={rng.choice(EVENT_TYPES)}&date_from={_day(rng)}",
    "incidents": lambda rng, st: f"/api/v1/incidents?limit=50&offset={rng.randrange(0, 2000, 50)}",
    "incidents_filtered": lambda rng, st: (
        f"/api/v1/incidents?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_day(rng)}"
    ),
    "stories": lambda rng, st: f"/api/v1/stories?limit=50&offset={rng.randrange(0, 2000, 50)}",
    "duplicates": lambda rng, st: (
        f"/api/v1/duplicates?limit=50&offset={rng.randrange(0, 2000, 50)}"
    ),
    "aid": lambda rng, st: f"/api/v1/aid?limit=50&offset={rng.randrange(0, 2000, 50)}",
    "claims": lambda rng, st: f"/api/v1/claims?limit=50&offset={rng.randrange(0, 2000, 50)}",
    "entities": lambda rng, st: f"/api/v1/entities?limit=50&offset={rng.randrange(0, 500, 50)}",
}


def drive(base: str, name: str, seconds: float, clients: int, max_requests: int) -> dict:
    """Run one route for ``seconds`` (or ``max_requests``) from ``clients`` threads."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    route = ROUTES[name]
    walks = getattr(route, "walks", False)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        state: dict = {}
        with httpx.Client(base_url=base, timeout=60) as client:
            while time.monotonic() < stop_at:
                with lock:
                    if len(latencies) + len(errors) >= max_requests:
                        return
                url = route(rng, state)
                t0 = time.perf_counter()
                response = client.get(url)
                dt = (time.perf_counter() - t0) * 1000
                ok = response.status_code == 200
                if walks:
                    state["last"] = response.json() if ok else None
                with lock:
                    if ok:
                        latencies.append(dt)
                    else:
                        errors.append(f"{response.status_code} {url}")

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
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)
            if latencies
            else float("nan")
        )

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "rps": round(len(latencies) / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="store to use (built if absent)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per route and client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    parser.add_argument("--routes", nargs="+", default=list(ROUTES), choices=list(ROUTES))
    parser.add_argument("--max-requests", type=int, default=5_000, help="per route")
    parser.add_argument("--warmup", type=int, default=5, help="requests per route first")
    parser.add_argument("--out", type=Path, default=RESULTS / "bench_api.json")
    args = parser.parse_args(argv)

    db = args.db or Path(f"/tmp/veille-bench-{args.articles}.duckdb")
    ensure_store(db, args.articles)
    port = free_port()
    proc = start_server(db, port, args.workers)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict] = {}
    try:
        stats = httpx.get(base + "/api/v1/stats", timeout=60).json()
        rng = random.Random(1)
        with httpx.Client(base_url=base, timeout=60) as client:
            for name in args.routes:
                state: dict = {}
                for _ in range(args.warmup):
                    client.get(ROUTES[name](rng, state))
        for name in args.routes:
            results[name] = {}
            for clients in args.clients:
                got = drive(base, name, args.seconds, clients, args.max_requests)
                results[name][f"{clients}_clients"] = got
                print(
                    f"{name:20s} {clients} client(s): p50 {got['p50_ms']:7.1f} ms  "
                    f"p95 {got['p95_ms']:7.1f} ms  {got['rps']:6.1f} req/s  "
                    f"{got['requests']} ok, {got['errors']} errors",
                    flush=True,
                )
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "note": "shared 2-core machine; other processes were running, so timings are noisy",
        "store": {
            "articles": stats["articles"],
            "events": stats["events"],
            "incidents": stats["incidents"],
            "db": str(db),
        },
        "server_workers": args.workers,
        "seconds_per_route": args.seconds,
        "target": "p95 < 100 ms with 1 client, < 300 ms with 8 concurrent clients",
        "routes": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
