"""Check a suite's gold answers against its corpus, so a wrong gold figure cannot skew every score.

What it checks, with the eval's own number reader (rag/evaluation/numbers.py) on
each source's text as rag's loader extracts it (so PDF and HTML are read as
`rag index` reads them):
- every gold source exists in the corpus;
- every gold number (and every operand of a derived question) that names a
  source is stated in that source: same value within REL_TOL, matching unit (a bare
  table cell also read in its units line: "102.1" under "[In thousands" states 102,100);
- every derived result follows from its operands by one arithmetic step;
- every page the note names (`report.pdf "page": 47`) states one of the question's figures;
- the suite covers all seven kinds with at least MIN_QUESTIONS questions.
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from pathlib import Path

from rag.evaluation.gold import KINDS, GoldNumber, GoldQuestion, load_questions
from rag.evaluation.numbers import (
    Quantity,
    close,
    derivations,
    describe,
    in_table_units,
    parse_quantities,
    units_match,
)
from rag.evaluation.suites import Suite
from rag.loading import CorpusFile, Skipped, load_document
from rag.types import Document

MIN_QUESTIONS = 40  # SUITES.md: a suite needs at least this many questions, over all seven kinds


def check_suite(suite: Suite, corpus: Path) -> list[str]:
    """Every problem found in `suite`'s gold answers over the corpus folder `corpus`, one line each."""
    questions = load_questions(suite.questions_path)
    reader = _SourceReader(corpus)
    problems = _coverage(questions)
    for q in questions:
        for source in q.gold_sources:
            if reader.quantities(source) is None:
                problems.append(f"{q.id}: gold source {source} is not a readable file of {corpus}")
        for number in (*q.gold_numbers, *q.operands):
            if number.source and (found := reader.quantities(number.source)) is not None:
                if not any(units_match(f.unit, number.unit) and close(f.value, number.value) for f in found):
                    problems.append(f"{q.id}: {_shown(number)} is not stated in {number.source}")
        if q.kind == "derived":
            problems += _derivation_problems(q)
        problems += _page_problems(q, reader)
    return problems


def _page_problems(q: GoldQuestion, reader: _SourceReader) -> list[str]:
    """Each page the note names must state one of the question's gold figures or operands."""
    figures = [*q.gold_numbers, *q.operands]
    problems = []
    for source, page in q.pages:
        found = reader.quantities(source, page)
        if found is None:
            problems.append(f"{q.id}: {source} has no page {page}")
        elif figures and not any(units_match(f.unit, n.unit) and close(f.value, n.value) for f in found for n in figures):
            problems.append(f"{q.id}: page {page} of {source} states none of its figures")
    return problems


def _coverage(questions: list[GoldQuestion]) -> list[str]:
    counts = Counter(q.kind for q in questions)
    problems = []
    if len(questions) < MIN_QUESTIONS:
        problems.append(f"{len(questions)} questions; a suite needs at least {MIN_QUESTIONS}")
    if missing := [kind for kind in KINDS if not counts[kind]]:
        problems.append(f"no question of kind {', '.join(missing)}")
    return problems


def _derivation_problems(q: GoldQuestion) -> list[str]:
    operands = [Quantity(o.value, o.unit, f"{o.value:g}") for o in q.operands]
    results = [d for a in operands for b in operands if a is not b for d in derivations(a, b)]
    return [
        f"{q.id}: {_shown(gold)} does not follow from the operands in one step"
        for gold in q.gold_numbers
        if not any(units_match(d.unit, gold.unit) and close(d.value, gold.value) for d in results)
    ]


def _shown(number: GoldNumber) -> str:
    return describe(number.value, number.unit) or f"{number.value:g}"


class _SourceReader:
    """Sources named "<corpus folder name>/<file>" read once each through rag's loader."""

    def __init__(self, corpus: Path) -> None:
        self.corpus = corpus

    @cache  # noqa: B019 - one reader per check, dropped with it
    def quantities(self, source: str, page: int | None = None) -> list[Quantity] | None:
        """The figures of `source`, or of its 1-based `page`, bare cells also read in the first units line
        there ("102.1" under "[In thousands" is also 102,100), as the scorer reads a quoted table;
        None when the source (or the page) is not there."""
        document = self._document(source)
        if document is None:
            return None
        text = document.text
        if page is not None:
            starts = document.page_starts
            if not 1 <= page <= len(starts):
                return None
            text = text[starts[page - 1] : starts[page] if page < len(starts) else len(text)]
        numbers = parse_quantities(text)
        return numbers + in_table_units(numbers, text)

    @cache  # noqa: B019 - one reader per check, dropped with it
    def _document(self, source: str) -> Document | None:
        folder, _, rest = source.partition("/")
        path = self.corpus / rest
        if folder != self.corpus.name or not rest or not path.is_file():
            return None
        document = load_document(CorpusFile(path, source))
        return None if isinstance(document, Skipped) else document
