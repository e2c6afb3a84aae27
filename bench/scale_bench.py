"""What the scale-out path (issue 14) costs and gains on this machine, measured in one run.

1. Indexing throughput (chunks/s) of `rag index` on one generated corpus: the in-process
   engine, then `--engine ray` with 1 and 2 embedding actors (a local Ray, started once
   before the timers; its start-up is reported on its own line).
2. Search latency (p50/p95 of `Retriever.search`, embedding the query included) with the
   local folder store and with a Milvus Lite store holding the same chunks and vectors.
3. Retrieval agreement between the two stores on every eval suite whose corpus is on
   this machine: top-k overlap, top-1 agreement, and gold-source recall@k of each store.
4. At `--synthetic` chunks (random unit vectors, generated texts): write rate into
   Milvus Lite, and `Store.search` p50/p95 of both stores without the query embedding.

    .venv/bin/python bench/scale_bench.py                  # about 6-10 min on 2 shared cores
    .venv/bin/python bench/scale_bench.py --files 40 --suites seeds,reference   # quick check

Prints a table to stdout, progress to stderr; never asserts (the tests check behaviour).
"""

from __future__ import annotations

import argparse
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
    chunks: int
    milvus_write_s: float
    local_ms: list[float]
    milvus_ms: list[float]


def measure_at_size(work: Path, count: int, queries: int = 50) -> AtSize:
    """Both stores over `count` synthetic chunks: what search costs as the corpus grows, embedding aside."""
    import numpy as np

    from rag.store.dense import DenseIndex
    from rag.store.lexical import LexicalIndex
    from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest
    from rag.types import Chunk

    log(f"{count} synthetic chunks into both stores{load_note()}")
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((count, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    per_file = 100
    texts = [f"Plant {i} reported revenue of {i * 7 % 900 + 100}.{i % 10} million; pumps, valves and {i % 13} parts." for i in range(count)]
    chunks = [Chunk(f"f{i // per_file}.txt", t, 0, len(t), 1, 1, "") for i, t in enumerate(texts)]
    files = {f"f{n}.txt": FileEntry(sha256=f"{n:064x}", size=1, chunks=len(chunks[n * per_file : (n + 1) * per_file])) for n in range(-(-count // per_file))}
    manifest = Manifest(FORMAT_VERSION, "synthetic", 384, 360, 120, "flat", [], "", files)
    local = IndexStore(manifest, chunks, vectors, DenseIndex.build(vectors, "flat"), LexicalIndex.build(texts), {}, work)
    writer = MilvusWriter(parse_location(f"milvus:{work / f'synthetic-{count}.db'}"))
    started = time.perf_counter()
    for n, (source, entry) in enumerate(files.items()):
        rows = slice(n * per_file, n * per_file + entry.chunks)
        writer.add(source, entry, "", chunks[rows], vectors[rows])
    writer.commit(manifest)
    write_s = time.perf_counter() - started
    milvus = open_index(replace(load_settings(), store=f"milvus:{work / f'synthetic-{count}.db'}"))
    ms: dict[str, list[float]] = {"local": [], "milvus": []}
    for q in range(queries + 1):
        query_vector, query = vectors[(q * 7919) % count], f"revenue {q * 7 % 900 + 100}.{q % 10} million"
        for label, store in (("local", local), ("milvus", milvus)):
            began = time.perf_counter()
            store.search(query_vector, query, load_settings().candidates)
            if q:  # the first query warms both
                ms[label].append((time.perf_counter() - began) * 1000)
    return AtSize(count, write_s, ms["local"], ms["milvus"])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=120, help="generated files for the indexing throughput (about 9 chunks each)")
    parser.add_argument("--suites", help="comma-separated eval suites for the store comparison (default: all on this machine)")
    parser.add_argument("--synthetic", type=int, default=20_000, help="chunks for the store comparison at size (0: skip)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 2, help="embedding threads of the in-process engine")
    parser.add_argument("--json", type=Path, help="also save every figure here")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    print(f"CPU: {cpu_model()}, {os.cpu_count()} cores; Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="scale-bench-") as tmp:
        work = Path(tmp)
        throughput, ray_start = measure_indexing(work, args.files, args.threads)
        embedder = make_embedder(load_settings().embedder, args.threads)
        agreement = measure_agreement(work, suite_corpora(args.suites.split(",") if args.suites else None), embedder)
        at_size = measure_at_size(work, args.synthetic) if args.synthetic else None

    base = throughput[0].rate
    print(f"\nindexing {throughput[0].chunks} chunks ({args.files} generated files); Ray start-up {ray_start:.1f} s, not counted")
    print(f"{'engine':<18}{'seconds':>9}{'chunks/s':>10}{'vs in-process':>15}")
    for row in throughput:
        print(f"{row.label:<18}{row.seconds:>9.1f}{row.rate:>10.1f}{row.rate / base:>14.2f}x")
    print(f"\nlocal (FAISS + bm25s) vs Milvus Lite, same chunks and vectors; top-{K}; search latency includes embedding the query")
    print(f"{'suite':<11}{'chunks':>7}{'qs':>5}{'overlap':>9}{'top-1':>7}{'recall local':>14}{'recall milvus':>15}"
          f"{'local p50/p95 ms':>19}{'milvus p50/p95 ms':>20}")
    for a in agreement:
        print(
            f"{a.suite:<11}{a.chunks:>7}{a.questions:>5}{a.overlap:>9.2f}{a.top1:>7.2f}{a.recall_local:>14.2f}{a.recall_milvus:>15.2f}"
            f"{percentile(a.local_ms, .5):>10.1f}/{percentile(a.local_ms, .95):<8.1f}{percentile(a.milvus_ms, .5):>11.1f}/{percentile(a.milvus_ms, .95):<8.1f}"
        )
    if at_size:
        print(f"\n{at_size.chunks} synthetic chunks, Store.search only (no query embedding), {len(at_size.local_ms)} queries")
        print(f"  local p50/p95 {percentile(at_size.local_ms, .5):.1f}/{percentile(at_size.local_ms, .95):.1f} ms; "
              f"Milvus Lite p50/p95 {percentile(at_size.milvus_ms, .5):.1f}/{percentile(at_size.milvus_ms, .95):.1f} ms; "
              f"written into Milvus Lite at {at_size.chunks / at_size.milvus_write_s:.0f} chunks/s")
    note = load_note()
    if note:
        print(note.strip())
    if args.json:
        args.json.write_text(json.dumps({
            "cpu": cpu_model(), "ray_start_s": ray_start,
            "throughput": [{"engine": t.label, "chunks": t.chunks, "seconds": t.seconds} for t in throughput],
            "agreement": [a.__dict__ for a in agreement],
            "at_size": at_size.__dict__ if at_size else None,
        }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
