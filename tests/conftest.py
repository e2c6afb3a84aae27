"""Shared fixtures. No test touches the user's index: RAG_INDEX_DIR points into a temporary folder.

Real components throughout: the ONNX embedder, FAISS files on disk, the packaged
LLM. They are session-scoped because loading them is the slow part.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from rag.config import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"


@pytest.fixture(autouse=True)
def _isolated_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def embedder():
    from rag.embedding import make_embedder

    return make_embedder("minilm-int8", threads=2)


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A private copy of the seed corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(load_settings(), index_dir=tmp_path / "index", corpus=SEEDS)


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """Settings whose index_dir holds an index of seeds/, built once per session."""
    from rag.indexing import build_index

    settings = replace(load_settings(), index_dir=tmp_path_factory.mktemp("seeds-index"), corpus=SEEDS)
    build_index([SEEDS], settings, embedder=embedder, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def seeds_milvus(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """Settings whose store is a Milvus Lite file holding seeds/, built once per session (needs the scale extra)."""
    pytest.importorskip("pymilvus")
    pytest.importorskip("milvus_lite")
    from rag.indexing import build_index

    folder = tmp_path_factory.mktemp("seeds-milvus")
    settings = replace(load_settings(), index_dir=folder / "index", store=f"milvus:{folder / 'rag.db'}", corpus=SEEDS)
    build_index([SEEDS], settings, embedder=embedder, show_progress=False)
    return settings


@pytest.fixture(scope="session")
def pipeline(seeds_index: Settings, embedder):
    """The real answer pipeline (default model) over seeds/, loaded once."""
    from rag.answering.pipeline import Pipeline

    return Pipeline(seeds_index, embedder=embedder, show_progress=False)  # shares the session's embedder
