from __future__ import annotations

import numpy as np
import pytest

from rag.retrieval import RRF_K, reciprocal_rank_fusion
from rag.store.dense import DenseIndex


def test_rrf_rewards_agreement_between_lists():
    fused = reciprocal_rank_fusion([[1, 2, 3], [3, 1, 4]])
    assert [item for item, _ in fused][:2] == [1, 3]
    assert dict(fused)[1] == pytest.approx(1 / (RRF_K + 1) + 1 / (RRF_K + 2))


def test_rrf_handles_empty_lists():
    assert reciprocal_rank_fusion([[], []]) == []
    assert [i for i, _ in reciprocal_rank_fusion([[5, 6], []])] == [5, 6]


def _unit_vectors(count: int, dim: int, seed: int) -> np.ndarray:
    vectors = np.random.default_rng(seed).normal(size=(count, dim)).astype(np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_faiss_matches_brute_force_numpy(kind, tmp_path):
    vectors = _unit_vectors(2000, 384, seed=1)
    queries = _unit_vectors(20, 384, seed=2)
    index = DenseIndex.build(vectors, kind)
    index.save(tmp_path / "dense.faiss")
    loaded = DenseIndex.load(tmp_path / "dense.faiss", kind)
    overlaps = []
    for query in queries:
        expected = np.argsort(-(vectors @ query))[:10].tolist()
        found = [row for row, _ in loaded.search(query, 10)]
        scores = [score for _, score in loaded.search(query, 10)]
        assert scores == pytest.approx(sorted(scores, reverse=True))
        if kind == "flat":
            assert found == expected
        overlaps.append(len(set(found) & set(expected)) / 10)
    assert np.mean(overlaps) >= 0.95  # HNSW is approximate; recall@10 must stay high


def test_search_on_real_seed_vectors_matches_numpy(seeds_index, embedder):
    from rag.store.store import open_store

    store = open_store(seeds_index.index_dir)
    query = embedder.embed(["chip performance compared with Nvidia"])[0]
    found = [row for row, _ in store.dense.search(query, 5)]
    assert found == np.argsort(-(store.vectors @ query))[:5].tolist()
