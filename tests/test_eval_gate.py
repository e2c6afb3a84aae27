"""CI's quality gate: the whole eval set through `rag eval`, failing when a threshold fails."""

from __future__ import annotations

import pytest

from test_cli import rag

pytestmark = pytest.mark.slow


def test_eval_suite_meets_thresholds(tmp_path):
    result = rag("eval", "--out", str(tmp_path / "reports"), timeout=3000)
    print(result.stdout)  # the score table, shown by `pytest -s` and kept in CI's log on failure
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [report] = (tmp_path / "reports").glob("*/report.json")
    assert (report.parent / "scores_by_kind.png").stat().st_size > 0
