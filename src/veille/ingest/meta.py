"""Metadata tables: a CSV or TSV that gives text files their URL, outlet, title, date, language.

Scraped text rarely carries its own source line, but it almost always comes with such a
table. ``veille run --meta FILE`` reads one; a ``MANIFEST.tsv`` / ``manifest.csv`` in an
input folder (or up to two folders above it) is picked up by itself.

    table = load_meta(Path("corpus/MANIFEST.tsv"))
    doc = table.apply(doc)          # RawDocument with url/outlet/title/published/language

Column names are recognised case-insensitively (``file``/``path``, ``url``,
``outlet``/``source``, ``published``/``publication_date``/``date``, ``title``,
``language``/``lang``). A row's ``file`` is relative to the table's folder. A bad row is
one error naming ``table:line``; the other rows still apply.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from veille.ingest.errors import FormatError, InputError
from veille.ingest.formats import RawDocument, parse_partial_date
from veille.ingest.read import decode_text, read_bytes
from veille.model import FuzzyDate

MANIFEST_NAMES = ("manifest.tsv", "manifest.csv")
MANIFEST_LEVELS = 2  # how many folders above an input folder are searched for a manifest
_MAX_META_BYTES = 50 * 1024 * 1024

# canonical field -> accepted column names (lower case, spaces and dashes as underscores)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "file": ("file", "path", "filename", "file_name", "filepath"),
    "url": ("url", "link", "url_or_repo_path", "source_url"),
    "outlet": ("outlet", "source", "site", "site_name", "publisher", "media"),
    "title": ("title", "headline"),
    "published": (
        "published",
        "publication_date",
        "published_date",
        "date",
        "pubdate",
        "date_published",
    ),
    "language": ("language", "lang"),
}


class MetaError(FormatError):
    """A metadata table (or one of its rows) that cannot be used."""

    code = "V111"


@dataclass(frozen=True, slots=True)
class FileMeta:
    url: str | None = None
    outlet: str | None = None
    title: str | None = None
    published: FuzzyDate = field(default_factory=FuzzyDate.unknown)
    language: str | None = None

    def key(self) -> str:
        """A short hash of what this row says, so a changed row makes a new version."""
        text = "\x1f".join(
            str(v or "")
            for v in (self.url, self.outlet, self.title, self.published.iso(), self.language)
        )
        return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


@dataclass
class MetaTable:
    """Rows by absolute file path, and the errors met while reading the table."""

    rows: dict[str, FileMeta] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def update(self, other: MetaTable) -> None:
        """Add ``other``'s rows; rows already here win (an explicit --meta over a manifest)."""
        for path, meta in other.rows.items():
            self.rows.setdefault(path, meta)
        self.errors.extend(other.errors)
        self.sources.extend(other.sources)

    def apply(self, doc: RawDocument) -> RawDocument:
        """``doc`` with the metadata of its file. The table wins over what the file says,
        except for JSONL records, whose own fields win (the row applies to the whole file)."""
        meta = self.rows.get(os.path.realpath(doc.path.rsplit(":", 1)[0]) if doc.path else "")
        if meta is None and doc.path:
            meta = self.rows.get(os.path.realpath(doc.path))
        if meta is None:
            return doc
        if doc.input_format == "jsonl":
            return dataclasses.replace(
                doc,
                url=doc.url or meta.url,
                outlet=doc.outlet or meta.outlet,
                title=doc.title or meta.title,
                published=doc.published if doc.published.value else meta.published,
                language=doc.language or meta.language,
                meta_hash=meta.key(),
            )
        return dataclasses.replace(
            doc,
            url=meta.url or doc.url,
            outlet=meta.outlet or doc.outlet,
            title=meta.title or doc.title,
            published=meta.published if meta.published.value else doc.published,
            language=meta.language or doc.language,
            meta_hash=meta.key(),
        )


def outlet_from_url(url: str | None) -> str | None:
    """``https://www.lemonde.fr/x`` -> ``lemonde.fr`` (None for anything not a web URL)."""
    if not url:
        return None
    try:
        parsed = urlparse(url.strip())
        host = (parsed.hostname or "").lower()
    except ValueError:  # "http://[::1" and other unparsable hosts
        return None
    if parsed.scheme not in ("http", "https") or "." not in host:
        return None
    return host.removeprefix("www.")


def _web_url(value: str) -> str | None:
    """The value when it is an http(s) URL; a note such as "host (URL not recovered)" is not."""
    value = value.strip()
    try:
        parsed = urlparse(value)
        ok = parsed.scheme in ("http", "https") and bool(parsed.hostname) and " " not in value
    except ValueError:
        return None
    return value if ok else None


def _column_map(header: list[str]) -> dict[str, int]:
    normal = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in header]
    found: dict[str, int] = {}
    for name, aliases in _COLUMNS.items():
        for alias in aliases:
            if alias in normal:
                found[name] = normal.index(alias)
                break
    return found


def load_meta(path: Path) -> MetaTable:
    """Read one CSV/TSV metadata table. Never raises: problems come back in ``errors``."""
    table = MetaTable(sources=[str(path)])
    try:
        raw = read_bytes(path, _MAX_META_BYTES)
        text, _ = decode_text(raw, str(path))
    except InputError as error:
        table.errors.append(MetaError(f"metadata file: {error.reason}", path=str(path)))
        return table
    first = text.split("\n", 1)[0]
    delimiter = "\t" if path.suffix.lower() == ".tsv" or "\t" in first else ","
    if path.suffix.lower() == ".csv" and first.count(";") > first.count(","):
        delimiter = ";"
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        table.errors.append(MetaError("metadata file has no header line", path=str(path)))
        return table
    columns = _column_map(header)
    if "file" not in columns:
        table.errors.append(
            MetaError(
                "metadata file has no file column (expected one named file or path)",
                path=f"{path}:1",
            )
        )
        return table
    base = path.parent
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.errors.append(
                MetaError(f"unreadable row: {exc}", path=f"{path}:{reader.line_num}")
            )
            continue
        where = f"{path}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            table.errors.append(
                MetaError(f"row has {len(row)} fields, the header {len(header)}", path=where)
            )
            continue

        def cell(name: str, row: list[str] = row) -> str:
            index = columns.get(name)
            return row[index].strip() if index is not None and index < len(row) else ""

        name = cell("file")
        if not name:
            table.errors.append(MetaError("row has no file name", path=where))
            continue
        published_text = cell("published")
        published = parse_partial_date(published_text)
        if published_text and published.value is None:
            table.errors.append(
                MetaError(
                    f"unreadable date {published_text!r} (expected YYYY, YYYY-MM or YYYY-MM-DD)",
                    path=where,
                )
            )
            continue
        language = cell("language").lower() or None
        if language and not (language.isalpha() and 2 <= len(language) <= 3):
            table.errors.append(
                MetaError(f"unreadable language {language!r} (expected a code like fr)", path=where)
            )
            continue
        url = _web_url(cell("url")) if cell("url") else None
        outlet = cell("outlet") or outlet_from_url(url)
        target = Path(name) if Path(name).is_absolute() else base / name
        table.rows[os.path.realpath(target)] = FileMeta(
            url=url,
            outlet=outlet or None,
            title=cell("title") or None,
            published=published,
            language=language,
        )
    return table


def find_manifests(paths: list[str | Path]) -> list[Path]:
    """Manifests beside the inputs: in each input folder, or up to two folders above it."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if not path.exists():
            continue
        folder = path if path.is_dir() else path.parent
        folder = folder.resolve()
        for level, candidate_dir in enumerate((folder, *folder.parents)):
            if level > MANIFEST_LEVELS:
                break
            hit = _manifest_in(candidate_dir)
            if hit is not None:
                if hit not in found:
                    found.append(hit)
                break
    return found


def _manifest_in(folder: Path) -> Path | None:
    try:
        names = {entry.name.lower(): entry for entry in os.scandir(folder) if entry.is_file()}
    except OSError:
        return None
    for wanted in MANIFEST_NAMES:
        if wanted in names:
            return Path(names[wanted].path)
    return None


def load_run_meta(paths: list[str | Path], explicit: Path | None) -> MetaTable:
    """The metadata for a run: ``--meta FILE`` first, then any manifests found."""
    table = MetaTable()
    if explicit is not None:
        if not explicit.is_file():
            table.errors.append(MetaError("no such metadata file", path=str(explicit)))
        else:
            table.update(load_meta(explicit))
    for manifest in find_manifests(paths):
        if explicit is not None and manifest.resolve() == explicit.resolve():
            continue
        table.update(load_meta(manifest))
    return table
