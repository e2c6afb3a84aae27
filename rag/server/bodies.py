"""The JSON bodies the API accepts. Strict: a string where a number belongs is a 422, not a guess.

Our own routes refuse unknown fields, so a misspelt option is an error rather than
silently ignored; the chat-completions body ignores the OpenAI parameters `rag` has
no use for (temperature, seed, ...), because OpenAI clients send them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TOP_K = 50
TopK = Annotated[int, Field(ge=1, le=MAX_TOP_K, description="passages given to the model (default: the server's)")]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class HistoryTurn(_Strict):
    question: str
    answer: str


class AskBody(_Strict):
    question: str
    history: list[HistoryTurn] = []
    top_k: TopK | None = None
    model: str | None = None
    stream: bool = False


class SearchBody(_Strict):
    query: Annotated[str, Field(min_length=1, max_length=2000)]
    top_k: TopK | None = None


class FileBody(_Strict):
    name: Annotated[str, Field(min_length=1, max_length=255, description="bare file name, e.g. report.pdf")]
    text: str | None = Field(default=None, description="the content as text (.txt, .md, .html)")
    base64: str | None = Field(default=None, description="the content, base64-encoded (any format, e.g. .pdf)")


class IndexBody(_Strict):
    files: Annotated[list[FileBody], Field(min_length=1)]


class ChatMessage(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    role: Literal["system", "user", "assistant", "developer", "tool"]
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The message's text; a list of content parts keeps its text parts."""
        if isinstance(self.content, list):
            return "".join(str(part.get("text", "")) for part in self.content if part.get("type") == "text")
        return self.content or ""


class ChatBody(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")
    model: str
    messages: Annotated[list[ChatMessage], Field(min_length=1)]
    stream: bool = False
    top_k: TopK | None = None  # rag's own extension
