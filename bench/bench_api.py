"""Load test of the API on 127.0.0.1: p50/p95/p99 latency of every list, search and
stats route, with one client and with 8 concurrent clients.

Builds (or reuses) a store of synthetic articles (``bench/synth_store.py``) with synthetic
incidents, stories, duplicate groups and merged aid, serves it with ``veille serve
--workers W`` (default: one per core) bound to 127.0.0.1, and drives each route from N
client threads for a bounded time. Results go to ``bench/results/bench_api.json``.

Each route runs twice: "distinct" pages (never asked before, so the server computes each
one: random offsets, any day, cursor walks from a random depth) and "polled" pages (the
same few pages again and again, as a dashboard polls them: the page cache answers). The
CPU time of the server processes per request is reported beside the latencies, as is the
number of answers that came from the page cache (``X-Veille-Cache: hit``).

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


def _any_day(rng: random.Random) -> str:
    return f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


DEEP = 20_000  # distinct pages are drawn at any offset below this
POLLED = range(0, 500, 50)  # the pages a dashboard polls: the first ten
URL = Callable[[random.Random, dict], str]


def _walk(path: str, distinct: bool, filtered: bool = False) -> URL:
    """Page after page through a list with the cursor of the previous answer (or the
    offset, on a server without cursors). Distinct: from a random depth, 100 pages, then
    from another; polled: the first 10 pages again and again. Filtered: from the first
    page of a list filtered by a random type, country and day, 20 pages, then another."""
    pages_per_walk = 20 if filtered else 100 if distinct else 10

    def url(rng: random.Random, state: dict) -> str:
        last = state.get("last") or {}
        pages = state.get("pages", 0)
        if not last or pages >= pages_per_walk:
            state["pages"] = 0
            state["start"] = rng.randrange(0, DEEP) if distinct and not filtered else 0
            state["query"] = (
                f"type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_any_day(rng)}&"
                if filtered
                else ""
            )
            return f"{path}?{state['query']}limit=50&offset={state['start']}"
        state["pages"] = pages + 1
        if last.get("next_cursor"):
            return f"{path}?{state['query']}limit=50&cursor={last['next_cursor']}"
        return f"{path}?{state['query']}limit=50&offset={state['start'] + 50 * state['pages']}"

    url.walks = True  # type: ignore[attr-defined]
    return url


def _list(path: str, depth: int = DEEP) -> dict[str, URL]:
    return {
        "distinct": lambda rng, st: f"{path}?limit=50&offset={rng.randrange(0, depth)}",
        "polled": lambda rng, st: f"{path}?limit=50&offset={rng.choice(POLLED)}",
    }


def _filtered(path: str, extra: str = "") -> dict[str, URL]:
    """Type, country and a date: distinct adds any day and a small offset (~180k pages)."""
    return {
        "distinct": lambda rng, st: (
            f"{path}?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_any_day(rng)}"
            f"&offset={rng.randrange(0, 100)}{extra}"
        ),
        "polled": lambda rng, st: (
            f"{path}?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_day(rng)}{extra}"
        ),
    }


def _one(url: str) -> dict[str, URL]:
    return {"polled": lambda rng, st: url}


# Each route: a "distinct" variant (pages never asked before: what a page costs to compute)
# and a "polled" one (a dashboard asking the same few pages: answered from the page cache
# while the store does not change). Routes without parameters only have the polled one;
# search is never kept (the index changes apart from the store), so only distinct.
ROUTES: dict[str, dict[str, URL]] = {
    # stats
    "stats": _one("/api/v1/stats"),
    "overview": {
        "distinct": lambda rng, st: f"/api/v1/overview?date_from={_any_day(rng)}",
        "polled": lambda rng, st: "/api/v1/overview",
    },
    "overview_span": {  # from and to: ~113,000 spans, few repeats (from only: 336 days, so
        # the page cache answers a share of the distinct overviews above)
        "distinct": lambda rng, st: (
            f"/api/v1/overview?date_from=2022-{_any_day(rng)[5:]}&date_to={_any_day(rng)}"
        ),
    },
    "timeline": {
        "distinct": lambda rng, st: (
            f"/api/v1/timeline?kind={rng.choice(('events', 'incidents'))}"
            f"&type={rng.choice(EVENT_TYPES)}&date_from={_any_day(rng)}"
        ),
        "polled": lambda rng, st: f"/api/v1/timeline?kind={rng.choice(('events', 'incidents'))}",
    },
    "aid_totals": {
        "distinct": lambda rng, st: (  # two days: ~56,000 spans, few repeats
            f"/api/v1/aid/totals?date_from=2022-{_any_day(rng)[5:]}&date_to={_any_day(rng)}"
        ),
        "polled": lambda rng, st: "/api/v1/aid/totals",
    },
    "outlets": _one("/api/v1/outlets"),
    # search
    "search": {
        "distinct": lambda rng, st: (
            f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&limit=20&offset={rng.randrange(0, 200)}"
        )
    },
    "search_filtered": {
        "distinct": lambda rng, st: (
            f"/api/v1/articles?q={rng.choice(SEARCH_WORDS)}&type={rng.choice(EVENT_TYPES)}"
            f"&limit=20&offset={rng.randrange(0, 200)}"
        )
    },
    # lists
    "articles": _list("/api/v1/articles"),
    "articles_filtered": _filtered("/api/v1/articles", "&limit=50"),
    "articles_walk": {
        "distinct": _walk("/api/v1/articles", True),
        "polled": _walk("/api/v1/articles", False),
    },
    "events": _list("/api/v1/events"),
    "events_filtered": _filtered("/api/v1/events", "&limit=50"),
    "events_walk": {
        "distinct": _walk("/api/v1/events", True),
        "polled": _walk("/api/v1/events", False),
    },
    "events_filtered_walk": {"distinct": _walk("/api/v1/events", True, filtered=True)},
    "map": {
        "distinct": lambda rng, st: (
            f"/api/v1/map?type={rng.choice(EVENT_TYPES)}&date_from={_any_day(rng)}"
            f"&country={rng.choice(('UKR', 'RUS', 'USA', 'DEU'))}"
        ),
        "polled": lambda rng, st: f"/api/v1/map?type={rng.choice(EVENT_TYPES)}",
    },
    "incidents": _list("/api/v1/incidents", 20_000),
    "incidents_filtered": {
        "distinct": lambda rng, st: (
            f"/api/v1/incidents?type={rng.choice(EVENT_TYPES)}&country=UKR"
            f"&date_from={_any_day(rng)}&offset={rng.randrange(0, 100)}"
        ),
        "polled": lambda rng, st: (
            f"/api/v1/incidents?type={rng.choice(EVENT_TYPES)}&country=UKR&date_from={_day(rng)}"
        ),
    },
    "stories": _list("/api/v1/stories", 4_000),
    "duplicates": _list("/api/v1/duplicates", 4_000),
    "aid": _list("/api/v1/aid", 10_000),
    "claims": _list("/api/v1/claims"),
    "entities": _list("/api/v1/entities"),
}
MODES = ("distinct", "polled")


def server_cpu_ms(root: int) -> float:
    """CPU time (user + system) of a process and all its descendants, in ms (Linux)."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        table[int(entry)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    tree, grew = {root}, True
    while grew:
        grew = False
        for pid, (parent, _) in table.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    ticks = sum(table[pid][1] for pid in tree if pid in table)
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


def drive(
    base: str, route: URL, seconds: float, clients: int, max_requests: int, server_pid: int
) -> dict:
    """Run one route for ``seconds`` (or ``max_requests``) from ``clients`` threads."""
    latencies: list[float] = []
    errors: list[str] = []
    hits = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
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
                        hits[0] += response.headers.get("x-veille-cache") == "hit"
                    else:
                        errors.append(f"{response.status_code} {url}")

    threads = [
        threading.Thread(target=worker, args=(random.randrange(1 << 30),)) for _ in range(clients)
    ]
    load = os.getloadavg()[0]
    cpu0, client0 = server_cpu_ms(server_pid), time.process_time()
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    server_cpu = server_cpu_ms(server_pid) - cpu0
    client_cpu = (time.process_time() - client0) * 1000
    latencies.sort()

    def pct(p: float) -> float:
        return (
            round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)
            if latencies
            else float("nan")
        )

    n = len(latencies)
    return {
        "requests": n,
        "errors": len(errors),
        "first_error": errors[0] if errors else None,
        "cache_hits": hits[0],
        "rps": round(n / wall, 1),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        # CPU of the server processes (and of the bench's own client threads) per request
        "server_cpu_ms_per_request": round(server_cpu / n, 2) if n else None,
        "client_cpu_ms_per_request": round(client_cpu / n, 2) if n else None,
        "load_average": round((load + os.getloadavg()[0]) / 2, 2),  # 1-minute, start and end
    }


def table(results: dict, clients: list[int]) -> str:
    """The results as a Markdown table: p50 / p95 ms (server CPU-ms per request)."""
    head = ["route", *(f"{m}, {c} client{'s' * (c > 1)}" for m in MODES for c in clients)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, modes in results.items():
        cells = [name]
        for mode in MODES:
            for c in clients:
                got = modes.get(mode, {}).get(f"{c}_clients")
                if not got or not got["requests"]:
                    cells.append("–")
                    continue
                cpu = got["server_cpu_ms_per_request"]
                cells.append(f"{got['p50_ms']:.0f} / {got['p95_ms']:.0f} ({cpu})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=None, help="store to use (built if absent)")
    parser.add_argument("--seconds", type=float, default=10.0, help="per route and client count")
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="server processes")
    parser.add_argument("--routes", nargs="+", default=list(ROUTES), choices=list(ROUTES))
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
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
    load_before = os.getloadavg()
    try:
        stats = httpx.get(base + "/api/v1/stats", timeout=60).json()
        rng = random.Random(1)
        # Each server worker keeps its own orders (built from a list's second use): warm
        # them up in every worker (a connection stays with one), so that the figures are
        # the steady cost of a page, not the one-off sort after each write.
        for name in args.routes:
            for route in ROUTES[name].values():
                for _ in range(2 * args.workers):
                    with httpx.Client(base_url=base, timeout=60) as client:
                        state: dict = {}
                        for _ in range(args.warmup):
                            client.get(route(rng, state))
        # The polled pages as a dashboard has been asking them for a while: each server
        # worker keeps its own answers, and a connection stays with one worker, so ask
        # them over several connections.
        for name in args.routes:
            route = ROUTES[name].get("polled")
            if route is None or getattr(route, "walks", False):
                continue
            for _ in range(2 * args.workers):
                with httpx.Client(base_url=base, timeout=60) as client:
                    for _ in range(100):
                        client.get(route(rng, {}))
        for name in args.routes:
            results[name] = {}
            for mode in args.modes:
                route = ROUTES[name].get(mode)
                if route is None:
                    continue
                results[name][mode] = {}
                for clients in args.clients:
                    got = drive(base, route, args.seconds, clients, args.max_requests, proc.pid)
                    results[name][mode][f"{clients}_clients"] = got
                    print(
                        f"{name:18s} {mode:8s} {clients} client(s): p50 {got['p50_ms']:7.1f} ms  "
                        f"p95 {got['p95_ms']:7.1f} ms  {got['rps']:6.1f} req/s  server "
                        f"{got['server_cpu_ms_per_request']} CPU-ms/req  {got['requests']} ok "
                        f"({got['cache_hits']} cached), {got['errors']} errors, "
                        f"load {got['load_average']}",
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
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "modes": {
            "distinct": "pages never asked before (random offsets to 20,000, any day, cursor "
            "walks from a random depth): computed by the server",
            "polled": "the same few pages again and again (a dashboard): from the page cache",
        },
        "routes": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(table(results, args.clients))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
