"""The quality gate: the real pipeline on both gold sets, scored by ``veille eval``.

``tests/eval_floors.json`` names, per gold set, scores (dotted paths into the ``overall``
object of ``veille eval --json``) that must be at least their floor:

- ``seeds``: the five bundled sample articles (``examples/corpus``), the rules' first
  material;
- ``corpus``: the 23 French articles of ``../shared/corpus/fr`` nobody tuned a rule on
  sentence by sentence. They are copied without their ``MANIFEST.tsv``: the gold's
  ``published`` is what the article text says, not the outlet's metadata.

Floors only go up: raise one when a change makes a score better, never lower one to make
this test pass. An undefined score (nothing matched, so no attribute accuracy) counts as 0.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from veille.eval import evaluate_store

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
FLOORS_FILE = Path(__file__).with_name("eval_floors.json")
FLOORS: dict[str, dict[str, float]] = json.loads(FLOORS_FILE.read_text(encoding="utf-8"))["floors"]
SETS = {
    "seeds": (ROOT / "examples" / "corpus", SHARED / "gold" / "seeds"),
    "corpus": (SHARED / "corpus" / "fr", SHARED / "gold" / "corpus"),
}


def lookup(overall: dict[str, Any], dotted: str) -> float:
    """``events.f1`` -> ``overall["events"]["f1"]``; a missing key is a KeyError."""
    value: Any = overall
    for key in dotted.split("."):
        value = value[key]
    return 0.0 if value is None else float(value)


def score_set(name: str, workdir: Path) -> dict[str, Any]:
    """Run the whole pipeline on one gold set's articles into a fresh store; score it."""
    from veille.pipeline import run
    from veille.settings import load_settings
    from veille.store import open_store

    articles, gold = SETS[name]
    if not articles.is_dir() or not gold.is_dir():
        pytest.skip(f"{articles} or {gold} is not beside the repo")
    inputs = workdir / "articles"
    inputs.mkdir()
    for path in sorted(articles.glob("*.txt")):
        shutil.copy(path, inputs / path.name)
    db = workdir / f"{name}.duckdb"
    run(sorted(inputs.glob("*.txt")), load_settings(env={}, overrides={"db_path": db}))
    store = open_store(db, read_only=True)
    try:
        report = evaluate_store(gold, store)
    finally:
        store.close()
    assert not report.missing, f"the pipeline stored no analysis for {report.missing}"
    return report.to_dict()["overall"]


@pytest.fixture(scope="module")
def scores(tmp_path_factory) -> dict[str, dict[str, Any]]:
    cache: dict[str, dict[str, Any]] = {}

    def get(name: str) -> dict[str, Any]:
        if name not in cache:
            cache[name] = score_set(name, tmp_path_factory.mktemp(name))
        return cache[name]

    return get  # type: ignore[return-value]


def test_floors_name_real_scores() -> None:
    from veille.eval import score

    empty = score({"d.txt": {"doc": "d.txt"}}, {}).to_dict()["overall"]
    assert set(FLOORS) == set(SETS)
    for floors in FLOORS.values():
        for key, floor in floors.items():
            lookup(empty, key)  # raises KeyError for a misspelt path
            assert 0.0 <= floor <= 1.0, key


@pytest.mark.parametrize(
    ("name", "key"), [(name, key) for name in sorted(FLOORS) for key in sorted(FLOORS[name])]
)
def test_score_is_not_below_floor(scores, name: str, key: str) -> None:
    value = lookup(scores(name), key)
    floor = FLOORS[name][key]
    assert value + 1e-9 >= floor, f"{name}: {key} = {value:.3f} fell below its floor {floor}"
