"""The records every layer passes around: chunks, passages, citations, answers.

They are plain dataclasses so that `rag ask --json` is just `Answer.to_dict()`
and the eval report stores the same shape the CLI prints.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Document:
    """A loaded file: its text exactly as decoded, and where it came from."""

    source: str  # path as given to the indexer, relative to the corpus root's parent when possible
    text: str
    title: str  # first heading or first line; goes into each chunk's embedding, not its span
    page_starts: tuple[int, ...] = ()  # PDF: offset in `text` where each page begins, page 1 first; () if not paged


@dataclass(frozen=True)
class Chunk:
    """A span of a document. Invariant: `document.text[start:end] == text`."""

    source: str
    text: str
    start: int  # character offset in the decoded file
    end: int
    line_start: int  # 1-based, inclusive; counted from the top of the page when `page` is set
    line_end: int
    title: str
    about: str = ""  # the document's subject and period, e.g. "Acme Corporation · FY2022" (rag/metadata.py)
    page: int | None = None  # 1-based PDF page; a chunk never crosses a page break
    # For a table chunk: the caption, units line ("(in millions)") and column headers above its rows,
    # which are not in its span. Shown to the model before the text; read by rag.numbers.table_scale.
    context: str = ""

    def embedding_text(self) -> str:
        """What the embedder sees: the title gives a passage its topic; `about` its subject and period,
        so a question about one year's report does not find another's."""
        heading = self.title if self.title and self.title not in self.text else ""
        about = self.about if self.about and self.about not in f"{heading}\n{self.text}" else ""
        return "\n".join(part for part in (about, heading, self.context, self.text) if part)


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the scores that ranked it."""

    chunk: Chunk
    score: float  # fused score (reciprocal rank fusion), higher is better
    dense_rank: int | None = None  # 1-based rank in the dense list, None if absent
    lexical_rank: int | None = None  # 1-based rank in the BM25 list, None if absent

    def to_dict(self) -> dict[str, Any]:
        """A passage as the HTTP API shows it (`/v1/search`, the `sources` event): where it is, its text, its scores."""
        chunk = self.chunk
        return {
            "source": chunk.source,
            "page": chunk.page,
            "line_start": chunk.line_start,
            "line_end": chunk.line_end,
            "start": chunk.start,
            "end": chunk.end,
            "text": chunk.text,
            "score": self.score,
            "dense_rank": self.dense_rank,
            "lexical_rank": self.lexical_rank,
        }


@dataclass(frozen=True)
class Span:
    """An exact span of a source document. Invariant: the document's text[start:end] == quote."""

    source: str
    start: int  # character offsets in the (extracted) document text
    end: int
    line_start: int  # 1-based, inclusive; counted from the top of the page when `page` is set
    line_end: int
    quote: str
    page: int | None = None  # 1-based PDF page of the quote


@dataclass(frozen=True)
class Citation(Span):
    """A span cited in an answer, numbered by the [n] marker that refers to it."""

    id: int = 0  # the [n] marker used in the answer text, 1-based


@dataclass(frozen=True)
class NumberCheck:
    """One number of the answer text and whether a cited quote backs it."""

    text: str  # as written in the answer, e.g. "$22 billion"
    value: float  # normalised: scale applied, percent as the number before %
    unit: str  # e.g. "USD", "CNY", "%", "year", "TOPS", "" for a bare count
    supported: bool
    citation_ids: list[int] = field(default_factory=list)
    derived: str | None = None  # the computation code did, e.g. "12000000000 - 7000000000"
    start: int | None = None  # offsets of `text` in the answer text, so a front end need not re-parse it
    end: int | None = None


class RejectionKind(str, Enum):
    """Why the claim gate refused a claim; a str so that JSON shows the value."""

    UNKNOWN_PASSAGE = "unknown_passage"  # cites a passage that was not retrieved
    NUMBER_NOT_IN_PASSAGE = "number_not_in_passage"
    WORDS_NOT_IN_PASSAGE = "words_not_in_passage"
    OFF_QUESTION = "off_question"  # a true sentence that does not answer the question
    NOT_A_SENTENCE = "not_a_sentence"  # a run of copied table cells, not a statement a reader can check
    WRONG_KIND = "wrong_kind"  # gives no figure of the kind or unit the question asks for
    NO_FIGURE = "no_figure"  # the question asks for a figure; the claim gives none
    OTHER_COLUMN = "other_column"  # a table cell of another column than the one the question names
    OTHER_TABLE = "other_table"  # a figure under another numbered table's caption than the one the question names
    OTHER_ROW = "other_row"  # the question's figure falls in a bracket table's row; the claim's figures are not from it
    OTHER_PERIOD = "other_period"  # its document or column is about another period than asked
    OTHER_SUBJECT = "other_subject"  # its document is about another subject than asked
    INSTRUCTION = "instruction"  # rests on a sentence addressed to an AI, not on evidence
    BAD_CALCULATION = "bad_calculation"  # an operand not quoted, the same figure twice, mismatched units
    WRONG_OPERANDS = "wrong_operands"  # operands are not the two things the question compares


@dataclass(frozen=True)
class DroppedClaim:
    """A claim the gate refused, and why."""

    statement: str
    kind: RejectionKind
    reason: str  # for people: names the figure, passage or period at fault


@dataclass(frozen=True)
class Repair:
    """A claim the gate fixed rather than refused (re-cited to the passage that states its figures)."""

    statement: str
    repair: str


@dataclass(frozen=True)
class TextDelta:
    """A verified piece of answer text, ready to show."""

    text: str


@dataclass(frozen=True)
class SourcesEvent:
    """The passages the model is about to read: shown before any model text."""

    passages: list[Passage]


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
    dropped: list[DroppedClaim] = field(default_factory=list)  # claims removed by the claim gate, with why
    repairs: list[Repair] = field(default_factory=list)  # claims fixed by the claim gate, with how

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of `rag ask --json`."""
        data = asdict(self)
        data["passages"] = [
            {
                "source": p.chunk.source,
                "page": p.chunk.page,
                "start": p.chunk.start,
                "end": p.chunk.end,
                "line_start": p.chunk.line_start,
                "line_end": p.chunk.line_end,
                "score": p.score,
            }
            for p in self.passages
        ]
        return data
