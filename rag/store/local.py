"""The local folder as a `StoreWriter`: a new generation assembled from the previous one and the changes.

Unchanged files keep their chunks and vectors from the previous generation; the FAISS and
BM25 indexes are rebuilt over all chunks at `commit`, which publishes atomically
(rag/store/layout.py). One writer at a time: `local_writer` holds the folder's lock.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np

from rag.errors import IndexCorruptError, IndexMissingError, IndexWriteError
from rag.store.dense import DenseIndex, kind_for
from rag.store.layout import commit, new_build_folder, writer_lock
from rag.store.lexical import LexicalIndex
from rag.store.manifest import FileEntry, Manifest
from rag.store.store import IndexStore, open_store
from rag.types import Chunk


@contextlib.contextmanager
def local_writer(
    index_dir: Path, approximate_from: int, *, wait: bool, on_wait: Callable[[str], None] | None
) -> Iterator[LocalWriter]:
    with writer_lock(index_dir, wait=wait, on_wait=on_wait):
        yield LocalWriter(index_dir, approximate_from)


class LocalWriter:
    """Collects kept and new files' rows; `commit` writes and publishes the generation."""

    def __init__(self, index_dir: Path, approximate_from: int) -> None:
        self.index_dir = index_dir
        self._approximate_from = approximate_from
        self._previous_store: IndexStore | None = None
        self.unreadable: str | None = None  # why the previous index could not be read, if it could not
        try:
            self._previous_store = open_store(index_dir)
        except IndexMissingError:
            pass
        except IndexCorruptError as exc:
            self.unreadable = f"previous index unreadable ({str(exc).split('; ')[0]})"
        self.previous: Manifest | None = self._previous_store.manifest if self._previous_store else None
        self._rows: dict[str, list[tuple[Chunk, np.ndarray]]] = {}
        self._documents: dict[str, str] = {}
        self._dim = self._previous_store.vectors.shape[1] if self._previous_store else 0

    def start_over(self) -> None:
        """Build from nothing: the previous index cannot be updated in place."""
        self._previous_store, self.previous = None, None

    def keep(self, source: str) -> None:
        store = self._previous_store
        assert store is not None, "keep() needs a previous index"
        self._rows[source] = [(chunk, store.vectors[row]) for row, chunk in enumerate(store.chunks) if chunk.source == source]
        self._documents[source] = store.documents[source]

    def add(self, source: str, entry: FileEntry, text: str, chunks: list[Chunk], vectors: np.ndarray) -> None:
        self._rows[source] = list(zip(chunks, vectors))
        self._documents[source] = text
        if len(vectors):
            self._dim = vectors.shape[1]

    def delete(self, source: str) -> None:
        self._rows.pop(source, None)  # a new generation holds only what was kept or added
        self._documents.pop(source, None)

    def dense_kind(self, count: int) -> str:
        return kind_for(count, self._approximate_from)

    def commit(self, manifest: Manifest) -> None:
        """All chunks ordered by source, with their vectors in the same row order, published atomically."""
        ordered = [pair for source in sorted(self._rows) for pair in self._rows[source]]
        chunks = [c for c, _ in ordered]
        vectors = np.stack([v for _, v in ordered]).astype(np.float32) if ordered else np.zeros((0, self._dim), np.float32)
        store = IndexStore(
            manifest=replace(manifest, dim=vectors.shape[1]),
            chunks=chunks,
            vectors=vectors,
            dense=DenseIndex.build(vectors, manifest.dense_kind),
            lexical=LexicalIndex.build([f"{c.context}\n{c.text}" if c.context else c.text for c in chunks]),
            documents=dict(sorted(self._documents.items())),
            folder=self.index_dir,
        )
        _publish(store, self.index_dir)


def _publish(store: IndexStore, index_dir: Path) -> None:
    """Write into a fresh build folder and swap it in; remove the folder if anything goes wrong."""
    folder = new_build_folder(index_dir)
    try:
        store.write(folder)
        commit(index_dir, folder)
    except BaseException as exc:
        shutil.rmtree(folder, ignore_errors=True)
        if isinstance(exc, (OSError, RuntimeError)):  # FAISS reports a short write as RuntimeError
            free = shutil.disk_usage(index_dir).free
            raise IndexWriteError(
                f"could not write the index in {index_dir} ({str(exc).strip().splitlines()[-1]}); "
                f"{free / 1e6:.0f} MB free on its disk: free some space and run `rag index` again "
                "(the previous index is unchanged)"
            ) from None
        raise
