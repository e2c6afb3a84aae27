"""Run a question on a thread of its own and hand its events to the web handler.

Gradio advances a streaming handler on whichever worker thread is free, one step at
a time. `Pipeline.ask_stream` holds the pipeline's lock while the model answers, and a
lock must be released by the thread that took it. So each question's `ask_stream`
runs start to finish on one thread here, and the handler reads its events from a
queue. Per-request options (the number of passages) are arguments of `ask_stream`:
nothing shared is changed, so answers need no lock of their own here.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence

from rag.answering.pipeline import Event, Pipeline

_DONE = object()


class Asker:
    """Answers questions with one shared pipeline, each with its own number of passages."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline

    def stream(self, question: str, history: Sequence[tuple[str, str]], top_k: int | None = None) -> Iterator[Event]:
        """The pipeline's events for one question; a RagError it raises is re-raised here."""
        events: queue.Queue[object] = queue.Queue()
        abandoned = threading.Event()
        worker = threading.Thread(
            target=self._run, args=(question, history, top_k, events, abandoned), name="rag-answer", daemon=True
        )
        worker.start()
        try:
            while (event := events.get()) is not _DONE:
                if isinstance(event, BaseException):
                    raise event
                yield event  # type: ignore[misc]
        finally:
            abandoned.set()  # the reader left (page closed): stop at the next event and free the model

    def _run(
        self,
        question: str,
        history: Sequence[tuple[str, str]],
        top_k: int | None,
        events: queue.Queue[object],
        abandoned: threading.Event,
    ) -> None:
        try:
            answer_events = self.pipeline.ask_stream(question, history=history, top_k=top_k)
            try:
                for event in answer_events:
                    events.put(event)
                    if abandoned.is_set():
                        break
            finally:
                answer_events.close()  # on this thread, so the pipeline's lock is released where it was taken
        except BaseException as exc:  # handed to the reader, which raises it in the request
            events.put(exc)
        finally:
            events.put(_DONE)
