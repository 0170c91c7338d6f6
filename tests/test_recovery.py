"""A run killed mid-way (SIGKILL, a real subprocess) leaves a consistent database, and the
next run completes the remaining files without duplicates. Uses the real pipeline."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

N_FILES = 48
BATCH = 4
KILL_AFTER = 16  # articles reported stored (committed) when the run is killed


def make_corpus(folder: Path, seeds_dir: Path) -> None:
    """Many small distinct articles: seed paragraphs with a varying first line."""
    paragraphs = []
    for seed in sorted(seeds_dir.glob("*.txt")):
        paragraphs += [p for p in seed.read_text(encoding="utf-8").split("\n") if len(p) > 200]
    folder.mkdir()
    for i in range(N_FILES):
        body = paragraphs[i % len(paragraphs)]
        (folder / f"{i:03d}.txt").write_text(
            f"Dépêche numéro {i} sur la guerre en Ukraine\n\n{body}\n", encoding="utf-8"
        )


def wait_for_no_process_with(marker: str, seconds: float = 15.0) -> bool:
    """True once no process's command line mentions ``marker`` (Linux /proc; else True)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return True
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alive = []
        for entry in proc.iterdir():
            try:
                if entry.name.isdigit() and marker in (entry / "cmdline").read_text():
                    alive.append(entry.name)
            except OSError:
                continue
        if not alive:
            return True
        time.sleep(0.2)
    return False


def veille(*args: str) -> list[str]:
    return [sys.executable, "-c", "from veille.cli import main; main()", *args]


def check_consistent(db: Path) -> int:
    """Opens, every annotation belongs to a stored article, offsets fit; returns #articles."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        for table in (
            "entity_mentions",
            "quantities",
            "times",
            "events",
            "aid_commitments",
            "claims",
        ):
            orphans = conn.execute(
                f"SELECT count(*) FROM {table} x LEFT JOIN articles a ON a.id = x.article_id "
                "WHERE a.id IS NULL"
            ).fetchone()[0]
            assert orphans == 0, table
        bad_offsets = conn.execute(
            "SELECT count(*) FROM entity_mentions e JOIN articles a ON a.id = e.article_id "
            "WHERE substr(a.text, e.start_char + 1, e.end_char - e.start_char) <> e.text"
        ).fetchone()[0]
        assert bad_offsets == 0
        no_entities = conn.execute(
            "SELECT count(*) FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM entity_mentions e WHERE e.article_id = a.id)"
        ).fetchone()[0]
        assert no_entities == 0  # an article is never stored without its annotations
        return articles
    finally:
        conn.close()


@pytest.mark.slow
def test_killed_run_recovers_without_duplicates(tmp_path, seeds_dir):
    corpus = tmp_path / "corpus"
    make_corpus(corpus, seeds_dir)
    db = tmp_path / "kill.duckdb"
    env = {k: v for k, v in os.environ.items() if not k.startswith("VEILLE_")}
    cmd = veille(
        "run", str(corpus), "--db", str(db), "--batch-size", str(BATCH), "--progress", "plain"
    )
    proc = subprocess.Popen(
        cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, env=env, text=True
    )
    deadline = time.monotonic() + 600
    killed_at = None
    for line in proc.stderr:
        if line.startswith("[") and " stored " in line:
            # workers analyse ahead of the writer: count what is committed, not what is read
            done = int(line.split(" stored ", 1)[1].split(",", 1)[0])
            if done >= KILL_AFTER:
                proc.send_signal(signal.SIGKILL)
                killed_at = done
                break
        assert time.monotonic() < deadline, "run too slow to reach the kill point"
    proc.wait(timeout=60)
    assert killed_at is not None, "the run ended before it could be killed"
    assert proc.returncode == -signal.SIGKILL

    assert wait_for_no_process_with(str(db)), "analysis workers outlived their killed driver"

    stored_before = check_consistent(db)
    assert KILL_AFTER <= stored_before < N_FILES

    rerun = subprocess.run(
        [*cmd[:-2], "--json"], capture_output=True, text=True, env=env, timeout=900
    )
    assert rerun.returncode == 0, rerun.stderr
    import json

    summary = json.loads(rerun.stdout)
    assert (summary["known"], summary["stored"]) == (stored_before, N_FILES - stored_before)
    assert check_consistent(db) == N_FILES
    conn = duckdb.connect(str(db), read_only=True)
    per_source = conn.execute("SELECT count(*), count(DISTINCT source) FROM articles").fetchone()
    conn.close()
    assert per_source == (N_FILES, N_FILES)
