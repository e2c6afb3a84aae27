"""Index building against the real embedder and real FAISS/BM25 files on disk."""

from __future__ import annotations

import json
import os
import re
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
        Pipeline(replace(settings, embedder="minilm")).open_index()


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


_WRITE_THEN_INDEX = (
    "import sys; from pathlib import Path\n"
    "Path(sys.argv[1]).write_text(sys.argv[2])\n"
    "from rag.cli import main\n"
    "sys.exit(main(['index', *sys.argv[3:]]))"
)


def test_concurrent_builds_lose_no_update(settings, seeds_copy, embedder):
    """4 real `rag index` processes at once, 3 rounds: each adds or changes its own file just before it
    builds. The writer lock serialises them, so every update is in the final index and searchable."""
    corpus = seeds_copy.parent / "small"
    corpus.mkdir()
    (corpus / "base.txt").write_text("The base document says pumps cost $40 each.")
    index = str(settings.index_dir)
    for round_number in range(1, 4):
        words = {worker: f"zq{round_number}x{worker}marker" for worker in range(4)}
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", _WRITE_THEN_INDEX, str(corpus / f"worker{worker}.txt"),
                 f"Round {round_number} note: the {word} valve costs ${round_number}{worker}0.", str(corpus), "--index", index],
                cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )
            for worker, word in words.items()
        ]
        for process in processes:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            assert "Traceback" not in err
        store = open_store(settings.index_dir)
        assert sorted(store.manifest.files) == ["small/base.txt"] + [f"small/worker{w}.txt" for w in range(4)]
        retriever = Retriever(store, embedder)
        for worker, word in words.items():
            [top] = retriever.search(word, 1, 40)
            assert top.chunk.source == f"small/worker{worker}.txt" and word in top.chunk.text
        generations = [p for p in settings.index_dir.iterdir() if p.name.startswith("gen-")]
        assert current_generation(settings.index_dir) in generations and len(generations) <= 2


def test_unreadable_file_is_skipped_not_fatal(settings, seeds_copy, embedder, monkeypatch):
    """Permission denied on one file (faked: tests run as root) skips that file, with the reason."""
    import rag.indexing as indexing

    real_sha = indexing.file_sha256
    locked = seeds_copy / "locked.txt"
    locked.write_text("Secret figures: $5.")

    def sha_or_denied(path: Path) -> str:
        if path.name == locked.name:
            raise PermissionError(13, "Permission denied", str(path))
        return real_sha(path)

    monkeypatch.setattr(indexing, "file_sha256", sha_or_denied)
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert [(s.source, s.reason) for s in report.skipped] == [("corpus/locked.txt", "unreadable (Permission denied)")]
    assert len(report.added) == 5


def test_file_name_that_is_not_utf8_is_indexed_under_an_escaped_name(settings, seeds_copy, embedder):
    odd = os.path.join(os.fsencode(seeds_copy), b"caf\xe9 notes.txt")
    with open(odd, "wb") as f:
        f.write(b"The caf\xc3\xa9 sold 300 cups.")
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    store = open_store(settings.index_dir)
    assert "corpus/caf\\xe9 notes.txt" in store.manifest.files
    assert build_index([seeds_copy], settings, embedder=embedder, show_progress=False).up_to_date


def test_long_build_says_how_long_and_big_files_are_warned_about(settings, tmp_path, embedder, monkeypatch):
    import rag.indexing as indexing

    monkeypatch.setattr(indexing, "LARGE_FILE_BYTES", 10_000)
    monkeypatch.setattr(indexing, "_ESTIMATE_FROM_SECONDS", 0)
    corpus = tmp_path / "big"
    corpus.mkdir()
    (corpus / "long.txt").write_text(" ".join(f"Item {n} costs ${n}." for n in range(12_000)))
    messages: list[str] = []
    build_index([corpus], settings, embedder=embedder, show_progress=False, notify=messages.append)
    assert any(m.startswith("warning: big/long.txt is") and "MB" in m for m in messages)
    assert any(re.fullmatch(r"embedding \d+ chunks: about \d+ (s|min) left", m) for m in messages)


# --- real document formats ----------------------------------------------------------------------------


def _office_corpus(folder: Path) -> Path:
    """A .csv, an .xlsx, a .docx (each written by its real library) and a real PDF table page."""
    import shutil

    import docx
    import openpyxl

    folder.mkdir()
    (folder / "meters.csv").write_text("District,Meters installed 2018,Meters installed 2017\nNorth,4210,3980\nSouth,2875,2650\n")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Reservoirs"
    for row in (["Reservoir", "Capacity (megalitres)"], ["Lake Arden", 5120], ["Bell Hollow", 2340]):
        sheet.append(row)
    workbook.save(folder / "reservoirs.xlsx")
    word = docx.Document()
    word.add_heading("Pumping stations", level=1)
    table = word.add_table(rows=3, cols=2)
    for row, cells in zip(table.rows, (["Station", "Pumps"], ["Kestrel Road", "14"], ["Mill Lane", "9"])):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    word.save(folder / "stations.docx")
    shutil.copy(REPO / "tests" / "data" / "census-arrests-table.pdf", folder / "arrests.pdf")
    return folder


def test_docx_csv_xlsx_and_pdf_index_with_rows_and_pages(tmp_path: Path, embedder, settings):
    corpus = _office_corpus(tmp_path / "water")
    report = build_index([corpus], settings, embedder=embedder, show_progress=False)
    assert sorted(report.added) == ["water/arrests.pdf", "water/meters.csv", "water/reservoirs.xlsx", "water/stations.docx"]
    retriever = Retriever(open_store(settings.index_dir), embedder)
    top = retriever.search("How many pumps does Kestrel Road station have?", 3, 40)[0].chunk
    assert top.source == "water/stations.docx" and "Station: Kestrel Road | Pumps: 14" in top.text
    top = retriever.search("Lake Arden reservoir capacity", 3, 40)[0].chunk
    assert "Reservoir: Lake Arden | Capacity (megalitres): 5120" in top.text and "Sheet: Reservoirs" in top.context
    robbery = next(c for c in open_store(settings.index_dir).chunks if "Robbery" in c.text)
    assert robbery.page == 1 and "In thousands" in robbery.context


def test_rag_search_names_the_pdf_page(tmp_path: Path):
    corpus = _office_corpus(tmp_path / "water")
    env = {**os.environ, "RAG_INDEX_DIR": str(tmp_path / "index")}
    subprocess.run([sys.executable, "-m", "rag.cli", "index", str(corpus)], env=env, check=True, capture_output=True)
    done = subprocess.run([sys.executable, "-m", "rag.cli", "search", "Robbery arrests", "-k", "1"], env=env,
                          capture_output=True, text=True, check=True)
    assert re.search(r"water/arrests\.pdf p\. 1, lines? \d+", done.stdout), done.stdout
    rows = json.loads(subprocess.run([sys.executable, "-m", "rag.cli", "search", "Robbery arrests", "-k", "1", "--json"],
                                     env=env, capture_output=True, text=True, check=True).stdout)
    assert rows[0]["page"] == 1


def test_answers_from_a_spreadsheet_row(tmp_path: Path, embedder, pipeline, settings):
    from rag.answering.pipeline import Pipeline

    corpus = _office_corpus(tmp_path / "water")
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    answer = Pipeline(settings, embedder=embedder, generator=pipeline.load_generator(), show_progress=False).ask(
        "What is the capacity of the Lake Arden reservoir in megalitres?"
    )
    assert not answer.abstained and ("5,120" in answer.answer or "5120" in answer.answer), answer.answer
    assert any(c.source == "water/reservoirs.xlsx" for c in answer.citations)
