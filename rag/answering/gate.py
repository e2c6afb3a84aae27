"""The claim gate: every rule a claim must pass before it is shown, in one place.

A claim the model proposes is checked in this order, and the first rule it fails
names the `RejectionKind` recorded in the answer's `dropped`:

1. evidence (`verify.verify_claim`): it cites a retrieved passage, every figure in
   it is stated there (or computed by code), and most of its words occur there;
2. no figure of it rests on a sentence addressed to an AI ("ignore previous
   instructions ..."): documents are data, and such a sentence is not evidence;
3. it answers the question: a figure question gets a figure, of the kind or unit
   asked for; the claim is about as relevant to the question as the passages are;
4. it is about the period and subject the question names (`scope.Scope`).

The gate holds no model: relevance is a function handed in, so the rules can be
tested with invented sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answering.expected import asks_for_figure, expected_kind, is_figure
from rag.answering.reply import ProposedClaim
from rag.answering.scope import Scope
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, find_in_passage, verify_claim
from rag.answering.words import COMPARISON_WORDS, content_stems, content_words, stem
from rag.injection import overlaps
from rag.numbers import YEAR, Quantity, parse_quantities
from rag.periods import find_periods, name_numbers
from rag.types import DroppedClaim, Passage, RejectionKind, Span

# A claim scoring below this on the relevance scale (0 = as similar to the question as a typical
# passage of the corpus, 1 = as similar as the best retrieved passage) is filler the model added.
# Measured with bench/relevance_calibration.py: sentences that state a gold figure score 0.65 and up
# (2nd percentile) on long prose, but down to -0.68 on field lists, which embed far from any question;
# a claim less similar to the question than the corpus's average chunk is the one thing all suites agree
# is off the question. The kind-of-figure rules carry the rest.
MIN_CLAIM_RELEVANCE = 0.0


@dataclass(frozen=True)
class Evidence:
    """What the gate knows of the corpus beyond the passages: sentences that are not evidence."""

    instructions: dict[str, list[tuple[int, int]]]  # source -> spans of sentences addressed to an AI

    def rests_on_instruction(self, span: Span) -> bool:
        return overlaps(self.instructions.get(span.source, []), span.start, span.end)


class ClaimGate:
    """Checks claims for one question against its passages; returns a VerifiedClaim or a DroppedClaim."""

    def __init__(
        self,
        question: str,
        passages: list[Passage],
        *,
        relevance: Callable[[str], float],
        scope: Scope,
        evidence: Evidence,
    ) -> None:
        self.question = question
        self.passages = passages
        self.relevance = relevance
        self.scope = scope
        self.evidence = evidence
        self.expected = expected_kind(question)
        self.wants_figure = asks_for_figure(question) or self.expected is not None

    def check(self, claim: ProposedClaim, calculation: CalculationResult | None = None) -> VerifiedClaim | DroppedClaim:
        result = verify_claim(claim, self.passages, calculation)
        if isinstance(result, DroppedClaim):
            return result
        for rule in (self._evidence, self._answers_question, self._in_scope):
            refusal = rule(result)
            if refusal:
                kind, reason = refusal
                return DroppedClaim(result.statement, kind, reason)
        return result

    def check_calculation(self, calculation: CalculationResult) -> DroppedClaim | None:
        """A calculation must combine the two things the question compares, each from evidence."""
        for operand in (calculation.first, calculation.second):
            if any(self.evidence.rests_on_instruction(span) for span in operand.spans):
                return DroppedClaim(calculation.expression, RejectionKind.INSTRUCTION, _INSTRUCTION_REASON)
        mismatch = operands_mismatch(self.question, calculation.first, calculation.second)
        if mismatch:
            return DroppedClaim(calculation.expression, RejectionKind.WRONG_OPERANDS, mismatch)
        return None

    # -- the rules: each returns (kind, reason) when the claim fails it ---------------------------

    def _evidence(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        if any(self.evidence.rests_on_instruction(span) for span in claim.spans):
            return RejectionKind.INSTRUCTION, _INSTRUCTION_REASON
        return None

    def _answers_question(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        figures = [n for n in claim.numbers if is_figure(n.quantity, self.question)]
        if self.wants_figure and not figures:
            return RejectionKind.NO_FIGURE, "the question asks for a figure and the claim gives none"
        if self.expected and not any(self.expected.satisfied_by(n.quantity) for n in figures):
            return RejectionKind.WRONG_KIND, f"gives no figure of the kind asked for ({self.expected.description})"
        score = self.relevance(claim.statement)
        if score < MIN_CLAIM_RELEVANCE:
            return RejectionKind.OFF_QUESTION, f"off the question (relevance {score:.2f})"
        return None

    def _in_scope(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        return self.scope.refusal(claim, self.passages)


_INSTRUCTION_REASON = "rests on a sentence addressed to an AI, which is not evidence"
_REFERENCE = re.compile(
    r"\b(?:table|figure|fig|page|pages|p|section|chapter|appendix|note|item|step|line|lines|part|schedule|form)"
    r"\.?[^\S\n]+\d+[a-z]?\b",
    re.IGNORECASE,
)


def absent_premises(question: str, passages: list[Passage]) -> list[Quantity]:
    """Figures of the question that no retrieved passage states: a false premise, named at the end of the answer.

    Periods are the scope's business (`scope.py`), and a number inside a name
    ("Windows 11", "Top 500", "COVID-19") or a reference to a part of a document
    ("Table 324", "line 40", "page 12") is no figure at all.
    """
    not_figures = (
        [(m.start, m.end) for m in find_periods(question)]
        + [(n.start, n.end) for n in name_numbers(question)]
        + [m.span() for m in _REFERENCE.finditer(question)]
    )
    return [
        q for q in parse_quantities(question)
        if q.unit != YEAR
        and not any(start < q.end and q.start < end for start, end in not_figures)
        and not any(find_in_passage(q, p) for p in passages)
    ]

# "How many more A than B", "difference between A and B", "A compared with B": the two sides compared.
_MORE_THAN = re.compile(
    r"\b(?:more|less|fewer|larger|smaller|bigger|higher|lower|greater)\b(?P<a>.+?)\bthan\b(?P<b>.+)", re.IGNORECASE
)
_BETWEEN = re.compile(r"\bbetween\b(?P<a>.+?)\band\b(?P<b>.+)", re.IGNORECASE)
_COMPARED = re.compile(r"(?P<a>.+?)\b(?:compared (?:with|to)|versus|vs\.?)\b(?P<b>.+)", re.IGNORECASE)
_CONTEXT_CHARS = 80  # how far around an operand its own words are looked for
_SIDE_WORDS = 2  # content words just before "than" that name the first side compared
_COMPARISON_STEMS = frozenset(stem(w) for w in COMPARISON_WORDS)


def operands_mismatch(question: str, first: CheckedNumber, second: CheckedNumber) -> str | None:
    """Why two operands are not the two sides the question compares, or None when they are (or it cannot tell).

    Each side's own words (those the other side does not share) must occur near the
    operand matched to it. "How many more A than B?" computed as total - B fails:
    the total's words are not A's. A side is read as the words next to the comparison
    ("more revenue came from <hardware> than <from services>"): the words further off
    name what is measured, which both operands share.
    """
    sides = _compared_sides(question)
    if sides is None:
        return None
    side_a, side_b = sides
    only_a, only_b = side_a - side_b, side_b - side_a
    if not only_a or not only_b:
        return None
    near_first, near_second = _words_near(first), _words_near(second)
    straight = bool(only_a & near_first) and bool(only_b & near_second)
    crossed = bool(only_a & near_second) and bool(only_b & near_first)
    if straight or crossed:
        return None
    return (
        f"the operands {first.quantity.text} and {second.quantity.text} are not the two things the question "
        f"compares ({' '.join(sorted(only_a))} / {' '.join(sorted(only_b))})"
    )


def _compared_sides(question: str) -> tuple[set[str], set[str]] | None:
    for pattern in (_MORE_THAN, _BETWEEN, _COMPARED):
        match = pattern.search(question)
        if match:
            first = [w for w in content_words(match.group("a")) if w not in _COMPARISON_STEMS]
            return set(first[-_SIDE_WORDS:]), _stems(match.group("b"))
    return None


def _words_near(number: CheckedNumber) -> set[str]:
    """The words of an operand's quote around its figure."""
    span = number.spans[0]
    quote = span.quote
    at = quote.find(number.quantity.text)
    if at < 0:
        return _stems(quote)
    return _stems(quote[max(0, at - _CONTEXT_CHARS) : at + len(number.quantity.text) + _CONTEXT_CHARS])


def _stems(text: str) -> set[str]:
    return content_stems(text) - _COMPARISON_STEMS
