"""A page drawn line by line across two or three columns of text, read one column after the other.

PDFium writes a page's characters in the order they were drawn, and some typesetters draw a
page of columns line by line across them, so its text comes out with the columns' lines
interleaved ("connected with a U.S. trade or box 3, 4, or 5; or $234,600 if you") and a
sentence is cut by another column's words. The characters' positions tell the columns apart:

- characters drawn one after another, each beside the one before, make a run; runs at one
  height make a row, split into pieces at gaps wider than a word space;
- a gutter is the upright strip in the middle part of the text that the fewest rows cross
  (at most half of them: a heading or a worksheet may run across the columns);
- rows that cross the gutter, and table rows of three or more figures, stay whole where
  they are; each run of rows between them is read left side, then right side, when both
  sides are running text (`_two_columns`): enough rows of words with no program marks, a
  left side whose lines end near the gutter and a right side whose lines start at it (or a
  side that is itself two columns of words), a gutter wider than justified lines' word
  gaps, both sides about as full, and PDFium turning from one side to the other within its
  lines. Each side is searched again for a gutter of its own (three columns).

Each column keeps PDFium's own text, in PDFium's order. A page PDFium already wrote column
after column, a table of names beside descriptions (each cell written whole), a code listing
with comments beside it: all keep PDFium's text character for character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

import numpy

from rag.formats.pdf_tables import Box, wide_gap
from rag.formats.tables import FIGURE_CELL

_MIN_COLUMN = 72.0  # points: a column of running text is an inch wide or more
_FILLED = 0.33  # rows of the shorter side per row of the longer, at least
_INTERLEAVED = 0.25  # share of the shorter side's rows PDFium wrote on lines of the other side's
_MIN_GUTTER = 9.0  # points between columns, at least: justified lines space their words up to ~6 or 8
_MIDDLE = 0.2  # a gutter lies this share of the text's width or more from either side
_MAX_CROSSING = 0.5  # share of the region's rows that may cross its gutter (headings, a box across the columns)
_MIN_SIDE_ROWS = 6  # rows of running text each side of a gutter, at least
_PROSE_SHARE = 0.6  # share of each side's rows that must read as running text
_CODE_MARKS = frozenset("*_<>{}=#&\\|")
_LINE_WORDS = 3  # words of two letters or more on a line of running text, at least
_MIN_CELLS = 3  # figure cells that make a row a table's
_RAGGED = 0.2  # a left column's line ends within this share of its width from the column's right edge
_ALIGN = 3.0  # points a right column's lines may start from its left edge (an indent is more)
_LOOK_BACK = 4  # rows a run may join: the last few begun, its line among them
_WORD = re.compile(r"(?<![\w#])[^\W\d_]{2,}(?!\w)")  # a word of letters, not part of a name like "BYTE_IMG"


@dataclass(frozen=True)
class _Piece:
    chars: tuple[int, ...]  # indexes into the page text, left to right
    left: float
    right: float
    text: str  # its characters with their word spaces
    lines: frozenset[int]  # the lines of PDFium's text its characters are on


@dataclass(frozen=True)
class _Row:
    pieces: tuple[_Piece, ...]  # left to right

    @property
    def left(self) -> float:
        return self.pieces[0].left

    @property
    def right(self) -> float:
        return self.pieces[-1].right

    def part(self, low: float, high: float) -> _Row | None:
        """The row's pieces within [low, high), or None."""
        pieces = tuple(p for p in self.pieces if low <= p.left and p.right < high)
        return _Row(pieces) if pieces else None


def read_columns(text: str, boxes: list[Box]) -> tuple[str, list[Box]]:
    """The page's text (one box per character) with its columns read one after another; as it is
    when the page has no columns of running text."""
    rows = _rows(text, boxes)
    if not rows:
        return text, boxes
    blocks = _read(rows, min(r.left for r in rows), max(r.right for r in rows) + 1)
    if blocks is None:
        return text, boxes
    return _in_block_order(text, boxes, blocks)


def _in_block_order(text: str, boxes: list[Box], blocks: list[list[_Row]]) -> tuple[str, list[Box]]:
    """The page's characters block after block, each block's in PDFium's order, so a block's text is
    PDFium's own; a space or line break belongs to the character before it. Where another block's
    characters came between two of a block's, a line break (or a space, on the same line) joins them."""
    block_of = [-1] * len(text)
    for number, block in enumerate(blocks):
        for row in block:
            for piece in row.pieces:
                for index in piece.chars:
                    block_of[index] = number
    current = next((b for b in block_of if b >= 0), 0)
    for index, number in enumerate(block_of):
        if number < 0:
            block_of[index] = current
        else:
            current = number
    members: list[list[int]] = [[] for _ in blocks]
    for index, number in enumerate(block_of):
        members[number].append(index)
    out_chars: list[str] = []
    out_boxes: list[Box] = []
    for indexes in members:
        visible = None  # the block's last character written that is not a space
        previous = None
        for index in indexes:
            if visible is None or (index > previous + 1 and not _same_line(boxes[visible], boxes[index])):
                while out_chars and out_chars[-1] in " \t":
                    out_chars.pop()
                    out_boxes.pop()
                if out_chars and out_chars[-1] != "\n":
                    out_chars.append("\n")
                    out_boxes.append(out_boxes[-1])
            elif index > previous + 1 and not text[previous].isspace():
                out_chars.append(" ")
                out_boxes.append(boxes[previous])
            out_chars.append(text[index])
            out_boxes.append(boxes[index])
            previous = index
            if not text[index].isspace():
                visible = index
    return "".join(out_chars), out_boxes


def _same_line(before: Box, after: Box) -> bool:
    return after[1] < before[3] and after[3] > before[1]


def _spaced(text: str, boxes: list[Box], before: int, after: int) -> bool:
    """Whether a word space stands between two characters of a row: as PDFium wrote it when they
    were drawn one after the other, else when the gap is wider than a third of their height."""
    if after == before + 1:
        return False
    if after == before + 2 and text[before + 1] == " ":
        return True
    height = max(boxes[before][3] - boxes[before][1], boxes[after][3] - boxes[after][1], 1.0)
    return boxes[after][0] - boxes[before][2] > 0.3 * height


def _rows(text: str, boxes: list[Box]) -> list[_Row]:
    """The page's visible characters as rows, top to bottom, each split into pieces.

    A run is characters drawn one after another, each beside the one before; its box (from its
    lowest descender to its highest capital) is steadier than a single character's, so rows
    are made of runs: a run joins the row whose first run it overlaps by half its height."""
    runs = _runs(text, boxes)
    runs.sort(key=lambda run: -max(boxes[i][3] for i in run))
    groups: list[list[int]] = []
    spans: list[tuple[float, float]] = []  # each row's first run's bottom and top
    for run in runs:
        bottom, top = min(boxes[i][1] for i in run), max(boxes[i][3] for i in run)
        for group, span in zip(reversed(groups[-_LOOK_BACK:]), reversed(spans[-_LOOK_BACK:])):
            if min(top, span[1]) - max(bottom, span[0]) >= 0.5 * min(top - bottom, span[1] - span[0]):
                group.extend(run)
                break
        else:
            groups.append(list(run))
            spans.append((bottom, top))
    line_of = list(accumulate((ch == "\n" for ch in text), initial=0))  # PDFium's line of each character
    return [_row(group, text, boxes, line_of) for group in groups]


def _runs(text: str, boxes: list[Box]) -> list[list[int]]:
    """The visible characters in PDFium's order, cut wherever one is not beside the one before."""
    runs: list[list[int]] = []
    for index, char in enumerate(text):
        box = boxes[index]
        if char.isspace() or box[3] <= box[1]:
            continue
        if runs:
            before = boxes[runs[-1][-1]]
            ahead = box[0] - before[2] > -max(before[3] - before[1], box[3] - box[1])  # not back at a line's start
            if ahead and not wide_gap(before, box) and _same_line(before, box):
                runs[-1].append(index)
                continue
        runs.append([index])
    return runs


def _row(group: list[int], text: str, boxes: list[Box], line_of: list[int]) -> _Row:
    group.sort(key=lambda i: boxes[i][0])
    pieces: list[_Piece] = []
    current: list[int] = []
    for index in group:
        if current and wide_gap(boxes[current[-1]], boxes[index]):
            pieces.append(_piece(current, text, boxes, line_of))
            current = []
        current.append(index)
    pieces.append(_piece(current, text, boxes, line_of))
    return _Row(tuple(pieces))


def _piece(chars: list[int], text: str, boxes: list[Box], line_of: list[int]) -> _Piece:
    words = text[chars[0]]
    for before, after in zip(chars, chars[1:]):
        words += (" " if _spaced(text, boxes, before, after) else "") + text[after]
    lines = frozenset(line_of[i] for i in chars)
    return _Piece(tuple(chars), boxes[chars[0]][0], max(boxes[i][2] for i in chars), words, lines)


def _read(rows: list[_Row], low: float, high: float) -> list[list[_Row]] | None:
    """The rows as blocks in reading order: each run of rows beside the region's gutter that is two
    columns of running text makes a block of each side (each side searched again), the rows between
    such runs one block as they are; None when no run is two columns."""
    gutter = _gutter(rows, low, high)
    if gutter is None:
        return None
    blocks: list[list[_Row]] = []
    whole: list[_Row] = []  # rows read as they are, since the last split run
    band: list[_Row] = []

    def flush() -> None:
        lefts, rights = _sides(band, low, gutter, high)
        left_blocks, right_blocks = _read(lefts, low, gutter), _read(rights, gutter, high)
        # Sides PDFium wrote one after the other are split only when one of them interleaves
        # columns of its own (three columns, the first two drawn line by line across).
        if _two_columns(band, gutter, lefts, rights, low, high) or left_blocks or right_blocks:
            if whole:
                blocks.append(whole.copy())
                whole.clear()
            blocks.extend(left_blocks or [lefts])
            blocks.extend(right_blocks or [rights])
        else:
            whole.extend(band)
        band.clear()

    for row in rows:
        if _crosses(row, gutter) or _figure_row(row):
            flush()
            whole.append(row)
        else:
            band.append(row)
    flush()
    if not blocks:
        return None
    return blocks + [whole] if whole else blocks


def _sides(rows: list[_Row], low: float, gutter: float, high: float) -> tuple[list[_Row], list[_Row]]:
    """The rows' parts left of the gutter and right of it (rows with nothing on a side left out of it)."""
    lefts = [part for row in rows if (part := row.part(low, gutter)) is not None]
    rights = [part for row in rows if (part := row.part(gutter, high)) is not None]
    return lefts, rights


def _gutter(rows: list[_Row], low: float, high: float) -> float | None:
    """The x of the upright strip in the middle part of [low, high) that the fewest rows cross, or
    None when more than half of them cross it."""
    start, stop = int(low), int(high) + 1
    width = stop - start
    if len(rows) < _MIN_SIDE_ROWS or width < 2 * _MIN_COLUMN:
        return None
    crossing = numpy.zeros(width, dtype=numpy.int32)
    for row in rows:
        for piece in row.pieces:
            crossing[max(0, int(piece.left) - start) : max(0, int(piece.right) - start + 1)] += 1
    margin = int(_MIDDLE * width)
    middle = crossing[margin : width - margin]
    if middle.min() > _MAX_CROSSING * len(rows):
        return None
    run = numpy.flatnonzero(middle == middle.min())
    return start + margin + float(run[len(run) // 2])  # the middle of the emptiest strip's positions


def _two_columns(
    band: list[_Row], gutter: float, lefts: list[_Row], rights: list[_Row], low: float, high: float
) -> bool:
    """Whether a run of rows is two columns of running text that PDFium interleaved. Text PDFium
    already wrote one side after the other (columns in order, a table's cells) is read as it is,
    and so are words of justified lines that line up by chance (too narrow a gap)."""
    return (
        _interleaved(lefts, rights)
        and _typical_gap(band, gutter) >= _MIN_GUTTER
        and _running_text(lefts, low, gutter, flush_right=True)
        and _running_text(rights, gutter, high, flush_right=False)
    )


def _interleaved(lefts: list[_Row], rights: list[_Row]) -> bool:
    """Whether PDFium wrote the two sides' lines into the same lines of its text, as it does when
    a page was drawn line by line across its columns, and both sides are about as full (a table's
    cells of a line or two beside paragraphs are not a column of text). PDFium may write many of
    the page's lines as one, so what is counted is how often its text turns from one side to the
    other within one of its lines."""
    shorter, longer = sorted((len(lefts), len(rights)))
    if shorter < _FILLED * longer:
        return False
    pieces = sorted(
        [(p.chars[0], 0, p.lines) for row in lefts for p in row.pieces]
        + [(p.chars[0], 1, p.lines) for row in rights for p in row.pieces]
    )
    turns = sum(1 for a, b in zip(pieces, pieces[1:]) if a[1] != b[1] and a[2] & b[2])
    return turns >= _INTERLEAVED * shorter


def _typical_gap(rows: list[_Row], gutter: float) -> float:
    """The median space between a row's last piece left of the gutter and its first right of it
    (a gutter is as wide on every row; a row or two of words may come close to it by chance)."""
    gaps = sorted(
        min(p.left for p in row.pieces if p.left >= gutter) - max(p.right for p in row.pieces if p.right < gutter)
        for row in rows
        if row.left < gutter < row.right
    )
    return gaps[len(gaps) // 2] if gaps else float("inf")


def _running_text(rows: list[_Row], low: float, high: float, flush_right: bool) -> bool:
    """Whether rows are a column of running text: enough of them, most are words, and most line up
    on the column's inner edge (a left column's lines end near its right edge, a right column's
    begin at its left edge), as a table's labels do not. A side that is itself columns of words
    (three columns on the page) lines up at its own gutter instead."""
    if not _words(rows):
        return False
    width = max(r.right for r in rows) - min(r.left for r in rows)
    if flush_right:
        edge = max(r.right for r in rows)
        aligned = sum(1 for row in rows if edge - row.right <= _RAGGED * width)
    else:
        edge = min(r.left for r in rows)
        aligned = sum(1 for row in rows if row.left - edge <= _ALIGN)
    return aligned >= _PROSE_SHARE * len(rows) or _columns_of_words(rows, low, high)


def _words(rows: list[_Row]) -> bool:
    """Enough rows, most of them words, not code or a table's figures."""
    prose = sum(1 for row in rows if _reads_as_text(" ".join(p.text for p in row.pieces)))
    return len(rows) >= _MIN_SIDE_ROWS and prose >= _PROSE_SHARE * len(rows)


def _columns_of_words(rows: list[_Row], low: float, high: float) -> bool:
    """Whether rows stand in two columns of words, a gutter between them."""
    gutter = _gutter(rows, low, high)
    if gutter is None:
        return False
    beside = [row for row in rows if not _crosses(row, gutter)]
    lefts, rights = _sides(beside, low, gutter, high)
    return _typical_gap(beside, gutter) >= _MIN_GUTTER and _words(lefts) and _words(rights)


def _reads_as_text(line: str) -> bool:
    """Words, and none of a program's marks ("*fptr", "BYTE_IMG", "#define", "x = 1")."""
    return len(_WORD.findall(line)) >= _LINE_WORDS and not _CODE_MARKS.intersection(line)


def _crosses(row: _Row, x: float) -> bool:
    return any(p.left < x <= p.right for p in row.pieces)


def _figure_row(row: _Row) -> bool:
    """A table's row: three or more pieces that are figures."""
    return sum(1 for p in row.pieces if FIGURE_CELL.match(p.text)) >= _MIN_CELLS
