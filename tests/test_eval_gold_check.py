"""The gold check finds each kind of wrong gold answer, reading sources as rag's loader does."""

from __future__ import annotations

import json
from pathlib import Path

from rag.evaluation.gold_check import check_suite
from rag.evaluation.suites import load_suite


def _suite(tmp_path: Path, questions: list[dict]) -> tuple[Path, Path]:
    """A vendored suite `news` over a corpus folder `news/` with one text and one HTML file."""
    corpus = tmp_path / "eval" / "corpora" / "news"
    corpus.mkdir(parents=True)
    (corpus / "a.txt").write_text("Revenue rose to $4.2 billion in 2024, from $3.5 billion.\n", encoding="utf-8")
    (corpus / "b.html").write_text("<html><body><p>Staff: 1,250 employees</p></body></html>", encoding="utf-8")
    folder = tmp_path / "eval" / "suites" / "news"
    folder.mkdir(parents=True)
    (folder / "suite.toml").write_text(
        'description = "test"\ncorpus = "eval/corpora/news"\nci_per_kind = 1\n', encoding="utf-8"
    )
    (folder / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    return folder.parent, corpus


def _q(id: str, kind: str, numbers: list[tuple[float, str, str]], sources: list[str], **extra) -> dict:
    gold = [{"value": v, "unit": u, "source": s} for v, u, s in numbers]
    return {"id": id, "kind": kind, "question": "?", "gold_numbers": gold, "gold_sources": sources, **extra}


def test_a_correct_suite_has_only_its_size_flagged(tmp_path):
    questions = [
        _q("f1", "fact", [(4.2e9, "USD", "news/a.txt")], ["news/a.txt"]),
        _q("f2", "fact", [(1250, "employee", "news/b.html")], ["news/b.html"]),  # read as extracted text
        _q("d1", "derived", [(0.7e9, "USD", "")], ["news/a.txt"],
           operands=[{"value": 4.2e9, "unit": "USD", "source": "news/a.txt"},
                     {"value": 3.5e9, "unit": "USD", "source": "news/a.txt"}]),
    ]
    suites_dir, corpus = _suite(tmp_path, questions)
    problems = check_suite(load_suite("news", suites_dir), corpus)
    assert problems == [
        "3 questions; a suite needs at least 40",
        "no question of kind conflict, multi_source, unanswerable, false_premise, paraphrase",
    ]


def test_wrong_numbers_missing_sources_and_bad_derivations_are_named(tmp_path):
    questions = [
        _q("f1", "fact", [(4.3e9, "USD", "news/a.txt")], ["news/a.txt"]),  # the text says 4.2
        _q("f2", "fact", [(4.2e9, "CNY", "news/a.txt")], ["news/a.txt"]),  # right value, wrong currency
        _q("f3", "fact", [(1.0, "", "news/gone.txt")], ["news/gone.txt"]),
        _q("d1", "derived", [(0.9e9, "USD", "")], ["news/a.txt"],
           operands=[{"value": 4.2e9, "unit": "USD", "source": "news/a.txt"},
                     {"value": 3.5e9, "unit": "USD", "source": "news/a.txt"}]),
    ]
    suites_dir, corpus = _suite(tmp_path, questions)
    problems = check_suite(load_suite("news", suites_dir), corpus)[2:]
    assert problems == [
        "f1: 4.3 billion USD is not stated in news/a.txt",
        "f2: 4.2 billion CNY is not stated in news/a.txt",
        f"f3: gold source news/gone.txt is not a readable file of {corpus}",
        "d1: 900 million USD does not follow from the operands in one step",
    ]


def test_check_gold_command_checks_a_suite_without_loading_a_model():
    from test_cli import rag

    result = rag("eval", "--check-gold", "--suite", "reference", timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "suite reference: gold checks out" in result.stderr


def test_a_page_the_note_names_must_state_the_figure(tmp_path):
    """A one-page PDF: its page 1 states 12,910 agencies and, in thousands, 102,100 robbery arrests; no page 2."""
    suites_dir, corpus = _suite(tmp_path, [])
    (corpus / "census.pdf").write_bytes((Path(__file__).parent / "data" / "census-arrests-table.pdf").read_bytes())
    on_page = 'Table 324 headnote | news/census.pdf "page": 1'
    questions = [
        _q("p1", "fact", [(12910, "", "news/census.pdf")], ["news/census.pdf"], note=on_page),
        _q("p2", "fact", [(4.2e9, "USD", "news/a.txt")], ["news/a.txt"], note=on_page),  # a.txt's figure, not the page's
        _q("p3", "fact", [(12910, "", "news/census.pdf")], ["news/census.pdf"], note='news/census.pdf "page": 2'),
        # the robbery row's 102.1 under "[In thousands": 102,100 arrests, as the scorer reads a quoted table
        _q("p4", "fact", [(102_100, "", "news/census.pdf")], ["news/census.pdf"], note=on_page),
    ]
    (suites_dir / "news" / "questions.jsonl").write_text("".join(json.dumps(q) + "\n" for q in questions), encoding="utf-8")
    problems = check_suite(load_suite("news", suites_dir), corpus)[2:]
    assert problems == ["p2: page 1 of news/census.pdf states none of its figures", "p3: news/census.pdf has no page 2"]
