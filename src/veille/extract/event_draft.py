"""An event under construction, shared by the event extractor's parts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from veille.model import Actor, EventQuantity, Modality, Place


@dataclass
class Draft:
    """An event under construction (mutable), turned into one Event per place."""

    type: str
    trigger: Any  # Token
    mode: str | None = None
    modality: Modality | None = None
    actor: Actor | None = None
    target: Actor | None = None
    places: list[Place] = field(default_factory=list)
    location_country: str | None = None
    claimed_by: str | None = None
    quantities: list[EventQuantity] = field(default_factory=list)
    verbal: bool = True  # a verb, or an event noun under a host verb
    actor_phrase: bool = False  # an explicit actor phrase exists (even without a country)
    # the object is a relation ("exhorté ses alliés", "ses partenaires") or a supply asked
    # for ("réclame des munitions"): no dyad target
    party_object: bool = False
    generic_subject: bool = False  # the subject is no actor at all ("les analystes")
    actor_inferred: bool = False
    noun: Any = None  # Token: the event noun the draft reports, if any ("attaque")
    intercept_object: Any = None  # Token: the intercepted thing's head
    location_roots: list[Any] = field(default_factory=list)  # phrases searched for places
    place_roots: list[Any] = field(default_factory=list)  # searched for cities, not countries
    clause_verbs: set[int] = field(default_factory=set)  # trigger, host, governors
    party_tokens: set[int] = field(default_factory=set)
    author_tokens: set[int] = field(default_factory=set)
    # the other parties of a coordination or a bracketed list ("les États-Unis et
    # l'Allemagne ont convenu"): one event each, with the same target
    co_actors: list[Actor] = field(default_factory=list)
    reciprocal: bool = False  # "se sont accusées": each party acts on the other
    # parts of the count with a place of their own ("dont 48 dans la région de X"): one
    # event each, beside the event for the whole count
    subsets: list[tuple[Place, EventQuantity]] = field(default_factory=list)
