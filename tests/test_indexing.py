"""Index building against the real embedder and real FAISS/BM25 files on disk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.embedding import Embedder
from rag.errors import CorpusError, IndexCorruptError, IndexMismatchError, IndexMissingError
from rag.indexing import build_index
from rag.retrieval import Retriever
from rag.store.layout import current_generation
from rag.store.store import open_store

from conftest import REPO

pytestmark = pytest.mark.slow


class CountingEmbedder(Embedder):
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim, self.texts = inner, inner.name, inner.dim, []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def _search(settings, embedder, query: str) -> list[tuple[str, int, float]]:
    retriever = Retriever(open_store(settings.index_dir), embedder)
    return [(p.chunk.source, p.chunk.start, round(p.score, 6)) for p in retriever.search(query, 5, 40)]


def test_index_persists_and_reloads_with_identical_results(settings, seeds_copy, embedder):
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert len(report.added) == 5 and report.chunks_embedded == report.chunk_count > 0
    first = _search(settings, embedder, "overseas AI investment")
    again = _search(settings, embedder, "overseas AI investment")
    assert first == again and first
    manifest = json.loads((current_generation(settings.index_dir) / "manifest.json").read_text())
    assert manifest["embedder"] == embedder.name and manifest["dim"] == 384
    assert manifest["chunk_chars"] == settings.chunk_chars
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"].values())


def test_second_run_changes_nothing(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    counting = CountingEmbedder(embedder)
    report = build_index([seeds_copy], settings, embedder=counting, show_progress=False)
    assert report.up_to_date and counting.texts == [] and len(report.unchanged) == 5


def test_update_reembeds_only_the_changed_file(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    changed = sorted(seeds_copy.iterdir())[2]
    changed.write_text(changed.read_text() + "\nThe Zephyr-9 sensor draws 42 milliwatts.\n")
    counting = CountingEmbedder(embedder)
    report = build_index([seeds_copy], settings, embedder=counting, show_progress=False)
    assert report.changed == [f"corpus/{changed.name}"] and not report.added and not report.removed
    store = open_store(settings.index_dir)
    changed_chunks = [c for c in store.chunks if c.source.endswith(changed.name)]
    assert len(counting.texts) == len(changed_chunks) == report.chunks_embedded
    assert _search(settings, embedder, "Zephyr-9 sensor milliwatts")[0][0].endswith(changed.name)


def test_removed_files_vanish_from_results(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    removed = sorted(seeds_copy.iterdir())[3]
    assert any(s.endswith(removed.name) for s, _, _ in _search(settings, embedder, "H20 296 TOPS INT8"))
    removed.unlink()
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert report.removed == [f"corpus/{removed.name}"]
    store = open_store(settings.index_dir)
    assert not any(c.source.endswith(removed.name) for c in store.chunks)
    assert not any(s.endswith(removed.name) for s, _, _ in _search(settings, embedder, "H20 296 TOPS INT8"))


def test_chunk_setting_change_forces_full_rebuild_with_reason(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    report = build_index([seeds_copy], replace(settings, chunk_chars=500), embedder=embedder, show_progress=False)
    assert "chunk settings changed" in report.rebuild_reason
    assert len(report.added) == 5 and report.chunks_embedded == report.chunk_count


def test_embedding_model_change_forces_full_rebuild_with_reason(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    report = build_index([seeds_copy], replace(settings, embedder="minilm"), show_progress=False)
    assert "embedding model changed" in report.rebuild_reason
    assert open_store(settings.index_dir).manifest.embedder == "all-MiniLM-L6-v2"


def test_index_built_with_another_model_is_refused_at_search(settings, seeds_copy, embedder):
    from rag.answering.pipeline import Pipeline

    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    with pytest.raises(IndexMismatchError, match="rag index"):
        Pipeline(replace(settings, embedder="minilm")).retriever


def test_missing_index_is_reported(settings):
    with pytest.raises(IndexMissingError, match="rag index"):
        open_store(settings.index_dir)


def test_corrupt_manifest_is_reported(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    (current_generation(settings.index_dir) / "manifest.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="corrupt"):
        open_store(settings.index_dir)
    # ... and the next build replaces it rather than failing
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert "unreadable" in report.rebuild_reason and open_store(settings.index_dir).chunks


def test_damaged_vector_file_is_reported(settings, seeds_copy, embedder):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    (current_generation(settings.index_dir) / "dense.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError, match="damaged"):
        open_store(settings.index_dir)


def test_empty_corpus_and_missing_folder(settings, tmp_path, embedder):
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="no .txt"):
        build_index([tmp_path / "empty"], settings, embedder=embedder, show_progress=False)
    with pytest.raises(CorpusError, match="does not exist"):
        build_index([tmp_path / "missing"], settings, embedder=embedder, show_progress=False)
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "x.txt").write_bytes(b"\x00\x01")
    with pytest.raises(CorpusError, match="binary content"):
        build_index([tmp_path / "junk"], settings, embedder=embedder, show_progress=False)


def test_killed_build_leaves_previous_index_usable(settings, seeds_copy, embedder, tmp_path):
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    before = _search(settings, embedder, "Samsung chip partnership")
    big = tmp_path / "big"
    big.mkdir()
    sentence = " ".join(f"Paragraph {{}} sentence {i} about pumps, valves and 7 other parts." for i in range(40))
    for i in range(400):
        (big / f"doc{i:03d}.txt").write_text(sentence.format(*([i] * 40)))
    env = {**os.environ, "RAG_INDEX_DIR": str(settings.index_dir), "HF_HUB_OFFLINE": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "index", str(big)], env=env, cwd=REPO,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    progress = b""
    while b"embedding chunks" not in progress and process.poll() is None:
        progress += process.stderr.read1(256)
    time.sleep(1.0)  # well into embedding thousands of chunks
    assert process.poll() is None, "the build finished before it could be killed"
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert _search(settings, embedder, "Samsung chip partnership") == before
    # the next build cleans up the abandoned folder
    build_index([seeds_copy], replace(settings, chunk_chars=300), embedder=embedder, show_progress=False)
    assert not any(p.name.startswith(".building-") for p in settings.index_dir.iterdir())


def test_interrupted_write_leaves_previous_index_and_no_partial_folder(settings, seeds_copy, embedder, monkeypatch):
    from rag.store import store as store_module

    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    before = _search(settings, embedder, "Samsung chip partnership")
    real_save = store_module.np.save

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module.np, "save", save_then_interrupt)
    (seeds_copy / "new.txt").write_text("A new file about pumps.")
    with pytest.raises(KeyboardInterrupt):
        build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert _search(settings, embedder, "Samsung chip partnership") == before
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith(".building-")] == []
