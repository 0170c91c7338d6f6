"""Attributed claims: who says what, in which words, and whether the article checks it.

A claim is reported speech with a speaker and a content:

- a cue verb with its speaker as subject and its content as a complement clause, an
  infinitive, an object or a quotation ("X a déclaré que ...", "X affirme avoir ...",
  "« ... », a déclaré X", "..., a indiqué le ministère");
- a source preposition ("selon X, ...", "d'après X") whose clause is the content.

The speaker must be an actor: a named entity, an institution or official ("le ministère"),
or an unnamed source ("des sources fiables", "les médias britanniques", flagged
``anonymous``). Opinion cues ("estimer", "avertir") need an identified speaker (a name or a
country): "les analystes estiment" is commentary, "les responsables ukrainiens estiment" is
a claim. Pronouns and bare role nouns ("a-t-il déclaré", "le ministère") resolve to the last
named speaker (a bare role noun: the last one holding such an office in the KB). Speaker
names are comparable across languages: a linked entity or role phrase gives the KB canonical
name of the body or office holder, an unnamed group an English label built from data
("les médias britanniques" -> "British media"). A claim nested in another's content is the
outer speaker's report, not a claim of its own.

Verification comes from the article's own words in the same or following sentences
(``verification.yaml``) and reaches the claims of the claimant it names, else the nearest.
All French lives in ``lang/<code>/data/claims.yaml`` and ``verification.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from veille.extract.attribution import Speaker, SpeakerResolver
from veille.extract.claims_lexicon import (
    ClaimLexicon,
    CueSpec,
    load_claim_lexicon,
    load_verification_rules,
)
from veille.extract.units import (
    Sentence,
    char_span,
    normalise_quotes,
    sentence_of,
    sentences,
    subject_on_auxiliary,
    token_span,
)
from veille.extract.verification import verify
from veille.model import (
    Analysis,
    Claim,
    stable_id,
)
from veille.spacy_utils import doc_text

STAGE = "claims@1"

_QUOTE_RE = re.compile(r"«([^«»]{1,1500})»|“([^“”]{1,1500})”|\"([^\"\n]{1,1500})\"")
_SUBJECT_DEPS = ("nsubj", "expl:subj")


# ---------------------------------------------------------------------------
# Cues and contents


@dataclass
class _Found:
    cue_token: Any
    cue: str
    speaker: Speaker
    speaker_head: Any
    content: tuple[int, int]  # chars
    evidence: tuple[int, int]  # chars
    sentence: Sentence
    kind: str
    inverted: bool


def _quotes(text: str) -> list[tuple[int, int]]:
    """Char spans of quotations, marks included."""
    return [(m.start(), m.end()) for m in _QUOTE_RE.finditer(text)]


def cue_lemma(token: Any, lexicon: ClaimLexicon) -> str:
    """The token's lemma, with the lemmatizer's known misses fixed ("estime" -> "estimer")."""
    lemma = token.lemma_.lower()
    return lexicon.lemma_fixes.get(lemma, lemma)


def _phrase_cue(token: Any, lexicon: ClaimLexicon) -> tuple[CueSpec, Any] | None:
    """A multiword cue headed by the token ("fait savoir", "a fait état de", "met en
    garde"), the other words hanging on it: its spec and the companion word."""
    if token.pos_ not in ("VERB", "AUX"):
        return None
    for rest, spec in lexicon.phrase_cues.get(cue_lemma(token, lexicon), ()):
        companions = [c for c in token.children if c.lemma_.lower() in rest]
        if len(companions) == len(rest):
            return spec, companions[-1]
    return None


def _cue_spec(token: Any, lexicon: ClaimLexicon) -> CueSpec | None:
    if token.pos_ not in ("VERB", "AUX"):
        return None
    lemma = cue_lemma(token, lexicon)
    if lemma in lexicon.reflexive_cues and any(
        c.dep_.startswith("expl") or c.lower_ in ("se", "s'", "s’") for c in token.children
    ):
        return lexicon.reflexive_cues[lemma]
    return lexicon.cues.get(lemma)


def _incise_comma(token: Any, sent: Sentence) -> Any | None:
    """The comma right before a cue and its auxiliaries (", a précisé X"), if any."""
    doc = token.doc
    i = token.i - 1
    while i >= sent.start and (doc[i].pos_ == "AUX" or doc[i].dep_.startswith(("aux", "expl"))):
        i -= 1
    return doc[i] if i > sent.start and doc[i].text == "," else None


def _subject(token: Any, sent: Sentence | None = None) -> Any | None:
    """The cue's subject; conjoined and gerund cues borrow their head's.

    After a comma ("..., a précisé le président", "..., annoncent les autorités") the
    subject follows the cue, even when the parse calls it an object.
    """
    # "a-t-il déclaré": the euphonic "-t" is tagged a subject too
    subjects = [c for c in token.children if c.dep_ in _SUBJECT_DEPS and c.lower_.strip("-") != "t"]
    if (
        sent is not None
        and _incise_comma(token, sent) is not None
        and not _is_participle_clause(token)
    ):
        after = [c for c in token.children if c.i > token.i and c.dep_ in (*_SUBJECT_DEPS, "obj")]
        if after and not any(c.dep_ == "ccomp" for c in token.children):
            return after[0]
    if subjects:
        if subjects[0].lower_ == "qui" and token.dep_ in ("acl:relcl", "acl", "relcl"):
            return token.head  # "le fournisseur DTEK, qui déplore ...": the antecedent
        return subjects[0]
    for child in token.children:
        if child.dep_ in ("nsubj:pass", "expl:pass", "expl:impers"):
            return None  # "il a été rapporté que": nobody in particular
    hung = subject_on_auxiliary(token, _SUBJECT_DEPS)
    if hung is not None:
        return hung
    if token.dep_ in ("conj", "xcomp") and token.head.i != token.i:
        return _subject(token.head)
    return None


def _negated(token: Any, lex: ClaimLexicon) -> bool:
    """ "n'a pas confirmé": not saying something is no claim (a denial verb says it)."""
    if cue_lemma(token, lex) in lex.negative_cues:
        return False
    return any(
        c.dep_ == "advmod" and "Neg" in c.morph.get("Polarity") and c.lower_ != "ne"
        for c in token.children
    ) or any(c.lower_ in lex.negators for c in token.children if c.dep_ == "advmod")


def _is_participle_clause(token: Any) -> bool:
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


def _is_passive(token: Any) -> bool:
    return any(c.dep_ in ("aux:pass", "nsubj:pass") for c in token.children)


def _content(
    cue: Any,
    spec: CueSpec,
    sent: Sentence,
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
) -> tuple[tuple[int, int], bool] | None:
    """(content char span, inverted) for a cue, or None when it reports nothing."""
    subject = _subject(cue, sent)
    # "a-t-il précisé": the clitic sits before the participle but is inverted
    inverted = subject is not None and (subject.i > cue.i or subject.text.startswith("-"))
    if "quote" in spec.takes:
        span = _adjacent_quote(cue, sent, doc, quotes)
        if span is not None:
            return span, True
    comma = _incise_comma(cue, sent)
    if inverted and comma is not None:
        # "..., a indiqué le ministère": what comes before the comma is the content
        span = token_span(doc, list(doc[sent.start : comma.i]))
        if span:
            return span, True
    for child in cue.children:
        if "que" in spec.takes and child.dep_ == "ccomp":
            tokens = list(child.subtree)
            if tokens and tokens[0].lower_.replace("’", "'") in lex.complementizers:
                tokens = tokens[1:]
            span = token_span(doc, tokens)
            if span:
                return span, inverted
        if "inf" in spec.takes and child.dep_ in ("xcomp", "advcl", "obl:arg"):
            first = next(iter(child.subtree))
            # "affirme avoir abattu", "s'est félicitée d'avoir abattu"
            infinitive = any(
                "Inf" in t.morph.get("VerbForm")
                for t in (first, child, *(c for c in child.children if c.dep_.startswith("aux")))
            )
            if infinitive and child.pos_ in ("VERB", "AUX"):
                span = token_span(doc, list(child.subtree))
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
    if inverted and cue.dep_ in ("parataxis", "ccomp", "advcl", "conj") and cue.head.i < cue.i:
        # incise: "..., a indiqué le ministère": the governing clause is the content
        inside = {t.i for t in cue.subtree}
        tokens = [t for t in cue.head.subtree if t.i not in inside and sent.start <= t.i < sent.end]
        span = token_span(doc, tokens)
        if span:
            return span, True
    if inverted and cue.dep_ == "ROOT":
        before = [c for c in cue.children if c.i < cue.i and c.dep_ in ("ccomp", "parataxis")]
        if before:
            span = token_span(doc, list(before[0].subtree))
            if span:
                return span, True
    if "obj" in spec.takes:
        for child in cue.children:
            # "a confirmé sa volonté de ...", "s'est félicité de l'efficacité de ..."
            if child.lemma_.lower() in lex.action_nouns:
                continue  # "annonce l'envoi de chars": the speaker's own act, an event
            if child.dep_ == "obj" or (
                child.dep_ in ("obl:arg", "obl") and case_words(child) & {"de", "d'", "du", "des"}
            ):
                span = token_span(doc, list(doc[child.left_edge.i : sent.end]))
                if span:
                    return span, inverted
    return None


def _companion_content(
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
        return _content(companion, spec, sent, doc, quotes, lex)
    if "obj" in spec.takes and companion.i + 1 < sent.end:
        span = token_span(doc, list(doc[companion.i + 1 : sent.end]))
        if span:
            return span, False
    return None


def case_words(token: Any) -> set[str]:
    """The token's case markers, lower case, apostrophes normalised."""
    return {
        normalise_quotes(c.lower_) for c in token.children if c.dep_ == "case" and c.i < token.i
    }


def _adjacent_quote(
    cue: Any, sent: Sentence, doc: Any, quotes: list[tuple[int, int]]
) -> tuple[int, int] | None:
    """A quotation closing just before the cue ("», a déclaré") or opening just after it."""
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
            if (len(gap) <= 40 and ":" in gap) or gap.strip() == "":
                return q_start, q_end
    return None


def _source_matches(doc: Any, sent: Sentence, lex: ClaimLexicon) -> list[tuple[Any, Any]]:
    """(first token, source noun) for "selon X" / "d'après X" in a sentence."""
    found = []
    words = [t.lower_.replace("’", "'") for t in doc[sent.start : sent.end]]
    for seq in lex.source_prepositions:
        n = len(seq)
        for k in range(len(words) - n + 1):
            if tuple(words[k : k + n]) == seq:
                first = doc[sent.start + k]
                noun = first.head
                if first.dep_ == "fixed":
                    continue
                if noun.i == first.i or not (sent.start <= noun.i < sent.end):
                    continue
                found.append((first, noun))
    return found


# ---------------------------------------------------------------------------
# Extraction


def extract_claims(analysis: Analysis, pack: Any, kb: Any) -> list[Claim]:
    """Attributed claims of one article, with verification, in text order."""
    doc = analysis.doc
    if doc is None:
        return []
    lex = load_claim_lexicon(Path(pack.data_dir))
    rules = load_verification_rules(Path(pack.data_dir))
    text = analysis.article.text
    sents = sentences(doc)
    quotes = _quotes(text)
    resolver = SpeakerResolver(analysis, kb, lex)
    resolver.ranges = [(s.char_start, s.char_end) for s in sents]
    found: list[_Found] = []
    for sent in sents:
        for tok in doc[sent.start : sent.end]:
            item = _from_cue(tok, sent, doc, quotes, lex, resolver, sents)
            if item is not None:
                found.append(item)
        for first, noun in _source_matches(doc, sent, lex):
            item = _from_source(first, noun, sent, doc, lex, resolver)
            if item is not None:
                found.append(item)
    found.sort(key=lambda f: f.cue_token.idx)
    found = _drop_nested(found)
    found = _merge_continuations(found)
    found = sorted(
        found + _quoted_continuations(found, sents, doc, quotes, lex),
        key=lambda f: f.cue_token.idx,
    )
    claims = [_to_claim(f, analysis, text) for f in found]
    return verify(claims, analysis, kb, rules, sents)


def _from_cue(
    tok: Any,
    sent: Sentence,
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
    resolver: SpeakerResolver,
    sents: list[Sentence],
) -> _Found | None:
    spec = _cue_spec(tok, lex)
    companion = None
    if spec is None:
        phrase = _phrase_cue(tok, lex)
        if phrase is not None:
            spec, companion = phrase
    if spec is None or _negated(tok, lex):
        return None
    if _is_passive(tok):
        # "une rencontre a été annoncée par Moscou": the agent speaks, the subject is said
        agent = next(
            (c for c in tok.children if c.dep_ == "obl:agent" and "par" in case_words(c)), None
        )
        said = next((c for c in tok.children if c.dep_ == "nsubj:pass"), None)
        if spec.kind != "report" or agent is None or said is None:
            return None
        subject = agent
        span = token_span(doc, list(said.subtree))
        content = (span, False) if span else None
    else:
        subject = _subject(tok, sent)
        if subject is None and _is_participle_clause(tok):
            # "X a indiqué que ..., soulignant ...": an adjunct of another statement
            return None
        if subject is None or not sent.start <= subject.i < sent.end:
            # the parse ran over a headline or line break: take the phrase before the cue
            subject = unit_subject(tok, sent)
        if subject is None:
            return None
        content = _content(tok, spec, sent, doc, quotes, lex)
        if content is None and companion is not None:
            content = _companion_content(tok, companion, spec, sent, doc, quotes, lex)
    if content is None:
        return None
    (c_start, c_end), inverted = content
    speaker = resolver.resolve(subject)
    if speaker is None:
        return None
    if spec.kind == "opinion" and not (speaker.named or speaker.actor.country):
        return None  # a country guessed from the context does not make an opinion a claim
    speaker = resolver.situate(speaker, subject, resolver.ranges)
    resolver.remember(subject.idx, subject.lemma_.lower(), speaker)
    ev_start, ev_end = sent.char_start, sent.char_end
    if c_start < ev_start:  # a quotation running over several sentences
        first = sentence_of(sents, _token_at(doc, c_start))
        ev_start = first.char_start if first else c_start
    return _Found(
        cue_token=tok,
        cue=spec.phrase or cue_lemma(tok, lex),
        speaker=speaker,
        speaker_head=subject,
        content=(c_start, c_end),
        evidence=(ev_start, ev_end),
        sentence=sent,
        kind=spec.kind,
        inverted=inverted,
    )


def _token_at(doc: Any, char: int) -> int:
    for tok in doc:
        if tok.idx + len(tok) > char:
            return tok.i
    return len(doc) - 1


def _from_source(
    first: Any, noun: Any, sent: Sentence, doc: Any, lex: ClaimLexicon, resolver: SpeakerResolver
) -> _Found | None:
    quote = _quote_before(first, sent, doc)
    if quote is not None:  # « ... », selon la même source
        speaker = resolver.situate(resolver.resolve(noun), noun, resolver.ranges)
        if speaker is None:
            return None
        resolver.remember(noun.idx, noun.lemma_.lower(), speaker)
        return _Found(
            first, first.lower_, speaker, noun, quote, (sent.char_start, sent.char_end), sent,
            "report", True,
        )  # fmt: skip
    clause = noun.head if noun.head.i != noun.i else None
    if clause is None or not sent.start <= clause.i < sent.end:
        return _from_source_surface(first, sent, doc, lex, resolver)
    speaker = resolver.situate(resolver.resolve(noun), noun, resolver.ranges)
    if speaker is None:
        return None
    inside = {t.i for t in noun.subtree}
    tokens = [t for t in clause.subtree if t.i not in inside and sent.start <= t.i < sent.end]
    span = token_span(doc, tokens)
    if span is None:
        return None
    resolver.remember(noun.idx, noun.lemma_.lower(), speaker)
    cue = " ".join(
        t.lower_.replace("’", "'") for t in doc[first.i : noun.i] if t.dep_ in ("case", "fixed")
    )
    cue = cue.replace("' ", "'") or first.lower_
    return _Found(
        first, cue, speaker, noun, span, (sent.char_start, sent.char_end), sent, "report", False
    )


def _quote_before(first: Any, sent: Sentence, doc: Any) -> tuple[int, int] | None:
    """A quotation that ends right before a source preposition, inside the sentence."""
    before = doc_text(doc)[sent.char_start : first.idx].rstrip(" ,\u00a0")
    if not before or before[-1] not in '»”"':
        return None
    for q_start, q_end in _quotes(doc_text(doc)):
        if q_end == sent.char_start + len(before) and q_start >= sent.char_start:
            return q_start, q_end
    return None


def _from_source_surface(
    first: Any, sent: Sentence, doc: Any, lex: ClaimLexicon, resolver: SpeakerResolver
) -> _Found | None:
    """ "Selon l'état-major ukrainien, ..." when the parse is broken (the tokenizer splits
    "état-major"): the source runs to the next comma, the content is the rest."""
    end = first.i + 1
    while end < sent.end and doc[end].text not in (",", ";", ":"):
        end += 1
    source = [t for t in doc[first.i + 1 : end] if t.pos_ in ("NOUN", "PROPN", "PRON")]
    speaker, head = None, None
    for tok in source:
        speaker = resolver.situate(resolver.resolve(tok), tok, resolver.ranges)
        if speaker is not None and (speaker.named or speaker.actor.country):
            head = tok
            break
    if speaker is None or head is None:
        return None
    if first.i == sent.start or all(t.is_punct for t in doc[sent.start : first.i]):
        tokens = list(doc[end + 1 : sent.end])
    else:
        tokens = list(doc[sent.start : first.i])
    span = token_span(doc, tokens)
    if span is None:
        return None
    resolver.remember(head.idx, head.lemma_.lower(), speaker)
    cue = first.lower_.replace("’", "'")
    if cue.endswith("'") and first.i + 1 < end:
        cue += doc[first.i + 1].lower_
    return _Found(
        first, cue, speaker, head, span, (sent.char_start, sent.char_end), sent, "report", False
    )


def _quoted_continuations(
    found: list[_Found],
    sents: list[Sentence],
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
) -> list[_Found]:
    """A sentence that is a quotation with no cue of its own continues the statement of
    the speaker quoted just before it (within ``lex.quote_continuation`` sentences), until
    another source speaks."""
    out: list[_Found] = []
    by_sentence = {f.sentence.index: f for f in found}
    last: _Found | None = None
    for sent in sents:
        own = by_sentence.get(sent.index)
        if own is not None:
            last = own
            continue
        if last is None or last.kind != "report":
            continue
        if sent.index - last.sentence.index > lex.quote_continuation:
            last = None
            continue
        quote = next(
            ((a, b) for a, b in quotes if a <= sent.char_start + 1 and b > sent.char_start),
            None,
        )
        if quote is None or any(_source_matches(doc, sent, lex)):
            continue
        end = min(quote[1], sent.char_end)
        words = [t for t in doc[sent.start : sent.end] if t.is_alpha]
        if len(words) < 4:
            continue  # a stray quotation mark the splitter left on its own
        item = _Found(
            cue_token=doc[sent.start],
            cue=last.cue,
            speaker=replace(last.speaker, anaphoric=True),
            speaker_head=last.speaker_head,
            content=(quote[0], end),
            evidence=(sent.char_start, sent.char_end),
            sentence=sent,
            kind="report",
            inverted=False,
        )
        out.append(item)
        last = item
    return out


def _drop_nested(found: list[_Found]) -> list[_Found]:
    """A cue inside another claim's content is part of that report ("X rapporte que Y a dit")."""
    keep = []
    for item in found:
        at = item.cue_token.idx
        if any(other is not item and other.content[0] <= at < other.content[1] for other in found):
            continue
        keep.append(item)
    return keep


def _merge_continuations(found: list[_Found]) -> list[_Found]:
    """ "X a déclaré que A. B, a indiqué le ministère.": one statement over two sentences.

    Only for the very next sentence of the same paragraph, an inverted cue, and a speaker
    that refers back (pronoun or bare noun) to the same actor.
    """
    out: list[_Found] = []
    for item in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and item.inverted
            and item.speaker.anaphoric
            and item.sentence.index == prev.sentence.index + 1
            and item.sentence.paragraph == prev.sentence.paragraph
            and item.speaker.actor.country == prev.speaker.actor.country
            and not _is_quote_claim(item)
        ):
            prev.evidence = (prev.evidence[0], item.evidence[1])
            prev.content = (prev.content[0], item.content[1])
            continue
        out.append(item)
    return out


def _is_quote_claim(item: _Found) -> bool:
    doc = item.cue_token.doc
    return doc_text(doc)[item.content[0]] in '«“"'


def _to_claim(item: _Found, analysis: Analysis, text: str) -> Claim:
    c_start, c_end = item.content
    e_start, e_end = item.evidence
    confidence = 0.8 if item.speaker.named or item.speaker.actor.country else 0.6
    if item.kind == "opinion":
        confidence -= 0.1
    return Claim(
        id=stable_id(analysis.article.id, "claim", c_start, c_end, item.cue),
        article_id=analysis.article.id,
        sentence=char_span(text, e_start, e_end),
        content=char_span(text, c_start, c_end),
        cue=item.cue,
        speaker=item.speaker.actor,
        anonymous=item.speaker.anonymous,
        confidence=round(confidence, 2),
        stage=STAGE,
    )
