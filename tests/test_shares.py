"""An amount a source gives as a percentage of a stated whole: computed by code from the two figures."""

from __future__ import annotations

from rag.answering.shares import share_of_amount, share_of_whole
from rag.types import Chunk, Passage


def passage(text: str) -> Passage:
    return Passage(Chunk("news/council.txt", text, 0, len(text), 1, 1, ""), score=1.0)


def _computed(question: str, text: str) -> str | None:
    result = share_of_amount(question, [passage(text)])
    return f"{result.expression} = {result.value.text}" if result else None


def test_a_share_that_points_back_takes_the_whole_from_the_sentence_before():
    text = (
        "The council will spend $8 million on roads next year. About 30% of this will go to resurfacing "
        "rural lanes, in line with a pledge to keep at least 10% of spending local."
    )
    assert _computed("How many dollars will go to resurfacing rural lanes?", text) == "30% × $8 million = $2.4 million"


def test_a_share_of_a_whole_in_the_same_sentence():
    text = "Of note, 25% of its $2 million grant funds school libraries."
    assert _computed("How many dollars go to school libraries?", text) == "25% × $2 million = $500,000"


def test_the_share_must_name_what_the_question_asks_it_goes_to():
    text = "The council will spend $8 million on roads next year. About 30% of this will go to resurfacing."
    assert _computed("How much will the council spend on street lighting?", text) is None


def test_a_share_that_does_not_point_back_has_no_whole():
    text = "The council will spend $8 million on roads. About 30% of rural lanes need resurfacing."
    assert _computed("How many dollars will go to resurfacing rural lanes?", text) is None


def test_a_whole_of_another_currency_or_two_wholes_compute_nothing():
    text = "The council will spend 8 million euros on roads. About 30% of this will go to resurfacing rural lanes."
    assert _computed("How many dollars will go to resurfacing rural lanes?", text) is None
    two = "Roads get $8 million and bridges $3 million. About 30% of this will go to resurfacing rural lanes."
    assert _computed("How many dollars will go to resurfacing rural lanes?", two) is None


def test_a_percentage_asked_is_no_amount_to_compute():
    text = "The council will spend $8 million on roads next year. About 30% of this will go to resurfacing rural lanes."
    assert _computed("What percentage will go to resurfacing rural lanes?", text) is None


def _share(question: str, text: str) -> str | None:
    result = share_of_whole(question, [passage(text)])
    return f"{result.expression} = {result.value.text}" if result else None


def test_a_share_asked_of_a_whole_and_a_part_stated_in_one_sentence_is_divided():
    text = "The council adopted a $12 million transport plan, which includes $3 million set aside for cycle paths."
    question = "What share of the council's transport plan is set aside for cycle paths?"
    assert _share(question, text) == "$3 million as a share of $12 million = 25%"


def test_no_share_without_a_figure_for_each_side_or_when_the_part_exceeds_the_whole():
    question = "What share of the council's transport plan is set aside for cycle paths?"
    assert _share(question, "The council adopted a $12 million transport plan with new cycle paths.") is None
    assert _share(question, "A $3 million transport plan was adopted, and $12 million set aside for cycle paths.") is None
    assert _share(question, "The council's $12 million budget includes $3 million for parks.") is None


def test_a_share_asked_with_amount_to_takes_the_figure_the_wholes_head_noun_labels():
    text = "In fiscal 2012, federal income was $2.45 trillion and outlays were $3.537 trillion, leaving a deficit of $1.087 trillion."
    question = "What share of fiscal year 2012 federal outlays did the deficit amount to?"
    assert _share(question, text) == "$1.087 trillion as a share of $3.537 trillion = 30.7%"
    # Two figures for the whole and neither labelled by its head noun: nothing is divided.
    both = "Federal income was $2.45 trillion and federal receipts were $2.5 trillion, with a deficit of $1.087 trillion."
    assert _share("What share of federal outlays did the deficit amount to?", both) is None
