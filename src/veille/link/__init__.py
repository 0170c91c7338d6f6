"""Cross-article linking: duplicates, incidents, merged aid, stories.

Two entry points:

- ``link_records(records, config) -> LinkResult``: the pure computation, from compact
  per-article records (``veille.link.records``). Every result is a function of the *set*
  of records and every id a content hash of its members, so the order articles arrived
  in never matters.
- ``update_links(store, settings) -> dict``: called by the pipeline after each run. It
  reads and MinHashes only the articles it has not seen (their records are kept in the
  ``link_articles`` table), recomputes the results from the stored records, and replaces
  the store's duplicate groups, incidents, merged aid and stories. Adding A then B thus
  gives exactly what adding A and B at once gives.

Settings read (with these defaults when the field is absent): ``near_duplicate_threshold``
(0.35), ``near_duplicate_shingle_size`` (3), ``minhash_num_perm`` (128),
``incident_window_days`` (1), ``story_threshold`` (0.2), ``story_window_days`` (14),
``story_idf_window_days`` (30), ``story_min_window_articles`` (100).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from veille.link.aid import AidMergeConfig, merge_aid
from veille.link.dedup import DedupConfig, DedupRecord, group_duplicates, signatures
from veille.link.incidents import IncidentConfig, find_incidents
from veille.link.records import ArticleRecord, article_record
from veille.link.stories import StoryConfig, find_stories
from veille.model import Analysis, DuplicateGroup, Incident, MergedAid, Story


@dataclass(frozen=True, slots=True)
class LinkConfig:
    dedup: DedupConfig = field(default_factory=DedupConfig)
    incidents: IncidentConfig = field(default_factory=IncidentConfig)
    aid: AidMergeConfig = field(default_factory=AidMergeConfig)
    stories: StoryConfig = field(default_factory=StoryConfig)

    @classmethod
    def from_settings(cls, settings: object) -> LinkConfig:
        d, i, s = DedupConfig(), IncidentConfig(), StoryConfig()
        return cls(
            dedup=DedupConfig(
                threshold=float(getattr(settings, "near_duplicate_threshold", d.threshold)),
                shingle_size=int(getattr(settings, "near_duplicate_shingle_size", d.shingle_size)),
                num_perm=int(getattr(settings, "minhash_num_perm", d.num_perm)),
            ),
            incidents=IncidentConfig(
                window_days=int(getattr(settings, "incident_window_days", i.window_days))
            ),
            stories=StoryConfig(
                threshold=float(getattr(settings, "story_threshold", s.threshold)),
                window_days=int(getattr(settings, "story_window_days", s.window_days)),
                idf_window_days=int(getattr(settings, "story_idf_window_days", s.idf_window_days)),
                min_window_articles=int(
                    getattr(settings, "story_min_window_articles", s.min_window_articles)
                ),
            ),
        )

    @property
    def fingerprint(self) -> str:
        """Every setting the stored links depend on: a change means relinking everything."""
        return f"blocks-4|{self!r}"

    @property
    def signature_key(self) -> str:
        """Stored signatures are only reusable under the same shingling and permutations."""
        return f"{self.dedup.shingle_size}:{self.dedup.num_perm}"


@dataclass(slots=True)
class LinkResult:
    duplicate_groups: list[DuplicateGroup]
    incidents: list[Incident]
    merged_aid: list[MergedAid]
    stories: list[Story]

    def counts(self) -> dict[str, int]:
        return {
            "duplicate_groups": len(self.duplicate_groups),
            "incidents": len(self.incidents),
            "merged_aid": len(self.merged_aid),
            "stories": len(self.stories),
        }


def records_from_analyses(
    analyses: Sequence[Analysis], config: LinkConfig | None = None
) -> list[ArticleRecord]:
    config = config or LinkConfig()
    sigs = signatures((a.article.text for a in analyses), config.dedup)
    return [article_record(a, s) for a, s in zip(analyses, sigs, strict=True)]


def link_records(
    records: Iterable[ArticleRecord], config: LinkConfig | None = None, *, stories: bool = True
) -> LinkResult:
    """Duplicate groups, incidents, merged aid and (unless ``stories`` is false) stories of
    a set of articles."""
    config = config or LinkConfig()
    records = sorted(records, key=lambda r: r.article_id)
    dedup = [
        DedupRecord(r.article_id, r.content_hash, r.signature, r.outlet, r.url) for r in records
    ]
    groups = group_duplicates(dedup, config.dedup)
    incidents = find_incidents(records, groups, config.incidents)
    merged = merge_aid(records, config.aid)
    # only incidents reported by two or more articles tie articles into one story
    shared = [i for i in incidents if i.num_articles > 1]
    found = find_stories(records, shared, groups, config.stories) if stories else []
    return LinkResult(groups, incidents, merged, found)


def link_analyses(analyses: Sequence[Analysis], config: LinkConfig | None = None) -> LinkResult:
    """From-scratch linking of analyses held in memory."""
    return link_records(records_from_analyses(analyses, config), config)


def update_links(store, settings) -> dict:
    """Bring duplicate groups, incidents, merged aid and stories up to date with the store.

    Articles are read and MinHashed once, when first seen (their records and blocking rows
    are kept in the ``link_*`` tables). The first run, and any run after the link settings
    changed, computes every link from every record; later runs recompute only what the
    new and removed articles touch (``veille.link.incremental``), with the same result.
    Returns counts for the run summary: ``linked_new`` (articles read for the first time),
    ``unlinked_gone`` and the number of each result.
    """
    from veille.link import full as full_path
    from veille.link import incremental, state, story_updates

    config = LinkConfig.from_settings(settings)
    conn = store.connection()
    key = config.signature_key
    # in SQL: a run reads the ids of the changed articles only, not of every article
    new_ids, gone = state.changed_ids(conn, key)
    kept = state.count_linked(conn, key) - len(gone)
    full = not kept or state.fingerprint(conn) != config.fingerprint
    gone_records = [] if full else list(state.records_of(conn, gone).values())
    if full:
        state.delete_records(conn, gone)
    new_records: list[ArticleRecord] = []
    batch: list[Analysis] = []

    def flush() -> None:
        records = records_from_analyses(batch, config)
        # an incremental run's new articles have no link rows (every stored record was
        # made under these settings, and a record leaves with all its rows at once): no
        # delete to run over the big blocking tables
        state.save_records(conn, records, config, path=store.path, fresh=not full)
        if not full:
            new_records.extend(records)
        batch.clear()

    for analysis in store.iter_analyses(new_ids):
        batch.append(analysis)
        if len(batch) >= 256:
            flush()
    flush()

    if full:
        # the records kept from before were blocked under other settings: block them anew
        # (a chunk at a time: the full path never holds every record)
        kept = sorted(state.linked_ids(conn, key) - set(gone))
        for start in range(0, len(kept), 2000):
            chunk = state.records_of(conn, kept[start : start + 2000])
            state.save_records(conn, list(chunk.values()), config, path=store.path)
        state.keep_only(conn, key)
        full_path.rebuild(store, conn, config)
        # from the stored columns, as incremental runs do, so both give the same floats
        story_updates.update_stories(store, conn, config)
        # last: a run stopped before this point takes the full path again
        state.set_fingerprint(conn, config.fingerprint)
    detail: dict = {}
    if not full and (new_records or gone_records):
        detail = incremental.update(store, conn, config, new_records, gone_records)
    counts = {
        name: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for name, table in (
            ("duplicate_groups", "duplicate_groups"),
            ("incidents", "incidents"),
            ("merged_aid", "merged_aid"),
            ("stories", "stories"),
        )
    }
    return {"linked_new": len(new_ids), "unlinked_gone": len(gone), **counts, **detail}


def relink(store, settings) -> dict:
    """Rebuild every link from scratch: forget the stored link records, read every article
    again, recompute and write the results (``veille relink``)."""
    from veille.link import state

    state.clear(store.connection())
    return update_links(store, settings)


__all__ = [
    "LinkConfig",
    "LinkResult",
    "link_analyses",
    "link_records",
    "records_from_analyses",
    "relink",
    "update_links",
]
