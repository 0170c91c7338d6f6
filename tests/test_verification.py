"""Verification of claims from the article's own words (verification.yaml).

Each row: a short passage (written for these tests) and the verification expected for
each claim in text order. ``None`` means the article says nothing about it.
"""

from __future__ import annotations

import pytest

from veille.extract.claims import extract_claims
from veille.model import Verification

U, D, C = Verification.UNVERIFIED, Verification.DENIED, Verification.CONFIRMED

VERIFICATION_CASES = [
    (
        "Le ministère russe de la Défense a affirmé avoir abattu douze drones. Il n'a fourni "
        "aucune preuve de ces affirmations.",
        [U],
    ),
    (
        "L'armée russe a déclaré que ses troupes avaient pris le village. Kiev a démenti.",
        [D],
    ),
    (
        "Les autorités ukrainiennes affirment avoir frappé un navire russe, une information "
        "impossible à vérifier de source indépendante.",
        [U],
    ),
    (
        "Les médias russes rapportent que des saboteurs ont été arrêtés. Ces affirmations "
        "n'ont pas pu être vérifiées de manière indépendante.",
        [U],
    ),
    (
        "Le ministère ukrainien de la Défense a indiqué que quarante obus avaient été tirés "
        "sur la ville.",
        [None],
    ),
    (
        "Le ministère russe a déclaré avoir détruit un char. Les autorités ukrainiennes ont "
        "affirmé avoir abattu dix drones. Les affirmations russes n'ont pas pu être vérifiées.",
        [U, None],
    ),
    (
        "L'armée ukrainienne a affirmé avoir repris une colline, ce que Moscou dément.",
        [D],
    ),
    (
        "Un responsable américain a confirmé que les missiles avaient été livrés.",
        [None],
    ),
    (
        "L'armée russe a affirmé avoir pris le village, ce qu'a confirmé l'état-major ukrainien.",
        [C],
    ),
    (
        "Les autorités russes affirment avoir déjoué un attentat, sans fournir de preuve.",
        [U],
    ),
    (
        "Selon l'armée ukrainienne, le pont a été détruit, ce qui a été confirmé par des "
        "images satellites.",
        [C],
    ),
    (
        "Le gouverneur russe de la région a indiqué que deux personnes avaient été blessées. "
        "L'AFP n'a pas pu vérifier ces informations.",
        [U],
    ),
    (
        "Le ministère russe de la Défense a affirmé que ses troupes avaient avancé. Dans un "
        "autre secteur, des combats ont eu lieu.\n\nLes autorités ukrainiennes ont indiqué "
        "que la ligne de front tenait. Aucune preuve n'a été fournie.",
        [None, U],
    ),
    # a source that confirms earlier reports corroborates the fact
    (
        "Un diplomate allemand a indiqué que les chars arriveraient en mai, confirmant des "
        "informations de la presse polonaise.",
        [C],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"), VERIFICATION_CASES, ids=[c[0][:40] for c in VERIFICATION_CASES]
)
def test_verification(analyze, fr_pack, kb, text: str, expected: list) -> None:
    analysis = analyze(text, extract=False)
    claims = extract_claims(analysis, fr_pack, kb)
    assert [c.verification for c in claims] == expected, [
        (c.cue, c.speaker, c.verification) for c in claims
    ]
    for claim in claims:
        if claim.verification is not None:
            evidence = claim.verification_evidence
            assert evidence is not None
            assert text[evidence.start : evidence.end] == evidence.text
