"""Who gives and who receives, read from the frame around an aid trigger.

The frame is the nearest verb of giving, receiving or negotiating at or above the trigger;
its agent is the donor of a "give" frame and the recipient of a "receive" or "negotiate"
frame; the other party comes from the markers of that frame ("à l'Ukraine", "auprès des
États-Unis", "avec Washington"), demonyms ("l'aide américaine") or the weapon's maker.

The arguments themselves (subject, passive agent, obliques, dative clitic, ...) come from
the shared frame layer (``veille.extract.frames``, patterns in the pack's frames.yaml);
this module reads their prepositions and resolves them to countries.
"""

from __future__ import annotations

from typing import Any

from veille.extract.actors import demonym_country, mention_at, resolve_actor
from veille.extract.aid_lexicon import AidLexicon, TriggerSpec
from veille.extract.frames import Frame, frame_at, load_frame_patterns
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


def object_tokens(tok: Any, lex: AidLexicon) -> list[Any]:
    """What a verb trigger moves: its complements (or the noun a relative clause or a
    participle describes), from its frame."""
    frame = frame_of(tok, lex)
    tokens = [t for c in frame.each("complement") for t in phrase_of(c)]
    described = frame.arg("described")
    if described is not None:
        tokens.extend(t for t in phrase_of(described) if t.i < tok.i or t.head == described)
        if any(c.dep_ == "case" for c in described.children):
            # "des missiles à longue portée qu'ils ont fournis": the parse hangs the clause
            # on the last noun of the phrase, the thing given is the noun before it
            start = min(t.i for t in described.subtree)
            before = [t for t in tok.doc[max(0, start - 3) : start] if t.pos_ == "NOUN"]
            tokens.extend(before[-1:])
    return tokens


def markers_of(tok: Any, lex: AidLexicon) -> tuple[str, ...]:
    """The case words in front of a dependent, contractions undone ("auprès des" ->
    ("auprès", "de")); an adverb the parse hung the phrase on counts as one of them."""
    words = []
    if tok.head.dep_ == "advmod" and tok.head.i < tok.i:
        words.append(tok.head.lower_)
    partitive = load_frame_patterns(lex.data_dir).lists.get("partitive", frozenset())
    for child in tok.children:
        # "a reçu de Washington des missiles": "de" before a name parsed as its article
        article_as_case = child.dep_ == "det" and tok.pos_ == "PROPN" and child.lower_ in partitive
        if (child.dep_ in ("case", "fixed") or article_as_case) and child.i < tok.i:
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
    also: list[Any] = []
    if lemma_of(node) in lex.transparent_nouns:  # "de la part de ses alliés"
        inner = [c for c in node.children if c.dep_ == "nmod"]
        if inner:
            # "de la part du Danemark et des Pays-Bas": the parse may hang the second
            # party on the locution noun
            also = frame_of(node, lex).each("conjunct")
            node = inner[0]
    # "quatre alliés (l'Allemagne, le Danemark et les Pays-Bas)": the apposition names them
    heads = [node, *frame_of(node, lex).each("apposition")]
    parts = [p for h in heads for p in [h, *frame_of(h, lex).each("conjunct")]]
    for part in [*parts, *also]:
        named = part.pos_ not in ("NOUN", "PROPN", "PRON") and _place_name(part, analysis)
        if not (part.pos_ in ("NOUN", "PROPN", "PRON") or named) or lemma_of(part) in lex.things:
            continue  # "l'accord entre l'Ukraine et les États-Unis" is no actor
        actor = resolve_actor(part, analysis, kb)
        if actor is None or not actor.country or actor.country in out:
            continue
        # an actor, not a thing whose phrase mentions one somewhere ("une valeur ...
        # financée par le soutien européen")
        direct = any(
            c.dep_ == "amod" and demonym_country(c, kb) == actor.country for c in part.children
        )
        if part.pos_ == "PROPN" or named or actor.sector or actor.kb_id or direct:
            out.append(actor.country)
    out.extend(c for c in _bracketed_countries(node, analysis) if c not in out)
    return out


def _place_name(token: Any, analysis: Analysis) -> bool:
    """A country or city name the tagger mistook ("cédé à Kiev douze canons": "Kiev" as a
    determiner): a linked place or organisation starts on it."""
    mention = mention_at(analysis, token)
    return mention is not None and mention.start == token.idx and mention.label in _PLACE_OR_ORG


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


def frame_of(node: Any, lex: AidLexicon) -> Frame:
    return frame_at(node.doc, lex.data_dir, node)


def _agent(node: Any, lex: AidLexicon) -> Any | None:
    """Who acts in a predicate's frame: the antecedent of a relative subject ("l'Ukraine,
    qui cherche à obtenir"), its subject, its passive agent, a reflexive verb's subject
    (often parsed as passive: "La Norvège s'est accordée") or the root the parse hung the
    verb on ("L'Ukraine négocie")."""
    frame = frame_of(node, lex)
    subject = frame.arg("relative_antecedent") or frame.arg("subject")
    if subject is not None and subject.dep_ == "nsubj" and "Rel" in subject.morph.get("PronType"):
        return _antecedent(subject)  # "l'Allemagne, qui lui a livré" parsed as ccomp
    return (
        subject
        or frame.arg("agent")
        or frame.arg("reflexive_subject")
        or frame.arg("subject_as_head")
    )


def agent_of(verb: Any, lex: AidLexicon) -> Any | None:
    """The passive agent of a verb's frame ("livrés par l'Allemagne")."""
    return frame_of(verb, lex).arg("agent")


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
    if (
        role == "negotiate"
        and spec.role == "give"
        and (spec.seller or _names_recipient(tok, analysis, kb, lex))
    ):
        # "négocie un accord sur une aide à l'Ukraine", "négocie la vente de canons avec
        # l'Ukraine": the agent would give
        role = "give"
        sale = spec.seller
    else:
        sale = False
    if role == "receive" and any(
        marker_matches(markers_of(dep, lex), lex.counterparts["receive"].get("beneficiary", ()))
        and countries_of(dep, analysis, kb, lex)
        and not _possessive(_locution_object(dep, lex))  # "pour son armée": for itself
        for dep in _argument_scope(tok, chain, lex)
    ):
        role = "give"  # bought for a third party: the buyer gives, the beneficiary receives
    # a noun trigger's own dependents are not its agent ("l'aide de Washington" is handled
    # as a counterpart); a verb's subject is its agent
    inside = {t.i for t in tok.subtree} if tok.pos_ == "NOUN" else {tok.i}
    # "la livraison de F-16 par le Danemark", "l'achat par la Pologne de chars": a noun's
    # own agent acts, not the subject of the verb above it ("X a autorisé la livraison")
    own = agent_of(tok, lex) if tok.pos_ == "NOUN" else None
    own = own if own is not None and countries_of(own, analysis, kb, lex) else None
    agents = (
        [own]
        if own is not None
        else next(
            (
                [a]
                for node in [tok, *chain]
                if (a := _agent(node, lex)) is not None and a.i not in inside
            ),
            [],
        )
    )
    if not agents and tok.pos_ == "VERB":
        # "Après avoir reçu X, Kiev a ...": the parse split the sentence; the unit's main
        # subject is the agent of the fronted clause
        roots = [
            t for t in tok.doc[sent.start : sent.end] if t.dep_ == "ROOT" and t.i not in inside
        ]
        agents = [a for r in roots if (a := frame_of(r, lex).arg("subject")) is not None][:1]
    # a noun trigger takes its governing verb's stray subject ("Kiev | négocie l'achat")
    stray = stray_subjects(tok, chain, sent) if not agents and (tok.pos_ == "VERB" or chain) else []
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
    if sale:  # the partner of a sale's negotiation buys it
        markers = {**markers, "recipient": (*markers.get("recipient", ()), *lex.partner_markers)}
    # a purchase noun's own "de X" is its buyer, not the seller ("commandes de la Croatie")
    own = {c.i for c in tok.children} if role == "receive" and tok.pos_ == "NOUN" else set()
    for dep in _argument_scope(tok, chain, lex):
        if dep.i in own and markers_of(dep, lex) == ("de",):
            continue
        marks = markers_of(dep, lex)
        for party, target in (("donor", donors), ("recipient", recipients)):
            if marker_matches(marks, markers.get(party, ())):
                for country in countries_of(dep, analysis, kb, lex):
                    if country not in donors and country not in recipients:
                        target.append(country)
                break
    if not recipients and role == "give":
        recipients.extend(_object_recipient(tok, donors, analysis, kb, lex))
    if not recipients and role == "give" and tok.pos_ == "VERB":
        recipients.extend(_dative_clitic(tok, donors, sent, analysis, lex))
    if not recipients and role == "give":
        recipients.extend(_purpose_recipient(tok, donors, analysis, kb, lex))
    if not donors and role == "give":
        # "l'aide américaine", "les livraisons d'armes américaines": the origin supplies it
        for t in _near_modifiers(tok, lex):
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
        for t in [*object_tokens(tok, lex), *item_tokens(tok, chain, lex)]:
            weapon = next(
                (m for m in analysis.entities if m.start == t.idx and m.label == EntityType.WEAPON),
                None,
            )
            if weapon is not None and weapon.country:
                makers.append(weapon.country)
                break
    if not makers:
        objects = frame_of(tok, lex).each("object")
        for t in [m for o in objects for m in _near_modifiers(o, lex)]:
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
    frame = frame_of(noun, lex)
    out = []
    for dep in frame.each("oblique"):
        if dep.head == noun and dep.dep_ == "nmod" and markers_of(dep, lex) == ("de",):
            out.extend(countries_of(dep, analysis, kb, lex))
    for adjective in frame.each("modifier"):
        if adjective.head == noun and (country := demonym_country(adjective, kb)):
            out.append(country)
    return out


def _partner_countries(
    tok: Any, chain: list[Any], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """Countries after "avec" in the frames around a trigger ("un arrangement avec X pour
    acheter conjointement")."""
    out: list[str] = []
    for dep in _around(tok, chain, lex):
        if marker_matches(markers_of(dep, lex), lex.partner_markers):
            out.extend(c for c in countries_of(dep, analysis, kb, lex) if c not in out)
    return out


def _names_recipient(noun: Any, analysis: Analysis, kb: Any, lex: AidLexicon) -> bool:
    """An aid noun that names its own recipient ("une aide de 3 milliards à l'Ukraine")."""
    if noun.pos_ != "NOUN":
        return False
    frame = frame_of(noun, lex)
    deps = [*frame.each("oblique"), *frame.each("nested_oblique")]
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
    if frame_of(tok, lex).arg("dative_clitic") is None:
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
    """ "à l'Ukraine" anywhere in what a give verb or noun moves, when the parse hung it
    deep ("l'envoi de véhicules de combat à Kiev"), or elsewhere in the verb's own clause
    ("en avoir cédé 18 à l'Ukraine": on the number)."""
    for dep in frame_of(tok, lex).each("deep_oblique"):
        if not marker_matches(markers_of(dep, lex), lex.object_recipient_markers):
            continue
        found = [c for c in countries_of(dep, analysis, kb, lex) if c not in donors]
        if found:
            return found[:1]
    return []


def _purpose_recipient(
    tok: Any, donors: list[str], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """ "débloquer 4,5 milliards pour soutenir l'économie ukrainienne": who the gift's
    purpose clause helps receives it."""
    clauses = [
        c
        for c in tok.children
        if any(m.dep_ == "mark" and m.lower_ in lex.purpose_marks for m in c.children)
    ]
    # "afin de renforcer" parsed as the adverb "afin" governing the infinitive
    clauses += [
        c
        for a in tok.children
        if a.dep_ == "advmod" and a.lower_ in lex.purpose_marks
        for c in a.children
    ]
    for clause in clauses:
        if lemma_of(clause) not in lex.purpose_verbs:
            continue
        for obj in frame_of(clause, lex).each("object"):
            found = [c for c in countries_of(obj, analysis, kb, lex) if c not in donors]
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


def _near_modifiers(noun: Any, lex: AidLexicon) -> list[Any]:
    """Adjectives on a noun and on the nouns right under it ("livraisons d'armes
    américaines")."""
    return frame_of(noun, lex).each("modifier")


def _argument_scope(tok: Any, chain: list[Any], lex: AidLexicon) -> list[Any]:
    """Complements that may name the other party: the trigger's own obliques, those the
    parse hung on what it moves ("livraisons d'armes à l'Ukraine"), and its governors' own
    obliques, all from their frames."""
    frame = frame_of(tok, lex)
    out = [*frame.each("oblique"), *frame.each("nested_oblique")]
    if tok.pos_ == "NOUN":
        # "l'acquisition annoncée au profit de X", not "l'aide reçue par X": a participle
        # that is a trigger itself has its own frame
        out = [
            d
            for d in out
            if not (d.head.dep_ == "acl" and d.head.head == tok)
            or lemma_of(d.head) not in lex.verb_triggers
        ]
    for node in chain:
        out.extend(d for d in frame_of(node, lex).each("oblique") if d.i != tok.i)
    return out


def _around(tok: Any, chain: list[Any], lex: AidLexicon) -> list[Any]:
    """Every oblique of the trigger's and its governors' frames, also those deep in what
    they move ("a conclu un accord de coopération avec X pour acquérir")."""
    out: list[Any] = []
    for node in [tok, *chain]:
        frame = frame_of(node, lex)
        for role in ("oblique", "nested_oblique", "deep_oblique"):
            out.extend(d for d in frame.each(role) if d not in out)
    return out


def is_anaphoric(tok: Any, lex: AidLexicon) -> bool:
    return any(c.dep_ == "det" and c.lower_ in lex.anaphoric_determiners for c in tok.children)


def is_reflexive(node: Any) -> bool:
    return any(c.dep_.startswith("expl") for c in node.children)


def item_tokens(tok: Any, chain: list[Any], lex: AidLexicon) -> list[Any]:
    """Where the things given are named: under the trigger, or beside it in its nearest
    governor's frame ("cherche à obtenir des systèmes ..., notamment 10 systèmes Patriot"),
    or the noun a participle describes ("des chars Leopard livrés par l'Allemagne")."""
    tokens = list(phrase_of(tok))
    if tok.dep_ == "acl" and (described := frame_of(tok, lex).arg("described")) is not None:
        tokens.extend(t for t in phrase_of(described) if t.i < tok.i)
    for node in chain[:1]:
        for dep in frame_of(node, lex).each("complement"):
            if dep.dep_ in ("obj", "obl", "obl:mod", "obl:arg") and tok not in dep.subtree:
                tokens.extend(phrase_of(dep))
    return tokens


def partners_of(
    tok: Any, chain: list[Any], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """Coproduction: the partner hosts the production ("en partenariat avec des entreprises
    ukrainiennes" -> UKR)."""
    for dep in _around(tok, chain, lex):
        if marker_matches(markers_of(dep, lex), lex.partner_markers):
            found = countries_of(dep, analysis, kb, lex)
            if not found:
                found = [c for t in dep.subtree if (c := demonym_country(t, kb))]
            if found:
                return found[:1]
    return []
