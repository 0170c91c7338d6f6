"""Aid commitments merged across articles, with a status history (veille.link.aid)."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import numpy as np
import pytest

from veille.link.aid import merge_aid
from veille.link.records import ArticleRecord, aid_record
from veille.model import AidCommitment, AidItem, AidStatus, FuzzyDate, Precision, Span, stable_id

DAY, MONTH = Precision.DAY, Precision.MONTH
BN = Decimal("1000000000")


def commitment(
    article_id: str,
    status: AidStatus | None,
    *,
    donor: str | None = "USA",
    recipient: str | None = "UKR",
    value: Decimal | None = 50 * BN,
    currency: str | None = "USD",
    usd: Decimal | None = None,
    items: tuple[tuple[str, Decimal | None], ...] = (),
    announced: FuzzyDate | None = None,
    mechanism: str | None = None,
) -> AidCommitment:
    text = f"{donor} {status} {value} {article_id}"
    return AidCommitment(
        id=stable_id("aid", article_id, text),
        article_id=article_id,
        evidence=(Span(0, len(text), text),),
        donor=donor,
        recipient=recipient,
        kind="military",
        mechanism=mechanism,
        value=value,
        currency=currency,
        usd_value=usd if usd is not None else (value if currency == "USD" else None),
        status=status,
        items=tuple(AidItem(system=s, quantity=q) for s, q in items),
        announced=announced or FuzzyDate.unknown(),
    )


def art(article_id: str, day: str, *aid: AidCommitment) -> ArticleRecord:
    return ArticleRecord(
        article_id=article_id,
        content_hash=stable_id("hash", article_id),
        signature=np.zeros(4, dtype=np.uint64),
        published=FuzzyDate(date.fromisoformat(day), DAY),
        aid=tuple(aid_record(a) for a in aid),
    )


def test_deal_moves_from_negotiating_to_approved_to_delivered():
    june = commitment("june", AidStatus.NEGOTIATING)
    july = commitment("july", AidStatus.NEGOTIATING, value=Decimal("50.5") * BN)  # rounding
    august = commitment("aug", AidStatus.APPROVED)
    october = commitment("oct", AidStatus.DELIVERED, value=None, currency=None, items=())
    arts = [
        art("aug", "2025-08-20", august),
        art("june", "2025-06-03", june),
        art("july", "2025-07-01", july),
        art("oct", "2025-10-02", october),
    ]
    merged = merge_aid(arts)
    main = next(m for m in merged if len(m.commitment_ids) > 1)
    assert set(main.commitment_ids) == {june.id, july.id, august.id}
    assert main.status is AidStatus.APPROVED
    assert [h.status for h in main.history] == [AidStatus.NEGOTIATING, AidStatus.APPROVED]
    first, second = main.history
    assert (first.article_id, first.commitment_id) == ("june", june.id)
    assert first.evidence == june.evidence[0]
    assert first.date == FuzzyDate(date(2025, 6, 3), DAY)
    assert second.article_id == "aug"
    # no value and no system: too vague to attach to the deal
    assert any(m.commitment_ids == (october.id,) for m in merged)


def test_delivery_of_the_same_counted_items_joins_the_deal():
    arts = [
        art(
            "a",
            "2025-06-03",
            commitment("a", AidStatus.NEGOTIATING, items=(("Patriot", Decimal(10)),)),
        ),
        art(
            "b",
            "2025-09-01",
            commitment("b", AidStatus.DELIVERED, value=None, items=(("patriot", Decimal(10)),)),
        ),
    ]
    (merged,) = merge_aid(arts)
    assert merged.status is AidStatus.DELIVERED
    assert [h.status for h in merged.history] == [AidStatus.NEGOTIATING, AidStatus.DELIVERED]
    assert merged.value == 50 * BN


@pytest.mark.parametrize(
    "items", [(("Patriot", None),), (("Patriot", Decimal(3)),), (("IRIS-T", Decimal(10)),)]
)
def test_bare_or_differently_counted_system_does_not_join(items):
    arts = [
        art(
            "a", "2025-06-03", commitment("a", AidStatus.PLANNED, items=(("Patriot", Decimal(10)),))
        ),
        art("b", "2025-07-01", commitment("b", AidStatus.DELIVERED, value=None, items=items)),
    ]
    assert len(merge_aid(arts)) == 2


def test_announced_date_orders_the_history_before_publication():
    later_article = commitment(
        "a", AidStatus.APPROVED, announced=FuzzyDate(date(2025, 5, 1), MONTH)
    )
    arts = [
        art("a", "2025-09-01", later_article),
        art("b", "2025-06-01", commitment("b", AidStatus.NEGOTIATING)),
    ]
    (merged,) = merge_aid(arts)
    assert [h.status for h in merged.history] == [AidStatus.APPROVED, AidStatus.NEGOTIATING]
    assert merged.status is AidStatus.NEGOTIATING


@pytest.mark.parametrize(
    "other",
    [
        {"donor": "DEU"},
        {"recipient": "MDA"},
        {"value": 2 * BN},  # another package
        {"mechanism": "loan", "value": 50 * BN},
        {"value": None, "currency": None},  # no anchor left
    ],
)
def test_different_commitments_stay_apart(other):
    arts = [
        art("a", "2025-06-03", commitment("a", AidStatus.NEGOTIATING, mechanism="purchase")),
        art("b", "2025-08-03", commitment("b", AidStatus.APPROVED, **other)),
    ]
    assert len(merge_aid(arts)) == 2


def test_unknown_donor_never_merges():
    arts = [
        art("a", "2025-06-03", commitment("a", AidStatus.NEGOTIATING, donor=None)),
        art("b", "2025-06-04", commitment("b", AidStatus.NEGOTIATING, donor=None)),
    ]
    assert len(merge_aid(arts)) == 2


def test_values_compare_in_usd_across_currencies():
    arts = [
        art("a", "2025-06-03", commitment("a", AidStatus.PROMISED, value=Decimal(1) * BN)),
        art(
            "b",
            "2025-06-10",
            commitment(
                "b",
                AidStatus.APPROVED,
                value=Decimal("0.92") * BN,
                currency="EUR",
                usd=Decimal("1.01") * BN,
            ),
        ),
    ]
    (merged,) = merge_aid(arts)
    assert merged.status is AidStatus.APPROVED


def test_repeated_status_is_one_step_and_years_apart_do_not_merge():
    arts = [
        art("a", "2025-06-03", commitment("a", AidStatus.NEGOTIATING)),
        art("b", "2025-06-05", commitment("b", AidStatus.NEGOTIATING)),
        art("c", "2023-01-05", commitment("c", AidStatus.NEGOTIATING)),
    ]
    merged = merge_aid(arts)
    assert sorted(len(m.commitment_ids) for m in merged) == [1, 2]
    pair = next(m for m in merged if len(m.commitment_ids) == 2)
    assert len(pair.history) == 1


def test_merge_does_not_depend_on_order():
    arts = [
        art(
            f"x{i}",
            f"2025-0{1 + i % 8}-01",
            commitment(f"x{i}", s, items=(("Patriot", Decimal(4)),)),
        )
        for i, s in enumerate(
            [AidStatus.PROMISED, AidStatus.NEGOTIATING, AidStatus.APPROVED, AidStatus.DELIVERED] * 2
        )
    ]
    expected = merge_aid(arts)
    shuffled = arts[:]
    random.Random(1).shuffle(shuffled)
    assert merge_aid(shuffled) == expected


def test_clustering_with_the_window_index_equals_the_plain_scan():
    """cluster_aid skips clusters out of the time window; the result must equal the plain
    complete-linkage scan over every cluster (the definition), undated ones included."""
    import random
    from datetime import date, timedelta
    from decimal import Decimal

    from veille.link.aid import AidMergeConfig, _chronological, cluster_aid, compatible
    from veille.link.records import AidRecord
    from veille.model import FuzzyDate, Precision, Span

    rng = random.Random(13)
    config = AidMergeConfig(window_days=60)
    records = []
    for i in range(400):
        day = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
        value = Decimal(rng.choice([100, 105, 250, 400, 1000])) * 1_000_000
        records.append(
            AidRecord(
                commitment_id=f"c{i:04d}",
                article_id=f"a{i:04d}",
                evidence=Span(0, 1, "x"),
                donor=rng.choice(["USA", "DEU"]),
                recipient=rng.choice(["UKR", None]),
                usd_value=value if rng.random() < 0.7 else None,
                value=value if rng.random() < 0.7 else None,
                currency="USD",
                systems=(rng.choice(["patriot×2", "leopard×10", "himars×?"]),),
                announced=(
                    FuzzyDate(day, Precision.DAY) if rng.random() < 0.85 else FuzzyDate.unknown()
                ),
            )
        )

    def plain(recs):
        clusters = []
        for donor in sorted({r.donor for r in recs}):
            block = []
            for rec in _chronological([r for r in recs if r.donor == donor], {}):
                home = next(
                    (c for c in block if all(compatible(rec, x, {}, config) for x in c)), None
                )
                block.append([rec]) if home is None else home.append(rec)
            clusters.extend(block)
        return clusters

    expected = [[r.commitment_id for r in c] for c in plain(records)]
    assert any(len(c) > 1 for c in expected) and len(expected) > 20
    assert [[r.commitment_id for r in c] for c in cluster_aid(records, {}, config)] == expected
