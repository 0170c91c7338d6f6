"""Metadata tables: --meta FILE and manifests give text files their url, outlet and date."""

from __future__ import annotations

from pathlib import Path

import pytest

from veille.ingest.meta import find_manifests, load_meta, outlet_from_url
from veille.model import Precision
from veille.pipeline import AnalyzeStage, LanguageStage, run
from veille.settings import load_settings
from veille.store import open_store

BODY = (
    "Les défenses aériennes ont intercepté douze drones au-dessus de la région pendant "
    "la nuit, a indiqué l'état-major dans un communiqué publié au matin.\n"
)


@pytest.fixture
def settings(tmp_path):
    return load_settings(overrides={"db_path": tmp_path / "m.duckdb"}, env={})


@pytest.fixture
def no_nlp(monkeypatch):
    """The runner without spaCy: these tests are about metadata, not analysis."""
    monkeypatch.setattr("veille.enrich.enrich", lambda analysis, pack, kb: analysis)
    monkeypatch.setattr("veille.extract.extract", lambda analysis, pack, kb: analysis)

    class NoParse:
        def pipe(self, texts, batch_size=16):
            return iter(list(texts))

    return [LanguageStage(), AnalyzeStage(kb=object(), nlps={"fr": NoParse()})]


def _write(folder: Path, name: str, text: str = BODY) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _articles(settings) -> dict[str, dict]:
    with open_store(settings.db_path, read_only=True) as store:
        items, _ = store.list_articles(100)
    return {Path(item["source"]).name: item for item in items}


def test_outlet_comes_from_the_url_host():
    assert outlet_from_url("https://www.lemonde.fr/international/x.html") == "lemonde.fr"
    assert outlet_from_url("http://m.rtl.be/info/1") == "m.rtl.be"
    assert outlet_from_url("site.example (exact URL not recovered)") is None
    assert outlet_from_url(None) is None
    assert outlet_from_url("http://[::1") is None


def test_column_names_are_recognised_case_insensitively(tmp_path):
    _write(tmp_path, "a.txt")
    meta = tmp_path / "meta.csv"
    meta.write_text(
        "Path,URL,Source,Publication_Date,Language,Title\n"
        "a.txt,https://www.exemple.fr/a,Le Journal,2024-03,FR,Douze drones\n",
        encoding="utf-8",
    )
    table = load_meta(meta)
    assert not table.errors
    row = table.rows[str((tmp_path / "a.txt").resolve())]
    assert row.url == "https://www.exemple.fr/a"
    assert row.outlet == "Le Journal"
    assert row.title == "Douze drones"
    assert row.language == "fr"
    assert row.published.iso() == "2024-03"
    assert row.published.precision is Precision.MONTH


def test_a_bad_row_is_one_error_naming_the_line_and_the_others_apply(tmp_path):
    meta = tmp_path / "list.tsv"
    meta.write_text(
        "file\turl\tdate\n"
        "a.txt\thttps://a.example/1\t2024-13-45\n"
        "b.txt\thttps://b.example/2\t2023\n",
        encoding="utf-8",
    )
    table = load_meta(meta)
    assert [(e.code, e.path) for e in table.errors] == [("V111", f"{meta}:2")]
    assert "2024-13-45" in str(table.errors[0])
    assert "\n" not in str(table.errors[0])
    assert list(Path(p).name for p in table.rows) == ["b.txt"]
    assert next(iter(table.rows.values())).outlet == "b.example"


def test_a_table_without_a_file_column_is_an_error(tmp_path):
    meta = tmp_path / "m.csv"
    meta.write_text("url,outlet\nhttps://x.example/a,X\n", encoding="utf-8")
    table = load_meta(meta)
    assert [e.code for e in table.errors] == ["V111"] and not table.rows


def test_run_with_meta_gives_url_outlet_and_date(tmp_path, settings, no_nlp):
    folder = tmp_path / "in"
    _write(folder, "a.txt")
    _write(folder, "b.txt", BODY.replace("douze", "treize"))
    meta = tmp_path / "elsewhere.csv"
    meta.write_text(
        f"file,url,published\n{folder / 'a.txt'},https://www.journal.example/a,2024-03-12\n"
        f"{folder / 'b.txt'},https://autre.example/b,\n",
        encoding="utf-8",
    )
    summary = run([folder], settings, stages=no_nlp, meta=meta)
    assert summary.ok, summary.errors
    articles = _articles(settings)
    assert articles["a.txt"]["outlet"] == "journal.example"
    assert articles["a.txt"]["published"] == "2024-03-12"
    assert articles["b.txt"]["outlet"] == "autre.example"
    assert articles["b.txt"]["published"] is None
    with open_store(settings.db_path, read_only=True) as store:
        ids = store.article_ids()
        urls = {store.get_article(i).url for i in ids}
    assert urls == {"https://www.journal.example/a", "https://autre.example/b"}


def test_a_manifest_above_the_input_folder_is_picked_up(tmp_path, settings, no_nlp):
    corpus = tmp_path / "corpus"
    _write(corpus / "fr", "001.txt")
    (corpus / "MANIFEST.tsv").write_text(
        "file\tlanguage\toutlet\turl_or_repo_path\tpublication_date\n"
        "fr/001.txt\tfr\tLe Matin (lematin.example)\thttps://lematin.example/x\t2023-12\n"
        "en/009.txt\ten\tOther\thttps://other.example/y\t\n",
        encoding="utf-8",
    )
    assert find_manifests([corpus / "fr"]) == [(corpus / "MANIFEST.tsv").resolve()]
    summary = run([corpus / "fr"], settings, stages=no_nlp)
    assert summary.ok and summary.stored == 1
    assert summary.meta_files == [str((corpus / "MANIFEST.tsv").resolve())]
    article = _articles(settings)["001.txt"]
    assert article["outlet"] == "Le Matin (lematin.example)"
    assert article["published"] == "2023-12"
    assert article["published_precision"] == "month"


def test_a_corrected_manifest_row_makes_a_new_version(tmp_path, settings, no_nlp):
    folder = tmp_path / "in"
    _write(folder, "a.txt")
    manifest = folder / "manifest.csv"
    manifest.write_text("file,outlet\na.txt,Avant\n", encoding="utf-8")
    run([folder], settings, stages=no_nlp)
    manifest.write_text("file,outlet\na.txt,Après\n", encoding="utf-8")
    second = run([folder], settings, stages=no_nlp)
    assert second.stored == 1
    assert _articles(settings)["a.txt"]["outlet"] == "Après"


def test_txt_with_url_only_gets_outlet_from_host(tmp_path, settings, no_nlp):
    folder = tmp_path / "in"
    _write(folder, "a.txt")
    (folder / "manifest.csv").write_text(
        "file,url\na.txt,https://www.quotidien.example/a\n", encoding="utf-8"
    )
    run([folder], settings, stages=no_nlp)
    assert _articles(settings)["a.txt"]["outlet"] == "quotidien.example"
