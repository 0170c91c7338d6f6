"""French temporal expressions resolved against publication (phrases of our own)."""

from __future__ import annotations

from datetime import date

import pytest

from veille.lang.fr.dates import find_times
from veille.model import FuzzyDate, Precision

DAY, WEEK, MONTH, YEAR, UNKNOWN = (
    Precision.DAY,
    Precision.WEEK,
    Precision.MONTH,
    Precision.YEAR,
    Precision.UNKNOWN,
)
# Thursday 14 March 2024; the same month only; nothing known.
PUB = FuzzyDate(date(2024, 3, 14), DAY)
PUB_MONTH = FuzzyDate(date(2024, 3, 1), MONTH)
PUB_NONE = FuzzyDate.unknown()

# sentence, publication, expected (matched text, iso date or None, precision).
CASES: list[tuple[str, FuzzyDate, list[tuple[str, str | None, Precision]]]] = [
    # weekdays: the last such day on or before publication
    ("Le port d'Odessa a été frappé mardi.", PUB, [("mardi", "2024-03-12", DAY)]),
    ("Les sirènes ont retenti jeudi matin à Kiev.", PUB, [("jeudi matin", "2024-03-14", DAY)]),
    ("Le ministre s'est exprimé dimanche soir.", PUB, [("dimanche soir", "2024-03-10", DAY)]),
    (
        "Dans la nuit de samedi à dimanche, 40 drones ont été lancés.",
        PUB,
        [("Dans la nuit de samedi à dimanche", "2024-03-10", DAY)],
    ),
    (
        "La frappe a eu lieu dans la nuit de mercredi.",
        PUB,
        [("dans la nuit de mercredi", "2024-03-13", DAY)],
    ),
    ("Les négociations reprendront lundi prochain.", PUB, [("lundi prochain", "2024-03-18", DAY)]),
    (
        "Il avait annoncé vendredi dernier un nouveau paquet.",
        PUB,
        [("vendredi dernier", "2024-03-08", DAY)],
    ),
    ("Le pont a été touché mardi.", PUB_MONTH, [("mardi", "2024-03", MONTH)]),
    ("Le pont a été touché mardi.", PUB_NONE, [("mardi", None, UNKNOWN)]),
    # days relative to publication
    ("Hier, trois villages ont été bombardés.", PUB, [("Hier", "2024-03-13", DAY)]),
    ("L'explosion s'est produite avant-hier.", PUB, [("avant-hier", "2024-03-12", DAY)]),
    ("Aujourd'hui, Zelensky est à Paris.", PUB, [("Aujourd'hui", "2024-03-14", DAY)]),
    ("La délégation arrivera demain à Genève.", PUB, [("demain", "2024-03-15", DAY)]),
    ("Hier soir, la centrale a été coupée.", PUB_MONTH, [("Hier soir", "2024-03", MONTH)]),
    ("Aujourd'hui, la ville est calme.", PUB_NONE, [("Aujourd'hui", None, UNKNOWN)]),
    # weeks, months, years relative to publication
    (
        "La semaine dernière, Moscou a rappelé son ambassadeur.",
        PUB,
        [("La semaine dernière", "2024-03-04", WEEK)],
    ),
    (
        "Le sommet se tiendra la semaine prochaine.",
        PUB,
        [("la semaine prochaine", "2024-03-18", WEEK)],
    ),
    ("Les livraisons ont repris le mois dernier.", PUB, [("le mois dernier", "2024-02", MONTH)]),
    ("Le front a peu bougé l'an dernier.", PUB, [("l'an dernier", "2023", YEAR)]),
    ("L'usine produira des obus l'année prochaine.", PUB, [("l'année prochaine", "2025", YEAR)]),
    ("La ville est tombée il y a 20 mois.", PUB, [("il y a 20 mois", "2022-07", MONTH)]),
    ("Le barrage a cédé il y a deux ans.", PUB, [("il y a deux ans", "2022", YEAR)]),
    ("Le convoi est parti il y a trois jours.", PUB, [("il y a trois jours", "2024-03-11", DAY)]),
    (
        "Les stocks seront épuisés dans deux semaines.",
        PUB,
        [("dans deux semaines", "2024-03-25", WEEK)],
    ),
    ("Le blocus a commencé il y a six mois.", PUB_NONE, [("il y a six mois", None, UNKNOWN)]),
    # absolute dates
    (
        "L'invasion a commencé le 24 février 2022.",
        PUB_NONE,
        [("24 février 2022", "2022-02-24", DAY)],
    ),
    ("Le texte est daté du 03/11/2023.", PUB, [("03/11/2023", "2023-11-03", DAY)]),
    (
        "Le traité a été signé en septembre 2022.",
        PUB_NONE,
        [("en septembre 2022", "2022-09", MONTH)],
    ),
    (
        "Marioupol est tombée en mai 2022 après un long siège.",
        PUB,
        [("en mai 2022", "2022-05", MONTH)],
    ),
    ("La Crimée a été annexée en 2014.", PUB_NONE, [("en 2014", "2014", YEAR)]),
    ("Le vote avait eu lieu le 1er juin.", PUB, [("1er juin", "2023-06-01", DAY)]),
    # a verb in the future tense looks forward
    ("Le vote aura lieu le 1er juin.", PUB, [("1er juin", "2024-06-01", DAY)]),
    ("Le Conseil se réunira mardi à Bruxelles.", PUB, [("mardi", "2024-03-19", DAY)]),
    ("Le ministre va se rendre à Odessa lundi.", PUB, [("lundi", "2024-03-18", DAY)]),
    ("Les livraisons reprendront en juin.", PUB, [("en juin", "2024-06", MONTH)]),
    ("Le cessez-le-feu est entré en vigueur le 2 mars.", PUB, [("2 mars", "2024-03-02", DAY)]),
    ("Le cessez-le-feu est entré en vigueur le 2 mars.", PUB_NONE, [("2 mars", None, UNKNOWN)]),
    ("Les premiers chars sont arrivés en janvier.", PUB, [("en janvier", "2024-01", MONTH)]),
    ("La contre-offensive de novembre a échoué.", PUB, [("de novembre", "2023-11", MONTH)]),
    (
        "Le jeudi 7 décembre 2023, le Parlement a voté.",
        PUB_NONE,
        [("jeudi 7 décembre 2023", "2023-12-07", DAY)],
    ),
    # ranges and seasons
    (
        "Depuis le début de l'année, 300 frappes ont été recensées.",
        PUB,
        [("Depuis le début de l'année", "2024-01-01", DAY)],
    ),
    ("Les combats s'intensifieront l'été prochain.", PUB, [("l'été prochain", "2024-06", MONTH)]),
    ("Le réseau électrique a tenu l'hiver dernier.", PUB, [("l'hiver dernier", "2023-12", MONTH)]),
    (
        "Kiev prépare une offensive pour l'automne 2024.",
        PUB_NONE,
        [("l'automne 2024", "2024-09", MONTH)],
    ),
    (
        "Dans la nuit du 9 au 10 mars, la centrale a été frappée.",
        PUB,
        [("10 mars", "2024-03-10", DAY)],
    ),
    ("Les réserves étaient épuisées mi-avril.", PUB, [("mi-avril", "2023-04", MONTH)]),
    ("L'armée veut doubler ses effectifs d'ici 2030.", PUB, [("d'ici 2030", "2030", YEAR)]),
    (
        "La prise de la Bastille date du 14 juillet 1789.",
        PUB_NONE,
        [("14 juillet 1789", "1789-07-14", DAY)],
    ),
    # not temporal expressions
    ("Les convois partent chaque mardi vers le front.", PUB, []),
    ("Il a été blessé et a été évacué vers Dnipro.", PUB, []),
    ("Le rover a atteint la planète Mars.", PUB, []),
]


@pytest.mark.parametrize(
    ("sentence", "published", "expected"), CASES, ids=[c[0][:40] for c in CASES]
)
def test_find_times(bare_nlp, sentence, published, expected):
    doc = bare_nlp(sentence)
    got = [(t.text, t.date.iso(), t.date.precision) for t in find_times(doc, published)]
    assert got == expected
    for t in find_times(doc, published):
        assert doc.text[t.start : t.end] == t.text


def test_table_is_large_enough():
    assert len(CASES) >= 30


def test_range_ends_at_publication(bare_nlp):
    (t,) = find_times(bare_nlp("Depuis le début de l'année, 40 attaques."), PUB)
    assert t.date == FuzzyDate(date(2024, 1, 1), DAY)
    assert t.end_date == PUB


def test_range_with_unknown_publication_is_unknown(bare_nlp):
    (t,) = find_times(bare_nlp("Depuis le début de l'année, 40 attaques."), PUB_NONE)
    assert t.date.precision is UNKNOWN


def test_day_without_year_is_not_put_after_publication(bare_nlp):
    (t,) = find_times(bare_nlp("Le 20 mars, la ville a été frappée."), PUB)
    assert t.date.iso() == "2023-03-20"


def test_offsets_let_callers_pick_the_nearest_expression(bare_nlp):
    text = "Lundi, Kiev a annoncé que des drones avaient frappé Belgorod dans la nuit de mardi."
    times = find_times(bare_nlp(text), PUB)
    trigger = text.index("frappé")
    nearest = min(times, key=lambda t: abs(t.start - trigger))
    assert nearest.text == "dans la nuit de mardi"
    assert nearest.date.iso() == "2024-03-12"


def test_works_on_a_doc_from_any_pipeline(bare_nlp):
    doc = bare_nlp.make_doc("Il est arrivé hier.")  # tokenizer only, no tagger
    (t,) = find_times(doc, PUB)
    assert t.date.iso() == "2024-03-13"


def test_malformed_lexicon_raises_data_file_error(tmp_path):
    from veille.errors import DataFileError
    from veille.lang.fr.dates import load_date_grammar
    from veille.lang.fr.quantities import DATA_DIR

    (tmp_path / "quantities.yaml").write_text(
        (DATA_DIR / "quantities.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "dates.yaml").write_text(
        "months:\n  - {name: janvier, month: 1}\n", encoding="utf-8"
    )
    with pytest.raises(DataFileError) as info:
        load_date_grammar(tmp_path)
    assert "dates.yaml" in str(info.value)
