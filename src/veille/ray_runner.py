"""The Ray engine: the same stages on a Ray cluster, analyses written as a Parquet dataset.

    veille run --engine ray PATHS                         # a local Ray cluster
    veille run --engine ray --ray-address auto PATHS      # an existing cluster
    veille load DATASET                                   # import a dataset, then link

The driver reads, cleans and admits documents exactly as the local runner does (it
alone reads the store). Ray Data then runs the stages with ``map_batches`` over an actor
pool (each actor calls ``setup()`` once: one model load per actor) and writes one Parquet
directory per store table (``articles``, ``entity_mentions``, ``quantities``, ``times``,
``events``, ``aid_commitments``, ``claims``) whose columns are the store's own.
``Store.import_dataset`` bulk-loads them with DuckDB ``read_parquet`` (no row-by-row
inserts), then the run links and indexes as usual.

On a multi-machine cluster the dataset directory must be a path every node and the
driver can reach (a shared file system): setting ``dataset_dir``.

Ray is an optional extra: ``pip install 'veille[ray]'``.
"""

from __future__ import annotations

import pickle
import time
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from veille.errors import VeilleError
from veille.model import Analysis
from veille.pipeline import FLAG_ANALYSIS_FAILED, FLAG_UNSUPPORTED, LocalRunner, RunSummary, Stage

# store tables an analysis fills, in the order they are written and loaded
DATASET_TABLES = (
    "articles",
    "entity_mentions",
    "quantities",
    "times",
    "events",
    "aid_commitments",
    "claims",
)


class RayUnavailableError(VeilleError):
    code = "V120"


def import_ray():
    try:
        import ray
        import ray.data
    except ImportError as exc:
        raise RayUnavailableError(
            "--engine ray needs Ray: pip install 'veille[ray]'", path="ray"
        ) from exc
    return ray


def analysis_rows(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    """The rows one analysis adds to each store table (``version`` is set at import)."""
    from veille.store.duckdb import rows as R

    a, aid_ = analysis, analysis.article.id
    return {
        "articles": [R.article_row(a.article, 1)],
        "entity_mentions": [R.entity_row(aid_, i, m) for i, m in enumerate(a.entities)],
        "quantities": [R.quantity_row(aid_, i, q) for i, q in enumerate(a.quantities)],
        "times": [R.time_row(aid_, i, t) for i, t in enumerate(a.times)],
        "events": [R.event_row(i, e) for i, e in enumerate(a.events)],
        "aid_commitments": [R.aid_row(i, c) for i, c in enumerate(a.aid)],
        "claims": [R.claim_row(i, c) for i, c in enumerate(a.claims)],
    }


def table_schemas() -> dict[str, Any]:
    """Arrow schemas of the dataset tables: the store's own columns and types."""
    from veille.store import open_store

    with open_store(":memory:") as store:
        conn = store.connection()
        schemas = {}
        for table in DATASET_TABLES:
            columns = "* EXCLUDE (stored_at)" if table == "articles" else "*"  # set at import
            arrow = conn.sql(f"SELECT {columns} FROM {table} LIMIT 0").to_arrow_table()
            schemas[table] = arrow.schema
        return schemas


class AnalyzeActor:
    """One Ray actor: sets the stages up once, then analyses batches of pickled articles."""

    def __init__(self, stages: list[Stage]) -> None:
        self.stages = stages
        for stage in stages:
            stage.setup()

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        from veille.pipeline import apply_stages

        analyses = [Analysis(article=pickle.loads(blob)) for blob in batch["article"]]
        analyses = apply_stages(self.stages, analyses)
        out: dict[str, list[Any]] = {"id": [], "failure": [], "unsupported": [], "rows": []}
        for analysis in analyses:
            flags = analysis.article.flags
            failure = next((f for f in flags if f.startswith(FLAG_ANALYSIS_FAILED)), "")
            out["id"].append(analysis.article.id)
            out["failure"].append(failure)
            out["unsupported"].append(FLAG_UNSUPPORTED in flags)
            out["rows"].append(b"" if failure else pickle.dumps(analysis_rows(analysis)))
        return out


def _table_rows(batch: dict[str, Any], *, table: str, schema: Any) -> Any:
    import pyarrow as pa

    rows = [r for blob in batch["rows"] if len(blob) for r in pickle.loads(blob)[table]]
    return pa.Table.from_pylist(rows, schema=schema)


def analyse_to_dataset(
    batches: list[list[Analysis]],
    stages: list[Stage],
    dataset: Path,
    *,
    workers: int,
    batch_size: int,
    address: str | None = None,
) -> list[dict[str, Any]]:
    """Analyse ``batches`` on Ray and write the dataset; returns id/failure per article."""
    ray = import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(
            address=address or None,
            num_cpus=None if address else workers,
            include_dashboard=False,
            log_to_driver=False,
        )
    try:
        items = [{"article": pickle.dumps(a.article)} for batch in batches for a in batch]
        analysed = (
            ray.data.from_items(items)
            .map_batches(
                AnalyzeActor,
                fn_constructor_args=(stages,),
                batch_size=batch_size,
                compute=ray.data.ActorPoolStrategy(size=workers),
                num_cpus=1,
            )
            .materialize()
        )
        schemas = table_schemas()
        for table in DATASET_TABLES:
            analysed.map_batches(
                partial(_table_rows, table=table, schema=schemas[table]),
                batch_format="numpy",
            ).write_parquet(str(dataset / table))
        return list(analysed.select_columns(["id", "failure", "unsupported"]).iter_rows())
    finally:
        if started_here:
            ray.shutdown()


class RayRunner(LocalRunner):
    """The local runner's reading and admission; analysis on Ray; import from Parquet."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._batches: list[list[Analysis]] = []

    def _submit(self, batch: list[Analysis], summary: RunSummary) -> None:
        self._batches.append(batch)

    def _drain(self, summary: RunSummary) -> None:
        if not self._batches:
            return
        settings = self.settings
        base = settings.dataset_dir or settings.db_path.with_name(
            settings.db_path.name + ".datasets"
        )
        dataset = base / datetime.now(UTC).strftime("run-%Y%m%dT%H%M%S%f")
        results = analyse_to_dataset(
            self._batches,
            self.stages,
            dataset,
            workers=self.workers,
            batch_size=settings.batch_size,
            address=settings.ray_address,
        )
        self._batches = []
        by_id = {}
        for row in results:
            by_id[row["id"]] = row
            if row["failure"]:
                where = self._origin.pop(row["id"], row["id"])
                self._pending_warnings.pop(row["id"], None)
                reason = row["failure"].split(": ", 1)[-1]
                self._record_error(summary, _analysis_error(f"analysis failed: {reason}", where))
        t0 = time.perf_counter()
        counts = self.store.import_dataset(dataset)
        summary.store_seconds += time.perf_counter() - t0
        summary.dataset = str(dataset)
        summary.stored += counts["articles"]
        summary.entities += counts["entity_mentions"]
        summary.quantities += counts["quantities"]
        summary.events += counts["events"]
        summary.aid += counts["aid_commitments"]
        summary.claims += counts["claims"]
        for article_id in counts["ids"]:
            self._origin.pop(article_id, None)
            summary.warnings.extend(self._pending_warnings.pop(article_id, ()))
            if by_id.get(article_id, {}).get("unsupported"):
                summary.not_analysed += 1

    def _close_pool(self) -> None:
        pass


def _analysis_error(reason: str, where: str) -> VeilleError:
    from veille.ingest.errors import AnalysisError

    return AnalysisError(reason, path=where)
