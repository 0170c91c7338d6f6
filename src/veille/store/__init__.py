"""Where analyses rest: the ``Store`` protocol and ``open_store``.

Only the pipeline driver writes (one writer); query modules read ``connection()``.
Schema (``store/duckdb/migrations/001_initial.sql``; later ``002_*.sql``... apply in order,
recorded in ``schema_version``). Offsets are ``*_start``/``*_end`` into ``articles.text``;
dates are DATE + ``*_precision`` (day/week/month/year/unknown); money is DECIMAL(38,4) plus
``*_text`` = exact ``str(Decimal)``; datetimes are naive UTC.

===========================  ==================================================================
table                        columns (key first)
===========================  ==================================================================
articles                     id, source, version (latest per source), text, title, url,
                             outlet, language, published_date, published_precision, ingested_at,
                             stored_at, content_hash, raw_hash, input_format,
                             dropped_lines (JSON), flags (VARCHAR[]), num_chars
entity_mentions              (article_id, idx), start_char, end_char, text, label, name, kb_id,
                             country, sector, role, refers_to, resolved_by, lat, lon
quantities                   (article_id, idx), start_char, end_char, text, value, value_text,
                             unit, kind, qualifier, usd_value, usd_value_text, fx_year
times                        (article_id, idx), start_char, end_char, text, date,
                             date_precision, end_date, end_precision
events                       (article_id, idx), id, type, sentence_start/end/text,
                             trigger_start/end/text, mode, modality,
                             actor_text/name/country/sector/kb_id, target_* (same),
                             location_name, location_place_country, location_kb_id,
                             location_lat, location_lon, location_country, date,
                             date_precision, quantities (JSON), claimed_by, verification,
                             confidence, stage
aid_commitments              (article_id, idx), id, evidence (JSON spans), donor, recipient,
                             kind, mechanism, value, value_text, currency, usd_value,
                             usd_value_text, qualifier, status, items (JSON),
                             announced_date, announced_precision, confidence, stage
claims                       (article_id, idx), id, sentence_*, content_*, cue,
                             speaker_text/name/country/sector/kb_id, anonymous, verification,
                             verification_evidence (JSON span), confidence, stage
duplicate_groups             id, kind, similarity, outlets[], urls[]
duplicate_group_articles     (group_id, idx), article_id
incidents                    id, type, mode, actor, target, location_* (as events),
                             location_country, date, date_precision, num_mentions,
                             num_articles, num_sources, first_seen, last_seen, claimants[],
                             verification
incident_events              (incident_id, idx), event_id
incident_articles            (incident_id, idx), article_id
merged_aid                   id, donor, recipient, kind, mechanism, value, value_text,
                             currency, usd_value, usd_value_text, status (latest)
merged_aid_commitments       (merged_id, idx), commitment_id
merged_aid_history           (merged_id, idx), status, date, date_precision, article_id,
                             commitment_id, evidence_start, evidence_end, evidence_text
stories                      id, label, top_entities[], first_date, last_date
story_articles               (story_id, idx), article_id
article_versions             (source, version), article_id, title, content_hash, raw_hash,
                             num_chars, stored_at, superseded_at (NULL: current). Only
                             current versions are in `articles` and the annotation tables.
runs                         id, started_at, finished_at (NULL: killed, or linking failed;
                             the next run then re-links), read, stored, known, skipped, failed
sources                      id, url (canonical), name, language, every_seconds, kind
                             (feed/sitemap/page), added_at, etag, last_modified,
                             last_fetch_at, last_status, last_error, last_new_at,
                             error_count (consecutive), next_poll_at, articles
fetched_urls                 url (canonical), source_id, first_seen, last_try, status
                             (stored/known/skipped/failed/retry), attempts, raw_hash,
                             article_id, detail
schema_version               version, name, applied_at
===========================  ==================================================================

``save_duplicate_groups/save_incidents/save_merged_aid/save_stories`` replace the whole
set by default (``replace_all=True``: the list given IS the new state); with
``replace_all=False`` they upsert only the records given and delete the ids in ``remove``
(what incremental linking uses). Both are idempotent.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from veille.model import (
    Analysis,
    Article,
    DuplicateGroup,
    Event,
    Incident,
    MergedAid,
    Source,
    Story,
)


class Store(Protocol):
    path: str

    def has_article(self, article_id: str) -> bool: ...
    def known_ids(self, article_ids: Iterable[str]) -> set[str]: ...
    def article_ids(self) -> list[str]: ...
    def resolve_article_id(self, prefix: str) -> list[str]: ...
    def save_batch(self, analyses: list[Analysis]) -> int: ...
    def deferred_entity_stats(self) -> AbstractContextManager[None]: ...
    def rebuild_entity_stats(self) -> None: ...
    def article_versions(
        self, *, source: str | None = None, article_id: str | None = None
    ) -> list[dict[str, Any]]: ...
    def get_article(self, article_id: str) -> Article | None: ...
    def get_analysis(self, article_id: str) -> Analysis | None: ...
    def iter_analyses(self, article_ids: Iterable[str] | None = None) -> Iterator[Analysis]: ...
    def list_articles(
        self,
        limit: int = 50,
        offset: int = 0,
        *,
        language: str | None = None,
        outlet: str | None = None,
        flagged: bool | None = None,
    ) -> tuple[list[dict[str, Any]], int]: ...
    def get_events(self, event_ids: Iterable[str]) -> list[Event]: ...
    def start_run(self, started_at: datetime) -> str: ...
    def finish_run(self, run_id: str, counts: dict[str, int]) -> None: ...
    def unfinished_runs(self) -> int: ...
    def record_run(self, started_at: datetime, counts: dict[str, int]) -> str: ...
    def stats(self) -> dict[str, Any]: ...
    def save_duplicate_groups(
        self,
        groups: Iterable[DuplicateGroup],
        *,
        replace_all: bool = True,
        remove: Iterable[str] = (),
    ) -> int: ...
    def save_incidents(
        self, incidents: Iterable[Incident], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int: ...
    def save_merged_aid(
        self, items: Iterable[MergedAid], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int: ...
    def save_stories(
        self, stories: Iterable[Story], *, replace_all: bool = True, remove: Iterable[str] = ()
    ) -> int: ...
    def list_incidents(
        self, limit: int = 50, offset: int = 0, *, type: str | None = None
    ) -> list[Incident]: ...
    def get_incident(self, incident_id: str) -> Incident | None: ...
    def list_stories(self, limit: int = 50, offset: int = 0) -> list[Story]: ...
    def list_duplicate_groups(self, limit: int = 50, offset: int = 0) -> list[DuplicateGroup]: ...
    def list_merged_aid(self, limit: int = 50, offset: int = 0) -> list[MergedAid]: ...
    # sources and fetched URLs (veille.fetch)
    def add_source(self, source: Source) -> bool: ...
    def list_sources(self) -> list[Source]: ...
    def find_sources(self, key: str) -> list[Source]: ...
    def remove_source(self, source_id: str) -> bool: ...
    def due_sources(self, now: datetime) -> list[Source]: ...
    def update_source(self, source: Source) -> None: ...
    def fetched_states(self, urls: Iterable[str]) -> dict[str, dict[str, Any]]: ...
    def record_fetched(self, records: Iterable[dict[str, Any]]) -> None: ...
    def connection(self) -> Any: ...
    def close(self) -> None: ...
    def __enter__(self) -> Store: ...
    def __exit__(self, *exc: object) -> None: ...


def open_store(
    path: str | Path,
    *,
    read_only: bool = False,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> Store:
    """Open (creating and migrating when writable) the DuckDB database at ``path``.

    ``read_only=True`` lets readers run beside nothing else writing; it raises
    ``StoreError`` when the file does not exist yet. ``memory_limit`` (``"1GB"``) caps
    DuckDB's buffer; it spills to disk beyond. ``threads`` caps DuckDB's threads (default:
    one per core), for processes that share the cores (``veille serve --workers``).
    """
    from veille.store.duckdb import DuckDBStore

    return DuckDBStore(path, read_only=read_only, memory_limit=memory_limit, threads=threads)


__all__ = ["Store", "open_store"]
