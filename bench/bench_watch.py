"""Watching at scale: a local site of many feeds, polled into a fresh database.

    .venv/bin/python bench/bench_watch.py                        # 200 feeds, 5,000 items
    .venv/bin/python bench/bench_watch.py --analysis real --feeds 40 --items 10

Fixture web servers listen on 127.0.0.1 ... 127.0.0.N (``--hosts``, all loopback), each
serving robots.txt, RSS feeds (with ETags: an unchanged feed answers 304) and article
pages. Article texts are the benchmark corpus (bench/corpus.py) with one varying line, so
every page is its own article. Measured:

- first pass: every feed and every item fetched, extracted (trafilatura), analysed,
  stored, linked and indexed: items/s end-to-end and requests per host;
- second pass of the unchanged feeds: requests made (conditional only) and items stored.

``--analysis fake`` (default) keeps language identification but skips the spaCy analysis,
so the fetching side is what is measured at full size; ``--analysis real`` runs the whole
French pipeline (use a smaller size: it is the slow part, see bench_pipeline.py). The
per-host pace is lowered to ``--host-interval`` (the polite default is 2 s). Results go
to bench/results/watch.json. The machine may be shared: timings are noisy.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from corpus import load_texts

from veille.fetch import Fetcher, Watcher, new_source
from veille.pipeline import LanguageStage, default_stages
from veille.settings import load_settings
from veille.store import open_store

ROOT = Path(__file__).resolve().parents[1]


class Site:
    """One host's feeds and pages, built in memory."""

    def __init__(self) -> None:
        self.base = ""
        self.pages: dict[str, bytes] = {}
        self.feeds: dict[str, bytes] = {}
        self.hits: Counter[str] = Counter()
        self.lock = threading.Lock()

    def build(self, feeds: list[int], items: int, texts: list[str]) -> None:
        """Feeds and pages; call once ``base`` (the server's URL) is known."""
        base = self.base
        for feed in feeds:
            entries = []
            for j in range(items):
                n = feed * items + j
                path = f"/a/{feed}/{j}.html"
                text = texts[n % len(texts)]
                paragraphs = "".join(
                    f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip()
                )
                self.pages[path] = (
                    '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">'
                    f"<title>Dépêche {n}</title></head><body><article>"
                    f"<p>Dépêche numéro {n} du fil {feed}.</p>{paragraphs}</article></body></html>"
                ).encode()
                entries.append(
                    f"<item><title>Dépêche {n}</title><link>{base}{path}?utm_source=rss</link>"
                    "<pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate></item>"
                )
            self.feeds[f"/feed/{feed}.xml"] = (
                '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
                f"<title>Fil {feed}</title>{''.join(entries)}</channel></rss>"
            ).encode()

    def respond(self, path: str, headers) -> tuple[int, dict[str, str], bytes]:
        route = path.split("?")[0]
        with self.lock:
            self.hits["robots" if route == "/robots.txt" else route.split("/")[1]] += 1
        if route == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /admin/\n"
        if route in self.feeds:
            body = self.feeds[route]
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if headers.get("If-None-Match") == etag:
                return 304, {"ETag": etag}, b""
            return 200, {"Content-Type": "application/rss+xml", "ETag": etag}, body
        if route in self.pages:
            return 200, {"Content-Type": "text/html; charset=utf-8"}, self.pages[route]
        return 404, {"Content-Type": "text/plain"}, b"not found"


def serve(site: Site, host: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            status, extra, body = site.respond(self.path, self.headers)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args) -> None:
            pass

    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    site.base = f"http://{host}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=25, help="items per feed")
    parser.add_argument("--hosts", type=int, default=10)
    parser.add_argument("--host-interval", type=float, default=0.02)
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--analysis", choices=("fake", "real"), default="fake")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "watch.json")
    args = parser.parse_args()

    texts = load_texts(64)
    sites, servers = [], []
    for h in range(args.hosts):
        feeds = list(range(h, args.feeds, args.hosts))
        site = Site()
        server = serve(site, f"127.0.0.{h + 1}")
        site.build(feeds, args.items, texts)
        sites.append(site)
        servers.append(server)

    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            overrides={
                "db_path": Path(tmp) / "watch.duckdb",
                "fetch_host_interval_s": args.host_interval,
                "fetch_concurrency": args.concurrency,
                "fetch_max_items": max(args.items, 1),
            },
            env={},
        )
        stages = default_stages(settings) if args.analysis == "real" else [LanguageStage()]
        with open_store(settings.db_path) as store, Fetcher(settings) as fetcher:
            for site in sites:
                for feed_path in site.feeds:
                    store.add_source(new_source(site.base + feed_path, settings))
            watcher = Watcher(store, settings, fetcher=fetcher, stages=stages)
            started = time.perf_counter()
            first = watcher.poll()
            first_s = time.perf_counter() - started
            requests_first = dict(fetcher.requests_per_host)
            fetcher.requests_per_host.clear()
            started = time.perf_counter()
            second = watcher.poll(now=datetime.now(UTC) + timedelta(days=1))
            second_s = time.perf_counter() - started
            requests_second = dict(fetcher.requests_per_host)
            stats = store.stats()

    for server in servers:
        server.shutdown()
        server.server_close()
    items = args.feeds * args.items
    per_host = sorted(requests_first.values())
    result = {
        "feeds": args.feeds,
        "items": items,
        "hosts": args.hosts,
        "analysis": args.analysis,
        "host_interval_s": args.host_interval,
        "concurrency": args.concurrency,
        "first_pass_s": round(first_s, 2),
        "first_pass_fetch_s": round(first.fetch_seconds, 2),
        "first_pass_ingest_s": round(first_s - first.fetch_seconds, 2),
        "first_pass_link_s": round(first.summary.link_seconds, 2) if first.summary else None,
        "first_pass_stored": first.stored,
        "first_pass_pages_fetched": first.pages_fetched,
        "items_per_s_end_to_end": round(first.stored / first_s, 1) if first_s else None,
        "first_pass_requests": sum(per_host),
        "requests_per_host_min_max": [per_host[0], per_host[-1]] if per_host else [],
        "requests_per_host": {k.split("//")[1]: v for k, v in sorted(requests_first.items())},
        "second_pass_s": round(second_s, 2),
        "second_pass_requests": sum(requests_second.values()),
        "second_pass_not_modified": sum(r.status == "not modified" for r in second.sources),
        "second_pass_stored": second.stored,
        "articles_in_db": stats["articles"],
        "errors": len(first.errors) + len(second.errors),
        "machine": platform.platform(),
        "note": "2 shared cores; timings are noisy",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
