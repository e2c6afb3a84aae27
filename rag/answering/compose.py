"""Assemble the user-facing answer: sentences with [n] markers, numbered citations, number checks.

Citations are numbered in order of first use and shared when two sentences cite
the same span. Every number written here comes from a verified claim, a
calculation done by code, or a figure read from a passage, so each NumberCheck
is supported by construction; `unsupported_numbers()` re-checks that invariant
and lists any other number (a figure repeated from the question) as unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from rag.answering.verify import CheckedNumber
from rag.numbers import Quantity, parse_quantities
from rag.types import Citation, NumberCheck, Span

NOT_IN_DOCUMENTS = "The documents do not say."
DISPLAY_TOLERANCE = 0.01  # computed figures are written rounded to 3 significant digits


@dataclass
class Segment:
    """One sentence of the answer and what backs it."""

    text: str  # without markers
    spans: list[Span]
    numbers: list[CheckedNumber]


@dataclass
class Composer:
    """Accumulates segments as they are verified, so the answer can be streamed sentence by sentence."""

    citations: list[Citation] = field(default_factory=list)
    numbers: list[NumberCheck] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)
    coverage: list[tuple[int, int]] = field(default_factory=list)  # where notes of what the documents cover lie

    def add(self, segment: Segment) -> str:
        """Add a sentence; returns the text to show, with its citation markers."""
        ids = [self.cite(span) for span in segment.spans]
        text = _with_markers(segment.text, sorted(set(ids)))
        piece = text if not self.parts else " " + text
        offset = len(self.text)
        searched_from = 0
        for checked in segment.numbers:
            at = piece.find(checked.quantity.text, searched_from)
            at = at if at >= 0 else piece.find(checked.quantity.text)
            searched_from = at + len(checked.quantity.text) if at >= 0 else searched_from
            self.numbers.append(
                NumberCheck(
                    text=checked.quantity.text,
                    value=checked.quantity.value,
                    unit=checked.quantity.unit,
                    supported=True,
                    citation_ids=[self.cite(span) for span in checked.spans],
                    derived=checked.derived,
                    start=offset + at if at >= 0 else None,
                    end=offset + at + len(checked.quantity.text) if at >= 0 else None,
                )
            )
        self.parts.append(piece)
        return piece

    def add_plain(self, text: str, *, coverage: bool = False) -> str:
        """A sentence with no figures and no citations (abstention notes). A `coverage` note names the
        periods the documents cover, read from their profiles: its years are not figures to vouch for."""
        piece = text if not self.parts else " " + text
        if coverage:
            self.coverage.append((len(self.text), len(self.text) + len(piece)))
        self.parts.append(piece)
        return piece

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def cite(self, span: Span) -> int:
        """The id of the citation for `span`, adding it if new."""
        for citation in self.citations:
            if (citation.source, citation.start, citation.end) == (span.source, span.start, span.end):
                return citation.id
        citation = Citation(**{f.name: getattr(span, f.name) for f in fields(Span)}, id=len(self.citations) + 1)
        self.citations.append(citation)
        return citation.id


def _with_markers(sentence: str, ids: list[int]) -> str:
    """Put markers before the closing full stop: "... $6.8 billion abroad [1]."."""
    sentence = sentence.strip()
    markers = "".join(f"[{i}]" for i in ids)
    if not markers:
        return sentence
    if sentence.endswith((".", "!", "?")):
        return f"{sentence[:-1]} {markers}{sentence[-1]}"
    return f"{sentence} {markers}."


def unsupported_numbers(answer_text: str, checks: list[NumberCheck], coverage: list[tuple[int, int]]) -> list[Quantity]:
    """Numbers in the answer text that no supported check vouches for.

    Only notes that repeat the question's own figures ("do not mention 50,000 men")
    should ever appear here; a coverage note's periods ("cover Acme's 2021 and 2022
    reports, not 2019": `coverage` ranges) are read from the documents' profiles, not
    figures. Computed figures are shown rounded, hence the 1% tolerance.
    """
    found = parse_quantities(answer_text)  # "[n]" markers are not quantities, so offsets are the text's own
    return [
        q
        for q in found
        if not any(start <= q.start < end for start, end in coverage)
        and not any(
            c.supported and c.unit == q.unit and abs(c.value - q.value) <= DISPLAY_TOLERANCE * max(abs(c.value), 1e-9)
            for c in checks
        )
    ]
