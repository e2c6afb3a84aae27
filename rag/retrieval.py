"""Hybrid retrieval: the store's dense and lexical candidates, fused by reciprocal rank fusion, then ranked by scope.

Dense search finds paraphrases ("spend abroad" for "invest overseas"); BM25 finds
exact figures and names ("296 TOPS", "Cambricon"). RRF needs no score
calibration between the two, which matters because their scores live on
different scales. The store (rag/store/base.py) runs both searches and the fusion:
in process for the local folder, in the server for Milvus.

Three rules act on the fused list, all general:
- Scope: when the question names a subject or period and some candidates'
  documents are known to be about another one (their profiles, `rag/metadata.py`),
  the other candidates form a third ranking fused in by RRF, so the right report's
  passages rank ahead of another year's or another company's. A document whose
  profile does not say (UNKNOWN) is not pushed down: a news article without a
  period on its title is not evidence against itself. A question naming neither
  is unaffected.
- Subjects in turn: when the question names two or more subjects ("the diabetes and
  Linnerud datasets"), their documents' candidates are taken in turn, each subject's best
  first, so that one subject's passages do not fill every place the model reads.
- Identifiers: a candidate that contains, verbatim, an ID-like name of the
  question ("Unit 0147", "ISO 9001", "H100"; `rag/periods.py`) ranks ahead of
  candidates that contain fewer of them. Among many similar records the dense list
  ranks every record alike, and fusion alone would bury the one BM25 found. A named
  subject's own name ("DS42") is not one: every mention in its documents would push
  the other subject's passages out.

And one probe, asked for by the answering pipeline for the figures a question gives:
the rows of bracket tables that hold them (`bracket_rows`), which keyword search cannot
find ("60,400 60,450 ..." holds $60,425).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import replace

from rag import brackets
from rag.embedding import Embedder
from rag.metadata import QuestionScope, ScopeOutcome, match, question_scope, subject_matches
from rag.numbers import Quantity
from rag.periods import identifiers
from rag.store.base import Store
from rag.store.fusion import RRF_K, reciprocal_rank_fusion
from rag.types import Passage

__all__ = ["RRF_K", "Retriever", "identifier_hits", "in_scope_ranking", "reciprocal_rank_fusion"]


def in_scope_ranking(fused: Sequence[Hashable], matching: set) -> list:
    """The fused candidates whose document may answer the question's scope, in fused order: the third RRF list."""
    return [row for row in fused if row in matching]


def identifier_hits(chunk_text: str, wanted: Sequence[str]) -> int:
    """How many of the question's identifiers (normalised by `periods.identifiers`) occur verbatim in the chunk."""
    if not wanted:
        return 0
    text = " ".join(chunk_text.split()).casefold()
    return sum(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None for name in wanted)


class Retriever:
    """Searches one index with the embedder that built it."""

    def __init__(self, store: Store, embedder: Embedder) -> None:
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
        fused = self.store.search(self._embedder.embed([query])[0], query, candidates)
        scope = self.scope(query)
        matching = self._in_scope(fused, scope)
        if matching and len(matching) < len(fused):
            # RRF is a sum over lists, so fusing in a third list adds its share to each fused score.
            bonus = {i: 1.0 / (RRF_K + rank) for rank, i in enumerate(in_scope_ranking(range(len(fused)), matching), start=1)}
            rescored = [replace(p, score=p.score + bonus.get(i, 0.0)) for i, p in enumerate(fused)]
            fused = sorted(rescored, key=lambda p: -p.score)
        if len(scope.subjects) > 1:
            fused = self._each_subject_in_turn(fused, scope.subjects)
        # A subject the question names ("DS42") is found by its documents, not by counting its mentions.
        named = {subject.casefold() for subject in scope.subjects}
        wanted = [name for name in identifiers(query) if name.casefold() not in named]
        if wanted:  # a stable sort keeps fused order within each count
            fused.sort(key=lambda p: -identifier_hits(p.chunk.text, wanted))
        return fused[:k]

    def bracket_rows(self, figures: Sequence[Quantity], candidates: int) -> list[Passage]:
        """Passages with a bracket row holding one of `figures` (`rag/brackets.py`), narrowest bracket first:
        keyword search for the lower bounds such a row may start at, kept only where a row does hold the figure."""
        probe = " ".join(bound for figure in figures for bound in brackets.lower_bounds(figure))
        if not probe:
            return []
        fused = self.store.search(self._embedder.embed([probe])[0], probe, candidates)
        held = []
        for passage in fused:
            widths = [w for figure in figures if (w := brackets.narrowest(figure, passage.chunk.text)) is not None]
            if widths:
                held.append((min(widths), passage))
        return [passage for _, passage in sorted(held, key=lambda pair: pair[0])]

    def _each_subject_in_turn(self, fused: list[Passage], subjects: Sequence[str]) -> list[Passage]:
        """The candidates of each named subject's documents taken in turn, best first, then the rest: a question
        about two subjects reads both, where fused order could fill every place with one subject's passages."""
        groups: list[list[Passage]] = [[] for _ in subjects]
        rest = []
        for passage in fused:
            entry = self.store.manifest.files.get(passage.chunk.source)
            subject = entry.profile.subject if entry and entry.profile else None
            named = next((i for i, s in enumerate(subjects) if subject and subject_matches(subject, s)), None)
            (rest if named is None else groups[named]).append(passage)
        taken = [group[turn] for turn in range(max(map(len, groups))) for group in groups if turn < len(group)]
        return taken + rest

    def _in_scope(self, fused: list[Passage], scope: QuestionScope) -> set[int]:
        """Positions of candidates whose document is not known to be about another subject or period;
        empty when the question names nothing."""
        if scope.names_nothing:
            return set()
        outcome: dict[str, bool] = {}
        for passage in fused:
            source = passage.chunk.source
            if source not in outcome:
                entry = self.store.manifest.files.get(source)
                found = match(entry.profile if entry else None, scope).outcome
                outcome[source] = found in (ScopeOutcome.MATCH, ScopeOutcome.UNKNOWN)
        return {i for i, passage in enumerate(fused) if outcome[passage.chunk.source]}
