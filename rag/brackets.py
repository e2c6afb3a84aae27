"""Bracket tables: rows that give a narrow range and what applies within it.

A rate or tax table lists "60,400 60,450 11,530 8,206": at least 60,400 and less than
60,450, then the amounts for that bracket. A question about $60,425 names a figure the
table never writes, so neither keyword search nor a verbatim check finds it. The premise
check and the `other_row` rule (`rag/answering/gate.py`), retrieval
(`Retriever.bracket_rows`), the verifier (a claim may repeat the question's figure when
its cited row holds it) and table lookups (`rag/answering/lookup.py`) read such rows here.
"""

from __future__ import annotations

import math
import re

from rag.numbers import Quantity, parse_quantities

_GAP = re.compile(r"[ \t]*[-\u2013\u2014]?[ \t]*")  # between a row's two bounds, on one line
_LETTER = re.compile(r"[^\W\d_]")
_WIDTH = 0.1  # a bracket is narrow: its width at most this share of its upper bound
_STEPS = (5, 10, 25, 50, 100, 250, 500, 1000)  # the bracket widths a lower bound is looked for at
SMALLEST = 100  # a figure below this is too common for a bracket row to stand for it


def holds(figure: Quantity, text: str) -> bool:
    """Whether a narrow bracket row of `text` (two bare figures side by side, low < high) holds `figure`."""
    return narrowest(figure, text) is not None


def narrowest(figure: Quantity, text: str) -> float | None:
    """The width of the narrowest bracket of `text` that holds `figure`, or None: a table's row
    ("60,400 60,450") is narrower than the headings that group its rows ("60,000 63,000")."""
    row = _narrowest_row(figure, text)
    return row[0] if row else None


def row_of(figure: Quantity, text: str) -> tuple[int, int] | None:
    """Offsets in `text` of the line whose bracket holds `figure` (the narrowest), or None."""
    row = _narrowest_row(figure, text)
    if row is None:
        return None
    _, at = row
    return text.rfind("\n", 0, at) + 1, len(text) if (end := text.find("\n", at)) < 0 else end


def _narrowest_row(figure: Quantity, text: str) -> tuple[float, int] | None:
    """(width, offset of its lower bound) of the narrowest bracket holding `figure`; none below SMALLEST."""
    if figure.value < SMALLEST:
        return None
    figures = parse_quantities(text)
    rows = [
        (high.value - low.value, low.start)
        for low, high, value in zip(figures, figures[1:], figures[2:])
        if is_bracket(low, high) and low.value <= figure.value < high.value
        and _GAP.fullmatch(text, low.end, high.start)
        and _in_row(text, low.start, value.start)
    ]
    return min(rows, default=None)


def is_bracket(low: Quantity, high: Quantity) -> bool:
    """Two bare figures that can bound a bracket: low < high, and narrow."""
    return not low.unit and not high.unit and low.value < high.value and high.value - low.value <= _WIDTH * high.value


def _in_row(text: str, low: int, value: int) -> bool:
    """A bracket row is figures only up to its bounds ("Revenue 1,200 1,300" is two years of one
    line item), and at least one value follows them on the line."""
    line_start = text.rfind("\n", 0, low) + 1
    return not _LETTER.search(text, line_start, low) and "\n" not in text[low:value]


def lower_bounds(figure: Quantity) -> list[str]:
    """The lower bounds a bracket holding `figure` may start at, written as keyword search reads figures."""
    if figure.value < SMALLEST or figure.value != int(figure.value):
        return []
    bounds = {math.floor(figure.value / step) * step for step in _STEPS}
    return [str(int(bound)) for bound in sorted(bounds) if bound >= SMALLEST]
