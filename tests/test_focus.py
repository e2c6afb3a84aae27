"""Passages narrowed to their best sentences stay exact spans, keep the answer, and fit the budget."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.answering.focus import focus_passages
from rag.chunking import chunk_document, sentence_spans
from rag.loading import find_files, load_corpus
from rag.types import Chunk, Passage

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


@pytest.fixture(scope="module")
def seed_chunks():
    documents, _ = load_corpus(find_files([SEEDS]))
    return [chunk for document in documents for chunk in chunk_document(document, 360, 120)]


def _passages(chunks, *needles: str) -> list[Passage]:
    return [Passage(next(c for c in chunks if needle in c.text), 1.0) for needle in needles]


def test_narrowed_passages_are_exact_spans_of_their_files(seed_chunks, embedder):
    question = "How much will ByteDance invest abroad?"
    passages = [Passage(c, 1.0) for c in seed_chunks[:8]]
    for passage in focus_passages(question, embedder.embed([question])[0], passages, embedder, 600):
        chunk = passage.chunk
        text = (SEEDS.parent / chunk.source).read_text(encoding="utf-8")
        assert text[chunk.start : chunk.end] == chunk.text
        assert text.count("\n", 0, chunk.start) + 1 == chunk.line_start
        assert chunk.line_start + chunk.text.count("\n") == chunk.line_end


def test_the_sentence_that_answers_is_kept_and_the_prompt_shrinks(seed_chunks, embedder):
    question = "What INT8 performance does Cambricon's Siyuan 370 offer?"
    passages = _passages(seed_chunks, "256 TOPS", "Alibaba", "ByteDance")
    focused = focus_passages(question, embedder.embed([question])[0], passages, embedder, 300)
    assert any("256 TOPS" in p.chunk.text for p in focused)
    assert sum(len(p.chunk.text) for p in focused) < sum(len(p.chunk.text) for p in passages)


def test_budget_bounds_all_but_each_passages_best_sentence(seed_chunks, embedder):
    question = "How much is ByteDance spending on AI chips?"
    passages = [Passage(c, 1.0) for c in seed_chunks[:6]]
    vector = embedder.embed([question])[0]
    smallest = focus_passages(question, vector, passages, embedder, 0)
    assert all(len(sentence_spans(p.chunk.text)) == 1 for p in smallest)  # no room: the best sentence only
    roomy = focus_passages(question, vector, passages, embedder, 10_000)
    assert sum(len(p.chunk.text) for p in smallest) < sum(len(p.chunk.text) for p in roomy)


def test_a_sentence_shown_by_an_overlapping_passage_is_not_shown_again(seed_chunks, embedder):
    first, second = next(
        (a, b) for a, b in zip(seed_chunks, seed_chunks[1:]) if a.source == b.source and b.start < a.end
    )
    shared = first.text[second.start - first.start :].strip()
    vector = embedder.embed([shared])[0]  # a question worded exactly like the shared sentence
    focused = focus_passages(shared, vector, [Passage(first, 1.0), Passage(second, 1.0)], embedder, 10_000)
    spans = [(p.chunk.start, p.chunk.end) for p in focused]
    for (a_start, a_end), (b_start, b_end) in zip(spans, spans[1:]):
        assert a_end <= b_start or b_end <= a_start


def test_a_sentence_that_uses_the_asked_word_beats_one_that_only_shares_its_date(embedder):
    # The embedder alone ranks the first sentence higher (0.57 against 0.52): it shares the question's date.
    question = "According to President McKinley's 1899 annual message, how much was collected from customs in the fiscal year ended June 30, 1899?"
    text = (
        "Government receipts from all sources for the fiscal year ended June 30, 1899, including $11,798,314.14, "
        "part payment of the Central Pacific Railroad indebtedness, aggregated $610,982,004.35. "
        "Customs receipts were $206,128,481.75, and those from internal revenue $273,437,161.51."
    )
    passage = Passage(Chunk("messages/1899.txt", text, 0, len(text), 1, 1, ""), 1.0)
    [focused] = focus_passages(question, embedder.embed([question])[0], [passage], embedder, 0)
    assert focused.chunk.text.startswith("Customs receipts were $206,128,481.75")
