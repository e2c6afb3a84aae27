"""Check each proposed claim against the passages; do the arithmetic the model must not do.

A claim survives only if
- it cites a passage that was retrieved,
- every number in it is found (same value and unit, after normalising scale and
  currency) in a retrieved passage of the cited document, or is the result of a
  calculation this module did on figures it found in passages, and
- most of its content words occur in the cited passage (a cheap guard against
  statements that borrow a real number for an invented fact).
The quote for a citation is chosen by code: the sentences of the passage that
contain the claim's numbers (or share the most words with it), so every quote
is an exact span of the source file by construction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from rag import brackets
from rag.answering.reply import Calculation, ProposedClaim
from rag.chunking import sentence_spans
from rag.numbers import (
    DURATION,
    MULTIPLIER,
    PERCENT,
    YEAR,
    Quantity,
    TableScale,
    format_quantity,
    is_count,
    is_currency,
    parse_quantities,
    same_quantity,
    scale_word,
    table_figure_supports,
    table_scale,
)
from rag.answering.words import COMPARISON_WORDS, stem
from rag.periods import non_figure_spans
from rag.store.lexical import tokenize
from rag.types import DroppedClaim, Passage, RejectionKind, Span

_WORD_RUN = re.compile(r"(?:[^\S\n]*,?[^\S\n]*[A-Za-z][A-Za-z-]*){1,3}")  # up to three words after a figure, no digits
_NEGATIVE_WORDING = re.compile(
    r"\b(loss|losses|lost|deficit|decrease[sd]?|decline[sd]?|fell|fall|dropped|drop|negative|outflow|shortfall|lower|down)\b",
    re.IGNORECASE,
)
MIN_WORD_SUPPORT = 0.5  # share of a claim's content words that must occur in its passage(s)
DERIVED_TOLERANCE = 0.01  # a model-written result within 1% of the code's result counts as that result
# Quoted figures must match exactly (the model is told to copy them): a tolerance would let
# 2013 pass for 2012 or 100,400 for 100,000. The float epsilon only absorbs "5.50" vs "5.5".
EXACT = 1e-9
_CLAUSE_JOIN = re.compile(r",\s+and\s+|;\s+")  # where a sentence joins two clauses that each can stand alone
_SENTENCE_GAP = re.compile(r"(?<=[.!?])\s+(?=\S)")  # where one sentence of a statement ends and another begins
_OWN_CLAUSE = re.compile(r"(?:[^\W\d]+\W+){2}")  # a clause with words of its own before any figure
_BARE_FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?")  # "102.1", "1,577": digits without sign or scale


@dataclass(frozen=True)
class CheckedNumber:
    quantity: Quantity
    spans: list[Span]  # where it was found; for a derived number, its operands' spans
    derived: str | None = None


@dataclass
class VerifiedClaim:
    statement: str
    spans: list[Span]  # what the claim cites, first the main quote
    numbers: list[CheckedNumber] = field(default_factory=list)
    repairs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CalculationResult:
    """A figure computed by code from two quoted operands."""

    value: Quantity  # the result, with `text` as code formats it
    first: CheckedNumber
    second: CheckedNumber
    expression: str  # human-readable: "$12 billion - $5.5 billion"
    operation: str  # one of the prompt's OPERATIONS: "difference", "percent_of", ...


def find_in_passage(quantity: Quantity, passage: Passage) -> Span | None:
    """The sentence(s) of `passage` that state `quantity`, as an exact document span.

    A table passage's figures are read with its units line ("(in millions)", in
    `Chunk.context`), so "1,577" there backs "$1,577 million" and not "$1,577".
    """
    found = stated_in(quantity, passage.chunk.text, table_scale(passage.chunk.context))
    return sentence_span(passage, found.start, found.end) if found else None


def stated_in(quantity: Quantity, text: str, table: TableScale | None = None) -> Quantity | None:
    """Where `text` states `quantity` (same value and unit, or the same bare count), or None."""
    for found in parse_quantities(text, table):
        if table_figure_supports(found, quantity, table, EXACT) or _same_count(found, quantity):
            return found
        if _counted_after(found, quantity, text):
            return found
    return None


def _counted_after(found: Quantity, wanted: Quantity, text: str) -> bool:
    """A count whose noun follows a few describing words: "30 numeric, predictive attributes" states
    "30 attributes". No other number may come between ("5 trucks carrying 200 boxes" is not 5 boxes)."""
    same_value = abs(found.value - wanted.value) <= EXACT * max(abs(wanted.value), 1e-9)
    if not (wanted.unit and is_count(found) and is_count(wanted) and same_value):
        return False
    following = _WORD_RUN.match(text, found.end)
    noun = stem(wanted.unit.lower())
    return following is not None and any(stem(word.lower()) == noun for word in re.findall(r"[A-Za-z]+", following.group()))


def _same_count(a: Quantity, b: Quantity) -> bool:
    """A bare number and a count of the same value. The counted noun is only the next word,
    which may be something else ("the Siyuan 370 offers" against "Siyuan 370 | 256 TOPS"), and
    so may a year's ("Arrests by Race: 2009 represents" against the caption "Arrests by Race: 2009")."""
    a, b = (replace(q, unit="") if q.unit == YEAR else q for q in (a, b))
    return (
        is_count(a) and is_count(b) and not (a.unit and b.unit)
        and abs(a.value - b.value) <= EXACT * max(abs(a.value), 1e-9)
    )


def sentence_span(passage: Passage, start: int, end: int) -> Span:
    """Grow [start, end) (offsets in the chunk text) to whole sentences; map to the document."""
    chunk = passage.chunk
    sentences = sentence_spans(chunk.text)
    first = next((s for s in sentences if s.start <= start < s.end), None)
    last = next((s for s in sentences if s.start < end <= s.end), None)
    begin = first.start if first else start
    finish = last.end if last else end
    return passage_span(passage, begin, finish)


def passage_span(passage: Passage, begin: int, finish: int) -> Span:
    """text[begin:finish] of `passage` (offsets in its chunk text) as an exact span of its document."""
    chunk = passage.chunk
    line_start = chunk.line_start + chunk.text.count("\n", 0, begin)
    line_end = line_start + chunk.text.count("\n", begin, finish)
    return Span(
        chunk.source, chunk.start + begin, chunk.start + finish, line_start, line_end, chunk.text[begin:finish], chunk.page
    )


def quoted_claim(span: Span) -> VerifiedClaim:
    """A source's own sentence (or field line) as a claim: each of its figures cited to it."""
    return VerifiedClaim(span.quote, [span], [CheckedNumber(q, [span]) for q in parse_quantities(span.quote)])


def same_figure(a: Quantity, b: Quantity) -> bool:
    """The same value in the same unit."""
    return a.unit == b.unit and abs(a.value - b.value) <= EXACT * max(abs(b.value), 1e-9)


def bracket_row(quantity: Quantity, passage: Passage) -> Span | None:
    """The narrowest bracket row of `passage` that holds `quantity`, as a span of its document."""
    row = brackets.row_of(quantity, passage.chunk.text)
    return passage_span(passage, *row) if row else None


def _locate(quantity: Quantity, preferred: Passage, passages: list[Passage]) -> Span | None:
    """Find a number in the preferred passage, else in another retrieved passage of the same document."""
    span = find_in_passage(quantity, preferred)
    if span:
        return span
    for other in passages:
        if other is not preferred and other.chunk.source == preferred.chunk.source:
            span = find_in_passage(quantity, other)
            if span:
                return span
    return None


def _cited_together(numbers: list[CheckedNumber]) -> list[CheckedNumber]:
    """A figure that the sentence of another of the claim's figures states too is cited there: the
    "18" of "Female Under 18 years: 2.7" is the row's that holds 2.7, not the first row with that header."""
    for index, number in enumerate(numbers):
        if number.derived is not None:
            continue
        [own] = number.spans
        home = next(
            (
                other.spans[0] for other in numbers
                if other.derived is None and other.spans[0] != own and other.spans[0].source == own.source
                and stated_in(number.quantity, other.spans[0].quote)
            ),
            None,
        )
        if home is not None:
            numbers[index] = replace(number, spans=[home])
    return numbers


def verify_claim(
    claim: ProposedClaim,
    passages: list[Passage],
    calculation: CalculationResult | None = None,
    given: Sequence[Quantity] = (),
    named: Sequence[Quantity] = (),
) -> VerifiedClaim | DroppedClaim:
    """Accept, repair (re-cite to the passage that holds its numbers) or reject one claim.

    `given`: the question's figures. A claim may repeat one that a bracket row of its passage
    holds ("for taxable income of $60,425, the tax is 11,530" from "60,400 60,450 11,530"):
    the row, not a sentence stating the figure, is its evidence. `named`: the numbers the question
    writes in names, references and periods ("Table 325", `gate.named_numbers`); a claim may restate one
    there with no evidence.
    """
    if not 1 <= claim.passage <= len(passages):
        return DroppedClaim(claim.statement, RejectionKind.UNKNOWN_PASSAGE, f"cites passage [{claim.passage}], which was not retrieved")
    result = _verify_whole(claim, passages, calculation, given, named)
    if isinstance(result, VerifiedClaim) or result.kind is not RejectionKind.NUMBER_NOT_IN_PASSAGE:
        return result
    # A sentence that joins clauses ("... 61,999 enlisted men, and new regiments of 33,050 ...") keeps the
    # clauses before the one whose figure no passage states, when they hold a figure of their own; a
    # statement of several sentences (a worksheet's line copied on: "$8,950 ... 2. 3. Standard deduction.")
    # keeps the sentences before it.
    cuts = [(join.start(), join.end(), True) for join in _CLAUSE_JOIN.finditer(claim.statement)]
    cuts += [(end.start(), end.end(), False) for end in _SENTENCE_GAP.finditer(claim.statement)]
    for cut, resume, is_clause in sorted(cuts, reverse=True):
        if is_clause and not _OWN_CLAUSE.match(claim.statement, resume):
            continue  # ", and $7 million" ends a list: leaving it out would change what the sentence counts
        head = claim.statement[:cut].rstrip().rstrip(".") + "."
        if not parse_quantities(head):
            break
        kept = _verify_whole(replace(claim, statement=head), passages, calculation, given, named)
        if isinstance(kept, VerifiedClaim):
            kept.repairs.append(f"left out '{claim.statement[cut:].strip(' ,;')}': {result.reason}")
            return kept
    return result


def _verify_whole(
    claim: ProposedClaim,
    passages: list[Passage],
    calculation: CalculationResult | None,
    given: Sequence[Quantity],
    named: Sequence[Quantity],
) -> VerifiedClaim | DroppedClaim:
    quantities = parse_quantities(claim.statement)
    cited = passages[claim.passage - 1]
    result = _check_numbers(claim.statement, quantities, cited, passages, calculation, given, named)
    if isinstance(result, DroppedClaim):
        # Repair: the model may have named the wrong passage; accept another that holds every number.
        for index, other in enumerate(passages, start=1):
            if other is cited or other.chunk.source == cited.chunk.source:
                continue
            retry = _check_numbers(claim.statement, quantities, other, passages, calculation, given, named)
            if isinstance(retry, VerifiedClaim):
                retry.repairs.append(f"re-cited from passage [{claim.passage}] to [{index}], which states its figures")
                return retry
        return result
    return result


def _check_numbers(
    statement: str,
    quantities: list[Quantity],
    cited: Passage,
    passages: list[Passage],
    calculation: CalculationResult | None,
    given: Sequence[Quantity],
    named: Sequence[Quantity],
) -> VerifiedClaim | DroppedClaim:
    original = statement
    numbers: list[CheckedNumber] = []
    rescaled: list[str] = []
    for quantity in quantities:
        shift = len(statement) - len(original)  # scale words written in before this figure
        quantity = replace(quantity, start=quantity.start + shift, end=quantity.end + shift)
        span = _locate(quantity, cited, passages)
        if span is None and (under := _under_units_line(quantity, cited, passages)):
            statement = statement[: quantity.start] + under[0].text + statement[quantity.end :]
            rescaled.append(f"'{quantity.text}' is written '{under[0].text}', as its table's units line reads it")
            quantity, span = under
        if span is None and any(n.value == quantity.value for n in named) and _in_name(quantity, original, shift):
            continue  # the question's own reference ("in Table 325"), restated: it names, it states no figure
        if span is None and any(same_figure(quantity, figure) for figure in given):
            span = bracket_row(quantity, cited)
        if span is None and quantity.value > 0 and _NEGATIVE_WORDING.search(statement):
            # "a loss of $370 million" restates "(370)": the wording carries the sign.
            span = _locate(replace(quantity, value=-quantity.value), cited, passages)
        if span:
            numbers.append(CheckedNumber(quantity, [span]))
        elif calculation and _matches(quantity, calculation.value):
            numbers.append(
                CheckedNumber(quantity, calculation.first.spans + calculation.second.spans, calculation.expression)
            )
        else:
            return DroppedClaim(statement, RejectionKind.NUMBER_NOT_IN_PASSAGE, f"'{quantity.text}' is not in the cited passage")
    numbers = _cited_together(numbers)
    spans = unique_spans([s for n in numbers for s in n.spans]) or [_best_sentence(statement, cited)]
    cited_sources = {cited.chunk.source} | {s.source for s in spans}
    # A passage's words include what frames it: its document's title and subject, a table's caption and headers.
    cited_text = " ".join(
        f"{p.chunk.title} {p.chunk.about} {p.chunk.context} {p.chunk.text}" for p in passages if p.chunk.source in cited_sources
    )
    if _word_support(statement, cited_text) < MIN_WORD_SUPPORT:
        return DroppedClaim(statement, RejectionKind.WORDS_NOT_IN_PASSAGE, "most of its words are not in the cited passage")
    return VerifiedClaim(statement, spans, numbers, repairs=rescaled)


def _in_name(quantity: Quantity, statement: str, shift: int) -> bool:
    """Whether `quantity` (offsets shifted by `shift` from `statement`'s) is part of a name, a reference or a period there."""
    start = quantity.start - shift
    return any(begin <= start < end for begin, end in non_figure_spans(statement))


def _under_units_line(quantity: Quantity, cited: Passage, passages: list[Passage]) -> tuple[Quantity, Span] | None:
    """A bare figure copied from a table cell without the scale of the table's units line ("102.1"
    under "[In thousands"): the figure as the table states it ("102.1 thousand") and where, so the
    claim says what the source says. A currency figure is not rescaled: "$1,577" is refused
    under "(Millions)", as it states an amount a million times smaller."""
    digits = _BARE_FIGURE.match(quantity.text)
    if not (digits and is_count(quantity)) or [q.value for q in parse_quantities(digits.group())] != [quantity.value]:
        return None  # a currency, percentage or measure, or a figure already written with a scale
    for passage in [cited] + [p for p in passages if p is not cited and p.chunk.source == cited.chunk.source]:
        table = table_scale(passage.chunk.context)
        word = scale_word(table.multiplier) if table and not table.currency else None
        if word is None:
            continue
        text = f"{quantity.text[: digits.end()]} {word}{quantity.text[digits.end() :]}"
        written = replace(quantity, text=text, end=quantity.start + len(text), value=quantity.value * table.multiplier)
        span = find_in_passage(written, passage)
        if span:
            return written, span
    return None


def _matches(quantity: Quantity, result: Quantity) -> bool:
    if quantity.unit != result.unit:
        return False
    return abs(quantity.value - result.value) <= DERIVED_TOLERANCE * max(abs(result.value), 1e-9)


def _word_support(statement: str, passage_text: str) -> float:
    """Share of the statement's content words found in the passages, compared by 5-letter stem.

    Numbers are left out (they are checked exactly, elsewhere), and so are words that
    phrase a comparison or a sign ("more", "loss"), which a statement about a computed or
    negative figure adds on its own.
    """
    words = {
        stem(w) for w in tokenize(statement)
        if w.isalpha() and w not in COMPARISON_WORDS and not _NEGATIVE_WORDING.fullmatch(w)
    }
    if not words:
        return 1.0
    available = {stem(w) for w in tokenize(passage_text)}
    return len(words & available) / len(words)


def _best_sentence(statement: str, passage: Passage) -> Span:
    words = set(tokenize(statement))
    sentences = sentence_spans(passage.chunk.text)
    best = max(sentences, key=lambda s: len(words & set(tokenize(passage.chunk.text[s.start : s.end]))))
    return passage_span(passage, best.start, best.end)


def unique_spans(spans: list[Span]) -> list[Span]:
    """`spans` without repeats, in order."""
    seen: dict[tuple[str, int, int], Span] = {}
    for span in spans:
        seen.setdefault((span.source, span.start, span.end), span)
    return list(seen.values())


def calculate(calculation: Calculation, passages: list[Passage]) -> CalculationResult | DroppedClaim:
    """Do the requested arithmetic on two figures, each of which must be found in its passage."""
    operands: list[CheckedNumber] = []
    for text, index in ((calculation.first, calculation.first_passage), (calculation.second, calculation.second_passage)):
        # An operand copied from a table cell ("1,577") takes its table's units line ("(Millions)").
        table = table_scale(passages[index - 1].chunk.context) if 1 <= index <= len(passages) else None
        parsed = parse_quantities(text, table)
        if not parsed or not 1 <= index <= len(passages):
            return DroppedClaim(text, RejectionKind.BAD_CALCULATION, "calculation operand is not a figure from a retrieved passage")
        quantity = parsed[0]
        span = _locate(quantity, passages[index - 1], passages) or next(
            (s for p in passages if (s := find_in_passage(quantity, p))), None
        )
        if span is None and (stated := _with_its_unit(quantity, passages[index - 1], passages)):
            quantity, span = stated
        if span is None:
            return DroppedClaim(text, RejectionKind.BAD_CALCULATION, "calculation operand is not in any retrieved passage")
        operands.append(CheckedNumber(quantity, [span]))
    first, second = operands
    return combine(calculation.operation, first, second)


def _with_its_unit(quantity: Quantity, cited: Passage, passages: list[Passage]) -> tuple[Quantity, Span] | None:
    """A bare operand ("6.8B") as its passage states it ("USD 6.8 billion") and where: the one figure of
    that value the cited passage (else another of its document) writes with a unit. None when there is
    none, or when two units give that value (which one was meant is not known)."""
    if quantity.unit:
        return None
    for passage in [cited] + [p for p in passages if p is not cited and p.chunk.source == cited.chunk.source]:
        found = [
            q for q in parse_quantities(passage.chunk.text, table_scale(passage.chunk.context))
            if q.unit and abs(q.value - quantity.value) <= EXACT * max(abs(quantity.value), 1e-9)
        ]
        if len({q.unit for q in found}) == 1:
            span = find_in_passage(found[0], passage)
            return (found[0], span) if span else None
    return None


def combine(operation: str, first: CheckedNumber, second: CheckedNumber) -> CalculationResult | DroppedClaim:
    """The arithmetic on two located figures, written out as code did it."""
    if same_quantity(first.quantity, second.quantity, rel_tol=EXACT):
        # A small model fills the second operand with the first figure again; "x - x = 0" answers nothing.
        return DroppedClaim(f"{operation}({first.quantity.text}, {second.quantity.text})",
                         RejectionKind.BAD_CALCULATION, "calculation uses the same figure twice")
    value = _apply(operation, first.quantity, second.quantity)
    if isinstance(value, str):
        return DroppedClaim(
            f"{operation}({first.quantity.text}, {second.quantity.text})", RejectionKind.BAD_CALCULATION, value
        )
    number, unit = value
    text = format_quantity(number, unit)
    symbol = {
        "difference": "-", "sum": "+", "ratio": "/", "percent_of": "as a share of", "percent_change": "change to",
        "multiply": "×", "divide": "/",
    }[operation]
    expression = (
        f"{second.quantity.text} {symbol} {first.quantity.text}"
        if operation == "percent_change"
        else f"{first.quantity.text} {symbol} {second.quantity.text}"
    )
    result = Quantity(text=text, start=0, end=len(text), value=number, unit=unit, approx=False)
    return CalculationResult(result, first, second, expression, operation)


def _apply(operation: str, a: Quantity, b: Quantity) -> tuple[float, str] | str:
    """The arithmetic itself, where the units allow it. Returns an error text on misuse.

    Sums and differences need one unit; ratios and shares compare two figures of one unit. A
    product scales an amount by a percentage or a multiple (60% of 40 billion yuan is yuan); a
    quotient splits an amount by a multiple, or money or a count by a count ($14 billion over two
    million units is dollars a unit). A year or a share is never scaled or split.
    """
    if operation in {"difference", "sum"}:
        if a.unit != b.unit:
            return f"cannot {'subtract' if operation == 'difference' else 'add'} {a.unit or 'a count'} and {b.unit or 'a count'}"
        return (abs(a.value - b.value) if operation == "difference" else a.value + b.value), a.unit
    if operation == "multiply":
        return _scaled_by(a, b) or _scaled_by(b, a) or f"cannot multiply {a.unit or 'a count'} by {b.unit or 'a count'}"
    if b.value == 0:
        return "division by zero"
    if operation == "divide":
        return _split_by(a, b) or f"cannot split {a.unit or 'a count'} by {b.unit or 'a count'}"
    if a.unit != b.unit:
        return f"cannot compare {a.unit or 'a count'} with {b.unit or 'a count'}"
    if operation == "ratio":
        return a.value / b.value, MULTIPLIER
    if operation == "percent_of":
        return a.value / b.value * 100, "%"
    return (a.value - b.value) / b.value * 100, "%"


_NOT_SCALED = frozenset({YEAR, DURATION, PERCENT, MULTIPLIER})  # a date, a share or a multiple is no amount


def _scaled_by(amount: Quantity, factor: Quantity) -> tuple[float, str] | None:
    """`amount` times `factor`, a percentage or a multiple, in the amount's unit; None otherwise."""
    if amount.unit in _NOT_SCALED or factor.unit not in {PERCENT, MULTIPLIER}:
        return None
    return amount.value * (factor.value / 100 if factor.unit == PERCENT else factor.value), amount.unit


def _split_by(amount: Quantity, divisor: Quantity) -> tuple[float, str] | None:
    """`amount` over `divisor`: any amount by a multiple, money or a count by a count; None otherwise."""
    if amount.unit in _NOT_SCALED:
        return None
    if amount.unit and amount.unit == divisor.unit:
        return amount.value / divisor.value, MULTIPLIER  # units over units: how many times, not units each
    if divisor.unit == MULTIPLIER or (is_count(divisor) and (is_count(amount) or is_currency(amount.unit))):
        return amount.value / divisor.value, amount.unit
    return None
