"""What a fetched source is (feed, sitemap, page) and the items it lists; OPML lists.

Feeds go through feedparser (RSS 0.9x/1.0/2.0, Atom), always given bytes wrapped in a
stream so that it never fetches anything itself. Sitemaps and OPML are small XML
vocabularies read with the standard library.
"""

from __future__ import annotations

import contextlib
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urljoin

from veille.fetch.client import Response
from veille.fetch.errors import NotAFeedError
from veille.fetch.urls import is_web_url
from veille.ingest.errors import FormatError
from veille.model import FuzzyDate, Precision, SourceKind

_SNIFF = 2048


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One entry of a feed or sitemap: what the page may lack comes from here."""

    url: str
    title: str | None = None
    published: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    outlet: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    """The items of a feed or sitemap, plus child sitemaps of a sitemap index."""

    kind: SourceKind
    title: str | None
    items: tuple[FeedItem, ...]
    sitemaps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OpmlSource:
    url: str
    name: str | None
    language: str | None


def detect_kind(response: Response) -> SourceKind:
    """Feed, sitemap or page, from the content type and the first bytes of the body."""
    head = response.body[:_SNIFF].lstrip().lower()
    if b"<urlset" in head or b"<sitemapindex" in head:
        return SourceKind.SITEMAP
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return SourceKind.FEED
    if response.content_type in ("text/html", "application/xhtml+xml") or b"<html" in head:
        return SourceKind.PAGE
    if head.startswith(b"<?xml"):
        return SourceKind.FEED  # let feedparser decide (and say so when it cannot)
    raise NotAFeedError(
        f"neither a feed, a sitemap nor an HTML page ({response.content_type or 'no type'})",
        path=response.url,
    )


def _entry_date(entry) -> FuzzyDate:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)
        if parsed:
            try:
                return FuzzyDate(date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday), Precision.DAY)
            except ValueError:
                continue
    return FuzzyDate.unknown()


def parse_feed(response: Response, limit: int) -> Listing:
    """The newest ``limit`` entries of an RSS or Atom feed that link to a web page."""
    import feedparser

    headers = {"content-location": response.url}
    if response.content_type:
        charset = f"; charset={response.charset}" if response.charset else ""
        headers["content-type"] = response.content_type + charset
    parsed = feedparser.parse(io.BytesIO(response.body), response_headers=headers)
    if not parsed.get("version") and not parsed.entries:
        reason = getattr(parsed.get("bozo_exception"), "getMessage", lambda: None)() or (
            "no feed found"
        )
        raise NotAFeedError(f"not a readable RSS or Atom feed: {reason}", path=response.url)
    outlet = (parsed.feed.get("title") or "").strip() or None
    items: list[FeedItem] = []
    for entry in parsed.entries:
        link = (entry.get("link") or "").strip()
        if not link:
            continue
        link = urljoin(response.url, link)
        if not is_web_url(link):
            continue
        title = (entry.get("title") or "").strip() or None
        items.append(FeedItem(link, title, _entry_date(entry), outlet))
        if len(items) >= limit:
            break
    return Listing(SourceKind.FEED, outlet, tuple(items))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_root(body: bytes, where: str) -> ET.Element:
    try:
        return ET.fromstring(body)
    except ET.ParseError as exc:
        raise NotAFeedError(f"invalid XML: {exc}", path=where) from exc


def parse_sitemap(response: Response, limit: int) -> Listing:
    """Page URLs of a sitemap (newest ``lastmod`` first), or the sitemaps of an index."""
    root = _xml_root(response.body, response.url)
    items: list[FeedItem] = []
    children: list[str] = []
    for node in root:
        loc = lastmod = None
        for child in node:
            name = _local(child.tag)
            if name == "loc":
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = (child.text or "").strip()
        if not loc or not is_web_url(loc):
            continue
        if _local(node.tag) == "sitemap":
            children.append(loc)
            continue
        published = FuzzyDate.unknown()
        if lastmod:
            with contextlib.suppress(ValueError):
                published = FuzzyDate(date.fromisoformat(lastmod[:10]), Precision.DAY)
        items.append(FeedItem(loc, None, published))
    items.sort(key=lambda i: i.published.value or date.min, reverse=True)
    return Listing(SourceKind.SITEMAP, None, tuple(items[:limit]), tuple(children))


def parse_opml(path: Path) -> list[OpmlSource]:
    """The feeds listed in an OPML file (``outline`` elements with an ``xmlUrl``)."""
    try:
        body = path.read_bytes()
    except OSError as exc:
        raise FormatError(
            f"cannot read the OPML file: {exc.strerror or exc}", path=str(path)
        ) from exc
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise FormatError(f"invalid OPML (XML): {exc}", path=str(path)) from exc
    if _local(root.tag).lower() != "opml":
        raise FormatError("not an OPML file (no <opml> root)", path=str(path))
    found: list[OpmlSource] = []
    for node in root.iter():
        if _local(node.tag) != "outline":
            continue
        url = (node.get("xmlUrl") or node.get("xmlurl") or "").strip()
        if not is_web_url(url):
            continue
        name = (node.get("title") or node.get("text") or "").strip() or None
        language = (node.get("language") or "").strip().lower() or None
        found.append(OpmlSource(url, name, language))
    return found
