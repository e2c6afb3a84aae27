"""One rule for writing a table as text: a header line, then one line per row with each cell's header.

"Segment | 2018: 1,577 | 2017: 1,432" keeps a row readable (and checkable) on its own,
which a chunk of bare numbers is not. Cells are collapsed to one line and "|" inside a
cell becomes "/", so " | " always separates cells.
"""

from __future__ import annotations

import re

CELL_SEPARATOR = " | "
# A cell written as a figure: "1,577", "(370)", "-4.5", "12.5%", "[12]", "—", or a statistical
# table's symbol for a missing figure ("(X)", "NA", "n/a").
FIGURE_CELL = re.compile(
    r"^(?:[-−–]?[$€£¥]?\d[\d,.]*%?|[$€£¥]?\([-−–]?[$€£¥]?\d[\d,.]*%?\)|\[\d[\d,.]*\]"
    r"|[-−–—]{1,2}|\((?:X|NA|Z|D|S)\)|X|NA|Z|(?i:n/?a))$"
)
YEAR_CELL = re.compile(r"^(?:FY|Q[1-4])?['’]?(?:19|20)\d\d[A-Z]?$", re.IGNORECASE)  # "2018", "FY2018", "Q3'21"
CURRENCY_SIGNS = frozenset("$€£¥")  # "$ 1,577": the sign is its own word in PDF text
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
