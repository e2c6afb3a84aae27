"""Views of an EvalRun: a terminal table, report.json/.md/.png, and a diff against an old run.

report.json is `EvalRun.to_dict()` verbatim, so a later run can be compared
with it without keeping the old run in memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.evaluation.harness import EvalRun, Summary

PLOT_NAME = "scores_by_kind.png"
_COLUMNS: tuple[tuple[str, str], ...] = (  # (header, Summary field)
    ("n", "n"),
    ("correct", "correct"),
    ("partial", "partial"),
    ("wrong", "wrong"),
    ("abst", "abstained"),
    ("err", "errors"),
    ("acc", "accuracy"),
    ("crag", "crag_score"),
    ("halluc", "hallucinated_numbers"),
    ("cite ok", "citation_correct"),
    ("cite prec", "citation_precision"),
    ("recall@k", "retrieval_recall_at_k"),
    ("p50 s", "latency_p50_s"),
    ("p95 s", "latency_p95_s"),
)


@dataclass(frozen=True)
class Change:
    """A question whose CRAG score moved between two runs."""

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
        return f"{word}: {self.id} ({self.kind}) {self.old_verdict} -> {self.new_verdict}: {self.question}"


def format_table(run: EvalRun) -> str:
    """Scores by kind and overall, aligned for a terminal."""
    header, rows = _table(run)
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(w) if i else cell.ljust(w) for i, (cell, w) in enumerate(zip(row, widths)))
        for row in (header, *rows)
    ]
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join([*lines, "", _footer(run.overall)])


def write_report(run: EvalRun, out_dir: str | Path) -> list[Path]:
    """Write report.json, report.md and the scores plot into `out_dir`; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "report.json", out / "report.md", out / PLOT_NAME]
    paths[0].write_text(json.dumps(run.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    paths[1].write_text(_markdown(run), encoding="utf-8")
    _plot(run, paths[2])
    return paths


def compare(old_report_json: str | Path, new_run: EvalRun) -> list[Change]:
    """Questions of both runs whose CRAG score changed, worst regressions first."""
    old = {q["id"]: q for q in json.loads(Path(old_report_json).read_text(encoding="utf-8"))["questions"]}
    changes = [
        Change(
            id=r.gold.id,
            kind=r.gold.kind,
            question=r.gold.question,
            old_verdict=old[r.gold.id]["verdict"],
            new_verdict=r.score.verdict,
            old_crag=old[r.gold.id]["scores"]["crag"],
            new_crag=r.score.crag,
        )
        for r in new_run.results
        if r.gold.id in old and old[r.gold.id]["scores"]["crag"] != r.score.crag
    ]
    return sorted(changes, key=lambda c: (c.new_crag - c.old_crag, c.id))


def _table(run: EvalRun) -> tuple[list[str], list[list[str]]]:
    header = ["kind", *(name for name, _ in _COLUMNS)]
    summaries: list[tuple[str, Summary]] = [*run.by_kind.items(), ("overall", run.overall)]
    rows = [[label, *(_cell(getattr(s, key)) for _, key in _COLUMNS)] for label, s in summaries]
    return header, rows


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _footer(s: Summary) -> str:
    return (
        f"abstention recall (unanswerable) {_cell(s.abstention_recall)}, precision {_cell(s.abstention_precision)}; "
        f"first token p50 {_cell(s.first_token_p50_s)} s, p95 {_cell(s.first_token_p95_s)} s; "
        f"hallucinated numbers {s.hallucinated_numbers} in {s.hallucinated_answers} answers"
    )


def _markdown(run: EvalRun) -> str:
    header, rows = _table(run)
    table = [f"| {' | '.join(header)} |", f"|{'---|' * len(header)}", *(f"| {' | '.join(row)} |" for row in rows)]
    misses = [
        f"- `{r.gold.id}` ({r.gold.kind}) **{r.score.verdict}**, CRAG {r.score.crag}: {r.score.why}."
        f" Q: {r.gold.question}"
        for r in run.results
        if r.score.verdict != "correct" or r.score.crag < 1
    ]
    models = ", ".join(run.models) or "-"
    return "\n".join(
        [
            "# Evaluation report",
            "",
            f"Models: {models}",
            "",
            "## Scores by kind",
            "",
            *table,
            "",
            _footer(run.overall),
            "",
            f"![scores by kind]({PLOT_NAME})",
            "",
            "## Questions not fully correct",
            "",
            *(misses or ["None."]),
            "",
        ]
    )


def _plot(run: EvalRun, path: Path) -> None:
    """Accuracy and CRAG score per kind; matplotlib is imported here so the CLI starts fast."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = [*run.by_kind, "overall"]
    summaries = [*run.by_kind.values(), run.overall]
    positions = range(len(labels))
    fig = Figure(figsize=(max(6.0, 1.1 * len(labels)), 4.0))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.bar([p - 0.2 for p in positions], [s.accuracy for s in summaries], width=0.4, label="accuracy")
    ax.bar([p + 0.2 for p in positions], [s.crag_score for s in summaries], width=0.4, label="CRAG score")
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(list(positions), labels, rotation=30, ha="right")
    ax.set_ylim(-1.05, 1.05)
    ax.set_title("Scores by question kind")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
