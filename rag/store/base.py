"""The two seams every index engine fills: `Store` to search an index, `StoreWriter` to update one.

Retrieval, answering and the UI see only `Store`; `rag/indexing.py` sees only
`StoreWriter`. The local folder (FAISS + BM25, rag/store/store.py) and Milvus
(rag/store/milvus.py) implement both; rag/store/factory.py picks one from `Settings.store`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import numpy as np

from rag.store.manifest import FileEntry, Manifest
from rag.types import Chunk, Passage


class Store(Protocol):
    """A searchable index: its manifest, its documents' texts, and hybrid search."""

    manifest: Manifest

    @property
    def documents(self) -> Mapping[str, str]:
        """Each indexed file's full text by source, so a citation is shown in context."""
        ...

    @property
    def vectors(self) -> np.ndarray:
        """Chunk vectors the relevance scale samples: all of them locally, a bounded sample from a server."""
        ...

    def search(self, query_vector: np.ndarray, query: str, candidates: int) -> list[Passage]:
        """Dense and lexical candidates (`candidates` from each) fused by reciprocal rank fusion, best first."""
        ...

    def instruction_spans(self, source: str) -> list[tuple[int, int]]:
        """Spans of `source`'s text that address an AI (rag/injection.py): never evidence."""
        ...


class StoreWriter(Protocol):
    """One update of an index. Nothing is visible as done until `commit` writes the manifest.

    `previous` is the manifest the update starts from (None: build from nothing). A file is
    either kept as it was, added (new or changed: its new chunks replace its old ones) or deleted.
    """

    previous: Manifest | None
    unreadable: str | None  # why the previous index could not be read (it is then rebuilt), or None

    def start_over(self) -> None:
        """Build from nothing: the previous index cannot be updated in place (another embedder, chunking)."""
        ...

    def keep(self, source: str) -> None: ...

    def add(self, source: str, entry: FileEntry, text: str, chunks: list[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, source: str) -> None: ...

    def dense_kind(self, count: int) -> str:
        """The dense index kind this store uses for `count` chunks (reported by `rag index`)."""
        ...

    def commit(self, manifest: Manifest) -> None: ...
