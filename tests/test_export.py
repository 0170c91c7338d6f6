"""Exports: the gold-format prediction, full JSON, CSV/Parquet tables and GeoJSON."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from veille.errors import InputError
from veille.eval import evaluate_dirs, score_document
from veille.export import FORMATS, export_analyses, export_bytes, export_store, safe_file_name
from veille.export.gold import analysis_to_prediction, number
from veille.export.json import analysis_to_dict
from veille.export.tables import TABLES, events_geojson, table_rows
from veille.model import (
    Actor,
    AidCommitment,
    AidItem,
    AidStatus,
    Analysis,
    Article,
    Claim,
    EntityMention,
    EntityType,
    Event,
    EventQuantity,
    FuzzyDate,
    Incident,
    Modality,
    Place,
    Precision,
    Qualifier,
    Quantity,
    Span,
    Verification,
)

TEXT = (
    "Kiev négocie un achat d’armes de 50 milliards de dollars.\n\n"
    "Le ministère russe de la Défense a déclaré avoir abattu 31 drones près de Koursk, "
    "sans fournir de preuve.\n\n"
    "Selon Zelensky, l’Ukraine recevra au moins 10 systèmes Patriot d’ici deux jours."
)


def span(text: str, occurrence: str) -> Span:
    start = TEXT.index(occurrence)
    return Span(start, start + len(occurrence), occurrence)


def sentence(fragment: str) -> Span:
    """The sentence (paragraph here) holding ``fragment``."""
    start = TEXT.index(fragment)
    begin = TEXT.rfind("\n", 0, start) + 1
    end = TEXT.find("\n", start)
    end = len(TEXT) if end == -1 else end
    return Span(begin, end, TEXT[begin:end])


def mention(text: str, label: EntityType, name: str, **kw) -> EntityMention:
    s = span(TEXT, text)
    return EntityMention(s.start, s.end, text, label, name, **kw)


def make_analysis(
    source: str = "/corpus/fr/007_test.txt", ingested: datetime | None = None
) -> Analysis:
    article = Article(
        id=f"art-{safe_file_name(source)}-{ingested.isoformat() if ingested else 0}",
        source=source,
        text=TEXT,
        title="Kiev négocie un achat d’armes de 50 milliards de dollars.",
        language="fr",
        published=FuzzyDate(date(2023, 10, 1), Precision.MONTH),
        ingested_at=ingested or datetime(2024, 1, 1),
    )
    aid_id = article.id
    ukr = Actor("Kiev", "Ukraine", "UKR", "GOV", "Q212")
    rus_mod = Actor(
        "Le ministère russe de la Défense", "Russian Ministry of Defence", "RUS", "MIL", "mod-rus"
    )
    koursk = Place("Kursk", "RUS", "Q1", lat=51.73, lon=36.19)
    s50 = span(TEXT, "50 milliards de dollars")
    s31 = span(TEXT, "31 drones")
    s10 = span(TEXT, "au moins 10 systèmes Patriot")
    return Analysis(
        article=article,
        entities=[
            mention("Kiev", EntityType.LOC, "Kyiv", kb_id="Q1899", country="UKR"),
            mention("l’Ukraine", EntityType.LOC, "Ukraine", kb_id="Q212", country="UKR"),
            mention(
                "Koursk", EntityType.LOC, "Kursk", kb_id="Q1", country="RUS", lat=51.73, lon=36.19
            ),
            mention("Zelensky", EntityType.PER, "Volodymyr Zelensky", kb_id="Q3881", country="UKR"),
            mention("Patriot", EntityType.WEAPON, "MIM-104 Patriot", kb_id="W1", country="USA"),
            mention("ministère russe de la Défense", EntityType.ORG, "ministère russe"),
        ],
        quantities=[
            Quantity(
                s50.start,
                s50.end,
                s50.text,
                Decimal("50000000000"),
                "USD",
                "money",
                usd_value=Decimal("50000000000"),
                fx_year=2023,
            ),
            Quantity(s31.start, s31.end, s31.text, Decimal("31"), "drone", "count"),
            Quantity(
                s10.start, s10.end, s10.text, Decimal("10"), "système", "count", Qualifier.MIN
            ),
            Quantity(*_where("deux jours"), Decimal("2"), "jour", "attribute"),
        ],
        events=[
            Event(
                id="ev-consult",
                article_id=aid_id,
                type="CONSULT",
                sentence=sentence("Kiev négocie"),
                trigger=span(TEXT, "négocie"),
                actor=ukr,
                target=Actor("", "United States", "USA"),
                quantities=(EventQuantity(Decimal("50000000000"), "USD", "value"),),
                confidence=0.8,
            ),
            Event(
                id="ev-assault",
                article_id=aid_id,
                type="ASSAULT",
                sentence=sentence("abattu 31 drones"),
                trigger=span(TEXT, "abattu"),
                mode="drone",
                actor=ukr,
                target=Actor("", "Russia", "RUS"),
                location=koursk,
                location_country="RUS",
                date=FuzzyDate(date(2023, 10, 4), Precision.DAY),
                quantities=(EventQuantity(Decimal("31"), "drone", "intercepted"),),
                claimed_by="RUS",
                verification=Verification.UNVERIFIED,
            ),
            Event(
                id="ev-aid",
                article_id=aid_id,
                type="AID",
                sentence=sentence("recevra"),
                trigger=span(TEXT, "recevra"),
                modality=Modality.FUTURE,
                actor=Actor("", "United States", "USA"),
                target=ukr,
            ),
        ],
        aid=[
            AidCommitment(
                id="aid-1",
                article_id=aid_id,
                evidence=(sentence("Kiev négocie"), sentence("recevra")),
                donor="USA",
                recipient="UKR",
                kind="military",
                mechanism="purchase",
                value=Decimal("50000000000"),
                currency="USD",
                usd_value=Decimal("5E+10"),
                qualifier=Qualifier.EXACT,
                status=AidStatus.NEGOTIATING,
                items=(AidItem("Patriot", Decimal("10"), Qualifier.MIN, "W1"),),
                announced=FuzzyDate(date(2023, 10, 1), Precision.MONTH),
            )
        ],
        claims=[
            Claim(
                id="cl-1",
                article_id=aid_id,
                sentence=sentence("a déclaré"),
                content=span(TEXT, "avoir abattu 31 drones près de Koursk"),
                cue="déclarer",
                speaker=rus_mod,
                verification=Verification.UNVERIFIED,
                verification_evidence=span(TEXT, "sans fournir de preuve"),
            ),
            Claim(
                id="cl-2",
                article_id=aid_id,
                sentence=sentence("Selon Zelensky"),
                content=span(TEXT, "l’Ukraine recevra au moins 10 systèmes Patriot"),
                cue="selon",
                speaker=Actor("Zelensky", "Volodymyr Zelensky", "UKR"),
            ),
        ],
    )


def _where(fragment: str) -> tuple[int, int, str]:
    s = span(TEXT, fragment)
    return s.start, s.end, s.text


@pytest.fixture
def analysis() -> Analysis:
    return make_analysis()


# ---------------------------------------------------------------------------
# Gold-format prediction


def test_number_is_int_when_integral() -> None:
    assert number(Decimal("50000000000.00")) == 50_000_000_000
    assert isinstance(number(Decimal("5E+10")), int)
    assert number(Decimal("3.5")) == 3.5
    assert number(None) is None


def test_prediction_top_level(analysis: Analysis) -> None:
    pred = analysis_to_prediction(analysis)
    assert pred["doc"] == "007_test.txt"
    assert pred["language"] == "fr"
    assert pred["published"] == {"date": "2023-10", "precision": "month"}
    assert pred["body"] == {"clean_text": TEXT}
    assert pred["title"].startswith("Kiev négocie")
    json.dumps(pred)  # plain JSON types only


def test_prediction_published_null_when_unknown(analysis: Analysis) -> None:
    from dataclasses import replace

    analysis.article = replace(analysis.article, published=FuzzyDate.unknown())
    assert analysis_to_prediction(analysis)["published"] is None


def test_prediction_entities_grouped_with_coarse_types(analysis: Analysis) -> None:
    extra = mention("Kiev", EntityType.LOC, "Kyiv", kb_id="Q1899", country="UKR")
    analysis.entities.append(extra)  # a second mention of the same KB entity
    entities = {e["name"]: e for e in analysis_to_prediction(analysis)["entities"]}
    assert entities["Kyiv"]["mentions"] == ["Kiev"]
    assert entities["MIM-104 Patriot"]["type"] == "MISC"
    assert entities["Kursk"] == {
        "name": "Kursk",
        "type": "LOC",
        "country": "RUS",
        "mentions": ["Koursk"],
        "kb_id": "Q1",
    }
    assert entities["ministère russe"]["kb_id"] is None
    assert len(entities) == 6


def test_prediction_events(analysis: Analysis) -> None:
    events = analysis_to_prediction(analysis)["events"]
    assert [e["type"] for e in events] == [["CONSULT"], ["ASSAULT"], ["AID"]]
    assault = events[1]
    assert assault["actor"] == "UKR" and assault["target"] == "RUS"
    assert assault["location"] == "Kursk" and assault["location_country"] == "RUS"
    assert assault["date"] == "2023-10-04" and assault["date_precision"] == "day"
    assert assault["quantities"] == [
        {"value": 31, "unit": "drone", "role": "intercepted", "qualifier": "exact"}
    ]
    assert assault["claimed_by"] == "RUS" and assault["verification"] == "unverified"
    assert TEXT[assault["evidence_start"] : assault["evidence_end"]] == assault["evidence"]
    assert assault["trigger"] == "abattu" and assault["id"] == "ev-assault"
    assert events[2]["modality"] == "future" and events[0]["modality"] is None
    assert events[0]["quantities"][0]["value"] == 50_000_000_000


def test_prediction_aid(analysis: Analysis) -> None:
    (aid,) = analysis_to_prediction(analysis)["aid"]
    assert aid["value"] == 50_000_000_000 and isinstance(aid["value"], int)
    assert (aid["donor"], aid["recipient"], aid["status"]) == ("USA", "UKR", "negotiating")
    assert aid["items"] == [{"system": "Patriot", "quantity": 10, "qualifier": "min"}]
    assert aid["evidence"].startswith("Kiev négocie")
    assert len(aid["evidence_all"]) == 2 and aid["evidence_all"][1].startswith("Selon")
    assert TEXT[aid["evidence_start"] : aid["evidence_end"]] == aid["evidence"]


def test_prediction_claims(analysis: Analysis) -> None:
    claims = analysis_to_prediction(analysis)["claims"]
    assert claims[0]["speaker"] == "Russian Ministry of Defence"
    assert claims[0]["speaker_country"] == "RUS"
    assert claims[0]["speaker_text"] == "Le ministère russe de la Défense"
    assert claims[0]["verification"] == "unverified"
    assert claims[0]["cue"] == "déclarer"
    assert claims[1]["verification"] is None
    assert TEXT[claims[1]["evidence_start"] : claims[1]["evidence_end"]] == claims[1]["evidence"]


class _FakeKB:
    class _Entity:
        def surface_forms(self) -> tuple[str, ...]:
            return ("Russian Ministry of Defence", "ministère russe de la Défense", "MoD")

    def get(self, kb_id: str):
        return self._Entity() if kb_id == "mod-rus" else None


def test_prediction_speaker_aliases_from_kb(analysis: Analysis) -> None:
    claims = analysis_to_prediction(analysis, _FakeKB())["claims"]
    assert claims[0]["speaker_aliases"][-1] == "MoD"
    assert claims[1]["speaker_aliases"] == []  # speaker without a KB id
    assert analysis_to_prediction(analysis)["claims"][0]["speaker_aliases"] == []


def test_prediction_quantities_skip_untracked_units(analysis: Analysis) -> None:
    quantities = analysis_to_prediction(analysis)["quantities"]
    assert [(q["text"], q["value"], q["unit"], q["qualifier"]) for q in quantities] == [
        ("50 milliards de dollars", 50_000_000_000, "USD", "exact"),
        ("31 drones", 31, "drone", "exact"),
        ("au moins 10 systèmes Patriot", 10, "système", "min"),
    ]


def test_prediction_quantities_keep_durations_not_ages(analysis: Analysis) -> None:
    start, end, text = _where("deux jours")
    analysis.quantities = [
        Quantity(start, end, text, Decimal("2"), "jour", "duration"),
        Quantity(start, end, text, Decimal("2"), "jour", "age"),
        Quantity(start, end, text, Decimal("2"), "jour", "ago"),
    ]
    quantities = analysis_to_prediction(analysis)["quantities"]
    assert [(q["unit"], q["kind"]) for q in quantities] == [("jour", "duration")]


def test_prediction_scores_against_matching_gold(analysis: Analysis) -> None:
    gold = {
        "doc": "007_test.txt",
        "published": {"date": "2023-10", "precision": "month"},
        "body": {"must_keep": ["Selon Zelensky"], "must_drop": ["Lire aussi"]},
        "entities": [
            {"name": "Kyiv", "type": "LOC", "mentions": ["Kiev"]},
            {"name": "Patriot", "type": "MISC", "mentions": ["Patriot"]},
        ],
        "events": [
            {
                "type": ["ASSAULT"],
                "actor": "UKR",
                "target": "RUS",
                "mode": "drone",
                "modality": None,
                "location": "Kursk",
                "location_country": "RUS",
                "date": "2023-10-04",
                "claimed_by": "RUS",
                "verification": "unverified",
                "evidence": "abattu 31 drones",
            }
        ],
        "aid": [
            {
                "donor": "USA",
                "recipient": "UKR",
                "value": 50_000_000_000,
                "qualifier": "exact",
                "status": "negotiating",
                "mechanism": "purchase",
                "items": [{"system": "Patriot", "quantity": 10, "qualifier": "min"}],
                "evidence": "au moins 10 systèmes Patriot",
            }
        ],
        "claims": [
            {
                "speaker": "Russian Ministry of Defence",
                "speaker_country": "RUS",
                "verification": "unverified",
                "evidence": "avoir abattu 31 drones",
            }
        ],
        "quantities": [{"text": "31 drones", "value": 31, "unit": "drone", "qualifier": "exact"}],
    }
    result = score_document(gold, analysis_to_prediction(analysis))
    assert result.body.share == 1.0 and result.published.share == 1.0
    assert result.entities.share == 1.0
    assert (result.events.tp, result.events.fp) == (1, 2)
    assert all(t.share == 1.0 for t in result.events.attributes.values())
    assert result.aid.f1 == 1.0  # matched through its second evidence sentence
    assert all(t.share == 1.0 for t in result.aid.attributes.values())
    assert (result.claims.tp, result.claims.fp) == (1, 1)
    assert result.claims.attributes["speaker"].share == 1.0
    assert (result.quantities.tp, result.quantities.fp) == (1, 2)


# ---------------------------------------------------------------------------
# Full-model JSON


def test_full_json_keeps_every_annotation(analysis: Analysis) -> None:
    analysis.doc = object()  # a live spaCy parse is never exported
    data = json.loads(json.dumps(analysis_to_dict(analysis)))
    assert data["doc"] == "007_test.txt"
    assert data["article"]["text"] == TEXT
    assert data["article"]["published"] == {
        "value": "2023-10-01",
        "precision": "month",
        "iso": "2023-10",
    }
    for part in ("entities", "quantities", "times", "events", "aid", "claims"):
        assert len(data[part]) == len(getattr(analysis, part)), part
    q = data["quantities"][0]
    assert q["value"] == "50000000000" and q["usd_value"] == "50000000000"
    assert TEXT[q["start"] : q["end"]] == q["text"]
    ev = data["events"][1]
    assert ev["location"] == {
        "name": "Kursk",
        "country": "RUS",
        "kb_id": "Q1",
        "lat": 51.73,
        "lon": 36.19,
    }
    assert ev["quantities"][0]["value"] == "31"
    assert ev["trigger"] == {
        "start": TEXT.index("abattu"),
        "end": TEXT.index("abattu") + 6,
        "text": "abattu",
    }
    assert data["aid"][0]["usd_value"] == "5E+10"  # str(Decimal), exact
    assert data["claims"][0]["verification_evidence"]["text"] == "sans fournir de preuve"


# ---------------------------------------------------------------------------
# Files


def test_unknown_format_is_an_input_error(tmp_path: Path, analysis: Analysis) -> None:
    with pytest.raises(InputError, match="unknown export format"):
        export_analyses([analysis], "xml", tmp_path)


def test_gold_export_one_file_per_source_latest_version(tmp_path: Path) -> None:
    old = make_analysis("/a/007_test.txt", datetime(2024, 1, 1))
    new = make_analysis("/a/007_test.txt", datetime(2024, 3, 1))  # the same file, changed
    new.events = new.events[:1]
    other = make_analysis("https://example.org/news/article-42?utm=x", datetime(2024, 1, 1))
    paths = export_analyses([old, new, other], "gold", tmp_path)
    assert [p.name for p in paths] == ["007_test.txt.json", "article-42.json"]
    data = json.loads((tmp_path / "007_test.txt.json").read_text(encoding="utf-8"))
    assert data["article_id"] == new.article.id and len(data["events"]) == 1
    # newest first must give the same answer
    again = export_analyses([new, old], "gold", tmp_path / "again")
    assert json.loads(again[0].read_text(encoding="utf-8"))["article_id"] == new.article.id
    # another file with the same name is another document: both are written (issue 12)
    twin = make_analysis("/b/007_test.txt", datetime(2024, 2, 1))
    both = export_analyses([new, twin], "gold", tmp_path / "twins")
    assert sorted(p.name for p in both)[1] == "007_test.txt.json" and len(both) == 2


def test_gold_export_round_trips_through_the_scorer(tmp_path: Path, analysis: Analysis) -> None:
    export_analyses([analysis], "gold", tmp_path / "pred")
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    gold = {
        "doc": "007_test.txt",
        "published": {"date": "2023-10", "precision": "month"},
        "claims": [
            {
                "speaker": "Volodymyr Zelensky",
                "speaker_country": "UKR",
                "evidence": "Selon Zelensky",
            }
        ],
    }
    (gold_dir / "007_test.txt.json").write_text(json.dumps(gold), encoding="utf-8")
    report = evaluate_dirs(gold_dir, tmp_path / "pred")
    assert report.overall.published.share == 1.0
    assert report.overall.claims.recall == 1.0


def test_json_export_one_file_per_article(tmp_path: Path) -> None:
    a = make_analysis("/a/x.txt", datetime(2024, 1, 1))
    b = make_analysis("/a/x.txt", datetime(2024, 2, 1))
    paths = export_analyses([a, b], "json", tmp_path)
    assert len(paths) == 2
    loaded = [json.loads(p.read_text(encoding="utf-8")) for p in paths]
    assert {d["article"]["id"] for d in loaded} == {a.article.id, b.article.id}


def _incident() -> Incident:
    return Incident(
        id="inc-1",
        type="ASSAULT",
        event_ids=("ev-assault", "ev-x"),
        article_ids=("a", "b"),
        mode="drone",
        actor="UKR",
        target="RUS",
        location=Place("Kursk", "RUS", "Q1", 51.73, 36.19),
        location_country="RUS",
        date=FuzzyDate(date(2023, 10, 4), Precision.DAY),
        num_mentions=2,
        num_articles=2,
        num_sources=1,
        first_seen=datetime(2024, 1, 1),
        claimants=("RUS",),
        verification="unverified",
    )


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_tables_read_back_with_pyarrow(tmp_path: Path, analysis: Analysis, fmt: str) -> None:
    paths = export_analyses([analysis], fmt, tmp_path, incidents=[_incident()])
    assert sorted(p.name for p in paths) == sorted(f"{t}.{fmt}" for t in TABLES)
    read = (lambda p: pa_csv.read_csv(p)) if fmt == "csv" else pq.read_table
    tables = {p.stem: read(p) for p in paths}
    counts = {name: t.num_rows for name, t in tables.items()}
    assert counts == {
        "articles": 1,
        "entities": 6,
        "quantities": 4,
        "events": 3,
        "aid": 1,
        "claims": 2,
        "incidents": 1,
    }
    aid = tables["aid"].to_pylist()[0]
    assert aid["value"] == 5e10 and str(aid["value_text"]) in {"50000000000", "5E+10"}
    assert json.loads(aid["items"])[0]["system"] == "Patriot"
    assert len(json.loads(aid["evidence_all"])) == 2
    events = tables["events"].to_pylist()
    assault = next(e for e in events if e["id"] == "ev-assault")
    assert (assault["actor_country"], assault["lat"], assault["lon"]) == ("UKR", 51.73, 36.19)
    assert str(assault["date"]) == "2023-10-04"
    assert json.loads(assault["quantities"])[0]["role"] == "intercepted"
    article = tables["articles"].to_pylist()[0]
    assert article["text"] == TEXT and article["doc"] == "007_test.txt"
    claim = tables["claims"].to_pylist()[0]
    assert claim["verification"] == "unverified"
    assert claim["verification_evidence"] == "sans fournir de preuve"
    incident = tables["incidents"].to_pylist()[0]
    assert json.loads(incident["event_ids"]) == ["ev-assault", "ev-x"]


def test_empty_tables_keep_their_columns(tmp_path: Path) -> None:
    paths = export_analyses([], "parquet", tmp_path)
    events = pq.read_table(tmp_path / "events.parquet")
    assert events.num_rows == 0 and "actor_country" in events.column_names
    assert len(paths) == len(TABLES)
    header = (export_analyses([], "csv", tmp_path)[0]).read_text(encoding="utf-8")
    assert header.startswith('"id","doc","source"')


def test_table_rows_names_every_table(analysis: Analysis) -> None:
    assert set(table_rows([analysis])) == set(TABLES)


def test_geojson_only_events_with_coordinates(tmp_path: Path, analysis: Analysis) -> None:
    (path,) = export_analyses([analysis], "geojson", tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    (feature,) = data["features"]
    assert feature["type"] == "Feature"
    assert feature["geometry"] == {"type": "Point", "coordinates": [36.19, 51.73]}
    props = feature["properties"]
    assert (props["type"], props["mode"], props["actor"], props["target"]) == (
        "ASSAULT",
        "drone",
        "UKR",
        "RUS",
    )
    assert props["date"] == "2023-10-04" and props["article_id"] == analysis.article.id
    assert "abattu 31 drones" in props["evidence"]
    assert events_geojson([]) == {"type": "FeatureCollection", "features": []}


class _PagedStore:
    """A store double that pages incidents like the real one."""

    def __init__(self, analyses: list[Analysis], incidents: list[Incident]) -> None:
        self.analyses, self.incidents = analyses, incidents
        self.pages = 0

    def iter_analyses(self, article_ids=None):
        return iter(self.analyses)

    def list_incidents(self, limit=50, offset=0, *, type=None):
        self.pages += 1
        return self.incidents[offset : offset + limit]


def test_export_store_pages_through_incidents(tmp_path: Path, analysis: Analysis) -> None:
    incidents = [
        Incident(id=f"i{n}", type="ASSAULT", event_ids=(), article_ids=()) for n in range(501)
    ]
    store = _PagedStore([analysis], incidents)
    export_store(store, "csv", tmp_path)
    assert pa_csv.read_csv(tmp_path / "incidents.csv").num_rows == 501
    assert store.pages == 2


def test_export_store_with_duckdb(tmp_path: Path, analysis: Analysis) -> None:
    """Through the real store: what is saved comes back out in every format."""
    from veille.store import open_store

    store = open_store(tmp_path / "t.duckdb")
    try:
        store.save_batch([analysis])
        store.save_incidents([_incident()])
        for fmt in FORMATS:
            assert export_store(store, fmt, tmp_path / fmt), fmt
    finally:
        store.close()
    pred = json.loads((tmp_path / "gold" / "007_test.txt.json").read_text(encoding="utf-8"))
    assert pred == json.loads(json.dumps(analysis_to_prediction(analysis)))
    assert pq.read_table(tmp_path / "parquet" / "incidents.parquet").num_rows == 1


def test_export_command(tmp_path: Path, analysis: Analysis) -> None:
    import typer
    from typer.testing import CliRunner

    from veille.cli.export_cmds import register
    from veille.store import open_store

    db = tmp_path / "t.duckdb"
    store = open_store(db)
    try:
        store.save_batch([analysis])
    finally:
        store.close()
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    runner = CliRunner()
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["export", "--format", "geojson", "-o", str(out), "--db", str(db), "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"] == [str(out / "events.geojson")]
    bad = runner.invoke(app, ["export", "--format", "xml", "-o", str(out), "--db", str(db)])
    assert bad.exit_code != 0
    missing = runner.invoke(
        app, ["export", "-f", "csv", "-o", str(out), "--db", str(tmp_path / "none.duckdb")]
    )
    assert missing.exit_code == 1


@pytest.mark.parametrize(
    ("fmt", "table", "media", "name"),
    [
        ("gold", "events", "application/json", "predictions.json"),
        ("json", "events", "application/json", "analyses.json"),
        ("csv", "claims", "text/csv; charset=utf-8", "claims.csv"),
        ("parquet", "aid", "application/vnd.apache.parquet", "aid.parquet"),
        ("geojson", "events", "application/geo+json", "events.geojson"),
    ],
)
def test_export_bytes_for_downloads(
    analysis: Analysis, fmt: str, table: str, media: str, name: str
) -> None:
    body, media_type, file_name = export_bytes([analysis], fmt, table=table)
    assert (media_type, file_name) == (media, name)
    if fmt == "csv":
        assert pa_csv.read_csv(io.BytesIO(body)).num_rows == 2
    elif fmt == "parquet":
        assert pq.read_table(io.BytesIO(body)).num_rows == 1
    else:
        data = json.loads(body)
        assert data["features"] if fmt == "geojson" else len(data) == 1


def test_export_bytes_unknown_table(analysis: Analysis) -> None:
    with pytest.raises(InputError, match="unknown table"):
        export_bytes([analysis], "csv", table="nope")
