"""The generation seam: chat messages in, a stream of text pieces out, optionally JSON-constrained."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class Generator(ABC):
    """A local chat model. Decoding is greedy so the same question gives the same answer."""

    name: str

    def cache_prefix(self, system_prompt: str, state_dir: Path) -> None:
        """Optionally precompute the fixed system prompt so the first question does not pay for it."""

    @abstractmethod
    def stream(self, messages: list[dict[str, str]], *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        """Yield the reply in pieces as it is generated; with `schema`, the reply is JSON matching it."""
