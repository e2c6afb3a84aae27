"""The embedding seam: one method, texts in, unit-length float32 vectors out."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class Embedder(ABC):
    """Turns texts into L2-normalised vectors, so inner product is cosine similarity."""

    name: str  # recorded in the index manifest; an index is only searched with the embedder that built it
    dim: int

    @abstractmethod
    def embed(self, texts: list[str]) -> np.ndarray:
        """Shape (len(texts), dim), dtype float32, each row of norm 1."""
