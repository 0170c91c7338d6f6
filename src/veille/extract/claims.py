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

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from veille.extract.attribution import Speaker, SpeakerResolver
from veille.extract.claims_cues import (
    auxiliary_before_incise,
    cleft_content,
    companion_content,
    cue_content,
    cue_frame,
    cue_lemma,
    cue_spec,
    cue_subject,
    direct_argument,
    find_quotes,
    incise_comma,
    is_negated,
    is_noun_participle,
    is_participle_clause,
    is_passive,
    noun_cue,
    phrase_cue,
    source_matches,
    speaker_after,
    unit_subject,
)
from veille.extract.claims_lexicon import (
    ClaimLexicon,
    load_claim_lexicon,
    load_verification_rules,
)
from veille.extract.units import (
    Sentence,
    char_span,
    normalise_quotes,
    sentence_of,
    sentences,
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
# A statement this long found whole in another sentence is told twice, not two claims.
_REPEAT_MIN_WORDS = 5


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
    # the content is told before the cue's sentence ("A. C'est ce qu'a annoncé X.")
    backward: bool = False
    # told inside a noun phrase ("l'attaque revendiquée par X"): the article's own aside,
    # kept even inside another speaker's content
    embedded: bool = False


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
    quotes = find_quotes(text)
    resolver = SpeakerResolver(analysis, kb, lex)
    resolver.ranges = [(s.char_start, s.char_end) for s in sents]
    found: list[_Found] = []
    for sent in sents:
        for tok in doc[sent.start : sent.end]:
            pos = tok.pos_  # a cue is a verb (or its auxiliary), a speech noun a noun
            if pos in ("VERB", "AUX"):
                item = _from_cue(tok, sent, doc, quotes, lex, resolver, sents)
            elif pos == "NOUN":
                item = _from_noun(tok, sent, doc, lex, resolver)
            else:
                continue
            if item is not None:
                found.append(item)
        for first, noun, phrase in source_matches(doc, sent, lex):
            item = _from_source(first, noun, phrase, sent, doc, lex, resolver)
            if item is not None:
                found.append(item)
    found.sort(key=lambda f: f.cue_token.idx)
    found = _drop_nested(found)
    found = _merge_continuations(found)
    found = sorted(
        found + _quoted_continuations(found, sents, doc, quotes, lex),
        key=lambda f: f.cue_token.idx,
    )
    claims = _drop_repeated([_to_claim(f, analysis, text) for f in found])
    return verify(claims, analysis, kb, rules, sents)


def _drop_repeated(claims: list[Claim]) -> list[Claim]:
    """A statement told again word for word is one claim: live blogs repeat their entries,
    headlines quote what the body reports with its context. The one whose words another
    sentence of the same speaker's country holds whole is dropped (the first of identical
    ones is kept)."""

    def words(text: str) -> str:
        return " ".join(normalise_quotes(text).lower().replace('"', " ").split())

    def country(claim: Claim) -> str | None:
        return claim.speaker.country if claim.speaker else None

    def told_again(claim: Claim, n: int, other: Claim, m: int) -> bool:
        if country(other) != country(claim) or other.sentence == claim.sentence:
            return False
        content = words(claim.content.text)
        if words(other.content.text) == content:
            return m < n  # the same words twice: keep the first
        long_enough = len(content.split()) >= _REPEAT_MIN_WORDS
        return long_enough and content in words(other.sentence.text)

    return [
        claim
        for n, claim in enumerate(claims)
        if not any(told_again(claim, n, other, m) for m, other in enumerate(claims) if m != n)
    ]


def _from_cue(
    tok: Any,
    sent: Sentence,
    doc: Any,
    quotes: list[tuple[int, int]],
    lex: ClaimLexicon,
    resolver: SpeakerResolver,
    sents: list[Sentence],
) -> _Found | None:
    spec = cue_spec(tok, lex)
    companion = None
    if spec is None:
        phrase = phrase_cue(tok, lex)
        if phrase is not None:
            spec, companion = phrase
    if spec is None or is_negated(tok, lex):
        return None
    frame = cue_frame(tok, lex)
    # "une attaque revendiquée par Kiev": a participle on a noun, its agent speaks
    embedded = "agent" in spec.takes and is_noun_participle(tok) and "marked_agent" in frame.args
    if embedded or is_passive(tok, lex):
        agent = frame.arg("marked_agent")
        # "une rencontre a été annoncée par Moscou": the agent speaks, the subject is said
        passive_subject = frame.arg("passive_subject")
        said = (
            tok.head
            if embedded
            else (direct_argument(tok, passive_subject) if passive_subject is not None else None)
        )
        if spec.kind != "report" or agent is None or said is None:
            return None
        subject = agent
        inside = {t.i for t in tok.subtree} if embedded else set()
        span = token_span(doc, [t for t in said.subtree if t.i not in inside])
        content = (span, False) if span else None
    elif (cleft := cleft_content(tok, sent, sents, lex)) is not None:
        subject = speaker_after(tok, sent, lex, resolver.analysis)
        if subject is None:
            return None
        content = (cleft, True)
    else:
        subject = cue_subject(tok, lex, sent)
        comma = incise_comma(tok, sent)
        if (
            subject is not None
            and comma is not None
            and subject.i < comma.i
            and not is_participle_clause(tok)
            and "content_clause" not in frame.args
        ):
            # an incise speaks after its cue: a subject inside the content is a misparse
            subject = speaker_after(tok, sent, lex, resolver.analysis) or subject
        if subject is None and is_participle_clause(tok):
            # "X a indiqué que ..., soulignant ...": an adjunct of another statement
            return None
        if subject is None and (aux := auxiliary_before_incise(tok, sent)) is not None:
            subject = unit_subject(aux, sent)  # "X avait, de son côté, affirmé ..."
        if subject is None or not sent.start <= subject.i < sent.end:
            # the parse ran over a headline or line break: take the phrase before the cue
            subject = unit_subject(tok, sent)
        if subject is None:
            return None
        content = cue_content(tok, spec, sent, doc, quotes, lex, subject)
        if content is None and companion is not None:
            content = companion_content(tok, companion, spec, sent, doc, quotes, lex)
    if content is None:
        return None
    (c_start, c_end), inverted = content
    speaker = resolver.resolve(subject)
    if speaker is None:
        return None
    if spec.kind == "opinion" and not (speaker.named or speaker.actor.country):
        return None  # a country guessed from the context does not make an opinion a claim
    speaker = resolver.situate(speaker, subject, resolver.ranges)
    resolver.remember(subject, speaker)
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
        backward=c_end <= sent.char_start,
        embedded=embedded,
    )


def _from_noun(
    noun: Any, sent: Sentence, doc: Any, lex: ClaimLexicon, resolver: SpeakerResolver
) -> _Found | None:
    """ "l'affirmation de Kiev selon laquelle ...": the first owner that is a speaker says
    the relative clause."""
    found = noun_cue(noun, lex)
    if found is None:
        return None
    spec, owners, tokens = found
    span = token_span(doc, [t for t in tokens if sent.start <= t.i < sent.end])
    for owner in owners:
        speaker = resolver.resolve(owner)
        if speaker is None or span is None:
            continue
        if spec.kind == "opinion" and not (speaker.named or speaker.actor.country):
            return None
        speaker = resolver.situate(speaker, owner, resolver.ranges)
        resolver.remember(owner, speaker)
        evidence = (sent.char_start, sent.char_end)
        cue = noun.lemma_.lower()
        return _Found(noun, cue, speaker, owner, span, evidence, sent, spec.kind, False)
    return None


def _token_at(doc: Any, char: int) -> int:
    for tok in doc:
        if tok.idx + len(tok) > char:
            return tok.i
    return len(doc) - 1


def _from_source(
    first: Any,
    noun: Any,
    phrase: str,
    sent: Sentence,
    doc: Any,
    lex: ClaimLexicon,
    resolver: SpeakerResolver,
) -> _Found | None:
    quote = _quote_before(first, sent, doc)
    if quote is not None:  # « ... », selon la même source
        speaker = resolver.situate(resolver.resolve(noun), noun, resolver.ranges)
        if speaker is None:
            return None
        resolver.remember(noun, speaker)
        return _Found(
            first, phrase, speaker, noun, quote, (sent.char_start, sent.char_end), sent,
            "report", True,
        )  # fmt: skip
    clause = noun.head if noun.head.i != noun.i else None
    if clause is None or not sent.start <= clause.i < sent.end:
        return _from_source_surface(first, phrase, sent, doc, resolver)
    speaker = resolver.situate(resolver.resolve(noun), noun, resolver.ranges)
    if speaker is None:
        return None
    inside = {t.i for t in noun.subtree}
    tokens = [t for t in clause.subtree if t.i not in inside and sent.start <= t.i < sent.end]
    span = token_span(doc, tokens)
    if span is None:
        return None
    resolver.remember(noun, speaker)
    return _Found(
        first, phrase, speaker, noun, span, (sent.char_start, sent.char_end), sent, "report", False
    )


def _quote_before(first: Any, sent: Sentence, doc: Any) -> tuple[int, int] | None:
    """A quotation that ends right before a source preposition, inside the sentence."""
    before = doc_text(doc)[sent.char_start : first.idx].rstrip(" ,\u00a0")
    if not before or before[-1] not in '»”"':
        return None
    for q_start, q_end in find_quotes(doc_text(doc)):
        if q_end == sent.char_start + len(before) and q_start >= sent.char_start:
            return q_start, q_end
    return None


def _from_source_surface(
    first: Any, phrase: str, sent: Sentence, doc: Any, resolver: SpeakerResolver
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
    resolver.remember(head, speaker)
    return _Found(
        first, phrase, speaker, head, span, (sent.char_start, sent.char_end), sent, "report", False
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
        if quote is None or any(source_matches(doc, sent, lex)):
            continue
        end = min(quote[1], sent.char_end)
        if any(f.content[0] < end and quote[0] < f.content[1] for f in found):
            continue  # "« A. B », a dit X" split in two: the quotation is X's content already
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
        if not item.embedded and any(
            other is not item and other.content[0] <= at < other.content[1] and not other.backward
            for other in found
        ):
            continue
        keep.append(item)
    return keep


def _merge_continuations(found: list[_Found]) -> list[_Found]:
    """ "X a déclaré que A. B, a indiqué le ministère.": one statement over two sentences.

    Only for the very next sentence of the same paragraph, an inverted cue, and a speaker
    that refers back (pronoun or bare noun) to the same actor, after an indirect statement
    the speaker opened ("X a déclaré que"). Two incises ("A, a déclaré X. B, a-t-il
    précisé.") are two statements, each with its own cue.
    """
    out: list[_Found] = []
    for item in found:
        prev = out[-1] if out else None
        if (
            prev is not None
            and item.inverted
            and not prev.inverted
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
