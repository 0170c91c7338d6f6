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

from pathlib import Path
from typing import Any

from veille.extract.actors import demonym_country, load_actor_lexicon, resolve_actor
from veille.extract.event_attributes import AttributesMixin
from veille.extract.event_checks import ChecksMixin
from veille.extract.event_completion import CompletionMixin
from veille.extract.event_dedup import dedupe
from veille.extract.event_draft import Draft
from veille.extract.event_lexicon import TriggerRule, load_event_lexicon
from veille.extract.event_parties import PartiesMixin
from veille.extract.event_places import PlacesMixin
from veille.extract.frames import frame_at
from veille.extract.modality import (
    ModalityLexicon,
    analyze_clause,
    load_modality_lexicon,
    noun_modality,
)
from veille.extract.syntax import (
    CORE_DEPS,
    case_of,
    children_with,
    generic_plural,
    governing_verb,
    headline_end,
    is_heading_text,
    is_passive,
    obliques,
    sentence_units,
    with_conjuncts,
)
from veille.model import (
    Actor,
    Analysis,
    Event,
)
from veille.spacy_utils import doc_text


class _Extractor(ChecksMixin, CompletionMixin, PartiesMixin, PlacesMixin, AttributesMixin):
    def __init__(self, analysis: Analysis, pack: Any, kb: Any) -> None:
        self.analysis = analysis
        self.kb = kb
        self.doc = analysis.doc
        self.pack = pack
        self.data_dir = Path(pack.data_dir)
        self.lex = load_event_lexicon(self.data_dir)
        self.mod: ModalityLexicon = load_modality_lexicon(Path(pack.data_dir))
        self.actors = load_actor_lexicon(Path(pack.data_dir))
        self.units = sentence_units(self.doc)
        # heads of the phrases that gave the current draft its parties: "fournir à Kiev"
        # names a recipient, not a place (reset for each trigger)
        self.party_tokens: set[int] = set()
        # the phrases that named the author of an event noun ("l'attaque de Moscou contre
        # X"): never its place, even for an assault (reset with party_tokens)
        self.author_tokens: set[int] = set()
        self.headline_end = headline_end(analysis.article.text)
        self.drafts: list[Draft] = []  # verb drafts so far, for anaphora
        self.target_slot: str | None = None  # the slot that gave the last target

    def case(self, token: Any) -> str:
        return case_of(token, self.lex.contractions)

    # -- actors -------------------------------------------------------------

    def verb_rule(self, verb: Any) -> TriggerRule | None:
        return self.lex.verbs.get(verb.lemma_.lower())

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
                self.party_tokens, self.author_tokens = set(), set()
                draft = self.verb_event(tok, rule, consumed)
                if draft is not None:
                    draft.party_tokens = self.party_tokens
                    draft.author_tokens = self.author_tokens
                    drafts.append(draft)
                    produced.add(tok.i)
        for tok in nouns:
            if tok.i in consumed or tok.i in skipped:
                continue
            rule = self.lex.nouns.get(tok.lemma_.lower())
            self.party_tokens, self.author_tokens = set(), set()
            if rule is not None:
                draft = self.noun_event(tok, rule, produced)
            elif tok.lemma_.lower() in self.lex.instruments and tok.head.i not in produced:
                draft = self.weapon_event(tok)
            else:
                continue
            if draft is not None:
                draft.party_tokens = self.party_tokens
                draft.author_tokens = self.author_tokens
                drafts.append(draft)
                consumed.add(tok.i)
        # an infinitive event under another event's trigger is part of that event
        # ("autoriser l'Ukraine à utiliser"): the governing event stands for both
        drafts = [d for d in drafts if not self._governed_by(d, produced)]
        events: list[tuple[Event, bool]] = []
        last_of_type: dict[str, Draft] = {}
        sequels: set[str] = set()
        for draft in sorted(drafts, key=lambda d: d.trigger.i):
            self.finish(draft)
            sequel = self._is_sequel(draft) and draft.type in last_of_type
            if sequel:
                self._continue(draft, last_of_type[draft.type])
            elif self._refers_back(draft) and draft.type in last_of_type:
                continue  # "l'accord" after the agreement was told: a restatement
            if self.keep(draft):
                drafted = self.to_events(draft)
                events.extend((event, draft.verbal) for event in drafted)
                last_of_type[draft.type] = draft
                if sequel:
                    sequels.update(event.id for event in drafted)
        text = self.analysis.article.text
        return dedupe(events, self.lex, self.headline_end, text, frozenset(sequels))

    def _heading_tokens(self) -> set[int]:
        skipped: set[int] = set()
        text = doc_text(self.doc)
        for first, last in dict.fromkeys(self.units):
            start, end = self.doc[first].idx, self.doc[last].idx + len(self.doc[last])
            if is_heading_text(text[start:end]):
                skipped.update(range(first, last + 1))
        return skipped

    def verb_event(self, verb: Any, rule: TriggerRule, consumed: set[int]) -> Draft | None:
        lex = self.lex
        event_noun = None
        if verb.dep_ == "acl":
            allowed, event_noun = self._acl_allowed(verb, rule)
            if not allowed:
                return None
        if rule.needs_clause and not children_with(verb, "ccomp"):
            return None
        if rule.reflexive and not any(
            c.pos_ == "PRON" and "Reflex=Yes" in c.morph for c in verb.children
        ):
            return None
        clause = analyze_clause(verb, self.mod, bounds=self.units[verb.i])
        if not clause.reportable:
            return None
        passive = is_passive(verb) and event_noun is None
        subj_tok = clause.subject if not passive else None
        if subj_tok is None and not passive:
            subj_tok = next(iter(children_with(verb, "nsubj:pass")), None)
        if event_noun is not None:
            subj_tok = event_noun
        if passive:
            frame = frame_at(self.doc, self.data_dir, verb)
            subj_tok = frame.arg("agent") or next(
                (
                    c
                    for c, case in obliques(verb, lex.contractions)
                    if case in lex.agent_cases and c.pos_ in ("NOUN", "PROPN", "PRON")
                ),
                None,
            )
        if subj_tok is None and not passive:
            subj_tok = frame_at(self.doc, self.data_dir, verb).arg(
                "subject"
            ) or self._misattached_subject(verb)
        if subj_tok is not None and event_noun is None:
            # "une série de frappes russes a touché X": what the quantity noun counts
            subj_tok = self.counted(subj_tok)
        obj_tok = self._object(verb, passive)
        calls_for = rule.with_infinitive is not None and self._calls_for(verb)
        if (
            rule.object_class
            and not calls_for
            and not (rule.object_class == "actor" and self._reciprocal(verb, subj_tok))
            and (
                obj_tok is None
                or not any(self.in_class(o, rule.object_class) for o in with_conjuncts(obj_tok))
            )
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
        if passive and obj_tok is not None and obj_tok.lemma_.lower() in lex.nouns:
            draft.noun = obj_tok  # "l'accord a été conclu": the event noun it reports
        draft.clause_verbs = {verb.i, *(g.i for g in clause.governors)}
        # interception: the attacker is whoever sent what was intercepted
        if (
            rule.intercept_class
            and obj_tok is not None
            and lex.in_class(obj_tok, rule.intercept_class)
        ):
            consumed.update(t.i for t in obj_tok.subtree)
            return self.interception(verb, draft, subj_tok, obj_tok, clause)
        if calls_for:
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
            draft.noun = event_noun
            noun_rule = lex.nouns[event_noun.lemma_.lower()]
            draft.type = noun_rule.type
            weapon_mode = self.instrument_mode([event_noun]) if draft.type == "ASSAULT" else None
            draft.mode = noun_rule.mode or weapon_mode or draft.mode
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
            draft.generic_subject = draft.actor is None and (
                resolve_actor(subj_tok, self.analysis, self.kb) is None
            )
            if draft.actor is None and rule.subject_only:
                # "La force a tenté d'atterrir": the force of the previous sentence's event
                draft.actor = self.previous_actor(verb, draft.type)
        slots = lex.target_slots.get(draft.type, ())
        self.target_slot = None
        draft.target = self.slot_party(verb, slots, obj_tok, exclude=subj_tok)
        addressees = [obj_tok] if obj_tok is not None else []
        addressees += [c for c, case in obliques(verb, lex.contractions) if case == "à"]
        draft.party_object = any(
            a.lemma_.lower() in self.actors.relational_nouns for a in addressees
        )
        if (
            draft.type in lex.supply_request_types
            and obj_tok is not None
            and any(lex.in_class(o, "aid") for o in with_conjuncts(obj_tok))
        ):
            draft.party_object = True  # "réclame des munitions": asked of suppliers
            draft.mode = draft.mode or "assist"
        if draft.type in lex.symmetric:
            if draft.target is None and subj_tok is not None and draft.actor is not None:
                # "l'Ukraine et la Pologne ont signé": the second party is the target
                others = [c for c in with_conjuncts(subj_tok) if c != subj_tok]
                # "Les États-Unis et l'Ukraine négocient": both names made subjects
                others += [
                    c
                    for c in children_with(verb, subj_tok.dep_)
                    if c.i > subj_tok.i and any(cc.dep_ == "cc" for cc in c.children)
                ]
                if subj_tok.dep_ == "conj":  # the second name of a pair taken as subject
                    others.append(subj_tok.head)
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
        elif draft.co_actors and self._reciprocal(verb, subj_tok):
            # "la Serbie et la Croatie se sont accusées": each party's target is the other
            draft.reciprocal = True
            draft.target = draft.co_actors[0]
        if rule.destination and draft.target is None:
            draft.target = self.destination(verb, draft.actor)
            if draft.target is None:
                return None  # "se rendre compte", "se rendre sur place": no visit
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
            if obj_tok is not None and rule.object_class in ("attack", "projectile", "weapon"):
                roots.append(obj_tok)
            draft.mode = self.instrument_mode(roots) or draft.mode
        if rule.claim:
            draft.claimed_by = draft.actor.country if draft.actor else None
        elif clause.claimant is not None and draft.type == "ASSAULT":
            claimant = self.country_actor(clause.claimant)
            draft.claimed_by = claimant.country if claimant else None
        assault = draft.type == "ASSAULT"
        draft.location_roots.extend(self.locative_children(verb, assault=assault))
        draft.location_roots.extend(self.origin_children(verb, draft.type))
        for occasion in self.occasions(verb):
            draft.location_roots.extend(self.locative_children(occasion, assault=False))
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
            [a for c in obj_tok.children if c.dep_ == "acl" for a in children_with(c, "obl:agent")]
        )
        counter = obj_tok.head
        if draft.actor is None and obj_tok.dep_ == "nmod" and counter.head == verb:
            # the argument stands for what it counts, and the parser may hang the demonym
            # on the count: "20 des 25 drones russes ont été abattus"
            for adj in children_with(counter, "amod"):
                if country := demonym_country(adj, self.kb):
                    draft.actor = Actor(text=adj.text, name=country, country=country)
                    break
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
        draft = Draft(type=rule.type, trigger=noun, mode=rule.mode, verbal=False, noun=noun)
        if rule.type == "ASSAULT":  # a weapon names an assault's mode, not a talk's
            draft.mode = draft.mode or self.instrument_mode([noun])
        own_actor = self.noun_own_actor(noun)
        parties = self._between(noun)
        host = None
        is_subject = noun.dep_ in ("nsubj", "nsubj:pass")
        suffered: list[Any] = []  # the subject of "a été la cible de X"
        has_cop = any(c.dep_ == "cop" for c in noun.children)
        counted_by = self._object_of(noun)
        if counted_by is not None and counted_by != head:
            # "mené des centaines de réunions": the verb's object through its quantity noun
            head, host_lemma = counted_by, counted_by.lemma_.lower()
        if (
            noun.dep_ in ("obj", "obl:arg") or counted_by is not None
        ) and host_lemma in lex.noun_hosts:
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
        elif (
            noun.dep_ in ("nmod", "obl:arg")
            and (host_lemma in lex.target_hosts or head.lower_ in lex.target_hosts)
            and self.case(noun) in lex.partitive_cases
        ):
            # "la ville a été la cible de bombardements", "victime d'une attaque": the
            # subject is what was hit
            host = head
            holder = head.head if head.dep_ == "obj" else head  # "a fait l'objet de"
            suffered = [c for c in holder.children if c.dep_ in ("nsubj", "nsubj:pass")]
            draft.place_roots.extend(suffered)
        # a bare event noun ("une série de frappes russes", "une attaque contre Kharkiv"):
        # with its own actor or target, and not part of a verb's event ("tués dans une
        # attaque" is the verb's)
        # "a pris feu à la suite d'une frappe à Lviv": a cause reported as such happened
        cause = self._located_cause(noun)
        if cause is not None:
            draft.location_roots.extend(self.locative_children(cause, assault=True))
        if host is None and (
            (rule.needs_host and not parties)
            or not (
                own_actor
                or parties
                or self._noun_target_phrase(noun, rule.type)
                or cause is not None
            )
            or self._inside_event(noun, produced)
            or (noun.dep_ not in CORE_DEPS and generic_plural(noun))
            or self._classifier(noun)
        ):
            return None
        if host is not None and host != noun and host.i in produced:
            return None  # the host verb is itself an event ("livrer des missiles")
        clause_verb = host if host is not None else governing_verb(noun)
        clause = None
        subj = None
        draft.clause_verbs = {noun.i} | ({clause_verb.i} if clause_verb is not None else set())
        if clause_verb is not None:
            clause = analyze_clause(clause_verb, self.mod, bounds=self.units[clause_verb.i])
            if not clause.reportable:
                return None
            if (
                host is None
                and clause.governors
                and clause.modality is not None
                and generic_plural(noun)
            ):
                # "cherche à limiter les frappes ukrainiennes": what is planned is the
                # other verb's act; the definite plural names a kind of event
                return None
            draft.modality = clause.modality
            draft.clause_verbs.update(g.i for g in clause.governors)
            subj = clause.subject
        if is_subject or suffered:
            subj = None  # the noun is the subject, or the subject suffered it
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
        elif subj is not None and host is not None:
            draft.actor_phrase = True
            draft.actor = self.first_party([subj])
            parties = self.all_parties(subj)
            if draft.actor is not None and len(parties) > 1:
                draft.actor, draft.co_actors = parties[0], parties[1:]
            draft.generic_subject = draft.actor is None and (
                resolve_actor(subj, self.analysis, self.kb) is None
            )
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
        # "un paquet de sanctions contre X": the complement hangs on the quantity noun
        bundle = [noun.head] if counted_by is not None and noun.head != counted_by else []
        if draft.target is None:
            draft.target = self.noun_target(noun, [noun, *bundle, *de_objects], slots, draft.actor)
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
        draft.location_roots.extend(self.origin_children(noun, draft.type))
        if host is not None and host != noun:
            draft.location_roots.extend(self.locative_children(host, assault=assault))
        return draft

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
        draft.location_roots.extend(children_with(head, "obj"))
        return draft


# ---------------------------------------------------------------------------
# Entry point


def extract_events(analysis: Analysis, pack: Any, kb: Any) -> list[Event]:
    """PLOVER events of one analysed article (``analysis.doc`` must be set)."""
    if analysis.doc is None:
        return []
    return _Extractor(analysis, pack, kb).run()
