"""`rag eval`: answer every gold question with the same pipeline as `rag ask`, score, report, gate.

The eval keeps its own index (in the cache folder, one per corpus path) so that
evaluating never replaces the index a user built with `rag index`.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
import tomllib
from dataclasses import replace

from rag.config import Settings
from rag.errors import InputError
from rag.evaluation.gold import GoldFileError, first_per_kind, load_questions
from rag.evaluation.harness import evaluate
from rag.evaluation.report import compare, format_table, write_report
from rag.evaluation.thresholds import ThresholdError, check_thresholds, load_thresholds


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """Returns the exit code: 0 when every threshold holds, 1 when one fails."""
    from rag.answering.pipeline import Pipeline
    from rag.indexing import build_index

    try:
        questions = load_questions(args.questions)
        thresholds = load_thresholds(args.thresholds)
    except (GoldFileError, ThresholdError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(exc)) from None
    if args.per_kind:
        questions = first_per_kind(questions, args.per_kind)
    if args.limit:
        questions = questions[: args.limit]

    corpus = settings.corpus
    key = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
    settings = replace(settings, index_dir=settings.cache_dir / "eval-index" / key)
    report = build_index([corpus], settings)
    if not report.up_to_date:
        print(f"eval index for {corpus}: {report.chunk_count} chunks ({settings.index_dir})", file=sys.stderr)

    pipeline = Pipeline(settings)
    run = evaluate(questions, pipeline.ask, progress=True)

    out_dir = args.out / time.strftime("%Y%m%d-%H%M%S")
    write_report(run, out_dir)
    print(format_table(run))
    print(f"report: {out_dir}/report.json, {out_dir}/report.md, {out_dir}/scores_by_kind.png")
    if args.compare:
        changes = compare(args.compare, run)
        print(f"compared with {args.compare}: {sum(c.better for c in changes)} better, "
              f"{sum(not c.better for c in changes)} worse")
        for change in changes:
            print(f"  {change}")
    failures = check_thresholds(run, thresholds)
    for failure in failures:
        print(f"threshold failed: {failure}", file=sys.stderr)
    if failures:
        return 1
    print(f"all {len(thresholds)} thresholds hold ({args.thresholds})")
    return 0
