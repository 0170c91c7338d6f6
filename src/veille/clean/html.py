"""HTML pages: main text and metadata through trafilatura, publication date through htmldate."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlparse

from veille.model import FuzzyDate, Precision


@dataclass(frozen=True, slots=True)
class HtmlExtract:
    text: str | None  # main text, paragraphs separated by newlines; None when nothing found
    title: str | None
    published: FuzzyDate
    outlet: str | None
    url: str | None


def _iso_day(value: str | None) -> FuzzyDate:
    if not value:
        return FuzzyDate.unknown()
    try:
        return FuzzyDate(date.fromisoformat(value[:10]), Precision.DAY)
    except ValueError:
        return FuzzyDate.unknown()


def extract_html(html: str, url: str | None = None) -> HtmlExtract:
    """Main text, title, site name and publication date of an article page."""
    import trafilatura
    from htmldate import find_date

    document = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        favor_precision=True,
    )
    text = title = outlet = None
    page_url = url
    if document is not None:
        text = (document.text or "").strip() or None
        title = (document.title or "").strip() or None
        outlet = (document.sitename or "").strip() or None
        page_url = page_url or document.url
    published = FuzzyDate.unknown()
    with contextlib.suppress(ValueError, TypeError):  # htmldate rejects some malformed pages
        published = _iso_day(
            find_date(html, url=page_url, original_date=True, extensive_search=False)
        )
    if outlet is None and page_url:
        outlet = urlparse(page_url).hostname
    return HtmlExtract(text, title, published, outlet, page_url)
