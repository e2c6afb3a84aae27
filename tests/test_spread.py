"""The range a question asks for, computed from a row's minimum and maximum columns."""

from __future__ import annotations

import pytest

from rag.answering.gate import ClaimGate, Evidence
from rag.answering.reply import Calculation, ProposedClaim
from rag.answering.scope import Scope, periods_of_documents
from rag.answering.spread import row_range
from rag.answering.verify import CalculationResult, VerifiedClaim, calculate
from rag.types import Chunk, Passage

HEADER = "==================  =====  =====  =====\n                     Min    Typ    Max\n==================  =====  =====  ====="
ROWS = "Supply voltage:       1.8    3.3    3.6\nCurrent draw:          12     20     45"
TABLE = Passage(Chunk("specs/sensor.txt", ROWS, 0, len(ROWS), 1, 2, "", context=HEADER), score=1.0)


def gate(question: str) -> ClaimGate:
    return ClaimGate(
        question, [TABLE], relevance=lambda statement: 1.0,
        scope=Scope.of(question, {}, periods_of_documents({})), evidence=Evidence({}),
    )


@pytest.mark.parametrize(
    "question",
    ["What is the range of the supply voltage, from minimum to maximum?", "What is the spread of the supply voltage?"],
)
def test_a_range_is_the_rows_maximum_minus_its_minimum(question):
    row = gate(question).check(ProposedClaim(1, "Supply voltage: 1.8 3.3 3.6"))
    assert isinstance(row, VerifiedClaim), row
    result = row_range(question, [row], [TABLE])
    assert result is not None and result.value.value == pytest.approx(1.8)
    assert (result.first.quantity.value, result.second.quantity.value) == (3.6, 1.8)
    assert gate(question).check_calculation(result) is None


def test_no_range_without_the_question_asking_or_without_both_columns():
    row = gate("What is the supply voltage?").check(ProposedClaim(1, "Supply voltage: 1.8 3.3 3.6"))
    assert isinstance(row, VerifiedClaim)
    assert row_range("What is the supply voltage?", [row], [TABLE]) is None
    prose = Passage(Chunk("specs/notes.txt", "The sensor runs from 1.8 V to 3.6 V.", 0, 36, 1, 1, ""), score=1.0)
    question = "What is the range of the supply voltage?"
    claim = ClaimGate(
        question, [prose], relevance=lambda s: 1.0, scope=Scope.of(question, {}, periods_of_documents({})), evidence=Evidence({})
    ).check(ProposedClaim(1, "The sensor runs from 1.8 V to 3.6 V."))
    assert isinstance(claim, VerifiedClaim)
    assert row_range(question, [claim], [prose]) is None  # no column says which figure is the minimum


def test_a_range_across_two_rows_is_refused():
    question = "What is the range of the supply voltage?"
    mixed = calculate(Calculation("difference", "45", 1, "1.8", 1), [TABLE])  # the current's maximum, the voltage's minimum
    assert isinstance(mixed, CalculationResult)
    refused = gate(question).check_calculation(mixed)
    assert refused is not None and "one table row" in refused.reason
