"""What a text is about, as a set of word stems: one reading for the verifier, the gate and conflicts.

Words are compared by their first five letters once a plural or "-ing" ending is cut, a
crude stemmer that needs no language model ("invest", "investment", "investing" agree, and
so do "rate" and "rates", "test" and "testing"). Numbers are left out (they are
checked exactly, elsewhere), and so are function words and the words questions are
phrased with, which say nothing about what is measured.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from rag.store.lexical import tokenize

STEM_CHARS = 5
_FUNCTION_WORDS = frozenset(
    "how many much what which who whom when where why is are was were be been does do did will would can could "
    "the a an of in on at for to by from with and or as its their his her this that these those than about "
    "according reported say says said report reports figure figures give given there any all have has had each"
    .split()
)

# Words that phrase a comparison: a statement about a computed figure adds them on its own.
COMPARISON_WORDS = frozenset(
    "more less fewer than about over under between compared versus difference higher lower larger smaller "
    "bigger greater total combined times".split()
)


def stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith(("xes", "ches", "shes", "sses")):
        word = word[:-2]
    elif len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    return word[:STEM_CHARS]


COMPARISON_STEMS = frozenset(stem(w) for w in COMPARISON_WORDS)
# Words that any figure's label may carry ("Number of rooms", "Total"): they do not say what is measured.
GENERIC_FIGURE_STEMS = frozenset(stem(w) for w in "number total count amount size".split())

# Words that date a figure ("the fiscal year ending June 30"): periods are compared as periods, not as words.
PERIOD_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "fiscal year years quarter quarters month months calendar ended ending end".split()
)
PERIOD_STEMS = frozenset(stem(w) for w in PERIOD_WORDS)


def content_words(text: str) -> list[str]:
    """Stems of the words of `text` that say what it is about, in order."""
    return [stem(w) for w in tokenize(text) if w.isalpha() and len(w) > 2 and w not in _FUNCTION_WORDS]


def content_stems(text: str) -> set[str]:
    return set(content_words(text))


def file_name_stems(source: str) -> set[str]:
    """The stems of the words of a document's file name: "guides/harbour_hotel.txt" -> {"harbo", "hotel"}."""
    return content_stems(re.sub(r"[\W_]+", " ", PurePosixPath(source).stem))
