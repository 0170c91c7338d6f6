"""`veille run --engine ray` on a local Ray cluster gives the database the local runner gives;
`veille load` imports its Parquet dataset the same way."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from veille.errors import StoreError
from veille.pipeline import AnalyzeStage, LanguageStage, load, run
from veille.settings import load_settings
from veille.store import open_store

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "fr"
TABLES = (
    "articles",
    "entity_mentions",
    "quantities",
    "times",
    "events",
    "aid_commitments",
    "claims",
    "duplicate_groups",
    "incidents",
    "incident_events",
    "merged_aid",
    "stories",
    "story_articles",
)


def snapshot(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, without the storage timestamps."""
    with open_store(db, read_only=True) as store:
        conn = store.connection()
        out = {}
        for table in TABLES:
            columns = "* EXCLUDE (stored_at, ingested_at)" if table == "articles" else "*"
            out[table] = conn.execute(f"SELECT {columns} FROM {table} ORDER BY ALL").fetchall()
        return out


def settings_for(db: Path, **extra):
    return load_settings(overrides={"db_path": db, "batch_size": 4, **extra}, env={})


def test_load_refuses_a_folder_that_is_no_dataset(tmp_path):
    with pytest.raises(StoreError, match=r"not a Veille dataset"):
        load(tmp_path, settings_for(tmp_path / "x.duckdb"))


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'veille[ray]'")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.mark.slow
def test_ray_engine_gives_the_same_database_as_the_local_runner(
    ray_cluster, tmp_path, seeds_dir, nlp, kb
):
    corpus = tmp_path / "corpus"
    shutil.copytree(seeds_dir, corpus)
    if SHARED_CORPUS.is_dir():
        for path in sorted(SHARED_CORPUS.glob("*.txt")):
            shutil.copy(path, corpus / f"shared_{path.name}")
    local_db, ray_db, loaded_db = (tmp_path / f"{n}.duckdb" for n in ("local", "ray", "loaded"))

    local = run(
        [corpus],
        settings_for(local_db, workers=1),
        stages=[LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})],
    )
    on_ray = run([corpus], settings_for(ray_db, engine="ray", workers=2))
    assert on_ray.ok and local.ok, (on_ray.errors, local.errors)
    assert (on_ray.stored, on_ray.entities, on_ray.events, on_ray.aid, on_ray.claims) == (
        local.stored,
        local.entities,
        local.events,
        local.aid,
        local.claims,
    )
    expected = snapshot(local_db)
    assert expected["events"] and expected["incidents"]
    assert snapshot(ray_db) == expected  # same ids, same rows, same links

    dataset = Path(on_ray.dataset)
    assert {p.name for p in dataset.iterdir()} == {
        *("articles", "entity_mentions", "quantities", "times"),
        *("events", "aid_commitments", "claims"),
    }
    loaded = load(dataset, settings_for(loaded_db))
    assert loaded.stored == local.stored and snapshot(loaded_db) == expected
    again = load(dataset, settings_for(loaded_db))
    assert again.stored == 0 and snapshot(loaded_db) == expected
