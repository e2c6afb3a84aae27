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
