"""Questions the event extractor asks about a trigger before it drafts an event: is it
governed by another event, a restatement, a classifier ("forces d'invasion"), part of a
verb's event, a call for something? Mixed into ``events._Extractor``."""

from __future__ import annotations

from typing import Any

from veille.extract.actors import mention_at, phrase_tokens
from veille.extract.event_draft import Draft
from veille.extract.event_lexicon import TriggerRule
from veille.extract.frames import frame_at
from veille.extract.syntax import (
    CORE_DEPS,
    generic_plural,
    is_finite,
    is_participle,
    points_back,
)


class ChecksMixin:
    """Needs ``doc``, ``data_dir``, ``lex``, ``drafts``, ``case`` and ``in_class``."""

    def _refers_back(self, draft: Draft) -> bool:
        """ "l'accord", "cet accord" under a host verb: a cooperation noun with a definite or
        demonstrative article names an agreement already told, when one was."""
        noun = draft.noun
        return (
            noun is not None
            and draft.verbal
            and draft.type in self.lex.dedup_family
            and points_back(noun)
        )

    def _object_of(self, noun: Any) -> Any | None:
        """The verb whose object the noun is, as the frame patterns read it (through a
        quantity noun: "mené des centaines de réunions")."""
        tok = noun
        for _ in range(2):
            tok = tok.head
            if tok.pos_ == "VERB" and frame_at(self.doc, self.data_dir, tok).arg("object") == noun:
                return tok
        return None

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
            if rule.host and is_participle(verb, "Pres"):
                return True, noun
            return False, None
        # a participle that does not agree with the noun hangs on the wrong one
        number_v, number_n = verb.morph.get("Number"), noun.morph.get("Number")
        if number_v and number_n and number_v != number_n:
            return False, None
        # "la Crimée annexée par la Russie" describes a name; "des usines bombardées" reports
        if (
            is_participle(verb, "Past")
            and noun.pos_ == "NOUN"
            and (noun.dep_ == "ROOT" or (noun.dep_ in CORE_DEPS and is_finite(noun.head)))
        ):
            return True, None
        return False, None

    def _classifier(self, noun: Any) -> bool:
        """ "les forces d'invasion russes", "des drones d'attaque": an event noun without
        article that qualifies another noun names a kind, not an event ("une série de
        frappes" counts them: a quantity noun is no classifier)."""
        head = noun.head
        return (
            noun.dep_ == "nmod"
            and not any(c.dep_ == "det" for c in noun.children)
            and self.case(noun) in self.lex.partitive_cases
            and head.pos_ == "NOUN"
            and head.lemma_.lower() not in self.lex.nouns
            and not self.lex.in_class(head, "quantifier")
        )

    def _located_cause(self, noun: Any) -> Any | None:
        """The locution head ("suite" in "à la suite d'une frappe à Lviv", or the noun
        itself after "après") when the noun names the cause of what the sentence reports
        and a place is named with it; else None."""
        head = noun.head
        if self.case(noun) in self.lex.cause_cases:
            # "suspendus à Belgorod après une attaque": the clause's place is the cause's
            holder = head if head.pos_ == "VERB" else noun
        elif (
            noun.dep_ == "nmod"
            and head.lemma_.lower() in self.lex.cause_locutions
            and self.case(noun) in self.lex.partitive_cases
        ):
            holder = head
        else:
            return None
        # a place under a locative preposition, on the locution or the verb, or anywhere in
        # the noun's phrase ("une attaque de missiles à Soumy")
        phrases = [*self.locative_children(holder, assault=False), noun]
        located = any(
            self.case(t) in self.lex.locative_cases
            and (m := mention_at(self.analysis, t)) is not None
            and self.place_kind(m) is not None
            for p in phrases
            for t in phrase_tokens(p)
        )
        return holder if located else None

    def _reciprocal(self, verb: Any, subject: Any) -> bool:
        """ "X et Y se sont rencontrés": a reflexive clitic with a coordinated or plural
        subject stands for each other, the object a meeting verb otherwise needs."""
        return (
            subject is not None
            and any("Reflex=Yes" in c.morph for c in verb.children if c.pos_ == "PRON")
            and (
                subject.dep_ == "conj"
                or any(c.dep_ == "conj" for c in subject.children)
                or "Number=Plur" in subject.morph
            )
        )

    def _calls_for(self, verb: Any) -> bool:
        """ "appeler X à cesser", "appeler à un cessez-le-feu": an infinitive, or an "à"
        complement naming something one asks for (class request)."""
        return any(
            (c.dep_ in ("xcomp", "ccomp") and "Inf" in c.morph.get("VerbForm"))
            or (
                c.dep_ in ("obl:arg", "obl:mod")
                and self.case(c) == "à"
                and self.in_class(c, "request")
            )
            for c in verb.children
        )

    def _inside_event(self, noun: Any, produced: set[int]) -> bool:
        """The noun hangs (within two steps) on a verb that is itself an event trigger,
        unless that verb reports it as its own fact ("a condamné l'attaque")."""
        tok = noun
        for _ in range(2):
            if tok.head == tok:
                return False
            tok = tok.head
            if tok.i in produced:
                return not (
                    noun.dep_ == "obj"
                    and tok == noun.head
                    and not generic_plural(noun)  # "a condamné les frappes russes": a kind
                    and any(
                        d.trigger == tok and d.type in self.lex.object_event_types
                        for d in self.drafts
                    )
                )
        return False
