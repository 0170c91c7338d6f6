"""Speaker attribution: who a speaker phrase denotes, and from which country it speaks.

A named speaker is its entity; a bare role noun ("le ministère", "le gouverneur") or a
pronoun ("a-t-il précisé") is the last compatible speaker or person named; a speaker still
without a country takes it from its own phrase (a demonym or an entity, not one inside a
participle clause such as "interrogée par l'AFP"), from a possessive ("son ministère"), or,
for local authorities ("le gouverneur", "les autorités", "l'usine"), from the places the
text is about around the statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from veille.extract.actors import demonym_country, resolve_actor
from veille.extract.syntax import points_back
from veille.extract.units import token_span
from veille.model import Actor, Analysis, EntityMention
from veille.spacy_utils import doc_text

if TYPE_CHECKING:
    from veille.extract.claims_lexicon import ClaimLexicon


@dataclass(frozen=True)
class Speaker:
    actor: Actor
    anonymous: bool
    named: bool  # a linked entity or a proper name
    anaphoric: bool = False


def mention_at_char(analysis: Analysis, char: int) -> Any:
    for mention in analysis.entities:
        if mention.start <= char < mention.end:
            return mention
    return None


def _owner(head: Any) -> Any | None:
    """The "de X" owner of a noun ("les analyses des médias russes" -> médias)."""
    for child in head.children:
        if child.dep_ == "nmod" and any(c.dep_ == "case" for c in child.children):
            return child
    return None


def _is_bare(head: Any, lexicon: ClaimLexicon) -> bool:
    """A definite noun that names nobody new ("le ministère", "le ministère sur Telegram",
    "la même source"): no adjective but "même", no name, no "de X" owner."""
    if not any(c.dep_ == "det" for c in head.children):
        return False
    for child in head.children:
        if child.dep_ == "amod" and child.lower_ not in lexicon.same_words:
            return False
        if child.dep_ in ("appos", "flat:name") and child.pos_ == "PROPN":
            return False
        if child.dep_ == "nmod" and any(
            c.dep_ == "case" and c.lower_ in lexicon.owner_markers for c in child.children
        ):
            return False
    return True


def _is_definite(head: Any) -> bool:
    """ "la source", "cette source": a determiner that points back (not "une", "des")."""
    return points_back(head)


def _phrase_words(head: Any) -> frozenset[str]:
    """Lemmas of a speaker phrase's own content words (no clause, apposition or name)."""
    words = {head.lemma_.lower()}
    queue = [c for c in head.children if c.dep_ not in _NOT_OWN]
    while queue:
        tok = queue.pop()
        if tok.pos_ in ("NOUN", "ADJ", "PROPN"):
            words.add(tok.lemma_.lower())
        queue.extend(c for c in tok.children if c.dep_ not in _NOT_OWN)
    return frozenset(words)


class SpeakerResolver:
    """Speaker phrases to actors, remembering the last named speaker for anaphora."""

    def __init__(self, analysis: Analysis, kb: Any, lexicon: ClaimLexicon) -> None:
        self.analysis = analysis
        self.kb = kb
        self.lexicon = lexicon
        self.history: list[tuple[int, str, Speaker]] = []  # (char, head lemma, speaker)
        self.phrases: dict[int, frozenset[str]] = {}  # char -> the speaker phrase's words
        self.ranges: list[tuple[int, int]] = []  # sentences (chars), for context countries

    def situate(
        self, speaker: Speaker | None, head: Any, ranges: list[tuple[int, int]]
    ) -> Speaker | None:
        """The speaker with its country completed from its words or the context.

        ``ranges`` are the sentences' char ranges in text order; the statement is in the
        one holding ``head``.
        """
        if speaker is None:
            return None
        at = next((n for n, (s, e) in enumerate(ranges) if s <= head.idx < e), None)
        context: list[tuple[int, int]] = []
        if at is not None:
            first = max(0, at - self.lexicon.context_sentences)
            context = [ranges[n] for n in range(at, first - 1, -1)]
            if first > 0:
                context.append(ranges[0])
        return with_context_country(speaker, head, self.analysis, self.kb, self.lexicon, context)

    def remember(self, head: Any, speaker: Speaker) -> None:
        if not speaker.anaphoric:
            self.history.append((head.idx, head.lemma_.lower(), speaker))
            self.phrases[head.idx] = _phrase_words(head)

    def _previous_product(self, char: int) -> Speaker | None:
        """The speaker of the last text (communiqué, report, memorandum) cited before."""
        for at, head_lemma, speaker in reversed(self.history):
            if at < char and head_lemma in self.lexicon.speech_products:
                return replace(speaker, anaphoric=True)
        return None

    def _same_country_person(self, head: Any) -> Speaker | None:
        """ "le président ukrainien", "le leader européen": a role noun with only a demonym
        is the last named speaker of that country (a group demonym covers its members)."""
        if head.lemma_.lower() not in self.lexicon.person_roles or _owner(head) is not None:
            return None
        wanted = own_country(head, self.analysis, self.kb)[1]
        if wanted is None:
            return None
        countries = {wanted, *self.lexicon.country_groups.get(wanted, ())}
        for at, _, speaker in reversed(self.history):
            if at < head.idx and speaker.named and speaker.actor.country in countries:
                return replace(speaker, anaphoric=True)
        return None

    def _described(self, head: Any) -> Speaker | None:
        """ "l'armée de l'air" after "l'armée de l'air ukrainienne": a definite phrase whose
        words all belong to an earlier speaker's phrase with the same head is that speaker."""
        words = _phrase_words(head)
        lemma = head.lemma_.lower()
        for at, head_lemma, speaker in reversed(self.history):
            if at < head.idx and head_lemma == lemma and words <= self.phrases.get(at, set()):
                return replace(speaker, anaphoric=True)
        return None

    def _previous(self, char: int, lemma: str | None = None) -> tuple[int, Speaker] | None:
        for at, head_lemma, speaker in reversed(self.history):
            if at < char and (lemma is None or head_lemma == lemma):
                return at, speaker
        return None

    def _last_person(
        self, char: int, holds: Callable[[str], bool] | None = None
    ) -> tuple[int, Speaker] | None:
        """The last person named before ``char`` (for "le président", "il").

        ``holds`` filters on the person's KB offices (a role id test): "le président" is
        the last president named, not the last minister.
        """
        best = None
        for mention in self.analysis.entities:
            if (
                mention.label == "PER"
                and mention.end <= char
                and mention.country
                and (holds is None or self._holds(mention.kb_id, holds))
                and (best is None or mention.start > best.start)
            ):
                best = mention
        if best is None:
            return None
        span = self.analysis.doc.char_span(best.start, best.end, alignment_mode="expand")
        actor = resolve_actor(span, self.analysis, self.kb) if span is not None else None
        if actor is None or actor.country is None:
            actor = Actor(best.text, best.name, best.country, best.sector, best.kb_id)
        return best.start, Speaker(actor, anonymous=False, named=True, anaphoric=True)

    def _holds(self, kb_id: str | None, holds: Callable[[str], bool]) -> bool:
        entity = self.kb.get(kb_id) if kb_id and hasattr(self.kb, "get") else None
        return any(holds(r.role) for r in getattr(entity, "roles", ()) or ())

    def _role_person(self, lemma: str, char: int) -> tuple[int, Speaker] | None:
        """ "le président": the last person named holding such an office, else the last person."""
        suffixes = self.lexicon.role_suffixes.get(lemma, ())
        if suffixes:

            def holds(role: str) -> bool:
                return role.split(".", 1)[-1].endswith(suffixes)

            # the last speaker holding the office, or the last person named holding it
            speaker = next(
                (
                    (at, sp)
                    for at, _, sp in reversed(self.history)
                    if at < char and self._holds(sp.actor.kb_id, holds)
                ),
                None,
            )
            found = [c for c in (self._last_person(char, holds), speaker) if c is not None]
            if found:
                return max(found, key=lambda c: c[0])
        return self._last_person(char)

    def _office_holder(self, mention: EntityMention, char: int) -> Speaker | None:
        """A role phrase ("le chef de la Maison Blanche") names its holder: the KB's holder on
        the article's date, else the last person named who held that office."""
        has_get = hasattr(self.kb, "get")
        target = self.kb.get(mention.refers_to) if mention.refers_to and has_get else None
        if target is None and mention.role:
            found = self._last_person(char, lambda role: role == mention.role)
            if found is None:
                return None
            actor = found[1].actor
            return Speaker(
                Actor(mention.text, actor.name, actor.country, actor.sector, actor.kb_id),
                anonymous=False,
                named=True,
            )
        if target is None:
            return None
        return Speaker(
            Actor(
                mention.text,
                target.name,
                target.country or mention.country,
                target.sector or mention.sector,
                target.id,
            ),
            anonymous=False,
            named=True,
        )

    def _antecedent(self, char: int) -> Speaker | None:
        """For a pronoun: the nearer of the last speaker and the last person named."""
        found = [c for c in (self._previous(char), self._last_person(char)) if c]
        if not found:
            return None
        return replace(max(found, key=lambda c: c[0])[1], anaphoric=True)

    def resolve(self, head: Any) -> Speaker | None:
        lex = self.lexicon
        text = head.text.lower().lstrip("-")
        lemma = head.lemma_.lower()
        mention = mention_at_char(self.analysis, head.idx)
        if mention is None and (head.pos_ == "PRON" or text in lex.anaphoric_pronouns):
            if text not in lex.anaphoric_pronouns:
                return None
            return self._antecedent(head.idx)
        if mention is None and lemma in lex.speech_products:
            owner = _owner(head)
            if owner is not None:
                return self.resolve(owner)
            if own_country(head, self.analysis, self.kb)[1] is None:
                # "selon le texte", "ce document": the text cited last speaks again;
                # "selon des publications": nobody in particular
                return self._previous_product(head.idx) if _is_definite(head) else None
        if mention is not None and mention.label == "PER" and mention.role:
            holder = self._office_holder(mention, head.idx)
            if holder is not None:
                return holder
        named_child = self._named_complement(head)
        if named_child is not None:
            return self.resolve(named_child)
        appositive = self._appositive_name(head)
        if appositive is not None:
            return appositive
        named = mention is not None or head.pos_ == "PROPN"
        if (
            not named
            and lemma not in lex.speaker_nouns | lex.anonymous_sources | lex.local_speakers
        ):
            actor = resolve_actor(head, self.analysis, self.kb)
            if actor is None or actor.country is None:
                return None
            return Speaker(actor, anonymous=False, named=False)
        same = any(c.lower_ in lex.same_words for c in head.children)
        definite = _is_definite(head)
        if not named and definite and not same:
            described = self._described(head) or self._same_country_person(head)
            if described is not None:
                return described
        if not named and _is_bare(head, lex) and (lemma not in lex.anonymous_sources or same):
            # "le ministère" is the last ministry that spoke; "le président" the last person
            previous = self._previous(head.idx, None if same else lemma) or (
                self._role_person(lemma, head.idx) if lemma in lex.person_roles else None
            )
            if previous is not None:
                return replace(previous[1], anaphoric=True)
        actor = resolve_actor(head, self.analysis, self.kb)
        if actor is None:
            text_ = head.doc[head.left_edge.i : head.i + 1].text
            actor = Actor(text=text_, name=text_)
        if head.pos_ != "PROPN":
            actor = self._label(head, actor)
        anonymous = not named and lemma in lex.anonymous_sources
        return Speaker(actor, anonymous=anonymous, named=named)

    def _named_complement(self, head: Any) -> Any | None:
        """ "le fournisseur d'énergie DTEK", "l'opérateur ukrainien Naftogaz": a common noun
        followed by the name of a known body or person, without a preposition, is that body."""
        if head.pos_ != "NOUN" or mention_at_char(self.analysis, head.idx) is not None:
            return None
        for child in head.children:
            if (
                child.i > head.i
                and child.dep_ in ("appos", "nmod", "flat:name")
                and head.doc[child.i - 1].text != ","
                and not any(c.dep_ == "case" for c in child.children)
            ):
                mention = mention_at_char(self.analysis, child.idx)
                if mention is not None and mention.kb_id and mention.label in ("ORG", "PER"):
                    return child
        return None

    def _appositive_name(self, head: Any) -> Speaker | None:
        """ "Le gouverneur de la région de Kharkiv, Oleg Synegoubov": the person's name wins
        over the role phrase; the country comes from the person, else from the role phrase."""
        if head.pos_ == "PROPN" or head.lemma_.lower() not in self.lexicon.person_roles:
            return None
        # the name may hang on the role's complement ("de la région de Kharkiv, Oleg ...")
        for child in head.subtree:
            if child.dep_ not in ("appos", "conj") or child.pos_ != "PROPN" or child.i <= head.i:
                continue
            mention = mention_at_char(self.analysis, child.idx)
            if mention is not None and mention.label != "PER":
                continue
            # "le président X" needs no comma when X is a person the NER found
            if head.doc[child.i - 1].text != "," and mention is None:
                continue
            tokens = [child, *(t for t in child.children if t.dep_ in ("flat:name", "flat"))]
            span = token_span(head.doc, tokens)
            if span is None:
                continue
            surface = doc_text(head.doc)[span[0] : span[1]]
            name = mention.name if mention is not None else surface
            role = resolve_actor(head, self.analysis, self.kb)
            country = (mention.country if mention else None) or (role.country if role else None)
            sector = (mention.sector if mention else None) or (role.sector if role else None)
            kb_id = mention.kb_id if mention is not None else None
            actor = Actor(surface, name, country, sector, kb_id)
            return Speaker(actor, anonymous=False, named=True)
        return None

    def _label(self, head: Any, actor: Actor) -> Actor:
        """An English label for a group speaker ("les médias britanniques" -> "British media"),
        and the speaker phrase without where it spoke ("le ministère sur Telegram")."""
        lex = self.lexicon
        doc = head.doc
        channel = [
            c
            for c in head.children
            if c.i > head.i
            and c.dep_ in ("nmod", "obl", "obl:mod")
            and any(g.dep_ == "case" and g.lower_ in lex.channel_markers for g in c.children)
        ]
        if channel and actor.name == actor.text:
            cut = min(c.left_edge.i for c in channel)
            text = doc[head.left_edge.i : cut].text.rstrip(" ,")
            actor = replace(actor, text=text, name=text)
        forms = lex.label_nouns.get(head.lemma_.lower())
        if forms is None or any(
            c.dep_ == "nmod"
            and any(g.dep_ == "case" and g.lower_ in lex.owner_markers for g in c.children)
            for c in head.children
        ):
            return actor
        demonyms, others = [], []
        for child in head.children:
            if child.dep_ != "amod":
                continue
            country = demonym_country(child, self.kb)
            if country is not None and country in lex.demonyms:
                demonyms.append(lex.demonyms[country])
                continue
            english = lex.label_adjectives.get(child.lower_) or lex.label_adjectives.get(
                child.lemma_.lower()
            )
            if english is not None:
                others.append(english)
        number = head.morph.get("Number")
        plural = "Plur" in number or (not number and head.lower_.endswith(("s", "x")))
        label = " ".join([*demonyms, *others, forms[1] if plural else forms[0]])
        return replace(actor, name=label)


# ---------------------------------------------------------------------------
# Countries from context

# A speaker's own phrase ends where a participle clause, a relative clause or an apposition
# starts: "une source du secteur ukrainien, interrogée par l'AFP" speaks for Ukraine.
_NOT_OWN = frozenset(
    {"acl", "acl:relcl", "relcl", "appos", "parataxis", "advcl", "ccomp", "punct", "conj"}
)
_LOCAL_KINDS = frozenset({"region", "city", "town", "district", "infrastructure"})
_PLACE_KINDS = frozenset(
    {"country", "region", "city", "capital", "town", "district", "cape", "infrastructure"}
)


def own_country(head: Any, analysis: Analysis, kb: Any) -> tuple[bool, str | None]:
    """(the phrase holds a country anywhere, the country of its own words).

    Its own words are the head and its complements, without participle and relative
    clauses; the nearest demonym or entity wins.
    """
    found_any = False
    own: str | None = None
    queue = [(head, True)]
    while queue:
        tok, is_own = queue.pop(0)
        country = None
        if tok is not head and tok.dep_ == "amod":
            country = demonym_country(tok, kb)
        mention = mention_at_char(analysis, tok.idx) if tok is not head else None
        if country is None and mention is not None and mention.label != "WEAPON":
            country = mention.country
        if country:
            found_any = True
            if is_own and own is None:
                own = country
        for child in tok.children:
            queue.append((child, is_own and child.dep_ not in _NOT_OWN))
    return found_any, own


def possessor_country(head: Any, analysis: Analysis) -> str | None:
    """ "son ministère", "ses services": the country of the nearest person or body named
    before the possessive in the same sentence."""
    if not any(c.dep_ == "det" and "Poss=Yes" in str(c.morph) for c in head.children):
        return None
    start = head.sent.start_char
    best = None
    for mention in analysis.entities:
        if (
            start <= mention.start < head.idx
            and mention.country
            and mention.label
            in (
                "PER",
                "ORG",
            )
        ):
            best = mention
    return best.country if best is not None else None


def place_country(
    analysis: Analysis,
    kb: Any,
    ranges: list[tuple[int, int]],
    local_nouns: frozenset[str] = frozenset(),
) -> str | None:
    """Country of the first place named in the first range that names one: a city or a
    region where the text has one (a governor speaks where the strike was, not for the
    country the drones came from), else a country."""
    for start, end in ranges:
        # "une raffinerie russe ... a indiqué l'usine": a demonym on a local speaker noun
        for tok in analysis.doc.char_span(start, end, alignment_mode="expand") or ():
            if tok.dep_ == "amod" and tok.head.lemma_.lower() in local_nouns:
                country = demonym_country(tok, kb)
                if country:
                    return country
    for wanted in (_LOCAL_KINDS, _PLACE_KINDS):
        for start, end in ranges:
            for mention in analysis.entities:
                if not (start <= mention.start < end) or not mention.country:
                    continue
                entity = kb.get(mention.kb_id) if mention.kb_id and hasattr(kb, "get") else None
                kind = getattr(entity, "kind", None)
                if kind in wanted or (kind is None and mention.label == "LOC"):
                    return mention.country
    return None


def with_context_country(
    speaker: Speaker,
    head: Any,
    analysis: Analysis,
    kb: Any,
    lexicon: ClaimLexicon,
    context: list[tuple[int, int]],
) -> Speaker:
    """The speaker with a country from its own words, a possessive or the context.

    ``context`` lists char ranges to search for a place, nearest first (the sentence,
    the sentences before it, the headline); only local speakers look there.
    """
    named = mention_at_char(analysis, head.idx) is not None or head.pos_ == "PROPN"
    country = speaker.actor.country
    if speaker.named and country:
        return speaker  # "le président X": the person's country, not the phrase's
    if not named and not speaker.anaphoric:
        found_any, own = own_country(head, analysis, kb)
        if own is not None:
            country = own
        elif found_any:
            country = None  # "une source, interrogée par l'AFP": AFP is not the source
    if country is None:
        country = possessor_country(head, analysis)
    if country is None and head.lemma_.lower() in lexicon.local_speakers:
        country = place_country(analysis, kb, context, lexicon.local_speakers)
    if country is None and named and speaker.actor.country is None:
        # a name the KB does not know, given with its role ("le gouverneur, Vassili X")
        role = next(
            (t for t in (head.head, *head.children) if t.lemma_.lower() in lexicon.local_speakers),
            None,
        )
        if role is not None:
            country = place_country(analysis, kb, context, lexicon.local_speakers)
    if country == speaker.actor.country:
        return speaker
    return replace(speaker, actor=replace(speaker.actor, country=country))
