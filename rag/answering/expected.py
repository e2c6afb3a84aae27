"""What a question asks for, so that an answer of another kind is not passed off as one.

A small model asked "How many TOPS does X deliver?" when the documents never say
readily answers with a figure that is there (units shipped, a year); asked for a
clock speed in GHz, it gives a throughput. The verifier cannot catch that: the
figure is real, just not the one asked for. So:

- a question that names the kind it wants ("how many <things>", "what percentage",
  "how much" about money) or a unit of measure ("in GHz", "how many TOPS") only
  accepts claims that give a figure of that kind or unit;
- a question that asks for a figure at all ("how many", "how much", "what is the
  number/amount/rate of", "when") only accepts claims that hold one.

Figures written as fields or table cells ("Number of Employees: 412") count like
prose ones: a bare number satisfies a count question, whatever word precedes it.
Questions that do not say what they want are not constrained.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.numbers import SCALE_WORD, YEAR, Quantity, currency_named, is_currency, measure_unit, singular_form
from rag.periods import find_periods, non_figure_spans

# "How many <things>"; a scale before the noun says how it is written, not what: "how many bn <dollars>".
_HOW_MANY = re.compile(rf"\bhow many (?:(?:{SCALE_WORD.pattern})\s+(?:of\s+)?)?([a-z][a-z0-9-]*)", re.IGNORECASE)
_PERCENT = re.compile(r"\bwhat (percentage|percent|share|proportion|fraction)\b|\bhow many percent\b", re.IGNORECASE)
# Rates that are percentages by definition ("the top marginal income tax rate"): a threshold in dollars is no answer.
_PERCENT_RATE = re.compile(
    r"\b(?:tax|interest|marginal|unemployment|inflation|tariff|withholding)\s+rates?\b", re.IGNORECASE
)
_HOW_MUCH = re.compile(r"\bhow much\b", re.IGNORECASE)
_MONEY = re.compile(
    r"\b(spend|spends|spent|spending|invest|invests|invested|investment|cost|costs|pay|paid|worth|price|"
    r"budget|revenue|fund|funding|allocate|allocated)\b|[$¥€£]",
    re.IGNORECASE,
)
# Nouns that name an amount of money when a question asks "what <noun> does/is ...".
_MONEY_NOUN = r"(?:tax|taxes|fee|fees|salary|wage|wages|payment|deficit|surplus|receipts|expenditures|spending)"
_FIGURE_NOUN = r"(?:number|amount|total|count|size|rate|value|price|cost|budget|revenue|figure|level|sum|speed|capacity)s?\b"
# Questions that want a figure of some kind, even when they do not say which.
_FIGURE_QUESTION = re.compile(
    r"\bhow (many|much|long|large|big|fast|high|far|old)\b|\bwhat (percentage|percent|share|proportion|fraction)\b"
    rf"|\bwhat (?:is|was|are|were|will be)\b(?: the| its| their)? (?:[\w'-]+ ){{0,4}}?{_FIGURE_NOUN}"
    rf"|\bwhat (?:[\w-]+ ){{0,2}}?{_FIGURE_NOUN}"  # "what amount per exemption", "what tax rate applies"
    rf"|\bwhat {_MONEY_NOUN} (?:does|did|do|is|was|are|were|will|would)\b",  # "what tax does the example read"
    re.IGNORECASE,
)
# "..., in meters?", "worth in US dollars?": a question that names the unit of its answer asks for a
# figure, whatever its other words.
_IN_UNIT = re.compile(r"\bin\s+(?:U\.?S\.?\s+)?([A-Za-z]+)\s*\?*\s*$", re.IGNORECASE)
# Units written out, which rag.numbers does not read as units of measure (a figure in meters is a bare
# number under a table's header as often as "6,378 meters").
_SPELLED_UNITS = frozenset("""
    metre meter kilometre kilometer centimetre centimeter millimetre millimeter mile foot feet inch yard
    gram kilogram pound ton tonne ounce litre liter gallon barrel second minute hour day week month year
    degree byte kilobyte megabyte gigabyte terabyte watt kilowatt megawatt gigawatt hertz percent point cent
""".split())
_WHEN = re.compile(r"^\s*(when|in what year|in which year|what year)\b", re.IGNORECASE)
_HOW_MANY_PHRASE = re.compile(r"\bhow many\s+((?:[A-Za-z][\w'-]*\s*){1,4})", re.IGNORECASE)
# Words that close the counted phrase: auxiliaries and prepositions ("how many firms <have> ...", "<in> 2023").
_PHRASE_END = frozenset(
    "is are was were be been do does did has have had will would can could shall should may might must "
    "in on at of for from by with to during under over per than that which who".split()
)
# "how many times/years/more": arithmetic or durations, answered by computed figures; not constrained here.
_NOT_A_KIND = {"times", "years", "months", "days", "weeks", "more", "fewer", "of", "in", "other"}
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_JOINED_NOUN = re.compile(r"[^\S\n]+(?:and|or)[^\S\n]+([a-z][a-z-]*)")  # "men and apprentices" after a count
# Nouns that count the same things, in the singular as units are written: asked "how many firms", a
# source's "32 companies" is the count asked for. Plain English, not any corpus's words.
_SAME_COUNT = [
    frozenset(group.split())
    for group in (
        "company firm business enterprise corporation",
        "person people individual",
        "customer client",
        "worker employee",
        "country nation",
        "ship vessel boat",
        "car automobile",
        "child children kid",
        "student pupil",
        "doctor physician",
    )
]


@dataclass(frozen=True)
class Expected:
    """The kind of figure an answer must contain."""

    description: str  # for the reason shown when a claim is dropped, e.g. "a count of tops"
    currency: bool = False
    percent: bool = False
    measure: str | None = None  # a unit of measure the question names, canonical ("ghz")
    count_words: frozenset[str] = frozenset()  # singular words a count's unit may be (or a bare count)
    named_currency: str | None = None  # the currency the question names ("How many RMB" -> "CNY")

    @property
    def named_unit(self) -> str | None:
        """The one unit the question names, when it names one: what a disagreement must be in."""
        return self.measure or self.named_currency

    def satisfied_by(self, quantity: Quantity, text: str = "") -> bool:
        """Whether `quantity` (read from `text`, when given) is a figure of this kind. A count of
        joined nouns ("24,123 men and apprentices") counts each of them."""
        if self.count_words and text and (joined := _JOINED_NOUN.match(text, quantity.end)):
            if singular_form(joined.group(1).lower()) in self.count_words and self._counts(quantity.unit, ""):
                return True
        if self.measure:
            return quantity.unit.lower() == self.measure
        if self.currency:
            return is_currency(quantity.unit)
        if self.percent:
            return quantity.unit == "%"
        return self._counts(quantity.unit, quantity.unit.lower())

    def fits(self, quantity: Quantity, text: str = "") -> bool:
        """Of this kind and, when the question names a currency, in it ("how many yuan": not dollars)."""
        return self.satisfied_by(quantity, text) and self.named_currency in (None, quantity.unit)

    def _counts(self, unit: str, counted: str) -> bool:
        """Whether a figure in `unit` is a count, of `counted` ("" for a bare count) when the question names it."""
        return (
            unit.lower() not in {YEAR, "%"} and not is_currency(unit) and measure_unit(unit.lower()) is None
            and (counted == "" or counted in self.count_words)
        )


def expected_kind(question: str) -> Expected | None:
    """The kind of figure the question asks for, or None when it does not say."""
    measures = {unit for word in _WORD.findall(question) if (unit := measure_unit(word))}
    if len(measures) == 1:
        [unit] = measures
        return Expected(f"a figure in {unit}", measure=unit)
    if _PERCENT.search(question) or _PERCENT_RATE.search(question):
        return Expected("a percentage", percent=True)
    how_many = _HOW_MANY.search(question)
    if how_many:
        noun = how_many.group(1).lower()
        if noun in _NOT_A_KIND:
            return None
        if code := currency_named(noun):
            return Expected(f"an amount in {code}", currency=True, named_currency=code)
        words = {singular_form(w) for w in _WORD.findall(question)}
        return Expected(f"a number of {noun}", count_words=frozenset(_with_same_count(words)))
    named = named_currency(question)
    if _HOW_MUCH.search(question) and (_MONEY.search(question) or _currencies(question)):
        return Expected(f"an amount in {named}" if named else "an amount of money", currency=True, named_currency=named)
    return None


def named_currency(question: str) -> str | None:
    """The one currency a question names anywhere ("in dollars", "How many yuan"), or None."""
    currencies = _currencies(question)
    return currencies.pop() if len(currencies) == 1 else None


def _currencies(question: str) -> set[str]:
    return {code for word in _WORD.findall(question) if (code := currency_named(word))}


def _with_same_count(words: set[str]) -> set[str]:
    """`words` and every noun that counts the same things as one of them ("firm": also "company")."""
    return words.union(*(group for group in _SAME_COUNT if group & words))


def counted_nouns(question: str) -> set[str]:
    """What "how many <phrase>" counts, in the singular with the nouns that count the same things: the
    phrase's last word before a verb or preposition ("how many local wine companies have ...": company,
    firm, ...). Empty when the question counts nothing."""
    match = _HOW_MANY_PHRASE.search(question)
    if match is None:
        return set()
    words = []
    for word in _WORD.findall(match.group(1)):
        if word.lower() in _PHRASE_END or word.lower().endswith(("ed", "ing")):
            break
        words.append(word)
    if not words or {words[0].lower(), words[-1].lower()} & _NOT_A_KIND or currency_named(words[-1]):
        return set()
    return _with_same_count({singular_form(words[-1])})


def asks_for_figure(question: str) -> bool:
    """Whether only a claim that states a figure (a date, for "when") can answer the question."""
    return bool(_FIGURE_QUESTION.search(question) or _WHEN.search(question) or _names_its_unit(question))


def _names_its_unit(question: str) -> bool:
    """Whether the question ends by naming its answer's unit ("..., in meters?", "in US dollars?")."""
    match = _IN_UNIT.search(question)
    if match is None:
        return False
    word = match.group(1).lower()
    return bool(measure_unit(word) or currency_named(word) or singular_form(word) in _SPELLED_UNITS)


def figure_test(question: str, text: str) -> Callable[[Quantity], bool]:
    """Whether a quantity read from `text` can answer a figure question: a year, or the
    day of a date ("June 30, 1896"), answers only "when"; a number in a name or a reference
    ("Windows 11", "Table 324") answers nothing. The text's spans are read once, for all its quantities."""
    when = bool(_WHEN.search(question))
    periods = [(m.start, m.end) for m in find_periods(text)]
    naming = non_figure_spans(text)

    def is_figure(quantity: Quantity) -> bool:
        if quantity.unit == YEAR or _in_spans(quantity, text, periods):
            return when
        # "line 40 amount" is read as 40 amounts: its numeral still numbers the line.
        return not _in_spans(quantity, text, naming, numeral_only=True)

    return is_figure


def _in_spans(quantity: Quantity, text: str, spans: list[tuple[int, int]], *, numeral_only: bool = False) -> bool:
    """Whether `quantity`, written at its offsets in `text`, lies in one of `spans` (`numeral_only`: its numeral does)."""
    if text[quantity.start : quantity.end] != quantity.text:
        return False  # read from another text (a code-made claim's quote): not placed here
    end = quantity.start + 1 if numeral_only else quantity.end
    return any(start <= quantity.start and end <= stop for start, stop in spans)
