"""Bad inputs, really created on disk: each gets one error line, the run goes on, exit 1."""

from __future__ import annotations

import os
import shutil

import pytest
from typer.testing import CliRunner

from test_pipeline import FakeNLP, fake_enrich  # the fake analysis stage's pieces
from veille.cli import app
from veille.settings import load_settings
from veille.store import open_store

GOOD = (
    "Frappes russes sur Kharkiv\n\n"
    "Des frappes russes ont fait trois morts et une quarantaine de blessés à Kharkiv, "
    "deuxième ville d'Ukraine, annoncent les autorités locales.\n"
)


@pytest.fixture
def fake_stages(monkeypatch):
    from veille.pipeline import AnalyzeStage, LanguageStage

    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    monkeypatch.setattr(
        "veille.pipeline.default_stages",
        lambda settings: [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})],
    )


def make_unreadable(path, monkeypatch) -> str:
    """chmod 000; as root (which reads anyway) make ``open`` refuse this one path instead."""
    path.chmod(0)
    if os.geteuid() != 0:
        return "real chmod 000"
    import veille.ingest.read as read_module

    real_open = open

    def refusing_open(file, *args, **kwargs):
        if os.fspath(file) == os.fspath(path):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(read_module, "open", refusing_open, raising=False)
    return "simulated (running as root)"


@pytest.fixture
def bad_folder(tmp_path, monkeypatch):
    """A folder with two good articles and one of every kind of bad input."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "good1.txt").write_text(GOOD, encoding="utf-8")
    (folder / "good2.txt").write_text(GOOD.replace("trois", "quatre"), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.txt").write_text(" \n\n \t\n", encoding="utf-8")
    (folder / "image.txt").write_bytes(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8
    )
    (folder / "garbage.txt").write_bytes(bytes(range(128, 256)) * 40)
    big = folder / "huge.txt"
    with big.open("wb") as handle:  # 50 MB of real text lines
        line = ("Les forces russes ont frappé Kharkiv dans la nuit. " * 20 + "\n").encode()
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    (folder / "menu.html").write_text(
        "<html><head><title>Accueil</title></head><body><nav><a href='/'>Accueil</a>"
        "</nav><div class='cookie'>Cookies</div></body></html>",
        encoding="utf-8",
    )
    (folder / "feed.jsonl").write_text('{"text": "' + GOOD.replace("\n", " ") + '"}\n{oops\n')
    locked = folder / "locked.txt"
    locked.write_text(GOOD.replace("Kharkiv", "Odessa"), encoding="utf-8")
    make_unreadable(locked, monkeypatch)
    loop = folder / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(folder, target_is_directory=True)  # folder -> ... -> folder
    (folder / "self.txt").symlink_to(folder / "self.txt")  # a link to itself (ELOOP)
    yield folder
    locked.chmod(0o644)


EXPECTED = {
    "empty.txt": "V102",
    "blank.txt": "V102",
    "image.txt": "V103",
    "garbage.txt": "V101",
    "huge.txt": "V104",
    "menu.html": "V106",
    "feed.jsonl:2": "V108",
    "locked.txt": "V105",
    "again": "V107",
    "self.txt": "V107",
}


def test_every_bad_input_gets_one_error_line_and_the_run_continues(
    bad_folder, tmp_path, fake_stages
):
    folder = bad_folder
    db = tmp_path / "bad.duckdb"
    result = CliRunner().invoke(app, ["run", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    by_name = {}
    for line in lines:
        code, rest = line.split(" ", 1)
        path, reason = rest.split(": ", 1)
        assert reason and path.startswith(str(folder)), line
        by_name[os.path.basename(path)] = code
    assert by_name == EXPECTED, "\n".join(lines)
    assert len(lines) == len(EXPECTED)  # one line each
    with open_store(db, read_only=True) as store:
        assert len(store.article_ids()) == 3  # good1, good2 and the good JSONL line


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "empty file"),
        ("image.txt", "binary file"),
        ("garbage.txt", "cannot decode"),
        ("huge.txt", "above the 20 MB limit"),
        ("menu.html", "no article text"),
        ("locked.txt", "Permission denied"),
    ],
)
def test_reasons_say_what_is_wrong(bad_folder, tmp_path, fake_stages, name, message):
    from veille.pipeline import run

    folder = bad_folder
    settings = load_settings(overrides={"db_path": tmp_path / "r.duckdb"}, env={})
    summary = run([folder / name], settings)
    (error,) = summary.errors
    assert message in error.reason
    assert error.path == str(folder / name)


def test_bad_inputs_never_lose_what_is_stored(bad_folder, tmp_path, fake_stages):
    from veille.pipeline import run

    folder = bad_folder
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(folder / "good1.txt", good / "a.txt")
    settings = load_settings(overrides={"db_path": tmp_path / "keep.duckdb"}, env={})
    assert run([good], settings).stored == 1
    summary = run([folder, good], settings)
    assert summary.failed + summary.skipped == len(EXPECTED)
    assert (summary.stored, summary.known) == (3, 1)
    again = run([folder, good], settings)
    assert (again.stored, again.known) == (0, 4)
    with open_store(settings.db_path, read_only=True) as store:
        assert len(store.article_ids()) == 4
