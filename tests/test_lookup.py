"""Table lookups by code (rag/answering/lookup.py): the bracket row that holds the question's figure, the
column the question names. Invented tables in both header shapes of PDF text, then the real loader on a
real tax table."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.gate import premise_figures
from rag.answering.lookup import lookup_difference, table_lookups
from rag.chunking import chunk_document
from rag.formats import PAGE_BREAK
from rag.types import Chunk, Passage

# Column-major header (one capitalised word per column, each group of columns side by side on the line),
# wrapped headers below it, and a spanning "Your fee is —" line, as PDF text writes a rate table.
COLUMN_MAJOR = """Parcel Rate Table
If the weight, And the service is — If the weight, And the service is —
At But Ground Express Overnight At But Ground Express Overnight
least less same-day least less same-day
than than
Your fee is — Your fee is —
4,000 6,000
4,000 4,050 12.40 18.90 31.10 6,000 6,050 15.40 22.90 38.10
4,050 4,100 12.55 19.10 31.45 6,050 6,100 15.55 23.10 38.45
"""

# Stacked labels, one or two words a line, as PDF text writes a table whose headers wrap in narrow cells.
STACKED = """Freight charges — Continued
If the declared
value is—
And you ship—
At
least
But
less
than
Domestic Inter-
national
ground
International
air
Your charge is—
20,000
20,000 20,050 310 455 612
20,050 20,100 311 457 615
"""


# Columns numbered under phrases that span them: "0 1 2" once per phrase ending in a dash.
NUMBERED = """Allowance Table - Continued
And your status is–
If the income you
look up is–
Renting, and the number
of rooms you let is–
Owning, and the number
of rooms you let is–
0 1 2 0 1 2
At least
But less
than Your allowance is– Your allowance is–
8,000 8,050 120 340 510 90 310 480
8,050 8,100 118 345 515 88 315 485
"""


def _passages(text: str, source: str = "rates.txt") -> tuple[list[Passage], dict[str, str]]:
    rows_start = text.index("\n", text.rindex("Your ")) + 1
    line = text.count("\n", 0, rows_start) + 1
    chunk = Chunk(source, text[rows_start:], rows_start, len(text), line, line + text.count("\n", rows_start), "")
    return [Passage(chunk, score=1.0)], {source: text}


def _lookups(question: str, text: str) -> list[str]:
    passages, documents = _passages(text)
    return [claim.statement for claim in table_lookups(question, premise_figures(question), passages, documents)]


def test_the_cell_is_read_from_the_row_that_holds_the_figure_and_the_column_the_question_names():
    assert _lookups("What is the Express fee for a parcel of 6,020 grams?", COLUMN_MAJOR) == [
        "For 6,020 grams, the Express column gives 22.90."
    ]
    assert _lookups("What is the ground fee at 4,060 grams?", COLUMN_MAJOR) == [
        "For 4,060 grams, the Ground column gives 12.55."
    ]


def test_stacked_labels_name_the_columns_and_spanning_phrases_name_none():
    assert _lookups("What is the international air charge for a declared value of $20,070?", STACKED) == [
        "For $20,070, the International air column gives 615."
    ]
    assert _lookups("What does domestic shipping cost for a value of $20,010?", STACKED) == [
        "For $20,010, the Domestic column gives 310."
    ]


def test_the_lower_end_of_a_range_in_the_question_picks_the_row():
    assert _lookups("What is the Overnight fee at 4,050-4,100 grams?", COLUMN_MAJOR) == [
        "For 4,050, the Overnight column gives 31.45."
    ]


@pytest.mark.parametrize("question,statements,difference", [
    (  # two columns of one row: each side's words name its column
        "At 6,010 grams, how much more does Overnight delivery cost than Ground?",
        ["For 6,010 grams, the Overnight column gives 38.10.", "For 6,010 grams, the Ground column gives 15.40."],
        22.70,
    ),
    (  # two rows of one column: each side's figure names its row
        "How much more is the Express fee at 6,000-6,050 grams than at 4,050 to 4,100 grams?",
        ["For 6,000, the Express column gives 22.90.", "For 4,050, the Express column gives 19.10."],
        3.80,
    ),
])
def test_a_comparison_reads_both_cells_and_code_subtracts(question, statements, difference):
    passages, documents = _passages(COLUMN_MAJOR)
    claims = table_lookups(question, premise_figures(question), passages, documents)
    assert [c.statement for c in claims] == statements
    computed = lookup_difference(question, claims)
    assert computed is not None and computed.value.value == pytest.approx(difference)
    assert lookup_difference("What are the fees at 6,010 grams?", claims) is None  # no difference asked


@pytest.mark.parametrize("question,table", [
    ("What is the fee for a parcel of 6,020 grams?", COLUMN_MAJOR),  # names no column
    ("What is the international charge for a declared value of $20,070?", STACKED),  # two columns say so
    ("What is the Express fee for a parcel of 9,020 grams?", COLUMN_MAJOR),  # no row holds the figure
])
def test_no_lookup_when_the_column_or_the_row_is_not_certain(question, table):
    assert _lookups(question, table) == []


def test_of_two_tables_that_cover_the_figure_the_one_the_question_names_is_read_or_none():
    """A surcharge table whose two-level header cannot be read also covers 4,020 grams: asked about it, no
    lookup falls back to the rate table beside it; asked about fees, the rate table answers."""
    surcharge = (
        "Insurance Surcharge Table (not a rate table)\nIf the insured weight is–\n"
        "Declared value band and the number of items is–\n0 1 2 0 1 2\nAt least\nBut less\nthan Surcharge is–\n"
        "4,000 4,050 0.10 0.20 0.30 0.15 0.25 0.35\n"
    )
    text = COLUMN_MAJOR + surcharge
    rate_rows = text.index("4,000 4,050 12.40")
    surcharge_rows = text.index("4,000 4,050 0.10")
    passages = [
        Passage(Chunk("rates.txt", text[start : text.index("\n", start)], start, text.index("\n", start), 1, 1, ""), 1.0)
        for start in (rate_rows, surcharge_rows)
    ]
    documents = {"rates.txt": text}
    for question, expected in (
        ("What is the Express fee for a parcel of 4,020 grams?", ["For 4,020 grams, the Express column gives 18.90."]),
        ("What insurance surcharge applies to 4,020 grams insured with 2 items in the Express band?", []),
    ):
        claims = table_lookups(question, premise_figures(question), passages, documents)
        assert [c.statement for c in claims] == expected


def test_headers_are_read_only_from_the_rows_own_page():
    """A page that continues a table without repeating its header gives no labels, not the last page's."""
    continued = COLUMN_MAJOR + PAGE_BREAK + "\n" + "4,100 4,150 12.70 19.30 31.80 6,100 6,150 15.70 23.30 38.80\n"
    page_start = continued.index(PAGE_BREAK) + 2
    chunk = Chunk("rates.pdf", continued[page_start:], page_start, len(continued), 1, 1, "", page=2)
    question = "What is the Express fee for 4,120 grams?"
    assert table_lookups(question, premise_figures(question), [Passage(chunk, 1.0)], {"rates.pdf": continued}) == []


def test_a_real_tax_table_row_and_column_from_the_pdf_loader():
    """The 2007 Form 1040NR instructions: three groups of columns per line, headers wrapped over four lines."""
    from rag.loading import find_files, load_document

    path = Path(__file__).parent.parent / "eval" / "corpora" / "reports" / "i1040nr.pdf"
    [file] = find_files([path])
    document = load_document(file)
    chunks = chunk_document(document, max_chars=1200, overlap_chars=0)
    passages = [Passage(chunk, 1.0) for chunk in chunks if "60,400 60,450" in chunk.text]
    question = "What is the 2007 tax for a single filer with taxable income of $60,425?"
    [claim] = table_lookups(question, premise_figures(question), passages, {file.source: document.text})
    assert claim.statement == "For $60,425, the Single column gives 11,530."
    assert claim.spans[0].quote.startswith("60,400 60,450 11,530 ")
    assert claim.spans[0].page == 41
    assert document.text[claim.spans[0].start : claim.spans[0].end] == claim.spans[0].quote


def test_numbered_columns_are_named_by_their_spanning_phrase_and_the_count_the_question_gives():
    passages, documents = _passages(NUMBERED)
    question = "What allowance applies when owning, with two rooms let, for income of $8,020?"
    [claim] = table_lookups(question, premise_figures(question), passages, documents)
    assert claim.statement == "For $8,020, the Owning, and the number of rooms you let is 2 column gives 480."
    row, header = claim.spans
    assert row.quote.startswith("8,000 8,050 ") and header.quote == "0 1 2 0 1 2"  # "2" is cited from the header
    assert NUMBERED[header.start : header.end] == header.quote and header.line_start == 9
    compared = "At $8,050-$8,100, how much more is the allowance when renting with two rooms let than with one room let?"
    claims = table_lookups(compared, premise_figures(compared), passages, documents)
    assert [c.numbers[-1].quantity.value for c in claims] == [515, 345]  # the renter's group, read from the whole question
    assert lookup_difference(compared, claims).value.value == 170
    assert table_lookups("What allowance applies for income of $8,020?", premise_figures("What allowance applies for income of $8,020?"), passages, documents) == []


def test_a_real_earned_income_credit_row_with_numbered_columns():
    """The 2013 Form 1040 instructions: "0 1 2 3 0 1 2 3" children under two filing statuses."""
    from rag.loading import find_files, load_document

    path = Path(__file__).parent.parent / "eval" / "corpora" / "long-reports" / "irs_i1040_2013.pdf"
    [file] = find_files([path])
    document = load_document(file)
    passages = [Passage(chunk, 1.0) for chunk in chunk_document(document, 1200, 0) if "25,300 25,350" in chunk.text]
    question = "In the 2013 EIC Table, what credit does a married couple filing jointly with two children get for $25,320?"
    [claim] = table_lookups(question, premise_figures(question), passages, {file.source: document.text})
    assert claim.numbers[-1].quantity.value == 4855 and "Married filing jointly" in claim.statement
    assert all(document.text[span.start : span.end] == span.quote for span in claim.spans)


@pytest.mark.slow
def test_the_pipeline_answers_a_lookup_from_a_real_index_without_running_the_model(tmp_path, embedder):
    """A rate table too long for keyword search to find 6,130: the bracket probe finds the row, code reads the cell."""
    from dataclasses import replace

    from rag.answering.pipeline import Pipeline
    from rag.config import load_settings
    from rag.indexing import build_index

    corpus = tmp_path / "rates"
    corpus.mkdir()
    header = COLUMN_MAJOR.split("4,000 6,000\n")[0]
    rows = [
        f"{w:,} {w + 50:,} {8 + w / 1000:.2f} {12 + w / 700:.2f} {20 + w / 400:.2f} "
        f"{w + 2000:,} {w + 2050:,} {10 + w / 1000:.2f} {15 + w / 700:.2f} {25 + w / 400:.2f}"
        for w in range(1000, 3000, 50)
    ]
    (corpus / "parcel-rates.txt").write_text(header + "\n".join(rows) + "\n")
    (corpus / "guide.txt").write_text("Weigh the parcel in grams before you choose a service at the counter.\n" * 20)
    settings = replace(load_settings(), index_dir=tmp_path / "index", corpus=corpus)
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    pipeline = Pipeline(settings, embedder=embedder, show_progress=False)
    answer = pipeline.ask("What is the Express fee for a parcel of 3,130 grams?")  # the second group: 3,100 3,150
    assert answer.answer == "For 3,130 grams, the Express column gives 16.57 [1]."
    assert answer.citations[0].quote == rows[2]  # "1,100 1,150 9.10 13.57 22.75 3,100 3,150 11.10 16.57 27.75"
    assert pipeline.generator is None  # the model was never loaded
