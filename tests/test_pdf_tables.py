"""Stacked PDF table headers: each cell is written with the header pieces above its column, read by position."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.formats.pdf import pdf_rendering


def _pdf(path: Path, header_rows: list[list[tuple[str, int]]], rows: list[list[str]]) -> bytes:
    """A page written by a real PDF writer (fpdf2): header lines of (label, columns spanned), then rows of a
    name and right-aligned cells, 40 mm for names and 22 mm a column."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)
    pdf.add_page()
    pdf.cell(0, 6, "Table 7. Visitors by season and age", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 6, "(In thousands)", new_x="LMARGIN", new_y="NEXT")
    for header in header_rows:
        pdf.cell(40, 5, "")
        for label, span in header:
            pdf.cell(22 * span, 5, label, align="C")
        pdf.ln()
    for row in rows:
        pdf.cell(40, 5, row[0])
        for cell in row[1:]:
            pdf.cell(22, 5, cell, align="R")
        pdf.ln()
    pdf.output(str(path))
    return path.read_bytes()


ROWS = [["Museums", "41.2", "30.1", "11.1", "52.0", "40.7", "11.3"],
        ["Gardens", "18.5", "12.0", "6.5", "20.2", "15.9", "4.3"],
        ["Harbour tours", "9.9", "7.5", "2.4", "12.6", "9.8", "2.8"]]


def test_a_header_stacked_over_two_lines_names_every_cell_of_each_row(tmp_path: Path):
    spanners = [("Summer", 3), ("Winter", 3)]
    ages = [("Total", 1), ("Adults", 1), ("Children", 1)] * 2
    text = pdf_rendering(_pdf(tmp_path / "t.pdf", [spanners, ages], ROWS)).text
    gardens = next(line for line in text.splitlines() if "Gardens" in line)
    assert gardens == (
        "Gardens | Summer Total: 18.5 | Summer Adults: 12.0 | Summer Children: 6.5 | "
        "Winter Total: 20.2 | Winter Adults: 15.9 | Winter Children: 4.3"
    )
    assert "(In thousands)" in text  # the units line stays where it was


@pytest.mark.parametrize(
    "header_rows,rows",
    [
        ([[("Total", 1), ("Adults", 1), ("Children", 1)] * 2], ROWS),  # one header line: read as it is
        # two columns under one label each: the header does not tell the columns apart
        ([[("Summer", 3), ("Winter", 3)], [("Total", 1), ("Adults", 2), ("Total", 1), ("Adults", 2)]], ROWS),
        # rows without names, a table of brackets: left to the lookup rules
        ([[("Summer", 3), ("Winter", 3)], [("Total", 1), ("Adults", 1), ("Children", 1)] * 2],
         [[""] + row[1:] for row in ROWS]),
    ],
)
def test_other_tables_keep_their_text(tmp_path: Path, header_rows, rows):
    text = pdf_rendering(_pdf(tmp_path / "t.pdf", header_rows, rows)).text
    assert " | " not in text
    assert "18.5 12.0 6.5 20.2 15.9 4.3" in text


def _two_page_pdf(path: Path, second_page_cells: int) -> bytes:
    """Table B-1: a name and a code column, then figures under a header stacked two lines a column; a row
    name wrapped over three lines, drawn before the row's code and cells (as PDFium reads a report's table),
    and on page 2 its rows running on without the header, in `second_page_cells` figure columns."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=9)

    def row(name_lines: list[str], code: str, cells: list[str]) -> None:
        top = pdf.get_y()
        for line in name_lines:
            pdf.cell(40, 5, line, new_x="LMARGIN", new_y="NEXT")
        after = pdf.get_y()
        pdf.set_xy(pdf.l_margin + 40, top)  # the code and cells beside the name's first line, drawn after it
        pdf.cell(12, 5, code)
        for cell in cells:
            pdf.cell(25, 5, cell, align="R")
        pdf.set_xy(pdf.l_margin, max(after, top + 5))

    pdf.add_page()
    pdf.cell(0, 6, "Table B-1. Reservoirs", new_x="LMARGIN", new_y="NEXT")
    for first, labels in (("Code", ["Storage", "Surface", "Mean"]), ("", ["Volume", "Area", "Depth"])):
        pdf.cell(40, 5, "Reservoir" if first else "")
        pdf.cell(12, 5, first)
        for label in labels:
            pdf.cell(25, 5, label, align="C")
        pdf.ln()
    row(["North Lake"], "NL", ["410.5", "12.25", "33.5"])
    row(["Upper Dam"], "UD", ["95.25", "4.5", "21.125"])
    row(["Old Mill Pond", "(East Basin,", "Spillway)"], "OM", ["7.75", "0.5", "15.5"])
    row(["Glen Tarn"], "GT", ["88.5", "3.75", "23.6"])
    pdf.add_page()
    row(["Stone Bridge", "Reservoir"], "SB", ["61.5", "2.25", "27.3", "5.5"][:second_page_cells])
    row(["Long Water"], "LW", ["130.25", "6.5", "20.5", "1.5"][:second_page_cells])
    row(["Fen Basin"], "FB", ["44.5", "2.5", "17.75", "2.5"][:second_page_cells])
    pdf.output(str(path))
    return path.read_bytes()


def test_a_table_runs_on_over_the_next_page_under_its_header(tmp_path: Path):
    """The caption stays a caption, a name wrapped over three lines is one row's, a text column between the
    names and the figures is its own, and the rows at the top of page 2 (same columns, no header) are read
    under page 1's header."""
    rendering = pdf_rendering(_two_page_pdf(tmp_path / "t.pdf", second_page_cells=3))
    lines = rendering.text.splitlines()
    assert "Table B-1. Reservoirs" in lines
    # the code column is a column of its own, its header and cells apart from the row names
    old_mill = "Reservoir: Old Mill Pond (East Basin, Spillway) | Code: OM | Storage Volume: 7.75 | Surface Area: 0.5 | Mean Depth: 15.5"
    assert old_mill in lines
    second_page = rendering.text[rendering.page_starts[1] :].splitlines()
    assert second_page[:2] == ["Table B-1. Reservoirs", "Reservoir | Code | Storage Volume | Surface Area | Mean Depth"]
    stone_bridge = "Reservoir: Stone Bridge Reservoir | Code: SB | Storage Volume: 61.5 | Surface Area: 2.25 | Mean Depth: 27.3"
    assert stone_bridge in second_page
    assert "Reservoir: Fen Basin | Code: FB | Storage Volume: 44.5 | Surface Area: 2.5 | Mean Depth: 17.75" in second_page


def test_a_table_of_other_columns_on_the_next_page_is_not_read_under_the_last_header(tmp_path: Path):
    rendering = pdf_rendering(_two_page_pdf(tmp_path / "t.pdf", second_page_cells=4))
    second_page = rendering.text[rendering.page_starts[1] :]
    assert "Storage Volume" not in second_page
    assert "44.5 2.5 17.75 2.5" in second_page
