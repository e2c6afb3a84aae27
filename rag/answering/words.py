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

from rag.numbers import YEAR, parse_quantities
from rag.store.lexical import tokenize

STEM_CHARS = 5
_WHOLE_NUMBER = re.compile(r"\b\d+\b")
_MAX_HEADER_COUNT = 99  # a count that numbers a column ("0 1 2 3" children), not a figure
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


def header_words(text: str) -> set[str]:
    """A table header's words: content stems and whole numbers in digits ("Under 18 years" and "18
    years and over" differ by more than a stem; a column numbered "2")."""
    return content_stems(text) | set(_WHOLE_NUMBER.findall(text))


# Everyday words for what a table's header writes in its own terms ("women" for the "Female" column).
_HEADER_TERMS = {stem(word): stem(header) for word, header in (
    ("women", "female"), ("woman", "female"), ("men", "male"), ("man", "male"),
)}


def asked_words(question: str) -> set[str]:
    """A question's words to match against `header_words`: content stems and the small whole counts
    it gives, spelled or in digits ("two children": "2"), not amounts, percentages or years."""
    counts = {
        str(int(q.value)) for q in parse_quantities(question)
        if q.value == int(q.value) and 0 <= q.value <= _MAX_HEADER_COUNT and not q.unit.isupper() and q.unit not in {YEAR, "%"}
    }
    stems = content_stems(question)
    return stems | counts | {header for word, header in _HEADER_TERMS.items() if word in stems}


def file_name_stems(source: str) -> set[str]:
    """The stems of the words of a document's file name: "guides/harbour_hotel.txt" -> {"harbo", "hotel"}."""
    return content_stems(re.sub(r"[\W_]+", " ", PurePosixPath(source).stem))
