"""llama.cpp (through llama-cpp-python) as the default generator.

JSON schemas become llama.cpp grammars, so the model cannot produce output our
parser rejects. llama.cpp keeps the previous prompt's KV cache and reuses the
longest common prefix, so the fixed system prompt costs nothing after the first
question: it is why the instructions come first and the passages last.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import ModelError
from rag.generation.base import Generator


class LlamaCppGenerator(Generator):
    def __init__(self, path: Path, name: str, *, context_tokens: int, threads: int) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed; re-run `bash setup.sh`") from None
        self.name = name
        try:
            with _quiet_stderr():
                self._llm = Llama(
                    model_path=str(path),
                    n_ctx=context_tokens,
                    n_threads=threads,
                    n_threads_batch=threads,
                    seed=0,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"could not load model {path}: {exc}") from None

    def stream(self, messages: list[dict[str, str]], *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        response_format = {"type": "json_object", "schema": schema} if schema else None
        chunks = self._llm.create_chat_completion(
            messages,
            response_format=response_format,
            temperature=0.0,
            top_k=1,
            max_tokens=max_tokens,
            stream=True,
        )
        for chunk in chunks:
            piece = chunk["choices"][0]["delta"].get("content")
            if piece:
                yield piece


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints model metadata straight to fd 2 while loading; keep the terminal clean."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "w") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
