"""The figure of the side of a two-sided question that no claim speaks of, read by code from a sentence naming it.

Asked "How much more is the A budget than the amount planned for B?" or "What did it spend on
A, and what is its B plan?", a small model states one side's figure and not the other, even
when shown the other's passage again. So when one side stays unanswered, the retrieved passages
are searched, best first, for a sentence that names (nearly) all of that side's own words and
states exactly one figure of the kind the question asks (in the currency it names, "how many
yuan" or "in dollars", if it names one) nearer a word of that side than of the answered one.
That sentence is quoted as a claim and passes the same gate as any other. A claim speaks of a side when it names half its words or
more ("report" alone does not name "the amount it reportedly planned for B").

When no claim of the model stood, both sides are read from two neighbouring sentences of one passage,
each naming half its side's words and, with the sentence before them, three quarters ("The post office
did well. Its receipts were $82 million. Its expenditures were $90 million."), and stating one figure of
the asked kind, of one unit, in a clause that names that side alone. Both sides or neither. The
sentence before a pair that opens its passage is read from the document: a small chunk often starts
after the sentence that says whose figures they are.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from rag.answering.compare import named_share, names_side, sentence_figures, side_of, side_stems, two_sides
from rag.answering.expected import Expected, expected_kind, named_currency
from rag.answering.verify import VerifiedClaim, passage_span, quoted_claim
from rag.chunking import Span, sentence_spans
from rag.numbers import is_currency
from rag.types import Passage

_NAMED_SHARE = 0.75  # of the side's own words, the share a sentence must name: a long side may be worded otherwise
_LOOK_BACK = 1000  # characters before a passage searched for its previous sentence
_PAIR_SHARE = 0.5  # the same, for two sentences of one passage read together: its other sentences may name the rest


def side_claims(
    question: str, claims: list[VerifiedClaim], passages: Iterable[Passage], documents: Mapping[str, str]
) -> list[VerifiedClaim]:
    """The sentence that gives the side no claim speaks of its figure; when no claim stood, two neighbouring
    sentences of one passage, one for each side, figures of one unit (each naming half its side's words,
    with the sentence before three quarters: "The post office did well. Its receipts were $82 million. Its
    expenditures were $90 million."), each figure read in its own clause. Empty when nothing is found.

    `documents` (source to full text) gives the sentence before a pair that opens its passage: a small
    chunk often starts after the sentence that names what its figures are of."""
    sides = two_sides(question)
    if sides is None:
        return []
    asked = _Asked(sides, expected_kind(question), named_currency(question))
    return _missing_side(asked, claims, passages) if claims else _both_sides(asked, passages, documents)


@dataclass(frozen=True)
class _Asked:
    """What a two-sided question asks: each side's own words, the kind of figure, the currency it names."""

    sides: tuple[set[str], set[str]]
    expected: Expected | None
    currency: str | None

    def sentences(
        self, passage: Passage, spans: list[Span], side: int, share: float, in_clause: bool,
        answered: set[tuple[float, str]],
    ) -> Iterator[tuple[int, str]]:
        """The indexes of the `spans` of `passage` naming `share` of the side's words with one figure for it
        alone, not an `answered` one, and that figure's unit."""
        text = passage.chunk.text
        for index, sentence in enumerate(spans):
            if named_share(side_stems(text[sentence.start : sentence.end]), self.sides[side]) < share:
                continue
            figures = {
                (q.value, q.unit) for q in sentence_figures(passage, sentence.start, sentence.end)
                if (self.expected is None or self.expected.fits(q, text))
                and (self.currency is None or not is_currency(q.unit) or q.unit == self.currency)
                and side_of(text, sentence, q.start, q.end, self.sides, in_clause=in_clause) == side
            }
            if len(figures) == 1 and not figures & answered:
                yield index, next(iter(figures))[1]


def _missing_side(asked: _Asked, claims: list[VerifiedClaim], passages: Iterable[Passage]) -> list[VerifiedClaim]:
    """The first sentence naming three quarters of the one side no claim names, with one figure for it."""
    said = set().union(*(side_stems(claim.statement) for claim in claims))
    named = [names_side(said, own) for own in asked.sides]
    if named.count(True) != 1:
        return []
    answered = {(n.quantity.value, n.quantity.unit) for claim in claims for n in claim.numbers}
    for passage in passages:
        spans = sentence_spans(passage.chunk.text)
        for index, _ in asked.sentences(passage, spans, named.index(False), _NAMED_SHARE, False, answered):
            return [_quoted(passage, spans[index])]
    return []


def _both_sides(asked: _Asked, passages: Iterable[Passage], documents: Mapping[str, str]) -> list[VerifiedClaim]:
    """Two neighbouring sentences of the first passage that gives each side one figure, of one unit."""
    for passage in passages:
        text, spans = passage.chunk.text, sentence_spans(passage.chunk.text)
        first, second = (
            dict(asked.sentences(passage, spans, side, _PAIR_SHARE, True, set())) for side in (0, 1)
        )
        for a, b in ((a, b) for a in first for b in (a - 1, a + 1) if b in second):
            opening, closing = min(a, b), max(a, b)
            before = (
                text[spans[opening - 1].start : spans[opening - 1].end] if opening
                else _sentence_before(documents.get(passage.chunk.source, ""), passage.chunk.start)
            )
            window = side_stems(f"{before} {text[spans[opening].start : spans[closing].end]}")
            if first[a] == second[b] and all(named_share(window, own) >= _NAMED_SHARE for own in asked.sides):
                return [_quoted(passage, spans[a]), _quoted(passage, spans[b])]
    return []


def _quoted(passage: Passage, sentence: Span) -> VerifiedClaim:
    return quoted_claim(passage_span(passage, sentence.start, sentence.end))


def _sentence_before(document: str, start: int) -> str:
    """The last sentence of `document` before offset `start` (empty at its top or when it is not known)."""
    text = document[max(0, start - _LOOK_BACK) : start]
    spans = sentence_spans(text)
    return text[spans[-1].start : spans[-1].end] if spans else ""
