"""The aid lexicon (``aid.yaml``): trigger verbs and nouns with their frame role, status
cues, aid and item nouns, kind and mechanism cues."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.extract.units import normalise_quotes
from veille.lang import read_data_file
from veille.model import (
    AidStatus,
)

AID_FILE = "aid.yaml"
_ROLES = frozenset({"give", "receive", "negotiate"})


@dataclass(frozen=True)
class TriggerSpec:
    role: str  # give | receive | negotiate
    past: AidStatus | None = None
    present: AidStatus | None = None
    future: AidStatus | None = None
    qualified: bool = False  # needs money or a concrete aid noun under it
    event: str | None = None  # the PLOVER event a verb also triggers (events read it here)
    verb: str | None = None  # the verb a trigger noun names ("don" -> "donner")
    # the agent of a negotiation about it gives ("négocie la vente de canons"): a sale is
    # the seller's, where a delivery or aid may be negotiated by either side
    seller: bool = False


@dataclass(frozen=True)
class CueRule:
    label: str
    any_of: frozenset[str]
    all_of: frozenset[str]

    def matches(self, lemmas: set[str]) -> bool:
        if self.all_of and not self.all_of <= lemmas:
            return False
        return not self.any_of or bool(self.any_of & lemmas)


@dataclass(frozen=True)
class AidLexicon:
    verb_triggers: dict[str, TriggerSpec]
    noun_triggers: dict[str, TriggerSpec]
    aid_nouns: frozenset[str]
    item_nouns: frozenset[str]
    item_generic_heads: frozenset[str]
    status_cues: dict[str, AidStatus]
    reflexive_status_cues: dict[str, AidStatus]
    conditional_status: AidStatus | None
    blockers: frozenset[str]
    mechanisms: tuple[CueRule, ...]
    kinds: tuple[CueRule, ...]
    hedges: tuple[str, ...]
    hedge_window: int
    counterparts: dict[str, dict[str, tuple[tuple[str, ...], ...]]]
    partner_markers: tuple[tuple[str, ...], ...]
    object_recipient_markers: tuple[tuple[str, ...], ...]
    anaphoric_determiners: frozenset[str]
    contractions: dict[str, str]
    transparent_nouns: frozenset[str]
    negators: frozenset[str]
    future_auxiliaries: frozenset[str]
    idioms: tuple[tuple[str, str], ...]
    things: frozenset[str]  # deal, aid and status nouns: never an actor
    # nouns of prepositional locutions the parser reads as nouns ("au profit de")
    locution_nouns: frozenset[str] = frozenset()
    # adverbs and adjectives of a joint purchase ("acheter conjointement avec X")
    joint_cues: frozenset[str] = frozenset()
    # number words after an elided object ("en fournira un autre", "en achète six")
    count_words: dict[str, int] = field(default_factory=dict)
    elided_window: int = 3
    # modifiers that make a deal noun another deal than the one before ("une autre aide")
    distinct_modifiers: frozenset[str] = frozenset()
    # verbs whose object is a part of their aid subject ("l'aide comprend un prêt")
    inclusion_verbs: frozenset[str] = frozenset()
    # recipients that pass the aid on: a gift to them is aid to the article's recipient
    intermediaries: frozenset[str] = frozenset()
    # group actors whose approval is their institution's ("EUROPE" -> "EU")
    approving_bodies: dict[str, str] = field(default_factory=dict)
    # the conditional by its form: endings after the future stem, irregular stems
    conditional_endings: tuple[str, ...] = ()
    conditional_stems: dict[str, frozenset[str]] = field(default_factory=dict)
    # verbs whose conditional is an expectation, not a hypothesis ("devrait livrer")
    expectation_verbs: frozenset[str] = frozenset()
    # verbs that with a trigger noun as complement say its verb ("faire don de")
    support_verbs: frozenset[str] = frozenset()
    # "pour soutenir l'économie ukrainienne": a purpose clause whose object names who is
    # helped names the recipient (verbs, and the words that open such a clause)
    purpose_verbs: frozenset[str] = frozenset()
    purpose_marks: frozenset[str] = frozenset()
    # the pack's data directory: its frames.yaml gives the arguments of a trigger
    data_dir: Path = Path(".")


def _status(value: Any, where: str, path: Path) -> AidStatus | None:
    if value is None:
        return None
    try:
        return AidStatus(value)
    except ValueError:
        raise DataFileError(f"{where}: unknown status '{value}'", path=str(path)) from None


def _event_type(value: Any, where: str, path: Path) -> str | None:
    from veille.model import PLOVER_EVENT_TYPES

    if value is not None and value not in PLOVER_EVENT_TYPES:
        raise DataFileError(f"{where}: event must be a PLOVER type, got {value!r}", path=str(path))
    return value


def give_lemmas(data_dir: Path) -> frozenset[str]:
    """The verbs and unqualified nouns that name giving ("livrer", "l'aide"): the one list of
    them, which entity linking also reads ("livrer des missiles à Kiev": Kiev receives)."""
    lexicon = load_aid_lexicon(data_dir)
    triggers = (*lexicon.verb_triggers.items(), *lexicon.noun_triggers.items())
    return frozenset(k for k, spec in triggers if spec.role == "give" and not spec.qualified)


def _specs(data: Any, key: str, path: Path) -> dict[str, TriggerSpec]:
    if not isinstance(data, dict):
        raise DataFileError(f"'{key}' must map lemmas to {{role, ...}}", path=str(path))
    out = {}
    for lemma, spec in data.items():
        if not isinstance(spec, dict) or spec.get("role") not in _ROLES:
            raise DataFileError(
                f"{key}.{lemma}: role must be one of {sorted(_ROLES)}", path=str(path)
            )
        out[str(lemma).lower()] = TriggerSpec(
            role=spec["role"],
            past=_status(spec.get("past"), f"{key}.{lemma}", path),
            present=_status(spec.get("present"), f"{key}.{lemma}", path),
            future=_status(spec.get("future"), f"{key}.{lemma}", path),
            qualified=bool(spec.get("qualified", False)),
            event=_event_type(spec.get("event"), f"{key}.{lemma}", path),
            verb=str(spec["verb"]).lower() if spec.get("verb") else None,
            seller=bool(spec.get("seller", False)),
        )
    return out


def _rules(data: Any, key: str, path: Path) -> tuple[CueRule, ...]:
    out = []
    for n, rule in enumerate(data or [], start=1):
        label = rule.get(key) if isinstance(rule, dict) else None
        if not label:
            raise DataFileError(f"{key}s entry {n} needs '{key}'", path=str(path))
        out.append(
            CueRule(
                label=str(label),
                any_of=frozenset(str(w).lower() for w in rule.get("any_of") or ()),
                all_of=frozenset(str(w).lower() for w in rule.get("all_of") or ()),
            )
        )
    return tuple(out)


def _seqs(data: Any, contractions: dict[str, str] | None = None) -> tuple[tuple[str, ...], ...]:
    """Marker sequences, with contractions undone as they are on the text's side
    ("au profit de" -> ("à", "profit", "de"))."""
    undo = contractions or {}
    return tuple(tuple(undo.get(str(w).lower(), str(w).lower()) for w in seq) for seq in data or ())


@functools.cache
def load_aid_lexicon(data_dir: Path) -> AidLexicon:
    """Read ``aid.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / AID_FILE
    data = read_data_file(path, "aid lexicon")
    status_cues: dict[str, AidStatus] = {}
    reflexive: dict[str, AidStatus] = {}
    for word, status in (data.get("status_cues") or {}).items():
        value = _status(status, f"status_cues.{word}", path)
        if value is None:
            continue
        word = str(word).lower()
        if word.startswith("s'"):
            reflexive[word[2:]] = value
        else:
            status_cues[word] = value
    contractions = {
        str(k).lower(): str(v).lower() for k, v in (data.get("contractions") or {}).items()
    }
    counterparts = {
        role: {party: _seqs(seqs, contractions) for party, seqs in (parties or {}).items()}
        for role, parties in (data.get("counterparts") or {}).items()
    }
    verb_triggers = _specs(data.get("verb_triggers"), "verb_triggers", path)
    noun_triggers = _specs(data.get("noun_triggers"), "noun_triggers", path)
    for lemma, spec in noun_triggers.items():
        if spec.verb is not None and spec.verb not in verb_triggers:
            raise DataFileError(
                f"noun_triggers.{lemma}: verb '{spec.verb}' is not in verb_triggers",
                path=str(path),
            )
    return AidLexicon(
        data_dir=Path(data_dir),
        support_verbs=frozenset(str(w).lower() for w in data.get("support_verbs") or ()),
        purpose_verbs=frozenset(str(w).lower() for w in data.get("purpose_verbs") or ()),
        purpose_marks=frozenset(str(w).lower() for w in data.get("purpose_marks") or ()),
        locution_nouns=frozenset(str(w).lower() for w in data.get("locution_nouns") or ()),
        joint_cues=frozenset(str(w).lower() for w in data.get("joint_cues") or ()),
        count_words={str(k).lower(): int(v) for k, v in (data.get("count_words") or {}).items()},
        elided_window=int(data.get("elided_window", 3)),
        expectation_verbs=frozenset(str(w).lower() for w in data.get("expectation_verbs") or ()),
        conditional_endings=tuple(str(w) for w in data.get("conditional_endings") or ()),
        conditional_stems={
            str(k).lower(): frozenset(
                str(v).lower() for v in (vs if isinstance(vs, list) else [vs])
            )
            for k, vs in (data.get("conditional_stems") or {}).items()
        },
        intermediaries=frozenset(str(w) for w in data.get("intermediaries") or ()),
        approving_bodies={str(k): str(v) for k, v in (data.get("approving_bodies") or {}).items()},
        inclusion_verbs=frozenset(str(w).lower() for w in data.get("inclusion_verbs") or ()),
        distinct_modifiers=frozenset(str(w).lower() for w in data.get("distinct_modifiers") or ()),
        verb_triggers=verb_triggers,
        noun_triggers=noun_triggers,
        aid_nouns=frozenset(str(w).lower() for w in data.get("aid_nouns") or ()),
        item_nouns=frozenset(str(w).lower() for w in data.get("item_nouns") or ()),
        item_generic_heads=frozenset(str(w).lower() for w in data.get("item_generic_heads") or ()),
        status_cues=status_cues,
        reflexive_status_cues=reflexive,
        conditional_status=_status(data.get("conditional_status"), "conditional_status", path),
        blockers=frozenset(str(w).lower().removeprefix("s'") for w in data.get("blockers") or ()),
        mechanisms=_rules(data.get("mechanisms"), "mechanism", path),
        kinds=_rules(data.get("kinds"), "kind", path),
        hedges=tuple(normalise_quotes(str(h)).lower() for h in data.get("hedges") or ()),
        hedge_window=int(data.get("hedge_window", 40)),
        counterparts=counterparts,
        partner_markers=_seqs(data.get("partner_markers"), contractions),
        object_recipient_markers=_seqs(data.get("object_recipient_markers"), contractions),
        anaphoric_determiners=frozenset(
            str(w).lower() for w in data.get("anaphoric_determiners") or ()
        ),
        negators=frozenset(str(w).lower() for w in data.get("negators") or ()),
        future_auxiliaries=frozenset(str(w).lower() for w in data.get("future_auxiliaries") or ()),
        transparent_nouns=frozenset(str(w).lower() for w in data.get("transparent_nouns") or ()),
        idioms=tuple((str(a).lower(), str(b).lower()) for a, b in data.get("idioms") or ()),
        contractions=contractions,
        things=frozenset(
            [*(data.get("noun_triggers") or {}), *(data.get("aid_nouns") or ())]
            + [w for w in (data.get("status_cues") or {}) if not str(w).startswith("s'")]
        ),
    )
