"""French quantities: money, counts, percentages, durations, qualifiers (none from the seeds)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from veille.lang.fr.quantities import find_quantities, is_tracked_unit, load_grammar
from veille.model import Qualifier

E, A, MIN, MAX = Qualifier.EXACT, Qualifier.APPROX, Qualifier.MIN, Qualifier.MAX

# sentence, then every expected quantity as (value, unit, kind, qualifier), in text order.
CASES: list[tuple[str, list[tuple[str, str, str, Qualifier]]]] = [
    # money with scale words and currencies
    (
        "Berlin a débloqué 1,5 milliard d'euros pour la défense aérienne.",
        [("1500000000", "EUR", "money", E)],
    ),
    (
        "Le Congrès a voté une enveloppe de 61 milliards de dollars.",
        [("61000000000", "USD", "money", E)],
    ),
    (
        "Londres versera 2,26 milliards de livres sterling à Kiev.",
        [("2260000000", "GBP", "money", E)],
    ),
    (
        "Le budget prévoit 300 millions de hryvnias pour les abris.",
        [("300000000", "UAH", "money", E)],
    ),
    (
        "Moscou a saisi des avoirs évalués à 12 milliards de roubles.",
        [("12000000000", "RUB", "money", E)],
    ),
    ("Tokyo accorde un prêt de 4,5 milliards de yens.", [("4500000000", "JPY", "money", E)]),
    (
        "Ottawa a promis 500 millions de dollars canadiens supplémentaires.",
        [("500000000", "CAD", "money", E)],
    ),
    ("Varsovie dépensera 20 milliards de zlotys en chars.", [("20000000000", "PLN", "money", E)]),
    (
        "Oslo versera 5 milliards de couronnes norvégiennes à Kiev.",
        [("5000000000", "NOK", "money", E)],
    ),
    (
        "Berne a gelé 7,4 milliards de francs suisses d'avoirs russes.",
        [("7400000000", "CHF", "money", E)],
    ),
    ("La facture atteint 3 Md$ selon le Pentagone.", [("3000000000", "USD", "money", E)]),
    ("Le contrat de 250 M€ a été signé mardi.", [("250000000", "EUR", "money", E)]),
    ("Une cagnotte de 800 k€ a financé les drones.", [("800000", "EUR", "money", E)]),
    ("L'aide européenne de 5 mds d'euros reste bloquée.", [("5000000000", "EUR", "money", E)]),
    ("Un don de 250 000 € a été remis à l'hôpital.", [("250000", "EUR", "money", E)]),
    ("Il a reçu $400 millions d'équipements.", [("400000000", "USD", "money", E)]),
    ("Le programme coûtera un milliard d'euros.", [("1000000000", "EUR", "money", E)]),
    ("Kiev a reçu 1.000.000 de dollars de dons privés.", [("1000000", "USD", "money", E)]),
    ("La ligne de crédit atteint 2 500 000 000 USD.", [("2500000000", "USD", "money", E)]),
    # qualifiers
    (
        "Washington a fourni plus de 40 milliards de dollars d'aide militaire.",
        [("40000000000", "USD", "money", MIN)],
    ),
    ("Le paquet représente près de 6 milliards d'euros.", [("6000000000", "EUR", "money", A)]),
    (
        "La Banque mondiale chiffre les dégâts à environ 400 milliards de dollars.",
        [("400000000000", "USD", "money", A)],
    ),
    (
        "L'opération aurait coûté quelque 2 milliards de dollars.",
        [("2000000000", "USD", "money", A)],
    ),
    (
        "Des contrats d'une valeur supérieure à 8 milliards d'euros ont été conclus.",
        [("8000000000", "EUR", "money", MIN)],
    ),
    (
        "Le fonds pourra mobiliser jusqu'à 50 milliards d'euros.",
        [("50000000000", "EUR", "money", MAX)],
    ),
    (
        "Kiev a signé un contrat d'une valeur dépassant 4 milliards d'euros.",
        [("4000000000", "EUR", "money", MIN)],
    ),
    ("Le déficit reste inférieur à 3 %.", [("3", "percent", "percent", MAX)]),
    ("Au moins 12 civils ont été tués dans la frappe.", [("12", "civil", "count", MIN)]),
    ("Moins de 200 soldats tiennent encore la position.", [("200", "soldat", "count", MAX)]),
    (
        "L'armée a déployé autour de 5 000 hommes près de la frontière.",
        [("5000", "homme", "count", A)],
    ),
    ("La frappe a fait 14 morts au moins, selon les secours.", [("14", "mort", "count", MIN)]),
    (
        "Il n'y aurait pas plus de 50 hélicoptères en état de voler.",
        [("50", "hélicoptère", "count", MAX)],
    ),
    (
        "En plus de 30 drones, l'armée a lancé 6 missiles.",
        [("30", "drone", "count", E), ("6", "missile", "count", E)],
    ),
    ("Pas moins de 300 obus tombent chaque jour sur la ville.", [("300", "obus", "count", MIN)]),
    # counts with their unit noun
    ("La défense antiaérienne a abattu 17 missiles de croisière.", [("17", "missile", "count", E)]),
    ("Les Pays-Bas livreront 24 avions de combat.", [("24", "avion", "count", E)]),
    ("Selon l'état-major, 9 chars ont été détruits.", [("9", "char", "count", E)]),
    (
        "L'attaque a fait onze morts et vingt-deux blessés.",
        [("11", "mort", "count", E), ("22", "blessé", "count", E)],
    ),
    ("Une trentaine de roquettes ont visé la ville.", [("30", "roquette", "count", A)]),
    ("Plus d'une centaine de prisonniers ont été échangés.", [("100", "prisonnier", "count", MIN)]),
    ("Quelque 12 000 soldats nord-coréens seraient engagés.", [("12000", "soldat", "count", A)]),
    ("Les forces russes ont lancé 45 drones Shahed dans la nuit.", [("45", "drone", "count", E)]),
    ("Kiev a reçu trois nouveaux systèmes IRIS-T.", [("3", "système", "count", E)]),
    # "une" is an article, not a count ("en une semaine", "une attaque")
    ("Les troupes ont avancé de 7 km en une semaine.", [("7", "kilomètre", "count", E)]),
    ("Environ 1,2 million de personnes ont fui la région.", [("1200000", "personne", "count", A)]),
    ("La moitié des 40 villages de la zone ont été évacués.", [("40", "village", "count", E)]),
    ("MOSCOU AFFIRME AVOIR INTERCEPTÉ 27 DRONES", [("27", "drone", "count", E)]),
    (
        "De 3 000 à 5 000 soldats seraient encerclés.",
        [("3000", "soldat", "count", MIN), ("5000", "soldat", "count", MAX)],
    ),
    # percentages
    ("L'inflation a atteint 12,5% en Ukraine.", [("12.5", "percent", "percent", E)]),
    ("Le rouble a perdu 30 % de sa valeur.", [("30", "percent", "percent", E)]),
    ("Quarante pour cent des centrales ont été touchées.", [("40", "percent", "percent", E)]),
    (
        "Les sondages donnent environ 60 pour cent d'opinions favorables.",
        [("60", "percent", "percent", A)],
    ),
    # ranges: lower bound min, upper bound max, a shared scale and unit
    (
        "Le coût est estimé de 2 à 3 milliards de dollars.",
        [("2000000000", "USD", "money", MIN), ("3000000000", "USD", "money", MAX)],
    ),
    (
        "Entre 20 et 30 drones ont survolé la centrale.",
        [("20", "drone", "count", MIN), ("30", "drone", "count", MAX)],
    ),
    (
        "Chaque nuit, 40 à 50 missiles visent le réseau.",
        [("40", "missile", "count", MIN), ("50", "missile", "count", MAX)],
    ),
    # an amount whose currency is elided after another amount in the sentence
    (
        "Paris a promis 3 milliards d'euros, dont 500 millions pour des obus.",
        [("3000000000", "EUR", "money", E), ("500000000", "EUR", "money", E)],
    ),
    ("Le fonds dispose de 3 milliards. Il a reçu 20 millions.", []),
    (
        "L'UE a engagé 80 milliards d'euros, dont 30 milliards d'aide militaire.",
        [("80000000000", "EUR", "money", E), ("30000000000", "EUR", "money", E)],
    ),
    ("Le plan prévoit 5 milliards d'aide.", []),
    (
        "L'armée a perdu 6 lance-roquettes et 2 porte-avions.",
        [("6", "lance-roquettes", "count", E), ("2", "porte-avions", "count", E)],
    ),
    # durations and ages are kept but marked as durations
    ("Les combats ont duré trois semaines.", [("3", "semaine", "duration", E)]),
    # ages and "il y a N ans" are not durations
    ("Un garçon de 14 ans figure parmi les victimes.", [("14", "an", "age", E)]),
    (
        "Les blessés, âgés de 20 à 35 ans, ont été évacués.",
        [("20", "an", "age", MIN), ("35", "an", "age", MAX)],
    ),
    ("Oleh, 52 ans, a perdu sa maison.", [("52", "an", "age", E)]),
    ("La ville a été occupée il y a trois ans.", [("3", "an", "ago", E)]),
    ("Le barrage a cédé il y a près de six mois.", [("6", "mois", "ago", A)]),
    ("Les négociations ont duré trois ans.", [("3", "an", "duration", E)]),
    ("Un sommet annuel de trois jours s'ouvre à Vilnius.", [("3", "jour", "attribute", E)]),
    # "un" counts before a casualty noun only
    (
        "Le bombardement a fait un mort et trois blessés.",
        [("1", "mort", "count", E), ("3", "blessé", "count", E)],
    ),
    ("Un drone a frappé un immeuble et un blessé a été évacué.", [("1", "blessé", "count", E)]),
    # "peut atteindre" is an upper bound
    ("Sa portée peut atteindre 300 kilomètres.", [("300", "kilomètre", "count", MAX)]),
    ("Une production pouvant atteindre 40 obus par jour.", [("40", "obus", "count", MAX)]),
    # partitives and elliptical numbers take the counted noun of their phrase or sentence
    (
        "Kiev a abattu 12 des 15 missiles.",
        [("12", "missile", "count", E), ("15", "missile", "count", E)],
    ),
    ("Seuls 4 de ces chars ont été réparés.", [("4", "char", "count", E)]),
    (
        "Varsovie possède 40 lanceurs après en avoir cédé 12 à Kiev.",
        [("40", "lanceur", "count", E), ("12", "lanceur", "count", E)],
    ),
    ("Le 24, 30 drones ont visé Odessa.", [("30", "drone", "count", E)]),
    ("Trois hauts responsables ont démissionné.", [("3", "responsable", "count", E)]),
    # not quantities: dates, years, ordinals, designations, list numbers, English, phones
    ("Le sommet s'est ouvert le 12 juillet à Vilnius.", []),
    ("L'offensive a commencé en juin 2023.", []),
    ("Depuis 2014, la Crimée est occupée.", []),
    ("La 47e brigade tient le secteur pour la 1re fois.", []),
    ("Les premiers F-16 et les Leopard 2 sont arrivés, avec des Su-25 abattus.", []),
    ("Le système S-400 a été touché par des ATACMS.", []),
    ("Appelez le 01 45 67 89 10 pour témoigner.", []),
    ("Points clés :\n1. Les frappes continuent.\n2) La ville résiste.", []),
    ("The package totals $61bn in new funding.", []),
    ("La réunion s'est tenue à 14h30 au siège de l'OTAN.", []),
    ("Les livraisons reprendront en 2025-2026.", []),
    ("Il a reçu une lettre et un message du président.", []),
    ("Les deux tiers des drones et trois quarts des missiles ont été abattus.", []),
    ("Dans les années 1990, la base abritait des bombardiers.", []),
    ("Elle a écrit 30 livres sur la Russie.", [("30", "livre", "count", E)]),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_find_quantities(bare_nlp, sentence, expected):
    found = find_quantities(bare_nlp(sentence))
    got = [(str(q.value), q.unit, q.kind, q.qualifier) for q in found]
    want = [(str(Decimal(v)), u, k, q) for v, u, k, q in expected]
    assert got == want


def test_table_is_large_enough():
    positive = sum(len(expected) for _, expected in CASES)
    assert positive >= 40
    assert len(CASES) >= 40


def test_offsets_cover_the_quantity_and_its_qualifier(bare_nlp):
    text = "Selon Kiev, plus de 65 drones et près de 20 % du territoire."
    found = find_quantities(bare_nlp(text))
    assert [text[q.start : q.end] for q in found] == ["plus de 65 drones", "près de 20 %"]
    assert all(q.text == text[q.start : q.end] for q in found)


def test_values_are_exact_decimals(bare_nlp):
    (q,) = find_quantities(bare_nlp("Un prêt de 3,5 milliards d'euros."))
    assert q.value == Decimal("3500000000")
    assert str(q.value) == "3500000000"


def test_narrow_and_no_break_spaces_group_digits(bare_nlp):
    for space in ("\u202f", "\u00a0", " "):
        (q,) = find_quantities(bare_nlp(f"Il y a 12{space}000 soldats."))
        assert (q.value, q.unit) == (Decimal(12000), "soldat")


def test_restated_amount_takes_the_bound_stated_elsewhere(bare_nlp):
    text = (
        "Kiev achètera pour 90 milliards de dollars d'armes.\n"
        "Le contrat porte sur plus de 90 milliards de dollars, et 30 drones."
    )
    found = find_quantities(bare_nlp(text))
    money = [q.qualifier for q in found if q.kind == "money"]
    assert money == [MIN, MIN]


def test_tracked_units():
    assert is_tracked_unit("drone")
    assert is_tracked_unit("système")
    assert is_tracked_unit("USD")
    assert is_tracked_unit("percent")
    assert not is_tracked_unit("centre")
    assert not is_tracked_unit("côté")
    assert is_tracked_unit("pays") and is_tracked_unit("allié") and is_tracked_unit("exemplaire")
    assert is_tracked_unit("mois") and is_tracked_unit("heure")
    assert is_tracked_unit("Caesar")  # a named weapon system counted by name


def test_named_weapon_systems_are_counted(analyze):
    analysis = analyze(
        "La France livrera 12 Caesar et six canons tractés à l'Arménie.", extract=False
    )
    got = [(q.text, q.value, q.unit) for q in analysis.quantities]
    assert ("12 Caesar", Decimal("12"), "Caesar") in got
    assert ("six canons", Decimal("6"), "canon") in got


def test_malformed_lexicon_raises_data_file_error(tmp_path):
    from veille.errors import DataFileError
    from veille.lang.fr.quantities import DATA_DIR

    for name in ("units.yaml", "currencies.yaml", "tracked_units.yaml", "dates.yaml"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "quantities.yaml").write_text("scales: [1, 2\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_grammar(tmp_path)
    assert "quantities.yaml" in str(info.value)
    assert info.value.code == "V301"


def test_seed_gold_quantities_f1(bare_nlp, seed_texts, gold):
    """Quantities F1 >= 0.95 on the seeds, scored by veille.eval like `veille eval` does."""
    from veille.eval import score_quantities

    tp = fp = fn = 0
    for name, text in seed_texts.items():
        predicted = [
            {"text": q.text, "value": q.value, "unit": q.unit, "qualifier": q.qualifier.value}
            for q in find_quantities(bare_nlp(text))
            if q.kind in ("money", "percent") or (q.kind == "count" and is_tracked_unit(q.unit))
        ]
        part = score_quantities(gold[f"{name}.json"].get("quantities") or [], predicted)
        tp, fp, fn = tp + part.tp, fp + part.fp, fn + part.fn
    f1 = 2 * tp / (2 * tp + fp + fn)
    assert f1 >= 0.95, (tp, fp, fn)


@pytest.mark.parametrize(
    ("file", "broken", "message"),
    [
        ("currencies.yaml", "currencies:\n  - {form: dollars, code: USD}\n", "needs fields"),
        ("quantities.yaml", None, "qualifier must be one of"),
    ],
)
def test_malformed_entry_names_its_file(tmp_path, file, broken, message):
    from veille.errors import DataFileError
    from veille.lang.fr.quantities import DATA_DIR

    for name in ("quantities.yaml", "units.yaml", "currencies.yaml", "tracked_units.yaml"):
        (tmp_path / name).write_text((DATA_DIR / name).read_text(encoding="utf-8"), "utf-8")
    (tmp_path / "dates.yaml").write_text(
        (DATA_DIR / "dates.yaml").read_text(encoding="utf-8"), "utf-8"
    )
    if broken is None:  # a qualifier outside the vocabulary
        text = (tmp_path / file).read_text(encoding="utf-8")
        broken = text.replace(
            '{phrase: "environ", qualifier: approx}', '{phrase: "environ", qualifier: vague}'
        )
    (tmp_path / file).write_text(broken, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        load_grammar(tmp_path)
    assert file in str(info.value)
    assert message in str(info.value)
