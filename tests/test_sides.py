"""The side of a two-sided question no claim speaks of: its figure read by code from a sentence naming it."""

from __future__ import annotations

from claims import claim

from rag.answering.sides import side_claims
from rag.types import Chunk, Passage

_QUARRY = "The quarry shipped 48,000 tonnes of granite in 2023."
_FERRY = "The harbour authority is reportedly planning to spend $3.2 million on a new ferry in 2024."
_MARINA = "The town's marina budget stands at $9.5 million for 2024, of which $1.1 million goes to dredging."


def passage(text: str, start: int = 0) -> Passage:
    return Passage(Chunk("docs/harbour.txt", text, start, start + len(text), 1, 1, ""), score=1.0)


def _side(question: str, answered: str, texts: list[str]) -> str | None:
    found = side_claims(question, [claim(answered, "docs/answered.txt")], [passage(t) for t in texts], {})
    return found[0].statement if found else None


def test_the_compared_side_no_claim_names_is_read_from_its_sentence() -> None:
    question = "How much more is the marina budget than the amount reportedly planned for the ferry?"
    assert _side(question, _MARINA, [_QUARRY, _FERRY]) == _FERRY


def test_a_side_worded_otherwise_matches_by_its_first_letters() -> None:
    # "plan" in the question, "planning" in the source; "ferry" and "plan" both named.
    question = "In dollars, how does the marina budget compare with the ferry plan?"
    assert _side(question, _MARINA, [_FERRY]) == _FERRY


def test_two_things_asked_together_read_the_one_left_out() -> None:
    question = "What is the marina budget, and what will the harbour spend on the ferry?"
    assert _side(question, _MARINA, [_QUARRY, _FERRY]) == _FERRY


def test_only_a_figure_of_the_asked_unit_counts() -> None:
    question = "How many tonnes did the quarry ship, and how many tonnes did the mill ship?"
    mill = "The mill's new furnace cost $2 million."
    assert _side(question, _QUARRY, [mill]) is None


def test_a_sentence_of_two_figures_of_the_side_is_ambiguous() -> None:
    question = "How much more is the marina budget than the ferry plan?"
    two = "The ferry plan was put at $3.2 million in spring and $4.0 million in autumn."
    assert _side(question, _MARINA, [two]) is None


def test_a_figure_nearer_the_answered_side_is_not_the_missing_one() -> None:
    question = "How much more is the marina budget than the ferry plan?"
    both = "Beside the ferry plan, the marina budget of $9.8 million is the largest item."
    assert _side(question, _MARINA, [both]) is None


def test_nothing_is_read_when_both_sides_are_answered() -> None:
    question = "How much more is the marina budget than the ferry plan?"
    assert side_claims(question, [claim(_MARINA), claim(_FERRY)], [passage(_FERRY)], {}) == []


def test_when_no_claim_stood_both_sides_are_read_from_one_passage_or_neither() -> None:
    question = "How much larger were the harbour's expenditures than its receipts in 2024?"
    text = (
        "The harbour authority reported on its year. The receipts were $8.2 million. "
        "The expenditures were $9.1 million, exclusive of $0.4 million earned by the ferry."
    )
    found = side_claims(question, [], [passage(text)], {})
    assert [c.statement for c in found] == ["The expenditures were $9.1 million, exclusive of $0.4 million earned by the ferry.",
                                            "The receipts were $8.2 million."]
    assert side_claims(question, [], [passage("The receipts were $8.2 million."), passage("The ferry cost $2 million.")], {}) == []


def test_the_sentence_before_a_passage_can_name_what_its_two_figures_are_of() -> None:
    question = "How much more were the gallery maintenance costs than its ticket sales?"
    opening = "The gallery reported on its maintenance for the year. "
    pair = "Its ticket sales came to $2.1 million. Its costs were $2.6 million."
    found = side_claims(question, [], [passage(pair, len(opening))], {"docs/harbour.txt": opening + pair})
    assert [c.statement for c in found] == ["Its costs were $2.6 million.", "Its ticket sales came to $2.1 million."]
    assert side_claims(question, [], [passage(pair, len(opening))], {}) == []  # whose costs, it does not say


def test_a_currency_the_question_names_picks_the_figure_written_in_it():
    question = "What is the marina budget, and what is the ferry plan for this year in dollars?"
    both = "The ferry plan puts 20 million yuan (about $2.8 million) into the ferry this year."
    assert _side(question, _MARINA, [both]) == both
    assert _side(question.replace(" in dollars", ""), _MARINA, [both]) is None  # two figures, neither asked
