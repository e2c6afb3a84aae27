"""Quality gates: thresholds from a TOML file, checked against an EvalRun.

File layout: an `[overall]` table and `[kind.<kind>]` tables, whose keys are a
Summary field plus `_min` or `_max`, e.g. `accuracy_min = 0.5`. Unknown keys
are refused so a typo cannot silently disable a gate. A metric the run cannot
measure (no question of that kind, no latency recorded) is skipped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from rag.evaluation.gold import KINDS
from rag.evaluation.harness import METRICS, EvalRun


class ThresholdError(ValueError):
    """A thresholds file that does not follow the layout above."""


@dataclass(frozen=True)
class Threshold:
    """One gate: `scope` is "overall" or a question kind."""

    scope: str
    metric: str
    bound: Literal["min", "max"]
    value: float

    @property
    def name(self) -> str:
        """The key as written in the file, e.g. "kind.conflict.accuracy_min"."""
        prefix = "overall" if self.scope == "overall" else f"kind.{self.scope}"
        return f"{prefix}.{self.metric}_{self.bound}"

    def passes(self, measured: float) -> bool:
        return measured >= self.value if self.bound == "min" else measured <= self.value


@dataclass(frozen=True)
class Failure:
    """A gate the run missed, with what was measured and what was required."""

    threshold: Threshold
    measured: float

    def __str__(self) -> str:
        t = self.threshold
        op = ">=" if t.bound == "min" else "<="
        return f"{t.name}: measured {self.measured:.3g}, required {op} {t.value:g}"


def load_thresholds(path: str | Path) -> list[Threshold]:
    """Parse and validate a thresholds file."""
    with Path(path).open("rb") as f:
        data = tomllib.load(f)
    if unknown := set(data) - {"overall", "kind"}:
        raise ThresholdError(f"{path}: unknown tables {sorted(unknown)}; use [overall] and [kind.<kind>]")
    tables = [("overall", data.get("overall", {}))]
    for kind, table in data.get("kind", {}).items():
        if kind not in KINDS:
            raise ThresholdError(f"{path}: [kind.{kind}] is not a question kind; kinds are {KINDS}")
        tables.append((kind, table))
    return [_threshold(path, scope, key, value) for scope, table in tables for key, value in table.items()]


def check_thresholds(run: EvalRun, thresholds: list[Threshold]) -> list[Failure]:
    """The thresholds `run` misses; an empty list means every gate passed."""
    failures = []
    for t in thresholds:
        summary = run.overall if t.scope == "overall" else run.by_kind.get(t.scope)
        measured = getattr(summary, t.metric) if summary else None
        if measured is not None and not t.passes(measured):
            failures.append(Failure(t, float(measured)))
    return failures


def _threshold(path: str | Path, scope: str, key: str, value: object) -> Threshold:
    metric, _, suffix = key.rpartition("_")
    if suffix not in ("min", "max") or metric not in METRICS:
        raise ThresholdError(f"{path}: {scope}.{key}: keys are a metric plus _min or _max; metrics are {METRICS}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ThresholdError(f"{path}: {scope}.{key} must be a number")
    return Threshold(scope, metric, "min" if suffix == "min" else "max", float(value))
