"""SIGKILL at random points of a run (issue 12): early, mid-way and at the end (while
linking and indexing). Each time the database opens consistent, nothing is stored twice,
and the next run completes the rest, links and index included.

The analysis is the fake one (``test_pipeline``), so a run is short and the kill points
can be anywhere; ``test_recovery`` kills the real pipeline once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from hostile import CASES, FUZZ

TESTS = Path(__file__).resolve().parent
N_FILES = 30
# A veille CLI whose analysis is the fake one: the same runner, store, links and index.
FAKE_CLI = f"""
import sys
sys.path.insert(0, {str(TESTS)!r})
from test_pipeline import FakeNLP, fake_enrich
import veille.enrich, veille.extract, veille.pipeline
from veille.pipeline import AnalyzeStage, LanguageStage
veille.enrich.enrich = fake_enrich
veille.extract.extract = lambda analysis, pack, kb: analysis
veille.pipeline.default_stages = lambda settings: [
    LanguageStage(), AnalyzeStage(kb=object(), nlps={{"fr": FakeNLP()}})
]
from veille.cli import main
main()
"""


def fake_veille(*args: str) -> list[str]:
    return [sys.executable, "-c", FAKE_CLI, *args]


def make_corpus(folder: Path) -> None:
    folder.mkdir()
    for i in range(N_FILES):
        (folder / f"{i:03d}.txt").write_text(
            f"Dépêche {i}\n\nDes frappes russes ont touché Kharkiv pour la {i}e fois cette "
            f"année, faisant {i + 2} blessés selon les autorités régionales.\n",
            encoding="utf-8",
        )


def consistent(db: Path) -> tuple[int, int]:
    """(articles, distinct sources); every annotation belongs to a stored article and every
    article has its annotation (the fake analysis gives each one entity)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        orphans = con.execute(
            "SELECT count(*) FROM entity_mentions e LEFT JOIN articles a ON a.id = e.article_id "
            "WHERE a.id IS NULL"
        ).fetchone()[0]
        bare = con.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM entity_mentions e WHERE e.article_id = a.id)"
        ).fetchone()[0]
        assert (orphans, bare) == (0, 0)
        return con.execute("SELECT count(*), count(DISTINCT source) FROM articles").fetchone()
    finally:
        con.close()


POINTS = ["early", "mid-way", "end"] * (4 if FUZZ else 1)


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_sigkill_at_a_random_point(tmp_path, point):
    seed = random.randrange(1_000_000)
    rng = random.Random(seed)
    corpus = tmp_path / "corpus"
    make_corpus(corpus)
    db = tmp_path / "kill.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    cmd = fake_veille("run", str(corpus), "--db", str(db), "--batch-size", "2")
    threshold = {
        "early": rng.randint(1, N_FILES // 4),
        "mid-way": rng.randint(N_FILES // 4, 3 * N_FILES // 4),
        "end": N_FILES,
    }[point]
    proc = subprocess.Popen(
        [*cmd, "--progress", "plain"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    deadline = time.monotonic() + 120
    for line in proc.stderr:
        if line.startswith("[") and " stored " in line:
            stored = int(line.split(" stored ", 1)[1].split(",", 1)[0])
            done = int(line[1 : line.index("/")])
            if stored >= threshold or (point == "end" and done == N_FILES):
                if point == "end":  # the last files are read: now linking and indexing
                    time.sleep(rng.uniform(0.0, 0.4))
                proc.send_signal(signal.SIGKILL)
                break
        assert time.monotonic() < deadline, f"run too slow (seed {seed})"
    proc.wait(timeout=60)
    CASES["kill: SIGKILL points"] += 1
    assert proc.returncode in (-signal.SIGKILL, 0), (seed, proc.returncode)
    if point != "end":
        assert proc.returncode == -signal.SIGKILL, f"run ended before the kill (seed {seed})"

    before, sources = consistent(db)
    assert before == sources  # nothing stored twice

    rerun = subprocess.run([*cmd, "--json"], capture_output=True, text=True, env=env, timeout=300)
    assert rerun.returncode == 0, (seed, rerun.stderr[-2000:])
    summary = json.loads(rerun.stdout)
    assert (summary["known"], summary["stored"]) == (before, N_FILES - before), seed
    assert consistent(db) == (N_FILES, N_FILES), seed

    from veille.search import search
    from veille.settings import load_settings

    settings = load_settings(overrides={"db_path": db}, env={})
    assert search(settings, "").total == N_FILES, f"search index incomplete (seed {seed})"
