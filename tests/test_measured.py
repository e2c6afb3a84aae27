"""The claim gate quotes the figure its source labels with what the question measures.

Invented sentences in the shapes a small model gets wrong: the neighbouring sentence's figure
of the same kind (receipts for expenditures), a figure a pronoun labels, a figure of another kind.
"""

from __future__ import annotations

import pytest

from rag.answering.measured import measured_stem
from rag.answering.reply import ProposedClaim
from rag.answering.verify import VerifiedClaim
from rag.answering.words import stem
from test_gate import gate, passage

BUDGET = passage(
    "gov/message.txt",
    "The receipts of the Treasury from all sources for the year were $610,982,004, including $11,798,314 "
    "of railroad debt. The expenditures for the same period were $700,093,564. The deficit is expected to fall.",
)


@pytest.mark.parametrize(
    "question,measured",
    [
        ("What were the government's expenditures for the fiscal year ended June 30, 1899?", "expenditures"),
        ("According to the 1901 message, what was the aggregate postal revenue for 1901?", "revenue"),
        ("What is the total amount of customs duties collected?", "customs"),
        ("What was the number of persons employed?", "persons"),
        ("How large was the government's deficit for the fiscal year ending June 30, 1894?", "deficit"),
        ("How much will the company invest abroad?", None),
    ],
)
def test_the_noun_a_question_measures(question, measured):
    assert measured_stem(question) == (stem(measured) if measured else None)


def test_a_neighbouring_sentences_figure_gives_way_to_the_one_labelled_as_asked():
    result = gate("What were the Treasury's expenditures for the year?", [BUDGET]).check(
        ProposedClaim(1, "The Treasury's expenditures for the year were $610,982,004.")
    )
    assert isinstance(result, VerifiedClaim), result
    assert [n.quantity.value for n in result.numbers] == [700_093_564]
    assert result.spans[0].quote == "The expenditures for the same period were $700,093,564."
    assert result.repairs


def test_a_figure_labelled_as_asked_is_kept():
    result = gate("What were the Treasury's receipts for the year?", [BUDGET]).check(
        ProposedClaim(1, "The Treasury's receipts for the year were $610,982,004.")
    )
    assert isinstance(result, VerifiedClaim) and [n.quantity.value for n in result.numbers] == [610_982_004]
    assert not result.repairs


def test_a_figure_a_pronoun_labels_from_the_sentence_before_is_kept():
    text = "Postal revenue in the prior year was $102,354,579. This year it amounted to $111,631,193."
    result = gate("What was the postal revenue this year?", [passage("gov/post.txt", text)]).check(
        ProposedClaim(1, "This year postal revenue amounted to $111,631,193.")
    )
    assert isinstance(result, VerifiedClaim) and [n.quantity.value for n in result.numbers] == [111_631_193]


def test_no_single_better_labelled_figure_leaves_the_claim_as_it_is():
    text = (
        "Receipts were $40,000 in all. Ordinary expenditures were $30,000. "
        "Extraordinary expenditures were $25,000."
    )
    result = gate("What were the expenditures?", [passage("gov/books.txt", text)]).check(
        ProposedClaim(1, "Receipts were $40,000 in all.")
    )
    assert isinstance(result, VerifiedClaim) and [n.quantity.value for n in result.numbers] == [40_000]


def test_a_figure_of_another_kind_is_not_taken_for_the_asked_one():
    text = "Receipts were $40,000 in all. Expenditures rose by 12% over the year."
    result = gate("What were the expenditures?", [passage("gov/books.txt", text)]).check(
        ProposedClaim(1, "Receipts were $40,000 in all.")
    )
    assert isinstance(result, VerifiedClaim) and [n.quantity.value for n in result.numbers] == [40_000]


ESTIMATED = (
    "Receipts for the year were $610,982,004. For the year the expenditures were $700,093,564. "
    "The Secretary estimates that the receipts for the current year will aggregate $640,958,112, and the "
    "expenditures will aggregate $600,958,112."
)


def test_a_reported_figure_is_taken_over_an_estimate_unless_the_question_asks_for_one():
    result = gate("What were the expenditures for the year?", [passage("gov/books.txt", ESTIMATED)]).check(
        ProposedClaim(1, "Receipts for the year were $610,982,004.")
    )
    assert isinstance(result, VerifiedClaim) and [n.quantity.value for n in result.numbers] == [700_093_564]
    # Asked what was expected, no one figure is better labelled: the estimate and the outcome both are.
    expected = gate("What were the expected expenditures for the year?", [passage("gov/books.txt", ESTIMATED)]).check(
        ProposedClaim(1, "Receipts for the year were $610,982,004.")
    )
    assert isinstance(expected, VerifiedClaim) and [n.quantity.value for n in expected.numbers] == [610_982_004]
