"""Transfer verbs are listed once, in aid.yaml: events and entity linking read them there.

Sentences are written for these tests.
"""

from __future__ import annotations

import shutil

import pytest

from veille.errors import DataFileError
from veille.extract.aid_lexicon import give_lemmas, load_aid_lexicon
from veille.extract.event_lexicon import load_event_lexicon


@pytest.fixture
def data_copy(tmp_path, fr_pack):
    target = tmp_path / "data"
    shutil.copytree(fr_pack.data_dir, target)
    return target


def _set_trigger(data_dir, lemma: str, spec: str) -> None:
    path = data_dir / "aid.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"  {lemma}: "))
    lines[at] = f"  {lemma}: {spec}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_event_triggers_follow_aid_yaml(data_copy, fr_pack):
    assert "vendre" not in load_event_lexicon(fr_pack.data_dir).verbs
    _set_trigger(data_copy, "vendre", "{role: give, event: AID, past: delivered}")
    rule = load_event_lexicon(data_copy).verbs["vendre"]
    assert (rule.type, rule.object_class) == ("AID", "aid")


def test_give_lemmas_are_the_unqualified_give_triggers(fr_pack):
    lemmas = give_lemmas(fr_pack.data_dir)
    assert {"livrer", "expédier", "aide", "livraison"} <= lemmas
    assert not {"acheter", "recevoir", "accord", "programme"} & lemmas  # receive, qualified


def test_unknown_event_type_names_the_file(data_copy):
    _set_trigger(data_copy, "livrer", "{role: give, event: LIVRAISON}")
    with pytest.raises(DataFileError) as err:
        load_aid_lexicon(data_copy)
    assert "aid.yaml" in str(err.value) and "verb_triggers.livrer" in str(err.value)


def test_a_city_receiving_through_any_give_verb_is_no_place(analyze):
    analysis = analyze("L'Espagne a expédié des munitions à Kiev.")
    (event,) = analysis.events
    assert (event.type, event.target.country) == ("AID", "UKR")
    assert event.location is None  # Kiev receives; it is not where the shipment happened
