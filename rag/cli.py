"""The `rag` command. Only this module turns errors into one-line messages and exit codes.

Heavy libraries (torch, onnxruntime, llama.cpp, gradio) are imported inside the
commands that need them, so `rag --help` and `rag config` answer instantly.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rag.config import describe, load_settings_with_sources
from rag.errors import RagError

EXAMPLES = {
    "index": "examples:\n  rag index                 # index seeds/ into index/\n  rag index ~/reports --index ~/reports-index",
    "search": 'examples:\n  rag search "296 TOPS"\n  rag search "overseas investment" -k 3 --json',
    "ask": 'examples:\n  rag ask "How much will ByteDance invest abroad in 2025?"\n  rag ask --json "..." \n  rag ask --json - < questions.txt   # one question a line, JSON Lines out',
    "eval": "examples:\n  rag eval\n  rag eval --limit 10 --compare eval/reports/OLD/report.json\n  rag eval --per-kind 5",
    "ui": "examples:\n  rag ui\n  rag ui --port 8080 --index ~/reports-index",
    "config": "example:\n  RAG_TOP_K=8 rag config",
    "models": "example:\n  rag models",
}


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub, here or in any library
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except RagError as exc:
        print(f"rag: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"rag: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rag",
        description="Offline question answering over your documents; every number is traced to its source.",
        epilog='Start with: rag ask "your question"  (indexes seeds/ on first use)',
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, help_text: str, handler: Callable[[argparse.Namespace], int]) -> argparse.ArgumentParser:
        p = sub.add_parser(
            name, help=help_text, description=help_text, epilog=EXAMPLES[name],
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        p.set_defaults(handler=handler)
        return p

    p = command("index", "Build or update the index of a corpus folder.", _cmd_index)
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="folders or files (default: seeds/)")
    _common(p, model=False)

    p = command("search", "Show the passages retrieval finds for a query.", _cmd_search)
    p.add_argument("query")
    p.add_argument("-k", type=int, dest="top_k", metavar="N", help="number of passages (default 5)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    _common(p, model=False)

    p = command("ask", "Answer a question from the documents, citing each source.", _cmd_ask)
    p.add_argument("question", help='the question, or "-" to read one question a line from stdin')
    p.add_argument("--json", action="store_true", help="print the Answer as JSON (JSON Lines with -)")
    p.add_argument("-k", type=int, dest="top_k", metavar="N", help="passages given to the model (default 5)")
    _common(p)

    p = command("eval", "Run the evaluation suite and check its thresholds.", _cmd_eval)
    p.add_argument("--questions", type=Path, default=Path("eval/questions.jsonl"), help="question file (JSON Lines)")
    p.add_argument("--thresholds", type=Path, default=Path("eval/thresholds.toml"), help="thresholds file (TOML)")
    p.add_argument("--corpus", type=Path, help="corpus the questions are about (default: seeds/)")
    p.add_argument("--limit", type=int, help="only the first N questions")
    p.add_argument("--per-kind", type=int, metavar="N", help="only the first N questions of each kind (CI runs 5)")
    p.add_argument("--out", type=Path, default=Path("eval/reports"), help="where report folders are written")
    p.add_argument("--compare", type=Path, metavar="OLD_REPORT", help="an earlier report.json to compare with")
    _common(p)

    p = command("ui", "Start the chat app in the browser.", _cmd_ui)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    _common(p)

    p = command("config", "Print the settings in force and where each came from.", _cmd_config)
    _common(p)

    p = command("models", "List the answer models: installed, verified, in use.", _cmd_models)
    _common(p)
    return parser


def _common(p: argparse.ArgumentParser, *, model: bool = True) -> None:
    p.add_argument("--index", type=Path, dest="index_dir", metavar="DIR", help="index folder (default index/, env RAG_INDEX)")
    p.add_argument("--embedder", help="embedding model: minilm-int8 or minilm")
    if model:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--model", help="answer model: default, fast, or a .gguf path (env RAG_MODEL)")
        group.add_argument("--fast", action="store_const", const="fast", dest="model", help="use the fast model")


def _settings(args: argparse.Namespace):
    flags = {name: getattr(args, name, None) for name in ("index_dir", "embedder", "model", "top_k")}
    if getattr(args, "corpus", None):
        flags["corpus"] = args.corpus
    return load_settings_with_sources(flags)


# -- commands ------------------------------------------------------------------------------------


def _cmd_index(args: argparse.Namespace) -> int:
    from rag.indexing import build_index

    settings, _ = _settings(args)
    paths = args.paths or [settings.corpus]
    report = build_index(paths, settings)
    for skipped in report.skipped:
        print(f"skipped {skipped.source}: {skipped.reason}", file=sys.stderr)
    if report.rebuild_reason:
        print(f"full rebuild: {report.rebuild_reason}")
    if report.up_to_date:
        print(f"index up to date: {len(report.unchanged)} files, {report.chunk_count} chunks ({settings.index_dir})")
        return 0
    print(
        f"indexed {settings.index_dir}: {len(report.added)} added, {len(report.changed)} changed, "
        f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; "
        f"{report.chunks_embedded} chunks embedded, {report.chunk_count} in total ({report.dense_kind}); "
        f"{report.seconds:.1f} s"
    )
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from rag.answering.pipeline import Pipeline
    from rag.store.lexical import tokenize
    from rag.terminal import DIM, highlight_terms, style, use_colour

    settings, _ = _settings(args)
    pipeline = Pipeline(settings)
    passages = pipeline.retriever.search(args.query, settings.top_k, settings.candidates)
    if args.json:
        rows = [
            {
                "rank": rank,
                "source": p.chunk.source,
                "line_start": p.chunk.line_start,
                "line_end": p.chunk.line_end,
                "start": p.chunk.start,
                "end": p.chunk.end,
                "score": round(p.score, 5),
                "dense_rank": p.dense_rank,
                "lexical_rank": p.lexical_rank,
                "text": p.chunk.text,
            }
            for rank, p in enumerate(passages, start=1)
        ]
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    colour = use_colour()
    terms = [w for w in args.query.replace("$", " ").split() if tokenize(w)]
    for rank, p in enumerate(passages, start=1):
        header = f"{rank}. {p.chunk.source} lines {p.chunk.line_start}-{p.chunk.line_end}  score {p.score:.4f}"
        print(style(header, DIM, colour))
        print(highlight_terms(p.chunk.text, terms, colour))
        print()
    if not passages:
        print("no passages found")
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from rag.answer_view import print_answer_stream
    from rag.answering.pipeline import Pipeline, validate_question

    settings, _ = _settings(args)
    pipeline = Pipeline(settings)
    if args.question != "-":
        validate_question(args.question, settings.max_question_chars)  # refuse before loading anything
    pipeline.preload()
    if args.question == "-":
        return _ask_lines(pipeline)
    if args.json:
        print(json.dumps(pipeline.ask(args.question).to_dict(), ensure_ascii=False))
        return 0
    print_answer_stream(pipeline.ask_stream(args.question))
    return 0


def _ask_lines(pipeline) -> int:
    """JSON Lines: one object per input line; a bad line gets an error object and the batch goes on."""
    for line in sys.stdin:
        question = line.rstrip("\n")
        if not question.strip():
            continue
        try:
            row = pipeline.ask(question).to_dict()
        except RagError as exc:
            if exc.exit_code != 2:  # a broken index or model breaks every line: stop with the error
                raise
            row = {"question": question, "error": str(exc)}
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from rag.evaluation.command import run_eval_command

    settings, _ = _settings(args)
    return run_eval_command(args, settings)


def _cmd_ui(args: argparse.Namespace) -> int:
    from rag.ui.app import serve

    settings, _ = _settings(args)
    serve(settings, host=args.host, port=args.port)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    settings, sources = _settings(args)
    rows = describe(settings, sources)
    width = max(len(name) for name, *_ in rows)
    for name, value, source, help_text in rows:
        print(f"{name:<{width}}  {value}  [{source}]\n{'':<{width}}  {help_text}")
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from rag.generation.model_files import PACKAGED_MODELS, installed_models

    settings, _ = _settings(args)
    for row in installed_models(settings.cache_dir / "models"):
        in_use = " (in use)" if row["alias"] == settings.model else ""
        state = "verified" if row["verified"] else ("parts installed" if row["parts_installed"] else "parts missing")
        print(f"{row['alias']}{in_use}: {row['name']}, {int(row['size']) / 1e9:.2f} GB, {state}; {row['licence']}")
        print(f"  {row['path']}")
    if settings.model not in PACKAGED_MODELS:
        print(f"{settings.model} (in use): your own GGUF file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
