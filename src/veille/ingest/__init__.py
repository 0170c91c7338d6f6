"""Ingest: files, folders and globs in; RawDocuments (then Articles) out. No NLP here.

    for item in iter_documents(paths, settings):      # RawDocument or InputError
        article = to_article(item, rules)            # cleaned, ids set

Article id = blake2b(source + raw bytes): the same file again adds nothing, a changed file
becomes a new version. content_hash = blake2b(clean text).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from veille.clean import CleanRules, clean_lines, extract_html
from veille.ingest.errors import InputError, NoArticleTextError, is_skip
from veille.ingest.formats import RawDocument, parse_partial_date, read_documents
from veille.ingest.meta import MetaTable, load_run_meta, outlet_from_url
from veille.ingest.sources import expand_paths
from veille.model import Article, stable_id
from veille.settings import Settings

MIN_ARTICLE_CHARS = 40  # below this the "article" is a fragment, not worth analysing


def list_inputs(paths: Iterable[str | Path], settings: Settings) -> list[Path | InputError]:
    """Every input file (or path error) named by ``paths``; cheap, done before reading."""
    return list(expand_paths(paths, settings.extensions))


def iter_documents(
    paths: Iterable[str | Path], settings: Settings
) -> Iterator[RawDocument | InputError]:
    """Read every input lazily; errors are yielded in place, never raised."""
    for item in expand_paths(paths, settings.extensions):
        if isinstance(item, InputError):
            yield item
        else:
            yield from read_documents(item, settings.max_file_bytes)


def _is_host_name(name: str, url: str | None) -> bool:
    """Whether ``name`` is only the page's host (a fallback, not a site name)."""
    if not url:
        return False
    parts = urlparse(url)
    host = (parts.hostname or "").lower()
    return name.lower() in {host, host.removeprefix("www."), parts.netloc.lower()}


def to_article(
    doc: RawDocument, rules: CleanRules, *, ingested_at: datetime | None = None
) -> Article:
    """Clean a raw document into an Article; raises NoArticleTextError when nothing is left."""
    title, url, outlet, published = doc.title, doc.url, doc.outlet, doc.published
    body = doc.text
    if doc.input_format == "html":
        page = extract_html(doc.text, url)
        if not page.text:
            raise NoArticleTextError("no article text found in the HTML page", path=doc.path)
        body = page.text
        # The page says best; what a feed said about it (doc fields) fills the gaps. An
        # outlet that is only the page's host name yields to the feed's outlet name.
        title = page.title or title
        url = url or page.url
        if page.outlet and (outlet is None or not _is_host_name(page.outlet, page.url)):
            outlet = page.outlet
        if page.published.value is not None:
            published = page.published
    result = clean_lines(body, rules, title=title)
    if len(result.text) < MIN_ARTICLE_CHARS:
        raise NoArticleTextError(
            f"no article text: only {len(result.text)} characters left after cleaning",
            path=doc.path,
        )
    if published.value is None:
        published = result.published
    outlet = outlet or outlet_from_url(url)
    return Article(
        id=doc.article_id,
        source=doc.source,
        text=result.text,
        title=result.title,
        url=url,
        outlet=outlet,
        language=doc.language,
        published=published,
        ingested_at=ingested_at or datetime.now(UTC),
        content_hash=stable_id(result.text),
        raw_hash=doc.raw_hash,
        input_format=doc.input_format,
        dropped_lines=result.dropped_lines,
    )


__all__ = [
    "InputError",
    "MetaTable",
    "RawDocument",
    "is_skip",
    "iter_documents",
    "list_inputs",
    "load_run_meta",
    "parse_partial_date",
    "read_documents",
    "to_article",
]
