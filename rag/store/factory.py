"""Which store `Settings.store` names, opened for searching (`open_index`) or for an update (`open_writer`).

Valid values: `local` (the folder `Settings.index_dir`), `milvus:PATH` (a Milvus Lite file,
embedded in this process) and `milvus://HOST:PORT` (a Milvus server; a token, if it needs
one, comes from RAG_MILVUS_TOKEN so it never shows in a process list).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from rag.config import Settings
from rag.errors import ConfigError
from rag.store.base import Store, StoreWriter

TOKEN_VARIABLE = "RAG_MILVUS_TOKEN"
_CHOICES = "local, milvus:PATH (a Milvus Lite file) or milvus://HOST:PORT"


@dataclass(frozen=True)
class StoreLocation:
    """A parsed `--store` value."""

    kind: str  # "local" or "milvus"
    uri: str = ""  # for Milvus: a Lite file path or http://HOST:PORT
    token: str = ""

    def __str__(self) -> str:
        return "local" if self.kind == "local" else f"milvus:{self.uri}"


def parse_location(value: str) -> StoreLocation:
    """`local`, `milvus:PATH` or `milvus://HOST:PORT`; anything else names the valid forms."""
    value = value.strip()
    if value == "local":
        return StoreLocation("local")
    if value.startswith("milvus://"):
        address = value.removeprefix("milvus://").rstrip("/")
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"store '{value}' needs a host and port, e.g. milvus://localhost:19530")
        return StoreLocation("milvus", f"http://{address}", os.environ.get(TOKEN_VARIABLE, ""))
    if value.startswith("milvus:") and value.removeprefix("milvus:"):
        path = Path(value.removeprefix("milvus:")).expanduser()
        if path.suffix != ".db":
            raise ConfigError(f"store '{value}': a Milvus Lite file must end in .db, e.g. milvus:index/rag.db")
        return StoreLocation("milvus", str(path.absolute()))
    raise ConfigError(f"unknown store '{value}': choose {_CHOICES}")


def open_index(settings: Settings) -> Store:
    """The index to search; raises IndexMissingError (saying how to build one) when there is none."""
    location = parse_location(settings.store)
    if location.kind == "local":
        from rag.store.store import open_store

        return open_store(settings.index_dir)
    from rag.store.milvus import MilvusStore

    return MilvusStore.open(location)


@contextlib.contextmanager
def open_writer(settings: Settings, *, wait: bool, on_wait: Callable[[str], None] | None) -> Iterator[StoreWriter]:
    """An update of the store, with its writer lock held for the whole update."""
    location = parse_location(settings.store)
    if location.kind == "local":
        from rag.store.local import local_writer

        with local_writer(settings.index_dir, settings.approximate_from, wait=wait, on_wait=on_wait) as writer:
            yield writer
        return
    from rag.store.milvus import milvus_writer

    with milvus_writer(location, settings.cache_dir, wait=wait, on_wait=on_wait) as writer:
        yield writer
