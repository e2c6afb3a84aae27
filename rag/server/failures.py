"""Every failure as a JSON body in OpenAI's error shape, `{"error": {"message", "type", "code"}}`.

OpenAI clients read that shape and raise with the message; people read the message.
A request's fault is a 4xx; a traceback never reaches the client (it goes to the server's log).
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from rag.errors import (
    ConfigError,
    CorpusError,
    IndexBusyError,
    IndexCorruptError,
    IndexMismatchError,
    IndexMissingError,
    IndexWriteError,
    InputError,
    ModelError,
    RagError,
)
from rag.server.service import ConflictError, NotFoundError

log = logging.getLogger("rag.server")

STATUS = {  # most specific first
    NotFoundError: 404,
    ConflictError: 409,
    IndexBusyError: 409,  # another build holds the index's writer lock
    IndexWriteError: 507,  # the disk is full; the previous index is unchanged
    InputError: 400,
    ConfigError: 400,
    CorpusError: 400,
    IndexMissingError: 503,
    IndexCorruptError: 503,
    IndexMismatchError: 503,
    ModelError: 503,
}


def error_body(message: str, kind: str, code: str | None = None) -> dict[str, dict[str, str | None]]:
    return {"error": {"message": message, "type": kind, "code": code}}


def error_response(status: int, message: str, kind: str, code: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(message, kind, code), status_code=status)


def rag_error_status(exc: RagError) -> int:
    return next((status for cls, status in STATUS.items() if isinstance(exc, cls)), 400)


def describe_rag_error(exc: RagError) -> dict[str, dict[str, str | None]]:
    status = rag_error_status(exc)
    kind = "invalid_request_error" if status < 500 else "service_unavailable"
    code = "model_not_found" if isinstance(exc, NotFoundError) and str(exc).startswith("unknown model") else None
    return error_body(str(exc), kind, code)


def install(app: FastAPI) -> None:
    """Register the handlers that turn each kind of failure into a JSON error."""

    @app.exception_handler(RagError)
    async def rag_error(_: Request, exc: RagError) -> JSONResponse:
        return JSONResponse(describe_rag_error(exc), status_code=rag_error_status(exc))

    @app.exception_handler(RequestValidationError)
    async def invalid_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = exc.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return error_response(400, "the request body is not valid JSON", "invalid_request_error", "invalid_json")
        shown = "; ".join(f"{'.'.join(str(x) for x in p.get('loc', ()))}: {p.get('msg', '')}" for p in problems[:5])
        return error_response(422, f"invalid request: {shown}", "invalid_request_error", "invalid_body")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        response = error_response(exc.status_code, str(exc.detail), "invalid_request_error")
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(500, f"internal error ({type(exc).__name__}); see the server's log", "server_error")
