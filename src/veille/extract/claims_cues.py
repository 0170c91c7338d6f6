"""Reported speech inside one sentence: cue verbs, their speaker phrase and their content.

A cue verb reports when its lemma is in the pack's ``claims.yaml``; its content is a
complement clause, an infinitive, an object or a quotation next to it, or, for an incise
("..., a indiqué X") or a cleft ("C'est ce qu'a annoncé X"), what comes before. Source
prepositions ("selon X") and speech nouns ("l'affirmation de X selon laquelle ...") are
found here too. ``veille.extract.claims`` turns them into claims.

The cue's arguments (subject, inverted clitic, passive agent, complement clause,
infinitive, object) are the roles of its frame (``veille.extract.frames``, patterns in the
pack's ``frames.yaml``), shared with events and aid; what stays here is what the parse does
not say: which side of a comma the speaker stands on, a speaker the parse lost.
"""

from __future__ import annotations

import re
from typing import Any

from veille.extract.attribution import mention_at_char
from veille.extract.claims_lexicon import ClaimLexicon, CueSpec
from veille.extract.frames import Frame, frame_at, load_frame_patterns, spans_of
from veille.extract.units import (
    Sentence,
    normalise_quotes,
    token_span,
)
from veille.model import Analysis
from veille.spacy_utils import doc_text

_QUOTE_RE = re.compile(r"«([^«»]{1,1500})»|“([^“”]{1,1500})”|\"([^\"\n]{1,1500})\"")
_SPEAKER_LABELS = frozenset({"PER", "ORG", "LOC"})
_OPENING_QUOTES = frozenset({"«", "“", '"'})
_INCISE_WORDS = 6  # the longest incise between an auxiliary and its participle


def find_quotes(text: str) -> list[tuple[int, int]]:
    """Char spans of quotations, marks included."""
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def cue_lemma(token: Any, lexicon: ClaimLexicon) -> str:
    """The token's lemma (the pack's pipeline has repaired the lemmatizer's misses)."""
    return token.lemma_.lower()


def phrase_cue(token: Any, lexicon: ClaimLexicon) -> tuple[CueSpec, Any] | None:
    """A multiword cue headed by the token ("fait savoir", "a fait état de", "met en
    garde"), the other words hanging on it: its spec and the companion word."""
    if token.pos_ not in ("VERB", "AUX"):
        return None
    for rest, spec in lexicon.phrase_cues.get(cue_lemma(token, lexicon), ()):
        companions = [c for c in token.children if c.lemma_.lower() in rest]
        if len(companions) == len(rest):
            return spec, companions[-1]
    return None


def cue_frame(token: Any, lexicon: ClaimLexicon) -> Frame:
    """The frame of a cue (its arguments by role, from the pack's frame patterns)."""
    return frame_at(token.doc, lexicon.data_dir, token)


def cue_spec(token: Any, lexicon: ClaimLexicon) -> CueSpec | None:
    if token.pos_ not in ("VERB", "AUX"):
        return None
    lemma = cue_lemma(token, lexicon)
    if lemma in lexicon.reflexive_cues and "reflexive" in cue_frame(token, lexicon).args:
        return lexicon.reflexive_cues[lemma]
    return lexicon.cues.get(lemma)


def incise_comma(token: Any, sent: Sentence) -> Any | None:
    """The comma right before a cue and its auxiliaries (", a précisé X"), if any."""
    doc = token.doc
    i = token.i - 1
    # "..., a-t-il aussi annoncé": auxiliaries, inverted clitics and adverbs lie between
    while i >= sent.start and (
        doc[i].pos_ in ("AUX", "ADV")
        or doc[i].dep_.startswith(("aux", "expl"))
        or (doc[i].pos_ == "PRON" and doc[i].text.startswith("-"))
    ):
        i -= 1
    if not (i > sent.start and doc[i].text == ","):
        return None
    before = doc[sent.start : i]
    if before[-1].ent_type_ in ("PER", "ORG") and not any(
        t.pos_ in ("VERB", "AUX") for t in before
    ):
        # "Le porte-parole du Kremlin, Dmitri Peskov, a démenti": the comma closes an
        # apposition on the subject; an incise follows what is said, a clause
        return None
    return doc[i]


def cue_subject(token: Any, lex: ClaimLexicon, sent: Sentence | None = None) -> Any | None:
    """The cue's subject (its frame's subject, else its inverted clitic "a-t-il"); conjoined
    and gerund cues borrow their head's.

    After a comma ("..., a précisé le président", "..., annoncent les autorités") the
    subject follows the cue, even when the parse calls it an object.
    """
    frame = cue_frame(token, lex)
    # "a-t-il déclaré": the euphonic "-t" may be tagged a subject too
    euphonic = load_frame_patterns(lex.data_dir).lists.get("euphonic", frozenset())
    subjects = [
        *(s for s in frame.args.get("subject", ()) if s.lower_ not in euphonic),
        *frame.args.get("inverted_subject", ()),
    ]
    if (
        sent is not None
        and incise_comma(token, sent) is not None
        and not is_participle_clause(token)
        and "content_clause" not in frame.args
    ):
        after = [a for a in (*subjects, *frame.args.get("object", ())) if a.i > token.i]
        if after:
            return min(after, key=lambda a: a.i)
    if subjects:
        if subjects[0].lower_ == "qui" and token.dep_ in ("acl:relcl", "acl", "relcl"):
            return token.head  # "le fournisseur DTEK, qui déplore ...": the antecedent
        return subjects[0]
    if "impersonal_subject" in frame.args:
        return None  # "il a été rapporté que": nobody in particular
    if token.dep_ in ("conj", "xcomp") and token.head.i != token.i:
        return cue_subject(token.head, lex) or frame.arg("shared_subject")
    return None


def is_negated(token: Any, lex: ClaimLexicon) -> bool:
    """ "n'a pas confirmé": not saying something is no claim (a denial verb says it)."""
    if cue_lemma(token, lex) in lex.negative_cues:
        return False
    return "negation" in cue_frame(token, lex).args


def is_participle_clause(token: Any) -> bool:
    """A present participle with no auxiliary heading an adjunct ("..., soulignant que")."""
    return (
        "Part" in token.morph.get("VerbForm")
        and "Pres" in token.morph.get("Tense")
        and token.dep_ in ("acl", "advcl")
        and not any(c.dep_.startswith("aux") for c in token.children)
    )


def unit_subject(verb: Any, sent: Sentence) -> Any | None:
    """The noun phrase just before a verb and its auxiliaries, inside one sentence unit."""
    doc = verb.doc
    i = verb.i - 1
    while i >= sent.start and (doc[i].pos_ in ("AUX", "ADV") or doc[i].dep_.startswith("aux")):
        i -= 1
    if i >= sent.start and not doc[i].is_punct:
        tok = doc[i]
        while tok.head.i != tok.i and sent.start <= tok.head.i < verb.i and tok.dep_ != "conj":
            tok = tok.head
        if tok.pos_ in ("NOUN", "PROPN", "PRON"):
            return tok
    # "Des sources fiables, ayant accès à ..., rapportent": the first noun phrase of the
    # unit that hangs outside it and has no preposition
    for tok in doc[sent.start : verb.i]:
        if (
            tok.pos_ in ("NOUN", "PROPN")
            and not sent.start <= tok.head.i < verb.i
            and not any(c.dep_ == "case" for c in tok.children)
        ):
            return tok
    return None


def auxiliary_before_incise(cue: Any, sent: Sentence) -> Any | None:
    """ "X avait, de son côté, affirmé ...": the finite auxiliary before a comma-bounded
    incise that separates it from its participle (the parse may lose both)."""
    doc = cue.doc
    close = cue.i - 1
    if close <= sent.start or doc[close].text != ",":
        return None
    open_ = close - 1
    while open_ > sent.start and doc[open_].text != "," and close - open_ <= _INCISE_WORDS:
        open_ -= 1
    aux = doc[open_ - 1] if open_ > sent.start and doc[open_].text == "," else None
    if aux is None or aux.pos_ != "AUX" or "Fin" not in aux.morph.get("VerbForm"):
        return None
    return aux


def is_passive(token: Any, lex: ClaimLexicon) -> bool:
    args = cue_frame(token, lex).args
    # the auxiliary first: it is the cheaper role to match
    return "passive_auxiliary" in args or "passive_subject" in args


def direct_argument(predicate: Any, arg: Any) -> Any:
    """The phrase an argument heads under its predicate (a frame may give what a quantity
    noun counts: "une dizaine de drones" -> "drones"; the phrase is the quantity's)."""
    while arg.head.i != predicate.i and arg.head.i != arg.i:
        arg = arg.head
    return arg


def is_noun_participle(token: Any) -> bool:
    """A past participle modifying a noun ("une attaque revendiquée par X")."""
    return (
        token.dep_ == "acl"
        and "Part" in token.morph.get("VerbForm")
        and "Past" in token.morph.get("Tense")
        and token.head.pos_ in ("NOUN", "PROPN")
        and token.head.i < token.i
    )


def speaker_after(cue: Any, sent: Sentence, lex: ClaimLexicon, analysis: Analysis) -> Any | None:
    """The speaker of an inverted cue the parse did not make its subject ("..., a annoncé
    dimanche 4 août le président X", "C'est ce qu'a indiqué lundi un responsable"): the
    first entity or speaker noun without a preposition before the next punctuation or verb."""
    for tok in cue.doc[cue.i + 1 : sent.end]:
        if tok.is_punct or tok.pos_ in ("VERB", "AUX", "SCONJ", "CCONJ"):
            return None
        if any(c.dep_ == "case" for c in tok.children):
            continue  # "à l'AFP", "à Kiev": whom or where, not who
        mention = mention_at_char(analysis, tok.idx)
        if (
            mention is not None
            and mention.label in _SPEAKER_LABELS
            and (mention.country or mention.label == "PER")
        ):
            return tok
        if tok.pos_ == "NOUN" and tok.lemma_.lower() in lex.speaker_heads:
            return tok
    return None


def cleft_content(
    cue: Any, sent: Sentence, sents: list[Sentence], lex: ClaimLexicon
) -> tuple[int, int] | None:
    """ "A. C'est ce qu'a annoncé X." / "A, ce qu'a confirmé X.": the cue is a relative
    clause on a demonstrative whose relative pronoun is its object; what the demonstrative
    stands for (the clause before it, else the sentence before, in the same paragraph) is
    the content."""
    head = cue.head
    if (
        cue.dep_ not in ("acl:relcl", "acl")
        or head.pos_ != "PRON"
        or head.lemma_.lower() not in lex.cleft_pronouns
        or not any(
            o.i < cue.i and normalise_quotes(o.lower_) in lex.complementizers
            for o in cue_frame(cue, lex).args.get("object", ())
        )
    ):
        return None
    doc = cue.doc
    own = {c.i for c in head.children if c.i < head.i}  # "C'" and "est"
    before = [t for t in doc[sent.start : head.i] if t.i not in own]
    while before and before[-1].is_punct:
        before.pop()
    if before:
        return token_span(doc, before)
    previous = next((s for s in sents if s.index == sent.index - 1), None)
    if previous is None or previous.paragraph != sent.paragraph:
        return None
    return token_span(doc, list(doc[previous.start : previous.end]))


def cue_content(
    cue: Any,
    spec: CueSpec,
    sent: Sentence,
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
    subject: Any | None = None,
) -> tuple[tuple[int, int], bool] | None:
    """(content char span, inverted) for a cue, or None when it reports nothing."""
    frame = cue_frame(cue, lex)
    subject = subject if subject is not None else cue_subject(cue, lex, sent)
    # "a-t-il précisé": the clitic sits before the participle but is inverted
    inverted = subject is not None and (subject.i > cue.i or subject.text.startswith("-"))
    if "quote" in spec.takes:
        span = adjacent_quote(cue, sent, doc, quotes, lex)
        if span is not None:
            return span, True
    comma = incise_comma(cue, sent)
    if inverted and comma is not None:
        # "..., a indiqué le ministère": what comes before the comma is the content
        span = token_span(doc, list(doc[sent.start : comma.i]))
        if span:
            return span, True
    complements = [
        *(("que", c) for c in frame.args.get("content_clause", ())),
        # "affirme avoir abattu", "s'est félicitée d'avoir abattu"
        *(("inf", c) for c in frame.args.get("infinitive", ())),
    ]
    for takes, clause in sorted(complements, key=lambda kc: kc[1].i):
        if takes not in spec.takes:
            continue
        if takes == "que" and any(
            c.dep_ == "mark" and normalise_quotes(c.lower_) in lex.condition_marks
            for c in clause.children
        ):
            continue  # "répondra si ...": a condition, nothing asserted
        tokens = list(clause.subtree)
        if takes == "que" and tokens and normalise_quotes(tokens[0].lower_) in lex.complementizers:
            tokens = tokens[1:]
        span = token_span(doc, tokens)
        if span:
            return span, inverted
    if "que" in spec.takes:
        # the parse may hang "que" elsewhere ("a averti le Congrès qu'il manquait ...")
        limit = min(sent.end, cue.i + 1 + lex.complementizer_window)
        for tok in doc[cue.i + 1 : limit]:
            if tok.pos_ in ("VERB", "AUX") and tok.dep_ not in ("aux", "aux:tense", "cop"):
                break
            if tok.lower_.replace("’", "'") in lex.complementizers:
                span = token_span(doc, list(doc[tok.i + 1 : sent.end]))
                if span:
                    return span, inverted
                break
    if "inf" in spec.takes and not inverted:
        # "a affirmé dans son rapport avoir intercepté ...": the parse may hang the
        # infinitive elsewhere; it follows the cue before any finite verb
        limit = min(sent.end, cue.i + 1 + lex.complementizer_window)
        for tok in doc[cue.i + 1 : limit]:
            if "Fin" in tok.morph.get("VerbForm") or tok.is_punct:
                break
            if "Inf" in tok.morph.get("VerbForm"):
                span = token_span(doc, list(doc[tok.i : sent.end]))
                if span:
                    return span, inverted
                break
    if inverted and cue.dep_ in ("parataxis", "ccomp", "advcl", "conj") and cue.head.i < cue.i:
        # incise: "..., a indiqué le ministère": the governing clause is the content
        inside = {t.i for t in cue.subtree}
        tokens = [t for t in cue.head.subtree if t.i not in inside and sent.start <= t.i < sent.end]
        span = token_span(doc, tokens)
        if span:
            return span, True
    if inverted and cue.dep_ == "ROOT":
        before = [
            c
            for c in (*frame.args.get("content_clause", ()), *frame.args.get("parataxis", ()))
            if c.i < cue.i
        ]
        if before:
            span = token_span(doc, list(min(before, key=lambda c: c.i).subtree))
            if span:
                return span, True
    if "obj" in spec.takes:
        # "a confirmé sa volonté de ...", "s'est félicité de l'efficacité de ..."
        said = {
            direct_argument(cue, a)
            for a in (*frame.args.get("object", ()), *frame.args.get("de_complement", ()))
        }
        denial = cue_lemma(cue, lex) in lex.negative_cues
        for child in sorted(said, key=lambda c: c.i):
            if child.lemma_.lower() in lex.action_nouns and not _quoted(child) and not denial:
                # "annonce l'envoi de chars": the speaker's own act, an event; a quotation
                # ("déplore la « troisième attaque »") is the speaker's words all the same,
                # and so is a denial ("a démenti toute frappe")
                continue
            span = token_span(doc, list(doc[child.left_edge.i : sent.end]))
            if span:
                return span, inverted
    return None


def companion_content(
    cue: Any,
    companion: Any,
    spec: CueSpec,
    sent: Sentence,
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
) -> tuple[tuple[int, int], bool] | None:
    """Content of a multiword cue found on its companion: the clause under "savoir" in
    "a fait savoir que ...", what follows "état" in "a fait état de ..."."""
    if companion.pos_ in ("VERB", "AUX"):
        return cue_content(companion, spec, sent, doc, quotes, lex)
    if "obj" in spec.takes and companion.i + 1 < sent.end:
        span = token_span(doc, list(doc[companion.i + 1 : sent.end]))
        if span:
            return span, False
    return None


def _quoted(phrase: Any) -> bool:
    """A quotation mark opens inside the phrase or right before it."""
    doc = phrase.doc
    first = phrase.left_edge.i
    tokens = [*doc[max(first - 1, 0) : phrase.right_edge.i + 1]]
    return any(t.text in _OPENING_QUOTES for t in tokens)


def adjacent_quote(
    cue: Any, sent: Sentence, doc: Any, quotes: list[tuple[int, int]], lex: ClaimLexicon
) -> tuple[int, int] | None:
    """A quotation closing just before the cue ("», a déclaré") or opening just after it,
    maybe behind a preposition ("en le qualifiant de « clown »")."""
    text = doc_text(doc)
    for q_start, q_end in quotes:  # in text order
        if q_end < sent.char_start:
            continue
        if q_start > sent.char_end:
            break
        if q_end <= cue.idx:
            between = [t for t in doc[sent.start : cue.i] if t.idx >= q_end]
            if all(t.is_punct or t.pos_ in ("AUX", "PRON") for t in between):
                return q_start, q_end
        if cue.idx < q_start:
            gap = text[cue.idx + len(cue) : q_start]
            opener = normalise_quotes(gap.strip().lower())
            if (len(gap) <= 40 and ":" in gap) or not opener or opener in lex.quote_openers:
                return q_start, q_end
    return None


def noun_cue(noun: Any, lex: ClaimLexicon) -> tuple[CueSpec, list[Any], list[Any]] | None:
    """A speech noun with its content: "l'affirmation de Kiev selon laquelle ...". Its spec,
    the owners that may speak (frame role noun_owner) and the content's tokens (the
    relative clause of noun_content, without its "selon laquelle")."""
    spec = lex.noun_cues.get(noun.lemma_.lower()) if noun.pos_ == "NOUN" else None
    if spec is None:
        return None
    frame = cue_frame(noun, lex)
    clause = next((c for c in frame.args.get("noun_content", ()) if c.i > noun.i), None)
    owners = frame.args.get("noun_owner")
    if clause is None or not owners:
        return None
    tokens = list(clause.subtree)
    relative = next((k for k, t in enumerate(tokens) if "Rel" in t.morph.get("PronType")), None)
    return spec, owners, tokens[relative + 1 :] if relative is not None else tokens


def source_matches(doc: Any, sent: Sentence, lex: ClaimLexicon) -> list[tuple[Any, Any, str]]:
    """(first token, source noun, the preposition's words) for "selon X" / "d'après X" in a
    sentence (the frame layer's token patterns ``source_preposition``)."""
    found = []
    for start, end in spans_of(doc, lex.data_dir, "source_preposition"):
        first = doc[start]
        if not sent.start <= start < sent.end or first.dep_ == "fixed":
            continue
        noun = first.head
        if noun.i != first.i and sent.start <= noun.i < sent.end:
            words = " ".join(normalise_quotes(t.lower_) for t in doc[start:end])
            found.append((first, noun, words.replace("' ", "'")))
    return found
