"""Verified claims built from a sentence, for tests of the arithmetic an answer's claims imply."""

from __future__ import annotations

from rag.answering.verify import CheckedNumber, VerifiedClaim, find_in_passage
from rag.numbers import parse_quantities
from rag.types import Chunk, Passage


def claim(text: str, source: str = "docs/treasury.txt") -> VerifiedClaim:
    """`text` as a claim quoting itself, each figure (not a year) traced to where it is written."""
    passage = Passage(Chunk(source, text, 0, len(text), 1, 1, ""), score=1.0)
    numbers = [CheckedNumber(q, [find_in_passage(q, passage)]) for q in parse_quantities(text) if q.unit != "year"]
    return VerifiedClaim(text, [numbers[0].spans[0]], numbers)
