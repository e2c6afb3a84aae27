"""Two checks every request passes before a route sees it: the API key, then the body's size.

Plain ASGI middleware, so a refused request costs no thread and no parsing. The body is
read in full (up to the limit) before the route runs, and a larger one is refused with
413 after it has been drained, so the client reads the refusal rather than a reset connection.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from rag.server.failures import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

OPEN_PATHS = ("/healthz",)  # answer without a key: a load balancer or a script checks these
UI_PREFIX = "/ui"  # the Gradio app asks for the key on its own login page (a browser sends no Bearer header)
DRAIN_LIMIT = 64 * 1024 * 1024  # past this a too-large body is not even drained: the connection is dropped


async def _send_json(send: Send, status: int, body: dict[str, Any], headers: list[tuple[bytes, bytes]] = ()) -> None:
    payload = json.dumps(body).encode()
    await send({
        "type": "http.response.start",
        "status": status,
        "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode()), *headers],
    })
    await send({"type": "http.response.body", "body": payload})


class BearerKey:
    """Every route but /healthz (and the UI, which has its own login) needs `Authorization: Bearer KEY`."""

    def __init__(self, app: ASGIApp, key: str) -> None:
        self.app = app
        self._expected = f"Bearer {key}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in OPEN_PATHS or _under(path, UI_PREFIX):
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"authorization", b"")
        if hmac.compare_digest(given, self._expected):
            await self.app(scope, receive, send)
            return
        message = "a valid API key is required: send the header Authorization: Bearer KEY"
        await _send_json(send, 401, error_body(message, "invalid_request_error", "invalid_api_key"),
                         [(b"www-authenticate", b"Bearer")])


class BodyLimit:
    """Refuse request bodies over `limit` bytes with a 413 JSON error (the UI's uploads have Gradio's own limit)."""

    def __init__(self, app: ASGIApp, limit: int, *, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.limit = limit
        self.limits = limits or {}  # a larger limit for some paths, e.g. /v1/index

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or _under(path, UI_PREFIX) or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(path, self.limit)
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > DRAIN_LIMIT:
            await self._refuse(send, limit)
            return
        body, received, too_large = [], 0, False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > DRAIN_LIMIT:
                await self._refuse(send, limit)
                return
            too_large = too_large or received > limit
            if not too_large:
                body.append(chunk)
            if not message.get("more_body", False):
                break
        if too_large:
            await self._refuse(send, limit)
            return
        await self.app(scope, _replay(b"".join(body), receive), send)

    @staticmethod
    async def _refuse(send: Send, limit: int) -> None:
        message = f"the request body is larger than the limit of {limit // 1024} KiB"
        await _send_json(send, 413, error_body(message, "invalid_request_error", "body_too_large"),
                         [(b"connection", b"close")])


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that first hands over the body already read, then waits on the real one (for disconnects)."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + "/")
