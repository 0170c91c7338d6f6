"""The CLI: run / articles / show / stats, --json output, settings precedence, exit codes.

Commands run in-process through typer's CliRunner with a fake analysis stage (the runner
and the CLI are under test here; the real NLP runs in test_pipeline and test_recovery).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from test_pipeline import FakeNLP, fake_enrich  # the fake analysis stage's pieces
from veille.cli import app
from veille.model import FuzzyDate, Incident
from veille.settings import load_settings
from veille.store import open_store


@pytest.fixture
def cli(monkeypatch):
    from veille.pipeline import AnalyzeStage, LanguageStage

    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    monkeypatch.setattr(
        "veille.pipeline.default_stages",
        lambda settings: [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})],
    )
    for name in ("VEILLE_DB", "VEILLE_DB_PATH", "VEILLE_CONFIG", "VEILLE_BATCH_SIZE"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


def summary_row(output: str, label: str) -> str:
    """The value printed beside ``label`` in the run summary table."""
    line = next(line for line in output.splitlines() if label in line)
    return line.strip("│┃ ").split("│")[-1].strip()


@pytest.fixture
def corpus(tmp_path, seeds_dir):
    folder = tmp_path / "corpus"
    shutil.copytree(seeds_dir, folder)
    return folder


@pytest.fixture
def db(tmp_path):
    return tmp_path / "cli.duckdb"


def test_run_prints_a_summary_and_a_second_run_says_nothing_new(cli, corpus, db):
    first = cli("run", corpus, "--db", db)
    assert first.exit_code == 0, first.output
    for label in (
        "articles read",
        "stored (new)",
        "skipped",
        "failed",
        "entities",
        "time taken",
        "articles/s",
    ):
        assert label in first.stdout
    assert summary_row(first.stdout, "stored (new)") == "5"
    second = cli("run", corpus, "--db", db)
    assert second.exit_code == 0
    assert (
        summary_row(second.stdout, "stored (new)"),
        summary_row(second.stdout, "already known"),
    ) == ("0", "5")
    assert f"Nothing new: all 5 articles are already in {db}" in second.stdout


def test_run_json_is_one_object(cli, corpus, db):
    result = cli("run", corpus, "--db", db, "--json")
    summary = json.loads(result.stdout)
    assert (summary["read"], summary["stored"], summary["failed"], summary["errors"]) == (
        5,
        5,
        0,
        [],
    )
    assert summary["entities"] == 5 and summary["articles_per_s"] > 0


def test_articles_lists_pages_as_json(cli, corpus, db):
    cli("run", corpus, "--db", db)
    page = json.loads(cli("articles", "--db", db, "--json", "--limit", "2", "--offset", "4").stdout)
    assert page["total"] == 5 and len(page["items"]) == 1
    full = json.loads(cli("articles", "--db", db, "--json").stdout)
    first = full["items"][0]  # newest publication first: seed 002 is the only dated one
    assert first["published"] == "2023-10" and first["language"] == "fr"
    assert {"id", "title", "source", "entities", "events", "aid", "claims"} <= set(first)
    table = cli("articles", "--db", db)
    assert table.exit_code == 0 and "of 5 articles" in table.stdout


def test_show_an_article_by_id_prefix(cli, corpus, db):
    cli("run", corpus, "--db", db)
    items = json.loads(cli("articles", "--db", db, "--json").stdout)["items"]
    trump = next(i for i in items if (i["title"] or "").startswith("Trump"))
    shown = cli("show", trump["id"][:8], "--db", db)
    assert shown.exit_code == 0
    assert "Les États-Unis intensifient leur soutien" in shown.stdout
    data = json.loads(cli("show", trump["id"], "--db", db, "--json").stdout)
    assert data["article"]["id"] == trump["id"]
    assert data["entities"][0]["text"] == "Trump"
    missing = cli("show", "zzzz", "--db", db)
    assert missing.exit_code == 1 and "V110 zzzz: no article or incident" in missing.stderr


def test_show_an_incident_with_its_sentences(cli, db):
    # an incident made by hand around a stored sentence (the linking stage makes real ones)
    from veille.model import Analysis, Article, Event, Span

    text = "Moscou a abattu 31 drones ukrainiens. Kiev dément."
    sentence = Span(0, 37, text[:37])
    article = Article(id="a1", source="/x.txt", text=text, title="Drones abattus", language="fr")
    event = Event("ev1", "a1", "ASSAULT", sentence, Span(7, 15, "a abattu"))
    incident = Incident(
        "inc1",
        "ASSAULT",
        ("ev1",),
        ("a1",),
        actor="RUS",
        date=FuzzyDate.unknown(),
        num_mentions=1,
        num_articles=1,
        num_sources=1,
        first_seen=datetime(2024, 1, 1, tzinfo=UTC),
    )
    with open_store(db) as store:
        store.save_batch([Analysis(article=article, events=[event])])
        store.save_incidents([incident])
    shown = cli("show", "inc1", "--db", db)
    assert shown.exit_code == 0, shown.output
    assert "incident inc1" in shown.stdout and "actor RUS" in shown.stdout
    assert "Drones abattus" in shown.stdout and sentence.text in shown.stdout
    data = json.loads(cli("show", "inc1", "--db", db, "--json").stdout)
    assert data["incident"]["event_ids"] == ["ev1"] and data["events"][0]["id"] == "ev1"


def test_stats_json(cli, corpus, db):
    cli("run", corpus, "--db", db)
    stats = json.loads(cli("stats", "--db", db, "--json").stdout)
    assert (stats["articles"], stats["entities"], stats["languages"]) == (5, 5, {"fr": 5})
    assert stats["last_run"]["stored"] == 5


def test_read_commands_on_a_missing_database_fail_in_one_line(cli, tmp_path):
    for command in ("articles", "stats"):
        result = cli(command, "--db", tmp_path / "none.duckdb")
        assert result.exit_code == 1
        assert result.stderr.strip().splitlines() == [
            f"V401 {tmp_path / 'none.duckdb'}: no database here yet; run `veille run PATHS` first"
        ]


def test_environment_and_flags_choose_the_database(cli, corpus, tmp_path, monkeypatch):
    env_db = tmp_path / "env.duckdb"
    monkeypatch.setenv("VEILLE_DB_PATH", str(env_db))
    cli("run", corpus)
    assert env_db.exists()
    flag_db = tmp_path / "flag.duckdb"
    cli("run", corpus, "--db", flag_db)  # flags beat the environment
    assert flag_db.exists()


def test_settings_layers(tmp_path):
    config = tmp_path / "veille.toml"
    config.write_text('[veille]\ndb_path = "from-file.duckdb"\nbatch_size = 7\n')
    s = load_settings(config, env={"VEILLE_BATCH_SIZE": "9"}, overrides={"max_file_mb": 1})
    assert (s.db_path, s.batch_size, s.max_file_bytes) == (Path("from-file.duckdb"), 9, 1048576)
    assert s.search_dir == Path("from-file.duckdb.search")
    assert load_settings(env={}).db_path == Path("veille.duckdb")
    from veille.errors import DataFileError

    config.write_text("colour = 'red'\n")
    with pytest.raises(DataFileError, match="unknown setting 'colour'"):
        load_settings(config, env={})


def test_every_command_module_is_registered():
    names = {c.name for c in app.registered_commands}
    assert {"run", "articles", "show", "stats"} <= names
    from veille.cli import COMMAND_MODULES

    assert len(COMMAND_MODULES) == 7
