from __future__ import annotations

import pytest

from rag.answering.expected import expected_kind
from rag.numbers import parse_quantities

CASES = [
    # question, text of a claim, whether that claim gives the kind of figure asked for
    ("How many TOPS will the new chip deliver?", "at least 100,000 units in 2026", False),
    ("How many people work in the division?", "The division was established in 2023.", False),
    ("How much is the supply deal worth?", "a deal to buy millions of custom chips", False),
    ("What percentage of orders go to local suppliers?", "Approximately 60% of orders", True),
    ("What percentage of orders go to local suppliers?", "orders worth $5 billion", False),
    ("How many units does the company want to make in 2026?", "at least 100,000 units in 2026", True),
    ("How many yuan will it spend on procurement?", "over 160 billion yuan", True),
    ("How many chips did the firm ship?", "shipped 52,000 chips to 290 clients", True),
    ("How many firms joined the club?", "At least nine Chinese firms have joined", True),
    ("How much will the company invest abroad?", "approximately $6.8 billion abroad", True),
]


@pytest.mark.parametrize("question,claim,accepted", CASES)
def test_claims_must_give_the_kind_of_figure_asked_for(question, claim, accepted):
    expected = expected_kind(question)
    assert expected is not None
    assert any(expected.satisfied_by(q) for q in parse_quantities(claim)) is accepted


@pytest.mark.parametrize(
    "question",
    ["Who makes the chip?", "How many times larger is A than B?", "How much more TOPS does A have than B?"],
)
def test_questions_that_do_not_name_a_kind_are_not_constrained(question):
    assert expected_kind(question) is None
