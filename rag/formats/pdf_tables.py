"""PDF tables whose column headers are stacked over several lines, rewritten so each cell names its header.

PDFium writes a statistical table's header in the order its pieces were drawn: "Total Male
Female" on one line, then "Total", "Under 18", "years", "18 years", "and over" and so on,
each a line of its own. No rule over that text can tell which header the seventh of a
row's nine figures sits under, and neither can a reader. The characters' positions can:

- a row is a text line ending in three or more cells (figures, dashes, "(X)"), and a table
  is three or more such rows with the same number of cells whose right edges line up
  (up to three label lines between rows continue the next row's name: "Murder and
  nonnegligent" / "manslaughter");
- its header is the short lines just above the first row, below any caption ("Table A-2. ...")
  or units line;
  a header piece stands over the columns whose width (from the middle of the gap before
  it to the middle of the gap after) holds 40% of it, and a top line of pieces that divides
  the columns evenly, each piece over its own share ("Total Male Female" over nine
  columns), labels each share;
- a column's header is its pieces from top to bottom ("Male" + "Under 18" + "years");
- a table that runs on over the next page without repeating its header (rows at the top of
  the page, their cells' right edges where the last table of the page before had them) is
  read under that table's caption and header, written again above its rows.

Only a table with row names, whose header is stacked and gives every column a label of its
own, each different, is rewritten, as `tables.row_line` writes any table ("Offense charged:
Robbery | Male Under 18 years: 22.9"). Anything else keeps PDFium's text: a one-line header
is read by `rag.answering.columns`, rows of figures only (tables of brackets) by
`rag.answering.lookup`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rag.formats.tables import CELL_SEPARATOR, FIGURE_CELL, YEAR_CELL, row_line

Box = tuple[float, float, float, float]  # left, bottom, right, top, in PDF points (y grows upwards)

# Points between two characters that start a new piece of a line: wider than a word space of the font.
_GAP = 3.0
_GAP_HEIGHTS = 0.8  # ... in heights of the taller character beside the gap (a word space is ~0.3)
_ALIGN = 4.0  # points two cells' right edges may differ by and still share a column
_MIN_CELLS = 3
_MIN_ROWS = 3
_HEADER_LINES = 24  # PDFium may write each header piece on a line of its own
_HEADER_MAX_CHARS = 60
_NAME_LINES = 3  # label lines a row's name may wrap onto above its cells ("Bessel 1841" / "Ethiopia," / "Japan")
_CAPTION = re.compile(r"^(?:Table|Exhibit|Schedule|Figure)\s+[A-Z]?[-.]?\d", re.IGNORECASE)  # "Table A-2.", "Table 324."
_LEADER = re.compile(r"(?:\s*\.){2,}\s*$")  # ". . . . ." between a row's name and its cells
_NUMERIC_LINE = re.compile(r"(?:\s+(?:\(?-?\d[\d,.]*\)?|[-\u2013\u2014]|\(X\))){3,}\s*$")


@dataclass(frozen=True)
class _Piece:
    """A run of characters of one line with no wide gap: a cell, a header label, a row's name."""

    text: str
    left: float
    right: float
    bottom: float
    top: float

    @property
    def centre(self) -> float:
        return (self.left + self.right) / 2


@dataclass(frozen=True)
class _Line:
    start: int  # offsets into the page text, the line break excluded
    end: int
    pieces: tuple[_Piece, ...]

    def cells(self) -> tuple[_Piece, ...]:
        """The trailing pieces that are cells."""
        count = 0
        for piece in reversed(self.pieces):
            if not FIGURE_CELL.match(piece.text):
                break
            count += 1
        return self.pieces[len(self.pieces) - count :]

    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)

    def name_pieces(self) -> tuple[_Piece, ...]:
        return self.pieces[: len(self.pieces) - len(self.cells())]

    def name(self, before: float = float("inf")) -> str:
        """The row's name: its pieces before the cells (and left of `before`, a text column's edge)."""
        text = " ".join(p.text for p in self.name_pieces() if p.left < before)
        return _LEADER.sub("", text).strip()


@dataclass(frozen=True)
class TableHeading:
    """A rewritten table's caption, headers and its cells' right edges: what a run-on on the next page is read under."""

    rights: tuple[float, ...]
    headers: tuple[str, ...] = field(compare=False)
    caption: str = ""

    def fits(self, columns: list[tuple[float, float]], text_columns: int) -> bool:
        return (
            len(columns) == len(self.rights) and len(self.headers) == len(columns) + text_columns
            and all(abs(c[1] - r) <= _ALIGN for c, r in zip(columns, self.rights))
        )


def wide_gap(before: Box, after: Box) -> bool:
    """Whether the space between two characters of a line is wider than a word space: a new piece
    (a cell, a header label, another column's text) begins."""
    height = max(before[3] - before[1], after[3] - after[1])  # a period's box is a point high
    return after[0] - before[2] > max(_GAP, _GAP_HEIGHTS * height)


def might_hold_tables(text: str) -> bool:
    """Whether a page's text has enough rows of figures to be worth reading its characters' positions."""
    return sum(1 for line in text.splitlines() if _NUMERIC_LINE.search(line)) >= _MIN_ROWS


def restack_tables(
    text: str, boxes: list[Box], running: TableHeading | None = None
) -> tuple[str, TableHeading | None]:
    """`text` (one page, one box per character) with each stacked-header table written row by row with
    headers, and the heading of the page's last such table, which may run on over the next page.
    `running` is the previous page's: the first table of this page may continue it."""
    lines = _lines(text, boxes)
    replacements: list[tuple[int, int, str]] = []
    heading = None
    index = 0
    while index < len(lines):
        block = _block(lines, index)
        if block is None:
            index += 1
            continue
        first, last = block
        rewritten = _rewrite(lines, first, last, running if not replacements else None)
        if rewritten is not None:
            start, end, new, heading = rewritten
            replacements.append((start, end, new))
        index = last + 1
    for start, end, new in reversed(replacements):
        text = text[:start] + new + text[end:]
    return text, heading


def _lines(text: str, boxes: list[Box]) -> list[_Line]:
    lines: list[_Line] = []
    start = 0
    for end in [m.start() for m in re.finditer(r"\r?\n", text)] + [len(text)]:
        lines.append(_Line(start, end, tuple(_pieces(text, boxes, start, end))))
        start = text.index("\n", end) + 1 if end < len(text) else end
    return lines


def _pieces(text: str, boxes: list[Box], start: int, end: int) -> list[_Piece]:
    pieces: list[_Piece] = []
    chars: list[int] = []
    for i in range(start, end):
        if text[i].isspace():
            continue
        previous = boxes[chars[-1]] if chars else None
        if previous and wide_gap(previous, boxes[i]):
            pieces.append(_piece(text, boxes, chars))
            chars = []
        chars.append(i)
    if chars:
        pieces.append(_piece(text, boxes, chars))
    return pieces


def _piece(text: str, boxes: list[Box], chars: list[int]) -> _Piece:
    own = [boxes[i] for i in chars]
    return _Piece(
        " ".join(text[chars[0] : chars[-1] + 1].split()),
        min(b[0] for b in own), max(b[2] for b in own), min(b[1] for b in own), max(b[3] for b in own),
    )


def _block(lines: list[_Line], first: int) -> tuple[int, int] | None:
    """The rows from `first` on that share its cells' columns: (first, last) line indexes, or None."""
    cells = lines[first].cells()
    if len(cells) < _MIN_CELLS:
        return None
    rights = [c.right for c in cells]
    rows, last, labels = 1, first, 0
    for index in range(first + 1, len(lines)):
        line = lines[index]
        own = line.cells()
        if len(own) == len(rights) and all(abs(c.right - r) <= _ALIGN for c, r in zip(own, rights)):
            rows, last, labels = rows + 1, index, 0
        elif line.pieces and labels < _NAME_LINES and max(p.right for p in line.pieces) < cells[0].left:
            labels += 1  # a row name wrapped onto its own line ("Singapore 1948" too), continued by the next row
        else:
            break
    return (first, last) if rows >= _MIN_ROWS else None


def _rewrite(
    lines: list[_Line], first: int, last: int, running: TableHeading | None
) -> tuple[int, int, str, TableHeading] | None:
    """(start, end, text, heading) replacing the header and rows of the table whose rows are
    lines[first:last + 1]; a table with no header of its own that fits `running` is read under it."""
    width = len(lines[first].cells())
    rows = [lines[i] for i in range(first, last + 1) if len(lines[i].cells()) == width]
    if not all(row.name() for row in rows):
        return None  # rows of figures only (a lookup table of brackets): no row names, nothing to restack
    columns = _columns([row.cells() for row in rows])
    names_right = max(p.right for row in rows for p in row.name_pieces())
    code_left = _text_column(rows)
    text_columns = 1 if code_left is None else 2
    header = _header_lines(lines, first, names_right, columns[0][0])
    over_columns = [p for line in header for p in line.pieces if p.left >= names_right]
    if any(FIGURE_CELL.match(p.text) and not YEAR_CELL.match(p.text) for p in over_columns):
        return None  # figures above the columns: another table's rows or a numbered header, not labels
    labels = _column_labels(over_columns, _regions(columns, names_right))
    pending: list[str] = []
    lead: list[str] = []  # a run-on's caption, written again above its header
    above = first - len(header) - 1
    caption = lines[above].text() if above >= 0 and _CAPTION.match(lines[above].text()) else ""
    if labels is not None:
        name_side = [p for line in header for p in line.pieces if p.left < names_right]
        stub = " ".join(p.text for p in name_side if code_left is None or p.left < code_left)
        if code_left is None:
            headers = (stub, *labels)
        else:  # the text column's header pieces, top to bottom ("ID" over "Code")
            code = " ".join(p.text for p in sorted(name_side, key=lambda p: (-p.top, p.left)) if p.left >= code_left)
            headers = (stub, code, *labels)
    elif running is not None and not over_columns and running.fits(columns, text_columns):
        # lines above the rows with nothing over the columns are the first row's name, wrapped
        header = _name_lines(lines, first, columns[0][0])  # replaced with the rows, the first row's name
        headers, pending, caption = running.headers, [line.text() for line in header], running.caption
        lead = [caption] if caption else []
    else:
        return None
    out = [*lead, CELL_SEPARATOR.join(h for h in headers if h)]
    for index in range(first, last + 1):
        line = lines[index]
        if len(line.cells()) != width:
            pending.append(line.text())
            continue
        names = [" ".join(pending + [line.name(float("inf") if code_left is None else code_left)])]
        if code_left is not None:
            names.append(" ".join(p.text for p in line.name_pieces() if p.left >= code_left))
        out.append(row_line(list(headers), names + [c.text for c in line.cells()]))
        pending = []
    start = lines[first - len(header)].start if header else lines[first].start
    return start, lines[last].end, "\r\n".join(out), TableHeading(tuple(right for _, right in columns), headers, caption)


def _text_column(rows: list[_Line]) -> float | None:
    """The left edge of a text column between the row names and the cells ("Code": "AA", "CC"), or None:
    every row's last name piece starts there, some row's name has pieces left of it, and none is a leader."""
    lasts = [row.name_pieces()[-1] for row in rows]
    lefts = [p.left for p in lasts]
    if max(lefts) - min(lefts) > _ALIGN or not any(len(row.name_pieces()) > 1 for row in rows):
        return None
    if not all(any(ch.isalnum() for ch in p.text) for p in lasts):
        return None
    return min(lefts) - _ALIGN


def _name_lines(lines: list[_Line], first: int, cells_left: float) -> list[_Line]:
    """The lines right above the first row that wrap its name: left of the cells, drawn beside the row
    or just above it ("Modified Fischer 1960" / "(South Asia)" beside the cells of "FA")."""
    row = lines[first].pieces
    top, height = max(p.top for p in row), max(p.top - p.bottom for p in row)
    names: list[_Line] = []
    for index in range(first - 1, max(-1, first - 1 - _NAME_LINES), -1):
        pieces = lines[index].pieces
        if not pieces or max(p.right for p in pieces) >= cells_left or min(p.bottom for p in pieces) > top + height:
            break
        names.insert(0, lines[index])
    return names


def _columns(rows: list[tuple[_Piece, ...]]) -> list[tuple[float, float]]:
    """Each column's horizontal extent, over every row's cell in it."""
    return [(min(row[j].left for row in rows), max(row[j].right for row in rows)) for j in range(len(rows[0]))]


def _regions(columns: list[tuple[float, float]], names_right: float) -> list[tuple[float, float]]:
    """The width above each column its header may use: from the row names (or the gap before it) to the
    middle of the gap after it. Figures are set right and headers centred, so a header rarely overlaps its cells."""
    bounds = [names_right] + [(columns[j][1] + columns[j + 1][0]) / 2 for j in range(len(columns) - 1)] + [float("inf")]
    return [(bounds[j], bounds[j + 1]) for j in range(len(columns))]


def _header_lines(lines: list[_Line], first: int, names_right: float, cells_left: float) -> list[_Line]:
    """The short lines right above the first row, drawn above it: the table's header. A line reaching
    from the row names into the cells is a caption or a note, above the header."""
    top = max(p.top for p in lines[first].pieces)
    header: list[_Line] = []
    for index in range(first - 1, max(-1, first - 1 - _HEADER_LINES), -1):
        line = lines[index]
        text = " ".join(p.text for p in line.pieces)
        if (
            not line.pieces or len(text) > _HEADER_MAX_CHARS or _CAPTION.match(text)
            or min(p.bottom for p in line.pieces) < top - 1
            or any(p.left < names_right and p.right > cells_left for p in line.pieces)
        ):
            break
        header.insert(0, line)
    # A line beside the columns' header, not above it, heads the row names ("Offense charged");
    # one above it ("(In thousands)") is the table's units or caption and stays as it is.
    over = [p.top for line in header for p in line.pieces if p.left >= names_right]
    while header and over and all(p.left < names_right and p.bottom > max(over) for p in header[0].pieces):
        header.pop(0)
    return header


def _column_labels(pieces: list[_Piece], regions: list[tuple[float, float]]) -> list[str] | None:
    """Each column's header, its pieces read top to bottom; None unless stacked, complete and distinct.

    Under a spanning label each column needs a label of its own: "Summer" alone does not say
    which of the summer columns a figure is in."""
    owned: list[list[_Piece]] = [[] for _ in regions]
    rows = _rows_of(pieces)
    # Only the top row can span the others: lower down, a short row is labels a few columns have.
    spanners = _even_share(rows[0], regions) if len(rows) > 1 else {}
    for row in rows:
        for piece in row:
            for j in spanners.get(piece) or [j for j, region in enumerate(regions) if _over(piece, region)]:
                owned[j].append(piece)
    if not any(len(own) > 1 for own in owned) or any(all(p in spanners for p in own) for own in owned):
        return None  # a one-line header (the text rules read it as it is), or a column with no label of its own
    labels = [" ".join(dict.fromkeys(p.text for p in sorted(own, key=lambda p: (-p.top, p.left)))) for own in owned]
    return labels if all(labels) and len(set(labels)) == len(labels) else None


def _over(piece: _Piece, region: tuple[float, float]) -> bool:
    """Whether a header piece stands over a column's region: 40% of the piece is in it, or it covers half of it."""
    overlap = min(piece.right, region[1]) - max(piece.left, region[0])
    return overlap > 0 and (overlap >= 0.4 * (piece.right - piece.left) or overlap >= 0.5 * (region[1] - region[0]))


def _rows_of(pieces: list[_Piece]) -> list[list[_Piece]]:
    """Header pieces grouped by the height they are drawn at."""
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: -p.top):
        if rows and abs(rows[-1][0].top - piece.top) < 1.5:
            rows[-1].append(piece)
        else:
            rows.append([piece])
    return rows


def _even_share(row: list[_Piece], regions: list[tuple[float, float]]) -> dict[_Piece, list[int]]:
    """For a header row that splits the columns evenly ("Total Male Female" over 9), the columns of each piece."""
    count, width = len(row), len(regions)
    if not 2 <= count < width or width % count:
        return {}
    size = width // count
    ordered = sorted(row, key=lambda p: p.left)
    shares = {p: list(range(i * size, (i + 1) * size)) for i, p in enumerate(ordered)}
    inside = all(regions[js[0]][0] <= p.centre <= regions[js[-1]][1] for p, js in shares.items())
    return shares if inside else {}
