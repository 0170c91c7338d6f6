"""``veille report``: one self-contained HTML briefing to share offline.

The same data functions and charts as the dashboard (``veille.api.views``, ``charts.js``),
with CSS, JavaScript, map outlines and data inlined. The only script is ours, allowed by
its hash in a Content-Security-Policy meta tag; all article-derived text is escaped.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from veille import __version__
from veille.api import STATIC, make_jinja, views
from veille.store.duckdb import queries
from veille.store.duckdb.queries import Filters

REPORT_EVENTS = 60
REPORT_CLAIMS = 40
REPORT_AID = 40


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def report_data(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Everything the briefing shows, as JSON-ready values."""
    points = views.map_points(con)
    for p in points:  # inside the report, a point opens the evidence list below the map
        p["href"] = f"#ev-{p['id']}"
    return {
        "overview": views.overview(con),
        "points": points,
        "events": queries.list_events(con, Filters(), REPORT_EVENTS, 0),
        "aid": views.aid_page(con, Filters(), REPORT_AID, 0),
        "claims": queries.list_claims(con, Filters(), REPORT_CLAIMS, 0),
        "incidents": queries.list_incidents(con, Filters(), REPORT_EVENTS, 0),
    }


def render_report(con: duckdb.DuckDBPyConnection, title: str = "Veille briefing") -> str:
    """The briefing as one HTML string."""
    charts_js = (STATIC / "charts.js").read_text(encoding="utf-8")
    env = make_jinja()
    return env.get_template("report.html").render(
        title=title,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        css=(STATIC / "app.css").read_text(encoding="utf-8"),
        charts_js=charts_js,
        script_hash=_csp_hash(charts_js),
        world=(STATIC / "europe.geo.json").read_text(encoding="utf-8"),
        data=report_data(con),
    )


def write_report(store: Any, out: str | Path, title: str = "Veille briefing") -> Path:
    """Write the briefing for ``store`` to ``out``; returns the path written."""
    out = Path(out)
    con = store.connection().cursor()
    try:
        html = render_report(con, title)
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out
