"""The command line as a user meets it: real subprocesses, one-line errors, exit codes, no tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import REPO, SEEDS


def rag(*args: str, env: dict[str, str] | None = None, stdin: str | None = None, timeout: int = 300):
    full_env = {**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args], cwd=REPO, env=full_env, input=stdin,
        capture_output=True, text=True, timeout=timeout,
    )


def assert_one_line_error(result, code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rag: error:"), result.stderr
    assert fragment in lines[0]


def test_help_lists_commands_with_examples():
    result = rag("--help")
    assert result.returncode == 0
    for command in ("index", "search", "ask", "eval", "ui", "config", "models"):
        assert command in result.stdout
    assert "example" in rag("ask", "--help").stdout


def test_config_shows_values_and_sources():
    result = rag("config", "--fast", env={"RAG_TOP_K": "7"})
    assert result.returncode == 0
    assert re.search(r"^top_k\s+7  \[env RAG_TOP_K\]$", result.stdout, re.MULTILINE)
    assert re.search(r"^model\s+fast  \[flag\]$", result.stdout, re.MULTILINE)


def test_bad_setting_is_one_line(tmp_path):
    assert_one_line_error(rag("config", env={"RAG_TOP_K": "many"}), 2, "top_k must be a whole number")


def test_unknown_embedder_lists_choices(tmp_path):
    result = rag("search", "x", "--embedder", "bogus", "--index", str(tmp_path / "i"))
    assert_one_line_error(result, 2, "choose one of minilm-int8, minilm")


def test_missing_index_without_corpus_says_what_to_do(tmp_path):
    result = rag("search", "x", env={"RAG_INDEX_DIR": str(tmp_path / "i"), "RAG_CORPUS": str(tmp_path / "none")})
    assert_one_line_error(result, 1, "rag index")


def test_missing_and_empty_corpus(tmp_path):
    assert_one_line_error(rag("index", str(tmp_path / "nope")), 1, "does not exist")
    (tmp_path / "empty").mkdir()
    assert_one_line_error(rag("index", str(tmp_path / "empty")), 1, "no .txt, .md, .html or .pdf files")


@pytest.mark.slow
def test_index_reports_what_it_did_and_skips_bad_files(tmp_path):
    corpus = tmp_path / "docs"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Pumps cost $40 each. Valves cost $12.")
    (corpus / "b.bin.txt").write_bytes(b"\x00\x01\x02")
    result = rag("index", str(corpus), "--index", str(tmp_path / "i"))
    assert result.returncode == 0, result.stderr
    assert "1 added, 0 changed, 0 removed, 0 unchanged" in result.stdout
    assert "skipped docs/b.bin.txt: binary content" in result.stderr
    again = rag("index", str(corpus), "--index", str(tmp_path / "i"))
    assert "index up to date" in again.stdout


@pytest.mark.slow
def test_corrupt_manifest_is_one_line(tmp_path):
    index = tmp_path / "i"
    assert rag("index", str(SEEDS), "--index", str(index)).returncode == 0
    generation = (index / "CURRENT").read_text().strip()
    (index / generation / "manifest.json").write_text("{broken")
    assert_one_line_error(rag("search", "chips", "--index", str(index)), 1, "corrupt")


@pytest.mark.slow
def test_search_prints_ranked_passages_and_json(tmp_path):
    index = str(tmp_path / "i")
    text = rag("search", "296 TOPS", "-k", "2", "--index", index, env={"RAG_CORPUS": str(SEEDS)})
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("1. seeds/003_9a86b9554cd20c7a.txt lines ")
    rows = json.loads(rag("search", "296 TOPS", "-k", "2", "--json", "--index", index).stdout)
    assert len(rows) == 2 and "296 TOPS" in rows[0]["text"]
    assert {"source", "line_start", "line_end", "score", "text"} <= set(rows[0])


def test_empty_and_huge_questions_are_refused(tmp_path):
    assert_one_line_error(rag("ask", "   "), 2, "question is empty")
    assert_one_line_error(rag("ask", "why " * 600), 2, "the limit is 2000")


@pytest.mark.slow
def test_unknown_and_broken_model_files(tmp_path, seeds_index):
    index = str(seeds_index.index_dir)
    assert_one_line_error(rag("ask", "q?", "--index", index, "--model", "huge"), 1, "unknown model 'huge'")
    fake = tmp_path / "model.gguf"
    fake.write_bytes(b"not a model")
    assert_one_line_error(rag("ask", "q?", "--index", index, "--model", str(fake)), 1, "not a GGUF model file")


def test_models_lists_packaged_models():
    result = rag("models")
    assert result.returncode == 0
    assert "default (in use): qwen2.5-coder-1.5b-instruct-q4_k_m" in result.stdout
    assert "fast: qwen2.5-coder-0.5b-instruct-q4" in result.stdout
    for backend in ("llama.cpp (in use)", "transformers", "openai"):
        assert f"  {backend}" in result.stdout


def test_serve_help_has_an_example_per_route():
    result = rag("serve", "--help")
    assert result.returncode == 0
    for route in ("/healthz", "/v1/models", "/v1/ask", "/v1/chat/completions", "/v1/search", "/v1/index",
                  "/v1/documents", "-X DELETE", "/ui"):
        assert route in result.stdout, route


@pytest.mark.slow
def test_ask_names_the_passages_it_reads_before_answering(seeds_index):
    result = rag("ask", "How many chips has Iluvatar CoreX shipped?", "--fast", "--index", str(seeds_index.index_dir))
    assert result.returncode == 0, result.stderr
    reading = next(line for line in result.stderr.splitlines() if line.startswith("Reading: "))
    assert re.search(r"seeds/\S+ \(lines? \d+", reading), reading
    assert result.stdout.strip()
