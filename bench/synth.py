"""Synthetic article corpora with planted duplicates, for bench_dedup.py.

Base articles recombine sentences of the real articles in ``examples/corpus`` and
``../shared/corpus/fr``. Each sentence is lightly varied (numbers redrawn, some words
replaced by other words of the corpus) so that two unrelated base articles that happen
to draw the same sentence do not share it verbatim, as two real reports on related
events would not. Planted duplicates are then added:

- exact copies: the same text under another outlet and URL;
- rewrites: a base article with a few sentences swapped, one or two sentences edited
  (about a fifth of their words replaced), and sometimes one sentence dropped or added.

Every synthetic article carries the id of the base it comes from (``cluster``), which is
the ground truth for precision and recall.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "examples" / "corpus", ROOT.parent / "shared" / "corpus" / "fr")
SENTENCE_END = re.compile(r"(?<=[.!?»])\s+(?=[A-ZÀ-Ý«\"])")
WORD = re.compile(r"\w+|[^\w\s]+")
OUTLETS = tuple(f"outlet{i:03d}" for i in range(400))


@dataclass(frozen=True, slots=True)
class SynthArticle:
    id: str
    text: str
    outlet: str
    url: str
    cluster: str  # id of the base article it was made from
    kind: str  # base, exact, rewrite


def load_sentences(sources: tuple[Path, ...] = SOURCES) -> list[str]:
    sentences: list[str] = []
    seen: set[str] = set()
    for folder in sources:
        for path in sorted(folder.glob("*.txt")):
            for para in path.read_text(encoding="utf-8").split("\n"):
                for sent in SENTENCE_END.split(para.strip()):
                    sent = sent.strip()
                    if len(sent.split()) >= 6 and sent not in seen:
                        seen.add(sent)
                        sentences.append(sent)
    return sentences


class Synthesizer:
    def __init__(self, seed: int = 7, sources: tuple[Path, ...] = SOURCES) -> None:
        self.rng = random.Random(seed)
        self.sentences = load_sentences(sources)
        self.vocab = sorted(
            {w for s in self.sentences for w in re.findall(r"\w+", s) if len(w) > 2}
        )

    def vary(self, sentence: str, rate: float) -> str:
        """Redraw numbers and replace about ``rate`` of the words."""
        rng = self.rng
        out = []
        for tok in WORD.findall(sentence):
            if tok.isdigit():
                out.append(str(rng.randint(2, 999)))
            elif tok[0].isalnum() and rng.random() < rate:
                out.append(rng.choice(self.vocab))
            else:
                out.append(tok)
        return " ".join(out)

    def base(self) -> list[str]:
        n = self.rng.randint(6, 14)
        picked = self.rng.sample(self.sentences, min(n, len(self.sentences)))
        return [self.vary(s, 0.15) for s in picked]

    def rewrite(self, sentences: list[str]) -> list[str]:
        rng = self.rng
        out = list(sentences)
        for _ in range(rng.randint(1, 2)):  # swap adjacent sentences
            if len(out) > 1:
                i = rng.randrange(len(out) - 1)
                out[i], out[i + 1] = out[i + 1], out[i]
        for i in rng.sample(range(len(out)), min(len(out), rng.randint(1, 2))):
            out[i] = self.vary(out[i], 0.2)
        roll = rng.random()
        if roll < 0.3 and len(out) > 6:
            del out[rng.randrange(len(out))]
        elif roll < 0.6:
            out.insert(rng.randrange(len(out) + 1), self.vary(rng.choice(self.sentences), 0.15))
        return out

    def corpus(self, size: int, dup_rate: float = 0.2) -> list[SynthArticle]:
        """``size`` articles of which about ``dup_rate`` are planted copies or rewrites."""
        rng = self.rng
        articles: list[SynthArticle] = []
        bases: list[tuple[str, list[str]]] = []
        for i in range(size):
            aid = f"a{i:07d}"
            outlet = rng.choice(OUTLETS)
            url = f"https://{outlet}.example/{aid}"
            if bases and rng.random() < dup_rate:
                cluster, sents = rng.choice(bases)
                if rng.random() < 0.4:
                    articles.append(
                        SynthArticle(aid, "\n\n".join(sents), outlet, url, cluster, "exact")
                    )
                else:
                    text = "\n\n".join(self.rewrite(sents))
                    articles.append(SynthArticle(aid, text, outlet, url, cluster, "rewrite"))
                continue
            sents = self.base()
            bases.append((aid, sents))
            articles.append(SynthArticle(aid, "\n\n".join(sents), outlet, url, aid, "base"))
        return articles
