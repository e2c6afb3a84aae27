"""One index generation: manifest, chunk table, vectors, FAISS and BM25 files, document texts."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from rag.errors import IndexCorruptError, IndexMissingError
from rag.store.dense import DenseIndex
from rag.store.fusion import reciprocal_rank_fusion
from rag.store.layout import current_generation
from rag.store.lexical import LexicalIndex
from rag.store.manifest import Manifest
from rag.types import Chunk, Passage

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.npy"  # kept so an update re-embeds only changed files, and for exact checks
DENSE = "dense.faiss"
LEXICAL = "lexical"
DOCUMENTS = "documents.jsonl"  # full texts, so a citation can be shown in context after the file changed
_LOAD_ATTEMPTS = 3  # a reader never locks; if builds replace its generation mid-read, it reads the new one


@dataclass
class IndexStore:
    """The local folder store (rag/store/base.py `Store`): everything in memory, searched in process."""

    manifest: Manifest
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: DenseIndex
    lexical: LexicalIndex
    documents: dict[str, str]
    folder: Path

    def instruction_spans(self, source: str) -> list[tuple[int, int]]:
        """Character spans of `source`'s text that address an AI (rag/injection.py): never evidence."""
        return self.manifest.instruction_spans(source)

    def search(self, query_vector: np.ndarray, query: str, candidates: int) -> list[Passage]:
        """FAISS and BM25 candidates fused by RRF, each passage with its rank in both lists."""
        dense = [row for row, _ in self.dense.search(query_vector, candidates)]
        lexical = [row for row, _ in self.lexical.search(query, candidates, len(self.chunks))]
        dense_rank = {row: rank for rank, row in enumerate(dense, start=1)}
        lexical_rank = {row: rank for rank, row in enumerate(lexical, start=1)}
        return [
            Passage(self.chunks[row], score, dense_rank=dense_rank.get(row), lexical_rank=lexical_rank.get(row))
            for row, score in reciprocal_rank_fusion([dense, lexical])
        ]

    def write(self, folder: Path) -> None:
        """Write every file into `folder` (a build folder, published later by layout.commit), then the
        manifest with each file's sha256, so later damage to any of them is detected."""
        with open(folder / CHUNKS, "w", encoding="utf-8") as f:
            for chunk in self.chunks:
                f.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        with open(folder / DOCUMENTS, "w", encoding="utf-8") as f:
            for source, text in self.documents.items():
                f.write(json.dumps({"source": source, "text": text}, ensure_ascii=False) + "\n")
        np.save(folder / VECTORS, self.vectors)
        self.dense.save(folder / DENSE)
        self.lexical.save(folder / LEXICAL)
        self.manifest = replace(self.manifest, checksums=checksums(folder))
        self.manifest.write(folder / MANIFEST)  # last: a folder with a manifest is complete


def checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file of a generation but the manifest, keyed by its path inside the folder."""
    return {
        path.relative_to(folder).as_posix(): _sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def damaged_files(folder: Path, manifest: Manifest) -> list[str]:
    """The generation's files that are missing or differ from the checksums its manifest recorded."""
    damaged = []
    for name, expected in manifest.checksums.items():
        try:
            if _sha256(folder / name) != expected:
                damaged.append(name)
        except OSError:
            damaged.append(name)
    return damaged


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def open_store(index_dir: Path) -> IndexStore:
    """Load the current generation; missing or damaged files raise errors that say what to do.

    Every file is checked against the sha256 its manifest recorded before it is used
    (bench/integrity_bench.py measures what that costs). An index from before checksums (format 1)
    loads unchecked; `rag index` rebuilds it.
    """
    folder = _current(index_dir)
    for _ in range(_LOAD_ATTEMPTS - 1):
        try:
            return _load(folder)
        except IndexCorruptError:
            # Builds that finished while we read may have removed this generation: read the new one.
            newer = _current(index_dir)
            if newer == folder:
                raise
            folder = newer
    return _load(folder)


def _current(index_dir: Path) -> Path:
    folder = current_generation(index_dir)
    if folder is None:
        raise IndexMissingError(f"no index at {index_dir}; build one with `rag index [FOLDER]`")
    return folder


def _load(folder: Path) -> IndexStore:
    if not folder.is_dir():
        raise IndexCorruptError(f"index at {folder.parent} points to missing {folder.name}; rebuild with `rag index`")
    manifest = Manifest.read(folder / MANIFEST)
    damaged = damaged_files(folder, manifest)
    if damaged:
        raise IndexCorruptError(
            f"index at {folder} is damaged ({', '.join(damaged)} changed since it was built); "
            "run `rag index` to repair it"
        )
    try:
        with open(folder / CHUNKS, encoding="utf-8") as f:
            chunks = [Chunk(**json.loads(line)) for line in f]
        with open(folder / DOCUMENTS, encoding="utf-8") as f:
            documents = {row["source"]: row["text"] for row in map(json.loads, f)}
        vectors = np.load(folder / VECTORS)
        dense = DenseIndex.load(folder / DENSE, manifest.dense_kind)
        lexical = LexicalIndex.load(folder / LEXICAL)
    except Exception as exc:  # any unreadable part means the same thing to the user
        raise IndexCorruptError(f"index at {folder} is damaged ({type(exc).__name__}: {exc}); rebuild with `rag index`") from None
    if not (len(chunks) == len(vectors) == dense.size == manifest.chunk_count):
        raise IndexCorruptError(
            f"index at {folder} is inconsistent ({len(chunks)} chunks, {len(vectors)} vectors, "
            f"{dense.size} in FAISS); rebuild with `rag index`"
        )
    return IndexStore(manifest, chunks, vectors, dense, lexical, documents, folder)
