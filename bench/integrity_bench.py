#!/usr/bin/env python
"""What the index checksums cost: load time of an index with and without verifying them.

Builds one index generation of N synthetic chunks (seed sentences recombined, random
unit vectors: the files have the real shapes and sizes, and no embedding model runs),
writes it with the real store code, then times, from a warm page cache:

- `checksums`: hashing every file of the generation (what a build adds, once);
- `verify`: `damaged_files()`, the check `open_store` runs before every load;
- `open_store`: a whole load, verify included, and the load without it.

    .venv/bin/python bench/integrity_bench.py              # 100k chunks, about 2 minutes on 2 cores
    .venv/bin/python bench/integrity_bench.py --chunks 10000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from rag.chunking import sentence_spans  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.store import store as store_module  # noqa: E402
from rag.store.dense import DenseIndex, kind_for  # noqa: E402
from rag.store.layout import commit, new_build_folder  # noqa: E402
from rag.store.lexical import LexicalIndex  # noqa: E402
from rag.store.manifest import FORMAT_VERSION, FileEntry, Manifest  # noqa: E402
from rag.types import Chunk  # noqa: E402

CHUNKS_PER_FILE = 50
DIM = 384
ROUNDS = 3


def synthetic_store(count: int, seed: int) -> store_module.IndexStore:
    rng = random.Random(seed)
    sentences = [
        text[s.start : s.end] for path in sorted((ROOT / "seeds").glob("*.txt")) for text in [path.read_text()] for s in sentence_spans(text)
    ]
    chunks, documents, files = [], {}, {}
    for number in range(0, count, CHUNKS_PER_FILE):
        source = f"corpus/{number // CHUNKS_PER_FILE:05d}.txt"
        parts, text = [], ""
        for _ in range(min(CHUNKS_PER_FILE, count - number)):
            body = " ".join(rng.choice(sentences) for _ in range(3))
            start = len(text)
            text += body + "\n"
            parts.append(Chunk(source=source, text=body, start=start, end=start + len(body), line_start=1, line_end=1, title=""))
        chunks += parts
        documents[source] = text
        files[source] = FileEntry(sha256="0" * 64, size=len(text), chunks=len(parts))
    vectors = np.random.default_rng(seed).standard_normal((len(chunks), DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    kind = kind_for(len(chunks), Settings().approximate_from)
    manifest = Manifest(
        format_version=FORMAT_VERSION, embedder="synthetic", dim=DIM, chunk_chars=360, chunk_overlap_chars=120,
        dense_kind=kind, corpus=["corpus"], built_at=datetime.now(timezone.utc).isoformat(timespec="seconds"), files=files,
    )
    return store_module.IndexStore(
        manifest, chunks, vectors, DenseIndex.build(vectors, kind), LexicalIndex.build([c.text for c in chunks]), documents, Path()
    )


def timed(call) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1234)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        print(f"building {args.chunks} synthetic chunks ...", file=sys.stderr)
        store = synthetic_store(args.chunks, args.seed)
        folder = new_build_folder(index_dir)
        store.write(folder)
        generation = commit(index_dir, folder)
        size = sum(p.stat().st_size for p in generation.rglob("*") if p.is_file())
        manifest = store.manifest
        store_module.open_store(index_dir)  # warm the page cache, as a second `rag search` finds it
        hashing = timed(lambda: store_module.checksums(generation))
        verify = timed(lambda: store_module.damaged_files(generation, manifest))
        load = timed(lambda: store_module.open_store(index_dir))
        unverified = replace(manifest, checksums={})
        real_damaged = store_module.damaged_files
        store_module.damaged_files = lambda folder, m: real_damaged(folder, unverified)
        load_unverified = timed(lambda: store_module.open_store(index_dir))
        store_module.damaged_files = real_damaged
    print(f"chunks {args.chunks}  ({manifest.dense_kind}), index files {size / 1e6:.0f} MB")
    print(f"checksums of every file (once per build): {hashing:.2f} s")
    print(f"verify before a load:                     {verify:.2f} s")
    print(f"open_store with verify:                   {load:.2f} s")
    print(f"open_store without verify:                {load_unverified:.2f} s")
    print(f"verify share of a load:                   {verify / load:.0%}")


if __name__ == "__main__":
    main()
