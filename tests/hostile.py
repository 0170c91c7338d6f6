"""Hostile inputs for the fuzz tests: hypothesis strategies for file names, bytes,
encodings, HTML, JSONL records and dates.

``make test`` runs the fuzz tests with a few derandomised examples; ``make fuzz`` sets
``VEILLE_FUZZ=1`` and runs them long and random, printing how many cases were tried.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from datetime import date

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = os.environ.get("VEILLE_FUZZ") == "1"
# Cases tried, by kind; printed at the end of the session (conftest.pytest_terminal_summary).
CASES: Counter[str] = Counter()


def fuzz_settings(quick: int, long: int) -> settings:
    """``quick`` derandomised examples in ``make test``; ``long`` random ones in ``make fuzz``."""
    return settings(
        max_examples=long if FUZZ else quick,
        derandomize=not FUZZ,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )


FRENCH = (
    "Des frappes russes ont visé Kharkiv dans la nuit de lundi à mardi, a annoncé le "
    "gouverneur régional. Selon l'armée ukrainienne, 31 drones ont été abattus ; "
    "l'Allemagne promet 2,5 milliards d'euros d'aide militaire."
)
WEIRD_CHARS = st.sampled_from(
    [
        "\n",
        "\r",
        "\t",
        "\x00",
        "\x07",
        "\x1b[31m",
        "\x1b]0;title\x07",
        "\x7f",
        "\x85",
        "\u2028",
        "\u2029",
        "\u202e",
        "\u200f",
        "\ufeff",
        "\ufffd",
        "é",
        "ï",
        "’",
        "«",
        "»",
        "😀",
        "\U0010ffff",
        "ﾃｩ",
        "\\",
        '"',
        "'",
        "<",
        ">",
        "&",
        "{",
        "}",
        "%s",
        "$(ls)",
    ]
)
WEIRD_TEXT = st.lists(st.one_of(WEIRD_CHARS, st.text(max_size=8)), max_size=12).map("".join)

DATE_STRINGS = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1600-05-05",
            "1677-09-21",
            "2262-04-12",
            "0000-00-00",
            "2023-02-30",
            "2023",
            "2023-13",
            "10000-01-01",
            "-0001-01-01",
            "2023-10-04T25:00",
            "",
            " ",
            "demain",
            "2024-02-29",
        ]
    ),
    st.dates().map(date.isoformat),
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}"),
    st.integers(-10_000, 100_000).map(str),
    WEIRD_TEXT,
)
FR_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
RELATIVE = st.sampled_from(
    [
        "demain",
        "hier",
        "lundi",
        "mardi prochain",
        "dimanche dernier",
        "la semaine dernière",
        "le mois prochain",
        "l'été dernier",
        "cet hiver",
        "dans 9000 ans",
        "il y a 3000 ans",
        "il y a 40 000 jours",
        "dans 12 semaines",
        "l'an prochain",
        "en mars",
        "le 31 décembre",
        "le 1er janvier",
        "avant-hier",
        "après-demain",
        "jeudi soir",
        "au printemps prochain",
    ]
)


@st.composite
def published_lines(draw) -> str:
    """A "Publié le ..." metadata line, any year of the calendar and beyond."""
    day = draw(st.integers(0, 32))
    month = draw(st.sampled_from(FR_MONTHS))
    year = draw(st.one_of(st.integers(1, 9999), st.sampled_from([1600, 1677, 2262, 99999])))
    return f"Publié le {day} {month} {year}"


@st.composite
def french_text(draw, marker: str = "") -> str:
    """Readable French with hostile bits mixed in (relative dates, weird characters)."""
    parts = [f"Dépêche {marker}", draw(st.one_of(st.just(""), published_lines())), ""]
    for _ in range(draw(st.integers(1, 3))):
        parts.append(
            f"{draw(RELATIVE).capitalize()}, {FRENCH} {draw(WEIRD_TEXT)} {draw(RELATIVE)}."
        )
    return "\n".join(parts)


ENCODINGS = st.sampled_from(
    [
        "utf-8",
        "utf-8-sig",
        "utf-16",
        "utf-16-le",
        "utf-16-be",
        "utf-32",
        "cp1252",
        "latin-1",
        "mac_roman",
        "cp850",
        "koi8-r",
        "shift_jis",
    ]
)


@st.composite
def encoded_text(draw, marker: str) -> bytes:
    """French text in some encoding, sometimes with stray bytes inserted."""
    text = draw(french_text(marker))
    raw = text.encode(draw(ENCODINGS), errors="replace")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.binary(min_size=1, max_size=2)) + raw[at:]
    return raw


@st.composite
def html_page(draw, marker: str) -> bytes:
    body = draw(french_text(marker))
    title = draw(WEIRD_TEXT)
    wrapper = draw(
        st.sampled_from(
            [
                "<html><head><title>{t}</title></head><body><article><p>{b}</p></article></body>",
                "<p>{b}",
                "<script>{b}</script>",
                "<html><body><nav>{t}</nav></body></html>",
                "<div><div><div>{b}</div></div>",
                "<!-- {b} -->",
                "<p>{b}</p><img src=x onerror=1>",
            ]
        )
    )
    return wrapper.format(t=title, b=body).encode(
        draw(st.sampled_from(["utf-8", "cp1252"])), "replace"
    )


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), WEIRD_TEXT),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def jsonl_file(draw, marker: str) -> bytes:
    """JSONL lines: good records, records with wrong field types, broken lines."""
    lines = []
    for n in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["record", "record", "wrong-types", "broken", "blank"]))
        if kind == "blank":
            lines.append(draw(st.sampled_from(["", "   ", "\t"])))
            continue
        if kind == "broken":
            lines.append(
                draw(st.sampled_from(["{oops", "[1, 2]", "null", '"text"', "{}"]))
                + draw(WEIRD_TEXT).replace("\n", " ").replace("\r", " ")
            )
            continue
        record = {
            "text": draw(french_text(f"{marker}-{n}")),
            "published": draw(DATE_STRINGS),
            "url": f"https://{marker}-{n}.example/{draw(WEIRD_TEXT)}",
            "title": draw(WEIRD_TEXT),
            "outlet": draw(st.one_of(st.none(), WEIRD_TEXT)),
            "language": draw(st.sampled_from(["fr", "en", "xx", "", "FR", "français", None])),
        }
        if kind == "wrong-types":
            for key in draw(st.sets(st.sampled_from(sorted(record)), min_size=1)):
                record[key] = draw(JSON_VALUES)
        lines.append(json.dumps(record, ensure_ascii=draw(st.booleans())))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return (
        text.encode("utf-8", "surrogatepass")
        if draw(st.booleans())
        else text.encode("utf-8", "replace")
    )


@st.composite
def file_name(draw, index: int, suffix: str) -> str:
    """A file name with control characters, non-UTF-8 bytes, bidi overrides, spaces..."""
    kind = draw(st.sampled_from(["plain", "weird", "bytes"]))
    if kind == "plain":
        stem = draw(st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), max_size=20))
    elif kind == "weird":
        stem = draw(WEIRD_TEXT)
    else:
        stem = os.fsdecode(draw(st.binary(max_size=20)))
    stem = stem.replace("/", "_").replace("\x00", "_")
    name = f"{index:02d}{stem}"
    while len(os.fsencode(name + suffix)) > 200:
        name = name[:-1]
    return name + suffix


@st.composite
def hostile_file(draw, index: int) -> tuple[str, bytes, str]:
    """(file name, bytes, kind) for one hostile input."""
    marker = f"f{index}"
    kind = draw(st.sampled_from(["bytes", "encoded", "html", "jsonl", "jsonl-bytes", "empty"]))
    if kind == "bytes":
        suffix, data = draw(st.sampled_from([".txt", ".html"])), draw(st.binary(max_size=300))
    elif kind == "encoded":
        suffix, data = ".txt", draw(encoded_text(marker))
    elif kind == "html":
        suffix, data = draw(st.sampled_from([".html", ".htm"])), draw(html_page(marker))
    elif kind == "jsonl":
        suffix, data = ".jsonl", draw(jsonl_file(marker))
    elif kind == "jsonl-bytes":
        suffix, data = ".jsonl", draw(st.binary(max_size=200))
    else:
        suffix, data = ".txt", draw(st.sampled_from([b"", b" \n\t", b"\xef\xbb\xbf"]))
    return draw(file_name(index, suffix)), data, kind
