"""A count a sentence writes before the noun the question counts, read by code when the model gave nothing.

Asked "How many local wine companies have each exported more than 5,000 cases?", a
small model reading "At least seven local firms have exported more than 5,000 cases each,
including two that shipped 12,000 cases" says the documents do not say: the count is
spelled out and the noun is another word for the one asked. Code reads it: the first retrieved sentence
that names most of the question's words and states exactly one count of what the question
counts ("seven local firms" for "how many ... companies": nouns that count the same things,
`expected.counted_nouns`), not a figure the question itself gives. The sentence is quoted
as a claim and passes the same gate as any other.
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.answering.expected import counted_nouns
from rag.answering.verify import VerifiedClaim, passage_span, quoted_claim
from rag.answering.words import GENERIC_FIGURE_STEMS, content_stems
from rag.chunking import sentence_spans
from rag.numbers import parse_quantities, singular_form
from rag.types import Passage

_NAMED_SHARE = 0.6  # of the question's content words, the share the sentence must name (the counted noun included)


def counted_claim(question: str, passages: Iterable[Passage]) -> VerifiedClaim | None:
    """The first sentence of `passages` that states one count of what the question counts and names its words."""
    counted = counted_nouns(question)
    if not counted:
        return None
    given = {q.value for q in parse_quantities(question)}
    asked = content_stems(question) - GENERIC_FIGURE_STEMS
    counted_stems = content_stems(" ".join(counted))  # the counted noun is named by any word of its group
    for passage in passages:
        text = passage.chunk.text
        for sentence in sentence_spans(text):
            quote = text[sentence.start : sentence.end]
            counts = {
                q.value for q in parse_quantities(quote) if singular_form(q.unit) in counted and q.value not in given
            }
            if len(counts) != 1:
                continue
            if len(asked & (content_stems(quote) | counted_stems)) >= _NAMED_SHARE * len(asked):
                return quoted_claim(passage_span(passage, sentence.start, sentence.end))
    return None
