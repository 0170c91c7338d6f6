"""Bundled knowledge base: canonical entities, names and aliases, places, roles.

The data lives in ``kb/data/`` as JSONL files (one entity per line) listed in
``manifest.yaml`` with the ``kb_version``. ``KnowledgeBase.load()`` validates every
entry and raises :class:`veille.errors.DataFileError` naming the file, line and reason.

Lookups are case- and accent-insensitive (see :func:`normalize`). Nothing here knows a
language: French and English names are data on the entries.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from veille.errors import DataFileError
from veille.model import EntityType

DATA_DIR = Path(__file__).parent / "data"
MANIFEST = "manifest.yaml"

KINDS = frozenset(
    {
        "country",
        "supranational",
        "continent",
        "region",
        "city",
        "capital",
        "town",
        "district",
        "sea",
        "cape",
        "river",
        "infrastructure",
        "government",
        "ministry",
        "military",
        "legislature",
        "agency",
        "seat",
        "organisation",
        "alliance",
        "media",
        "company",
        "armed_group",
        "weapon_system",
        "weapon_family",
        "person",
        "event",
        "conference",
    }
)
SECTORS = frozenset({"GOV", "MIL", "LEG", "JUD", "MED", "BUS", "IGO", "NGO", "REB", "EDU", "CVL"})
_ID_RE = re.compile(r"^[a-z]+:[a-z0-9][a-z0-9._-]*$")
_COUNTRY_RE = re.compile(r"^([A-Z]{3}|NATO|EU|EUROPE)$")
_WIKIDATA_RE = re.compile(r"^Q[0-9]+$")
_ROLE_ID_RE = re.compile(r"^[A-Z]{2,6}\.[a-z_]+$")
_FIELDS = frozenset(
    {
        "id",
        "type",
        "kind",
        "name",
        "names",
        "aliases",
        "country",
        "sector",
        "wikidata",
        "lat",
        "lon",
        "family",
        "roles",
        "seat_of",
        "head_role",
        "adjectives",
        "parent",
        "population",
    }
)


@functools.lru_cache(maxsize=1 << 16)  # the rules look the same words up again and again
def normalize(text: str) -> str:
    """Lookup key: lower case, no accents, one kind of apostrophe, hyphens as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("\u2019", "'").replace("\u02bc", "'").replace("`", "'")
    text = re.sub(r"[\u2010-\u2015-]", " ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Role:
    """An office held from ``start`` to ``end`` (``None``: still in office)."""

    role: str  # "USA.president", "NATO.secretary_general"
    start: date
    end: date | None = None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class KBEntity:
    id: str
    type: EntityType
    name: str  # canonical, English
    kind: str
    names: dict[str, tuple[str, ...]] = field(default_factory=dict)  # by language
    aliases: tuple[str, ...] = ()  # abbreviations and variants in any language
    country: str | None = None  # ISO alpha-3, NATO, EU, EUROPE
    sector: str | None = None
    wikidata: str | None = None
    lat: float | None = None
    lon: float | None = None
    family: str | None = None  # weapons: the family's KB id
    roles: tuple[Role, ...] = ()
    seat_of: str | None = None  # capital or seat of power -> government's KB id
    head_role: str | None = None  # "chef de <this>" -> role id
    adjectives: dict[str, tuple[str, ...]] = field(default_factory=dict)  # demonyms
    parent: str | None = None  # ministry -> government, district -> city
    population: int | None = None

    @property
    def label(self) -> EntityType:
        """Coarse label used in mentions and scoring: weapons are scored as MISC."""
        return self.type

    def surface_forms(self) -> tuple[str, ...]:
        """Every name and alias, canonical name first, without duplicates."""
        seen: dict[str, None] = {self.name: None}
        for names in self.names.values():
            seen.update(dict.fromkeys(names))
        seen.update(dict.fromkeys(self.aliases))
        return tuple(seen)


class KnowledgeBase:
    """Entities indexed by id, by normalised surface form, by role and by demonym."""

    def __init__(self, entities: list[KBEntity], version: str = "") -> None:
        self.version = version
        self._by_id: dict[str, KBEntity] = {e.id: e for e in entities}
        self._by_surface: dict[str, list[KBEntity]] = {}
        self._adjectives: dict[str, str | None] = {}
        self._adjective_entities: dict[str, KBEntity] = {}
        self._governments: dict[str, KBEntity] = {}
        self._countries: dict[str, KBEntity] = {}
        self._capitals: dict[str, KBEntity] = {}
        self._holders: dict[str, list[tuple[Role, KBEntity]]] = {}
        for entity in entities:
            for form in entity.surface_forms():
                bucket = self._by_surface.setdefault(normalize(form), [])
                if entity not in bucket:
                    bucket.append(entity)
            for words in entity.adjectives.values():
                for word in words:
                    self._adjectives.setdefault(normalize(word), entity.country)
                    self._adjective_entities.setdefault(normalize(word), entity)
            if entity.kind == "government" and entity.country:
                self._governments.setdefault(entity.country, entity)
            if entity.kind in {"country", "continent", "supranational"} and entity.country:
                self._countries.setdefault(entity.country, entity)
            if entity.kind == "capital" and entity.country:
                self._capitals.setdefault(entity.country, entity)
            for role in entity.roles:
                self._holders.setdefault(role.role, []).append((role, entity))
        # Most populous / most prominent first: countries, capitals, then by population.
        for bucket in self._by_surface.values():
            bucket.sort(key=_prominence)

    # -- loading ------------------------------------------------------------

    @classmethod
    def load(cls, path: Path | None = None) -> KnowledgeBase:
        """Load and validate a KB directory (default: the bundled data).

        ``path`` is a directory with ``manifest.yaml``, or a single JSONL file.
        """
        path = Path(path) if path is not None else DATA_DIR
        if path.is_file():
            files, version = [path], ""
        else:
            files, version = _read_manifest(path)
        entities: list[KBEntity] = []
        origin: dict[str, tuple[Path, int]] = {}
        for file in files:
            for lineno, raw in _read_entries(file):
                entity = _parse_entity(raw, file, lineno)
                if entity.id in origin:
                    first = origin[entity.id]
                    raise DataFileError(
                        f"line {lineno}: duplicate id {entity.id!r} "
                        f"(first defined in {first[0].name} line {first[1]})",
                        path=str(file),
                    )
                origin[entity.id] = (file, lineno)
                entities.append(entity)
        by_id = {e.id: e for e in entities}
        for entity in entities:
            for ref_name in ("seat_of", "family", "parent"):
                ref = getattr(entity, ref_name)
                if ref is not None and ref not in by_id:
                    file, lineno = origin[entity.id]
                    raise DataFileError(
                        f"line {lineno}: {ref_name} {ref!r} of {entity.id!r} is not a KB id",
                        path=str(file),
                    )
        return cls(entities, version)

    # -- queries ------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[KBEntity]:
        return iter(self._by_id.values())

    def get(self, kb_id: str) -> KBEntity | None:
        return self._by_id.get(kb_id)

    def lookup(self, surface: str) -> list[KBEntity]:
        """Entities with this name or alias (case and accents ignored), most prominent first."""
        return list(self._by_surface.get(normalize(surface), ()))

    def government_of(self, country: str) -> KBEntity | None:
        """The government entity of a country code (for metonymy)."""
        return self._governments.get(country)

    def country_entity(self, country: str) -> KBEntity | None:
        """The place entity of a country code ("UKR" -> Ukraine, "EUROPE" -> Europe)."""
        return self._countries.get(country)

    def capital_of(self, country: str) -> KBEntity | None:
        """The capital city of a country code ("UKR" -> Kyiv)."""
        return self._capitals.get(country)

    def role_holder(self, role_id: str, on: date) -> KBEntity | None:
        """Who held ``role_id`` on day ``on``, if the KB knows."""
        for role, person in self._holders.get(role_id, ()):
            if role.covers(on):
                return person
        return None

    def roles(self) -> tuple[str, ...]:
        return tuple(sorted(self._holders))

    def country_for_adjective(self, word: str) -> str | None:
        """Country code for a demonym adjective in any gender/number ("ukrainiennes" -> UKR).

        Adjectives that name no single country ("occidentaux") return ``None``.
        """
        return self._adjectives.get(normalize(word))

    def entity_for_adjective(self, word: str) -> KBEntity | None:
        """The entity a demonym names ("Russes" -> Russia, "Occidentaux" -> the West)."""
        return self._adjective_entities.get(normalize(word))


def _prominence(entity: KBEntity) -> tuple[int, int]:
    rank = {"country": 0, "supranational": 0, "capital": 1, "government": 2, "region": 3}
    return rank.get(entity.kind, 4), -(entity.population or 0)


# ---------------------------------------------------------------------------
# Reading and validation


def _read_manifest(directory: Path) -> tuple[list[Path], str]:
    manifest = directory / MANIFEST
    try:
        data = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError("missing KB manifest", path=str(manifest)) from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"invalid YAML: {exc}", path=str(manifest)) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise DataFileError("manifest needs a 'files' list", path=str(manifest))
    if not data.get("kb_version"):
        raise DataFileError("manifest needs a 'kb_version'", path=str(manifest))
    files = [directory / name for name in data["files"]]
    for file in files:
        if not file.is_file():
            raise DataFileError("file listed in the manifest does not exist", path=str(file))
    return files, str(data["kb_version"])


def _read_entries(file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, raw entry) pairs from a JSONL file or a YAML list."""
    if file.suffix in {".yaml", ".yml"}:
        yield from _read_yaml(file)
        return
    with file.open(encoding="utf-8") as handle:
        for lineno, line in enumerate(handle, start=1):
            line = line.strip()
            if not line or line.startswith("//"):
                continue
            try:
                raw = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataFileError(f"line {lineno}: invalid JSON: {exc}", path=str(file)) from None
            if not isinstance(raw, dict):
                raise DataFileError(f"line {lineno}: entry is not an object", path=str(file))
            yield lineno, raw


def _read_yaml(file: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    loader = yaml.SafeLoader(file.read_text(encoding="utf-8"))
    try:
        root = loader.get_single_node()
        if root is None:
            return
        if not isinstance(root, yaml.SequenceNode):
            raise DataFileError("a KB YAML file must be a list of entries", path=str(file))
        for node in root.value:
            lineno = node.start_mark.line + 1
            raw = loader.construct_object(node, deep=True)
            if not isinstance(raw, dict):
                raise DataFileError(f"line {lineno}: entry is not a mapping", path=str(file))
            yield lineno, raw
    except yaml.YAMLError as exc:
        raise DataFileError(f"invalid YAML: {exc}", path=str(file)) from None
    finally:
        loader.dispose()


def _parse_entity(raw: dict[str, Any], file: Path, lineno: int) -> KBEntity:
    def fail(reason: str) -> DataFileError:
        return DataFileError(f"line {lineno}: {reason}", path=str(file))

    unknown = set(raw) - _FIELDS
    if unknown:
        raise fail(f"unknown field(s) {sorted(unknown)}")
    for key in ("id", "type", "name", "kind"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise fail(f"missing or empty {key!r}")
    kb_id = raw["id"]
    if not _ID_RE.match(kb_id):
        raise fail(f"id {kb_id!r} is not a 'prefix:slug' id")
    try:
        etype = EntityType(raw["type"])
    except ValueError:
        raise fail(f"type {raw['type']!r} is not one of {[t.value for t in EntityType]}") from None
    if raw["kind"] not in KINDS:
        raise fail(f"kind {raw['kind']!r} is not one of {sorted(KINDS)}")
    country = raw.get("country")
    if country is not None and not (isinstance(country, str) and _COUNTRY_RE.match(country)):
        raise fail(f"country {country!r} is not ISO alpha-3, NATO, EU or EUROPE")
    sector = raw.get("sector")
    if sector is not None and sector not in SECTORS:
        raise fail(f"sector {sector!r} is not one of {sorted(SECTORS)}")
    wikidata = raw.get("wikidata")
    if wikidata is not None and not (isinstance(wikidata, str) and _WIKIDATA_RE.match(wikidata)):
        raise fail(f"wikidata {wikidata!r} is not a Q-id")
    coords = []
    for key, bound in (("lat", 90), ("lon", 180)):
        value = raw.get(key)
        if value is not None:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise fail(f"{key} {value!r} is not a number")
            if not -bound <= value <= bound:
                raise fail(f"{key} {value!r} is out of range")
        coords.append(value)
    if (coords[0] is None) != (coords[1] is None):
        raise fail("lat and lon go together")
    names = _language_lists(raw.get("names"), "names", fail)
    adjectives = _language_lists(raw.get("adjectives"), "adjectives", fail)
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise fail("aliases must be a list of non-empty strings")
    roles = tuple(_parse_role(r, fail) for r in _as_list(raw.get("roles"), "roles", fail))
    for key in ("seat_of", "family", "parent"):
        ref = raw.get(key)
        if ref is not None and not (isinstance(ref, str) and _ID_RE.match(ref)):
            raise fail(f"{key} {ref!r} is not a KB id")
    head_role = raw.get("head_role")
    if head_role is not None and not (isinstance(head_role, str) and _ROLE_ID_RE.match(head_role)):
        raise fail(f"head_role {head_role!r} is not a role id like 'USA.president'")
    population = raw.get("population")
    if population is not None and (isinstance(population, bool) or not isinstance(population, int)):
        raise fail("population must be an integer")
    return KBEntity(
        id=kb_id,
        type=etype,
        name=raw["name"].strip(),
        kind=raw["kind"],
        names=names,
        aliases=tuple(aliases),
        country=country,
        sector=sector,
        wikidata=wikidata,
        lat=coords[0],
        lon=coords[1],
        family=raw.get("family"),
        roles=roles,
        seat_of=raw.get("seat_of"),
        head_role=head_role,
        adjectives=adjectives,
        parent=raw.get("parent"),
        population=population,
    )


def _as_list(value: Any, key: str, fail) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise fail(f"{key} must be a list")
    return value


def _language_lists(value: Any, key: str, fail) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise fail(f"{key} must be an object of language -> list of strings")
    result: dict[str, tuple[str, ...]] = {}
    for lang, items in value.items():
        if not re.fullmatch(r"[a-z]{2}", str(lang)):
            raise fail(f"{key}: {lang!r} is not a two-letter language code")
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            raise fail(f"{key}.{lang} must be a list of non-empty strings")
        result[lang] = tuple(items)
    return result


def _parse_role(value: Any, fail) -> Role:
    if not isinstance(value, dict) or set(value) - {"role", "start", "end"}:
        raise fail(f"role {value!r} must be an object with role, start and optional end")
    role_id = value.get("role")
    if not isinstance(role_id, str) or not _ROLE_ID_RE.match(role_id):
        raise fail(f"role id {role_id!r} is not like 'USA.president'")
    try:
        start = _as_date(value["start"])
        end = _as_date(value["end"]) if value.get("end") else None
    except (KeyError, TypeError, ValueError):
        raise fail(f"role {role_id}: start/end must be ISO dates (YYYY-MM-DD)") from None
    if end is not None and end < start:
        raise fail(f"role {role_id}: end {end} is before start {start}")
    return Role(role_id, start, end)


def _as_date(value: Any) -> date:
    # YAML already turns 2021-01-20 into a date; JSON gives a string.
    return value if isinstance(value, date) else date.fromisoformat(value)
