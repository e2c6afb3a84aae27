"""An OpenAI-compatible chat-completions server as the generator (llama.cpp's server, vLLM, ...).

Many `rag` front ends can share one model this way, e.g. one GPU box serving several
machines. The reply is constrained by the server itself, through the standard
`response_format={"type": "json_schema", ...}`; a server that only knows llama-cpp-python's
older `{"type": "json_object", "schema": ...}` form (it refuses the standard one, naming it)
is asked again in that form. Decoding is
greedy (temperature 0), so the same question gives the same answer as far as the server
allows. The server applies the model's chat template; `rag` only sends messages.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx

from rag.errors import ConfigError, ModelError
from rag.generation.base import Generator

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 600.0  # a long prompt on a busy CPU server can take minutes before the first token


class OpenAIServerGenerator(Generator):
    """Streams replies from `{base_url}/chat/completions`; `model` is the server's name for the model."""

    def __init__(self, base_url: str, model: str) -> None:
        if not base_url:
            raise ConfigError("the openai backend needs the server's address: --base-url http://HOST:PORT/v1 (or RAG_BASE_URL)")
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"--base-url must start with http:// or https://, got {base_url!r}")
        self._base_url = base_url.rstrip("/")
        key = os.environ.get("OPENAI_API_KEY", "")  # the convention of OpenAI clients; most local servers need none
        self._client = httpx.Client(
            headers={"Authorization": f"Bearer {key}"} if key else {},
            timeout=httpx.Timeout(READ_TIMEOUT_S, connect=CONNECT_TIMEOUT_S),
        )
        self.name = self._server_model() if model in ("", "default") else model
        self._legacy_schema = False  # set once the server refuses the standard json_schema form

    def _server_model(self) -> str:
        """The first model the server lists: what `default` means for a server."""
        listed = self._request("GET", "/models").get("data") or []
        if not listed:
            raise ModelError(f"the server at {self._base_url} lists no models; name one with --model")
        return str(listed[0]["id"])

    def _request(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(method, self._base_url + path, **kwargs)
        except httpx.HTTPError as exc:
            raise ModelError(f"cannot reach the model server at {self._base_url} ({exc}); start it or fix --base-url") from None
        if response.status_code >= 400:
            raise ModelError(f"the model server at {self._base_url} answered {response.status_code}: {_message(response.text)}")
        return response.json()

    def stream(self, messages: list[dict[str, str]], *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        payload: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "max_tokens": max_tokens,
            "temperature": 0,
            "stream": True,
        }
        if schema is not None:
            payload["response_format"] = self._response_format(schema)
        try:
            with self._client.stream("POST", self._base_url + "/chat/completions", json=payload) as response:
                if response.status_code >= 400 and schema is not None and not self._legacy_schema:
                    response.read()
                    # llama-cpp-python's server refuses the standard form with a 500 naming it
                    if "json_schema" in response.text and "response_format" in response.text:
                        self._legacy_schema = True
                        yield from self.stream(messages, schema=schema, max_tokens=max_tokens)
                        return
                if response.status_code >= 400:
                    response.read()
                    raise ModelError(
                        f"the model server at {self._base_url} answered {response.status_code}: {_message(response.text)}"
                    )
                yield from _content_pieces(response.iter_lines())
        except httpx.HTTPError as exc:
            raise ModelError(f"lost the model server at {self._base_url} ({exc}); start it or fix --base-url") from None

    def _response_format(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self._legacy_schema:
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": "answer", "strict": True, "schema": schema}}


def _content_pieces(lines: Iterator[str]) -> Iterator[str]:
    """The text of each server-sent `data:` chunk, until `[DONE]`."""
    for line in lines:
        if not line.startswith("data:"):
            continue
        data = line[len("data:") :].strip()
        if data == "[DONE]":
            return
        try:
            chunk = json.loads(data)
        except ValueError:
            raise ModelError(f"the model server sent a chunk that is not JSON: {data[:200]}") from None
        if "error" in chunk:
            raise ModelError(f"the model server failed: {_message(json.dumps(chunk))}")
        for choice in chunk.get("choices") or []:
            if piece := (choice.get("delta") or {}).get("content"):
                yield piece


def _message(body: str) -> str:
    """The server's error message, from the OpenAI error shape when it uses it."""
    try:
        error = json.loads(body).get("error")
    except (ValueError, AttributeError):
        return body.strip()[:300]
    if isinstance(error, dict):
        return str(error.get("message", error))[:300]
    return str(error or body)[:300]
