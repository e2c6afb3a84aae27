"""Views of eval runs, one per suite side by side: terminal tables, report.json/.md/.png, and a diff.

report.json holds each suite's `EvalRun.to_dict()` verbatim under "suites", so a
later run can be compared with it without keeping the old runs in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.evaluation.gold import KINDS
from rag.evaluation.harness import EvalRun, Summary
from rag.evaluation.thresholds import Failure

PLOT_NAME = "scores_by_kind.png"
PROGRESS_NAME = "progress.jsonl"  # written by `rag eval` while it runs, one scored question a line
_ROWS: tuple[tuple[str, str], ...] = (  # (label, Summary field): one row of each per-kind table
    ("n", "n"),
    ("correct", "correct"),
    ("partial", "partial"),
    ("wrong", "wrong"),
    ("abstained", "abstained"),
    ("errors", "errors"),
    ("accuracy", "accuracy"),
    ("CRAG score", "crag_score"),
    ("hallucinated numbers", "hallucinated_numbers"),
    ("false conflicts", "false_conflicts"),
    ("cited a gold source", "citation_correct"),
    ("cited only gold sources", "citation_only_gold"),
    ("cited the gold page", "cited_gold_page"),
    ("citation precision", "citation_precision"),
    ("recall@k", "retrieval_recall_at_k"),
    ("abstention recall", "abstention_recall"),
    ("abstention precision", "abstention_precision"),
    ("latency p50 s", "latency_p50_s"),
    ("latency p95 s", "latency_p95_s"),
    ("first token p95 s", "first_token_p95_s"),
)
_PER_KIND_ROWS = 15  # a kind's table stops after recall@k: abstention and latency are read overall


@dataclass
class SuiteRun:
    """One suite's run and the thresholds it missed."""

    suite: str
    run: EvalRun
    failures: list[Failure] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {**self.run.to_dict(), "threshold_failures": [str(f) for f in self.failures]}


@dataclass(frozen=True)
class Change:
    """A question whose CRAG score moved between two runs."""

    suite: str
    id: str
    kind: str
    question: str
    old_verdict: str
    new_verdict: str
    old_crag: int
    new_crag: int

    @property
    def better(self) -> bool:
        return self.new_crag > self.old_crag

    def __str__(self) -> str:
        word = "better" if self.better else "worse"
        return (f"{word}: {self.suite}/{self.id} ({self.kind}) {self.old_verdict} -> {self.new_verdict}:"
                f" {self.question}")


def format_tables(runs: list[SuiteRun]) -> str:
    """For each kind, then overall, a table with a row per metric and a column per suite."""
    blocks = []
    for label, rows in _tables(runs):
        header = [label, *(r.suite for r in runs)]
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
        lines = [
            "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in (header, *rows)
        ]
        lines.insert(1, "-" * len(lines[0]))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def write_report(runs: list[SuiteRun], out_dir: str | Path) -> list[Path]:
    """Write report.json, report.md and the scores plot into `out_dir`; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / PLOT_NAME]
    data = {"suites": {r.suite: r.to_dict() for r in runs}}
    paths[0].write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(_markdown(runs), encoding="utf-8")
    _plot(runs, paths[2])
    return paths


def compare(old_report_json: str | Path, new_runs: list[SuiteRun]) -> list[Change]:
    """Questions of both reports (same suite, same id) whose CRAG score changed, worst regressions first."""
    old_suites = json.loads(Path(old_report_json).read_text(encoding="utf-8")).get("suites", {})
    changes = []
    for suite_run in new_runs:
        old = {q["id"]: q for q in old_suites.get(suite_run.suite, {}).get("questions", [])}
        changes += [
            Change(
                suite=suite_run.suite,
                id=r.gold.id,
                kind=r.gold.kind,
                question=r.gold.question,
                old_verdict=old[r.gold.id]["verdict"],
                new_verdict=r.score.verdict,
                old_crag=old[r.gold.id]["scores"]["crag"],
                new_crag=r.score.crag,
            )
            for r in suite_run.run.results
            if r.gold.id in old and old[r.gold.id]["scores"]["crag"] != r.score.crag
        ]
    return sorted(changes, key=lambda c: (c.new_crag - c.old_crag, c.suite, c.id))


def _tables(runs: list[SuiteRun]) -> list[tuple[str, list[list[str]]]]:
    """(title, rows) per kind present in any suite, then overall; "-" where a suite has no such question."""
    kinds = [kind for kind in KINDS if any(kind in r.run.by_kind for r in runs)]
    tables = []
    for scope in (*kinds, "overall"):
        summaries = [r.run.overall if scope == "overall" else r.run.by_kind.get(scope) for r in runs]
        rows = _ROWS if scope == "overall" else _ROWS[:_PER_KIND_ROWS]
        tables.append((scope, [[label, *(_cell(s, key) for s in summaries)] for label, key in rows]))
    return tables


def _cell(summary: Summary | None, key: str) -> str:
    value = getattr(summary, key) if summary else None
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _markdown(runs: list[SuiteRun]) -> str:
    lines = ["# Evaluation report", ""]
    for r in runs:
        models = ", ".join(r.run.models) or "-"
        gates = "all thresholds hold" if not r.failures else "; ".join(str(f) for f in r.failures)
        lines.append(f"- **{r.suite}**: {r.run.overall.n} questions; models {models}; {gates}")
    lines += ["", "## Scores by kind", "", f"![scores by kind]({PLOT_NAME})", ""]
    for title, rows in _tables(runs):
        header = [title, *(r.suite for r in runs)]
        lines += [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}"]
        lines += [f"| {' | '.join(row)} |" for row in rows]
        lines.append("")
    lines += ["## Questions not fully correct", ""]
    misses = [
        f"- `{r.suite}/{q.gold.id}` ({q.gold.kind}) **{q.score.verdict}**, CRAG {q.score.crag}: {q.score.why}."
        f" Q: {q.gold.question}"
        for r in runs
        for q in r.run.results
        if q.score.verdict != "correct" or q.score.crag < 1
    ]
    return "\n".join([*lines, *(misses or ["None."]), ""])


def _plot(runs: list[SuiteRun], path: Path) -> None:
    """Accuracy per kind, a bar per suite; matplotlib is imported here so the CLI starts fast."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [kind for kind in KINDS if any(kind in r.run.by_kind for r in runs)] + ["overall"]
    width = 0.8 / len(runs)
    fig = Figure(figsize=(max(6.0, 1.2 * len(labels)), 4.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, r in enumerate(runs):
        summaries = [r.run.overall if k == "overall" else r.run.by_kind.get(k) for k in labels]
        xs = [p - 0.4 + width * (i + 0.5) for p in range(len(labels))]
        ax.bar(xs, [s.accuracy if s else 0.0 for s in summaries], width=width, label=r.suite)
    ax.set_xticks(list(range(len(labels))), labels, rotation=30, ha="right")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("accuracy")
    ax.set_title("Accuracy by question kind and suite")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
