"""PLOVER events from the dependency parse, with rules written as data.

The pack's ``events.yaml`` lists trigger verbs and nouns (lemma -> type, mode, argument
constraints), the prepositions that introduce targets and locations, instrument nouns
(-> mode) and conflict dyads; ``modality.yaml`` lists the verbs that may govern an event
in the infinitive. This module only knows dependency relations.

Per sentence:

1. verb triggers: actor = subject (inherited through "affirment avoir ...", "inciter X
   à ...") or the "par" agent of a passive; target from the type's slots (object,
   "contre", "à", "avec", ...); an event noun or a weapon as subject gives the actor and
   mode ("des frappes de drones russes ont visé ...");
2. interceptions ("ont abattu 31 drones ukrainiens") are the attacker's ASSAULT, claimed
   by the interceptor, with the count as an "intercepted" quantity;
3. noun triggers under a host verb ("annonce l'envoi d'armes", "a revendiqué la prise
   de ...", "un accord est prévu") or with their own actor ("les exigences russes");
4. weapons as subjects of a report verb ("des drones ont été signalés à ...").

Then: one event per place (conjoined places split), missing sides filled from the
conflict dyad, events with no party dropped, and duplicates within the article merged
(body over headline, verbal over nominal, richer over poorer, first over later).

Dates: the time expression in the same sentence nearest the trigger; else the
publication date (at its precision) for events reported as having happened; else unknown.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from veille.errors import DataFileError
from veille.extract.actors import (
    actor_from_possessive,
    demonym_country,
    load_actor_lexicon,
    mention_at,
    phrase_tokens,
    resolve_actor,
)
from veille.extract.modality import (
    ModalityLexicon,
    analyze_clause,
    load_modality_lexicon,
    noun_modality,
)
from veille.model import (
    Actor,
    Analysis,
    Event,
    EventQuantity,
    FuzzyDate,
    Modality,
    Place,
    Precision,
    Span,
    stable_id,
)

VERSION = "0.1"
STAGE = f"events@{VERSION}"
EVENTS_FILE = "events.yaml"
# Class name meaning "resolves to an actor with a country" rather than a word list.
ACTOR_CLASS = "actor"

# KB kinds (veille.kb) that are places below country level, and country-level ones.
PLACE_KINDS = frozenset(
    {"region", "city", "capital", "town", "district", "sea", "cape", "river", "infrastructure"}
)
COUNTRY_KINDS = frozenset({"country", "supranational", "continent"})
# Water bodies belong to no single country: their location country is the KB's (often none),
# never the defender's or the target's.
WATER_KINDS = frozenset({"sea", "river"})
_SUBJ = ("nsubj",)
_SUBJ_PASS = ("nsubj:pass",)


# ---------------------------------------------------------------------------
# Lexicon


@dataclass(frozen=True)
class TriggerRule:
    lemma: str
    type: str
    mode: str | None = None
    object_class: str | None = None
    subject_class: str | None = None
    intercept_class: str | None = None
    with_infinitive: str | None = None
    host: bool = False
    claim: bool = False
    needs_host: bool = False
    subject_only: bool = False


@dataclass(frozen=True)
class EventLexicon:
    verbs: dict[str, TriggerRule]
    nouns: dict[str, TriggerRule]
    noun_hosts: dict[str, str | None]
    noun_subject_hosts: frozenset[str]
    weapon_hosts: frozenset[str]
    classes: dict[str, frozenset[str]]
    instruments: dict[str, str]
    target_slots: dict[str, tuple[str, ...]]
    symmetric: frozenset[str]
    location_cases: frozenset[str]
    partitive_cases: frozenset[str]
    agent_cases: frozenset[str]
    noun_actor_cases: frozenset[str]
    dyad_other: dict[str, str]
    dyad_actor_types: frozenset[str]
    dyad_target_types: frozenset[str]
    keep_without_parties: frozenset[str]
    actor_optional_types: frozenset[str]
    dedup_family: dict[str, int]
    contractions: dict[str, str]
    locative_cases: frozenset[str]
    instrument_cases: frozenset[str]
    future_types: dict[str, str]
    drop_modalities: frozenset[Modality]
    quantity_roles: dict[str, str]
    instrument_locutions: frozenset[str] = frozenset()
    place_anaphora: dict[str, frozenset[str]] = field(default_factory=dict)
    anaphora_sentences: int = 2
    situating_nouns: frozenset[str] = frozenset()
    partner_slots: frozenset[str] = frozenset({"avec", "entre", "obj"})

    def in_class(self, token: Any, name: str | None) -> bool:
        if name is None:
            return True
        words = self.classes.get(name, frozenset())
        return token.lemma_.lower() in words or token.text.lower() in words


_RULE_FIELDS = {
    "type": "type",
    "mode": "mode",
    "object": "object_class",
    "subject": "subject_class",
    "intercept": "intercept_class",
    "with_infinitive": "with_infinitive",
    "host": "host",
    "claim": "claim",
    "needs_host": "needs_host",
    "subject_only": "subject_only",
}


def _norm_case(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def _contract(case: str, contractions: dict[str, str]) -> str:
    """ "auprès des" -> "auprès de", "au" -> "à": articles fused into prepositions."""
    return " ".join(contractions.get(word, word) for word in case.split(" "))


def _rules(section: Any, path: Path, name: str) -> dict[str, TriggerRule]:
    from veille.model import PLOVER_EVENT_TYPES

    if not isinstance(section, dict):
        raise DataFileError(f"'{name}' must map lemmas to trigger rules", path=str(path))
    rules = {}
    for lemma, spec in section.items():
        if not isinstance(spec, dict) or spec.get("type") not in PLOVER_EVENT_TYPES:
            raise DataFileError(f"{name}.{lemma}: needs a PLOVER 'type'", path=str(path))
        unknown = set(spec) - set(_RULE_FIELDS)
        if unknown:
            raise DataFileError(f"{name}.{lemma}: unknown fields {sorted(unknown)}", path=str(path))
        kwargs = {_RULE_FIELDS[k]: v for k, v in spec.items()}
        rules[str(lemma).lower()] = TriggerRule(lemma=str(lemma).lower(), **kwargs)
    return rules


@functools.cache
def load_event_lexicon(data_dir: Path) -> EventLexicon:
    """Read ``events.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / EVENTS_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataFileError("missing event trigger lexicon", path=str(path)) from None
    except yaml.YAMLError as exc:
        raise DataFileError(f"invalid YAML: {exc}", path=str(path)) from None
    if not isinstance(data, dict):
        raise DataFileError("expected a mapping", path=str(path))

    def words(key: str) -> frozenset[str]:
        return frozenset(_norm_case(str(w)) for w in data.get(key) or ())

    classes = {
        str(name): frozenset(str(w).lower() for w in members)
        for name, members in (data.get("classes") or {}).items()
    }
    dyad_other: dict[str, str] = {}
    for pair in data.get("conflict_dyads") or ():
        if len(pair) != 2:
            raise DataFileError(f"conflict dyad {pair!r} needs two sides", path=str(path))
        dyad_other[pair[0]], dyad_other[pair[1]] = pair[1], pair[0]
    family: dict[str, int] = {}
    for index, types in enumerate(data.get("dedup_families") or ()):
        for type_ in types:
            family[str(type_)] = index
    try:
        drop = frozenset(Modality(m) for m in data.get("drop_modalities") or ())
    except ValueError as exc:
        raise DataFileError(f"drop_modalities: {exc}", path=str(path)) from None
    lexicon = EventLexicon(
        verbs=_rules(data.get("verbs"), path, "verbs"),
        nouns=_rules(data.get("nouns"), path, "nouns"),
        noun_hosts={str(k): v for k, v in (data.get("noun_hosts") or {}).items()},
        noun_subject_hosts=words("noun_subject_hosts"),
        weapon_hosts=words("weapon_hosts"),
        classes=classes,
        instruments={str(k).lower(): str(v) for k, v in (data.get("instruments") or {}).items()},
        target_slots={
            str(t): tuple(_norm_case(str(s)) for s in slots)
            for t, slots in (data.get("target_slots") or {}).items()
        },
        symmetric=frozenset(data.get("symmetric") or ()),
        location_cases=words("location_cases"),
        partitive_cases=words("partitive_cases"),
        agent_cases=words("agent_cases"),
        noun_actor_cases=words("noun_actor_cases"),
        dyad_other=dyad_other,
        dyad_actor_types=frozenset(data.get("dyad_actor_types") or ()),
        dyad_target_types=frozenset(data.get("dyad_target_types") or ()),
        keep_without_parties=frozenset(data.get("keep_without_parties") or ()),
        actor_optional_types=frozenset(data.get("actor_optional_types") or ()),
        dedup_family=family,
        contractions={
            _norm_case(str(k)): _norm_case(str(v))
            for k, v in (data.get("contractions") or {}).items()
        },
        locative_cases=words("locative_cases"),
        instrument_cases=words("instrument_cases"),
        future_types={str(k): str(v) for k, v in (data.get("future_types") or {}).items()},
        drop_modalities=drop,
        quantity_roles={str(k): str(v) for k, v in (data.get("quantity_roles") or {}).items()},
        instrument_locutions=words("instrument_locutions"),
        place_anaphora={
            str(k).lower(): frozenset(str(kind) for kind in kinds)
            for k, kinds in (data.get("place_anaphora") or {}).items()
        },
        anaphora_sentences=int(data.get("anaphora_sentences", 2)),
        situating_nouns=words("situating_nouns"),
        partner_slots=words("partner_slots") or frozenset({"avec", "entre", "obj"}),
    )
    for rule in (*lexicon.verbs.values(), *lexicon.nouns.values()):
        for name in (rule.object_class, rule.subject_class, rule.intercept_class):
            if name is not None and name not in classes and name != ACTOR_CLASS:
                raise DataFileError(f"{rule.lemma}: unknown class {name!r}", path=str(path))
    return lexicon


# ---------------------------------------------------------------------------
# Parse helpers

_CORE = ("nsubj", "nsubj:pass", "obj", "ROOT")


def case_of(token: Any, contractions: dict[str, str] | None = None) -> str:
    """The token's case marker, multiword included ("à l'encontre de"), normalised."""
    parts: list[str] = []
    for child in token.children:
        if child.dep_ in ("case", "mark") and child.i < token.i:
            parts.append(child.text)
            parts.extend(f.text for f in child.children if f.dep_ == "fixed")
    case = _norm_case(" ".join(parts))
    return _contract(case, contractions) if contractions else case


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
        elif child.dep_ == "advmod" and child.pos_ == "ADV":
            for grand in child.children:
                # "au-dessus | de la mer": the parser may leave the noun as a bare "dep"
                if grand.dep_.startswith("obl") or grand.dep_ in ("nmod", "dep"):
                    case = _norm_case(f"{child.text} {case_of(grand, contractions)}")
                    out.append((grand, case))
    return out


def _slot_matches(case: str, slot: str) -> bool:
    return case == slot or (" " not in slot and case.split(" ")[:1] == [slot])


def _children(token: Any, *deps: str) -> list[Any]:
    return [c for c in token.children if c.dep_ in deps]


def _is_participle(verb: Any, tense: str) -> bool:
    return "Part" in verb.morph.get("VerbForm") and tense in verb.morph.get("Tense")


def _is_passive(verb: Any) -> bool:
    # a pronominal verb ("se sont retirées") is active whatever the parser says
    if any(c.dep_.startswith("expl") and c.lemma_.lower() in ("se", "soi") for c in verb.children):
        return False
    if any(c.dep_ in ("aux:pass", "nsubj:pass") for c in verb.children):
        return True
    # a past participle modifying a noun: "des drones lancés par ..."
    return verb.dep_ == "acl" and _is_participle(verb, "Past")


def _is_finite(verb: Any) -> bool:
    """A finite verb, or a participle with a finite auxiliary ("ont touché")."""
    if "Fin" in verb.morph.get("VerbForm"):
        return True
    return any(c.dep_.startswith("aux") and "Fin" in c.morph.get("VerbForm") for c in verb.children)


def _with_conjuncts(token: Any) -> list[Any]:
    out = [token]
    for child in token.children:
        if child.dep_ == "conj":
            out.extend(_with_conjuncts(child))
    return out


def _bracketed(head: Any) -> set[int]:
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


def _is_heading_text(text: str) -> bool:
    """An all-capitals line: a subheading, badly parsed and restating the body."""
    return len(text) > 10 and text.isupper()


# ---------------------------------------------------------------------------
# Drafts


@dataclass
class Draft:
    """An event under construction (mutable), turned into one Event per place."""

    type: str
    trigger: Any  # Token
    mode: str | None = None
    modality: Modality | None = None
    actor: Actor | None = None
    target: Actor | None = None
    places: list[Place] = field(default_factory=list)
    location_country: str | None = None
    claimed_by: str | None = None
    quantities: list[EventQuantity] = field(default_factory=list)
    verbal: bool = True  # a verb, or an event noun under a host verb
    actor_phrase: bool = False  # an explicit actor phrase exists (even without a country)
    generic_subject: bool = False  # the subject is no actor at all ("les analystes")
    actor_inferred: bool = False
    intercept_object: Any = None  # Token: the intercepted thing's head
    location_roots: list[Any] = field(default_factory=list)  # phrases searched for places
    place_roots: list[Any] = field(default_factory=list)  # searched for cities, not countries
    clause_verbs: set[int] = field(default_factory=set)  # trigger, host, governors
    party_tokens: set[int] = field(default_factory=set)
    # the other parties of a coordination or a bracketed list ("les États-Unis et
    # l'Allemagne ont convenu"): one event each, with the same target
    co_actors: list[Actor] = field(default_factory=list)


class _Extractor:
    def __init__(self, analysis: Analysis, pack: Any, kb: Any) -> None:
        self.analysis = analysis
        self.kb = kb
        self.doc = analysis.doc
        self.lex = load_event_lexicon(Path(pack.data_dir))
        self.mod: ModalityLexicon = load_modality_lexicon(Path(pack.data_dir))
        self.actors = load_actor_lexicon(Path(pack.data_dir))
        self.units = _sentence_units(self.doc)
        # heads of the phrases that gave the current draft its parties: "fournir à Kiev"
        # names a recipient, not a place (reset for each trigger)
        self.party_tokens: set[int] = set()
        self.headline_end = _headline_end(analysis.article.text)
        self.drafts: list[Draft] = []  # verb drafts so far, for anaphora
        self.target_slot: str | None = None  # the slot that gave the last target

    def case(self, token: Any) -> str:
        return case_of(token, self.lex.contractions)

    # -- actors -------------------------------------------------------------

    def country_actor(self, token: Any | None) -> Actor | None:
        if token is None:
            return None
        actor = resolve_actor(token, self.analysis, self.kb)
        return actor if actor is not None and actor.country else None

    def is_actor_head(self, token: Any) -> bool:
        """The phrase's head names an actor: an entity, or a noun like "forces"."""
        lemma = token.lemma_.lower()
        if lemma in self.actors.sectors or lemma in self.actors.actor_nouns:
            return True
        mention = mention_at(self.analysis, token)
        return mention is not None and mention.label in ("PER", "ORG", "LOC")

    def head_party(self, token: Any) -> Actor | None:
        return self.country_actor(token) if self.is_actor_head(token) else None

    def first_party(self, tokens: list[Any], *, head_only: bool = False) -> Actor | None:
        for tok in tokens:
            for conj in self._party_candidates(tok):
                actor = self.head_party(conj) if head_only else self.country_actor(conj)
                if actor is not None:
                    self.party_tokens.add(conj.i)
                    return actor
        return None

    def all_parties(self, head: Any) -> list[Actor]:
        """Every party a phrase names, one per country: its conjuncts, or the members of
        a bracketed list after a group noun ("quatre alliés (A, B, C et D)")."""
        conjuncts = _with_conjuncts(head)
        inside = _bracketed(head)
        members = [
            t
            for c in (*conjuncts[1:], *_children(head, "appos"))
            if c.i in inside
            for t in _with_conjuncts(c)
        ]
        candidates = sorted({t.i: t for t in members}.values(), key=lambda t: t.i) or conjuncts
        parties: dict[str, Actor] = {}
        for tok in candidates:
            actor = self.country_actor(tok)
            if actor is not None and actor.country not in parties:
                parties[actor.country] = actor
                self.party_tokens.add(tok.i)
        return list(parties.values())

    def _party_candidates(self, head: Any) -> list[Any]:
        """The head, then conjuncts; a bracketed list after a plural head ("quatre alliés
        (l'Allemagne, le Danemark ...)") stands for the head: only its first member counts."""
        conjuncts = _with_conjuncts(head)
        inside = _bracketed(head)
        if not inside:
            return conjuncts
        members = sorted(
            [c for c in (*conjuncts[1:], *_children(head, "appos")) if c.i in inside],
            key=lambda t: t.i,
        )
        outside = [c for c in conjuncts[1:] if c.i not in inside]
        return [head, *members[:1], *outside]

    def previous_actor(self, token: Any, type_: str) -> Actor | None:
        """The actor of the last event of this type in the previous sentence (anaphora of
        "la force", "les troupes")."""
        first, _last = self.units[token.i]
        end = first - 1
        while end >= 0 and self.doc[end].is_space:  # a paragraph break between them
            end -= 1
        if end < 0:
            return None
        prev_first, _prev_last = self.units[end]
        for draft in reversed(self.drafts):
            if (
                prev_first <= draft.trigger.i < first
                and draft.type == type_
                and draft.actor is not None
                and draft.actor.country
            ):
                return draft.actor
        return None

    def orphan_roots(self, verb: Any) -> list[Any]:
        """Nominal fragments the parser left as extra roots after the verb in its sentence
        ("a livré des chars Leopard | à l'armée ukrainienne"): their complements are the
        verb's."""
        _first, last = self.units[verb.i]
        return [
            tok
            for tok in self.doc[verb.i + 1 : last + 1]
            if tok.dep_ == "ROOT" and tok.i != verb.i and tok.pos_ in ("NOUN", "PROPN")
        ]

    def verb_rule(self, verb: Any) -> TriggerRule | None:
        lemma = verb.lemma_.lower()
        rule = self.lex.verbs.get(lemma)
        if rule is None and lemma.endswith("e"):
            # the lemmatizer sometimes returns the 3rd person ("demande" for demander)
            rule = self.lex.verbs.get(lemma + "r")
        return rule

    def is_plain_place(self, token: Any) -> bool:
        """A city or region that is not a seat of government: a location, not a party."""
        mention = mention_at(self.analysis, token)
        return (
            mention is not None
            and mention.refers_to is None
            and self.place_kind(mention) == "place"
        )

    def in_class(self, token: Any, name: str | None) -> bool:
        if name == ACTOR_CLASS:
            # weapons and equipment are no party ("a reçu des F-16" is no visit)
            lemma = token.lemma_.lower()
            if lemma in self.lex.instruments or self.lex.in_class(token, "aid"):
                return False
            return self.head_party(token) is not None
        return self.lex.in_class(token, name)

    def noun_own_actor(self, noun: Any) -> Actor | None:
        """A noun's own actor: "frappes russes", "frappes de l'armée russe", "ses frappes".

        For an assault, "de" + a place is what is hit ("le bombardement de Kharkiv"), not
        who hits; and "de" + a thing is the object ("l'envoi d'armes").
        """
        modifiers = list(noun.children)
        if noun.dep_ == "nmod" and self.lex.in_class(noun.head, "quantifier"):
            # "une série de frappes russes": the adjective may hang on the quantifier
            modifiers += [c for c in noun.head.children if c.dep_ == "amod"]
        for child in modifiers:
            if child.dep_ == "amod":
                country = demonym_country(child, self.kb)
                if country:
                    return Actor(text=child.text, name=child.text, country=country)
        assault = self._noun_type(noun) == "ASSAULT"
        # "l'attaque de la Russie contre X": with a target named, "de" + a country is the
        # attacker ("le bombardement de Kharkiv" alone is what was hit)
        has_target = assault and self._noun_target_phrase(noun, "ASSAULT")
        for child in noun.children:
            if child.dep_ not in ("nmod", "obl:agent"):
                continue
            case = self.case(child)
            if case not in self.lex.noun_actor_cases:
                continue
            mention = mention_at(self.analysis, child)
            is_place = mention is not None and self.place_kind(mention) is not None
            is_country = mention is not None and self.place_kind(mention) == "country"
            if (
                assault
                and is_place
                and case not in self.lex.agent_cases
                and not (has_target and is_country)
            ):
                continue
            actor = self.head_party(child)
            if actor is not None:
                return actor
        owner = actor_from_possessive(noun, self.analysis, self.kb)
        if owner is not None and owner.country:
            return owner
        return None

    def _noun_type(self, noun: Any) -> str | None:
        rule = self.lex.nouns.get(noun.lemma_.lower())
        if rule is not None:
            return rule.type
        return "ASSAULT" if noun.lemma_.lower() in self.lex.instruments else None

    def _between(self, noun: Any) -> list[Actor]:
        """Parties of "les négociations entre Kiev et Moscou"."""
        for child in noun.children:
            if child.dep_ == "nmod" and self.case(child) == "entre":
                parties = [self.country_actor(c) for c in _with_conjuncts(child)]
                return [p for p in parties if p is not None]
        return []

    def partner(self, clause_root: Any) -> Actor | None:
        """A party introduced by "avec" anywhere in the clause ("en partenariat avec X")."""
        for tok in clause_root.subtree:
            if tok.dep_ in ("nmod", "obl", "obl:mod", "obl:arg") and self.case(tok) == "avec":
                party = self.first_party([tok])
                if party is not None:
                    return party
        return None

    # -- instruments and places ----------------------------------------------

    def instrument_mode(self, roots: list[Any]) -> str | None:
        for root in roots:
            for tok in phrase_tokens(root):
                mode = self.lex.instruments.get(tok.lemma_.lower()) or self.lex.instruments.get(
                    tok.text.lower()
                )
                if mode:
                    return mode
        return None

    def place_entity_kind(self, place: Place) -> str | None:
        entity = self.kb.get(place.kb_id) if place.kb_id and hasattr(self.kb, "get") else None
        return getattr(entity, "kind", None)

    def place_kind(self, mention: Any) -> str | None:
        entity = self.kb.get(mention.kb_id) if mention.kb_id and hasattr(self.kb, "get") else None
        kind = getattr(entity, "kind", None)
        if kind in PLACE_KINDS:
            return "place"
        if kind in COUNTRY_KINDS:
            return "country"
        if kind is None and mention.label == "LOC" and mention.lat is not None:
            return "place"
        return None

    def locative_children(self, token: Any, *, assault: bool) -> list[Any]:
        cases = self.lex.location_cases if assault else self.lex.locative_cases
        return [c for c, case in obliques(token, self.lex.contractions) if case in cases]

    def collect_places(
        self,
        roots: list[Any],
        assault: bool,
        skip: set[int] | None = None,
        *,
        metonyms: bool = True,
    ) -> tuple[list[Place], str | None]:
        """Places below country level in these phrases, and a country-level location.

        A seat of government named as a party ("avec Washington") is no location; inside
        a phrase it counts only under a locative preposition ("à Kiev").
        """
        places: dict[str, Place] = {}
        situating: set[str] = set()
        country: str | None = None
        for root in roots:
            for tok in root.subtree:
                if tok.dep_ in ("acl:relcl", "relcl") or (skip and tok.i in skip):
                    continue
                mention = mention_at(self.analysis, tok)
                if mention is None:
                    if (
                        assault
                        and country is None
                        and tok.dep_ == "amod"
                        and self.lex.in_class(tok.head, "place")
                        and self.case(tok.head) in self.lex.locative_cases
                    ):
                        country = demonym_country(tok, self.kb)
                    continue
                if mention.refers_to and (
                    not metonyms or (tok != root and self.case(tok) not in self.lex.locative_cases)
                ):
                    continue  # "une attaque de Kiev": the government, not the city
                kind = self.place_kind(mention)
                entity = self.kb.get(mention.kb_id) if mention.kb_id else None
                place_country = mention.country or getattr(entity, "country", None)
                if kind == "place":
                    key = mention.kb_id or mention.name
                    if key not in places:
                        places[key] = self._place(mention, entity)
                        if self._situating(tok):
                            situating.add(key)
                elif kind == "country" and country is None:
                    country = place_country
        if situating and len(situating) < len(places):
            # "au cap X, à l'extrémité ouest de la Crimée": the region situates the cape
            places = {k: p for k, p in places.items() if k not in situating}
        if not places and self.lex.place_anaphora:
            for root in roots:
                place = self.anaphoric_place(root)
                if place is not None:
                    places[place.kb_id or place.name] = place
                    break
        return list(places.values()), country

    def _situating(self, token: Any) -> bool:
        """A place inside "à l'extrémité ouest de X", "au nord de X" that is not itself a
        conjunct: it situates another place of the clause rather than naming a new one."""
        head = token.head
        return (
            token.dep_ == "nmod"
            and head != token
            and head.lemma_.lower() in self.lex.situating_nouns
            and head.dep_ != "conj"
        )

    def anaphoric_place(self, token: Any) -> Place | None:
        """ "cette ville", "la ville" with no name of its own: the last city (of the kinds
        the lexicon allows for the noun) named in this or the previous sentences."""
        kinds = self.lex.place_anaphora.get(token.lemma_.lower())
        if not kinds:
            return None
        dets = [c for c in token.children if c.dep_ == "det"]
        if not any(
            "Dem" in d.morph.get("PronType") or "Def" in d.morph.get("Definite") for d in dets
        ):
            return None
        if any(mention_at(self.analysis, t) for t in token.subtree if t != token):
            return None  # "la ville de Kharkiv" names itself
        first, _last = self.units[token.i]
        for _ in range(self.lex.anaphora_sentences):
            if first == 0:
                break
            first, _ = self.units[first - 1]
        window_start = self.doc[first].idx
        for mention in reversed(self.analysis.entities):
            if not (window_start <= mention.start < token.idx):
                continue
            entity = self.kb.get(mention.kb_id) if mention.kb_id else None
            if getattr(entity, "kind", None) in kinds:
                return self._place(mention, entity)
        return None

    def _place(self, mention: Any, entity: Any) -> Place:
        lat = mention.lat if mention.lat is not None else getattr(entity, "lat", None)
        lon = mention.lon if mention.lon is not None else getattr(entity, "lon", None)
        return Place(
            name=getattr(entity, "name", None) or mention.name,
            country=mention.country or getattr(entity, "country", None),
            kb_id=mention.kb_id,
            lat=lat,
            lon=lon,
        )

    # -- the walk ------------------------------------------------------------

    def run(self) -> list[Event]:
        drafts: list[Draft] = []
        self.drafts = drafts
        consumed: set[int] = set()
        produced: set[int] = set()
        skipped = self._heading_tokens()
        # one pass over the tokens: only lemmas the lexicon knows are looked at again
        verbs, nouns = [], []
        known_nouns = self.lex.nouns.keys() | self.lex.instruments.keys()
        for tok in self.doc:
            pos = tok.pos_
            if pos in ("VERB", "AUX"):
                verbs.append(tok)
            elif pos in ("NOUN", "PROPN") and tok.lemma_.lower() in known_nouns:
                nouns.append(tok)
        for tok in verbs:
            if tok.i in consumed or tok.i in skipped:
                continue
            rule = self.verb_rule(tok)
            if rule is not None:
                self.party_tokens = set()
                draft = self.verb_event(tok, rule, consumed)
                if draft is not None:
                    draft.party_tokens = self.party_tokens
                    drafts.append(draft)
                    produced.add(tok.i)
        for tok in nouns:
            if tok.i in consumed or tok.i in skipped:
                continue
            rule = self.lex.nouns.get(tok.lemma_.lower())
            self.party_tokens = set()
            if rule is not None:
                draft = self.noun_event(tok, rule, produced)
            elif tok.lemma_.lower() in self.lex.instruments and tok.head.i not in produced:
                draft = self.weapon_event(tok)
            else:
                continue
            if draft is not None:
                draft.party_tokens = self.party_tokens
                drafts.append(draft)
                consumed.add(tok.i)
        # an infinitive event under another event's trigger is part of that event
        # ("autoriser l'Ukraine à utiliser"): the governing event stands for both
        drafts = [d for d in drafts if not self._governed_by(d, produced)]
        events: list[tuple[Event, bool]] = []
        for draft in drafts:
            self.finish(draft)
            if self.keep(draft):
                events.extend((event, draft.verbal) for event in self.to_events(draft))
        return dedupe(events, self.lex, self.headline_end, self.analysis.article.text)

    def _heading_tokens(self) -> set[int]:
        skipped: set[int] = set()
        text = self.doc.text
        for first, last in dict.fromkeys(self.units):
            start, end = self.doc[first].idx, self.doc[last].idx + len(self.doc[last])
            if _is_heading_text(text[start:end]):
                skipped.update(range(first, last + 1))
        return skipped

    def _governed_by(self, draft: Draft, produced: set[int]) -> bool:
        tok = draft.trigger
        head = tok.head
        return (
            head != tok
            and head.i in produced
            and tok.dep_ in ("xcomp", "ccomp", "obj")
            and ("Inf" in tok.morph.get("VerbForm"))
        )

    def _acl_allowed(self, verb: Any, rule: TriggerRule) -> tuple[bool, Any]:
        """A participle on a noun: (is it an event, the event noun it reports if any).

        "des frappes visant Kiev" reports the frappes (host verb, present participle);
        "des frappes ciblées" is an adjective; "des usines bombardées" is an event when
        the noun is a core argument or the headline's root; "les régions occupées par
        ..." deep inside a phrase is a state.
        """
        noun = verb.head
        if "Inf" in verb.morph.get("VerbForm"):
            return True, None  # "leur intention d'acquérir": the clause walk decides
        if noun.lemma_.lower() in self.lex.nouns:
            if rule.host and _is_participle(verb, "Pres"):
                return True, noun
            return False, None
        # a participle that does not agree with the noun hangs on the wrong one
        number_v, number_n = verb.morph.get("Number"), noun.morph.get("Number")
        if number_v and number_n and number_v != number_n:
            return False, None
        # "la Crimée annexée par la Russie" describes a name; "des usines bombardées" reports
        if (
            _is_participle(verb, "Past")
            and noun.pos_ == "NOUN"
            and (noun.dep_ == "ROOT" or (noun.dep_ in _CORE and _is_finite(noun.head)))
        ):
            return True, None
        return False, None

    def verb_event(self, verb: Any, rule: TriggerRule, consumed: set[int]) -> Draft | None:
        lex = self.lex
        event_noun = None
        if verb.dep_ == "acl":
            allowed, event_noun = self._acl_allowed(verb, rule)
            if not allowed:
                return None
        clause = analyze_clause(verb, self.mod, bounds=self.units[verb.i])
        if not clause.reportable:
            return None
        passive = _is_passive(verb) and event_noun is None
        subj_tok = clause.subject if not passive else None
        if subj_tok is None and not passive:
            subj_tok = next(iter(_children(verb, "nsubj:pass")), None)
        if event_noun is not None:
            subj_tok = event_noun
        if passive:
            agents = [
                c
                for c in verb.children
                if c.dep_ == "obl:agent"
                or (
                    c.dep_.startswith("obl")
                    and c.pos_ in ("NOUN", "PROPN", "PRON")
                    and self.case(c) in lex.agent_cases
                )
            ]
            subj_tok = agents[0] if agents else None
        if subj_tok is None and not passive:
            subj_tok = self._misattached_subject(verb)
        obj_tok = self._object(verb, passive)
        if rule.object_class and (
            obj_tok is None
            or not any(self.in_class(o, rule.object_class) for o in _with_conjuncts(obj_tok))
        ):
            return None
        if rule.subject_class and not (
            subj_tok is not None
            and (
                self.in_class(subj_tok, rule.subject_class)
                or (not rule.subject_only and self.head_party(subj_tok))
            )
        ):
            return None
        draft = Draft(type=rule.type, trigger=verb, mode=rule.mode, modality=clause.modality)
        draft.clause_verbs = {verb.i, *(g.i for g in clause.governors)}
        # interception: the attacker is whoever sent what was intercepted
        if (
            rule.intercept_class
            and obj_tok is not None
            and lex.in_class(obj_tok, rule.intercept_class)
        ):
            consumed.update(t.i for t in obj_tok.subtree)
            return self.interception(verb, draft, subj_tok, obj_tok, clause)
        if rule.with_infinitive and any(
            c.dep_ in ("xcomp", "ccomp") and "Inf" in c.morph.get("VerbForm") for c in verb.children
        ):
            draft.type, draft.mode = rule.with_infinitive, None
        if (
            event_noun is None
            and subj_tok is not None
            and rule.host
            and subj_tok.lemma_.lower() in lex.nouns
        ):
            event_noun = subj_tok
        if event_noun is not None:
            consumed.add(event_noun.i)
            noun_rule = lex.nouns[event_noun.lemma_.lower()]
            draft.type = noun_rule.type
            draft.mode = noun_rule.mode or self.instrument_mode([event_noun]) or draft.mode
            draft.actor = self.noun_own_actor(event_noun)
            draft.actor_phrase = draft.actor is not None
            draft.modality = draft.modality or noun_modality(event_noun, self.mod)
            draft.location_roots.extend(self.locative_children(event_noun, assault=True))
        elif subj_tok is not None and subj_tok.lemma_.lower() in lex.instruments:
            # the weapon names the mode better than the verb ("un missile a détruit")
            draft.mode = lex.instruments[subj_tok.lemma_.lower()]
            draft.actor = self.country_actor(subj_tok)
        elif subj_tok is not None:
            draft.actor_phrase = True
            draft.actor = self.first_party([subj_tok])
            parties = self.all_parties(subj_tok)
            if draft.actor is not None and len(parties) > 1:
                draft.actor, draft.co_actors = parties[0], parties[1:]
            draft.generic_subject = resolve_actor(subj_tok, self.analysis, self.kb) is None
            if draft.actor is None and rule.subject_only:
                # "La force a tenté d'atterrir": the force of the previous sentence's event
                draft.actor = self.previous_actor(verb, draft.type)
        slots = lex.target_slots.get(draft.type, ())
        self.target_slot = None
        draft.target = self.slot_party(verb, slots, obj_tok, exclude=subj_tok)
        if draft.type in lex.symmetric:
            if draft.target is None and subj_tok is not None and draft.actor is not None:
                # "l'Ukraine et la Pologne ont signé": the second party is the target
                others = [c for c in _with_conjuncts(subj_tok) if c != subj_tok]
                draft.target = self.first_party(others)
                draft.co_actors = [a for a in draft.co_actors if a != draft.target]
            if (
                draft.actor is None
                and draft.target is not None
                and self.target_slot in lex.partner_slots
            ):
                # "un accord avec X": X is a party either way; "une aide à X" stays X's
                draft.actor, draft.target = draft.target, None
            if draft.actor is None:
                draft.actor = self.partner(verb)
        if draft.type == "ASSAULT":
            # the instrument: "avec des missiles", "par des drones", a weapon as subject,
            # the object of a light verb ("lancer une attaque de drones")
            # "à l'aide de bombes" parsed as "à" + the noun "aide": the noun joins the case
            roots = [
                c
                for c, case in obliques(verb, lex.contractions)
                if case in lex.instrument_cases
                or (case in lex.locative_cases and c.lemma_.lower() in lex.instrument_locutions)
            ]
            if obj_tok is not None:
                # ... or hung on the object ("frappé la ville au moyen de drones")
                roots += [
                    c
                    for c in obj_tok.children
                    if c.dep_ == "nmod" and c.lemma_.lower() in lex.instrument_locutions
                ]
            if subj_tok is not None:
                roots.append(subj_tok)
            if obj_tok is not None and rule.object_class in ("attack", "projectile"):
                roots.append(obj_tok)
            draft.mode = self.instrument_mode(roots) or draft.mode
        if rule.claim:
            draft.claimed_by = draft.actor.country if draft.actor else None
        elif clause.claimant is not None and draft.type == "ASSAULT":
            claimant = self.country_actor(clause.claimant)
            draft.claimed_by = claimant.country if claimant else None
        assault = draft.type == "ASSAULT"
        draft.location_roots.extend(self.locative_children(verb, assault=assault))
        if obj_tok is not None:
            if assault:
                draft.location_roots.append(obj_tok)
            else:
                # "appeler les alliés en Europe": a country there qualifies the party
                draft.place_roots.extend(self.locative_children(obj_tok, assault=False))
        if subj_tok is not None and event_noun is None:
            # "des drones ukrainiens à Briansk": the parser often hangs the place there
            draft.location_roots.extend(self.locative_children(subj_tok, assault=False))
        if assault and obj_tok is None:
            # "a bombardé Kharkiv mardi" parsed with the city inside the date phrase
            draft.location_roots.extend(
                c for c in verb.children if c.dep_.startswith("obl") and not self.case(c)
            )
        return draft

    def _misattached_subject(self, verb: Any) -> Any | None:
        """A name just left of the verb that the parser hung elsewhere ("..., Bauer a
        exhorté"): only an entity mention, only when the verb has no subject."""
        i = verb.i - 1
        while i >= 0 and self.doc[i].dep_.startswith(("aux", "advmod", "expl")):
            i -= 1
        if i < 0 or self.units[i] != self.units[verb.i]:
            return None
        tok = self.doc[i]
        if tok.pos_ != "PROPN" or tok.dep_ in ("nsubj", "nsubj:pass", "obj"):
            return None
        mention = mention_at(self.analysis, tok)
        return tok if mention is not None and mention.label in ("PER", "ORG") else None

    def _object(self, verb: Any, passive: bool) -> Any | None:
        return self.counted(self._object_head(verb, passive))

    def counted(self, token: Any | None) -> Any | None:
        """What a quantity noun counts: "des dizaines de drones" -> "drones"."""
        if token is None or token.lemma_.lower() not in self.lex.classes.get("quantifier", ()):
            return token
        for child in token.children:
            if child.dep_ == "nmod" and self.case(child) in self.lex.partitive_cases:
                return child
        return token

    def _object_head(self, verb: Any, passive: bool) -> Any | None:
        if passive:
            subj = _children(verb, *_SUBJ_PASS)
            if subj:
                return subj[0]
            if verb.dep_ == "acl":
                return verb.head
            return None
        objs = _children(verb, "obj")
        if objs:
            return objs[0]
        for child in verb.children:
            if child.dep_ == "obl:arg" and self.case(child) in self.lex.partitive_cases:
                return child
        for child in verb.children:
            # "avoir neutralisé des dizaines de drones" with "des" read as a preposition
            if child.dep_ == "obl:mod" and any(
                c.dep_ == "case" and c.pos_ == "DET" for c in child.children
            ):
                return child
        return None

    def slot_party(
        self, verb: Any, slots: tuple[str, ...], obj_tok: Any, *, exclude: Any = None
    ) -> Actor | None:
        """The first slot (object, "contre", "à", "avec", ...) that names a party."""
        for slot in slots:
            candidates: list[Any] = []
            if slot == "obj":
                if obj_tok is not None:
                    candidates = [obj_tok]
            elif slot == "iobj":
                candidates = _children(verb, "iobj")
            else:
                candidates = [
                    c
                    for head in (verb, *self.orphan_roots(verb))
                    for c, case in obliques(head, self.lex.contractions)
                    if _slot_matches(case, slot)
                ]
                if obj_tok is not None and slot != "de":
                    # "livrer des avions de surveillance à l'Ukraine": the parser hangs
                    # the recipient inside the object phrase
                    candidates += [
                        c
                        for c in phrase_tokens(obj_tok)
                        if c.dep_ == "nmod" and _slot_matches(self.case(c), slot)
                    ]
            candidates = [c for c in candidates if c != exclude and not self.is_plain_place(c)]
            party = self.first_party(candidates)
            if party is not None:
                self.target_slot = slot
                return party
        return None

    def interception(
        self, verb: Any, draft: Draft, subj_tok: Any, obj_tok: Any, clause: Any
    ) -> Draft:
        defender = self.first_party([subj_tok]) if subj_tok is not None else None
        if defender is None and clause.claimant is not None:
            defender = self.country_actor(clause.claimant)
        draft.type = "ASSAULT"
        # the sender: "drones ukrainiens", "drones lancés par les forces de Kiev"; a
        # place inside the phrase is where it was intercepted, not who sent it
        draft.actor = self.noun_own_actor(obj_tok) or self.first_party(
            [a for c in obj_tok.children if c.dep_ == "acl" for a in _children(c, "obl:agent")]
        )
        draft.actor_phrase = draft.actor is not None
        draft.target = defender
        draft.claimed_by = defender.country if defender else None
        draft.location_country = defender.country if defender else None
        draft.mode = self.instrument_mode([obj_tok]) or draft.mode
        draft.intercept_object = obj_tok
        draft.location_roots.extend(self.locative_children(verb, assault=True))
        draft.location_roots.extend(self.locative_children(obj_tok, assault=False))
        return draft

    def noun_event(self, noun: Any, rule: TriggerRule, produced: set[int]) -> Draft | None:
        lex = self.lex
        head = noun.head
        host_lemma = head.lemma_.lower()
        draft = Draft(type=rule.type, trigger=noun, mode=rule.mode, verbal=False)
        draft.mode = draft.mode or self.instrument_mode([noun])
        own_actor = self.noun_own_actor(noun)
        parties = self._between(noun)
        host = None
        is_subject = noun.dep_ in ("nsubj", "nsubj:pass")
        has_cop = any(c.dep_ == "cop" for c in noun.children)
        if noun.dep_ in ("obj", "obl:arg") and host_lemma in lex.noun_hosts:
            host = head
            draft.verbal = True
            if lex.noun_hosts[host_lemma] == "claim":
                draft.claimed_by = "__actor__"
        elif is_subject and (
            host_lemma in lex.noun_subject_hosts
            or any(
                f"{host_lemma} {c.lemma_.lower()}" in lex.noun_subject_hosts
                for c in head.children
                if c.dep_ == "obj"
            )
        ):
            host = head  # "un accord est prévu", "des négociations ont eu lieu"
        elif has_cop:
            host = noun  # "Kiev est en discussion avec Washington"
        # a bare event noun ("une série de frappes russes", "une attaque contre Kharkiv"):
        # with its own actor or target, and not part of a verb's event ("tués dans une
        # attaque" is the verb's)
        if host is None and (
            rule.needs_host
            or not (own_actor or parties or self._noun_target_phrase(noun, rule.type))
            or self._inside_event(noun, produced)
            or (noun.dep_ not in _CORE and _generic_plural(noun))
        ):
            return None
        if host is not None and host != noun and host.i in produced:
            return None  # the host verb is itself an event ("livrer des missiles")
        clause_verb = host if host is not None else _governing_verb(noun)
        clause = None
        subj = None
        draft.clause_verbs = {noun.i} | ({clause_verb.i} if clause_verb is not None else set())
        if clause_verb is not None:
            clause = analyze_clause(clause_verb, self.mod, bounds=self.units[clause_verb.i])
            if not clause.reportable:
                return None
            draft.modality = clause.modality
            draft.clause_verbs.update(g.i for g in clause.governors)
            subj = clause.subject
        if is_subject:
            subj = None  # the noun is the subject: its actor is its own
        if host is not None and host != noun:
            governor = self.mod.governors.get(host.lemma_.lower())
            if governor is not None and governor.modality is not None:
                draft.modality = draft.modality or governor.modality
        draft.modality = noun_modality(noun, self.mod) or draft.modality
        if parties:
            draft.actor = parties[0]
            draft.target = parties[1] if len(parties) > 1 else None
            draft.actor_phrase = True
        elif own_actor is not None:
            draft.actor = own_actor
            draft.actor_phrase = True
        elif subj is not None:
            draft.actor_phrase = True
            draft.actor = self.first_party([subj])
            parties = self.all_parties(subj)
            if draft.actor is not None and len(parties) > 1:
                draft.actor, draft.co_actors = parties[0], parties[1:]
            draft.generic_subject = resolve_actor(subj, self.analysis, self.kb) is None
        de_objects = [
            c for c in noun.children if c.dep_ == "nmod" and self.case(c) in lex.partitive_cases
        ]
        # "l'envoi de journalistes" is no aid; "l'envoi" alone may be
        if (
            rule.object_class
            and de_objects
            and not any(self.in_class(o, rule.object_class) for o in de_objects)
        ):
            return None
        slots = lex.target_slots.get(draft.type, ())
        self.target_slot = None
        if draft.target is None:
            draft.target = self.noun_target(noun, [noun, *de_objects], slots, draft.actor)
        if draft.target is None and host is not None and host != noun:
            host_slots = tuple(s for s in slots if s not in ("obj", "de"))
            draft.target = self.slot_party(host, host_slots, None, exclude=subj)
        if draft.type in lex.symmetric:
            if (
                draft.actor is None
                and draft.target is not None
                and self.target_slot in lex.partner_slots
            ):
                # "un accord avec X": X is a party either way; "une aide à X" stays X's
                draft.actor, draft.target = draft.target, None
            if draft.actor is None:
                draft.actor = self.partner(clause_verb if clause_verb is not None else noun)
        if draft.claimed_by == "__actor__":
            draft.claimed_by = draft.actor.country if draft.actor else None
        elif clause is not None and clause.claimant is not None and draft.type == "ASSAULT":
            claimant = self.country_actor(clause.claimant)
            draft.claimed_by = claimant.country if claimant else None
        assault = draft.type == "ASSAULT"
        draft.location_roots.extend(self.locative_children(noun, assault=assault))
        if host is not None and host != noun:
            draft.location_roots.extend(self.locative_children(host, assault=assault))
        return draft

    def clause_roots(self, trigger: Any) -> list[Any]:
        """Where a trigger's clause may name its place: the trigger's subtree, or for a noun
        the verb that hosts it."""
        if trigger.pos_ in ("NOUN", "PROPN") and trigger.dep_ in ("nsubj", "nsubj:pass", "obj"):
            return [trigger.head]
        if trigger.dep_ == "conj" and trigger.head.pos_ in ("VERB", "AUX"):
            # "ont intercepté et détruit": the subject hangs on the first verb
            return [trigger, *_children(trigger.head, *_SUBJ, *_SUBJ_PASS)]
        return [trigger]

    def other_clauses(self, trigger: Any) -> set[int]:
        """Tokens of clauses inside the trigger's that report something else: reported
        speech and incises ("..., a indiqué le gouverneur de X"), relative clauses."""
        skip: set[int] = set()
        for root in self.clause_roots(trigger):
            for tok in root.subtree:
                if tok != root and tok.dep_ in ("parataxis", "ccomp", "acl:relcl", "advcl"):
                    skip.update(t.i for t in tok.subtree)
        return skip

    def _noun_target_phrase(self, noun: Any, type_: str) -> bool:
        """The noun has a complement in one of its type's target slots naming a party or
        a place ("une attaque contre la région de Donetsk")."""
        slots = [s for s in self.lex.target_slots.get(type_, ()) if s not in ("obj", "iobj", "de")]
        for child in noun.children:
            if (
                child.dep_ in ("nmod", "acl")
                and any(_slot_matches(self.case(child), s) for s in slots)
                and any(mention_at(self.analysis, t) for t in phrase_tokens(child))
            ):
                return True
        return False

    def _inside_event(self, noun: Any, produced: set[int]) -> bool:
        """The noun hangs (within two steps) on a verb that is itself an event trigger."""
        tok = noun
        for _ in range(2):
            if tok.head == tok:
                return False
            tok = tok.head
            if tok.i in produced:
                return True
        return False

    def noun_target(
        self, noun: Any, holders: list[Any], slots: tuple[str, ...], actor: Actor | None
    ) -> Actor | None:
        """The target among the noun's complements ("l'envoi d'armes à l'Ukraine")."""
        for slot in slots:
            if slot in ("obj", "iobj"):
                continue
            for holder in holders:
                for child in holder.children:
                    if child.dep_ not in ("nmod", "acl") or not _slot_matches(
                        self.case(child), slot
                    ):
                        continue
                    if holder != noun and slot == "de":
                        continue
                    party = self.first_party([child])
                    if party is None:
                        continue
                    if actor is not None and party.country == actor.country:
                        continue
                    self.target_slot = slot
                    return party
        return None

    def weapon_event(self, weapon: Any) -> Draft | None:
        """ "Des drones ont été signalés dans le sud de l'Ukraine": an assault by weapon."""
        head = weapon.head
        if weapon.dep_ not in ("nsubj", "nsubj:pass"):
            return None
        if head.lemma_.lower() not in self.lex.weapon_hosts:
            return None
        clause = analyze_clause(head, self.mod, bounds=self.units[head.i])
        if not clause.reportable:
            return None
        draft = Draft(type="ASSAULT", trigger=weapon, modality=clause.modality, verbal=False)
        draft.clause_verbs = {weapon.i, head.i, *(g.i for g in clause.governors)}
        draft.mode = self.lex.instruments[weapon.lemma_.lower()]
        draft.actor = self.noun_own_actor(weapon)
        draft.location_roots.extend(self.locative_children(head, assault=True))
        draft.location_roots.extend(_children(head, "obj"))
        return draft

    # -- completion, filtering, expansion -----------------------------------

    def finish(self, draft: Draft) -> None:
        lex = self.lex
        assault = draft.type == "ASSAULT"
        skip = set() if assault else draft.party_tokens
        places, country = self.collect_places(draft.location_roots, assault, skip)
        more, _ = self.collect_places(draft.place_roots, assault, skip)
        places += [p for p in more if p not in places]
        if assault and not places:
            # the place may hang anywhere in the trigger's clause: on the subject ("les
            # défenses au-dessus de X ont abattu"), on a count ("dont 48 dans la région
            # de X"), on a victim ("cinq blessés dans la région de X")
            skip_clause = self.other_clauses(draft.trigger) | draft.party_tokens
            places, _ = self.collect_places(
                self.clause_roots(draft.trigger), assault, skip_clause, metonyms=False
            )

        draft.places = places
        if draft.location_country is None:
            draft.location_country = country or (places[0].country if places else None)
        if assault:
            if (
                draft.location_country is None
                and draft.target is not None
                and draft.target.country in lex.dyad_other
            ):
                draft.location_country = draft.target.country
            if draft.target is None and draft.location_country is not None:
                side = draft.location_country
                draft.target = Actor(text="", name=side, country=side)
        if draft.actor is None and not draft.actor_phrase and draft.type in lex.dyad_actor_types:
            side = draft.target.country if draft.target else draft.location_country
            if side in lex.dyad_other:
                other = lex.dyad_other[side]
                draft.actor = Actor(text="", name=other, country=other)
                draft.actor_inferred = True
        if (
            draft.target is not None
            and draft.actor is not None
            and draft.target.country == draft.actor.country
        ):
            draft.target = None
        if (
            draft.target is None
            and draft.actor is not None
            and draft.actor.country in lex.dyad_other
            and draft.type in lex.dyad_target_types
        ):
            other = lex.dyad_other[draft.actor.country]
            draft.target = Actor(text="", name=other, country=other)
        if (
            assault
            and draft.location_country is None
            and draft.target is not None
            and draft.target.country in lex.dyad_other
        ):
            # an assault on one side of the war happens on its territory unless told
            draft.location_country = draft.target.country
        if draft.modality is Modality.FUTURE and draft.type in lex.future_types:
            # PLOVER: a promise or plan of aid or cooperation is an agreement
            draft.type = lex.future_types[draft.type]
        draft.quantities = self.quantities(draft)

    def confidence(self, draft: Draft) -> float:
        score = 0.7 if draft.verbal else 0.55
        if draft.actor is not None and draft.target is not None:
            score += 0.1
        if draft.actor_inferred:
            score -= 0.15
        return round(max(0.1, min(0.95, score)), 2)

    def keep(self, draft: Draft) -> bool:
        if draft.modality in self.lex.drop_modalities:
            return False
        if draft.generic_subject and draft.type not in self.lex.actor_optional_types:
            return False
        has_actor = draft.actor is not None and draft.actor.country is not None
        has_target = draft.target is not None and draft.target.country is not None
        if not has_actor and draft.type not in self.lex.actor_optional_types:
            return False
        return has_actor or has_target or draft.type in self.lex.keep_without_parties

    def quantities(self, draft: Draft) -> list[EventQuantity]:
        start, end = self.unit_bounds(draft.trigger)
        out: list[EventQuantity] = []
        obj_range = None
        if draft.intercept_object is not None:
            toks = list(draft.intercept_object.subtree)
            obj_range = (toks[0].idx, toks[-1].idx + len(toks[-1]))
        for q in self.analysis.quantities:
            if not (start <= q.start < end):
                continue
            if q.kind == "money":
                if draft.type != "ASSAULT":
                    out.append(EventQuantity(q.value, q.unit, "value", q.qualifier))
                continue
            if obj_range and obj_range[0] <= q.start < obj_range[1]:
                role = "intercepted"
            else:
                role = self._quantity_role(q)
            if role:
                out.append(EventQuantity(q.value, q.unit, role, q.qualifier))
        return out

    def _quantity_role(self, quantity: Any) -> str | None:
        span = self.doc.char_span(quantity.start, quantity.end, alignment_mode="expand")
        if span is None:
            return None
        tok = span.root
        for _ in range(4):
            for near in (tok, *tok.children):
                role = self.lex.quantity_roles.get(near.lemma_.lower())
                if role:
                    return role
            if tok.head == tok:
                break
            tok = tok.head
        return None

    def unit_bounds(self, token: Any) -> tuple[int, int]:
        first, last = self.units[token.i]
        return self.doc[first].idx, self.doc[last].idx + len(self.doc[last].text)

    def event_date(self, draft: Draft, start: int, end: int) -> tuple[FuzzyDate, Modality | None]:
        """The nearest dated expression in the trigger's clause (or a governing one: "a
        déclaré mercredi que ..."), else the publication date, else unknown.

        An event dated long before publication is background (historical).
        """
        published = self.analysis.article.published
        anchor = draft.trigger.idx
        best = None
        for time in self.analysis.times:
            if not (start <= time.start < end) or time.date.value is None:
                continue
            if draft.clause_verbs and self._clause_of(time) not in draft.clause_verbs:
                continue  # "alors que la guerre se poursuivra l'année prochaine"
            distance = abs(time.start - anchor)
            if best is None or distance < best[0]:
                best = (distance, time)
        modality = draft.modality
        if best is not None:
            date = best[1].date
            if (
                modality is None
                and published.value is not None
                and published.precision is not Precision.UNKNOWN
                and date.value is not None
                and (published.value - date.value).days >= self.mod.historical_min_days
            ):
                modality = Modality.HISTORICAL
            return date, modality
        if modality is None and published.value is not None:
            return published, modality
        return FuzzyDate.unknown(), modality

    def _clause_of(self, time: Any) -> int | None:
        """Index of the verb (or event noun) whose clause holds a time expression."""
        span = self.doc.char_span(time.start, time.end, alignment_mode="expand")
        if span is None:
            return None
        tok = span.root
        for _ in range(8):
            if tok.pos_ in ("VERB", "AUX") or tok.lemma_.lower() in self.lex.nouns:
                return tok.i
            if tok.head == tok:
                return tok.i
            tok = tok.head
        return None

    def to_events(self, draft: Draft) -> list[Event]:
        article = self.analysis.article
        first, last = self.units[draft.trigger.i]
        sent = self.doc[first : last + 1]
        sentence = Span(sent.start_char, sent.end_char, sent.text)
        trig = draft.trigger
        trigger = Span(trig.idx, trig.idx + len(trig.text), trig.text)
        date, modality = self.event_date(draft, sentence.start, sentence.end)
        confidence = self.confidence(draft)
        places: list[Place | None] = list(draft.places) or [None]
        events = []
        co_actors = [a for a in draft.co_actors if a.country and a != draft.target]
        for actor, place in [(draft.actor, p) for p in places] + [
            (a, p) for a in co_actors for p in places
        ]:
            location_country = (place.country if place else None) or draft.location_country
            if place is not None and self.place_entity_kind(place) in WATER_KINDS:
                location_country = place.country
            place_name = place.name if place else ""
            # the first party keeps the id it had before coordinations were split
            extra = () if actor is draft.actor else (actor.country,)
            events.append(
                Event(
                    id=stable_id(article.id, STAGE, draft.type, trigger.start, place_name, *extra),
                    article_id=article.id,
                    type=draft.type,
                    sentence=sentence,
                    trigger=trigger,
                    mode=draft.mode,
                    modality=modality,
                    actor=actor,
                    target=draft.target,
                    location=place,
                    location_country=location_country,
                    date=date,
                    quantities=tuple(draft.quantities),
                    claimed_by=draft.claimed_by,
                    confidence=confidence,
                    stage=STAGE,
                )
            )
        return events


def _generic_plural(noun: Any) -> bool:
    """ "la gravité des attaques russes": a definite plural names a kind of event, not one
    that happened ("une série de frappes", "une attaque" do)."""
    if "Plur" not in noun.morph.get("Number"):
        return False
    return any(
        c.dep_ in ("det", "case") and "Def" in c.morph.get("Definite") for c in noun.children
    )


def _governing_verb(token: Any) -> Any | None:
    tok = token
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") and tok != token:
            return tok
        if tok.head == tok:
            return tok if tok.pos_ in ("VERB", "AUX", "NOUN") else None
        tok = tok.head
    return None


_FINAL_PUNCT = frozenset('.!?…:;»"')


def _sentence_units(doc: Any) -> list[tuple[int, int]]:
    """For each token, its sentence's (first, last) token index.

    Sentences are the parser's, split again at line breaks (a headline is its own
    sentence) and joined back where the parser cut a line with no final punctuation
    between two roots ("a livré des chars | Leopard à l'armée ukrainienne").
    """
    from spacy.attrs import IS_SPACE

    spaces = doc.to_array([IS_SPACE]).ravel().nonzero()[0]
    breaks = {int(i) for i in spaces if "\n" in doc[int(i)].text}
    bounds: list[tuple[int, int]] = []
    for sent in doc.sents:
        start = sent.start
        for i in sorted(b for b in breaks if sent.start <= b < sent.end):
            if i > start:
                bounds.append((start, i - 1))
            start = i + 1
        if start < sent.end:
            bounds.append((start, sent.end - 1))
    merged: list[tuple[int, int]] = []
    for first, last in bounds:
        if merged:
            prev_first, prev_last = merged[-1]
            if (
                prev_last + 1 == first
                and doc[prev_last].text[-1:] not in _FINAL_PUNCT
                and not doc[prev_last].is_space
            ):
                merged[-1] = (prev_first, last)
                continue
        merged.append((first, last))
    units: list[tuple[int, int]] = [(i, i) for i in range(len(doc))]
    for first, last in merged:
        while last > first and doc[last].is_space:
            last -= 1
        units[first : last + 1] = [(first, last)] * (last + 1 - first)
    return units


def _headline_end(text: str) -> int:
    """End offset of the first paragraph (the headline)."""
    stripped = text.lstrip()
    offset = len(text) - len(stripped)
    cut = stripped.find("\n")
    return offset + (cut if cut >= 0 else len(stripped))


# ---------------------------------------------------------------------------
# Deduplication within an article


def _is_heading(event: Event, headline_end: int, text: str = "") -> bool:
    """The headline, an all-capitals subheading, or a title-like line: a paragraph of its
    own with no final punctuation ("Trump promet une aide militaire à Kiev")."""
    if event.sentence.end <= headline_end or _is_heading_text(event.sentence.text):
        return True
    if not text:
        return False
    line_start = text.rfind("\n", 0, event.sentence.start) + 1
    line_end = text.find("\n", event.sentence.end)
    line = text[line_start : line_end if line_end >= 0 else len(text)].strip()
    return bool(line) and line == event.sentence.text.strip() and line[-1] not in '.!?»"…:'


def _country(actor: Actor | None) -> str | None:
    return actor.country if actor is not None else None


def _same(a: Event, b: Event, lex: EventLexicon, heading: Callable[[Event], bool]) -> bool:
    """Same event restated: same type family, parties and place, compatible modes.

    A mode missing on one side is compatible when the place is named or one of them is
    a headline (the body names the weapon the headline leaves out); two body sentences
    with and without a mode and no place are kept apart ("la prise d'un village" vs "des
    drones ont frappé").
    """
    if a.type != b.type:
        return False  # a promise and a delivery are two facts
    if not _dates_compatible(a.date, b.date):
        return False  # two strikes on different days
    if _country(a.actor) != _country(b.actor):
        return False
    ta, tb = _country(a.target), _country(b.target)
    # within a family of cooperation types a missing recipient is a restatement
    # ("prévoit de livrer des armes" after "annonce l'envoi d'armes à l'Ukraine")
    if ta != tb and not (a.type in lex.dedup_family and (ta is None or tb is None)):
        return False
    values_a = {q.value for q in a.quantities if q.role == "value"}
    values_b = {q.value for q in b.quantities if q.role == "value"}
    if values_a and values_b and not values_a & values_b:
        return False  # two deals of different amounts
    la = a.location.name if a.location else None
    lb = b.location.name if b.location else None
    if la != lb:
        return False
    if a.mode == b.mode:
        return True
    if a.mode is None or b.mode is None:
        # a named place makes the restatement certain; else only a headline may omit it
        return la is not None or heading(a) or heading(b)
    return False


def _dates_compatible(a: FuzzyDate, b: FuzzyDate) -> bool:
    """Unknown dates agree with anything; else one date's period holds the other's."""
    ia, ib = a.iso(), b.iso()
    if ia is None or ib is None:
        return True
    return ia.startswith(ib) or ib.startswith(ia)


def dedupe(
    events: list[tuple[Event, bool]], lex: EventLexicon, headline_end: int, text: str = ""
) -> list[Event]:
    """Merge restatements of one event in an article; keep the best-placed mention.

    ``events`` pairs each event with whether its trigger is verbal (a verb, or an event
    noun under a host verb). Preference: body over headline, verbal over nominal, more
    attributes over fewer, first over later.
    """

    def rank(item: tuple[Event, bool]) -> tuple:
        event, verbal = item
        richness = (
            bool(event.quantities) + (event.location is not None) + (event.target is not None)
        )
        return (heading(event), not verbal, -richness, event.sentence.start)

    def heading(event: Event) -> bool:
        return _is_heading(event, headline_end, text)

    groups: list[list[tuple[Event, bool]]] = []
    for item in events:
        for group in groups:
            if _same(group[0][0], item[0], lex, heading):
                group.append(item)
                break
        else:
            groups.append([item])
    kept = []
    for items in groups:
        best = min(items, key=rank)[0]
        group = [event for event, _ in items]
        mode = best.mode or next((e.mode for e in group if e.mode), None)
        claimed = best.claimed_by or next((e.claimed_by for e in group if e.claimed_by), None)
        quantities = best.quantities or next((e.quantities for e in group if e.quantities), ())
        kept.append(replace(best, mode=mode, claimed_by=claimed, quantities=quantities))
    kept.sort(key=lambda e: (e.sentence.start, e.trigger.start))
    return kept


# ---------------------------------------------------------------------------
# Entry point


def extract_events(analysis: Analysis, pack: Any, kb: Any) -> list[Event]:
    """PLOVER events of one analysed article (``analysis.doc`` must be set)."""
    if analysis.doc is None:
        return []
    return _Extractor(analysis, pack, kb).run()
