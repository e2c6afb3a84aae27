"""Where the claim gate's relevance threshold should sit, per eval suite, without running the LLM.

For every answerable question of a suite, the sentences of its retrieved passages are scored
on the question's relevance scale (`rag/answering/relevance.py`): those that state a gold
figure stand in for true claims, the rest for filler. The threshold must keep (nearly) all
true ones on every suite; raw cosines are printed beside, to show what a fixed cosine would do.

    .venv/bin/python bench/relevance_calibration.py [SUITE ...]     # default: every suite
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace

import numpy as np

from rag.answering.pipeline import Pipeline
from rag.answering.relevance import background_sample, measure_scale
from rag.chunking import sentence_spans
from rag.config import load_settings
from rag.evaluation.gold import ANSWERABLE, load_questions
from rag.evaluation.numbers import parse_quantities
from rag.evaluation.suites import corpus_folder, load_suite, suite_names
from rag.indexing import build_index


def calibrate(name: str) -> str:
    base = load_settings()
    suite = load_suite(name)
    corpus = corpus_folder(suite, base.cache_dir)
    key = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]  # the eval's own index
    settings = replace(base, corpus=corpus, index_dir=base.cache_dir / "eval-index" / key)
    build_index([corpus], settings, show_progress=False)
    pipeline = Pipeline(settings, show_progress=False)
    store, embedder = pipeline.open_index(), pipeline.load_embedder()
    background = background_sample(store.vectors)
    scaled: dict[bool, list[float]] = {True: [], False: []}
    raw: dict[bool, list[float]] = {True: [], False: []}
    for question in load_questions(suite.questions_path):
        golds = [g.value for g in question.gold_numbers if g.source]
        if question.kind not in ANSWERABLE or not golds:
            continue
        vector = embedder.embed([question.question])[0]
        passages = pipeline.search(question.question, settings.top_k)
        scale = measure_scale(vector, [p.chunk.embedding_text() for p in passages], background, embedder)
        for passage in passages:
            for span in sentence_spans(passage.chunk.text):
                sentence = passage.chunk.text[span.start : span.end]
                states_gold = any(abs(q.value - g) <= 1e-6 * max(abs(g), 1) for q in parse_quantities(sentence) for g in golds)
                sentence_vector = embedder.embed([sentence])
                scaled[states_gold].append(float(scale.of_vectors(sentence_vector)[0]))
                raw[states_gold].append(float(sentence_vector[0] @ vector))
    true, other = np.array(scaled[True]), np.array(scaled[False])
    return (
        f"{name}: gold sentences n={len(true)} p2={np.percentile(true, 2):.2f} p50={np.median(true):.2f} "
        f"(raw cosine p5={np.percentile(raw[True], 5):.2f}) | others n={len(other)} p50={np.median(other):.2f} | "
        f"below 0: gold {(true < 0).mean():.2f}, others {(other < 0).mean():.2f}"
    )


if __name__ == "__main__":
    for suite_name in sys.argv[1:] or suite_names():
        print(calibrate(suite_name), flush=True)
