"""`rag index --engine ray` (rag/ray_indexing.py) on a real local Ray, against the in-process indexer."""

from __future__ import annotations

import sys
from dataclasses import replace

import numpy as np
import pytest

from rag.cli import main
from rag.indexing import build_index
from rag.retrieval import Retriever
from rag.store.factory import open_index
from rag.store.store import open_store


@pytest.fixture(scope="module")
def local_ray():
    """One local Ray for the module: the engine joins a running Ray and leaves it running."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False)
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
