"""Ingest: paths to documents, formats, encodings, stable ids, HTML and JSONL metadata."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from veille.clean import load_rules
from veille.ingest import iter_documents, list_inputs, parse_partial_date, to_article
from veille.ingest.errors import FormatError, InputError, NoArticleTextError, PathError
from veille.ingest.formats import RawDocument
from veille.model import FuzzyDate, Precision, stable_id
from veille.settings import load_settings

TEXT = (
    "Frappes sur Kharkiv dans la nuit\n\n"
    "Les forces russes ont frappé dans la nuit plusieurs infrastructures énergétiques "
    "de la région de Kharkiv, selon les autorités locales.\n"
)

ARTICLE_HTML = """<!doctype html>
<html lang="fr"><head>
<title>Frappes sur Kharkiv | Le Quotidien</title>
<meta property="og:title" content="Frappes russes sur Kharkiv : trois morts">
<meta property="og:site_name" content="Le Quotidien">
<meta property="article:published_time" content="2024-03-12T08:30:00+01:00">
</head><body>
<nav><a href="/">Accueil</a> <a href="/monde">Monde</a></nav>
<article>
<h1>Frappes russes sur Kharkiv : trois morts</h1>
<p>Des frappes russes ont fait trois morts et une quarantaine de blessés à Kharkiv, deuxième
ville d'Ukraine très régulièrement bombardée, annoncent les autorités locales mardi.</p>
<p>L'armée russe a frappé cette ville, toute proche de sa frontière, à l'aide de bombes
aériennes guidées, a précisé le président ukrainien Volodymyr Zelensky sur Telegram.</p>
<p>Le gouverneur de la région, Oleg Synegoubov, a déclaré que 37 personnes avaient été
blessées, dont quatre sont dans un état grave, et que les recherches se poursuivaient.</p>
</article>
<footer>Tous droits réservés. Mentions légales. Contact.</footer>
</body></html>
"""


@pytest.fixture
def settings(tmp_path):
    return load_settings(overrides={"db_path": tmp_path / "t.duckdb"}, env={})


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def docs(paths, settings):
    return list(iter_documents(paths, settings))


def test_a_folder_is_walked_recursively_in_a_stable_order(tmp_path, settings):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "1.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "notes.md").write_text(TEXT, encoding="utf-8")  # not an input type
    (tmp_path / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    found = list_inputs([tmp_path], settings)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["1.txt", "b/2.txt"]


def test_globs_files_and_overlaps_give_each_file_once(tmp_path, settings):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(TEXT, encoding="utf-8")
    found = list_inputs([tmp_path / "a.txt", str(tmp_path / "*.txt"), tmp_path], settings)
    assert [p.name for p in found] == ["a.txt", "b.txt"]


def test_missing_paths_and_unsupported_files_are_errors(tmp_path, settings):
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4")
    found = list_inputs(
        [tmp_path / "nope.txt", tmp_path / "x.pdf", str(tmp_path / "*.jsonl")], settings
    )
    assert [type(e) for e in found] == [PathError, FormatError, PathError]
    assert str(found[0]).startswith(f"V107 {tmp_path / 'nope.txt'}: no such file")
    assert "unsupported file type .pdf" in str(found[1])


def test_ids_hash_source_and_bytes(tmp_path, settings, rules):
    path = tmp_path / "a.txt"
    path.write_text(TEXT, encoding="utf-8")
    first = docs([path], settings)[0]
    assert first == docs([path], settings)[0]
    assert first.source == os.path.abspath(path)
    path.write_text(TEXT + "\nUne phrase ajoutée à la fin de cet article de presse.\n")
    changed = docs([path], settings)[0]
    assert changed.article_id != first.article_id
    copy = tmp_path / "copy.txt"
    copy.write_text(TEXT, encoding="utf-8")
    same_text = to_article(docs([copy], settings)[0], rules)
    assert same_text.id != first.article_id
    assert same_text.content_hash == to_article(first, rules).content_hash
    assert same_text.content_hash == stable_id(same_text.text)


@pytest.mark.parametrize(
    ("encode", "name"),
    [
        (lambda t: t.encode("utf-8"), "utf-8"),
        (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8 with BOM"),
        (lambda t: t.encode("utf-16"), "utf-16 with BOM"),
        (lambda t: t.encode("cp1252"), "windows-1252"),
        (lambda t: t.encode("latin-1"), "latin-1"),
    ],
)
def test_encodings_are_detected(tmp_path, settings, rules, encode, name):
    text = TEXT.replace("Frappes", "Frappées à l’aube") if name != "latin-1" else TEXT
    path = tmp_path / "enc.txt"
    path.write_bytes(encode(text))
    (doc,) = docs([path], settings)
    assert isinstance(doc, RawDocument), doc
    article = to_article(doc, rules)
    assert "infrastructures énergétiques" in article.text
    assert article.text.startswith(text.split("\n")[0])


def test_html_main_text_title_outlet_and_date(tmp_path, settings, rules):
    path = tmp_path / "page.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    (doc,) = docs([path], settings)
    article = to_article(doc, rules)
    assert article.input_format == "html"
    assert article.title == "Frappes russes sur Kharkiv : trois morts"
    assert article.text.startswith(article.title + "\n\n")
    assert "bombes aériennes guidées" in article.text
    assert "Accueil" not in article.text and "Mentions légales" not in article.text
    assert article.published == FuzzyDate(date(2024, 3, 12), Precision.DAY)
    assert article.outlet == "Le Quotidien"


def test_html_without_article_text_is_refused(tmp_path, settings, rules):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body><nav>Menu</nav></body></html>")
    (doc,) = docs([path], settings)
    with pytest.raises(NoArticleTextError, match=r"^V106 .*empty.html: no article text"):
        to_article(doc, rules)


def test_jsonl_one_article_per_line_with_metadata(tmp_path, settings, rules):
    body = TEXT.split("\n\n", 1)[1]
    lines = [
        {
            "text": body,
            "title": "Frappes sur Kharkiv",
            "url": "https://ex.org/a",
            "published": "2024-03",
            "outlet": "Ex",
        },
        {"text": body, "url": "https://www.lemonde.fr/b", "language": "FR"},
        "not json",
        {"title": "sans texte"},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text(
        "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n",
        encoding="utf-8",
    )
    items = docs([path], settings)
    first, second, bad_json, no_text = items
    assert isinstance(bad_json, FormatError) and str(bad_json).startswith(f"V108 {path}:3:")
    assert isinstance(no_text, FormatError) and "text" in no_text.reason
    a = to_article(first, rules)
    assert (a.source, a.url, a.outlet, a.title) == (
        "https://ex.org/a",
        "https://ex.org/a",
        "Ex",
        "Frappes sur Kharkiv",
    )
    assert a.published == FuzzyDate(date(2024, 3, 1), Precision.MONTH)
    assert a.text.startswith("Frappes sur Kharkiv\n\n")
    b = to_article(second, rules)
    assert b.outlet == "lemonde.fr" and b.title is None  # from the URL host
    assert (a.language, b.language) == (None, "fr")  # given by the source, else detected later
    assert a.id != b.id


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023", FuzzyDate(date(2023, 1, 1), Precision.YEAR)),
        ("2023-10", FuzzyDate(date(2023, 10, 1), Precision.MONTH)),
        ("2023-10-04", FuzzyDate(date(2023, 10, 4), Precision.DAY)),
        ("2023-10-04T08:00:00Z", FuzzyDate(date(2023, 10, 4), Precision.DAY)),
        ("hier", FuzzyDate.unknown()),
        (None, FuzzyDate.unknown()),
    ],
)
def test_partial_dates(value, expected):
    assert parse_partial_date(value) == expected


def test_seeds_ingest_with_the_expected_titles(seeds_dir: Path, gold, settings, rules):
    for doc in docs([seeds_dir], settings):
        article = to_article(doc, rules)
        assert article.title == gold[Path(article.source).name + ".json"]["title"]


def test_jsonl_size_limit_applies_to_a_record_not_to_the_dump(tmp_path):
    from veille.ingest import read_documents

    limit = 4096  # bytes per record; the file below is ten times that
    record = {"text": "Les sapeurs ont réparé le pont. " * 20, "url": "https://ex.org/{}"}
    lines = [json.dumps({**record, "url": f"https://ex.org/{i}"}) for i in range(60)]
    lines[7] = json.dumps({"text": "Un très long texte. " * 400})  # above the limit alone
    path = tmp_path / "dump.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert path.stat().st_size > 10 * limit
    items = list(read_documents(path, limit))
    errors = [i for i in items if isinstance(i, InputError)]
    assert len(items) == 60 and len(errors) == 1
    (error,) = errors
    assert error.code == "V104" and error.path == f"{path}:8" and "JSONL record" in error.reason
    assert items[8].url == "https://ex.org/8" and items[8].path == f"{path}:9"  # read on


def test_jsonl_stream_keeps_ids_bom_crlf_and_line_numbers(tmp_path):
    from veille.ingest import read_documents

    text = '{"text": "Un pont a été réparé à Kherson."}'
    crlf = tmp_path / "crlf.jsonl"
    crlf.write_bytes(b"\xef\xbb\xbf" + (text + "\r\n\r\n" + text.replace("pont", "port")).encode())
    first, second = list(read_documents(crlf, 1 << 20))
    assert first.path.endswith(":1") and second.path.endswith(":3")
    plain = tmp_path / "plain.jsonl"
    plain.write_text(text + "\n", encoding="utf-8")
    (again,) = list(read_documents(plain, 1 << 20))
    assert again.raw_hash == first.raw_hash  # the id of a record does not depend on framing
    empty = tmp_path / "blank.jsonl"
    empty.write_text("\n \n", encoding="utf-8")
    (error,) = list(read_documents(empty, 1 << 20))
    assert error.code == "V102"
