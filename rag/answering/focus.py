"""Narrow retrieved passages to the sentences that bear on the question.

Prompt tokens are the main cost of an answer on a CPU: llama.cpp reads the prompt at
45-135 tokens/s on two cores, and five whole chunks come to ~400 tokens. A chunk holds
two to four sentences, often one of them the answer, and neighbouring chunks repeat a
sentence (the chunk overlap). Showing each passage's best sentences, each sentence
once, within a character budget, cuts the prompt and gives a small model less to copy
by mistake. A narrowed passage is still an exact span of its document, so verification
and citations treat it like any other.

A sentence is scored by its embedding's similarity to the question plus a share of the
question's words it uses, weighted by how few sentences use each word: a small embedder
ranks "receipts for the fiscal year ended June 30, 1899" above "Customs receipts were
$206,128,481.75" when customs receipts are asked for, as dates weigh on it like words.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from rag.answering.words import COMPARISON_STEMS, PERIOD_STEMS, content_stems
from rag.chunking import sentence_spans
from rag.embedding import Embedder
from rag.types import Chunk, Passage

# How much a sentence that uses every distinguishing word of the question gains over one that
# uses none, on the cosine scale (sentences of one retrieval differ by about 0.05-0.3).
WORDS_WEIGHT = 0.2


@dataclass
class _Window:
    """The run of sentences [first, last] of one passage that will be shown."""

    sentences: list[tuple[int, int]]  # (start, end) offsets in the chunk text
    scores: np.ndarray
    first: int
    last: int

    def size(self) -> int:
        return self.sentences[self.last][1] - self.sentences[self.first][0]


def focus_passages(
    question: str, question_vector: np.ndarray, passages: list[Passage], embedder: Embedder, budget_chars: int
) -> list[Passage]:
    """Each passage cut to a run of its sentences most similar to the question, best passage first.

    Every passage keeps its best sentence unless an earlier passage already shows it (then
    the passage adds nothing and is dropped); the remaining budget grows the runs by the
    best-scoring neighbouring sentence, one at a time.
    """
    spans = [[(s.start, s.end) for s in sentence_spans(p.chunk.text)] for p in passages]
    texts = [_sentence_text(p.chunk, start, end) for p, sentences in zip(passages, spans) for start, end in sentences]
    if not texts:
        return passages
    scores = embedder.embed(texts) @ question_vector + WORDS_WEIGHT * _word_shares(question, texts)
    windows: list[_Window | None] = []
    shown: set[tuple[str, int]] = set()  # (source, document offset) of every sentence shown
    offset = 0
    for passage, sentences in zip(passages, spans):
        own = scores[offset : offset + len(sentences)]
        offset += len(sentences)
        best = int(np.argmax(own)) if sentences else 0
        if not sentences or _key(passage, sentences[best]) in shown:
            windows.append(None)
            continue
        shown.add(_key(passage, sentences[best]))
        windows.append(_Window(sentences, own, best, best))

    used = sum(w.size() for w in windows if w)
    while True:
        growth = _best_growth(passages, windows, shown, budget_chars - used)
        if growth is None:
            break
        index, position = growth
        window = windows[index]
        assert window is not None
        used -= window.size()
        window.first, window.last = min(window.first, position), max(window.last, position)
        used += window.size()
        shown.add(_key(passages[index], window.sentences[position]))
    return [_narrow(p, w) for p, w in zip(passages, windows) if w is not None]


def _word_shares(question: str, texts: list[str]) -> np.ndarray:
    """For each text, the share of the question's words it uses, each word weighted by its rarity among `texts`.

    Words no text uses, or that only say when ("fiscal year", "June"), distinguish nothing and are left out."""
    asked = content_stems(question) - PERIOD_STEMS - COMPARISON_STEMS
    used = [content_stems(text) & asked for text in texts]
    counts = {word: sum(word in words for words in used) for word in asked}
    weights = {word: float(np.log(1 + len(texts) / count)) for word, count in counts.items() if count}
    total = sum(weights.values())
    if not total:
        return np.zeros(len(texts), dtype=np.float32)
    return np.array([sum(weights[w] for w in words) / total for words in used], dtype=np.float32)


def _best_growth(
    passages: list[Passage], windows: list[_Window | None], shown: set[tuple[str, int]], room: int
) -> tuple[int, int] | None:
    """The (passage, sentence) next to a run with the highest score that fits in `room` and is not shown yet."""
    best: tuple[float, int, int] | None = None
    for index, window in enumerate(windows):
        if window is None:
            continue
        for position in (window.first - 1, window.last + 1):
            if not 0 <= position < len(window.sentences):
                continue
            start, end = window.sentences[position]
            grown = max(window.sentences[window.last][1], end) - min(window.sentences[window.first][0], start)
            if grown - window.size() > room or _key(passages[index], (start, end)) in shown:
                continue
            if best is None or window.scores[position] > best[0]:
                best = (float(window.scores[position]), index, position)
    return None if best is None else (best[1], best[2])


def _sentence_text(chunk: Chunk, start: int, end: int) -> str:
    """What the embedder sees for one sentence: like a chunk, with its title for topic."""
    sentence = chunk.text[start:end]
    return f"{chunk.title}\n{sentence}" if chunk.title and chunk.title not in sentence else sentence


def _key(passage: Passage, sentence: tuple[int, int]) -> tuple[str, int]:
    return passage.chunk.source, passage.chunk.start + sentence[0]


def _narrow(passage: Passage, window: _Window) -> Passage:
    chunk = passage.chunk
    begin, finish = window.sentences[window.first][0], window.sentences[window.last][1]
    line_start = chunk.line_start + chunk.text.count("\n", 0, begin)
    narrowed = replace(
        chunk,
        text=chunk.text[begin:finish],
        start=chunk.start + begin,
        end=chunk.start + finish,
        line_start=line_start,
        line_end=line_start + chunk.text.count("\n", begin, finish),
    )
    return replace(passage, chunk=narrowed)
