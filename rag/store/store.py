"""One index generation: manifest, chunk table, vectors, FAISS and BM25 files, document texts."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from rag.errors import IndexCorruptError, IndexMissingError
from rag.store.dense import DenseIndex
from rag.store.layout import current_generation
from rag.store.lexical import LexicalIndex
from rag.store.manifest import Manifest
from rag.types import Chunk

MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.npy"  # kept so an update re-embeds only changed files, and for exact checks
DENSE = "dense.faiss"
LEXICAL = "lexical"
DOCUMENTS = "documents.jsonl"  # full texts, so a citation can be shown in context after the file changed


@dataclass
class IndexStore:
    manifest: Manifest
    chunks: list[Chunk]
    vectors: np.ndarray
    dense: DenseIndex
    lexical: LexicalIndex
    documents: dict[str, str]
    folder: Path

    def write(self, folder: Path) -> None:
        """Write every file into `folder` (a build folder, published later by layout.commit)."""
        with open(folder / CHUNKS, "w", encoding="utf-8") as f:
            for chunk in self.chunks:
                f.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        with open(folder / DOCUMENTS, "w", encoding="utf-8") as f:
            for source, text in self.documents.items():
                f.write(json.dumps({"source": source, "text": text}, ensure_ascii=False) + "\n")
        np.save(folder / VECTORS, self.vectors)
        self.dense.save(folder / DENSE)
        self.lexical.save(folder / LEXICAL)
        self.manifest.write(folder / MANIFEST)  # last: a folder with a manifest is complete


def open_store(index_dir: Path) -> IndexStore:
    """Load the current generation; missing or damaged files raise errors that say what to do."""
    folder = current_generation(index_dir)
    if folder is None:
        raise IndexMissingError(f"no index at {index_dir}; build one with `rag index [FOLDER]`")
    if not folder.is_dir():
        raise IndexCorruptError(f"index at {index_dir} points to missing {folder.name}; rebuild with `rag index`")
    manifest = Manifest.read(folder / MANIFEST)
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
