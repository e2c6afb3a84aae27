from __future__ import annotations

import pytest

from rag.answering.expected import asks_for_figure, expected_kind
from rag.numbers import parse_quantities

CASES = [
    # question, text of a claim, whether that claim gives the kind of figure asked for
    ("How many TOPS will the new chip deliver?", "at least 100,000 units in 2026", False),
    ("How many people work in the division?", "The division was established in 2023.", False),
    ("How much is the supply deal worth?", "a deal to buy millions of custom chips", False),
    ("What percentage of orders go to local suppliers?", "Approximately 60% of orders", True),
    ("What percentage of orders go to local suppliers?", "orders worth $5 billion", False),
    # a tax or interest rate is a percentage: the income it starts at is no answer
    ("What is the top marginal income tax rate for a single filer?", "If your taxable income is $100,000 or more", False),
    ("What is the top marginal income tax rate for a single filer?", "the top bracket is taxed at 39.6%", True),
    ("What interest rate does the loan carry?", "a rate of 4 per cent a year", True),
    ("How many units does the company want to make in 2026?", "at least 100,000 units in 2026", True),
    ("How many yuan will it spend on procurement?", "over 160 billion yuan", True),
    ("How many RMB will it put into local suppliers?", "40 billion yuan ($5.50 billion)", True),
    ("How many euros did the plant cost?", "The plant took 300 workers.", False),
    ("How much RMB did the fund raise?", "it raised 2.5 billion yuan", True),
    ("How many chips did the firm ship?", "shipped 52,000 chips to 290 clients", True),
    ("How many firms joined the club?", "At least nine Chinese firms have joined", True),
    ("How much will the company invest abroad?", "approximately $6.8 billion abroad", True),
    # a scale before the noun says how the amount is written, not what is counted
    ("How many bn euros did the port authority borrow?", "it borrowed €2.4 billion", True),
    ("How many millions of dollars did the fair raise?", "the fair raised $3.1 million", True),
    ("How many thousand visitors came?", "the fair raised $3.1 million", False),
    # the question's plural is read as units are: "companies" counts companies
    ("How many local ferry companies run night services?", "Four companies run night services.", True),
    # a count of joined nouns counts each of them
    ("How many sailors and apprentices did the fleet count?", "the fleet numbered 24,123 men and apprentices", True),
    ("How many sailors did the fleet count?", "the yard built 12 ships and docks", False),
    # nouns that count the same things: "firms" asked, "companies" written, and back
    ("How many firms were making glass bottles in 1890?", "there were 32 companies making glass bottles", True),
    ("How many ferry companies run at night?", "Four firms run night ferries.", True),
    ("How many ferry companies run at night?", "Four vessels run night ferries.", False),
]


@pytest.mark.parametrize("question,claim,accepted", CASES)
def test_claims_must_give_the_kind_of_figure_asked_for(question, claim, accepted):
    expected = expected_kind(question)
    assert expected is not None
    assert any(expected.satisfied_by(q, claim) for q in parse_quantities(claim)) is accepted


@pytest.mark.parametrize(
    "question",
    ["Who makes the chip?", "How many times larger is A than B?", "Which plant is larger?"],
)
def test_questions_that_do_not_name_a_kind_are_not_constrained(question):
    assert expected_kind(question) is None


@pytest.mark.parametrize(
    "question,claim,accepted",
    [
        ("What is the clock speed of the X100 in GHz?", "The X100 delivers 296 TOPS.", False),
        ("What is the clock speed of the X100 in GHz?", "The X100 runs at 2.4 GHz.", True),
        ("How much more TOPS does A have than B?", "A has 40 more TOPS.", True),
        ("How much more TOPS does A have than B?", "A costs $40 more.", False),
    ],
)
def test_a_unit_of_measure_in_the_question_must_be_the_answers_unit(question, claim, accepted):
    assert any(expected_kind(question).satisfied_by(q) for q in parse_quantities(claim)) is accepted


@pytest.mark.parametrize(
    "question,wants",
    [
        ("How many employees does Acme have?", True),
        ("What was the total revenue in 2021?", True),
        ("What does the camera record?", False),
        ("When was the plant opened?", True),
        ("Who runs the plant?", False),
        # Naming the answer's unit asks for a figure; "in <place or month>" does not.
        ("What is the depth of the shaft, in meters?", True),
        ("What's the plant's budget worth in US dollars?", True),
        ("What is the mean age of the patients, in years?", True),
        ("What happened at the plant in May?", False),
        ("What changed in practice?", False),
        # A figure noun right after "what", or after "what is the" and a few words.
        ("What amount per member did the 2019 rules allow?", True),
        ("What is the top marginal income tax rate for a single filer?", True),
        ("What does the report say about prices?", False),
        ("What is the name of the dataset?", False),
        # "what" and a money noun the question's verb follows.
        ("What tax does the worked example read off the table?", True),
        ("What fee did the county charge per permit?", True),
        ("What tax forms does the office accept?", False),
    ],
)
def test_figure_questions_are_recognised(question, wants):
    assert asks_for_figure(question) is wants


def test_a_figure_fits_only_in_the_currency_the_question_names():
    yuan = expected_kind("How many yuan went to the ferry?")
    dollars, renminbi = parse_quantities("US$22 billion"), parse_quantities("160 billion yuan")
    assert yuan is not None and yuan.satisfied_by(dollars[0])  # money, of another currency
    assert not yuan.fits(dollars[0]) and yuan.fits(renminbi[0])
