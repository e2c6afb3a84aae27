"""The claim gate: every rule a claim must pass before it is shown, in one place.

A claim the model proposes is checked in this order, and the first rule it fails
names the `RejectionKind` recorded in the answer's `dropped`:

1. evidence (`verify.verify_claim`): it cites a retrieved passage, every figure in
   it is stated there (or computed by code), and most of its words occur there;
2. no figure of it rests on a sentence addressed to an AI ("ignore previous
   instructions ..."): documents are data, and such a sentence is not evidence;
3. it answers the question: a figure question gets a figure, of the kind or unit
   asked for, and from the table column the question names ("the mean", not the
   minimum beside it); the claim is about as relevant to the question as the passages are (a
   figure alone that copies the opening of a passage cut mid-sentence is first made its whole
   sentence, quoted from a read passage that holds it);
4. it is about the period and subject the question names (`scope.Scope`);
5. when its figure's own sentence does not name what the question measures and the read
   chunks label exactly one other figure so (`measured.py`), that figure's sentence is
   quoted instead, once it passes rules 2-4.

The gate holds no model: relevance is a function handed in, so the rules can be
tested with invented sentences.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher

from rag import brackets
from rag.answering.columns import column_of, table_header, table_of, tables_named
from rag.answering.compare import operands_mismatch, share_over_whole
from rag.answering.conflicts import asks_for_estimate, is_estimate
from rag.answering.expected import asks_for_figure, expected_kind, figure_test
from rag.answering.measured import better_labelled
from rag.answering.reply import ProposedClaim
from rag.answering.scope import Scope
from rag.answering.spread import asks_range, range_mismatch
from rag.answering.verify import (
    CalculationResult,
    CheckedNumber,
    VerifiedClaim,
    bracket_row,
    find_in_passage,
    passage_span,
    quoted_claim,
    same_figure,
    verify_claim,
)
from rag.answering.words import GENERIC_FIGURE_STEMS, content_stems
from rag.chunking import sentence_spans
from rag.formats.tables import CELL_SEPARATOR
from rag.injection import overlaps
from rag.numbers import YEAR, Quantity, parse_quantities
from rag.periods import non_figure_spans, periods_in
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
        pool: list[Passage] | None = None,
    ) -> None:
        self.question = question
        self.passages = passages
        self.pool = pool if pool is not None else passages  # the read passages, whole: where a better-labelled figure is looked for
        self._read = [*passages, *self.pool]  # as shown (perhaps narrowed) and whole
        self.relevance = relevance
        self.scope = scope
        self.evidence = evidence
        self.expected = expected_kind(question)
        self.wants_figure = asks_for_figure(question) or self.expected is not None
        self._question_stems = content_stems(question)  # what a named table column is matched against
        self._given = premise_figures(question)
        self._named = named_numbers(question)
        self._tables = tables_named(question)
        self._lookup_rows = _lookup_rows(self._given, passages)

    def over(self, passages: list[Passage]) -> ClaimGate:
        """The same rules for claims that cite `passages` (numbered as the model was shown them)."""
        return ClaimGate(
            self.question, passages, relevance=self.relevance, scope=self.scope, evidence=self.evidence, pool=self.pool
        )

    def could_answer(self, passage: Passage) -> bool:
        """Whether `passage` states a figure of the kind the question asks for."""
        text = passage.chunk.text
        is_figure = figure_test(self.question, text)
        figures = [q for q in parse_quantities(text) if is_figure(q)]
        return bool(figures) and (self.expected is None or any(self.expected.satisfied_by(q) for q in figures))

    def check(self, claim: ProposedClaim, calculation: CalculationResult | None = None) -> VerifiedClaim | DroppedClaim:
        result = verify_claim(claim, self.passages, calculation, self._given, self._named)
        if isinstance(result, DroppedClaim):
            return result
        return self.admit(result)

    def admit(self, claim: VerifiedClaim) -> VerifiedClaim | DroppedClaim:
        """Rules 2-4, for a claim whose evidence is already traced: one the model proposed and
        `verify_claim` checked, or one code composed from a passage's own figures (a table lookup)."""
        if whole := self._sentence_cut_at_chunk_start(claim):
            claim = whole
        refused = self._refusal(claim)
        if refused:
            return refused
        # A figure the source labels as something else than the question measures gives way to the one it
        # labels so, when that one passes the same rules.
        better = [(q, c) for q, c in better_labelled(self.question, claim, self.pool, self.expected) if not self._refusal(c)]
        if len({(q.value, q.unit) for q, _ in better}) > 1 and not asks_for_estimate(self.question):
            # "the expenditures were $700 million", and "the expenditures will aggregate $600 million" as an
            # estimate for the next year: a question that asks for no estimate asks for what was reported.
            better = [(q, c) for q, c in better if not any(is_estimate(n) for n in c.numbers if same_figure(n.quantity, q))]
        if len({(q.value, q.unit) for q, _ in better}) != 1:
            return claim
        _, quoted = better[0]
        quoted.repairs.append(
            f"'{claim.statement}' gives a figure its source does not label as what the question asks for; "
            "quoted the sentence that does"
        )
        return quoted

    def _sentence_cut_at_chunk_start(self, claim: VerifiedClaim) -> VerifiedClaim | None:
        """The whole sentence, quoted, of a figure-alone claim ("100 Gbps ethernet.") that copies the opening
        of a read passage: a sentence wrapped before a figure ("may use 10 Gbps or\n100 Gbps ethernet.") can
        be cut there, and a read passage that holds it from its first word gives it whole. None otherwise."""
        if not _bare_figures(claim.statement) or not any(c.isalpha() for c in claim.statement):
            return None
        copied = re.compile(r"\s+".join(re.escape(word) for word in claim.statement.rstrip(" .").split()))
        if not any(copied.match(passage.chunk.text.lstrip()) for passage in self._read):
            return None
        for passage in self._read:
            unwrapped = passage.chunk.text.replace("\n", " ")  # same offsets; a line break inside a sentence is a space
            sentences = sentence_spans(unwrapped)[1:]  # the first may begin before the chunk does
            for found in copied.finditer(unwrapped):
                sentence = next((s for s in sentences if s.start < found.start() and found.end() <= s.end), None)
                if sentence is None:
                    continue
                whole = quoted_claim(passage_span(passage, sentence.start, sentence.end))
                whole.repairs.append(f"'{claim.statement}' ends a sentence wrapped before its figure; quoted the whole sentence")
                return whole
        return None

    def _refusal(self, claim: VerifiedClaim) -> DroppedClaim | None:
        for rule in (self._evidence, self._answers_question, self._in_scope):
            refusal = rule(claim)
            if refusal:
                kind, reason = refusal
                return DroppedClaim(claim.statement, kind, reason)
        return None

    def check_calculation(self, calculation: CalculationResult) -> DroppedClaim | None:
        """A calculation must combine the two things the question compares, each from evidence of the asked scope."""
        for operand in (calculation.first, calculation.second):
            if any(self.evidence.rests_on_instruction(span) for span in operand.spans):
                return DroppedClaim(calculation.expression, RejectionKind.INSTRUCTION, _INSTRUCTION_REASON)
        first, second = calculation.first, calculation.second
        if asks_range(self.question):
            mismatch = range_mismatch(first, second, self.passages)
        else:
            mismatch = operands_mismatch(self.question, first, second) or share_over_whole(self.question, calculation)
        if mismatch:
            return DroppedClaim(calculation.expression, RejectionKind.WRONG_OPERANDS, mismatch)
        operands = [calculation.first, calculation.second]
        out_of_scope = self.scope.refusal(
            VerifiedClaim(calculation.expression, [s for o in operands for s in o.spans], operands), self.passages
        )
        if out_of_scope and out_of_scope[0] is RejectionKind.OTHER_PERIOD and _between_years(calculation):
            out_of_scope = None  # "how many years before 2026": the years named are the operands, not the scope
        if out_of_scope:
            kind, reason = out_of_scope
            return DroppedClaim(calculation.expression, kind, reason)
        return None

    # -- the rules: each returns (kind, reason) when the claim fails it ---------------------------

    def _evidence(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        if any(self.evidence.rests_on_instruction(span) for span in claim.spans):
            return RejectionKind.INSTRUCTION, _INSTRUCTION_REASON
        return None

    def _answers_question(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        if _bare_figures(claim.statement):
            return RejectionKind.NOT_A_SENTENCE, "a figure alone, which does not say what it measures"
        if _is_cell_run(claim.statement):
            return RejectionKind.NOT_A_SENTENCE, "a run of table cells, not a statement"
        if any(_row_unnamed(claim.statement, span.quote) for span in claim.spans):
            return RejectionKind.NOT_A_SENTENCE, "a table cell that does not say which row it is from"
        if any(_copies_header(claim.statement, table_header(span, self.passages)) for span in claim.spans):
            return RejectionKind.NOT_A_SENTENCE, "copies its table's caption and headers, which its quote does not show"
        is_figure = figure_test(self.question, claim.statement)
        figures = [n for n in claim.numbers if is_figure(n.quantity)]
        answering = [n for n in figures if not any(same_figure(n.quantity, g) for g in self._given)]
        if self.wants_figure and not answering:
            # A claim that repeats the question's figures ("fiscal 2012 ended with a surplus, with income of
            # $3.537 trillion") restates its premise; it does not answer.
            given_only = "gives only the question's own figures" if figures else "gives none"
            return RejectionKind.NO_FIGURE, f"the question asks for a figure and the claim {given_only}"
        if self.expected and not any(self.expected.satisfied_by(n.quantity, claim.statement) for n in figures):
            return RejectionKind.WRONG_KIND, f"gives no figure of the kind asked for ({self.expected.description})"
        misplaced = [self._other_column(n) for n in figures]
        if misplaced and all(misplaced):
            return RejectionKind.OTHER_COLUMN, misplaced[0]
        elsewhere = [self._other_table(n) for n in answering]
        if elsewhere and all(elsewhere):
            return RejectionKind.OTHER_TABLE, elsewhere[0]
        if self._lookup_rows and not any(self._in_lookup_row(n) for n in answering):
            row = self._lookup_rows[0]
            return RejectionKind.OTHER_ROW, f"the question's figure falls in the row '{row.quote}', and no figure of the claim is from it"
        # The claim or its evidence: a statement that copies a heading along with the sentence
        # it cites scores low, though the sentence answers the question.
        score = max(self.relevance(text) for text in (claim.statement, *(span.quote for span in claim.spans)))
        if score < MIN_CLAIM_RELEVANCE:
            return RejectionKind.OFF_QUESTION, f"off the question (relevance {score:.2f})"
        return None

    def _other_column(self, number: CheckedNumber) -> str | None:
        """Why a quoted figure is not from the table column the question names ("the mean", not the
        minimum beside it), or None: also for prose, derived figures and period columns (the scope's rule).
        A column is named by its distinguishing words: "male" names "Male Total" ("total" tells no column apart)."""
        if number.derived or not number.spans:
            return None
        span = number.spans[0]
        column = column_of(number.quantity, span.quote, table_header(span, self.passages))
        if column is None or periods_in(column.label):
            return None
        named = [
            label for label in column.labels
            if not periods_in(label) and (stems := content_stems(label) - GENERIC_FIGURE_STEMS) and stems <= self._question_stems
        ]
        if not named or column.label in named:
            return None
        return f"{number.quantity.text} is in the {column.label} column, not {' or '.join(named)}"

    def _other_table(self, number: CheckedNumber) -> str | None:
        """Why a quoted figure is not from the numbered table the question names ("Table 324", not the
        Table 325 set below it on the page), or None: also when the question names none or no caption is in sight."""
        if not self._tables or number.derived or not number.spans:
            return None
        table = table_of(number.spans[0], self._read)
        if table is None or table in self._tables:
            return None
        return f"{number.quantity.text} is from Table {table}, not Table {' or '.join(sorted(self._tables))}"

    def _in_lookup_row(self, number: CheckedNumber) -> bool:
        return number.derived is not None or any(
            span.source == row.source and span.start < row.end and row.start < span.end
            for span in number.spans for row in self._lookup_rows
        )

    def _in_scope(self, claim: VerifiedClaim) -> tuple[RejectionKind, str] | None:
        return self.scope.refusal(claim, self.passages)


_INSTRUCTION_REASON = "rests on a sentence addressed to an AI, which is not evidence"


def _between_years(calculation: CalculationResult) -> bool:
    """A calculation on two years (the time between them)."""
    return calculation.first.quantity.unit == calculation.second.quantity.unit == YEAR


# "the 1893 message": a bare four-digit number of a year's range is a date, never a premise figure.
_YEAR_LIKE = re.compile(r"(?:1[6-9]|20)\d\d(?![\d,.])(?!\s*%)")
# "can one story be labelled with", "one office": a spelled "one" picks out a single thing, it states no figure.
_ONE = re.compile(r"one\b", re.IGNORECASE)
_CELL_RUN_FIGURES = 6  # a statement with this many figures ...
_CELL_RUN_SHARE = 0.4  # ... making up this share of its words is copied table cells
_HEADER_RUN = 6  # this many words in a row of a table's caption and headers is a copied header
_TOKEN = re.compile(r"\S+")
_FIGURE_TOKEN = re.compile(r"^[(\[$€£¥-]*\d[\d,.]*%?[)\]]*[.,;:]?$")


def _is_cell_run(statement: str) -> bool:
    """A small model asked about a table sometimes copies a stretch of its cells as the "statement"
    ("Sample Table 25,250 25,300 25,350 3,001 3,009 ..."): each figure is in the passage, but no
    reader can tell which one answers. A sentence of figures has words between them; the dots that
    lead a row's label to its cells ("Burglary. . . . 1,204 880") are no words."""
    tokens = [token for token in _TOKEN.findall(statement) if any(c.isalnum() for c in token)]
    figures = sum(1 for token in tokens if _FIGURE_TOKEN.match(token))
    return figures >= _CELL_RUN_FIGURES and figures >= _CELL_RUN_SHARE * len(tokens)


def _row_unnamed(statement: str, quote: str) -> bool:
    """A cell copied from a row of headed cells ("Offense: Burglary | Adults: 180.6 | Minors: 60.3")
    without the row's name ("Adults: 180.6"): every row has an "Adults" cell, so the statement
    does not say which one it gives. A field on its own line ("Number of rooms: 340") is no such row."""
    names = [_row_name(line.split(CELL_SEPARATOR)) for line in quote.splitlines() if line.count(CELL_SEPARATOR) >= 2]
    said = content_stems(statement)
    return bool(names) and all(name and not name & said for name in names)


def _row_name(cells: list[str]) -> set[str]:
    """The words of a row's cells that hold no figure ("Offense: Burglary", a sheet's name): what the row is about."""
    values = [cell.rpartition(":")[2] for cell in cells]
    return set().union(*(content_stems(value) for value in values if not parse_quantities(value)))


def _copies_header(statement: str, header: str) -> bool:
    """A small model shown a table's caption and column headers above its rows copies them into its
    "statement" ("Table A-2. Reference Ellipsoids ... Inverse Flattening f-1 Airy (1830) ..."). The quote
    is the row, so a reader cannot check the copied part, and "A-2" or "f-1" reads as a figure no quote
    states. A sentence about a cell names a header or two, not a run of them."""
    said, shown = statement.lower().split(), header.lower().split()
    if len(said) < _HEADER_RUN or len(shown) < _HEADER_RUN:
        return False
    match = SequenceMatcher(None, said, shown, autojunk=False).find_longest_match(0, len(said), 0, len(shown))
    return match.size >= _HEADER_RUN


def absent_premises(question: str, passages: list[Passage]) -> list[Quantity]:
    """Figures of the question that no retrieved passage states: a false premise, named at the end of the answer.

    A figure that a bracket table's row holds ("63,000 63,050" for $63,020, `rag/brackets.py`)
    is mentioned, and so is a bare number ("persons under 18") that a passage or its table's
    headers write with any unit ("Under 18 years").
    """
    return [q for q in premise_figures(question) if not any(_mentions(p, q) for p in passages)]


def _mentions(passage: Passage, figure: Quantity) -> bool:
    if find_in_passage(figure, passage) or brackets.holds(figure, passage.chunk.text):
        return True
    written = parse_quantities(f"{passage.chunk.context}\n{passage.chunk.text}")
    return not figure.unit and any(q.value == figure.value for q in written)


def premise_figures(question: str) -> list[Quantity]:
    """The figures a question gives. Periods are the scope's business (`scope.py`), and a number
    inside a name ("Windows 11", "Top 500", "COVID-19") or a reference to a part of a document
    ("Table 324", "line 40", "page 12") is no figure at all, nor is a spelled "one" ("can one story ...")."""
    not_figures = non_figure_spans(question)
    return [
        q for q in parse_quantities(question)
        if q.unit != YEAR and not _YEAR_LIKE.match(q.text) and not _ONE.match(q.text) and not _overlaps(q, not_figures)
    ]


def named_numbers(question: str) -> list[Quantity]:
    """The numbers a question writes in a name, a reference or a period ("in Table 325", "under AFI 41-210",
    "(2009)"), the ones `premise_figures` leaves out: a claim that restates one names what was asked about and
    states no figure (a period it names is the scope's to check)."""
    not_figures = non_figure_spans(question)
    return [q for q in parse_quantities(question) if _overlaps(q, not_figures)]


def _overlaps(quantity: Quantity, spans: list[tuple[int, int]]) -> bool:
    return any(start < quantity.end and quantity.start < end for start, end in spans)


def _bare_figures(statement: str) -> bool:
    """A statement that is figures and nothing else ("2.45."): a section number copied from a passage reads the same."""
    words = statement
    for figure in parse_quantities(statement):
        words = words[: figure.start] + " " * (figure.end - figure.start) + words[figure.end :]
    return words != statement and not any(c.isalpha() for c in words)


def _lookup_rows(given: list[Quantity], passages: list[Passage]) -> list[Span]:
    """The bracket rows of `passages` that hold a figure the question gives and no passage states
    ("$50,020" in the row "50,000 50,050 8,435 ..."): the question looks a value up in a table,
    and only a figure of that row answers it."""
    rows = []
    for figure in given:
        if any(find_in_passage(figure, p) for p in passages):
            continue
        rows += [row for passage in passages if (row := bracket_row(figure, passage)) is not None]
    return rows
