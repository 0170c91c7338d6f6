"""Full-text search over articles: tantivy, BM25, French stemming with accents folded.

The index lives in a folder beside the database (``settings.search_index_dir``). It holds
one document per article: title and clean text (analysed), outlet and publication day,
and the article's facets from its annotations (entity KB ids and names, event types,
countries, verification labels), so every filter is a term query inside tantivy and
ranking and totals stay exact. An article's annotations never change once stored (its id
hashes its bytes), so facets indexed with it stay true.

It is updated incrementally: :func:`index_articles` adds the stored articles it has not
seen, and adding an article twice replaces it, so re-running is idempotent. An index
written with another schema is rebuilt (it is a cache of the store).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import tantivy

from veille.errors import VeilleError
from veille.model import Analysis

# Analyzer name registered on every opened index (tantivy does not persist analyzers).
ANALYZER = "veille_fr"
STEM_LANGUAGE = "french"
# Title matches weigh more than body matches.
FIELD_BOOSTS = {"title": 2.0, "text": 1.0}
MAX_LIMIT = 100
WRITER_HEAP = 64_000_000
SNIPPET_CHARS = 220


class SearchError(VeilleError):
    code = "V601"


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """Filters combined with the text query (all must hold); ``None`` means "any"."""

    entity: str | None = None  # KB id of an entity mentioned in the article
    event_type: str | None = None  # PLOVER type of an event extracted from the article
    country: str | None = None  # ISO alpha-3 of an entity, event actor, target or location
    date_from: date | None = None  # publication date, inclusive
    date_to: date | None = None
    outlet: str | None = None
    verification: str | None = None  # of an event or claim in the article


@dataclass(frozen=True, slots=True)
class SearchHit:
    article_id: str
    score: float
    title: str | None
    outlet: str | None
    published: str | None
    snippet: str  # plain text; never HTML
    highlights: tuple[tuple[int, int], ...] = ()  # char offsets into ``snippet``


@dataclass(frozen=True, slots=True)
class SearchResult:
    total: int
    items: list[SearchHit] = field(default_factory=list)


# ---------------------------------------------------------------------------
# Index location and schema


def index_dir(settings: Any) -> Path:
    """The search index folder: ``settings.search_index_dir``, else ``<db>.search/``."""
    explicit = getattr(settings, "search_dir", None) or getattr(settings, "search_index_dir", None)
    if explicit:
        return Path(explicit)
    db_path = getattr(settings, "db_path", None) or getattr(settings, "db", None)
    if not db_path:
        raise SearchError("settings name neither search_index_dir nor db_path")
    db_path = Path(db_path)
    return db_path.with_name(db_path.name + ".search")


SCHEMA_VERSION = "3"  # bump when _schema() changes: older indexes are rebuilt
# Which database the index was built from: a database deleted and made anew (same path)
# must not be answered from the old one's index.
STORE_MARKER = "VEILLE_STORE"
FACETS = ("entity", "event_type", "country", "verification")


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("text", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("outlet", stored=True, tokenizer_name="raw", fast=True)
    # A day number (date.toordinal), not tantivy's nanosecond date: any date Python holds
    # fits, where a nanosecond timestamp overflows outside 1677-2262.
    builder.add_integer_field("published_day", stored=False, indexed=True, fast=True)
    builder.add_text_field("published_iso", stored=True, tokenizer_name="raw")
    for facet in FACETS:  # multi-valued exact terms, for filtering only
        builder.add_text_field(facet, stored=False, tokenizer_name="raw")
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    # Stem before folding: the Snowball French stemmer expects accented words.
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(40))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer(STEM_LANGUAGE))
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _marker_is(path: Path, expected: str) -> bool:
    try:
        return path.read_text(encoding="utf-8").strip() == expected
    except (OSError, UnicodeDecodeError):
        return False


def open_index(
    path: Path, *, create: bool = False, store_id: str | None = None
) -> tantivy.Index | None:
    """Open the index at ``path``; create it when asked, else return None if absent.

    An index of another schema version, or built from another database than ``store_id``
    (when given), is treated as absent (and replaced on create).
    """
    path = Path(path)
    exists = path.is_dir() and tantivy.Index.exists(str(path))
    current = (
        exists
        and _marker_is(path / "VEILLE_SCHEMA", SCHEMA_VERSION)
        and (store_id is None or _marker_is(path / STORE_MARKER, store_id))
    )
    if not current:
        if not create:
            return None
        if path.is_dir():
            shutil.rmtree(path)
        path.mkdir(parents=True)
    try:
        index = tantivy.Index(_schema(), path=str(path), reuse=True)
    except ValueError as exc:
        raise SearchError(f"cannot open search index: {exc}", path=str(path)) from exc
    if not current:
        (path / "VEILLE_SCHEMA").write_text(SCHEMA_VERSION + "\n")
        if store_id is not None:
            (path / STORE_MARKER).write_text(store_id + "\n", encoding="utf-8")
    index.register_tokenizer(ANALYZER, _analyzer())
    return index


# ---------------------------------------------------------------------------
# Indexing


@dataclass(frozen=True, slots=True)
class IndexDoc:
    """What the index keeps of an article."""

    id: str
    text: str
    title: str | None = None
    outlet: str | None = None
    published: date | None = None
    entity: tuple[str, ...] = ()  # KB ids and names of mentioned entities
    event_type: tuple[str, ...] = ()
    country: tuple[str, ...] = ()  # of entities and of event actors, targets, places
    verification: tuple[str, ...] = ()  # of events and claims

    @classmethod
    def from_analysis(cls, analysis: Analysis) -> IndexDoc:
        article = analysis.article
        entities = {m.kb_id for m in analysis.entities if m.kb_id}
        entities |= {m.name for m in analysis.entities}
        countries = {m.country for m in analysis.entities}
        for e in analysis.events:
            countries.add(e.location_country)
            countries |= {party.country for party in (e.actor, e.target) if party is not None}
        verifications = {x.verification for x in (*analysis.events, *analysis.claims)}
        return cls(
            id=article.id,
            text=article.text,
            title=article.title,
            outlet=article.outlet,
            published=article.published.value,
            entity=tuple(sorted(entities)),
            event_type=tuple(sorted({e.type for e in analysis.events})),
            country=tuple(sorted(c for c in countries if c)),
            verification=tuple(sorted(str(v) for v in verifications if v)),
        )


def indexed_ids(path: Path, store_id: str | None = None) -> set[str]:
    """Ids of the articles already in the index at ``path``."""
    index = open_index(path, store_id=store_id)
    if index is None:
        return set()
    searcher = index.searcher()
    if searcher.num_docs == 0:
        return set()
    hits = searcher.search(tantivy.Query.all_query(), limit=searcher.num_docs, count=False).hits
    return {searcher.doc(address)["id"][0] for _, address in hits}


def add_documents(path: Path, docs: Iterable[IndexDoc], store_id: str | None = None) -> int:
    """Add (or replace) documents in the index at ``path``; returns how many were written."""
    index = open_index(path, create=True, store_id=store_id)
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    count = 0
    for doc in docs:
        writer.delete_documents_by_term("id", doc.id)
        fields: dict[str, Any] = {"id": doc.id, "text": doc.text}
        if doc.title:
            fields["title"] = doc.title
        if doc.outlet:
            fields["outlet"] = doc.outlet
        if doc.published:
            fields["published_day"] = doc.published.toordinal()
            fields["published_iso"] = doc.published.isoformat()
        for facet in FACETS:
            if values := getattr(doc, facet):
                fields[facet] = list(values)
        writer.add_document(tantivy.Document(**fields))
        count += 1
    writer.commit()
    writer.wait_merging_threads()
    return count


def index_articles(store: Any, settings: Any) -> int:
    """Add stored articles missing from the search index; returns how many were added."""
    from veille.store.duckdb import queries

    path = index_dir(settings)
    store_id = queries.store_identity(store.connection())
    seen = indexed_ids(path, store_id)
    live = set(store.article_ids())
    if stale := seen - live:  # superseded versions leave the index with the store
        remove_documents(path, stale)
        seen -= stale
    docs = queries.iter_index_docs(store.connection(), exclude=seen)
    return add_documents(path, docs, store_id)


def remove_documents(path: Path, article_ids: Iterable[str]) -> None:
    """Delete these articles from the index at ``path``."""
    index = open_index(path)
    if index is None:
        return
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=1)
    for article_id in article_ids:
        writer.delete_documents_by_term("id", article_id)
    writer.commit()
    writer.wait_merging_threads()
    index.reload()


# ---------------------------------------------------------------------------
# Searching


def _filter_clauses(index: tantivy.Index, filters: SearchFilters):
    schema = index.schema
    must = tantivy.Occur.Must
    clauses: list[tuple[tantivy.Occur, tantivy.Query]] = []
    terms = {
        "outlet": filters.outlet,
        "entity": filters.entity,
        "event_type": filters.event_type,
        "country": filters.country,
        "verification": filters.verification,
    }
    for name, value in terms.items():
        if value:
            clauses.append((must, tantivy.Query.term_query(schema, name, value)))
    if filters.date_from or filters.date_to:
        lo = (filters.date_from or date.min).toordinal()
        hi = (filters.date_to or date.max).toordinal()
        clauses.append(
            (
                must,
                tantivy.Query.range_query(
                    schema, "published_day", tantivy.FieldType.Integer, lo, hi
                ),
            )
        )
    return clauses


def _text_query(index: tantivy.Index, query: str) -> tantivy.Query:
    parsed, _errors = index.parse_query_lenient(
        query, ["title", "text"], field_boosts=FIELD_BOOSTS, conjunction_by_default=True
    )
    return parsed


def _byte_to_char_ranges(fragment: str, ranges: Iterator[Any]) -> tuple[tuple[int, int], ...]:
    encoded = fragment.encode("utf-8")
    out = []
    for r in ranges:
        start = len(encoded[: r.start].decode("utf-8", errors="ignore"))
        end = len(encoded[: r.end].decode("utf-8", errors="ignore"))
        out.append((start, end))
    return tuple(out)


def search(
    settings: Any,
    query: str,
    filters: SearchFilters | None = None,
    limit: int = 20,
    offset: int = 0,
    *,
    index: tantivy.Index | None = None,
) -> SearchResult:
    """Ranked articles matching ``query`` (tantivy syntax; empty means all) and ``filters``.

    ``index`` is an already open index (the API keeps one); else it is opened here.
    """
    filters = filters or SearchFilters()
    limit = max(0, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    if index is None:
        index = open_index(index_dir(settings))
    if index is None:
        return SearchResult(total=0)
    text = query.strip()
    clauses = _filter_clauses(index, filters)
    text_query = _text_query(index, text) if text else tantivy.Query.all_query()
    if clauses:
        full = tantivy.Query.boolean_query([(tantivy.Occur.Must, text_query), *clauses])
    else:
        full = text_query
    searcher = index.searcher()
    # tantivy panics on a zero limit: count with one, return no items.
    result = searcher.search(full, limit=max(1, limit), offset=offset, count=True)
    hits = result.hits if limit > 0 else []
    snippets = (
        tantivy.SnippetGenerator.create(searcher, text_query, index.schema, "text")
        if text
        else None
    )
    items = []
    for score, address in hits:
        doc = searcher.doc(address)
        body = doc["text"][0] if doc["text"] else ""
        if snippets is not None:
            snippets.set_max_num_chars(SNIPPET_CHARS)
            snip = snippets.snippet_from_doc(doc)
            fragment = snip.fragment()
            highlights = _byte_to_char_ranges(fragment, snip.highlighted())
        else:
            fragment, highlights = body[:SNIPPET_CHARS], ()
        items.append(
            SearchHit(
                article_id=doc["id"][0],
                score=float(score),
                title=(doc.get_first("title") if "title" in doc.to_dict() else None),
                outlet=(doc.get_first("outlet") if "outlet" in doc.to_dict() else None),
                published=(
                    doc.get_first("published_iso") if "published_iso" in doc.to_dict() else None
                ),
                snippet=fragment or body[:SNIPPET_CHARS],
                highlights=highlights if fragment else (),
            )
        )
    return SearchResult(total=int(result.count or 0), items=items)
