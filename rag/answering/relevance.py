"""How relevant a sentence is to the question, on a scale that does not depend on the embedder.

Raw cosines live in different ranges for different embedders (MiniLM spreads them over
0..0.9; other models crowd them into 0.7..0.9), so a fixed cosine threshold tuned on one
corpus and one model means nothing on another. Each question gets its own scale:
0 is the mean similarity of the question to a sample of the corpus's chunks (what an
unrelated passage scores), 1 is the best similarity among the passages retrieved for it.
A threshold on this scale reads "this much of the way from background to best evidence".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rag.embedding import Embedder

BACKGROUND_SAMPLE = 256  # chunks whose similarity to the question sets the scale's zero
# The least range a scale gets, in cosine: in a corpus of near-identical records the best passage
# barely beats the background, and small differences must not read as large ones.
_MIN_SPREAD = 0.15


@dataclass(frozen=True)
class RelevanceScale:
    question: np.ndarray  # the question's unit vector
    floor: float  # mean cosine of the question with the background sample
    top: float  # best cosine of the question with a retrieved passage

    def of_vectors(self, vectors: np.ndarray) -> np.ndarray:
        return (vectors @ self.question - self.floor) / max(self.top - self.floor, _MIN_SPREAD)


def background_sample(vectors: np.ndarray, size: int = BACKGROUND_SAMPLE) -> np.ndarray:
    """Evenly spaced rows of the corpus's chunk vectors: a fixed, deterministic sample."""
    if len(vectors) <= size:
        return vectors
    return vectors[np.linspace(0, len(vectors) - 1, size).astype(int)]


def measure_scale(
    question_vector: np.ndarray, passage_texts: list[str], background: np.ndarray, embedder: Embedder
) -> RelevanceScale:
    """The scale for one question: its background similarity and its best passage's."""
    floor = float((background @ question_vector).mean()) if len(background) else 0.0
    top = float((embedder.embed(passage_texts) @ question_vector).max()) if passage_texts else floor
    return RelevanceScale(question_vector, floor, max(top, floor))
