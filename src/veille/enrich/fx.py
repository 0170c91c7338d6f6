"""Money to USD with a bundled table of yearly average exchange rates.

``data/fx_usd_yearly.csv`` holds units of each currency per 1 USD, one row per year and
currency (sources in its header). A money quantity gets the rate of its article's
publication year, else (publication unknown, or a year outside the table) the latest
year the table has for that currency; ``fx_year`` says which year was used.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from veille.errors import DataFileError
from veille.model import FuzzyDate, Precision, Quantity

FX_TABLE = Path(__file__).parent / "data" / "fx_usd_yearly.csv"
CENT = Decimal("0.01")


@dataclass(frozen=True)
class FxTable:
    """Yearly average rates: ``rates[currency][year]`` = units per USD."""

    rates: dict[str, dict[int, Decimal]]
    status: dict[tuple[str, int], str]

    def rate(self, currency: str, year: int | None) -> tuple[Decimal, int] | None:
        """(units per USD, year used) or None for a currency the table lacks."""
        by_year = self.rates.get(currency)
        if not by_year:
            return None
        if year is not None and year in by_year:
            return by_year[year], year
        latest = max(by_year)
        return by_year[latest], latest


@lru_cache(maxsize=2)
def load_fx_table(path: Path = FX_TABLE) -> FxTable:
    """Parse the CSV (``#`` lines are comments); raises DataFileError naming the file."""
    rates: dict[str, dict[int, Decimal]] = {"USD": {}}
    status: dict[tuple[str, int], str] = {}
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise DataFileError(f"cannot read FX table: {exc}", path=str(path)) from exc
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    expected = {"year", "currency", "units_per_usd", "status"}
    if not rows.fieldnames or set(rows.fieldnames) != expected:
        raise DataFileError(f"FX table header must be {sorted(expected)}", path=str(path))
    for number, row in enumerate(rows, start=2):
        try:
            year, currency = int(row["year"]), row["currency"].strip().upper()
            rate = Decimal(row["units_per_usd"])
        except (ValueError, InvalidOperation, AttributeError) as exc:
            raise DataFileError(f"row {number}: {row!r}: {exc}", path=str(path)) from exc
        if rate <= 0 or len(currency) != 3:
            raise DataFileError(f"row {number}: bad currency or rate {row!r}", path=str(path))
        rates.setdefault(currency, {})[year] = rate
        status[(currency, year)] = row["status"]
    years = {year for by_year in rates.values() for year in by_year}
    rates["USD"] = {year: Decimal(1) for year in years}
    return FxTable(rates=rates, status=status)


def add_usd_values(quantities: list[Quantity], published: FuzzyDate) -> list[Quantity]:
    """Money quantities with ``usd_value`` and ``fx_year`` set; others unchanged."""
    known = published.value is not None and published.precision is not Precision.UNKNOWN
    year = published.value.year if known else None
    table = load_fx_table()
    result = []
    for q in quantities:
        if q.kind == "money":
            found = table.rate(q.unit, year)
            if found is not None:
                rate, fx_year = found
                usd = (q.value / rate).quantize(CENT)
                if usd == usd.to_integral_value():
                    usd = usd.quantize(Decimal(1))
                q = replace(q, usd_value=usd, fx_year=fx_year)
        result.append(q)
    return result
