"""llama.cpp (through llama-cpp-python) as the default generator.

JSON schemas become llama.cpp grammars, so the model cannot produce output our
parser rejects. The KV cache of the previous prompt is kept and its longest
common prefix reused, so the fixed system prompt costs nothing after the first
question: it is why the instructions come first and the passages last.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import llama_cpp
from llama_cpp import llama_chat_format
from llama_cpp.llama_grammar import json_schema_to_gbnf

from rag.errors import ModelError
from rag.generation import greedy
from rag.generation.base import Generator


class LlamaCppGenerator(Generator):
    def __init__(self, path: Path, name: str, *, context_tokens: int, threads: int) -> None:
        self.name = name
        self._path = path
        _LLAMA_ERRORS.clear()
        try:
            with _no_stream_redirects(), _weights_as_stored():
                self._llm = llama_cpp.Llama(
                    model_path=str(path),
                    n_ctx=context_tokens,
                    n_threads=threads,
                    n_threads_batch=threads,
                    seed=0,
                    verbose=False,
                )
        except (ValueError, RuntimeError) as exc:
            said = f" (llama.cpp: {_LLAMA_ERRORS[0]})" if _LLAMA_ERRORS else ""
            raise ModelError(f"could not load model {path}: {exc}{said}") from None
        self._formatter = self._chat_formatter()

    def cache_prefix(self, system_prompt: str, state_dir: Path) -> None:
        """Restore the KV state of the system prompt from disk, or compute it and save it.

        Prompt processing runs at 40-140 tokens/s on 2 cores, so the 630-token system
        prompt would add 5-15 s to every fresh `rag ask`; its saved state (~20 MB)
        loads in milliseconds. The file is keyed by model, context size and the
        exact tokens, so any change to the prompt or model makes a new one.
        """
        tokens = self._system_prefix_tokens(system_prompt)
        if not tokens:
            return
        key = hashlib.sha256(f"{self._path}|{self._llm.n_ctx()}|weights as stored|{tokens}".encode()).hexdigest()[:16]
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

    def _chat_formatter(self) -> llama_chat_format.Jinja2ChatFormatter | None:
        """The model's own chat template, as llama-cpp-python would apply it; None for a GGUF without one."""
        template = self._llm.metadata.get("tokenizer.chat_template")
        if not template:
            return None
        model = self._llm._model
        return llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=model.token_get_text(self._llm.token_eos()),
            bos_token=model.token_get_text(self._llm.token_bos()) if self._llm.token_bos() != -1 else "",
        )

    def _prompt_tokens(self, messages: list[dict[str, str]], *, before: str | None = None) -> list[int]:
        """`messages` in the model's chat template, as tokens; with `before`, only the text that precedes it."""
        if self._formatter is None:
            raise ModelError(f"{self._path} has no chat template; rag needs an instruction-tuned (chat) GGUF model")
        rendered = self._formatter(messages=messages)
        text = rendered.prompt if before is None else rendered.prompt.split(before)[0]
        return self._llm.tokenize(text.encode("utf-8"), add_bos=not rendered.added_special, special=True)

    def _system_prefix_tokens(self, system_prompt: str) -> list[int]:
        """The tokens the chat template puts before the user's text, exactly as they start every prompt."""
        if self._formatter is None:
            return []
        marker = "\u0000USER\u0000"
        return self._prompt_tokens([{"role": "system", "content": system_prompt}, {"role": "user", "content": marker}], before=marker)

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
        grammar = json_schema_to_gbnf(json.dumps(schema)) if schema else None
        yield from greedy.generate(self._llm, self._prompt_tokens(messages), grammar=grammar, max_tokens=max_tokens)


@contextlib.contextmanager
def _weights_as_stored() -> Iterator[None]:
    """Load the weights as the file stores them, memory-mapped, without llama.cpp's CPU repacking.

    On a 2-core AVX2 box the Q4_K_M default model loaded in 1.5 s with repacking
    and 0.6 s without, read prompts at 37 rather than 48 tokens/s, generated at the
    same speed, and peaked 0.6 GB higher. llama-cpp-python has no argument for it, so the default parameters are wrapped
    while the model loads.
    """
    default_params = llama_cpp.llama_cpp.llama_model_default_params

    def without_repacking() -> llama_cpp.llama_model_params:
        params = default_params()
        params.use_extra_bufts = False
        return params

    llama_cpp.llama_cpp.llama_model_default_params = without_repacking
    try:
        yield
    finally:
        llama_cpp.llama_cpp.llama_model_default_params = default_params


class _NoRedirect:
    """Stands in for llama-cpp-python's `suppress_stdout_stderr`, which points fds 1 and 2 at
    /dev/null for the whole process while a model loads: an error printed meanwhile by any
    other thread (the CLI's own one-line message) would vanish. llama.cpp's log is silenced
    through its log callback instead (`_keep_errors`)."""

    def __init__(self, disable: bool = True) -> None:
        pass

    def __enter__(self) -> _NoRedirect:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


@contextlib.contextmanager
def _no_stream_redirects() -> Iterator[None]:
    saved = [(module, module.suppress_stdout_stderr) for module in (llama_cpp.llama, llama_cpp._internals)]
    for module, _ in saved:
        module.suppress_stdout_stderr = _NoRedirect
    try:
        yield
    finally:
        for module, original in saved:
            module.suppress_stdout_stderr = original


_GGML_LOG_ERROR = 4  # ggml's enum: none, debug, info, warn, error, cont
_LLAMA_ERRORS: collections.deque[str] = collections.deque(maxlen=5)  # llama.cpp's last error lines, for messages


@llama_cpp.llama_log_callback
def _keep_errors(level: int, text: bytes, user_data: ctypes.c_void_p) -> None:
    """llama.cpp's log callback: nothing reaches the terminal; error lines are kept for our message."""
    if level == _GGML_LOG_ERROR and text.strip():
        _LLAMA_ERRORS.append(text.decode("utf-8", errors="replace").strip())


llama_cpp.llama_log_set(_keep_errors, ctypes.c_void_p(0))
