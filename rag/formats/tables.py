"""One rule for writing a table as text: a header line, then one line per row with each cell's header.

"Segment | 2018: 1,577 | 2017: 1,432" keeps a row readable (and checkable) on its own,
which a chunk of bare numbers is not. Cells are collapsed to one line and "|" inside a
cell becomes "/", so " | " always separates cells.
"""

from __future__ import annotations

import re

CELL_SEPARATOR = " | "
_SPACE = re.compile(r"\s+")


def clean_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return _SPACE.sub(" ", text).replace("|", "/").strip()


def table_lines(headers: list[str], rows: list[list[str]]) -> list[str]:
    """The header line (when any header is named) and one line per non-empty row."""
    headers = [clean_cell(h) for h in headers]
    lines = [CELL_SEPARATOR.join(h for h in headers if h)] if any(headers) else []
    for row in rows:
        line = row_line(headers, row)
        if line:
            lines.append(line)
    return lines


def row_line(headers: list[str], row: list[str]) -> str:
    """"Header: cell | Header: cell"; empty cells are left out, a cell without a header stands alone."""
    parts = []
    for index, value in enumerate(row):
        cell = clean_cell(value)
        if not cell:
            continue
        header = clean_cell(headers[index]) if index < len(headers) else ""
        parts.append(f"{header}: {cell}" if header and header != cell else cell)
    return CELL_SEPARATOR.join(parts)
