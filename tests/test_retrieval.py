from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rag.retrieval import RRF_K, identifier_hits, in_scope_ranking, reciprocal_rank_fusion
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


# -- scope preference and identifiers: rules on the fused list -------------------------------------


def test_in_scope_rows_form_a_third_ranking_in_fused_order():
    fused = [7, 3, 9, 1]
    assert in_scope_ranking(fused, {1, 9}) == [9, 1]
    third = reciprocal_rank_fusion([[7, 3, 9, 1], [3, 7, 1, 9], in_scope_ranking(fused, {1, 9})])
    assert [row for row, _ in third][:2] == [9, 1]  # matching documents rank ahead


def test_identifier_hits_are_verbatim_and_whole():
    assert identifier_hits("Unit  0147 reported revenue", ["unit 0147"]) == 1
    assert identifier_hits("Unit 01470 reported revenue", ["unit 0147"]) == 0
    assert identifier_hits("unit 0147 and ISO 9001", ["unit 0147", "iso 9001"]) == 2


def test_a_question_naming_two_subjects_reads_each_subjects_best_passages_in_turn():
    """The store (a stand-in here: the rule acts on its fused list) ranks one dataset's chunks first."""
    from types import SimpleNamespace

    from rag.metadata import DocumentProfile
    from rag.retrieval import Retriever
    from rag.store.manifest import FileEntry
    from rag.types import Chunk, Passage

    sources = {"data/diabetes.txt": "diabetes", "data/linnerud.txt": "linnerud", "data/iris.txt": "iris"}
    files = {s: FileEntry("0", 1, 1, profile=DocumentProfile(subject, (), "subject: file name")) for s, subject in sources.items()}
    order = ["data/diabetes.txt", "data/diabetes.txt", "data/iris.txt", "data/diabetes.txt", "data/linnerud.txt"]
    fused = [Passage(Chunk(source, f"chunk {i}", i, i + 7, 1, 1, ""), score=2 / (61 + i)) for i, source in enumerate(order)]
    store = SimpleNamespace(manifest=SimpleNamespace(files=files), search=lambda vector, query, candidates: list(fused))
    retriever = Retriever(store, SimpleNamespace(embed=lambda texts: np.zeros((len(texts), 4), dtype=np.float32)))
    found = retriever.search("How many instances do the diabetes and Linnerud datasets each contain?", 3, 40)
    assert [p.chunk.source for p in found] == ["data/diabetes.txt", "data/linnerud.txt", "data/diabetes.txt"]
    one = retriever.search("How many instances does the diabetes dataset contain?", 3, 40)
    assert [p.chunk.source for p in one] == ["data/diabetes.txt"] * 3
    # A subject named like an identifier ("DS42") is not one: its every mention would push the other subject out.
    files["data/ds42.txt"] = FileEntry("0", 1, 1, profile=DocumentProfile("DS42", (), "subject: file name"))
    fused[:] = [
        Passage(Chunk(source, text, i, i + len(text), 1, 1, ""), score=2 / (61 + i))
        for i, (source, text) in enumerate(
            [("data/ds42.txt", "DS42 rows"), ("data/ds42.txt", "DS42 columns"), ("data/diabetes.txt", "rows"), ("data/ds42.txt", "DS42 notes")]
        )
    ]
    retriever = Retriever(store, SimpleNamespace(embed=lambda texts: np.zeros((len(texts), 4), dtype=np.float32)))
    both = retriever.search("How many rows do the diabetes and DS42 datasets have?", 3, 40)
    assert [p.chunk.source for p in both] == ["data/ds42.txt", "data/diabetes.txt", "data/ds42.txt"]


_COMPANIES = ("Acme Corporation", "Globex Inc.")
_BODY = (
    "Capital expenditure for the year was ${capex} million, mainly on the new distribution centre.\n"
    "The board approved a dividend of {dividend} cents per share.\n"
    "Headcount at year end was {staff} people across all sites.\n"
    "Energy use per tonne shipped fell by {energy} percent as older trucks were retired.\n"
)


def _report_corpus(folder: Path) -> None:
    """Four annual reports, two companies by two years, with the same sentences and different figures."""
    for c, company in enumerate(_COMPANIES):
        for year in (2021, 2022):
            cover = f"{company}\nAnnual Report {year}\nFor the year ended December 31, {year}\n\n"
            seed = c * 10 + year - 2020
            body = _BODY.format(capex=100 + seed * 7, dividend=10 + seed, staff=400 + seed * 13, energy=seed)
            stem = company.split()[0].lower()
            (folder / f"{stem}-{year}.txt").write_text(cover + body * 2)


@pytest.mark.slow
def test_retrieval_prefers_the_report_of_the_subject_and_year_asked(tmp_path, embedder):
    from dataclasses import replace

    from rag.config import load_settings
    from rag.indexing import build_index
    from rag.retrieval import Retriever
    from rag.store.store import open_store

    corpus = tmp_path / "reports"
    corpus.mkdir()
    _report_corpus(corpus)
    settings = replace(load_settings(), index_dir=tmp_path / "index")
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    store = open_store(settings.index_dir)
    retriever = Retriever(store, embedder)
    for company in _COMPANIES:
        for year in (2021, 2022):
            short = company.split()[0]
            wanted = f"reports/{short.lower()}-{year}.txt"
            count = sum(chunk.source == wanted for chunk in store.chunks)
            found = retriever.search(f"What was {short}'s capital expenditure in {year}?", count + 1, 40)
            assert [p.chunk.source for p in found][:count] == [wanted] * count, (company, year, found)
    neither = retriever.search("What was the capital expenditure spent on?", 5, 40)
    assert len(neither) == 5 and all("distribution centre" in p.chunk.text or p.chunk.about for p in neither)


_TOPICS = ("stores", "depots", "clinics", "warehouses", "workshops", "call centres", "showrooms", "labs")


def _records_corpus(folder: Path) -> None:
    """Terse records ("Unit 0147: turnover ...") among prose about how units report revenue.

    The prose matches the question's words in both retrievers, so it gathers two RRF
    shares; the one record that names the unit is first in BM25 only.
    """
    for n, topic in enumerate(_TOPICS):
        (folder / f"guide-{n}.txt").write_text(
            f"How our {topic} report revenue. Each unit reports its revenue every month, and the unit manager "
            f"checks the revenue report before it goes to finance. Revenue that a unit reports late is "
            f"estimated. Units of the {topic} group report revenue in local currency.\n"
        )
    for part in range(5):
        records = [
            f"Unit {unit:04d}: turnover {(unit * 37) % 900 + 100}k; headcount {(unit * 11) % 60 + 5}."
            for unit in range(100 + part * 80, 180 + part * 80)
        ]
        (folder / f"records-{part}.txt").write_text("\n".join(records) + "\n")


@pytest.mark.slow
def test_an_exact_identifier_survives_fusion_among_many_similar_records(tmp_path, embedder):
    """Issue 11: the record BM25 ranks first must not fall behind prose that both retrievers like."""
    from dataclasses import replace

    from rag.config import load_settings
    from rag.indexing import build_index
    from rag.retrieval import Retriever
    from rag.store.store import open_store

    corpus = tmp_path / "records"
    corpus.mkdir()
    _records_corpus(corpus)
    settings = replace(load_settings(), index_dir=tmp_path / "index")
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    retriever = Retriever(open_store(settings.index_dir), embedder)
    for unit in (147, 233, 401):
        found = retriever.search(f"What revenue did Unit {unit:04d} report?", 80, 40)
        assert f"Unit {unit:04d}:" in found[0].chunk.text, [p.chunk.text[:40] for p in found]
        # The premise: by fusion alone the record would rank below the 5 passages the model reads.
        plain = sorted(found, key=lambda p: -sum(1 / (RRF_K + r) for r in (p.dense_rank, p.lexical_rank) if r))
        assert plain.index(found[0]) >= 5
