"""Word documents, CSV files and Excel workbooks as text: paragraphs, headings and table rows.

Every table row becomes one line naming its columns ("Region: North | 2018: 1,577"),
written by `tables.table_lines`; an Excel sheet starts with "Sheet: <name>" and the
first non-empty row of a sheet or CSV file is its header row. Excel cells are read
as their last computed values (formulas are not evaluated here). Word headings are
written as Markdown headings, so chunks carry them as their topic.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import zipfile

from rag.formats import ExtractionError, Rendering
from rag.formats.tables import table_lines

_CSV_SNIFF_BYTES = 8192


def csv_rendering(text: str) -> Rendering:
    sample = text[:_CSV_SNIFF_BYTES]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = [row for row in csv.reader(io.StringIO(text), dialect) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise ExtractionError(f"unreadable CSV ({exc})") from None
    if not rows:
        return Rendering("")
    return Rendering("\n".join(table_lines(rows[0], rows[1:])))


def xlsx_rendering(raw: bytes) -> Rendering:
    try:
        import openpyxl
    except ImportError:
        raise ExtractionError("Excel support needs openpyxl (pip install openpyxl)") from None
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractionError(f"unreadable Excel workbook ({exc})") from None
    blocks = []
    try:
        for sheet in workbook.worksheets:
            rows = [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            rows = [row for row in rows if any(row)]
            if rows:
                blocks.append("\n".join([f"Sheet: {sheet.title}", *table_lines(rows[0], rows[1:])]))
    finally:
        workbook.close()
    return Rendering("\n\n".join(blocks))


def docx_rendering(raw: bytes) -> Rendering:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:
        raise ExtractionError("Word support needs python-docx (pip install python-docx)") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"unreadable Word document ({exc})") from None
    except Exception as exc:  # python-docx raises its own PackageNotFoundError and lxml errors
        raise ExtractionError(f"unreadable Word document ({type(exc).__name__})") from None
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if text:
                lines.append(_heading(block.style.name if block.style is not None else "", text))
        elif isinstance(block, Table):
            rows = [_cell_texts(row.cells) for row in block.rows]
            rows = [row for row in rows if any(c.strip() for c in row)]
            if rows:
                lines.extend(table_lines(rows[0], rows[1:]))
    return Rendering("\n".join(lines))


def _heading(style: str, text: str) -> str:
    """"Heading 2" paragraphs as "## text", the document title as "# text"; other paragraphs as they are."""
    name = style.lower()
    if name == "title":
        return f"# {text}"
    if name.startswith("heading ") and name[8:].isdigit():
        return "#" * min(6, int(name[8:])) + " " + text
    return text


def _cell_texts(cells) -> list[str]:
    """python-docx returns a merged cell once per column it spans; its text goes under the first only."""
    seen: set[int] = set()
    texts = []
    for cell in cells:
        texts.append("" if id(cell._tc) in seen else cell.text)
        seen.add(id(cell._tc))
    return texts


def cell_text(value: object) -> str:
    """A spreadsheet value as a person reads it: 1577.0 -> "1577", dates as ISO, None -> ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.10g}"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()
