"""Modality of a trigger from the parse and the cue words of lang/fr/data/modality.yaml."""

from __future__ import annotations

import pytest

from veille.extract.modality import analyze_clause, load_modality_lexicon, noun_modality
from veille.model import Modality


@pytest.fixture(scope="module")
def lexicon(fr_pack):
    return load_modality_lexicon(fr_pack.data_dir)


def _token(doc, word):
    for tok in doc:
        if tok.text == word:
            return tok
    raise AssertionError(f"{word!r} not in {doc.text!r}")


# sentence, trigger word, expected modality, reportable
CASES = [
    ("L'armée russe a bombardé Kharkiv.", "bombardé", None, True),
    ("L'armée russe n'a pas bombardé Kharkiv.", "bombardé", Modality.NEGATION, True),
    ("L'armée russe n'a jamais attaqué la ville.", "attaqué", Modality.NEGATION, True),
    ("La Russie pourrait frapper les centrales ukrainiennes.", "frapper",
     Modality.HYPOTHETICAL, True),
    ("L'Ukraine frapperait des cibles en Russie si elle en avait les moyens.", "frapperait",
     Modality.HYPOTHETICAL, True),
    ("Selon Kiev, des drones russes auraient frappé un entrepôt.", "frappé", None, True),
    ("La Suède livrera des avions à l'Ukraine.", "livrera", Modality.FUTURE, True),
    ("Le ministre s'apprête à autoriser l'envoi de chars.", "autoriser", Modality.FUTURE, True),
    ("Berlin envisage de livrer des missiles Taurus.", "livrer", Modality.FUTURE, True),
    ("Washington prévoit de fournir de nouveaux obus.", "fournir", Modality.FUTURE, True),
    ("L'Ukraine va lancer une contre-offensive.", "lancer", Modality.FUTURE, True),
    ("Les autorités ont confirmé leur intention d'acquérir des avions.", "acquérir",
     Modality.FUTURE, True),
    ("La Russie a initialement envahi le pays par le nord.", "envahi", Modality.HISTORICAL, True),
    ("Moscou nie avoir bombardé l'hôpital.", "bombardé", Modality.NEGATION, True),
    ("Les forces russes affirment avoir repoussé l'attaque.", "repoussé", None, True),
    ("La force a tenté de débarquer sur la côte.", "débarquer", None, True),
    # a participle with a finite auxiliary is no infinitive, whatever the tagger says
    ("Kiev a déclaré que des drones ukrainiens avaient contrecarré une attaque russe.",
     "contrecarré", None, True),
    # "Auparavant" tagged AUX at the head of a paragraph still marks the background
    ("Auparavant, la Norvège avait livré des obus.", "livré", Modality.HISTORICAL, True),
    ("Ces armes sont conçues pour frapper loin.", "frapper", None, False),
    ("La nécessité de frapper les dépôts fait débat.", "frapper", None, False),
    ("Les missiles que la Russie a tirés venaient d'Iran.", "tirés", None, False),
    ("Ils estiment qu'autoriser l'Ukraine à frapper serait une erreur.", "autoriser", None,
     False),
]  # fmt: skip


@pytest.mark.parametrize(("text", "word", "modality", "reportable"), CASES)
def test_clause_modality(bare_nlp, lexicon, text, word, modality, reportable):
    doc = bare_nlp(text)
    info = analyze_clause(_token(doc, word), lexicon)
    assert info.reportable is reportable
    if reportable:
        assert info.modality is modality


def test_subject_is_inherited_through_control(bare_nlp, lexicon):
    doc = bare_nlp("Les autorités ukrainiennes affirment avoir ciblé des raffineries.")
    info = analyze_clause(_token(doc, "ciblé"), lexicon)
    assert info.subject.text == "autorités"
    assert info.claimant.text == "autorités"


def test_object_control(bare_nlp, lexicon):
    doc = bare_nlp("La crise a incité le président à appeler ses alliés.")
    info = analyze_clause(_token(doc, "appeler"), lexicon)
    assert info.subject.text == "président"


def test_bounds_stop_the_walk(bare_nlp, lexicon):
    doc = bare_nlp("Cela pourrait changer. L'Ukraine négocie avec les États-Unis.")
    trigger = _token(doc, "négocie")
    sent = trigger.sent
    info = analyze_clause(trigger, lexicon, bounds=(sent.start, sent.end - 1))
    assert info.modality is None


@pytest.mark.parametrize(
    ("text", "noun", "modality"),
    [
        ("L'accord envisagé entre les deux pays inquiète Moscou.", "accord", Modality.FUTURE),
        ("Une éventuelle offensive russe inquiète Kiev.", "offensive", Modality.HYPOTHETICAL),
        ("L'offensive russe a échoué.", "offensive", None),
    ],
)
def test_noun_modality(bare_nlp, lexicon, text, noun, modality):
    doc = bare_nlp(text)
    assert noun_modality(_token(doc, noun), lexicon) is modality


def test_bad_modality_file_raises(tmp_path):
    from veille.errors import DataFileError

    (tmp_path / "modality.yaml").write_text(
        "governors:\n  pouvoir: {modality: maybe}\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError, match=r"modality\.yaml"):
        load_modality_lexicon(tmp_path)
