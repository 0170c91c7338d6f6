"""Cleaning: web boilerplate out, article text, title and publication date in.

``clean_lines(text, rules)`` classifies the lines of plain text (see ``lines.py``);
``extract_html(html)`` takes the main text out of a page with trafilatura. The clean text
is produced first and never changed afterwards: every later offset points into it.
"""

from veille.clean.html import HtmlExtract, extract_html
from veille.clean.lines import CleanResult, LineDecision, clean_lines, repair_glued_sentences
from veille.clean.rules import CleanRules, load_rules

__all__ = [
    "CleanResult",
    "CleanRules",
    "HtmlExtract",
    "LineDecision",
    "clean_lines",
    "extract_html",
    "load_rules",
    "repair_glued_sentences",
]
