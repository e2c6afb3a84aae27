"""What the scale-out path (issue 14) costs and gains on this machine, measured in one run.

1. Indexing throughput (chunks/s) of `rag index` on one generated corpus: the in-process
   engine, then `--engine ray` with 1 and 2 embedding actors (a local Ray, started once
   before the timers; its start-up is reported on its own line).
2. Search latency (p50/p95 of `Retriever.search`, embedding the query included) with the
   local folder store and with a Milvus Lite store holding the same chunks and vectors.
3. Retrieval agreement between the two stores on every eval suite whose corpus is on
   this machine: top-k overlap, top-1 agreement, and gold-source recall@k of each store.
4. At each `--synthetic` size (random unit vectors, generated texts; default 100,000,
   `--synthetic 100000,1000000` for both sizes the issue asks): for each store, the write
   through its `StoreWriter` (seconds, peak memory), then opening it and `Store.search`
   p50/p95 without the query embedding, with the serving process's memory and the size
   on disk; each step in a fresh process, so each memory figure is its own.

    .venv/bin/python bench/scale_bench.py                  # about 15-20 min on 2 shared cores
    .venv/bin/python bench/scale_bench.py --files 40 --suites seeds,reference --synthetic 20000   # quick check
    .venv/bin/python bench/scale_bench.py --parts synthetic --synthetic 100000,1000000   # ~1.5 h

Prints a table to stdout, progress to stderr; never asserts (the tests check behaviour).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from rag.config import load_settings  # noqa: E402
from rag.embedding import make_embedder  # noqa: E402
from rag.indexing import build_index  # noqa: E402
from rag.retrieval import Retriever  # noqa: E402
from rag.store.factory import open_index, parse_location  # noqa: E402
from rag.store.milvus import MilvusWriter  # noqa: E402
from rag.store.store import IndexStore, open_store  # noqa: E402

K = 5  # passages the answer model reads (Settings.top_k)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cpu_model() -> str:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def load_note() -> str:
    load = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    return f" (NOTE: 1-min load {load:.1f} on {cores} cores: other work was running)" if load > cores + 0.5 else ""


# -- 1. indexing throughput ------------------------------------------------------------------------


def generated_corpus(folder: Path, files: int) -> None:
    """`files` small reports of about ten chunks each, every one with its own figures."""
    folder.mkdir(parents=True)
    for n in range(files):
        paragraphs = [
            f"Division {n % 17} of plant {n} reported revenue of {n * 7 % 900 + 100}.{n % 10} million in quarter {q}. "
            f"Headcount rose to {n * 13 % 400 + 50} while unit cost fell {n % 9 + 1}.{q} percent against the plan, "
            f"because pumps, valves and {q + 2} other parts were bought from a second supplier at lower prices."
            for q in range(1, 9)
        ]
        (folder / f"report-{n:04d}.txt").write_text(f"# Plant {n} quarterly report\n\n" + "\n\n".join(paragraphs) + "\n")


@dataclass(frozen=True)
class Throughput:
    label: str
    chunks: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.chunks / self.seconds


def measure_indexing(work: Path, files: int, threads: int) -> tuple[list[Throughput], float]:
    corpus = work / "generated"
    generated_corpus(corpus, files)
    settings = replace(load_settings(), threads=threads)
    results = []
    log(f"indexing {files} generated files in process{load_note()}")
    report = build_index([corpus], replace(settings, index_dir=work / "in-process"), show_progress=False)
    results.append(Throughput("in-process", report.chunks_embedded, report.seconds))
    import ray

    started = time.perf_counter()
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
    ray_start = time.perf_counter() - started
    for actors in (1, 2):
        log(f"indexing with Ray, {actors} embedding actor(s){load_note()}")
        ray_settings = replace(settings, index_dir=work / f"ray-{actors}", engine="ray", embed_actors=actors)
        report = build_index([corpus], ray_settings, show_progress=False)
        results.append(Throughput(f"ray, {actors} actor{'s' if actors > 1 else ''}", report.chunks_embedded, report.seconds))
    ray.shutdown()
    return results, ray_start


# -- 2 and 3. local vs Milvus Lite -------------------------------------------------------------------


def copy_to_milvus(local: IndexStore, location: str) -> None:
    """The same chunks and vectors into Milvus: both stores then differ only in how they search."""
    writer = MilvusWriter(parse_location(location))
    for source, entry in local.manifest.files.items():
        rows = [row for row, chunk in enumerate(local.chunks) if chunk.source == source]
        writer.add(source, entry, local.documents[source], [local.chunks[r] for r in rows], local.vectors[rows])
    writer.commit(replace(local.manifest, dense_kind=writer.dense_kind(len(local.chunks))))


@dataclass(frozen=True)
class Question:
    text: str
    gold_sources: list[str]


def suite_corpora(names: list[str] | None) -> list[tuple[str, Path, list[Question]]]:
    """Each eval suite whose corpus is in the repository or already fetched into the cache; none is downloaded."""
    from rag.evaluation.suites import SuiteError, load_suite, suite_names

    cache = load_settings().cache_dir
    found = []
    for name in suite_names():
        if names and name not in names:
            continue
        try:
            suite = load_suite(name)
            folder = suite.corpus if suite.corpus is not None else cache / "eval-corpora" / name
        except (SuiteError, OSError):
            folder = REPO / name  # a suite named after a top-level corpus folder (seeds)
        if not folder or not folder.is_dir():
            log(f"skipping suite {name}: its corpus is not on this machine")
            continue
        rows = [json.loads(line) for line in (REPO / "eval" / "suites" / name / "questions.jsonl").read_text().splitlines() if line.strip()]
        found.append((name, folder, [Question(r["question"], r.get("gold_sources", [])) for r in rows]))
    return found


@dataclass(frozen=True)
class Agreement:
    suite: str
    chunks: int
    questions: int
    overlap: float  # mean |top-k local ∩ top-k milvus| / k
    top1: float  # share of questions whose first passage is the same
    recall_local: float  # share of questions with a gold source in the local top-k
    recall_milvus: float
    local_ms: list[float]
    milvus_ms: list[float]


def timed_search(retriever: Retriever, question: str) -> tuple[list, float]:
    started = time.perf_counter()
    found = retriever.search(question, K, load_settings().candidates)
    return found, (time.perf_counter() - started) * 1000


def measure_agreement(work: Path, suites: list[tuple[str, Path, list[Question]]], embedder) -> list[Agreement]:
    results = []
    for name, folder, questions in suites:
        log(f"suite {name}: indexing {folder} into the local store, copying to Milvus Lite{load_note()}")
        settings = replace(load_settings(), index_dir=work / f"suite-{name}")
        build_index([folder], settings, embedder=embedder, show_progress=False)
        local = open_store(settings.index_dir)
        location = f"milvus:{work / f'suite-{name}.db'}"
        copy_to_milvus(local, location)
        milvus = open_index(replace(settings, store=location))
        stores = {"local": Retriever(local, embedder), "milvus": Retriever(milvus, embedder)}
        for retriever in stores.values():  # warm both (first query loads collections, caches)
            retriever.search(questions[0].text, K, settings.candidates)
        found: dict[str, list[list]] = {"local": [], "milvus": []}
        ms: dict[str, list[float]] = {"local": [], "milvus": []}
        for question in questions:
            for label, retriever in stores.items():
                passages, elapsed = timed_search(retriever, question.text)
                found[label].append([(p.chunk.source, p.chunk.start) for p in passages])
                ms[label].append(elapsed)
        overlap = statistics.mean(len(set(a) & set(b)) / K for a, b in zip(found["local"], found["milvus"]))
        top1 = statistics.mean(a[:1] == b[:1] for a, b in zip(found["local"], found["milvus"]))

        def recall(label: str) -> float:
            pairs = [(q, f) for q, f in zip(questions, found[label]) if q.gold_sources]
            return statistics.mean(any(s in q.gold_sources for s, _ in f) for q, f in pairs) if pairs else float("nan")

        results.append(Agreement(name, len(local.chunks), len(questions), overlap, top1, recall("local"), recall("milvus"), ms["local"], ms["milvus"]))
    return results


@dataclass(frozen=True)
class AtSize:
    """One store at one synthetic size, each figure from its own process (rag/store writers and readers)."""

    store: str
    chunks: int
    write_s: float  # writer.add of every file and commit (FAISS/BM25 build, or Milvus inserts and indexes)
    write_peak_mb: float  # the writing process's peak RSS, the generated chunks and vectors included
    open_s: float  # opening the written store for search, as `rag ask` does
    resident_mb: float  # the searching process's RSS once the store is open: what serving it holds
    disk_mb: float
    search_ms: list[float]


_PER_FILE = 100  # synthetic chunks per file


def synthetic(count: int):
    """`count` chunks with random unit vectors and one-line texts, the same on every call."""
    import numpy as np

    from rag.store.manifest import FileEntry
    from rag.types import Chunk

    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((count, 384), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    files = {}
    for n in range(-(-count // _PER_FILE)):
        rows = range(n * _PER_FILE, min(count, (n + 1) * _PER_FILE))
        texts = [f"Plant {i} reported revenue of {i * 7 % 900 + 100}.{i % 10} million; pumps, valves and {i % 13} parts." for i in rows]
        source = f"f{n}.txt"
        files[source] = (FileEntry(sha256=f"{n:064x}", size=1, chunks=len(rows)), [Chunk(source, t, 0, len(t), 1, 1, "") for t in texts], vectors[rows.start : rows.stop])
    return files


def store_settings(store: str, work: Path, count: int):
    location = "local" if store == "local" else f"milvus:{work / f'synthetic-{count}.db'}"
    return replace(load_settings(), store=location, index_dir=work / f"synthetic-{count}")


def child_write(store: str, work: Path, count: int) -> dict:
    from rag.store.factory import open_writer
    from rag.store.manifest import FORMAT_VERSION, Manifest

    files = synthetic(count)
    started = time.perf_counter()
    with open_writer(store_settings(store, work, count), wait=False, on_wait=None) as writer:
        for source, (entry, chunks, vectors) in files.items():
            writer.add(source, entry, "", chunks, vectors)
        writer.commit(Manifest(FORMAT_VERSION, "synthetic", 384, 360, 120, writer.dense_kind(count), [], "", {s: e for s, (e, _, _) in files.items()}))
    return {"write_s": time.perf_counter() - started, "write_peak_mb": peak_rss_mb()}


def child_search(store: str, work: Path, count: int, queries: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(11)  # queries are fresh vectors: exact and graph search cost the same for any
    query_vectors = rng.standard_normal((queries + 1, 384), dtype=np.float32)
    query_vectors /= np.linalg.norm(query_vectors, axis=1, keepdims=True)
    started = time.perf_counter()
    index = open_index(store_settings(store, work, count))
    open_s = time.perf_counter() - started
    resident = resident_mb()
    ms = []
    for q, vector in enumerate(query_vectors):
        began = time.perf_counter()
        index.search(vector, f"revenue {q * 7 % 900 + 100}.{q % 10} million", load_settings().candidates)
        if q:  # the first query warms caches
            ms.append((time.perf_counter() - began) * 1000)
    return {"open_s": open_s, "resident_mb": resident, "search_ms": ms}


def peak_rss_mb() -> float:
    return tree_memory_mb("VmHWM")


def resident_mb() -> float:
    return tree_memory_mb("VmRSS")


def tree_memory_mb(field: str) -> float:
    """`field` of /proc/PID/status summed over this process and its descendants: Milvus Lite 2.5 runs its
    server as a child process. For VmHWM the sum of each process's peak bounds their peak together."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
    tree, grew = {os.getpid()}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    total_kib = 0
    for pid in tree:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total_kib += int(line.split()[1])
    return total_kib / 1024


def disk_mb(path: Path) -> float:
    paths = [path] if path.is_file() else path.rglob("*")
    return sum(p.stat().st_size for p in paths if p.is_file()) / 1e6


def run_child(*args: str) -> dict:
    """One measurement in a fresh interpreter, so each figure's memory is its own."""
    done = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"child {args} failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_at_size(work: Path, count: int, store: str, queries: int) -> AtSize:
    log(f"{count} synthetic chunks into the {store} store{load_note()}")
    written = run_child("write", store, str(work), str(count))
    log(f"  written in {written['write_s']:.0f} s; searching{load_note()}")
    searched = run_child("search", store, str(work), str(count), str(queries))
    location = store_settings(store, work, count)
    on_disk = disk_mb(location.index_dir if store == "local" else Path(location.store.removeprefix("milvus:")))
    return AtSize(store, count, written["write_s"], written["write_peak_mb"], searched["open_s"], searched["resident_mb"], on_disk, searched["search_ms"])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


PARTS = ("indexing", "agreement", "synthetic")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=120, help="generated files for the indexing throughput (about 9 chunks each)")
    parser.add_argument("--suites", help="comma-separated eval suites for the store comparison (default: all on this machine)")
    parser.add_argument("--synthetic", default="100000", help="comma-separated chunk counts for the stores at size, e.g. 100000,1000000")
    parser.add_argument("--queries", type=int, default=50, help="searches timed per store and size")
    parser.add_argument("--parts", default=",".join(PARTS), help=f"what to measure, comma-separated from {', '.join(PARTS)}")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="embedding threads of the in-process engine")
    parser.add_argument("--json", type=Path, help="also save every figure here")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)  # one at-size measurement, run by run_child
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.child:
        step, store, work, count, *rest = args.child
        result = child_write(store, Path(work), int(count)) if step == "write" else child_search(store, Path(work), int(count), int(rest[0]))
        print(json.dumps(result))
        return 0
    parts = set(args.parts.split(","))
    if parts - set(PARTS):
        parser.error(f"unknown part {', '.join(sorted(parts - set(PARTS)))}: choose from {', '.join(PARTS)}")

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    throughput, ray_start, agreement, at_size = [], 0.0, [], []
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        work = Path(tmp)
        if "indexing" in parts:
            throughput, ray_start = measure_indexing(work, args.files, args.threads)
        if "agreement" in parts:
            embedder = make_embedder(load_settings().embedder, args.threads)
            agreement = measure_agreement(work, suite_corpora(args.suites.split(",") if args.suites else None), embedder)
        if "synthetic" in parts:
            for count in (int(c) for c in args.synthetic.split(",")):
                for store in ("local", "milvus"):
                    at_size.append(measure_at_size(work, count, store, args.queries))
                    print_at_size(at_size[-1], progress=True)

    if throughput:
        base = throughput[0].rate
        print(f"\nindexing {throughput[0].chunks} chunks ({args.files} generated files); Ray start-up {ray_start:.1f} s, not counted")
        print(f"{'engine':<18}{'seconds':>9}{'chunks/s':>10}{'vs in-process':>15}")
        for row in throughput:
            print(f"{row.label:<18}{row.seconds:>9.1f}{row.rate:>10.1f}{row.rate / base:>14.2f}x")
    if agreement:
        print(f"\nlocal (FAISS + bm25s) vs Milvus Lite, same chunks and vectors; top-{K}; search latency includes embedding the query")
        print(f"{'suite':<11}{'chunks':>7}{'qs':>5}{'overlap':>9}{'top-1':>7}{'recall local':>14}{'recall milvus':>15}"
              f"{'local p50/p95 ms':>19}{'milvus p50/p95 ms':>20}")
        for a in agreement:
            print(
                f"{a.suite:<11}{a.chunks:>7}{a.questions:>5}{a.overlap:>9.2f}{a.top1:>7.2f}{a.recall_local:>14.2f}{a.recall_milvus:>15.2f}"
                f"{percentile(a.local_ms, .5):>10.1f}/{percentile(a.local_ms, .95):<8.1f}{percentile(a.milvus_ms, .5):>11.1f}/{percentile(a.milvus_ms, .95):<8.1f}"
            )
    if at_size:
        print(f"\nsynthetic chunks (random unit vectors, one-line texts), Store.search only (no query embedding), {args.queries} queries;"
              " each figure from its own process")
        print(f"{'store':<8}{'chunks':>9}{'write s':>9}{'chunks/s':>10}{'write peak MB':>15}{'open s':>8}{'serving MB':>12}{'disk MB':>9}{'p50 ms':>9}{'p95 ms':>9}")
        for row in at_size:
            print_at_size(row)
    note = load_note()
    if note:
        print(note.strip())
    if args.json:
        args.json.write_text(json.dumps({
            "cpu": cpu_model(), "ray_start_s": ray_start,
            "throughput": [{"engine": t.label, "chunks": t.chunks, "seconds": t.seconds} for t in throughput],
            "agreement": [a.__dict__ for a in agreement],
            "at_size": [a.__dict__ for a in at_size],
        }, indent=2))
    return 0


def print_at_size(row: AtSize, *, progress: bool = False) -> None:
    """One row of the at-size table; printed as each finishes too, so a long run shows what it has."""
    line = (f"{row.store:<8}{row.chunks:>9}{row.write_s:>9.1f}{row.chunks / row.write_s:>10.0f}{row.write_peak_mb:>15.0f}"
            f"{row.open_s:>8.1f}{row.resident_mb:>12.0f}{row.disk_mb:>9.0f}{percentile(row.search_ms, .5):>9.1f}{percentile(row.search_ms, .95):>9.1f}")
    (log if progress else print)(line)


if __name__ == "__main__":
    sys.exit(main())
