"""Answer models: the backends that run them, and the factory that loads a generator by backend name.

Every backend proposes the reply as JSON constrained to the answer schema; verification,
arithmetic and conflicts stay in `rag.answering`, whichever backend wrote the claims.
A backend that needs packages beyond the core imports them only when chosen, and a
missing one gets a one-line message that says how to install it.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ConfigError, ModelError
from rag.generation.base import Generator
from rag.generation.model_files import PACKAGED_MODELS, own_gguf_file, resolve_model


@dataclass(frozen=True)
class Backend:
    """A way to run the answer model: what it runs, and the packages it needs."""

    name: str
    summary: str
    modules: tuple[str, ...]  # imported when the backend is chosen
    install: str  # what to run when one of them is missing

    def missing(self) -> list[str]:
        return [m for m in self.modules if importlib.util.find_spec(m) is None]


BACKENDS: dict[str, Backend] = {
    backend.name: backend
    for backend in (
        Backend(
            "llama.cpp",
            "a GGUF model on this machine's CPU through llama-cpp-python (default)",
            ("llama_cpp",),
            "re-run `bash setup.sh`",
        ),
        Backend(
            "transformers",
            "a causal-LM checkpoint folder or a GGUF file through Hugging Face transformers; a CUDA GPU when present",
            ("transformers", "gguf", "accelerate", "xgrammar"),
            "run `bash setup.sh --extra transformers-backend` (or pip install 'rag[transformers-backend]')",
        ),
        Backend(
            "openai",
            "any OpenAI-compatible server (llama.cpp's server, vLLM, ...) at --base-url; the server runs the model",
            ("httpx",),
            "re-run `bash setup.sh`",
        ),
    )
}


def backend_named(name: str) -> Backend:
    """The backend called `name`; a wrong name gets the list of valid ones."""
    if name not in BACKENDS:
        raise ConfigError(f"unknown backend '{name}': choose one of {', '.join(BACKENDS)}")
    return BACKENDS[name]


def check_model(spec: str, backend: str) -> None:
    """Refuse an unknown backend, a missing extra or a llama.cpp model that is not there, before anything loads."""
    chosen = backend_named(backend)
    if missing := chosen.missing():
        raise ModelError(f"the {backend} backend needs {', '.join(missing)}, which is not installed; {chosen.install}")
    if backend == "llama.cpp" and spec not in PACKAGED_MODELS:
        own_gguf_file(spec)


def load_generator(
    spec: str,
    *,
    backend: str = "llama.cpp",
    base_url: str = "",
    cache_dir: Path,
    context_tokens: int,
    threads: int,
    show_progress: bool = True,
) -> Generator:
    """Load the answer model `spec` with `backend`.

    `spec` is `default`, `fast` or a .gguf path for llama.cpp; the same or a checkpoint folder
    for transformers; for openai, the model name the server knows (`default` takes the
    server's first model).
    """
    check_model(spec, backend)
    if backend == "openai":
        from rag.generation.openai_server import OpenAIServerGenerator

        return OpenAIServerGenerator(base_url, spec)
    if backend == "transformers":
        from rag.generation.transformers_model import TransformersGenerator

        return TransformersGenerator.load(spec, cache_dir=cache_dir, threads=threads, show_progress=show_progress)
    from rag.generation.llama import LlamaCppGenerator

    model = resolve_model(spec, cache_dir / "models", show_progress=show_progress)
    return LlamaCppGenerator(model.path, model.name, context_tokens=context_tokens, threads=threads)
