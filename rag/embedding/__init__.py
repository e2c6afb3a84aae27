"""Embedders and the factory that picks one by name."""

from __future__ import annotations

from rag.embedding.base import Embedder
from rag.errors import ConfigError

EMBEDDERS = {
    "minilm-int8": "rag.embedding.onnx_minilm:OnnxMiniLM",
    "minilm": "rag.embedding.torch_minilm:TorchMiniLM",
}


def make_embedder(choice: str, threads: int) -> Embedder:
    """Build the embedder named `choice`; a wrong name gets the list of valid ones."""
    if choice not in EMBEDDERS:
        raise ConfigError(f"unknown embedder '{choice}': choose one of {', '.join(EMBEDDERS)}")
    import importlib

    module_name, class_name = EMBEDDERS[choice].split(":")
    return getattr(importlib.import_module(module_name), class_name)(threads)


def embedder_name(choice: str) -> str:
    """The model name an embedder choice records in the manifest, without loading it."""
    if choice not in EMBEDDERS:
        raise ConfigError(f"unknown embedder '{choice}': choose one of {', '.join(EMBEDDERS)}")
    import importlib

    module_name, class_name = EMBEDDERS[choice].split(":")
    return getattr(importlib.import_module(module_name), class_name).name
