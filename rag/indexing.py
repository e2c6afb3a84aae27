"""`build_index()`: turn a corpus into an index generation, re-embedding only what changed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from rag.chunking import chunk_document
from rag.config import Settings
from rag.embedding import Embedder, embedder_name, make_embedder
from rag.errors import CorpusError, IndexCorruptError, IndexMissingError
from rag.loading import Skipped, file_sha256, find_files, load_document
from rag.progress import progress_bar
from rag.store.dense import DenseIndex, kind_for
from rag.store.layout import commit, new_build_folder
from rag.store.lexical import LexicalIndex
from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest
from rag.store.store import IndexStore, open_store
from rag.types import Chunk

_EMBED_BATCH = 256  # texts per embed() call: large enough to amortise, small enough for a smooth progress bar


@dataclass
class IndexReport:
    """What a build did, for the CLI to print and tests to check."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    chunks_embedded: int = 0
    chunk_count: int = 0
    dense_kind: str = "flat"
    rebuild_reason: str | None = None  # why the previous index was not reused
    up_to_date: bool = False  # nothing changed, nothing written
    seconds: float = 0.0


def build_index(
    paths: list[Path],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    show_progress: bool = True,
) -> IndexReport:
    """Index the files under `paths` into `settings.index_dir`, reusing unchanged files' vectors.

    The new index is published atomically; on any failure or interruption the previous one stays.
    """
    started = time.perf_counter()
    report = IndexReport()
    files = find_files(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise CorpusError(f"no .txt, .md, .html or .pdf files found in {shown}")
    model_name = embedder.name if embedder else embedder_name(settings.embedder)
    previous = _reusable_previous(settings, model_name, report)
    old_files = previous.manifest.files if previous else {}

    kept_chunks: dict[str, list[tuple[Chunk, np.ndarray]]] = {}
    new_chunks: dict[str, list[Chunk]] = {}
    documents: dict[str, str] = {}
    entries: dict[str, FileEntry] = {}
    for file in files:
        sha = file_sha256(file.path)
        old = old_files.get(file.source)
        if previous and old and old.sha256 == sha:
            kept_chunks[file.source] = _rows_of(previous, file.source)
            documents[file.source] = previous.documents[file.source]
            entries[file.source] = old
            report.unchanged.append(file.source)
            continue
        loaded = load_document(file)
        if isinstance(loaded, Skipped):
            report.skipped.append(loaded)
            continue
        chunks = chunk_document(loaded, settings.chunk_chars, settings.chunk_overlap_chars)
        new_chunks[file.source] = chunks
        documents[file.source] = loaded.text
        entries[file.source] = FileEntry(sha256=sha, size=file.path.stat().st_size, chunks=len(chunks))
        (report.changed if old else report.added).append(file.source)
    report.removed = sorted(set(old_files) - set(entries))

    if not entries:
        raise CorpusError("no readable files in the corpus: " + "; ".join(f"{s.source}: {s.reason}" for s in report.skipped))
    if previous and not (report.added or report.changed or report.removed):
        report.up_to_date = True
        report.chunk_count = previous.manifest.chunk_count
        report.dense_kind = previous.manifest.dense_kind
        report.seconds = time.perf_counter() - started
        return report

    fresh_vectors = _embed_all(
        [c for chunks in new_chunks.values() for c in chunks],
        embedder or (lambda: make_embedder(settings.embedder, settings.threads)),
        show_progress,
    )
    chunks, vectors = _assemble(kept_chunks, new_chunks, fresh_vectors, dim=_dim(previous, fresh_vectors))
    report.chunks_embedded = len(fresh_vectors)
    report.chunk_count = len(chunks)
    report.dense_kind = kind_for(len(chunks), settings.approximate_from)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        embedder=model_name,
        dim=vectors.shape[1],
        chunk_chars=settings.chunk_chars,
        chunk_overlap_chars=settings.chunk_overlap_chars,
        dense_kind=report.dense_kind,
        corpus=[str(p) for p in paths],
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        files=dict(sorted(entries.items())),
    )
    store = IndexStore(
        manifest=manifest,
        chunks=chunks,
        vectors=vectors,
        dense=DenseIndex.build(vectors, report.dense_kind),
        lexical=LexicalIndex.build([c.text for c in chunks]),
        documents=dict(sorted(documents.items())),
        folder=settings.index_dir,
    )
    _publish(store, settings.index_dir)
    report.seconds = time.perf_counter() - started
    return report


def _reusable_previous(settings: Settings, model_name: str, report: IndexReport) -> IndexStore | None:
    """The current index if it can be updated in place; otherwise None, with the reason in `report`."""
    try:
        previous = open_store(settings.index_dir)
    except IndexMissingError:
        return None
    except IndexCorruptError as exc:
        report.rebuild_reason = f"previous index unreadable ({exc})"
        return None
    reason = previous.manifest.rebuild_reason(model_name, settings.chunk_chars, settings.chunk_overlap_chars)
    if reason:
        report.rebuild_reason = reason
        return None
    return previous


def _rows_of(store: IndexStore, source: str) -> list[tuple[Chunk, np.ndarray]]:
    return [(chunk, store.vectors[row]) for row, chunk in enumerate(store.chunks) if chunk.source == source]


def _embed_all(
    chunks: list[Chunk], embedder: Embedder | Callable[[], Embedder], show_progress: bool
) -> np.ndarray:
    """Embed in batches with a progress bar; the embedder is only loaded if there is work."""
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    model = embedder() if callable(embedder) and not isinstance(embedder, Embedder) else embedder
    parts = []
    with progress_bar(total=len(chunks), desc="embedding chunks", unit="chunk", enabled=show_progress) as bar:
        for begin in range(0, len(chunks), _EMBED_BATCH):
            batch = chunks[begin : begin + _EMBED_BATCH]
            parts.append(model.embed([c.embedding_text() for c in batch]))
            bar.update(len(batch))
    return np.concatenate(parts)


def _dim(previous: IndexStore | None, fresh: np.ndarray) -> int:
    return fresh.shape[1] if fresh.size else previous.vectors.shape[1]  # type: ignore[union-attr]


def _assemble(
    kept: dict[str, list[tuple[Chunk, np.ndarray]]],
    fresh: dict[str, list[Chunk]],
    fresh_vectors: np.ndarray,
    dim: int,
) -> tuple[list[Chunk], np.ndarray]:
    """All chunks ordered by source, with their vectors in the same row order."""
    rows: dict[str, list[tuple[Chunk, np.ndarray]]] = dict(kept)
    cursor = 0
    for source, chunks in fresh.items():
        rows[source] = [(chunk, fresh_vectors[cursor + i]) for i, chunk in enumerate(chunks)]
        cursor += len(chunks)
    ordered = [pair for source in sorted(rows) for pair in rows[source]]
    vectors = np.stack([v for _, v in ordered]).astype(np.float32) if ordered else np.zeros((0, dim), np.float32)
    return [c for c, _ in ordered], vectors


def _publish(store: IndexStore, index_dir: Path) -> None:
    """Write into a fresh build folder and swap it in; remove the folder if anything goes wrong."""
    folder = new_build_folder(index_dir)
    try:
        store.write(folder)
        commit(index_dir, folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
