"""Settings: one frozen dataclass, each field documented, overridable by `RAG_*` variables and CLI flags.

Precedence, lowest first: the default here, then the environment (`RAG_<FIELD>` in
upper case, e.g. `RAG_INDEX_DIR`; `RAG_INDEX` is accepted as a short alias), then
a command-line flag. `rag config` prints each value with where it came from.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping

from rag.errors import ConfigError


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rag"


@dataclass(frozen=True)
class Settings:
    """Everything a run of `rag` can be told; the defaults work out of the box on a 2-core CPU."""

    corpus: Path = field(default=Path("seeds"), metadata={"help": "corpus folder indexed when no PATH is given"})
    index_dir: Path = field(default=Path("index"), metadata={"help": "where the built index lives"})
    cache_dir: Path = field(
        default_factory=_default_cache_dir, metadata={"help": "where assembled model files are kept"}
    )
    embedder: str = field(
        default="minilm-int8", metadata={"help": "embedding model: minilm-int8 (ONNX, fast) or minilm (torch)"}
    )
    model: str = field(
        default="default", metadata={"help": "answer model: default, fast, or the path of a .gguf file"}
    )
    backend: str = field(
        default="llama.cpp",
        metadata={"help": "what runs the answer model: llama.cpp, transformers (a checkpoint folder or GGUF), or openai (a server)"},
    )
    base_url: str = field(
        default="", metadata={"help": "the OpenAI-compatible server the openai backend uses, e.g. http://127.0.0.1:8080/v1"}
    )
    chunk_chars: int = field(default=360, metadata={"help": "target characters per chunk"})
    chunk_overlap_chars: int = field(
        default=120, metadata={"help": "at most this many characters of whole sentences repeated between chunks"}
    )
    top_k: int = field(default=5, metadata={"help": "passages retrieved and shown to the answer model"})
    passage_chars: int = field(
        default=1000,
        metadata={"help": "characters of passage text shown to the answer model: each passage's sentences most like the question"},
    )
    candidates: int = field(default=40, metadata={"help": "candidates taken from each retriever before fusion"})
    approximate_from: int = field(
        default=50_000,
        metadata={"help": "chunk count from which the dense index is HNSW instead of exact (see bench/index_bench.py)"},
    )
    store: str = field(
        default="local",
        metadata={
            "help": "where the index lives: local (the index_dir folder), milvus:PATH (a Milvus Lite file) "
            "or milvus://HOST:PORT (a Milvus server; token in RAG_MILVUS_TOKEN)"
        },
    )
    engine: str = field(
        default="in-process",
        metadata={"help": "what runs `rag index`: in-process, or ray (a local Ray, or the cluster at ray_address)"},
    )
    ray_address: str = field(
        default="", metadata={"help": "the Ray cluster `--engine ray` joins, e.g. ray://head:10001 (else RAY_ADDRESS, else a local Ray)"}
    )
    embed_actors: int = field(default=2, metadata={"help": "Ray engine: embedding actors, each loading the embedder once"})
    embed_batch: int = field(default=64, metadata={"help": "Ray engine: chunks per embedding call"})
    threads: int = field(
        default_factory=lambda: os.cpu_count() or 2, metadata={"help": "CPU threads for embedding and generation"}
    )
    context_tokens: int = field(default=4096, metadata={"help": "answer model context window, in tokens"})
    max_answer_tokens: int = field(default=320, metadata={"help": "most tokens the answer model may write"})
    max_question_chars: int = field(default=2000, metadata={"help": "longer questions are refused"})

    def with_overrides(self, overrides: Mapping[str, Any]) -> Settings:
        """A copy with the given fields replaced; None values are ignored."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return replace(self, **{k: _coerce(k, v) for k, v in given.items()})


ENV_ALIASES = {"RAG_INDEX": "index_dir"}


def load_settings(flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Defaults, then `RAG_*` environment variables, then flags."""
    settings, _ = load_settings_with_sources(flags, environ)
    return settings


def load_settings_with_sources(
    flags: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> tuple[Settings, dict[str, str]]:
    """Settings plus, for each field, where its value came from ("default", "env RAG_X", "flag")."""
    environ = os.environ if environ is None else environ
    sources = {f.name: "default" for f in fields(Settings)}
    from_env: dict[str, Any] = {}
    for alias, name in ENV_ALIASES.items():
        if alias in environ:
            from_env[name] = environ[alias]
            sources[name] = f"env {alias}"
    for f in fields(Settings):
        var = f"RAG_{f.name.upper()}"
        if var in environ:
            from_env[f.name] = environ[var]
            sources[f.name] = f"env {var}"
    settings = Settings().with_overrides(from_env)
    given_flags = {k: v for k, v in (flags or {}).items() if v is not None}
    for name in given_flags:
        sources[name] = "flag"
    return settings.with_overrides(given_flags), sources


def describe(settings: Settings, sources: Mapping[str, str]) -> list[tuple[str, str, str, str]]:
    """Rows of (name, value, source, help) for `rag config`."""
    return [
        (f.name, str(getattr(settings, f.name)), sources.get(f.name, "default"), f.metadata.get("help", ""))
        for f in fields(Settings)
    ]


def _coerce(name: str, value: Any) -> Any:
    """Turn an environment string into the field's type, with a message naming the variable on failure."""
    if name not in {f.name for f in fields(Settings)}:
        raise ConfigError(f"unknown setting '{name}'")
    default = getattr(Settings(), name)
    if isinstance(default, Path):
        return Path(value).expanduser()
    if isinstance(default, int):
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ConfigError(f"setting {name} must be a whole number, got {value!r}") from None
        if number < 1:
            raise ConfigError(f"setting {name} must be at least 1, got {number}")
        return number
    return str(value)
