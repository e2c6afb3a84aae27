"""Find where sources disagree, by comparing figures, not by asking the model.

A small model asked about a figure reports one source's value, and it also adds
figures that answer neighbouring questions (a domestic budget next to an overseas
one). So the answer's first figure-bearing claim is the anchor. A figure from
another document conflicts with it when:
- it has the same unit and a different value, and
- its sentence is about as relevant to the question as the anchor's own quote
  (cosine of MiniLM embeddings).
Candidates are the figures of the answer's other claims and the figures in the
retrieved passages of documents the answer does not cite.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.verify import EXACT, CheckedNumber, VerifiedClaim, sentence_span
from rag.embedding import Embedder
from rag.numbers import parse_quantities, same_quantity
from rag.types import Passage

# A candidate sentence must be at least this similar to the question ...
MIN_RELEVANCE = 0.35
# ... and at most this much less similar than the anchor's quote. Set on eval/questions.jsonl.
RELEVANCE_MARGIN = 0.12
_NOT_FIGURES = {"year"}  # years date a figure; they are not the figure asked about


@dataclass(frozen=True)
class Conflict:
    """The anchor figures, and the figures of other documents that disagree with them."""

    anchors: list[CheckedNumber]
    others: list[CheckedNumber]
    from_passages: list[CheckedNumber]  # the subset of `others` not already in the answer's claims


def figures_of(claim: VerifiedClaim) -> list[CheckedNumber]:
    """A claim's quoted (not derived) figures other than years."""
    return [n for n in claim.numbers if n.quantity.unit not in _NOT_FIGURES and not n.derived]


def find_conflict(
    question: str, claims: list[VerifiedClaim], passages: list[Passage], embedder: Embedder
) -> Conflict | None:
    """The disagreement in this answer, or None when the sources agree (or give one figure)."""
    anchor_claim = next((c for c in claims if figures_of(c)), None)
    if anchor_claim is None:
        return None
    anchors = figures_of(anchor_claim)
    anchor_sources = {a.spans[0].source for a in anchors}
    units = {a.quantity.unit for a in anchors}

    in_claims = [
        n for c in claims if c is not anchor_claim for n in figures_of(c)
        if n.spans[0].source not in anchor_sources and n.quantity.unit in units
    ]
    cited = {s.source for c in claims for s in c.spans}
    in_passages = [
        CheckedNumber(q, [sentence_span(p, q.start, q.end)])
        for p in passages
        if p.chunk.source not in cited
        for q in parse_quantities(p.chunk.text)
        if q.unit in units
    ]
    candidates = [
        c for c in in_claims + in_passages
        if not any(same_quantity(c.quantity, a.quantity, rel_tol=EXACT) for a in anchors)
    ]
    if not candidates:
        return None

    vectors = embedder.embed([question, anchors[0].spans[0].quote, *(c.spans[0].quote for c in candidates)])
    question_vec = vectors[0]
    bar = max(MIN_RELEVANCE, float(vectors[1] @ question_vec) - RELEVANCE_MARGIN)
    best: dict[str, tuple[float, CheckedNumber]] = {}
    for candidate, vector in zip(candidates, vectors[2:]):
        relevance = float(vector @ question_vec)
        source = candidate.spans[0].source
        if relevance >= bar and (source not in best or relevance > best[source][0]):
            best[source] = (relevance, candidate)
    if not best:
        return None
    others = [candidate for _, candidate in sorted(best.values(), key=lambda pair: -pair[0])]
    new = [o for o in others if any(o is p for p in in_passages)]
    return Conflict(anchors, others, new)

