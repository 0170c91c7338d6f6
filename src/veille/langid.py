"""Language identification per article with py3langid (a maintained langid.py fork)."""

from __future__ import annotations

from dataclasses import dataclass

# Flags stored on articles (Article.flags) by the language step.
FLAG_DEFAULTED = "language-defaulted"  # too little text to identify; default used
FLAG_UNSUPPORTED = "language-unsupported"  # no language pack: stored, not analysed


@dataclass(frozen=True, slots=True)
class LanguageGuess:
    code: str  # ISO 639-1
    probability: float
    defaulted: bool = False


class LanguageDetector:
    """Wraps a py3langid identifier with normalised probabilities (loaded once)."""

    def __init__(self, default_language: str = "fr", min_chars: int = 40) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self.default_language = default_language
        self.min_chars = min_chars
        self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)

    def detect(self, text: str) -> LanguageGuess:
        """The most probable language; the default when the text is too short to tell."""
        sample = text[:5000]  # the start is enough and keeps long inputs fast
        if sum(ch.isalpha() for ch in sample) < self.min_chars:
            return LanguageGuess(self.default_language, 0.0, defaulted=True)
        code, probability = self._identifier.classify(sample)
        return LanguageGuess(str(code), float(probability))


def detect_language(text: str, default_language: str = "fr", min_chars: int = 40) -> LanguageGuess:
    """One-off detection (loads the model each call; stages keep a LanguageDetector)."""
    return LanguageDetector(default_language, min_chars).detect(text)
