"""The range a question asks for, from the minimum and maximum columns of one table row.

"What is the range of the supply voltage, from its minimum to its maximum?" is answered
by a row of a specification table ("Supply voltage: 1.8 3.3 3.6" under "Min Typ Max"); a
small model copies the row and does no arithmetic. When the question asks for a range or
a spread and one verified claim quotes a row whose cells are known to sit under a
minimum and a maximum column (`columns.py`: a cell's column is read only where the row
says it), the range is maximum minus minimum, done by code.
"""

from __future__ import annotations

import re

from rag.answering.columns import column_of, table_header
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, combine
from rag.types import Passage

_ASKS_RANGE = re.compile(
    r"\b(?:range|spread)\b|\bdifference between (?:the |its )?(?:highest|largest|maximum|lowest|smallest|minimum)\b",
    re.IGNORECASE,
)
_LABEL_WORD = re.compile(r"[a-z]+")
_HIGHEST = frozenset({"max", "maximum", "highest", "largest", "upper"})
_LOWEST = frozenset({"min", "minimum", "lowest", "smallest", "lower"})


def asks_range(question: str) -> bool:
    return _ASKS_RANGE.search(question) is not None


def row_range(question: str, claims: list[VerifiedClaim], passages: list[Passage]) -> CalculationResult | None:
    """Maximum minus minimum of the first claim whose row has one cell under each, when a range is asked."""
    if not asks_range(question):
        return None
    for claim in claims:
        ends = _ends(claim.numbers, passages)
        if ends is not None:
            result = combine("difference", *ends)
            return result if isinstance(result, CalculationResult) else None
    return None


def range_mismatch(first: CheckedNumber, second: CheckedNumber, passages: list[Passage]) -> str | None:
    """Why two operands are not the maximum and minimum cells of one row (the operands a range takes), or None."""
    if _ends([first, second], passages) is None:
        return f"{first.quantity.text} and {second.quantity.text} are not the maximum and minimum of one table row"
    return None


def _ends(numbers: list[CheckedNumber], passages: list[Passage]) -> tuple[CheckedNumber, CheckedNumber] | None:
    """The (maximum, minimum) cells among `numbers`: one of each, quoted from the same row."""
    found: dict[str, list[CheckedNumber]] = {"max": [], "min": []}
    for number in numbers:
        if number.derived or not number.spans:
            continue
        span = number.spans[0]
        column = column_of(number.quantity, span.quote, table_header(span, passages))
        word = _LABEL_WORD.match(column.label.lower()) if column else None
        if word and word.group() in _HIGHEST:
            found["max"].append(number)
        elif word and word.group() in _LOWEST:
            found["min"].append(number)
    if len(found["max"]) != 1 or len(found["min"]) != 1:
        return None
    [highest], [lowest] = found["max"], found["min"]
    same_row = highest.spans[0] == lowest.spans[0] and _row_of(highest) == _row_of(lowest)
    return (highest, lowest) if same_row else None


def _row_of(number: CheckedNumber) -> int:
    """Which line of its quote the figure is written on (-1 when not written as is)."""
    quote = number.spans[0].quote
    at = quote.find(number.quantity.text)
    return quote.count("\n", 0, at) if at >= 0 else -1
