"""French number formatting and number words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from veille.lang.fr.numbers import exact, parse_digits, parse_number, parse_number_words


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12 000", "12000"),
        ("12\u202f000", "12000"),
        ("12\u00a0000", "12000"),
        ("1 250 000", "1250000"),
        ("3,5", "3.5"),
        ("0,75", "0.75"),
        ("1.000.000", "1000000"),
        ("1.500", "1500"),
        ("3.5", "3.5"),
        ("12 000,5", "12000.5"),
        ("2022", "2022"),
    ],
)
def test_parse_digits(text, value):
    assert parse_digits(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "12a", "1 2", "F-16", "24/02/2022"])
def test_parse_digits_rejects_non_numbers(text):
    assert parse_digits(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("vingt et un", 21),
        ("vingt-et-un", 21),
        ("quatre-vingt-dix-neuf", 99),
        ("trois cent mille", 300000),
        ("mille", 1000),
        ("septante", 70),
        ("Deux", 2),
    ],
)
def test_parse_number_words(text, value):
    assert parse_number_words(text) == Decimal(value)


def test_parse_number_words_rejects_other_words():
    assert parse_number_words("drones") is None
    assert parse_number("premier") is None


def test_parse_number_accepts_both():
    assert parse_number("12 000") == Decimal(12000)
    assert parse_number("douze") == Decimal(12)


def test_exact_drops_spurious_fraction():
    assert str(exact(Decimal("3.5") * 1000000000)) == "3500000000"
    assert str(exact(Decimal("12.50"))) == "12.5"
