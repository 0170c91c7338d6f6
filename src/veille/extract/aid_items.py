"""What an aid commitment is worth and what it consists of: the nearest money amount of
the clause (made approximate by a hedge) and the weapons and counts under the trigger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from veille.extract.aid_lexicon import AidLexicon
from veille.extract.aid_parties import countries_of, forms_of, item_tokens
from veille.extract.frames import frame_at
from veille.extract.units import Sentence, normalise_quotes
from veille.model import AidItem, Analysis, EntityType, Qualifier, Quantity


def money_in(tokens: list[Any], analysis: Analysis) -> list[Quantity]:
    spans = [(t.idx, t.idx + len(t)) for t in tokens]
    return [
        q
        for q in analysis.quantities
        if q.kind == "money" and any(s < q.end and q.start < e for s, e in spans)
    ]


def value_of(
    tok: Any, chain: list[Any], sent: Sentence, analysis: Analysis, lex: AidLexicon
) -> tuple[Quantity | None, Qualifier | None]:
    doc = analysis.doc
    top = chain[-1] if chain else tok
    candidates = money_in(list(top.subtree), analysis) or money_in(
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


def items_of(tok: Any, chain: list[Any], analysis: Analysis, lex: AidLexicon) -> list[AidItem]:
    tokens = item_tokens(tok, chain, lex)
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
        lemma = next(iter(sorted(forms_of(t, lex) & lex.item_nouns)), "")
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
    """ "systèmes Patriot" -> "Patriot": the scorer compares the common short name (a
    sentence's final stop caught in the mention is no part of it)."""
    words = text.rstrip(".,;:").split()
    while len(words) > 1 and words[0].lower().rstrip("s") in {
        h.rstrip("s") for h in lex.item_generic_heads
    }:
        words = words[1:]
    return " ".join(words)


def elided_item(tok: Any, analysis: Analysis, lex: AidLexicon) -> tuple[AidItem, str | None] | None:
    """ "la Norvège en fournira un autre", "l'Estonie en achète 12 exemplaires": the clitic
    "en" stands for the last weapon named before the verb, the number after it says how
    many. Returns the item and the weapon's country (its maker)."""
    if "Ger" in tok.morph.get("VerbForm") or (
        "Part" in tok.morph.get("VerbForm") and "Pres" in tok.morph.get("Tense")
    ):
        return None  # "en achetant": a gerund, no clitic
    # the frame's partitive clitic, also hung on the auxiliary or tagged as a preposition
    clitic = frame_at(tok.doc, lex.data_dir, tok).arg("partitive_clitic")
    if clitic is None or clitic.i > tok.i:
        return None
    count = count_after(tok, lex)
    if count is None:
        return None
    weapons = [m for m in analysis.entities if m.label == EntityType.WEAPON and m.end <= tok.idx]
    if not weapons:
        return None
    weapon = max(weapons, key=lambda m: m.start)
    item = AidItem(
        system=_short_weapon_name(weapon.text, lex),
        quantity=Decimal(count),
        qualifier=Qualifier.EXACT,
        kb_id=weapon.kb_id,
    )
    return item, weapon.country


def count_after(tok: Any, lex: AidLexicon) -> int | None:
    """The number within a few words after a token, before any verb or punctuation ("en
    fournira un autre" -> 1, "et l'Allemagne trois autres" -> 3)."""
    for t in tok.doc[tok.i + 1 : tok.i + 1 + lex.elided_window]:
        if t.pos_ in ("VERB", "AUX") or (t.is_punct and t.text not in '«»"'):
            return None
        count = int(t.text) if t.text.isdigit() else lex.count_words.get(t.lower_)
        if count is not None:
            return count
    return None


def gapped_remnants(
    tok: Any, analysis: Analysis, kb: Any, lex: AidLexicon
) -> list[tuple[str, int]]:
    """ "les États-Unis avaient fourni trois batteries à l'Ukraine, et l'Allemagne trois
    autres": a country conjoined after the verb with only a count left is another agent of
    the same verb (gapping). Returns (country, count) pairs."""
    out = []
    for t in tok.subtree:
        if t.dep_ != "conj" or t.pos_ != "PROPN" or t.i < tok.i:
            continue
        if not any(c.dep_ == "cc" for c in t.children):
            continue  # "et l'Allemagne", not a list of recipients
        # the count after the name, or hung on it ("et la Moldavie 12": nummod)
        count = count_after(t, lex)
        if count is None:
            continue
        out.extend((c, count) for c in countries_of(t, analysis, kb, lex))
    return out
