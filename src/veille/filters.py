"""Filter values checked the same way in the CLI and the API.

A bad value is one ``FilterError`` line (``V011 --country: unknown country 'Narnia' ...``):
the CLI prints it and exits 2, the API answers 422 with the same words.

    country_code("russie") -> "RUS";  country_code("ukr") -> "UKR"
    event_type("assault")  -> "ASSAULT"
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from veille.errors import VeilleError
from veille.kb import normalize
from veille.model import PLOVER_EVENT_TYPES, AidStatus, Verification

# Codes the model uses besides ISO alpha-3 (model.py), with their names.
GROUPS = {
    "EU": ("Union européenne", "UE", "European Union"),
    "NATO": ("OTAN", "Alliance atlantique"),
    "EUROPE": ("Europe", "Européens", "European allies", "Europeans"),
}
INCIDENT_VERIFICATIONS = (
    "disputed",
    "denied",
    "confirmed",
    "corroborated",
    "unverified",
    "claimed",
    "reported",
)


class FilterError(VeilleError):
    """A filter value that names nothing Veille knows."""

    code = "V011"


@cache
def _countries() -> tuple[frozenset[str], dict[str, str]]:
    """(codes, normalised name -> code) from the bundled knowledge base's country list."""
    codes: set[str] = set(GROUPS)
    names: dict[str, str] = {}
    path = resources.files("veille.kb") / "data" / "countries.jsonl"
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        code = row.get("country")
        if not code:
            continue
        codes.add(code)
        for name in (row.get("name"), *(n for ns in row.get("names", {}).values() for n in ns)):
            if name:
                names.setdefault(normalize(name), code)
    for code, aliases in GROUPS.items():
        for name in (code, *aliases):
            names.setdefault(normalize(name), code)
    return frozenset(codes), names


def country_code(value: str, option: str = "--country") -> str:
    """An ISO alpha-3 code (any case) or a country name in French or English, as the code."""
    codes, names = _countries()
    text = value.strip()
    if text.upper() in codes:
        return text.upper()
    found = names.get(normalize(text))
    if found:
        return found
    raise FilterError(
        f"unknown country {text!r}: give an ISO alpha-3 code (UKR, RUS), NATO, EU, EUROPE, "
        "or a country name in French or English",
        path=option,
    )


def choice(value: str, allowed: tuple[str, ...], option: str, *, upper: bool = False) -> str:
    """``value`` when it is one of ``allowed`` (compared case-insensitively)."""
    wanted = value.strip().upper() if upper else value.strip().lower()
    if wanted in allowed:
        return wanted
    raise FilterError(f"{value!r} is not one of {', '.join(allowed)}", path=option)


def event_type(value: str, option: str = "--type") -> str:
    return choice(value, PLOVER_EVENT_TYPES, option, upper=True)


def verification(value: str, option: str = "--verification") -> str:
    return choice(value, INCIDENT_VERIFICATIONS, option)


def claim_verification(value: str, option: str = "--verification") -> str:
    return choice(value, tuple(v.value for v in Verification), option)


def aid_status(value: str, option: str = "--status") -> str:
    return choice(value, tuple(s.value for s in AidStatus), option)
