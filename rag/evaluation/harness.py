"""Run gold questions through an answer function and aggregate the scores.

The answer function is injected (`ask` bound to an index and a model in real
use, a stub in tests), so the harness never knows how answers are produced.
One failing question is recorded as an "error" verdict instead of ending the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np
from tqdm import tqdm

from rag.evaluation.gold import KINDS, GoldQuestion
from rag.evaluation.scoring import Score, error_score, score_answer
from rag.types import Answer


@dataclass
class QuestionResult:
    """One question, what came back, and its score; `answer` is None after an error."""

    gold: GoldQuestion
    answer: Answer | None
    score: Score

    def to_dict(self) -> dict[str, Any]:
        """The per-question record of report.json."""
        answer, score = self.answer, self.score
        return {
            "id": self.gold.id,
            "kind": self.gold.kind,
            "question": self.gold.question,
            "answer": answer.answer if answer else None,
            "abstained": score.abstained,
            "conflict": answer.conflict if answer else None,
            "model": answer.model if answer else None,
            "citations": [asdict(c) for c in answer.citations] if answer else [],
            "numbers": [asdict(n) for n in answer.numbers] if answer else [],
            "retrieved_sources": [p.chunk.source for p in answer.passages] if answer else [],
            "verdict": score.verdict,
            "why": score.why,
            "scores": {
                "crag": score.crag,
                "hallucinated": score.hallucinated,
                "citation_correct": score.citation_correct,
                "citation_only_gold": score.citation_only_gold,
                "cited_gold_page": score.cited_gold_page,
                "citation_precision": score.citation_precision,
                "retrieval_hit": score.retrieval_hit,
            },
            "latency": {"total_s": score.total_s, "first_token_s": score.first_token_s},
            "gold": {
                "numbers": [asdict(n) for n in self.gold.gold_numbers],
                "accepted_words": list(self.gold.accepted_words),
                "sources": list(self.gold.gold_sources),
            },
        }


@dataclass(frozen=True)
class Summary:
    """Aggregates over a set of results; None where nothing in the set measures it.

    Abstention recall is measured on `unanswerable` only, and precision counts
    abstentions outside `false_premise`: answering a false premise by correcting
    it is as good as abstaining, so that kind is judged by its own accuracy.
    """

    n: int
    correct: int
    partial: int
    wrong: int
    abstained: int  # verdict "abstained": gave up on an answerable question
    errors: int
    accuracy: float
    crag_score: float
    hallucinated_numbers: int
    hallucinated_answers: int
    false_conflicts: int  # answers that flag a disagreement on a question of any kind but `conflict`
    citation_correct: float | None
    citation_only_gold: float | None
    cited_gold_page: float | None  # of correct answers whose gold names its pages
    citation_precision: float | None
    retrieval_recall_at_k: float | None
    abstention_recall: float | None
    abstention_precision: float | None
    latency_p50_s: float | None
    latency_p95_s: float | None
    first_token_p50_s: float | None
    first_token_p95_s: float | None


METRICS = tuple(f.name for f in fields(Summary))


def summarise(results: list[QuestionResult]) -> Summary:
    """Aggregate a non-empty list of results."""
    scores = [r.score for r in results]
    verdicts = [s.verdict for s in scores]
    unanswerable = [r.score.abstained for r in results if r.gold.kind == "unanswerable"]
    abstentions = [
        r.gold.kind == "unanswerable" for r in results if r.score.abstained and r.gold.kind != "false_premise"
    ]
    totals = [s.total_s for s in scores if s.total_s is not None]
    first = [s.first_token_s for s in scores if s.first_token_s is not None]
    return Summary(
        n=len(scores),
        correct=verdicts.count("correct"),
        partial=verdicts.count("partial"),
        wrong=verdicts.count("wrong"),
        abstained=verdicts.count("abstained"),
        errors=verdicts.count("error"),
        accuracy=verdicts.count("correct") / len(scores),
        crag_score=sum(s.crag for s in scores) / len(scores),
        hallucinated_numbers=sum(len(s.hallucinated) for s in scores),
        hallucinated_answers=sum(bool(s.hallucinated) for s in scores),
        false_conflicts=sum(bool(r.answer and r.answer.conflict) for r in results if r.gold.kind != "conflict"),
        citation_correct=_mean([s.citation_correct for s in scores]),
        citation_only_gold=_mean([s.citation_only_gold for s in scores]),
        cited_gold_page=_mean([s.cited_gold_page for s in scores]),
        citation_precision=_mean([s.citation_precision for s in scores]),
        retrieval_recall_at_k=_mean([s.retrieval_hit for s in scores]),
        abstention_recall=_mean(unanswerable),
        abstention_precision=_mean(abstentions),
        latency_p50_s=_percentile(totals, 50),
        latency_p95_s=_percentile(totals, 95),
        first_token_p50_s=_percentile(first, 50),
        first_token_p95_s=_percentile(first, 95),
    )


@dataclass
class EvalRun:
    """Per-question results plus the aggregates overall and by kind."""

    results: list[QuestionResult]
    overall: Summary
    by_kind: dict[str, Summary]

    @classmethod
    def from_results(cls, results: list[QuestionResult]) -> EvalRun:
        """Aggregate `results`; kinds keep the gold file's canonical order."""
        by_kind = {
            kind: summarise([r for r in results if r.gold.kind == kind])
            for kind in KINDS
            if any(r.gold.kind == kind for r in results)
        }
        return cls(results=results, overall=summarise(results), by_kind=by_kind)

    @property
    def models(self) -> list[str]:
        """The models that produced the answers, as the answers name them."""
        return sorted({r.answer.model for r in self.results if r.answer})

    def to_dict(self) -> dict[str, Any]:
        """The content of report.json."""
        return {
            "models": self.models,
            "overall": asdict(self.overall),
            "by_kind": {kind: asdict(s) for kind, s in self.by_kind.items()},
            "questions": [r.to_dict() for r in self.results],
        }


def evaluate(
    questions: list[GoldQuestion],
    answer_fn: Callable[[str], Answer],
    *,
    progress: bool = True,
    on_result: Callable[[QuestionResult], None] | None = None,
) -> EvalRun:
    """Ask every question, score each answer, and aggregate; `on_result` sees each result as it is scored."""
    if not questions:
        raise ValueError("no questions to evaluate")
    results = []
    for question in tqdm(questions, desc="eval", unit="q", disable=not progress):
        results.append(_run_one(question, answer_fn))
        if on_result:
            on_result(results[-1])
    return EvalRun.from_results(results)


def _run_one(gold: GoldQuestion, answer_fn: Callable[[str], Answer]) -> QuestionResult:
    answer = None
    try:
        answer = answer_fn(gold.question)
        return QuestionResult(gold, answer, score_answer(gold, answer))
    except Exception as exc:  # one broken question must not end the run
        return QuestionResult(gold, answer, error_score(f"{type(exc).__name__}: {exc}"))


def _mean(values: Iterable[float | None]) -> float | None:
    present = [float(v) for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _percentile(values: list[float], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None
