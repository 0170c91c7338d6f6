"""Actor resolution: the actor (country + sector) a noun phrase denotes.

Shared by events, claims and aid. The rules, in order:

1. a linked entity at the head of the phrase ("Kiev" -> UKR GOV by metonymy, "l'OTAN" ->
   NATO, a person -> their country);
2. a linked entity or a demonym adjective inside the phrase, nearest the head first
   ("les forces de Kiev" -> UKR MIL, "des avions russes" -> RUS MIL, "le ministère russe
   de la Défense" -> RUS GOV);
3. a pronoun or a possessive ("ils", "ses défenses aériennes") -> the subject of the same
   sentence, else of the previous one.

The sector comes from the head noun (``lang/<code>/data/sectors.yaml``), else from the
entity. Only data files know the language; this module reads them through the pack.
"""

from __future__ import annotations

import functools
from collections import deque
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from veille.errors import DataFileError
from veille.extract.frames import load_frame_patterns
from veille.lang import get_pack, read_data_file
from veille.model import Actor, Analysis, EntityMention

SECTORS_FILE = "sectors.yaml"
# Organisations whose officials act for them, not for their own country (CAMEO IGO
# coding): a role id "NATO.secretary_general" makes its holder a NATO actor.
SUPRANATIONAL = frozenset({"NATO", "EU"})
# Dependencies that start another phrase or clause rather than modify this one.
_OUTSIDE_PHRASE = frozenset(
    {"acl:relcl", "relcl", "punct", "cc", "conj", "appos", "parataxis", "advcl", "ccomp"}
)
_MAX_DEPTH = 5


@dataclass(frozen=True)
class ActorLexicon:
    sectors: dict[str, str]
    actor_nouns: frozenset[str]
    pronouns: frozenset[str]
    possessives: frozenset[str]
    relational_nouns: frozenset[str] = frozenset()
    # inside a participle ("des drones lancés par X", "des débris tombés sur Y") only these
    # complements name who acts; the others say where or when (frames.yaml lists)
    agent_cases: frozenset[str] = frozenset()
    # "des missiles depuis la Biélorussie": where a thing comes from is not its country
    source_cases: frozenset[str] = frozenset()
    locating_participles: frozenset[str] = frozenset()


@functools.cache
def load_actor_lexicon(data_dir: Path) -> ActorLexicon:
    """Read ``sectors.yaml`` from a pack's data directory (once per process)."""
    path = data_dir / SECTORS_FILE
    data = read_data_file(path, "actor lexicon")
    if not isinstance(data, dict) or not isinstance(data.get("sectors"), dict):
        raise DataFileError("needs a 'sectors' mapping of noun -> sector", path=str(path))
    lists = load_frame_patterns(data_dir).lists
    return ActorLexicon(
        sectors={str(k).lower(): str(v) for k, v in data["sectors"].items()},
        actor_nouns=frozenset(str(w).lower() for w in data.get("actor_nouns") or ()),
        pronouns=frozenset(str(w).lower() for w in data.get("pronouns") or ()),
        possessives=frozenset(str(w).lower() for w in data.get("possessives") or ()),
        relational_nouns=frozenset(str(w).lower() for w in data.get("relational_nouns") or ()),
        agent_cases=lists.get("agent", frozenset()),
        source_cases=lists.get("source", frozenset()),
        locating_participles=lists.get("locating", frozenset()),
    )


def lexicon_for(analysis: Analysis) -> ActorLexicon:
    """The actor lexicon of the article's language pack."""
    code = analysis.article.language or getattr(analysis.doc, "lang_", None) or "fr"
    return load_actor_lexicon(get_pack(code).data_dir)


# ---------------------------------------------------------------------------
# Entities


def mention_at(analysis: Analysis, token: Any) -> EntityMention | None:
    """The linked mention covering ``token``, if any (longest first)."""
    start = token.idx
    # the same characters are asked about many times per article (every phrase walk):
    # answers kept per doc for the mention list they were read from
    data = getattr(analysis.doc, "user_data", None)
    if data is None:
        return _mention_at(analysis.entities, start)
    kept = data.get(_MENTIONS_AT_KEY)
    if kept is None or kept[0] is not analysis.entities:
        kept = data[_MENTIONS_AT_KEY] = (analysis.entities, {})
    answers = kept[1]
    if start not in answers:
        answers[start] = _mention_at(analysis.entities, start)
    return answers[start]


_MENTIONS_AT_KEY = "veille.mentions_at"


def _mention_at(mentions: list[EntityMention], start: int) -> EntityMention | None:
    best: EntityMention | None = None
    for mention in mentions:
        if mention.start <= start < mention.end and (
            best is None or mention.end - mention.start > best.end - best.start
        ):
            best = mention
    return best


def _kb_entity(kb: Any, kb_id: str | None) -> Any:
    if kb_id is None or not hasattr(kb, "get"):
        return None
    return kb.get(kb_id)


def supranational_role(entity: Any, on: date | None) -> str | None:
    """NATO/EU when the person held an office of that organisation on ``on``.

    With no date, only a person whose every office is in one organisation counts.
    """
    roles = getattr(entity, "roles", ()) or ()
    prefixes = {role.role.split(".", 1)[0] for role in roles}
    for role in roles:
        org = role.role.split(".", 1)[0]
        if org not in SUPRANATIONAL:
            continue
        if on is not None and role.covers(on):
            return org
        if on is None and prefixes == {org}:
            return org
    return None


def actor_from_mention(mention: EntityMention, kb: Any, on: date | None = None) -> Actor | None:
    """The actor a linked mention stands for; metonyms and roles follow ``refers_to``."""
    name, kb_id = mention.name, mention.kb_id
    country, sector = mention.country, mention.sector
    target = _kb_entity(kb, mention.refers_to)
    if target is not None:
        name, kb_id = target.name, target.id
        country = target.country or country
        sector = target.sector or sector
    elif (entity := _kb_entity(kb, kb_id)) is not None:
        country = country or entity.country
        sector = sector or entity.sector
        org = supranational_role(entity, on)
        if org is not None:
            country, sector = org, "IGO"
    if country is None:
        return None
    return Actor(text=mention.text, name=name, country=country, sector=sector, kb_id=kb_id)


def _is_weapon(mention: EntityMention, kb: Any) -> bool:
    entity = _kb_entity(kb, mention.kb_id)
    return str(getattr(entity, "kind", "")).startswith("weapon")


def demonym_country(token: Any, kb: Any) -> str | None:
    """Country of a demonym adjective ("ukrainiennes" -> UKR), via the KB."""
    if token.pos_ != "ADJ" or not hasattr(kb, "country_for_adjective"):
        return None
    return kb.country_for_adjective(token.text) or kb.country_for_adjective(token.lemma_)


def demonym_noun_country(token: Any, kb: Any) -> str | None:
    """Country of a people named by a capitalised demonym noun ("les Russes ont tiré",
    "les Ukrainiens") or a demonym the tagger took for a proper noun."""
    if (
        token.pos_ not in ("NOUN", "PROPN")
        or not token.text[:1].isupper()
        or not hasattr(kb, "country_for_adjective")
    ):
        return None
    return kb.country_for_adjective(token.text.lower()) or kb.country_for_adjective(
        token.lemma_.lower()
    )


# ---------------------------------------------------------------------------
# Phrases


def phrase_tokens(head: Any) -> list[Any]:
    """The head's own phrase: its subtree without relative clauses, appositions, conjuncts."""
    keep: list[Any] = []
    stack = [head]
    while stack:
        tok = stack.pop()
        keep.append(tok)
        stack.extend(c for c in tok.children if c.dep_ not in _OUTSIDE_PHRASE)
    return sorted(keep, key=lambda t: t.i)


def phrase_text(head: Any) -> str:
    """The head's phrase without the preposition that introduces it ("selon les
    procureurs" -> "les procureurs")."""
    tokens = phrase_tokens(head)
    case = {t.i for c in head.children if c.dep_ == "case" for t in c.subtree}
    while len(tokens) > 1 and tokens[0].i in case:  # "d'après": a case and its fixed word
        tokens = tokens[1:]
    doc = head.doc
    return doc[tokens[0].i : tokens[-1].i + 1].text if tokens else head.text


def _country_in_phrase(
    head: Any, analysis: Analysis, kb: Any, lexicon: ActorLexicon
) -> tuple[Actor | None, str | None]:
    """(entity actor, demonym country) nearest the head, breadth first.

    The complements of a relational head ("les alliés de l'Ukraine") are not searched, nor
    those of a participle but its agent ("des débris tombés sur un immeuble de Kiev").
    """
    queue: deque[tuple[Any, int]] = deque([(head, 0)])
    seen = {head.i}
    while queue:
        tok, depth = queue.popleft()
        mention = mention_at(analysis, tok)
        # a weapon's maker is not its user ("missiles ATACMS")
        if mention is not None and mention.label != "WEAPON" and not _is_weapon(mention, kb):
            actor = actor_from_mention(mention, kb, analysis.article.published.value)
            if actor is not None:
                return actor, None
        # "des drones russes" (the parser may call the adjective a clause: acl)
        if depth > 0 and tok.dep_ in ("amod", "acl"):
            country = demonym_country(tok, kb)
            if country:
                return None, country
        if depth == 0 and mention is None and (country := demonym_noun_country(tok, kb)):
            return None, country
        if depth >= _MAX_DEPTH:
            continue
        for child in tok.children:
            if child.i in seen or child.dep_ in _OUTSIDE_PHRASE:
                continue
            if child.dep_ == "acl" and "Inf" in child.morph.get("VerbForm"):
                continue  # "la décision d'accorder une aide à X": X is not the decision's
            if (
                depth == 0
                and child.dep_ == "nmod"
                and head.lemma_.lower() in lexicon.relational_nouns
            ):
                continue
            cases = {c.lower_ for c in child.children if c.dep_ == "case"}
            if cases & lexicon.source_cases:
                continue
            if (
                tok.dep_ == "acl"
                and "Part" in tok.morph.get("VerbForm")
                and tok.lemma_.lower() not in lexicon.locating_participles
                and not cases & lexicon.agent_cases
            ):
                continue
            # conjuncts inside the phrase ("de commandement et de contrôle des drones russes")
            seen.add(child.i)
            queue.append((child, depth + 1))
        if depth > 0:
            for child in tok.children:
                if child.dep_ == "conj" and child.i not in seen:
                    seen.add(child.i)
                    queue.append((child, depth + 1))
    return None, None


def _head_of(span_or_token: Any) -> Any:
    return span_or_token.root if hasattr(span_or_token, "root") else span_or_token


def resolve_actor(span_or_token: Any, analysis: Analysis, kb: Any) -> Actor | None:
    """The actor denoted by a noun phrase (a spaCy Span or its head Token), or None.

    Returns an Actor with ``country=None`` when the phrase names an actor kind ("les
    autorités") but no country can be found; ``None`` when it is not an actor at all.
    """
    return _resolve(_head_of(span_or_token), analysis, kb, allow_fallback=True)


def _resolve(head: Any, analysis: Analysis, kb: Any, *, allow_fallback: bool) -> Actor | None:
    lexicon = lexicon_for(analysis)
    lemma = head.lemma_.lower()
    # the tagger sometimes calls a capitalised place name a pronoun: a mention wins
    if (head.pos_ == "PRON" or lemma in lexicon.pronouns) and mention_at(analysis, head) is None:
        if not allow_fallback or lemma not in lexicon.pronouns:
            return None
        return subject_fallback(head, analysis, kb)
    sector = lexicon.sectors.get(lemma)
    entity_actor, country = _country_in_phrase(head, analysis, kb, lexicon)
    text = phrase_text(head)
    if entity_actor is not None:
        head_mention = mention_at(analysis, head)
        if head_mention is not None or sector is None:
            return Actor(
                text=text,
                name=entity_actor.name,
                country=entity_actor.country,
                sector=entity_actor.sector,
                kb_id=entity_actor.kb_id,
            )
        # "les forces de Kiev": the head noun gives the sector, the entity the country
        return Actor(text=text, name=text, country=entity_actor.country, sector=sector)
    if country is not None:
        return Actor(text=text, name=text, country=country, sector=sector)
    if sector is None and lemma not in lexicon.actor_nouns:
        return None
    if allow_fallback:
        owner = actor_from_possessive(head, analysis, kb)
        if owner is not None:
            return Actor(text=text, name=text, country=owner.country, sector=sector or owner.sector)
    return Actor(text=text, name=text, country=None, sector=sector)


def actor_from_possessive(head: Any, analysis: Analysis, kb: Any) -> Actor | None:
    """The possessor of "ses défenses" / "leurs forces": the sentence's (or previous) subject."""
    lexicon = lexicon_for(analysis)
    for child in head.children:
        if child.dep_ == "det" and (
            "Poss=Yes" in str(child.morph) or child.lemma_.lower() in lexicon.possessives
        ):
            return subject_fallback(head, analysis, kb)
    return None


def _clause_subject(verb: Any) -> Any | None:
    for child in verb.children:
        if child.dep_ in ("nsubj", "nsubj:pass"):
            return child
    return None


def _subjects_in(sent: Any) -> list[Any]:
    """Subjects of the sentence's main verb, then of its complement clauses, in order."""
    found = []
    for tok in sent:
        if tok.dep_ in ("nsubj", "nsubj:pass") and tok.head.dep_ in ("ROOT", "ccomp", "xcomp"):
            found.append(tok)
    root = sent.root
    main = _clause_subject(root)
    if main is not None and main in found:
        found.remove(main)
        found.insert(0, main)
    return found


def subject_fallback(token: Any, analysis: Analysis, kb: Any) -> Actor | None:
    """The actor of the nearest earlier subject with a country: this sentence, then the last."""
    sent = token.sent
    for subject in _subjects_in(sent):
        if subject.i >= token.i or token in list(subject.subtree):
            continue
        actor = _resolve(subject, analysis, kb, allow_fallback=False)
        if actor is not None and actor.country is not None:
            return actor
    if sent.start == 0:
        return None
    previous = token.doc[sent.start - 1].sent
    for subject in _subjects_in(previous):
        actor = _resolve(subject, analysis, kb, allow_fallback=False)
        if actor is not None and actor.country is not None:
            return actor
    return None
