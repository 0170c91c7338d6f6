"""Line classification: keep article text, drop web boilerplate, find title and date.

Each non-empty line is judged on language-neutral features (case ratio, length, final
punctuation, position relative to the article body, repetition) plus the patterns of
``clean.yaml``. Position matters most: the *body* runs from the first to the last long
paragraph that ends like a sentence; short unpunctuated lines before it are labels (or the
headline), after it tags and teasers, inside it subheadings (kept).
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from veille.clean.rules import CleanRules, line_key
from veille.model import FuzzyDate, Precision

BODY_MIN_WORDS = 10  # a paragraph shorter than this does not mark where the body starts
LABEL_MAX_WORDS = 3  # section labels, bylines, "le", "Article" before the body
TAG_MAX_WORDS = 4  # trailing tag lines ("Joe Biden") after the body
TAIL_TEASER_MAX_WORDS = 25  # longer unpunctuated lines after the body are kept (truncated text)
TITLE_MIN_WORDS, TITLE_MAX_WORDS = 3, 45
TITLE_PREFERRED_WORDS = 5
METADATA_LINES = 6  # date lines are looked for at the top of the page only
CAPS_MIN_LETTERS, CAPS_MIN_RATIO = 12, 0.85
SENTENCE_END = '.!?…»"”'
# Zero-width characters and BOMs that web copy leaves behind.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# No-break and thin spaces (French typography around « » : ; ?) read as plain spaces.
_SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003"), " ")
_HAS_INVISIBLE = re.compile("[" + "".join(map(chr, _INVISIBLE)) + "]")
_HAS_SPACES = re.compile("[" + "".join(map(chr, _SPACES)) + "]")
# "l’Ukraine.Il a" -> "l’Ukraine. Il a": two lowercase letters, . ! or ?, then Xx.
_GLUED = re.compile(r"(?<=[^\W\d_]{2})([.!?])(?=[^\W\d_]{2})")
LINK_END = ".!?…"  # a line after a "Lire aussi" header that ends otherwise is a link title
FOREIGN_MAX_SHARE = 0.1  # share of the page language's common words in a foreign line
FOREIGN_MIN_WORDS = 3
POST_MAX_LINES = 4  # lines of an embedded post looked at above its signature
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_NOT_WORDS = re.compile(r"(?:https?://|www\.|pic\.)\S+|[@#]\w+")


@dataclass(frozen=True, slots=True)
class LineDecision:
    text: str
    keep: bool
    reason: str  # body, title, subheading, widget, boilerplate, caption, caps-teaser, ...


@dataclass(frozen=True, slots=True)
class CleanResult:
    text: str
    title: str | None
    published: FuzzyDate
    dropped_lines: tuple[str, ...]
    decisions: tuple[LineDecision, ...]


def _words(line: str) -> int:
    return len(line.split())


def _ends_sentence(line: str) -> bool:
    return line[-1] in SENTENCE_END


def _is_caps(line: str) -> bool:
    letters = "".join(filter(str.isalpha, line))
    if len(letters) < CAPS_MIN_LETTERS or _words(line) < 3:
        return False
    return sum(map(str.isupper, letters)) / len(letters) >= CAPS_MIN_RATIO


def _is_body(line: str) -> bool:
    return _words(line) >= BODY_MIN_WORDS and _ends_sentence(line)


def _headline_like(line: str) -> bool:
    n = _words(line)
    if not TITLE_MIN_WORDS <= n <= TITLE_MAX_WORDS or len(line) < 15:
        return False
    # A headline is one unpunctuated line; a long period-final line is a lead paragraph.
    return not (line.endswith(".") and n > 25) and not line.endswith(":")


def _title_index(lines: list[str], reasons: list[str | None], first_body: int) -> int | None:
    """The headline among the lines before the body: the first headline-like line of at
    least ``TITLE_PREFERRED_WORDS`` words (a short one before it is a kicker such as
    "Guerre en Ukraine"), else the first headline-like line."""
    candidates = [i for i in range(first_body) if reasons[i] is None and _headline_like(lines[i])]
    full = [i for i in candidates if _words(lines[i]) >= TITLE_PREFERRED_WORDS]
    return (full or candidates or [None])[0]


def repair_glued_sentences(line: str) -> str:
    """Insert the missing space in ``word.Word`` (lower before, upper after)."""

    def fix(match: re.Match[str]) -> str:
        before = line[match.start() - 1]
        after = line[match.end()]
        if before.islower() and after.isupper():
            return match.group(1) + " "
        return match.group(1)

    return _GLUED.sub(fix, line)


def _published_from(match: re.Match[str], rules: CleanRules) -> FuzzyDate | None:
    groups = match.groupdict()
    try:
        year = int(groups["year"])
        month = groups.get("month")
        if month is None and groups.get("month_name"):
            month = rules.months.get(groups["month_name"].casefold())
            if month is None:
                return None
        day = groups.get("day")
        if month is None:
            return FuzzyDate(date(year, 1, 1), Precision.YEAR)
        if day is None:
            return FuzzyDate(date(year, int(month), 1), Precision.MONTH)
        if int(day) > calendar.monthrange(year, int(month))[1]:
            return None
        return FuzzyDate(date(year, int(month), int(day)), Precision.DAY)
    except (TypeError, ValueError):
        return None


def _cut_tail(line: str, rules: CleanRules) -> tuple[str, str | None]:
    """The line without a trailing "(...) Lire la suite sur X", and the part cut."""
    for pattern in rules.line_tails:
        match = pattern.search(line)
        if not match:
            continue
        start = match.start()
        if start and line[start - 1].isalnum():  # "qu(...)": the truncated word goes too
            start = len(line[:start].rstrip().rsplit(None, 1)[0]) if " " in line[:start] else 0
        return line[:start].rstrip(), line[start:].strip()
    return line, None


def _is_foreign(line: str, rules: CleanRules) -> bool:
    """Few or none of the packs' common words: a line in another language (or only links)."""
    words = [w.casefold() for w in _WORD.findall(_NOT_WORDS.sub(" ", line))]
    if len(words) < FOREIGN_MIN_WORDS:
        return len(words) == 0 or not any(w in rules.function_words for w in words)
    common = sum(w in rules.function_words for w in words)
    return common / len(words) < FOREIGN_MAX_SHARE


def _mark_social_posts(lines: list[str], reasons: list[str | None], rules: CleanRules) -> None:
    """An embedded post's signature line, and the foreign lines of the post above it."""
    for i, line in enumerate(lines):
        if not any(p.search(line) for p in rules.social_signatures):
            continue
        reasons[i] = "social-post"
        for j in range(i - 1, max(-1, i - 1 - POST_MAX_LINES), -1):
            if reasons[j] is None and rules.function_words and _is_foreign(lines[j], rules):
                reasons[j] = "social-post"
            elif reasons[j] is None:
                break


def _mark_related_links(lines: list[str], reasons: list[str | None], rules: CleanRules) -> None:
    """Headline lines after a "Lire aussi :" header are links to other articles."""
    for i, line in enumerate(lines):
        if line_key(line) not in rules.related_headers:
            continue
        reasons[i] = reasons[i] or "related"
        for j in range(i + 1, len(lines)):
            if reasons[j] is not None:
                continue
            if lines[j][-1] in LINK_END or _words(lines[j]) > TITLE_MAX_WORDS:
                break
            reasons[j] = "related"


def normalise_text(text: str) -> str:
    """NFC, Unix newlines, plain spaces, no invisible characters."""
    text = unicodedata.normalize("NFC", text)
    # translate() looks every character up in its table (0.07 ms an article each): only
    # when a regex scan finds something to replace
    if _HAS_INVISIBLE.search(text):
        text = text.translate(_INVISIBLE)
    if _HAS_SPACES.search(text):
        text = text.translate(_SPACES)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def clean_lines(text: str, rules: CleanRules, *, title: str | None = None) -> CleanResult:
    """Classify the lines of a plain-text article and build its clean text.

    ``title``, when the source gives one (HTML, JSONL), is used as the headline instead of
    guessing; it becomes the first paragraph of the clean text if the text lacks it.
    """
    lines = [line.strip() for line in normalise_text(text).split("\n")]
    lines = [line for line in lines if line]
    published: FuzzyDate | None = None
    dropped: list[str] = []

    # 0. trailing residue cut from a line ("... (...) Lire la suite sur X"): what is left is
    # article text cut short, kept even without final punctuation.
    truncated: set[str] = set()
    for i, line in enumerate(lines):
        lines[i], cut = _cut_tail(line, rules)
        if cut:
            dropped.append(cut)
            truncated.add(lines[i])
    lines = [line for line in lines if line]

    # 1. metadata lines: the matched part is removed and becomes the published date
    for i, line in enumerate(lines[:METADATA_LINES]):
        for pattern in rules.metadata:
            match = pattern.search(line)
            if not match:
                continue
            found = _published_from(match, rules)
            if found is None:
                continue
            if published is None:
                published = found
            dropped.append(match.group(0).strip())
            lines[i] = line[match.end() :].lstrip(" \t,.;|-–—")
            break
    lines = [line for line in lines if line]

    # 2. per-line patterns and features that do not depend on position
    reasons: list[str | None] = []
    seen: set[str] = set()
    title_key = line_key(title) if title else None
    for line in lines:
        key = line_key(line)
        reason = None
        if key in rules.widget_keys:
            reason = "widget"
        elif any(p.search(line) for p in rules.boilerplate):
            reason = "boilerplate"
        elif any(p.search(line) for p in rules.caption_credits):
            reason = "caption"
        elif _is_caps(line) and reasons:  # an all-caps first line may be the headline
            reason = "caps-teaser"
        elif _words(line) >= 3 and (key in seen or key == title_key):
            reason = "repeat"
        if reason is None:
            seen.add(key)
        reasons.append(reason)
    _mark_social_posts(lines, reasons, rules)
    _mark_related_links(lines, reasons, rules)

    # 3. position: header (before the body), body, footer (after it)
    body = [
        i
        for i, line in enumerate(lines)
        if reasons[i] is None and (_is_body(line) or line in truncated)
    ]
    first_body, last_body = (body[0], body[-1]) if body else (0, len(lines) - 1)
    found_title: str | None = None
    title_at = None if title else _title_index(lines, reasons, first_body)
    for i, line in enumerate(lines):
        if reasons[i] is not None:
            continue
        if i < first_body:
            if i == title_at:
                reasons[i] = "title"
            elif _words(line) <= LABEL_MAX_WORDS and not _ends_sentence(line):
                reasons[i] = "label"
        elif i > last_body and not _ends_sentence(line):
            if _words(line) <= TAG_MAX_WORDS:
                reasons[i] = "tag"
            elif _words(line) <= TAIL_TEASER_MAX_WORDS:
                reasons[i] = "teaser"

    decisions: list[LineDecision] = []
    kept: list[str] = []
    for line, reason in zip(lines, reasons, strict=True):
        keep = reason in (None, "title")
        decisions.append(LineDecision(line, keep, reason or "body"))
        if keep:
            kept.append(repair_glued_sentences(line))
            if reason == "title":
                found_title = kept[-1]
        else:
            dropped.append(line)

    final_title = title.strip() if title else found_title
    if final_title and title and (not kept or line_key(kept[0]) != line_key(final_title)):
        kept.insert(0, final_title)
    return CleanResult(
        text="\n\n".join(kept),
        title=final_title,
        published=published or FuzzyDate.unknown(),
        dropped_lines=tuple(dropped),
        decisions=tuple(decisions),
    )
