"""The event trigger lexicon (``events.yaml``): trigger verbs and nouns with their PLOVER
type, mode and argument constraints, word classes, target slots, conflict dyads."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.extract.aid_lexicon import load_aid_lexicon
from veille.extract.frames import load_frame_patterns
from veille.lang import read_data_file
from veille.model import Modality

EVENTS_FILE = "events.yaml"
# Class name meaning "resolves to an actor with a country" rather than a word list.
ACTOR_CLASS = "actor"


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
    needs_clause: bool = False
    reflexive: bool = False  # a trigger only with a reflexive clitic ("se rendre")
    destination: bool = False  # the target is the country the actor goes to


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
    cause_locutions: frozenset[str]  # "à la suite de", "lors de": a cause that happened
    cause_cases: frozenset[str]  # "après une frappe"
    origin_cases: dict[str, frozenset[str]]  # "se retirer de X": X is where it happened
    symmetric: frozenset[str]
    location_cases: frozenset[str]
    partitive_cases: frozenset[str]
    agent_cases: frozenset[str]
    noun_actor_cases: frozenset[str]
    dyad_other: dict[str, str]
    dyad_actor_types: frozenset[str]
    dyad_target_types: frozenset[str]
    supply_request_types: frozenset[str]
    keep_without_parties: frozenset[str]
    actor_optional_types: frozenset[str]
    object_event_types: frozenset[str]
    target_hosts: frozenset[str]
    dedup_family: dict[str, int]
    contractions: dict[str, str]
    locative_cases: frozenset[str]
    instrument_cases: frozenset[str]
    future_types: dict[str, str]
    commitment_governors: frozenset[str]
    drop_modalities: frozenset[Modality]
    quantity_roles: dict[str, str]
    instrument_locutions: frozenset[str] = frozenset()
    place_anaphora: dict[str, frozenset[str]] = field(default_factory=dict)
    anaphora_sentences: int = 2
    situating_nouns: frozenset[str] = frozenset()
    # "des drones lancés depuis la Russie": where something comes from is not where the
    # event happens
    source_cases: frozenset[str] = frozenset()
    # "lors d'une réunion à Varsovie": the occasion's place is the event's
    occasion_adverbs: frozenset[str] = frozenset()
    occasion_cases: frozenset[str] = frozenset()
    partner_slots: frozenset[str] = frozenset({"avec", "entre", "obj"})
    # "une attaque de Kiev": a seat of government after these is the author, not a place
    owner_cases: frozenset[str] = frozenset({"de"})
    # "l'ennemi", "l'occupant": the other side of the speaker who says it
    enemy_nouns: frozenset[str] = frozenset()
    speaker_pronouns: frozenset[str] = frozenset()
    sequel_modifiers: frozenset[str] = frozenset()
    country_anaphora: frozenset[str] = frozenset()

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
    "needs_clause": "needs_clause",
    "reflexive": "reflexive",
    "destination": "destination",
}


def norm_case(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def contract(case: str, contractions: dict[str, str]) -> str:
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
    data = read_data_file(path, "event trigger lexicon")

    def words(key: str) -> frozenset[str]:
        return frozenset(norm_case(str(w)) for w in data.get(key) or ())

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
    verbs = _rules(data.get("verbs"), path, "verbs")
    for lemma, spec in load_aid_lexicon(data_dir).verb_triggers.items():
        if spec.event:  # transfer verbs are listed once, in aid.yaml
            verbs.setdefault(lemma, TriggerRule(lemma=lemma, type=spec.event, object_class="aid"))
    nouns = _rules(data.get("nouns"), path, "nouns")
    # the quantity nouns are kept once, with the frame patterns that read through them
    classes.setdefault(
        "quantifier", load_frame_patterns(data_dir).lists.get("quantifier", frozenset())
    )
    lexicon = EventLexicon(
        verbs=verbs,
        nouns=nouns,
        noun_hosts={str(k): v for k, v in (data.get("noun_hosts") or {}).items()},
        noun_subject_hosts=words("noun_subject_hosts"),
        weapon_hosts=words("weapon_hosts"),
        classes=classes,
        instruments={str(k).lower(): str(v) for k, v in (data.get("instruments") or {}).items()},
        cause_locutions=words("cause_locutions"),
        cause_cases=words("cause_cases"),
        origin_cases={
            t: frozenset(str(c) for c in cases)
            for t, cases in (data.get("origin_cases") or {}).items()
        },
        target_slots={
            str(t): tuple(norm_case(str(s)) for s in slots)
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
        supply_request_types=frozenset(data.get("supply_request_types") or ()),
        keep_without_parties=frozenset(data.get("keep_without_parties") or ()),
        actor_optional_types=frozenset(data.get("actor_optional_types") or ()),
        object_event_types=frozenset(data.get("object_event_types") or ()),
        target_hosts=words("target_hosts"),
        dedup_family=family,
        contractions={
            norm_case(str(k)): norm_case(str(v))
            for k, v in (data.get("contractions") or {}).items()
        },
        locative_cases=words("locative_cases"),
        instrument_cases=words("instrument_cases"),
        future_types={str(k): str(v) for k, v in (data.get("future_types") or {}).items()},
        commitment_governors=words("commitment_governors"),
        drop_modalities=drop,
        quantity_roles={str(k): str(v) for k, v in (data.get("quantity_roles") or {}).items()},
        instrument_locutions=words("instrument_locutions"),
        place_anaphora={
            str(k).lower(): frozenset(str(kind) for kind in kinds)
            for k, kinds in (data.get("place_anaphora") or {}).items()
        },
        anaphora_sentences=int(data.get("anaphora_sentences", 2)),
        situating_nouns=words("situating_nouns"),
        source_cases=load_frame_patterns(data_dir).lists.get("source", frozenset()),
        occasion_adverbs=words("occasion_adverbs"),
        occasion_cases=words("occasion_cases"),
        partner_slots=words("partner_slots") or frozenset({"avec", "entre", "obj"}),
        owner_cases=words("owner_cases") or frozenset({"de"}),
        enemy_nouns=words("enemy_nouns"),
        speaker_pronouns=words("speaker_pronouns"),
        sequel_modifiers=words("sequel_modifiers"),
        country_anaphora=words("country_anaphora"),
    )
    for rule in (*lexicon.verbs.values(), *lexicon.nouns.values()):
        for name in (rule.object_class, rule.subject_class, rule.intercept_class):
            if name is not None and name not in classes and name != ACTOR_CLASS:
                raise DataFileError(f"{rule.lemma}: unknown class {name!r}", path=str(path))
    return lexicon
