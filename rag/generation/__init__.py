"""Answer models: resolving a model choice to a file, and the factory that loads a generator."""

from __future__ import annotations

from pathlib import Path

from rag.errors import ModelError
from rag.generation.base import Generator
from rag.generation.model_files import resolve_model


def load_generator(spec: str, *, cache_dir: Path, context_tokens: int, threads: int, show_progress: bool = True) -> Generator:
    """Load `default`, `fast` or a .gguf path with llama.cpp (the only runtime shipped today)."""
    try:
        from rag.generation.llama import LlamaCppGenerator
    except ImportError:
        raise ModelError("llama-cpp-python is not installed; re-run `bash setup.sh`") from None

    model = resolve_model(spec, cache_dir / "models", show_progress=show_progress)
    return LlamaCppGenerator(model.path, model.name, context_tokens=context_tokens, threads=threads)
