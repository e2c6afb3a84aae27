"""A figure a document writes as a field of the kind asked ("Number of Rooms: 340"), read by code.

Asked about two things at once ("How many rooms do the A and B hotels each
have?"), a small model answers for one and, shown only the other's passages, still cites
the sentence that names that thing over the field that states the figure. So when a
side of the question stays unanswered, its documents' passages are searched for a field:
a line that is a label and a figure ("Number of Rooms: 340", "Rooms total   212"),
whose label names only what the question asks for (its words, less "number", "total"
and the like, are all words of the question) and whose figure is of the asked kind. The
field's document must be the side's: its file name names it, or its profile is of the
subject the question names that no claim cites. Exactly one field value per document, or
none is read. Each field still passes the gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.answering.compare import uncovered_side
from rag.answering.expected import expected_kind
from rag.answering.scope import Scope
from rag.answering.verify import VerifiedClaim, passage_span, quoted_claim
from rag.answering.words import GENERIC_FIGURE_STEMS, content_stems, file_name_stems
from rag.numbers import parse_quantities
from rag.types import Passage

# ":Number of Rooms: 340", "- Floors   9", "Rooms total     212 (12 suites)": label, then a colon or a wide gap,
# then one figure; a row of several ("Rooms:  120 140 160") is a table's, whose columns say what each is.
_FIELD = re.compile(
    r"^[ \t]*[:*\-\u2022]?[ \t]*(?P<label>[A-Za-z][A-Za-z ()'/-]{0,60}?)(?::[ \t]+|[ \t]{2,})"
    r"(?P<figure>[(\[]?[-\u2212]?[$\u20ac\u00a3\u00a5]?\d[\d,.]*%?)(?![\w.,])(?![ \t]+-?\d)[^\n]*$",
    re.MULTILINE,
)


def unanswered_documents(question: str, claims: list[VerifiedClaim], sources: set[str], scope: Scope) -> set[str]:
    """Of `sources`, the documents of the one of two things asked together that no claim speaks of:
    those whose file name names it, and those of a subject the question names that no claim cites."""
    if not claims:
        return set()
    missing = uncovered_side(question, [claim.statement for claim in claims])
    named = {source for source in sources if missing & file_name_stems(source)}
    return named | (scope.unanswered_documents(claims) & sources)


def field_claims(question: str, sources: set[str], passages: Iterable[Passage]) -> list[VerifiedClaim]:
    """Claims quoting the one field of the asked kind of each document of `sources`, read in `passages`."""
    expected = expected_kind(question)
    asked = content_stems(question)
    by_document: dict[str, dict[float, VerifiedClaim]] = {}
    for passage in passages:
        source = passage.chunk.source
        if source not in sources:
            continue
        for match in _FIELD.finditer(passage.chunk.text):
            label = content_stems(match.group("label")) - GENERIC_FIGURE_STEMS
            if not label or not label <= asked:
                continue
            figure = next(iter(parse_quantities(match.group("figure"))), None)
            if figure is None or (expected and not expected.satisfied_by(figure)):
                continue
            by_document.setdefault(source, {}).setdefault(figure.value, _claim(passage, match))
    return [next(iter(fields.values())) for fields in by_document.values() if len(fields) == 1]


def _claim(passage: Passage, match: re.Match[str]) -> VerifiedClaim:
    """The field line as its own statement and citation."""
    start = match.start("label")
    span = passage_span(passage, start, match.end())
    return quoted_claim(span)
