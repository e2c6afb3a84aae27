"""Find where sources disagree, by comparing figures, not by asking the model.

A small model asked about a figure reports one source's value. Here, for each
figure in the verified answer, the sentences of other documents' retrieved
passages are scanned for a figure of the same unit. A sentence counts as being
about the same thing when it is about as relevant to the question as the
answer's own quote (cosine of their embeddings). Different values from
different documents mean a conflict; each is reported with its own quote.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.answering.verify import EXACT, CheckedNumber, Span, VerifiedClaim, sentence_span
from rag.embedding import Embedder
from rag.numbers import parse_quantities, same_quantity
from rag.types import Passage

# A candidate sentence must be at least this similar to the question (cosine, MiniLM) ...
MIN_RELEVANCE = 0.35
# ... and at most this much less similar than the answer's own quote. Tuned on eval/questions.jsonl.
RELEVANCE_MARGIN = 0.12
_NOT_FIGURES = {"year"}  # years date a figure; they are not the figure asked about


@dataclass(frozen=True)
class OtherFigure:
    """A figure from another document for the same kind of quantity."""

    number: CheckedNumber
    span: Span


def find_other_figures(
    question: str, claims: list[VerifiedClaim], passages: list[Passage], embedder: Embedder
) -> list[OtherFigure]:
    """Figures from documents not cited by `claims`, comparable to the answer's main figure."""
    anchors = figures_of(claims)
    if not anchors:
        return []
    cited_sources = {s.source for c in claims for s in c.spans}
    candidates = [
        (passage, quantity)
        for passage in passages
        if passage.chunk.source not in cited_sources
        for quantity in parse_quantities(passage.chunk.text)
        if any(quantity.unit == a.quantity.unit for a in anchors)
    ]
    if not candidates:
        return []
    spans = [sentence_span(passage, q.start, q.end) for passage, q in candidates]
    anchor_quotes = [a.spans[0].quote for a in anchors]
    vectors = embedder.embed([question, *anchor_quotes, *(s.quote for s in spans)])
    question_vec, anchor_vecs, candidate_vecs = vectors[0], vectors[1 : 1 + len(anchors)], vectors[1 + len(anchors) :]
    bar = max(MIN_RELEVANCE, float(np.max(anchor_vecs @ question_vec)) - RELEVANCE_MARGIN)

    best_by_source: dict[str, tuple[float, OtherFigure]] = {}
    for (passage, quantity), span, vector in zip(candidates, spans, candidate_vecs):
        relevance = float(vector @ question_vec)
        if relevance < bar:
            continue
        figure = OtherFigure(CheckedNumber(quantity, [span]), span)
        source = passage.chunk.source
        if source not in best_by_source or relevance > best_by_source[source][0]:
            best_by_source[source] = (relevance, figure)
    return [figure for _, figure in sorted(best_by_source.values(), key=lambda pair: -pair[0])]


def disagrees(figures: list[CheckedNumber]) -> bool:
    """True when figures of one unit, from different documents, have different values."""
    for i, a in enumerate(figures):
        for b in figures[i + 1 :]:
            different_source = a.spans[0].source != b.spans[0].source
            if different_source and a.quantity.unit == b.quantity.unit and not same_quantity(a.quantity, b.quantity, rel_tol=EXACT):
                return True
    return False


def figures_of(claims: list[VerifiedClaim]) -> list[CheckedNumber]:
    """The non-year, quoted (not derived) figures of the answer, for conflict checks."""
    return [n for c in claims for n in c.numbers if n.quantity.unit not in _NOT_FIGURES and not n.derived]

