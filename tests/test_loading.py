from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.loading import Skipped, find_files, load_corpus, load_document
from rag.types import Document

# A one-page PDF with a text layer, written by hand (objects and xref offsets computed below).
def _tiny_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_finds_supported_files_recursively_and_skips_hidden(tmp_path: Path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "a.txt").write_text("alpha")
    (tmp_path / "docs" / "sub" / "b.md").write_text("# B\nbeta")
    (tmp_path / "docs" / ".hidden.txt").write_text("secret")
    (tmp_path / "docs" / "image.png").write_bytes(b"\x89PNG")
    files = find_files([tmp_path / "docs"])
    assert [f.source for f in files] == ["docs/a.txt", "docs/sub/b.md"]


def test_missing_folder_is_a_corpus_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        find_files([tmp_path / "nope"])


def test_binary_and_non_utf8_files_are_skipped_with_reason(tmp_path: Path):
    (tmp_path / "bin.txt").write_bytes(b"abc\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "ok.txt").write_text("fine text")
    documents, skipped = load_corpus(find_files([tmp_path]))
    assert [d.source.split("/")[-1] for d in documents] == ["ok.txt"]
    reasons = {s.source.split("/")[-1]: s.reason for s in skipped}
    assert reasons["bin.txt"] == "binary content"
    assert reasons["latin1.txt"].startswith("not UTF-8")


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "locked.txt").write_text("x")
    [file] = find_files([tmp_path])

    def deny(self):  # root can read anything, so simulate the permission error
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    result = load_document(file)
    assert isinstance(result, Skipped) and "Permission denied" in result.reason


def test_empty_file_is_skipped(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("  \n")
    [file] = find_files([tmp_path])
    assert load_document(file) == Skipped(file.source, "no text")


def test_html_is_reduced_to_visible_text(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>T</title><style>p{}</style><script>var x=1;</script></head>"
        "<body><h1>Pumps</h1><p>The pump costs $40.</p></body></html>"
    )
    [file] = find_files([tmp_path])
    document = load_document(file)
    assert isinstance(document, Document)
    assert "The pump costs $40." in document.text
    assert "var x" not in document.text and "p{}" not in document.text


def test_pdf_text_layer_is_extracted(tmp_path: Path):
    (tmp_path / "report.pdf").write_bytes(_tiny_pdf("Revenue rose to 12 million euros."))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    documents, skipped = load_corpus(find_files([tmp_path]))
    assert [d.source.split("/")[-1] for d in documents] == ["report.pdf"]
    assert "Revenue rose to 12 million euros." in documents[0].text
    assert skipped and skipped[0].source.endswith("broken.pdf")


def test_title_is_first_markdown_heading_or_short_first_line(tmp_path: Path):
    (tmp_path / "a.md").write_text("intro\n# Real Title\ntext")
    (tmp_path / "b.txt").write_text("Short headline\nBody text.")
    (tmp_path / "c.txt").write_text("x" * 300 + "\nBody.")
    titles = {d.source.split("/")[-1]: d.title for d in load_corpus(find_files([tmp_path]))[0]}
    assert titles == {"a.md": "Real Title", "b.txt": "Short headline", "c.txt": ""}


def test_an_underlined_heading_at_the_top_is_the_title_and_markup_never_is(tmp_path: Path):
    (tmp_path / "a.rst").write_text(".. _forest_dataset:\n\nForest cover types\n------------------\n\nSamples total 581012\n")
    (tmp_path / "b.txt").write_text("=========\nWater Board\n=========\nThe board met twice.\n")
    (tmp_path / "c.txt").write_text(".. note::\nKeep this.\n")
    (tmp_path / "d.txt").write_text("A short opening line\nSome more text here\nThird line of it\nA late heading\n-----\n")
    titles = {d.source.split("/")[-1]: d.title for d in load_corpus(find_files([tmp_path]))[0]}
    assert titles == {"a.rst": "Forest cover types", "b.txt": "Water Board", "c.txt": "Keep this.", "d.txt": "A short opening line"}


# --- real document formats (rag/formats): tables keep their headers, PDFs keep their pages ------------

DATA = Path(__file__).parent / "data"


def _write_report_pdf(path: Path) -> None:
    """A three-page report written by a real PDF writer (fpdf2): prose, then a table under a units line."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    pdf.add_page()
    pdf.cell(0, 8, "Annual report of the water board", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "The board served more customers than ever.", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.cell(0, 8, "Table 4. Capital spending", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 8, "(Millions)", new_x="LMARGIN", new_y="NEXT")
    for cells in (["", "2018", "2017"], ["Pipes and mains", "1,577", "1,432"], ["Pumping stations", "(370)", "212"],
                  ["Meters", "96", "88"]):
        pdf.cell(70, 8, cells[0])
        for cell in cells[1:]:
            pdf.cell(30, 8, cell, align="R")
        pdf.ln()
    pdf.add_page()
    pdf.cell(0, 8, "Outlook: the board expects steady demand.", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def test_running_heads_and_page_numbers_are_no_title_nor_subject(tmp_path: Path):
    """A banner and a page number atop every page of a real PDF: the title is the cover's first line of its own."""
    from fpdf import FPDF

    from rag.metadata import profile_document

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number, body in enumerate(["Harbour Dredging Authority Field Manual", "Chapter 1. Soundings", "Chapter 2. Buoys"], 1):
        pdf.add_page()
        for line in ("RESTRICTED", str(number), body, "Harbour Dredging Authority staff take soundings weekly."):
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "manual.pdf"))
    document = _load(tmp_path / "manual.pdf")
    assert document.title == "Harbour Dredging Authority Field Manual"
    assert profile_document(document).subject != "RESTRICTED"
    # a running head of words names the document: it stays a title
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number in (1, 2, 3):
        pdf.add_page()
        for line in ("Harbour Dredging Authority Annual Report", str(number), f"Chapter {number}. Soundings"):
            pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "report.pdf"))
    assert _load(tmp_path / "report.pdf").title == "Harbour Dredging Authority Annual Report"


def _load(path: Path) -> Document:
    [file] = find_files([path])
    document = load_document(file)
    assert isinstance(document, Document), document
    return document


def test_real_pdf_table_rows_stay_on_one_line_with_figures_whole_under_their_stacked_headers():
    document = _load(DATA / "census-arrests-table.pdf")
    robbery = next(line for line in document.text.splitlines() if "Robbery" in line)
    assert robbery == (
        "Offense charged: Robbery | Total: 102.1 | Total Under 18 years: 25.5 | Total 18 years and over: 76.6 | "
        "Male Total: 90.0 | Male Under 18 years: 22.9 | Male 18 years and over: 67.1 | "
        "Female Total: 12.1 | Female Under 18 years: 2.5 | Female 18 years and over: 9.5"
    )
    # A row name wrapped over two lines is one name.
    assert "Offense charged: Murder and nonnegligent manslaughter | Total: 10.0 |" in document.text
    assert "11,062.6" in document.text  # pypdf and pdfplumber write "11,062 .6"
    assert document.page_starts == (0,)


def test_pdf_page_of_every_offset_round_trips(tmp_path: Path):
    from rag.formats import page_bounds, page_of

    _write_report_pdf(tmp_path / "report.pdf")
    document = _load(tmp_path / "report.pdf")
    assert len(document.page_starts) == 3
    for page, marker in ((1, "more customers"), (2, "Pumping stations"), (3, "steady demand")):
        offset = document.text.index(marker)
        assert page_of(document.page_starts, offset) == page
        start, end = page_bounds(document.text)[page - 1]
        assert start <= offset < end and start <= document.page_starts[page - 1] < end
    row = next(line for line in document.text.splitlines() if line.startswith("Pipes"))
    assert row.split() == ["Pipes", "and", "mains", "1,577", "1,432"]


def test_html_table_rows_carry_their_headers_and_boilerplate_is_dropped(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "<html><body><nav><ul><li><a href='/'>Home</a></li><li><a href='/a'>About</a></li></ul></nav>"
        "<div class='sidebar'>Subscribe to our newsletter</div>"
        "<main><h1>Spending</h1><p>Figures for the year.</p>"
        "<table><caption>Capital spending (in millions)</caption>"
        "<thead><tr><th>Item</th><th>2018</th><th>2017</th></tr></thead>"
        "<tbody><tr><td>Pipes and mains</td><td>1,577</td><td>1,432</td></tr>"
        "<tr><td>Pumping stations</td><td>(370)</td><td>212</td></tr></tbody></table></main>"
        "<footer>Copyright the board. All rights reserved.</footer></body></html>"
    )
    text = _load(tmp_path / "page.html").text
    assert "Item: Pipes and mains | 2018: 1,577 | 2017: 1,432" in text.splitlines()
    assert "Capital spending (in millions)" in text
    for boilerplate in ("Home", "newsletter", "Copyright"):
        assert boilerplate not in text


def test_csv_rows_name_their_columns(tmp_path: Path):
    (tmp_path / "spend.csv").write_text("Item,2018,2017\nPipes and mains,\"1,577\",\"1,432\"\nMeters,96,88\n")
    lines = _load(tmp_path / "spend.csv").text.splitlines()
    assert lines == ["Item | 2018 | 2017", "Item: Pipes and mains | 2018: 1,577 | 2017: 1,432", "Item: Meters | 2018: 96 | 2017: 88"]


def test_xlsx_rows_name_their_sheet_and_columns(tmp_path: Path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Capital"
    for row in (["Item", "2018", "2017"], ["Pipes and mains", 1577, 1432.5], [None, None, None], ["Meters", 96, 88]):
        sheet.append(row)
    workbook.create_sheet("Empty")
    workbook.save(tmp_path / "spend.xlsx")
    lines = _load(tmp_path / "spend.xlsx").text.splitlines()
    assert lines == ["Sheet: Capital", "Item | 2018 | 2017", "Item: Pipes and mains | 2018: 1577 | 2017: 1432.5",
                     "Item: Meters | 2018: 96 | 2017: 88"]


def test_docx_keeps_headings_paragraphs_and_table_rows_in_order(tmp_path: Path):
    import docx

    word = docx.Document()
    word.add_heading("Water board report", level=1)
    word.add_paragraph("Capital spending rose (in millions).")
    table = word.add_table(rows=2, cols=3)
    for row, cells in zip(table.rows, (["Item", "2018", "2017"], ["Pipes and mains", "1,577", "1,432"])):
        for cell, value in zip(row.cells, cells):
            cell.text = value
    word.add_paragraph("Closing remarks.")
    word.save(tmp_path / "report.docx")
    document = _load(tmp_path / "report.docx")
    assert document.text.splitlines() == [
        "# Water board report", "Capital spending rose (in millions).", "Item | 2018 | 2017",
        "Item: Pipes and mains | 2018: 1,577 | 2017: 1,432", "Closing remarks.",
    ]
    assert document.title == "Water board report"


def test_broken_office_files_are_skipped_with_a_reason(tmp_path: Path):
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    documents, skipped = load_corpus(find_files([tmp_path]))
    assert not documents
    reasons = {s.source.split("/")[-1]: s.reason for s in skipped}
    assert reasons["bad.docx"].startswith("unreadable Word document")
    assert reasons["bad.xlsx"].startswith("unreadable Excel workbook")


def test_password_protected_pdf_is_skipped_with_a_reason(tmp_path: Path):
    from fpdf import FPDF
    from fpdf.enums import EncryptionMethod

    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret", encryption_method=EncryptionMethod.RC4)
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.cell(0, 8, "Confidential figures: 1,577.")
    pdf.output(str(tmp_path / "locked.pdf"))
    [file] = find_files([tmp_path])
    assert load_document(file) == Skipped(file.source, "password-protected PDF")
