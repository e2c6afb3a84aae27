"""The change between two asked periods is computed from the claims that date one figure to each."""

from __future__ import annotations

from claims import claim

from rag.answering.change import earlier_level, period_change
from rag.periods import Period, PeriodKind


FEBRUARY = claim(
    "On the 1st day of February, 2019, the reserve was reduced to $65,438,377, having lost more than "
    "$31,000,000 during the preceding nine months, or since April, 2018."
)
NOVEMBER = claim("On the 24th day of November, 2019, the reserve being reduced to $57,669,701, it was strengthened.")
NO_PERIODS = lambda source: []  # noqa: E731


def test_each_asked_date_dates_the_figure_written_nearest_it():
    question = "By how much did the reserve fall between February 1, 2019 and November 24, 2019?"
    result = period_change(question, [FEBRUARY, NOVEMBER], NO_PERIODS)
    assert result is not None
    assert (result.first.quantity.text, result.second.quantity.text) == ("$65,438,377", "$57,669,701")
    assert result.value.value == 65_438_377 - 57_669_701


def test_an_undated_figure_takes_its_documents_one_period():
    question = "How much did the exemption amount rise from 2007 to 2013?"
    old, new = claim("Each exemption is worth $3,400.", "forms/2007.txt"), claim("Each exemption is worth $3,900.", "forms/2013.txt")
    years = {"forms/2007.txt": [Period(PeriodKind.YEAR, year=2007)], "forms/2013.txt": [Period(PeriodKind.YEAR, year=2013)]}
    result = period_change(question, [new, old], years.__getitem__)
    assert result is not None and result.value.value == 500
    assert period_change(question, [new, old], NO_PERIODS) is None  # nothing dates them


def test_no_change_is_computed_unless_asked_for_two_periods_with_one_figure_each():
    assert period_change("What was the reserve on February 1, 2019 and November 24, 2019?", [FEBRUARY, NOVEMBER], NO_PERIODS) is None
    assert period_change("By how much did the reserve fall after February 1, 2019?", [FEBRUARY, NOVEMBER], NO_PERIODS) is None
    second = claim("On the 24th day of November, 2019, another count put the reserve at $58,000,000.")
    question = "By how much did the reserve fall between February 1, 2019 and November 24, 2019?"
    assert period_change(question, [FEBRUARY, NOVEMBER, second], NO_PERIODS) is None  # two figures for one date


def test_an_earlier_level_is_a_later_level_divided_by_the_growth_from_it():
    stated = claim("The port will spend EUR 900 million on cranes in 2026, a threefold increase from its 2023 budget.")
    result = earlier_level("How many euros did the port spend on cranes in 2023?", [stated])
    assert result is not None and result.value.value == 300e6 and result.value.unit == "EUR"
    # the later period named too, as a reader frames it
    assert earlier_level("Going by the 2026 plan, how many euros went to cranes in 2023?", [stated]) is not None


def test_no_earlier_level_without_growth_from_the_asked_period_or_with_two_levels():
    stated = claim("The port will spend EUR 900 million on cranes in 2026, a threefold increase from its 2023 budget.")
    assert earlier_level("How many euros did the port spend on cranes in 2021?", [stated]) is None
    assert earlier_level("How many euros did the port spend on cranes?", [stated]) is None
    other_way = claim("The port spent EUR 300 million in 2023; by 2026 the budget had grown threefold.")
    assert earlier_level("How many euros did the port spend on cranes in 2023?", [other_way]) is None
    two = claim("The port will spend EUR 900 million on cranes and EUR 50 million on rails in 2026, a threefold increase from 2023.")
    assert earlier_level("How many euros did the port spend in 2023?", [two]) is None
