"""Organisations named by the first word of their name beside the person who heads them.

"le président du Conseil Antonio Costa": "Conseil" alone names no KB entity, but Costa's
office (EU.council_president) is the head role of the European Council, whose name starts
with "Conseil". The office phrase and the "of" marker come from the pack's ``roles.yaml``
(through ``veille.enrich.entities``); nothing here knows French.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from veille.kb import KBEntity, KnowledgeBase, normalize
from veille.model import EntityMention, EntityType

# A capitalised word right before a person's name, maybe behind a comma.
_WORD_BEFORE = re.compile(r"(?P<word>[^\W\d_][\w-]*)\s*,?\s*$")
# How far before the name the office phrase may start (characters).
_WINDOW = 80


def short_org_names(
    text: str,
    fold: Callable[[str], str],
    kb: KnowledgeBase,
    offices: tuple[Any, ...],
    of_marker: re.Pattern[str],
    mentions: list[EntityMention],
) -> list[EntityMention]:
    """ORG mentions for "<office> <of> <Word> <Person>" when the person holds the head role
    of an organisation whose name begins with <Word>. ``fold`` lower-cases and strips accents
    keeping the length; ``offices`` carry a ``pattern`` compiled for folded text."""
    taken = [(m.start, m.end) for m in mentions]
    found: list[EntityMention] = []
    for person in mentions:
        if person.label is not EntityType.PER or not person.kb_id:
            continue
        entity = kb.get(person.kb_id)
        roles = {r.role for r in getattr(entity, "roles", ())}
        if not roles:
            continue
        start = max(0, person.start - _WINDOW)
        word = _WORD_BEFORE.search(text, start, person.start)
        if word is None or not word.group("word")[0].isupper():
            continue
        w_start, w_end = word.span("word")
        if any(s < w_end and w_start < e for s, e in taken):
            continue
        if not _office_before(fold(text[start:w_start]), offices, of_marker):
            continue
        org = _headed_org(kb, roles, word.group("word"))
        if org is None:
            continue
        found.append(
            EntityMention(
                w_start,
                w_end,
                text[w_start:w_end],
                org.type,
                org.name,
                kb_id=org.id,
                country=org.country,
                sector=org.sector,
                resolved_by="office-holder",
            )
        )
    return found


def _office_before(window: str, offices: tuple[Any, ...], of_marker: re.Pattern[str]) -> bool:
    """An office phrase and an "of" marker end right where the (folded) window ends."""
    for office in offices:
        for match in office.pattern.finditer(window):
            # the pattern's optional demonym slots may have swallowed the marker ("du")
            ends = [match.end(), *(match.start(g) for g in ("adj1", "adj2") if match.group(g))]
            for end in ends:
                end = len(window[:end].rstrip())
                marker = of_marker.match(window, end)
                if marker is not None and marker.end() == len(window):
                    return True
    return False


def _headed_org(kb: KnowledgeBase, roles: set[str], word: str) -> KBEntity | None:
    """The organisation headed by one of these roles whose name's first word is ``word``."""
    wanted = normalize(word)
    for entity in kb:
        if entity.head_role not in roles or entity.type is not EntityType.ORG:
            continue
        names = [n for forms in entity.names.values() for n in forms]
        if any(normalize(name.split()[0]) == wanted for name in names if name.split()):
            return entity
    return None
