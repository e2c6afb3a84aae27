"""CI's quality gate: `rag eval` on a fixed subset, failing when a threshold fails.

The subset is the first 5 questions of each kind in eval/questions.jsonl (35 of 75):
every kind is gated, and the run fits CI's time on a 2-core machine (~10 minutes at
~15 s an answer). `rag eval` with no flags runs the whole set.
"""

from __future__ import annotations

import pytest

from test_cli import rag

pytestmark = pytest.mark.slow


def test_eval_suite_meets_thresholds(tmp_path):
    result = rag("eval", "--per-kind", "5", "--out", str(tmp_path / "reports"), timeout=3000)
    print(result.stdout)  # the score table, shown by `pytest -s` and kept in CI's log on failure
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [report] = (tmp_path / "reports").glob("*/report.json")
    assert (report.parent / "scores_by_kind.png").stat().st_size > 0
