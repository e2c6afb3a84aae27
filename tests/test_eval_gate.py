"""CI's quality gate: one `rag eval --ci` over every suite, failing when any suite misses a threshold.

`--ci` runs each suite's fixed subset, the first `ci_per_kind` questions of each kind
(eval/suites/<name>/suite.toml): seeds 2 (14 of 75), reports, reference and prose 1 each
(7 of 45, 44 and 45). Every kind of every suite in CI is gated, in one process so the model
loads once; `annual-messages` (`in_ci = false`: its 4,415-chunk index alone takes minutes)
is run by name. `rag eval` with no flags runs every question of every suite.
"""

from __future__ import annotations

import json

import pytest

from test_cli import rag

pytestmark = pytest.mark.slow


def test_every_suite_meets_its_thresholds(tmp_path):
    result = rag("eval", "--ci", "--out", str(tmp_path / "reports"), timeout=3600)
    print(result.stdout)  # the score tables, shown by `pytest -s` and kept in CI's log on failure
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [report] = (tmp_path / "reports").glob("*/report.json")
    suites = json.loads(report.read_text(encoding="utf-8"))["suites"]
    assert set(suites) >= {"seeds", "reference", "prose", "reports"}
    progress = (report.parent / "progress.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(progress) == sum(len(run["questions"]) for run in suites.values())  # each answer logged as it came
    assert (report.parent / "scores_by_kind.png").stat().st_size > 0
