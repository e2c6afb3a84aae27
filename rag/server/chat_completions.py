"""The OpenAI chat-completions shape, in and out, so OpenAI clients and front ends can ask `rag`.

In: the last user message is the question; earlier user/assistant pairs are the history;
system messages are ignored (`rag` has its own instructions, and answers only from the
documents). Out: the verified answer text, with its `[n]` markers, as the message content,
and what OpenAI's shape has no field for (citations, number checks, `abstained`,
`conflict`, passages) in an extra `rag` field, which OpenAI clients keep
(`completion.model_extra["rag"]`).
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from rag.errors import InputError
from rag.server.bodies import ChatMessage
from rag.types import Answer, Passage


def question_and_history(messages: list[ChatMessage]) -> tuple[str, list[tuple[str, str]]]:
    """The last user message, and the (question, answer) pairs before it."""
    talk = [m for m in messages if m.role in ("user", "assistant")]
    if not talk or talk[-1].role != "user":
        raise InputError("the last message must be the user's question")
    history: list[tuple[str, str]] = []
    asked: str | None = None
    for message in talk[:-1]:
        if message.role == "user":
            asked = message.text()
        elif asked is not None:
            history.append((asked, message.text()))
            asked = None
    return talk[-1].text(), history


def rag_fields(answer: Answer) -> dict[str, Any]:
    """The extra `rag` field: everything of `rag ask --json` but the question and the text."""
    data = answer.to_dict()
    return {key: value for key, value in data.items() if key not in ("question", "answer")}


class Completion:
    """One chat completion's identity, shared by all its streamed chunks."""

    def __init__(self, model: str) -> None:
        self.id = f"chatcmpl-{uuid.uuid4().hex}"
        self.created = int(time.time())
        self.model = model

    def whole(self, answer: Answer) -> dict[str, Any]:
        return {
            "id": self.id,
            "object": "chat.completion",
            "created": self.created,
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": answer.answer},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "rag": rag_fields(answer),
        }

    def sources_chunk(self, passages: list[Passage]) -> dict[str, Any]:
        """The first chunk: the assistant's role, and the passages the model will read."""
        return self._chunk({"role": "assistant", "content": ""}, None, {"sources": [p.to_dict() for p in passages]})

    def text_chunk(self, text: str) -> dict[str, Any]:
        return self._chunk({"content": text}, None)

    def final_chunk(self, answer: Answer) -> dict[str, Any]:
        return self._chunk({}, "stop", rag_fields(answer))

    def _chunk(self, delta: dict[str, Any], finish: str | None, rag: dict[str, Any] | None = None) -> dict[str, Any]:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if rag is not None:
            chunk["rag"] = rag
        return chunk
