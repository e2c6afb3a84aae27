"""`build_index()`: turn a corpus into an index generation, re-embedding only what changed."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from rag.chunking import chunk_document
from rag.config import Settings
from rag.embedding import Embedder, embedder_name, make_embedder
from rag.injection import instruction_spans
from rag.errors import CorpusError, IndexCorruptError, IndexMissingError, IndexWriteError
from rag.loading import Skipped, file_sha256, load_document, scan_corpus
from rag.metadata import DocumentProfile, profile_document
from rag.progress import progress_bar
from rag.store.dense import DenseIndex, kind_for
from rag.store.layout import commit, new_build_folder, writer_lock
from rag.store.lexical import LexicalIndex
from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest
from rag.store.store import IndexStore, open_store
from rag.types import Chunk

# Texts per embed() call: large enough to amortise, small enough for a smooth progress bar and bounded
# memory (256 long table chunks of 256 tokens peaked at 1.6 GB; 64 stay near 0.4 GB).
_EMBED_BATCH = 64
_ESTIMATE_AFTER_BATCHES = 2  # the first batch pays for warm-up; two give a fair rate
_ESTIMATE_FROM_SECONDS = 30  # a shorter build needs no estimate
LARGE_FILE_BYTES = 10_000_000  # a text file this big takes minutes to embed on two cores: warn, never refuse


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
    instructions: dict[str, int] = field(default_factory=dict)  # source -> number of passages addressed to an AI
    up_to_date: bool = False  # nothing changed, nothing written
    seconds: float = 0.0
    profiles: dict[str, DocumentProfile | None] = field(default_factory=dict)  # every indexed file's subject and period


def build_index(
    paths: list[Path],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    show_progress: bool = True,
    wait: bool = True,
    notify: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index the files under `paths` into `settings.index_dir`, reusing unchanged files' vectors.

    The new index is published atomically; on any failure or interruption the previous one stays.
    One build at a time per index: another build waits for the writer lock (saying so through
    `notify`), or with wait=False fails at once. `notify` also gets warnings and the time estimate.
    """
    say = notify or (lambda message: None)
    with writer_lock(settings.index_dir, wait=wait, on_wait=say):
        return _build(paths, settings, embedder, show_progress, say)


def _build(
    paths: list[Path], settings: Settings, embedder: Embedder | None, show_progress: bool, say: Callable[[str], None]
) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    files, report.skipped = scan_corpus(paths)
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
        try:
            sha = file_sha256(file.path)
            size = file.path.stat().st_size
        except OSError as exc:
            report.skipped.append(Skipped(file.source, f"unreadable ({exc.strerror or exc})"))
            continue
        old = old_files.get(file.source)
        if previous and old and old.sha256 == sha:
            kept_chunks[file.source] = _rows_of(previous, file.source)
            documents[file.source] = previous.documents[file.source]
            entries[file.source] = old
            report.unchanged.append(file.source)
            continue
        if size > LARGE_FILE_BYTES:
            say(f"warning: {file.source} is {size / 1e6:.0f} MB; indexing it may take many minutes")
        loaded = load_document(file)
        if isinstance(loaded, Skipped):
            report.skipped.append(loaded)
            continue
        instructions = instruction_spans(loaded.text)
        profile = profile_document(loaded)
        chunks = [replace(c, about=profile.label) for c in chunk_document(loaded, settings.chunk_chars, settings.chunk_overlap_chars)]
        new_chunks[file.source] = chunks
        documents[file.source] = loaded.text
        entries[file.source] = FileEntry(
            sha256=sha, size=size, chunks=len(chunks), profile=profile, instructions=[list(span) for span in instructions]
        )
        (report.changed if old else report.added).append(file.source)
    report.removed = sorted(set(old_files) - set(entries))
    report.instructions = {source: len(entry.instructions) for source, entry in sorted(entries.items()) if entry.instructions}
    report.profiles = {source: entries[source].profile for source in sorted(entries)}

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
        say,
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
        lexical=LexicalIndex.build([f"{c.context}\n{c.text}" if c.context else c.text for c in chunks]),
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
        report.rebuild_reason = f"previous index unreadable ({str(exc).split('; ')[0]})"
        return None
    reason = previous.manifest.rebuild_reason(model_name, settings.chunk_chars, settings.chunk_overlap_chars)
    if reason:
        report.rebuild_reason = reason
        return None
    return previous


def _rows_of(store: IndexStore, source: str) -> list[tuple[Chunk, np.ndarray]]:
    return [(chunk, store.vectors[row]) for row, chunk in enumerate(store.chunks) if chunk.source == source]


def _embed_all(
    chunks: list[Chunk], embedder: Embedder | Callable[[], Embedder], show_progress: bool, say: Callable[[str], None]
) -> np.ndarray:
    """Embed in batches with a progress bar; the embedder is only loaded if there is work.

    After the first batches a long build says how long the rest will take.
    """
    if not chunks:
        return np.zeros((0, 0), dtype=np.float32)
    model = embedder() if callable(embedder) and not isinstance(embedder, Embedder) else embedder
    parts = []
    embedding_started = time.perf_counter()
    with progress_bar(total=len(chunks), desc="embedding chunks", unit="chunk", enabled=show_progress) as bar:
        for begin in range(0, len(chunks), _EMBED_BATCH):
            batch = chunks[begin : begin + _EMBED_BATCH]
            parts.append(model.embed([c.embedding_text() for c in batch]))
            bar.update(len(batch))
            if begin + len(batch) == _ESTIMATE_AFTER_BATCHES * _EMBED_BATCH:
                elapsed = time.perf_counter() - embedding_started
                left = elapsed / (begin + len(batch)) * (len(chunks) - begin - len(batch))
                if left > _ESTIMATE_FROM_SECONDS:
                    say(f"embedding {len(chunks)} chunks: about {_duration(left)} left")
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


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
