"""`rag eval`: answer every gold question of each suite with the same pipeline as `rag ask`, score, report, gate.

One process runs all the chosen suites so the answer model loads once; each suite
gets its own pipeline over its own index (sharing the loaded models). The eval
keeps that index in the cache folder, one per corpus path, so that evaluating
never replaces the index a user built with `rag index`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
import tomllib
from collections.abc import Callable
from dataclasses import replace
from typing import TextIO

from rag.config import Settings
from rag.errors import InputError
from rag.evaluation.gold import GoldFileError, GoldQuestion, first_per_kind, load_questions
from rag.evaluation.gold_check import check_suite
from rag.evaluation.harness import QuestionResult, evaluate
from rag.evaluation.report import PROGRESS_NAME, SuiteRun, compare, format_tables, write_report
from rag.evaluation.suites import Suite, SuiteError, corpus_folder, load_suite, suite_names
from rag.evaluation.thresholds import ThresholdError, check_thresholds, load_thresholds


def run_eval_command(args: argparse.Namespace, settings: Settings) -> int:
    """Returns the exit code: 0 when every suite's thresholds hold (or its gold checks out), 1 otherwise."""
    try:
        names = args.suite or suite_names(args.suites)
        suites = [load_suite(name, args.suites) for name in dict.fromkeys(names)]
        if args.ci and not args.suite:
            suites = [suite for suite in suites if suite.in_ci]
        if args.check_gold:
            return _check_gold(suites, settings)
        plans = [(suite, _questions(suite, args), load_thresholds(suite.thresholds_path)) for suite in suites]
    except (SuiteError, GoldFileError, ThresholdError, tomllib.TOMLDecodeError) as exc:
        raise InputError(str(exc)) from None

    out_dir = args.out / time.strftime("%Y%m%d-%H%M%S")
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    models = None  # the pipeline of the previous suite, whose loaded models the next one reuses
    with (out_dir / PROGRESS_NAME).open("a", encoding="utf-8") as progress_log:
        for suite, questions, thresholds in plans:
            pipeline = _pipeline(suite, settings, models)
            print(f"suite {suite.name}: {len(questions)} questions", file=sys.stderr)
            run = evaluate(questions, pipeline.ask, progress=True, on_result=_logger(suite.name, progress_log))
            runs.append(SuiteRun(suite.name, run, check_thresholds(run, thresholds)))
            models = pipeline

    write_report(runs, out_dir)
    print(format_tables(runs))
    print(f"report: {out_dir}/report.json, report.md, scores_by_kind.png ({PROGRESS_NAME}: each answer as it came)")
    if args.compare:
        changes = compare(args.compare, runs)
        print(f"compared with {args.compare}: {sum(c.better for c in changes)} better, "
              f"{sum(not c.better for c in changes)} worse")
        for change in changes:
            print(f"  {change}")
    failed = False
    for (suite, _, thresholds), suite_run in zip(plans, runs):
        for failure in suite_run.failures:
            print(f"threshold failed: {suite.name}: {failure}", file=sys.stderr)
        if suite_run.failures:
            failed = True
        else:
            print(f"{suite.name}: all {len(thresholds)} thresholds hold ({suite.thresholds_path})")
    return 1 if failed else 0


def _logger(suite: str, log: TextIO) -> Callable[[QuestionResult], None]:
    """Append each scored question to progress.jsonl at once, so an interrupted run keeps its answers."""

    def write(result: QuestionResult) -> None:
        log.write(json.dumps({"suite": suite, **result.to_dict()}, ensure_ascii=False) + "\n")
        log.flush()

    return write


def _questions(suite: Suite, args: argparse.Namespace) -> list[GoldQuestion]:
    """The suite's questions, cut to the subset the flags ask for (--ci: the suite's own ci_per_kind)."""
    questions = load_questions(suite.questions_path)
    per_kind = suite.ci_per_kind if args.ci else args.per_kind
    if per_kind:
        questions = first_per_kind(questions, per_kind)
    if args.limit:
        questions = questions[: args.limit]
    return questions


def _pipeline(suite: Suite, settings: Settings, previous):
    """A pipeline over the suite's own eval index (built or updated first), sharing `previous`'s models."""
    from rag.answering.pipeline import Pipeline
    from rag.indexing import build_index

    corpus = corpus_folder(suite, settings.cache_dir)
    key = hashlib.sha256(str(corpus.resolve()).encode()).hexdigest()[:12]
    suite_settings = replace(settings, corpus=corpus, index_dir=settings.cache_dir / "eval-index" / key)
    embedder = previous.embedder if previous else None
    generator = previous.generator if previous else None
    pipeline = Pipeline(suite_settings, embedder=embedder, generator=generator)
    report = build_index([corpus], suite_settings, embedder=pipeline.load_embedder())
    if not report.up_to_date:
        print(f"eval index for {corpus}: {report.chunk_count} chunks ({suite_settings.index_dir})", file=sys.stderr)
    return pipeline


def _check_gold(suites: list[Suite], settings: Settings) -> int:
    """`rag eval --check-gold`: every problem on its own line; exit 1 when any suite has one."""
    failed = False
    for suite in suites:
        problems = check_suite(suite, corpus_folder(suite, settings.cache_dir))
        for problem in problems:
            print(f"{suite.name}: {problem}")
        print(f"suite {suite.name}: {'%d problems' % len(problems) if problems else 'gold checks out'}",
              file=sys.stderr)
        failed = failed or bool(problems)
    return 1 if failed else 0

