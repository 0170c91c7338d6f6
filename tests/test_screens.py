"""Regex screens: a rule is skipped only when no match of it is possible."""

from __future__ import annotations

import random
import re

import pytest

from veille.extract.claims_lexicon import load_verification_rules
from veille.extract.screens import Screen, required_strings


def _first(patterns: list[re.Pattern[str]], text: str, indexes) -> int | None:
    return next((n for n in indexes if patterns[n].search(text)), None)


def test_required_strings_of_a_pattern():
    found = required_strings(re.compile(r"\b(?:a|ont|avait) (?:repoussé|détruit) (?:un|des)"))
    assert found is not None
    assert all(any(s in m for s in found) for m in ("a repoussé un", "ont détruit des"))
    assert required_strings(re.compile(r"\d+\s*km")) == ("km",)
    assert required_strings(re.compile(r"(?=x)\w+")) is None  # nothing literal is required
    assert required_strings(re.compile(r"abc|\d")) is None  # one branch needs no literal


def test_screen_skips_rules_whose_words_are_absent():
    patterns = [re.compile(p, re.IGNORECASE) for p in (r"\bsans preuve", r"a (?:nié|démenti)")]
    screen = Screen(patterns)
    assert screen.candidates("Le convoi est arrivé à Kharkiv dans la nuit.") == []
    assert screen.candidates("Moscou a DÉMENTI, sans Preuve.") == [0, 1]


@pytest.mark.parametrize(
    ("pattern", "text"),
    [
        (re.compile(r"sans preuve", re.IGNORECASE), "SANſ PREUVE"),  # long s folds to s
        (re.compile(r"ukraine", re.IGNORECASE), "UKRAİNE"),  # capital dotted I
        (re.compile(r"kiev", re.IGNORECASE), "\u212aIEV"),  # Kelvin sign
        (re.compile(r"tir (?i:confirmé)"), "tir CONFIRMÉ"),  # flags of a group of its own
        (re.compile(r"\d+ (?:morts|blessés)"), "12 blessés"),
    ],
)
def test_screen_keeps_every_rule_that_matches(pattern, text):
    assert pattern.search(text)
    assert Screen([pattern]).candidates(text) == [0]


def test_screen_over_the_verification_rules_finds_the_same_first_rule(fr_pack):
    rules = load_verification_rules(fr_pack.data_dir)
    patterns = [rule.pattern for rule in rules.rules]
    sentences = [
        "Ces affirmations n'ont pas pu être vérifiées de manière indépendante.",
        "Le ministère n'a fourni aucune preuve de ces frappes.",
        "Kiev a catégoriquement démenti, sans apporter la moindre preuve.",
        "Des images géolocalisées par des analystes montrent le pont détruit.",
        "L'armée dit avoir repris le village, ce que Moscou dément.",
        "Selon l'AFP, qui n'a pas pu vérifier ces chiffres, trois civils sont morts.",
        "Le bilan, confirmé par la mairie, s'élève à huit morts.",
        "Washington a rejeté ces accusations mardi.",
        "Les frappes ont visé un dépôt de carburant près de la frontière.",
        "Une information impossible à confirmer de source indépendante.",
    ]
    rnd = random.Random(3)
    variants = []
    for sentence in sentences:
        variants += [sentence, sentence.upper(), sentence.replace("s", "ſ")]
        words = sentence.split()
        variants += [" ".join(rnd.sample(words, len(words))) for _ in range(5)]
    hits = 0
    for text in variants:
        every = _first(patterns, text, range(len(patterns)))
        assert _first(patterns, text, rules.screen.candidates(text)) == every, text
        hits += every is not None
    assert hits >= 20  # the sentences do exercise the rules
    assert rules.screen.candidates(sentences[-2]) == []  # and the screen does skip
