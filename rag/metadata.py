"""What each document is about (subject and period) and what a question asks about, and whether they agree.

A number traced to a passage proves the number exists, not that the passage is
about what was asked: "Acme's 2019 capital expenditure" must not be answered from
Globex's 2021 report. Profiles are read from the document itself (cover page,
title, first lines, file name as a last resort) with general shapes only: legal
forms ("Inc.", "plc"), report words ("annual report", "fiscal year ended"),
capitalised names. There is no list of names.

A letter or address ("To the Senate and House of Representatives:", "Dear members,")
names its addressee in the opening and discusses other names throughout; its subject is
its author: the signature line when it ends with one, else the file name.

Limits: English documents; a subject is one organisation, product or dataset
(the most prominent), so a comparison report across companies gets the first one
or none; a document with no reporting period on its cover gets none, and then
`match` answers UNKNOWN rather than guessing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath
from typing import Any

from rag.formats import is_page_number, running_lines
from rag.numbers import spelled_as_digits
from rag.periods import Period, PeriodKind, find_periods
from rag.types import Document

_OPENING_LINES = 60  # a cover page and a contents page fit in this many non-empty lines
_OPENING_CHARS = 4000
_MAX_PERIODS = 4
_MIN_NAME_COUNT = 3  # a name must recur this often in the opening to be the subject of a prose document

_LEGAL_FORM = (
    r"Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.|Ltd\.?|Limited|plc|PLC|LLC|L\.P\.|LP|AG|SE|S\.A\.|SA|"
    r"N\.V\.|NV|GmbH|Group|Holdings?|Bank|Trust|Foundation|Association|Agency|Institute|University"
)
_NAME_TOKEN = r"(?:[A-Z][\w&'.-]*|&)"
_ORGANISATION = re.compile(
    rf"\b(?P<name>(?:{_NAME_TOKEN}[^\S\n]+){{0,4}}?[A-Z][\w&'.-]*,?[^\S\n]+(?i:{_LEGAL_FORM}))(?![\w])"
)
_REPORT_WORDS = re.compile(
    r"(?i)\b(?:annual|quarterly|interim|half[-\s]year(?:ly)?|semi[-\s]annual|sustainability|integrated|financial)\s+report\b"
    r"|\bform\s+10-[kq]\b|\bform\s+20-f\b|\breport\s+(?:to|for)\s+(?:share|stock)holders\b|\bfor\s+the\s+(?:fiscal\s+)?year\s+ended\b"
)
_REGISTRANT = re.compile(r"(?i)exact\s+name\s+of\s+registrant")
# The opening line of a letter or address: "To the Congress of the United States:", "Dear shareholders,".
_SALUTATION = re.compile(r"(?:To|Dear)\s+[^\n.!?]{2,100}[:,]")
# A signature: one to four capitalised words (initials allowed) alone on the last line.
_SIGNATURE = re.compile(r"(?:[A-Z][\w'’-]*\.?\s+){0,3}[A-Z][\w'’-]+\.?")
_CAPITALISED = re.compile(
    r"\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}[a-z]*\d*|[A-Z][a-z]+)(?:[^\S\n]+(?:[A-Z][a-z]+(?:[A-Z]\w*)?|[A-Z]{2,}))*"
)
# A run of three or more capitalised words, short lower-case words allowed between them, and an
# initialism it may spell ("Harbour Wind Farm", "hwf").
_SPELLED_OUT = re.compile(r"\b[A-Z][a-z]+(?:\s+(?:(?:of|in|the|for|on)\s+)*[A-Z][a-z]+){2,}")
_INITIALS = re.compile(r"[A-Za-z]{3,6}")
# Capitalised words that are not names: sentence openers, report vocabulary, calendar words.
_COMMON = frozenset("""
    a an the and or but if in on at by for from to of into over under about as is are was were be this that these
    those it its they we our he she his her you your their there here what which who how why when where while
    with without after before since during per all any each every some most more many no not new also only
    annual quarterly interim report reports financial statement statements form fiscal year years quarter
    table contents page part section item note notes chapter appendix summary overview introduction
    letter chairman chief executive officer board directors management discussion analysis results
    united states securities exchange commission washington inc corporation company group holdings limited
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday according however meanwhile read min
""".split())
# "Acme's 2021 annual report", "his 1889 message": a possessive, a year, then a word for a document.
_DOCUMENT_AFTER = re.compile(
    r"[^\S\n]+(?:[\w-]+[^\S\n]+){0,2}?(?i:report|message|letter|address|speech|filing|statement|review|survey"
    r"|edition|issue|prospectus|minutes|transcript|10-k|10-q|20-f)s?\b"
)
_POSSESSIVE_WORD = r"(?i:['’]s|\b(?:his|her|its|their|our|my|your))"
_POSSESSIVE = re.compile(rf"{_POSSESSIVE_WORD}\b")  # what a mention opens with ("'s 1889")
_POSSESSIVE_BEFORE = re.compile(rf"{_POSSESSIVE_WORD}[^\S\n]+$")  # or what comes just before it
_FILE_WORDS = frozenset("annual quarterly interim report reports form final draft copy doc docs document fy q".split())


@dataclass(frozen=True)
class DocumentProfile:
    """A document's subject and period(s), and how they were found (shown to the user)."""

    subject: str | None
    periods: tuple[Period, ...]
    found_by: str  # e.g. "subject: cover page; period: cover page"

    @property
    def label(self) -> str:
        """One line for the index listing and the chunk embedding: "Acme Corporation · FY2022, FY2021"."""
        parts = [self.subject or ""] + ([", ".join(p.canonical for p in self.periods)] if self.periods else [])
        return " · ".join(part for part in parts if part)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentProfile:
        """The inverse of `dataclasses.asdict`, as the manifest stores a profile."""
        periods = tuple(
            Period(**{**p, "kind": PeriodKind(p["kind"]), "version": tuple(p.get("version", ()))}) for p in data["periods"]
        )
        return cls(subject=data["subject"], periods=periods, found_by=data["found_by"])


@dataclass(frozen=True)
class QuestionScope:
    """The subjects (from the corpus' profiles) and periods a question names.

    `other_names` are capitalised names in the question that match no known subject:
    a hint that the question may be about something the corpus lacks (or about a
    product or person inside a known subject's documents), never proof.
    `document_periods` are the periods that name a document rather than a figure's
    period ("Acme's 2021 annual report", "his 1889 message"): only that document answers.
    """

    subjects: tuple[str, ...]
    periods: tuple[Period, ...]
    other_names: tuple[str, ...] = ()
    document_periods: tuple[Period, ...] = ()

    @property
    def names_nothing(self) -> bool:
        return not self.subjects and not self.periods


class ScopeOutcome(str, Enum):
    MATCH = "match"
    OTHER_SUBJECT = "other_subject"
    OTHER_PERIOD = "other_period"
    OTHER_DOCUMENT = "other_document"  # the question names a document of another period ("Acme's 2021 report")
    UNKNOWN = "unknown"  # the document's profile lacks what the question names


@dataclass(frozen=True)
class ScopeMatch:
    outcome: ScopeOutcome
    reason: str  # for `dropped` and logs: "report is about Globex Inc., not Acme Corporation"


# ------------------------------------------------------------------------------ documents


def profile_document(document: Document) -> DocumentProfile:
    """Subject and periods of `document` from its cover page, title, first lines, or file name."""
    furniture = running_lines(document.text, document.page_starts)  # "UNCLASSIFIED" atop every page names nothing
    all_lines = [
        line.strip() for line in document.text.splitlines()
        if line.strip() and line.strip() not in furniture and not (document.page_starts and is_page_number(line))
    ]
    lines = all_lines[:_OPENING_LINES]
    opening = "\n".join(lines)[:_OPENING_CHARS]
    title = document.title or (lines[0] if lines else "")
    is_letter = bool(lines) and _SALUTATION.fullmatch(lines[0]) is not None
    if is_letter:
        subject, subject_how = _signature(all_lines[-1]) if len(all_lines) > 1 else (None, "")
    else:
        subject, subject_how = _subject(opening, title, lines)
    periods, period_how = _periods(opening, title, lines)
    file_subject, file_periods = _from_file_name(document.source)
    if subject and file_subject and file_subject.islower() and subject.casefold() == file_subject:
        subject = file_subject  # "Iris" in the text of iris.txt: the corpus writes the name in lowercase too
    if subject is None or not periods:
        if subject is None and file_subject:
            subject, subject_how = file_subject, "file name" + (" (the text is a letter to its addressee)" if is_letter else "")
        if not periods and file_periods:
            periods, period_how = file_periods, "file name"
    found_by = "; ".join(f"{what}: {how}" for what, how in (("subject", subject_how), ("period", period_how)) if how)
    return DocumentProfile(subject, periods, found_by or "nothing found")


def _subject(opening: str, title: str, lines: list[str]) -> tuple[str | None, str]:
    is_report = bool(_REPORT_WORDS.search(opening))
    if is_report:
        for index, line in enumerate(lines[1:], start=1):
            if _REGISTRANT.search(line) and _ORGANISATION.search(lines[index - 1] + " "):
                return _display(_ORGANISATION.search(lines[index - 1] + " ").group("name")), "cover page"  # type: ignore[union-attr]
        organisation = _ORGANISATION.search(opening)
        if organisation:
            return _display(organisation.group("name")), "cover page"
    organisation = _ORGANISATION.search(title)
    if organisation:
        return _display(organisation.group("name")), "title"
    body = "\n".join(lines[1:])  # headline case in a title joins words ("ByteDance Invests"): count names in the body
    counts = Counter(name for name in _names(body) if len(name) >= 3)
    in_title = [name for name, count in counts.most_common() if count >= _MIN_NAME_COUNT and _contains_name(title, name)]
    if in_title:
        return in_title[0], "most frequent name in the title and opening"
    first = lines[1] if len(lines) > 1 else ""
    frequent = [name for name, count in counts.most_common(1) if count >= _MIN_NAME_COUNT and _contains_name(first, name)]
    if frequent:
        return frequent[0], "most frequent name in the opening"
    return None, ""


def _signature(last_line: str) -> tuple[str | None, str]:
    """A letter's author, when its last line is a signature ("THEODORE ROOSEVELT.", "Jane Doe")."""
    if not _SIGNATURE.fullmatch(last_line):
        return None, ""
    name = _display(last_line.rstrip("."))
    return (name, "the letter's signature") if name.lower() not in _COMMON else (None, "")


def _periods(opening: str, title: str, lines: list[str]) -> tuple[tuple[Period, ...], str]:
    """Reporting periods: stated on the cover ("for the year ended", "as of"), else named in the title or first lines."""
    cover = [m.period for m in find_periods(opening) if m.as_of]
    if cover:
        return _first_distinct(cover), "cover page"
    for text, how in ((title, "title"), ("\n".join(lines[:3]), "first lines")):
        named = [m.period for m in find_periods(text) if m.period.kind is not PeriodKind.DATE]
        if named:
            return _first_distinct(named), how
    return (), ""


def _from_file_name(source: str) -> tuple[str | None, tuple[Period, ...]]:
    stem = PurePosixPath(source).stem
    spaced = re.sub(r"[_\-.]+", " ", stem)
    periods = tuple(m.period for m in find_periods(spaced) if m.period.kind is not PeriodKind.DATE)
    periods = periods or tuple(
        Period(PeriodKind.YEAR, year=int(y)) for y in re.findall(r"(?<!\d)((?:1[6-9]|20)\d\d)(?!\d)", stem)
    )
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem) if w]
    name_words: list[str] = []
    for word in words:  # the first run of name words: "1891-Harrison-1" names Harrison
        if word.isalpha() and word.lower() not in _FILE_WORDS:
            name_words.append(word)
        elif name_words:
            break
    name = " ".join(name_words)
    # Written as the file writes it: a lowercase name ("diabetes.txt") is then named in any case (`_names_alias`).
    subject = name if len(name) >= 3 and name.lower() not in _COMMON else None
    return subject, _first_distinct(periods)


def _contains_name(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) is not None


def _names(text: str) -> list[str]:
    """Capitalised names in `text`, without common words at their edges."""
    names = []
    for match in _CAPITALISED.finditer(text):
        words = match.group(0).split()
        while words and words[0].lower() in _COMMON:
            words.pop(0)
        while words and words[-1].lower() in _COMMON:
            words.pop()
        if words and len(" ".join(words)) >= 2:
            names.append(" ".join(words))
    return names


def _display(name: str) -> str:
    """"ACME CORPORATION" -> "Acme Corporation"; mixed case is kept as written."""
    name = " ".join(name.replace(",", " ").split())
    return name.title() if name.isupper() and len(name) > 5 else name


def _first_distinct(periods: Iterable[Period]) -> tuple[Period, ...]:
    """A profile's periods: the first few distinct ones."""
    return _distinct(periods)[:_MAX_PERIODS]


def _distinct(periods: Iterable[Period]) -> tuple[Period, ...]:
    """The distinct periods in order, without one that another contains ("December 1998" beside "1998")."""
    distinct = list(dict.fromkeys(periods))
    return tuple(p for p in distinct if not any(o != p and o.covers(p) for o in distinct))


# ------------------------------------------------------------------------------ questions


def question_scope(question: str, known_subjects: Iterable[str]) -> QuestionScope:
    """Which of `known_subjects` (the corpus' profile subjects) and which periods `question` names.

    A subject is named by its full name, its name without the legal form ("Acme" for
    "Acme Corporation"), its initials ("IBM"), or its first word when that word is
    capitalised in the question and starts no other subject's name.
    """
    subjects = tuple(dict.fromkeys(s for s in known_subjects if s))
    written, initials = spelled_as_digits(question), _spelled_out_initials(question)  # read once, not per alias
    named = tuple(s for s in subjects if any(_names_alias(written, initials, alias) for alias in _aliases(s, subjects)))
    mentions = find_periods(question)
    periods = tuple(dict.fromkeys(m.period for m in mentions))
    documents = tuple(
        dict.fromkeys(
            m.period for m in mentions
            if (_POSSESSIVE.match(m.text) or _POSSESSIVE_BEFORE.search(question[: m.start]))
            and _DOCUMENT_AFTER.match(question, m.end)
        )
    )
    aliases = {a.casefold() for s in subjects for a in _aliases(s, subjects)}
    others = tuple(
        dict.fromkeys(
            n for n in _names(question)
            if n.casefold() not in aliases and not any(n.casefold() in a or a in n.casefold() for a in aliases)
            and not re.fullmatch(r"(?:FY|Q|H)\d.*|\d.*", n)
        )
    )
    return QuestionScope(named, periods, others, documents)


def subject_matches(subject: str, asked: str) -> bool:
    """Whether a document's subject is the asked one ("Acme Corp." is "Acme Corporation"), or begins
    with its name ("Acme Review", a subject read from the file name acme-review.txt, is about Acme)."""
    document, wanted = _core(subject).casefold().split(), _core(asked).casefold().split()
    return document[: len(wanted)] == wanted


def _aliases(subject: str, all_subjects: tuple[str, ...]) -> list[str]:
    core = _core(subject)
    aliases = [subject, core]
    words = core.split()
    if len(words) >= 2:
        initials = "".join(w[0] for w in words if w[0].isupper())
        if len(initials) >= 2:
            aliases.append(initials)
        first = words[0]
        others = [_core(s).split()[0] for s in all_subjects if s != subject and _core(s)]
        if len(first) >= 4 and first.lower() not in _COMMON and first not in others:
            aliases.append(first)
    return [a for a in aliases if a]


def _names_alias(question: str, initials: set[str], alias: str) -> bool:
    """A capitalised one-word name ("Apple") is named only as written; other names in any case. A number
    may be spelled either way ("twenty questions", read from a file name, is "the 20 questions game")."""
    alias = spelled_as_digits(alias)  # `question` comes with its numbers in digits, `initials` read from it
    if alias.isdigit():
        return False  # "twenty", the first word of "twenty questions", names nothing
    if _INITIALS.fullmatch(alias) and alias.upper() in initials:
        return True  # "hwf", read from a file name, is "the Harbour Wind Farm"
    if alias.isupper() or (alias.istitle() and " " not in alias):
        return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", question) is not None  # case-sensitive
    return re.search(rf"(?<![\w-]){re.escape(alias)}(?![\w-])", question, re.IGNORECASE) is not None


def _spelled_out_initials(question: str) -> set[str]:
    """The initials of each run of three or more capitalised words in `question` (short lower-case words
    between them skipped, a sentence's capitalised opener or not): "Harbour Wind Farm" -> "HWF"."""
    found = set()
    for run in _SPELLED_OUT.finditer(question):
        initials = "".join(word[0] for word in run.group().split() if word[0].isupper())
        found |= {initials[i:j] for i in range(len(initials)) for j in range(i + 3, len(initials) + 1)}
    return found


def _core(subject: str) -> str:
    """The name without a trailing legal form: "Acme Corporation" -> "Acme"."""
    core = re.sub(rf"(?:,?\s+(?i:{_LEGAL_FORM}))+$", "", subject.strip())
    return core or subject


# ------------------------------------------------------------------------------ agreement


def match(profile: DocumentProfile | None, scope: QuestionScope) -> ScopeMatch:
    """Whether a document with `profile` can answer a question with `scope`; the reason is for `dropped`."""
    if scope.names_nothing:
        return ScopeMatch(ScopeOutcome.MATCH, "the question names no subject or period")
    if profile is None:
        return ScopeMatch(ScopeOutcome.UNKNOWN, "the document has no profile (index built before profiles)")
    subject_known = True
    if scope.subjects:
        if profile.subject is None:
            subject_known = False
        elif not any(subject_matches(profile.subject, s) for s in scope.subjects):
            asked = " or ".join(scope.subjects)
            return ScopeMatch(ScopeOutcome.OTHER_SUBJECT, f"the document is about {profile.subject}, not {asked}")
    if scope.document_periods and profile.periods and not any(
        _same_document_period(d, q) for d in profile.periods for q in scope.document_periods
    ):
        has = ", ".join(p.canonical for p in profile.periods)
        asked = ", ".join(p.canonical for p in scope.document_periods)
        return ScopeMatch(ScopeOutcome.OTHER_DOCUMENT, f"the document is the one of {has}, not of {asked}")
    if scope.periods:
        if not profile.periods:
            return ScopeMatch(ScopeOutcome.UNKNOWN, "the document states no period")
        if not any(d.matches(q) for d in profile.periods for q in scope.periods):
            has = ", ".join(p.canonical for p in profile.periods)
            asked = ", ".join(p.canonical for p in scope.periods)
            return ScopeMatch(ScopeOutcome.OTHER_PERIOD, f"the document covers {has}, not {asked}")
    if not subject_known:
        return ScopeMatch(ScopeOutcome.UNKNOWN, "the document states no subject")
    return ScopeMatch(ScopeOutcome.MATCH, "the document's subject and period match the question")


def _same_document_period(document: Period, asked: Period) -> bool:
    """A document dated `document` is the one a question dates `asked`: one contains the other, or
    they share a year (a message of 1899 profiled by its fiscal year ended June 30, 1899), not a
    mere overlap (that message is not "the 1898 message")."""
    return document.covers(asked) or asked.covers(document) or (document.year is not None and document.year == asked.year)


def _same_kind(period: Period, scope: QuestionScope) -> bool:
    """A release is listed for a question about a release, a year or quarter for one about a period:
    "version 3.7" says nothing of which years a corpus covers."""
    return any((period.kind is PeriodKind.VERSION) == (asked.kind is PeriodKind.VERSION) for asked in scope.periods)


def coverage_note(profiles: Iterable[DocumentProfile], scope: QuestionScope) -> str:
    """What the corpus has for a question no document matches, e.g.
    "The documents cover Acme Corporation's 2021 and 2022 reports, not 2019."; "" if some document matches.
    """
    profiles = list(profiles)
    if scope.names_nothing or any(match(p, scope).outcome is ScopeOutcome.MATCH for p in profiles):
        return ""
    asked_periods = _and([p.canonical for p in scope.periods])
    if scope.subjects:
        about = [p for p in profiles if p.subject and any(subject_matches(p.subject, s) for s in scope.subjects)]
        periods = _and([q.canonical for q in _distinct(q for p in about for q in p.periods if _same_kind(q, scope))])
        if about and periods and asked_periods:
            owner = " and ".join(scope.subjects)
            return f"The documents cover {owner}'s {periods} reports, not {asked_periods}."
        if not about:
            return f"The documents have no report about {' or '.join(scope.subjects)}."
        return ""
    if scope.periods:
        by_subject: dict[str, list[Period]] = {}
        for profile in profiles:
            if comparable := [q for q in profile.periods if _same_kind(q, scope)]:
                by_subject.setdefault(profile.subject or "", []).extend(comparable)
        if not by_subject:
            return ""
        listed = {subject: _and([p.canonical for p in _distinct(periods)]) for subject, periods in by_subject.items()}
        parts = [f"{subject}'s {periods}" if subject else periods for subject, periods in listed.items()]
        asked = " ".join([*scope.other_names, asked_periods])
        return f"The documents cover {_and(parts)}, not {asked}."
    return ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" and {items[-1]}" if items else ""
