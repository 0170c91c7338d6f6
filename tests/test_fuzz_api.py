"""Schemathesis over the live OpenAPI spec (issue 12): every operation, generated valid
and invalid requests, every response checked against the spec (status codes, bodies,
content types, and never a 500). Bounded in ``make test``; ``make fuzz`` runs it long.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from hostile import CASES, FUZZ, fuzz_settings
from test_api import load_synth_store
from veille.api import create_app
from veille.search import index_articles
from veille.store import open_store

LOCAL = {"Host": "127.0.0.1"}  # the app refuses other Host headers (DNS rebinding)


def _demo_app():
    """The API over the hand-made demo store (with its search index), built once."""
    synth = load_synth_store()
    analyses = synth.demo_analyses()
    folder = Path(tempfile.mkdtemp(prefix="veille-schemathesis-"))
    settings = synth.build_store(folder / "demo.duckdb", analyses, synth.demo_incidents(analyses))
    with open_store(settings.db_path) as store:
        index_articles(store, settings)
    return create_app(settings)


APP = _demo_app()
# ``make test`` skips the coverage phase (over a thousand boundary cases, ~30 s); the
# fuzzing phase still sends valid and invalid requests. ``make fuzz`` runs every phase.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": FUZZ}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, headers=LOCAL, config=CONFIG)


# Country filters take a code in any case or a country name, checked against the
# knowledge base's list (a 422 names the unknown value): no schema can say which strings
# are countries, so for those requests a 422 must come from that check alone. A cursor is
# opaque too: a well-formed string no page gave out (or one beside an offset) is a 422.
LOOKED_UP = {"country", "donor", "recipient", "cursor"}


@schema.parametrize()
@fuzz_settings(quick=12, long=250)
def test_api_matches_its_spec(case):
    looked_up = LOOKED_UP & set(case.query or {})
    excluded = [positive_data_acceptance] if looked_up else []
    response = case.call_and_validate(headers=LOCAL, excluded_checks=excluded)
    if looked_up and response.status_code == 422:
        refused = {error["loc"][-1] for error in response.json()["detail"]}
        negative = case.meta is not None and case.meta.generation.mode.is_negative
        assert refused <= LOOKED_UP or negative, (case.query, refused)
    CASES["api: requests checked against the spec"] += 1
