"""Retrieval quality on seeds/: each query must find its file in the top 5 (recall@5 = 100%), with either store."""

from __future__ import annotations

import pytest

from rag.retrieval import Retriever
from rag.store.factory import open_index

pytestmark = pytest.mark.slow

# (query, file that must be retrieved): paraphrases, exact figures, names, units.
QUERIES = [
    ("296 TOPS", "003"),
    ("How much will ByteDance invest abroad in 2025?", "001"),
    ("overseas spending on foundation model training", "001"),
    ("share of domestic chip orders going to Chinese suppliers", "003"),
    ("Cambricon Siyuan 370 INT8 performance", "003"),
    ("H20 compared with the H100", "003"),
    ("Samsung manufacturing partnership for ByteDance's own processor", "000"),
    ("160 billion yuan AI procurement", "000"),
    ("How many SeedChip units in 2026?", "000"),
    ("Huawei Ascend performance relative to H200", "000"),
    ("Iluvatar CoreX shipments and clients", "000"),
    ("tariff and volume cap on H200 sales to China", "000"),
    ("SMIC 7nm production capacity", "000"),
    ("$7 billion Nvidia chips 2025", "002"),
    ("circumventing US export restrictions through third parties", "002"),
    ("Chinese industry associations urge caution buying US chips", "002"),
    ("Zhang Yiming co-founder AI push", "002"),
    ("CNY 40 billion twofold increase from 2024", "003"),
    ("third-party data center leasing in Malaysia", "003"),
    ("AI infrastructure budget of nearly $30 billion", "004"),
    ("Qualcomm custom ASIC deal", "004"),
    ("what is inference", "004"),
    ("tape-out definition", "004"),
    ("Beijing directive to buy 30% of chips locally", "001"),
    ("Financial Times report on $12 billion AI infrastructure", "001"),
]


@pytest.mark.parametrize("store", ["local", "milvus"])
def test_recall_at_5_is_total_and_report_recall_at_1(store, request, embedder):
    retriever = Retriever(open_index(request.getfixturevalue("seeds_index" if store == "local" else "seeds_milvus")), embedder)
    misses, first = [], 0
    for query, expected in QUERIES:
        sources = [p.chunk.source.split("/")[-1][:3] for p in retriever.search(query, 5, 40)]
        first += sources[0] == expected
        if expected not in sources:
            misses.append((query, expected, sources))
    print(f"\nretrieval on seeds/ ({store} store): recall@1 = {first}/{len(QUERIES)} = {first / len(QUERIES):.0%}, "
          f"recall@5 = {len(QUERIES) - len(misses)}/{len(QUERIES)}")
    assert not misses, misses
