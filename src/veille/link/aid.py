"""Aid commitments merged across articles, with their status history.

The same package is reported many times as it moves along ("negotiating" in June,
"approved" in August, "delivered" later). Two commitments are merged when:

- the donor is known and equal, recipients agree (equal or one unknown), and kind and
  mechanism agree (equal or one unknown);
- they share an anchor: when both state a value, the values agree within
  ``value_tolerance`` (in USD when both have a USD value, else in the same currency);
  when at most one states a value, they name a common system with the same number of
  units ("10 Patriot"): a bare system name is too common in this war to identify a
  deal. Commitments without such an anchor are too vague to merge and stay alone;
- their dates (``announced``, else the article's publication) are at most
  ``window_days`` apart when both are known.

Merging is complete linkage in a fixed order (date, then id), so the result depends only
on the set of commitments. The history keeps one step per change of status, in date
order (same date: negotiating before approved before delivered), each with the
commitment and sentence that reported it first; the merged status is the last step's.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from veille.link.incidents import date_interval
from veille.link.records import AidRecord, ArticleRecord
from veille.model import AidStatus, AidStatusChange, FuzzyDate, MergedAid, stable_id

# Order of statuses reported on the same day: how a commitment normally progresses.
STATUS_RANK = {
    AidStatus.ANNOUNCED: 0,
    AidStatus.PROMISED: 0,
    AidStatus.PLANNED: 0,
    AidStatus.NEGOTIATING: 1,
    AidStatus.APPROVED: 2,
    AidStatus.COMMITTED: 2,
    AidStatus.DELIVERED: 3,
    AidStatus.SUSPENDED: 4,
}


@dataclass(frozen=True, slots=True)
class AidMergeConfig:
    value_tolerance: float = 0.1  # relative difference under which two values are one
    window_days: int = 365


def _when(rec: AidRecord, articles: Mapping[str, ArticleRecord]) -> FuzzyDate:
    if rec.announced.value is not None:
        return rec.announced
    art = articles.get(rec.article_id)
    return art.published if art else FuzzyDate.unknown()


def _start(d: FuzzyDate) -> date | None:
    interval = date_interval(d)
    return interval[0] if interval else None


def _agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b


@functools.lru_cache(maxsize=16)
def _decimal(tolerance: float) -> Decimal:
    return Decimal(str(tolerance))


def _close(a: Decimal, b: Decimal, tolerance: float) -> bool:
    hi = max(abs(a), abs(b))
    return hi == 0 or abs(a - b) / hi <= _decimal(tolerance)


def values_agree(a: AidRecord, b: AidRecord, tolerance: float) -> bool | None:
    """True/False when both state comparable values, None when that cannot be told."""
    if a.usd_value is not None and b.usd_value is not None:
        return _close(a.usd_value, b.usd_value, tolerance)
    if a.value is not None and b.value is not None and a.currency == b.currency:
        return _close(a.value, b.value, tolerance)
    if a.value is not None and b.value is not None:
        return None  # different currencies, no USD value: cannot compare
    return None


def compatible(
    a: AidRecord,
    b: AidRecord,
    articles: Mapping[str, ArticleRecord],
    config: AidMergeConfig,
) -> bool:
    return _compatible(a, b, _start(_when(a, articles)), _start(_when(b, articles)), config)


def _compatible(
    a: AidRecord, b: AidRecord, da: date | None, db: date | None, config: AidMergeConfig
) -> bool:
    """``compatible``, given the two commitments' dates (``_start(_when(...))``)."""
    if a.donor is None or a.donor != b.donor:
        return False
    if not (_agree(a.recipient, b.recipient) and _agree(a.kind, b.kind)):
        return False
    if not _agree(a.mechanism, b.mechanism):
        return False
    if da and db and abs((da - db).days) > config.window_days:
        return False
    same_value = values_agree(a, b, config.value_tolerance)
    if same_value is not None:
        return same_value
    both_valued = a.value is not None and b.value is not None
    counted = {x for x in a.systems if not x.endswith("×?")}
    return not both_valued and bool(counted & set(b.systems))


def _usd_range(members: Sequence[AidRecord]) -> tuple[Decimal, Decimal] | None:
    values = [m.usd_value for m in members if m.usd_value is not None]
    return (min(values), max(values)) if values else None


def _rank(rec: AidRecord) -> int:
    return STATUS_RANK.get(AidStatus(rec.status), 0) if rec.status else 0


def merge_order(rec: AidRecord, articles: Mapping[str, ArticleRecord]) -> tuple:
    """Where a commitment comes in the merge: by date (undated last), status, id."""
    return (_start(_when(rec, articles)) or date.max, _rank(rec), rec.commitment_id)


def _chronological(
    members: Sequence[AidRecord], articles: Mapping[str, ArticleRecord]
) -> list[AidRecord]:
    return sorted(members, key=lambda r: merge_order(r, articles))


def cluster_aid(
    records: Sequence[AidRecord],
    articles: Mapping[str, ArticleRecord],
    config: AidMergeConfig | None = None,
    *,
    formed: Sequence[Sequence[AidRecord]] = (),
) -> list[list[AidRecord]]:
    """Commitments merged by complete linkage in ``merge_order``: each joins the first
    cluster formed (earliest first member) whose every member is compatible with it.

    ``formed``: clusters already formed from commitments that all come before every one
    of ``records`` in that order (incremental linking resumes the merge from there)."""
    config = config or AidMergeConfig()
    blocks: dict[str | None, list[AidRecord]] = defaultdict(list)
    for rec in records:
        blocks[rec.donor].append(rec)
    seeds: dict[str | None, list[list[AidRecord]]] = defaultdict(list)
    for members in formed:
        ordered = _chronological(members, articles)
        seeds[ordered[0].donor].append(ordered)
    clusters: list[list[AidRecord]] = []
    window = timedelta(days=config.window_days)
    tol = config.value_tolerance
    # each commitment's date, worked out once (compatible() would for every pair)
    start = {
        r.commitment_id: _start(_when(r, articles))
        for r in [*records, *(r for members in formed for r in members)]
    }
    for donor in sorted(blocks.keys() | seeds.keys(), key=lambda d: d or ""):
        block = sorted(seeds[donor], key=lambda c: merge_order(c[0], articles))
        # each cluster's earliest (first) member's day
        first_day = [_start(_when(c[0], articles)) for c in block]
        # each cluster's lowest and highest USD value: a commitment with a USD value too
        # far from either cannot be compatible with that member, so the cluster is
        # passed over without comparing every member (same result, far fewer calls)
        usd = [_usd_range(c) for c in block]
        # Dated commitments come in date order, so a cluster whose first member is more
        # than the window before this one can take no later dated commitment either
        # (compatible() would refuse that member): it leaves ``open`` for good. Undated
        # ones come last and still try every cluster, so the result is unchanged.
        open_: deque[int] = deque(range(len(block)))
        for rec in _chronological(blocks[donor], articles):
            day = _start(_when(rec, articles))
            if day is not None:
                while open_ and (first := first_day[open_[0]]) is not None and first < day - window:
                    open_.popleft()
                candidates: Iterable[int] = open_
            else:
                candidates = range(len(block))
            value = rec.usd_value
            home = next(
                (
                    i
                    for i in candidates
                    if (
                        value is None
                        or usd[i] is None
                        or (_close(value, usd[i][0], tol) and _close(value, usd[i][1], tol))
                    )
                    and all(
                        _compatible(rec, x, day, start[x.commitment_id], config) for x in block[i]
                    )
                ),
                None,
            )
            if home is None:
                block.append([rec])
                first_day.append(day)
                open_.append(len(block) - 1)
                usd.append(_usd_range([rec]))
            else:
                block[home].append(rec)
                if value is not None:
                    lo, hi = usd[home] or (value, value)
                    usd[home] = (min(lo, value), max(hi, value))
        clusters.extend(block)
    return clusters


def _most_common(values: Sequence[str | None]) -> str | None:
    counts = Counter(v for v in values if v)
    return min(counts, key=lambda v: (-counts[v], v)) if counts else None


def build_merged(members: Sequence[AidRecord], articles: Mapping[str, ArticleRecord]) -> MergedAid:
    ordered = _chronological(members, articles)
    history: list[AidStatusChange] = []
    for rec in ordered:
        if rec.status is None:
            continue
        status = AidStatus(rec.status)
        if history and history[-1].status is status:
            continue
        history.append(
            AidStatusChange(
                status=status,
                date=_when(rec, articles),
                article_id=rec.article_id,
                commitment_id=rec.commitment_id,
                evidence=rec.evidence,
            )
        )
    valued = [r for r in ordered if r.value is not None]
    latest_value = valued[-1] if valued else None
    usd = [r.usd_value for r in ordered if r.usd_value is not None]
    return MergedAid(
        id=stable_id("aid", *sorted(r.commitment_id for r in members)),
        commitment_ids=tuple(sorted(r.commitment_id for r in members)),
        donor=ordered[0].donor,
        recipient=_most_common([r.recipient for r in ordered]),
        kind=_most_common([r.kind for r in ordered]),
        mechanism=_most_common([r.mechanism for r in ordered]),
        value=latest_value.value if latest_value else None,
        currency=latest_value.currency if latest_value else None,
        usd_value=usd[-1] if usd else None,
        status=history[-1].status if history else None,
        history=tuple(history),
    )


def merge_aid(
    articles: Sequence[ArticleRecord], config: AidMergeConfig | None = None
) -> list[MergedAid]:
    """Every merged commitment (one or more reports) among the articles, sorted by id."""
    by_id = {a.article_id: a for a in articles}
    records = [r for a in articles for r in a.aid]
    merged = [build_merged(c, by_id) for c in cluster_aid(records, by_id, config)]
    merged.sort(key=lambda m: m.id)
    return merged
