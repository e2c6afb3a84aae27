"""The records every layer passes around: chunks, passages, citations, answers.

They are plain dataclasses so that `rag ask --json` is just `Answer.to_dict()`
and the eval report stores the same shape the CLI prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """A loaded file: its text exactly as decoded, and where it came from."""

    source: str  # path as given to the indexer, relative to the corpus root's parent when possible
    text: str
    title: str  # first heading or first line; goes into each chunk's embedding, not its span


@dataclass(frozen=True)
class Chunk:
    """A span of a document. Invariant: `document.text[start:end] == text`."""

    source: str
    text: str
    start: int  # character offset in the decoded file
    end: int
    line_start: int  # 1-based, inclusive
    line_end: int
    title: str

    def embedding_text(self) -> str:
        """What the embedder sees: the title gives a passage its topic."""
        return f"{self.title}\n{self.text}" if self.title and self.title not in self.text else self.text


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    score: float  # fused score (reciprocal rank fusion), higher is better
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    lexical_rank: int | None = None  # 1-based rank in the BM25 list, None if absent


@dataclass(frozen=True)
class Citation:
    """An exact supporting span inside a retrieved passage."""

    id: int  # the [n] marker used in the answer text, 1-based
    source: str
    start: int  # character offsets of `quote` in the source file
    end: int
    line_start: int
    line_end: int
    quote: str  # == source text[start:end]


@dataclass(frozen=True)
class NumberCheck:
    """One number of the answer text and whether a cited quote backs it."""

    text: str  # as written in the answer, e.g. "$22 billion"
    value: float  # normalised: scale applied, percent as the number before %
    unit: str  # e.g. "USD", "CNY", "%", "year", "TOPS", "" for a bare count
    supported: bool
    citation_ids: list[int] = field(default_factory=list)
    derived: str | None = None  # the computation code did, e.g. "12000000000 - 7000000000"


@dataclass
class Answer:
    """What `ask()` returns; the CLI, the UI and the eval all read this."""

    question: str
    answer: str  # plain text with [n] markers that index `citations`
    abstained: bool
    citations: list[Citation]
    numbers: list[NumberCheck]
    conflict: bool
    model: str
    timings: dict[str, float]  # retrieve_ms, first_token_ms, total_ms
    passages: list[Passage] = field(default_factory=list)  # what the model saw, in prompt order
    dropped: list[dict[str, str]] = field(default_factory=list)  # claims removed by verification, with why
    repairs: list[dict[str, str]] = field(default_factory=list)  # claims fixed by verification, with how

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `rag ask --json`."""
        data = asdict(self)
        data["passages"] = [
            {
                "source": p.chunk.source,
                "start": p.chunk.start,
                "end": p.chunk.end,
                "line_start": p.chunk.line_start,
                "line_end": p.chunk.line_end,
                "score": p.score,
            }
            for p in self.passages
        ]
        return data
