"""Hybrid retrieval: dense (FAISS) and lexical (BM25) candidates fused by reciprocal rank fusion.

Dense search finds paraphrases ("spend abroad" for "invest overseas"); BM25 finds
exact figures and names ("296 TOPS", "Cambricon"). RRF needs no score
calibration between the two, which matters because their scores live on
different scales.

Two rules act on the fused list, both general:
- Scope: when the question names a subject or period and some candidates'
  documents are known to be about another one (their profiles, `rag/metadata.py`),
  the other candidates form a third ranking fused in by RRF, so the right report's
  passages rank ahead of another year's or another company's. A document whose
  profile does not say (UNKNOWN) is not pushed down: a news article without a
  period on its title is not evidence against itself. A question naming neither
  is unaffected.
- Identifiers: a candidate that contains, verbatim, an ID-like name of the
  question ("Unit 0147", "ISO 9001", "H100"; `rag/periods.py`) ranks ahead of
  candidates that contain fewer of them. Among many similar records the dense
  list ranks every record alike, and fusion alone would bury the one BM25 found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.embedding import Embedder
from rag.metadata import QuestionScope, ScopeOutcome, match, question_scope
from rag.periods import identifiers
from rag.store.store import IndexStore
from rag.types import Passage

RRF_K = 60  # Cormack et al. (2009): k=60 damps the head of each list so one retriever cannot dominate


def reciprocal_rank_fusion(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Fuse ranked lists of ids: score(id) = sum over lists of 1 / (k + rank). Ties keep first-seen order."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores.items(), key=lambda pair: -pair[1])


def in_scope_ranking(fused: Sequence[int], matching: set[int]) -> list[int]:
    """The fused rows whose document may answer the question's scope, in fused order: the third RRF list."""
    return [row for row in fused if row in matching]


def identifier_hits(chunk_text: str, wanted: Sequence[str]) -> int:
    """How many of the question's identifiers (normalised by `periods.identifiers`) occur verbatim in the chunk."""
    if not wanted:
        return 0
    text = " ".join(chunk_text.split()).casefold()
    return sum(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None for name in wanted)


class Retriever:
    """Searches one loaded index with the embedder that built it."""

    def __init__(self, store: IndexStore, embedder: Embedder) -> None:
        self.store = store
        self._embedder = embedder
        self._subjects = sorted(
            {e.profile.subject for e in store.manifest.files.values() if e.profile and e.profile.subject}
        )

    def scope(self, query: str) -> QuestionScope:
        """The subjects (among this corpus' documents) and periods `query` names."""
        return question_scope(query, self._subjects)

    def search(self, query: str, k: int, candidates: int) -> list[Passage]:
        """The `k` best passages for `query`, best first."""
        dense = self.store.dense.search(self._embedder.embed([query])[0], candidates)
        lexical = self.store.lexical.search(query, candidates, len(self.store.chunks))
        dense_rank = {row: rank for rank, (row, _) in enumerate(dense, start=1)}
        lexical_rank = {row: rank for rank, (row, _) in enumerate(lexical, start=1)}
        rankings = [[row for row, _ in dense], [row for row, _ in lexical]]
        fused = reciprocal_rank_fusion(rankings)
        matching = self._in_scope_rows([row for row, _ in fused], self.scope(query))
        if matching and len(matching) < len(fused):
            fused = reciprocal_rank_fusion([*rankings, in_scope_ranking([row for row, _ in fused], matching)])
        wanted = identifiers(query)
        if wanted:  # a stable sort keeps fused order within each count
            fused.sort(key=lambda pair: -identifier_hits(self.store.chunks[pair[0]].text, wanted))
        return [
            Passage(
                chunk=self.store.chunks[row],
                score=score,
                dense_rank=dense_rank.get(row),
                lexical_rank=lexical_rank.get(row),
            )
            for row, score in fused[:k]
        ]

    def _in_scope_rows(self, rows: list[int], scope: QuestionScope) -> set[int]:
        """Rows whose document is not known to be about another subject or period; empty when the question names nothing."""
        if scope.names_nothing:
            return set()
        outcome: dict[str, bool] = {}
        for row in rows:
            source = self.store.chunks[row].source
            if source not in outcome:
                entry = self.store.manifest.files.get(source)
                found = match(entry.profile if entry else None, scope).outcome
                outcome[source] = found in (ScopeOutcome.MATCH, ScopeOutcome.UNKNOWN)
        return {row for row in rows if outcome[self.store.chunks[row].source]}

