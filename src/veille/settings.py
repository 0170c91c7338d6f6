"""One typed options object, built once and passed explicitly.

Layers, later wins: the defaults below, a user TOML file (``--config PATH`` or
``$VEILLE_CONFIG``), environment variables ``VEILLE_<FIELD>`` (``VEILLE_DB_PATH``,
``VEILLE_BATCH_SIZE``...), then CLI flags (``overrides``).
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from veille.errors import DataFileError


@dataclass(frozen=True)
class Settings:
    db_path: Path = Path("veille.duckdb")
    batch_size: int = 32  # articles per stage batch and per store transaction
    nlp_batch_size: int = 16  # texts per spaCy nlp.pipe batch
    default_language: str = "fr"  # used when the text is too short to identify
    language_min_chars: int = 40  # below this, detection is not trusted
    max_file_mb: float = 20.0  # larger inputs are rejected (V104), not read; a JSONL record too
    duckdb_memory_limit: str = "1GB"  # DuckDB's buffer during runs (it spills to disk beyond)
    engine: str = "local"  # local (processes on this machine) or ray (veille[ray])
    ray_address: str | None = None  # a Ray cluster to join ("auto", "ray://host:10001")
    dataset_dir: Path | None = None  # Ray engine output; default <db_path>.datasets/
    workers: int = 0  # analysis processes; 0: one per core, 1: analyse in the driver
    # estimated Jaccard of word 3-shingles for near-duplicate groups; the linking owner's
    # measured choice (bench/bench_dedup.py, bench/results/dedup.json), not the first 0.8
    near_duplicate_threshold: float = 0.35
    search_index_dir: Path | None = None  # default: <db_path>.search/ beside the database
    kb_path: Path | None = None  # default: the bundled knowledge base
    extensions: tuple[str, ...] = (".txt", ".html", ".htm", ".jsonl")
    # Fetching feeds and pages (veille.fetch): a polite crawler's limits.
    poll_every_s: int = 900  # default interval between two polls of a source
    fetch_host_interval_s: float = 2.0  # at most one request per host this often
    fetch_concurrency: int = 4  # hosts fetched at the same time
    fetch_timeout_s: float = 20.0  # connect, and between two reads
    fetch_total_timeout_s: float = 60.0  # one response, headers to last byte
    fetch_max_mb: float = 5.0  # larger bodies are dropped, not read
    fetch_max_redirects: int = 5
    fetch_retries: int = 3  # after the first try, on 429/5xx and connection errors
    fetch_backoff_s: float = 1.0  # first retry waits about this long, then doubles
    fetch_max_wait_s: float = 120.0  # a longer Retry-After moves the source's next poll
    fetch_max_items: int = 200  # newest items taken from one feed or sitemap per poll
    fetch_contact: str = ""  # appended to the user agent (an address or URL for admins)
    raw_dir: Path | None = None  # fetched bytes; default: <db_path>.raw/ beside the database

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * 1024 * 1024)

    @property
    def worker_count(self) -> int:
        """Analysis processes to use: ``workers``, or the machine's cores when it is 0."""
        return self.workers if self.workers > 0 else (os.cpu_count() or 1)

    @property
    def fetch_max_bytes(self) -> int:
        return int(self.fetch_max_mb * 1024 * 1024)

    @property
    def raw_store_dir(self) -> Path:
        if self.raw_dir is not None:
            return self.raw_dir
        return self.db_path.with_name(self.db_path.name + ".raw")

    @property
    def search_dir(self) -> Path:
        if self.search_index_dir is not None:
            return self.search_index_dir
        return self.db_path.with_name(self.db_path.name + ".search")


ENV_PREFIX = "VEILLE_"
ENGINES = ("local", "ray")


def _coerce(name: str, kind: Any, value: Any, origin: str) -> Any:
    """Turn a TOML or environment value into the field's declared type."""
    args = [a for a in typing.get_args(kind) if a is not type(None)]
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        if value is None or value == "":
            return None
        kind = args[0]
    try:
        if kind is Path:
            return Path(value).expanduser()
        if kind is bool:
            if isinstance(value, str):
                return value.strip().lower() in {"1", "true", "yes", "on"}
            return bool(value)
        if kind in (int, float, str):
            return kind(value)
        if typing.get_origin(kind) is tuple:
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(i).strip() for i in items if str(i).strip())
    except (TypeError, ValueError) as exc:
        raise DataFileError(f"setting {name}={value!r} is not a valid {kind}", path=origin) from exc
    raise DataFileError(f"setting {name} has an unsupported type {kind}", path=origin)


def load_settings(
    config_file: str | Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults, then the TOML file, then ``VEILLE_*`` variables, then ``overrides``.

    ``overrides`` values that are ``None`` are ignored (an unset CLI flag).
    """
    env = os.environ if env is None else env
    hints = typing.get_type_hints(Settings)
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}

    config_file = config_file or env.get(ENV_PREFIX + "CONFIG") or None
    if config_file:
        path = Path(config_file)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise DataFileError(
                f"cannot read the config file: {exc.strerror}", path=str(path)
            ) from exc
        except tomllib.TOMLDecodeError as exc:
            raise DataFileError(f"invalid TOML: {exc}", path=str(path)) from exc
        data = data.get("veille", data)  # allow a [veille] table or top-level keys
        for key, value in data.items():
            if key not in known:
                raise DataFileError(f"unknown setting {key!r}", path=str(path))
            values[key] = _coerce(key, hints[key], value, str(path))

    for name in known:
        raw = env.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = _coerce(name, hints[name], raw, f"${ENV_PREFIX}{name.upper()}")
    if "db_path" not in values and env.get(ENV_PREFIX + "DB"):  # short alias
        values["db_path"] = Path(env[ENV_PREFIX + "DB"])

    for name, value in (overrides or {}).items():
        if name not in known:
            raise DataFileError(f"unknown setting {name!r}", path="<overrides>")
        if value is not None:
            values[name] = _coerce(name, hints[name], value, "<overrides>")
    settings = replace(Settings(), **values)
    if settings.engine not in ENGINES:
        raise DataFileError(
            f"setting engine={settings.engine!r}: use one of {', '.join(ENGINES)}",
            path="<settings>",
        )
    return settings
