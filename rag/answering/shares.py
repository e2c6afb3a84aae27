"""A share asked of two stated figures, or an amount a source gives as a percentage of a stated whole, computed by code.

"The plan totals $12 million, including $3 million for parks." answers "What share of the plan is
set aside for parks?" only by division, and a small model finds no stated percentage and says the
documents do not say. So when the model's reply stood for nothing, code looks, best passage first,
for a sentence that names at least half of the whole's own words and of the part's, with one figure
nearest each (`compare.side_of`), of one unit, the part's the smaller: the part as a share of the whole.

"The council will spend $8 million on roads. About 30% of this will go to resurfacing."
answers "How much will go to resurfacing?" only by arithmetic, and a small model asked it
either quotes the 30% (no amount, refused as the wrong kind) or proposes a ratio of the 30%
with itself. So when the model's reply stood for nothing, code looks, best passage first, for
a sentence that states one percentage written as a share ("30% of ...") and names words of
the question its whole's sentence does not (what the share goes to: "resurfacing"), and for
the whole: the one figure of the asked kind in the same sentence ("30% of its $8 million
budget"), or, when the share points back ("of this", "of these orders", "of the total"), in
the sentence before it. The product passes the same gate as any calculation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rag.answering.compare import (
    asks_about_two,
    names_side,
    sentence_figures,
    side_of,
    side_stems,
    side_words,
)
from rag.answering.expected import expected_kind
from rag.answering.verify import CalculationResult, CheckedNumber, combine, passage_span
from rag.answering.words import COMPARISON_STEMS, GENERIC_FIGURE_STEMS, content_stems
from rag.chunking import Span, sentence_spans
from rag.numbers import PERCENT, Quantity
from rag.types import Passage

_SHARE_OF = re.compile(r"\s*of\b", re.IGNORECASE)  # right after the percentage: "30% of ..."
_POINTS_BACK = re.compile(r"\s*of\s+(?:these|this|that|those|it|them|the\s+total|the\s+amount|the\s+sum)\b", re.IGNORECASE)
_CLAUSE_END = re.compile(r"[,;]\s")  # "1,000" is no clause break
_OWN_WORDS = 2  # question words the share's clause must name that its whole's sentence does not
# "What share of <the plan> is <set aside for parks>?": the whole, then the part, after a verb of being or going;
# "What share of <outlays> did <the deficit> amount to?": the part between "did" and a verb of making up.
_SHARE_OF_WHOLE = re.compile(
    r"\bwhat (?:percentage|percent|share|proportion|fraction|part) of (?P<whole>.+?)\s+(?:"
    r"(?:is|was|are|were|will be|goes|go|went|comes|come|came|has been|have been)\s+(?P<part>.+)"
    r"|(?:did|does|do|will)\s+(?P<subject>.+?)\s+(?:amount to|make up|account for|represent|constitute)\b)",
    re.IGNORECASE,
)


def share_of_whole(question: str, passages: Iterable[Passage]) -> CalculationResult | None:
    """"What share of the plan is set aside for parks?": the part's figure as a percentage of the whole's,
    from the first sentence naming both with one figure each (of a side's several, the one its head noun labels)."""
    match = _SHARE_OF_WHOLE.search(question)
    if match is None:
        return None
    texts = (match.group("whole"), match.group("part") or match.group("subject"))
    whole, part = (side_stems(text) - COMPARISON_STEMS for text in texts)  # side words leave periods out
    sides = (whole - part, part - whole)
    if not all(sides):
        return None
    heads = tuple(_head(text, own) for text, own in zip(texts, sides))
    for passage in passages:
        text = passage.chunk.text
        for sentence in sentence_spans(text):
            words = side_stems(text[sentence.start : sentence.end])
            if not all(names_side(words, own) for own in sides):
                continue
            found: tuple[dict[tuple[float, str], Quantity], dict[tuple[float, str], Quantity]] = ({}, {})
            figures = [q for q in sentence_figures(passage, sentence.start, sentence.end) if q.unit != PERCENT]
            for quantity in figures:
                side = side_of(text, sentence, quantity.start, quantity.end, sides)
                if side is not None:
                    found[side].setdefault((quantity.value, quantity.unit), quantity)
            labelled = [_labelled(side, head, text, sentence.start, figures) for side, head in zip(found, heads)]
            if not all(len(side) == 1 for side in labelled):
                continue
            (whole_figure,), (part_figure,) = (side.values() for side in labelled)
            if whole_figure.unit == part_figure.unit and part_figure.value < whole_figure.value:
                result = combine(
                    "percent_of", _checked(part_figure, passage, sentence), _checked(whole_figure, passage, sentence)
                )
                if isinstance(result, CalculationResult):
                    return result
    return None


def _head(text: str, own: set[str]) -> str | None:
    """The last of a side's own words as the question writes them: the noun its other words modify
    ("federal outlays": outlays)."""
    words = [stem for stem in side_words(text) if stem in own]
    return words[-1] if words else None


def _labelled(
    side_figures: dict[tuple[float, str], Quantity], head: str | None, text: str, start: int, figures: list[Quantity]
) -> dict[tuple[float, str], Quantity]:
    """A side's figures; of several, those its head noun labels, written between the figure before and it
    ("income was $2.45 trillion and outlays were $3.537 trillion": outlays labels the second only)."""
    if len(side_figures) < 2 or head is None:
        return side_figures
    labelled: dict[tuple[float, str], Quantity] = {}
    for key, quantity in side_figures.items():
        previous_end = max((q.end for q in figures if q.end <= quantity.start), default=start)
        if head in side_stems(text[previous_end : quantity.start]):
            labelled[key] = quantity
    return labelled


def share_of_amount(question: str, passages: Iterable[Passage]) -> CalculationResult | None:
    """The asked amount as a stated percentage of a stated whole, from the first passage that gives both."""
    expected = expected_kind(question)
    if expected is None or expected.percent or asks_about_two(question):
        return None
    asked = content_stems(question) - GENERIC_FIGURE_STEMS
    for passage in passages:
        text = passage.chunk.text
        sentences = sentence_spans(text)
        for index, sentence in enumerate(sentences):
            for clause in _clauses(text, sentence):
                figures = sentence_figures(passage, clause.start, clause.end)
                shares = [q for q in figures if q.unit == PERCENT]
                if len({q.value for q in shares}) != 1 or _SHARE_OF.match(text, shares[0].end) is None:
                    continue
                whole_sentence, whole_words = sentence, set()
                wholes = [q for q in sentence_figures(passage, sentence.start, sentence.end) if expected.fits(q, text)]
                if not wholes and index > 0 and _POINTS_BACK.match(text, shares[0].end):
                    whole_sentence = sentences[index - 1]
                    whole_words = content_stems(text[whole_sentence.start : whole_sentence.end])
                    wholes = [
                        q for q in sentence_figures(passage, whole_sentence.start, whole_sentence.end)
                        if expected.fits(q, text)
                    ]
                own = (content_stems(text[clause.start : clause.end]) - whole_words) & asked
                if len({(q.value, q.unit) for q in wholes}) != 1 or len(own) < _OWN_WORDS:
                    continue
                share = _checked(shares[0], passage, sentence)
                result = combine("multiply", share, _checked(wholes[0], passage, whole_sentence))
                if isinstance(result, CalculationResult):
                    return result
    return None


def _clauses(text: str, sentence: Span) -> list[Span]:
    """The sentence cut at commas and semicolons: "60% of these orders go to A, while 40% go to B"."""
    cuts = [sentence.start, *(m.end() for m in _CLAUSE_END.finditer(text, sentence.start, sentence.end)), sentence.end]
    return [Span(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _checked(quantity: Quantity, passage: Passage, sentence: Span) -> CheckedNumber:
    """The figure traced to the sentence that states it."""
    return CheckedNumber(quantity, [passage_span(passage, sentence.start, sentence.end)])
