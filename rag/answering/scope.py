"""Is the evidence about the subject and period the question names? One rule for the gate and the abstention.

A figure traced to a passage proves that the figure exists, not that the passage is
about what was asked: a small model asked about 2023 readily answers with a 2025
figure, and asked about one company's capital expenditure, with another's. So when a
question names subjects (those of the corpus's document profiles, `rag.metadata`) or
periods (a year, fiscal year, quarter, "as of" date or release, `rag.periods`):

- a claim from a document about another subject is refused (OTHER_SUBJECT), unless its quote
  or file name names a name of the question that no profile subject is (the other half of "A's
  X and B's Y", B's profile subject read from a cover banner); so is one from another document
  than the dated one the question names ("Acme's 2021 report");
- a claim is about an asked period when its quote (with its chunk's table header) names
  a matching period; when the quote names no period, when its document's profile does;
  and when the document has no profiled period, when its text names that one period only, or
  one year far more often than any other.
  Otherwise it is refused (OTHER_PERIOD). A period written on one side of a two-sided question
  dates that side only ("spent on A in 2025, and what is its B plan this year?"): a claim that
  names the other side is not held to it;
- when no retrieved passage of a document that may answer (the named subject's, the named
  document) is about an asked period, the answer says what the documents cover instead
  (or, when a document's profile is of that period, that no passage found is about it)
  and stops, before the model runs.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from rag.answering.columns import column_of, table_header
from rag.answering.compare import dated_sides, names_side, side_stems
from rag.answering.verify import VerifiedClaim
from rag.metadata import (
    DocumentProfile,
    QuestionScope,
    ScopeOutcome,
    coverage_note,
    match,
    question_scope,
    subject_matches,
)
from rag.periods import Period, PeriodKind, find_periods, periods_in
from rag.types import Passage, RejectionKind, Span


# A whole document is about the year it names at least this often, and this many times as often as any other.
_DOMINANT_MENTIONS = 10
_DOMINANT_RATIO = 5
# Outcomes that rule a whole document out, whatever its sentences say.
_OTHER_DOCUMENTS = (ScopeOutcome.OTHER_SUBJECT, ScopeOutcome.OTHER_DOCUMENT)


@dataclass(frozen=True)
class Scope:
    """What a question names, and what the corpus's documents are about."""

    asked: QuestionScope
    profiles: dict[str, DocumentProfile]  # source -> profile, for every document that has one
    document_periods: Callable[[str], list[Period]]  # source -> the periods its whole text names (fallback)
    # The own words of a two-sided question's side that names a period, and of the side that names none.
    dated_sides: tuple[set[str], set[str]] | None = None

    @classmethod
    def of(
        cls, question: str, profiles: dict[str, DocumentProfile], document_periods: Callable[[str], list[Period]]
    ) -> Scope:
        subjects = [p.subject for p in profiles.values() if p.subject]
        return cls(question_scope(question, subjects), profiles, document_periods, dated_sides(question))

    def profile_periods(self, source: str) -> list[Period]:
        """The periods `source`'s profile says it is about (none when it has no profile)."""
        profile = self.profiles.get(source)
        return list(profile.periods) if profile else []

    def refusal(self, claim: VerifiedClaim, passages: list[Passage]) -> tuple[RejectionKind, str] | None:
        """Why `claim` is about another subject or period than asked, or None."""
        if self.asked.names_nothing:
            return None
        dated = self._dated(claim.statement)
        for span in claim.spans:
            refusal = self.span_refusal(span, passages, dated=dated)
            if refusal:
                return refusal
        if not dated:
            return None
        for number in claim.numbers:
            if not number.spans or number.derived:
                continue
            column = column_of(number.quantity, number.spans[0].quote, table_header(number.spans[0], passages))
            if column is None:
                continue
            named = [n for n in periods_in(column.label) if any(_comparable(n, a) for a in self.asked.periods)]
            if named and not any(n.matches(a) for n in named for a in self.asked.periods):
                return RejectionKind.OTHER_PERIOD, f"{number.quantity.text} is in the {column.label} column, not {self._asked_periods()}"
        return None

    def _dated(self, statement: str) -> bool:
        """Whether the question's periods hold for a claim: not when it names the side that names its own time."""
        return self.dated_sides is None or not names_side(side_stems(statement), self.dated_sides[1])

    def span_refusal(self, span: Span, passages: list[Passage], *, dated: bool = True) -> tuple[RejectionKind, str] | None:
        """Why the quoted `span` is about another subject or period than asked (`dated`: than the periods
        asked too), or None."""
        if self.asked.names_nothing:
            return None
        found = match(self.profiles.get(span.source), self.asked)
        if found.outcome is ScopeOutcome.OTHER_SUBJECT and not self._names_other_asked(span):
            return RejectionKind.OTHER_SUBJECT, found.reason
        if found.outcome is ScopeOutcome.OTHER_DOCUMENT:
            return RejectionKind.OTHER_PERIOD, found.reason
        header = table_header(span, passages)
        if dated and self.asked.periods and not self._about_asked_period(span.source, f"{header}\n{span.quote}"):
            return RejectionKind.OTHER_PERIOD, f"{span.source} is not about {self._asked_periods()}"
        return None

    def _names_other_asked(self, span: Span) -> bool:
        """Whether the quote or its file's name names a name the question asks about that no profile
        subject is: "ZETA" in zeta_tool_guide.pdf, beside the "Acme" guide it also asks about.
        A question that names two things may name one its document's profile does not (its subject read
        from a cover banner); that document is not about "another subject" than asked."""
        return any(_names(name, f"{span.source}\n{span.quote}") for name in self.asked.other_names)

    def unanswered_documents(self, claims: list[VerifiedClaim]) -> set[str]:
        """The documents of each subject a question naming two or more asks about that no claim cites."""
        if len(self.asked.subjects) < 2:
            return set()
        cited = {span.source for claim in claims for span in claim.spans}
        unanswered: set[str] = set()
        for subject in self.asked.subjects:
            sources = {s for s, p in self.profiles.items() if p.subject and subject_matches(p.subject, subject)}
            if not sources & cited:
                unanswered |= sources
        return unanswered

    def uncovered_note(self, passages: list[Passage]) -> str | None:
        """When no passage of a document that may answer (not another subject's, not another dated
        document than the one named) is about an asked period: what the documents cover instead."""
        if not self.asked.periods:
            return None
        if any(
            match(self.profiles.get(p.chunk.source), self.asked).outcome not in _OTHER_DOCUMENTS
            and self._about_asked_period(p.chunk.source, f"{p.chunk.context}\n{p.chunk.text}")
            for p in passages
        ):
            return None
        if note := coverage_note(self.profiles.values(), self.asked):
            return note
        if any(match(profile, self.asked).outcome is ScopeOutcome.MATCH for profile in self.profiles.values()):
            return f"No passage found is about {self._asked_periods()}."  # a document is, but none of its passages was found
        return f"The documents do not cover {self._asked_periods()}."

    def _about_asked_period(self, source: str, text: str) -> bool:
        """The nearest evidence decides: the text's own periods, else its document's profile, else its document
        (a document's periods compared by year, `_same_year`).

        A document's whole text decides only when it names a single period of the asked kind, or
        one year far more often than any other (`_dominant`): a news story that mentions 2022,
        2023 and 2026 says nothing about which year its "this year" means, so its undated
        sentences answer no dated question; long instructions that name one year 160 times
        and the next 27 times are about the first, whatever their first lines (a printer's slug) say.
        """
        for named, deciding, related in (
            (periods_in(text), _all, Period.matches),
            (self.profile_periods(source), _all, _same_year),
            (self.document_periods(source), _dominant, _same_year),
        ):
            comparable = [n for n in named if any(_comparable(n, a) for a in self.asked.periods)]
            if comparable:
                return any(related(n, a) for n in deciding(comparable) for a in self.asked.periods)
        return False

    def _asked_periods(self) -> str:
        return ", ".join(p.canonical for p in self.asked.periods)


def periods_of_documents(documents: dict[str, str]) -> Callable[[str], list[Period]]:
    """Each document's period mentions, every one in order (a period named twice is listed twice), read
    once: a long report is not re-parsed for every claim and question."""

    @functools.cache
    def periods(source: str) -> list[Period]:
        return [mention.period for mention in find_periods(documents.get(source, ""))]

    return periods


def _names(name: str, text: str) -> bool:
    """`name` as a word of `text`, in any case; an underscore separates words (a file name's)."""
    words = r"[\W_]+".join(re.escape(word) for word in name.split())
    return re.search(rf"(?<![^\W_]){words}(?![^\W_])", text, re.IGNORECASE) is not None


def _all(periods: list[Period]) -> list[Period]:
    return periods


def _dominant(periods: list[Period]) -> list[Period]:
    """The one period a whole document names, or the year it names at least `_DOMINANT_MENTIONS` times and
    `_DOMINANT_RATIO` times as often as any other year; none otherwise."""
    if len({p.canonical for p in periods}) == 1:
        return periods[:1]
    years = Counter(p.year for p in periods if p.year is not None).most_common(2)
    if not years:
        return []
    (year, mentions), runner_up = years[0], (years[1][1] if len(years) > 1 else 0)
    if mentions >= _DOMINANT_MENTIONS and mentions >= _DOMINANT_RATIO * runner_up:
        return [Period(PeriodKind.YEAR, year=year)]
    return []


def _same_year(document: Period, asked: Period) -> bool:
    """A document's period dates it coarsely: the 1893 message reports the fiscal year ended June 30, 1893,
    so an undated sentence of it is about 1893, not about the fiscal year 1894 whose months overlap its year."""
    if document.year is None or asked.year is None:
        return document.matches(asked)
    return document.year == asked.year


def _comparable(named: Period, asked: Period) -> bool:
    """A release answers a release question, a period a period question; one never decides the other."""
    return (named.kind is PeriodKind.VERSION) == (asked.kind is PeriodKind.VERSION)
