"""BM25 over a tokenizer that keeps numbers whole, so "296 TOPS" or "$6.8B" match their passage.

Stock BM25 tokenizers drop one-character tokens ("$7 billion" loses its 7) and
split "6.8" in two; figures are what users of this tool search for, so here a
number is one token with thousands separators removed, and scale letters glued
to a number become the scale word ("22B" -> "22", "billion").
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*[a-z]*|[a-z]+")
_NUMBER_WITH_SUFFIX = re.compile(r"^([\d.,]+)([a-z]*)$")
_SCALE_SUFFIXES = {"k": "thousand", "m": "million", "mn": "million", "b": "billion", "bn": "billion", "t": "trillion"}
STOPWORDS = frozenset(
    "a an and are as at be been but by did do does for from had has have how in into is it its of on or "
    "that the their them then there these they this to was were what when where which who why will with".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-cased words and whole numbers; stopwords dropped; simple plural folding."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        number = _NUMBER_WITH_SUFFIX.match(raw)
        if number:
            digits, suffix = number.groups()
            digits = digits.rstrip(".,")
            tokens.append(digits.replace(",", "") if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", digits) else digits)
            if suffix:
                tokens.append(_SCALE_SUFFIXES.get(suffix, suffix))
        elif raw not in STOPWORDS:
            tokens.append(raw[:-1] if len(raw) > 3 and raw.endswith("s") and not raw.endswith("ss") else raw)
    return tokens


class LexicalIndex:
    """A saved bm25s index over chunk texts; search returns (row, score) with score > 0."""

    def __init__(self, model) -> None:  # model: bm25s.BM25
        self._model = model

    @classmethod
    def build(cls, texts: list[str]) -> LexicalIndex:
        import bm25s

        model = bm25s.BM25()
        model.index([tokenize(t) for t in texts], show_progress=False)
        return cls(model)

    def save(self, folder: Path) -> None:
        self._model.save(str(folder), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(folder), show_progress=False, verbosity=0))

    def search(self, query: str, k: int, size: int) -> list[tuple[int, float]]:
        tokens = tokenize(query)
        if not tokens or size == 0:
            return []
        rows, scores = self._model.retrieve([tokens], k=min(k, size), show_progress=False, n_threads=1)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if s > 0 and np.isfinite(s)]
