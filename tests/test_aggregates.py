"""Honest aggregates: aid per status group, a package counted once, amounts for people."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veille.display import aid_parties, format_money, money_with_usd, party_label
from veille.link import update_links
from veille.model import (
    AidCommitment,
    AidStatus,
    Analysis,
    Article,
    FuzzyDate,
    Precision,
    Span,
    stable_id,
)
from veille.settings import Settings
from veille.store import open_store
from veille.store.duckdb import queries

NBSP = "\u00a0"
TEXT = (
    "Berlin a annoncé lundi une aide militaire d'un milliard d'euros à l'Ukraine. "
    "Mercredi, ce paquet d'un milliard d'euros a été livré à Kiev, a confirmé le ministère."
)


def commitment(article_id: str, n: int, status: AidStatus, start: int, end: int) -> AidCommitment:
    return AidCommitment(
        id=stable_id("aid", article_id, n),
        article_id=article_id,
        evidence=(Span(start, end, TEXT[start:end]),),
        donor="DEU",
        recipient="UKR",
        kind="military",
        mechanism="donation",
        value=Decimal("1000000000"),
        currency="EUR",
        usd_value=Decimal("1080000000"),
        status=status,
        announced=FuzzyDate(date(2024, 3, 4), Precision.DAY),
    )


@pytest.fixture
def con(tmp_path):
    article = Article(
        id="berlin",
        source="/tmp/berlin.txt",
        text=TEXT,
        published=FuzzyDate(date(2024, 3, 6), Precision.DAY),
        content_hash="h",
        raw_hash="r",
        language="fr",
    )
    second = TEXT.index("Mercredi")
    analysis = Analysis(
        article=article,
        aid=[
            commitment("berlin", 0, AidStatus.ANNOUNCED, 0, second - 1),
            commitment("berlin", 1, AidStatus.DELIVERED, second, len(TEXT)),
        ],
    )
    store = open_store(tmp_path / "a.duckdb")
    store.save_batch([analysis])
    update_links(store, Settings())
    yield store.connection()
    store.close()


def test_a_package_announced_then_delivered_counts_once_under_delivered(con):
    totals = queries.aid_totals(con)
    groups = {g["key"]: (g["usd"], g["count"]) for g in totals["groups"]}
    assert groups["committed"] == (pytest.approx(1_080_000_000), 1)
    assert groups["pledged"] == (0, 0)
    assert totals["headline"]["usd"] == pytest.approx(1_080_000_000)
    assert totals["packages"] == 1 and totals["reports"] == 2
    assert [r["status"] for r in totals["by_status"]] == ["delivered"]
    stats = queries.stats(con)
    assert stats["aid_usd"] == pytest.approx(1_080_000_000) and stats["aid_packages"] == 1


def test_amounts_read_as_people_write_them():
    assert format_money(Decimal("90000000000"), "EUR") == f"€90{NBSP}bn"
    assert format_money(725_000_000, "USD") == f"$725{NBSP}M"
    assert format_money(1_407_000_000, "USD") == f"$1.4{NBSP}bn"
    assert format_money(12_500_000, "CHF") == f"CHF{NBSP}12.5{NBSP}M"
    assert format_money(None, "USD") == "–"
    assert money_with_usd(Decimal("90000000000"), "EUR", Decimal("97200000000")) == (
        f"€90{NBSP}bn (≈{NBSP}$97.2{NBSP}bn)"
    )
    assert money_with_usd(Decimal("725000000"), "USD", Decimal("725000000")) == f"$725{NBSP}M"


def test_parties_say_what_they_are():
    assert party_label("EU") == "EU (European Union institutions)"
    assert party_label("EUROPE") == "European allies (unspecified)"
    assert party_label("FRA") == "FRA"
    # in a purchase the recipient buys from the supplier: not aid from the buyer
    assert aid_parties("USA", "UKR", "purchase") == "UKR buys from USA"
    assert aid_parties("DEU", "UKR", "donation") == "DEU → UKR"
