"""The manifest: what an index was built from and with, so reuse is safe and mismatches are explained."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import IndexCorruptError
from rag.metadata import DocumentProfile

FORMAT_VERSION = 13  # 2: checksums of the index files, instruction spans per file; 3: chunks carry their PDF page and
# table context; 4: a sentence no longer ends at an abbreviation before a lower-case word ("U.S. operations");
# 5: a letter's subject is its author, not its addressee (the subject is part of every chunk's embedding);
# 6: a table's context keeps its caption line ("2007 Tax Table - Continued") when its headers are long;
# 7: a heading underlined near the top is the title, and a subject read from a file name keeps its case;
# 8: a line break before a lower-case word does not end a sentence (hard-wrapped prose); a year before a title's
# capitalised plural ("2019 Tax Rate Schedules") is a year, in profiles too; 9: a PDF table whose column headers
# are stacked over several lines is written row by row with each cell's header (rag/formats/pdf_tables.py);
# 10: one rule for a figure cell: a statistical table's "(X)", "NA" cells make its lines rows; 11: a stacked-header
# table stops at its caption, keeps rows whose names wrap over three lines, and runs on over the next page;
# 12: a paged document's running heads and feet ("UNCLASSIFIED" atop every page) are no title nor subject;
# 13: a PDF page drawn line by line across columns of text is read column by column (rag/formats/pdf_columns.py)


@dataclass(frozen=True)
class FileEntry:
    sha256: str
    size: int
    chunks: int
    # spans [start, end) of the document's text that address an AI (rag/injection.py); never evidence
    instructions: list[list[int]] = field(default_factory=list)
    profile: DocumentProfile | None = None  # the document's subject and periods, and how they were found

    def __post_init__(self) -> None:
        if isinstance(self.profile, dict):  # as read back from JSON
            object.__setattr__(self, "profile", DocumentProfile.from_dict(self.profile))


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
    checksums: dict[str, str] = field(default_factory=dict)  # sha256 of each index file, by path in the generation

    @property
    def chunk_count(self) -> int:
        return sum(entry.chunks for entry in self.files.values())

    def instruction_spans(self, source: str) -> list[tuple[int, int]]:
        """Spans of `source`'s text flagged as instructions to an AI; empty for an unknown source."""
        entry = self.files.get(source)
        return [(start, end) for start, end in entry.instructions] if entry else []

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

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str, where: str) -> Manifest:
        """Parse a manifest; `where` names it in the error when it is corrupt."""
        try:
            data = json.loads(text)
            files = {name: FileEntry(**entry) for name, entry in data.pop("files").items()}
            return cls(files=files, **data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise IndexCorruptError(f"index manifest {where} is corrupt ({exc}); rebuild with `rag index`") from None

    def write(self, path: Path) -> None:
        path.write_text(self.to_json())

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            text = path.read_text()
        except FileNotFoundError:
            raise IndexCorruptError(f"index manifest {path} is missing; rebuild with `rag index`") from None
        except ValueError as exc:  # not UTF-8
            raise IndexCorruptError(f"index manifest {path} is corrupt ({exc}); rebuild with `rag index`") from None
        return cls.from_json(text, str(path))
