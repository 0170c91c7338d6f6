"""Fetching: feeds, sitemaps and pages from the web, politely, into the normal pipeline.

client.py   Fetcher: robots.txt, per-host pace, conditional GET, limits, retries
urls.py     canonical URLs (no fragment, no tracking parameters)
parse.py    feed / sitemap / page detection, feed and sitemap items, OPML lists
raw.py      fetched bytes kept content-addressed beside the database
watch.py    Watcher: one poll pass over due sources and folders, then run_on_store
"""

from veille.fetch.client import Fetcher, Response, user_agent
from veille.fetch.errors import FetchError
from veille.fetch.parse import parse_opml
from veille.fetch.urls import canonical_url, is_web_url
from veille.fetch.watch import PassReport, SourceReport, Watcher, new_source, parse_every

__all__ = [
    "FetchError",
    "Fetcher",
    "PassReport",
    "Response",
    "SourceReport",
    "Watcher",
    "canonical_url",
    "is_web_url",
    "new_source",
    "parse_every",
    "parse_opml",
    "user_agent",
]
