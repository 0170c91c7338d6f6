"""Aid and arms commitments, in the spirit of the Kiel Ukraine Support Tracker.

Per sentence, a trigger (a verb of giving or receiving, or a noun naming a transfer) makes
a mention. Its clause gives the rest:

- donor and recipient from the frame: the agent of a "give" frame is the donor ("Washington
  a livré"), of a "receive" or "negotiate" frame the recipient ("Kiev achète",
  "l'Ukraine négocie"); the other party from the markers of that frame ("à l'Ukraine",
  "auprès des États-Unis", "avec Washington"); demonyms on the aid noun ("l'aide
  américaine"); demonstratives ("ce pacte") inherit the parties of the previous mention;
- status from cue words on the trigger's governors ("annonce l'envoi", "négocie", "est
  prévu", "suspension de"), else from the trigger verb's tense ("ont envoyé" -> delivered,
  "avait engagé" -> committed); a conditional governor makes the deal planned;
- value, currency, USD value and qualifier from the nearest money quantity of the clause,
  made approximate by a hedge ("évalué à");
- items from counts and linked weapons under the trigger ("au moins 10 systèmes Patriot");
- kind and mechanism from cue words.

Mentions of the same deal (same parties, compatible value, mechanism and status) merge into
one commitment with several evidence sentences; the first evidence is the first body
sentence, a headline is never preferred. All French lives in ``lang/<code>/data/aid.yaml``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from veille.extract.aid_events import AidEventHints
from veille.extract.aid_items import (
    elided_item,
    gapped_remnants,
    items_of,
    money_in,
    value_of,
)
from veille.extract.aid_lexicon import AidLexicon, CueRule, TriggerSpec, load_aid_lexicon
from veille.extract.aid_merge import AidMention, inherit_parties, merge_mentions, to_commitment
from veille.extract.aid_parties import (
    ARG_DEPS,
    agent_of,
    countries_of,
    forms_of,
    frame_of,
    is_anaphoric,
    is_reflexive,
    lemma_of,
    object_tokens,
    parties_of,
    partners_of,
    phrase_of,
)
from veille.extract.units import Sentence, sentences
from veille.model import AidCommitment, AidItem, AidStatus, Analysis, EntityType, FuzzyDate

_MAX_CHAIN = 4
_HINTS_KEY = "veille.aid_event_hints"
_WEAPONS_KEY = "veille.aid_weapon_starts"
# Cues of a deal not settled yet: above another cue they win ("s'apprêtent à approuver").
_UNSETTLED = frozenset({AidStatus.PLANNED, AidStatus.NEGOTIATING})


# ---------------------------------------------------------------------------
# Mentions


def _trigger_spec(tok: Any, lex: AidLexicon) -> TriggerSpec | None:
    if tok.pos_ == "VERB":
        return lex.verb_triggers.get(lemma_of(tok))
    if tok.pos_ == "NOUN":
        return lex.noun_triggers.get(lemma_of(tok))
    return None


def _governors(tok: Any, sent: Sentence) -> list[Any]:
    """Heads above the trigger, nearest first, within its clause complex and sentence."""
    chain: list[Any] = []
    node = tok
    while node.head.i != node.i and len(chain) < _MAX_CHAIN:
        if node.dep_ in ("acl:relcl", "parataxis"):
            break  # a relative clause's head is what it is about, not what governs it
        if not sent.start <= node.head.i < sent.end:
            break  # the parse ran over a line break
        if node.dep_ == "conj":
            # "après un appel ... et après avoir reçu": a conjunct shares its first
            # conjunct's governor, not the first conjunct itself
            node = node.head
            continue
        node = node.head
        chain.append(node)
    return chain


def _negated(tok: Any, lex: AidLexicon) -> bool:
    # "plus de 65 milliards" carries Polarity=Neg too: look for the negators themselves
    return any(c.lower_.replace("’", "'") in lex.negators for c in tok.children)


def _idiom(tok: Any, lex: AidLexicon) -> bool:
    """ "remettre en question" is no delivery."""
    objects = {lemma_of(c) for c in tok.children}
    return any(tok_lemma == lemma_of(tok) and word in objects for tok_lemma, word in lex.idioms)


def _bare_participle(tok: Any) -> bool:
    return (
        tok.dep_ == "acl"
        and "Part" in tok.morph.get("VerbForm")
        and not any(c.dep_.startswith("aux") for c in tok.children)
    )


def _has_aid_content(tokens: list[Any], analysis: Analysis, lex: AidLexicon, skip: Any) -> bool:
    """An aid noun, a weapon the knowledge base knows ("des F-16") or money."""
    if any((skip is None or t.i != skip.i) and forms_of(t, lex) & lex.aid_nouns for t in tokens):
        return True
    weapons = _weapon_starts(analysis)
    if any(t.idx in weapons for t in tokens):
        return True
    return bool(money_in(tokens, analysis))


def _weapon_starts(analysis: Analysis) -> frozenset[int]:
    cache = analysis.doc.user_data
    if _WEAPONS_KEY not in cache:  # once per doc
        cache[_WEAPONS_KEY] = frozenset(
            m.start for m in analysis.entities if m.label == EntityType.WEAPON
        )
    return cache[_WEAPONS_KEY]


def _refers_back(tok: Any, sent: Sentence, lex: AidLexicon) -> bool:
    """A demonstrative deal noun before the trigger ("Ce pacte ... comprendrait la
    fourniture", "Cette annonce fait suite à une suspension")."""
    doc = tok.doc
    return any(
        t.pos_ == "NOUN" and lemma_of(t) in lex.things and is_anaphoric(t, lex)
        for t in doc[sent.start : tok.i + 1]
    )


def _wraps_trigger(tok: Any, lex: AidLexicon) -> bool:
    """A deal noun whose complement is an aid noun ("un paquet d'aide", "un accord sur une
    aide de 3 milliards à l'Ukraine"): that noun carries the deal and its parties."""
    return any(
        c.dep_ == "nmod" and c.pos_ == "NOUN" and not lex.noun_triggers[lemma_of(c)].qualified
        for c in tok.children
        if lemma_of(c) in lex.noun_triggers
    )


def _distinct(tok: Any, lex: AidLexicon) -> bool:
    """ "une autre aide", "la précédente tranche": a deal other than the one just told."""
    nouns = [tok] if tok.pos_ == "NOUN" else frame_of(tok, lex).each("object")
    return any(lemma_of(c) in lex.distinct_modifiers for n in nouns for c in n.children)


def _own_clause(tok: Any, lex: AidLexicon) -> bool:
    """A finite verb with its own subject, hung on another clause only by the parse ("X en
    livrera deux, Y en fournira un autre"): nothing above it tells its status."""
    if tok.dep_ not in ("advcl", "conj", "parataxis") or "Fin" not in tok.morph.get("VerbForm"):
        return False
    frame = frame_of(tok, lex)
    return any(c.head == tok for c in [*frame.each("subject"), *frame.each("passive_subject")])


def _status_for(
    tok: Any, spec: TriggerSpec, chain: list[Any], lex: AidLexicon
) -> tuple[AidStatus | None, bool]:
    """(status, hypothetical) of a trigger: the nearest cue at or above it, unless a
    governor above that still plans or negotiates it ("s'apprêtent à approuver",
    "négocient un accord sur"); a conditional ("en paierait deux") is planned and
    hypothetical; else the trigger verb's tense."""
    if _own_clause(tok, lex):
        chain = []
    nodes = [tok, *chain]
    reported_future = False
    for k, node in enumerate(nodes):
        status = _node_status(node, tok, lex)
        if status is not None:
            above = (_node_status(n, tok, lex) for n in nodes[k + 1 :])
            return next((s for s in above if s in _UNSETTLED), status), False
        conditional = [n for n in [node, *node.children] if _conditional(n, lex)]
        conditional = [n for n in conditional if n is node or n.dep_.startswith("aux")]
        if conditional and _future_in_the_past(node):
            reported_future = True  # "a annoncé qu'il enverrait": a future, told in the past
        elif conditional and any(lemma_of(n) in lex.expectation_verbs for n in conditional):
            return lex.conditional_status, False  # "devrait livrer": expected, not hypothetical
        elif conditional:
            return lex.conditional_status, True
    if reported_future:
        return spec.future, False
    if tok.pos_ == "VERB":
        if chain and chain[0].i > tok.i - 3 and lemma_of(chain[0]) in lex.future_auxiliaries:
            return spec.future, False  # "va fournir"
        return _tense_status(tok, spec), False
    # "a fait don de dix chars" (= a donné), "a procédé à la livraison" (= a livré): the
    # support verb's tense with the statuses of the verb the noun names
    verb = lex.verb_triggers.get(spec.verb or "")
    if (
        verb
        and chain
        and lemma_of(chain[0]) in lex.support_verbs
        and tok in frame_of(chain[0], lex).each("complement")
    ):
        return _tense_status(chain[0], verb), False
    return None, False


def _future_in_the_past(node: Any) -> bool:
    """A conditional in a clause completing a verb in the past is the future of that past
    ("le Pentagone a annoncé qu'il enverrait")."""
    if node.dep_ != "ccomp":
        return False
    head = node.head
    return "Past" in head.morph.get("Tense") or any(c.dep_ == "aux:tense" for c in head.children)


def _conditional(tok: Any, lex: AidLexicon) -> bool:
    """A verb in the conditional. The tagger often calls it an imperfect ("fournirait":
    Tense=Imp), so the form is checked too: the future stem (the infinitive, without the
    final "e" of "-re" verbs, or an irregular stem) and a conditional ending."""
    if "Cnd" in tok.morph.get("Mood"):
        return True
    if tok.pos_ not in ("VERB", "AUX"):
        return False
    lemma = lemma_of(tok)
    stems = {lemma.removesuffix("e") if lemma.endswith("re") else lemma}
    stems |= lex.conditional_stems.get(lemma, frozenset())
    # "achèterait": the stem's accent moves, compare without accents
    form = _plain(tok.lower_)
    return any(form == _plain(stem) + end for stem in stems for end in lex.conditional_endings)


def _plain(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")


def _node_status(node: Any, tok: Any, lex: AidLexicon) -> AidStatus | None:
    """The status a cue word on one node of the chain gives (not the trigger verb itself:
    its tense speaks for it)."""
    if node.i != tok.i or tok.pos_ == "NOUN":
        reflexive = is_reflexive(node)
        for lemma in sorted(forms_of(node, lex)):
            if reflexive and lemma in lex.reflexive_status_cues:
                return lex.reflexive_status_cues[lemma]
            if lemma in lex.status_cues:
                return lex.status_cues[lemma]
    if node.i == tok.i and tok.pos_ == "NOUN":
        # "l'acquisition annoncée en janvier", "l'aide votée": the participle on it
        for child in tok.children:
            cue = lex.status_cues.get(lemma_of(child))
            if child.dep_ == "acl" and "Part" in child.morph.get("VerbForm") and cue:
                return cue
    for child in node.children:
        if child.dep_ in ("obl", "obl:mod") and (
            lex.status_cues.get(lemma_of(child)) is AidStatus.NEGOTIATING
        ):
            return AidStatus.NEGOTIATING  # "en discussion"
        if child.dep_ in ("obj", "obl", "obl:arg") and child.i + 1 < len(child.doc):
            two = f"{lemma_of(child)} {child.doc[child.i + 1].lower_}"
            if two in lex.status_cues:
                return lex.status_cues[two]  # "a donné son feu vert à"
        if node.i != tok.i and child.dep_ == "obj" and child.i != tok.i:
            cue = lex.status_cues.get(lemma_of(child))
            if cue is not None:
                return cue  # "ont trouvé un accord sur une aide"
    return None


def _tense_status(tok: Any, spec: TriggerSpec) -> AidStatus | None:
    auxes = [c for c in tok.children if c.dep_.startswith("aux")]
    tenses = set(tok.morph.get("Tense"))
    for aux in auxes:
        tenses |= {f"aux-{t}" for t in aux.morph.get("Tense")}
        if "Inf" in aux.morph.get("VerbForm"):
            tenses.add("aux-Pres")
    if "Fut" in tenses or "aux-Fut" in tenses:
        return spec.future
    if "Past" in tenses and (auxes or "Part" not in tok.morph.get("VerbForm")):
        return spec.past
    if "Past" in tenses and tok.dep_ == "acl":
        return spec.past  # "des chars livrés par l'Allemagne": done
    if any(a.dep_ == "aux:tense" and "Fin" in a.morph.get("VerbForm") for a in auxes):
        return spec.past  # "a débloqué" tagged as an infinitive: a compound past all the same
    if "Imp" in tenses and "Fin" in tok.morph.get("VerbForm"):
        return spec.past  # "livrait chaque semaine" (a conditional was caught before)
    if "Inf" in tok.morph.get("VerbForm"):
        return None
    if "Pres" in tenses:
        return spec.present
    return None


def _cue_lemmas(tok: Any, chain: list[Any], lex: AidLexicon) -> set[str]:
    # a verb conjoined to the trigger is another predicate ("cédé 18 ..., et en a commandé")
    other = {t.i for c in tok.children if c.dep_ == "conj" and c.pos_ == "VERB" for t in c.subtree}
    tokens = [t for t in phrase_of(tok) if t.i not in other]
    for node in chain:
        tokens.append(node)
        tokens.extend(node.children)
        for child in node.children:
            if child.dep_ in ARG_DEPS:
                tokens.extend(phrase_of(child))
    return {form for t in tokens for form in forms_of(t, lex)}


def _first(rules: tuple[CueRule, ...], lemmas: set[str]) -> str | None:
    return next((r.label for r in rules if r.matches(lemmas)), None)


def _is_heading(sent: Sentence, sents: list[Sentence], analysis: Analysis) -> bool:
    """A title, sub-heading or teaser line: a line without a final stop, or in capitals."""
    text = analysis.article.text
    title = (analysis.article.title or "").strip()
    own = text[sent.char_start : sent.char_end].strip()
    if title and (own == title or own in title):
        return True
    # one verdict per paragraph, computed once per doc (articles can be one long paragraph)
    verdicts = analysis.doc.user_data.setdefault("veille.heading_paragraphs", {})
    if sent.paragraph not in verdicts:
        same = [s for s in sents if s.paragraph == sent.paragraph]
        line = text[same[0].char_start : same[-1].char_end].strip()
        letters = [c for c in line if c.isalpha()]
        # a heading heads the text after it: a last paragraph without a final stop is an
        # article cut off ("..., qui en a acheté six, ce matérie")
        cut_off = same[-1] is sents[-1]
        verdicts[sent.paragraph] = bool(
            letters and sum(c.isupper() for c in letters) > 0.8 * len(letters)
        ) or not (cut_off or line.endswith((".", "!", "?", "…", "»", '"', "”")))
    return verdicts[sent.paragraph]


def _sentence_date(sent: Sentence, analysis: Analysis) -> FuzzyDate:
    for t in analysis.times:
        if sent.char_start <= t.start < sent.char_end and t.date.value is not None:
            return t.date
    return analysis.article.published


def _mentions_in(
    sent: Sentence, sents: list[Sentence], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[AidMention]:
    doc = analysis.doc
    out: list[AidMention] = []
    heading: bool | None = None  # told when a trigger is found: most sentences have none
    for tok in doc[sent.start : sent.end]:
        spec = _trigger_spec(tok, lex)
        if spec is None or _negated(tok, lex) or _idiom(tok, lex):
            continue
        chain = _governors(tok, sent)
        if any(lemma_of(g) in lex.blockers for g in [tok, *chain[:2]]):
            continue
        elided = None
        if tok.pos_ == "VERB":
            if is_reflexive(tok) and lemma_of(tok) in lex.reflexive_status_cues:
                continue  # "se sont engagés à fournir": a promise about the verb under it
            agent = agent_of(tok, lex) if _bare_participle(tok) else None
            if _bare_participle(tok) and not (
                agent is not None
                and agent.pos_ == "PROPN"
                and countries_of(agent, analysis, kb, lex)
            ):
                # "des armes financées ...": a description; with a named country as its
                # passive agent ("des chars livrés par l'Allemagne") it tells who gave them
                continue
            elided = elided_item(tok, analysis, lex)
            moved = object_tokens(tok, lex)
            if elided is None and not _has_aid_content(moved, analysis, lex, None):
                continue
        elif spec.qualified and not _has_aid_content(phrase_of(tok), analysis, lex, skip=tok):
            continue
        elif spec.qualified and _wraps_trigger(tok, lex):
            continue  # "un accord sur une aide à X": the aid noun inside tells the deal
        maker = elided[1] if elided else None
        donors, recipients, anaphoric = parties_of(tok, spec, chain, sent, analysis, kb, lex, maker)
        status, hypothetical = _status_for(tok, spec, chain, lex)
        if status is AidStatus.APPROVED:
            # countries taken together approve through their institution ("les dirigeants
            # européens ont trouvé un accord pour débloquer" -> the EU)
            donors = [lex.approving_bodies.get(d, d) for d in donors]
        money, qualifier = value_of(tok, chain, sent, analysis, lex)
        lemmas = _cue_lemmas(tok, chain, lex)
        if tok.dep_.startswith("nsubj") and lemma_of(tok.head) in lex.inclusion_verbs:
            # "cette aide comprend un prêt de 3 milliards": amounts and kinds are its parts'
            own = money_in(phrase_of(tok), analysis)
            money, qualifier = (own[0], own[0].qualifier) if own else (None, None)
            lemmas = {f for t in phrase_of(tok) for f in forms_of(t, lex)}
        mechanism = _first(lex.mechanisms, lemmas)
        if mechanism == "coproduction":
            # the partner hosts the production: it receives, it does not supply
            partners = partners_of(tok, chain, analysis, kb, lex)
            donors = [d for d in donors if d not in partners]
            recipients = recipients or partners
        if heading is None:
            heading = _is_heading(sent, sents, analysis)
        base = dict(
            sentence=sent,
            trigger=tok,
            kind=_first(lex.kinds, lemmas) or ("military" if elided else None),
            mechanism=mechanism,
            money=money,
            qualifier=qualifier,
            status=status,
            items=[elided[0]] if elided else items_of(tok, chain, analysis, lex),
            heading=heading,
            anaphoric=anaphoric or _refers_back(tok, sent, lex),
            distinct=_distinct(tok, lex),
            hypothetical=hypothetical,
            announced=_sentence_date(sent, analysis),
        )
        if tok.pos_ == "VERB" and spec.role in ("give", "receive"):
            # gapping: "..., et l'Allemagne trois autres" gives (or "et la Moldavie 12"
            # receives) the same, as many as said; the parse often reads the remnant as
            # another party of the first clause ("à l'Ukraine et la Finlande")
            agents, others = (donors, recipients) if spec.role == "give" else (recipients, donors)
            for country, count in gapped_remnants(tok, analysis, kb, lex):
                if country in agents[:1] or country in others[:1]:
                    continue
                agents[:] = [a for a in agents if a != country]
                others[:] = [o for o in others if o != country]
                items = [replace(i, quantity=Decimal(count)) for i in base["items"][:1]]
                extra = {**base, "items": items}
                other = others[0] if others else None
                pair = (country, other) if spec.role == "give" else (other, country)
                out.append(AidMention(donor=pair[0], recipient=pair[1], **extra))
        if _is_part(tok, chain, lex):
            # "cette aide comprend un prêt de 3 milliards": a part of the package, an item
            base["part"] = True
            base["items"] = [AidItem(system=lemma_of(tok)), *base["items"]]
        for donor in donors or [None]:
            for recipient in recipients or [None]:
                if donor is not None and donor == recipient:
                    continue  # "X a reçu l'aide donnée par X": a misread, never a gift
                out.append(AidMention(donor=donor, recipient=recipient, **base))
    return _without_wrappers(out)


def _is_part(tok: Any, chain: list[Any], lex: AidLexicon) -> bool:
    """A trigger under a verb of inclusion whose subject is aid ("l'enveloppe comprend
    un don de ...")."""
    if tok.pos_ != "NOUN":
        return False
    for node in chain[:2]:
        if lemma_of(node) in lex.inclusion_verbs:
            frame = frame_of(node, lex)
            return any(
                tok not in c.subtree  # the package is not its own part
                and (forms_of(c, lex) & lex.aid_nouns or lemma_of(c) in lex.noun_triggers)
                for c in [*frame.each("subject"), *frame.each("passive_subject")]
            )
    return False


def _without_wrappers(mentions: list[AidMention]) -> list[AidMention]:
    """ "un paquet de 95 milliards comprenant une aide de 61 milliards pour l'Ukraine": a
    package naming no recipient around an amount that names one is not aid to it; the
    amount inside is."""
    out = []
    for m in mentions:
        inside = {t.i for t in m.trigger.subtree}
        wraps = (
            m.trigger.pos_ == "NOUN"
            and m.recipient is None
            and any(
                o.trigger.i in inside and o.recipient and o.money and o.donor == m.donor
                for o in mentions
                if o is not m
            )
        )
        if not wraps:
            out.append(m)
    return out


# ---------------------------------------------------------------------------
# Entry point


def extract_aid(analysis: Analysis, pack: Any, kb: Any) -> list[AidCommitment]:
    """Aid and arms commitments of one article, one per deal, in text order."""
    doc = analysis.doc
    if doc is None:
        return []
    lex = load_aid_lexicon(Path(pack.data_dir))
    sents = sentences(doc)
    mentions: list[AidMention] = []
    for sent in sents:
        mentions.extend(_mentions_in(sent, sents, analysis, kb, lex))
    inherit_parties(mentions, lex.intermediaries)
    out = []
    hypothetical = set()
    for deal in merge_mentions(mentions):
        commitment = to_commitment(deal, analysis)
        if commitment is not None:
            out.append(commitment)
            if all(m.hypothetical for m in deal.mentions):
                hypothetical.add(commitment.id)
    # the commitment has no modality field; its event does (``aid_event_hints``)
    doc.user_data[_HINTS_KEY] = AidEventHints(frozenset(hypothetical), lex.approving_bodies)
    return out


def aid_event_hints(analysis: Analysis) -> AidEventHints:
    """What ``extract_aid`` learnt for the events of its commitments: those told only in
    the conditional ("le Canada en paierait deux": planned, hypothetical as events), and
    the group actors that stand for a donor."""
    if analysis.doc is None:
        return AidEventHints()
    return analysis.doc.user_data.get(_HINTS_KEY, AidEventHints())
