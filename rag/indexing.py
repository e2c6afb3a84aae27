"""`build_index()`: turn a corpus into an index, re-embedding only what changed.

The steps are the same whichever engine runs them: list the files and hash them, compare
with the store's manifest, load and chunk the new or changed files, embed their chunks,
write them to the store (rag/store/base.py `StoreWriter`), delete removed files, and
write the manifest last. The in-process engine here runs them in this process; the Ray
engine (rag/ray_indexing.py) runs hashing, chunking and embedding on a Ray cluster.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.chunking import chunk_document
from rag.config import Settings
from rag.embedding import Embedder, embedder_name, make_embedder
from rag.errors import ConfigError, CorpusError
from rag.injection import instruction_spans
from rag.loading import CorpusFile, Skipped, file_sha256, load_document, scan_corpus
from rag.metadata import DocumentProfile, profile_document
from rag.progress import progress_bar
from rag.store.base import StoreWriter
from rag.store.factory import open_writer
from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest
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


ENGINES = ("in-process", "ray")


@dataclass(frozen=True)
class HashedFile:
    """A corpus file with the sha256 and size that decide whether it must be indexed again."""

    file: CorpusFile
    sha256: str
    size: int


@dataclass(frozen=True)
class PreparedFile:
    """A loaded, profiled and chunked file, ready to embed."""

    source: str
    entry: FileEntry
    text: str
    chunks: list[Chunk]


def hash_file(file: CorpusFile) -> HashedFile | Skipped:
    try:
        return HashedFile(file, file_sha256(file.path), file.path.stat().st_size)
    except OSError as exc:
        return Skipped(file.source, f"unreadable ({exc.strerror or exc})")


def prepare_file(hashed: HashedFile, chunk_chars: int, chunk_overlap_chars: int) -> PreparedFile | Skipped:
    """Load, find AI-addressed passages, profile and chunk one file: everything before embedding."""
    loaded = load_document(hashed.file)
    if isinstance(loaded, Skipped):
        return loaded
    instructions = instruction_spans(loaded.text)
    profile = profile_document(loaded)
    chunks = [replace(c, about=profile.label) for c in chunk_document(loaded, chunk_chars, chunk_overlap_chars)]
    entry = FileEntry(
        sha256=hashed.sha256, size=hashed.size, chunks=len(chunks), profile=profile,
        instructions=[list(span) for span in instructions],
    )
    return PreparedFile(hashed.file.source, entry, loaded.text, chunks)


def build_index(
    paths: list[Path],
    settings: Settings,
    *,
    embedder: Embedder | None = None,
    show_progress: bool = True,
    wait: bool = True,
    notify: Callable[[str], None] | None = None,
) -> IndexReport:
    """Index the files under `paths` into the store `settings.store` names, reusing unchanged files' vectors.

    The local store publishes atomically: on any failure or interruption the previous index stays.
    A server store (Milvus) is updated file by file, each file's new chunks written before its old
    ones are deleted, and the manifest last; an interrupted build is finished by running it again.
    One build at a time per store: another build waits for the writer lock (saying so through
    `notify`), or with wait=False fails at once. `notify` also gets warnings and the time estimate.
    `settings.engine` "ray" runs hashing, chunking and embedding on Ray (rag/ray_indexing.py).
    """
    say = notify or (lambda message: None)
    if settings.engine not in ENGINES:
        raise ConfigError(f"unknown engine '{settings.engine}': choose one of {', '.join(ENGINES)}")
    with open_writer(settings, wait=wait, on_wait=say) as writer:
        if settings.engine == "ray":
            from rag.ray_indexing import RayEngine

            with RayEngine(settings, show_progress) as engine:
                return _build(paths, settings, writer, engine, embedder, say)
        return _build(paths, settings, writer, InProcessEngine(settings, embedder, show_progress, say), embedder, say)


class Engine(Protocol):
    """Runs the per-file steps of a build: hashing, then loading, chunking and embedding what changed."""

    def hash(self, files: list[CorpusFile]) -> list[HashedFile | Skipped]: ...

    def prepare_and_embed(self, todo: list[HashedFile]) -> Iterator[tuple[PreparedFile, np.ndarray] | Skipped]: ...


class InProcessEngine:
    """Hashing, chunking and embedding in this process; embedding in batches with a progress bar."""

    def __init__(self, settings: Settings, embedder: Embedder | None, show_progress: bool, say: Callable[[str], None]) -> None:
        self._settings = settings
        self._embedder = embedder
        self._show_progress = show_progress
        self._say = say

    def hash(self, files: list[CorpusFile]) -> list[HashedFile | Skipped]:
        return [hash_file(file) for file in files]

    def prepare_and_embed(self, todo: list[HashedFile]) -> Iterator[tuple[PreparedFile, np.ndarray] | Skipped]:
        prepared: list[PreparedFile] = []
        for hashed in todo:
            if hashed.size > LARGE_FILE_BYTES:
                self._say(f"warning: {hashed.file.source} is {hashed.size / 1e6:.0f} MB; indexing it may take many minutes")
            result = prepare_file(hashed, self._settings.chunk_chars, self._settings.chunk_overlap_chars)
            if isinstance(result, Skipped):
                yield result
            else:
                prepared.append(result)
        vectors = _embed_all(
            [c for file in prepared for c in file.chunks],
            self._embedder or (lambda: make_embedder(self._settings.embedder, self._settings.threads)),
            self._show_progress,
            self._say,
        )
        cursor = 0
        for file in prepared:
            yield file, vectors[cursor : cursor + len(file.chunks)]
            cursor += len(file.chunks)


def _build(
    paths: list[Path],
    settings: Settings,
    writer: StoreWriter,
    engine: Engine,
    embedder: Embedder | None,
    say: Callable[[str], None],
) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    files, report.skipped = scan_corpus(paths)
    if not files:
        shown = ", ".join(str(p) for p in paths)
        raise CorpusError(f"no .txt, .md, .html or .pdf files found in {shown}")
    model_name = embedder.name if embedder else embedder_name(settings.embedder)
    report.rebuild_reason = writer.unreadable
    previous = writer.previous
    if previous:
        report.rebuild_reason = previous.rebuild_reason(model_name, settings.chunk_chars, settings.chunk_overlap_chars)
        if report.rebuild_reason:
            writer.start_over()
            previous = None
    old_files = previous.files if previous else {}

    entries: dict[str, FileEntry] = {}
    todo: list[HashedFile] = []
    for hashed in engine.hash(files):
        if isinstance(hashed, Skipped):
            report.skipped.append(hashed)
            continue
        old = old_files.get(hashed.file.source)
        if old and old.sha256 == hashed.sha256:
            writer.keep(hashed.file.source)
            entries[hashed.file.source] = old
            report.unchanged.append(hashed.file.source)
        else:
            todo.append(hashed)
    dim = previous.dim if previous else 0
    for result in engine.prepare_and_embed(todo):
        if isinstance(result, Skipped):
            report.skipped.append(result)
            continue
        prepared, vectors = result
        writer.add(prepared.source, prepared.entry, prepared.text, prepared.chunks, vectors)
        entries[prepared.source] = prepared.entry
        report.chunks_embedded += len(prepared.chunks)
        dim = vectors.shape[1] if len(vectors) else dim
        (report.changed if prepared.source in old_files else report.added).append(prepared.source)
    report.added.sort()
    report.changed.sort()
    report.removed = sorted(set(old_files) - set(entries))
    report.instructions = {source: len(entry.instructions) for source, entry in sorted(entries.items()) if entry.instructions}
    report.profiles = {source: entries[source].profile for source in sorted(entries)}

    if not entries:
        raise CorpusError("no readable files in the corpus: " + "; ".join(f"{s.source}: {s.reason}" for s in report.skipped))
    if previous and not (report.added or report.changed or report.removed):
        report.up_to_date = True
        report.chunk_count = previous.chunk_count
        report.dense_kind = previous.dense_kind
        report.seconds = time.perf_counter() - started
        return report

    for source in report.removed:
        writer.delete(source)
    report.chunk_count = sum(entry.chunks for entry in entries.values())
    report.dense_kind = writer.dense_kind(report.chunk_count)
    manifest = Manifest(
        format_version=FORMAT_VERSION,
        embedder=model_name,
        dim=dim,
        chunk_chars=settings.chunk_chars,
        chunk_overlap_chars=settings.chunk_overlap_chars,
        dense_kind=report.dense_kind,
        corpus=[str(p) for p in paths],
        built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        files=dict(sorted(entries.items())),
    )
    writer.commit(manifest)
    report.seconds = time.perf_counter() - started
    return report


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


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"
