"""Canonical URLs: the same article reached from two feeds must have one address.

courlan (trafilatura's URL library) lowercases scheme and host, drops default ports and
tracking parameters (``utm_*``, ``xtor``, ``fbclid``...) and sorts the query; the fragment
is dropped here because it never names a different page.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from courlan import normalize_url


def canonical_url(url: str) -> str:
    """``url`` without fragment, tracking parameters, default port or case noise."""
    text = url.strip()
    try:
        normal = normalize_url(text, strict=False)
    except ValueError:  # courlan refuses some odd URLs; keep them as given, minus fragment
        normal = text
    parts = urlsplit(normal)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    """``scheme://host[:port]``, the unit of politeness (robots.txt, rate limit)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def is_web_url(value: str) -> bool:
    return value.strip().lower().startswith(("http://", "https://"))
