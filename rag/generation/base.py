"""The generation seam: chat messages in, a stream of text pieces out, optionally JSON-constrained."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from typing import Any


class Generator(ABC):
    """A local chat model. Decoding is greedy so the same question gives the same answer."""

    name: str

    @abstractmethod
    def stream(self, messages: list[dict[str, str]], *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces as it is generated; with `schema`, the reply is JSON matching it."""
