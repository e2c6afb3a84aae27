"""Reciprocal rank fusion: how a dense and a lexical ranking become one without calibrating their scores."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

RRF_K = 60  # Cormack et al. (2009): k=60 damps the head of each list so one retriever cannot dominate

Item = TypeVar("Item", bound=Hashable)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[Item]], k: int = RRF_K) -> list[tuple[Item, float]]:
    """Fuse ranked lists of ids: score(id) = sum over lists of 1 / (k + rank). Ties keep first-seen order."""
    scores: dict[Item, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])
