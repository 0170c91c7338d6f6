"""Language identification per article with py3langid (a maintained langid.py fork)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Any

# Flags stored on articles (Article.flags) by the language step.
FLAG_DEFAULTED = "language-defaulted"  # too little text to identify; default used
FLAG_UNSUPPORTED = "language-unsupported"  # no language pack: stored, not analysed


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1
    probability: float
    defaulted: bool = False


# The depth of the trie under py3langid's shipped model (0.4.0, byte n-grams): the longest
# string a state stands for (tests recompute it with ``trie_depth``).
MODEL_DEPTH = 6


class FeatureCounter:
    """py3langid's feature counts (``visit_counts``) computed with numpy, same result.

    py3langid walks its Aho-Corasick automaton over the text's bytes one at a time in
    Python (~0.5 ms an article). The automaton's state after a byte is the longest suffix of
    the bytes read that is a path of its trie, so it depends on the last ``depth`` bytes
    only (the trie's depth); every position's state is therefore the walk of its last
    ``depth`` bytes from the start state: ``depth`` vector steps over all positions at
    once. Features are kept in first-seen order, as ``Counter`` keeps them, so the score
    sums the same terms in the same order.
    """

    def __init__(self, identifier: Any, depth: int = MODEL_DEPTH) -> None:
        import numpy as np

        self._next = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
        self._row = np.asarray(identifier._rowbase, dtype=np.int64)
        self._output = np.asarray(identifier.tk_output, dtype=np.int64)
        self.depth = depth

    def __call__(self, data: bytes) -> tuple[Any, Any] | None:
        """(feature ids, counts) in first-seen order, or None without features: the keys
        and values of what ``py3langid.langid.visit_counts`` returns for ``data``."""
        import numpy as np

        letters = np.frombuffer(data, dtype=np.uint8)
        n = len(letters)
        states = np.zeros(n, dtype=np.int64)
        # position i reads bytes i-k .. i (fewer at the start: the walk starts there)
        for k in range(min(self.depth, n) - 1, -1, -1):
            tail = states[k:]
            states[k:] = self._next[self._row[tail] + letters[: n - k]]
        features = self._output[states]
        features = features[features >= 0]
        if not len(features):
            return None
        found, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.argsort(first, kind="stable")
        return found[order].astype(np.intp), counts[order].astype(np.float32)


def trie_depth(identifier: Any) -> int:
    """The longest shortest path from the start state of py3langid's automaton: the depth
    of its trie (a breadth-first walk over every transition; about a second)."""
    import numpy as np

    next_state = np.frombuffer(identifier.tk_nextmove, dtype=np.uint32)
    row = np.asarray(identifier._rowbase, dtype=np.int64)
    depth = np.full(len(row), -1, dtype=np.int64)
    depth[0] = 0
    frontier = np.array([0], dtype=np.int64)
    level = 0
    while len(frontier):
        level += 1
        for start in range(0, len(frontier), 4096):  # bounded temporaries
            chunk = row[frontier[start : start + 4096]]
            targets = next_state[(chunk[:, None] + np.arange(256)).ravel()]
            targets = targets[depth[targets] < 0]
            depth[targets] = level
        frontier = np.flatnonzero(depth == level)
    return int(depth.max())


def _identifier() -> Any:
    """py3langid's identifier (normalised probabilities) scoring features counted by
    ``FeatureCounter``; everything else is py3langid's own."""
    import numpy as np
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    class Identifier(LanguageIdentifier):
        __slots__ = ("_count",)

        def _raw_score(self, text: bytes) -> Any:  # as py3langid's, counts from numpy
            visits = self._count(text)
            if visits is not None:  # _sparse_score's sum over the same arrays
                ids, counts = visits
                return np.log1p(counts) @ self.nb_ptc[ids] + self.nb_pc
            return np.zeros(len(self.nb_classes), dtype=np.float32)  # norm_probs: uniform

    identifier = Identifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier._count = FeatureCounter(identifier)
    return identifier


class LanguageDetector:
    """Wraps a py3langid identifier with normalised probabilities (loaded once)."""

    def __init__(self, default_language: str = "fr", min_chars: int = 40) -> None:
        self.default_language = default_language
        self.min_chars = min_chars
        self._identifier = _identifier()

    def detect(self, text: str) -> LanguageGuess:
        """The most probable language; the default when the text is too short to tell."""
        sample = text[:5000]  # the start is enough and keeps long inputs fast
        if not _has_letters(sample, self.min_chars):
            return LanguageGuess(self.default_language, 0.0, defaulted=True)
        code, probability = self._identifier.classify(sample)
        return LanguageGuess(str(code), float(probability))


def _has_letters(text: str, count: int) -> bool:
    """At least ``count`` letters in ``text`` (stops at the count-th)."""
    if count <= 0:
        return True
    return next(islice((ch for ch in text if ch.isalpha()), count - 1, None), None) is not None


def detect_language(text: str, default_language: str = "fr", min_chars: int = 40) -> LanguageGuess:
    """One-off detection (loads the model each call; stages keep a LanguageDetector)."""
    return LanguageDetector(default_language, min_chars).detect(text)
