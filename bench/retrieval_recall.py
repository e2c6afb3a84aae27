"""Recall@k of retrieval against each question's gold sources, and where the first gold passage ranks.

    python bench/retrieval_recall.py                      # eval/suites/seeds/questions.jsonl over seeds/
    python bench/retrieval_recall.py --questions eval/suites/reports/questions.jsonl --corpus eval/suites/reports/corpus

Builds a fresh index of the corpus in a temporary folder with the current code, so a
change to chunking, embedding text or retrieval is measured end to end. Prints
figures only; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from dataclasses import replace
from pathlib import Path

from rag.config import load_settings
from rag.embedding import make_embedder
from rag.indexing import build_index
from rag.retrieval import Retriever
from rag.store.store import open_store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=Path("eval/suites/seeds/questions.jsonl"))
    parser.add_argument("--corpus", type=Path, default=Path("seeds"))
    parser.add_argument("-k", type=int, default=5)
    parser.add_argument("--candidates", type=int, default=40)
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()

    rows = [json.loads(line) for line in args.questions.read_text().splitlines() if line.strip()]
    rows = [row for row in rows if row.get("gold_sources")]
    embedder = make_embedder("minilm-int8", threads=2)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(), index_dir=Path(folder) / "index", corpus=args.corpus)
        build_index([args.corpus], settings, embedder=embedder, show_progress=False)
        retriever = Retriever(open_store(settings.index_dir), embedder)
        hits, first, reciprocal = 0, 0, 0.0
        for row in rows:
            gold = {Path(s).name for s in row["gold_sources"]}
            found = [Path(p.chunk.source).name for p in retriever.search(row["question"], args.k, args.candidates)]
            rank = next((i for i, name in enumerate(found, start=1) if name in gold), None)
            hits += rank is not None
            first += rank == 1
            reciprocal += 1 / rank if rank else 0.0
            if rank is None and args.show_misses:
                print(f"miss: {row.get('id')}: {row['question']} -> {found}")
    total = len(rows)
    print(
        f"{args.questions}: {total} questions with gold sources; recall@1 {first}/{total} = {first / total:.3f}; "
        f"recall@{args.k} {hits}/{total} = {hits / total:.3f}; MRR@{args.k} {reciprocal / total:.3f}"
    )


if __name__ == "__main__":
    main()
