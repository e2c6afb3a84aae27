"""Every suite's gold question file is valid, checks out against its corpus, and agrees with the scorer.

The numbers are checked with the scorer's own parser: if the gold file and the
parser disagree, scores would be wrong in a way no other test would notice.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from rag.config import load_settings
from rag.evaluation.gold import KINDS, GoldFileError, GoldQuestion, first_per_kind, load_questions
from rag.evaluation.gold_check import check_suite
from rag.evaluation.numbers import describe, in_table_units, parse_quantities, states
from rag.evaluation.scoring import score_answer
from rag.evaluation.suites import corpus_folder, load_suite, suite_names
from rag.loading import CorpusFile, load_document
from rag.types import Answer, Chunk, Citation, Passage

ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = ROOT / "eval" / "suites"
SUITES = suite_names(SUITES_DIR)


@pytest.fixture(scope="module")
def corpora() -> dict[str, Path]:
    """Each suite's corpus folder; a fetched corpus is downloaded once into the cache `rag eval` uses."""
    cache_dir = load_settings().cache_dir
    return {name: corpus_folder(load_suite(name, SUITES_DIR), cache_dir) for name in SUITES}


def _questions(name: str) -> list[GoldQuestion]:
    return load_questions(SUITES_DIR / name / "questions.jsonl")


def test_the_agreed_suites_exist():
    assert {"seeds", "reference", "prose"} <= set(SUITES)


@pytest.mark.parametrize("name", SUITES)
def test_gold_checks_out_against_the_corpus(name, corpora):
    """Sources exist, gold numbers are stated in them, derived results follow (rag/evaluation/gold_check.py)."""
    assert check_suite(load_suite(name, SUITES_DIR), corpora[name]) == []


@pytest.mark.parametrize("name", SUITES)
def test_every_kind_is_covered_and_ids_are_unique(name):
    questions = _questions(name)
    counts = Counter(q.kind for q in questions)
    assert set(counts) == set(KINDS), counts
    assert len({q.id for q in questions}) == len(questions)


@pytest.mark.parametrize("name", SUITES)
def test_ci_subset_takes_the_first_questions_of_every_kind(name):
    questions = _questions(name)
    per_kind = load_suite(name, SUITES_DIR).ci_per_kind
    subset = first_per_kind(questions, per_kind)
    counts = Counter(q.kind for q in questions)
    assert Counter(q.kind for q in subset) == {kind: min(per_kind, counts[kind]) for kind in KINDS}
    assert [q.id for q in subset] == [q.id for q in questions if q in subset]  # file order kept
    assert subset[0] == questions[0]


def _write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "id": "q1",
    "kind": "fact",
    "question": "How much?",
    "gold_numbers": [{"value": 1, "unit": "USD", "source": "a.txt"}],
    "gold_sources": ["a.txt"],
}


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({**GOOD, "id": "q2", "kind": "trivia"}), "kind"),
        (json.dumps({**GOOD, "id": "q2", "colour": "red"}), "unknown keys"),
        (json.dumps({**GOOD, "id": "q2", "gold_numbers": [{"value": 1, "unit": "US$", "source": "a.txt"}]}), "unit"),
        (
            json.dumps({**GOOD, "id": "q2", "gold_numbers": [{"value": 1, "unit": "USD", "source": "b.txt"}]}),
            "gold_sources",
        ),
        (json.dumps({**GOOD, "id": "q2", "kind": "unanswerable"}), "unanswerable"),
        (json.dumps({**GOOD, "id": "q2", "kind": "derived"}), "operands"),
        (json.dumps(GOOD), "duplicate id"),
    ],
)
def test_bad_line_names_its_line(tmp_path, bad, message):
    path = _write(tmp_path, [json.dumps(GOOD), bad])
    with pytest.raises(GoldFileError, match=f"{path.name}, line 2: ") as info:
        load_questions(path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("name", "question"), [(name, q) for name in SUITES for q in _questions(name)], ids=lambda v: getattr(v, "id", v)
)
def test_an_answer_stating_the_gold_scores_correct(name, question, corpora):
    """Gold and scorer agree: the ideal answer, quoting the gold sources' lines that hold its figures, is correct."""
    quotes = [(source, _quote(corpora[name], source, question)) for source in question.gold_sources]
    citations = [Citation(source, 0, len(quote.text), 1, 1, quote.text, id=i) for i, (source, quote) in enumerate(quotes, 1)]
    # a quoted table cell is read in its units line, which a real answer's passage carries as its chunk's context
    passages = [
        Passage(Chunk(source, quote.text, 0, len(quote.text), 1, 1, "", context=quote.units_line), 1.0)
        for source, quote in quotes
    ]
    markers = "".join(f"[{c.id}]" for c in citations)
    stated = [describe(n.value, n.unit) for n in question.gold_numbers] or list(question.accepted_words[:1])
    text = f"{'; '.join(stated)} {markers}." if citations else "The documents do not say."
    answer = Answer(question.question, text, not citations, citations, [], False, "oracle", {}, passages=passages)
    score = score_answer(question, answer)
    assert (score.verdict, score.crag) == ("correct", 1), score.why


@dataclass(frozen=True)
class _Quote:
    text: str
    units_line: str = ""  # the table's units line ("[In thousands"), when a figure is stated only in it


def _quote(corpus: Path, source: str, question: GoldQuestion) -> _Quote:
    """The first line of `source` (as rag's loader reads it) that states each of the question's figures from that source.

    Whole long documents would make the scorer's pairwise arithmetic slow (a figure such as
    "32" is on hundreds of lines of a long manual), and a real citation quotes a span anyway.
    A line with the exact figure comes before one within the scorer's tolerance (a neighbouring
    tax-table row); a line stating it only in a units line of the document ("102.1" under
    "[In thousands" for 102,100) comes last.
    """
    lines = _text(corpus / source.partition("/")[2], source).splitlines()
    stating, units_line = [], ""
    for n in (*question.gold_numbers, *question.operands):
        if n.source != source:
            continue
        tolerant = [line for line in lines if states(parse_quantities(line), n.value, n.unit)]
        exact = [line for line in tolerant if any(q.value == n.value for q in parse_quantities(line))]
        in_units = [
            (line, units) for units in _units_lines(corpus, source) for line in lines
            if not tolerant and states(in_table_units(parse_quantities(line), units), n.value, n.unit)
        ]
        stating += (exact or tolerant or [line for line, _ in in_units])[:1]
        units_line = units_line or next((units for _, units in in_units if not tolerant), "")
    return _Quote("\n".join(dict.fromkeys(stating)) or lines[0], units_line)


@cache
def _units_lines(corpus: Path, source: str) -> tuple[str, ...]:
    """The lines of `source` that set a table's units ("(In millions of dollars)"), found once per document."""
    lines = _text(corpus / source.partition("/")[2], source).splitlines()
    one = parse_quantities("1")
    return tuple(line for line in dict.fromkeys(lines) if in_table_units(one, line))


@cache
def _text(path: Path, source: str) -> str:
    return load_document(CorpusFile(path, source)).text
