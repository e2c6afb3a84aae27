"""How `rag ask` shows an answer in the terminal: text as it streams, then its sources."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rag.numbers import Quantity, parse_quantities, same_quantity
from rag.terminal import BOLD, DIM, highlight_span, style, use_colour
from rag.types import Answer, Citation, NumberCheck


def print_answer_stream(events: Iterable[object]) -> Answer:
    """Print verified text as it arrives, then the sources list; returns the Answer."""
    from rag.answering.pipeline import TextDelta

    colour = use_colour()
    answer: Answer | None = None
    for event in events:
        if isinstance(event, TextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Answer):
            answer = event
    assert answer is not None
    print()
    if answer.citations:
        print()
        print(style("Sources:", BOLD, colour))
        for citation in answer.citations:
            print(format_citation(citation, answer.numbers, colour))
    unsupported = [n.text for n in answer.numbers if not n.supported]
    if unsupported:
        print(style(f"Not found in any source: {', '.join(unsupported)}", DIM, colour))
    print(style(f"{answer.model} · {answer.timings['total_ms'] / 1000:.1f} s", DIM, colour), file=sys.stderr)
    return answer


def format_citation(citation: Citation, numbers: list[NumberCheck], colour: bool) -> str:
    """`[1] seeds/x.txt lines 7-8: "...quote..."` with the figures the answer uses highlighted."""
    lines = (
        f"line {citation.line_start}"
        if citation.line_start == citation.line_end
        else f"lines {citation.line_start}-{citation.line_end}"
    )
    quote = " ".join(citation.quote.split())
    used = [n for n in numbers if citation.id in n.citation_ids]
    # Highlight from the end so earlier offsets stay valid.
    for quantity in reversed(parse_quantities(quote)):
        if any(_same(n, quantity) for n in used):
            quote = highlight_span(quote, quantity.start, quantity.end, colour)
    return f"[{citation.id}] {citation.source} {lines}: \"{quote}\""


def _same(check: NumberCheck, quantity: Quantity) -> bool:
    return same_quantity(Quantity(check.text, 0, 0, check.value, check.unit, False), quantity)
