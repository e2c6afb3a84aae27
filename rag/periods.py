"""Periods and versions a text names, and numbers that belong to a name rather than a quantity.

A question about "Q2 FY2024" or "release 4.2" is answered only by evidence about that
period or version, so the shapes are read into typed `Period` records that can be
compared: a year contains its quarters, halves and dates; a fiscal year contains its
fiscal quarters; "release 4" contains 4.2.

Decision on fiscal and calendar years: a fiscal year is named by the calendar year it
ends in (FY2022 ended 30 June 2022). FY2022 and calendar 2022 are *related*
(`matches` is true: an analyst asking about "2022" means the FY2022 report) but
neither *covers* the other unless the fiscal year is known to end in December.

Limits: English shapes only; a quarter written "quarter ended <date>" is read as the
calendar quarter that date falls in; a 4-digit number from 1900 to 2099 after a
capitalised word is a year, never a name ("Windows 2000" reads as a year).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from rag.numbers import YEAR, is_currency, parse_quantities


class PeriodKind(str, Enum):
    YEAR = "year"
    FISCAL_YEAR = "fiscal_year"
    HALF = "half"
    QUARTER = "quarter"
    MONTH = "month"  # "December 1894"
    DATE = "date"  # a day, e.g. a balance sheet "as of December 31, 2021"
    VERSION = "version"  # a release of a product or document


@dataclass(frozen=True)
class Period:
    """One period or version, compared by value (not by where it was written)."""

    kind: PeriodKind
    year: int | None = None  # calendar year, or the calendar year a fiscal year ends in
    part: int | None = None  # quarter 1-4 or half 1-2
    fiscal: bool = False  # a quarter or half counted within the fiscal year
    month: int | None = None  # a DATE's month; a FISCAL_YEAR's last month when stated
    day: int | None = None
    version: tuple[int, ...] = ()
    product: str = ""  # lower-case name a version belongs to ("python"), "" for "release 4.2"

    @property
    def canonical(self) -> str:
        """A short stable spelling: 2021, FY2022, Q2 FY2024, H1 2023, December 2021, 2021-12-31, python 3.11."""
        fy = "FY" if self.fiscal else ""
        if self.kind is PeriodKind.YEAR:
            return str(self.year)
        if self.kind is PeriodKind.FISCAL_YEAR:
            return f"FY{self.year}"
        if self.kind is PeriodKind.QUARTER:
            return f"Q{self.part} {fy}{self.year}"
        if self.kind is PeriodKind.HALF:
            return f"H{self.part} {fy}{self.year}"
        if self.kind is PeriodKind.MONTH:
            return f"{_MONTH_NAMES[self.month - 1]} {self.year}"  # type: ignore[operator]
        if self.kind is PeriodKind.DATE:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        numbers = ".".join(str(n) for n in self.version)
        return f"{self.product} {numbers}" if self.product else f"version {numbers}"

    def covers(self, other: Period) -> bool:
        """Whether `other` lies wholly inside this period (or is a sub-release of this version)."""
        if self == other:
            return True
        if self.kind is PeriodKind.VERSION or other.kind is PeriodKind.VERSION:
            return (
                self.kind is other.kind is PeriodKind.VERSION
                and (not self.product or not other.product or self.product == other.product)
                and other.version[: len(self.version)] == self.version
            )
        mine, theirs = self._months(), other._months()
        if mine and theirs:
            return mine[0] <= theirs[0] and theirs[1] <= mine[1]
        # Fiscal parts with an unknown calendar: contained in their own fiscal year or half.
        if other.fiscal and other.year == self.year:
            if self.kind is PeriodKind.FISCAL_YEAR:
                return other.kind in (PeriodKind.QUARTER, PeriodKind.HALF)
            if self.kind is PeriodKind.HALF and self.fiscal and other.kind is PeriodKind.QUARTER:
                return (other.part + 1) // 2 == self.part  # type: ignore[operator]
        return False

    def matches(self, other: Period) -> bool:
        """Related enough that evidence about one may answer a question about the other.

        True when either covers the other, when they overlap on the calendar (a fiscal
        year ended June 30, 2022 overlaps 2021), or, when either's months are unknown, when
        both are (parts of) the same year: FY2022 matches 2022, Q1 FY2022 matches FY2022 and 2022.
        """
        if self.covers(other) or other.covers(self):
            return True
        mine, theirs = self._months(), other._months()
        if mine and theirs:
            return mine[0] <= theirs[1] and theirs[0] <= mine[1]
        timed = self.kind is not PeriodKind.VERSION and other.kind is not PeriodKind.VERSION
        return timed and self.year == other.year and PeriodKind.DATE not in (self.kind, other.kind)

    def _months(self) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
        """(first, last) as (year, month, day) on the calendar, or None when not known."""
        y = self.year
        if self.kind is PeriodKind.YEAR:
            return (y, 1, 1), (y, 12, 31)  # type: ignore[return-value]
        if self.kind is PeriodKind.FISCAL_YEAR and self.month:
            first = (y, 1, 1) if self.month == 12 else (y - 1, self.month + 1, 1)  # type: ignore[operator]
            return first, (y, self.month, 31)  # type: ignore[return-value]
        if self.kind in (PeriodKind.QUARTER, PeriodKind.HALF) and not self.fiscal:
            months = 3 if self.kind is PeriodKind.QUARTER else 6
            first_month = (self.part - 1) * months + 1  # type: ignore[operator]
            return (y, first_month, 1), (y, first_month + months - 1, 31)  # type: ignore[return-value]
        if self.kind in (PeriodKind.MONTH, PeriodKind.DATE):
            return (y, self.month, self.day or 1), (y, self.month, self.day or 31)  # type: ignore[return-value]
        return None


@dataclass(frozen=True)
class PeriodMention:
    """Where a text names a period. Invariant: `source[start:end] == text`."""

    period: Period
    start: int
    end: int
    text: str

    @property
    def as_of(self) -> bool:
        """A date introduced as a reporting point ("as of", "ended"), not just any date in prose."""
        return bool(re.match(r"(?i)as\s+(?:of|at)\b|.*\bend(?:ed|ing)\b", self.text))


@dataclass(frozen=True)
class NameNumber:
    """A number that is part of a name ("Windows 11", "COVID-19", "ISO 9001", "H100"), not a quantity."""

    start: int  # the whole name, e.g. "Windows 11"
    end: int
    text: str
    number_start: int  # just the digits, e.g. "11"
    number_end: int


# ---------------------------------------------------------------------------------- shapes

# A year in a date or a fiscal, quarter or half shape, whose context makes it a year: 1600-2099
# (historical reports state "the fiscal year ended June 30, 1896").
_YEAR_DIGITS = r"(?:1[6-9]|20)\d\d"
_MONTH_SPELLINGS = [
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",), ("june", "jun"),
    ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
    ("december", "dec"),
]
_MONTHS = {name: number for number, names in enumerate(_MONTH_SPELLINGS, start=1) for name in names}
_MONTH_NAMES = [names[0].title() for names in _MONTH_SPELLINGS]
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY_SUFFIX = r"(?:st|nd|rd|th)?"
_DATE = (  # "June 30, 1896", "June 30th, 1896", "30 June 1896", "the 30th day of June, 1896"
    rf"(?:{_MONTH}\s+(?P<day>\d{{1,2}}){_DAY_SUFFIX},?\s+(?P<year>{_YEAR_DIGITS})"
    rf"|(?P<day2>\d{{1,2}})\s+{_MONTH.replace('month', 'month2')}\s+(?P<year2>{_YEAR_DIGITS})"
    rf"|(?:the\s+)?(?P<day3>\d{{1,2}}){_DAY_SUFFIX}\s+(?:day\s+)?of\s+{_MONTH.replace('month', 'month3')},?\s+"
    rf"(?P<year3>{_YEAR_DIGITS}))"
)
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
_ORDINAL = r"(?P<ord>first|second|third|fourth|1st|2nd|3rd|4th)"
_YEAR4 = rf"(?P<year>{_YEAR_DIGITS})"
_FY_YEAR = r"(?P<fyyear>(?:1[6-9]|20)?\d\d)(?:\s*[-/]\s*(?P<fynext>\d{2,4}))?"  # FY22, FY2022, FY2022-23

# Longest shapes first: a span read by one shape is not read again by a later one.
_SHAPES: list[tuple[str, re.Pattern[str]]] = [
    ("ended", re.compile(
        r"(?i)\b(?:(?P<span>fiscal\s+year|year|twelve\s+months|12\s+months|quarter|quarterly\s+period|three\s+months|six\s+months|half[-\s]year|period)s?\s+)"
        rf"(?:(?:which|that)\s+)?(?:end(?:ed|ing|s)|clos(?:ed|ing|es))\s+(?:on\s+)?{_DATE}"
    )),
    ("as_of", re.compile(rf"(?i)\bas\s+(?:of|at)\s+{_DATE}")),
    ("ordinal_part", re.compile(
        rf"(?i)\b{_ORDINAL}\s+(?P<unit>quarter|half)\s+(?:of\s+)?(?:(?P<fiscal>fiscal)\s+(?:year\s+)?|FY\s*)?{_YEAR4}"
    )),
    ("ordinal_fy_part", re.compile(rf"(?i)\b{_ORDINAL}\s+(?P<unit>quarter|half)\s+(?:of\s+)?FY\s*'?{_FY_YEAR}\b")),
    ("q_fy", re.compile(
        rf"\b(?P<letter>[QH])(?P<part>[1-4])[\s,'-]*(?:of\s+)?(?:FY|[Ff]iscal(?:\s+[Yy]ear)?\s*)\s*'?{_FY_YEAR}\b"
    )),
    ("q_year", re.compile(rf"\b(?P<letter>[QH])(?P<part>[1-4])(?:[\s,/-]+{_YEAR4}\b|\s*'(?P<short>\d\d)\b)")),
    ("part_q", re.compile(r"\b(?P<part>[1-4])(?P<letter>[QH])\s*'?(?P<short>\d\d|(?:19|20)\d\d)\b")),
    ("fy", re.compile(rf"(?i)\b(?:FY\s*'?|fiscal\s+(?:year\s+)?){_FY_YEAR}\b")),
    ("date", re.compile(rf"(?i)\b{_DATE}\b")),
    ("month", re.compile(rf"\b(?i:{_MONTH}),?\s+(?:of\s+)?{_YEAR4}\b(?!,\d)")),  # "December 1894", "April, 1893"
    ("year_word", re.compile(rf"(?i)\b(?:calendar\s+)?year\s+{_YEAR4}\b")),  # "the year 1894": any century
    # "McKinley's 1898 message", "his 1889 message", "Acme's 1998 report": any century;
    # not "the firm's 1800 employees".
    ("possessive_year", re.compile(
        rf"(?:(?<=\w)['’]s|\b(?i:his|her|its|their|our|my|your))\s+{_YEAR4}\b(?!,\d)(?![^\S\n]+[a-z]+s\b)"
    )),
    ("version_word", re.compile(r"(?i)\b(?:release|version|ver\.)\s+v?(?P<version>\d+(?:\.\d+)*)\b(?!\.\d)")),
    ("v_number", re.compile(r"\bv(?P<version>\d+(?:\.\d+)*)\b(?!\.\d)")),
    # A name then a dotted number that is not a measure or a table row: "Python 3.11", "Django 4.2.1".
    ("product_version", re.compile(
        r"\b(?P<product>[A-Z][A-Za-z+#]*[a-z+#][A-Za-z+#]*)\s+(?P<version>\d+\.\d+(?:\.\d+)*)\b"
        r"(?![^\S\n]*(?:[-–]?\d|%|percent|per\b|x\b|times\b|(?:thousand|million|billion|trillion|bn|mn)\b|(?!(?:a|an|and|or|is|was|has|had|are|be|to|in|on|of|at|as|by|for|the|it|its|but|not|now|new|via|add|adds|got)\b)[A-Za-z]{1,3}\b))"
    )),
]

# Capitalised words that introduce a quantity or period rather than name something.
_LEAD_WORDS = frozenset("""
    a an the and or but if in on at by for from to of into over under about around nearly almost roughly
    approximately some only just up down since until through during before after between than per each
    every all any no not total about above below more less fewer least most some while when where what which
    who how why is are was were be been has have had will would can could may might must should there here
    this that these those it its they we our he she his her you your their page pages fig figure table note
    notes item items step steps day days week weeks month months year years quarter quarters q h fy
""".split()) | set(_MONTHS)
_NAME_WORD = re.compile(  # "Windows 11"; "KDD Cup '99": a name's year written with an apostrophe
    r"\b(?P<word>[A-Z][A-Za-z]*|[A-Z]{2,})[^\S\n]+(?:['\u2019](?=\d\d\b))?(?P<number>\d+)\b(?![.,]\d)"
)
# "SP 400-12", "AFI 41-210": a capitalised word, then two numbers joined by a hyphen (see `name_numbers`).
_TITLE_WORD_BEFORE = re.compile(r"\b[A-Z][a-z]+[^\S\n]+$")  # "Force " before "Instruction 41-210"
_NUMBERED_NAME = re.compile(
    r"\b(?P<word>[A-Z][A-Za-z]*)[^\S\n]+(?P<number>(?P<first>\d+)[-\u2013](?P<second>\d+))\b(?![.,]\d)"
)
# An acronym then a dotted number, then a word: "GEOTRANS 3.7 user's guide", "CFITSIO 4.2 reference". The
# word after it keeps a table row ("EBITDA 3.5 4.2") and an amount ("USD 5.5 million") out. A name, not a
# version: documents seldom say which release they are of, so scoping by it would refuse them all.
_ACRONYM_VERSION = re.compile(
    r"\b(?P<word>[A-Z][A-Z\d]{2,})[^\S\n]+(?P<number>\d+\.\d+(?:\.\d+)*)\b"
    r"(?=[^\S\n]+(?!(?:thousand|million|billion|trillion|percent|per|times)\b)[a-z][a-z'’]{3,})"
)
_HYPHEN_NAME = re.compile(r"\b(?P<word>[A-Za-z]+)-(?P<number>\d+)\b(?![.,]\d)")
_GLUED_NAME = re.compile(r"\b(?P<word>[A-Za-z]+)(?P<number>\d+)[A-Za-z\d]*\b")
_NOT_A_NAME_AFTER = re.compile(
    r"[^\S\n]*(?:%|percent|per\b|x\b|times\b|(?:hundred|thousand|million|billion|trillion|bn|mn|[kKmMbB])\b|[-–]?[^\S\n]*\d)"
)
_YEAR_PREFIXES = frozenset({"mid", "early", "late", "pre", "post", "end", "start"})


def find_periods(text: str) -> list[PeriodMention]:
    """Every period or version `text` names, in order of appearance."""
    found: list[PeriodMention] = []
    taken: list[tuple[int, int]] = []
    for shape, pattern in _SHAPES:
        for match in pattern.finditer(text):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            period = _read(shape, match)
            if period is not None:
                found.append(PeriodMention(period, match.start(), match.end(), match.group(0)))
                taken.append((match.start(), match.end()))
    for quantity in parse_quantities(text):
        if quantity.unit == YEAR and not any(quantity.start < end and start < quantity.end for start, end in taken):
            if not _inside_name(text, quantity.start):
                year = Period(PeriodKind.YEAR, year=int(quantity.value))
                found.append(PeriodMention(year, quantity.start, quantity.end, quantity.text))
    return sorted(found, key=lambda m: m.start)


def periods_in(text: str) -> list[Period]:
    """The distinct periods `text` names, in order of first mention."""
    return list(dict.fromkeys(m.period for m in find_periods(text)))


def column_periods(header_cells: list[str]) -> list[Period | None]:
    """The one period each table header cell names, or None ("", "Note", a cell naming two periods).

    `["", "2022", "2021"]` -> `[None, 2022, 2021]`; `["Fiscal 2023", "Fiscal 2022"]` -> FY2023, FY2022.
    """
    result: list[Period | None] = []
    for cell in header_cells:
        periods = [p for p in periods_in(cell) if p.kind is not PeriodKind.VERSION]
        result.append(periods[0] if len(periods) == 1 else _bare_year(cell))
    return result


def pick_column(header_cells: list[str], asked: Period) -> int | None:
    """The index of the header cell whose period answers `asked`: equal first, then covering, then related.

    None when no cell matches, or when two cells match equally well (the question does not decide).
    """
    best: tuple[int, int] | None = None  # (rank, index); lower rank is better
    tie = False
    for index, period in enumerate(column_periods(header_cells)):
        if period is None:
            continue
        if not period.matches(asked):
            continue
        rank = 0 if period == asked else 1 if period.covers(asked) or asked.covers(period) else 2
        if best is None or rank < best[0]:
            best, tie = (rank, index), False
        elif rank == best[0]:
            tie = True
    return None if best is None or tie else best[1]


_REFERENCE = re.compile(
    r"\b(?:table|figure|fig|page|pages|p|section|chapter|appendix|note|item|step|line|lines|part|schedule|form)"
    r"\.?[^\S\n]+\d+[a-z]?\b(?![,.]\d)(?:[^\S\n]*(?:,|and|or|to|through|-|–)[^\S\n]*\d+[a-z]?\b(?![,.]\d))*",
    re.IGNORECASE,
)


def reference_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` points to a part of a document ("Table 324", "lines 5 and 6", "page 12"): no figures there."""
    return [m.span() for m in _REFERENCE.finditer(text)]


_LEADING_ZERO = re.compile(r"(?<![\d.,])\b0\d+\b(?![.,]\d)")  # "edition 07", "0147": a code


def non_figure_spans(text: str) -> list[tuple[int, int]]:
    """Where a number of `text` is no figure: a period ("June 30, 1896", "FY2022"), a reference to a
    part of a document ("lines 5 and 6"), part of a name ("Windows 11") or a code written with a
    leading zero ("edition 07", "0147"): no quantity is written that way."""
    return (
        [(m.start, m.end) for m in find_periods(text)]
        + reference_spans(text)
        + [(n.start, n.end) for n in name_numbers(text)]
        + [m.span() for m in _LEADING_ZERO.finditer(text)]
    )


def name_numbers(text: str) -> list[NameNumber]:
    """Numbers that are part of a name, so a figure check can skip them.

    Shapes: a capitalised word then an integer ("Windows 11", "Top 500", "Section 4",
    "Unit 0147", "ISO 9001") or two joined by a hyphen, the second smaller or the word an acronym
    ("SP 400-12", "AFI 41-210"; "Revenue 100-200" is a range), an acronym's dotted number before a
    word ("GEOTRANS 3.7 user's guide"),
    letters-hyphen-digits ("COVID-19", "GPT-4"), letters glued to digits ("H100", "A17").
    Not names: years, periods ("FY2022", "Q3"), versions (see `find_periods`), money ("USD 500"), a number followed by a scale, percent or
    another number (a table row), and a number after a word that introduces quantities
    ("In 500", "Over 500"). A label then a number alone on its line ("Employees 412",
    "Sites 9") is a field, not a name, unless the label is singular and the number has at
    most two digits or a leading zero ("Chapter 12", "Unit 0147").
    """
    periods = [(m.start, m.end) for m in find_periods(text)]
    money = [(q.start, q.end) for q in parse_quantities(text) if is_currency(q.unit)]

    def in_money(match: re.Match[str]) -> bool:  # "USD 5.50 each", "USD 100-200": an amount, not a name
        return any(start <= match.start("number") < end for start, end in money)
    found: dict[int, NameNumber] = {}

    def add(match: re.Match[str]) -> None:
        span = (match.start(), match.end())
        if not any(span[0] < end and start < span[1] for start, end in periods) and span[0] not in found:
            found[span[0]] = NameNumber(span[0], span[1], match.group(0), match.start("number"), match.end("number"))

    for match in _HYPHEN_NAME.finditer(text):
        if match.group("word").lower() not in _YEAR_PREFIXES:
            add(match)
    for match in _GLUED_NAME.finditer(text):
        add(match)
    for match in _ACRONYM_VERSION.finditer(text):
        if not in_money(match):
            add(match)
    for match in _NUMBERED_NAME.finditer(text):
        word = match.group("word")
        # An acronym's pair is a name in either order ("AFI 41-210"), and so is the pair ending a title of
        # several capitalised words ("Air Force Instruction 41-210"); one word's ascending pair is a range.
        named = (
            int(match.group("second")) < int(match.group("first")) or len(word) > 1 and word.isupper()
            or _TITLE_WORD_BEFORE.search(text, 0, match.start()) is not None
        )
        if named and word.lower() not in _LEAD_WORDS and not in_money(match):
            add(match)
    for match in _NAME_WORD.finditer(text):
        word, number = match.group("word"), match.group("number")
        if word.lower() in _LEAD_WORDS or in_money(match):
            continue
        if _year_shaped(number) or _NOT_A_NAME_AFTER.match(text, match.end()):
            continue
        if _is_field(text, match) and (len(number) > 2 and not number.startswith("0") or _plural(word)):
            continue
        add(match)
    return sorted(found.values(), key=lambda n: n.start)


def identifiers(text: str) -> list[str]:
    """ID-like names of `text` ("Unit 0147", "ISO 9001", "H100"), normalised for verbatim search.

    A bare glued token needs a digit count of two or more, so "Q3" or "A4"-like noise is
    rare; whitespace is collapsed and case folded. A document's own number ("SP 400-12") or
    release ("GEOTRANS 3.7") is no record's: it is printed in every page header, and ranking
    by it would put those header chunks first.
    """
    releases = {match.start() for match in _ACRONYM_VERSION.finditer(text)}
    names = [n.text for n in name_numbers(text) if not (_NUMBERED_NAME.fullmatch(n.text) or n.start in releases)]
    return list(dict.fromkeys(normalise_identifier(name) for name in names))


def normalise_identifier(text: str) -> str:
    return " ".join(text.split()).casefold()


# ---------------------------------------------------------------------------------- readers


def _read(shape: str, match: re.Match[str]) -> Period | None:
    groups = match.groupdict()
    if shape in ("ended", "as_of", "date"):
        year = int(_first(groups, "year"))
        month = _MONTHS[_first(groups, "month").lower()]
        day = int(_first(groups, "day"))
        if not 1 <= day <= 31:
            return None
        span = (groups.get("span") or "").lower()
        if shape != "ended":
            return Period(PeriodKind.DATE, year=year, month=month, day=day)
        if span.startswith(("quarter", "three")):
            return Period(PeriodKind.QUARTER, year=year, part=(month - 1) // 3 + 1)
        if span.startswith(("six", "half")):
            return Period(PeriodKind.HALF, year=year, part=(month - 1) // 6 + 1)
        if span.startswith("period"):
            return Period(PeriodKind.DATE, year=year, month=month, day=day)
        if month == 12:
            return Period(PeriodKind.YEAR, year=year)
        return Period(PeriodKind.FISCAL_YEAR, year=year, month=month)
    if shape in ("ordinal_part", "ordinal_fy_part"):
        kind = PeriodKind.QUARTER if groups["unit"].lower() == "quarter" else PeriodKind.HALF
        part = _ORDINALS[groups["ord"].lower()]
        if kind is PeriodKind.HALF and part > 2:
            return None
        if shape == "ordinal_fy_part":
            return Period(kind, year=_fiscal_year(groups), part=part, fiscal=True)
        fiscal = bool(groups.get("fiscal")) or "FY" in match.group(0).upper()
        return Period(kind, year=int(groups["year"]), part=part, fiscal=fiscal)
    if shape in ("q_fy", "q_year", "part_q"):
        kind = PeriodKind.QUARTER if groups["letter"] == "Q" else PeriodKind.HALF
        part = int(groups["part"])
        if kind is PeriodKind.HALF and part > 2:
            return None
        if shape == "q_fy":
            return Period(kind, year=_fiscal_year(groups), part=part, fiscal=True)
        year = groups.get("year") or groups.get("short")
        return Period(kind, year=_full_year(year), part=part)  # type: ignore[arg-type]
    if shape == "month":
        return Period(PeriodKind.MONTH, year=int(groups["year"]), month=_MONTHS[groups["month"].lower()])
    if shape in ("year_word", "possessive_year"):
        return Period(PeriodKind.YEAR, year=int(groups["year"]))
    if shape == "fy":
        return Period(PeriodKind.FISCAL_YEAR, year=_fiscal_year(groups))
    version = tuple(int(n) for n in groups["version"].split("."))
    if shape == "product_version":
        if groups["product"].lower() in _LEAD_WORDS:
            return None
        return Period(PeriodKind.VERSION, version=version, product=groups["product"].lower())
    return Period(PeriodKind.VERSION, version=version)


def _first(groups: dict[str, str | None], name: str) -> str:
    """The group `name`, `name2` or `name3` that matched: which of `_DATE`'s shapes read the date."""
    return next(groups[key] for key in (name, f"{name}2", f"{name}3") if groups.get(key))  # type: ignore[return-value]


def _fiscal_year(groups: dict[str, str | None]) -> int:
    """FY22 -> 2022; FY2022-23 and FY 2022/2023 -> 2023 (the year it ends in)."""
    year = _full_year(groups["fyyear"])  # type: ignore[arg-type]
    following = groups.get("fynext")
    if following:
        later = _full_year(following) if len(following) == 4 else year // 100 * 100 + int(following)
        if later == year + 1:
            return later
    return year


def _full_year(written: str) -> int:
    return int(written) if len(written) == 4 else 2000 + int(written)


def _bare_year(cell: str) -> Period | None:
    """A header cell that is only a year, which prose rules may not read as one ("2022" alone is)."""
    stripped = cell.strip().strip("*")
    return Period(PeriodKind.YEAR, year=int(stripped)) if re.fullmatch(_YEAR_DIGITS, stripped) else None


def _year_shaped(number: str) -> bool:
    return len(number) == 4 and number[:2] in ("19", "20")


def _inside_name(text: str, start: int) -> bool:
    """A year-shaped number glued after letters and a hyphen ("COVID-2019") belongs to a name."""
    before = re.search(r"([A-Za-z]+)-$", text[max(0, start - 20) : start])
    return bool(before) and before.group(1).lower() not in _YEAR_PREFIXES  # type: ignore[union-attr]


def _plural(word: str) -> bool:
    return len(word) > 3 and word.lower().endswith("s") and not word.lower().endswith(("ss", "us", "is"))


def _is_field(text: str, match: re.Match[str]) -> bool:
    """A label starting its line with the number ending it: "Employees 412" is a field, not a name."""
    line_start = text.rfind("\n", 0, match.start()) + 1
    line_end = text.find("\n", match.end())
    line_end = len(text) if line_end == -1 else line_end
    return not text[line_start : match.start()].strip() and not text[match.end() : line_end].strip()
