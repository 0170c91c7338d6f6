"""Dependency-parse helpers shared by the event extractor: case markers, obliques,
conjuncts, bracketed lists, clause units. They know relations, never French words."""

from __future__ import annotations

from typing import Any

from veille.extract.event_lexicon import contract, norm_case

CORE_DEPS = ("nsubj", "nsubj:pass", "obj", "ROOT")
SUBJ_DEPS = ("nsubj",)
SUBJ_PASS_DEPS = ("nsubj:pass",)


def case_of(token: Any, contractions: dict[str, str] | None = None) -> str:
    """The token's case marker, multiword included ("à l'encontre de"), normalised."""
    parts: list[str] = []
    for child in token.children:
        if child.dep_ in ("case", "mark") and child.i < token.i:
            parts.append(child.text)
            parts.extend(f.text for f in child.children if f.dep_ == "fixed")
    case = norm_case(" ".join(parts))
    return contract(case, contractions) if contractions else case


def obliques(token: Any, contractions: dict[str, str]) -> list[tuple[Any, str]]:
    """(phrase head, case marker) of the token's prepositional complements.

    Also reads "auprès des États-Unis" parsed as an adverb "auprès" governing its
    complement: the adverb joins the case marker ("auprès de").
    """
    out = []
    for child in token.children:
        if child.dep_ == "obl:agent":
            continue
        if child.dep_.startswith("obl") or child.dep_ in ("nmod", "iobj"):
            out.append((child, case_of(child, contractions)))
        elif child.dep_ in ("advmod", "amod") and child.pos_ == "ADV":
            for grand in child.children:
                # "au-dessus | de la mer": the parser may leave the noun as a bare "dep"
                if grand.dep_.startswith("obl") or grand.dep_ in ("nmod", "dep"):
                    case = norm_case(f"{child.text} {case_of(grand, contractions)}")
                    out.append((grand, case))
    return out


def slot_matches(case: str, slot: str) -> bool:
    return case == slot or (" " not in slot and case.split(" ")[:1] == [slot])


def children_with(token: Any, *deps: str) -> list[Any]:
    return [c for c in token.children if c.dep_ in deps]


def is_participle(verb: Any, tense: str) -> bool:
    return "Part" in verb.morph.get("VerbForm") and tense in verb.morph.get("Tense")


def is_passive(verb: Any) -> bool:
    # a pronominal verb ("se sont retirées") is active whatever the parser says
    if any(c.dep_.startswith("expl") and c.lemma_.lower() in ("se", "soi") for c in verb.children):
        return False
    if any(c.dep_ in ("aux:pass", "nsubj:pass") for c in verb.children):
        return True
    # a past participle modifying a noun: "des drones lancés par ..."
    return verb.dep_ == "acl" and is_participle(verb, "Past")


def is_finite(verb: Any) -> bool:
    """A finite verb, or a participle with a finite auxiliary ("ont touché")."""
    if "Fin" in verb.morph.get("VerbForm"):
        return True
    return any(c.dep_.startswith("aux") and "Fin" in c.morph.get("VerbForm") for c in verb.children)


def with_conjuncts(token: Any) -> list[Any]:
    out = [token]
    for child in token.children:
        if child.dep_ == "conj":
            out.extend(with_conjuncts(child))
    return out


def bracketed(head: Any) -> set[int]:
    """Token indices inside a parenthesis that hangs on the head ("alliés (A, B et C)")."""
    opens = [c.i for c in head.children if c.dep_ == "punct" and c.text == "("]
    if not opens:
        return set()
    doc = head.doc
    start = opens[0]
    for j in range(start + 1, min(len(doc), start + 60)):
        if doc[j].text == ")":
            return set(range(start + 1, j))
    return set()


def is_heading_text(text: str) -> bool:
    """An all-capitals line: a subheading, badly parsed and restating the body."""
    return len(text) > 10 and text.isupper()


def points_back(noun: Any, deps: tuple[str, ...] = ("det",)) -> bool:
    """ "la ville", "cette source": a definite or demonstrative determiner, which refers to
    something named before (not "une", "des"). ``deps`` may add "case" for contractions
    ("du pays")."""
    return any(
        c.dep_ in deps and ("Def" in c.morph.get("Definite") or "Dem" in c.morph.get("PronType"))
        for c in noun.children
    )


def generic_plural(noun: Any) -> bool:
    """ "la gravité des attaques russes": a definite plural names a kind of event, not one
    that happened ("une série de frappes", "une attaque" do)."""
    if "Plur" not in noun.morph.get("Number"):
        return False
    return any(
        c.dep_ in ("det", "case") and "Def" in c.morph.get("Definite") for c in noun.children
    )


def governing_verb(token: Any) -> Any | None:
    tok = token
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") and tok != token:
            return tok
        if tok.head == tok:
            return tok if tok.pos_ in ("VERB", "AUX", "NOUN", "ADJ") else None
        tok = tok.head
    return None


def sentence_units(doc: Any) -> list[tuple[int, int]]:
    """For each token, its sentence's (first, last) token index, from the one sentence
    segmentation every extractor shares (``veille.extract.units.sentences``)."""
    from veille.extract.units import sentences

    units: list[tuple[int, int]] = [(i, i) for i in range(len(doc))]
    for sent in sentences(doc):
        last = sent.end - 1
        units[sent.start : last + 1] = [(sent.start, last)] * (last + 1 - sent.start)
    return units


def headline_end(text: str) -> int:
    """End offset of the first paragraph (the headline)."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    cut = stripped.find("\n")
    return offset + (cut if cut >= 0 else len(stripped))
