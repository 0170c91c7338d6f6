"""Money to USD with the bundled yearly FX table."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from veille.enrich.fx import FX_TABLE, add_usd_values, load_fx_table
from veille.errors import DataFileError
from veille.model import FuzzyDate, Precision, Quantity

CURRENCIES = (
    "EUR", "GBP", "UAH", "RUB", "CHF", "PLN", "JPY", "CAD", "CNY", "SEK", "NOK", "DKK", "CZK"
)  # fmt: skip


def money(value: str, unit: str) -> Quantity:
    return Quantity(0, 5, "x", Decimal(value), unit, "money")


def test_table_covers_every_year_and_currency():
    table = load_fx_table()
    for currency in CURRENCIES:
        assert set(range(2014, 2027)) <= set(table.rates[currency]), currency


def test_table_marks_the_current_year_partial():
    assert load_fx_table().status[("EUR", 2026)] == "partial"
    assert load_fx_table().status[("EUR", 2022)] == "final"


def test_rates_are_plausible():
    table = load_fx_table()
    assert Decimal("0.85") < table.rates["EUR"][2023] < Decimal("0.97")
    assert Decimal("30") < table.rates["UAH"][2022] < Decimal("40")
    assert Decimal("55") < table.rates["RUB"][2022] < Decimal("80")
    assert Decimal("9.5") < table.rates["SEK"][2023] < Decimal("11.5")
    assert Decimal("6.5") < table.rates["DKK"][2022] < Decimal("7.5")


def test_publication_year_rate_is_used():
    (q,) = add_usd_values([money("1000000000", "EUR")], FuzzyDate(date(2023, 5, 2), Precision.DAY))
    assert q.fx_year == 2023
    rate = load_fx_table().rates["EUR"][2023]
    assert q.usd_value == (Decimal(1000000000) / rate).quantize(Decimal("0.01"))
    assert Decimal("1.07e9") < q.usd_value < Decimal("1.09e9")


def test_unknown_publication_uses_the_latest_year():
    (q,) = add_usd_values([money("100", "UAH")], FuzzyDate.unknown())
    assert q.fx_year == max(load_fx_table().rates["UAH"])


def test_year_outside_the_table_uses_the_latest_year():
    (q,) = add_usd_values([money("100", "GBP")], FuzzyDate(date(2031, 1, 1), Precision.YEAR))
    assert q.fx_year == 2026


def test_usd_has_rate_one():
    (q,) = add_usd_values(
        [money("65000000000", "USD")], FuzzyDate(date(2023, 10, 1), Precision.MONTH)
    )
    assert q.usd_value == Decimal("65000000000")
    assert q.fx_year == 2023


def test_non_money_and_unknown_currencies_are_untouched():
    count = Quantity(0, 5, "x", Decimal(31), "drone", "count")
    odd = money("10", "XAF")
    assert add_usd_values([count, odd], FuzzyDate.unknown()) == [count, odd]


def test_malformed_table_names_the_file(tmp_path):
    bad = tmp_path / "fx.csv"
    bad.write_text("year,currency,units_per_usd,status\n2020,EUR,abc,final\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_fx_table(bad)
    assert str(bad) in str(info.value)


def test_bundled_table_is_the_default():
    assert FX_TABLE.name == "fx_usd_yearly.csv"
