"""`rag index --engine ray`: hashing, chunking and embedding as a Ray Data pipeline.

The files are hashed in Ray tasks; the driver compares the hashes with the store's
manifest (rag/indexing.py), so only new and changed files go on. Those are loaded,
profiled and chunked, then embedded by a pool of actors, each loading the embedder once
(`map_batches` with `ActorPoolStrategy`); Ray Data fuses the chunking step into the
actors' operator, which saves moving each file's text between processes. The driver
receives file after file as they finish and writes each to the store, so with Milvus
the store's writes, not the driver's memory, bound a build.

Without an address, a local Ray starts on this machine: the same code path a cluster
runs. On a cluster every node needs `rag` installed (the embedder is loaded there) and
the corpus at the same path. Limits: the driver lists the corpus and writes the store
itself; with a local folder store it also holds all chunks until the new generation is
published.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np

from rag.config import Settings
from rag.errors import ConfigError, RagError
from rag.indexing import HashedFile, PreparedFile, hash_file, prepare_file
from rag.loading import CorpusFile, Skipped
from rag.progress import progress_bar

_FILES_PER_TASK = 8  # files per Ray task: fewer tasks to schedule, still several per worker on a small corpus
# Blocks per CPU of the cluster: a few balance files of uneven size; each more costs scheduling time (2,000
# two-sentence files, Ray given 3 CPUs on a loaded 2-core box: 12 blocks indexed in 39-46 s, a block a file in 66-71 s).
_BLOCKS_PER_CPU = 4
_LOCAL_STARTS = 2  # tries to start a local Ray (see `start_local_ray`)
_INSTALL = "Ray is not installed: run `pip install -e '.[scale]'` (or `bash setup.sh --extra scale`)"


def start_local_ray(num_cpus: int) -> None:
    """Start a local Ray of `num_cpus` CPUs.

    Ray gives its raylet a fixed 30 s to register and raises a bare Exception when it does not,
    which a loaded two-core machine can miss once: the half-started node is shut down and started
    once more.
    """
    import ray

    for attempt in range(_LOCAL_STARTS):
        try:
            ray.init(num_cpus=num_cpus, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
            return
        except Exception:
            ray.shutdown()
            if attempt == _LOCAL_STARTS - 1:
                raise


class RayEngine:
    """rag/indexing.py's `Engine` on Ray; a context manager that starts (and stops) a local Ray if needed."""

    def __init__(self, settings: Settings, show_progress: bool) -> None:
        self._settings = settings
        self._show_progress = show_progress
        self._started_ray = False

    def __enter__(self) -> RayEngine:
        os.environ.setdefault("RAY_DATA_LOG_LEVEL", "ERROR")  # else Ray Data logs every finished dataset
        try:
            import ray
        except ImportError:
            raise ConfigError(_INSTALL) from None
        address = self._settings.ray_address or os.environ.get("RAY_ADDRESS", "")
        if not ray.is_initialized():
            try:
                if address:
                    ray.init(address=address, logging_level=logging.WARNING, log_to_driver=False)
                else:
                    start_local_ray(self._settings.embed_actors + 1)  # an actor per CPU, one for chunking
            except Exception as exc:  # Ray raises a bare Exception when its node fails to start, among others
                raise ConfigError(f"cannot start or reach Ray{f' at {address}' if address else ''} ({exc})") from None
            self._started_ray = True
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = False  # ours counts files as the store receives them
        context.print_on_execution_start = False
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._started_ray:
            import ray

            ray.shutdown()

    def hash(self, files: list[CorpusFile]) -> list[HashedFile | Skipped]:
        if not files:
            return []
        dataset = _items([pickle.dumps(file) for file in files])
        rows = _run(lambda: dataset.map_batches(_hash_batch, batch_size=_FILES_PER_TASK, batch_format="numpy").take_all())
        results = [pickle.loads(row["payload"]) for row in rows]
        return sorted(results, key=lambda r: r.file.source if isinstance(r, HashedFile) else r.source)

    def prepare_and_embed(self, todo: list[HashedFile]) -> Iterator[tuple[PreparedFile, np.ndarray] | Skipped]:
        from ray.data import ActorPoolStrategy

        if not todo:
            return
        settings = self._settings
        actors = settings.embed_actors
        dataset = (
            _items([pickle.dumps(hashed) for hashed in todo])
            .map_batches(
                _prepare_batch,
                batch_size=1,  # one file per call, so a call holds one file: files differ in size by orders of magnitude
                batch_format="numpy",
                fn_kwargs={"chunk_chars": settings.chunk_chars, "overlap_chars": settings.chunk_overlap_chars},
            )
            .map_batches(
                _EmbedFiles,
                batch_size=_FILES_PER_TASK,
                batch_format="numpy",
                compute=ActorPoolStrategy(size=actors),
                num_cpus=1,
                fn_constructor_kwargs={
                    "embedder": settings.embedder,
                    "threads": max(1, settings.threads // actors),
                    "batch": settings.embed_batch,
                },
            )
        )
        with progress_bar(total=len(todo), desc="indexing files (ray)", unit="file", enabled=self._show_progress) as bar:
            rows = iter(_run(lambda: dataset.iter_rows()))
            while True:
                row = _run(lambda: next(rows, None))
                if row is None:
                    break
                bar.update(1)
                yield pickle.loads(row["payload"])


def _items(payloads: list[bytes]):
    """A dataset of pickled records in a few blocks per CPU, so that every worker gets some."""
    import ray

    blocks = max(1, min(len(payloads), _BLOCKS_PER_CPU * int(ray.cluster_resources().get("CPU", 1))))
    return ray.data.from_items([{"payload": payload} for payload in payloads], override_num_blocks=blocks)


def _run(action):
    """Run a Ray call; a RagError raised in a task reaches the user as itself, not as a Ray traceback."""
    from ray.exceptions import RayTaskError

    try:
        return action()
    except RayTaskError as exc:
        cause = exc.cause if isinstance(getattr(exc, "cause", None), RagError) else None
        if cause is None:
            raise
        raise cause from None


def _hash_batch(batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    results = [pickle.dumps(hash_file(pickle.loads(payload))) for payload in batch["payload"]]
    return {"payload": np.array(results, dtype=object)}


def _prepare_batch(batch: dict[str, np.ndarray], chunk_chars: int, overlap_chars: int) -> dict[str, np.ndarray]:
    results = [pickle.dumps(prepare_file(pickle.loads(payload), chunk_chars, overlap_chars)) for payload in batch["payload"]]
    return {"payload": np.array(results, dtype=object)}


class _EmbedFiles:
    """An embedding actor: loads the embedder once, then embeds the chunks of each batch of files."""

    def __init__(self, embedder: str, threads: int, batch: int) -> None:
        from rag.embedding import make_embedder

        self._model = make_embedder(embedder, threads)
        self._batch = batch

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        prepared: list[Any] = [pickle.loads(payload) for payload in batch["payload"]]
        texts = [c.embedding_text() for file in prepared if isinstance(file, PreparedFile) for c in file.chunks]
        parts = [self._model.embed(texts[i : i + self._batch]) for i in range(0, len(texts), self._batch)]
        vectors = np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
        results, cursor = [], 0
        for file in prepared:
            if isinstance(file, Skipped):
                results.append(pickle.dumps(file))
                continue
            results.append(pickle.dumps((file, vectors[cursor : cursor + len(file.chunks)])))
            cursor += len(file.chunks)
        return {"payload": np.array(results, dtype=object)}
