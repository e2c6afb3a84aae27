"""Sentence-aware chunking with overlap, table-aware for rows, keeping exact character offsets.

Every chunk is a span of the original text: `document.text[chunk.start:chunk.end] == chunk.text`.
Citations are built from these offsets, so the invariant is what lets a user jump
from an answer to the exact words in the file.

Prose is packed from whole sentences up to `max_chars` (a sentence longer than
that is cut at word boundaries). Consecutive chunks share up to `overlap_chars`
of whole trailing sentences, so a fact stated across a sentence boundary is
still whole in at least one chunk. Markdown headings travel with a chunk into
its embedding (through `Chunk.title`), never into its span.

Tables are chunked by rows. A run of table rows (see `is_row`) is packed into
chunks of whole rows without overlap, and each of its chunks carries in
`Chunk.context` the lines just above the rows (caption, column headers) and the
table's units line ("(in millions)", found by `rag.numbers.table_scale`): a row
of bare figures is meaningless without them, and the verifier reads its scale
from there. The context is not part of the span; it goes into the embedding and
the prompt.

A paged document (PDF) is chunked page by page: no chunk crosses a page break,
so each has one `page`, and its line numbers count from the top of that page.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from rag.formats.tables import CURRENCY_SIGNS, FIGURE_CELL, YEAR_CELL
from rag.numbers import table_scale
from rag.types import Chunk, Document

# A sentence ends at . ! ? (optionally followed by closing quotes or brackets) before
# whitespace and a word that does not start in lower case, or at a line break: "the U.S.
# operations" and "e.g. the" go on. Other abbreviations ("Dr. Smith") may split early;
# that costs a little chunk packing, never an offset, since spans stay exact. A line
# break before a lower-case word goes on too (see `_wraps`).
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=[^\S\n]*\n|[^\S\n]+(?![a-z])|$)|\n")
_MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)

# A table cell holding a figure: "1,577", "(370)", "-12.5", "$ 1,577", "45%", or a dash for "none".
_ROW_MIN_FIGURES = 2  # a line is a row when it ends in this many figures (one per column) ...
_ROW_FIGURE_SHARE = 0.5  # ... or when at least this share of its words are figures
_LABEL_MAX_CHARS = 80  # a non-row line this short inside a table is a row label or sub-heading, not prose
_MAX_GAP_LINES = 2  # label lines in a row a table may hold before it is over
_CONTEXT_LINES = 8  # lines above a table's first row taken as its caption and headers (often wrapped)
_CONTEXT_LINE_MAX = 200
_UNITS_LOOKBACK = 25  # lines above a table searched for its caption ("Table 12. ...") and units line
_CONTEXT_MAX_CHARS = 400
_SENTENCE = re.compile(r"^(?:\S+\s+){4,}.*[.!?]$")  # five or more words ending a sentence: prose, not a header
# "Table 12. ...", "Exhibit 4", or a title that names its table ("2007 Tax Table - Continued")
_CAPTION = re.compile(r"^(?:Table|Exhibit|Schedule|Figure)\s+[\w.-]+|\b(?:Table|Exhibit)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    start: int
    end: int


def sentence_spans(text: str) -> list[Span]:
    """Non-empty sentence spans with surrounding whitespace trimmed off."""
    spans: list[Span] = []
    begin = 0
    for match in _SENTENCE_END.finditer(text):
        if match.group() == "\n" and _wraps(text, match.start()):
            continue
        _append_trimmed(text, begin, match.end(), spans)
        begin = match.end()
    _append_trimmed(text, begin, len(text), spans)
    return spans


def _wraps(text: str, newline: int) -> bool:
    """Whether the line break at `newline` only wraps a sentence: hard-wrapped prose ("The first 500 rows
    are\nthe training part.") goes on in lower case. A table row on either side ends its line."""
    line = text[text.rfind("\n", 0, newline) + 1 : newline]
    end = text.find("\n", newline + 1)
    following = text[newline + 1 : len(text) if end < 0 else end]
    words = following.lstrip(" \t")
    return bool(line.strip()) and words[:1].islower() and not is_row(line) and not is_row(following)


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


# --------------------------------------------------------------------------- tables


def is_row(line: str) -> bool:
    """A table row: a rendered row ("Label | 2018: 1,577"), or a line of figures ("Total . . 1,577 (370) 12.5")."""
    if " | " in line and ": " in line:
        return True
    cells = [w for w in line.split() if w not in CURRENCY_SIGNS and set(w) != {"."}]  # "$ 1,577", dot leaders
    figure = [bool(FIGURE_CELL.match(w)) and not YEAR_CELL.match(w) for w in cells]
    if sum(figure) < _ROW_MIN_FIGURES:
        return False
    trailing = next((i for i, f in enumerate(reversed(figure)) if not f), len(figure))
    return trailing >= _ROW_MIN_FIGURES or sum(figure) / len(cells) >= _ROW_FIGURE_SHARE


@dataclass(frozen=True)
class _Table:
    start: int  # offset of the first row
    end: int  # end of the last row
    lines: list[Span]  # rows and the label lines between them
    context: str


def find_tables(text: str, start: int, end: int) -> list[_Table]:
    """The tables in text[start:end]: runs of rows, each with the caption, headers and units line above it."""
    lines = _lines(text, start, end)
    rows = [is_row(text[line.start : line.end]) for line in lines]
    tables: list[_Table] = []
    i = 0
    while i < len(lines):
        if not rows[i]:
            i += 1
            continue
        last, gap, j = i, 0, i + 1
        while j < len(lines) and gap <= _MAX_GAP_LINES:
            if rows[j]:
                last, gap = j, 0
            elif len(text[lines[j].start : lines[j].end]) <= _LABEL_MAX_CHARS:
                gap += 1
            else:
                break
            j += 1
        if sum(rows[i : last + 1]) >= _ROW_MIN_FIGURES:
            tables.append(_Table(lines[i].start, lines[last].end, lines[i : last + 1], _context(text, lines, i)))
        i = last + 1
    return tables


def _lines(text: str, start: int, end: int) -> list[Span]:
    spans, position = [], start
    while position < end:
        newline = text.find("\n", position, end)
        stop = end if newline < 0 else newline
        _append_trimmed(text, position, stop, spans)
        position = stop + 1
    return spans


def _context(text: str, lines: list[Span], first_row: int) -> str:
    """The short lines right above a table (caption, column headers), and its units line if further up."""
    above: list[str] = []
    for line in reversed(lines[max(0, first_row - _CONTEXT_LINES) : first_row]):
        content = text[line.start : line.end]
        if len(content) > _CONTEXT_LINE_MAX or _SENTENCE.search(content):
            break  # prose: the table's header is below it
        above.insert(0, content)
    further = [text[line.start : line.end] for line in lines[max(0, first_row - _UNITS_LOOKBACK) : first_row - len(above)]]
    for wanted in (table_scale, _CAPTION.search):  # units first, then the caption above it
        if not any(wanted(line) for line in above):
            found = next((line for line in reversed(further) if wanted(line)), None)
            if found is not None:
                above.insert(0, found[:_CONTEXT_LINE_MAX])
    return _fit(above)


def _fit(lines: list[str]) -> str:
    """The context lines within _CONTEXT_MAX_CHARS: the caption and units line wherever they are, then the
    header lines nearest the rows. Wrapped headers are long; the title above them says which table it is."""
    kept = {i for i, line in enumerate(lines) if table_scale(line) or _CAPTION.search(line)}
    size = sum(len(lines[i]) + 1 for i in kept)
    for i in reversed(range(len(lines))):
        if i in kept:
            continue
        if size + len(lines[i]) + 1 > _CONTEXT_MAX_CHARS:
            break
        kept.add(i)
        size += len(lines[i]) + 1
    return "\n".join(lines[i] for i in sorted(kept))


def _pack_rows(text: str, table: _Table, max_chars: int) -> list[Span]:
    """Whole lines of a table, packed up to `max_chars` without overlap; an over-long line is cut at spaces."""
    pieces = [piece for line in table.lines for piece in _split_long(text, line, max_chars)]
    return pack_spans(pieces, max_chars, 0)


# --------------------------------------------------------------------------- documents


def chunk_document(document: Document, max_chars: int, overlap_chars: int) -> list[Chunk]:
    """Split a document into chunks with offsets and 1-based line numbers: prose by sentences, tables by rows."""
    text = document.text
    headings = [(m.start(), m.group(1)) for m in _MARKDOWN_HEADING.finditer(text)]
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    chunks: list[Chunk] = []
    for page, (segment_start, segment_end) in _segments(document):
        first_line = bisect.bisect_right(line_starts, segment_start) - 1 if page is not None else 0
        pieces: list[tuple[Span, str]] = []
        cursor = segment_start
        for table in find_tables(text, segment_start, segment_end):
            pieces += [(span, "") for span in _prose(text, cursor, table.start, max_chars, overlap_chars)]
            pieces += [(span, table.context) for span in _pack_rows(text, table, max_chars)]
            cursor = table.end
        pieces += [(span, "") for span in _prose(text, cursor, segment_end, max_chars, overlap_chars)]
        for span, context in pieces:
            chunks.append(
                Chunk(
                    source=document.source,
                    text=text[span.start : span.end],
                    start=span.start,
                    end=span.end,
                    line_start=bisect.bisect_right(line_starts, span.start) - first_line,
                    line_end=bisect.bisect_right(line_starts, span.end - 1) - first_line,
                    title=_context_title(document.title, headings, span.start),
                    page=page,
                    context=context,
                )
            )
    return chunks


def _segments(document: Document) -> list[tuple[int | None, tuple[int, int]]]:
    """(page, (start, end)) for each page of a paged document, else the whole text with page None."""
    starts = document.page_starts
    if not starts:
        return [(None, (0, len(document.text)))]
    ends = [*starts[1:], len(document.text)]
    return [(number, (start, end)) for number, (start, end) in enumerate(zip(starts, ends), start=1)]


def _prose(text: str, start: int, end: int, max_chars: int, overlap_chars: int) -> list[Span]:
    sentences = [
        piece
        for span in sentence_spans(text[start:end])
        for piece in _split_long(text, Span(span.start + start, span.end + start), max_chars)
    ]
    return pack_spans(sentences, max_chars, overlap_chars)


def _context_title(title: str, headings: list[tuple[int, str]], position: int) -> str:
    """The document title, plus the nearest Markdown heading at or before `position` if it differs."""
    nearest = next((h for start, h in reversed(headings) if start <= position), "")
    if nearest and nearest != title:
        return f"{title} / {nearest}" if title else nearest
    return title
