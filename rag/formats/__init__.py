"""Text renderings of binary and structured files: PDF, HTML, Word, CSV and Excel.

Each reader returns a `Rendering`: the text that is indexed and cited (offsets and
line numbers point into it) and, for paged formats, where each page begins. The
rendering is deterministic, so the same file always gives the same offsets.

Tables are written one row a line, each cell after its column header
("Revenue | 2018: 1,577 | 2017: 1,432", see `tables.py`), so a passage holding a
single row still says what its figures are.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass


class ExtractionError(Exception):
    """A file of a supported type whose text cannot be read; the message is the skip reason."""


@dataclass(frozen=True)
class Rendering:
    text: str
    page_starts: tuple[int, ...] = ()  # offset of each page's first character, page 1 first; () if not paged


PAGE_BREAK = "\f"  # between two pages of a paged document's text, on a line of its own


def page_of(page_starts: tuple[int, ...] | list[int], offset: int) -> int | None:
    """1-based page holding the character at `offset`; None for a document without pages."""
    if not page_starts:
        return None
    return max(1, bisect.bisect_right(page_starts, offset))


def page_bounds(text: str) -> list[tuple[int, int]]:
    """[start, end) of each page of a paged document's text, found from its page breaks; one page if none."""
    bounds, start = [], 0
    while (brk := text.find(PAGE_BREAK, start)) >= 0:
        bounds.append((start, brk))
        start = brk + 1
    bounds.append((start, len(text)))
    return bounds


_EDGE_LINES = 4  # lines at the top and bottom of a page where running heads and feet are printed
_MIN_PAGES = 3
_PAGE_NUMBER = re.compile(r"(?:page\s+)?(?:\d+|[ivxlcdm]+)(?:\s+of\s+\d+)?", re.IGNORECASE)


_MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
_WORD = re.compile(r"[A-Za-z]{3,}")


def running_lines(text: str, page_starts: tuple[int, ...] | list[int]) -> frozenset[str]:
    """The lines printed at the top or bottom of most pages that name nothing ("UNCLASSIFIED", a date),
    stripped: page furniture, never a document's title or subject. A running head of words ("Acme
    Corporation 2023 Annual Report") names the document and is kept. Empty under three pages."""
    if len(page_starts) < _MIN_PAGES:
        return frozenset()
    seen: Counter[str] = Counter()
    for start, end in zip(page_starts, [*page_starts[1:], len(text)]):
        lines = [line.strip() for line in text[start:end].splitlines() if line.strip()]
        seen.update(set(lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]))
    return frozenset(line for line, pages in seen.items() if pages * 2 >= len(page_starts) and _names_nothing(line))


def _names_nothing(line: str) -> bool:
    """A banner word or a date: fewer than two words of three letters or more, months aside."""
    return len([w for w in _WORD.findall(line) if w.lower() not in _MONTHS]) < 2


def is_page_number(line: str) -> bool:
    """"12", "iv", "Page 3 of 40": a page's number, printed on it, no title."""
    return _PAGE_NUMBER.fullmatch(line.strip()) is not None
