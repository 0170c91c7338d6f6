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

from pathlib import Path
from typing import Any

from veille.extract.actors import demonym_country, resolve_actor
from veille.extract.aid_lexicon import AidLexicon, CueRule, TriggerSpec, load_aid_lexicon
from veille.extract.aid_merge import AidMention, inherit_parties, merge_mentions, to_commitment
from veille.extract.units import Sentence, normalise_quotes, sentences
from veille.model import (
    AidCommitment,
    AidItem,
    AidStatus,
    Analysis,
    EntityType,
    FuzzyDate,
    Qualifier,
    Quantity,
)

_ARG_DEPS = frozenset({"obl", "obl:arg", "obl:mod", "obl:agent", "nmod", "iobj"})
_MAX_CHAIN = 4


# ---------------------------------------------------------------------------
# Mentions


def _lemma(tok: Any) -> str:
    return tok.lemma_.lower()


def _forms(tok: Any, lex: AidLexicon) -> set[str]:
    """The lemma (with the lemmatizer's known misses fixed: "obus" -> "obu") and the word."""
    lemma = _lemma(tok)
    return {lex.lemma_fixes.get(lemma, lemma), lex.lemma_fixes.get(tok.lower_, tok.lower_)}


def _trigger_spec(tok: Any, lex: AidLexicon) -> TriggerSpec | None:
    if tok.pos_ == "VERB":
        return lex.verb_triggers.get(_lemma(tok))
    if tok.pos_ == "NOUN":
        return lex.noun_triggers.get(_lemma(tok))
    return None


def _phrase(tok: Any) -> list[Any]:
    """The token's subtree without relative clauses (they say something else)."""
    out, stack = [], [tok]
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(c for c in node.children if c.dep_ not in ("acl:relcl", "parataxis"))
    return out


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
    objects = {_lemma(c) for c in tok.children}
    return any(tok_lemma == _lemma(tok) and word in objects for tok_lemma, word in lex.idioms)


def _bare_participle(tok: Any) -> bool:
    return (
        tok.dep_ == "acl"
        and "Part" in tok.morph.get("VerbForm")
        and not any(c.dep_.startswith("aux") for c in tok.children)
    )


def _money_in(tokens: list[Any], analysis: Analysis) -> list[Quantity]:
    spans = [(t.idx, t.idx + len(t)) for t in tokens]
    return [
        q
        for q in analysis.quantities
        if q.kind == "money" and any(s < q.end and q.start < e for s, e in spans)
    ]


def _has_aid_content(tokens: list[Any], analysis: Analysis, lex: AidLexicon, skip: Any) -> bool:
    if any((skip is None or t.i != skip.i) and _forms(t, lex) & lex.aid_nouns for t in tokens):
        return True
    return bool(_money_in(tokens, analysis))


def _object_tokens(tok: Any) -> list[Any]:
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
            tokens.extend(_phrase(child))
    if tok.dep_ in ("acl:relcl", "acl"):
        tokens.extend(t for t in _phrase(tok.head) if t.i < tok.i or t.head.i == tok.head.i)
    return tokens


def _markers(tok: Any, lex: AidLexicon) -> tuple[str, ...]:
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


def _marker_matches(markers: tuple[str, ...], seqs: tuple[tuple[str, ...], ...]) -> bool:
    return bool(markers) and markers in seqs


def _countries(node: Any, analysis: Analysis, kb: Any, lex: AidLexicon) -> list[str]:
    """Countries of a phrase and of its conjuncts ("ses alliés européens et des États-Unis")."""
    out = []
    if _lemma(node) in lex.transparent_nouns:  # "de la part de ses alliés"
        inner = [c for c in node.children if c.dep_ == "nmod"]
        if inner:
            node = inner[0]
    # "quatre alliés (l'Allemagne, le Danemark et les Pays-Bas)": the apposition names them
    heads = [node, *[c for c in node.children if c.dep_ == "appos"]]
    parts = [p for h in heads for p in [h, *[c for c in h.children if c.dep_ == "conj"]]]
    for part in parts:
        if part.pos_ not in ("NOUN", "PROPN", "PRON") or _lemma(part) in lex.things:
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
    return out


def _agent(node: Any) -> Any | None:
    # a reflexive verb's subject is often parsed as passive ("La Norvège s'est accordée")
    subjects = ("nsubj", "obl:agent", "nsubj:pass") if _reflexive(node) else ("nsubj", "obl:agent")
    for child in node.children:
        if child.dep_ in subjects:
            if "Rel" in child.morph.get("PronType") and node.dep_ in ("acl:relcl", "acl"):
                return node.head  # "l'Ukraine, qui cherche à obtenir"
            return child
    if node.dep_ == "acl" and node.head.dep_ == "ROOT" and node.head.i < node.i:
        # the parse made the subject the root and hung the verb on it ("L'Ukraine négocie")
        return node.head
    return None


def _frame_role(node: Any, lex: AidLexicon) -> str | None:
    """The role a node imposes on its subject, when it is a frame word."""
    spec = lex.verb_triggers.get(_lemma(node)) if node.pos_ == "VERB" else None
    if spec is not None:
        return spec.role
    if lex.status_cues.get(_lemma(node)) is AidStatus.NEGOTIATING:
        return "negotiate"
    return None


def _parties(
    tok: Any,
    spec: TriggerSpec,
    chain: list[Any],
    sent: Sentence,
    analysis: Analysis,
    kb: Any,
    lex: AidLexicon,
) -> tuple[list[str], list[str], bool]:
    """(donors, recipients, refers back) of a trigger from its frame.

    The frame is the nearest verb of giving, receiving or negotiating at or above the
    trigger ("a reçu des fournitures": receive; "négocie un programme d'aide": negotiate);
    its agent is the first subject up the chain.
    """
    donors: list[str] = []
    recipients: list[str] = []
    anaphoric = False
    role = next(
        (r for node in [tok, *chain] if (r := _frame_role(node, lex)) is not None), spec.role
    )
    if role == "receive" and any(
        _marker_matches(_markers(dep, lex), lex.counterparts["receive"].get("beneficiary", ()))
        for dep in _argument_scope(tok, chain)
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
    stray = _stray_subjects(tok, chain, sent) if not agents and tok.pos_ == "VERB" else []
    if stray:
        agents = [stray[0]]
    for agent in agents[:1]:
        countries = _countries(agent, analysis, kb, lex)
        for part in stray[1:]:
            countries += [c for c in _countries(part, analysis, kb, lex) if c not in countries]
        anaphoric = not countries and _is_anaphoric(agent, lex)
        by_agent = donors if role == "give" else recipients
        by_agent.extend(c for c in countries if c not in by_agent)
        break
    markers = lex.counterparts.get(role, {})
    for dep in _argument_scope(tok, chain):
        marks = _markers(dep, lex)
        for party, target in (("donor", donors), ("recipient", recipients)):
            if _marker_matches(marks, markers.get(party, ())):
                for country in _countries(_locution_object(dep, lex), analysis, kb, lex):
                    if country not in donors and country not in recipients:
                        target.append(country)
                break
    if not recipients and role == "give" and tok.pos_ == "VERB":
        recipients.extend(_object_recipient(tok, donors, analysis, kb, lex))
    if not donors and role == "give":
        # "l'aide américaine", "les livraisons d'armes américaines": the origin supplies it
        for t in _near_modifiers(tok):
            country = demonym_country(t, kb)
            if country and country not in recipients:
                donors.append(country)
                break
    if not donors and role == "receive":
        # "acquérir des systèmes Patriot américains": the weapon's maker sells it
        for t in [*_object_tokens(tok), *_item_tokens(tok, chain)]:
            weapon = next(
                (m for m in analysis.entities if m.start == t.idx and m.label == EntityType.WEAPON),
                None,
            )
            if weapon is not None and weapon.country and weapon.country not in recipients:
                donors.append(weapon.country)
                break
        objects = [c for c in tok.children if c.dep_ == "obj"]
        for t in [m for o in objects for m in _near_modifiers(o)]:
            country = demonym_country(t, kb)
            if country and country not in recipients:
                donors.append(country)
                break
    return donors, recipients, anaphoric


def _object_recipient(
    tok: Any, donors: list[str], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """ "à l'Ukraine" anywhere in what a give verb moves, when the parse hung it deep."""
    for obj in (c for c in tok.children if c.dep_ == "obj"):
        for dep in sorted(_phrase(obj), key=lambda t: t.i):
            if dep.dep_ not in _ARG_DEPS:
                continue
            if not _marker_matches(_markers(dep, lex), lex.object_recipient_markers):
                continue
            found = [c for c in _countries(dep, analysis, kb, lex) if c not in donors]
            if found:
                return found[:1]
    return []


def _stray_subjects(tok: Any, chain: list[Any], sent: Sentence) -> list[Any]:
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


def _argument_scope(tok: Any, chain: list[Any]) -> list[Any]:
    """Dependents that may name the other party: the trigger's own, those of the nouns
    right under it ("livraisons d'armes à l'Ukraine"), and those of its governors."""
    out = []
    first = [c for c in tok.children if c.dep_ in _ARG_DEPS]
    out.extend(first)
    for child in first:
        out.extend(c for c in child.children if c.dep_ in _ARG_DEPS)
        for adj in child.children:  # "d'armes américaines à l'Ukraine" hangs on the adjective
            if adj.dep_ == "amod":
                out.extend(c for c in adj.children if c.dep_ in _ARG_DEPS)
    if tok.pos_ == "VERB":
        objects = [c for c in tok.children if c.dep_ == "obj"]
        objects += [c for o in objects for c in o.children if c.dep_ == "conj"]
        for obj in objects:
            out.extend(c for c in obj.children if c.dep_ in _ARG_DEPS)
    for node in chain:
        out.extend(c for c in node.children if c.dep_ in _ARG_DEPS and c.i != tok.i)
    for node in [tok, *chain]:  # "acquérir auprès des États-Unis": the parse hangs on "auprès"
        for adv in node.children:
            if adv.dep_ == "advmod":
                out.extend(c for c in adv.children if c.dep_ in _ARG_DEPS)
    return out


def _is_anaphoric(tok: Any, lex: AidLexicon) -> bool:
    return any(c.dep_ == "det" and c.lower_ in lex.anaphoric_determiners for c in tok.children)


def _refers_back(tok: Any, sent: Sentence, lex: AidLexicon) -> bool:
    """A demonstrative deal noun before the trigger ("Ce pacte ... comprendrait la
    fourniture", "Cette annonce fait suite à une suspension")."""
    doc = tok.doc
    return any(
        t.pos_ == "NOUN" and _lemma(t) in lex.things and _is_anaphoric(t, lex)
        for t in doc[sent.start : tok.i + 1]
    )


def _reflexive(node: Any) -> bool:
    return any(c.dep_.startswith("expl") for c in node.children)


def _status_for(tok: Any, spec: TriggerSpec, chain: list[Any], lex: AidLexicon) -> AidStatus | None:
    for node in [tok, *chain]:
        if node.i != tok.i or tok.pos_ == "NOUN":
            reflexive = _reflexive(node)
            for lemma in sorted(_forms(node, lex)):
                if reflexive and lemma in lex.reflexive_status_cues:
                    return lex.reflexive_status_cues[lemma]
                if lemma in lex.status_cues:
                    return lex.status_cues[lemma]
        for child in node.children:  # "en discussion", "feu vert"
            if (
                child.dep_ in ("obl", "obl:mod")
                and lex.status_cues.get(_lemma(child)) is AidStatus.NEGOTIATING
            ):
                return AidStatus.NEGOTIATING
        if "Cnd" in node.morph.get("Mood") or any(
            "Cnd" in c.morph.get("Mood") for c in node.children if c.dep_.startswith("aux")
        ):
            return lex.conditional_status
    if tok.pos_ == "VERB":
        if chain and chain[0].i > tok.i - 3 and _lemma(chain[0]) in lex.future_auxiliaries:
            return spec.future  # "va fournir"
        return _tense_status(tok, spec)
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
    if "Inf" in tok.morph.get("VerbForm"):
        return None
    if "Pres" in tenses:
        return spec.present
    return None


def _value(
    tok: Any, chain: list[Any], sent: Sentence, analysis: Analysis, lex: AidLexicon
) -> tuple[Quantity | None, Qualifier | None]:
    doc = analysis.doc
    top = chain[-1] if chain else tok
    candidates = _money_in(list(top.subtree), analysis) or _money_in(
        list(doc[sent.start : sent.end]), analysis
    )
    if not candidates:
        return None, None
    money = min(candidates, key=lambda q: abs(q.start - tok.idx))
    qualifier = money.qualifier
    before = normalise_quotes(
        analysis.article.text[max(sent.char_start, money.start - lex.hedge_window) : money.start]
    ).lower()
    if qualifier is Qualifier.EXACT and any(h in before for h in lex.hedges):
        qualifier = Qualifier.APPROX
    return money, qualifier


def _item_tokens(tok: Any, chain: list[Any]) -> list[Any]:
    """Where the things given are named: under the trigger, or beside it under its nearest
    governor ("cherche à obtenir des systèmes ..., notamment 10 systèmes Patriot")."""
    tokens = list(_phrase(tok))
    for node in chain[:1]:
        for child in node.children:
            if child.dep_ in ("obj", "obl", "obl:mod", "obl:arg") and not any(
                t.i == tok.i for t in child.subtree
            ):
                tokens.extend(_phrase(child))
    return tokens


def _items(tok: Any, chain: list[Any], analysis: Analysis, lex: AidLexicon) -> list[AidItem]:
    tokens = _item_tokens(tok, chain)
    starts = {t.idx for t in tokens}
    items: list[AidItem] = []
    used: set[int] = set()
    weapons = [m for m in analysis.entities if m.label == EntityType.WEAPON and m.start in starts]
    counts = [
        q
        for q in analysis.quantities
        if q.kind == "count" and any(q.start <= t.idx < q.end for t in tokens)
    ]
    for weapon in weapons:
        system = _short_weapon_name(weapon.text, lex)
        count = next(
            (q for q in counts if q.end <= weapon.start and weapon.start - q.end <= 3), None
        )
        if count is None:
            count = next((q for q in counts if q.start <= weapon.start < q.end), None)
        if count is None:
            count = _count_of_head(weapon.start, tokens, counts)
        if count is not None:
            used.add(count.start)
        items.append(
            AidItem(
                system=system,
                quantity=count.value if count else None,
                qualifier=count.qualifier if count else None,
                kb_id=weapon.kb_id,
            )
        )
    for q in counts:
        if q.start in used or q.unit.lower() not in lex.item_nouns:
            continue
        used.add(q.start)
        items.append(AidItem(system=q.unit.lower(), quantity=q.value, qualifier=q.qualifier))
    named = {i.system.lower() for i in items}
    # "systèmes de missiles Patriot": the nouns the weapon's name hangs on are that weapon
    weapon_heads = {t.head.i for t in tokens for w in weapons if t.idx == w.start}
    for t in tokens:
        if t.i in weapon_heads or t.head.i in weapon_heads:
            continue
        lemma = next(iter(sorted(_forms(t, lex) & lex.item_nouns)), "")
        counted = any(q.start <= t.idx < q.end + 2 for q in counts)
        if t.pos_ == "NOUN" and lemma and lemma not in named and not counted:
            named.add(lemma)
            items.append(AidItem(system=lemma))
    return items


def _count_of_head(start: int, tokens: list[Any], counts: list[Quantity]) -> Quantity | None:
    """ "64 autres missiles sol-air Patriot": the weapon modifies a counted noun, whose
    count is the weapon's."""
    node = next((t for t in tokens if t.idx == start), None)
    for _ in range(3):
        if node is None or node.head.i == node.i:
            return None
        node = node.head
        if node.pos_ != "NOUN":
            return None
        count = next((q for q in counts if q.start <= node.idx < q.end), None)
        if count is not None:
            return count
    return None


def _short_weapon_name(text: str, lex: AidLexicon) -> str:
    """ "systèmes Patriot" -> "Patriot": the scorer compares the common short name."""
    words = text.split()
    while len(words) > 1 and words[0].lower().rstrip("s") in {
        h.rstrip("s") for h in lex.item_generic_heads
    }:
        words = words[1:]
    return " ".join(words)


def _cue_lemmas(tok: Any, chain: list[Any], lex: AidLexicon) -> set[str]:
    tokens = list(_phrase(tok))
    for node in chain:
        tokens.append(node)
        tokens.extend(node.children)
        for child in node.children:
            if child.dep_ in _ARG_DEPS:
                tokens.extend(_phrase(child))
    return {form for t in tokens for form in _forms(t, lex)}


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
        verdicts[sent.paragraph] = bool(
            letters and sum(c.isupper() for c in letters) > 0.8 * len(letters)
        ) or not line.endswith((".", "!", "?", "…", "»", '"', "”"))
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
    heading = _is_heading(sent, sents, analysis)
    for tok in doc[sent.start : sent.end]:
        spec = _trigger_spec(tok, lex)
        if spec is None or _negated(tok, lex) or _idiom(tok, lex):
            continue
        chain = _governors(tok, sent)
        if any(_lemma(g) in lex.blockers for g in [tok, *chain[:2]]):
            continue
        if tok.pos_ == "VERB":
            if _reflexive(tok) and _lemma(tok) in lex.reflexive_status_cues:
                continue  # "se sont engagés à fournir": a promise about the verb under it
            if _bare_participle(tok):
                continue  # "des armes financées par ...": a description, not a commitment
            if not _has_aid_content(_object_tokens(tok), analysis, lex, skip=None):
                continue
        elif spec.qualified and not _has_aid_content(_phrase(tok), analysis, lex, skip=tok):
            continue
        donors, recipients, anaphoric = _parties(tok, spec, chain, sent, analysis, kb, lex)
        status = _status_for(tok, spec, chain, lex)
        money, qualifier = _value(tok, chain, sent, analysis, lex)
        lemmas = _cue_lemmas(tok, chain, lex)
        mechanism = _first(lex.mechanisms, lemmas)
        if mechanism == "coproduction":
            # the partner hosts the production: it receives, it does not supply
            partners = _partners(tok, chain, analysis, kb, lex)
            donors = [d for d in donors if d not in partners]
            recipients = recipients or partners
        base = dict(
            sentence=sent,
            trigger=tok,
            kind=_first(lex.kinds, lemmas),
            mechanism=mechanism,
            money=money,
            qualifier=qualifier,
            status=status,
            items=_items(tok, chain, analysis, lex),
            heading=heading,
            anaphoric=anaphoric or _refers_back(tok, sent, lex),
            announced=_sentence_date(sent, analysis),
        )
        for donor in donors or [None]:
            for recipient in recipients or [None]:
                out.append(AidMention(donor=donor, recipient=recipient, **base))
    return out


def _partners(
    tok: Any, chain: list[Any], analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[str]:
    """Coproduction: the partner hosts the production ("en partenariat avec des entreprises
    ukrainiennes" -> UKR)."""
    doc = analysis.doc
    lo = min(t.i for t in [tok, *chain])
    hi = max(t.i for t in [tok, *chain])
    root = chain[-1] if chain else tok
    for dep in root.subtree:
        if dep.dep_ in _ARG_DEPS and _marker_matches(_markers(dep, lex), lex.partner_markers):
            found = _countries(dep, analysis, kb, lex)
            if not found:
                found = [c for t in dep.subtree if (c := demonym_country(t, kb))]
            if found:
                return found[:1]
    del doc, lo, hi
    return []


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
    inherit_parties(mentions)
    out = []
    for deal in merge_mentions(mentions):
        commitment = to_commitment(deal, analysis)
        if commitment is not None:
            out.append(commitment)
    return out
