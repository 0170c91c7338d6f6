"""Claim lexicons: cue verbs and phrases, speaker nouns and labels (``claims.yaml``), and
the article's own verification phrases (``verification.yaml``)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.extract.event_lexicon import load_event_lexicon
from veille.extract.screens import Screen
from veille.extract.units import (
    normalise_quotes,
)
from veille.lang import read_data_file
from veille.model import (
    Verification,
)

CLAIMS_FILE = "claims.yaml"
VERIFICATION_FILE = "verification.yaml"
_TAKES = frozenset({"que", "inf", "obj", "quote", "agent"})
_KINDS = frozenset({"report", "opinion"})


@dataclass(frozen=True)
class CueSpec:
    kind: str  # report | opinion
    takes: frozenset[str]  # que, inf, obj, quote
    phrase: str | None = None  # a multiword cue's name ("faire savoir")


@dataclass(frozen=True)
class ClaimLexicon:
    cues: dict[str, CueSpec]
    reflexive_cues: dict[str, CueSpec]  # "s'attendre" stored under "attendre"
    complementizers: frozenset[str]
    condition_marks: frozenset[str]
    complementizer_window: int
    anonymous_sources: frozenset[str]
    speaker_nouns: frozenset[str]
    speech_products: frozenset[str]
    anaphoric_pronouns: frozenset[str]
    person_roles: frozenset[str]
    same_words: frozenset[str]
    owner_markers: frozenset[str]
    # role noun -> KB role id suffixes it names ("président" -> president)
    role_suffixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # English labels for unnamed group speakers: noun lemma -> (singular, plural)
    label_nouns: dict[str, tuple[str, str]] = field(default_factory=dict)
    label_adjectives: dict[str, str] = field(default_factory=dict)
    demonyms: dict[str, str] = field(default_factory=dict)  # ISO code -> English demonym
    channel_markers: frozenset[str] = frozenset()  # "le ministère sur Telegram"
    # speakers that speak for a place ("le gouverneur", "les autorités", "l'usine"): without
    # a country of their own they take the country of the places around the statement
    local_speakers: frozenset[str] = frozenset()
    # event nouns (from the pack's event lexicon): announcing one's own "envoi", "aide" or
    # "frappe" is an event the speaker makes, not a claim about the world
    action_nouns: frozenset[str] = frozenset()
    # "n'a pas confirmé" is no claim; "a démenti" is one, negative by itself
    negative_cues: frozenset[str] = frozenset()
    context_sentences: int = 2
    # how many sentences after a statement a bare quotation still continues it
    quote_continuation: int = 2
    # multiword cues: each lemma -> ((other lemmas), spec) ("faire savoir", "faire état")
    phrase_cues: dict[str, tuple[tuple[tuple[str, ...], CueSpec], ...]] = field(
        default_factory=dict
    )
    # demonstratives that a cleft cue hangs on ("C'est ce qu'a annoncé X")
    cleft_pronouns: frozenset[str] = frozenset()
    # speech nouns whose owner speaks ("l'affirmation de Kiev selon laquelle ...")
    noun_cues: dict[str, CueSpec] = field(default_factory=dict)
    # the pack's data directory: cues read their arguments from its frame patterns
    data_dir: Path = Path()
    # words that may stand between a cue and its quotation ("qualifier de « ... »")
    quote_openers: frozenset[str] = frozenset()
    # a group code a demonym gives -> the codes of speakers it covers ("européen": EU)
    country_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @functools.cached_property
    def speaker_heads(self) -> frozenset[str]:
        """Nouns that head a speaker phrase."""
        return self.speaker_nouns | self.anonymous_sources | self.local_speakers | self.person_roles


@dataclass(frozen=True)
class VerificationRule:
    pattern: re.Pattern[str]
    status: Verification
    target: str  # claimant | opponent


@dataclass(frozen=True)
class VerificationRules:
    rules: tuple[VerificationRule, ...]
    window_nearest: int
    window_named: int
    priority: tuple[Verification, ...]
    resumptive: tuple[str, ...]
    # which rules may match a sentence, told by substrings (most sentences: none)
    screen: Screen = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "screen", Screen([rule.pattern for rule in self.rules]))


def _read_yaml(path: Path) -> dict[str, Any]:
    return read_data_file(path, "lexicon file")


def _words(data: dict[str, Any], key: str, path: Path) -> frozenset[str]:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise DataFileError(f"'{key}' must be a list of words", path=str(path))
    return frozenset(str(w).lower() for w in value)


def _noun_cues(data: dict[str, Any], path: Path) -> dict[str, CueSpec]:
    raw = data.get("noun_cues") or {}
    if not isinstance(raw, dict) or not all(kind in _KINDS for kind in raw.values()):
        raise DataFileError(
            f"'noun_cues' must map nouns to a kind ({', '.join(sorted(_KINDS))})", path=str(path)
        )
    return {str(noun).lower(): CueSpec(str(kind), frozenset()) for noun, kind in raw.items()}


@functools.cache
def load_claim_lexicon(data_dir: Path) -> ClaimLexicon:
    """Read ``claims.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / CLAIMS_FILE
    data = _read_yaml(path)
    cues: dict[str, CueSpec] = {}
    reflexive: dict[str, CueSpec] = {}
    raw_cues = data.get("cues")
    if not isinstance(raw_cues, dict) or not raw_cues:
        raise DataFileError("'cues' must map verb lemmas to {kind, takes}", path=str(path))
    phrases: dict[str, list[tuple[tuple[str, ...], CueSpec]]] = {}
    raw_phrases = data.get("phrase_cues") or {}
    if not isinstance(raw_phrases, dict):
        raise DataFileError("'phrase_cues' must map phrases to {kind, takes}", path=str(path))
    for lemma, spec in [*raw_cues.items(), *raw_phrases.items()]:
        if not isinstance(spec, dict):
            raise DataFileError(f"cue '{lemma}' must be a mapping", path=str(path))
        kind = spec.get("kind")
        takes = frozenset(spec.get("takes") or ())
        if kind not in _KINDS or not takes or not takes <= _TAKES:
            raise DataFileError(
                f"cue '{lemma}': kind must be one of {sorted(_KINDS)} and takes a non-empty "
                f"subset of {sorted(_TAKES)}",
                path=str(path),
            )
        word = str(lemma).lower()
        if lemma in raw_phrases:
            words = word.split()
            if len(words) < 2:
                raise DataFileError(f"phrase cue '{lemma}' needs two words", path=str(path))
            # indexed by each word: the parser may make either one the head
            for head in words:
                others = tuple(w for w in words if w != head)
                phrases.setdefault(head, []).append((others, CueSpec(kind, takes, word)))
        elif word.startswith(("s'", "se ")):
            reflexive[word.split("'", 1)[-1].removeprefix("se ")] = CueSpec(kind, takes)
        else:
            cues[word] = CueSpec(kind, takes)
    roles = data.get("person_roles") or {}
    if isinstance(roles, list):
        roles = {str(r): [] for r in roles}
    labels = data.get("speaker_labels") or {}
    if not isinstance(roles, dict) or not isinstance(labels, dict):
        raise DataFileError("'person_roles' and 'speaker_labels' must be mappings", path=str(path))
    label_nouns: dict[str, tuple[str, str]] = {}
    for noun, forms in (labels.get("nouns") or {}).items():
        if not isinstance(forms, list) or len(forms) != 2:
            raise DataFileError(f"label noun '{noun}' needs [singular, plural]", path=str(path))
        label_nouns[str(noun).lower()] = (str(forms[0]), str(forms[1]))
    return ClaimLexicon(
        cues=cues,
        reflexive_cues=reflexive,
        complementizers=_words(data, "complementizers", path),
        condition_marks=_words(data, "condition_marks", path),
        complementizer_window=int(data.get("complementizer_window", 8)),
        anonymous_sources=_words(data, "anonymous_sources", path),
        speaker_nouns=_words(data, "speaker_nouns", path),
        speech_products=_words(data, "speech_products", path),
        anaphoric_pronouns=_words(data, "anaphoric_pronouns", path),
        person_roles=frozenset(str(r).lower() for r in roles),
        role_suffixes={str(k).lower(): tuple(str(x) for x in v or ()) for k, v in roles.items()},
        label_nouns=label_nouns,
        label_adjectives={
            str(k).lower(): str(v) for k, v in (labels.get("adjectives") or {}).items()
        },
        demonyms={str(k).upper(): str(v) for k, v in (labels.get("demonyms") or {}).items()},
        channel_markers=_words(data, "channel_markers", path),
        phrase_cues={k: tuple(v) for k, v in phrases.items()},
        same_words=_words(data, "same_words", path),
        owner_markers=_words(data, "owner_markers", path),
        local_speakers=_words(data, "local_speakers", path),
        action_nouns=frozenset(load_event_lexicon(data_dir).nouns)
        | _words(data, "action_nouns", path),
        negative_cues=_words(data, "negative_cues", path),
        cleft_pronouns=_words(data, "cleft_pronouns", path),
        noun_cues=_noun_cues(data, path),
        data_dir=data_dir,
        country_groups={
            str(k).upper(): tuple(str(c).upper() for c in v or ())
            for k, v in (data.get("country_groups") or {}).items()
        },
        quote_openers=frozenset(normalise_quotes(w) for w in _words(data, "quote_openers", path)),
        context_sentences=int(data.get("context_sentences", 2)),
        quote_continuation=int(data.get("quote_continuation", 2)),
    )


@functools.cache
def load_verification_rules(data_dir: Path) -> VerificationRules:
    """Read ``verification.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / VERIFICATION_FILE
    data = _read_yaml(path)
    rules = []
    for n, rule in enumerate(data.get("rules") or [], start=1):
        try:
            pattern = re.compile(rule["pattern"], re.IGNORECASE)
            status = Verification(rule["status"])
            target = rule["target"]
        except (KeyError, TypeError, ValueError, re.error) as exc:
            raise DataFileError(f"rule {n}: {exc!r}", path=str(path)) from None
        if target not in ("claimant", "opponent"):
            raise DataFileError(f"rule {n}: target must be claimant or opponent", path=str(path))
        rules.append(VerificationRule(pattern, status, target))
    try:
        priority = tuple(Verification(p) for p in data.get("priority") or ())
    except ValueError as exc:
        raise DataFileError(f"priority: {exc}", path=str(path)) from None
    return VerificationRules(
        rules=tuple(rules),
        window_nearest=int(data.get("window_nearest", 2)),
        window_named=int(data.get("window_named", 4)),
        priority=priority or tuple(Verification),
        resumptive=tuple(normalise_quotes(str(r)).lower() for r in data.get("resumptive") or ()),
    )
