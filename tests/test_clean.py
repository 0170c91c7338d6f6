"""Cleaning: boilerplate out, article text kept, title and date found (general web residue)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import pytest

from veille.clean import clean_lines, load_rules, repair_glued_sentences
from veille.model import FuzzyDate, Precision

BODY = (
    "Les forces russes ont frappé dans la nuit plusieurs infrastructures énergétiques "
    "de la région de Kharkiv, selon les autorités locales."
)
BODY2 = (
    "Le gouverneur a indiqué que les équipes de secours étaient toujours à pied d'œuvre "
    "mardi matin pour dégager les décombres."
)


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold().replace("’", "'")
    return re.sub(r"\s+", " ", text).strip()


def page(*lines: str) -> str:
    return "\n\n".join(lines)


# ---------------------------------------------------------------------------
# The seeds against their gold (body checks, title, published)


def test_seed_bodies_pass_every_gold_check(seed_texts, gold, rules):
    failures = []
    for name, text in seed_texts.items():
        expected = gold[name + ".json"]
        result = clean_lines(text, rules)
        clean = norm(result.text)
        for line in expected["body"]["must_drop"]:
            if norm(line) in clean:
                failures.append((name, "kept", line))
        for snippet in expected["body"]["must_keep"]:
            if norm(snippet) not in clean:
                failures.append((name, "lost", snippet))
        if result.title != expected["title"]:
            failures.append((name, "title", result.title))
        published = expected["published"]
        got = result.published
        if published is None:
            if got.iso() is not None:
                failures.append((name, "published", got.iso()))
        elif (got.iso(), got.precision.value) != (published["date"], published["precision"]):
            failures.append((name, "published", got.iso()))
    assert failures == []


def test_title_is_the_first_paragraph_of_the_clean_text(seed_texts, rules):
    for text in seed_texts.values():
        result = clean_lines(text, rules)
        if result.title:
            assert result.text.startswith(result.title)


# ---------------------------------------------------------------------------
# General French web residue: (lines, expected kept lines, expected dropped lines)

CASES = [
    pytest.param(
        ["Accueil", "International", "Frappes massives sur Kharkiv dans la nuit", BODY, BODY2],
        ["Frappes massives sur Kharkiv dans la nuit", BODY, BODY2],
        ["Accueil", "International"],
        id="section-labels-before-the-headline",
    ),
    pytest.param(
        [
            BODY,
            "Partager cet article",
            BODY2,
            "À lire aussi : Zelensky à Washington",
            "Commentaires",
        ],
        [BODY, BODY2],
        ["Partager cet article", "À lire aussi : Zelensky à Washington", "Commentaires"],
        id="share-and-read-also-widgets",
    ),
    pytest.param(
        [BODY, "KIEV REÇOIT DE NOUVEAUX CHARS ALLEMANDS AVANT L'HIVER", BODY2],
        [BODY, BODY2],
        ["KIEV REÇOIT DE NOUVEAUX CHARS ALLEMANDS AVANT L'HIVER"],
        id="all-caps-teaser-of-another-article",
    ),
    pytest.param(
        [BODY, "Des pompiers dans les décombres à Kharkiv, le 3 mai 2024. / AFP", BODY2],
        [BODY, BODY2],
        ["Des pompiers dans les décombres à Kharkiv, le 3 mai 2024. / AFP"],
        id="photo-caption-with-agency-credit",
    ),
    pytest.param(
        [BODY, "© Sergey Bobok", BODY2, "Plus d'informations à suivre..."],
        [BODY, BODY2],
        ["© Sergey Bobok", "Plus d'informations à suivre..."],
        id="copyright-line-and-developing-story-note",
    ),
    pytest.param(
        [BODY, '[caption id="attachment_12" align="alignnone" width="800"]', BODY2],
        [BODY, BODY2],
        ['[caption id="attachment_12" align="alignnone" width="800"]'],
        id="wordpress-shortcode",
    ),
    pytest.param(
        [BODY, "Le front de l'Est sous pression", BODY2, "Le front de l’Est : sous pression", BODY],
        [BODY, "Le front de l'Est sous pression", BODY2],
        ["Le front de l’Est : sous pression", BODY],
        id="repeated-subheading-and-paragraph",
    ),
    pytest.param(
        [BODY, "Contexte :", BODY2],
        [BODY, "Contexte :", BODY2],
        [],
        id="subheading-inside-the-body-is-kept",
    ),
    pytest.param(
        [BODY, BODY2, "Ukraine", "Russie", "Volodymyr Zelensky"],
        [BODY, BODY2],
        ["Ukraine", "Russie", "Volodymyr Zelensky"],
        id="trailing-tag-lines",
    ),
    pytest.param(
        [
            BODY,
            BODY2,
            "Les Vingt-Sept s'accordent sur un nouveau paquet de sanctions contre Moscou",
        ],
        [BODY, BODY2],
        ["Les Vingt-Sept s'accordent sur un nouveau paquet de sanctions contre Moscou"],
        id="teaser-headline-after-the-body",
    ),
    pytest.param(
        [BODY, BODY2, "L'AFP a contribué à cet article."],
        [BODY, BODY2, "L'AFP a contribué à cet article."],
        [],
        id="short-closing-sentence-is-kept",
    ),
]


# Issue 9, item 5: the usual web residue (agency lines, relative timestamps, breadcrumbs,
# embedded posts in another language, "(...) Lire la suite sur X").
RESIDUE_CASES = [
    pytest.param(
        [BODY, BODY2, "Belga et AFP"],
        [BODY, BODY2],
        ["Belga et AFP"],
        id="two-agencies-line",
    ),
    pytest.param(
        ["(Reuters)", BODY, BODY2, "Avec AFP", "Source : AFP"],
        [BODY, BODY2],
        ["(Reuters)", "Avec AFP", "Source : AFP"],
        id="agency-in-brackets-with-and-source-lines",
    ),
    pytest.param(
        [BODY, BODY2, "Sources : Reuters, dpa", "La rédaction avec Belga"],
        [BODY, BODY2],
        ["Sources : Reuters, dpa", "La rédaction avec Belga"],
        id="several-sources-and-newsroom-byline",
    ),
    pytest.param(
        ["Hier à 18:02, mis à jour à 19:15", BODY, "Il y a 3 heures", BODY2],
        [BODY, BODY2],
        ["Hier à 18:02, mis à jour à 19:15", "Il y a 3 heures"],
        id="relative-timestamps",
    ),
    pytest.param(
        ["Publié aujourd'hui à 07h45 · Mis à jour il y a 20 min", BODY, BODY2],
        [BODY, BODY2],
        ["Publié aujourd'hui à 07h45 · Mis à jour il y a 20 min"],
        id="published-and-updated-relative-stamps",
    ),
    pytest.param(
        ["Accueil > International > Europe", "Kiev sous les drones", BODY, BODY2],
        ["Kiev sous les drones", BODY, BODY2],
        ["Accueil > International > Europe"],
        id="breadcrumb-with-angle-brackets",
    ),
    pytest.param(
        ["Monde » Europe » Ukraine", BODY, "Accueil / Actualités / Défense", BODY2],
        [BODY, BODY2],
        ["Monde » Europe » Ukraine", "Accueil / Actualités / Défense"],
        id="breadcrumbs-with-guillemet-and-slash",
    ),
    pytest.param(
        [
            BODY,
            "Our air defence downed most of the drones launched overnight against the city. "
            "pic.twitter.com/Ab12Cd34",
            "— Jane Example (@jane_example) March 3, 2024",
            BODY2,
        ],
        [BODY, BODY2],
        [
            "Our air defence downed most of the drones launched overnight against the city. "
            "pic.twitter.com/Ab12Cd34",
            "— Jane Example (@jane_example) March 3, 2024",
        ],
        id="embedded-post-in-english-with-handle-and-date",
    ),
    pytest.param(
        [
            BODY,
            "Нічна атака відбита, усі служби працюють у штатному режимі.",
            "Слава нашим захисникам!",
            "— Mairie Exemple (@mairie_exemple) 3 mars 2024",
            BODY2,
        ],
        [BODY, BODY2],
        [
            "Нічна атака відбита, усі служби працюють у штатному режимі.",
            "Слава нашим захисникам!",
            "— Mairie Exemple (@mairie_exemple) 3 mars 2024",
        ],
        id="embedded-post-of-two-lines-in-ukrainian",
    ),
    pytest.param(
        [
            BODY,
            "« La défense aérienne a abattu la plupart des drones cette nuit. »",
            "— Jane Example (@jane_example) 3 mars 2024",
            BODY2,
        ],
        [BODY, "« La défense aérienne a abattu la plupart des drones cette nuit. »", BODY2],
        ["— Jane Example (@jane_example) 3 mars 2024"],
        id="post-in-the-page-language-is-kept-without-its-signature",
    ),
    pytest.param(
        [BODY, BODY2.removesuffix(".") + ", a ajouté le gouver(...) Lire la suite sur Ouest-Info"],
        [BODY, BODY2.removesuffix(".") + ", a ajouté le"],
        ["gouver(...) Lire la suite sur Ouest-Info"],
        id="trailing-read-more-cuts-the-truncated-word",
    ),
    pytest.param(
        [BODY, BODY2 + " (…) Lire la suite sur Le Quotidien"],
        [BODY, BODY2],
        ["(…) Lire la suite sur Le Quotidien"],
        id="trailing-read-more-after-a-full-sentence",
    ),
    pytest.param(
        [
            BODY,
            "À lire aussi :",
            "Kiev réclame des missiles de longue portée à ses alliés",
            'Le Kremlin dénonce "une provocation" après des manoeuvres de l\'Otan"',
            BODY2,
        ],
        [BODY, BODY2],
        [
            "À lire aussi :",
            "Kiev réclame des missiles de longue portée à ses alliés",
            'Le Kremlin dénonce "une provocation" après des manoeuvres de l\'Otan"',
        ],
        id="links-listed-under-a-read-also-header",
    ),
    pytest.param(
        [BODY, BODY2, "Ce direct est désormais terminé. Merci de l'avoir suivi."],
        [BODY, BODY2],
        ["Ce direct est désormais terminé. Merci de l'avoir suivi."],
        id="end-of-live-blog-line",
    ),
]


@pytest.mark.parametrize(("lines", "kept", "dropped"), RESIDUE_CASES)
def test_web_residue(rules, lines, kept, dropped):
    result = clean_lines("\n".join(lines), rules)
    assert result.text == "\n\n".join(kept)
    assert list(result.dropped_lines) == dropped


def test_a_sentence_naming_an_agency_is_text(rules):
    line = "Selon l'AFP et Reuters, les frappes ont visé deux dépôts de carburant près de Belgorod."
    result = clean_lines(page(BODY, line, BODY2), rules)
    assert result.text == page(BODY, line, BODY2)


def test_unknown_pattern_part_names_its_file(tmp_path):
    from veille.errors import DataFileError

    bad = tmp_path / "clean.yaml"
    bad.write_text("boilerplate_patterns:\n  - '^{nothing}$'\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"clean.yaml: boilerplate_patterns: unknown part"):
        load_rules([bad])


@pytest.mark.parametrize(("lines", "kept", "dropped"), CASES)
def test_line_classification(rules, lines, kept, dropped):
    result = clean_lines("\n".join(lines), rules)
    assert result.text == "\n\n".join(kept)
    assert list(result.dropped_lines) == dropped


@pytest.mark.parametrize(
    ("first_line", "published", "rest"),
    [
        (" date 2023-10 " + BODY, FuzzyDate(date(2023, 10, 1), Precision.MONTH), BODY),
        ("date 2024-02-24", FuzzyDate(date(2024, 2, 24), Precision.DAY), None),
        (
            "Publié le 12 mars 2024 à 10h32",
            FuzzyDate(date(2024, 3, 12), Precision.DAY),
            None,
        ),
        ("Publié le mardi 1er août 2023", FuzzyDate(date(2023, 8, 1), Precision.DAY), None),
        ("Publié le 05/01/2023", FuzzyDate(date(2023, 1, 5), Precision.DAY), None),
        ("Mardi 12 mars 2024", FuzzyDate(date(2024, 3, 12), Precision.DAY), None),
        ("12/03/2024 à 10:32", FuzzyDate(date(2024, 3, 12), Precision.DAY), None),
        ("2024-03-12T08:30", FuzzyDate(date(2024, 3, 12), Precision.DAY), None),
    ],
)
def test_metadata_lines_become_the_published_date(rules, first_line, published, rest):
    result = clean_lines(page(first_line, BODY2), rules)
    assert result.published == published
    expected = [rest, BODY2] if rest else [BODY2]
    assert result.text == "\n\n".join(expected)
    assert result.dropped_lines[0] == first_line.removesuffix(BODY).strip()


NEWS_SITE_PAGE = """International

Guerre en Ukraine

Guerre en Ukraine : Kiev affirme avoir repoussé une attaque russe près de Koupiansk

Les forces ukrainiennes ont repoussé dans la nuit une vaste offensive russe dans l’est du \
pays, selon l’état-major.

Par Jean Dupont (Kiev, envoyé spécial)

Publié le 12 mars 2024 à 10h32, modifié le 12 mars 2024 à 18h05

Temps de Lecture 3 min.

Article réservé aux abonnés

Offrir l’article

Partager

L’état-major ukrainien a indiqué mardi que ses troupes avaient repoussé quatorze assauts \
russes près de Koupiansk, dans la région de Kharkiv.

Lire aussi | Guerre en Ukraine : la bataille de Koupiansk

« La situation reste difficile mais sous contrôle », a déclaré un porte-parole militaire.

Jean Dupont (Kiev, envoyé spécial)

Contribuer

Réutiliser ce contenu
"""


def test_a_news_site_page_with_kicker_byline_and_paywall_widgets(rules):
    result = clean_lines(NEWS_SITE_PAGE, rules)
    title = "Guerre en Ukraine : Kiev affirme avoir repoussé une attaque russe près de Koupiansk"
    assert result.title == title
    assert result.published == FuzzyDate(date(2024, 3, 12), Precision.DAY)
    paragraphs = result.text.split("\n\n")
    assert paragraphs[0] == title
    assert [p[:19] for p in paragraphs[1:]] == [
        "Les forces ukrainie",
        "L’état-major ukrain",
        "« La situation rest",
    ]


def test_dates_inside_the_body_are_text_not_metadata(rules):
    lines = [BODY, BODY2, BODY, BODY2, BODY, BODY2, "24 février 2022", BODY2 + " Fin."]
    result = clean_lines("\n".join(lines), rules)
    assert result.published == FuzzyDate.unknown()
    assert "24 février 2022" in result.text


def test_a_long_unpunctuated_last_paragraph_is_kept(rules):
    truncated = BODY2.rstrip(".") + " et les autorités ont annoncé une enquête sur les causes"
    result = clean_lines(page(BODY, truncated), rules)
    assert result.text == page(BODY, truncated)


def test_share_buttons_inside_the_body_are_dropped(rules):
    result = clean_lines(page(BODY, "Facebook", "WhatsApp", BODY2), rules)
    assert result.text == page(BODY, BODY2)


def test_impossible_dates_are_ignored(rules):
    result = clean_lines(page("Publié le 31 février 2024", BODY), rules)
    assert result.published == FuzzyDate.unknown()


def test_no_headline_when_the_article_starts_with_a_paragraph(rules):
    result = clean_lines(page(BODY, BODY2), rules)
    assert result.title is None
    assert result.text == page(BODY, BODY2)


def test_all_caps_first_line_can_be_the_headline(rules):
    result = clean_lines(page("FRAPPES MASSIVES SUR KHARKIV", BODY), rules)
    assert result.title == "FRAPPES MASSIVES SUR KHARKIV"


def test_given_title_leads_the_text_once(rules):
    title = "Frappes massives sur Kharkiv dans la nuit"
    result = clean_lines(page(BODY, title, BODY2), rules, title=title)
    assert result.title == title
    assert result.text == page(title, BODY, BODY2)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("soutien à l’Ukraine.Il a été rapporté", "soutien à l’Ukraine. Il a été rapporté"),
        ("Quelle issue?Les experts divergent", "Quelle issue? Les experts divergent"),
        ("une hausse de 3.5 % en mars", "une hausse de 3.5 % en mars"),
        ("le site lemonde.fr rapporte", "le site lemonde.fr rapporte"),
        ("selon l'U.S.Army", "selon l'U.S.Army"),
    ],
)
def test_glued_sentences_are_repaired(line, expected):
    assert repair_glued_sentences(line) == expected


def test_invisible_characters_and_windows_newlines(rules):
    result = clean_lines(f"\ufeff{BODY}\r\n\r\n\u200b\r\n{BODY2}\r\n", rules)
    assert result.text == page(BODY, BODY2)


def test_rules_are_data_and_bad_patterns_name_their_file(tmp_path):
    from veille.errors import DataFileError

    bad = tmp_path / "clean.yaml"
    bad.write_text("boilerplate_patterns:\n  - '([unclosed'\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"V301 .*clean.yaml: boilerplate_patterns"):
        load_rules([bad])


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Kyiv,\u00a0le 12\u202fmai\u2009: «\u00a0non\u00a0»", "Kyiv, le 12 mai : « non »"),
        ("zéro\u200blargeur\ufeff et\u2060 joint\u200c\u200d", "zérolargeur et joint"),
        ("ligne\r\nsuivante\rfin", "ligne\nsuivante\nfin"),
        ("e\u0301te\u0301 sans rien d'autre", "été sans rien d'autre"),
        ("texte ordinaire", "texte ordinaire"),
    ],
)
def test_normalised_text_has_plain_spaces_and_no_invisible_characters(raw, expected):
    from veille.clean.lines import normalise_text

    assert normalise_text(raw) == expected
