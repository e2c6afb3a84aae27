from __future__ import annotations

import pytest

from rag.chunking import Span, chunk_document, pack_spans, sentence_spans
from rag.loading import find_files, load_document
from rag.types import Document

from conftest import SEEDS

SEED_FILES = find_files([SEEDS])


@pytest.mark.parametrize("file", SEED_FILES, ids=lambda f: f.source)
@pytest.mark.parametrize("size,overlap", [(360, 120), (200, 80), (1000, 0)])
def test_chunk_offsets_round_trip_on_every_seed(file, size, overlap):
    document = load_document(file)
    assert isinstance(document, Document)
    chunks = chunk_document(document, size, overlap)
    assert chunks
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        assert chunk.line_start == document.text.count("\n", 0, chunk.start) + 1
        assert chunk.line_end == document.text.count("\n", 0, chunk.end - 1) + 1


@pytest.mark.parametrize("file", SEED_FILES, ids=lambda f: f.source)
def test_chunks_cover_every_sentence(file):
    document = load_document(file)
    chunks = chunk_document(document, 360, 120)
    for sentence in sentence_spans(document.text):
        assert any(c.start <= sentence.start and sentence.end <= c.end for c in chunks) or sentence.end - sentence.start > 360


def test_consecutive_chunks_overlap_by_whole_sentences():
    text = " ".join(f"Sentence number {i} is here." for i in range(30))
    chunks = chunk_document(Document("a.txt", text, ""), 120, 60)
    for first, second in zip(chunks, chunks[1:]):
        assert second.start < first.end, "neighbours should share a sentence"
        assert text[second.start : first.end].endswith(".")


def test_overlap_never_stalls():
    sentences = [Span(i * 10, i * 10 + 9) for i in range(50)]
    chunks = pack_spans(sentences, max_chars=30, overlap_chars=1000)
    starts = [c.start for c in chunks]
    assert starts == sorted(set(starts))
    assert chunks[-1].end == sentences[-1].end


def test_sentence_longer_than_chunk_is_cut_at_spaces():
    text = "word " * 200
    chunks = chunk_document(Document("a.txt", text, ""), 100, 0)
    assert all(len(c.text) <= 100 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_markdown_heading_goes_into_embedding_text_not_span():
    text = "# Guide\n\nIntro line.\n\n## Costs\n\nThe pump costs $40.\n"
    chunks = chunk_document(Document("g.md", text, "Guide"), 20, 0)
    costs = next(c for c in chunks if "$40" in c.text)
    assert costs.title == "Guide / Costs"
    assert "Costs" in costs.embedding_text()
    assert "Guide" not in costs.text


def test_line_numbers_are_one_based():
    text = "first line.\nsecond line.\nthird line."
    chunks = chunk_document(Document("a.txt", text, ""), 12, 0)
    assert [(c.line_start, c.line_end) for c in chunks] == [(1, 1), (2, 2), (3, 3)]


# --- tables and pages ---------------------------------------------------------------------------------

REPORT = """Annual report
The board spent more on pipes than in any year before.
Table 4. Capital spending
(Millions)
2018 2017
Pipes and mains 1,577 1,432
Pumping stations (370) 212
Meters 96 88
Service lines 45 41
Outlook: the board expects steady demand."""


def test_table_rows_are_chunked_under_their_caption_units_and_headers():
    document = Document("report.txt", REPORT, "Annual report")
    chunks = chunk_document(document, 60, 20)
    rows = [c for c in chunks if c.context]
    assert rows, "the table's rows should be chunked as a table"
    for chunk in rows:
        assert document.text[chunk.start : chunk.end] == chunk.text
        assert chunk.context == "Table 4. Capital spending\n(Millions)\n2018 2017"
        assert chunk.context in chunk.embedding_text()
    pipes = next(c for c in rows if "Pipes and mains" in c.text)
    assert pipes.text.startswith("Pipes and mains 1,577 1,432")  # whole rows, not cut mid-row
    prose = [c for c in chunks if not c.context]
    assert any("steady demand" in c.text for c in prose) and all("1,577" not in c.text for c in prose)


def test_long_wrapped_headers_keep_the_title_that_names_their_table():
    headers = [
        "If weight is - And service is - If weight is - And service is - If weight is - And service is -",
        "At But Standard Express Overnight At But Standard Express Overnight At But Standard Express",
        "least less than (zones 1-4) (zones 5-8) least less than (zones 1-4) (zones 5-8) least less",
        "than Your fee is - than Your fee is - than Your fee is - than Your fee is - Your fee is -",
        "grams grams dollars dollars dollars grams grams dollars dollars dollars grams grams dollars",
    ]
    rows = [f"{w:,} {w + 50:,} {8 + w / 1000:.2f} {12 + w / 700:.2f} {20 + w / 500:.2f}" for w in range(4000, 4500, 50)]
    text = "\n".join(["2025 Parcel Rate Table - Continued", *headers, *rows])
    [chunk, *_] = [c for c in chunk_document(Document("rates.txt", text, ""), 360, 0) if c.context]
    assert chunk.context.startswith("2025 Parcel Rate Table - Continued\n")
    assert chunk.context.endswith(headers[-1]) and len(chunk.context) <= 400


def test_prose_with_figures_is_not_mistaken_for_a_table():
    text = "Revenue was 1,577 million in 2018 and 1,432 million in 2017.\nCosts rose 12% and then fell 3% after the merger."
    chunks = chunk_document(Document("a.txt", text, ""), 360, 0)
    assert all(not c.context for c in chunks)


def test_rendered_rows_are_a_table_under_their_sheet_line():
    text = "Sheet: Capital\nItem | 2018 | 2017\nItem: Pipes | 2018: 1,577 | 2017: 1,432\nItem: Meters | 2018: 96 | 2017: 88"
    [chunk] = [c for c in chunk_document(Document("a.xlsx", text, "Sheet: Capital"), 360, 0) if c.context]
    assert chunk.context == "Sheet: Capital\nItem | 2018 | 2017"
    assert chunk.text == "Item: Pipes | 2018: 1,577 | 2017: 1,432\nItem: Meters | 2018: 96 | 2017: 88"


def test_pdf_chunks_stay_on_their_page_with_page_relative_lines():
    pages = ["Page one line one.\nPage one line two.", "Page two line one.\nPage two line two.\nPage two line three."]
    from rag.formats.pdf import join_pages

    rendering = join_pages(pages)
    document = Document("r.pdf", rendering.text, "", rendering.page_starts)
    chunks = chunk_document(document, 40, 0)
    for chunk in chunks:
        assert document.text[chunk.start : chunk.end] == chunk.text
        page_text = pages[chunk.page - 1]
        assert chunk.text in page_text
        assert chunk.line_start == page_text.count("\n", 0, page_text.index(chunk.text)) + 1
    assert {c.page for c in chunks} == {1, 2}
    assert next(c for c in chunks if "two line three" in c.text).line_start == 3


def test_an_abbreviation_before_a_lower_case_word_does_not_end_the_sentence():
    text = "It must sell its U.S. operations soon. Prices rose 5%, e.g. the X1. Next."
    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "It must sell its U.S. operations soon.",
        "Prices rose 5%, e.g. the X1.",
        "Next.",
    ]


def test_a_hard_wrapped_sentence_is_one_sentence_but_rows_and_paragraphs_are_not():
    text = (
        "The first 500 rows are\n  the training part and the rest\nthe test part.\n"
        "Net income\n\nrevenue was high.\n"
        "net sales 1,577 1,432\nother income 12 15\n"
    )
    assert [text[s.start : s.end] for s in sentence_spans(text)] == [
        "The first 500 rows are\n  the training part and the rest\nthe test part.",
        "Net income",
        "revenue was high.",
        "net sales 1,577 1,432",
        "other income 12 15",
    ]
