"""update_links on a real store: incremental runs equal a from-scratch run, ids included."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from veille.link import LinkConfig, link_analyses, update_links
from veille.model import (
    Actor,
    AidCommitment,
    AidStatus,
    Analysis,
    Article,
    EntityMention,
    EntityType,
    Event,
    FuzzyDate,
    Place,
    Precision,
    Span,
    stable_id,
)
from veille.settings import Settings
from veille.store import open_store

PLACES = [Place("Samara", "RUS", "geo:samara"), Place("Stavropol", "RUS", "geo:stavropol"), None]


def make_analysis(text: str, name: str, outlet: str, day: int, rng: random.Random) -> Analysis:
    article = Article(
        id=stable_id("incr", outlet, name, text),
        source=f"{outlet}/{name}.txt",
        text=text,
        title=text.split("\n")[0][:80],
        url=f"https://{outlet}.example/{name}",
        outlet=outlet,
        language="fr",
        published=FuzzyDate(date(2024, 5, day), Precision.DAY),
        content_hash=stable_id("text", text),
        raw_hash=stable_id("raw", outlet, text),
    )
    first = text.split(".")[0]
    sentence = Span(0, len(first), first)
    place = rng.choice(PLACES)
    event = Event(
        id=stable_id("event", article.id, 0),
        article_id=article.id,
        type="ASSAULT",
        sentence=sentence,
        trigger=Span(0, 3, text[:3]),
        actor=Actor("Kiev", "Ukraine", "UKR"),
        target=Actor("Moscou", "Russie", "RUS"),
        location=place,
        location_country="RUS",
        date=FuzzyDate(date(2024, 5, day), Precision.DAY),
        claimed_by=rng.choice([None, "RUS"]),
    )
    aid = AidCommitment(
        id=stable_id("aid", article.id, 0),
        article_id=article.id,
        evidence=(sentence,),
        donor="USA",
        recipient="UKR",
        kind="military",
        value=Decimal(50_000_000_000),
        currency="USD",
        usd_value=Decimal(50_000_000_000),
        status=rng.choice([AidStatus.NEGOTIATING, AidStatus.APPROVED]),
    )
    words = [w for w in text.split() if w[:1].isupper() and len(w) > 4][:6]
    entities = [
        EntityMention(0, len(w), w, EntityType.LOC, w, kb_id=f"kb:{w.lower()}") for w in words
    ]
    return Analysis(article=article, entities=entities, events=[event], aid=[aid])


@pytest.fixture(scope="module")
def analyses(seed_texts) -> list[Analysis]:
    rng = random.Random(5)
    out = []
    for i, (name, text) in enumerate(sorted(seed_texts.items())):
        out.append(make_analysis(text, name, "afp", 10 + i, rng))
        out.append(make_analysis(text, name, f"copy{i}", 10 + i, rng))  # exact copy
        paras = [p for p in text.split("\n") if p.strip()]
        out.append(make_analysis("\n".join(paras[:-1]), name, f"trim{i}", 11 + i, rng))
    return out


def snapshot(store) -> dict:
    big = 10_000
    return {
        "groups": sorted(store.list_duplicate_groups(big), key=lambda g: g.id),
        "incidents": sorted(store.list_incidents(big), key=lambda i: i.id),
        "aid": sorted(store.list_merged_aid(big), key=lambda m: m.id),
        "stories": sorted(store.list_stories(big), key=lambda s: s.id),
    }


def run(batches: list[list[Analysis]]) -> tuple[dict, list[dict]]:
    store = open_store(":memory:")
    settings = Settings()
    summaries = []
    for batch in batches:
        store.save_batch(batch)
        summaries.append(update_links(store, settings))
    result = snapshot(store)
    store.close()
    return result, summaries


def test_adding_a_then_b_equals_adding_both_at_once(analyses):
    half = len(analyses) // 2
    once, _ = run([analyses])
    twice, summaries = run([analyses[:half], analyses[half:]])
    assert once == twice
    assert summaries[0]["linked_new"] == half
    assert summaries[1]["linked_new"] == len(analyses) - half
    # the test is only meaningful if every kind of result exists
    assert all(once[k] for k in once)


def test_relink_rebuilds_the_same_tables_as_the_runs(analyses):
    from veille.link import relink

    store = open_store(":memory:")
    third = len(analyses) // 3
    for batch in (analyses[:third], analyses[third : 2 * third], analyses[2 * third :]):
        store.save_batch(batch)
        update_links(store, Settings())
    tables = ("duplicate_groups", "incidents", "incident_events", "merged_aid", "stories")
    conn = store.connection()

    def dump() -> dict:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    incremental = dump()
    counts = relink(store, Settings())
    assert counts["linked_new"] == len(analyses)  # every article read again
    assert dump() == incremental and all(incremental.values())
    store.close()


def test_store_results_equal_the_in_memory_computation(analyses):
    stored, _ = run([analyses[::2], analyses[1::2]])
    config = LinkConfig.from_settings(Settings())
    direct = link_analyses(analyses, config)
    assert [g.id for g in stored["groups"]] == sorted(g.id for g in direct.duplicate_groups)
    assert [i.id for i in stored["incidents"]] == sorted(i.id for i in direct.incidents)
    assert [s.id for s in stored["stories"]] == sorted(s.id for s in direct.stories)


def test_each_run_reads_only_new_articles(analyses):
    store = open_store(":memory:")
    store.save_batch(analyses[:4])
    update_links(store, Settings())
    read: list[str] = []
    original = store.iter_analyses

    def spy(article_ids=None):
        ids = list(article_ids) if article_ids is not None else None
        read.extend(ids or ["<all>"])
        return original(ids)

    store.iter_analyses = spy
    store.save_batch(analyses[4:6])
    summary = update_links(store, Settings())
    assert sorted(read) == sorted(a.article.id for a in analyses[4:6])
    assert summary["linked_new"] == 2
    assert update_links(store, Settings())["linked_new"] == 0
    store.close()


def test_copies_are_grouped_and_count_as_one_source(analyses):
    stored, _ = run([analyses])
    assert len(stored["groups"]) == 5  # each seed with its copy and its trimmed version
    assert all(len(g.article_ids) == 3 for g in stored["groups"])
    for incident in stored["incidents"]:
        assert incident.num_sources <= incident.num_articles


def test_changing_the_threshold_setting_changes_the_groups(analyses):
    store = open_store(":memory:")
    store.save_batch(analyses)
    update_links(store, replace(Settings(), near_duplicate_threshold=0.35))
    loose = store.list_duplicate_groups(100)
    lowest = min(g.similarity for g in loose)
    update_links(store, replace(Settings(), near_duplicate_threshold=lowest + 0.001))
    strict = store.list_duplicate_groups(100)
    assert len(loose) == 5
    assert sum(len(g.article_ids) for g in strict) < sum(len(g.article_ids) for g in loose)
    store.close()


@pytest.fixture(scope="module")
def linked_db(tmp_path_factory, analyses):
    path = tmp_path_factory.mktemp("link") / "veille.duckdb"
    store = open_store(path)
    store.save_batch(analyses)
    update_links(store, Settings())
    store.close()
    return path


@pytest.fixture(scope="module")
def cli():
    import typer
    from typer.testing import CliRunner

    from veille.cli import link_cmds

    app = typer.Typer()
    link_cmds.register(app)
    runner = CliRunner()

    def invoke(*args: str) -> dict:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return invoke


def test_cli_incidents_json_lists_items_and_total(cli, linked_db):
    out = cli("incidents", "--db", str(linked_db), "--json")
    assert out["total"] == len(out["items"]) > 0
    item = out["items"][0]
    for key in ("id", "type", "num_mentions", "num_articles", "num_sources", "verification"):
        assert key in item
    assert item["num_sources"] <= item["num_articles"] <= item["num_mentions"]
    page = cli("incidents", "--db", str(linked_db), "--json", "--limit", "1")
    assert len(page["items"]) == 1 and page["total"] == out["total"]


def test_cli_incidents_filters(cli, linked_db):
    everything = cli("incidents", "--db", str(linked_db), "--json")["total"]
    assert cli("incidents", "--db", str(linked_db), "--json", "--type", "COERCE")["total"] == 0
    assert (
        cli("incidents", "--db", str(linked_db), "--json", "--country", "rus")["total"]
        == everything
    )
    assert cli("incidents", "--db", str(linked_db), "--json", "--country", "FRA")["total"] == 0
    late = cli("incidents", "--db", str(linked_db), "--json", "--since", "2024-05-13")
    assert 0 < late["total"] < everything
    assert all(i["date"] >= "2024-05-13" for i in late["items"])


def test_cli_duplicates_and_stories(cli, linked_db):
    dups = cli("duplicates", "--db", str(linked_db), "--json")
    assert dups["total"] == 5
    assert all(len(g["outlets"]) == 3 and len(g["urls"]) == 3 for g in dups["items"])
    assert cli("duplicates", "--db", str(linked_db), "--json", "--kind", "exact")["total"] == 0
    assert cli("duplicates", "--db", str(linked_db), "--json", "--outlet", "copy0")["total"] == 1
    stories = cli("stories", "--db", str(linked_db), "--json")
    assert stories["total"] >= 1
    assert all(s["num_articles"] >= 2 and s["label"] for s in stories["items"])
    assert cli("stories", "--db", str(linked_db), "--json", "--since", "2030")["total"] == 0


def test_cli_rejects_a_bad_date(linked_db):
    import typer
    from typer.testing import CliRunner

    from veille.cli import link_cmds

    app = typer.Typer()
    link_cmds.register(app)
    result = CliRunner().invoke(app, ["incidents", "--db", str(linked_db), "--since", "mai"])
    assert result.exit_code != 0


def test_end_to_end_two_runs_through_the_real_pipeline(tmp_path, seeds_dir, kb, nlp):
    """Seeds, then a reworded copy of one: the copy joins a group, its events an incident."""
    from veille.pipeline import AnalyzeStage, LanguageStage
    from veille.pipeline import run as run_pipeline

    settings = replace(Settings(), db_path=tmp_path / "v.duckdb", near_duplicate_threshold=0.35)

    def stages():
        return [LanguageStage(), AnalyzeStage(kb=kb, nlps={"fr": nlp})]

    first = run_pipeline([seeds_dir], settings, stages=stages())
    assert first.links["linked_new"] == first.stored >= 5
    assert first.links["duplicate_groups"] == 0
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    copy = tmp_path / "copy" / "reworded.txt"
    copy.parent.mkdir()
    paras = [p for p in seed.read_text(encoding="utf-8").split("\n") if p.strip()]
    paras[1], paras[2] = paras[2], paras[1]
    copy.write_text("\n\n".join(paras[:-1]), encoding="utf-8")
    second = run_pipeline([copy.parent], settings, stages=stages())
    assert second.links["linked_new"] == 1
    assert second.links["duplicate_groups"] == 1

    store = open_store(settings.db_path, read_only=True)
    try:
        (group,) = store.list_duplicate_groups()
        assert group.kind == "near"
        incidents = store.list_incidents(1000)
        copy_events = {
            e.id
            for a in store.iter_analyses()
            if a.article.source.endswith("reworded.txt")
            for e in a.events
        }
        if copy_events:  # the extractor found events in the copy: they merge with the seed's
            shared = [i for i in incidents if set(i.event_ids) & copy_events]
            both = [i for i in shared if i.num_articles == 2]
            assert both
            # the copy is in one duplicate group with its seed: one source, not two
            assert all(i.num_sources == 1 for i in both)
        places = [i.location.name for i in incidents if i.location]
        assert not any("Samara" in p and "Stavropol" in p for p in places)
    finally:
        store.close()
