"""The cell of a written-out table row that the question names by row and column, proposed by code.

Shown rows of headed cells ("Offense charged: Robbery | Total: 102.1 | Male Total: 90.0 | ..."),
a small model copies the caption or the cell of a neighbouring column, and the gate drops what
it wrote; the answer then says the documents do not say. When that happens the question's own
words pick the cell: the row is the one whose name (its first cell that holds no figure) is all
words of the question, or whose name's abbreviation in brackets is ("WGS 72" of "World Geodetic
System 1972 (WGS 72)"); of rows of one name, the one whose other text cells ("ID Code: WD") the
question also uses, when only one does. The column is the one whose header shares the most words
with the question beyond the row's name (and, of those, leaves the fewest unasked). Code writes
that cell as a claim ("Robbery, Male Total: 90.0") and the gate checks it as it checks the
model's, its units line and period included. The pipeline reads such a cell before the model
runs; the model answers only when none passes the gate.

Asked to compare two rows ("how many meters longer is the Hayford 1910 major axis than the SGA
50 one?"), each side's text names one row of one table, and both rows' cells of the asked column
are proposed (`compared_rows`); code then computes the difference from the two claims.

Asked for a row and no column ("How many robbery arrests ...?"), the row's total column answers,
when the question has no word that neither the row's name nor the table and its document describe
themselves with. Nothing is proposed when the question names a column the table lacks (asked for
"Hispanic" of a table whose columns are "Total", "White" and "Black"), when two columns tie, or when it names two
rows of one table. A question that names a table ("Table 325") reads only rows under that
caption. One claim per table: two tables that each hold the asked cell are two sources.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.answering.compare import compared_sides, compared_texts
from rag.answering.reply import ProposedClaim
from rag.answering.words import GENERIC_FIGURE_STEMS, asked_words, header_words
from rag.formats.tables import CELL_SEPARATOR, FIGURE_CELL
from rag.numbers import parse_quantities
from rag.types import Passage

_MIN_CELLS = 3  # a row of a table, not a field ("Number of rooms: 340")
_TABLE_NAME = re.compile(r"\bTable\s+([A-Z]?-?\d+(?:[-.]\d+)?[A-Z]?)\b")  # "Table 325", "Table A-2"


_ABBREVIATION = re.compile(r"\(([^()]*[A-Za-z][^()]*)\)\s*$")  # "(WGS 72)" ending a row's name


@dataclass(frozen=True)
class _Cell:
    """A candidate: the words of its row's name, whether the question uses its other text cells too, and the claim."""

    row: frozenset[str]
    attributes_asked: bool
    claim: ProposedClaim


def cell_claims(question: str, passages: list[Passage]) -> list[ProposedClaim]:
    """At most one claim per table of `passages` (numbered from 1): its cell the question names by row and column."""
    claims = []
    for cells in _named_cells(question, passages).values():
        rows = _asked_rows({cell.row for cell in cells})
        if len(rows) == 1:
            named = {cell.claim.statement: cell for cell in cells if cell.row in rows}
            if len(named) > 1:  # rows of one name: the one whose other text cells are asked too
                named = {statement: cell for statement, cell in named.items() if cell.attributes_asked}
            if len(named) == 1:
                claims.append(next(iter(named.values())).claim)
    return claims


def compared_cells(question: str, passages: list[Passage]) -> tuple[ProposedClaim, ProposedClaim] | None:
    """"How many more male than female robbery arrests?": the cell of each side's column ("Male Total",
    "Female Total") in the one row the question names, when exactly one table has such a row."""
    sides = compared_sides(question)
    if sides is None:
        return None
    asked, naming = asked_words(question), _naming_words(question)
    pairs: dict[tuple[str, str], list[tuple[_Cell, _Cell]]] = {}
    for line in _table_lines(question, passages):
        headers = header_words(" ".join(label for label, _, value in _cells(line.text) if _is_figure(value)))
        own_a, own_b = sides[0] & headers, sides[1] & headers
        if not (own_a and own_b):
            continue
        a = _asked_cell(line.text, asked - own_b, naming, line.described, line.passage)
        b = _asked_cell(line.text, asked - own_a, naming, line.described, line.passage)
        if a and b and a.claim.statement != b.claim.statement:
            pairs.setdefault(line.table, []).append((a, b))
    if len(pairs) != 1:
        return None
    [found] = pairs.values()
    rows = _asked_rows({a.row for a, _ in found})
    if len(rows) != 1:
        return None
    return next((a.claim, b.claim) for a, b in found if a.row in rows)


def compared_rows(question: str, passages: list[Passage]) -> tuple[ProposedClaim, ProposedClaim] | None:
    """"How much longer is A's major axis than B's?": the asked column's cell of the row each side names,
    when exactly one table has a row for each side (side A first)."""
    texts = compared_texts(question)
    if texts is None:
        return None
    a_words, b_words = (_naming_words(text) for text in texts)
    found = []
    for cells in _named_cells(question, passages).values():
        # the rows only one side names, a row read twice (two chunks) one
        a = {c.claim.statement: c.claim for c in cells if c.row <= a_words and not c.row <= b_words}
        b = {c.claim.statement: c.claim for c in cells if c.row <= b_words and not c.row <= a_words}
        if len(a) == 1 and len(b) == 1:
            found.append((*a.values(), *b.values()))
    return found[0] if len(found) == 1 else None


def _named_cells(question: str, passages: list[Passage]) -> dict[tuple[str, str], list[_Cell]]:
    """Each table's cells of the rows and column the question names."""
    asked, naming = asked_words(question), _naming_words(question)
    by_table: dict[tuple[str, str], list[_Cell]] = {}
    for line in _table_lines(question, passages):
        cell = _asked_cell(line.text, asked, naming, line.described, line.passage)
        if cell is not None:
            by_table.setdefault(line.table, []).append(cell)
    return by_table


@dataclass(frozen=True)
class _Line:
    """A line of a passage that may be a row of a table the question may name."""

    text: str
    passage: int  # numbered from 1
    table: tuple[str, str]  # its document and table (caption and headers)
    described: set[str]  # the words its table and document describe themselves with


def _table_lines(question: str, passages: list[Passage]) -> list[_Line]:
    """The lines of `passages`, less those of tables other than one the question names ("Table 325")."""
    named_tables = set(_TABLE_NAME.findall(question))
    lines = []
    for number, passage in enumerate(passages, start=1):
        chunk = passage.chunk
        caption = _TABLE_NAME.search(chunk.context)  # the first: a headnote may point to another ("See Table 324")
        if named_tables and not (caption and caption.group(1) in named_tables):
            continue
        # What the table and its document say of themselves: a question whose every word is here or in
        # a row's name asks for that row as a whole.
        described = header_words(" ".join(
            [chunk.title, chunk.about, chunk.context, *(p.chunk.text for p in passages if p.chunk.source == chunk.source)]
        ))
        lines += [_Line(text, number, (chunk.source, chunk.context), described) for text in chunk.text.splitlines()]
    return lines


def _asked_rows(rows: set[frozenset[str]]) -> set[frozenset[str]]:
    """The rows the question names most closely: not one whose name is part of another's ("Theft" beside
    "Motor vehicle theft"), nor a row of generic words ("Total") beside one of its own words."""
    rows = {row for row in rows if not any(row < other for other in rows)}
    specific = {row for row in rows if row - GENERIC_FIGURE_STEMS}
    return specific or rows


def _asked_cell(line: str, asked: set[str], naming: set[str], described: set[str], passage: int) -> _Cell | None:
    """The cell of `line` (a written-out row) in the column the question names (by its `asked` words), if
    its row is one the question names (by its `naming` words); its total column when the question names
    no column and no word the table does not describe itself with ("robbery arrests" of "Arrests by Sex",
    not "Hispanic persons" of "Arrests by Race")."""
    cells = _cells(line)
    if len(cells) < _MIN_CELLS or not all(sep for _, sep, _ in cells):
        return None
    names = [value for _, _, value in cells if not _is_figure(value)]
    row = _row_name(names[0], naming) if names else None
    if row is None:
        return None
    scored = [
        (_column_fit(header_words(label) - row - GENERIC_FIGURE_STEMS, asked), label, value)
        for label, _, value in cells if _is_figure(value) and parse_quantities(value)
    ]
    if not scored:
        return None
    top = max(score for score, _, _ in scored)
    chosen = [(label, value) for score, label, value in scored if score == top]
    if len(chosen) > 1:
        return None
    [(label, value)] = chosen
    if top[0] == 0 and (header_words(label) - row - GENERIC_FIGURE_STEMS or asked - row - described - GENERIC_FIGURE_STEMS):
        return None
    statement = f"{', '.join(names)}, {label}: {value}."
    return _Cell(frozenset(row), header_words(" ".join(names[1:])) <= naming, ProposedClaim(passage, statement))


def _naming_words(question: str) -> set[str]:
    """The question's words a row's name may be made of: its asked words and every whole number it writes,
    years too ("Clarke 1880", "Hayford 1910")."""
    return asked_words(question) | header_words(question)


def _row_name(name: str, naming: set[str]) -> set[str] | None:
    """The words by which the question names a row called `name`: all of them, or its abbreviation in brackets."""
    abbreviation = _ABBREVIATION.search(name)
    for words in (header_words(name), header_words(abbreviation.group(1)) if abbreviation else set()):
        if words and words <= naming:
            return words
    return None


def _cells(line: str) -> list[tuple[str, str, str]]:
    """A written-out row's cells as (header, ": ", value)."""
    return [cell.partition(": ") for cell in line.split(CELL_SEPARATOR)]


def _column_fit(header: set[str], asked: set[str]) -> tuple[int, int]:
    """The header's words the question uses, then fewest it does not: "female" asks for "Female Total"
    over "Female Under 18 years"."""
    return len(header & asked), -len(header - asked)


def _is_figure(value: str) -> bool:
    return bool(FIGURE_CELL.match(value.strip()))
