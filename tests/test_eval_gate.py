"""The quality gate: the real pipeline on the five seeds, scored by ``veille eval``.

Every score named in ``tests/eval_floors.json`` (dotted paths into the ``overall`` object
of ``veille eval --json``) must be at least its floor. Floors only go up: raise one when a
change makes a score better, never lower one to make this test pass. An undefined score
(nothing matched, so no attribute accuracy) counts as 0.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from veille.eval import evaluate_store

FLOORS_FILE = Path(__file__).with_name("eval_floors.json")
FLOORS: dict[str, float] = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]


def lookup(overall: dict[str, Any], dotted: str) -> float:
    """``events.f1`` -> ``overall["events"]["f1"]``; a missing key is a KeyError."""
    value: Any = overall
    for key in dotted.split("."):
        value = value[key]
    return 0.0 if value is None else float(value)


@pytest.fixture(scope="module")
def seed_scores(tmp_path_factory, seeds_dir: Path, gold_dir: Path) -> dict[str, Any]:
    """Run the whole pipeline on the seeds into a fresh store and score it once."""
    from veille.pipeline import run
    from veille.settings import load_settings
    from veille.store import open_store

    db = tmp_path_factory.mktemp("gate") / "seeds.duckdb"
    settings = load_settings(env={}, overrides={"db_path": db})
    run(sorted(seeds_dir.glob("*.txt")), settings)
    store = open_store(db, read_only=True)
    try:
        report = evaluate_store(gold_dir, store)
    finally:
        store.close()
    assert not report.missing, f"the pipeline stored no analysis for {report.missing}"
    return report.to_dict()["overall"]


def test_floors_name_real_scores() -> None:
    from veille.eval import score

    empty = score({"d.txt": {"doc": "d.txt"}}, {}).to_dict()["overall"]
    for key in FLOORS:
        lookup(empty, key)  # raises KeyError for a misspelt path
        assert 0.0 <= FLOORS[key] <= 1.0, key


@pytest.mark.parametrize("key", sorted(FLOORS))
def test_seed_score_is_not_below_floor(seed_scores: dict[str, Any], key: str) -> None:
    value = lookup(seed_scores, key)
    assert value + 1e-9 >= FLOORS[key], f"{key} = {value:.3f} fell below its floor {FLOORS[key]}"
