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
