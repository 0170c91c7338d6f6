"""Exports: gold-format predictions, full-model JSON, CSV/Parquet tables, GeoJSON.

Library functions the CLI (``veille export``) and the API's download endpoints share:

- ``export_store(store, fmt, out_dir) -> list[Path]`` and
  ``export_analyses(analyses, fmt, out_dir, incidents=()) -> list[Path]`` write files;
- ``export_bytes(analyses, fmt, table=..., incidents=...) -> (body, media type, file
  name)`` for one download;
- per-format text/bytes for one response: ``gold.prediction_json(analysis)``,
  ``json.analysis_json(analysis)`` / ``json.analyses_json(analyses)``,
  ``tables.table_rows(analyses, incidents)`` then ``tables.table_csv(name, rows)`` /
  ``tables.table_parquet(name, rows)``, ``tables.geojson_text(analyses)``.

Files written: gold = ``<doc>.json`` per source (the latest version when a source was
ingested several times; ``<doc>-<hash>.json`` when two sources share a file name, as
``x/article.txt`` and ``y/article.txt`` do); json = ``<article id>.json`` per article
version; csv/parquet = ``<table>.csv|parquet`` for every table in ``tables.TABLES``;
geojson = ``events.geojson``.
"""

from __future__ import annotations

# aliased: importing the submodule veille.export.json rebinds the name "json" here
import json as jsonlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from veille.errors import InputError
from veille.model import Analysis, Incident, stable_id

FORMATS: tuple[str, ...] = ("gold", "json", "csv", "parquet", "geojson")

_UNSAFE = re.compile(r"[^\w.\-]+")
# File systems take 255 bytes per name; keep room for a suffix and the extension.
MAX_NAME_BYTES = 180
_INCIDENT_PAGE = 500


class ExportSource(Protocol):
    """What the exports read from a store."""

    def iter_analyses(self, article_ids: Iterable[str] | None = None) -> Iterator[Analysis]: ...

    def list_incidents(
        self, limit: int = 50, offset: int = 0, *, type: str | None = None
    ) -> list[Incident]: ...


def safe_file_name(name: str) -> str:
    """A file name from a document name or URL, without path separators, short enough
    for any file system (a long name is cut and gets a hash of the whole name)."""
    safe = _UNSAFE.sub("_", name).strip("._") or "document"
    if len(safe.encode("utf-8")) <= MAX_NAME_BYTES:
        return safe
    cut = safe.encode("utf-8")[: MAX_NAME_BYTES - 17].decode("utf-8", "ignore")
    return f"{cut}-{stable_id(name, size=8)}"


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def _write(path: Path, data: str | bytes) -> Path:
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write file: {exc.strerror or exc}", path=str(path)) from exc
    return path


def _output_dir(out_dir: str | Path) -> Path:
    """``out_dir``, created when missing; an existing file there is an error, not a crash."""
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError("is a file, not a folder: give a folder to export into", path=str(out))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create folder: {exc.strerror or exc}", path=str(out)) from exc
    return out


def _write_gold(analyses: Iterable[Analysis], out_dir: Path, kb: Any = None) -> list[Path]:
    """One prediction per document, streaming; a later version of a doc replaces it."""
    from veille.eval import doc_name, version_key
    from veille.export.gold import prediction_json

    # Per source, not per doc name: x/article.txt and y/article.txt are two documents.
    written: dict[str, tuple[Path, tuple[str, str]]] = {}
    taken: dict[str, str] = {}  # file name -> the source written under it
    for analysis in analyses:
        source = analysis.article.source
        key = version_key(analysis)
        if source in written and written[source][1] >= key:
            continue
        if source in written:
            path = written[source][0]
        else:
            stem = safe_file_name(doc_name(source))
            if taken.get(stem, source) != source:
                stem = f"{stem}-{stable_id(source, size=4)}"
            taken[stem] = source
            path = out_dir / f"{stem}.json"
        _write(path, prediction_json(analysis, kb))
        written[source] = (path, key)
    return sorted(path for path, _ in written.values())


def export_analyses(
    analyses: Iterable[Analysis],
    fmt: str,
    out_dir: str | Path,
    incidents: Iterable[Incident] = (),
    kb: Any = None,
) -> list[Path]:
    """Write ``analyses`` (and, for tables, ``incidents``) to ``out_dir`` in format ``fmt``.

    ``kb`` (optional, gold format only) adds claim speakers' KB aliases to predictions.
    """
    _check_format(fmt)
    out = _output_dir(out_dir)
    if fmt == "gold":
        return _write_gold(analyses, out, kb)
    if fmt == "json":
        from veille.export.json import analysis_json

        return [
            _write(out / f"{safe_file_name(a.article.id)}.json", analysis_json(a)) for a in analyses
        ]
    from veille.export import tables

    if fmt == "geojson":
        return [_write(out / "events.geojson", tables.geojson_text(analyses))]
    rows = tables.table_rows(analyses, incidents)
    encode = tables.table_csv if fmt == "csv" else tables.table_parquet
    return [_write(out / f"{name}.{fmt}", encode(name, rows[name])) for name in tables.TABLES]


MEDIA_TYPES: dict[str, str] = {
    "gold": "application/json",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "parquet": "application/vnd.apache.parquet",
    "geojson": "application/geo+json",
}


def export_bytes(
    analyses: Iterable[Analysis],
    fmt: str,
    *,
    table: str = "events",
    incidents: Iterable[Incident] = (),
    kb: Any = None,
) -> tuple[bytes, str, str]:
    """One download: ``(body, media type, file name)``.

    gold and json give a JSON array (gold: the latest version per document); csv and
    parquet give the one ``table`` asked for; geojson the events FeatureCollection.
    """
    _check_format(fmt)
    from veille.export import tables

    if fmt == "gold":
        from veille.eval import latest_per_doc
        from veille.export.gold import analysis_to_prediction

        latest = latest_per_doc(analyses)
        preds = [analysis_to_prediction(latest[name], kb) for name in sorted(latest)]
        body = jsonlib.dumps(preds, ensure_ascii=False).encode("utf-8")
        return body, MEDIA_TYPES[fmt], "predictions.json"
    if fmt == "json":
        from veille.export.json import analyses_json

        return analyses_json(list(analyses)).encode("utf-8"), MEDIA_TYPES[fmt], "analyses.json"
    if fmt == "geojson":
        return tables.geojson_text(analyses).encode("utf-8"), MEDIA_TYPES[fmt], "events.geojson"
    if table not in tables.TABLES:
        raise InputError(f"unknown table {table!r}; choose one of {', '.join(tables.TABLES)}")
    rows = tables.table_rows(analyses, incidents if table == "incidents" else ())[table]
    encode = tables.table_csv if fmt == "csv" else tables.table_parquet
    return encode(table, rows), MEDIA_TYPES[fmt], f"{table}.{fmt}"


def iter_incidents(store: ExportSource) -> Iterator[Incident]:
    """Every incident in the store, page by page."""
    offset = 0
    while True:
        page = store.list_incidents(limit=_INCIDENT_PAGE, offset=offset)
        yield from page
        if len(page) < _INCIDENT_PAGE:
            return
        offset += len(page)


def export_store(store: ExportSource, fmt: str, out_dir: str | Path, kb: Any = None) -> list[Path]:
    """Export everything a store holds; returns the files written."""
    _check_format(fmt)
    incidents = iter_incidents(store) if fmt in ("csv", "parquet") else ()
    return export_analyses(store.iter_analyses(), fmt, out_dir, incidents, kb)
