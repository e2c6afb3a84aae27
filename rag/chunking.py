"""Sentence-aware chunking with overlap, keeping exact character offsets.

Every chunk is a span of the original text: `document.text[chunk.start:chunk.end] == chunk.text`.
Citations are built from these offsets, so the invariant is what lets a user jump
from an answer to the exact words in the file.

Chunks are packed from whole sentences up to `max_chars` (a sentence longer than
that is cut at word boundaries). Consecutive chunks share up to `overlap_chars`
of whole trailing sentences, so a fact stated across a sentence boundary is
still whole in at least one chunk. Markdown headings travel with a chunk into
its embedding (through `Chunk.title`), never into its span.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rag.types import Chunk, Document

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before
# whitespace, or at a line break. Abbreviations like "U.S. export" may split early;
# that costs a little chunk packing, never an offset, since spans stay exact.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentence_spans(text: str) -> list[Span]:
    """Non-empty sentence spans with surrounding whitespace trimmed off."""
    spans: list[Span] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        _append_trimmed(text, begin, match.end(), spans)
        begin = match.end()
    _append_trimmed(text, begin, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, out: list[Span]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Span(start, end))


def _split_long(text: str, span: Span, max_chars: int) -> list[Span]:
    """Cut an over-long sentence at the last space before each `max_chars` boundary."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > max_chars:
        cut = text.rfind(" ", start + 1, start + max_chars)
        cut = cut if cut > start else start + max_chars
        _append_trimmed(text, start, cut, pieces)
        start = cut
    _append_trimmed(text, start, span.end, pieces)
    return pieces


def pack_spans(sentences: list[Span], max_chars: int, overlap_chars: int) -> list[Span]:
    """Group consecutive sentences into chunks of at most `max_chars`, overlapping by whole sentences."""
    chunks: list[Span] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j].end - sentences[i].start <= max_chars:
            j += 1
        chunks.append(Span(sentences[i].start, sentences[j - 1].end))
        if j >= len(sentences):
            break
        # Step back over trailing sentences that fit in the overlap, but always advance.
        next_start = j
        while next_start - 1 > i and sentences[j - 1].end - sentences[next_start - 1].start <= overlap_chars:
            next_start -= 1
        i = next_start
    return chunks


def chunk_document(document: Document, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Split a document into overlapping sentence-aligned chunks with offsets and 1-based line numbers."""
    text = document.text
    sentences = [piece for span in sentence_spans(text) for piece in _split_long(text, span, max_chars)]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    headings = [(m.start(), m.group(1)) for m in _MARKDOWN_HEADING.finditer(text)]
    chunks = []
    for span in pack_spans(sentences, max_chars, overlap_chars):
        chunks.append(
            Chunk(
                source=document.source,
                text=text[span.start : span.end],
                start=span.start,
                end=span.end,
                line_start=bisect.bisect_right(line_starts, span.start),
                line_end=bisect.bisect_right(line_starts, span.end - 1),
                title=_context_title(document.title, headings, span.start),
            )
        )
    return chunks


def _context_title(title: str, headings: list[tuple[int, str]], position: int) -> str:
    """The document title, plus the nearest Markdown heading at or before `position` if it differs."""
    nearest = next((h for start, h in reversed(headings) if start <= position), "")
    if nearest and nearest != title:
        return f"{title} / {nearest}" if title else nearest
    return title
