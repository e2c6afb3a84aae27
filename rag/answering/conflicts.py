"""Find where sources disagree, by comparing figures, not by asking the model.

A small model asked about a figure reports one source's value, and it also adds
figures that answer neighbouring questions (a domestic budget next to an overseas
one). So the answer's first figure-bearing claim is the anchor. A figure from
another document conflicts with it when:
- it has the same unit and a different value, and is not an identifier ("Unit 0147",
  "Form 1042-S"), a reference ("line 1"), part of a date ("June 30, 1896") or a condition's
  threshold ("if the amount on line 38 is over $150,000", a bound, not a value); a figure
  the question gives is never the anchor; when the question names a unit ("how many
  RMB", "in GHz"), that unit;
- it measures the same quantity: every word of the question that the anchor's clause
  (its sentence up to a semicolon), document title or table header uses ("abroad",
  "revenue", "breast cancer"; not dates) is also in the candidate's clause, its
  document's title and subject or its table's header, so an overseas budget never
  "conflicts" with a domestic one, nor one dataset's size with another's (an anchor that
  shares no such word with the question has nothing to disagree with); and when both
  are dated, their periods match (1896 receipts are not 1893's; an undated sentence or
  table row takes its table's period, else its document's: "our Indians number about
  248,000" in the 1893 message is not the 1895 census); and a figure the question gives
  that the anchor's sentence repeats ("the 160bn yuan budget" in yuan or dollars) is in
  the candidate's sentence too: it names which quantity is asked; and when the anchor's
  sentence labels a figure with the noun the question measures ("the expenditures were
  $442,605,758, leaving a deficit of $69,803,260"), that figure is the anchor and a
  candidate's own sentence must label it so too (`measured.labelled_as`: "receipts
  will be $430,121,365 and its expenditures $458,121,365" disagrees with $458,121,365 only);
- it is about the subject and period the question names (`scope.Scope`), as a claim must be:
  another year's message stating a figure for its own year does not disagree with the asked year's;
- its sentence is about as relevant to the question as the anchor's own quote
  (on the question's relevance scale, `relevance.RelevanceScale`).
Candidates are the figures of the answer's other claims and the figures in the
retrieved passages of documents the answer does not cite.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.answering.expected import expected_kind
from rag.answering.measured import labelled_as, measured_stem
from rag.answering.relevance import RelevanceScale
from rag.answering.columns import table_header
from rag.answering.verify import EXACT, CheckedNumber, VerifiedClaim, same_figure, sentence_span, stated_in
from rag.answering.words import COMPARISON_STEMS, PERIOD_STEMS, content_stems
from rag.embedding import Embedder
from rag.numbers import Quantity, parse_quantities, same_quantity, table_scale
from rag.periods import Period, PeriodKind, non_figure_spans, periods_in
from rag.types import Passage, Span

# On the question's relevance scale, a candidate sentence may score at most this much less than
# the anchor's quote (what it measures is checked by words, `_same_measure`).
RELEVANCE_MARGIN = 0.3
# "0147", "#12", "No. 7", "ID 3": numbers that name a record rather than measure anything.
_IDENTIFIER = re.compile(r"^0\d|^#")
_CODE = re.compile(r"\b(?:0\d+|[A-Za-z]+-?\d+[A-Za-z0-9]*)\b")
_IDENTIFIER_BEFORE = re.compile(r"(?:\bno\.?|\bid|\bnumber|#)\s*$", re.IGNORECASE)
_IN_CODE = re.compile(r"[\d,.]*\d-?[A-Za-z]\b")  # "1042-S", "1040A": a number joined to a letter names a form
# "the estimated receipts", "a projected deficit": a figure that forecasts what another source may report.
_ESTIMATE = re.compile(r"\b(?:estimat(?:e|ed|es|ing)|projected|forecasts?|anticipated)\b", re.IGNORECASE)
_ASKS_ESTIMATE = re.compile(rf"{_ESTIMATE.pattern}|\bexpect(?:s|ed|ing)?\b", re.IGNORECASE)
_NOT_FIGURES = {"year"}  # years date a figure; they are not the figure asked about
# "If the amount is over $150,000, ...": a figure a condition compares against bounds a quantity, it does not state one.
_THRESHOLD_BEFORE = re.compile(
    r"\b(?:if|when|unless|once)\b[^.;:!?]{0,80}?\b(?:over|under|above|below|more than|less than|greater than|"
    r"at least|at most|exceeds?|up to)\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Conflict:
    """The anchor figures, and the figures of other documents that disagree with them."""

    anchors: list[CheckedNumber]
    others: list[CheckedNumber]
    from_passages: list[CheckedNumber]  # the subset of `others` not already in the answer's claims


def figures_of(claim: VerifiedClaim) -> list[CheckedNumber]:
    """A claim's quoted (not derived) figures other than years, identifiers, references ("line 1") and thresholds."""
    return [
        n for n in claim.numbers if n.quantity.unit not in _NOT_FIGURES and not n.derived and not _no_value(n, claim.spans)
    ]


def _no_value(number: CheckedNumber, claim_spans: list[Span]) -> bool:
    """Whether the figure names something where its quote writes it ("Unit 0147", "line 1", "June 30, 1896")
    or bounds a condition there ("if ... is over $150,000"). A claim may quote a sentence one PDF line a
    span ("If the amount on line 38 is over" | "$150,000, use the ..."): the lines it quotes before the
    figure's are read with it."""
    written = number.quantity.text
    if _IDENTIFIER.match(written):
        return True
    if not number.spans:
        return False
    span = number.spans[0]
    quote = " ".join([*(s.quote for s in _lines_before(span, claim_spans)), span.quote])
    at = quote.find(written, len(quote) - len(span.quote))
    return at >= 0 and (_is_identifier(quote, at, written, non_figure_spans(quote)) or _is_threshold(quote, at))


def _lines_before(span: Span, claim_spans: list[Span]) -> list[Span]:
    """The run of the claim's spans that ends where `span` starts (a line break or space apart), in order."""
    run: list[Span] = []
    start = span.start
    while previous := next(
        (s for s in claim_spans if s.source == span.source and s.start < start and 0 <= start - s.end <= 1), None
    ):
        run.insert(0, previous)
        start = previous.start
    return run


def _is_threshold(text: str, start: int) -> bool:
    """Whether the figure at `start` is a bound a condition compares against ("if ... is over $150,000")."""
    return _THRESHOLD_BEFORE.search(text[max(0, start - 120) : start]) is not None


def find_conflict(
    question: str,
    claims: list[VerifiedClaim],
    passages: list[Passage],
    embedder: Embedder,
    scale: RelevanceScale,
    in_scope: Callable[[Span], bool] = lambda span: True,
    document_periods: Callable[[str], list[Period]] = lambda source: [],
) -> Conflict | None:
    """The disagreement in this answer, or None when the sources agree (or give one figure).

    `document_periods` gives the periods a document is about (its profile's), which date its undated figures.
    """
    anchor_claim = next((c for c in claims if figures_of(c)), None)
    if anchor_claim is None:
        return None
    # A figure the question gives ("for taxable income of $59,010") is not what the answer found. (A claim
    # that states only the question's figure has no other source to disagree with: see `_states`.)
    stated = parse_quantities(question)
    anchors = [a for a in figures_of(anchor_claim) if not any(same_figure(a.quantity, q) for q in stated)]
    if not anchors:
        return None
    # "The expenditures were $442,605,758, leaving a deficit of $69,803,260": when its sentence labels a
    # figure with what the question measures, that figure is the anchor, and only figures so labelled disagree.
    measured_noun = measured_stem(question)
    labelled = [a for a in anchors if labelled_as(measured_noun, question, a)] if measured_noun else []
    anchors = labelled or anchors
    anchor_sources = {a.spans[0].source for a in anchors}
    units = {a.quantity.unit for a in anchors}
    expected = expected_kind(question)
    if expected and expected.named_unit in units:  # asked in yuan: a dollar conversion beside it is not the answer
        units = {expected.named_unit}

    in_claims = [
        n for c in claims if c is not anchor_claim for n in figures_of(c)
        if n.spans[0].source not in anchor_sources and n.quantity.unit in units
    ]
    cited = {s.source for c in claims for s in c.spans}
    in_passages = [
        CheckedNumber(q, [sentence_span(p, q.start, q.end)])
        for p in passages
        if p.chunk.source not in cited
        for naming in [non_figure_spans(p.chunk.text)]
        for q in parse_quantities(p.chunk.text, table_scale(p.chunk.context))
        if q.unit in units and not _is_identifier(p.chunk.text, q.start, q.text, naming)
        and not _is_threshold(p.chunk.text, q.start)
    ]
    # What frames a figure: its document's title and subject ("Breast cancer dataset") and, in a table,
    # its caption and column headers, as well as its clause.
    titles = {p.chunk.source: f"{p.chunk.title} {p.chunk.about}" for p in passages}

    def framed(number: CheckedNumber) -> str:
        span = number.spans[0]
        return f"{_clause(span.quote, number.quantity.text)} {titles.get(span.source, '')} {table_header(span, passages)}"

    def dated(span: Span) -> _Dating:
        """A sentence's periods; one with none takes its table header's, else its document's (by year only)."""
        stated = _periods(span.quote) or _periods(table_header(span, passages))
        return _Dating(stated, by_year=False) if stated else _Dating(document_periods(span.source), by_year=True)

    anchor_span = anchors[0].spans[0]
    anchor_context = framed(anchors[0])
    measured = (content_stems(question) & content_stems(anchor_context)) - COMPARISON_STEMS - PERIOD_STEMS
    named = _identifiers(question) & _identifiers(anchor_context)
    if not measured and not named:  # nothing says the anchor measures what was asked: nothing can disagree with it
        return None
    anchor_periods = dated(anchor_span)
    given = _given_figures(question, anchor_span.quote)
    candidates = [
        c for c in in_claims + in_passages
        if not any(same_quantity(c.quantity, a.quantity, rel_tol=EXACT) for a in anchors)
        and _same_measure(measured, named, framed(c))
        and _same_period(anchor_periods, dated(c.spans[0]))
        and _states(given, c.spans[0].quote)
        and in_scope(c.spans[0])
        and (not labelled or labelled_as(measured_noun, question, c))
    ]
    if not candidates:
        return None

    vectors = embedder.embed([anchors[0].spans[0].quote, *(c.spans[0].quote for c in candidates)])
    scores = scale.of_vectors(vectors)
    bar = float(scores[0]) - RELEVANCE_MARGIN
    best: dict[str, tuple[float, CheckedNumber]] = {}
    for candidate, relevance in zip(candidates, scores[1:]):
        relevance = float(relevance)
        source = candidate.spans[0].source
        if relevance >= bar and (source not in best or relevance > best[source][0]):
            best[source] = (relevance, candidate)
    if not best:
        return None
    others = [candidate for _, candidate in sorted(best.values(), key=lambda pair: -pair[0])]
    new = [o for o in others if any(o is p for p in in_passages)]
    return Conflict(anchors, others, new)



def _same_measure(measured: set[str], named: set[str], context: str) -> bool:
    """Whether `context` speaks of what the anchor measures: its words from the question, and the record it names."""
    return measured <= content_stems(context) and named <= _identifiers(context)


def asks_for_estimate(question: str) -> bool:
    """Whether the question asks for a figure given ahead of the fact ("What receipts were expected ...?")."""
    return _ASKS_ESTIMATE.search(question) is not None


def is_estimate(number: CheckedNumber) -> bool:
    """Whether the clause stating `number` calls it an estimate: what differs from a figure reported after the fact."""
    return _ESTIMATE.search(_clause(number.spans[0].quote, number.quantity.text)) is not None


def _clause(sentence: str, written: str) -> str:
    """The part of `sentence` between semicolons that states the figure written `written`: what it measures.

    "... a surplus of revenue over expenditures of $872,245.71; but now, in view of the actual receipts ..."
    measures a surplus, not receipts."""
    at = sentence.find(written)
    if at < 0:
        return sentence
    start = sentence.rfind(";", 0, at) + 1
    end = sentence.find(";", at)
    return sentence[start : end if end >= 0 else len(sentence)]


@dataclass(frozen=True)
class _Dating:
    """The periods that date a figure. A document's are coarse: the 1893 message reports the fiscal year
    ended June 30, 1893, so its "last fiscal year" is compared by year, not by months that overlap FY1894."""

    periods: list[Period]
    by_year: bool


def _same_period(anchor: _Dating, candidate: _Dating) -> bool:
    """Figures dated to different periods measure different things (1896 receipts are not 1893's)."""
    if anchor.by_year or candidate.by_year:
        years, other_years = ({p.year for p in d.periods if p.year is not None} for d in (anchor, candidate))
        return not years or not other_years or bool(years & other_years)
    return not anchor.periods or not candidate.periods or any(
        a.matches(c) for a in anchor.periods for c in candidate.periods
    )


def _given_figures(question: str, anchor_quote: str) -> list[Quantity]:
    """Figures with a unit that the question states and the anchor's sentence repeats: they say which quantity is asked."""
    quoted = parse_quantities(anchor_quote)
    return [
        q for q in parse_quantities(question)
        if q.unit and q.unit not in _NOT_FIGURES and any(same_quantity(q, a) for a in quoted)
    ]


def _states(figures: list[Quantity], sentence: str) -> bool:
    return all(stated_in(f, sentence) is not None for f in figures)


def _periods(sentence: str) -> list[Period]:
    return [p for p in periods_in(sentence) if p.kind is not PeriodKind.VERSION]


def _identifiers(text: str) -> set[str]:
    """Codes that name one record or product: "0147", "X100", "A-113"."""
    return {match.lower() for match in _CODE.findall(text)}


def _is_identifier(text: str, start: int, written: str, naming: list[tuple[int, int]]) -> bool:
    """A number that names a record ("Unit 0147", "#12", "No. 7", "Form 1042-S") or sits in a `non_figure_spans` span."""
    return bool(
        _IDENTIFIER.match(written)
        or _IDENTIFIER_BEFORE.search(text[max(0, start - 8) : start])
        or _IN_CODE.match(text, start)
        or any(begin <= start < end for begin, end in naming)
    )
