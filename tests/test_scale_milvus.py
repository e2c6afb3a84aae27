"""The Milvus store (rag/store/milvus.py) against the local folder store, on a real Milvus Lite file."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest

from rag.cli import main
from rag.errors import ConfigError, IndexMissingError
from rag.indexing import build_index
from rag.retrieval import Retriever
from rag.store.factory import open_index, open_writer, parse_location

from conftest import REPO, SEEDS

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

from rag.store.milvus import MilvusWriter, lexical_text  # noqa: E402

QUERIES = ["296 TOPS", "Samsung chip partnership", "How much will ByteDance invest abroad in 2025?", "H20 performance"]


def _milvus(settings, tmp_path: Path):
    return replace(settings, store=f"milvus:{tmp_path / 'rag.db'}")


def test_store_strings_parse_or_name_the_valid_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_MILVUS_TOKEN", "secret")
    assert parse_location("local").kind == "local"
    assert parse_location(f"milvus:{tmp_path}/a.db").uri == f"{tmp_path}/a.db"
    server = parse_location("milvus://db.example:19530")
    assert (server.uri, server.token) == ("http://db.example:19530", "secret")
    for bad in ("faiss", "milvus:", "milvus://nohost", "milvus:folder"):
        with pytest.raises(ConfigError, match="milvus"):
            parse_location(bad)


def test_lexical_text_keeps_figures_whole():
    assert lexical_text("Revenue was $6.8B; the H20 reaches 296 TOPS, 22B in 2025.") == (
        "revenue 6_8 billion h 20 reache 296 top 22 billion 2025"
    )


@pytest.mark.slow
def test_round_trip_matches_the_local_store_with_exact_spans(seeds_index, seeds_copy, tmp_path, embedder):
    settings = _milvus(replace(seeds_index, corpus=seeds_copy), tmp_path)
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    local, milvus = open_index(seeds_index), open_index(settings)
    assert report.chunk_count == local.manifest.chunk_count
    assert {s.split("/", 1)[1]: e.sha256 for s, e in milvus.manifest.files.items()} == {
        s.split("/", 1)[1]: e.sha256 for s, e in local.manifest.files.items()
    }
    assert sorted(milvus.documents.values()) == sorted(local.documents.values())
    assert milvus.vectors.shape == (min(256, report.chunk_count), local.vectors.shape[1])
    local_retriever, milvus_retriever = Retriever(local, embedder), Retriever(milvus, embedder)
    for query in QUERIES:
        found = milvus_retriever.search(query, 5, 40)
        assert found, query
        for passage in found:  # citations stay exact spans of the file
            chunk = passage.chunk
            assert milvus.documents[chunk.source][chunk.start : chunk.end] == chunk.text
        # Dense halves are identical and BM25 scores agree: the same five passages, RRF ties in either order.
        assert {p.chunk.text for p in found} == {p.chunk.text for p in local_retriever.search(query, 5, 40)}, query


@pytest.mark.slow
def test_second_run_is_incremental_and_removed_files_vanish(seeds_copy, settings, tmp_path, embedder):
    settings = _milvus(settings, tmp_path)
    first = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert build_index([seeds_copy], settings, embedder=embedder, show_progress=False).up_to_date
    files = sorted(seeds_copy.iterdir())
    files[0].write_text(files[0].read_text() + "\nThe pump costs 6.8 million dollars.\n")
    removed = files[1]
    removed_chunks = open_index(settings).manifest.files[f"corpus/{removed.name}"].chunks
    removed.unlink()
    second = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert (second.changed, second.removed) == ([f"corpus/{files[0].name}"], [f"corpus/{removed.name}"])
    assert second.chunks_embedded == open_index(settings).manifest.files[f"corpus/{files[0].name}"].chunks
    store = open_index(settings)
    assert f"corpus/{removed.name}" not in store.documents
    assert second.chunk_count == sum(entry.chunks for entry in store.manifest.files.values())
    assert removed_chunks > 0 and first.chunk_count > second.chunk_count - second.chunks_embedded
    found = Retriever(store, embedder).search("pump costs 6.8 million", 40, 40)
    assert "6.8 million" in found[0].chunk.text
    assert not any(p.chunk.source == f"corpus/{removed.name}" for p in found)
    assert len({(p.chunk.source, p.chunk.start) for p in found}) == len(found)  # the old version of the file is gone


@pytest.mark.slow
def test_hybrid_search_finds_the_exact_figure_among_near_misses(tmp_path, settings, embedder):
    corpus = tmp_path / "figures"
    corpus.mkdir()
    for name, figure in (("a", "6.8"), ("b", "6.9"), ("c", "68"), ("d", "6 or 8"), ("e", "296"), ("f", "22B")):
        (corpus / f"{name}.txt").write_text(f"Quarterly note {name}.\n\nThe division's revenue was {figure} units this quarter.\n")
    settings = _milvus(settings, tmp_path)
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    retriever = Retriever(open_index(settings), embedder)
    for query, wanted in (("revenue 6.8", "a"), ("revenue 296", "e"), ("revenue 22 billion", "f"), ("revenue 68", "c")):
        assert retriever.search(query, 1, 10)[0].chunk.source == f"figures/{wanted}.txt", query


def test_a_pdf_passage_keeps_its_page_and_a_text_passage_has_none(tmp_path, settings, embedder):
    corpus = tmp_path / "mixed"
    corpus.mkdir()
    (corpus / "table.pdf").write_bytes((REPO / "eval" / "corpora" / "reports" / "12s0324.pdf").read_bytes())
    (corpus / "note.txt").write_text("Quarterly note.\n\nThe division's pumps and valves were replaced this quarter.\n")
    settings = _milvus(settings, tmp_path)
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    retriever = Retriever(open_index(settings), embedder)
    pdf = retriever.search("robbery arrests by sex and age", 1, 10)[0].chunk
    text = retriever.search("pumps and valves replaced", 1, 10)[0].chunk
    assert (pdf.source, pdf.page) == ("mixed/table.pdf", 1)
    assert (text.source, text.page) == ("mixed/note.txt", None)


@pytest.mark.slow
def test_interrupted_update_keeps_each_file_whole_and_a_rerun_finishes(seeds_copy, settings, tmp_path, embedder, monkeypatch):
    settings = _milvus(settings, tmp_path)
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    before = open_index(settings).manifest
    (seeds_copy / "new.txt").write_text("A new file: the pump costs 6.8 million dollars.\n")

    def interrupted(self, manifest):
        raise KeyboardInterrupt

    with monkeypatch.context() as patch:
        patch.setattr(MilvusWriter, "commit", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert open_index(settings).manifest == before  # the manifest is written last
    again = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert again.added == ["corpus/new.txt"] and "corpus/new.txt" in open_index(settings).manifest.files
    found = Retriever(open_index(settings), embedder).search("pump costs 6.8 million", 80, 40)
    assert len({(p.chunk.source, p.chunk.start) for p in found}) == len(found)  # rewritten, not duplicated


@pytest.mark.slow
def test_rag_index_and_the_pipeline_use_a_milvus_store(seeds_copy, settings, tmp_path, capsys, embedder):
    store = f"milvus:{tmp_path / 'rag.db'}"
    assert main(["index", str(seeds_copy), "--store", store]) == 0
    assert f"indexed {store}" in capsys.readouterr().out
    from rag.answering.pipeline import Pipeline

    settings = replace(settings, store=store, index_dir=tmp_path / "no-local-index")
    passages = Pipeline(settings, embedder=embedder, show_progress=False).search("296 TOPS")  # opens the store itself
    assert any("296 TOPS" in p.chunk.text for p in passages)
    assert main(["search", "296 TOPS", "--store", store, "--index", str(tmp_path / "no-local-index")]) == 0
    assert "296 TOPS" in capsys.readouterr().out


def test_unreachable_server_and_bad_store_are_one_line_errors(tmp_path, capsys):
    assert main(["index", str(tmp_path), "--store", "milvus://127.0.0.1:9"]) == 1
    assert main(["search", "x", "--store", "faiss"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith("rag: error: cannot reach Milvus at http://127.0.0.1:9")
    assert lines[1] == "rag: error: unknown store 'faiss': choose local, milvus:PATH (a Milvus Lite file) or milvus://HOST:PORT"


def test_missing_milvus_index_says_how_to_build_one(tmp_path, settings):
    with pytest.raises(IndexMissingError, match="rag index --store milvus:"):
        open_index(replace(settings, store=f"milvus:{tmp_path / 'empty.db'}"))


def test_one_rag_index_at_a_time_on_a_milvus_lite_file_and_others_get_one_line(settings, tmp_path):
    """The writer lock is a file beside the Milvus Lite file; Milvus Lite itself lets one process open the file."""
    settings = _milvus(settings, tmp_path)

    def rag(*args: str) -> list[str]:
        run = subprocess.run([sys.executable, "-m", "rag.cli", *args], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert run.returncode == 1, run.stderr
        return run.stderr.strip().splitlines()

    messages: list[str] = []
    entered = threading.Event()

    def second_writer() -> None:
        with open_writer(settings, wait=True, on_wait=messages.append):
            entered.set()

    with open_writer(settings, wait=False, on_wait=None):
        assert rag("index", str(SEEDS), "--store", settings.store, "--no-wait") == [
            f"rag: error: another `rag index` is writing {settings.store}; try again when it is done"
        ]
        [line] = rag("search", "296 TOPS", "--store", settings.store)  # the file is open in this process
        assert line.startswith(f"rag: error: cannot open Milvus Lite at {tmp_path / 'rag.db'}") and "one process" in line
        waiting = threading.Thread(target=second_writer)
        waiting.start()
        deadline = time.monotonic() + 30
        while not messages and time.monotonic() < deadline:
            time.sleep(0.05)
        assert messages == [f"waiting for another `rag index` to finish writing {settings.store} ..."]
        assert not entered.is_set()
    waiting.join(30)
    assert entered.is_set()


@pytest.mark.slow
def test_the_real_model_answers_from_a_milvus_store_citing_exact_spans(seeds_milvus, pipeline, embedder):
    """The whole answer path (retrieval in Milvus, the model, the claim gate) over a Milvus Lite store."""
    from rag.answering.pipeline import Pipeline

    milvus = Pipeline(seeds_milvus, embedder=embedder, generator=pipeline.load_generator(), show_progress=False)
    answer = milvus.ask("How many units does the SeedChip project aim to produce in 2026?")
    assert any(n.value == 100000 and n.supported and n.citation_ids for n in answer.numbers), answer.answer
    assert answer.citations
    for citation in answer.citations:
        text = (SEEDS.parent / citation.source).read_text(encoding="utf-8")
        assert text[citation.start : citation.end] == citation.quote
