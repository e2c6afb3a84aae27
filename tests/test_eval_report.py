"""Harness, report files, run comparison and threshold gates, driven by stub answer functions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.evaluation.gold import GoldNumber, GoldQuestion
from rag.evaluation.harness import EvalRun, evaluate
from rag.evaluation.report import SuiteRun, compare, format_tables, write_report
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


def _answer(question: str, text: str, *, abstained: bool = False, cited: bool = True, conflict: bool = False) -> Answer:
    citations = [Citation(S0, 0, len(QUOTE), 3, 3, QUOTE, id=1)] if cited else []
    passages = [Passage(Chunk(S0, QUOTE, 0, len(QUOTE), 3, 3, "title"), 0.5)]
    timings = {"retrieve_ms": 10.0, "first_token_ms": 250.0, "total_ms": 2000.0}
    return Answer(question, text, abstained, citations, [], conflict, "stub-model", timings, passages)


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


def test_each_result_is_handed_on_as_it_is_scored():
    seen = []
    run = evaluate(QUESTIONS, good_fn, progress=False, on_result=lambda r: seen.append(r.gold.id))
    assert seen == [r.gold.id for r in run.results] == ["f1", "u1", "p1", "e1"]


def test_a_disagreement_flagged_outside_conflict_questions_is_a_false_conflict():
    conflict_question = GoldQuestion("c1", "conflict", "How much?", (GoldNumber(1.6e11, "CNY", S0),) * 2, (), (S0,))
    flagged = lambda q: _answer(q, "Over 160 billion yuan [1]; another source differs.", conflict=True)  # noqa: E731
    run = evaluate([QUESTIONS[0], conflict_question], flagged, progress=False)
    assert run.overall.false_conflicts == 1
    assert run.by_kind["fact"].false_conflicts == 1 and run.by_kind["conflict"].false_conflicts == 0


def test_aggregates(run):
    assert run.overall.n == 4 and run.overall.errors == 1
    assert run.overall.accuracy == 0.75
    assert run.overall.abstention_recall == 1.0 and run.overall.abstention_precision == 1.0
    assert run.overall.latency_p50_s == 2.0 and run.overall.first_token_p95_s == 0.25
    assert list(run.by_kind) == ["fact", "unanswerable", "false_premise"]
    assert run.by_kind["fact"].n == 2


def test_report_files_are_written_and_json_round_trips(run, tmp_path):
    runs = [SuiteRun("news", run), SuiteRun("manuals", evaluate(QUESTIONS[:2], good_fn, progress=False))]
    paths = write_report(runs, tmp_path / "out")
    assert [p.name for p in paths] == ["report.json", "report.md", "scores_by_kind.png"]
    data = json.loads(paths[0].read_text(encoding="utf-8"))
    assert list(data["suites"]) == ["news", "manuals"]
    assert data["suites"]["news"] == json.loads(json.dumps({**run.to_dict(), "threshold_failures": []}))
    question = data["suites"]["news"]["questions"][0]
    for key in ("question", "kind", "answer", "citations", "numbers", "verdict", "why", "scores", "latency"):
        assert key in question
    assert question["latency"]["total_s"] == 2.0
    markdown = paths[1].read_text(encoding="utf-8")
    assert "| false_premise | news | manuals |" in markdown and "`news/e1`" in markdown
    assert paths[2].read_bytes().startswith(b"\x89PNG")


def test_terminal_tables_put_suites_side_by_side_per_kind(run):
    other = evaluate(QUESTIONS[:2], good_fn, progress=False)  # fact and unanswerable only
    tables = format_tables([SuiteRun("news", run), SuiteRun("manuals", other)]).split("\n\n")
    assert [t.split()[0] for t in tables] == ["fact", "unanswerable", "false_premise", "overall"]
    false_premise = tables[2].splitlines()
    assert false_premise[0].split() == ["false_premise", "news", "manuals"]
    assert false_premise[2].split() == ["n", "1", "-"]  # a kind a suite lacks shows "-"
    accuracy = next(line for line in tables[3].splitlines() if line.startswith("accuracy"))
    assert accuracy.split()[1:] == ["0.75", "1.00"]


def test_compare_finds_a_regression(run, tmp_path):
    old_json = write_report([SuiteRun("news", run)], tmp_path)[0]
    changes = compare(old_json, [SuiteRun("news", evaluate(QUESTIONS, worse_fn, progress=False))])
    assert [(c.id, c.better, c.old_verdict, c.new_verdict) for c in changes] == [("f1", False, "correct", "wrong")]
    assert str(changes[0]).startswith("worse: news/f1")


def test_compare_matches_questions_within_their_suite(run, tmp_path):
    old_json = write_report([SuiteRun("news", evaluate(QUESTIONS, worse_fn, progress=False))], tmp_path)[0]
    new_runs = [SuiteRun("news", run), SuiteRun("manuals", evaluate(QUESTIONS, worse_fn, progress=False))]
    changes = compare(old_json, new_runs)
    assert [(c.suite, c.id, c.better) for c in changes] == [("news", "f1", True)]


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


@pytest.mark.parametrize("suite", sorted(p.name for p in (ROOT / "eval" / "suites").iterdir() if p.is_dir()))
def test_every_suite_gates_faithfulness_and_crashes(suite):
    thresholds = {t.name for t in load_thresholds(ROOT / "eval" / "suites" / suite / "thresholds.toml")}
    assert {"overall.hallucinated_numbers_max", "overall.errors_max"} <= thresholds


@pytest.mark.parametrize(
    "text",
    ["[overall]\naccuracy = 0.5\n", "[overall]\nvibes_min = 1\n", "[kind.trivia]\naccuracy_min = 1\n", "[extra]\n"],
)
def test_bad_thresholds_are_refused(tmp_path, text):
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ThresholdError):
        load_thresholds(path)
