"""Who gives and who receives, read from the frame around an aid trigger.

The frame is the nearest verb of giving, receiving or negotiating at or above the trigger;
its agent is the donor of a "give" frame and the recipient of a "receive" or "negotiate"
frame; the other party comes from the markers of that frame ("à l'Ukraine", "auprès des
États-Unis", "avec Washington"), demonyms ("l'aide américaine") or the weapon's maker.
"""

from __future__ import annotations

from typing import Any

from veille.extract.actors import demonym_country, resolve_actor
from veille.extract.aid_lexicon import AidLexicon, TriggerSpec
from veille.extract.units import Sentence
from veille.model import AidStatus, Analysis, EntityType

ARG_DEPS = frozenset({"obl", "obl:arg", "obl:mod", "obl:agent", "nmod", "iobj"})
_PLACE_OR_ORG = frozenset({EntityType.LOC, EntityType.ORG})
# dependents that start a clause of their own: their parties are not the verb's
_OTHER_CLAUSES = frozenset(
    {"conj", "advcl", "acl:relcl", "parataxis", "ccomp", "xcomp", "nsubj", "nsubj:pass", "csubj"}
)


def lemma_of(tok: Any) -> str:
    return tok.lemma_.lower()


def forms_of(tok: Any, lex: AidLexicon) -> set[str]:
    """The lemma and the word."""
    return {lemma_of(tok), tok.lower_}


def phrase_of(tok: Any) -> list[Any]:
    """The token's subtree without relative clauses (they say something else)."""
    out, stack = [], [tok]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in node.children if c.dep_ not in ("acl:relcl", "parataxis"))
    return out


def object_tokens(tok: Any) -> list[Any]:
    """What a verb trigger moves: its object (or the noun a relative clause hangs on)."""
    tokens = []
    for child in tok.children:
        if child.dep_ in (
            "obj",
            "nsubj:pass",
            "obl:arg",
            "obl",
            "obl:mod",
            "iobj",
            "xcomp",
            "advmod",
        ):
            tokens.extend(phrase_of(child))
    if tok.dep_ in ("acl:relcl", "acl"):
        tokens.extend(t for t in phrase_of(tok.head) if t.i < tok.i or t.head.i == tok.head.i)
        antecedent = tok.head
        if any(c.dep_ == "case" for c in antecedent.children):
            # "des missiles à longue portée qu'ils ont fournis": the parse hangs the clause
            # on the last noun of the phrase, the thing given is the noun before it
            start = min(t.i for t in antecedent.subtree)
            before = [t for t in tok.doc[max(0, start - 3) : start] if t.pos_ == "NOUN"]
            tokens.extend(before[-1:])
    return tokens


def markers_of(tok: Any, lex: AidLexicon) -> tuple[str, ...]:
    """The case words in front of a dependent, contractions undone ("auprès des" ->
    ("auprès", "de")); an adverb the parse hung the phrase on counts as one of them."""
    words = []
    if tok.head.dep_ == "advmod" and tok.head.i < tok.i:
        words.append(tok.head.lower_)
    for child in tok.children:
        if child.dep_ in ("case", "fixed") and child.i < tok.i:
            words.append(child.lower_.replace("’", "'"))
            words.extend(f.lower_ for f in child.children if f.dep_ == "fixed")
    if tok.lower_ in lex.locution_nouns and any(
        c.dep_ == "nmod" and any(g.dep_ == "case" and g.lower_ in ("de", "d'") for g in c.children)
        for c in tok.children
    ):
        # "au profit de l'Ukraine" parsed as "au" + the noun "profit" + "de l'Ukraine"
        words.extend((tok.lower_, "de"))
    return tuple(lex.contractions.get(w, w) for w in words)


def _locution_object(tok: Any, lex: AidLexicon) -> Any:
    """The phrase after a locution noun ("au profit de | l'Ukraine"), else the token."""
    if tok.lower_ in lex.locution_nouns:
        for child in tok.children:
            if child.dep_ == "nmod":
                return child
    return tok


def marker_matches(markers: tuple[str, ...], seqs: tuple[tuple[str, ...], ...]) -> bool:
    return bool(markers) and markers in seqs


def countries_of(node: Any, analysis: Analysis, kb: Any, lex: AidLexicon) -> list[str]:
    """Countries of a phrase and of its conjuncts ("ses alliés européens et des États-Unis")."""
    out = []
    if lemma_of(node) in lex.transparent_nouns:  # "de la part de ses alliés"
        inner = [c for c in node.children if c.dep_ == "nmod"]
        if inner:
            node = inner[0]
    # "quatre alliés (l'Allemagne, le Danemark et les Pays-Bas)": the apposition names them
    heads = [node, *[c for c in node.children if c.dep_ == "appos"]]
    parts = [p for h in heads for p in [h, *[c for c in h.children if c.dep_ == "conj"]]]
    for part in parts:
        if part.pos_ not in ("NOUN", "PROPN", "PRON") or lemma_of(part) in lex.things:
            continue  # "l'accord entre l'Ukraine et les États-Unis" is no actor
        actor = resolve_actor(part, analysis, kb)
        if actor is None or not actor.country or actor.country in out:
            continue
        # an actor, not a thing whose phrase mentions one somewhere ("une valeur ...
        # financée par le soutien européen")
        direct = any(
            c.dep_ == "amod" and demonym_country(c, kb) == actor.country for c in part.children
        )
        if part.pos_ == "PROPN" or actor.sector or actor.kb_id or direct:
            out.append(actor.country)
    out.extend(c for c in _bracketed_countries(node, analysis) if c not in out)
    return out


def _bracketed_countries(node: Any, analysis: Analysis) -> list[str]:
    """Every country named in the brackets after a group noun, however the parse hung the
    list ("quatre alliés (l'Allemagne, le Danemark, les Pays-Bas et les États-Unis)")."""
    if not any(c.dep_ == "appos" for c in node.children):
        return []
    opens = [c for c in node.children if c.text == "(" and c.i > node.i]
    closes = [c for c in node.children if c.text == ")" and opens and c.i > opens[0].i]
    if not opens or not closes:
        return []
    start, end = opens[0].idx, closes[0].idx
    return [
        m.country
        for m in sorted(analysis.entities, key=lambda m: m.start)
        if start < m.start < end and m.country and m.label in _PLACE_OR_ORG
    ]


def _agent(node: Any) -> Any | None:
    # a reflexive verb's subject is often parsed as passive ("La Norvège s'est accordée")
    subjects = (
        ("nsubj", "obl:agent", "nsubj:pass") if is_reflexive(node) else ("nsubj", "obl:agent")
    )
    if node.dep_ in ("acl:relcl", "acl") and any(
        c.dep_ == "nsubj" and "Rel" in c.morph.get("PronType")
        for c in [*node.children, *(g for c in node.children for g in c.children)]
        if c.i < node.i
    ):
        return node.head  # "l'Ukraine, qui cherche à obtenir", "qui en a acheté"
    for child in node.children:
        if child.dep_ in subjects:
            if child.dep_ == "nsubj" and "Rel" in child.morph.get("PronType"):
                return _antecedent(child)  # "l'Allemagne, qui lui a livré" parsed as ccomp
            return child
    if node.dep_ == "acl" and node.head.dep_ == "ROOT" and node.head.i < node.i:
        # the parse made the subject the root and hung the verb on it ("L'Ukraine négocie")
        return node.head
    return None


def _antecedent(pronoun: Any) -> Any | None:
    """The noun right before a relative pronoun (past a comma)."""
    for t in reversed(pronoun.doc[max(0, pronoun.i - 3) : pronoun.i]):
        if t.pos_ in ("NOUN", "PROPN"):
            return t
        if not t.is_punct:
            return None
    return None


def _frame_role(node: Any, lex: AidLexicon) -> str | None:
    """The role a node imposes on its subject, when it is a frame word."""
    spec = lex.verb_triggers.get(lemma_of(node)) if node.pos_ == "VERB" else None
    if spec is not None:
        return spec.role
    if lex.status_cues.get(lemma_of(node)) is AidStatus.NEGOTIATING:
        return "negotiate"
    return None


def parties_of(
    tok: Any,
    spec: TriggerSpec,
    chain: list[Any],
    sent: Sentence,
    analysis: Analysis,
    kb: Any,
    lex: AidLexicon,
    maker: str | None = None,
) -> tuple[list[str], list[str], bool]:
    """(donors, recipients, refers back) of a trigger from its frame.

    The frame is the nearest verb of giving, receiving or negotiating at or above the
    trigger ("a reçu des fournitures": receive; "négocie un programme d'aide": negotiate);
    its agent is the first subject up the chain. ``maker`` is the country of the weapon an
    elided object stands for ("l'Estonie en achète 12": the last weapon named).
    """
    donors: list[str] = []
    recipients: list[str] = []
    anaphoric = False
    role = next(
        (r for node in [tok, *chain] if (r := _frame_role(node, lex)) is not None), spec.role
    )
    if role == "negotiate" and spec.role == "give" and _names_recipient(tok, analysis, kb, lex):
        role = "give"  # "négocie un accord sur une aide à l'Ukraine": the agent would give
    if role == "receive" and any(
        marker_matches(markers_of(dep, lex), lex.counterparts["receive"].get("beneficiary", ()))
        and countries_of(_locution_object(dep, lex), analysis, kb, lex)
        and not _possessive(_locution_object(dep, lex))  # "pour son armée": for itself
        for dep in _argument_scope(tok, chain, lex)
    ):
        role = "give"  # bought for a third party: the buyer gives, the beneficiary receives
    # a noun trigger's own dependents are not its agent ("l'aide de Washington" is handled
    # as a counterpart); a verb's subject is its agent
    inside = {t.i for t in tok.subtree} if tok.pos_ == "NOUN" else {tok.i}
    agents = [a for node in [tok, *chain] if (a := _agent(node)) is not None]
    agents = [a for a in agents if a.i not in inside]
    if not agents and tok.pos_ == "VERB":
        # "Après avoir reçu X, Kiev a ...": the parse split the sentence; the unit's main
        # subject is the agent of the fronted clause
        agents = [
            t
            for t in tok.doc[sent.start : sent.end]
            if t.dep_ == "nsubj" and t.head.dep_ == "ROOT" and t.i not in inside
        ][:1]
    stray = stray_subjects(tok, chain, sent) if not agents and tok.pos_ == "VERB" else []
    if stray:
        agents = [stray[0]]
    for agent in agents[:1]:
        countries = countries_of(agent, analysis, kb, lex) or _speaker_country(agent, analysis)
        for part in stray[1:]:
            countries += [c for c in countries_of(part, analysis, kb, lex) if c not in countries]
        anaphoric = not countries and is_anaphoric(agent, lex)
        by_agent = donors if role == "give" else recipients
        if role == "receive" and tok.pos_ == "NOUN" and _own_buyers(tok, analysis, kb, lex):
            by_agent = donors  # "KNDS a engrangé des commandes de la Croatie": the seller
        by_agent.extend(c for c in countries if c not in by_agent)
        break
    markers = lex.counterparts.get(role, {})
    # a purchase noun's own "de X" is its buyer, not the seller ("commandes de la Croatie")
    own = {c.i for c in tok.children} if role == "receive" and tok.pos_ == "NOUN" else set()
    for dep in _argument_scope(tok, chain, lex):
        if dep.i in own and markers_of(dep, lex) == ("de",):
            continue
        marks = markers_of(dep, lex)
        for party, target in (("donor", donors), ("recipient", recipients)):
            if marker_matches(marks, markers.get(party, ())):
                for country in countries_of(_locution_object(dep, lex), analysis, kb, lex):
                    if country not in donors and country not in recipients:
                        target.append(country)
                break
    if not recipients and role == "give" and tok.pos_ == "VERB":
        recipients.extend(_object_recipient(tok, donors, analysis, kb, lex))
    if not recipients and role == "give" and tok.pos_ == "VERB":
        recipients.extend(_dative_clitic(tok, donors, sent, analysis, lex))
    if not donors and role == "give":
        # "l'aide américaine", "les livraisons d'armes américaines": the origin supplies it
        for t in _near_modifiers(tok):
            country = demonym_country(t, kb)
            if country and country not in recipients:
                donors.append(country)
                break
    if role == "receive":
        return _purchase_parties(tok, chain, donors, recipients, maker, analysis, kb, lex)
    return donors, recipients, anaphoric


def _purchase_parties(
    tok: Any,
    chain: list[Any],
    donors: list[str],
    recipients: list[str],
    maker: str | None,
    analysis: Analysis,
    kb: Any,
    lex: AidLexicon,
) -> tuple[list[str], list[str], bool]:
    """A purchase: the buyers receive, the maker of what is bought (or the seller named)
    supplies. A country buying its own country's weapons is no aid: it is dropped from the
    buyers, and a purchase left without a buyer is none at all."""
    if tok.pos_ == "NOUN":  # "des commandes de la Croatie", "une commande arménienne"
        recipients.extend(c for c in _own_buyers(tok, analysis, kb, lex) if c not in recipients)
    if any(lemma_of(c) in lex.joint_cues for c in tok.children):
        # "acheter conjointement avec l'Estonie": the partners buy too
        recipients.extend(
            c for c in _partner_countries(tok, chain, analysis, kb, lex) if c not in recipients
        )
    makers = [maker] if maker else []
    if not makers:
        # "acquérir des systèmes Patriot américains": the weapon's maker sells it
        for t in [*object_tokens(tok), *item_tokens(tok, chain)]:
            weapon = next(
                (m for m in analysis.entities if m.start == t.idx and m.label == EntityType.WEAPON),
                None,
            )
            if weapon is not None and weapon.country:
                makers.append(weapon.country)
                break
    if not makers:
        objects = [c for c in tok.children if c.dep_ == "obj"]
        for t in [m for o in objects for m in _near_modifiers(o)]:
            country = demonym_country(t, kb)
            if country:
                makers.append(country)
                break
    if makers and not donors:
        donors.append(makers[0])
    buyers = [r for r in recipients if r not in donors]
    if recipients and not buyers:
        return [], [], False
    return [d for d in donors if d not in buyers], buyers, False


def _own_buyers(noun: Any, analysis: Analysis, kb: Any, lex: AidLexicon) -> list[str]:
    """The buyer a purchase noun names itself: "de la Croatie", "arménienne"."""
    out = []
    for child in noun.children:
        if child.dep_ == "nmod" and markers_of(child, lex) == ("de",):
            out.extend(countries_of(child, analysis, kb, lex))
        elif child.dep_ == "amod" and (country := demonym_country(child, kb)):
            out.append(country)
    return out


def _partner_countries(
    tok: Any, chain: list[Any], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """Countries after "avec" in the clause around a trigger ("un arrangement avec X pour
    acheter conjointement")."""
    top = chain[-1] if chain else tok
    out: list[str] = []
    for dep in top.subtree:
        if dep.dep_ in ARG_DEPS and marker_matches(markers_of(dep, lex), lex.partner_markers):
            out.extend(c for c in countries_of(dep, analysis, kb, lex) if c not in out)
    return out


def _names_recipient(noun: Any, analysis: Analysis, kb: Any, lex: AidLexicon) -> bool:
    """An aid noun that names its own recipient ("une aide de 3 milliards à l'Ukraine")."""
    if noun.pos_ != "NOUN":
        return False
    deps = [c for c in noun.children if c.dep_ in ARG_DEPS]
    deps += [g for c in deps for g in c.children if g.dep_ in ARG_DEPS]
    seqs = lex.counterparts.get("give", {}).get("recipient", ())
    return any(
        marker_matches(markers_of(d, lex), seqs) and countries_of(d, analysis, kb, lex)
        for d in deps
    )


def _speaker_country(agent: Any, analysis: Analysis) -> list[str]:
    """ "nous attendons des F-16", said by a Ukrainian: a first-person agent is the country
    of the speaker whose statement holds it."""
    if agent.pos_ != "PRON" or "1" not in agent.morph.get("Person"):
        return []
    for claim in analysis.claims:
        if claim.sentence.start <= agent.idx < claim.sentence.end and claim.speaker:
            return [claim.speaker.country] if claim.speaker.country else []
    return []


def _possessive(noun: Any) -> bool:
    return any(c.dep_ == "det" and "Yes" in c.morph.get("Poss") for c in noun.children)


def _dative_clitic(
    tok: Any, donors: list[str], sent: Sentence, analysis: Analysis, lex: AidLexicon
) -> list[str]:
    """ "à l'Ukraine ... des missiles qu'ils lui ont fournis": "lui" is the last country
    named before it in the sentence that is not the giver."""
    if not any(c.lower_ in lex.dative_clitics and c.i < tok.i for c in tok.children):
        return []
    before = [
        m
        for m in analysis.entities
        if sent.char_start <= m.start < tok.idx and m.country and m.country not in donors
    ]
    return [max(before, key=lambda m: m.start).country] if before else []


def _object_recipient(
    tok: Any, donors: list[str], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """ "à l'Ukraine" anywhere in what a give verb moves, when the parse hung it deep, or
    elsewhere in the verb's own clause ("en avoir cédé 18 à l'Ukraine": on the number)."""
    own = [c for c in tok.children if c.dep_ not in _OTHER_CLAUSES]
    for obj in [c for c in own if c.dep_ == "obj"] + [c for c in own if c.dep_ != "obj"]:
        for dep in sorted(phrase_of(obj), key=lambda t: t.i):
            if dep.dep_ not in ARG_DEPS:
                continue
            if not marker_matches(markers_of(dep, lex), lex.object_recipient_markers):
                continue
            found = [c for c in countries_of(dep, analysis, kb, lex) if c not in donors]
            if found:
                return found[:1]
    return []


def stray_subjects(tok: Any, chain: list[Any], sent: Sentence) -> list[Any]:
    """A line after a heading often parses as loose fragments ("Les États-Unis" / "et
    l'Allemagne" / "ont convenu de ..."): the bare names right before a subjectless verb
    group are its subject. Only names, articles, "et" and commas may stand between."""
    top = chain[-1] if chain else tok
    if any(c.dep_.startswith("nsubj") for c in top.children):
        return []
    start = min([top.i, *(c.i for c in top.children if c.dep_.startswith("aux"))])
    out = []
    for t in reversed(tok.doc[sent.start : start]):
        if t.pos_ in ("DET", "CCONJ", "SPACE") or t.text == ",":
            continue
        if t.pos_ != "PROPN":
            break
        if t.head.i == t.i:
            out.append(t)
    return out[::-1]


def _near_modifiers(noun: Any) -> list[Any]:
    """Adjectives on a noun and on the nouns right under it ("livraisons d'armes
    américaines")."""
    out = [c for c in noun.children if c.dep_ in ("amod", "flat:name")]
    for child in noun.children:
        if child.dep_ in ("nmod", "conj"):
            out.extend(c for c in child.children if c.dep_ in ("amod", "flat:name"))
    return out


def _argument_scope(tok: Any, chain: list[Any], lex: AidLexicon) -> list[Any]:
    """Dependents that may name the other party: the trigger's own, those of the nouns
    right under it ("livraisons d'armes à l'Ukraine"), and those of its governors."""
    out = []
    first = [c for c in tok.children if c.dep_ in ARG_DEPS]
    out.extend(first)
    for child in first:
        out.extend(c for c in child.children if c.dep_ in ARG_DEPS)
        for adj in child.children:  # "d'armes américaines à l'Ukraine" hangs on the adjective
            if adj.dep_ == "amod":
                out.extend(c for c in adj.children if c.dep_ in ARG_DEPS)
    if tok.pos_ == "VERB":
        objects = [c for c in tok.children if c.dep_ == "obj"]
        objects += [c for o in objects for c in o.children if c.dep_ == "conj"]
        # "en avoir cédé 18 à l'Ukraine": a bare count after the verb is its object, wherever
        # the parse hung it
        objects += [t for t in tok.doc[tok.i + 1 : tok.i + 3] if t.pos_ == "NUM"]
        for obj in objects:
            out.extend(c for c in obj.children if c.dep_ in ARG_DEPS)
    else:  # "l'acquisition annoncée ... au profit de l'Ukraine", not "l'aide reçue par X"
        for part in tok.children:
            if (
                part.dep_ == "acl"
                and "Part" in part.morph.get("VerbForm")
                and lemma_of(part) not in lex.verb_triggers
            ):
                out.extend(c for c in part.children if c.dep_ in ARG_DEPS)
    for node in chain:
        out.extend(c for c in node.children if c.dep_ in ARG_DEPS and c.i != tok.i)
    for node in [tok, *chain]:  # "acquérir auprès des États-Unis": the parse hangs on "auprès"
        for adv in node.children:
            if adv.dep_ == "advmod":
                out.extend(c for c in adv.children if c.dep_ in ARG_DEPS)
    return out


def is_anaphoric(tok: Any, lex: AidLexicon) -> bool:
    return any(c.dep_ == "det" and c.lower_ in lex.anaphoric_determiners for c in tok.children)


def is_reflexive(node: Any) -> bool:
    return any(c.dep_.startswith("expl") for c in node.children)


def item_tokens(tok: Any, chain: list[Any]) -> list[Any]:
    """Where the things given are named: under the trigger, or beside it under its nearest
    governor ("cherche à obtenir des systèmes ..., notamment 10 systèmes Patriot")."""
    tokens = list(phrase_of(tok))
    for node in chain[:1]:
        for child in node.children:
            if child.dep_ in ("obj", "obl", "obl:mod", "obl:arg") and not any(
                t.i == tok.i for t in child.subtree
            ):
                tokens.extend(phrase_of(child))
    return tokens


def partners_of(
    tok: Any, chain: list[Any], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """Coproduction: the partner hosts the production ("en partenariat avec des entreprises
    ukrainiennes" -> UKR)."""
    doc = analysis.doc
    lo = min(t.i for t in [tok, *chain])
    hi = max(t.i for t in [tok, *chain])
    root = chain[-1] if chain else tok
    for dep in root.subtree:
        if dep.dep_ in ARG_DEPS and marker_matches(markers_of(dep, lex), lex.partner_markers):
            found = countries_of(dep, analysis, kb, lex)
            if not found:
                found = [c for t in dep.subtree if (c := demonym_country(t, kb))]
            if found:
                return found[:1]
    del doc, lo, hi
    return []
