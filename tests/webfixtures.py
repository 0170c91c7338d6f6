"""A local web site for the fetch tests: feeds, pages and every misbehaviour, on 127.0.0.1.

``FixtureSite`` serves from memory and records each request (path and headers), so tests
can say what was asked and how often. Articles are short French texts written for these
tests. Nothing here reaches beyond the loopback interface.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

PARAGRAPHS = {
    "a1": [
        "Une frappe de drones a visé dans la nuit de lundi à mardi un dépôt de carburant "
        "situé à la périphérie de Kharkiv, a indiqué l'administration régionale.",
        "Selon le gouverneur, l'incendie provoqué par l'attaque a été maîtrisé au petit matin "
        "par les pompiers, qui sont intervenus pendant plus de quatre heures.",
        "Les autorités locales affirment qu'aucune victime n'a été signalée, mais plusieurs "
        "bâtiments voisins ont été endommagés par l'onde de choc.",
    ],
    "a2": [
        "Le gouvernement néerlandais a annoncé mercredi une nouvelle enveloppe d'aide "
        "militaire destinée à l'Ukraine, comprenant des munitions d'artillerie.",
        "Le ministre de la Défense a précisé devant le Parlement que les premières "
        "livraisons devaient intervenir avant la fin du trimestre.",
        "Cette annonce intervient après une réunion des alliés consacrée à la défense "
        "aérienne et au renforcement des stocks de munitions en Europe.",
    ],
    "a3": [
        "Des bombardements ont touché jeudi plusieurs quartiers résidentiels de Kherson, "
        "selon les services de secours ukrainiens, qui font état de dégâts importants.",
        "Le maire de la ville a appelé les habitants à rester dans les abris tant que "
        "l'alerte aérienne restait en vigueur dans toute la région.",
        "Les équipes de déminage poursuivaient leur travail dans l'après-midi autour d'une "
        "école dont la toiture a été en partie détruite.",
    ],
}
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def article_html(key: str, *, title: str | None = None, with_meta: bool = True) -> str:
    """An article page; ``with_meta=False`` leaves out title, site name and date."""
    paragraphs = PARAGRAPHS.get(key) or [
        f"Article {key} : la situation sur le front reste tendue selon les observateurs, "
        "qui décrivent des combats d'intensité variable le long de la ligne de contact.",
        "Les autorités régionales ont annoncé l'ouverture de nouveaux centres d'accueil "
        "pour les familles déplacées par les bombardements des derniers jours.",
        "Plusieurs organisations humanitaires demandent un accès sûr aux localités proches "
        "du front afin d'y acheminer de l'eau, des médicaments et du matériel.",
    ]
    head = ""
    if with_meta:
        head = (
            f"<title>{escape(title or 'Article ' + key)}</title>"
            '<meta property="og:site_name" content="Le Quotidien du Test">'
            '<meta property="article:published_time" content="2024-03-05T08:00:00+00:00">'
        )
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">{head}</head>'
        f"<body><nav>Accueil | Monde</nav><article>{body}</article>"
        "<footer>Mentions légales</footer></body></html>"
    )


@dataclass
class FeedEntry:
    path: str  # e.g. /articles/a1.html?utm_source=rss#top
    title: str
    published: str = "Tue, 05 Mar 2024 08:00:00 GMT"


def rss(base: str, entries: list[FeedEntry], title: str = "Le Quotidien du Test") -> str:
    items = "".join(
        f"<item><title>{escape(e.title)}</title><link>{escape(base + e.path)}</link>"
        f"<pubDate>{e.published}</pubDate></item>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(title)}</title><link>{base}/</link>"
        f"<description>Fil de test</description>{items}</channel></rss>"
    )


def atom(base: str, entries: list[FeedEntry]) -> str:
    items = "".join(
        f"<entry><title>{escape(e.title)}</title>"
        f'<link rel="alternate" href="{escape(base + e.path)}"/>'
        f"<id>{escape(base + e.path)}</id><updated>2024-03-06T09:30:00Z</updated></entry>"
        for e in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>La Gazette Atom</title><id>{base}/atom.xml</id>"
        f"<updated>2024-03-06T09:30:00Z</updated>{items}</feed>"
    )


@dataclass
class FixtureSite:
    """Routes and state; ``base`` is set once the server listens."""

    base: str = ""
    rss_entries: list[FeedEntry] = field(default_factory=list)
    atom_entries: list[FeedEntry] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    hits: Counter = field(default_factory=Counter)
    slow_seconds: float = 2.0
    huge_bytes: int = 300_000
    robots: str = ROBOTS
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.rss_entries = [
            FeedEntry("/articles/a1.html?utm_source=rss&utm_medium=feed#haut", "Frappe à Kharkiv"),
            FeedEntry("/articles/a2.html", "Aide néerlandaise"),
            FeedEntry("/private/secret.html", "Page interdite"),
            FeedEntry("/nodate.html", "Titre venu du flux"),
        ]
        self.atom_entries = [
            FeedEntry("/articles/a2.html?xtor=RSS-12", "Aide néerlandaise (Atom)"),
            FeedEntry("/articles/a3.html", "Bombardements à Kherson"),
        ]

    def paths_requested(self) -> list[str]:
        with self.lock:
            return [p for p, _ in self.requests]

    def respond(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a request; may sleep (slow path)."""
        with self.lock:
            self.requests.append((path, headers))
            self.hits[path.split("?")[0]] += 1
            hits = self.hits[path.split("?")[0]]
        route = path.split("?")[0]
        html = {"Content-Type": "text/html; charset=utf-8"}
        if route == "/robots.txt":
            return 200, {"Content-Type": "text/plain"}, self.robots.encode()
        if route in ("/rss.xml", "/atom.xml"):
            body = (
                rss(self.base, self.rss_entries)
                if route == "/rss.xml"
                else atom(self.base, self.atom_entries)
            ).encode("utf-8")
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            if headers.get("if-none-match") == etag:
                return 304, {"ETag": etag}, b""
            kind = "application/rss+xml" if route == "/rss.xml" else "application/atom+xml"
            return 200, {"Content-Type": kind, "ETag": etag}, body
        if route == "/feeds.opml":
            body = (
                '<?xml version="1.0"?><opml version="2.0"><head><title>Abonnements</title></head>'
                f'<body><outline text="Presse"><outline type="rss" text="Le Quotidien" '
                f'xmlUrl="{self.base}/rss.xml"/><outline type="rss" title="La Gazette" '
                f'xmlUrl="{self.base}/atom.xml" language="fr"/></outline></body></opml>'
            )
            return 200, {"Content-Type": "text/x-opml"}, body.encode()
        if route == "/sitemap.xml":
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<url><loc>{self.base}/articles/a3.html</loc><lastmod>2024-03-07</lastmod></url>"
                f"<url><loc>{self.base}/articles/s1.html</loc><lastmod>2024-03-08</lastmod></url>"
                "</urlset>"
            )
            return 200, {"Content-Type": "application/xml"}, body.encode()
        if route.startswith("/articles/") and route.endswith(".html"):
            key = route.rsplit("/", 1)[-1].removesuffix(".html")
            return 200, html, article_html(key).encode("utf-8")
        if route == "/nodate.html":
            return 200, html, article_html("nodate", with_meta=False).encode("utf-8")
        if route.startswith("/private/"):
            return 200, html, article_html("secret").encode("utf-8")
        if route == "/limited.html":  # 429 once, then the page
            if hits == 1:
                return 429, {"Retry-After": "1", "Content-Type": "text/plain"}, b"slow down"
            return 200, html, article_html("limited").encode("utf-8")
        if route == "/flaky.html":  # 500 once, then the page
            if hits == 1:
                return 500, {"Content-Type": "text/plain"}, b"oops"
            return 200, html, article_html("flaky").encode("utf-8")
        if route == "/broken.html":  # 500 for ever
            return 500, {"Content-Type": "text/plain"}, b"down"
        if route == "/slow.html":
            time.sleep(self.slow_seconds)
            return 200, html, article_html("slow").encode("utf-8")
        if route == "/loop-a":
            return 302, {"Location": "/loop-b"}, b""
        if route == "/loop-b":
            return 302, {"Location": f"{self.base}/loop-a"}, b""
        if route == "/moved.html":
            return 301, {"Location": "/articles/a1.html"}, b""
        if route == "/huge.html":
            return 200, html, b"<p>" + b"x" * self.huge_bytes + b"</p>"
        if route == "/huge-stream.html":  # no Content-Length: only counting bytes catches it
            return 200, {**html, "X-Stream": "1"}, b"<p>" + b"y" * self.huge_bytes + b"</p>"
        if route == "/image.png":
            return 200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        return 404, {"Content-Type": "text/plain"}, b"not found"


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        status, extra, body = self.site.respond(self.path, headers)
        try:
            self.send_response(status)
            stream = extra.pop("X-Stream", None)
            for name, value in extra.items():
                self.send_header(name, value)
            if stream:
                self.send_header("Connection", "close")
                self.close_connection = True
            else:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size limit): expected in these tests

    def log_message(self, format: str, *args) -> None:
        pass


class SiteServer:
    """``with SiteServer() as site:`` serves a FixtureSite on 127.0.0.1 (a free port)."""

    def __init__(self, site: FixtureSite | None = None, host: str = "127.0.0.1") -> None:
        self.site = site or FixtureSite()
        handler = type("Handler", (_Handler,), {"site": self.site})
        self.server = ThreadingHTTPServer((host, 0), handler)
        self.server.daemon_threads = True
        self.site.base = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FixtureSite:
        self.thread.start()
        return self.site

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
