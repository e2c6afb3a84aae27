"""The evaluation suites: gold questions, an independent scorer, a harness, reports and gates.

It reads answers only through `rag.types.Answer` and parses numbers with its
own reader, so it can catch bugs in the answer pipeline instead of sharing them.
"""

from rag.evaluation.gold import GoldNumber, GoldQuestion, load_questions
from rag.evaluation.harness import EvalRun, QuestionResult, Summary, evaluate
from rag.evaluation.gold_check import check_suite
from rag.evaluation.report import Change, SuiteRun, compare, format_tables, write_report
from rag.evaluation.scoring import Score, score_answer
from rag.evaluation.suites import Suite, corpus_folder, load_suite, suite_names
from rag.evaluation.thresholds import Failure, Threshold, check_thresholds, load_thresholds

__all__ = [
    "Change",
    "EvalRun",
    "Failure",
    "GoldNumber",
    "GoldQuestion",
    "QuestionResult",
    "Score",
    "Suite",
    "SuiteRun",
    "Summary",
    "Threshold",
    "check_suite",
    "check_thresholds",
    "compare",
    "corpus_folder",
    "evaluate",
    "format_tables",
    "load_questions",
    "load_suite",
    "load_thresholds",
    "score_answer",
    "suite_names",
    "write_report",
]
