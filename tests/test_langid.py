"""Language identification: py3langid per article, default for fragments, flags."""

from __future__ import annotations

import pickle

import pytest

from veille.langid import FLAG_DEFAULTED, FLAG_UNSUPPORTED, LanguageDetector
from veille.model import Analysis, Article
from veille.pipeline import LanguageStage


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector(default_language="fr", min_chars=40)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("La Russie a abattu 31 drones ukrainiens au-dessus de la Crimée, selon Moscou.", "fr"),
        ("Russia said on Wednesday that its air defences shot down 31 Ukrainian drones.", "en"),
        (
            "Russland hat nach eigenen Angaben in der Nacht 31 ukrainische Drohnen abgeschossen.",
            "de",
        ),
        ("Росія заявила, що її ППО збила 31 український безпілотник над Кримом.", "uk"),
        ("Rosja poinformowała, że jej obrona powietrzna zestrzeliła 31 ukraińskich dronów.", "pl"),
    ],
)
def test_languages_are_identified(detector, text, code):
    guess = detector.detect(text)
    assert guess.code == code
    assert guess.probability > 0.5 and not guess.defaulted


def test_fragments_take_the_default_language(detector):
    guess = detector.detect("Joe Biden")
    assert (guess.code, guess.defaulted) == ("fr", True)


def _analysis(text: str, language: str | None = None) -> Analysis:
    return Analysis(article=Article(id=text[:8], source="<t>", text=text, language=language))


def test_stage_sets_language_and_flags_unsupported(seed_texts):
    stage = LanguageStage()
    stage.setup()
    french = _analysis(next(iter(seed_texts.values())))
    english = _analysis("Russia said on Wednesday that its air defences shot down 31 drones.")
    short = _analysis("Kiev")
    given = _analysis("Ein kurzer Text.", language="fr")  # the source said so: kept
    stage.process([french, english, short, given])
    assert (french.article.language, french.article.flags) == ("fr", ())
    assert english.article.language == "en"
    assert english.article.flags == (FLAG_UNSUPPORTED,)
    assert (short.article.language, short.article.flags) == ("fr", (FLAG_DEFAULTED,))
    assert given.article.language == "fr"


def test_stage_pickles_without_its_model():
    stage = LanguageStage("en", 10)
    stage.setup()
    clone = pickle.loads(pickle.dumps(stage))
    assert clone._detector is None and clone.default_language == "en"
    assert clone.process([_analysis("The air defences shot down drones overnight.")])


def test_feature_counts_are_py3langid_own(detector):
    """The numpy walk counts the same features, in the same order, as py3langid's byte
    walk, and the guesses and probabilities are the same, on texts in several scripts,
    texts shorter than the automaton's depth, and arbitrary bytes."""
    import random

    from py3langid.langid import MODEL_FILE, LanguageIdentifier, visit_counts

    from veille.langid import trie_depth

    plain = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier = detector._identifier
    count = identifier._count
    assert count.depth == trie_depth(plain)  # the shipped model's
    rnd = random.Random(7)
    texts = [
        "Les forces ukrainiennes ont repoussé une attaque près de Koupiansk, selon l'état-major.",
        "KIEV, 3 mars (AFP) — « Nous tiendrons », a déclaré le président.\n\nDeux civils tués.",
        "Москва заявила о перехвате беспилотников над Белгородской областью.",
        "Los drones alcanzaron un depósito de combustible cerca de la frontera.",
        "a", "ab", "été", "", "   ", "12 345,6 €",
    ]  # fmt: skip
    texts += [
        "".join(chr(rnd.randrange(32, 0x3000)) for _ in range(rnd.randrange(80))) for _ in range(60)
    ]
    texts += [
        bytes(rnd.randrange(256) for _ in range(rnd.randrange(40))).decode("latin-1")
        for _ in range(60)
    ]
    for text in texts:
        data = plain._encode(text)
        expected = visit_counts(plain.tk_nextmove, plain._rowbase, plain.tk_output, data)
        got = count(data)
        if expected is None:
            assert got is None, text
        else:
            assert got[0].tolist() == list(expected.keys()), text
            assert got[1].tolist() == list(expected.values()), text
        assert identifier.classify(text) == plain.classify(text), text


def test_letter_count_decides_the_default(detector):
    """Exactly ``min_chars`` letters are enough; one fewer is a fragment."""
    enough = "ab cd " * 10  # 40 letters, 20 spaces
    assert not detector.detect(enough[:-1] + "!!").defaulted  # ... still 40 letters
    assert detector.detect("a1 " * 39).defaulted  # 39 letters
