"""Pages in columns, drawn line by line across them: each column is read whole, one after the other."""

from __future__ import annotations

from pathlib import Path

from rag.formats.pdf import normalise, pdf_rendering

LEFT = [
    "Each member of the club pays a yearly fee",
    "of $120, due on the first day of March in",
    "each year. Members who join after the end",
    "of June pay half of the fee for that year,",
    "and students under the age of twenty pay",
    "nothing at all until the following spring.",
    "The fee covers the use of the boat house",
    "and the library, but not the guided walks.",
]
MIDDLE = [
    "The guided walks leave from the gate at ten",
    "on every Saturday from April to October and",
    "last for about three hours. Each walk costs",
    "$15 for members and $25 for their guests,",
    "and the money goes to the upkeep of paths",
    "along the river. A walk may be cancelled in",
    "heavy rain; the fee is then paid back in full",
    "or kept for a walk on another Saturday.",
]
RIGHT = [
    "The garden opens at nine in the morning and",
    "closes at six in the evening from May until",
    "the end of September. In the winter months",
    "it closes at four, and on public holidays it",
    "stays closed all day. Dogs are welcome on a",
    "lead on the lower paths but not in the rose",
    "garden or near the pond, where the ducks and",
    "the swans nest from the end of March on.",
]


def _columns_pdf(path: Path, columns: list[list[str]], heading: str = "", across: bool = True, size: int = 9) -> bytes:
    """One page written by a real PDF writer (fpdf2) in len(columns) columns of `size`-point text. `across`
    draws it line by line across the columns, as many typesetters do; otherwise column after column."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=size)
    pdf.add_page()
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(columns)
    top = 30.0
    if heading:
        pdf.text(pdf.l_margin, 20, heading)
    order = (
        [(c, i) for i in range(len(columns[0])) for c in range(len(columns))]
        if across
        else [(c, i) for c in range(len(columns)) for i in range(len(columns[0]))]
    )
    for column, line in order:
        pdf.text(pdf.l_margin + column * width, top + 4.5 * line, columns[column][line])
    pdf.output(str(path))
    return path.read_bytes()


def _pdfium_text(raw: bytes) -> str:
    import pypdfium2

    document = pypdfium2.PdfDocument(raw)
    try:
        return normalise(document[0].get_textpage().get_text_range())
    finally:
        document.close()


def test_two_columns_drawn_across_are_read_one_after_the_other(tmp_path: Path):
    raw = _columns_pdf(tmp_path / "two.pdf", [LEFT, RIGHT], heading="Club rules and garden hours")
    assert f"{LEFT[0]} {RIGHT[0]}" in _pdfium_text(raw)  # PDFium alone interleaves the columns
    text = pdf_rendering(raw).text
    assert text.splitlines() == ["Club rules and garden hours", *LEFT, *RIGHT]


def test_three_columns_drawn_across_are_read_left_to_right(tmp_path: Path):
    text = pdf_rendering(_columns_pdf(tmp_path / "three.pdf", [LEFT, MIDDLE, RIGHT], size=7)).text
    assert text.splitlines() == [*LEFT, *MIDDLE, *RIGHT]


def test_columns_drawn_one_after_the_other_keep_pdfiums_text(tmp_path: Path):
    raw = _columns_pdf(tmp_path / "ordered.pdf", [LEFT, RIGHT], across=False)
    assert pdf_rendering(raw).text == _pdfium_text(raw)


def test_a_table_of_names_and_descriptions_keeps_its_rows(tmp_path: Path):
    """Short names beside lines of description, drawn row by row: a table, not two columns of text."""
    names = ["Boat house", "", "", "Library", "", "", "Rose garden", ""]
    raw = _columns_pdf(tmp_path / "table.pdf", [names, LEFT])
    text = pdf_rendering(raw).text
    assert text == _pdfium_text(raw)
    assert f"Boat house {LEFT[0]}" in text


def test_a_code_listing_with_comments_beside_it_keeps_its_lines(tmp_path: Path):
    code = [f"#define LEVEL_{n}_LIMIT {n * 16}" for n in range(8)]
    comments = [f"/* the most items kept at level {n} of the cache */" for n in range(8)]
    raw = _columns_pdf(tmp_path / "code.pdf", [code, comments])
    text = pdf_rendering(raw).text
    assert "#define LEVEL_3_LIMIT 48 /* the most items kept at level 3 of the cache */" in text
