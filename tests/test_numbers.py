"""The number parser the answer verifier relies on.

Most inputs are copied from the seed articles, so the tests pin down the forms the
corpus really uses; the rest cover the traps (product names, years, units).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rag.numbers import Quantity, format_quantity, is_count, parse_quantities, same_quantity

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))


def read(text: str) -> list[tuple[str, float, str]]:
    """(span, value, unit) of every quantity, checking the offset invariant on the way."""
    quantities = parse_quantities(text)
    for q in quantities:
        assert text[q.start:q.end] == q.text
    return [(q.text, q.value, q.unit) for q in quantities]


def only(text: str) -> Quantity:
    quantities = parse_quantities(text)
    assert len(quantities) == 1, quantities
    return quantities[0]


def quantity(value: float, unit: str) -> Quantity:
    return Quantity(text="", start=0, end=0, value=value, unit=unit, approx=False)


# --------------------------------------------------------------------------- corpus sentences

CORPUS_CASES = [
    ("ByteDance plans $22B in AI chip purchases", [("$22B", 22e9, "USD")]),
    (
        "planning to spend over 160 billion yuan (approximately US$22 billion) on AI procurement",
        [("160 billion yuan", 160e9, "CNY"), ("US$22 billion", 22e9, "USD")],
    ),
    (
        "The company is set to spend 40 billion yuan ($5.50 billion) in China on acquiring AI chips.",
        [("40 billion yuan", 40e9, "CNY"), ("$5.50 billion", 5.5e9, "USD")],
    ),
    (
        "ByteDance is reportedly planning to invest CNY 40 billion (approximately USD 5.5 billion) in AI chips",
        [("CNY 40 billion", 40e9, "CNY"), ("USD 5.5 billion", 5.5e9, "USD")],
    ),
    ("| Domestic AI Chips | CNY 40B |", [("CNY 40B", 40e9, "CNY")]),
    ("| Overseas AI Computing | USD 6.8B |", [("USD 6.8B", 6.8e9, "USD")]),
    ("planning to invest $7 billion in Nvidia AI chips in 2025.", [("$7 billion", 7e9, "USD"), ("2025", 2025, "year")]),
    ("ByteDance to Invest $12 Billion in AI Chips by 2025:", [("$12 Billion", 12e9, "USD"), ("2025", 2025, "year")]),
    (
        "though performance remains at 60% to 70% of Nvidia H200 capability.",
        [("60%", 60, "%"), ("70%", 70, "%")],
    ),
    ("| H20 vs H100 | ~15% of H100 performance |", [("15%", 15, "%")]),
    ("offers INT8 computing power of around 296 TOPS, slightly", [("296 TOPS", 296, "tops")]),
    ("| NVIDIA H20 | 296 TOPS (INT8) |", [("296 TOPS", 296, "tops")]),
    ("over two million units.", [("two million units", 2e6, "unit")]),
    (
        "At least nine Chinese firms have joined the 10,000-chip club by shipping over 10,000 units each,",
        [("nine Chinese firms", 9, "firm"), ("10,000-chip", 10_000, "chip"), ("10,000 units", 10_000, "unit")],
    ),
    ("(which shipped 52,000 chips to 290 clients)", [("52,000 chips", 52_000, "chip"), ("290 clients", 290, "client")]),
    ("representing a twofold increase from their 2024 spending.", [("twofold", 2, "x"), ("2024", 2024, "year")]),
    (
        "with SMIC planning to double 7nm production capacity",
        [("double", 2, "x"), ("7nm", 7, "nm")],
    ),
    ("China's chipmakers collectively aim to triple AI chip output in 2026", [("triple", 3, "x"), ("2026", 2026, "year")]),
    ("in China's AI chip market in the first half of 2025 according to IDC", [("2025", 2025, "year")]),
    ("has significantly increased its AI infrastructure budget to nearly $30 billion,", [("$30 billion", 30e9, "USD")]),
    (
        "aims to produce at least 100,000 units in 2026, potentially scaling to 350,000 units annually.",
        [("100,000 units", 100_000, "unit"), ("2026", 2026, "year"), ("350,000 units", 350_000, "unit")],
    ),
    ("with a 25% tariff and 50% volume cap,", [("25%", 25, "%"), ("50%", 50, "%")]),
    ("to place orders worth up to US$14 billion", [("US$14 billion", 14e9, "USD")]),
    ("according to Reuters reporting from June 2024.", [("2024", 2024, "year")]),
    (
        "This domestic investment is part of a larger USD 12 billion global AI infrastructure initiative",
        [("USD 12 billion", 12e9, "USD")],
    ),
    ("introduce a three-tier regional policy", [("three-tier", 3, "tier")]),
    ("Cambricon's Siyuan 370 chip at 256 TOPS.", [("370 chip", 370, "chip"), ("256 TOPS", 256, "tops")]),
]


@pytest.mark.parametrize(("text", "expected"), CORPUS_CASES)
def test_corpus_sentences(text: str, expected: list[tuple[str, float, str]]) -> None:
    got = read(text)
    assert [(span, unit) for span, _, unit in got] == [(span, unit) for span, _, unit in expected]
    assert [value for _, value, _ in got] == pytest.approx([value for _, value, _ in expected])


@pytest.mark.parametrize(
    ("text", "approx"),
    [
        ("spend over 160 billion yuan", True),
        ("(approximately US$22 billion)", True),
        ("Around 60% of these semiconductor orders", True),
        ("to purchase at least 30% of their chips", True),
        ("~15% of H100 performance", True),
        ("worth up to US$14 billion", True),
        ("budget to nearly $30 billion,", True),
        ("reaches about 15% of NVIDIA's flagship", True),
        ("more than 10,000 units", True),
        ("shipped 52,000 chips", False),
        ("over the next 5 years", False),  # the hedge must sit right before the number
        ("with a 25% tariff", False),
    ],
)
def test_hedge_sets_approx(text: str, approx: bool) -> None:
    quantities = parse_quantities(text)
    assert quantities and quantities[-1].approx is approx


# --------------------------------------------------------------------------- names, years, words


@pytest.mark.parametrize(
    "text",
    [
        "approved Nvidia H200 sales to China",
        "particularly the H20 model",
        "Samsung Unveils the Galaxy S25 Series",
        "trained on A100 and H100 clusters",
        "models like Qwen2.5 and GPT-4",
        "INT8 computing power (INT8)",
        "Global Tensions2 min read",
        "the 1st and 21st century, 5G networks, 3D chips",
        "First, there's the policy. Second, the market.",
        "one of the largest consumers of AI hardware; no one knows",
        "one-third of orders and two-thirds of supply",
        "a double-digit rise; ByteDance is doubling down",
        "See [1] and [2, 3].",
        "millions of custom AI chips",
    ],
)
def test_names_ordinals_and_idioms_are_not_quantities(text: str) -> None:
    assert read(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in 2025", [("2025", 2025, "year")]),
        ("since 2022 and previously", [("2022", 2022, "year")]),
        ("ByteDance's 2024's budget", [("2024", 2024, "year")]),
        ("by mid-2025", [("2025", 2025, "year")]),
        ("2,000 chips", [("2,000 chips", 2000, "chip")]),  # a comma means a count
        ("2000 units", [("2000 units", 2000, "unit")]),  # a plural noun means a count
        ("2000 Chinese firms", [("2000 Chinese firms", 2000, "firm")]),
        ("2048 GPUs", [("2048 GPUs", 2048, "gpu")]),
        ("2007 Tax Rate Schedules", [("2007", 2007, "year")]),  # unless a title capitalises it
        ("in 2026 units were shipped", [("2026", 2026, "year")]),  # unless a year word precedes
        ("2025 dollars", [("2025 dollars", 2025, "USD")]),
        ("a 5-year plan", [("5-year", 5, "years-duration")]),
        ("over two years", [("two years", 2, "years-duration")]),
        ("on the 30th day of June, 1894", [("1894", 1894, "year")]),  # an older year after its month
        ("by June 30th, 1894", [("1894", 1894, "year")]),
    ],
)
def test_years_versus_counts_and_durations(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("text", "span", "value", "unit"),
    [
        ("over two million units.", "two million units", 2e6, "unit"),
        ("twenty-five firms", "twenty-five firms", 25, "firm"),
        ("two hundred fifty thousand units", "two hundred fifty thousand units", 250_000, "unit"),
        ("a dozen suppliers", "a dozen suppliers", 12, "supplier"),
        ("a billion dollars", "a billion dollars", 1e9, "USD"),
        ("ninety-nine clients", "ninety-nine clients", 99, "client"),
        ("offers ByteDance two critical advantages: foundry", "two critical advantages", 2, "advantage"),
        ("relying solely on one type of hardware", "one type", 1, "type"),
        ("Two analysts said", "Two analysts", 2, "analyst"),
        ("Invests 10,000 Units In China", "10,000 Units", 10_000, "unit"),
        ("five million two years ago", "five million", 5e6, ""),
    ],
)
def test_number_words_and_counted_nouns(text: str, span: str, value: float, unit: str) -> None:
    q = read(text)[0]
    assert q == (span, pytest.approx(value), unit)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("a twofold increase", 2),
        ("a two-fold increase", 2),
        ("a threefold rise", 3),
        ("sales doubled", 2),
        ("plans to double capacity", 2),
        ("tripled output", 3),
        ("3x faster", 3),
        ("2.5x the throughput", 2.5),
        ("three times the price", 3),
        ("a 10-fold jump", 10),
    ],
)
def test_multipliers(text: str, value: float) -> None:
    q = only(text)
    assert (q.value, q.unit) == (value, "x")


# --------------------------------------------------------------------------- ranges and currencies


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$5-7 billion", [("$5", 5e9, "USD"), ("7 billion", 7e9, "USD")]),
        ("60-70%", [("60", 60, "%"), ("70%", 70, "%")]),
        ("reach 60–70% of the H200's performance [1].", [("60", 60, "%"), ("70%", 70, "%")]),
        ("60 to 70 percent", [("60", 60, "%"), ("70 percent", 70, "%")]),
        ("between 60 and 70 per cent", [("60", 60, "%"), ("70 per cent", 70, "%")]),
        ("two to three million units", [("two", 2e6, "unit"), ("three million units", 3e6, "unit")]),
        ("5%-7%", [("5%", 5, "%"), ("7%", 7, "%")]),  # not 5% and -7%
        ("in 2024 to $7 billion", [("2024", 2024, "year"), ("$7 billion", 7e9, "USD")]),  # not a range
        ("25% tariff and 50% cap", [("25%", 25, "%"), ("50%", 50, "%")]),
        # a tax table's row: the range is in dollars, the noun after it names the line, it counts nothing
        ("the $25,300-25,350 income line", [("$25,300", 25_300, "USD"), ("25,350", 25_350, "USD")]),
        ("from 10-12 employees", [("10", 10, "employee"), ("12 employees", 12, "employee")]),
    ],
)
def test_ranges_share_unit_and_scale(text: str, expected: list[tuple[str, float, str]]) -> None:
    assert read(text) == expected


def test_citation_markers_and_list_numbers_are_skipped() -> None:
    answer = "1. ByteDance plans $22B [1].\n2. It shipped 52,000 chips [2, 3]."
    assert read(answer) == [("$22B", 22e9, "USD"), ("52,000 chips", 52_000, "chip")]


def test_range_inherits_hedge() -> None:
    assert [q.approx for q in parse_quantities("roughly 60-70%")] == [True, True]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("5 million dollars", 5e6, "USD"),
        ("22 billion U.S. dollars", 22e9, "USD"),
        ("22-billion-dollar", 22e9, "USD"),
        ("6.8bn", 6.8e9, ""),
        ("RMB 40 billion", 40e9, "CNY"),
        ("¥5 billion", 5e9, "CNY"),
        ("€3 million", 3e6, "EUR"),
        ("£2bn", 2e9, "GBP"),
        ("5 billion yen", 5e9, "JPY"),
        ("$5 m", 5e6, "USD"),
        ("10K", 1e4, ""),
        ("60 percent", 60, "%"),
        ("-5%", -5, "%"),
    ],
)
def test_currencies_scales_and_percent(text: str, value: float, unit: str) -> None:
    q = only(text)
    assert (q.text, q.value, q.unit) == (text, pytest.approx(value), unit)


# --------------------------------------------------------------------------- comparison


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("$22B", "22 billion dollars", True),
        ("US$22 billion", "USD 22B", True),
        ("CNY 40B", "40 billion yuan", True),
        ("$40 billion", "40 billion yuan", False),
        ("$5.50 billion", "USD 5.5 billion", True),
        ("60%", "60 percent", True),
        ("60%", "60 units", False),
        ("52,000 chips", "52,000 Chips", True),
        ("a twofold increase", "sales doubled", True),
        ("in 2025", "2,025", False),
        ("5-year", "in 2025", False),
        ("$22 billion", "$22.2 billion", False),
        ("$22 billion", "$22.1 billion", True),  # within 0.5%
    ],
)
def test_same_quantity(a: str, b: str, same: bool) -> None:
    assert same_quantity(only(a), only(b)) is same


def test_same_quantity_canonicalises_unit_spellings() -> None:
    assert same_quantity(quantity(40e9, "RMB"), quantity(40e9, "CNY"))
    assert same_quantity(quantity(3, "Units"), quantity(3, "unit"))
    assert same_quantity(quantity(12, "percent"), quantity(12, "%"))
    assert not same_quantity(quantity(2024, "year"), quantity(2024, ""))


# --------------------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (5e9, "USD", "$5 billion"),
        (1.3e9, "USD", "$1.3 billion"),
        (4e10, "CNY", "40 billion yuan"),
        (12.5, "%", "12.5%"),
        (2.0, "x", "2x"),
        (41, "tops", "41 TOPS"),
        (1500, "", "1,500"),
        (2025, "year", "2025"),
        (5, "years-duration", "5 years"),
        (10_000, "chip", "10,000 chips"),
        (3, "company", "3 companies"),
        (2e6, "unit", "2 million units"),
        (-5e9, "USD", "-$5 billion"),
        (999.96e6, "USD", "$1 billion"),
        (33.3333, "%", "33.3%"),
        (5.5e9, "JPY", "5.5 billion yen"),
    ],
)
def test_format_quantity(value: float, unit: str, text: str) -> None:
    assert format_quantity(value, unit) == text


@pytest.mark.parametrize(
    ("value", "unit"),
    [
        (5e9, "USD"), (1.3e9, "USD"), (4e10, "CNY"), (4e10, "RMB"), (22e9, "EUR"), (2e9, "GBP"),
        (7e6, "HKD"), (1e12, "USD"), (1234.5e9, "USD"), (500_000, "USD"), (12.5, "%"), (0.00123, "%"),
        (-12.5, "%"), (2.0, "x"), (1.5, "x"), (41, "tops"), (80, "gb"), (7, "nm"), (1500, ""),
        (2025, ""), (1_234_567, ""), (2025, "year"), (1, "years-duration"), (5, "years-duration"),
        (52_000, "client"), (1, "unit"), (9, "firm"), (4, "day"),
    ],
)
def test_format_round_trip(value: float, unit: str) -> None:
    text = format_quantity(value, unit)
    q = only(text)
    assert q.text == text
    assert same_quantity(q, quantity(value, unit)), (text, q)


# --------------------------------------------------------------------------- whole seed files


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_seed_offsets_are_exact_ordered_and_disjoint(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    quantities = parse_quantities(text)
    assert quantities
    for q in quantities:
        assert text[q.start:q.end] == q.text
    for before, after in zip(quantities, quantities[1:]):
        assert before.end <= after.start


def test_seed_product_names_yield_no_numbers() -> None:
    checked = 0
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        names = [m.span() for m in re.finditer(r"\b[A-Za-z]+\d[\w.]*", text)]  # H200, S25, INT8, Tensions2
        for q in parse_quantities(text):
            assert all(q.end <= start or q.start >= end for start, end in names), (path.name, q)
        checked += len(names)
    assert checked >= 10


@pytest.mark.parametrize(
    ("text", "count"),
    [("Siyuan 370 offer", True), ("52,000 chips", True), ("370", True), ("$7 billion", False),
     ("60%", False), ("twofold", False), ("in 2025", False), ("256 TOPS", False), ("40 billion yuan", False)],
)
def test_is_count_tells_counts_from_figures_with_a_fixed_unit(text, count):
    [quantity] = parse_quantities(text)
    assert is_count(quantity) is count


# --- tables: accounting negatives and units lines -----------------------------------------------------

from rag.numbers import table_figure_supports, table_scale  # noqa: E402


@pytest.mark.parametrize("row", ["Pumping stations (370) 212", "(370)", "Item: Pumps | 2018: (370) | 2017: 212"])
def test_bracketed_table_figure_is_negative(row):
    found = [q for q in parse_quantities(row) if q.value < 0]
    assert [(q.text, q.value) for q in found] == [("(370)", -370.0)]
    assert all(row[q.start : q.end] == q.text for q in found)


@pytest.mark.parametrize("text", ["The staff (370) moved.", "founded (2019) in", "revenue ($5.5 billion) rose"])
def test_brackets_in_prose_are_not_negative(text):
    assert all(q.value > 0 for q in parse_quantities(text))


@pytest.mark.parametrize(
    "line,multiplier,currency",
    [
        ("(Millions)", 1e6, ""),
        ("(in millions, except per share data)", 1e6, ""),
        ("in thousands of USD", 1e3, "USD"),
        ("($ in millions)", 1e6, "USD"),
        ("(Dollars in thousands)", 1e3, "USD"),
        ("Amounts in billions of euros", 1e9, "EUR"),
        ("(€m)", 1e6, "EUR"),
        ("[In thousands (11,062.6 represents 11,062,600) For year ending December 31.", 1e3, ""),
    ],
)
def test_units_lines_are_read(line, multiplier, currency):
    scale = table_scale(f"Table 4. Capital spending\n{line}\n2018 2017")
    assert scale is not None and (scale.multiplier, scale.currency) == (multiplier, currency)


@pytest.mark.parametrize("text", ["Revenue rose to 5 million.", "Height (m)", "2018 2017", "Millions of people " + "x " * 80])
def test_prose_and_headers_set_no_scale(text):
    assert table_scale(text) is None


def test_millions_header_scales_the_figures_beneath_it():
    scale = table_scale("(Millions)\n2018 2017")
    row = "Pipes and mains 1,577 1,432 (370) 12.5%"
    read_scaled = [(q.text, q.value, q.unit) for q in parse_quantities(row, table=scale)]
    assert read_scaled == [("1,577", 1.577e9, ""), ("1,432", 1.432e9, ""), ("(370)", -3.7e8, ""), ("12.5%", 12.5, "%")]
    [found, *_] = parse_quantities(row, table=scale)
    [claim] = parse_quantities("$1,577 million")
    [wrong] = parse_quantities("$1,577")
    assert table_figure_supports(found, claim, scale, rel_tol=1e-9)
    assert not table_figure_supports(found, wrong, scale, rel_tol=1e-9)
    unscaled = parse_quantities(row)[0]
    assert not table_figure_supports(unscaled, claim, None, rel_tol=1e-9)


def test_per_share_figures_keep_their_value_and_currency_tables_name_theirs():
    per_share = table_scale("(in millions, except per share data)")
    assert [q.value for q in parse_quantities("Net income 1,204\nEarnings per share 2.45", table=per_share)] == [1.204e9, 2.45]
    dollars = table_scale("($ in millions)")
    assert [(q.value, q.unit) for q in parse_quantities("Capex $ 1,577 1,432", table=dollars)] == [
        (1.577e9, "USD"), (1.432e9, "USD")
    ]
