"""The manifest: what an index was built from and with, so reuse is safe and mismatches are explained."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import IndexCorruptError

FORMAT_VERSION = 1


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int
    chunks: int


@dataclass(frozen=True)
class Manifest:
    format_version: int
    embedder: str  # model name, e.g. all-MiniLM-L6-v2-int8-onnx
    dim: int
    chunk_chars: int
    chunk_overlap_chars: int
    dense_kind: str  # "flat" or "hnsw"
    corpus: list[str]  # the folders or files indexed, as given
    built_at: str  # ISO time, UTC
    files: dict[str, FileEntry] = field(default_factory=dict)

    @property
    def chunk_count(self) -> int:
        return sum(entry.chunks for entry in self.files.values())

    def rebuild_reason(self, embedder: str, chunk_chars: int, chunk_overlap_chars: int) -> str | None:
        """Why this index cannot be updated in place for these settings, or None if it can."""
        if self.format_version != FORMAT_VERSION:
            return f"index format {self.format_version} differs from {FORMAT_VERSION}"
        if self.embedder != embedder:
            return f"embedding model changed ({self.embedder} -> {embedder})"
        if (self.chunk_chars, self.chunk_overlap_chars) != (chunk_chars, chunk_overlap_chars):
            return (
                f"chunk settings changed ({self.chunk_chars}/{self.chunk_overlap_chars} -> "
                f"{chunk_chars}/{chunk_overlap_chars} chars)"
            )
        return None

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2, sort_keys=True))

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            data = json.loads(path.read_text())
            files = {name: FileEntry(**entry) for name, entry in data.pop("files").items()}
            return cls(files=files, **data)
        except FileNotFoundError:
            raise IndexCorruptError(f"index manifest {path} is missing; rebuild with `rag index`") from None
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise IndexCorruptError(f"index manifest {path} is corrupt ({exc}); rebuild with `rag index`") from None
