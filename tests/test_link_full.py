"""The full link path (first run, ``veille relink``, a changed link setting) computes, one
block at a time from the stored link tables, exactly what linking every record in memory
gives, and never holds every record."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise
from types import SimpleNamespace

import pytest

from test_link_blocks import TABLES, dump, make_articles, rebuilt
from veille.link import link_analyses, relink, update_links
from veille.settings import Settings
from veille.store import open_store

NOT_STORIES = tuple(t for t in TABLES if not t.startswith("stor"))


def in_memory(analyses, settings) -> dict:
    """The tables written from ``link_analyses`` over every analysis at once."""
    from veille.link import LinkConfig

    store = open_store(":memory:")
    store.save_batch(analyses)
    result = link_analyses(analyses, LinkConfig.from_settings(settings))
    store.save_duplicate_groups(result.duplicate_groups)
    store.save_incidents(result.incidents)
    store.save_merged_aid(result.merged_aid)
    tables = dump(store)
    store.close()
    return {t: tables[t] for t in NOT_STORIES}


@pytest.mark.parametrize("seed", [1, 2])
def test_full_path_equals_linking_every_record_in_memory(seed):
    analyses = make_articles(seed)
    settings = SimpleNamespace(incident_window_days=2)  # read by LinkConfig only
    expected = in_memory(analyses, settings)
    assert all(expected[t] for t in NOT_STORIES)
    store = open_store(":memory:")
    store.save_batch(analyses)
    update_links(store, settings)  # first run: the full path
    tables = dump(store)
    assert {t: tables[t] for t in NOT_STORIES} == expected
    relink(store, settings)
    assert dump(store) == tables
    store.close()


def test_full_path_never_loads_every_record(monkeypatch):
    from veille.link import state

    def refuse(*args):
        raise AssertionError("every record loaded at once")

    monkeypatch.setattr(state, "load_records", refuse)
    monkeypatch.setattr("veille.link.link_records", refuse)
    analyses = make_articles(3, n=30)
    store = open_store(":memory:")
    store.save_batch(analyses[:20])
    update_links(store, Settings())
    relink(store, Settings())
    store.save_batch(analyses[20:])
    update_links(store, replace(Settings(), near_duplicate_threshold=0.5))
    store.close()


def test_changed_setting_blocks_kept_records_anew():
    """Records kept across a settings change get blocking rows made under the new
    settings, so the next (incremental) run still finds every link."""
    analyses = make_articles(2)
    before, after = Settings(), SimpleNamespace(incident_window_days=3)
    store = open_store(":memory:")
    cuts = (0, 30, 45, len(analyses))
    for (lo, hi), settings in zip(pairwise(cuts), (before, after, after), strict=True):
        store.save_batch(analyses[lo:hi])
        update_links(store, settings)
    assert dump(store) == rebuilt(analyses, after)
    store.close()


def test_a_full_path_stopped_midway_is_taken_again(monkeypatch):
    from veille.link import full

    analyses = make_articles(1)
    store = open_store(":memory:")
    store.save_batch(analyses[:40])
    original = full.rebuild

    def stop(store, conn, config):
        original(store, conn, config)
        raise RuntimeError("killed")

    monkeypatch.setattr(full, "rebuild", stop)
    with pytest.raises(RuntimeError):
        update_links(store, Settings())
    monkeypatch.setattr(full, "rebuild", original)
    store.save_batch(analyses[40:])
    update_links(store, Settings())
    assert dump(store) == rebuilt(analyses, Settings())
    store.close()
