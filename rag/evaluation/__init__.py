"""The evaluation suite: gold questions, an independent scorer, a harness, reports and gates.

It reads answers only through `rag.types.Answer` and parses numbers with its
own reader, so it can catch bugs in the answer pipeline instead of sharing them.
"""

from rag.evaluation.gold import GoldNumber, GoldQuestion, load_questions
from rag.evaluation.harness import EvalRun, QuestionResult, Summary, evaluate
from rag.evaluation.report import Change, compare, format_table, write_report
from rag.evaluation.scoring import Score, score_answer
from rag.evaluation.thresholds import Failure, Threshold, check_thresholds, load_thresholds

__all__ = [
    "Change",
    "EvalRun",
    "Failure",
    "GoldNumber",
    "GoldQuestion",
    "QuestionResult",
    "Score",
    "Summary",
    "Threshold",
    "check_thresholds",
    "compare",
    "evaluate",
    "format_table",
    "load_questions",
    "load_thresholds",
    "score_answer",
    "write_report",
]
