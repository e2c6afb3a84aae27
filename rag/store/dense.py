"""The FAISS index: exact inner product for small corpora, HNSW past a measured size.

Vectors are unit length, so inner product is cosine. Exact search is linear in the
corpus; bench/index_bench.py measures where it stops being cheap enough for the
hybrid latency budget, which sets `Settings.approximate_from`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

HNSW_NEIGHBOURS = 32  # graph degree M: FAISS's recommended range is 16-64; 32 keeps recall@50 > 0.99 here
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128  # must exceed the candidates we ask for; larger trades latency for recall


def kind_for(count: int, approximate_from: int) -> str:
    return "hnsw" if count >= approximate_from else "flat"


class DenseIndex:
    """A FAISS index plus the search call that hides its kind."""

    def __init__(self, index, kind: str) -> None:
        self._index = index
        self.kind = kind

    @classmethod
    def build(cls, vectors: np.ndarray, kind: str) -> DenseIndex:
        import faiss

        dim = vectors.shape[1]
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(dim, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(np.ascontiguousarray(vectors, dtype=np.float32))
        return cls(index, kind)

    def save(self, path: Path) -> None:
        import faiss

        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> DenseIndex:
        import faiss

        index = faiss.read_index(str(path))
        if kind == "hnsw":
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, kind)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: np.ndarray, k: int) -> list[tuple[int, float]]:
        if self.size == 0:
            return []
        scores, rows = self._index.search(np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32), min(k, self.size))
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0]) if r >= 0]
