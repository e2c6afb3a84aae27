"""Bracket tables (rag/brackets.py): a figure between a row's bounds, and retrieval of that row."""

from __future__ import annotations

from dataclasses import replace

import pytest

from rag import brackets
from rag.numbers import parse_quantities

ROWS = "Weight (g)  Standard  Express\n4,000 4,050 12.40 18.90\n4,050 4,100 12.55 19.10"


def _figure(text: str):
    return parse_quantities(text)[0]


@pytest.mark.parametrize("question_figure,held", [
    ("4,020 grams", True),  # 4,000 <= x < 4,050
    ("4,050 grams", True),  # a lower bound belongs to its own row
    ("4,100 grams", False),  # the upper bound of the last row is outside it
    ("12.50 dollars", False),  # between two fees: not a bracket (no row starts with 12.40 12.55)
    ("3,990 grams", False),
])
def test_a_row_holds_the_figures_from_its_lower_bound_up_to_its_upper(question_figure, held):
    assert brackets.holds(_figure(question_figure), ROWS) is held


def test_two_figures_of_a_line_item_or_bounds_with_nothing_after_them_are_no_bracket_row():
    assert not brackets.holds(_figure("1,250 employees"), "Employees 1,200 1,300 1,350")  # a labelled line item
    assert not brackets.holds(_figure("4,020 grams"), "4,000 4,050\n12.40")  # no value on the bounds' line
    assert brackets.holds(_figure("4,020 grams"), "4,000 - 4,050  12.40")


def test_the_narrowest_bracket_is_the_row_not_the_heading_that_groups_rows():
    grouped = "4,000 4,400 4,800\n" + ROWS.split("\n", 1)[1]
    assert brackets.narrowest(_figure("4,020 grams"), grouped) == 50
    assert brackets.narrowest(_figure("4,020 grams"), "4,000 4,400 4,800") == 400
    assert brackets.narrowest(_figure("4,020 grams"), "4,000 5,000 6,000") is None  # too wide for a row
    assert brackets.narrowest(_figure("4,020 grams"), "from 4,000 to 5,000 in March") is None  # prose, not a row


def test_lower_bounds_are_the_figure_rounded_down_to_common_bracket_widths():
    assert brackets.lower_bounds(_figure("$60,425")) == ["60000", "60250", "60400", "60420", "60425"]
    assert brackets.lower_bounds(_figure("42 grams")) == []  # too common a figure to look for
    assert brackets.lower_bounds(_figure("4.75 grams")) == []


@pytest.mark.slow
def test_a_figure_inside_a_bracket_finds_its_row_in_a_long_table(tmp_path, embedder):
    """Keyword search cannot find 4,130 in a table that writes 4,100 4,150; the probe for lower bounds does."""
    from rag.config import load_settings
    from rag.indexing import build_index
    from rag.retrieval import Retriever
    from rag.store.store import open_store

    corpus = tmp_path / "rates"
    corpus.mkdir()
    rows = [f"{w:,} {w + 50:,} {8 + w / 1000:.2f} {12 + w / 700:.2f}" for w in range(1000, 9000, 50)]
    (corpus / "parcel-rates.txt").write_text(
        "Parcel rates\n\nThe fee for a parcel depends on its weight in grams and the service.\n\n"
        "At least  Less than  Standard  Express\n" + "\n".join(rows) + "\n"
    )
    (corpus / "guide.txt").write_text("Weigh the parcel in grams before you pay the standard fee at the counter.\n" * 20)
    settings = replace(load_settings(), index_dir=tmp_path / "index")
    build_index([corpus], settings, embedder=embedder, show_progress=False)
    retriever = Retriever(open_store(settings.index_dir), embedder)
    figure = _figure("4,130 grams")
    assert not any(brackets.holds(figure, p.chunk.text) for p in retriever.search("What is the standard fee for 4,130 grams?", 5, 40))
    found = retriever.bracket_rows([figure], 40)
    assert found and "4,100 4,150 12.10" in found[0].chunk.text
