"""PDF text through PDFium (pypdfium2), page by page.

PDFium writes the characters of a page in the order they were drawn, with a line break
wherever the text moves to a new line on the page, so a table row such as
"Total . . . 11,062.6 1,540.0 9,522.6" stays on one line with its figures whole.
pypdf and pdfplumber were measured against it (README, "File formats"): both tore
decimals apart on a statistical table ("11,062 .6") and were 10-40x slower. Where the
drawing order is not the reading order, the characters' boxes set it right: a page
drawn line by line across columns of text is read column by column (`pdf_columns`),
and a table's stacked column headers are written beside each cell (`pdf_tables`).

Pages are joined by a line holding a form feed (`rag.formats.PAGE_BREAK`);
`Rendering.page_starts` records where each page's text begins, so any offset maps to
its page, and the stored text alone still tells its pages apart (`page_bounds`). Does not OCR: a scanned page without a
text layer contributes nothing.
"""

from __future__ import annotations

import re

from rag.formats import PAGE_BREAK, ExtractionError, Rendering
from rag.formats.pdf_columns import read_columns
from rag.formats.pdf_tables import Box, TableHeading, might_hold_tables, restack_tables

PAGE_SEPARATOR = f"\n{PAGE_BREAK}\n"
_LINE_BREAKS = re.compile(r"\r\n|\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # PDFium marks soft hyphens and the like
_TRAILING_SPACE = re.compile(r"[^\S\n]+$", re.MULTILINE)
_BLANK_RUNS = re.compile(r"\n{3,}")


def pdf_rendering(raw: bytes) -> Rendering:
    try:
        import pypdfium2
    except ImportError:
        raise ExtractionError("PDF support needs pypdfium2 (pip install pypdfium2)") from None
    try:
        document = pypdfium2.PdfDocument(raw)
    except pypdfium2.PdfiumError as exc:
        reason = "password-protected PDF" if "password" in str(exc).lower() else f"unreadable PDF ({exc})"
        raise ExtractionError(reason) from None
    pages: list[str] = []
    running: TableHeading | None = None  # the last table of the page before, which may run on
    try:
        for index in range(len(document)):
            text, running = _page_text(document, index, running)
            pages.append(text)
    except pypdfium2.PdfiumError as exc:
        raise ExtractionError(f"unreadable PDF ({exc})") from None
    finally:
        document.close()
    return join_pages(pages)


def _page_text(document, index: int, running: TableHeading | None) -> tuple[str, TableHeading | None]:
    """The page's text, and the heading of its last restacked table (`running` is the page before's)."""
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            text, boxes = _characters(textpage)
            text, boxes = read_columns(text, boxes)
            heading = None
            if might_hold_tables(text):
                text, heading = restack_tables(text, boxes, running)
            return normalise(text), heading
        finally:
            textpage.close()
    finally:
        page.close()


def _characters(textpage) -> tuple[str, list[Box]]:
    """The page's characters and their boxes, one for one. `get_text_range` leaves out a few
    characters PDFium marks as control codes, so its text may not line up with the boxes."""
    import pypdfium2.raw as pdfium

    count = textpage.count_chars()
    text = "".join(chr(pdfium.FPDFText_GetUnicode(textpage.raw, i)) for i in range(count))
    return text, [textpage.get_charbox(i) for i in range(count)]


def normalise(text: str) -> str:
    """Unix line breaks, no control characters, no trailing spaces, at most one blank line in a row."""
    text = _CONTROL.sub("", _LINE_BREAKS.sub("\n", text))
    return _BLANK_RUNS.sub("\n\n", _TRAILING_SPACE.sub("", text)).strip()


def join_pages(pages: list[str]) -> Rendering:
    """The pages' texts joined by a form-feed line, with the offset where each begins."""
    starts: list[int] = []
    offset = 0
    for text in pages:
        starts.append(offset)
        offset += len(text) + len(PAGE_SEPARATOR)
    return Rendering(PAGE_SEPARATOR.join(pages), tuple(starts))

