"""Harness, report files, run comparison and threshold gates, driven by stub answer functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluation.gold import GoldNumber, GoldQuestion
from rag.evaluation.harness import EvalRun, evaluate
from rag.evaluation.report import compare, format_table, write_report
from rag.evaluation.thresholds import ThresholdError, check_thresholds, load_thresholds
from rag.types import Answer, Chunk, Citation, Passage

ROOT = Path(__file__).resolve().parents[1]
S0 = "seeds/000_d235e046a46ede60.txt"
S1 = "seeds/001_b935167cea57a828.txt"
QUOTE = "spend over 160 billion yuan (approximately US$22 billion) on AI procurement this year"

QUESTIONS = [
    GoldQuestion("f1", "fact", "How many yuan for AI procurement?", (GoldNumber(1.6e11, "CNY", S0),), (), (S0,)),
    GoldQuestion("u1", "unanswerable", "What was ByteDance's AI budget in 2019?"),
    GoldQuestion("p1", "false_premise", "Why did ByteDance pick TSMC for SeedChip?", (), ("Samsung",), (S0,)),
    GoldQuestion("e1", "fact", "Which question breaks the pipeline?", (GoldNumber(1.0, "USD", S1),), (), (S1,)),
]


def _answer(question: str, text: str, *, abstained: bool = False, cited: bool = True) -> Answer:
    citations = [Citation(1, S0, 0, len(QUOTE), 3, 3, QUOTE)] if cited else []
    passages = [Passage(Chunk(S0, QUOTE, 0, len(QUOTE), 3, 3, "title"), 0.5)]
    timings = {"retrieve_ms": 10.0, "first_token_ms": 250.0, "total_ms": 2000.0}
    return Answer(question, text, abstained, citations, [], False, "stub-model", timings, passages)


def good_fn(question: str) -> Answer:
    if "breaks" in question:
        raise RuntimeError("model crashed")
    if "2019" in question:
        return _answer(question, "The documents do not give a 2019 budget.", abstained=True, cited=False)
    if "TSMC" in question:
        return _answer(question, "It didn't; Samsung manufactures the chip [1].")
    return _answer(question, "Over 160 billion yuan [1].")


def worse_fn(question: str) -> Answer:
    if "procurement" in question:
        return _answer(question, "About 90 billion yuan [1].")
    return good_fn(question)


@pytest.fixture(scope="module")
def run() -> EvalRun:
    return evaluate(QUESTIONS, good_fn, progress=False)


def test_harness_records_an_exception_as_an_error(run):
    verdicts = {r.gold.id: r.score.verdict for r in run.results}
    assert verdicts == {"f1": "correct", "u1": "correct", "p1": "correct", "e1": "error"}
    error = next(r for r in run.results if r.gold.id == "e1")
    assert "RuntimeError: model crashed" in error.score.why and error.answer is None


def test_aggregates(run):
    assert run.overall.n == 4 and run.overall.errors == 1
    assert run.overall.accuracy == 0.75
    assert run.overall.abstention_recall == 1.0 and run.overall.abstention_precision == 1.0
    assert run.overall.latency_p50_s == 2.0 and run.overall.first_token_p95_s == 0.25
    assert list(run.by_kind) == ["fact", "unanswerable", "false_premise"]
    assert run.by_kind["fact"].n == 2


def test_report_files_are_written_and_json_round_trips(run, tmp_path):
    paths = write_report(run, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "scores_by_kind.png"]
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert data == json.loads(json.dumps(run.to_dict()))
    question = data["questions"][0]
    for key in ("question", "kind", "answer", "citations", "numbers", "verdict", "why", "scores", "latency"):
        assert key in question
    assert question["latency"]["total_s"] == 2.0
    assert "| kind |" in paths[1].read_text(encoding="utf-8")
    assert paths[2].read_bytes().startswith(b"\x89PNG")


def test_terminal_table_has_every_kind_and_overall(run):
    table = format_table(run)
    for label in ("fact", "unanswerable", "false_premise", "overall", "crag"):
        assert label in table


def test_compare_finds_a_regression(run, tmp_path):
    old_json = write_report(run, tmp_path)[0]
    changes = compare(old_json, evaluate(QUESTIONS, worse_fn, progress=False))
    assert [(c.id, c.better, c.old_verdict, c.new_verdict) for c in changes] == [("f1", False, "correct", "wrong")]
    assert str(changes[0]).startswith("worse: f1")


def test_compare_finds_an_improvement(tmp_path):
    old_json = write_report(evaluate(QUESTIONS, worse_fn, progress=False), tmp_path)[0]
    changes = compare(old_json, evaluate(QUESTIONS, good_fn, progress=False))
    assert [(c.id, c.better) for c in changes] == [("f1", True)]


def test_failing_thresholds_are_reported(run, tmp_path):
    path = tmp_path / "thresholds.toml"
    path.write_text(
        "[overall]\naccuracy_min = 0.9\nerrors_max = 0\nhallucinated_numbers_max = 0\n"
        "[kind.fact]\ncrag_score_min = 0.9\n[kind.conflict]\naccuracy_min = 1.0\n",
        encoding="utf-8",
    )
    failures = check_thresholds(run, load_thresholds(path))
    assert [str(f) for f in failures] == [
        "overall.accuracy_min: measured 0.75, required >= 0.9",
        "overall.errors_max: measured 1, required <= 0",
        "kind.fact.crag_score_min: measured 0.5, required >= 0.9",
    ]


def test_project_thresholds_load_and_cover_the_key_metrics():
    thresholds = load_thresholds(ROOT / "eval" / "thresholds.toml")
    names = {t.name for t in thresholds}
    for name in ("overall.hallucinated_numbers_max", "overall.accuracy_min", "overall.abstention_recall_min"):
        assert name in names


@pytest.mark.parametrize(
    "text",
    ["[overall]\naccuracy = 0.5\n", "[overall]\nvibes_min = 1\n", "[kind.trivia]\naccuracy_min = 1\n", "[extra]\n"],
)
def test_bad_thresholds_are_refused(tmp_path, text):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdError):
        load_thresholds(path)
