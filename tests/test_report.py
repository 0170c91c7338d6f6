"""``veille report``: one self-contained HTML briefing, safe to open offline."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape

import pytest

from test_api import load_synth_store


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    synth = load_synth_store()
    analyses = synth.demo_analyses()
    settings = synth.build_store(
        tmp_path_factory.mktemp("report") / "r.duckdb", analyses, synth.demo_incidents(analyses)
    )
    return settings.db_path


@pytest.fixture(scope="module")
def html(demo_db, tmp_path_factory) -> str:
    from veille.report import write_report
    from veille.store import open_store

    store = open_store(demo_db, read_only=True)
    try:
        path = write_report(
            store, tmp_path_factory.mktemp("out") / "report.html", "Point de situation"
        )
    finally:
        store.close()
    return path.read_text(encoding="utf-8")


def test_report_is_self_contained(html):
    assert not re.search(r"<(script|img|iframe)[^>]+src=", html)
    assert "<link" not in html
    assert not re.search(r"""url\(\s*['"]?(https?:)?//""", html)  # no remote CSS assets
    assert "fetch(" in html  # charts.js can fetch, but only when no inline outlines are given
    assert 'id="world-geojson"' in html


def test_inline_script_is_allowed_by_its_hash_only(html):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1)
    csp = unescape(csp)  # the attribute is HTML-escaped; the browser reads it unescaped
    scripts = re.findall(r"<script>(.*?)</script>", html, re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]


def test_report_carries_the_data(html):
    assert "Point de situation" in html
    points = json.loads(re.search(r'id="map-data">(.*?)</script>', html, re.S).group(1))
    assert len(points) == 4 and all(p["href"].startswith("#ev-") for p in points)
    anchors = set(re.findall(r'<li id="(ev-[0-9a-f]+)"', html))
    assert {p["href"][1:] for p in points} <= anchors  # each map point opens its evidence
    timeline = json.loads(re.search(r'id="timeline-data">(.*?)</script>', html, re.S).group(1))
    assert sum(r["count"] for r in timeline) == 5
    assert "$50\u00a0bn" in html  # US purchase under negotiation, in USD
    assert "UKR buys from USA" in html  # a purchase reads as one, not as US aid
    assert "Boris Pistorius" in html and "confirmed" in html


def test_report_escapes_article_text(html):
    assert "<script>window.__veille_xss" not in html
    assert "<img src=x onerror" not in html
    assert "&lt;img src=x onerror=" in html


def test_report_command(demo_db, tmp_path):
    from typer.testing import CliRunner

    from veille.cli import app

    out = tmp_path / "brief.html"
    result = CliRunner().invoke(app, ["report", "--db", str(demo_db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_report_command_without_database(tmp_path):
    from typer.testing import CliRunner

    from veille.cli import app

    result = CliRunner().invoke(
        app, ["report", "--db", str(tmp_path / "none.duckdb"), "-o", str(tmp_path / "x.html")]
    )
    assert result.exit_code == 1
    assert not (tmp_path / "x.html").exists()
