"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates fused by reciprocal rank fusion.

Dense search finds paraphrases ("spend abroad" for "invest overseas"); BM25 finds
exact figures and names ("296 TOPS", "Cambricon"). RRF needs no score
calibration between the two, which matters because their scores live on
different scales.
"""

from __future__ import annotations

from collections.abc import Sequence

from rag.embedding import Embedder
from rag.store.store import IndexStore
from rag.types import Passage

RRF_K = 60  # Cormack et al. (2009): k=60 damps the head of each list so one retriever cannot dominate


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse ranked lists of ids: score(id) = sum over lists of 1 / (k + rank). Ties keep first-seen order."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


class Retriever:
    """Searches one loaded index with the embedder that built it."""

    def __init__(self, store: IndexStore, embedder: Embedder) -> None:
        self.store = store
        self._embedder = embedder

    def search(self, query: str, k: int, candidates: int) -> list[Passage]:
        """The `k` best passages for `query`, best first."""
        dense = self.store.dense.search(self._embedder.embed([query])[0], candidates)
        lexical = self.store.lexical.search(query, candidates, len(self.store.chunks))
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        lexical_rank = {row: rank for rank, (row, _) in enumerate(lexical, start=1)}
        fused = reciprocal_rank_fusion([[row for row, _ in dense], [row for row, _ in lexical]])
        return [
            Passage(
                chunk=self.store.chunks[row],
                score=score,
                dense_rank=dense_rank.get(row),
                lexical_rank=lexical_rank.get(row),
            )
            for row, score in fused[:k]
        ]
