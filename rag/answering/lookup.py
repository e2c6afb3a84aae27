"""Look a value up in a bracket table by code: the row that holds the question's figure, the column it names.

Shown "60,400 60,450 11,530 8,281 11,530 63,400 ..." under three groups of wrapped
column headers, a small model copies the headers instead of the cell. The lookup needs no
model: the row is the one whose bracket holds the question's figure (`rag/brackets.py`),
the column is the one whose header shares the most words with the question, and the
statement is made of the row's own figures. It is made only when the header above the
table names every column unambiguously, in one of two shapes of PDF text:

- one line with one capitalised word per figure of the row ("At But Single Qualifying
  Married", repeated for each group of columns), each the first word of a wrapped header;
- labels stacked one after another, each starting with a capital ("At least", "But less
  than", "Single", "Married filing jointly", ...), one per figure of a group of columns.
  A phrase ending in a dash or colon ("Your tax is—") spans columns and labels none.

When a document has several tables whose rows hold the figure (a tax table and a credit
table both cover 25,320), the table is the one whose header shares the most words with the
question. A question that compares two columns or two rows gets both cells, and
`lookup_difference` subtracts them. Anything else (no header found, counts that do not
agree, a question naming no column, two columns tied, the asked table unreadable) leaves
the question to the model. Each claim still passes the gate's rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from rag import brackets
from rag.answering.compare import compared_texts
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, combine, passage_span, stated_in, unique_spans
from rag.answering.words import asked_words, content_stems, header_words
from rag.formats import PAGE_BREAK
from rag.numbers import Quantity, parse_quantities
from rag.types import Passage, Span

_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")
_SPANNING = re.compile(r"[-\u2013\u2014:]\s*$")  # "Your tax is—", "And you are:"
_DIFFERENCE = re.compile(
    r"\bhow (?:much|many) (?:more|less|fewer|higher|lower|bigger|larger|smaller)\b|\bdifference\b", re.IGNORECASE
)
_RANGE = re.compile(r"\s*(?:[-\u2013\u2014]|to|and)\s*", re.IGNORECASE)  # between the two ends of a range
_HEADER_LINES = 30  # the most lines a table's header is looked for in, above its first row
_NUMBERED = re.compile(r"\d{1,2}(?: \d{1,2})+")  # "0 1 2 3 0 1 2 3": columns numbered under phrases that span them
_SPAN_END = re.compile(r"\S[\u2013\u2014]$")  # "is–" ends a phrase that spans columns


def table_lookups(
    question: str, given: Sequence[Quantity], passages: list[Passage], documents: Mapping[str, str]
) -> list[VerifiedClaim]:
    """For each figure the question gives and each document: the cell of the column the question
    names, in the bracket row that holds the figure. A question comparing two columns ("how much more
    does a married person filing separately pay than a single filer") gets the cell of each side's."""
    asked, sides = asked_words(question), _sides(question)
    claims = []
    for figure in _looked_up_figures(question, given):
        for source in dict.fromkeys(p.chunk.source for p in passages):
            rows = [row for p in passages if p.chunk.source == source and (row := _row(figure, p, documents.get(source, "")))]
            claims += _asked_table_cells(figure, rows, asked, sides)
    return claims


def _sides(question: str) -> tuple[set[str], set[str]] | None:
    """The words only each side of a comparison names, all of them: a column's label may be any of them."""
    texts = compared_texts(question)
    if texts is None:
        return None
    side_a, side_b = (asked_words(text) for text in texts)
    return side_a - side_b, side_b - side_a


def lookup_difference(question: str, claims: list[VerifiedClaim]) -> CalculationResult | None:
    """"How much more at A than at B": the difference of the two cells the lookups read, when the
    question compares and the cells are exactly two values (each document's copy of a table agrees)."""
    if not _DIFFERENCE.search(question):
        return None
    cells: dict[float, CheckedNumber] = {}
    for claim in claims:
        cells.setdefault(claim.numbers[-1].quantity.value, claim.numbers[-1])
    if len(cells) != 2:
        return None
    first, second = cells.values()
    result = combine("difference", first, second)
    return result if isinstance(result, CalculationResult) else None


def _looked_up_figures(question: str, given: Sequence[Quantity]) -> list[Quantity]:
    """The question's figures, less the upper end of a range it writes ("$40,000-$40,050" is the row of 40,000)."""
    return [
        figure for figure in given
        if not any(
            other.end <= figure.start and _RANGE.fullmatch(question, other.end, figure.start)
            and brackets.is_bracket(replace(other, unit=""), replace(figure, unit=""))
            for other in given
        )
    ]


@dataclass(frozen=True)
class _Row:
    """A bracket row that holds the question's figure, with the header lines above its table."""

    passage: Passage
    start: int  # offsets of the row in the passage's chunk text
    end: int
    cells: list[Quantity]
    group: int  # figures per group of columns
    header: tuple[str, ...]
    document: str  # the row's document, where its header is cited from


def _row(figure: Quantity, passage: Passage, document: str) -> _Row | None:
    """The bracket row of `passage` that holds `figure`, when its groups of columns can be told apart."""
    chunk = passage.chunk
    found = brackets.row_of(figure, chunk.text)
    if found is None:
        return None
    start, end = found
    cells = parse_quantities(chunk.text[start:end])
    group = _group_size(cells)
    if group is None:
        return None
    return _Row(passage, start, end, cells, group, _header_lines(document, chunk.start + start), document)


def _asked_table_cells(
    figure: Quantity, rows: list[_Row], asked: set[str], sides: tuple[set[str], set[str]] | None
) -> list[VerifiedClaim]:
    """The cells from the table the question is about, when a document has several whose rows hold its
    figure (a tax table and a credit table both cover 25,320): of those whose header shares the most
    words with the question, the one whose columns can be read; none when that is not exactly one."""
    tables = {row.header: row for row in rows}
    shared = {header: len(content_stems(" ".join(header)) & asked) for header in tables}
    best = max(shared.values(), default=0)
    read = [cells for header, row in tables.items() if shared[header] == best and (cells := _cells(figure, row, asked, sides))]
    return read[0] if len(read) == 1 else []


def _cells(figure: Quantity, row: _Row, asked: set[str], sides: tuple[set[str], set[str]] | None) -> list[VerifiedClaim]:
    """A claim for each column of `row` the question names; none when its header cannot be read."""
    cells, group = row.cells, row.group
    numbered = _numbered_labels(list(row.header), group)
    labels = numbered[0] * (len(cells) // group) if numbered else _labels_per_figure(list(row.header), len(cells), group)
    if labels is None:
        return []
    first = next(i for i in range(0, len(cells), group) if cells[i].value <= figure.value < cells[i + 1].value)
    # The row is the citation: it shows the bracket that holds the question's figure, and the cell; a
    # numbered column's number is cited from the header line that numbers the columns.
    spans = [passage_span(row.passage, row.start, row.end)]
    if numbered:
        spans.append(_header_span(row, numbered[1]))
    claims = []
    for column in _named_columns(labels, range(first + 2, first + group), asked, sides):
        statement = f"For {figure.text}, the {_shown(labels[column])} column gives {cells[column].text}."
        numbers = [
            CheckedNumber(q, [next((span for span in spans if stated_in(q, span.quote)), spans[0])])
            for q in parse_quantities(statement)
        ]
        claims.append(VerifiedClaim(statement, unique_spans([n.spans[0] for n in numbers]), numbers))
    return claims


def _numbered_labels(header: list[str], group: int) -> tuple[list[str], str] | None:
    """Labels of a third header shape, and the line it is read from: column numbers on one line, the
    numbers repeating once per phrase that spans them ("Married filing jointly and the number of
    children you have is–" over "0 1 2 3"), each label its phrase and its number ("... you have is 2")."""
    per_group = group - 2
    line = next((line for line in reversed(header) if _NUMBERED.fullmatch(line) and len(line.split()) == per_group), None)
    if line is None:
        return None
    numbers = line.split()
    period = next(p for p in range(1, per_group + 1) if per_group % p == 0 and numbers == numbers[:p] * (per_group // p))
    phrases = _spanning_phrases(header[: header.index(line)])
    spanned = per_group // period
    if len(phrases) < spanned:
        return None
    owners = phrases[len(phrases) - spanned :]
    labels = [f"{owners[i // period][:-1].rstrip()} {number}" for i, number in enumerate(numbers)]
    return ["", ""] + labels, line


def _spanning_phrases(lines: list[str]) -> list[str]:
    """The phrases of `lines` that each end in a dash ("And your filing status is–"), in order."""
    phrases, words = [], []
    for word in " ".join(lines).split():
        words.append(word)
        if _SPAN_END.search(word):
            phrases.append(" ".join(words))
            words = []
    return phrases


def _header_span(row: _Row, line: str) -> Span:
    """`line` of the row's header as an exact span of its document, its lines counted as the row's are."""
    chunk = row.passage.chunk
    row_start = chunk.start + row.start
    start = row.document.rfind(line, 0, row_start)
    end = start + len(line)
    line_start = chunk.line_start + chunk.text.count("\n", 0, row.start) - row.document.count("\n", start, row_start)
    return Span(chunk.source, start, end, line_start, line_start + line.count("\n"), line, chunk.page)


def _group_size(cells: list[Quantity]) -> int | None:
    """Figures per group of columns: each group opens with a bracket (two bare bounds); None unless
    the groups are of one size, with a value after each bracket."""
    starts = [
        i for i, (low, high) in enumerate(zip(cells, cells[1:]))
        if brackets.is_bracket(low, high)
    ]
    if not starts or starts[0] != 0:
        return None
    size = starts[1] if len(starts) > 1 else len(cells)
    if size < 3 or len(cells) % size or starts != list(range(0, len(cells), size)):
        return None
    return size


def _header_lines(document: str, row_start: int) -> tuple[str, ...]:
    """The lines of words above a table's rows on its page, up to the rows of a table above it (the rows
    and the figure-only lines that group them are passed over first), in document order."""
    lines = document[document.rfind(PAGE_BREAK, 0, row_start) + 1 : row_start].splitlines()
    header: list[str] = []
    for line in reversed(lines):
        if _LETTER.search(line) or _NUMBERED.fullmatch(line.strip()):
            header.append(line.strip())
            if len(header) == _HEADER_LINES:
                break
        elif header and _is_row(line):
            break
    return tuple(header[::-1])


def _is_row(line: str) -> bool:
    """A line of a bracket table: it opens with a bracket."""
    figures = parse_quantities(line)
    return len(figures) > 2 and brackets.is_bracket(figures[0], figures[1])


def _labels_per_figure(header: list[str], figures: int, group: int) -> list[str] | None:
    """A label for each figure of the row, from either header shape; None when neither fits."""
    header = [line for line in header if not _NUMBERED.fullmatch(line)]
    for line in header:
        words = line.split()
        if len(words) == figures and all(word[0].isupper() for word in words):
            return words
    # The labels are the last lines above the rows: the shortest run of lines that starts a label and names `group`.
    for first in range(len(header) - 1, -1, -1):
        if not header[first][0].isupper():
            continue
        labels = _stacked_labels(header[first:])
        if len(labels) == group:
            break
    else:
        return None
    return labels * (figures // group)


def _stacked_labels(lines: list[str]) -> list[str]:
    """Phrases that each start with a capital, less those that span columns or hold a figure."""
    phrases: list[list[str]] = []
    for word in " ".join(lines).split():
        if word[0].isupper() or not phrases:
            phrases.append([])
        phrases[-1].append(word)
    labels = [" ".join(phrase) for phrase in phrases]
    return [label for label in labels if not _SPANNING.search(label) and not _DIGIT.search(label)]


def _named_columns(
    labels: list[str], candidates: range, asked: set[str], sides: tuple[set[str], set[str]] | None
) -> list[int]:
    """One column per side of a comparison when each side names its own, else the one the question names."""
    if sides is not None:
        pair = [_named_column(labels, candidates, side, asked) for side in sides]
        if None not in pair and pair[0] != pair[1]:
            return [column for column in pair if column is not None]
    column = _named_column(labels, candidates, asked)
    return [] if column is None else [column]


def _named_column(labels: list[str], candidates: range, asked: set[str], question: set[str] = frozenset()) -> int | None:
    """The one candidate column whose label shares the most words with `asked` (a side's words; of
    columns tied on those, the most with the whole `question`), or None."""
    shared = {i: (len(header_words(labels[i]) & asked), len(header_words(labels[i]) & question)) for i in candidates}
    best = max(shared.values(), default=(0, 0))
    winners = [i for i, count in shared.items() if count == best]
    return winners[0] if best[0] and len(winners) == 1 else None


def _shown(label: str) -> str:
    return label.rstrip(" *\u2020").strip()
