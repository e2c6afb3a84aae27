"""Read the quantities in news text and answers: value, unit, and whether hedged.

The answer verifier must show that every number in an answer appears in the
cited passage. Strings cannot be compared ("$22B" vs "US$22 billion", "60-70%"
vs "60% to 70%"), so each mention becomes a `Quantity` whose `value` has its
scale applied and whose `unit` is canonical; `same_quantity` then compares two
mentions, and `format_quantity` writes a computed value back as text that this
parser reads to the same quantity.

What a caller must know about the representation:

* Currencies are ISO codes (USD, CNY, EUR, GBP, JPY, and HKD/TWD/SGD/AUD/CAD
  for their "$" prefixes). "¥" is read as CNY because the corpus is Chinese news.
* Percent values are the number before the sign: "60%" -> 60.0, unit "%".
* Multipliers ("twofold", "doubled", "3x", "three times") have unit "x".
* A calendar year ("in 2025") has unit "year", and so has one before a singular
  noun ("2024 spending") or a title's capitalised plural ("2019 Tax Rate
  Schedules"); before a lower-case plural it is a count ("2000 units"). A
  duration ("5-year", "two years") has unit "years-duration" so the two never
  compare equal.
* Any other unit is the singular, lower-case noun counted ("52,000 chips" ->
  "chip"; "296 TOPS" -> "tops"; "nine Chinese firms" -> "firm"), or "" for a
  bare count.
* A range ("$5-7 billion", "60 to 70 percent") yields two quantities sharing the
  unit and scale written once after the second; the first one's span covers
  only its own numeral ("$5" is valued 5e9).
* Numbers glued to letters are names, not quantities: "H200", "Qwen2.5",
  "GPT-4", "S25", "INT8", "5G", "1st". So are citation markers ("[2]") and the
  numbers of a numbered list.
* A figure in accounting brackets is negative: "(370)" -> -370, when it stands
  as a table cell (followed by the end of the line, "|" or another figure); "(2019)"
  stays a year and "(370) units" a count.
* Table figures are bare numbers whose scale is stated once, in the table's units
  line ("(in millions)", "(Millions)", "in thousands of USD"). `table_scale` reads
  that line into a `TableScale`; `parse_quantities(text, table=...)` applies it to
  the bare figures of `text`, so "1,577" under "(Millions)" is 1.577e9 and no
  longer 1577.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = [
    "Quantity", "TableScale", "format_quantity", "is_count", "measure_unit", "parse_quantities", "same_quantity",
    "singular_form",
    "table_figure_supports", "table_scale",
]


@dataclass(frozen=True)
class Quantity:
    """One quantity mentioned in a text. Invariant: `source[start:end] == text`."""

    text: str  # the exact span that was read, e.g. "US$22 billion"
    start: int
    end: int
    value: float  # scale applied; percent as the number before "%"
    unit: str  # canonical: a currency code, "%", "x", "year", "years-duration", a singular noun, or ""
    approx: bool  # hedged by "about", "over", "at least", "~", ... just before it


YEAR = "year"
DURATION = "years-duration"  # "5-year plan", "two years": a span of time, never a calendar year
PERCENT = "%"
MULTIPLIER = "x"

# --------------------------------------------------------------------------- lexicon

# Quantities never continue onto the next line, so "space" means spaces and tabs only.
_SP = r"[^\S\n]+"
_OPT_SP = r"[^\S\n]*"

_CURRENCY_SYMBOLS = {
    "US$": "USD", "HK$": "HKD", "NT$": "TWD", "S$": "SGD", "A$": "AUD", "C$": "CAD",
    "$": "USD", "¥": "CNY", "€": "EUR", "£": "GBP",
}
_CURRENCY_CODES = {"USD": "USD", "CNY": "CNY", "RMB": "CNY", "EUR": "EUR", "GBP": "GBP", "JPY": "JPY",
                   "HKD": "HKD", "TWD": "TWD", "SGD": "SGD", "AUD": "AUD", "CAD": "CAD"}
_CURRENCY_NAMES = {"dollar": "USD", "dollars": "USD", "yuan": "CNY", "renminbi": "CNY",
                   "euro": "EUR", "euros": "EUR", "yen": "JPY"}
_CURRENCIES = frozenset(_CURRENCY_CODES.values())

# How format_quantity writes each currency: a prefix symbol, or a name after the number.
_SYMBOL_FOR = {"USD": "$", "EUR": "€", "GBP": "£", "HKD": "HK$", "TWD": "NT$", "SGD": "S$",
               "AUD": "A$", "CAD": "C$"}
_NAME_FOR = {"CNY": "yuan", "JPY": "yen"}

# Abbreviations; the one-letter ones only count when glued ("6.8B") or after a currency ("$5 m").
_SCALE_LETTERS = {"k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "mn": 1e6, "b": 1e9, "B": 1e9,
                  "bn": 1e9, "T": 1e12, "tn": 1e12}

_SMALL_WORDS = {
    word: value
    for value, word in enumerate(
        "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen".split(),
        start=1,
    )
}
_TENS_WORDS = {
    word: value
    for value, word in zip(range(20, 100, 10), "twenty thirty forty fifty sixty seventy eighty ninety".split())
}
_SPELLED_VALUES = {**_SMALL_WORDS, **_TENS_WORDS}
_SPELLED_WORD = re.compile(rf"\b(?:{'|'.join(_SPELLED_VALUES)})\b", re.IGNORECASE)
_GROUP_WORDS = {"hundred": 100, "dozen": 12}  # multiply the words before them: "two hundred", "a dozen"
_BIG_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALE_WORDS = {"hundred": 1e2, **_BIG_WORDS}  # after digits: "1.5 million", "5 hundred"
_BIG_WORD_OF = {value: word for word, value in _BIG_WORDS.items()}

_MULTIPLIER_WORDS = {
    "twice": 2, "double": 2, "doubled": 2, "doubles": 2, "doubling": 2,
    "triple": 3, "tripled": 3, "triples": 3, "tripling": 3,
    "quadruple": 4, "quadrupled": 4, "quadruples": 4, "quadrupling": 4,
}

# Units of measure, which may be glued to the number ("7nm", "80GB"). Kept as written, never
# singularised or pluralised ("TOPS" is not the plural of "top"). The value is how they are printed.
_MEASURE_UNITS = {
    "nm": "nm", "mm": "mm", "cm": "cm", "km": "km", "kg": "kg",
    "gb": "GB", "tb": "TB", "mb": "MB", "ghz": "GHz", "mhz": "MHz",
    "kw": "kW", "mw": "MW", "gw": "GW", "tops": "TOPS", "tflops": "TFLOPS", "pflops": "PFLOPS",
}

_HEDGES = (
    "approximately", "approx", "about", "around", "nearly", "almost", "roughly", "some", "circa",
    "over", "above", "under", "below", "exceeding", "estimated", "more than", "less than",
    "fewer than", "at least", "at most", "up to", "close to", "as many as", "as much as",
    "upwards of", "in excess of", "north of",
)

# Words after which a 4-digit number is a year even if a plural noun follows ("in 2025 chips were...").
_YEAR_CONTEXT = (
    "in", "by", "since", "from", "until", "till", "through", "during", "before", "after", "of",
    "early", "late", "mid", "end", "fiscal", "fy",
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec",
)
# "mid-2025" is a year; any other "letters-hyphen-digits" is a name ("GPT-4", "COVID-19").
_YEAR_PREFIXES = frozenset({"mid", "early", "late", "pre", "post"})

# Ordinals and fractions after a hyphen: "twenty-first", "one-third" are not counts.
_ORDINAL_PARTS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
    "half", "halves", "quarter", "quarters", "thirds", "fourths", "fifths",
)

# Words that end the search for a counted noun: "52,000 chips to 290 clients".
_STOPWORDS = frozenset("""
    a an the and or but nor to of in on at by for from with as than that this these those which who
    whom whose what when where while if so not no into onto over under about after before since until
    during through between among across against within without via per each every both either neither
    all any some most many much few several such also only just even still yet ago later earlier then
    now here there it its they them their we our he she his her you your i me my is are was were be
    been being am will would shall should can could may might must do does did has have had according
    compared including respectively apiece alone plus minus vs versus amid despite toward towards upon
    like unlike up down out off away back around nearly almost roughly approximately
""".split())
# Adjectives that commonly sit between a number and its noun: "two new plants", "5 more chips".
_ADJECTIVES = frozenset("""
    new more fewer additional extra other major key large larger largest small smaller big bigger top
    leading main further full advanced domestic foreign global local critical separate different
    existing remaining competing emerging overseas custom high low total annual consecutive straight
""".split())
# Suffixes that make a word probably an adjective; only skipped when a noun follows it.
_ADJECTIVE_SUFFIXES = ("al", "ic", "ive", "ous", "ese", "ian", "ful", "less", "able", "ible", "ish")
_LY_NOUNS = frozenset({"supply", "family", "assembly", "ally", "monopoly", "rally", "anomaly", "reply"})
_MAX_UNIT_WORDS = 3  # look this many words past the number for the noun it counts
_NUMBER_WORD_SET = frozenset({*_SMALL_WORDS, *_TENS_WORDS, *_GROUP_WORDS, *_BIG_WORDS})


def _alternation(words) -> str:
    """Longest first, so "seventeen" is tried before "seven"."""
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


def _phrase_alternation(phrases) -> str:
    """Like `_alternation`, with any run of spaces allowed between the words of a phrase."""
    return "|".join(_SP.join(map(re.escape, phrase.split())) for phrase in sorted(phrases, key=len, reverse=True))


# --------------------------------------------------------------------------- patterns

_NUMERAL = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"  # "52,000", "5.50", "2025"
_DIGIT_WORD = _alternation(w for w, v in _SMALL_WORDS.items() if v < 10)
_BELOW_100 = (
    rf"(?:(?:{_alternation(_TENS_WORDS)})(?:(?:-|{_SP})(?:{_DIGIT_WORD}))?|{_alternation(_SMALL_WORDS)})"
)
_HUNDREDS = rf"{_BELOW_100}(?:{_SP}(?:hundred|dozen)(?:{_SP}{_BELOW_100})?)?"
_ANY_SCALE = _alternation({**_GROUP_WORDS, **_BIG_WORDS})
# A scale written as a word of its own: "how many <bn> dollars", "in <millions> of yuan".
SCALE_WORD = re.compile(rf"(?:{_alternation(_SCALE_WORDS)})s?|bn|mn|tn", re.IGNORECASE)
_BIG = _alternation(_BIG_WORDS)
# "two", "twenty-five", "two million", "two hundred fifty thousand", "a dozen", "a billion".
_NUMBER_WORDS = (
    rf"(?:{_HUNDREDS}|a(?={_SP}(?:{_ANY_SCALE})\b))(?:{_SP}(?:{_ANY_SCALE}))*"
    rf"(?:{_SP}{_HUNDREDS}(?:{_SP}(?:{_BIG}))+)*"
)
_CURRENCY_PREFIX = rf"(?:{_alternation(_CURRENCY_SYMBOLS)}|{_alternation(_CURRENCY_CODES)}){_OPT_SP}"

# Where a quantity can begin. Digits must not follow a letter, digit, "." or ","
# (so "H200" and the "5" of "Qwen2.5" are skipped); a minus sign only counts after
# a space or bracket, so "60-70%" stays a range.
_START = re.compile(
    rf"""
    (?P<fold>\b(?i:{_BELOW_100})-?(?i:fold)\b)
  | (?P<mult>\b(?i:{_alternation(_MULTIPLIER_WORDS)})\b)
  | (?P<words>\b(?i:{_NUMBER_WORDS})\b)
  | (?<![\w.,$])
    (?P<sign>(?<![^\s(\[])[-−])?
    (?P<currency>{_CURRENCY_PREFIX})?
    (?P<numeral>{_NUMERAL})
    """,
    re.VERBOSE,
)

_GLUED = re.compile(
    rf"""
    (?P<percent>%)
  | (?P<measure>(?i:{_alternation(_MEASURE_UNITS)}))(?![A-Za-z0-9])
  | (?P<mult>[x×]|-?fold)(?![A-Za-z0-9])
  | (?P<scale>{_alternation(_SCALE_LETTERS)})(?![A-Za-z0-9])
    """,
    re.VERBOSE,
)
_GLUED_NAME = re.compile(r"[A-Za-z0-9_]|[.,]\d")  # "5G", "1st", "3D", "1.2.3": part of a name
_PLUS = re.compile(r"\+(?!\d)")  # "10,000+" means at least
_SPACED_SCALE = re.compile(
    rf"(?:{_SP}|-)(?i:({_alternation(_SCALE_WORDS)}))\b|{_SP}(bn|mn|tn)\b"
)
_CURRENCY_SCALE_LETTER = re.compile(rf"{_SP}([kKmMbBT])\b")  # "$5 m", only after a currency
_PERCENT_SUFFIX = re.compile(rf"{_OPT_SP}%|(?:{_SP}|-)(?i:percent|per{_SP}cent|pct)\b")
_CURRENCY_SUFFIX = re.compile(
    rf"(?:{_SP}|-)(?:(?:U\.S\.|US){_SP})?(?i:({_alternation({**_CURRENCY_NAMES, **_CURRENCY_CODES})}))\b"
)
_TIMES = re.compile(rf"{_SP}(?i:times)\b")
_HYPHEN_WORD = re.compile(r"-([A-Za-z]+)\b")  # "10,000-chip", "5-year", "three-tier"
_NEXT_WORD = re.compile(rf"{_SP}([A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*)\b")
_ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")  # "GPUs", "CPUs"
_ONE_AS_PRONOUN = re.compile(rf"\b(?i:no|any|every|each|the|this|that|which){_SP}$")  # "no one knows"
_ORDINAL_PART = re.compile(rf"-(?i:{_alternation(_ORDINAL_PARTS)})\b")
_MULTIPLIER_IDIOM = re.compile(rf"-|{_SP}(?i:down)\b")  # "double-digit", "doubling down"
_RANGE_JOINER = re.compile(rf"{_OPT_SP}[-–—]{_OPT_SP}|{_SP}(?i:(to|and)){_SP}")
_BETWEEN_BEFORE = re.compile(rf"\b(?i:between){_SP}$")
_HEDGE_BEFORE = re.compile(
    rf"(?:\b(?i:{_phrase_alternation(_HEDGES)})\.?|[~≈])"
    rf"(?:{_SP}(?i:an?))?[\s(\[]*$"
)
_YEAR_BEFORE = re.compile(rf"\b(?i:{_alternation(_YEAR_CONTEXT)})\.?[\s-]*$")
_NOT_QUANTITIES = re.compile(r"\[\d+(?:\s*[,–-]\s*\d+)*\]|^[^\S\n]*\d+[.)](?=[^\S\n])", re.MULTILINE)
_LOOKBACK = 40  # characters before a number searched for a hedge or year context
# "(370)" as a table cell: the bracket opens a cell and closes before the line ends or the next cell starts.
# A bracketed figure is a table cell when it starts a line, follows a cell separator, a field's colon,
# a column gap (a tab or two spaces) or another figure, or is followed by another figure:
# "class_1 (71)" in prose is a count in brackets, not a negative.
_ACCOUNTING_NEGATIVE_BEFORE = re.compile(
    r"(?:^|[|:\t]|[^\S\n]{2}|(?:^|\s)[$€£¥]?\(?[\d.,]+\)?%?[^\S\n])[^\S\n]*\($", re.MULTILINE
)
_FIGURE_AFTER = re.compile(r"\)[^\S\n]+[-−–(\[$€£¥]?\d")
_ACCOUNTING_NEGATIVE_AFTER = re.compile(r"\)(?=[^\S\n]*(?:$|\||[-−–—(\[$€£¥\d]))", re.MULTILINE)


# --------------------------------------------------------------------------- reading


@dataclass
class _Piece:
    """A quantity while it is being read; `_finish` turns it into a Quantity."""

    start: int
    end: int
    number: float  # signed, before scale
    scale: float = 1.0
    unit: str = ""
    numeral: str = ""  # the digits as written, to tell years ("2025") from counts ("2,025")
    words: bool = False  # spelled out ("two million")
    currency_prefix: bool = False
    closed: bool = False  # a glued %, unit or "x" (or a multiplier word) ends the quantity
    has_tail: bool = False  # a scale, %, currency, unit or multiplier was read after the number
    unit_from_word: bool = False
    plural: bool = False  # the counted noun was plural: "2000 units" is a count, "2024 spending" a year
    titled: bool = False  # the noun is capitalised as in a title: "2019 Tax Rate Schedules" is a year
    approx: bool = False


def parse_quantities(text: str, table: TableScale | None = None) -> list[Quantity]:
    """Every quantity in `text`, in order of appearance, non-overlapping.

    With `table` (the units line of the table `text` comes from, see `table_scale`),
    bare figures and currency figures written without a scale get the table's scale,
    and its currency when they name none.
    """
    skipped = [m.span() for m in _NOT_QUANTITIES.finditer(text)]
    found: list[Quantity] = []
    pos = 0
    while (match := _START.search(text, pos)) is not None:
        marker_end = next((end for start, end in skipped if start <= match.start() < end), None)
        if marker_end is not None:
            pos = marker_end
            continue
        pieces = _read(text, match)
        if not pieces:
            pos = match.end()
            continue
        found.extend(q for q in (_finish(text, piece, table) for piece in pieces) if q is not None)
        pos = pieces[-1].end
    return found


def _read(text: str, match: re.Match[str]) -> list[_Piece]:
    """One quantity, or two when it opens a range whose second half carries the unit."""
    first = _read_one(text, match)
    if first is None:
        return []
    if first.has_tail:
        return [first]
    second = _read_range_end(text, first)
    return [first] if second is None else [first, second]


def _read_one(text: str, match: re.Match[str]) -> _Piece | None:
    """Read the quantity `match` starts; None when it turns out to be a name or an idiom."""
    start, end = match.span()
    if match["fold"]:
        number, scale = _words_value(re.sub(r"-?fold$", "", match["fold"], flags=re.I))
        return _hedged(text, _Piece(start, end, number * scale, unit=MULTIPLIER, closed=True, has_tail=True))
    if match["mult"]:
        if _MULTIPLIER_IDIOM.match(text, end):
            return None
        number = _MULTIPLIER_WORDS[match["mult"].lower()]
        return _hedged(text, _Piece(start, end, number, unit=MULTIPLIER, closed=True, has_tail=True))
    if match["words"]:
        if _ORDINAL_PART.match(text, end):
            return None
        number, scale = _words_value(match["words"])
        piece = _Piece(start, end, number, scale=scale, words=True)
    else:
        if _is_name_part(text, start):
            return None
        sign = -1.0 if match["sign"] else 1.0
        currency = match["currency"]
        piece = _Piece(
            start, end, sign * float(match["numeral"].replace(",", "")),
            unit=_currency_code(currency) if currency else "",
            numeral=match["numeral"] if not (currency or match["sign"]) else "",
            currency_prefix=bool(currency),
        )
        if not _read_glued(text, piece):
            return None
        _read_accounting_negative(text, piece)
    _read_tail(text, piece)
    return _hedged(text, piece)


def _read_accounting_negative(text: str, piece: _Piece) -> None:
    """"(370)" standing as a table cell is -370; the brackets become part of the quantity's span."""
    if piece.scale != 1.0 or _year_shaped(piece):
        return
    cell = _ACCOUNTING_NEGATIVE_BEFORE.search(text, max(0, piece.start - 16), piece.start)
    if not cell and not _FIGURE_AFTER.match(text, piece.end):
        return
    if close := _ACCOUNTING_NEGATIVE_AFTER.match(text, piece.end):
        piece.number, piece.numeral = -abs(piece.number), ""
        piece.start, piece.end, piece.closed, piece.has_tail = piece.start - 1, close.end(), True, True


def _read_range_end(text: str, first: _Piece) -> _Piece | None:
    """Read "-7 billion" after "$5": the second half lends its scale and unit to the first."""
    joiner = _RANGE_JOINER.match(text, first.end)
    if joiner is None:
        return None
    if joiner[1] and joiner[1].lower() == "and" and not _BETWEEN_BEFORE.search(text, 0, first.start):
        return None
    match = _START.match(text, joiner.end())
    if match is None or match["fold"] or match["mult"] or match["sign"]:
        return None
    second = _read_one(text, match)
    if second is None or not second.has_tail:
        return None
    if first.currency_prefix and second.unit_from_word and not second.currency_prefix and second.scale == 1.0:
        # "$25,300-25,350 income line": a range in dollars, whose noun after names the line, not a count
        second.unit, second.unit_from_word, second.plural, second.end = first.unit, False, False, match.end()
    if second.currency_prefix and not first.currency_prefix:
        return None  # "in 2024 to $7 billion" is not a range
    if _year_shaped(first) and not _year_shaped(second):
        return None  # "2025 to 50%" is not a range
    if first.scale == 1.0:
        first.scale = second.scale
    if not first.unit:
        first.unit, first.unit_from_word, first.plural = second.unit, second.unit_from_word, second.plural
    second.unit = second.unit or first.unit
    second.approx = second.approx or first.approx
    return second


def _read_glued(text: str, piece: _Piece) -> bool:
    """Read what is glued to the digits; False when they are part of a name ("5G", "1st")."""
    glued = _GLUED.match(text, piece.end)
    if glued:
        piece.end, piece.has_tail = glued.end(), True
        if glued["percent"]:
            piece.unit, piece.closed = PERCENT, True
        elif glued["measure"]:
            piece.unit, piece.closed = glued["measure"].lower(), True
        elif glued["mult"]:
            piece.unit, piece.closed = MULTIPLIER, True
        else:
            piece.scale = _SCALE_LETTERS[glued["scale"]]
    if plus := _PLUS.match(text, piece.end):
        piece.end, piece.approx = plus.end(), True
    return not _GLUED_NAME.match(text, piece.end)


def _read_tail(text: str, piece: _Piece) -> None:
    """Read the scale, then the percent sign, currency, "times" or counted noun after a number."""
    if piece.closed:
        return
    if piece.scale == 1.0 and not piece.words:
        scale = _SPACED_SCALE.match(text, piece.end) or (
            _CURRENCY_SCALE_LETTER.match(text, piece.end) if piece.currency_prefix else None
        )
        if scale:
            word = scale[1] or scale[2]
            piece.scale = _SCALE_WORDS.get(word.lower()) or _SCALE_LETTERS[word]
            piece.end, piece.has_tail = scale.end(), True
            if plus := _PLUS.match(text, piece.end):
                piece.end, piece.approx = plus.end(), True
    if piece.currency_prefix:
        return
    if match := _PERCENT_SUFFIX.match(text, piece.end):
        piece.unit = PERCENT
    elif match := _CURRENCY_SUFFIX.match(text, piece.end):
        piece.unit = _currency_code(match[1])
    elif piece.scale == 1.0 and (match := _TIMES.match(text, piece.end)):
        piece.unit = MULTIPLIER
    else:
        _read_counted_noun(text, piece)
        return
    piece.end, piece.has_tail = match.end(), True


def _read_counted_noun(text: str, piece: _Piece) -> None:
    """Find the noun a number counts, skipping a few modifiers: "nine Chinese firms" -> "firm"."""
    if compound := _HYPHEN_WORD.match(text, piece.end):
        if _word_role(compound[1]) != _STOP:
            _set_noun(piece, compound[1], compound.end(), plural=False)
        return
    pos = piece.end
    for _ in range(_MAX_UNIT_WORDS):
        word = _NEXT_WORD.match(text, pos)
        if word is None:
            return
        role = _word_role(word[1])
        if role == _STOP:
            return
        if role == _NOUN or (role == _MAYBE_MODIFIER and _ends_noun_phrase(text, word.end())):
            _set_noun(piece, word[1], word.end(), plural=_is_plural(word[1]))
            return
        pos = word.end()


def _set_noun(piece: _Piece, word: str, end: int, plural: bool) -> None:
    piece.unit, piece.plural = _unit_from_word(word), plural
    piece.titled = word[:1].isupper() and not _ACRONYM_PLURAL.fullmatch(word) and not word.isupper()
    piece.end, piece.has_tail, piece.unit_from_word = end, True, True


_STOP, _NOUN, _MODIFIER, _MAYBE_MODIFIER = "stop", "noun", "modifier", "maybe-modifier"


def _word_role(word: str) -> str:
    """Is this word the counted noun, a modifier before it, or the end of the phrase?"""
    lower = word.lower()
    if lower in _STOPWORDS or lower in _NUMBER_WORD_SET:  # "five million two years ago"
        return _STOP
    if lower in _MEASURE_UNITS or _ACRONYM_PLURAL.fullmatch(word):  # "TOPS", "GPUs"
        return _NOUN
    if "-" in word or any(c.isdigit() for c in word):  # "China-specific", "H200"
        return _MODIFIER
    if lower in _ADJECTIVES or (lower.endswith("ed") and len(lower) > 4):
        return _MODIFIER
    if lower.endswith("ly") and lower not in _LY_NOUNS:  # adverbs: "units annually"
        return _STOP
    # "nine Chinese firms", "two AI chips", "two critical advantages"; but "10,000 Units." in a title
    if word[0].isupper() or lower.endswith(_ADJECTIVE_SUFFIXES):
        return _MAYBE_MODIFIER
    return _NOUN


def _ends_noun_phrase(text: str, pos: int) -> bool:
    """True when no noun can follow: a probable adjective at the end is the noun itself ("one deal")."""
    following = _NEXT_WORD.match(text, pos)
    return following is None or _word_role(following[1]) == _STOP


def _finish(text: str, piece: _Piece, table: TableScale | None = None) -> Quantity | None:
    """Decide years and bare "one", apply a table's scale, and build the public record."""
    if _is_year(text, piece):
        end = piece.start + len(piece.numeral)
        return Quantity(text[piece.start:end], piece.start, end, piece.number, YEAR, piece.approx)
    if table is not None and _scaled_by_table(text, piece, table):
        piece.scale, piece.unit = table.multiplier, piece.unit or table.currency
    value = piece.number * piece.scale
    if piece.words and value == 1 and (
        not piece.has_tail or _ONE_AS_PRONOUN.search(text, max(0, piece.start - _LOOKBACK), piece.start)
    ):
        return None  # "one of the largest", "no one knows"
    return Quantity(text[piece.start:piece.end], piece.start, piece.end, value, piece.unit, piece.approx)


def _year_shaped(piece: _Piece) -> bool:
    """Four plain digits in 1900-2100; "2,025", "$2025" and "2025.0" are not."""
    return bool(re.fullmatch(r"\d{4}", piece.numeral)) and 1900 <= piece.number <= 2100


# Words that date an older year; "of" is left out: "a total of 1850" is a count.
_HISTORIC_YEAR_BEFORE = re.compile(
    rf"\b(?i:{_alternation(w for w in _YEAR_CONTEXT if w not in ('of', 'early', 'late', 'mid', 'end'))}|year)\.?[\s-]*$"
    r"|\b(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?(?:\s+\d{1,2}(?:st|nd|rd|th)?)?,\s*$"
)


def _historic_year_shaped(piece: _Piece) -> bool:
    return bool(re.fullmatch(r"\d{4}", piece.numeral)) and 1600 <= piece.number < 1900


def _is_year(text: str, piece: _Piece) -> bool:
    """A bare 4-digit 1900-2100, or one followed by a singular noun ("2024 spending") or a title's
    capitalised one ("2019 Tax Rate Schedules"); an older one (1600-1899) only after a word that
    dates ("in 1894", "fiscal 1896"), since it may be a count."""
    if piece.scale != 1.0 or piece.closed:
        return False
    if _historic_year_shaped(piece):
        return not piece.unit and bool(_HISTORIC_YEAR_BEFORE.search(text, max(0, piece.start - _LOOKBACK), piece.start))
    if not _year_shaped(piece):
        return False
    if not piece.unit:
        return True
    if not piece.unit_from_word:
        return False  # "2025 dollars", "2025 percent"
    dated = _YEAR_BEFORE.search(text, max(0, piece.start - _LOOKBACK), piece.start)
    return not piece.plural or piece.titled or bool(dated)


def _hedged(text: str, piece: _Piece) -> _Piece:
    """Mark the piece approximate when a hedge ("about", "at least", "~") sits right before it."""
    window_start = max(0, piece.start - _LOOKBACK)
    piece.approx = piece.approx or bool(_HEDGE_BEFORE.search(text, window_start, piece.start))
    return piece


def _is_name_part(text: str, start: int) -> bool:
    """"GPT-4", "COVID-19": digits after letters and a hyphen, unless "mid-2025" and the like."""
    if start < 2 or text[start - 1] not in "-–" or not text[start - 2].isalpha():
        return False
    letters = re.search(r"[A-Za-z]+$", text[max(0, start - 12):start - 1])
    return letters is None or letters[0].lower() not in _YEAR_PREFIXES


def _words_value(phrase: str) -> tuple[float, float]:
    """("two hundred fifty thousand") -> (250, 1000): the number and the scale word that ends it."""
    tokens = re.split(r"[\s-]+", phrase.strip().lower())
    total = current = 0.0
    for token in tokens:
        if token == "a":
            current = 1
        elif token in _SMALL_WORDS or token in _TENS_WORDS:
            current += _SMALL_WORDS.get(token) or _TENS_WORDS[token]
        elif token in _GROUP_WORDS:
            current = (current or 1) * _GROUP_WORDS[token]
        else:
            total += (current or 1) * _BIG_WORDS[token]
            current = 0
    value = total + current
    scale = _BIG_WORDS.get(tokens[-1], 1.0)
    return value / scale, scale


def _currency_code(written: str) -> str:
    """ISO code for a symbol, code or name as written: "US$" -> "USD", "RMB " -> "CNY"."""
    written = written.strip()
    return (
        _CURRENCY_SYMBOLS.get(written)
        or _CURRENCY_CODES.get(written.upper())
        or _CURRENCY_NAMES[written.lower()]
    )


def currency_named(word: str) -> str | None:
    """The ISO code a word of a question names ("RMB", "yuan", "dollars", "EUR"), else None."""
    return _CURRENCY_CODES.get(word.upper()) or _CURRENCY_NAMES.get(word.lower())


# --------------------------------------------------------------------------- units


def _singular(word: str) -> str:
    """English plural rules good enough for counted nouns: "companies", "branches", "chips"."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def singular_form(word: str) -> str:
    """The lower-case singular of a counted noun as units are written: "Companies" -> "company", "TOPS" -> "tops"."""
    lower = word.lower()
    if lower in _MEASURE_UNITS:
        return lower  # "TOPS" is not the plural of "top"
    return lower[:-1] if _ACRONYM_PLURAL.fullmatch(word) else _singular(lower)


def _is_plural(word: str) -> bool:
    return singular_form(word) != word.lower()


def _unit_from_word(word: str) -> str:
    """Canonical unit of a noun after a number: singular, lower case; "years" is a duration."""
    singular = singular_form(word)
    return DURATION if singular in ("year", "yr") else singular


def _canonical_unit(unit: str) -> str:
    """Any spelling of a unit a caller may hold ("RMB", "percent", "Units") in canonical form."""
    if unit in (YEAR, DURATION, PERCENT, MULTIPLIER, "") or unit in _CURRENCIES:
        return unit
    lower = unit.lower()
    if lower in ("percent", "per cent", "pct"):
        return PERCENT
    if unit.upper() in _CURRENCY_CODES:
        return _CURRENCY_CODES[unit.upper()]
    if lower in _CURRENCY_NAMES:
        return _CURRENCY_NAMES[lower]
    return _unit_from_word(unit)


def measure_unit(word: str) -> str | None:
    """The canonical unit a word names when it is a unit of measure ("GHz" -> "ghz"), else None."""
    return word.lower() if word.lower() in _MEASURE_UNITS else None


def is_count(quantity: Quantity) -> bool:
    """A bare number or a count of the noun after it: not money, a share, a multiple, a year or a measure.

    Its unit is only the next noun-like word, which in a question may be a verb ("does
    the Siyuan 370 offer"), so a count is the one kind of figure whose unit may be wrong.
    """
    unit = quantity.unit
    return unit not in {YEAR, DURATION, PERCENT, MULTIPLIER} and unit not in _MEASURE_UNITS and not unit.isupper()


def is_currency(unit: str) -> bool:
    """A currency code ("USD", "CNY"): how every amount of money's unit is written."""
    return len(unit) == 3 and unit.isalpha() and unit.isupper()


def same_quantity(a: Quantity, b: Quantity, rel_tol: float = 0.005) -> bool:
    """Same canonical unit and values within `rel_tol`: "$40 billion" is not "40 billion yuan"."""
    if _canonical_unit(a.unit) != _canonical_unit(b.unit):
        return False
    return math.isclose(a.value, b.value, rel_tol=rel_tol)


# --------------------------------------------------------------------------- formatting

_FORMAT_SCALES = (("trillion", 1e12), ("billion", 1e9), ("million", 1e6))


def format_quantity(value: float, unit: str) -> str:
    """Text for a value code computed, in the style of the corpus, that parses back to it."""
    unit = _canonical_unit(unit)
    sign = "-" if value < 0 else ""
    size = abs(value)
    if unit == YEAR:
        return str(round(value))
    if unit == PERCENT:
        return f"{sign}{_numeral(size)}%"
    if unit == MULTIPLIER:
        return f"{sign}{_numeral(size)}x"
    amount = _scaled(size)
    if unit in _SYMBOL_FOR:
        return f"{sign}{_SYMBOL_FOR[unit]}{amount}"
    if unit in _NAME_FOR:
        return f"{sign}{amount} {_NAME_FOR[unit]}"
    if not unit:
        return f"{sign}{amount}"
    return f"{sign}{amount} {_unit_display(unit, size)}"


def _numeral(size: float) -> str:
    """Three significant digits for fractions ("12.5", "1.23"), whole numbers kept whole ("1,234")."""
    if size == 0:
        return "0"
    decimals = max(0, 2 - math.floor(math.log10(size)))
    text = f"{size:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _scaled(size: float) -> str:
    """1.3e9 -> "1.3 billion"; below a million the number is written out ("1,500")."""
    if size >= 1e6:
        rounded = float(f"{size:.3g}")  # round first, so 999.96e6 becomes "1 billion"
        for word, scale in _FORMAT_SCALES:
            if rounded >= scale:
                return f"{_numeral(rounded / scale)} {word}"
    return _numeral(size)


def _unit_display(unit: str, size: float) -> str:
    if unit in _MEASURE_UNITS:
        return _MEASURE_UNITS[unit]
    if unit == DURATION:
        return "year" if size == 1 else "years"
    if size == 1:
        return unit
    plural = _plural(unit)
    return plural if _unit_from_word(plural) == unit else unit


def _plural(word: str) -> str:
    if word.endswith("y") and word[-2:-1] not in tuple("aeiou"):
        return word[:-1] + "ies"
    if word.endswith(("ch", "sh", "ss", "x")):
        return word + "es"
    return word + "s"


# --------------------------------------------------------------------------- table scale


@dataclass(frozen=True)
class TableScale:
    """What a table's units line says about the bare figures beneath it."""

    multiplier: float  # 1e3, 1e6, 1e9 or 1e12
    currency: str  # ISO code when the line names one ("in thousands of USD", "($ in millions)"), else ""
    except_per_share: bool  # "(in millions, except per share data)": figures with decimals are not scaled
    text: str  # the units phrase as written


_UNIT_CURRENCY = (
    r"(?P<currency>(?:U\.S\.\s+)?dollars?|euros?|pounds?(?:\s+sterling)?|yen|yuan|renminbi|"
    r"US\$|HK\$|\$|€|£|¥|USD|EUR|GBP|JPY|CNY|RMB|HKD)"
)
_UNIT_SCALE_WORDS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_UNIT_SCALE_SHORT = {"k": 1e3, "000": 1e3, "'000": 1e3, "m": 1e6, "mn": 1e6, "mm": 1e6, "bn": 1e9, "b": 1e9}
# "(in millions)", "(Millions)", "[In thousands", "($ in millions)", "(Dollars in thousands)",
# "in thousands of USD", "Amounts in millions of U.S. dollars", "USD million": a scale word that opens a
# bracket or a line, after at most a currency and "in"/"amounts in".
_UNITS_PHRASE = re.compile(
    rf"(?:^|[(\[])\s*(?:(?:amounts?|figures|values|all\s+amounts|expressed|stated|presented)\s+)?(?:{_UNIT_CURRENCY}\s*)?"
    r"(?:in\s+)?(?:(?P<currency2>US\$|\$|€|£|¥|USD|EUR|GBP)\s*)?"
    r"(?P<scale>thousands?|millions?|billions?|trillions?)\b"
    rf"(?:\s+of\s+{_UNIT_CURRENCY.replace('currency', 'currency3')})?",
    re.IGNORECASE | re.MULTILINE,
)
# "(€m)", "($000)", "£'000", "USD mn", "(in $m)": a currency glued to a short scale, in brackets or alone on a line.
_UNITS_SHORT = re.compile(
    rf"(?:^|[(\[])\s*(?:in\s+)?{_UNIT_CURRENCY}\s?(?P<short>'000|000|mn|mm|bn|m|k|b)(?:s)?\s*(?:[)\]]|$)",
    re.IGNORECASE | re.MULTILINE,
)
_PER_SHARE = re.compile(r"except\s+(?:for\s+)?(?:per[\s-]share|share|per[\s-]unit|percentages?|ratios?)", re.IGNORECASE)
_UNITS_LINE_MAX = 160  # a scale word opening a longer line is prose ("Millions of people ..."), not a units line


def table_scale(context: str) -> TableScale | None:
    """The scale set by the units line in a table's context (`Chunk.context`), or None if it has none.

    Only a units phrase counts: one that opens a bracket ("(in millions)", "[In thousands (11,062.6
    represents 11,062,600)") or opens a short line ("Millions of euros"). "Revenue of 5 million" does not.
    """
    for line in context.splitlines():
        match = _UNITS_PHRASE.search(line) or _UNITS_SHORT.search(line)
        if match is None:
            continue
        if match.start() == 0 and not line.lstrip().startswith(("(", "[")) and len(line) > _UNITS_LINE_MAX:
            continue
        groups = match.groupdict()
        if groups.get("scale"):
            multiplier = _UNIT_SCALE_WORDS[groups["scale"].lower().rstrip("s")]
        else:
            multiplier = _UNIT_SCALE_SHORT[groups["short"].lower()]
        written = next((groups[g] for g in ("currency", "currency2", "currency3") if groups.get(g)), "")
        currency = _unit_currency(written)
        return TableScale(multiplier, currency, bool(_PER_SHARE.search(line)), match.group(0).strip("()[] "))
    return None


def _unit_currency(written: str) -> str:
    if not written:
        return ""
    word = written.lower().replace("u.s.", "").split()[0] if written[0].isalpha() else written
    return (
        _CURRENCY_SYMBOLS.get(word)
        or _CURRENCY_CODES.get(word.upper())
        or _CURRENCY_NAMES.get(word)
        or {"dollar": "USD", "pound": "GBP", "pounds": "GBP"}.get(word, "")
    )


def table_figure_supports(found: Quantity, claim: Quantity, table: TableScale | None, rel_tol: float) -> bool:
    """Does `found`, read with `parse_quantities(passage_text, table)`, back the claim's figure?

    As `same_quantity`, and one more case: a units line that names no currency ("(Millions)")
    leaves its figures without one, yet the figures are money as often as not, so such a
    figure backs a currency amount of the same value: "1,577" under "(Millions)" backs
    "$1,577 million" (never "$1,577", which is 1,000,000 times smaller).
    """
    if same_quantity(found, claim, rel_tol=rel_tol):
        return True
    return (
        table is not None and not table.currency and not found.unit and claim.unit in _CURRENCIES
        and math.isclose(found.value, claim.value, rel_tol=rel_tol)
    )


def _scaled_by_table(text: str, piece: _Piece, table: TableScale) -> bool:
    """A figure written without scale, percent, multiplier or counted noun takes the table's scale."""
    if piece.words or piece.scale != 1.0 or piece.unit_from_word:
        return False
    if piece.unit and piece.unit not in _CURRENCIES:
        return False
    if table.currency and piece.unit and piece.unit != table.currency:
        return False
    return not (table.except_per_share and "." in text[piece.start : piece.end])


def spelled_as_digits(text: str) -> str:
    """`text` with each number word below a hundred written in digits: "twenty questions" -> "20 questions"."""
    return _SPELLED_WORD.sub(lambda m: str(_SPELLED_VALUES[m.group().lower()]), text)


def scale_word(multiplier: float) -> str | None:
    """The word that writes a table's scale after a figure ("thousand" for 1e3), if there is one."""
    return _BIG_WORD_OF.get(multiplier)
