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
from typing import TYPE_CHECKING

from rag.config import describe, load_settings_with_sources
from rag.errors import InputError, RagError
from rag.terminal import printable

if TYPE_CHECKING:
    from rag.indexing import IndexReport

EXAMPLES = {
    "index": (
        "examples:\n  rag index                 # index seeds/ into index/\n  rag index ~/reports --index ~/reports-index"
        "\n  rag index ~/reports --store milvus:index/rag.db --engine ray   # Milvus Lite, a local Ray"
        "\n  RAG_MILVUS_TOKEN=... rag index /data --store milvus://milvus:19530 --engine ray --ray-address ray://head:10001"
    ),
    "search": 'examples:\n  rag search "296 TOPS"\n  rag search "overseas investment" -k 3 --json',
    "ask": 'examples:\n  rag ask "How much will ByteDance invest abroad in 2025?"\n  rag ask --json "..." \n  rag ask --json - < questions.txt   # one question a line, JSON Lines out',
    "eval": (
        "examples:\n  rag eval                          # every suite in eval/suites/, one report side by side"
        "\n  rag eval --suite reference --suite prose\n  rag eval --ci                     # each suite's CI subset"
        "\n  rag eval --per-kind 3 --compare eval/reports/OLD/report.json\n  rag eval --check-gold --suite prose"
    ),
    "ui": "examples:\n  rag ui\n  rag ui --port 8080 --index ~/reports-index",
    "config": "example:\n  RAG_TOP_K=8 rag config",
    "models": "example:\n  rag models\n  rag models --backend openai --base-url http://127.0.0.1:8080/v1",
    "serve": """examples:
  rag serve                                  # http://127.0.0.1:8000; API under /v1, chat at /ui
  rag serve --port 9000 --api-key KEY --fast # or RAG_API_KEY=KEY; every route but /healthz then needs the key
  rag serve --backend openai --base-url http://gpu-box:8080/v1   # the model runs on another server

routes (add -H "Authorization: Bearer KEY" when a key is set):
  curl localhost:8000/healthz
  curl localhost:8000/v1/models
  curl localhost:8000/v1/ask --json '{"question": "What does the report say about X?"}'
  curl -N localhost:8000/v1/ask --json '{"question": "...", "top_k": 3, "stream": true}'   # SSE: sources, delta..., answer
  curl localhost:8000/v1/chat/completions --json '{"model": "default", "messages": [{"role": "user", "content": "..."}]}'
  curl localhost:8000/v1/search --json '{"query": "296 TOPS", "top_k": 3}'
  curl localhost:8000/v1/index --json '{"files": [{"name": "notes.md", "text": "# Notes\\n..."}]}'   # or "base64": "..."
  curl localhost:8000/v1/documents
  curl -X DELETE localhost:8000/v1/documents/seeds/notes.md
  open http://127.0.0.1:8000/ui               # the chat (with a key: sign in with the key as password)
  OpenAI clients: OpenAI(base_url="http://127.0.0.1:8000/v1", api_key="KEY or anything")""",
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
        print(f"rag: error: {printable(str(exc), newlines=False)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:
        where = printable(str(exc.filename or ""), newlines=False)
        print(f"rag: error: {exc.strerror or exc}: {where}".rstrip(": "), file=sys.stderr)
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
    p.add_argument("--no-wait", action="store_true", help="fail at once if another `rag index` is writing this index")
    p.add_argument("-v", "--verbose", action="store_true", help="list every file's subject and period, not only new ones")
    p.add_argument("--engine", help="what runs the indexing: in-process (default) or ray (env RAG_ENGINE)")
    p.add_argument("--ray-address", metavar="ADDR", help="the Ray cluster for --engine ray (default: RAY_ADDRESS, else a local Ray)")
    p.add_argument("--embed-actors", type=int, metavar="N", help="--engine ray: embedding actors (default 2)")
    p.add_argument("--embed-batch", type=int, metavar="N", help="--engine ray: chunks per embedding call (default 64)")
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

    p = command("eval", "Run the evaluation suites and check each suite's thresholds.", _cmd_eval)
    p.add_argument("--suite", action="append", metavar="NAME", help="a suite to run; repeatable (default: all)")
    p.add_argument("--suites", type=Path, default=Path("eval/suites"), metavar="DIR", help="where suites live")
    subset = p.add_mutually_exclusive_group()
    subset.add_argument("--per-kind", type=int, metavar="N", help="only the first N questions of each kind")
    subset.add_argument("--ci", action="store_true", help="only each suite's CI subset (its ci_per_kind)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions of each suite")
    p.add_argument("--check-gold", action="store_true", help="check gold figures against the corpus; no model")
    p.add_argument("--out", type=Path, default=Path("eval/reports"), help="where report folders are written")
    p.add_argument("--compare", type=Path, metavar="OLD_REPORT", help="an earlier report.json to compare with")
    _common(p)

    p = command("ui", "Start the chat app in the browser.", _cmd_ui)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    _common(p)

    p = command("serve", "Serve the HTTP API (and the chat at /ui).", _cmd_serve)
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--api-key", metavar="KEY", help="require Authorization: Bearer KEY on every route but /healthz (env RAG_API_KEY)")
    p.add_argument("--no-ui", action="store_true", help="serve the API only, without the chat at /ui")
    _common(p)

    p = command("config", "Print the settings in force and where each came from.", _cmd_config)
    _common(p)

    p = command("models", "List the answer models: installed, verified, in use.", _cmd_models)
    _common(p)
    return parser


def _common(p: argparse.ArgumentParser, *, model: bool = True) -> None:
    p.add_argument("--index", type=Path, dest="index_dir", metavar="DIR", help="index folder (default index/, env RAG_INDEX)")
    p.add_argument("--embedder", help="embedding model: minilm-int8 or minilm")
    p.add_argument("--store", help="local (default), milvus:PATH (Milvus Lite) or milvus://HOST:PORT (env RAG_STORE)")
    if model:
        group = p.add_mutually_exclusive_group()
        group.add_argument("--model", help="answer model: default, fast, or a .gguf path (env RAG_MODEL)")
        group.add_argument("--fast", action="store_const", const="fast", dest="model", help="use the fast model")
        p.add_argument("--backend", help="what runs the model: llama.cpp (default), transformers, openai (env RAG_BACKEND)")
        p.add_argument("--base-url", metavar="URL", help="the openai backend's server, e.g. http://127.0.0.1:8080/v1")


def _settings(args: argparse.Namespace):
    names = ("index_dir", "embedder", "store", "engine", "ray_address", "embed_actors", "embed_batch", "model", "top_k", "backend", "base_url")
    flags = {name: getattr(args, name, None) for name in names}
    return load_settings_with_sources(flags)


# -- commands ------------------------------------------------------------------------------------


def _cmd_index(args: argparse.Namespace) -> int:
    from rag.indexing import build_index

    settings, _ = _settings(args)
    paths = args.paths or [settings.corpus]
    report = build_index(paths, settings, wait=not args.no_wait, notify=_say)
    for skipped in report.skipped:
        _say(f"skipped {printable(skipped.source, newlines=False)}: {printable(skipped.reason)}")
    for source, count in report.instructions.items():
        _say(
            f"{printable(source, newlines=False)}: {count} passage{'s' if count != 1 else ''} addressed to an AI "
            "(instructions, not evidence: never used to support an answer)"
        )
    if report.rebuild_reason:
        print(f"full rebuild: {report.rebuild_reason}")
    where = settings.index_dir if settings.store == "local" else settings.store
    if report.up_to_date:
        print(f"index up to date: {len(report.unchanged)} files, {report.chunk_count} chunks ({where})")
    else:
        print(
            f"indexed {where}: {len(report.added)} added, {len(report.changed)} changed, "
            f"{len(report.removed)} removed, {len(report.unchanged)} unchanged; "
            f"{report.chunks_embedded} chunks embedded, {report.chunk_count} in total ({report.dense_kind}); "
            f"{report.seconds:.1f} s"
        )
    _print_profiles(report, every=args.verbose)
    return 0


_PROFILES_SHOWN = 20  # more new files than this are summarised; `rag index -v` lists them all


def _print_profiles(report: IndexReport, *, every: bool) -> None:
    """One line per new or changed file (every file with -v): its subject and period, and how they were found."""
    sources = list(report.profiles) if every else report.added + report.changed
    shown = sources if every else sources[:_PROFILES_SHOWN]
    for source in shown:
        profile = report.profiles.get(source)
        about = (profile.label or "no subject or period found") if profile else "not profiled (indexed before profiles)"
        how = f" ({profile.found_by})" if profile and profile.label else ""
        print(printable(f"  {source}: {about}{how}", newlines=False))
    if len(sources) > len(shown):
        print(f"  ... and {len(sources) - len(shown)} more; `rag index -v` lists every file's subject and period")


def _cmd_search(args: argparse.Namespace) -> int:
    from rag.answer_view import location
    from rag.answering.pipeline import Pipeline
    from rag.store.lexical import tokenize
    from rag.terminal import DIM, highlight_terms, style, use_colour

    settings, _ = _settings(args)
    if not _valid_text(args.query, "query").strip():
        raise InputError('the query is empty; search for something, e.g. rag search "revenue 2024"')
    pipeline = Pipeline(settings)
    passages = pipeline.search(args.query)
    if args.json:
        rows = [
            {
                "rank": rank,
                "source": p.chunk.source,
                "page": p.chunk.page,
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
        where = location(p.chunk.source, p.chunk.page, p.chunk.line_start, p.chunk.line_end)
        header = f"{rank}. {where}  score {p.score:.4f}"
        print(style(header, DIM, colour))
        print(highlight_terms(printable(p.chunk.text), terms, colour))
        print()
    if not passages:
        print("no passages found")
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from rag.answer_view import print_answer_stream
    from rag.answering.pipeline import Pipeline, validate_question
    from rag.generation import check_model

    settings, _ = _settings(args)
    pipeline = Pipeline(settings)
    if args.question != "-":
        validate_question(_valid_text(args.question, "question"), settings.max_question_chars)  # before loading
    check_model(settings.model, settings.backend)  # a wrong model is one line, before "Reading: ..."
    pipeline.preload()
    if args.question == "-":
        return _ask_lines(pipeline, settings.max_question_chars)
    if args.json:
        print(json.dumps(pipeline.ask(args.question).to_dict(), ensure_ascii=False))
        return 0
    print_answer_stream(pipeline.ask_stream(args.question))
    return 0


def _ask_lines(pipeline, max_question_chars: int) -> int:
    """JSON Lines: one object per input line, so output line n answers input line n.

    A bad line (blank, too long, not UTF-8) gets an error object and the batch goes on.
    """
    from rag.answering.pipeline import validate_question

    for number, raw in enumerate(sys.stdin.buffer, start=1):
        raw = raw.rstrip(b"\r\n")
        question = raw.decode("utf-8", errors="backslashreplace").removeprefix("\ufeff")
        try:
            _valid_text(os.fsdecode(raw), "question")
            row = pipeline.ask(validate_question(question, max_question_chars)).to_dict()
        except RagError as exc:
            if exc.exit_code != 2:  # a broken index or model breaks every line: stop with the error
                raise
            row = {"question": question, "line": number, "error": str(exc)}
        print(json.dumps(row, ensure_ascii=False), flush=True)
    return 0


def _valid_text(text: str, what: str) -> str:
    """`text` from the command line or stdin, refused when some of its bytes are not UTF-8."""
    for position, character in enumerate(text):
        if 0xDC80 <= ord(character) <= 0xDCFF:  # a byte that did not decode (surrogateescape)
            raise InputError(f"the {what} is not UTF-8 text (byte 0x{ord(character) - 0xDC00:02x} at character {position + 1})")
    return text


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _cmd_eval(args: argparse.Namespace) -> int:
    from rag.evaluation.command import run_eval_command

    settings, _ = _settings(args)
    return run_eval_command(args, settings)


def _cmd_ui(args: argparse.Namespace) -> int:
    from rag.ui.app import serve

    settings, _ = _settings(args)
    serve(settings, host=args.host, port=args.port)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from rag.server.app import serve

    settings, _ = _settings(args)
    serve(settings, host=args.host, port=args.port, api_key=args.api_key or os.environ.get("RAG_API_KEY"), ui=not args.no_ui)
    return 0


def _cmd_config(args: argparse.Namespace) -> int:
    settings, sources = _settings(args)
    rows = describe(settings, sources)
    width = max(len(name) for name, *_ in rows)
    for name, value, source, help_text in rows:
        print(f"{name:<{width}}  {value}  [{source}]\n{'':<{width}}  {help_text}")
    return 0


def _cmd_models(args: argparse.Namespace) -> int:
    from rag.generation import BACKENDS
    from rag.generation.model_files import PACKAGED_MODELS, installed_models

    settings, _ = _settings(args)
    for row in installed_models(settings.cache_dir / "models"):
        in_use = " (in use)" if row["alias"] == settings.model else ""
        state = "verified" if row["verified"] else ("parts installed" if row["parts_installed"] else "parts missing")
        print(f"{row['alias']}{in_use}: {row['name']}, {int(row['size']) / 1e9:.2f} GB, {state}; {row['licence']}")
        print(f"  {row['path']}")
    if settings.model not in PACKAGED_MODELS:
        print(f"{settings.model} (in use): your own GGUF file")
    print()
    print("backends (--backend or RAG_BACKEND):")
    for backend in BACKENDS.values():
        in_use = " (in use)" if backend.name == settings.backend else ""
        missing = backend.missing()
        state = f"; not installed: {backend.install}" if missing else ""
        print(f"  {backend.name}{in_use}: {backend.summary}{state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
