"""Modality of an event trigger from the dependency parse and cue words (data).

``analyze_clause(trigger, lexicon)`` walks from a trigger verb up through the verbs that
govern it ("a déclaré que ses défenses avaient abattu", "s'apprêtait à autoriser",
"affirment avoir ciblé") and says:

- whether the trigger reports an event at all (an infinitive under a verb, noun or
  adjective that is not a known governor, a purpose clause or a relative clause is not);
- its PLOVER auxiliary mode: hypothetical (conditional, "pourrait", "si"), negation
  ("ne ... pas", "aucun", "nier"), future (future tense, "prévoit de", "s'apprête à",
  "intention de"), historical ("initialement", "depuis le début de la guerre");
- whose subject the trigger inherits (control) and who claims it ("affirment avoir ...").

The date-based part of "historical" (an event dated long before publication) is decided
by the events stage, which knows the article's dates.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.extract.units import subject_on_auxiliary
from veille.lang import read_data_file
from veille.model import Modality
from veille.spacy_utils import doc_text

MODALITY_FILE = "modality.yaml"
_RELATIVE = frozenset({"acl:relcl", "relcl"})
_SUBJECTS = ("nsubj", "nsubj:pass")
_OBJECTS = ("obj", "iobj", "obl:arg")
# Order of precedence when several cues apply.
_PRECEDENCE = (Modality.HYPOTHETICAL, Modality.NEGATION, Modality.FUTURE, Modality.HISTORICAL)


@dataclass(frozen=True)
class Governor:
    modality: Modality | None
    control: str = "subject"  # subject | object
    claim: bool = False
    # the modality when the governor itself is in a past tense ("a dû se replier": it
    # happened); None: the same as in any tense
    past: Modality | None = None
    has_past: bool = False

    def modality_at(self, verb: Any) -> Modality | None:
        return self.past if self.has_past and _in_past(verb) else self.modality


@dataclass(frozen=True)
class ModalityLexicon:
    governors: dict[str, Governor]
    noun_governors: dict[str, Modality | None]
    noun_modifiers: dict[str, Modality | None]
    negation_adverbs: frozenset[str]
    negation_needs_ne: frozenset[str]
    negation_particle: frozenset[str]
    negation_determiners: frozenset[str]
    historical_adverbs: frozenset[str]
    historical_phrases: tuple[str, ...]
    hypothetical_marks: frozenset[str]
    purpose_marks: frozenset[str]
    historical_min_days: int
    conditional_endings: tuple[str, ...] = ()
    time_antecedents: frozenset[str] = frozenset()
    pluperfect_adverbs: frozenset[str] = frozenset()


@dataclass
class ClauseInfo:
    """What the walk from a trigger up its governors found."""

    reportable: bool = True
    modality: Modality | None = None
    subject: Any = None  # Token whose phrase is the trigger's (inherited) subject
    claimant: Any = None  # Token: subject of a claim verb governing the trigger
    governors: list[Any] = field(default_factory=list)  # tokens walked through
    blocked_by: Any = None  # Token that made it unreportable (a non-governor head)


def _modality(value: Any, path: Path) -> Modality | None:
    if value is None:
        return None
    try:
        return Modality(str(value))
    except ValueError:
        raise DataFileError(f"unknown modality {value!r}", path=str(path)) from None


@functools.cache
def load_modality_lexicon(data_dir: Path) -> ModalityLexicon:
    """Read ``modality.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / MODALITY_FILE
    data = read_data_file(path, "modality lexicon")
    if not isinstance(data, dict) or not isinstance(data.get("governors"), dict):
        raise DataFileError("needs a 'governors' mapping", path=str(path))
    governors = {}
    for lemma, spec in data["governors"].items():
        if not isinstance(spec, dict):
            raise DataFileError(f"governor {lemma!r} needs a mapping", path=str(path))
        control = str(spec.get("control", "subject"))
        if control not in ("subject", "object"):
            raise DataFileError(
                f"governor {lemma!r}: control must be subject or object", path=str(path)
            )
        governors[str(lemma)] = Governor(
            _modality(spec.get("modality"), path),
            control,
            bool(spec.get("claim", False)),
            _modality(spec.get("past"), path),
            "past" in spec,
        )

    def words(key: str) -> frozenset[str]:
        return frozenset(str(w).lower() for w in data.get(key) or ())

    return ModalityLexicon(
        governors=governors,
        noun_governors={
            str(k): _modality(v, path) for k, v in (data.get("noun_governors") or {}).items()
        },
        noun_modifiers={
            str(k): _modality(v, path) for k, v in (data.get("noun_modifiers") or {}).items()
        },
        negation_adverbs=words("negation_adverbs"),
        negation_needs_ne=words("negation_needs_ne"),
        negation_particle=words("negation_particle"),
        negation_determiners=words("negation_determiners"),
        historical_adverbs=words("historical_adverbs"),
        historical_phrases=tuple(str(p).lower() for p in data.get("historical_phrases") or ()),
        hypothetical_marks=words("hypothetical_marks"),
        purpose_marks=words("purpose_marks"),
        historical_min_days=int(data.get("historical_min_days", 300)),
        conditional_endings=tuple(str(e) for e in data.get("conditional_endings") or ()),
        time_antecedents=words("time_antecedents"),
        pluperfect_adverbs=words("pluperfect_adverbs"),
    )


# ---------------------------------------------------------------------------
# Local cues


def _morph(token: Any, key: str) -> list[str]:
    return token.morph.get(key)


def is_infinitive(verb: Any) -> bool:
    """An infinitive, or a participle with an infinitive auxiliary ("avoir ciblé")."""
    auxiliaries = [c for c in verb.children if c.dep_.startswith("aux")]
    if any("Fin" in _morph(c, "VerbForm") for c in auxiliaries):
        return False  # "avaient contrecarré" that the tagger calls an infinitive
    if "Inf" in _morph(verb, "VerbForm"):
        return True
    return any("Inf" in _morph(c, "VerbForm") for c in auxiliaries)


def _in_past(verb: Any) -> bool:
    """Passé composé ("a dû") or passé simple ("dut"), not the imperfect ("devait")."""
    if "Part" in _morph(verb, "VerbForm"):
        return any(c.dep_ == "aux:tense" for c in verb.children)
    return "Past" in _morph(verb, "Tense") and "Fin" in _morph(verb, "VerbForm")


def is_negated(token: Any, lexicon: ModalityLexicon) -> bool:
    """ "ne ... pas/jamais" on the verb, or "aucun" on its object."""
    for child in token.children:
        lemma = child.lemma_.lower()
        if (
            child.dep_ == "advmod"
            and lemma in lexicon.negation_adverbs
            and (
                lemma not in lexicon.negation_needs_ne
                or "Neg" in child.morph.get("Polarity")
                or any(
                    c.lower_ in lexicon.negation_particle
                    for t in (token, *token.children)
                    for c in t.children
                )
            )
        ):
            return True
        if child.dep_ in _OBJECTS + _SUBJECTS:
            for det in child.children:
                if det.dep_ == "det" and det.lemma_.lower() in lexicon.negation_determiners:
                    return True
    return False


def verb_mood(verb: Any, lexicon: ModalityLexicon) -> Modality | None:
    """Conditional or future from the verb's own morphology and auxiliaries.

    A past conditional ("auraient abattu") is the journalistic conditional of a reported
    fact, not a hypothesis; the present conditional ("frapperait") is a hypothesis.
    """
    auxes = [c for c in verb.children if c.dep_.startswith("aux")]
    if "Cnd" in _morph(verb, "Mood") or _looks_conditional(verb, lexicon):
        return Modality.HYPOTHETICAL
    if any("Fut" in _morph(a, "Tense") for a in auxes) or (
        "Fut" in _morph(verb, "Tense") and "Fin" in _morph(verb, "VerbForm")
    ):
        return Modality.FUTURE
    for child in verb.children:
        if child.dep_ == "mark" and child.lemma_.lower() in lexicon.hypothetical_marks:
            return Modality.HYPOTHETICAL
        # the main clause of "si ...": "l'Ukraine frapperait si elle pouvait"
        if child.dep_ == "advcl" and any(
            m.dep_ == "mark" and m.lemma_.lower() in lexicon.hypothetical_marks
            for m in child.children
        ):
            return Modality.HYPOTHETICAL
    return None


def _looks_conditional(verb: Any, lexicon: ModalityLexicon) -> bool:
    """A conditional the tagger took for an imperfect: the infinitive plus an ending
    ("frapper" + "ait"), which an imperfect ("tirait") never is."""
    if "Fin" not in _morph(verb, "VerbForm") or "Imp" not in _morph(verb, "Tense"):
        return False
    form, lemma = verb.text.lower(), verb.lemma_.lower()
    stem = lemma[:-1] if lemma.endswith("re") else lemma
    return any(form == stem + ending for ending in lexicon.conditional_endings)


def _pluperfect_with(verb: Any, adverbs: frozenset[str]) -> bool:
    """ "avait déjà été frappée": a pluperfect with one of these adverbs tells background."""
    children = list(verb.children)
    return any(c.lemma_.lower() in adverbs for c in children) and any(
        c.dep_.startswith("aux") and "Imp" in c.morph.get("Tense") for c in children
    )


def _historical(verb: Any, lexicon: ModalityLexicon) -> bool:
    if _pluperfect_with(verb, lexicon.pluperfect_adverbs):
        return True
    for child in verb.children:
        # the tagger sometimes calls a sentence-initial "Auparavant," an AUX: trust the relation
        if child.lemma_.lower() in lexicon.historical_adverbs and (
            child.pos_ == "ADV" or child.dep_ in ("advmod", "obl:mod")
        ):
            return True
    if lexicon.historical_phrases:
        doc = verb.doc
        end = verb.right_edge.idx + len(verb.right_edge)
        clause = doc_text(doc)[verb.left_edge.idx : end].lower()
        return any(phrase in clause for phrase in lexicon.historical_phrases)
    return False


def subject_of(verb: Any) -> Any:
    """The verb's subject, also when the parser hung it on the auxiliary."""
    found = _first(verb.children, _SUBJECTS)
    return found if found is not None else subject_on_auxiliary(verb, _SUBJECTS)


def _names_its_subject(relative: Any) -> bool:
    """A relative clause whose pronoun is its subject and whose antecedent is a name set
    off by a comma ("Poutine, qui a proposé ..."): it reports that person's act, unlike
    "les régions qui ont été occupées", which describes a thing."""
    antecedent = relative.head
    pronoun = _first(relative.children, _SUBJECTS)
    return (
        pronoun is not None
        and "Rel" in _morph(pronoun, "PronType")
        and antecedent.pos_ == "PROPN"
        and antecedent.i + 1 < pronoun.i
        and antecedent.doc[pronoun.i - 1].text == ","
    )


def _first(tokens: Any, deps: tuple[str, ...]) -> Any:
    for tok in tokens:
        if tok.dep_ in deps:
            return tok
    return None


def _pick(found: list[Modality | None]) -> Modality | None:
    present = {m for m in found if m is not None}
    for modality in _PRECEDENCE:
        if modality in present:
            return modality
    return None


# ---------------------------------------------------------------------------
# The walk


def analyze_clause(
    trigger: Any,
    lexicon: ModalityLexicon,
    *,
    bounds: tuple[int, int] | None = None,
    max_steps: int = 6,
) -> ClauseInfo:
    """Walk from a trigger verb up its governors; see the module docstring.

    ``bounds`` (first, last token index) stops the walk at the sentence's edge: the
    parser sometimes hangs a paragraph's verb on the previous paragraph's.
    """
    info = ClauseInfo()
    found: list[Modality | None] = []
    if is_negated(trigger, lexicon):
        found.append(Modality.NEGATION)
    if _historical(trigger, lexicon):
        found.append(Modality.HISTORICAL)
    info.subject = subject_of(trigger)
    tok = trigger
    for _ in range(max_steps):
        if tok.dep_ in _RELATIVE or (
            tok.dep_ == "acl" and any("Rel" in _morph(c, "PronType") for c in tok.children)
        ):
            if _names_its_subject(tok):
                # "Poutine, qui avait proposé cette rencontre": a named subject's act
                info.subject = tok.head
                found.append(verb_mood(tok, lexicon))
            elif tok.head.lemma_.lower() in lexicon.time_antecedents:
                # "au moment où l'Ukraine fait face à ...": a time clause, not a description
                found.append(verb_mood(tok, lexicon))
            else:
                info.reportable, info.blocked_by = False, tok.head
            break
        found.append(verb_mood(tok, lexicon))
        if tok != trigger and is_negated(tok, lexicon):
            found.append(Modality.NEGATION)
        head = tok.head
        if head == tok or (bounds is not None and not bounds[0] <= head.i <= bounds[1]):
            break
        if is_infinitive(tok):
            marks = {c.lemma_.lower() for c in tok.children if c.dep_ in ("mark", "case")}
            if marks & lexicon.purpose_marks:
                info.reportable, info.blocked_by = False, head
                break
            if head.pos_ in ("VERB", "AUX") and tok.dep_ in (
                "xcomp",
                "ccomp",
                "obj",
                "obl:arg",
                "obl",
            ):
                governor = lexicon.governors.get(head.lemma_.lower())
                if governor is None:
                    info.reportable, info.blocked_by = False, head
                    break
                found.append(governor.modality_at(head))
                info.governors.append(head)
                if governor.control == "object":
                    controller = _first(head.children, _OBJECTS)
                    if controller is not None:
                        info.subject = controller
                elif info.subject is None:
                    info.subject = subject_of(head)
                if governor.claim and info.claimant is None:
                    info.claimant = subject_of(head)
                tok = head
                continue
            if head.pos_ == "NOUN" and head.lemma_.lower() in lexicon.noun_governors:
                found.append(lexicon.noun_governors[head.lemma_.lower()])
                info.governors.append(head)
                verb = head.head
                if info.subject is None and verb != head:
                    info.subject = subject_of(verb)
                if verb == head or verb.pos_ not in ("VERB", "AUX"):
                    break
                governor = lexicon.governors.get(verb.lemma_.lower())
                if governor is not None:
                    found.append(governor.modality)
                    if governor.claim and info.claimant is None:
                        info.claimant = subject_of(verb)
                tok = verb
                continue
            info.reportable, info.blocked_by = False, head
            break
        # finite verb or participle
        if tok.dep_ == "ccomp" and head.pos_ in ("VERB", "AUX"):
            governor = lexicon.governors.get(head.lemma_.lower())
            if governor is not None:
                found.append(governor.modality)
                if governor.claim and info.claimant is None:
                    info.claimant = subject_of(head)
            info.governors.append(head)
            tok = head
            continue
        if tok.dep_ == "conj":
            if info.subject is None:
                info.subject = subject_of(head)
            tok = head
            continue
        if (
            tok.dep_ == "advcl"
            and "Part" in _morph(tok, "VerbForm")
            and ("Pres" in _morph(tok, "Tense"))
        ):
            # a gerund shares its main clause ("en prévoyant de livrer"); a finite
            # adverbial clause ("alors que ...") has its own subject and mood
            if info.subject is None:
                info.subject = subject_of(head)
            tok = head
            continue
        break
    if info.claimant is None:
        # an incise: "« ... a été déjouée », a indiqué le ministère"
        for child in tok.children:
            governor = lexicon.governors.get(child.lemma_.lower())
            if child.dep_ == "parataxis" and governor is not None and governor.claim:
                info.claimant = subject_of(child)
                break
    info.modality = _pick(found)
    return info


def noun_modality(noun: Any, lexicon: ModalityLexicon) -> Modality | None:
    """Modality carried by an event noun's own modifiers ("l'accord envisagé")."""
    found: list[Modality | None] = []
    for child in noun.children:
        lemma = child.lemma_.lower()
        if child.dep_ in ("acl", "amod") and lemma in lexicon.noun_modifiers:
            found.append(lexicon.noun_modifiers[lemma])
        if child.dep_ == "det" and lemma in lexicon.negation_determiners:
            found.append(Modality.NEGATION)
    return _pick(found)
