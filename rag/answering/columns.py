"""Which column of a table a quoted figure sits in, so the figure can be checked against the column asked for.

Two row shapes say their columns:
- rows written "Header: cell | Header: cell" (rag/formats/tables.py: spreadsheets, HTML,
  Word and PDF tables read as tables): each cell names its header;
- aligned text rows under a header line whose labels are two or more spaces apart
  ("Min  Max   Mean    SD", the table's last header line in `Chunk.context`), read only
  when the row has exactly one figure per label: a row missing a cell, or a header naming
  the row-name column too, would shift every figure under the wrong label;
- rows of a statement with one column per period, as PDF text writes them with single
  spaces ("Capital expenditure 1,577 1,234 (370)" under "2018 2017 2016"): the header line
  is periods only, and the row ends in exactly one cell (a figure or a dash) per period.
Any other row has no known column: no rule reads one into it.

A figure's table is the one whose numbered caption ("Table 325. Arrests by Race: 2009") opens
the last line above it that opens with one: a page of a statistical abstract sets two tables
and their headnotes one after the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering.verify import stated_in
from rag.formats.tables import CELL_SEPARATOR, CURRENCY_SIGNS, FIGURE_CELL
from rag.numbers import Quantity, TableScale, parse_quantities, table_scale
from rag.periods import find_periods
from rag.types import Passage, Span

_LABEL_GAP = re.compile(r"\s{2,}")
_TOKEN = re.compile(r"\S+")
_FIGURE_VALUE = re.compile(r"[-−–(]?[$€£¥]?\d")  # "12.5 km", "$3.2 million", "(370)": a cell that opens with a figure
_RULE_LINE = re.compile(r"^[\s=+|:-]*$")  # "===== ====", "---+---": a table's ruling, not its header
_TABLE_NUMBER = r"([A-Z]?-?\d+(?:[.-]\d+)?[a-z]?)"  # "324", "A-2", "3.1", "12b"
_TABLE_NAMED = re.compile(rf"\btable\s+{_TABLE_NUMBER}(?![\w-])", re.IGNORECASE)
_CAPTION = re.compile(rf"^\s*table\s+{_TABLE_NUMBER}\s*[.:\u2013\u2014-]", re.IGNORECASE | re.MULTILINE)  # opens a line


@dataclass(frozen=True)
class Column:
    """The header of the cell a figure is in, and every header of its table."""

    label: str
    labels: tuple[str, ...]


def table_header(span: Span, passages: list[Passage]) -> str:
    """The caption, units and column headers of the table passage `span` lies in ("" for prose)."""
    return next(
        (p.chunk.context for p in passages if p.chunk.source == span.source and p.chunk.start <= span.start < p.chunk.end),
        "",
    )


def tables_named(question: str) -> set[str]:
    """The numbers of the tables a question names ("in Table 324", "table A-2"), lower-cased."""
    return {match.lower() for match in _TABLE_NAMED.findall(question)}


def table_of(span: Span, passages: list[Passage]) -> str | None:
    """The number of the table whose caption ("Table 325. Arrests by Race: 2009") is the last one above
    `span` in the passages that hold it (a narrowed passage may start below the caption its whole chunk
    shows) or in their table header; None when no caption is in sight."""
    nearest: tuple[int, str] | None = None  # (where the caption is in the document, its table's number)
    for passage in passages:
        chunk = passage.chunk
        if chunk.source != span.source or not chunk.start <= span.start < chunk.end:
            continue
        found = [(chunk.start - 1, m[1]) for m in _CAPTION.finditer(chunk.context)]  # the header sits above the text
        found += [(chunk.start + m.start(), m[1]) for m in _CAPTION.finditer(chunk.text[: span.start - chunk.start])]
        if found and (nearest is None or found[-1][0] > nearest[0]):
            nearest = found[-1]
    return nearest[1].lower() if nearest else None


def column_of(quantity: Quantity, quote: str, context: str) -> Column | None:
    """The column of the cell of `quote` (a row, or lines holding one) that states `quantity`, or None."""
    table = table_scale(context)
    found = stated_in(quantity, quote, table)
    if found is None:
        return None
    line_start = quote.rfind("\n", 0, found.start) + 1
    line_end = quote.find("\n", found.end)
    row = quote[line_start : line_end if line_end >= 0 else len(quote)]
    at = found.start - line_start
    if CELL_SEPARATOR in row:
        return _separated_column(row, at)
    return _aligned_column(row, at, context, table) or _period_column(row, at, context)


def _separated_column(row: str, at: int) -> Column | None:
    """The header of the cell at `at`; the labels are those of the row's figure cells only: the column
    that names the row ("Reference Ellipsoid: Clarke 1866") is never the one a figure is asked from."""
    cells = [cell.partition(":") for cell in row.split(CELL_SEPARATOR)]
    labels = tuple(header.strip() for header, colon, value in cells if colon and _FIGURE_VALUE.match(value.strip()))
    cell_start = row.rfind(CELL_SEPARATOR, 0, at)
    header, colon, _ = row[cell_start + len(CELL_SEPARATOR) if cell_start >= 0 else 0 : at].partition(":")
    return Column(header.strip(), labels) if colon else None


def _aligned_column(row: str, at: int, context: str, table: TableScale | None) -> Column | None:
    if not _LABEL_GAP.search(row.strip()):
        return None  # a prose line, not cells set apart by spaces
    header = next((line for line in reversed(context.splitlines()) if not _RULE_LINE.match(line)), "")
    labels = tuple(label for label in _LABEL_GAP.split(header.strip()) if label)
    figures = parse_quantities(row, table)
    if len(labels) < 2 or len(labels) != len(figures):
        return None
    index = next((i for i, figure in enumerate(figures) if figure.start <= at < figure.end), None)
    return Column(labels[index], labels) if index is not None else None


def _period_column(row: str, at: int, context: str) -> Column | None:
    """The period column of a single-spaced statement row: its trailing cells, one per period of the header."""
    header = next((line for line in reversed(context.splitlines()) if _periods_only(line)), None)
    if header is None:
        return None
    labels = tuple(mention.text for mention in sorted(find_periods(header), key=lambda m: m.start))
    tokens = [t for t in _TOKEN.finditer(row) if t.group() not in CURRENCY_SIGNS]
    trailing = len(tokens) - next((i for i, t in enumerate(reversed(tokens)) if not FIGURE_CELL.match(t.group())), len(tokens))
    cells = tokens[trailing:]
    if len(cells) != len(labels):
        return None
    index = next((i for i, cell in enumerate(cells) if cell.start() <= at < cell.end()), None)
    return Column(labels[index], labels) if index is not None else None


def _periods_only(line: str) -> bool:
    """A header line that names two or more periods and nothing else ("2018 2017 2016", "FY2023 FY2022")."""
    mentions = find_periods(line)
    covered = "".join(" " if any(m.start <= i < m.end for m in mentions) else ch for i, ch in enumerate(line))
    return len(mentions) >= 2 and not covered.strip()
