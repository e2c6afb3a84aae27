"""Periods, versions and numbers inside names, read from invented sentences of every shape."""

from __future__ import annotations

import pytest

from rag.periods import (
    Period,
    PeriodKind,
    column_periods,
    find_periods,
    identifiers,
    name_numbers,
    non_figure_spans,
    periods_in,
    pick_column,
    reference_spans,
)

YEAR, FY, Q, H, DATE, VERSION = (
    PeriodKind.YEAR, PeriodKind.FISCAL_YEAR, PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.DATE, PeriodKind.VERSION,
)


@pytest.mark.parametrize(
    ("sentence", "canonical", "written"),
    [
        ("Revenue in 2019 rose by a fifth.", "2019", "2019"),
        ("Receipts for the calendar year 1894 fell.", "1894", "calendar year 1894"),
        ("Receipts for the fiscal year ended June 30, 1896 rose.", "FY1896", "fiscal year ended June 30, 1896"),
        ("FY2022 results beat the guidance.", "FY2022", "FY2022"),
        ("In fiscal 2022 the margin narrowed.", "FY2022", "fiscal 2022"),
        ("Sales fell in fiscal year 2021.", "FY2021", "fiscal year 2021"),
        ("FY22 capital spending was flat.", "FY2022", "FY22"),
        ("Targets for FY2022-23 were met.", "FY2023", "FY2022-23"),
        ("Annual report for the fiscal year ended June 30, 2022.", "FY2022", "fiscal year ended June 30, 2022"),
        ("For the year ended December 31, 2021, revenue was flat.", "2021", "year ended December 31, 2021"),
        ("Receipts for the fiscal year ending June 30, 1894 fell.", "FY1894", "fiscal year ending June 30, 1894"),
        ("Exports for the fiscal year which closed June 30, 1892 grew.", "FY1892", "fiscal year which closed June 30, 1892"),
        ("The year that closed on June 30, 1893 saw less.", "FY1893", "year that closed on June 30, 1893"),
        ("Q2 FY2024 bookings doubled.", "Q2 FY2024", "Q2 FY2024"),
        ("In the second quarter of 2023 the plant closed.", "Q2 2023", "second quarter of 2023"),
        ("Q3 2021 shipments were late.", "Q3 2021", "Q3 2021"),
        ("Orders peaked in Q3'21.", "Q3 2021", "Q3'21"),
        ("3Q21 deliveries slipped.", "Q3 2021", "3Q21"),
        ("Results for the three months ended September 30, 2023.", "Q3 2023", "three months ended September 30, 2023"),
        ("Exports for the twelve months ending September 30, 1891 rose.", "FY1891", "twelve months ending September 30, 1891"),
        ("Cash as of December 31, 2021 was ample.", "2021-12-31", "as of December 31, 2021"),
        ("Debt as at 31 March 2020 fell.", "2020-03-31", "as at 31 March 2020"),
        ("On the 30th day of June, 1894, the rolls held more names.", "1894-06-30", "the 30th day of June, 1894"),
        ("The fiscal year ended on the 30th day of June, 1896, was short.", "FY1896", "fiscal year ended on the 30th day of June, 1896"),
        ("Orders rose after June 30th, 2021.", "2021-06-30", "June 30th, 2021"),
        ("Cleveland's December 1894 message named the deficit.", "December 1894", "December 1894"),
        ("Orders in March of 2021 doubled.", "March 2021", "March of 2021"),
        ("The reserve had fallen in April, 1893, to a low.", "April 1893", "April, 1893"),
        ("In the first half of 2023 costs rose.", "H1 2023", "first half of 2023"),
        ("H2 2022 revenue was seasonal.", "H2 2022", "H2 2022"),
        ("Release 4.2 adds a new parser.", "version 4.2", "Release 4.2"),
        ("This applies since version 3.1 of the API.", "version 3.1", "version 3.1"),
        ("The v2.0 format is not backwards compatible.", "version 2.0", "v2.0"),
        ("Python 3.11 added exception groups.", "python 3.11", "Python 3.11"),
        ("Django 4.2 is a long-term release.", "django 4.2", "Django 4.2"),
    ],
)
def test_each_shape_is_read_with_its_span(sentence, canonical, written):
    mentions = find_periods(sentence)
    assert [m.period.canonical for m in mentions] == [canonical]
    assert mentions[0].text == written
    assert sentence[mentions[0].start : mentions[0].end] == written


@pytest.mark.parametrize(
    "sentence",
    [
        "Revenue was 2,021 million dollars.",
        "The plant made 2000 units last month.",
        "Margin 3.5 4.2 5.1",  # a table row, not "Margin" version 3.5
        "Costs rose 3.5% on the year.",
        "Python is used by 3.5 million developers.",
        "The Drive 2.5 GB cache fills fast.",
    ],
)
def test_quantities_are_not_periods(sentence):
    assert find_periods(sentence) == []


def test_a_year_contains_its_quarters_halves_and_dates():
    year = Period(YEAR, year=2021)
    for inside in ("Q3 2021", "first half of 2021", "as of December 31, 2021"):
        assert year.covers(periods_in(inside)[0]), inside
    assert not year.covers(periods_in("Q3 2022")[0])
    assert not periods_in("Q3 2021")[0].covers(year)


def test_fiscal_and_calendar_years_are_related_but_not_equal():
    fiscal, calendar = periods_in("FY2022")[0], Period(YEAR, year=2022)
    assert fiscal != calendar
    assert fiscal.matches(calendar) and calendar.matches(fiscal)
    assert not fiscal.covers(calendar) and not calendar.covers(fiscal)
    assert not fiscal.matches(Period(YEAR, year=2021))
    june = periods_in("for the fiscal year ended June 30, 2022")[0]
    assert june.covers(periods_in("as of December 31, 2021")[0])  # July 2021 - June 2022
    assert not june.covers(periods_in("as of December 31, 2022")[0])
    assert june.matches(Period(YEAR, year=2021))  # they overlap from July to December 2021
    assert not fiscal.matches(Period(YEAR, year=2021))  # end month unknown: no overlap is known


def test_fiscal_quarters_sit_inside_their_fiscal_year_only():
    quarter = periods_in("Q2 FY2024")[0]
    assert quarter.fiscal and quarter.part == 2
    assert Period(FY, year=2024).covers(quarter)
    assert not Period(FY, year=2023).covers(quarter)
    assert quarter.matches(Period(YEAR, year=2024))  # related through the year's name


def test_versions_contain_their_sub_releases_and_keep_products_apart():
    assert periods_in("release 4")[0].covers(periods_in("release 4.2")[0])
    assert not periods_in("release 4.2")[0].covers(periods_in("release 4.3")[0])
    assert periods_in("Python 3.11")[0].matches(periods_in("version 3.11")[0])
    assert not periods_in("Python 3.11")[0].matches(periods_in("Django 3.11")[0])
    assert not periods_in("version 2021.1")[0].matches(Period(YEAR, year=2021))


def test_column_periods_and_the_fiscal_year_column_of_a_two_year_table():
    header = ["(in millions)", "Fiscal 2023", "Fiscal 2022"]
    assert [p.canonical if p else None for p in column_periods(header)] == [None, "FY2023", "FY2022"]
    assert pick_column(header, periods_in("What was revenue in FY2022?")[0]) == 2
    assert pick_column(header, Period(YEAR, year=2023)) == 1  # a calendar-year question finds the fiscal column
    assert pick_column(["", "2022", "2021"], periods_in("fiscal 2021")[0]) == 2
    assert pick_column(["", "2022", "2021"], Period(YEAR, year=2019)) is None
    quarters = ["", "Q3 2023", "Q3 2022"]
    assert pick_column(quarters, periods_in("third quarter of 2022")[0]) == 2
    dates = ["", "December 31, 2022", "December 31, 2021"]
    assert pick_column(dates, periods_in("as of December 31, 2021")[0]) == 2


@pytest.mark.parametrize(
    ("sentence", "names"),
    [
        ("Formula 1 teams raced in 2023.", ["Formula 1"]),
        ("Windows 11 shipped on new laptops.", ["Windows 11"]),
        ("COVID-19 cases fell by 40%.", ["COVID-19"]),
        ("The Top 500 list ranks supercomputers.", ["Top 500"]),
        ("Section 4 sets the fee at $300.", ["Section 4"]),
        ("Unit 0147 reported revenue of $5 million.", ["Unit 0147"]),
        ("It follows ISO 9001 and RFC 7231.", ["ISO 9001", "RFC 7231"]),
        ("The H100 delivers 4 petaflops.", ["H100"]),
        ("GPT-4 answered 86% correctly.", ["GPT-4"]),
        ("Chapter 12\nThe end.", ["Chapter 12"]),
        ("The KDD Cup '99 data has 41 features.", ["Cup '99"]),
    ],
)
def test_numbers_inside_names(sentence, names):
    found = name_numbers(sentence)
    assert [n.text for n in found] == names
    for name in found:
        assert sentence[name.start : name.end] == name.text
        assert sentence[name.number_start : name.number_end].isdigit()


@pytest.mark.parametrize(
    "sentence",
    [
        "USD 500 million was raised.",  # money
        "In 500 cases the claim failed.",  # a quantity introduced by a function word
        "Over 500 employees left.",
        "Employees 412\nSites 9",  # a field: label, then the number alone on its line
        "Revenue 500 450",  # a table row
        "By mid-2025 the plant opens.",  # a year, not a name
        "FY2022 and Q3 2021 are periods.",
        "Python 3.11 is a version.",
        "Margin 35% in 2022.",
        "EBITDA 3.5 4.2 5.1",  # an acronym's table row
        "USD 5.50 each was paid.",  # money
        "GDP 2.5 percent growth was reported.",
    ],
)
def test_quantities_periods_and_versions_are_not_names(sentence):
    assert name_numbers(sentence) == []


def test_a_documents_hyphenated_number_is_a_name_and_no_identifier():
    question = "How many dependencies does NIST SP 800-223 list?"
    assert [n.text for n in name_numbers(question)] == ["SP 800-223"]
    assert identifiers(question) == []  # printed in every page header: ranking by it would favour headers
    assert name_numbers("Revenue 100-200 million was forecast.") == []  # an ascending pair is a range
    assert [n.text for n in name_numbers("Per AFI 41-210, what is the ceiling?")] == ["AFI 41-210"]  # an acronym's pair
    # the pair ending a title of several capitalised words
    assert [n.text for n in name_numbers("When was Air Force Instruction 41-210 issued?")] == ["Instruction 41-210"]
    assert name_numbers("The forecast Revenue 100-200 million was cut.") == []
    assert name_numbers("USD 100-200 was raised.") == []
    assert [n.text for n in name_numbers("The GEOTRANS 3.7 user's guide lists datums.")] == ["GEOTRANS 3.7"]
    assert periods_in("The GEOTRANS 3.7 user's guide lists datums.") == []  # no scope: documents seldom state their release
    assert identifiers("What does the GEOTRANS 3.7 user's guide list?") == []  # printed in every page header


def test_identifiers_are_normalised_for_verbatim_search():
    assert identifiers("What did  Unit 0147 report under ISO 9001?") == ["unit 0147", "iso 9001"]
    assert identifiers("How much did revenue grow in 2021?") == []


def test_references_to_parts_of_a_document_are_found_whole():
    text = "Complete lines 5 and 6 above. See Table 324, page 12-14 and 2,000 units; item 3, 4 or 5b. Line 40.5 is a value."
    assert [text[start:end] for start, end in reference_spans(text)] == ["lines 5 and 6", "Table 324", "page 12-14", "item 3, 4 or 5b"]


def test_a_year_after_a_possessive_is_a_period_in_any_century():
    assert periods_in("In President McKinley's 1898 annual message, what were the receipts?") == [Period(YEAR, year=1898)]
    assert periods_in("What was in Acme’s 1998 report?") == [Period(YEAR, year=1998)]
    assert periods_in("How many of the firm's 1800 employees left?") == []
    assert periods_in("What did the President say in his 1889 message?") == [Period(YEAR, year=1889)]
    assert periods_in("How many of their 1650 members voted?") == []


def test_a_month_lies_inside_its_year_and_overlaps_its_fiscal_year():
    december = periods_in("December 1894")[0]
    assert Period(YEAR, year=1894).covers(december)
    assert december.matches(Period(FY, year=1895, month=6))  # July 1894 - June 1895
    assert not december.matches(Period(FY, year=1894, month=6))


def test_a_number_written_with_a_leading_zero_is_a_code_not_a_figure():
    text = "The table, edition 07, lists 23 parameters; it grew 0.5% and cost 0 dollars."
    assert [text[start:end] for start, end in non_figure_spans(text)] == ["07"]
