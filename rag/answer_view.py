"""How `rag ask` shows an answer in the terminal: text as it streams, then its sources."""

from __future__ import annotations

import sys
from collections.abc import Iterable

from rag.numbers import Quantity, parse_quantities, same_quantity
from rag.terminal import BOLD, DIM, highlight_span, printable, style, use_colour
from rag.types import Answer, Citation, NumberCheck, Passage, SourcesEvent, TextDelta


def print_answer_stream(events: Iterable[object]) -> Answer:
    """Print the passages being read (on stderr), verified text as it arrives, then the sources list; returns the Answer."""
    colour = use_colour()
    answer: Answer | None = None
    for event in events:
        if isinstance(event, SourcesEvent):
            print(style(reading_line(event.passages), DIM, colour), file=sys.stderr, flush=True)
        elif isinstance(event, TextDelta):
            sys.stdout.write(printable(event.text))
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
        print(style(printable(f"Not found in any source: {', '.join(unsupported)}"), DIM, colour))
    print(style(f"{answer.model} · {answer.timings['total_ms'] / 1000:.1f} s", DIM, colour), file=sys.stderr)
    return answer


def reading_line(passages: list[Passage]) -> str:
    """`Reading: seeds/a.txt (lines 3-7, 12), r.pdf (p. 2, lines 4-6; p. 3, line 1)`: what the model reads, before it answers."""
    by_source: dict[str, list[str]] = {}
    for passage in passages:
        chunk = passage.chunk
        lines = f"{chunk.line_start}" if chunk.line_start == chunk.line_end else f"{chunk.line_start}-{chunk.line_end}"
        if chunk.page is not None:
            lines = f"p. {chunk.page}, line{'s' if '-' in lines else ''} {lines}"
        by_source.setdefault(chunk.source, []).append(lines)
    if not by_source:
        return "Reading: no passage matches the question"
    parts = []
    for source, spans in by_source.items():
        if spans[0].startswith("p. "):
            parts.append(f"{printable(source, newlines=False)} ({'; '.join(spans)})")
        else:
            parts.append(f"{printable(source, newlines=False)} (line{'s' if len(spans) > 1 or '-' in spans[0] else ''} {', '.join(spans)})")
    return "Reading: " + ", ".join(parts)


def location(source: str, page: int | None, line_start: int, line_end: int) -> str:
    """`seeds/x.txt lines 7-8`, or for a PDF `report.pdf p. 47, lines 12-14` (lines counted on that page)."""
    lines = f"line {line_start}" if line_start == line_end else f"lines {line_start}-{line_end}"
    name = printable(source, newlines=False)
    return f"{name} p. {page}, {lines}" if page is not None else f"{name} {lines}"


def format_citation(citation: Citation, numbers: list[NumberCheck], colour: bool) -> str:
    """`[1] seeds/x.txt lines 7-8: "...quote..."` with the figures the answer uses highlighted."""
    quote = printable(" ".join(citation.quote.split()))
    used = [n for n in numbers if citation.id in n.citation_ids]
    # Highlight from the end so earlier offsets stay valid.
    for quantity in reversed(parse_quantities(quote)):
        if any(_same(n, quantity) for n in used):
            quote = highlight_span(quote, quantity.start, quantity.end, colour)
    where = location(citation.source, citation.page, citation.line_start, citation.line_end)
    return f"[{citation.id}] {where}: \"{quote}\""


def _same(check: NumberCheck, quantity: Quantity) -> bool:
    return same_quantity(Quantity(check.text, 0, 0, check.value, check.unit, False), quantity)
