"""The routes of `rag serve`, each a translation of a request into a library call and back.

Answers run on answer threads (see service.py); searches and index changes on the
default thread pool; `/healthz` on the event loop itself, so it answers while every
answer thread is busy.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import sys
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import run_in_threadpool

from rag.config import Settings
from rag.errors import InputError, RagError
from rag.indexing import IndexReport
from rag.server import failures
from rag.server.bodies import AskBody, ChatBody, IndexBody, SearchBody
from rag.server.chat_completions import Completion, question_and_history
from rag.server.guards import BearerKey, BodyLimit
from rag.server.service import Service, UploadedFile
from rag.types import Answer, SourcesEvent, TextDelta

log = logging.getLogger("rag.server")

BODY_LIMIT = 1024 * 1024  # a question with its history is a few KB; 1 MiB leaves room and refuses floods
INDEX_BODY_LIMIT = 50 * 1024 * 1024  # uploads to /v1/index (base64 adds a third)
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def create_app(service: Service, *, api_key: str | None = None, ui: bool = True) -> FastAPI:
    """The API over `service`; with `ui`, the Gradio chat at /ui over the same default pipeline."""
    app = FastAPI(
        title="rag",
        summary="Answers from your documents, every number checked against its source.",
        docs_url=None,  # the docs pages load scripts from a CDN; the schema stays at /openapi.json
        redoc_url=None,
    )
    failures.install(app)
    _routes(app, service)
    if ui:
        _mount_ui(app, service, api_key)
    app.add_middleware(BodyLimit, limit=BODY_LIMIT, limits={"/v1/index": INDEX_BODY_LIMIT})
    if api_key:
        app.add_middleware(BearerKey, key=api_key)  # added last, so it runs first: no key, no body read
    return app


def _routes(app: FastAPI, service: Service) -> None:
    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        return {"status": "ok", "models": service.model_names}

    @app.get("/v1/models")
    async def models() -> dict[str, Any]:
        return {
            "object": "list",
            "data": [{"id": name, "object": "model", "created": 0, "owned_by": "rag"} for name in service.model_names],
        }

    @app.post("/v1/ask", response_model=None)
    async def ask(body: AskBody) -> JSONResponse | StreamingResponse:
        pipeline = service.pipeline_for(body.model)
        history = [(turn.question, turn.answer) for turn in body.history]
        events = service.answer_events(pipeline, body.question, history, body.top_k)
        if not body.stream:
            return JSONResponse((await _last(events)).to_dict())
        first = await anext(events)  # a bad question fails here, before the 200 is sent
        return StreamingResponse(_ask_events(first, events), media_type="text/event-stream", headers=SSE_HEADERS)

    @app.post("/v1/chat/completions", response_model=None)
    async def chat_completions(body: ChatBody) -> JSONResponse | StreamingResponse:
        pipeline = service.pipeline_for(body.model)
        question, history = question_and_history(body.messages)
        completion = Completion(body.model)
        events = service.answer_events(pipeline, question, history, body.top_k)
        if not body.stream:
            return JSONResponse(completion.whole(await _last(events)))
        first = await anext(events)
        return StreamingResponse(_chat_chunks(completion, first, events), media_type="text/event-stream", headers=SSE_HEADERS)

    @app.post("/v1/search")
    async def search(body: SearchBody) -> dict[str, Any]:
        passages = await run_in_threadpool(service.search, body.query, body.top_k)
        return {"query": body.query, "passages": [{"rank": n, **p.to_dict()} for n, p in enumerate(passages, start=1)]}

    @app.post("/v1/index")
    async def index(body: IndexBody) -> dict[str, Any]:
        files = [UploadedFile(f.name, _content(f.name, f.text, f.base64)) for f in body.files]
        return _report(await run_in_threadpool(service.add_files, files))

    @app.get("/v1/documents")
    async def documents() -> dict[str, Any]:
        manifest = await run_in_threadpool(service.manifest)
        return {
            "corpus": manifest.corpus,
            "built_at": manifest.built_at,
            "chunks": manifest.chunk_count,
            "documents": [{"source": source, **asdict(entry)} for source, entry in manifest.files.items()],
        }

    @app.delete("/v1/documents/{source:path}")
    async def remove_document(source: str) -> dict[str, Any]:
        return _report(await run_in_threadpool(service.remove_document, source))


async def _last(events: AsyncIterator[object]) -> Answer:
    answer = None
    async for event in events:
        answer = event
    assert isinstance(answer, Answer), "ask_stream ended without an Answer"
    return answer


def _sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def _chained(first: object, events: AsyncIterator[object]) -> AsyncIterator[object]:
    """The event already taken (to learn the status before the response starts), then the rest."""
    yield first
    async for event in events:
        yield event


async def _ask_events(first: object, events: AsyncIterator[object]) -> AsyncIterator[bytes]:
    """`sources`, then `delta`s, then `answer`; a failure midway ends the stream with an `error` event."""

    try:
        async for event in _chained(first, events):
            if isinstance(event, SourcesEvent):
                yield _sse("sources", {"passages": [p.to_dict() for p in event.passages]})
            elif isinstance(event, TextDelta):
                yield _sse("delta", {"text": event.text})
            elif isinstance(event, Answer):
                yield _sse("answer", event.to_dict())
    except RagError as exc:
        yield _sse("error", failures.describe_rag_error(exc))
    except Exception as exc:  # noqa: BLE001 - the status line is sent; the client learns of it in the stream
        log.exception("streaming an answer failed")
        yield _sse("error", failures.error_body(f"internal error ({type(exc).__name__}); see the server's log", "server_error"))


async def _chat_chunks(completion: Completion, first: object, events: AsyncIterator[object]) -> AsyncIterator[bytes]:
    """Chat-completion chunks: the role and the sources, the text, the `rag` fields with `finish_reason`, `[DONE]`."""

    try:
        async for event in _chained(first, events):
            if isinstance(event, SourcesEvent):
                yield _sse(None, completion.sources_chunk(event.passages))
            elif isinstance(event, TextDelta):
                yield _sse(None, completion.text_chunk(event.text))
            elif isinstance(event, Answer):
                yield _sse(None, completion.final_chunk(event))
    except RagError as exc:
        yield _sse(None, failures.describe_rag_error(exc))
    except Exception as exc:  # noqa: BLE001
        log.exception("streaming a chat completion failed")
        yield _sse(None, failures.error_body(f"internal error ({type(exc).__name__}); see the server's log", "server_error"))
    yield b"data: [DONE]\n\n"


def _content(name: str, text: str | None, encoded: str | None) -> bytes:
    if (text is None) == (encoded is None):
        raise InputError(f"give {name} either as text or as base64, not both or neither")
    if text is not None:
        return text.encode("utf-8")
    try:
        return base64.b64decode(encoded or "", validate=True)
    except (binascii.Error, ValueError):
        raise InputError(f"the base64 content of {name} is not valid base64") from None


def _report(report: IndexReport) -> dict[str, Any]:
    data = asdict(report)
    data["skipped"] = [{"source": s.source, "reason": s.reason} for s in report.skipped]
    return data


def _mount_ui(app: FastAPI, service: Service, api_key: str | None) -> None:
    import gradio as gr

    from rag.ui.app import build_app, page_options

    blocks = build_app(service.main)
    auth = (lambda _user, password: password == api_key) if api_key else None
    gr.mount_gradio_app(app, blocks, path="/ui", auth=auth, auth_message="Sign in with any user name and the API key.",
                        **page_options())


def serve(settings: Settings, *, host: str, port: int, api_key: str | None, ui: bool = True) -> None:
    """Open the index, load the default model, then serve until Ctrl+C."""
    import uvicorn

    service = Service(settings, show_progress=True)
    _say(f"loading the index at {settings.index_dir} and the answer model ({settings.backend}: {settings.model})")
    service.start()
    if service.main.index_report:
        _say(f"built the index: {service.main.index_report.chunk_count} chunks")
    app = create_app(service, api_key=api_key, ui=ui)
    shown = f"[{host}]" if ":" in host else host
    _say(f"listening on http://{shown}:{port}  (API under /v1, chat at /ui; Ctrl+C stops it)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    finally:
        service.close()


def _say(message: str) -> None:
    print(f"rag serve: {message}", file=sys.stderr, flush=True)
