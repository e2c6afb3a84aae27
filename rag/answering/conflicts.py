"""Find where sources disagree, by comparing figures, not by asking the model.

A small model asked about a figure reports one source's value, and it also adds
figures that answer neighbouring questions (a domestic budget next to an overseas
one). So the answer's first figure-bearing claim is the anchor. A figure from
another document conflicts with it when:
- it has the same unit and a different value, and is not an identifier ("Unit 0147",
  "Form 1042-S") or a reference ("line 1"); a figure the question gives is never the anchor;
  when the question names a unit ("how many RMB", "in GHz"), that unit;
- it measures the same quantity: every word of the question that the anchor's
  sentence, document title or table header uses ("abroad", "revenue", "breast cancer")
  is also in the candidate's sentence, its document's title and subject or its table's
  header, so an overseas budget never "conflicts" with a domestic one, nor one dataset's
  size with another's; and when both are dated, their periods match (1896 receipts are
  not 1893's; an undated table row takes its table's period, else its document's);
  and a figure the question gives that the anchor's sentence repeats ("the 160bn yuan budget"
  in yuan or dollars) is in the candidate's sentence too: it names which quantity is asked;
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
from rag.answering.relevance import RelevanceScale
from rag.answering.columns import table_header
from rag.answering.verify import EXACT, CheckedNumber, VerifiedClaim, same_figure, sentence_span, stated_in
from rag.answering.words import COMPARISON_STEMS, content_stems
from rag.embedding import Embedder
from rag.numbers import Quantity, parse_quantities, same_quantity, table_scale
from rag.periods import Period, PeriodKind, periods_in, reference_spans
from rag.types import Passage, Span

# On the question's relevance scale, a candidate sentence may score at most this much less than
# the anchor's quote (what it measures is checked by words, `_same_measure`).
RELEVANCE_MARGIN = 0.3
# "0147", "#12", "No. 7", "ID 3": numbers that name a record rather than measure anything.
_IDENTIFIER = re.compile(r"^0\d|^#")
_CODE = re.compile(r"\b(?:0\d+|[A-Za-z]+-?\d+[A-Za-z0-9]*)\b")
_IDENTIFIER_BEFORE = re.compile(r"(?:\bno\.?|\bid|\bnumber|#)\s*$", re.IGNORECASE)
_IN_CODE = re.compile(r"[\d,.]*\d-?[A-Za-z]\b")  # "1042-S", "1040A": a number joined to a letter names a form
_NOT_FIGURES = {"year"}  # years date a figure; they are not the figure asked about


@dataclass(frozen=True)
class Conflict:
    """The anchor figures, and the figures of other documents that disagree with them."""

    anchors: list[CheckedNumber]
    others: list[CheckedNumber]
    from_passages: list[CheckedNumber]  # the subset of `others` not already in the answer's claims


def figures_of(claim: VerifiedClaim) -> list[CheckedNumber]:
    """A claim's quoted (not derived) figures other than years, identifiers and references ("line 1")."""
    return [n for n in claim.numbers if n.quantity.unit not in _NOT_FIGURES and not n.derived and not _names(n)]


def _names(number: CheckedNumber) -> bool:
    """Whether the figure names something where its quote writes it ("Unit 0147", "line 1", "Form 1042-S")."""
    quote, written = number.spans[0].quote if number.spans else "", number.quantity.text
    at = quote.find(written)
    return bool(_IDENTIFIER.match(written)) or (at >= 0 and _is_identifier(quote, at, written))


def find_conflict(
    question: str,
    claims: list[VerifiedClaim],
    passages: list[Passage],
    embedder: Embedder,
    scale: RelevanceScale,
    in_scope: Callable[[Span], bool] = lambda span: True,
) -> Conflict | None:
    """The disagreement in this answer, or None when the sources agree (or give one figure)."""
    anchor_claim = next((c for c in claims if figures_of(c)), None)
    if anchor_claim is None:
        return None
    # A figure the question gives ("for taxable income of $59,010") is not what the answer found. (A claim
    # that states only the question's figure has no other source to disagree with: see `_states`.)
    stated = parse_quantities(question)
    anchors = [a for a in figures_of(anchor_claim) if not any(same_figure(a.quantity, q) for q in stated)]
    if not anchors:
        return None
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
        for q in parse_quantities(p.chunk.text, table_scale(p.chunk.context))
        if q.unit in units and not _is_identifier(p.chunk.text, q.start, q.text)
    ]
    # What frames a figure: its document's title and subject ("Breast cancer dataset") and, in a table,
    # its caption and column headers, as well as its sentence.
    titles = {p.chunk.source: f"{p.chunk.title} {p.chunk.about}" for p in passages}

    def framed(span: Span) -> str:
        return f"{span.quote} {titles.get(span.source, '')} {table_header(span, passages)}"

    def dated(span: Span) -> list[Period]:
        """A sentence's periods; a table row with none takes its table's header's, else its document's."""
        periods, header = _periods(span.quote), table_header(span, passages)
        if periods or not header:
            return periods
        return _periods(header) or _periods(abouts.get(span.source, ""))

    abouts = {p.chunk.source: p.chunk.about for p in passages}
    anchor_span = anchors[0].spans[0]
    anchor_context = framed(anchor_span)
    measured = (content_stems(question) & content_stems(anchor_context)) - COMPARISON_STEMS
    named = _identifiers(question) & _identifiers(anchor_context)
    anchor_periods = dated(anchor_span)
    given = _given_figures(question, anchor_span.quote)
    candidates = [
        c for c in in_claims + in_passages
        if not any(same_quantity(c.quantity, a.quantity, rel_tol=EXACT) for a in anchors)
        and _same_measure(measured, named, framed(c.spans[0]))
        and _same_period(anchor_periods, dated(c.spans[0]))
        and _states(given, c.spans[0].quote)
        and in_scope(c.spans[0])
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


def _same_period(anchor: list[Period], candidate: list[Period]) -> bool:
    """Figures dated by their sentences to different periods measure different things (1896 receipts are not 1893's)."""
    return not anchor or not candidate or any(a.matches(c) for a in anchor for c in candidate)


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


def _is_identifier(text: str, start: int, written: str) -> bool:
    """A number that names a record ("Unit 0147", "#12", "No. 7", "Form 1042-S") or a part of a document ("lines 5 and 6")."""
    return bool(
        _IDENTIFIER.match(written)
        or _IDENTIFIER_BEFORE.search(text[max(0, start - 8) : start])
        or _IN_CODE.match(text, start)
        or any(begin <= start < end for begin, end in reference_spans(text))
    )
