#!/usr/bin/env python
"""Answering benchmark for `rag`: cold start, warm latency, generation speed and memory, per answer model.

Run from the repository root with the project's interpreter, on a quiet machine:

    .venv/bin/python bench/answer_bench.py                              # default and fast, 20 questions
    .venv/bin/python bench/answer_bench.py --models fast --questions 3  # quick check, about 2 minutes
    .venv/bin/python bench/answer_bench.py --json /tmp/answer_bench.json
    .venv/bin/python bench/answer_bench.py --models fast --backends llama.cpp,openai,transformers --questions 5

The seeds are indexed into a temporary folder; every question goes through the real
Pipeline (retrieval, constrained generation, verification). Cold figures come from
fresh `rag ask` processes; warm figures from one worker process per model and backend (so
each one's peak memory is its own). Other backends than llama.cpp get warm figures only: the
openai backend talks to llama-cpp-python's own server (`python -m llama_cpp.server`, started
here with the same GGUF file), the transformers backend loads the GGUF through transformers.
Figures go to stdout; progress to stderr.
See bench/README.md for what each figure means and its target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SEEDS = ROOT / "seeds"
# The 1-minute load counts the benchmark's own threads (one per core at most); more is other work.
LOAD_LIMIT = (os.cpu_count() or 2) + 0.5
TARGETS = {
    "sources_warm_p95_s": 1.0,
    "total_p50_s": 8.0,
    "total_p95_s": 15.0,
    "first_text_warm_s": 3.0,
    "cold_adds_s": 2.0,
    "peak_rss_gb": 3.0,
}

# Twenty questions a reader of the seed articles might ask: facts, comparisons, and three the
# articles cannot answer (marked). Interleaved so that a short run (--questions 3) samples each kind.
QUESTIONS: list[tuple[str, str]] = [
    ("fact", "By when is ByteDance expecting the first samples of its Samsung-made AI chip?"),
    ("comparison", "Which chip is faster at INT8, Nvidia's H20 or Cambricon's Siyuan 370, and by how many TOPS?"),
    ("unanswerable", "What price does Nvidia charge for each H20 chip?"),
    ("fact", "How much does ByteDance's AI infrastructure budget amount to in the most recent report?"),
    ("fact", "Which research firm does analyst Wei Sun work for?"),
    ("comparison", "How does ByteDance's 2025 spending on chips inside China compare with what it plans to spend overseas?"),
    ("fact", "What INT8 performance does Cambricon's Siyuan 370 offer?"),
    ("fact", "How much is ByteDance reportedly investing in Nvidia AI chips in 2025?"),
    ("comparison", "How are ByteDance's domestic chip orders split between Chinese suppliers and Nvidia?"),
    ("unanswerable", "When will ByteDance's own chip reach tape-out?"),
    ("fact", "Which company is ByteDance buying custom ASICs from?"),
    ("fact", "What AI chip did Alibaba recently unveil?"),
    ("comparison", "Is this year's 160 billion yuan procurement plan bigger than the $12 billion budget reported for 2025?"),
    ("fact", "In which country is ByteDance expanding AI computing through leased data centres?"),
    ("fact", "Who co-founded ByteDance, according to the articles?"),
    ("comparison", "How do Alibaba's and Baidu's in-house chip efforts differ?"),
    ("fact", "When did Reuters report ByteDance's earlier chip collaboration with Broadcom?"),
    ("comparison", "What share of the 160 billion yuan AI procurement budget goes to Nvidia chips?"),
    ("unanswerable", "What was TikTok's advertising revenue in 2024?"),
    ("fact", "Which AI models has ByteDance launched recently?"),
]
WARM_UP_QUESTION = "What does ASIC stand for?"  # not timed: it fills llama.cpp's cache with the system prompt
FIXED_PROMPT_QUESTION = "What INT8 computing power does Nvidia's H20 offer?"

_STARTED = time.perf_counter()
_LOAD_NOTES: list[str] = []


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f}s load {load1():4.2f}] {message}", file=sys.stderr, flush=True)


def load1() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def check_load(step: str) -> None:
    load = load1()
    if load > LOAD_LIMIT:
        _LOAD_NOTES.append(f"{step}: 1-min load {load:.2f}")


def pct(values: list[float], q: float) -> float:
    import numpy as np

    return float(np.percentile(values, q)) if values else float("nan")


def clean_env() -> dict[str, str]:
    """Defaults only: no RAG_* overrides except where the model files are kept; offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_") or k == "RAG_CACHE_DIR"}
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    return env


def peak_rss_mb() -> float:
    """VmHWM: this process's peak RSS since exec (ru_maxrss would include the parent's, carried over exec)."""
    for row in Path("/proc/self/status").read_text().splitlines():
        if row.startswith("VmHWM"):
            return int(row.split()[1]) * 1024 / 1e6
    return float("nan")


def table(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    line = lambda cells: "  ".join(str(c).rjust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(headers), "  ".join("-" * w for w in widths)] + [line(r) for r in rows])


def machine_info() -> dict[str, object]:
    cpu, mem = "unknown", float("nan")
    try:
        cpu = next(r.split(":", 1)[1].strip() for r in Path("/proc/cpuinfo").read_text().splitlines()
                   if r.startswith("model name"))
        mem = int(next(r for r in Path("/proc/meminfo").read_text().splitlines() if r.startswith("MemTotal")).split()[1])
        mem = mem / 1024**2
    except (OSError, StopIteration):
        pass
    versions = {}
    for dist in ("llama-cpp-python", "onnxruntime", "faiss-cpu", "bm25s", "numpy"):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "nproc": subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count()),
        "cpu": cpu,
        "memory_gib": round(mem, 1),
        "python": platform.python_version(),
        "libraries": versions,
        "loadavg_start": Path("/proc/loadavg").read_text().strip(),
    }


# -- cold start: fresh `rag ask` processes ---------------------------------------------------------


def cold_stream(rag_bin: Path, question: str, index_dir: Path, model: str) -> dict[str, float]:
    """Popen to the first byte of answer text on stdout, and to exit."""
    cmd = [str(rag_bin), "ask", question, "--index", str(index_dir), "--model", model]
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=clean_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)
    first = proc.stdout.read(1)
    first_at = time.perf_counter()
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait()
    ended = time.perf_counter()
    if proc.returncode != 0 or not first:
        raise SystemExit(f"`{' '.join(cmd)}` failed ({proc.returncode}): {err.decode(errors='replace')[-800:]}")
    return {"first_text_s": first_at - started, "exit_s": ended - started,
            "text": (first + rest).decode(errors="replace").split("\n", 1)[0][:160]}


def cold_json(rag_bin: Path, question: str, index_dir: Path, model: str) -> dict[str, object]:
    cmd = [str(rag_bin), "ask", "--json", question, "--index", str(index_dir), "--model", model]
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, env=clean_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"`{' '.join(cmd)}` failed ({done.returncode}): {done.stderr[-800:]}")
    answer = json.loads(done.stdout)
    return {"total_s": seconds, "in_process_total_ms": answer["timings"]["total_ms"]}


# -- warm: one worker process per model ------------------------------------------------------------


def worker(model: str, index_dir: Path, count: int, out: Path, backend: str = "llama.cpp", base_url: str = "") -> None:
    """Load the Pipeline once, ask the questions, time the generator; write the figures to `out`."""
    from rag.answering.pipeline import Pipeline
    from rag.answering.prompt import SYSTEM_PROMPT, answer_schema, build_messages
    from rag.config import load_settings
    from rag.generation import load_generator
    from rag.types import Answer, SourcesEvent, TextDelta

    settings = load_settings({"index_dir": index_dir, "model": model, "backend": backend, "base_url": base_url},
                             environ=clean_env())
    t = time.perf_counter()
    generator = load_generator(model, backend=backend, base_url=base_url, cache_dir=settings.cache_dir,
                               context_tokens=settings.context_tokens, threads=settings.threads, show_progress=False)
    generator.cache_prefix(SYSTEM_PROMPT, settings.cache_dir / "prompt-state")
    model_load_s = time.perf_counter() - t
    pipeline = Pipeline(settings, generator=generator, show_progress=False)
    t = time.perf_counter()
    pipeline.open_index()  # loads the index and the embedder
    index_load_s = time.perf_counter() - t
    log(f"[{model}] {generator.name} loaded in {model_load_s:.1f} s (index + embedder {index_load_s:.1f} s); warm-up question")
    pipeline.ask(WARM_UP_QUESTION)

    rows = []
    for number, (kind, question) in enumerate(QUESTIONS[:count], start=1):
        check_load(f"{model} warm question {number}")
        started = time.perf_counter()
        first_delta = sources_at = None
        answer = None
        for event in pipeline.ask_stream(question):
            if isinstance(event, SourcesEvent) and sources_at is None:
                sources_at = time.perf_counter() - started
            elif isinstance(event, TextDelta) and first_delta is None:
                first_delta = time.perf_counter() - started
            elif isinstance(event, Answer):
                answer = event
        assert answer is not None and sources_at is not None
        rows.append({
            "kind": kind,
            "question": question,
            "sources_ms": round(sources_at * 1000, 1),
            "retrieve_ms": answer.timings["retrieve_ms"],
            "first_token_ms": answer.timings["first_token_ms"],
            "total_ms": answer.timings["total_ms"],
            "abstained": answer.abstained,
            "answer": " ".join(answer.answer.split())[:200],
        })
        log(f"[{model}] question {number}/{count} ({kind}): first text {answer.timings['first_token_ms'] / 1000:.1f} s, "
            f"whole answer {answer.timings['total_ms'] / 1000:.1f} s{' (abstained)' if answer.abstained else ''}")

    log(f"[{model}] timing the generator on one fixed prompt")
    passages = pipeline.search(FIXED_PROMPT_QUESTION)
    messages = build_messages(FIXED_PROMPT_QUESTION, passages, [])
    schema = answer_schema(len(passages), with_calculation=False)
    generation = {
        "constrained": _stream_rate(generator, messages, schema, settings.max_answer_tokens),
        "unconstrained": _stream_rate(generator, messages, None, 128),
    }
    prompt = _prompt_rate(generator, messages, schema)
    result = {
        "model": model,
        "model_name": generator.name,
        "model_load_s": round(model_load_s, 2),
        "index_and_embedder_load_s": round(index_load_s, 2),
        "questions": rows,
        "generation": generation,
        "prompt": prompt,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "load_notes": _LOAD_NOTES,
    }
    out.write_text(json.dumps(result, indent=2))


def _stream_rate(generator, messages, schema, max_tokens: int) -> dict[str, float]:
    """Pieces per second after the first piece (llama.cpp streams about one token a piece)."""
    check_load("generation tokens/s")
    times = []
    started = time.perf_counter()
    for _ in generator.stream(messages, schema=schema, max_tokens=max_tokens):
        times.append(time.perf_counter())
    if len(times) < 2:
        return {"pieces": len(times), "tokens_per_s": float("nan"), "first_piece_s": float("nan")}
    return {
        "pieces": len(times),
        "tokens_per_s": round((len(times) - 1) / (times[-1] - times[0]), 2),
        "first_piece_s": round(times[0] - started, 3),
    }


def _prompt_rate(generator, messages, schema) -> dict[str, object]:
    """Prompt processing speed: evaluate the chat prompt's tokens on an empty cache (llama-cpp-python only)."""
    llm = getattr(generator, "_llm", None)
    if llm is None or not hasattr(llm, "tokenize"):
        return {"measured": False, "why": "not a llama-cpp-python generator"}
    check_load("prompt tokens/s")
    # Qwen2.5 models use the ChatML template; the token count matches what create_chat_completion evaluates.
    text = "".join(f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages) + "<|im_start|>assistant\n"
    tokens = llm.tokenize(text.encode("utf-8"), add_bos=False, special=True)
    llm.reset()
    t = time.perf_counter()
    llm.eval(tokens)
    eval_s = time.perf_counter() - t
    llm.reset()  # forget it, so the next measurement starts from an empty cache too
    t = time.perf_counter()
    first = None
    for _ in generator.stream(messages, schema=schema, max_tokens=8):
        first = time.perf_counter() - t
        break
    llm.reset()
    return {
        "measured": True,
        "prompt_tokens": len(tokens),
        "eval_s": round(eval_s, 3),
        "tokens_per_s": round(len(tokens) / eval_s, 1),
        "first_piece_empty_cache_s": round(first, 3) if first is not None else None,
    }


# -- orchestration ---------------------------------------------------------------------------------


def measure_model(model: str, rag_bin: Path, index_dir: Path, count: int, cold_runs: int, work: Path) -> dict:
    cold_question = QUESTIONS[0][1]
    check_load(f"{model} cold start")
    streams, jsons = [], []
    for i in range(cold_runs):
        streams.append(cold_stream(rag_bin, cold_question, index_dir, model))
        log(f"[{model}] cold `rag ask` {i + 1}/{cold_runs}: first text {streams[-1]['first_text_s']:.2f} s, "
            f"exit {streams[-1]['exit_s']:.2f} s")
    for i in range(cold_runs):
        jsons.append(cold_json(rag_bin, cold_question, index_dir, model))
        log(f"[{model}] cold `rag ask --json` {i + 1}/{cold_runs}: {jsons[-1]['total_s']:.2f} s")
    warm = run_worker(model, "llama.cpp", "", index_dir, count, work)
    return {
        "cold": {
            "question": cold_question,
            "first_text_s": [round(s["first_text_s"], 3) for s in streams],
            "first_text_median_s": round(statistics.median(s["first_text_s"] for s in streams), 3),
            "stream_exit_median_s": round(statistics.median(s["exit_s"] for s in streams), 3),
            "json_total_s": [round(j["total_s"], 3) for j in jsons],
            "json_total_median_s": round(statistics.median(j["total_s"] for j in jsons), 3),
            "first_text_sample": streams[0]["text"],
        },
        "warm": warm,
    }


def run_worker(model: str, backend: str, base_url: str, index_dir: Path, count: int, work: Path) -> dict:
    """The warm figures of one model on one backend, from a worker process of their own."""
    out = work / f"warm-{model}-{backend}.json"
    log(f"[{model}] warm run on {backend}: a worker process asks {count} question(s)")
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--worker", model, "--backend", backend,
                           "--base-url", base_url, "--index-dir", str(index_dir),
                           "--questions", str(count), "--worker-out", str(out),
                           "--clock-offset", f"{time.perf_counter() - _STARTED:.1f}"], cwd=ROOT, env=clean_env())
    if proc.returncode != 0:
        raise SystemExit(f"warm worker for {model} on {backend} failed ({proc.returncode})")
    warm = json.loads(out.read_text())
    _LOAD_NOTES.extend(warm.pop("load_notes"))
    return warm


def measure_backend(model: str, backend: str, index_dir: Path, count: int, work: Path) -> dict:
    """Warm figures on another backend than llama.cpp; for openai, behind llama-cpp-python's own server."""
    if backend != "openai":
        return run_worker(model, backend, "", index_dir, count, work)
    from rag.config import load_settings
    from rag.generation.model_files import resolve_model

    settings = load_settings({}, environ=clean_env())
    path = resolve_model(model, settings.cache_dir / "models", show_progress=False).path
    port = _free_port()
    log(f"[{model}] starting llama_cpp.server on port {port}")
    server = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--port", str(port),
                               "--n_ctx", str(settings.context_tokens), "--n_threads", str(settings.threads),
                               "--model_alias", model], cwd=ROOT, env=clean_env(),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait_for(base_url + "/models", server)
        return run_worker(model, backend, base_url, index_dir, count, work)
    finally:
        server.terminate()
        server.wait(30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, process: subprocess.Popen, limit_s: float = 300) -> None:
    import urllib.request

    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} did not answer within {limit_s:.0f} s")


def warm_summary(warm: dict) -> dict:
    """Time to the sources event, to the first verified text and to the whole answer, p50 and p95, in seconds."""
    figures = {}
    for name, key in (("sources", "sources_ms"), ("first_text", "first_token_ms"), ("total", "total_ms")):
        values = [q[key] / 1000 for q in warm["questions"]]
        figures[f"{name}_p50_s"] = round(pct(values, 50), 2 if name != "sources" else 3)
        figures[f"{name}_p95_s"] = round(pct(values, 95), 2 if name != "sources" else 3)
    return figures


def backend_row(model: str, backend: str, warm: dict) -> dict:
    return {"model": model, "backend": backend, "warm": warm, "summary": warm_summary(warm)}


def summarise(result: dict) -> dict:
    warm, cold = result["warm"], result["cold"]
    first = [q["first_token_ms"] / 1000 for q in warm["questions"]]
    total = [q["total_ms"] / 1000 for q in warm["questions"]]
    q1 = warm["questions"][0]
    return {
        **warm_summary(warm),
        "first_text_p50_s": round(pct(first, 50), 2),
        "first_text_p95_s": round(pct(first, 95), 2),
        "total_p50_s": round(pct(total, 50), 2),
        "total_p95_s": round(pct(total, 95), 2),
        "retrieve_p50_ms": round(pct([q["retrieve_ms"] for q in warm["questions"]], 50), 1),
        "cold_adds_first_text_s": round(cold["first_text_median_s"] - q1["first_token_ms"] / 1000, 2),
        "cold_adds_json_s": round(cold["json_total_median_s"] - q1["total_ms"] / 1000, 2),
        "abstained": sum(q["abstained"] for q in warm["questions"]),
    }


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def report(r: dict) -> str:
    m = r["machine"]
    out = ["rag answer benchmark", "=" * 20, ""]
    out.append(f"machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB RAM, Python {m['python']}; "
               + ", ".join(f"{k} {v}" for k, v in m["libraries"].items()))
    out.append(f"loadavg at start: {m['loadavg_start']}; at end: {m.get('loadavg_end')}")
    if r["load_notes"]:
        out.append(f"NOTE: the 1-min load was above {LOAD_LIMIT} before {len(r['load_notes'])} measuring step(s) "
                   "(CPU shared with other work: timings are pessimistic); highest: "
                   + max(r["load_notes"], key=lambda n: float(n.rsplit(" ", 1)[1])))
    out.append(f"questions: {r['question_count']} ({', '.join(f'{v} {k}' for k, v in r['question_kinds'].items())}); "
               f"cold runs per figure: {r['cold_runs']}")
    for model, res in r["models"].items():
        w, c, s = res["warm"], res["cold"], res["summary"]
        out += ["", f"model {model}: {w['model_name']} (load {w['model_load_s']} s; index + embedder "
                f"{w['index_and_embedder_load_s']} s)"]
        g, p = w["generation"], w["prompt"]
        rows = [
            ["warm time to the sources p50 / p95", f"{s['sources_p50_s']:.3f} / {s['sources_p95_s']:.3f} s",
             f"p95 < {TARGETS['sources_warm_p95_s']:g} s", verdict(s["sources_p95_s"] < TARGETS["sources_warm_p95_s"])],
            ["warm first visible text p50 / p95", f"{s['first_text_p50_s']:.2f} / {s['first_text_p95_s']:.2f} s",
             f"< {TARGETS['first_text_warm_s']:g} s",
             f"{verdict(s['first_text_p50_s'] < TARGETS['first_text_warm_s'])} / "
             f"{verdict(s['first_text_p95_s'] < TARGETS['first_text_warm_s'])}"],
            ["warm whole answer p50", f"{s['total_p50_s']:.2f} s", f"< {TARGETS['total_p50_s']:g} s",
             verdict(s["total_p50_s"] < TARGETS["total_p50_s"])],
            ["warm whole answer p95", f"{s['total_p95_s']:.2f} s", f"< {TARGETS['total_p95_s']:g} s",
             verdict(s["total_p95_s"] < TARGETS["total_p95_s"])],
            ["warm retrieval p50", f"{s['retrieve_p50_ms']:.0f} ms", "", ""],
            ["cold first visible text (median)", f"{c['first_text_median_s']:.2f} s  "
             f"[{', '.join(f'{x:.2f}' for x in c['first_text_s'])}]", "", ""],
            ["cold start adds (first text)", f"{s['cold_adds_first_text_s']:.2f} s", f"< {TARGETS['cold_adds_s']:g} s",
             verdict(s["cold_adds_first_text_s"] < TARGETS["cold_adds_s"])],
            ["cold `rag ask --json` total (median)", f"{c['json_total_median_s']:.2f} s  "
             f"[{', '.join(f'{x:.2f}' for x in c['json_total_s'])}]", "", ""],
            ["cold start adds (--json total)", f"{s['cold_adds_json_s']:.2f} s", f"< {TARGETS['cold_adds_s']:g} s",
             verdict(s["cold_adds_json_s"] < TARGETS["cold_adds_s"])],
            ["generation, JSON-constrained", f"{g['constrained']['tokens_per_s']:.1f} tokens/s "
             f"({g['constrained']['pieces']} pieces)", "", ""],
            ["generation, unconstrained", f"{g['unconstrained']['tokens_per_s']:.1f} tokens/s "
             f"({g['unconstrained']['pieces']} pieces)", "", ""],
        ]
        if p.get("measured"):
            rows.append(["prompt processing", f"{p['tokens_per_s']:.0f} tokens/s ({p['prompt_tokens']} tokens "
                         f"in {p['eval_s']:.2f} s)", "", ""])
            rows.append(["first piece, empty cache", f"{p['first_piece_empty_cache_s']:.2f} s", "", ""])
        rows.append(["peak memory (RSS) of the process", f"{w['peak_rss_mb'] / 1000:.2f} GB",
                     f"< {TARGETS['peak_rss_gb']:g} GB", verdict(w["peak_rss_mb"] / 1000 < TARGETS["peak_rss_gb"])])
        out.append(table(["figure", "value", "target", ""], rows))
        out.append("")
        qrows = [[str(i), q["kind"], f"{q['retrieve_ms']:.0f}", f"{q['first_token_ms'] / 1000:.2f}",
                  f"{q['total_ms'] / 1000:.2f}", "yes" if q["abstained"] else "", q["question"][:60]]
                 for i, q in enumerate(w["questions"], start=1)]
        out.append(table(["#", "kind", "retrieve ms", "first text s", "total s", "abstained", "question"], qrows))
        out.append(f"  cold question: {c['question']!r}; its first line of output: {c['first_text_sample']!r}")
    if r.get("backends"):
        out += ["", "backends (warm; seconds, p50 / p95):"]
        brows = [[row["model"], row["backend"], w["model_name"], f"{b['sources_p50_s']:.3f} / {b['sources_p95_s']:.3f}",
                  f"{b['first_text_p50_s']:.2f} / {b['first_text_p95_s']:.2f}", f"{b['total_p50_s']:.2f} / {b['total_p95_s']:.2f}",
                  f"{w['generation']['constrained']['tokens_per_s']:.1f}", f"{w['peak_rss_mb'] / 1000:.2f}"]
                 for row in r["backends"].values() for w, b in [(row["warm"], row["summary"])]]
        out.append(table(["model", "backend", "runs as", "sources", "first text", "whole answer", "tokens/s", "peak GB"],
                         brows))
    out += ["", "  warm = models loaded, one untimed warm-up question asked; first text = Answer.timings first_token_ms",
            "  (first verified TextDelta); cold = fresh `rag ask` process, Popen to the first stdout byte;",
            "  cold start adds = cold median minus the warm figure for the same question.",
            f"\ntotal benchmark time: {r['total_s'] / 60:.1f} min"]
    return "\n".join(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", default="default,fast", help="answer models, comma-separated (default,fast)")
    parser.add_argument("--backends", default="llama.cpp",
                        help="backends, comma-separated: llama.cpp (with cold figures), openai, transformers (warm only)")
    parser.add_argument("--backend", default="llama.cpp", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", default="", help=argparse.SUPPRESS)
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help=f"first N of the {len(QUESTIONS)} questions")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes per cold figure (median taken)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also save every figure as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temporary index")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--clock-offset", type=float, default=0.0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    global _STARTED
    _STARTED -= args.clock_offset  # a worker's progress lines continue the parent's clock
    count = max(1, min(args.questions, len(QUESTIONS)))
    if args.worker:
        worker(args.worker, args.index_dir, count, args.worker_out, args.backend, args.base_url)
        return 0

    models = [m.strip() for m in args.models.split(",") if m.strip()]
    machine = machine_info()
    check_load("start")
    rag_bin = Path(sys.executable).parent / "rag"
    work = Path(tempfile.mkdtemp(prefix="rag-answer-bench-"))
    index_dir = work / "seeds-index"
    results: dict = {"machine": machine, "targets": TARGETS, "question_count": count, "cold_runs": args.cold_runs,
                     "models": {}}
    kinds: dict[str, int] = {}
    for kind, _ in QUESTIONS[:count]:
        kinds[kind] = kinds.get(kind, 0) + 1
    results["question_kinds"] = kinds
    try:
        log(f"indexing seeds/ into {index_dir}")
        subprocess.run([str(rag_bin), "index", str(SEEDS), "--index", str(index_dir)], cwd=ROOT, env=clean_env(),
                       check=True, capture_output=True)
        backends = [b.strip() for b in args.backends.split(",") if b.strip()]
        results["backends"] = {}
        for model in models:
            log(f"model {model}")
            if "llama.cpp" in backends:
                res = measure_model(model, rag_bin, index_dir, count, args.cold_runs, work)
                res["summary"] = summarise(res)
                results["models"][model] = res
                results["backends"][f"{model} on llama.cpp"] = backend_row(model, "llama.cpp", res["warm"])
            for backend in [b for b in backends if b != "llama.cpp"]:
                warm = measure_backend(model, backend, index_dir, count, work)
                results["backends"][f"{model} on {backend}"] = backend_row(model, backend, warm)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    results["machine"]["loadavg_end"] = Path("/proc/loadavg").read_text().strip()
    results["load_notes"] = _LOAD_NOTES
    results["total_s"] = round(time.perf_counter() - _STARTED, 1)
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
        log(f"figures saved to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
