"""Entity recognition and linking to the knowledge base.

``add_entity_ruler`` puts a phrase ruler built from every KB name and alias after the
statistical NER. Where a KB name overlaps an NER span, the KB span wins (it fixes labels
and boundaries: "Patriot" is a weapon, not a person; "ministère russe de la Défense" is one
organisation), except a place or thing inside a person's name ("Vladimir Saldo"); elsewhere
the NER spans stay. Matches whose case contradicts the KB name
("congrès" vs "Congrès", "ap" vs "AP") are dropped.

``link_entities`` turns ``doc.ents`` into :class:`veille.model.EntityMention` objects:
linked to a KB id when possible, with in-document short forms ("Bauer" after "Rob Bauer"),
metonymy (capitals and seats of power acting as their government) and role phrases
("le président américain" -> the holder on the publication date). The language-specific
cues come from the language pack's ``entity_patterns.yaml`` and ``roles.yaml``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from veille.enrich.short_names import short_org_names
from veille.errors import DataFileError
from veille.extract.aid_lexicon import give_lemmas
from veille.extract.screens import has_special_fold
from veille.kb import KBEntity, KnowledgeBase, normalize
from veille.lang import read_data_file
from veille.model import EntityMention, EntityType, FuzzyDate, Precision
from veille.spacy_utils import doc_text

RULER_NAME = "veille_kb_ruler"
_NER_LABELS = {
    "PER": EntityType.PER,
    "PERSON": EntityType.PER,
    "ORG": EntityType.ORG,
    "LOC": EntityType.LOC,
    "GPE": EntityType.LOC,
    "MISC": EntityType.MISC,
    "WEAPON": EntityType.WEAPON,
}
# Families ("drone", "artillerie") are common nouns: kept in the KB for lookups by the
# extraction stages, but not tagged as entities in running text.
_NOT_IN_TEXT_KINDS = frozenset({"weapon_family"})


# ---------------------------------------------------------------------------
# The ruler


def kb_patterns(kb: KnowledgeBase) -> list[dict[str, str]]:
    """One phrase pattern per (entity, surface form); the pattern id is the KB id."""
    patterns = []
    for entity in kb:
        if entity.kind in _NOT_IN_TEXT_KINDS:
            continue
        seen: set[str] = set()
        for form in _text_variants(entity):
            key = form.lower()
            if key in seen or len(form) < 2:
                continue
            seen.add(key)
            patterns.append({"label": entity.type.value, "pattern": form, "id": entity.id})
    return patterns


def _text_variants(entity: KBEntity) -> list[str]:
    """Names and aliases plus their typographic-apostrophe twins ("l'Ukraine" / "l’Ukraine").

    The canonical English name is searched only when it is also listed among the names:
    "Archer" or "Victoria" are canonical names, not words to tag in French text.
    """
    listed = [n for names in entity.names.values() for n in names] + list(entity.aliases)
    forms = []
    for form in dict.fromkeys(listed):
        forms.append(form)
        if "'" in form:
            forms.append(form.replace("'", "\u2019"))
        elif "\u2019" in form:
            forms.append(form.replace("\u2019", "'"))
    return forms


def add_entity_ruler(nlp: Any, kb: KnowledgeBase) -> None:
    """Add the KB phrase ruler after ``ner`` (or last when the pipeline has no NER)."""
    if RULER_NAME in nlp.pipe_names:
        return
    where = {"after": "ner"} if "ner" in nlp.pipe_names else {}
    ruler = nlp.add_pipe(
        "span_ruler",
        name=RULER_NAME,
        config={
            "spans_key": None,
            "annotate_ents": True,
            "overwrite": False,
            "phrase_matcher_attr": "LOWER",
            "validate": False,
        },
        **where,
    )
    patterns = kb_patterns(kb)
    forms: dict[tuple[str, str], list[str]] = {}
    for entity in kb:  # every spelling, for the case check ("Otan" and "OTAN")
        for form in _text_variants(entity):
            forms.setdefault((entity.id, form.lower()), []).append(form)
    ruler.ents_filter = _KBFirstFilter(forms)
    # Patterns are tokenised by the components before the ruler; only the tokenizer is needed.
    with nlp.select_pipes(enable=[RULER_NAME]):
        ruler.add_patterns(patterns)


_PERSON_LABELS = frozenset({"PER", "PERSON"})


def _inside(span, person) -> bool:
    """A non-person KB match strictly inside a person's name ("Vladimir" in "Vladimir Saldo")."""
    return (
        span.label_ not in _PERSON_LABELS
        and person.start <= span.start
        and span.end <= person.end
        and (span.start, span.end) != (person.start, person.end)
    )


class _KBFirstFilter:
    """``ents_filter`` for the ruler: case-checked KB matches win over overlapping NER spans."""

    def __init__(self, forms: dict[tuple[str, str], list[str]]) -> None:
        self.forms = forms

    def __call__(self, entities, spans):
        from spacy.util import filter_spans

        people = [e for e in entities if e.label_ in _PERSON_LABELS]
        matches = filter_spans(
            [s for s in spans if self.case_ok(s) and not any(_inside(s, p) for p in people)]
        )
        taken = set()
        for span in matches:
            taken.update(range(span.start, span.end))
        kept = [e for e in entities if not any(i in taken for i in range(e.start, e.end))]
        return kept + matches

    def case_ok(self, span) -> bool:
        text = span.text
        forms = self.forms.get((span.id_, text.lower()), ())
        if text in forms:
            return True
        for form in forms:
            acronym = form.isupper() and len(form.replace("-", "")) <= 6
            if acronym and not text.isupper():
                continue  # "ap", "Ue": not the acronym
            if form[0].isupper() and text[0].islower() and " " not in form:
                continue  # "congrès du parti" is not the Congress; multi-word names are specific
            return True
        return False


# ---------------------------------------------------------------------------
# Language cues


@dataclass(frozen=True)
class _Office:
    office: str
    pattern: re.Pattern[str]
    generic: bool
    single_word: bool
    first_word: str  # folded, for a quick substring test


@dataclass(frozen=True)
class _Cues:
    actor_deps: frozenset[str]
    actor_case_markers: frozenset[str]
    actor_heads: frozenset[str]
    recipient_case_markers: frozenset[str]
    recipient_heads: frozenset[str]
    strip_prefixes: tuple[str, ...]
    junk: frozenset[str]
    offices: tuple[_Office, ...]
    role_aliases: dict[str, str]
    of_marker: re.Pattern[str]
    capital: re.Pattern[str] | None
    not_current: re.Pattern[str] | None
    apposition: tuple[re.Pattern[str], ...]
    counterpart: re.Pattern[str] | None = None  # "son homologue chinois"
    nominal: re.Pattern[str] | None = None  # "la raffinerie de pétrole de Volgograd"
    nominal_types: dict[str, EntityType] | None = None  # folded head -> type
    nominal_stop: frozenset[str] = frozenset()


def _noun_then_demonym(nouns: list[str]) -> re.Pattern[str] | None:
    """One of these nouns and the word after it, named "adj" ("la capitale ukrainienne",
    "son homologue chinois"); None without nouns."""
    if not nouns:
        return None
    return re.compile(
        r"(?<![\w-])(?:" + "|".join(map(re.escape, nouns)) + r")\s+(?P<adj>[^\W\d_][\w-]*)",
        re.IGNORECASE,
    )


def _phrase_regex(words: list[str]) -> str:
    return r"\s+".join(re.escape(w).replace("'", "['’]\\s*") for w in words)


@lru_cache(maxsize=8)
def _cues(data_dir: Path) -> _Cues:
    patterns = read_data_file(data_dir / "entity_patterns.yaml", "entity patterns")
    roles = read_data_file(data_dir / "roles.yaml", "role titles")
    offices = []
    for entry in roles.get("offices", []):
        try:
            office, phrases = entry["office"], entry["patterns"]
        except (KeyError, TypeError):
            raise DataFileError(
                f"office entry {entry!r} needs 'office' and 'patterns'",
                path=str(data_dir / "roles.yaml"),
            ) from None
        for phrase in phrases:
            words = _fold(phrase).split()  # matched against the folded text: "Etat" = "État"
            # An optional demonym after the first word, and another after the whole phrase.
            first = _phrase_regex(words[:1])
            rest = _phrase_regex(words[1:])
            body = first + r"(?:\s+(?P<adj1>[^\W\d_][\w-]*))?"
            if rest:
                body += r"\s+" + rest
            regex = rf"(?<![\w-]){body}(?![\w-])(?:\s+(?P<adj2>[^\W\d_][\w-]*))?"
            offices.append(
                _Office(
                    office,
                    re.compile(regex, re.IGNORECASE),
                    bool(entry.get("generic")),
                    len(words) == 1,
                    words[0].split("'")[0],
                )
            )
    # Longest phrases first so "vice-président" wins over "président".
    offices.sort(key=lambda o: -len(o.pattern.pattern))
    markers = sorted(roles.get("of_markers", []), key=len, reverse=True)
    of_marker = re.compile(
        r"\s+(?:" + "|".join(_phrase_regex(m.split()) for m in markers) + r")\s*"
        if markers
        else r"(?!)",
        re.IGNORECASE,
    )
    capital = _noun_then_demonym(patterns.get("capital_nouns") or [])
    not_current_words = [_fold(w) for w in roles.get("not_current") or []]
    not_current = (
        re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, not_current_words)) + r")[\s-]*$")
        if not_current_words
        else None
    )
    try:
        apposition = tuple(re.compile(p) for p in roles.get("apposition") or [])
    except re.error as exc:
        raise DataFileError(f"apposition: {exc}", path=str(data_dir / "roles.yaml")) from None
    # matched against the folded text, as role phrases are
    counterpart = _noun_then_demonym([_fold(w) for w in roles.get("counterpart") or []])
    nominal, nominal_types = _nominal_regex(patterns, data_dir)
    return _Cues(
        counterpart=counterpart,
        nominal=nominal,
        nominal_types=nominal_types,
        nominal_stop=frozenset(_fold(w) for w in patterns.get("nominal_stop_words") or []),
        not_current=not_current,
        apposition=apposition,
        capital=capital,
        actor_deps=frozenset(patterns.get("actor_deps", [])),
        actor_case_markers=frozenset(patterns.get("actor_case_markers", [])),
        actor_heads=frozenset(patterns.get("actor_heads", [])),
        recipient_case_markers=frozenset(patterns.get("recipient_case_markers", [])),
        recipient_heads=frozenset(patterns.get("recipient_heads", [])) | give_lemmas(data_dir),
        strip_prefixes=tuple(patterns.get("strip_prefixes", [])),
        junk=frozenset(normalize(j) for j in patterns.get("junk", [])),
        offices=tuple(offices),
        role_aliases=dict(roles.get("aliases") or {}),
        of_marker=of_marker,
    )


_NAME_WORD = r"[A-ZÀ-ÖØ-Þ][\w'’-]*"


def _nominal_regex(
    patterns: dict[str, Any], data_dir: Path
) -> tuple[re.Pattern[str] | None, dict[str, EntityType]]:
    """One regex for every ``nominal_names`` head: head, lowercase words, de + Name."""
    types: dict[str, EntityType] = {}
    for entry in patterns.get("nominal_names") or []:
        try:
            kind = EntityType(entry["type"])
            heads = list(entry["heads"])
        except (KeyError, TypeError, ValueError):
            raise DataFileError(
                f"nominal_names entry {entry!r} needs 'type' (PER, ORG, LOC, ...) and 'heads'",
                path=str(data_dir / "entity_patterns.yaml"),
            ) from None
        types.update((_fold(h), kind) for h in heads)
    if not types:
        return None, types
    listed = [h for entry in patterns["nominal_names"] for h in entry["heads"]]
    heads = "|".join(_phrase_regex(h.split()) for h in sorted(listed, key=len, reverse=True))
    regex = (
        rf"(?<![\w-])(?P<head>(?i:{heads}))(?P<mid>(?:\s+[a-zà-ÿ][\w-]*){{0,4}}?)"
        rf"(?P<de>\s+(?:de\s+la\s+|de\s+l['’]\s*|du\s+|des\s+|de\s+|d['’]\s*))"
        rf"(?P<name>{_NAME_WORD}(?:[ -]{_NAME_WORD})*)"
    )
    return re.compile(regex), types


def _nominal_names(
    text: str, kb: KnowledgeBase, cues: _Cues, mentions: list[EntityMention]
) -> tuple[list[EntityMention], set[int]]:
    """Institutions and sites named by a common noun, and the ids of the unlinked NER
    mentions inside them (fragments such as "Défense" to drop)."""
    if cues.nominal is None or cues.nominal_types is None:
        return [], set()
    found: list[EntityMention] = []
    fragments: set[int] = set()
    for match in cues.nominal.finditer(text):
        start, end = match.span()
        mid = match.group("mid").split()
        if any(_fold(w) in cues.nominal_stop for w in mid):
            continue
        inside = [m for m in mentions if start <= m.start and m.end <= end]
        covering = [m for m in mentions if m.start <= start and end <= m.end and m.kb_id]
        if covering or any(m.label is EntityType.PER for m in inside):
            continue  # the KB names it already; "service de presse de <person>" is no name
        if any(m.start < start < m.end or m.start < end < m.end for m in mentions if m.kb_id):
            continue  # crosses a KB name
        country = next(filter(None, map(kb.country_for_adjective, mid)), None)
        place = next((m for m in inside if m.kb_id and m.label is EntityType.LOC), None)
        if country is None and place is not None:
            country = place.country
        name = _normalise_spaces(text[start:end])
        if place is not None:
            # The mention spans "raffinerie de pétrole" only: the place keeps its own
            # mention, which the extraction stages read as the location.
            end = match.start("de")
        found.append(
            EntityMention(
                start,
                end,
                text[start:end],
                cues.nominal_types[_fold(match.group("head"))],
                name,
                country=country,
                resolved_by="pattern",
            )
        )
        fragments.update(id(m) for m in inside if not m.kb_id)
    return found, fragments


def _normalise_spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _cues_for(doc) -> _Cues | None:
    from veille.lang import get_pack

    try:
        pack = get_pack(doc.lang_)
    except KeyError:
        return None
    return _cues(Path(pack.data_dir))


# ---------------------------------------------------------------------------
# Linking


def link_entities(doc, kb: KnowledgeBase, published: FuzzyDate) -> list[EntityMention]:
    """Every entity mention of ``doc``, linked to the KB or given a normalised name."""
    cues = _cues_for(doc)
    mentions: list[EntityMention] = []
    surnames: dict[str, tuple[str, KBEntity | None]] = {}
    for ent in doc.ents:
        ent = _trim_span(ent)
        if ent is None or _is_junk(ent, cues):
            continue
        mention = _link_span(ent, kb, cues, surnames)
        if mention is None:
            continue
        mentions.append(mention)
        mentions.extend(_nested_parent(mention, kb))
        if mention.label is EntityType.PER and mention.resolved_by != "short-form":
            _remember_surname(mention, kb, surnames)
    text = doc_text(doc)  # built from the tokens once per doc, shared by the stages
    mentions.extend(_missed_short_forms(text, mentions, surnames))
    if cues is not None:
        roles = _named_holders(_role_mentions(text, kb, cues, published), mentions, kb, cues, text)
        # An unlinked NER fragment inside a role phrase ("État" in "secrétaire d'État").
        mentions = [
            m
            for m in mentions
            if m.kb_id or not any(r.start <= m.start and m.end <= r.end for r in roles)
        ]
        mentions.extend(roles)
        mentions.extend(_counterparts(text, kb, cues, published, mentions))
        mentions.extend(_capital_descriptions(text, kb, cues, mentions))
        nominal, fragments = _nominal_names(text, kb, cues, mentions)
        mentions = [m for m in mentions if id(m) not in fragments] + nominal
        mentions.extend(short_org_names(text, _fold, kb, cues.offices, cues.of_marker, mentions))
    mentions.sort(key=lambda m: (m.start, -m.end))
    return mentions


def _trim_span(ent):
    """Drop leading determiners/prepositions and trailing punctuation the NER swallowed."""
    if ent.ent_id_:
        return ent
    start, end = ent.start, ent.end
    while start < end - 1 and ent.doc[start].pos_ in {"ADP", "DET"}:
        start += 1
    while end > start + 1 and ent.doc[end - 1].is_punct:
        end -= 1
    if (start, end) == (ent.start, ent.end):
        return ent
    from spacy.tokens import Span

    return Span(ent.doc, start, end, label=ent.label)


def _is_junk(ent, cues: _Cues | None) -> bool:
    text = ent.text
    if "\n\n" in text or not text.strip():
        return True
    if cues is not None and normalize(text) in cues.junk:
        return True
    letters = [c for c in text if c.isalpha()]
    if not letters or any(len(t) > 30 for t in ent):
        return True  # punctuation, or an encoded blob (URL, base64) the NER took for a name
    tagged = ent.doc.has_annotation("POS")
    if tagged and not ent.ent_id_ and not any(t.pos_ == "PROPN" or t.is_upper for t in ent):
        return True  # "Usines", "Contexte stratégique": capitalised common words, headings
    # ALL-CAPS teaser fragments; short acronyms (OTAN, ATACMS) are names.
    return bool(text.isupper() and not ent.ent_id_ and (len(text.split()) > 1 or len(letters) > 6))


def _link_span(ent, kb: KnowledgeBase, cues, surnames) -> EntityMention | None:
    ner_label = _NER_LABELS.get(ent.label_, EntityType.MISC)
    entity: KBEntity | None = kb.get(ent.ent_id_) if ent.ent_id_ else None
    if entity is None:
        entity = _best(kb.lookup(ent.text), ner_label)
    name = _clean_name(ent.text, cues)
    if entity is None and name != ent.text:
        entity = _best(kb.lookup(name), ner_label)
    if entity is None:
        # "les Russes", "les Occidentaux": a people named by its demonym is its country.
        entity = kb.entity_for_adjective(name) if name[:1].isupper() else None
    if entity is None:
        short = surnames.get(normalize(name)) if len(name.split()) <= 2 else None
        if short is not None:  # "Bauer" after "Rob Bauer", whatever label the NER chose
            full_name, person = short
            if person is not None:
                return _mention(ent, person, "short-form")
            return EntityMention(
                ent.start_char,
                ent.end_char,
                ent.text,
                EntityType.PER,
                full_name,
                resolved_by="short-form",
            )
        if not name:
            return None
        return EntityMention(ent.start_char, ent.end_char, ent.text, ner_label, name)
    mention = _mention(ent, entity, "kb")
    government = kb.get(entity.seat_of) if entity.seat_of else None
    # A seat of power always stands for its government; a capital only when it acts.
    acts = government is not None and (entity.kind == "seat" or _acts(ent, cues))
    if acts:
        mention = replace(
            mention,
            country=government.country or entity.country,
            sector="GOV",
            refers_to=government.id,
            resolved_by="metonymy",
        )
    return mention


def _nested_parent(mention: EntityMention, kb: KnowledgeBase) -> list[EntityMention]:
    """The parent organisation named inside a name ("OTAN" in "Comité militaire de l'OTAN")."""
    entity = kb.get(mention.kb_id) if mention.kb_id else None
    parent = kb.get(entity.parent) if entity and entity.parent else None
    if parent is None:
        return []
    folded = _fold(mention.text)
    for form in sorted(_text_variants(parent), key=len, reverse=True):
        match = re.search(rf"(?<![\w-]){re.escape(_fold(form))}(?![\w-])", folded)
        if match and match.end() - match.start() < len(mention.text):
            start = mention.start + match.start()
            end = mention.start + match.end()
            surface = mention.text[match.start() : match.end()]
            return [kb_mention(parent, start, end, surface, "kb")]
    return []


def _mention(ent, entity: KBEntity, resolved_by: str) -> EntityMention:
    return kb_mention(entity, ent.start_char, ent.end_char, ent.text, resolved_by)


def kb_mention(
    entity: KBEntity, start: int, end: int, surface: str, resolved_by: str
) -> EntityMention:
    """A mention of a knowledge-base entity at [start, end) of the text."""
    return EntityMention(
        start,
        end,
        surface,
        entity.type,
        entity.name,
        kb_id=entity.id,
        country=entity.country,
        sector=entity.sector,
        resolved_by=resolved_by,
        lat=entity.lat,
        lon=entity.lon,
    )


def _best(candidates: list[KBEntity], ner_label: EntityType) -> KBEntity | None:
    if not candidates:
        return None
    for entity in candidates:  # already most prominent first
        if entity.type is ner_label:
            return entity
    return candidates[0]


def _clean_name(text: str, cues: _Cues | None) -> str:
    name = " ".join(text.replace("\u2019", "'").split()).strip(" \t\"'«»“”()[],.;:!?-")
    if cues is not None:
        lowered = name.lower()
        for prefix in cues.strip_prefixes:
            if lowered.startswith(prefix) and len(name) > len(prefix):
                name = name[len(prefix) :].strip()
                break
    return name


def _acts(ent, cues: _Cues | None) -> bool:
    """Is this place name used as an actor (subject, agent, "avec X", "les forces de X")?"""
    if cues is None:
        return False
    root = ent.root
    token = root
    if token.dep_ == "conj":  # "entre Kiev et Moscou", "Kiev et Washington ont signé"
        token = token.head
    if token.dep_ in cues.actor_deps:
        return True
    cases = {c.lower_ for c in token.children if c.dep_ == "case"}
    if cases & cues.actor_case_markers:
        return True
    if cases & cues.recipient_case_markers and (
        token.head.lemma_ in cues.recipient_heads or token.head.head.lemma_ in cues.recipient_heads
    ):
        return True
    if not cases & {"de", "d'", "d’", "du"}:
        return False
    # "une attaque de drones de Kiev": the parser may hang "de Kiev" on the event noun
    # rather than on the noun right before it; the words as written decide
    before = token.doc[token.i - 2] if token.i >= 2 else None
    return token.head.lower_ in cues.actor_heads or (
        before is not None and before.lower_ in cues.actor_heads
    )


def _remember_surname(mention: EntityMention, kb: KnowledgeBase, surnames) -> None:
    words = mention.name.split()
    if len(words) < 2:
        return
    person = kb.get(mention.kb_id) if mention.kb_id else None
    for size in (1, 2):
        if len(words) > size:
            surnames.setdefault(normalize(" ".join(words[-size:])), (mention.name, person))
    # The surface form may be the French spelling of a KB person ("Sergueï Choïgou").
    surface = mention.text.split()
    if len(surface) >= 2:
        surnames.setdefault(normalize(surface[-1]), (mention.name, person))


def _missed_short_forms(text: str, mentions: list[EntityMention], surnames) -> list[EntityMention]:
    """Surnames of people named earlier that the NER did not tag ("a déclaré Bauer")."""
    if not surnames:
        return []
    covered = set()
    first_seen: dict[str, int] = {}
    for m in mentions:
        covered.update(range(m.start, m.end))
        if m.label is EntityType.PER:
            first_seen.setdefault(m.name, m.start)
    # A regex over the text: iterating spaCy tokens costs more than the whole search.
    words = sorted((key for key in surnames if " " not in key), key=len, reverse=True)
    if not words:
        return []
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words)) + r")(?![\w-])")
    found = []
    for match in pattern.finditer(_fold(text)):
        start, end = match.span()
        surface = text[start:end]
        if start in covered or not surface[:1].isupper():
            continue
        full_name, person = surnames[match.group(1)]
        if first_seen.get(full_name, len(text)) > start:
            continue  # only after the full name was introduced
        found.append(
            EntityMention(
                start,
                end,
                surface,
                EntityType.PER,
                full_name,
                kb_id=person.id if person else None,
                country=person.country if person else None,
                sector=person.sector if person else None,
                resolved_by="short-form",
            )
        )
    return found


@lru_cache(maxsize=16)  # an article's text is folded by several passes
def _fold(text: str) -> str:
    """Lower-case, accent-free text of the same length, so offsets stay valid."""
    return text.translate(_FOLDED)


class _FoldTable(dict[int, str]):
    """``str.translate`` table: each character's fold, computed the first time it is met."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLDED = _FoldTable()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return (unicodedata.normalize("NFKD", char)[:1] or char).lower()[:1] or char


def _capital_descriptions(
    text: str, kb: KnowledgeBase, cues: _Cues, mentions: list[EntityMention]
) -> list[EntityMention]:
    """ "la capitale ukrainienne" -> Kyiv (the country's capital in the KB)."""
    if cues.capital is None:
        return []
    found = []
    for match in cues.capital.finditer(text):
        country = kb.country_for_adjective(match.group("adj"))
        city = kb.capital_of(country) if country else None
        if city is None or any(m.start <= match.start() < m.end for m in mentions):
            continue
        found.append(kb_mention(city, match.start(), match.end(), match.group(0), "kb"))
    return found


# ---------------------------------------------------------------------------
# Role phrases


def _role_mentions(
    text: str, kb: KnowledgeBase, cues: _Cues, published: FuzzyDate
) -> list[EntityMention]:
    known_roles = set(kb.roles())
    taken: list[tuple[int, int]] = []
    found = []
    folded = _fold(text)  # same length as text: offsets carry over
    literal = not has_special_fold(folded)
    for office in cues.offices:
        if office.first_word not in folded:
            continue  # cheap test before the regex
        for match in _office_matches(office, folded, literal):
            start = match.start()
            if any(s <= start < e for s, e in taken):
                continue
            role, end = _resolve_role(match, office, kb, cues, folded)
            if role is None:
                continue
            role = cues.role_aliases.get(role, role)
            if role not in known_roles:
                continue
            taken.append((start, end))
            current = cues.not_current is None or not cues.not_current.search(
                folded[max(0, start - 20) : start]
            )
            holder = _holder(kb, role, published) if current else None
            found.append(_role_mention(text, start, end, role, holder, _role_country(role, holder)))
    return found


def _office_matches(office: _Office, folded: str, literal: bool) -> Iterator[re.Match[str]]:
    """``office.pattern.finditer(folded)``, the pattern tried only where its first word is.

    Every match starts with the first word, and in folded text (lower case) without
    characters that ``re`` folds specially (``literal``) the case-insensitive pattern
    matches that word exactly where ``str.find`` finds it: the same matches, without
    scanning the whole text with the regex (~25 us an office and article).
    """
    if not literal or not office.first_word:
        yield from office.pattern.finditer(folded)
        return
    word, find, match = office.first_word, folded.find, office.pattern.match
    pos = 0
    while (at := find(word, pos)) >= 0:
        found = match(folded, at)
        if found is None:
            pos = at + 1
            continue
        yield found
        pos = found.end()


def _role_mention(
    text: str,
    start: int,
    end: int,
    role: str | None,
    holder: KBEntity | None,
    country: str | None,
) -> EntityMention:
    """A person named by an office: its holder on the date if known, else the phrase."""
    return EntityMention(
        start,
        end,
        text[start:end],
        EntityType.PER,
        holder.name if holder else " ".join(text[start:end].split()),
        country=country,
        sector=holder.sector if holder else None,
        role=role,
        refers_to=holder.id if holder else None,
        resolved_by="role",
    )


def _counterparts(
    text: str,
    kb: KnowledgeBase,
    cues: _Cues,
    published: FuzzyDate,
    mentions: list[EntityMention],
) -> list[EntityMention]:
    """ "son homologue chinois": the same office as the person met, in the demonym's country.

    The office is that of the nearest person named before in the sentence (a role phrase,
    or a KB person's office on the publication date), so "le ministre russe des Affaires
    étrangères a rencontré son homologue chinois" finds China's foreign minister. With no
    such person, or an office the KB does not know in that country, the mention is still an
    actor of that country.
    """
    if cues.counterpart is None:
        return []
    found = []
    folded = _fold(text)
    for match in cues.counterpart.finditer(folded):
        country = kb.country_for_adjective(match.group("adj"))
        if country is None or any(m.start <= match.start() < m.end for m in mentions):
            continue
        start, end = match.start(), match.end()
        sentence_start = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
        office = None
        for person in sorted(mentions, key=lambda m: -m.start):
            if person.label is EntityType.PER and sentence_start <= person.start < start:
                office = _office_of(person, kb, published)
                if office:
                    break
        role = cues.role_aliases.get(f"{country}.{office}", f"{country}.{office}")
        holder = _holder(kb, role, published) if office else None
        known = office is not None and role in set(kb.roles())
        found.append(_role_mention(text, start, end, role if known else None, holder, country))
    return found


def _office_of(person: EntityMention, kb: KnowledgeBase, published: FuzzyDate) -> str | None:
    """The office part of a person's role ("RUS.foreign_minister" -> "foreign_minister")."""
    role = person.role
    if role is None and person.kb_id and published.value is not None:
        entity = kb.get(person.kb_id)
        held = [r.role for r in entity.roles if r.covers(published.value)] if entity else []
        role = held[0] if held else None
    return role.split(".", 1)[1] if role and "." in role else None


def _named_holders(
    roles: list[EntityMention], mentions: list[EntityMention], kb: KnowledgeBase, cues, text: str
) -> list[EntityMention]:
    """A KB person named right beside a role phrase, who held that role, is its holder.

    "le secrétaire d'État américain Antony Blinken" resolves without a publication date, and
    "l'ancien président américain Barack Obama" resolves to Obama, not today's president.
    """
    people = [m for m in mentions if m.label is EntityType.PER and m.kb_id]
    resolved = []
    for role in roles:
        for person in people:
            if person.end <= role.start:
                between = text[person.end : role.start]
            elif person.start >= role.end:
                between = text[role.end : person.start]
            else:
                continue
            if len(between) > 6 or not any(p.search(between) for p in cues.apposition):
                continue
            entity = kb.get(person.kb_id)
            if entity is not None and any(r.role == role.role for r in entity.roles):
                role = replace(
                    role,
                    name=entity.name,
                    refers_to=entity.id,
                    sector=entity.sector,
                    country=_role_country(role.role or "", entity),
                )
                break
        resolved.append(role)
    return resolved


def _role_country(role: str, holder: KBEntity | None) -> str | None:
    """Whom the office acts for: "le secrétaire général de l'OTAN" speaks for NATO."""
    prefix = role.split(".", 1)[0]
    if _ACTOR_CODE.match(prefix):
        return prefix
    return holder.country if holder else None


_ACTOR_CODE = re.compile(r"^([A-Z]{3}|NATO|EU)$")


def _resolve_role(match, office: _Office, kb: KnowledgeBase, cues: _Cues, text: str):
    """(role id, end offset) of an office phrase with its country slot, or (None, 0)."""
    adj1, adj2 = match.group("adj1"), match.group("adj2")
    if adj1:
        country = kb.country_for_adjective(adj1)
        if country:  # "le ministre russe de la Défense", "le président américain"
            return f"{country}.{office.office}", _trim(
                text, match.start("adj2")
            ) if adj2 else match.end()
        if not office.single_word:
            return None, 0  # "ministre adjoint de la Défense": another office
        end = _trim(text, match.start("adj1"))
    else:
        if adj2 and kb.country_for_adjective(adj2):  # "le ministre de la Défense russe"
            return f"{kb.country_for_adjective(adj2)}.{office.office}", match.end("adj2")
        end = _trim(text, match.start("adj2")) if adj2 else match.end()
    marker = cues.of_marker.match(text, end)
    if marker is None:
        return None, 0
    tail = text[marker.end() : marker.end() + 80]
    words = list(re.finditer(r"[\w'’-]+", tail))
    for size in range(min(5, len(words)), 0, -1):
        candidate = tail[: words[size - 1].end()]
        for entity in kb.lookup(candidate):
            role = _role_of(entity, office)
            if role:
                return role, marker.end() + words[size - 1].end()
    return None, 0


def _role_of(entity: KBEntity, office: _Office) -> str | None:
    """The office of "<office> de <entity>": the entity's head role or its country's office."""
    if entity.head_role and (office.generic or entity.country is None):
        return entity.head_role
    if entity.country and entity.kind in {"country", "government", "seat", "ministry"}:
        return f"{entity.country}.{office.office}"
    return entity.head_role


def _trim(text: str, end: int) -> int:
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


def _end_without(match, group: str) -> int:
    return match.start(group) if match.group(group) else match.end()


def _holder(kb: KnowledgeBase, role: str, published: FuzzyDate) -> KBEntity | None:
    """Holder on the publication date; at month precision only if one person held it all month."""
    day = published.value
    if day is None or published.precision in (Precision.UNKNOWN, Precision.YEAR):
        return None
    if published.precision is Precision.MONTH:
        first = day.replace(day=1)
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        holder = kb.role_holder(role, first)
        return holder if holder is not None and holder == kb.role_holder(role, last) else None
    return kb.role_holder(role, day)
