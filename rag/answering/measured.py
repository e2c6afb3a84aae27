"""What a figure question measures, and which figure the passages' own words say measures it.

Asked "What were the government's expenditures for 1899?", a small model readily cites
the sentence beside the one it needs ("receipts from all sources ... aggregated
$610,982,004.35"): the figure is real and of the asked kind, so neither the verifier nor
the kind rule catches it, and the model's statement may even call it "expenditures". The
source's own words do catch it. The question names what it measures (the head noun of
"what were the government's expenditures"); the sentence that states the claim's figure
does not name it, nor does the sentence before it (which a pronoun may point back to),
while another sentence of the chunks the model read does, right before one of its figures
of the same kind. When the gate's other rules (period, subject) pass exactly one such figure
value, it is the answer, quoted in its source's words (`better_labelled`, `ClaimGate.admit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rag.answering.expected import Expected, figure_test
from rag.answering.verify import CheckedNumber, VerifiedClaim, passage_span, quoted_claim, same_figure
from rag.answering.words import GENERIC_FIGURE_STEMS, PERIOD_STEMS, content_words, stem
from rag.chunking import sentence_spans
from rag.formats.tables import CELL_SEPARATOR
from rag.numbers import Quantity, is_currency, parse_quantities
from rag.types import Passage

# "what were the government's expenditures for ...", "how large was the deficit in ...": the noun
# phrase a "what is" question asks about, up to the preposition, clause or end that closes it.
_WHAT_IS = re.compile(
    r"\b(?:what|how (?:large|big|high)) (?:is|was|are|were|will be|would be)\s+(?:the |its |their |his |her |a |an )?"
    r"(?P<phrase>(?:[A-Za-z][\w'-]*\s+){0,5}?[A-Za-z][A-Za-z-]*)"
    r"(?=\s+(?:of|for|in|from|during|on|by|at|to|under|per|between|when|that|which|according|as|with)\b|\s*[?,;]|\s*$)",
    re.IGNORECASE,
)
_OF_PHRASE = re.compile(r"\s+of\s+(?:the\s+)?(?P<phrase>(?:[A-Za-z][A-Za-z-]*\s*){1,3})", re.IGNORECASE)
# Heads that say a figure is asked for, not what it measures ("the total amount of duties"): the
# measure is the "of" phrase's.
_GENERIC = GENERIC_FIGURE_STEMS | frozenset(stem(w) for w in "value figure level sum".split())
_LABEL_AFTER = 4  # words after a figure that still label it ("$12 million in receipts")
_LABEL_BEFORE = 12  # words before a figure, back to the previous figure or the sentence's start
_LABEL_END = re.compile(r"[.;,:()]|\band\b", re.IGNORECASE)  # what ends the words after a figure that label it


def measured_stem(question: str) -> str | None:
    """The stem of the noun a "what is/was the ..." (or "how large was the ...") question measures, or None."""
    match = _WHAT_IS.search(question)
    if match is None:
        return None
    words = [w for w in content_words(match.group("phrase")) if w not in PERIOD_STEMS]
    head = words[-1] if words else None
    if head in _GENERIC:
        after = _OF_PHRASE.match(question, match.end())
        named = content_words(after.group("phrase")) if after else []
        head = next((w for w in named if w not in PERIOD_STEMS and w not in _GENERIC), None)
    return head


@dataclass(frozen=True)
class _Figure:
    """A figure as a passage writes it: the passage, its sentence, and where in the chunk text."""

    passage: Passage
    quantity: Quantity  # offsets in the chunk text
    sentence: tuple[int, int]
    label: frozenset[str]  # stems of the words that say what it measures


def better_labelled(
    question: str, claim: VerifiedClaim, pool: list[Passage], expected: Expected | None
) -> list[tuple[Quantity, VerifiedClaim]]:
    """Claims quoting each figure of `pool` that its source labels with what the question measures,
    when none of `claim`'s figures is so labelled; [] when one is, or the question names no measure.
    Each comes with the figure it quotes for the measure; the caller keeps those its other rules pass, and
    takes one only when they give a single value."""
    measured = measured_stem(question)
    is_figure = figure_test(question, claim.statement)
    answering = [n for n in claim.numbers if not n.derived and n.spans and is_figure(n.quantity)]
    if measured is None or not answering:
        return []
    figures = list({_where(f): f for passage in pool for f in _prose_figures(question, passage)}.values())
    cited = [f for f in figures for n in answering if _is_cited(f, n)]
    if not cited or any(measured in _named_near(f) for f in cited):
        return []
    better = []
    for figure in figures:
        if measured not in figure.label or not _same_kind(figure.quantity, answering, expected):
            continue
        if any(same_figure(figure.quantity, n.quantity) for n in answering):
            continue
        span = passage_span(figure.passage, *figure.sentence)
        better.append((figure.quantity, quoted_claim(span)))
    return better


def _where(figure: _Figure) -> tuple[str, int]:
    """A figure's place in its document: the same chunk may be retrieved more than once."""
    return figure.passage.chunk.source, figure.passage.chunk.start + figure.quantity.start


def _prose_figures(question: str, passage: Passage) -> list[_Figure]:
    """The figures of a passage's sentences with their labels; table rows have their headers instead."""
    text = passage.chunk.text
    figures = []
    for sentence in sentence_spans(text):
        words = text[sentence.start : sentence.end]
        if CELL_SEPARATOR in words:
            continue
        for quantity, label in figure_labels(question, words):
            shifted = replace(quantity, start=quantity.start + sentence.start, end=quantity.end + sentence.start)
            figures.append(_Figure(passage, shifted, (sentence.start, sentence.end), label))
    return figures


def figure_labels(question: str, sentence: str) -> list[tuple[Quantity, frozenset[str]]]:
    """Each figure of `sentence` with the stems of the words that say what it measures: those back to the
    figure before it (at most `_LABEL_BEFORE`) and a few after it, up to punctuation or an "and" that starts
    the next one's ("receipts ... will be $430,121,365 and its expenditures $458,121,365")."""
    is_figure = figure_test(question, sentence)
    found = [q for q in parse_quantities(sentence) if is_figure(q)]
    labelled = []
    previous_end = 0
    for index, quantity in enumerate(found):
        following_start = found[index + 1].start if index + 1 < len(found) else len(sentence)
        before = content_words(sentence[previous_end : quantity.start])[-_LABEL_BEFORE:]
        after_text = _LABEL_END.split(sentence[quantity.end : following_start], maxsplit=1)[0]
        after = content_words(after_text)[:_LABEL_AFTER]
        labelled.append((quantity, frozenset(before + after)))
        previous_end = quantity.end
    return labelled


def labelled_as(measured: str, question: str, number: CheckedNumber) -> bool:
    """Whether the sentence quoting `number` labels it with `measured`, what the question measures
    (`measured_stem`: "the receipts ... were $X")."""
    if not number.spans:
        return False
    return any(
        measured in label
        for quantity, label in figure_labels(question, number.spans[0].quote)
        if same_figure(quantity, number.quantity)
    )


def _is_cited(figure: _Figure, number: CheckedNumber) -> bool:
    """Whether `figure` is where `number` is cited from."""
    source, where = _where(figure)
    return same_figure(figure.quantity, number.quantity) and any(
        span.source == source and span.start <= where < span.end for span in number.spans
    )


def _named_near(figure: _Figure) -> set[str]:
    """The words of a figure's sentence and the one before it, which a pronoun ("It amounted to") points back to."""
    text = figure.passage.chunk.text
    sentences = sentence_spans(text)
    index = next(i for i, s in enumerate(sentences) if s.start == figure.sentence[0])
    begin = sentences[max(index - 1, 0)].start
    return set(content_words(text[begin : figure.sentence[1]]))


def _same_kind(quantity: Quantity, answering: list[CheckedNumber], expected: Expected | None) -> bool:
    if expected is not None:
        return expected.satisfied_by(quantity)
    return any(
        quantity.unit == n.quantity.unit or (is_currency(quantity.unit) and is_currency(n.quantity.unit))
        for n in answering
    )

