"""llama.cpp (through llama-cpp-python) as the default generator.

JSON schemas become llama.cpp grammars, so the model cannot produce output our
parser rejects. llama.cpp keeps the previous prompt's KV cache and reuses the
longest common prefix, so the fixed system prompt costs nothing after the first
question: it is why the instructions come first and the passages last.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from rag.errors import ModelError
import llama_cpp

from rag.generation.base import Generator


class LlamaCppGenerator(Generator):
    def __init__(self, path: Path, name: str, *, context_tokens: int, threads: int) -> None:
        self.name = name
        self._path = path
        try:
            with _quiet_stderr():
                self._llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=context_tokens,
                    n_threads=threads,
                    n_threads_batch=threads,
                    seed=0,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"could not load model {path}: {exc}") from None

    def cache_prefix(self, system_prompt: str, state_dir: Path) -> None:
        """Restore the KV state of the system prompt from disk, or compute it and save it.

        Prompt processing runs at ~140 tokens/s on 2 cores, so a 700-token system
        prompt would add 5 s to every fresh `rag ask`; its saved state (~20 MB)
        loads in milliseconds. The file is keyed by model, context size and the
        exact tokens, so any change to the prompt or model makes a new one.
        """
        tokens = self._system_prefix_tokens(system_prompt)
        if not tokens:
            return
        key = hashlib.sha256(f"{self._path}|{self._llm.n_ctx()}|{tokens}".encode()).hexdigest()[:16]
        path = state_dir / f"{self.name}.prefix-{key}.kvstate"
        if path.is_file() and self._load_state(path, tokens):
            return
        self._llm.reset()
        self._llm.eval(tokens)
        state_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp-{os.getpid()}")
        array = (llama_cpp.llama_token * len(tokens))(*tokens)
        if llama_cpp.llama_state_save_file(self._llm.ctx, str(tmp).encode(), array, len(tokens)):
            os.replace(tmp, path)
        tmp.unlink(missing_ok=True)

    def _system_prefix_tokens(self, system_prompt: str) -> list[int]:
        """The tokens the chat template puts before the user's text, exactly as a chat completion would."""
        from llama_cpp import llama_chat_format

        template = self._llm.metadata.get("tokenizer.chat_template")
        if self._llm.chat_format != "chat_template.default" or not template:
            return []
        model = self._llm._model
        formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(self._llm.token_eos()),
            bos_token=model.token_get_text(self._llm.token_bos()) if self._llm.token_bos() != -1 else "",
        )
        marker = "\u0000USER\u0000"
        rendered = formatter(messages=[{"role": "system", "content": system_prompt}, {"role": "user", "content": marker}])
        prefix = rendered.prompt.split(marker)[0]
        return self._llm.tokenize(prefix.encode("utf-8"), add_bos=not rendered.added_special, special=True)

    def _load_state(self, path: Path, tokens: list[int]) -> bool:
        buffer = (llama_cpp.llama_token * len(tokens))()
        count = ctypes.c_size_t(0)
        loaded = llama_cpp.llama_state_load_file(self._llm.ctx, str(path).encode(), buffer, len(tokens), ctypes.byref(count))
        if not loaded or list(buffer[: count.value]) != tokens:
            self._llm.reset()
            return False
        self._llm.input_ids[: len(tokens)] = tokens
        self._llm.n_tokens = len(tokens)
        self._llm._requires_eval = True  # logits were not restored; the next decode refreshes them
        return True

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
