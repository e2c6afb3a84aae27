"""How much a figure changed between two periods the question names, computed from the answer's claims.

"By how much did the reserve fall between February 1 and November 24, 1894?" is answered
by two claims, one for each date; a small model states both and proposes no arithmetic.
Each quoted figure is dated by the period its quote names nearest to it (else its
document's one period), so "reduced to $65,438,377, having lost $31,000,000 since April"
dates the first figure by February and the second by April (a figure written as a change,
"lost $31,000,000", is no level at all). When each asked period has exactly one figure of
a unit, the change is their difference, done by code.

Asked for one period's figure when a source states another period's level and how many times
the asked period's it is ("CNY 40 billion in 2025, a twofold increase from their 2024
spending"), the asked level is that level divided by the multiple, done by code: the multiple
must be written as growth from the asked period ("from", "since", "over" or "compared with"
right before the period), and the quote must hold one level of the asked kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from rag.answering.compare import states_change
from rag.answering.conflicts import figures_of
from rag.answering.expected import expected_kind
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, combine
from rag.numbers import MULTIPLIER, PERCENT, YEAR
from rag.periods import Period, PeriodKind, find_periods

_ASKS_CHANGE = re.compile(
    r"\b(?:ris|rose|fall|fell|grow|grew|increas|decreas|declin|drop|chang|differ|gain|los[te])\w*\b"
    r".*\b(?:between|from)\b",
    re.IGNORECASE,
)


def period_change(
    question: str, claims: list[VerifiedClaim], document_periods: Callable[[str], list[Period]]
) -> CalculationResult | None:
    """By how much the figure changed, when the question asks how much something changed between two periods."""
    if not _ASKS_CHANGE.search(question):
        return None
    asked = _distinct([m.period for m in find_periods(question) if m.period.kind is not PeriodKind.VERSION])
    if len(asked) != 2:
        return None
    by_period: list[dict[tuple[float, str], CheckedNumber]] = [{}, {}]
    for number in (n for claim in claims for n in figures_of(claim)):
        if states_change(number):
            continue
        periods = _dated(number, document_periods)
        dated = [i for i, period in enumerate(asked) if any(period.matches(p) for p in periods)]
        if len(dated) == 1:
            by_period[dated[0]].setdefault((number.quantity.value, number.quantity.unit), number)
    # One figure of a unit for each period: "$65,438,377" in February and "$57,669,701" in November.
    units = {unit for _, unit in by_period[0]} & {unit for _, unit in by_period[1]}
    pairs = [
        (earlier[0], later[0])
        for unit in units
        if len(earlier := [n for (_, u), n in by_period[0].items() if u == unit]) == 1
        and len(later := [n for (_, u), n in by_period[1].items() if u == unit]) == 1
    ]
    if len(pairs) != 1:
        return None
    [(earlier, later)] = pairs
    larger, smaller = sorted((later, earlier), key=lambda n: n.quantity.value, reverse=True)
    result = combine("difference", larger, smaller)  # written as a fall or a rise reads it: larger minus smaller
    return result if isinstance(result, CalculationResult) else None


# After a multiple: the growth it states runs from the period that follows ("twofold increase from their 2024 spending").
_GROWTH_FROM = re.compile(r"[^.;]{0,40}?\b(?:from|since|over|compared with|compared to)\b[^.;\d]{0,25}$", re.IGNORECASE)


def earlier_level(question: str, claims: list[VerifiedClaim]) -> CalculationResult | None:
    """The asked period's level, from another period's level and the multiple it grew by since the asked one
    (a question may name the later period too: "going by the 2025 plan, how much in 2024?")."""
    asked = _distinct([m.period for m in find_periods(question) if m.period.kind is not PeriodKind.VERSION])
    if not asked:
        return None
    expected = expected_kind(question)
    for claim in claims:
        numbers = figures_of(claim)
        quote = claim.spans[0].quote if claim.spans else ""
        multiples = [
            n for n in numbers
            if n.quantity.unit == MULTIPLIER and n.quantity.value > 1 and any(_grows_from(n, quote, a) for a in asked)
        ]
        levels = [
            n for n in numbers
            if n.quantity.unit not in {MULTIPLIER, PERCENT, YEAR} and not states_change(n)
            and (expected is None or expected.fits(n.quantity, quote))
        ]
        if len(multiples) == 1 and len({(n.quantity.value, n.quantity.unit) for n in levels}) == 1:
            result = combine("divide", levels[0], multiples[0])
            return result if isinstance(result, CalculationResult) else None
    return None


def _grows_from(multiple: CheckedNumber, quote: str, asked: Period) -> bool:
    """Whether the quote writes the multiple as growth from the asked period ("twofold increase from 2024")."""
    at = quote.find(multiple.quantity.text)
    if at < 0:
        return False
    end = at + len(multiple.quantity.text)
    for mention in find_periods(quote):
        if mention.start >= end and _GROWTH_FROM.match(quote[end : mention.start]) and mention.period.matches(asked):
            return True
    return False


def _dated(number: CheckedNumber, document_periods: Callable[[str], list[Period]]) -> list[Period]:
    """The period its quote names nearest the figure; a quote that names none, its document's one period."""
    span = number.spans[0]
    at = span.quote.find(number.quantity.text)
    mentions = [m for m in find_periods(span.quote) if m.period.kind is not PeriodKind.VERSION]
    if at < 0 or not mentions:
        periods = document_periods(span.source)
        return periods if len(periods) == 1 else []
    end = at + len(number.quantity.text)
    nearest = min(mentions, key=lambda m: m.start - end if m.start >= end else max(0, at - m.end))
    return [nearest.period]


def _distinct(periods: list[Period]) -> list[Period]:
    return list(dict.fromkeys(periods))
