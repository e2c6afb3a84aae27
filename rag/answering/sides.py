"""The figure of the side of a two-sided question that no claim speaks of, read by code from a sentence naming it.

Asked "How much more is the A budget than the amount planned for B?" or "What did it spend on
A, and what is its B plan?", a small model states one side's figure and not the other, even
when shown the other's passage again. So when one side stays unanswered, the retrieved passages
are searched, best first, for a sentence that names (nearly) all of that side's own words and
states exactly one figure of the kind the question asks (in the currency it names, "how many
yuan" or "in dollars", if it names one) nearer a word of that side than of the answered one.
That sentence is quoted as a claim and passes the same gate as any other. A claim speaks of a side when it names half its words or
more ("report" alone does not name "the amount it reportedly planned for B").
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.answering.compare import named_share, names_side, sentence_figures, side_of, side_stems, two_sides
from rag.answering.expected import expected_kind, named_currency
from rag.answering.verify import VerifiedClaim, passage_span, quoted_claim
from rag.chunking import sentence_spans
from rag.numbers import is_currency
from rag.types import Passage

_NAMED_SHARE = 0.75  # of the side's own words, the share a sentence must name: a long side may be worded otherwise


def side_claim(question: str, claims: list[VerifiedClaim], passages: Iterable[Passage]) -> VerifiedClaim | None:
    """The first sentence of `passages` that names the side no claim speaks of and states one figure of the asked kind."""
    sides = two_sides(question)
    if sides is None or not claims:
        return None
    said = set().union(*(side_stems(claim.statement) for claim in claims))
    named = [names_side(said, own) for own in sides]
    if named.count(True) != 1:
        return None
    side = named.index(False)
    missing = sides[side]
    expected, currency = expected_kind(question), named_currency(question)
    answered_figures = {(n.quantity.value, n.quantity.unit) for claim in claims for n in claim.numbers}
    for passage in passages:
        text = passage.chunk.text
        for sentence in sentence_spans(text):
            if named_share(side_stems(text[sentence.start : sentence.end]), missing) < _NAMED_SHARE:
                continue
            figures = {
                (q.value, q.unit) for q in sentence_figures(passage, sentence.start, sentence.end)
                if (expected is None or expected.fits(q, text))
                and (currency is None or not is_currency(q.unit) or q.unit == currency)
                and side_of(text, sentence, q.start, q.end, sides, in_clause=False) == side
            }
            if len(figures) == 1 and not figures & answered_figures:
                return quoted_claim(passage_span(passage, sentence.start, sentence.end))
    return None

