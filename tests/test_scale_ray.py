"""`rag index --engine ray` (rag/ray_indexing.py) on a real local Ray, against the in-process indexer."""

from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import sys
import time
import types
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rag.cli import main
from rag.indexing import build_index, hash_file, prepare_file
from rag.loading import scan_corpus
from rag.ray_indexing import start_local_ray
from rag.retrieval import Retriever
from rag.store.factory import open_index
from rag.store.store import open_store

from conftest import REPO


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module: the engine joins a running Ray and leaves it running."""
    ray = pytest.importorskip("ray")
    start_local_ray(3)  # as the engine starts one: twice if Ray's raylet misses its 30 s on a loaded CI
    yield
    ray.shutdown()


@pytest.mark.slow
def test_ray_engine_gives_the_same_index_and_updates_incrementally(local_ray, seeds_index, seeds_copy, tmp_path, embedder):
    settings = replace(seeds_index, index_dir=tmp_path / "ray-index", engine="ray", embed_actors=2, embed_batch=16)
    report = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    reference, built = open_store(seeds_index.index_dir), open_store(settings.index_dir)
    assert [replace(c, source=c.source.split("/", 1)[1]) for c in built.chunks] == [
        replace(c, source=c.source.split("/", 1)[1]) for c in reference.chunks
    ]
    np.testing.assert_allclose(built.vectors, reference.vectors, atol=1e-5)
    assert report.chunks_embedded == len(reference.chunks)
    for query in ("296 TOPS", "Samsung chip partnership"):
        ours = [p.chunk.text for p in Retriever(built, embedder).search(query, 5, 40)]
        assert ours == [p.chunk.text for p in Retriever(reference, embedder).search(query, 5, 40)]

    changed = sorted(seeds_copy.iterdir())[0]
    changed.write_text(changed.read_text() + "\nOne more sentence about pumps.\n")
    again = build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    assert again.changed == [f"corpus/{changed.name}"] and len(again.unchanged) == len(reference.manifest.files) - 1
    assert again.chunks_embedded == open_store(settings.index_dir).manifest.files[f"corpus/{changed.name}"].chunks


@pytest.mark.slow
def test_ray_engine_writes_a_milvus_store_that_finds_a_figure(local_ray, seeds_copy, settings, tmp_path, capsys):
    pytest.importorskip("pymilvus")
    store = f"milvus:{tmp_path / 'rag.db'}"
    assert main(["index", str(seeds_copy), "--store", store, "--engine", "ray", "--embed-actors", "1"]) == 0
    assert f"indexed {store}" in capsys.readouterr().out
    from rag.embedding import make_embedder

    milvus = open_index(replace(settings, store=store))
    found = Retriever(milvus, make_embedder(settings.embedder, 1)).search("296 TOPS", 3, 40)
    assert any("296 TOPS" in p.chunk.text for p in found)


def test_missing_ray_and_unknown_engine_are_one_line_errors(tmp_path, monkeypatch, capsys, seeds_copy):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray fails as if it were not installed
    assert main(["index", str(seeds_copy), "--engine", "ray"]) == 2
    assert main(["index", str(seeds_copy), "--engine", "spark"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [
        "rag: error: Ray is not installed: run `pip install -e '.[scale]'` (or `bash setup.sh --extra scale`)",
        "rag: error: unknown engine 'spark': choose one of in-process, ray",
    ]


@pytest.mark.slow
def test_a_ray_that_fails_to_start_is_tried_twice_then_one_line(tmp_path, monkeypatch, capsys, seeds_copy):
    """Ray raises a bare Exception when its raylet misses its 30 s to register (a loaded machine)."""
    calls = []

    def init(**options):
        calls.append("init")
        raise Exception("The current node timed out during startup.")

    # Only the logic around Ray is under test here: a stand-in module whose start always fails.
    failing = types.SimpleNamespace(is_initialized=lambda: False, init=init, shutdown=lambda: calls.append("shutdown"))
    monkeypatch.setitem(sys.modules, "ray", failing)
    assert main(["index", str(seeds_copy), "--index", str(tmp_path / "index"), "--engine", "ray"]) == 2
    assert calls == ["init", "shutdown", "init", "shutdown"]
    assert capsys.readouterr().err.strip().splitlines() == [
        "rag: error: cannot start or reach Ray (The current node timed out during startup.)"
    ]


def _write_depot_ledgers(corpus: Path, count: int) -> None:
    """`count` files of two sentences in 20 folders, each file with figures no other file has."""
    for i in range(count):
        folder = corpus / f"region-{i % 20:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"depot-{i:04d}.txt").write_text(
            f"Depot {i} ledger.\n\nDepot {i} shipped {1000 + 7 * i} crates in week {i % 52 + 1}. "
            f"Its manager booked {i % 9}.{i % 7} million in freight.\n"
        )


@pytest.mark.slow
def test_ray_engine_chunks_two_thousand_files_as_the_in_process_indexer_does(local_ray, settings, tmp_path, embedder):
    """The chunk tables are compared whole; vectors on a sample, since embedding 2,000 chunks twice doubles the time."""
    corpus = tmp_path / "depots"
    _write_depot_ledgers(corpus, 2000)
    ray_settings = replace(settings, index_dir=tmp_path / "ray", corpus=corpus, engine="ray", embed_actors=2)
    report = build_index([corpus], ray_settings, show_progress=False)
    assert (len(report.added), report.skipped, report.chunk_count) == (2000, [], 2000)
    built = open_store(ray_settings.index_dir)
    files, _ = scan_corpus([corpus])
    prepared = sorted(
        (prepare_file(hash_file(f), settings.chunk_chars, settings.chunk_overlap_chars) for f in files), key=lambda p: p.source
    )
    expected = [chunk for file in prepared for chunk in file.chunks]  # what the in-process engine would embed
    assert built.chunks == expected
    sample = range(0, len(expected), 97)
    np.testing.assert_allclose(built.vectors[sample], embedder.embed([expected[i].embedding_text() for i in sample]), atol=1e-5)
    retriever = Retriever(built, embedder)
    for i in (7, 1234, 1999):
        found = retriever.search(f"How many crates did Depot {i} ship?", 1, 40)
        assert found[0].chunk.source == f"depots/region-{i % 20:02d}/depot-{i:04d}.txt"


def _add_pump_reports(corpus: Path, count: int) -> None:
    """Small files, each with figures no other file has, so a search shows whether a file is in the index."""
    for i in range(count):
        sentences = " ".join(f"Pump unit {i}-{j} moved {1000 + 37 * i + j} litres at {i}.{j} bar." for j in range(4))
        (corpus / f"pump-{i:02d}.txt").write_text(f"Pump station {i} report.\n\n{sentences}\n")


def _kill_rag_index_partway(args: list[str], files_done: int) -> None:
    """Run `rag index ARGS` in a session of its own; SIGKILL it once its progress bar counts `files_done` files.

    Ray's workers each lead a process group of their own, so they must die with the raylet: every process of the
    session has to be gone soon after, or the test fails (and ends them).
    """
    env = {key: value for key, value in os.environ.items() if key != "RAY_ADDRESS"}  # a local Ray of its own
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "index", *args], cwd=REPO, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )
    seen, deadline = b"", time.monotonic() + 300  # a slow CI machine starts Ray and embeds more slowly
    try:
        while not any(int(n) >= files_done for n in re.findall(rb"\| (\d+)/\d+ \[", seen)):
            assert time.monotonic() < deadline, seen.decode(errors="replace")[-2000:]
            if select.select([process.stderr], [], [], 1)[0]:
                data = os.read(process.stderr.fileno(), 65536)
                assert data, f"rag index ended before it was killed: {seen.decode(errors='replace')[-2000:]}"
                seen += data
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stderr.close()
        left = _outlived(process.pid)
    assert not left, f"processes left behind by a killed `rag index --engine ray`: {left}"


def _outlived(sid: int, seconds: float = 30) -> list[int]:
    """Processes of session `sid` still alive after `seconds`; they are killed."""
    deadline = time.monotonic() + seconds
    while (left := _session(sid)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in left:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return left


def _session(sid: int) -> list[int]:
    """The live (not zombie) processes of session `sid`, from /proc."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, _, _, session = stat.read_text().rsplit(")", 1)[1].split()[:4]
        except (OSError, IndexError):
            continue  # the process ended while we looked
        if int(session) == sid and state != "Z":
            pids.append(int(stat.parent.name))
    return pids


def _chunk_table(settings) -> list[tuple[str, int, int, str]]:
    """Every chunk row the store holds, sorted: a row written twice shows twice."""
    if settings.store == "local":
        return sorted((c.source, c.start, c.end, c.text) for c in open_store(settings.index_dir).chunks)
    from pymilvus import MilvusClient

    from rag.store.milvus import CHUNKS

    client = MilvusClient(uri=settings.store.removeprefix("milvus:"))
    rows = client.query(CHUNKS, filter="", output_fields=["source", "start", "end", "text"], limit=16_384)
    return sorted((row["source"], row["start"], row["end"], row["text"]) for row in rows)


@pytest.mark.slow
@pytest.mark.parametrize("store", ["local", "milvus"])
def test_a_killed_ray_build_leaves_each_file_whole_and_a_rerun_loses_nothing(store, local_ray, seeds_copy, settings, tmp_path, embedder):
    if store == "milvus":
        pytest.importorskip("pymilvus")
        pytest.importorskip("milvus_lite")
        store = f"milvus:{tmp_path / 'rag.db'}"
    settings = replace(settings, store=store, corpus=seeds_copy)
    build_index([seeds_copy], settings, embedder=embedder, show_progress=False)
    before, old_rows = open_index(settings).manifest, _chunk_table(settings)
    if store != "local":  # Milvus Lite lets one process open a file: hand it to `rag index`
        from milvus_lite.server_manager import server_manager_instance
        from pymilvus import connections

        server_manager_instance.release_server(store.removeprefix("milvus:"))
        for alias, _ in connections.list_connections():  # they name the released server's socket
            connections.remove_connection(alias)
    changed, removed = sorted(seeds_copy.iterdir())[:2]
    changed.write_text(changed.read_text() + "\nThe spare pump costs 4.7 million dollars.\n")
    removed.unlink()
    _add_pump_reports(seeds_copy, 40)
    uninterrupted = replace(settings, store="local", index_dir=tmp_path / "uninterrupted")
    build_index([seeds_copy], uninterrupted, embedder=embedder, show_progress=False)
    new_rows = _chunk_table(uninterrupted)

    # 41 files to embed: killed once 9 are counted, when the first 8 have been written to a Milvus store.
    args = [str(seeds_copy), "--index", str(settings.index_dir), "--store", store, "--engine", "ray", "--embed-actors", "1"]
    _kill_rag_index_partway(args, files_done=9)
    assert open_index(settings).manifest == before  # the manifest is written last
    rows = _chunk_table(settings)
    if store == "local":
        assert rows == old_rows  # a new generation is published whole or not at all
    else:
        assert rows != old_rows  # eight files were written before the kill: a half-done update
    for source in {row[0] for row in old_rows + new_rows}:  # each file in its old or its new state, never both
        assert [r for r in rows if r[0] == source] in ([r for r in old_rows if r[0] == source], [r for r in new_rows if r[0] == source])
    assert any("296 TOPS" in p.chunk.text for p in Retriever(open_index(settings), embedder).search("296 TOPS", 5, 40))

    # wait=False: the killed run's writer lock died with it.
    rerun = build_index([seeds_copy], replace(settings, engine="ray", embed_actors=1), show_progress=False, wait=False)
    assert (rerun.changed, rerun.removed, len(rerun.added)) == ([f"corpus/{changed.name}"], [f"corpus/{removed.name}"], 40)
    assert _chunk_table(settings) == new_rows  # each chunk once, as an uninterrupted build has it
    if store == "local":
        np.testing.assert_allclose(open_store(settings.index_dir).vectors, open_store(uninterrupted.index_dir).vectors, atol=1e-5)
    retriever = Retriever(open_index(settings), embedder)
    for source, _, _, text in new_rows:  # what the killed run was writing is searchable
        if source in rerun.added + rerun.changed:
            assert source in [p.chunk.source for p in retriever.search(text, 5, 40)]
