"""Who acts and who is acted upon: parties of an event's phrases, resolved to actors with a
country (entities, demonyms, possessives), one per member of a coordination or a bracketed
list, in the argument slots the lexicon gives each event type."""

from __future__ import annotations

from typing import Any

from veille.extract.actors import (
    actor_from_possessive,
    demonym_country,
    mention_at,
    phrase_tokens,
    resolve_actor,
)
from veille.extract.event_lexicon import ACTOR_CLASS
from veille.extract.frames import frame_at
from veille.extract.syntax import (
    bracketed,
    children_with,
    obliques,
    points_back,
    slot_matches,
    with_conjuncts,
)
from veille.model import Actor

# word classes a named town or region belongs to as well
PLACE_CLASSES = ("target", "place")


class PartiesMixin:
    """Party finding for the event extractor (reads its ``analysis``, ``kb``, ``lex``,
    ``actors``, ``doc``, ``units`` and ``drafts``; sets ``party_tokens`` and
    ``target_slot``)."""

    analysis: Any
    kb: Any
    lex: Any
    actors: Any
    doc: Any
    data_dir: Any
    units: list[tuple[int, int]]
    drafts: list[Any]
    party_tokens: set[int]
    author_tokens: set[int]
    target_slot: str | None

    def country_actor(self, token: Any | None) -> Actor | None:
        if token is None:
            return None
        if token.lemma_.lower() in self.lex.enemy_nouns:
            return self.enemy_of_speaker(token)
        if token.pos_ == "PRON" and token.text.lower() in self.lex.speaker_pronouns:
            return self.speaker_of(token)
        if token.lemma_.lower() in self.lex.country_anaphora and not mention_at(
            self.analysis, token
        ):
            return self.anaphoric_country(token)
        actor = resolve_actor(token, self.analysis, self.kb)
        return actor if actor is not None and actor.country else None

    def anaphoric_country(self, token: Any) -> Actor | None:
        """ "le pays", "ce pays": the country of the last place or country named before it
        in this or the previous sentences; none when the noun names its own ("le pays
        balte", "les pays de l'OTAN")."""
        if mention_at(self.analysis, token) or any(
            c.dep_ in ("amod", "nmod") for c in token.children
        ):
            return None  # "les Pays-Bas", "le pays balte": a name of its own
        # "du pays": the article is in the contraction
        if not points_back(token, ("det", "case")) or "Plur" in token.morph.get("Number"):
            return None
        first, _last = self.units[token.i]
        for _ in range(self.lex.anaphora_sentences):
            if first == 0:
                break
            first, _ = self.units[first - 1]
        start = self.doc[first].idx
        for mention in reversed(self.analysis.entities):
            if start <= mention.start < token.idx and mention.label == "LOC" and mention.country:
                country = mention.country
                return Actor(text=token.text, name=country, country=country)
        return None

    def speaker_of(self, token: Any) -> Actor | None:
        """The speaker of the claim whose words hold the token, if it has a country; else,
        for a token inside quotation marks, the speaker of a claim in the same sentence
        ("« Nous avons ... » et « ... », a déclaré X": one speaker for both quotes)."""
        in_sentence = None
        for claim in self.analysis.claims:
            if claim.speaker is None or not claim.speaker.country:
                continue
            if claim.content.start <= token.idx < claim.content.end:
                return claim.speaker
            if claim.sentence.start <= token.idx < claim.sentence.end:
                in_sentence = in_sentence or claim.speaker
        return in_sentence if in_sentence is not None and self._quoted(token) else None

    def _quoted(self, token: Any) -> bool:
        """An odd number of quotation marks before the token in its sentence."""
        first, _last = self.units[token.i]
        marks = sum(t.text in ('"', "«", "“") for t in self.doc[first : token.i])
        closing = sum(t.text in ("»", "”") for t in self.doc[first : token.i])
        straight = sum(t.text == '"' for t in self.doc[first : token.i])
        return (marks - straight) > closing or straight % 2 == 1

    def enemy_of_speaker(self, token: Any) -> Actor | None:
        """ "l'ennemi" in the words of a claim's speaker: the other side of the speaker's
        conflict dyad ("l'ennemi" for a Ukrainian official is Russia)."""
        for claim in self.analysis.claims:
            inside = claim.content.start <= token.idx < claim.content.end
            if inside and claim.speaker is not None and claim.speaker.country:
                other = self.lex.dyad_other.get(claim.speaker.country)
                if other:
                    return Actor(text=token.text, name=other, country=other)
        return None

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
        conjuncts = with_conjuncts(head)
        inside = bracketed(head)
        members = [t for c in self._bracket_members(head, inside) for t in with_conjuncts(c)]
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
        conjuncts = with_conjuncts(head)
        inside = bracketed(head)
        if not inside:
            return conjuncts
        members = self._bracket_members(head, inside)
        outside = [c for c in conjuncts[1:] if c.i not in inside]
        return [head, *members[:1], *outside]

    @staticmethod
    def _bracket_members(head: Any, inside: set[int]) -> list[Any]:
        """The phrases of a bracketed list hanging on the head, whatever relation the
        parser gave them (conjunct, apposition, or a name split as a modifier)."""
        return sorted(
            (c for c in head.children if c.i in inside and c.dep_ not in ("punct", "det", "cc")),
            key=lambda t: t.i,
        )

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
        if name in PLACE_CLASSES and token.pos_ == "PROPN":
            # a named town or region is a place and a target ("Odessa a été visée")
            mention = mention_at(self.analysis, token)
            if mention is not None and self.place_kind(mention) == "place":
                return True
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
        # "une attaque de drones de Kiev": the weapon's owner, when entity linking read it
        # as a government, is the author
        owners = [
            owner
            for weapon in noun.children
            if weapon.dep_ == "nmod" and weapon.lemma_.lower() in self.lex.instruments
            for owner in weapon.children
            if owner.dep_ == "nmod" and self.case(owner) in self.lex.owner_cases
        ]
        for child in [*noun.children, *owners]:
            if child.dep_ not in ("nmod", "obl:agent"):
                continue
            case = self.case(child)
            if case not in self.lex.noun_actor_cases:
                continue
            mention = mention_at(self.analysis, child)
            is_place = mention is not None and self.place_kind(mention) is not None
            # a country, or a seat of government, can author an attack on a named target
            is_author = mention is not None and (
                self.place_kind(mention) == "country" or self._is_seat(mention)
            )
            if (
                assault
                and is_place
                and case not in self.lex.agent_cases
                and not (has_target and is_author)
                and not mention.refers_to  # a government, not the city ("drones de Kiev")
            ):
                continue
            if child.lemma_.lower() in self.lex.instruments:
                # "une attaque de missiles russes": the weapon's demonym; what the weapons
                # hit ("de missiles sur Odessa") is no author
                actor = next(
                    (
                        Actor(text=a.text, name=a.text, country=country)
                        for a in children_with(child, "amod")
                        if (country := demonym_country(a, self.kb))
                    ),
                    None,
                )
            else:
                actor = self.head_party(child)
            if actor is not None:
                if is_place:
                    self.author_tokens.add(child.i)
                return actor
        owner = actor_from_possessive(noun, self.analysis, self.kb)
        if owner is not None and owner.country:
            return owner
        return None

    def _is_seat(self, mention: Any) -> bool:
        """A seat of government: a metonym already resolved, or a capital city."""
        if mention.refers_to:
            return True
        entity = self.kb.get(mention.kb_id) if mention.kb_id else None
        return getattr(entity, "kind", None) == "capital"

    def _noun_type(self, noun: Any) -> str | None:
        rule = self.lex.nouns.get(noun.lemma_.lower())
        if rule is not None:
            return rule.type
        return "ASSAULT" if noun.lemma_.lower() in self.lex.instruments else None

    def _between(self, noun: Any) -> list[Actor]:
        """Parties of "les négociations entre Kiev et Moscou"."""
        for child in noun.children:
            if child.dep_ == "nmod" and self.case(child) == "entre":
                parties = [self.country_actor(c) for c in with_conjuncts(child)]
                parties.append(self._second_of_pair(child))
                found: dict[str, Actor] = {}
                for party in parties:
                    if party is not None and party.country not in found:
                        found[party.country] = party
                return list(found.values())
        return []

    def _second_of_pair(self, first: Any) -> Actor | None:
        """ "entre Kiev et Moscou", "entre la délégation russe et ukrainienne": the party
        after "et", read on the tokens (the parser often hangs it on another verb)."""
        doc, i = first.doc, first.right_edge.i + 1
        if i >= len(doc) or doc[i].lower_ != "et":
            return None
        for tok in doc[i + 1 : i + 4]:
            if tok.pos_ == "DET":
                continue
            country = demonym_country(tok, self.kb) if tok.pos_ == "ADJ" else None
            if country:
                return Actor(text=tok.text, name=tok.text, country=country)
            return self.country_actor(tok)
        return None

    def destination(self, verb: Any, actor: Actor | None) -> Actor | None:
        """The country a party goes to ("s'est rendu à Washington", "en Turquie"): the
        first place under a locative case whose country is not the actor's own."""
        for child, case in obliques(verb, self.lex.contractions):
            if case not in self.lex.locative_cases:
                continue
            mention = mention_at(self.analysis, child)
            if mention is None or self.place_kind(mention) is None:
                continue
            entity = self.kb.get(mention.kb_id) if mention.kb_id else None
            country = mention.country or getattr(entity, "country", None)
            if country and (actor is None or actor.country != country):
                return Actor(text=child.text, name=country, country=country)
        return None

    def partner(self, clause_root: Any) -> Actor | None:
        """A party introduced by "avec" anywhere in the clause ("en partenariat avec X")."""
        for tok in clause_root.subtree:
            if tok.dep_ in ("nmod", "obl", "obl:mod", "obl:arg") and self.case(tok) == "avec":
                party = self.first_party([tok])
                if party is not None:
                    return party
        return None

    # -- instruments and places ----------------------------------------------

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
                candidates = children_with(verb, "iobj")
            else:
                candidates = [
                    c
                    for head in (verb, *self.orphan_roots(verb))
                    for c, case in obliques(head, self.lex.contractions)
                    if slot_matches(case, slot)
                ]
                if obj_tok is not None and slot != "de":
                    # "livrer des avions de surveillance à l'Ukraine": the parser hangs
                    # the recipient inside the object phrase, or on the quantity noun the
                    # object stands for ("un paquet d'aide à l'Ukraine")
                    counter = obj_tok.head
                    counted = obj_tok.dep_ == "nmod" and counter != verb and counter.head == verb
                    phrase = counter if counted else obj_tok
                    candidates += [
                        c
                        for c in phrase_tokens(phrase)
                        if c.dep_ == "nmod" and slot_matches(self.case(c), slot)
                    ]
                if slot in self.lex.partner_slots:
                    # "s'est entretenu au téléphone avec X", "lors d'une réunion avec X":
                    # the partner hangs on the verb's complement naming the channel
                    candidates += [
                        c
                        for o, _ in obliques(verb, self.lex.contractions)
                        for c in o.children
                        if c.dep_ == "nmod" and slot_matches(self.case(c), slot)
                    ]
            candidates = [c for c in candidates if c != exclude and not self.is_plain_place(c)]
            party = self.first_party(candidates)
            if party is not None:
                self.target_slot = slot
                return party
        return None

    def noun_target(
        self, noun: Any, holders: list[Any], slots: tuple[str, ...], actor: Actor | None
    ) -> Actor | None:
        """The target among the noun's complements ("l'envoi d'armes à l'Ukraine")."""
        for slot in slots:
            if slot in ("obj", "iobj"):
                continue
            for holder in holders:
                # complements, with "auprès de X" parsed as an adverb over X
                complements = [
                    (c, case)
                    for c, case in obliques(holder, self.lex.contractions)
                    if c.dep_ != "iobj"
                ]
                complements += [(c, self.case(c)) for c in holder.children if c.dep_ == "acl"]
                for child, case in complements:
                    if not slot_matches(case, slot):
                        continue
                    if holder != noun and slot == "de":
                        continue
                    party = self.first_party([child]) or self._phrase_country(child)
                    if party is None:
                        continue
                    if actor is not None and party.country == actor.country:
                        continue
                    self.target_slot = slot
                    return party
        return None

    def _phrase_country(self, head: Any) -> Actor | None:
        """The side a target phrase names without a party at its head: "les
        infrastructures ukrainiennes", "le système énergétique du pays"."""
        for tok in phrase_tokens(head):
            if tok.dep_ == "amod" and (country := demonym_country(tok, self.kb)):
                return Actor(text=tok.text, name=country, country=country)
            if tok.lemma_.lower() in self.lex.country_anaphora:
                return self.anaphoric_country(tok)
        return None

    def _noun_target_phrase(self, noun: Any, type_: str) -> bool:
        """The noun has a complement in one of its type's target slots naming a party or
        a place ("une attaque contre la région de Donetsk")."""
        slots = [s for s in self.lex.target_slots.get(type_, ()) if s not in ("obj", "iobj", "de")]
        for child in noun.children:
            if (
                child.dep_ in ("nmod", "acl")
                and any(slot_matches(self.case(child), s) for s in slots)
                and any(
                    mention_at(self.analysis, t)
                    # "contre les infrastructures ukrainiennes": a demonym names the side
                    or (t.dep_ == "amod" and demonym_country(t, self.kb))
                    or (
                        t.lemma_.lower() in self.lex.country_anaphora
                        and self.anaphoric_country(t) is not None
                    )
                    for t in phrase_tokens(child)
                )
            ):
                return True
        return False

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
        while tok.dep_ == "conj" and tok.head.pos_ == "PROPN" and tok.head.i < tok.i:
            tok = tok.head  # "Paris et Berlin négocient": the coordination, from its first
        mention = mention_at(self.analysis, tok)
        if mention is None:
            return None
        if mention.label in ("PER", "ORG"):
            return tok
        # a capital or a country standing for its government
        return tok if self._is_seat(mention) or self.place_kind(mention) == "country" else None

    def _object(self, verb: Any, passive: bool) -> Any | None:
        """What the verb acts on: its object (through a quantity noun: "une dizaine de
        drones" -> "drones"), or the subject of a passive, from the frame patterns."""
        frame = frame_at(self.doc, self.data_dir, verb)
        if not passive:
            objects = frame.args.get("object") or []
            # "a reçu de la Suède un lot de blindés": the parser may call a "de" phrase
            # an object ("de nouveaux systèmes" is one: "de" is its article there)
            obj = next(
                (o for o in objects if not _prepositional(o, self.lex.partitive_cases)), None
            )
            if frame.arg("partitive_clitic") is not None and (obj is None or obj.pos_ != "NOUN"):
                # "la Norvège en fournira un autre": the noun "en" stands for
                return self.clitic_antecedent(verb) or obj
            return obj
        subject = frame.arg("passive_subject")
        if subject is None and verb.dep_ == "acl":
            # "des drones lancés par ...": the noun the participle describes
            return self.counted(verb.head)
        return subject

    def clitic_antecedent(self, verb: Any) -> Any | None:
        """The noun a partitive "en" stands for: the nearest object noun of an earlier
        verb, in this sentence or the one before."""
        first, _last = self.units[verb.i]
        start = self.units[first - 1][0] if first > 0 else first
        for tok in reversed(self.doc[start : verb.i]):
            if tok.pos_ != "VERB":
                continue
            obj = frame_at(self.doc, self.data_dir, tok).arg("object")
            if obj is not None and obj.pos_ == "NOUN":
                return obj
        return None

    def counted(self, token: Any) -> Any:
        """What a quantity noun counts ("des dizaines de drones" -> "drones")."""
        if token.lemma_.lower() not in self.lex.classes.get("quantifier", ()):
            return token
        for child in token.children:
            if child.dep_ == "nmod" and self.case(child) in self.lex.partitive_cases:
                return child
        return token


def _prepositional(obj: Any, partitive: frozenset[str]) -> bool:
    """An "obj" that is a preposition's phrase: a case word and a name or an article; a
    name after "de" ("recevra de la Norvège des systèmes", "a reçu de Washington des
    missiles", the "de" read as a case or an article) is never a partitive object."""
    if obj.pos_ == "PROPN" and any(
        c.dep_ in ("case", "det") and c.lower_ in partitive for c in obj.children
    ):
        return True
    if not children_with(obj, "case"):
        return False
    return obj.dep_ == "obj" and (obj.pos_ == "PROPN" or bool(children_with(obj, "det")))
