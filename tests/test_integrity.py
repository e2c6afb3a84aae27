"""Tampered or bit-rotted index files are detected at load and repaired by `rag index`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.errors import IndexCorruptError
from rag.indexing import build_index
from rag.retrieval import Retriever
from rag.store.layout import current_generation
from rag.store.store import CHUNKS, DENSE, DOCUMENTS, VECTORS, checksums, damaged_files, open_store

from test_cli import assert_one_line_error, rag

pytestmark = pytest.mark.slow


def _swap_two_chunk_lines(folder: Path) -> None:
    lines = (folder / CHUNKS).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0], lines[1] = lines[1], lines[0]
    (folder / CHUNKS).write_text("".join(lines), encoding="utf-8")


def _edit_a_chunk_text(folder: Path) -> None:
    lines = (folder / CHUNKS).read_text(encoding="utf-8").splitlines(keepends=True)
    row = json.loads(lines[-1])
    digit = next(c for c in row["text"] if c.isdigit())
    row["text"] = row["text"].replace(digit, str((int(digit) + 1) % 10), 1)  # same length, another figure
    lines[-1] = json.dumps(row, ensure_ascii=False) + "\n"
    (folder / CHUNKS).write_text("".join(lines), encoding="utf-8")


def _overwrite_faiss_data(folder: Path) -> None:
    data = bytearray((folder / DENSE).read_bytes())
    data[-4096:] = bytes(4096)  # vectors zeroed in place: FAISS still reads the file
    (folder / DENSE).write_bytes(bytes(data))


def _flip_a_vector_bit(folder: Path) -> None:
    data = bytearray((folder / VECTORS).read_bytes())
    data[-1] ^= 0x01
    (folder / VECTORS).write_bytes(bytes(data))


def _edit_a_document(folder: Path) -> None:
    text = (folder / DOCUMENTS).read_text(encoding="utf-8")
    (folder / DOCUMENTS).write_text(text.replace("2025", "2052", 1), encoding="utf-8")


def _truncate_lexical_file(folder: Path) -> None:
    biggest = max((p for p in (folder / "lexical").iterdir() if p.is_file()), key=lambda p: p.stat().st_size)
    biggest.write_bytes(biggest.read_bytes()[:-8])


TAMPERINGS = {
    CHUNKS: _swap_two_chunk_lines,
    f"{CHUNKS} (text)": _edit_a_chunk_text,
    DENSE: _overwrite_faiss_data,
    VECTORS: _flip_a_vector_bit,
    DOCUMENTS: _edit_a_document,
    "lexical/": _truncate_lexical_file,
}


SMALL_CORPUS = {
    "pumps.txt": "Pump report 2025.\n\nPumps cost $40 each in 2025. The plant bought 300 pumps. Valves cost $12 each.\n",
    "fleet.md": "# Fleet 2024\n\nThe fleet had 42 trucks in 2024. Fuel cost $1.2 million. Repairs took 18 days.\n",
}


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Small, so that each repair (a full re-embedding) takes a moment."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in SMALL_CORPUS.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def built(settings, embedder, corpus):
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    return settings


def test_manifest_records_a_checksum_of_every_index_file(built) -> None:
    store = open_store(built.index_dir)
    recorded = store.manifest.checksums
    assert {CHUNKS, DOCUMENTS, VECTORS, DENSE} <= set(recorded)
    assert any(name.startswith("lexical/") for name in recorded)
    assert recorded == checksums(store.folder)


@pytest.mark.parametrize("damage", TAMPERINGS, ids=list(TAMPERINGS))
def test_each_tampering_is_detected_at_load_and_repaired_by_index(built, embedder, corpus, damage: str) -> None:
    folder = current_generation(built.index_dir)
    assert folder is not None
    before = Retriever(open_store(built.index_dir), embedder).search("pump cost 2025", 3, 40)
    TAMPERINGS[damage](folder)
    damaged_name = damage.split(" ")[0]
    store_manifest = json.loads((folder / "manifest.json").read_text())
    assert any(name.startswith(damaged_name) for name in store_manifest["checksums"])
    with pytest.raises(IndexCorruptError, match=f"damaged \\({damaged_name}.*changed since it was built.*rag index"):
        open_store(built.index_dir)

    report = build_index([corpus], built, embedder=embedder, show_progress=False)
    assert not report.up_to_date  # never "up to date" over a damaged index
    assert report.rebuild_reason and "damaged" in report.rebuild_reason
    repaired = open_store(built.index_dir)
    assert damaged_files(repaired.folder, repaired.manifest) == []
    after = Retriever(repaired, embedder).search("pump cost 2025", 3, 40)
    assert [(p.chunk.source, p.chunk.text) for p in after] == [(p.chunk.source, p.chunk.text) for p in before]


def test_cli_says_damaged_in_one_line_and_index_repairs(tmp_path: Path, corpus: Path) -> None:
    index = tmp_path / "i"
    assert rag("index", str(corpus), "--index", str(index)).returncode == 0
    folder = current_generation(index)
    assert folder is not None
    _swap_two_chunk_lines(folder)
    assert_one_line_error(rag("search", "pumps", "--index", str(index)), 1, "chunks.jsonl changed since it was built")
    repaired = rag("index", str(corpus), "--index", str(index))
    assert repaired.returncode == 0, repaired.stderr
    assert "full rebuild: previous index unreadable" in repaired.stdout and "damaged" in repaired.stdout
    assert "index up to date" not in repaired.stdout
    assert rag("search", "pumps", "--index", str(index)).returncode == 0

