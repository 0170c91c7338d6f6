"""The scorer of shared/gold/FORMAT.md, rule by rule, on small hand-made gold and predictions."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest
import typer
from typer.testing import CliRunner

from veille.errors import EvalError
from veille.eval import (
    evaluate_dirs,
    evaluate_store,
    load_gold,
    normalize_text,
    score,
    score_body,
    score_document,
    score_entities,
    score_published,
    score_quantities,
    texts_overlap,
    values_close,
)
from veille.model import Analysis, Article, FuzzyDate, Precision

# ---------------------------------------------------------------------------
# Normalisation


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("L’Ukraine a ÉTÉ frappée", "l'ukraine a ete frappee"),
        ("« très, très dure »", '"tres, tres dure"'),
        ("mille\u00a0drones  lancés\n\tla nuit", "mille drones lances la nuit"),
        ("contre\u202fl’offensive", "contre l'offensive"),
        ("cœur – bœuf", "coeur - boeuf"),
    ],
)
def test_normalize_text_ignores_case_accents_quotes_and_spaces(a: str, b: str) -> None:
    assert normalize_text(a) == normalize_text(b)


def test_normalize_text_keeps_words_apart() -> None:
    assert normalize_text("drones") != normalize_text("drone")


# ---------------------------------------------------------------------------
# Body and published


def test_body_counts_share_of_checks() -> None:
    gold = {"must_drop": ["Click to comment", "Les + Lus"], "must_keep": ["La situation reste"]}
    clean = "Titre\n\nLa  situation\u00a0reste volatile.\n\nLes + Lus"
    tally = score_body(gold, {"clean_text": clean})
    assert (tally.correct, tally.total) == (2, 3)
    assert tally.share == pytest.approx(2 / 3)


def test_body_without_checks_is_undefined() -> None:
    assert score_body({"must_drop": [], "must_keep": []}, {"clean_text": "x"}).share is None


@pytest.mark.parametrize(
    ("gold", "pred", "ok"),
    [
        (None, None, True),
        (None, {"date": "2023-10", "precision": "month"}, False),
        (
            {"date": "2023-10", "precision": "month"},
            {"date": "2023-10", "precision": "month"},
            True,
        ),
        (
            {"date": "2023-10", "precision": "month"},
            {"date": "2023-10-01", "precision": "day"},
            False,
        ),
        ({"date": "2023-10", "precision": "month"}, None, False),
        (None, {"date": None, "precision": "unknown"}, True),
    ],
)
def test_published(gold, pred, ok: bool) -> None:
    assert score_published(gold, pred).correct == int(ok)


# ---------------------------------------------------------------------------
# Entities (recall only)


def test_entities_match_on_any_name_and_coarse_type() -> None:
    gold = [
        {"name": "Kyiv", "type": "LOC", "mentions": ["Kiev"]},
        {"name": "États-Unis", "type": "LOC", "mentions": []},
        {"name": "Patriot", "type": "MISC", "mentions": ["Patriot"]},
        {"name": "OTAN", "type": "ORG", "mentions": []},
    ]
    pred = [
        {"name": "Kyiv (city)", "type": "LOC", "mentions": ["kiev"]},  # via a mention
        {"name": "Etats-Unis", "type": "GPE", "mentions": []},  # GPE counts as LOC
        {"name": "MIM-104 Patriot", "type": "WEAPON", "mentions": ["Patriot"]},  # WEAPON -> MISC
        {"name": "OTAN", "type": "LOC", "mentions": []},  # wrong coarse type
        {"name": "Spurious", "type": "PER", "mentions": []},  # precision is not scored
    ]
    tally = score_entities(gold, pred)
    assert (tally.correct, tally.total) == (3, 4)


# ---------------------------------------------------------------------------
# Events


def _event(**kw) -> dict:
    base = {
        "type": ["ASSAULT"],
        "mode": None,
        "modality": None,
        "actor": "UKR",
        "target": "RUS",
        "location": None,
        "location_country": None,
        "date": None,
        "claimed_by": None,
        "verification": None,
        "evidence": "",
    }
    base.update(kw)
    return base


def _doc(**parts) -> dict:
    return {"doc": "d.txt", **parts}


def test_event_matches_on_type_actor_and_evidence_containment() -> None:
    gold = [_event(type=["CONSULT", "AGREE"], evidence="l’Ukraine négocie avec les « alliés »")]
    pred = [
        _event(
            type=["AGREE"],
            evidence='Selon Kiev,  L\'UKRAINE NEGOCIE\u00a0avec les "alliés" depuis mai.',
        )
    ]
    s = score_document(_doc(events=gold), _doc(events=pred)).events
    assert (s.tp, s.fp, s.fn) == (1, 0, 0)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)


@pytest.mark.parametrize(
    "pred",
    [
        _event(type=["AID"], evidence="des frappes ont visé Samara"),  # type not in gold list
        _event(actor="RUS", evidence="des frappes ont visé Samara"),  # other actor
        _event(evidence="des frappes ont visé Stavropol"),  # evidence elsewhere
    ],
)
def test_event_mismatch_is_one_fp_and_one_fn(pred: dict) -> None:
    gold = [_event(evidence="frappes ont visé Samara")]
    s = score_document(_doc(events=gold), _doc(events=[pred])).events
    assert (s.tp, s.fp, s.fn) == (0, 1, 1)
    assert (s.precision, s.recall, s.f1) == (0.0, 0.0, 0.0)


def test_event_gold_without_actor_accepts_any_actor() -> None:
    gold = [_event(actor=None, evidence="un dépôt a explosé")]
    pred = [_event(actor="RUS", evidence="Un dépôt a explosé à Belgorod.")]
    assert score_document(_doc(events=gold), _doc(events=pred)).events.tp == 1


def test_event_gold_evidence_list_matches_any_snippet() -> None:
    gold = [_event(evidence=["bombardé Kharkiv", "frappe sur Kharkiv"])]
    pred = [_event(evidence="La frappe sur Kharkiv a fait trois morts.")]
    assert score_document(_doc(events=gold), _doc(events=pred)).events.tp == 1


def test_optional_gold_is_neither_credited_nor_false_positive() -> None:
    gold = [
        _event(evidence="ont frappé Odessa"),
        _event(type=["CONSULT"], evidence="les pourparlers piétinent", required=False),
    ]
    pred = [
        _event(evidence="Les Russes ont frappé Odessa."),
        _event(type=["CONSULT"], evidence="Mais les pourparlers piétinent."),
    ]
    s = score_document(_doc(events=gold), _doc(events=pred)).events
    assert (s.tp, s.fp, s.fn, s.ignored) == (1, 0, 0, 1)
    assert s.precision == 1.0


def test_unmatched_optional_gold_is_not_a_false_negative() -> None:
    gold = [_event(evidence="a frappé", required=False)]
    s = score_document(_doc(events=gold), _doc(events=[])).events
    assert (s.tp, s.fp, s.fn) == (0, 0, 0)
    assert s.f1 is None  # nothing to score


def test_matching_is_one_to_one() -> None:
    sentence = "Des frappes ont visé des usines à Samara et Stavropol."
    gold = [_event(evidence="usines à Samara"), _event(evidence="Samara et Stavropol")]
    pred = [_event(evidence=sentence)]
    s = score_document(_doc(events=gold), _doc(events=pred)).events
    assert (s.tp, s.fp, s.fn) == (1, 0, 1)


def test_greedy_prefers_the_prediction_agreeing_on_more_attributes() -> None:
    sentence = "Des frappes ont visé des usines à Samara et Stavropol."
    gold = [
        _event(location="Samara", location_country=None, evidence="usines à Samara"),
        _event(location="Stavropol", location_country=None, evidence="Samara et Stavropol"),
    ]
    pred = [
        _event(location="Stavropol", location_country="RUS", evidence=sentence),
        _event(location="Samara", location_country="RUS", evidence=sentence),
    ]
    s = score_document(_doc(events=gold), _doc(events=pred)).events
    assert (s.tp, s.fp, s.fn) == (2, 0, 0)
    assert s.pairs == [(0, 1), (1, 0)]
    assert s.attributes["location"].share == 1.0


def test_required_gold_is_matched_before_optional_gold() -> None:
    sentence = "Moscou a frappé Kharkiv et Kiev."
    gold = [
        _event(actor=None, evidence="frappé Kharkiv", required=False),
        _event(actor=None, evidence="Kharkiv et Kiev"),
    ]
    s = score_document(_doc(events=gold), _doc(events=[_event(evidence=sentence)])).events
    assert (s.tp, s.fp, s.fn, s.ignored) == (1, 0, 0, 0)


def test_event_attributes_on_matched_pairs() -> None:
    gold = [
        _event(
            mode="drone",
            modality=None,
            target="RUS",
            location="Cape Tarkhankut",
            location_country="UKR",
            date="2023-10",
            claimed_by="RUS",
            verification="unverified",
            evidence="abattu 31 drones",
        ),
        _event(
            mode=None,
            modality="future",
            target="RUS",
            location=None,
            location_country="RUS",
            date=None,
            evidence="frapperont Belgorod",
        ),
    ]
    pred = [
        _event(
            mode="aerial",
            modality=None,
            target="RUS",
            location="Tarkhankut",
            location_country="UKR",
            date="2023-10",
            claimed_by="RUS",
            verification=None,
            evidence="Moscou dit avoir abattu 31 drones.",
        ),
        _event(
            mode="drone",
            modality=None,
            target="UKR",
            location="Belgorod",
            location_country="RUS",
            date="2024-01",
            evidence="Ils frapperont Belgorod.",
        ),
    ]
    s = score_document(_doc(events=gold), _doc(events=pred)).events
    acc = {k: (t.correct, t.total) for k, t in s.attributes.items()}
    assert acc["mode"] == (0, 1)  # only the gold with a mode is scored
    assert acc["modality"] == (1, 2)
    assert acc["target"] == (1, 2)
    assert acc["location"] == (2, 2)  # names differ but location_country agrees
    assert acc["date"] == (1, 2)
    assert acc["claimed_by"] == (2, 2)  # null equals null
    assert acc["verification"] == (1, 2)


# ---------------------------------------------------------------------------
# Aid


def _aid(**kw) -> dict:
    base = {
        "donor": "USA",
        "recipient": "UKR",
        "kind": "military",
        "mechanism": None,
        "value": None,
        "currency": None,
        "qualifier": None,
        "status": None,
        "items": [],
        "evidence": "",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("gold_value", "pred_value", "ok"),
    [
        (50_000_000_000, 50_000_000_000, True),
        (50_000_000_000, 50_500_000_000, True),  # exactly 1%
        (50_000_000_000, 49_600_000_000, True),
        (50_000_000_000, 51_000_000_000, False),  # 2%
        (50_000_000_000, None, False),
        (None, None, True),
        (None, 10, False),
        (1.5, "1.5", True),
    ],
)
def test_values_close_within_one_percent(gold_value, pred_value, ok: bool) -> None:
    assert values_close(gold_value, pred_value) is ok


def test_aid_matches_on_donor_recipient_and_any_evidence_sentence() -> None:
    gold = [
        _aid(
            value=50_000_000_000,
            qualifier="approx",
            status="negotiating",
            mechanism="purchase",
            evidence="évalué à 50 milliards de dollars",
        ),
        _aid(
            donor=None,
            mechanism="coproduction",
            status="planned",
            items=[{"system": "drone", "quantity": None, "qualifier": None}],
            evidence="un accord est prévu pour la production de drones",
        ),
    ]
    pred = [
        _aid(
            value=50_200_000_000,
            qualifier="approx",
            status="negotiating",
            mechanism="purchase",
            evidence="Kiev négocie un achat d’armes.",
            evidence_all=[
                "Kiev négocie un achat d’armes.",
                "Le contrat, évalué à 50 milliards de dollars, inclut des Patriot.",
            ],
        ),
        _aid(
            donor="DEU",
            mechanism="coproduction",
            status="planned",
            items=[{"system": "drone", "quantity": None, "qualifier": None}],
            evidence="Enfin, un accord est prévu pour la production de drones.",
        ),
        _aid(recipient="RUS", evidence="Enfin, un accord est prévu pour la production de drones."),
    ]
    s = score_document(_doc(aid=gold), _doc(aid=pred)).aid
    assert (s.tp, s.fp, s.fn) == (2, 1, 0)
    assert {k: t.share for k, t in s.attributes.items()} == {
        "value": 1.0,
        "qualifier": 1.0,
        "status": 1.0,
        "mechanism": 1.0,
        "items": 1.0,
    }


@pytest.mark.parametrize(
    ("pred_items", "ok"),
    [
        ([{"system": "MIM-104 Patriot", "quantity": 10, "qualifier": "min"}], True),
        ([{"system": "patriot", "quantity": 10.0, "qualifier": "min"}], True),
        ([{"system": "Patriot", "quantity": 10, "qualifier": "exact"}], False),
        ([{"system": "Patriot", "quantity": 12, "qualifier": "min"}], False),
        ([{"system": "IRIS-T", "quantity": 10, "qualifier": "min"}], False),
        ([], False),
        (
            [
                {"system": "Patriot", "quantity": 10, "qualifier": "min"},
                {"system": "drone", "quantity": None, "qualifier": None},
            ],
            False,
        ),
    ],
)
def test_aid_items_attribute(pred_items: list, ok: bool) -> None:
    gold = [
        _aid(
            items=[{"system": "Patriot", "quantity": 10, "qualifier": "min"}],
            evidence="au moins 10 systèmes Patriot",
        )
    ]
    pred = [_aid(items=pred_items, evidence="Il recevra au moins 10 systèmes Patriot.")]
    s = score_document(_doc(aid=gold), _doc(aid=pred)).aid
    assert s.tp == 1
    assert s.attributes["items"].correct == int(ok)


# ---------------------------------------------------------------------------
# Claims


def _claim(**kw) -> dict:
    base = {
        "speaker": None,
        "speaker_country": None,
        "cue": "déclarer",
        "verification": None,
        "evidence": "",
    }
    base.update(kw)
    return base


@pytest.mark.parametrize(
    ("pred", "speaker_ok"),
    [
        (_claim(speaker="Russian Ministry of Defence", speaker_country="RUS"), True),
        (_claim(speaker="russian ministry of defence", speaker_country="RUS"), True),
        (
            _claim(
                speaker="Ministère russe de la Défense",
                speaker_country="RUS",
                speaker_aliases=["Russian Ministry of Defence", "MoD"],
            ),
            True,
        ),
        (
            _claim(
                speaker="Ministry",
                speaker_text="Russian Ministry of Defence",
                speaker_country="RUS",
            ),
            True,
        ),
        (_claim(speaker="Ministère russe de la Défense", speaker_country="RUS"), False),
        (_claim(speaker=None, speaker_country="RUS"), False),
    ],
)
def test_claim_speaker_is_lenient_on_names(pred: dict, speaker_ok: bool) -> None:
    gold = [
        _claim(
            speaker="Russian Ministry of Defence",
            speaker_country="RUS",
            verification="unverified",
            evidence="avaient abattu 31 drones",
        )
    ]
    pred = {**pred, "evidence": "Le ministère a déclaré avoir abattu 31 drones, sans preuve."}
    pred["evidence"] = "Le ministère a déclaré qu'ils avaient abattu 31 drones."
    s = score_document(_doc(claims=gold), _doc(claims=[pred])).claims
    assert s.tp == 1
    assert s.attributes["speaker"].correct == int(speaker_ok)
    assert s.attributes["verification"].correct == 0  # gold unverified, prediction null


def test_claim_matches_on_speaker_country_when_gold_has_one() -> None:
    gold = [
        _claim(speaker="Pentagon", speaker_country="USA", evidence="manquait d’argent"),
        _claim(speaker="reliable sources", speaker_country=None, evidence="ont confirmé"),
    ]
    pred = [
        _claim(speaker="Pentagon", speaker_country="GBR", evidence="Il manquait d’argent."),
        _claim(
            speaker="des sources fiables",
            speaker_country="UKR",
            evidence="Les autorités ont confirmé.",
        ),
    ]
    s = score_document(_doc(claims=gold), _doc(claims=pred)).claims
    assert (s.tp, s.fp, s.fn) == (1, 1, 1)
    assert s.pairs == [(1, 1)]


# ---------------------------------------------------------------------------
# Quantities


@pytest.mark.parametrize(
    ("gold_text", "pred_text", "ok"),
    [
        ("plus de 65 milliards de dollars", "65 milliards de dollars", True),
        ("près de 20%", "20 %", True),
        ("12 000 soldats", "12\u00a0000", True),
        ("31 drones", "trente et un drones", False),
        ("trente et un drones", "trente et un", True),
        ("31 drones", "", False),
    ],
)
def test_texts_overlap(gold_text: str, pred_text: str, ok: bool) -> None:
    assert texts_overlap(gold_text, pred_text) is ok


def test_duplicate_quantity_predictions_count_once() -> None:
    gold = [
        {
            "text": "50 milliards de dollars",
            "value": 50_000_000_000,
            "unit": "USD",
            "qualifier": "exact",
        }
    ]
    pred = [
        {
            "text": "50 milliards de dollars",
            "value": 50_000_000_000,
            "unit": "USD",
            "qualifier": "exact",
        },
        {
            "text": "50 milliards de dollars",
            "value": 50000000000.0,
            "unit": "USD",
            "qualifier": "exact",
        },
        {"text": "50 milliards", "value": 50_000_000_000, "unit": "USD", "qualifier": "approx"},
    ]
    s = score_quantities(gold, pred)
    assert (s.tp, s.fp, s.fn) == (1, 1, 0)


@pytest.mark.parametrize(
    "pred",
    [
        {"text": "31 drones", "value": 30, "unit": "drone", "qualifier": "exact"},
        {"text": "31 drones", "value": 31, "unit": "missile", "qualifier": "exact"},
        {"text": "31 drones", "value": 31, "unit": "drone", "qualifier": "min"},
        {"text": "au moins 10 drones", "value": 31, "unit": "drone", "qualifier": "exact"},
    ],
)
def test_quantity_needs_value_unit_qualifier_and_text(pred: dict) -> None:
    gold = [{"text": "31 drones", "value": 31, "unit": "drone", "qualifier": "exact"}]
    assert score_quantities(gold, [pred]).tp == 0


def test_quantity_qualifier_defaults_to_exact() -> None:
    gold = [{"text": "31 drones", "value": 31, "unit": "drone", "qualifier": "exact"}]
    assert (
        score_quantities(gold, [{"text": "31 drones", "value": Decimal("31"), "unit": "drone"}]).tp
        == 1
    )


# ---------------------------------------------------------------------------
# Whole reports


def test_overall_is_micro_averaged_and_missing_documents_count() -> None:
    gold = {
        "a.txt": _doc(doc="a.txt", events=[_event(evidence="x1"), _event(evidence="x2")]),
        "b.txt": _doc(doc="b.txt", events=[_event(evidence="y1")]),
        "c.txt": _doc(doc="c.txt", events=[_event(evidence="z1")]),
    }
    pred = {
        "a.txt": _doc(doc="a.txt", events=[_event(evidence="x1 x2"), _event(evidence="x2")]),
        "b.txt": _doc(doc="b.txt", events=[_event(evidence="nothing")]),
        "extra.txt": _doc(doc="extra.txt", events=[_event(evidence="q")]),
    }
    report = score(gold, pred)
    assert report.missing == ["c.txt"]
    assert report.unscored == ["extra.txt"]
    assert report.documents["a.txt"].events.f1 == 1.0
    assert report.documents["b.txt"].events.f1 == 0.0
    assert not report.documents["c.txt"].predicted
    overall = report.overall.events
    assert (overall.tp, overall.fp, overall.fn) == (2, 1, 2)
    assert overall.precision == pytest.approx(2 / 3)
    assert overall.recall == pytest.approx(0.5)
    assert overall.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))


def test_document_details_list_missed_and_false_positives() -> None:
    gold = [_event(evidence="ont frappé Odessa", location="Odessa"), _event(evidence="Lviv")]
    pred = [_event(evidence="Ils ont frappé Odessa."), _event(type=["AID"], evidence="Aide.")]
    qty = [{"text": "3 morts", "value": 3, "unit": "mort", "qualifier": "exact"}] * 2
    result = score_document(_doc(events=gold), _doc(events=pred, quantities=qty))
    details = result.details
    assert [m["evidence"] for m in details["events"]["missed"]] == ["Lviv"]
    assert [(f["type"], f["evidence"]) for f in details["events"]["false_positives"]] == [
        (["AID"], "Aide.")
    ]
    assert [f["text"] for f in details["quantities"]["false_positives"]] == ["3 morts"]
    assert result.to_dict(details=True)["details"]["events"]["missed"][0]["location"] is None


def test_report_json_has_stable_keys(gold: dict) -> None:
    data = score(gold, {}).to_dict()
    overall = data["overall"]
    assert set(overall) == {
        "body",
        "published",
        "entities",
        "events",
        "aid",
        "claims",
        "quantities",
    }
    assert overall["events"]["f1"] == 0.0
    assert set(overall["claims"]["attributes"]) == {"speaker", "verification"}
    assert set(overall["events"]["attributes"]) == {
        "mode",
        "modality",
        "target",
        "location",
        "date",
        "claimed_by",
        "verification",
    }
    assert {"score", "passed", "total"} <= set(overall["body"])
    assert {"correct", "total", "accuracy"} <= set(overall["published"])
    assert "recall" in overall["entities"]
    assert "f1" in overall["quantities"]
    assert set(data["documents"]) == set(gold)
    json.dumps(data)  # serialisable as is


def test_gold_scored_against_itself_is_perfect(gold: dict) -> None:
    """The seeds' gold as a prediction: every list part and attribute scores 1.0."""
    overall = score(gold, gold).overall
    for part in ("events", "aid", "claims", "quantities"):
        s = getattr(overall, part)
        assert (s.precision, s.recall) == (1.0, 1.0), part
        assert all(t.share in (1.0, None) for t in s.attributes.values()), part
    assert overall.entities.share == 1.0
    assert overall.published.share == 1.0


def test_seed_body_checks_against_raw_text(gold: dict, seed_texts: dict[str, str]) -> None:
    """Raw seed text keeps every must_keep snippet: the normalisation finds them."""
    for g in gold.values():
        text = seed_texts[g["doc"]]
        tally = score_body({"must_keep": g["body"]["must_keep"]}, {"clean_text": text})
        assert tally.correct == tally.total, g["doc"]


# ---------------------------------------------------------------------------
# Loading and entry points


def test_load_gold_errors_name_the_file(tmp_path) -> None:
    with pytest.raises(EvalError) as missing:
        load_gold(tmp_path / "nope")
    assert missing.value.code == "V501"
    with pytest.raises(EvalError, match="no gold files"):
        load_gold(tmp_path)
    bad = tmp_path / "x.txt.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(EvalError) as broken:
        load_gold(tmp_path)
    assert str(bad) in str(broken.value)


def _write(directory, docs: dict[str, dict]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in docs.items():
        (directory / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")


def test_evaluate_dirs(tmp_path) -> None:
    g = {"a.txt": _doc(doc="a.txt", published=None, events=[_event(evidence="frappé")])}
    p = {"a.txt": _doc(doc="a.txt", published=None, events=[_event(evidence="A frappé.")])}
    _write(tmp_path / "gold", g)
    _write(tmp_path / "pred", p)
    report = evaluate_dirs(tmp_path / "gold", tmp_path / "pred")
    assert report.overall.events.f1 == 1.0
    assert report.overall.published.share == 1.0


class _FakeStore:
    def __init__(self, analyses: list[Analysis]) -> None:
        self.analyses = analyses

    def iter_analyses(self, article_ids=None):
        return iter(self.analyses)


def _analysis(source: str, text: str, ingested: datetime, published: FuzzyDate) -> Analysis:
    article = Article(
        id=f"id-{text[:8]}",
        source=source,
        text=text,
        language="fr",
        published=published,
        ingested_at=ingested,
    )
    return Analysis(article=article)


def test_evaluate_store_uses_latest_version_per_doc(tmp_path) -> None:
    _write(
        tmp_path / "gold",
        {
            "a.txt": {
                "doc": "a.txt",
                "published": {"date": "2023-10", "precision": "month"},
                "body": {"must_keep": ["nouvelle version"]},
            }
        },
    )
    old = _analysis("/data/in/a.txt", "ancienne", datetime(2024, 1, 1), FuzzyDate.unknown())
    new = _analysis(
        "corpus/a.txt",
        "nouvelle version",
        datetime(2024, 2, 1),
        FuzzyDate(datetime(2023, 10, 1).date(), Precision.MONTH),
    )
    report = evaluate_store(tmp_path / "gold", _FakeStore([new, old]))
    doc = report.documents["a.txt"]
    assert doc.body.share == 1.0
    assert doc.published.share == 1.0


def test_eval_command_json(tmp_path) -> None:
    from veille.cli.eval_cmds import register

    g = {"a.txt": _doc(doc="a.txt", claims=[_claim(speaker="X", evidence="dit")])}
    p = {"a.txt": _doc(doc="a.txt", claims=[_claim(speaker="x", evidence="X dit.")])}
    _write(tmp_path / "gold", g)
    _write(tmp_path / "pred", p)
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    runner = CliRunner()
    result = runner.invoke(
        app, ["eval", str(tmp_path / "gold"), "--pred", str(tmp_path / "pred"), "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["overall"]["claims"]["f1"] == 1.0
    assert data["overall"]["claims"]["attributes"]["speaker"] == 1.0

    table = runner.invoke(
        app, ["eval", str(tmp_path / "gold"), "--pred", str(tmp_path / "pred"), "--details"]
    )
    assert table.exit_code == 0, table.output
    assert "Claims" in table.output

    missing = runner.invoke(app, ["eval", str(tmp_path / "nope"), "--pred", str(tmp_path)])
    assert missing.exit_code == 1


def test_misses_name_the_sentence_and_what_was_predicted_there(tmp_path) -> None:
    from veille.cli.eval_cmds import register

    text = "Titre du jour\nDes drones ont frappé Lviv mardi. Kiev a riposté le soir même."
    gold = _doc(
        doc="a.txt",
        events=[_event(actor="RUS", target="UKR", evidence="ont frappé Lviv")],
    )
    pred = _doc(
        doc="a.txt",
        body={"clean_text": text},
        events=[_event(actor="UKR", evidence="Des drones ont frappé Lviv mardi.")],
    )
    doc = score_document(gold, pred)
    missed = doc.details["events"]["missed"]
    assert missed[0]["sentence"] == "Des drones ont frappé Lviv mardi."
    assert [n["actor"] for n in missed[0]["near"]] == ["UKR"]

    _write(tmp_path / "gold", {"a.txt": gold})
    _write(tmp_path / "pred", {"a.txt": pred})
    app = typer.Typer()
    register(app)

    @app.command("noop")
    def _noop() -> None:  # a second command keeps typer in multi-command mode
        pass

    result = CliRunner().invoke(
        app, ["eval", str(tmp_path / "gold"), "--pred", str(tmp_path / "pred"), "--misses"]
    )
    assert result.exit_code == 0, result.output
    assert "Events: 1 missed, 1 false positives" in result.output
    assert "sentence: Des drones ont frappé Lviv mardi." in result.output
    assert "predicted here: type=['ASSAULT'], actor=UKR" in result.output


def test_details_list_matched_items_with_wrong_attributes() -> None:
    gold = _doc(events=[_event(mode="drone", target="RUS", evidence="ont frappé un dépôt")])
    pred = _doc(events=[_event(mode="aerial", target="RUS", evidence="Ils ont frappé un dépôt.")])
    doc = score_document(gold, pred)
    (item,) = doc.details["events"]["wrong_attributes"]
    assert item["wrong"] == {"mode": ("drone", "aerial")}
    assert item["evidence"] == "Ils ont frappé un dépôt."
