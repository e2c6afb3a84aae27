"""The gold question file is valid and every gold number really is in its source.

The numbers are checked with the scorer's own parser: if the gold file and the
parser disagree, scores would be wrong in a way no other test would notice.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from rag.evaluation.gold import KINDS, GoldFileError, GoldNumber, first_per_kind, load_questions
from rag.evaluation.numbers import Quantity, close, derivations, describe, parse_quantities
from rag.evaluation.scoring import score_answer
from rag.types import Answer, Citation

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = load_questions(ROOT / "eval" / "questions.jsonl")
QUOTED_KINDS = {"fact", "conflict", "multi_source", "paraphrase", "false_premise"}


def _in_source(number: GoldNumber) -> bool:
    text = (ROOT / number.source).read_text(encoding="utf-8")
    return any(q.unit == number.unit and close(q.value, number.value) for q in parse_quantities(text))


def test_enough_questions_of_every_kind():
    counts = Counter(q.kind for q in QUESTIONS)
    assert len(QUESTIONS) >= 60
    assert set(counts) == set(KINDS)
    assert all(n >= 5 for n in counts.values()), counts


def test_ci_subset_takes_the_first_questions_of_every_kind():
    subset = first_per_kind(QUESTIONS, 5)
    assert Counter(q.kind for q in subset) == {kind: 5 for kind in KINDS}
    assert [q.id for q in subset] == [q.id for q in QUESTIONS if q in subset]  # file order kept
    assert subset[0] == QUESTIONS[0]


def test_ids_unique():
    ids = [q.id for q in QUESTIONS]
    assert len(ids) == len(set(ids))


def test_gold_sources_exist():
    for q in QUESTIONS:
        for source in q.gold_sources:
            assert (ROOT / source).is_file(), (q.id, source)


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.kind in QUOTED_KINDS], ids=lambda q: q.id)
def test_gold_numbers_occur_in_their_source(question):
    for number in question.gold_numbers:
        assert _in_source(number), f"{question.id}: {number} not found in {number.source}"


@pytest.mark.parametrize("question", [q for q in QUESTIONS if q.kind == "derived"], ids=lambda q: q.id)
def test_derived_values_follow_from_operands(question):
    for operand in question.operands:
        assert _in_source(operand), f"{question.id}: operand {operand} not found in {operand.source}"
    operands = [Quantity(o.value, o.unit, f"{o.value:g}") for o in question.operands]
    results = [d for i, a in enumerate(operands) for j, b in enumerate(operands) if i != j for d in derivations(a, b)]
    for gold in question.gold_numbers:
        assert any(d.unit == gold.unit and close(d.value, gold.value) for d in results), (question.id, gold)


def test_unanswerable_questions_have_no_gold():
    for q in QUESTIONS:
        if q.kind == "unanswerable":
            assert not q.gold_numbers and not q.gold_sources and not q.accepted_words


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


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.id)
def test_an_answer_stating_the_gold_scores_correct(question):
    """Gold and scorer agree: the ideal answer, citing whole gold sources, is correct and faithful."""
    quotes = [(ROOT / s).read_text(encoding="utf-8") for s in question.gold_sources]
    citations = [Citation(i, s, 0, len(q), 1, 1, q) for i, (s, q) in enumerate(zip(question.gold_sources, quotes), 1)]
    markers = "".join(f"[{c.id}]" for c in citations)
    stated = [describe(n.value, n.unit) for n in question.gold_numbers] or list(question.accepted_words[:1])
    text = f"{'; '.join(stated)} {markers}." if citations else "The documents do not say."
    answer = Answer(question.question, text, not citations, citations, [], False, "oracle", {})
    score = score_answer(question, answer)
    assert (score.verdict, score.crag) == ("correct", 1), score.why
