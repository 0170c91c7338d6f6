"""How figures and parties read for people, shared by the CLI, the dashboard and the report.

format_money(Decimal("90000000000"), "EUR")  -> "€90 bn"
format_money(725_000_000, "USD")             -> "$725 M"
party_label("EUROPE")                        -> "European allies (unspecified)"
"""

from __future__ import annotations

from decimal import Decimal

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "UAH": "₴", "RUB": "₽"}
NBSP = "\u00a0"

# Group codes of the model (model.py) that are not countries: say what they are.
PARTY_LABELS = {
    "EU": "EU (European Union institutions)",
    "EUROPE": "European allies (unspecified)",
    "NATO": "NATO (the alliance)",
}


def _compact(amount: float) -> str:
    a = abs(amount)
    for size, unit in ((1e12, "tn"), (1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if a >= size:
            scaled = amount / size
            digits = 0 if abs(scaled) >= 100 or float(scaled).is_integer() else 1
            text = f"{scaled:,.{digits}f}".replace(",", NBSP)
            if digits and text.endswith(".0"):
                text = text[:-2]
            return f"{text}{NBSP}{unit}"
    return f"{amount:,.0f}".replace(",", NBSP)


def format_money(value: Decimal | float | int | None, currency: str | None = "USD") -> str:
    """An amount as people write it: ``€90 bn``, ``$725 M``, ``CHF 12 M``; ``–`` for None."""
    if value is None:
        return "–"
    number = _compact(float(value))
    code = (currency or "").upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"-{symbol}{number[1:]}" if number.startswith("-") else f"{symbol}{number}"
    return f"{code}{NBSP}{number}" if code else number


def money_with_usd(
    value: Decimal | float | int | None,
    currency: str | None,
    usd_value: Decimal | float | int | None,
) -> str:
    """``€90 bn (≈ $97.2 bn)``: the stated amount, with its USD conversion beside it."""
    if value is None:
        return format_money(usd_value, "USD") if usd_value is not None else "–"
    stated = format_money(value, currency)
    if usd_value is None or (currency or "").upper() == "USD":
        return stated
    return f"{stated} (≈{NBSP}{format_money(usd_value, 'USD')})"


def party_label(code: str | None) -> str:
    """A country code or group code, labelled for what it is."""
    if not code:
        return "?"
    return PARTY_LABELS.get(code, code)


def aid_parties(donor: str | None, recipient: str | None, mechanism: str | None) -> str:
    """Who gives to whom, or for a purchase who sells to whom (a purchase is not a gift)."""
    if mechanism == "purchase":
        return f"{party_label(recipient)} buys from {party_label(donor)}"
    return f"{party_label(donor)} → {party_label(recipient)}"


def not_analysed_reason(article) -> str | None:
    """Why an article has no annotations, when it was stored without analysis."""
    from veille.langid import FLAG_UNSUPPORTED

    if FLAG_UNSUPPORTED in article.flags:
        return f"no language pack for {article.language or 'its language'}"
    return None
