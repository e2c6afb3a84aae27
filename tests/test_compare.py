"""Which figure measures which side of a comparison question."""

from __future__ import annotations

import pytest
from claims import claim

from rag.answering.compare import (
    as_asked,
    asks_about_two,
    claimed_comparison,
    operands_mismatch,
    proposed_comparison,
    share_over_whole,
    uncovered_side,
)
from rag.answering.verify import CalculationResult, combine
from rag.answering.reply import Calculation
from rag.types import Chunk, Passage


def passage(text: str, source: str = "docs/a.txt") -> Passage:
    return Passage(Chunk(source, text, 0, len(text), 1, 1 + text.count("\n"), ""), score=1.0)


@pytest.mark.parametrize(
    "question,texts,expected",
    [
        (  # both sides in one sentence, the first passage off the question
            "How much larger were the post-office expenditures than its receipts last year?",
            ["The ordinary expenditures were $4,015,852.21 less than a year earlier.",
             "The post-office receipts for the year amounted to $75,896,933.16 and its expenditures to $81,074,104.90."],
            Calculation("difference", "$81,074,104.90", 2, "$75,896,933.16", 2),
        ),
        (  # a sentence about another total is passed over: it lacks "post-office"; the period says when
            "How much larger were the post-office expenditures than its receipts in the fiscal year ended June 30, 1896?",
            ["The receipts of the Government amounted to $409 million, and its expenditures to $434 million.",
             "On June 30, 1896, the post-office receipts amounted to $75 million and its expenditures to $81 million."],
            Calculation("difference", "$81 million", 2, "$75 million", 2),
        ),
        (  # a label after its figure
            "How many more benign than malignant cases does the dataset have?",
            ["Number of Instances: 569\nClass Distribution: 212 - Malignant, 357 - Benign"],
            Calculation("difference", "357", 1, "212", 1),
        ),
        (  # "fewer": the larger side first, so the difference is what was asked
            "How many fewer malignant than benign cases does the dataset have?",
            ["Class Distribution: 212 - Malignant, 357 - Benign"],
            Calculation("difference", "357", 1, "212", 1),
        ),
        (
            "How many more TOPS does the Nvidia H20 deliver than the Cambricon Siyuan 370?",
            ["NVIDIA's H20 chip delivers around 296 TOPS, slightly surpassing Cambricon's Siyuan 370 chip at 256 TOPS."],
            Calculation("difference", "296 TOPS", 1, "256 TOPS", 1),
        ),
        (  # "exceed" compares as "more than" does
            "By how much did internal-revenue receipts exceed customs receipts in 2024?",
            ["There was collected from customs $131.8 million and from internal revenue $147.2 million."],
            Calculation("difference", "$147.2 million", 1, "$131.8 million", 1),
        ),
        (  # "how many times": a ratio
            "How many times larger is the test set than the training set?",
            ["The training set holds 23,149 records and the test set 781,265 records."],
            Calculation("ratio", "781,265 records", 1, "23,149 records", 1),
        ),
    ],
)
def test_the_figure_of_each_side_is_the_one_its_own_clause_names(question, texts, expected):
    assert proposed_comparison(question, [passage(t) for t in texts]) == expected


@pytest.mark.parametrize(
    "question,texts",
    [
        ("How much more did hardware earn than services?", ["Hardware earned $6 million in 2023 and hardware earned $7 million in 2024; services $3 million."]),
        ("How much more did hardware earn than services?", ["Hardware earned $6 million."]),
        ("What did hardware earn?", ["Hardware earned $6 million and services $3 million."]),
        ("How many more lines than pages?", ["Complete lines 5 and 6 on pages 2 and 3."]),
    ],
)
def test_no_difference_is_proposed_when_a_side_is_missing_or_ambiguous(question, texts):
    assert proposed_comparison(question, [passage(t) for t in texts]) is None


def test_a_ratio_asked_as_a_share_is_a_percentage():
    ratio = Calculation("ratio", "55,742", 1, "100,496", 1)
    assert as_asked("What percentage of the arrests were of adults?", ratio).operation == "percent_of"
    assert as_asked("How many times more arrests were of adults?", ratio) == ratio


def test_a_share_of_an_amount_is_a_product_and_an_amount_over_a_count_a_quotient():
    share = Calculation("percent_of", "60%", 1, "40 billion yuan", 1)
    assert as_asked("How many yuan of the orders go to local suppliers?", share).operation == "multiply"
    # Asked for a percentage, a percentage and an amount make no share: left for the units check to refuse.
    assert as_asked("What percentage of the orders go to local suppliers?", share).operation == "percent_of"
    per = Calculation("ratio", "$14 billion", 1, "two million units", 1)
    assert as_asked("What would that average per chip?", per).operation == "divide"
    times = Calculation("ratio", "350,000 units", 1, "100,000 units", 1)
    assert as_asked("How many times larger is the output than the target?", times) == times


def test_how_many_times_more_is_a_ratio_whatever_operation_was_proposed():
    difference = Calculation("difference", "150", 1, "seven", 2)
    assert as_asked("How many times more dependencies does the app have?", difference).operation == "ratio"
    assert as_asked("How many more dependencies does the app have?", difference) == difference
    assert as_asked("How many times did the app crash, and how many more than last week?", difference) == difference


def test_the_side_of_a_comparison_no_statement_speaks_of():
    question = "How does the investment abroad compare with the spending in the home market?"
    assert uncovered_side(question, ["The company will invest $6.8 billion abroad."]) == {"spend", "home", "marke"}
    assert uncovered_side(question, ["It invests $6.8 billion abroad and $5.5 billion in its home market."]) == set()
    assert uncovered_side("How much does the company invest abroad?", ["It invests $6.8 billion abroad."]) == set()


@pytest.mark.parametrize(
    "question,two",
    [
        ("How many more instances does the wine dataset have than the iris dataset?", True),
        ("How many instances do the diabetes and Linnerud datasets each contain?", True),
        ("How does the plant's budget compare with the office's?", True),
        ("How many instances does the wine dataset have?", False),
        ("According to Acme's 2023 and 2024 reports, what was its revenue in 2023?", False),  # two sources of one
        ("What were the receipts for the fiscal year ended June 30, 1894?", False),
    ],
)
def test_questions_about_two_things(question, two):
    assert asks_about_two(question) is two


def test_the_two_things_asked_together_one_statement_leaves_out():
    question = "How many instances do the diabetes and Linnerud datasets each contain?"
    assert uncovered_side(question, ["The diabetes dataset has 442 instances."]) == {"linne"}
    assert uncovered_side(question, ["The diabetes dataset has 442 instances.", "Linnerud has 20."]) == set()
    assert uncovered_side("What were the receipts in June 1893 and June 1896?", ["Receipts were $3 million."]) == set()


@pytest.mark.parametrize(
    "question,sentences,expected",
    [
        (  # each side's figure in its own claim, from its own document
            "How many more instances does the wine dataset have than the iris dataset?",
            ["The iris dataset contains 150 instances.", "The wine dataset contains 178 instances."],
            (178, 150, 28),
        ),
        (  # "fewer": the larger side first
            "How many fewer instances does the iris dataset have than the wine dataset?",
            ["The iris dataset contains 150 instances.", "The wine dataset contains 178 instances."],
            (178, 150, 28),
        ),
        (  # a figure whose own clause names no side ("exclusive of ...") stands for neither
            "How much larger were the harbour's expenditures than its receipts?",
            ["The expenditures were $9,100,000, exclusive of $400,000 earned by the ferry.", "The receipts were $8,200,000."],
            (9_100_000, 8_200_000, 900_000),
        ),
        (  # "how many times", the sides named as "testing" and "training"
            "How many times larger is the test set than its training set?",
            ["The last 781,265 samples are the testing set.", "The first 23,149 samples are the training set."],
            (781_265, 23_149, 781_265 / 23_149),
        ),
    ],
)
def test_a_comparison_is_computed_from_the_claim_that_states_each_side(question, sentences, expected):
    result = claimed_comparison(question, [claim(s, f"docs/{i}.txt") for i, s in enumerate(sentences)])
    assert result is not None
    first, second, value = expected
    assert (result.first.quantity.value, result.second.quantity.value) == (first, second)
    assert result.value.value == pytest.approx(value, rel=1e-3)


def test_words_both_rows_name_do_not_tell_the_sides_apart():
    """"the Hayford 1910 major axis than the SGA 50 one": both rows name "major axis"; their own names decide."""
    question = "How many meters longer is the Hayford 1910 major axis than the SGA 50 one?"
    rows = [
        claim("Hayford 1910, HA, Major Axis: 6378388.0", "survey/guide.pdf"),
        claim("Struve Geodetic Arc 1950 (SGA 50), SG, Major Axis: 6378298.3", "survey/guide.pdf"),
    ]
    result = claimed_comparison(question, rows)
    assert result is not None and (result.first.quantity.value, result.second.quantity.value) == (6378388.0, 6378298.3)
    assert operands_mismatch(question, rows[0].numbers[0], rows[1].numbers[0]) is None
    assert operands_mismatch(question, rows[1].numbers[0], rows[0].numbers[0]) is None  # the order is read, not given


def test_a_field_that_names_no_side_stands_for_the_side_its_file_names():
    question = "How many more rooms does the harbour hotel have than the station hotel?"
    fields = [claim("Number of rooms: 212", "guides/station_hotel.txt"), claim("Number of rooms: 340", "guides/harbour_hotel.txt")]
    result = claimed_comparison(question, fields)
    assert result is not None and result.value.value == 128
    # A file that names neither side decides nothing.
    assert claimed_comparison(question, [fields[1], claim("Number of rooms: 212", "guides/hotels.txt")]) is None


def test_a_side_named_further_from_than_is_read_when_the_nearest_words_do_not_tell_the_figures_apart():
    question = "How many more volunteers worked in the morning shift of the spring fair than in its evening shift?"
    both = claim("Of 61 volunteers, 38 worked in the morning shift and another 23 in the evening shift.")
    result = claimed_comparison(question, [both])
    assert result is not None and (result.first.quantity.value, result.second.quantity.value) == (38, 23)
    # Read that wide, a side holds only for two figures of one quote: a figure of another quote stands for neither.
    total = claim("In all 61 volunteers worked in the morning.")
    evening = claim("The evening shift had 23 helpers.")
    assert claimed_comparison(question, [total, evening]) is None
    assert operands_mismatch(question, total.numbers[0], evening.numbers[0])


@pytest.mark.parametrize(
    "question,sentences",
    [
        ("How many instances does the wine dataset have?", ["The wine dataset contains 178 instances.", "The iris dataset contains 150."]),
        (  # a side with two figures is ambiguous
            "How many more instances does the wine dataset have than the iris dataset?",
            ["The wine dataset contains 178 instances.", "The wine dataset has 13 features.", "The iris dataset contains 150."],
        ),
        (  # a figure written as a change is no side's amount
            "How many more instances does the wine dataset have than the iris dataset?",
            ["The wine dataset has 28 more instances than before.", "The iris dataset contains 150 instances."],
        ),
        (  # one side's figure only
            "How many more instances does the wine dataset have than the iris dataset?",
            ["The wine dataset contains 178 instances."],
        ),
    ],
)
def test_no_comparison_is_computed_without_one_figure_for_each_side(question, sentences):
    assert claimed_comparison(question, [claim(s, f"docs/{i}.txt") for i, s in enumerate(sentences)]) is None


def test_a_side_named_by_a_model_number_holds_its_figure_when_the_unit_word_sits_nearer():
    question = "How many more pages per minute does the Z7 print than the Orca 12?"
    both = claim("The Z7 printer, built for offices, manages about 48 pages per minute, well ahead of the Orca 12 at 30 pages per minute.")
    result = claimed_comparison(question, [both])
    assert result is not None and (result.first.quantity.value, result.second.quantity.value) == (48, 30)
    assert operands_mismatch(question, both.numbers[0], both.numbers[1]) is None


def test_after_an_auxiliary_every_word_of_the_subject_names_side_a():
    question = "How many times larger is the plant's possible yearly output than its first production target?"
    both = claim("The plant aims to produce 2,000 tonnes in its first year, possibly scaling to 9,000 tonnes a year.")
    assert operands_mismatch(question, both.numbers[1], both.numbers[0]) is None
    # The production target on both sides is still refused.
    target = claim("The plant aims to produce 2,000 tonnes in its first year.")
    assert operands_mismatch(question, target.numbers[0], target.numbers[0])


def test_a_difference_that_runs_against_the_question_is_refused():
    quote = claim("The fleet logged 4,100 flight hours on short routes and 6,900 flight hours on long routes.")
    short, long = quote.numbers
    assert "smaller" in operands_mismatch("How many more flight hours were logged on short routes than long routes?", short, long)
    assert operands_mismatch("How many more flight hours were logged on long routes than short routes?", long, short) is None
    # The order the operands come in does not matter, only which side each stands for.
    assert operands_mismatch("How many more flight hours were logged on long routes than short routes?", short, long) is None
    assert operands_mismatch("How many fewer flight hours were logged on short routes than long routes?", short, long) is None


def test_a_share_of_a_whole_over_100_percent_is_refused():
    row = claim("The votes cast were 4,120 in all: 2,300 for the plan and 1,650 against it.")
    total, part, other = row.numbers
    question = "What percentage of the votes cast were for the plan?"
    over = combine("percent_of", part, other)
    share = combine("percent_of", part, total)
    assert isinstance(over, CalculationResult) and isinstance(share, CalculationResult)
    assert share_over_whole(question, over)  # 139%: 1,650 is no whole that 2,300 is part of
    assert share_over_whole(question, share) is None  # 55.8%
    # A question that asks no share of a whole may get more than 100%.
    assert share_over_whole("How does the vote for the plan compare with the vote against it?", over) is None
