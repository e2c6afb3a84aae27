"""What the HTTP routes call: the pipelines, the answer queue and the index, behind plain methods.

One `Pipeline` per answer model, all sharing one index store and one embedder, so a
request may name any installed model without a second copy of the index. Each answer
runs start to finish on a thread of its own (a pipeline's lock must be released by
the thread that took it) and hands its events to the request through an asyncio
queue; the pipeline's lock queues answers in front of the model, while `/healthz`
(no thread at all) and `/v1/search` (the default thread pool) never wait for it.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncIterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from rag.answering.pipeline import Event, Pipeline
from rag.config import Settings
from rag.errors import InputError, RagError
from rag.generation.model_files import installed_models
from rag.indexing import IndexReport, build_index
from rag.loading import SUPPORTED_SUFFIXES
from rag.store.manifest import Manifest
from rag.types import Passage
from rag.ui.corpus import index_paths

# Answers in flight or waiting for the model, each on its own thread; more wait in the executor's queue.
ANSWER_THREADS = 32
_DONE = object()


class NotFoundError(RagError):
    """A model or document the request names does not exist here."""


class ConflictError(RagError):
    """The request is valid but cannot be carried out in the index's present state."""


@dataclass(frozen=True)
class UploadedFile:
    """A file sent to `/v1/index`: its bare name and its bytes."""

    name: str
    content: bytes


class Service:
    """The server's state: settings, pipelines per model, the answer threads, the index lock."""

    def __init__(self, settings: Settings, *, show_progress: bool = False) -> None:
        self.settings = settings
        self.main = Pipeline(settings, show_progress=show_progress)
        self._pipelines: dict[str, Pipeline] = {settings.model: self.main}
        self._pipelines_lock = threading.Lock()
        self._index_lock = threading.Lock()
        self._answers = ThreadPoolExecutor(ANSWER_THREADS, thread_name_prefix="rag-answer")
        self.model_names = served_models(settings)

    def start(self) -> None:
        """Open (or build) the index and load the default model, so the first request does not wait for them."""
        self.main.open_index()
        self.main.load_generator()

    def close(self) -> None:
        self._answers.shutdown(wait=False, cancel_futures=True)

    # -- models --------------------------------------------------------------------------------

    def pipeline_for(self, model: str | None) -> Pipeline:
        """The pipeline that answers with `model` (the server's default when None); created on first use."""
        name = model or self.settings.model
        if name not in self.model_names:
            raise NotFoundError(f"unknown model '{name}': choose one of {', '.join(self.model_names)}")
        with self._pipelines_lock:
            if name not in self._pipelines:
                self._pipelines[name] = Pipeline(
                    replace(self.settings, model=name),
                    store=self.main.open_index(),
                    embedder=self.main.load_embedder(),
                    show_progress=False,
                )
            return self._pipelines[name]

    # -- answering -----------------------------------------------------------------------------

    async def answer_events(
        self, pipeline: Pipeline, question: str, history: Sequence[tuple[str, str]], top_k: int | None
    ) -> AsyncIterator[Event]:
        """`pipeline.ask_stream` run on an answer thread; its events as they come, its errors raised here."""
        loop = asyncio.get_running_loop()
        events: asyncio.Queue[object] = asyncio.Queue()
        abandoned = threading.Event()

        def hand_over(item: object) -> None:
            try:
                loop.call_soon_threadsafe(events.put_nowait, item)
            except RuntimeError:  # the event loop is gone (server shutting down): nobody is reading
                abandoned.set()

        def run() -> None:
            try:
                if abandoned.is_set():
                    return
                stream = pipeline.ask_stream(question, history=history, top_k=top_k)
                try:
                    for event in stream:
                        hand_over(event)
                        if abandoned.is_set():
                            break
                finally:
                    stream.close()  # on this thread, so the pipeline's lock is released where it was taken
            except BaseException as exc:  # noqa: BLE001 - re-raised in the request that asked
                hand_over(exc)
            finally:
                hand_over(_DONE)

        self._answers.submit(run)
        try:
            while (item := await events.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                yield item  # type: ignore[misc]
        finally:
            abandoned.set()  # the client left: the answer stops at its next event and frees the model

    def search(self, query: str, top_k: int | None) -> list[Passage]:
        return self.main.search(query, top_k)

    # -- the index -----------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        return self.main.open_index().manifest

    def add_files(self, files: Sequence[UploadedFile]) -> IndexReport:
        """Save the files into the corpus folder (replacing namesakes), then update the index incrementally."""
        for file in files:
            _check_upload_name(file.name)
        with self._index_lock:
            corpus = self.settings.corpus
            corpus.mkdir(parents=True, exist_ok=True)
            for file in files:
                _write_atomically(corpus / file.name, file.content)
            return self._rebuild()

    def remove_document(self, source: str) -> IndexReport:
        """Delete an uploaded document from the corpus folder and from the index.

        Only files inside the corpus folder are removed: a file indexed from elsewhere is
        the user's own, and would come back with the next `rag index` of that folder.
        """
        with self._index_lock:
            manifest = self.manifest()
            if source not in manifest.files:
                raise NotFoundError(f"no document '{source}' in the index; GET /v1/documents lists them")
            corpus = self.settings.corpus.resolve()
            path = (corpus.parent / source).resolve()
            if not path.is_relative_to(corpus) or not path.is_file():
                raise ConflictError(
                    f"'{source}' was indexed from outside the corpus folder {self.settings.corpus}; "
                    "delete it there and run `rag index`"
                )
            if len(manifest.files) == 1:
                raise ConflictError(f"'{source}' is the only document; an index cannot be empty")
            path.unlink()
            return self._rebuild()

    def _rebuild(self) -> IndexReport:
        settings = self.settings
        report = build_index(
            index_paths(settings, self.manifest()), settings, embedder=self.main.load_embedder(), show_progress=False
        )
        self.main.reload_index()  # waits for the answer in progress, which finishes on the old index
        store = self.main.open_index()
        with self._pipelines_lock:
            others = [p for p in self._pipelines.values() if p is not self.main]
        for pipeline in others:
            pipeline.reload_index()
            pipeline.store = store
        return report


def served_models(settings: Settings) -> list[str]:
    """The models a request may name: the configured one, and each packaged model that is installed.

    An OpenAI-compatible server behind the openai backend runs its own model, so only that one.
    """
    names = [settings.model]
    if settings.backend != "openai":
        names += [
            str(row["alias"])
            for row in installed_models(settings.cache_dir / "models")
            if row["parts_installed"] and row["alias"] not in names
        ]
    return names


def _check_upload_name(name: str) -> None:
    if not name or Path(name).name != name or name.startswith(".") or Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"cannot index a file named {name!r}: give a bare file name ending in {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )


def _write_atomically(path: Path, content: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{threading.get_ident()}")
    try:
        tmp.write_bytes(content)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
