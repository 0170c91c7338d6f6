"""Regression tests for the defects an audit found with hostile input (issue 12).

Each test names the audit item it covers. Most run the real runner with the fake analysis
stage (tests the ingest, store and index, not the NLP); the date and long-article items
use the real French pipeline.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date

import pytest
from typer.testing import CliRunner

from test_pipeline import FakeNLP, fake_enrich
from veille.cli import app
from veille.errors import printable
from veille.model import FuzzyDate, Precision
from veille.pipeline import AnalyzeStage, LanguageStage, run
from veille.search import SearchFilters, index_articles, index_dir, search
from veille.settings import load_settings
from veille.store import open_store

BODY = (
    "Des frappes russes ont fait trois morts et une quarantaine de blessés à Kharkiv, "
    "deuxième ville d'Ukraine, annoncent les autorités régionales ce matin."
)


def article(n: int) -> str:
    return f"Dépêche {n} sur les frappes\n\n{BODY.replace('trois', str(n + 3))}\n"


@pytest.fixture
def fake_stages(monkeypatch):
    monkeypatch.setattr("veille.enrich.enrich", fake_enrich)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)
    stages = [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})]
    monkeypatch.setattr("veille.pipeline.default_stages", lambda settings: stages)
    return stages


@pytest.fixture
def settings(tmp_path):
    return load_settings(overrides={"db_path": tmp_path / "h.duckdb"}, env={})


def stored_sources(settings) -> list[str]:
    with open_store(settings.db_path, read_only=True) as store:
        rows = store.connection().execute("SELECT source FROM articles ORDER BY source")
        return [r[0] for r in rows.fetchall()]


# --- 1 and 4: dates outside 1677-2262 (tantivy's nanosecond range) ----------------------


def test_1_old_publication_dates_do_not_stop_indexing(tmp_path, settings, fake_stages):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "old.jsonl").write_text(
        json.dumps({"text": BODY, "published": "1600-05-05", "url": "https://a.example/1"}) + "\n",
        encoding="utf-8",
    )
    (folder / "line.txt").write_text(f"Titre\nPublié le 12 mars 1600\n\n{BODY}\n", "utf-8")
    first = run([folder], settings)
    assert first.ok, first.errors
    assert (first.stored, first.indexed) == (2, 2)
    (folder / "new.txt").write_text(article(1), encoding="utf-8")
    second = run([folder], settings)
    assert second.ok and second.indexed == 1
    old = search(settings, "", SearchFilters(date_to=date(1700, 1, 1)))
    assert old.total == 2
    assert {h.published for h in old.items} == {"1600-05-05", "1600-03-12"}


@pytest.mark.parametrize("bound", [date(1, 1, 1), date(1500, 1, 1), date(9999, 12, 31)])
def test_4_search_date_filters_take_any_date(tmp_path, settings, fake_stages, bound):
    (tmp_path / "a.txt").write_text(article(1), encoding="utf-8")
    run([tmp_path / "a.txt"], settings)
    result = search(settings, "frappes", SearchFilters(date_from=bound, date_to=bound))
    assert result.total == 0
    everything = search(settings, "frappes", SearchFilters(date_from=date(1, 1, 1)))
    assert everything.total == 0  # no publication date known: a date filter excludes it


# --- 2 and 17: file names that are not UTF-8 or carry control characters ----------------


def test_2_a_file_name_that_is_not_utf8_is_stored_with_its_neighbours(
    tmp_path, settings, fake_stages
):
    folder = tmp_path / "in"
    folder.mkdir()
    weird = os.path.join(os.fsencode(folder), b"d\xe9p\xeache.txt")
    with open(weird, "wb") as handle:
        handle.write(article(1).encode("utf-8"))
    (folder / "ok.txt").write_text(article(2), encoding="utf-8")
    summary = run([folder], settings)
    assert summary.ok and summary.stored == 2, summary.errors
    assert any(s.endswith("d\\xe9p\\xeache.txt") for s in stored_sources(settings))
    again = run([folder], settings)
    assert (again.stored, again.known) == (0, 2)


def test_17_error_lines_escape_newlines_and_terminal_sequences(tmp_path, fake_stages):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "evil\n\x1b[31mV999 fake.txt").write_bytes(b"")
    (folder / "good.txt").write_text(article(1), encoding="utf-8")
    db = tmp_path / "e.duckdb"
    result = CliRunner().invoke(app, ["run", str(folder), "--db", str(db)])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("V102 ") and "evil\\n\\x1b[31mV999 fake.txt" in lines[0]
    assert "\x1b" not in result.stderr


def test_17_printable_escapes_what_a_terminal_would_act_on():
    assert printable("a\nb\x1b[2Jc\x07") == "a\\nb\\x1b[2Jc\\x07"
    assert printable("x\u2028y\u202egnp.exe") == "x\\u2028y\\u202egnp.exe"
    assert printable(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    assert printable("Kyïv — déjà") == "Kyïv — déjà"


# --- 3 and 14: encodings ------------------------------------------------------------------


def test_3_one_stray_byte_keeps_the_article_utf8_with_a_warning(tmp_path, settings, fake_stages):
    raw = article(1).encode("utf-8").replace(b"frappes russes", b"frappes \xff russes")
    (tmp_path / "stray.txt").write_bytes(raw)
    summary = run([tmp_path / "stray.txt"], settings)
    assert summary.ok and summary.stored == 1
    (warning,) = summary.warnings
    assert warning.code == "V112" and "1 invalid byte replaced" in warning.reason
    with open_store(settings.db_path, read_only=True) as store:
        (text,) = store.connection().execute("SELECT text FROM articles").fetchone()
    assert "blessés à Kharkiv" in text and "\ufffd" in text and "ﾃ" not in text


def test_3_cp1252_files_are_still_decoded_as_cp1252(tmp_path, settings, fake_stages):
    (tmp_path / "legacy.txt").write_bytes(article(1).encode("cp1252"))
    summary = run([tmp_path / "legacy.txt"], settings)
    assert summary.ok and summary.stored == 1 and not summary.warnings
    with open_store(settings.db_path, read_only=True) as store:
        (text,) = store.connection().execute("SELECT text FROM articles").fetchone()
    assert "blessés à Kharkiv" in text


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_14_utf16_without_bom_is_text(tmp_path, settings, fake_stages, encoding):
    (tmp_path / "u16.txt").write_bytes(article(1).encode(encoding))
    summary = run([tmp_path / "u16.txt"], settings)
    assert summary.ok and summary.stored == 1, summary.errors


# --- 5: JSONL records with U+2028 / U+0085 inside strings --------------------------------


def test_5_line_separators_inside_jsonl_strings(tmp_path, settings, fake_stages):
    records = [
        {"text": BODY.replace("annoncent", "annoncent\u2028"), "url": "https://a.example/1"},
        {"text": BODY.replace("annoncent", "annoncent\x85"), "url": "https://a.example/2"},
        {"oops": 1},
        {"text": BODY.replace("trois", "neuf"), "url": "https://a.example/4"},
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    (tmp_path / "f.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = run([tmp_path / "f.jsonl"], settings)
    assert summary.stored == 3
    (error,) = summary.errors
    assert error.path == f"{tmp_path / 'f.jsonl'}:3"


# --- 6: symlink loops under a ** glob ----------------------------------------------------


def test_6_recursive_glob_does_not_follow_symlink_loops(tmp_path, settings, fake_stages):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(article(1), encoding="utf-8")
    (folder / "loop").symlink_to(folder, target_is_directory=True)
    summary = run([f"{folder}/**/*.txt"], settings)
    assert (summary.read, summary.stored) == (1, 1)
    assert len(stored_sources(settings)) == 1


# --- 8: dates at the edges of the calendar -----------------------------------------------


def test_8_calendar_edges_become_unknown_dates():
    assert FuzzyDate(date(1, 1, 1), Precision.DAY) == FuzzyDate.unknown()
    assert FuzzyDate(date(9999, 12, 31), Precision.DAY) == FuzzyDate.unknown()
    assert FuzzyDate(date(1600, 5, 5), Precision.DAY).iso() == "1600-05-05"


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31", "0002-01-01", "9998-12-31"])
def test_8_relative_dates_at_the_edges_never_overflow(tmp_path, settings, nlp, kb, published):
    text = (
        "Le ministre se rendra à Kiev demain, puis lundi prochain, a-t-il annoncé mardi. "
        "Dans 9000 ans, il y a 3 ans, le mois prochain, l'été dernier."
    )
    (tmp_path / "edge.jsonl").write_text(
        json.dumps({"text": text, "published": published, "url": "https://b.example/x"}) + "\n",
        encoding="utf-8",
    )
    stages = [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]
    summary = run([tmp_path / "edge.jsonl"], settings, stages=stages)
    assert summary.ok and summary.stored == 1, [str(e) for e in summary.errors]


def test_8_analysis_errors_name_the_file_and_line(tmp_path, settings, monkeypatch):
    def broken(analysis, pack, kb):
        raise OverflowError("date value out of range")

    monkeypatch.setattr("veille.enrich.enrich", broken)
    stages = [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": FakeNLP()})]
    (tmp_path / "f.jsonl").write_text(
        json.dumps({"text": BODY, "url": "https://c.example/1"}) + "\n", encoding="utf-8"
    )
    summary = run([tmp_path / "f.jsonl"], settings, stages=stages)
    (error,) = summary.errors
    assert error.code == "V109" and error.path == f"{tmp_path / 'f.jsonl'}:1"


# --- 13: a database deleted with its search index left beside it -------------------------


def test_13_an_index_left_from_a_deleted_database_is_not_used(tmp_path, settings, fake_stages):
    from veille.api.deps import AppState

    (tmp_path / "a.txt").write_text(article(1), encoding="utf-8")
    run([tmp_path / "a.txt"], settings)
    assert search(settings, "frappes").total == 1
    os.remove(settings.db_path)
    shutil.rmtree(tmp_path / "h.duckdb.wal", ignore_errors=True)
    with open_store(settings.db_path) as store:  # a new, empty database at the same path
        state = AppState(settings=settings, store=store, token=None)
        assert state.search_index() is None
        assert index_articles(store, settings) == 0
    assert search(settings, "frappes").total == 0
    assert index_dir(settings).is_dir()


# --- 7: articles longer than spaCy's limit -----------------------------------------------


def test_7_long_articles_are_parsed_in_pieces_with_exact_offsets(tmp_path, settings, nlp, kb):
    paragraphs = [
        f"Le {n} mars, Volodymyr Zelensky a rencontré Emmanuel Macron à Paris. "
        f"Des frappes russes ont touché Kharkiv et Odessa, selon l'armée ukrainienne."
        for n in range(1, 29)
    ]
    text = "Long dossier sur la guerre\n\n" + "\n\n".join(paragraphs) + "\n"
    (tmp_path / "long.txt").write_text(text, encoding="utf-8")
    stage = AnalyzeStage(kb=kb, nlps={"fr": nlp}, max_chars=1_000)
    summary = run([tmp_path / "long.txt"], settings, stages=[LanguageStage(), stage])
    assert summary.ok and summary.stored == 1, [str(e) for e in summary.errors]
    with open_store(settings.db_path, read_only=True) as store:
        (article_id,) = store.article_ids()
        analysis = store.get_analysis(article_id)
    body = analysis.article.text
    assert len(body) > 3 * 1_000
    names = {m.name for m in analysis.entities}
    assert {"Volodymyr Zelensky", "Emmanuel Macron"} <= names
    late = [m for m in analysis.entities if m.start > 2_500]
    assert late, "entities after the first pieces are found too"
    for mention in analysis.entities:
        assert body[mention.start : mention.end] == mention.text


def test_7_pieces_join_back_and_respect_the_limit():
    from veille.enrich.long_text import split_for_parsing

    text = ("Une phrase courte. " * 30 + "\n") * 20 + "x" * 2_500 + " fin.\n\nDernier."
    pieces = split_for_parsing(text, 700)
    assert "".join(pieces) == text
    assert all(0 < len(p) <= 700 for p in pieces)
    assert pieces[0].endswith("\n")  # cut at a line end, not mid-sentence


# --- 10 and 11: exports and gold files ---------------------------------------------------


def test_10_gold_export_keeps_two_sources_with_one_file_name(tmp_path, settings, fake_stages):
    for sub in ("x", "y"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "article.txt").write_text(article(len(sub) + ord(sub[0])), "utf-8")
    long_url = "https://d.example/" + "é" * 200 + "/fin"
    (tmp_path / "f.jsonl").write_text(
        json.dumps({"text": BODY, "url": long_url}, ensure_ascii=False) + "\n", "utf-8"
    )
    assert run([tmp_path / "x", tmp_path / "y", tmp_path / "f.jsonl"], settings).stored == 3
    out = tmp_path / "gold"
    result = CliRunner().invoke(
        app, ["export", "-f", "gold", "-o", str(out), "--db", str(settings.db_path)]
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3, files
    docs = sorted(json.loads((out / f).read_text("utf-8"))["doc"] for f in files)
    assert docs == sorted(["article.txt", "article.txt", "fin"])
    assert all(len(f.encode()) <= 255 for f in files)


def test_11_export_to_an_existing_file_is_one_error_line(tmp_path, settings, fake_stages):
    (tmp_path / "a.txt").write_text(article(1), encoding="utf-8")
    run([tmp_path / "a.txt"], settings)
    target = tmp_path / "taken.json"
    target.write_text("{}", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["export", "-f", "json", "-o", str(target), "--db", str(settings.db_path)]
    )
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"V101 {target}: is a file, not a folder: give a folder to export into"
    )
    assert target.read_text(encoding="utf-8") == "{}"


@pytest.mark.parametrize(
    ("gold", "reason"),
    [
        ({"doc": "a.txt", "claims": [1]}, '"claims" must be a list of objects'),
        ({"doc": "a.txt", "events": "none"}, '"events" must be a list of objects'),
        ({"doc": ["a.txt"]}, '"doc" must be a string'),
        ({"doc": "a.txt", "body": {"must_keep": [3]}}, '"body.must_keep" must be a list'),
        ({"doc": "a.txt", "claims": [{"speaker": 1}]}, "value of the wrong type"),
        ({"doc": "a.txt", "entities": [{"name": 5}]}, "value of the wrong type"),
    ],
)
def test_11_malformed_gold_files_are_one_error_line(tmp_path, settings, gold, reason):
    folder = tmp_path / "gold"
    folder.mkdir()
    (folder / "a.json").write_text(json.dumps(gold), encoding="utf-8")
    with open_store(settings.db_path):
        pass
    result = CliRunner().invoke(app, ["eval", str(folder), "--db", str(settings.db_path)])
    assert result.exit_code == 1, result.output
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"V501 {folder / 'a.json'}: ") and reason in line, line
