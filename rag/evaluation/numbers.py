"""The scorer's own number reader.

It deliberately shares no code with the answer verifier's parser: if both used
one parser, a parsing bug would make a wrong answer look verified and the eval
would never notice. It is simpler on purpose and only needs to read the forms
that answers and news text use: currency signs and codes, scale words, percent,
multipliers ("twofold", "doubled", "3x"), small number words and years.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

MEASURE_UNITS = frozenset({"USD", "CNY", "%", "year", "x"})  # anything else is a count noun or ""
CURRENCIES = frozenset({"USD", "CNY"})
REL_TOL = 0.01

_CURRENCY = {
    "$": "USD", "us$": "USD", "usd": "USD", "dollar": "USD", "dollars": "USD", "us dollars": "USD",
    "cny": "CNY", "rmb": "CNY", "yuan": "CNY", "¥": "CNY",
}
_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "mn": 1e6, "m": 1e6, "billion": 1e9, "bn": 1e9, "b": 1e9}
_WORDS = {
    word: value
    for value, word in enumerate(
        "two three four five six seven eight nine ten eleven twelve thirteen fourteen"
        " fifteen sixteen seventeen eighteen nineteen twenty".split(),
        start=2,
    )
}
_MULTIPLIER_WORDS = {
    "twice": 2, "double": 2, "doubled": 2, "doubles": 2,
    "triple": 3, "tripled": 3, "triples": 3, "quadruple": 4, "quadrupled": 4,
}
# Generic nouns a bare count may carry; the gold file names its count units from these.
_COUNT_NOUNS = frozenset({
    "unit", "chip", "client", "customer", "tops", "firm", "company", "user",
    "employee", "processor", "gpu", "device", "server", "order",
})

_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD = "|".join(sorted(_WORDS, key=len, reverse=True))
_QUANTITY = re.compile(
    rf"""
    (?<![\w.$])                                         # not inside a name such as H200 or INT8
    (?P<pre>US\$|\$|¥|(?:USD|CNY|RMB)\s?)?
    (?:(?P<num>{_NUMBER})|(?P<word>(?i:{_WORD})))
    (?:
        (?P<fold>-?fold)
      | (?P<times>\s?(?:x|×|times))
      | (?P<scale>\s?(?i:thousand|million|billion|bn|mn)|k|M|B)?
        (?P<pct>\s?(?:%|percent\b|per\scent\b))?
        (?P<cur>\s(?:US\sdollars|dollars?|yuan|USD|CNY|RMB)\b)?
    )
    (?![\w%])
    """,
    re.VERBOSE,
)
_MULTIPLIER = re.compile(r"\b(?i:" + "|".join(_MULTIPLIER_WORDS) + r")\b")
_NOUN_AFTER = re.compile(r"[\s-]([A-Za-z]+)")
_RANGE_GAP = re.compile(r"\s*(?:-|–|—|to)\s*")
# "(370)" is negative only as a table cell: after a line start, "|", ":", a tab, a two-space column
# gap or another figure, or before another figure. "class_1 (71)" in prose is a count.
_CELL_OPENING = re.compile(r"(?:^|[|:\t]|[^\S\n]{2}|(?:^|\s)\(?[\d.,]+\)?%?[^\S\n])[^\S\n]*\($", re.MULTILINE)
_CELL_FOLLOWS = re.compile(r"[^\S\n]+[-(]?\d")
_MINUS = re.compile(r"(?:^|[\s=(:,])[-−]$")
_IGNORED = re.compile(r"\[\d+(?:\s*,\s*\d+)*\]|^[ \t]*\d+[.)](?=\s)", re.MULTILINE)  # [n] markers, list numbers


@dataclass(frozen=True)
class Quantity:
    """A number with its unit, normalised: scale applied, percent kept as the number before %."""

    value: float
    unit: str  # USD, CNY, %, year, x, a singular count noun, or "" for a bare count
    text: str = ""  # as written, or the formula that produced it
    start: int = 0
    end: int = 0
    spelled: bool = False  # a bare number word ("two sources"): describes the answer more often than the corpus
    scale: float = 1.0
    step: float = 0.0  # half the last written digit ("1.8" -> 0.05) when 2+ significant digits; 0 otherwise

    def matches(self, value: float, unit: str) -> bool:
        """Whether this written number states `value`: within REL_TOL, or equal once rounded as written.

        Rounding matters for computed values: "about 1.8 times" for 22/12 = 1.83 is 1.8% off.
        """
        return units_match(self.unit, unit) and (close(self.value, value) or abs(self.value - value) <= self.step)


def parse_quantities(text: str) -> list[Quantity]:
    """Every quantity in `text`, in order; citation markers and list numbers are skipped."""
    # A marker becomes filler that is not a gap: "$610 million [2] (1899)" must not read "(1899)" as a table cell.
    clean = _IGNORED.sub(lambda m: ("#" if m.group().startswith("[") else " ") * len(m.group()), text)
    found = [_from_match(m, clean) for m in _QUANTITY.finditer(clean)]
    found += [
        Quantity(float(_MULTIPLIER_WORDS[m.group().lower()]), "x", m.group(), m.start(), m.end())
        for m in _MULTIPLIER.finditer(clean)
    ]
    return _join_ranges(sorted(found, key=lambda q: q.start), clean)


def _from_match(m: re.Match[str], text: str) -> Quantity:
    number = float(m["num"].replace(",", "")) if m["num"] else float(_WORDS[m["word"].lower()])
    scale = _SCALE[m["scale"].strip().lower()] if m["scale"] else 1.0
    currency = (m["pre"] or "").strip().lower() or (m["cur"] or "").strip().lower()
    if m["fold"] or m["times"]:
        unit = "x"
    elif m["pct"]:
        unit = "%"
    elif currency:
        unit = _CURRENCY[" ".join(currency.split())]
    elif scale == 1.0 and m["num"] and re.fullmatch(r"(19|20)\d\d", m["num"]):
        unit = "year"
    else:
        unit = _count_noun(text, m.end())
    spelled = bool(m["word"]) and scale == 1.0 and unit != "x"
    bracketed = text[m.start() - 1 : m.start()] == "(" and text[m.end() : m.end() + 1] == ")" and bool(
        _CELL_OPENING.search(text[max(0, m.start() - 16) : m.start()]) or _CELL_FOLLOWS.match(text, m.end() + 1)
    )
    if bracketed and scale == 1.0 and unit not in ("year", "%"):
        number = -number  # accounting brackets: "(370)" in a statement is a negative figure
    elif _MINUS.search(text, max(0, m.start() - 2), m.start()) and unit != "year":
        number = -number  # "BITPIX = -32", "from -64": a sign glued to the number, not a hyphen between words
    return Quantity(number * scale, unit, m.group(), m.start(), m.end(), spelled, scale, _step(m["num"]) * scale)


def _step(digits: str | None) -> float:
    """Half a unit of the last written digit, if the number has at least two significant digits."""
    if not digits:
        return 0.0
    whole, _, fraction = digits.replace(",", "").partition(".")
    significant = (whole.lstrip("0") + fraction).lstrip("0") if fraction else whole.strip("0")
    return 0.5 * 10 ** -len(fraction) if len(significant) >= 2 else 0.0


def _count_noun(text: str, end: int) -> str:
    """The singular count noun right after a number ("290 clients" -> "client"), else ""."""
    m = _NOUN_AFTER.match(text, end)
    if not m:
        return ""
    word = m.group(1).lower()
    for singular in (word, word[:-3] + "y" if word.endswith("ies") else "", word[:-1]):
        if singular in _COUNT_NOUNS:
            return singular
    return ""


def _join_ranges(found: list[Quantity], text: str) -> list[Quantity]:
    """Give both ends of "60-70%" or "$5 to 6 billion" the unit and scale written once."""
    for i in range(len(found) - 1):
        left, right = found[i], found[i + 1]
        if not _RANGE_GAP.fullmatch(text[left.end : right.start]):
            continue
        if left.scale == 1.0 and right.scale != 1.0:
            left = replace(left, value=left.value * right.scale, scale=right.scale, step=left.step * right.scale)
        if left.unit == "" and right.unit in MEASURE_UNITS - {"year"}:
            left = replace(left, unit=right.unit)
        if right.unit == "" and left.unit in CURRENCIES:
            right = replace(right, unit=left.unit)
        found[i], found[i + 1] = left, right
    return found


_TABLE_UNITS = re.compile(
    r"\b(?:in\s+|amounts\s+in\s+)?(?P<scale>thousands|millions|billions)(?:\s+of\s+(?P<currency>dollars|yuan))?\b"
    r"|(?P<dollars>\(\s*(?:in\s+)?dollars\s*\)|\(\s*\$\s*\))",
    re.IGNORECASE,
)
_TABLE_SCALE = {"thousands": 1e3, "millions": 1e6, "billions": 1e9}


def in_table_units(quoted: list[Quantity], context: str) -> list[Quantity]:
    """Bare table cells read in the units line of their table: "1,577" under "(In millions of dollars)"
    is also 1.577e9 USD. The scorer's own reading, kept apart from the answering code's."""
    match = _TABLE_UNITS.search(context)
    if match is None:
        return []
    factor = _TABLE_SCALE[match["scale"].lower()] if match["scale"] else 1.0
    currency = "USD" if match["dollars"] or "$" in context else _CURRENCY.get((match["currency"] or "").lower(), "")
    return [
        Quantity(q.value * factor, currency or q.unit, q.text, q.start, q.end, q.spelled, q.scale * factor, q.step * factor)
        for q in quoted
        if q.scale == 1.0 and q.unit in ("", "year") and not q.spelled
    ]


def units_match(a: str, b: str) -> bool:
    """Same unit, or two counts: a count's noun ("290 clients" or "290 customers") is wording, not a unit."""
    return a == b or (a not in MEASURE_UNITS and b not in MEASURE_UNITS)


def close(a: float, b: float, rel_tol: float = REL_TOL) -> bool:
    """Equal within a relative tolerance, so that rounded answers still match."""
    return abs(a - b) <= rel_tol * max(abs(a), abs(b))


def states(written: list[Quantity], value: float, unit: str) -> bool:
    """Whether any of the `written` numbers states `value` in a matching unit."""
    return any(q.matches(value, unit) for q in written)


def backed(claim: Quantity, support: list[Quantity]) -> bool:
    """Whether a written `claim` equals one of the `support` values (quoted or computed)."""
    return any(claim.matches(s.value, s.unit) for s in support)


def derivations(a: Quantity, b: Quantity) -> list[Quantity]:
    """What one arithmetic step on two quoted numbers gives: the answers a reader could check."""
    out: list[Quantity] = []
    if a.unit == b.unit:
        out.append(Quantity(abs(a.value - b.value), "" if a.unit == "year" else a.unit, f"{a.text} - {b.text}"))
        if a.unit != "year":
            out.append(Quantity(a.value + b.value, a.unit, f"{a.text} + {b.text}"))
    if b.value:
        out += _ratios(a, b)
    if a.unit == "%":
        out.append(Quantity(a.value / 100 * b.value, b.unit, f"{a.text} of {b.text}"))
    if b.unit == "x" and a.unit != "x":
        out.append(Quantity(a.value * b.value, a.unit, f"{a.text} * {b.text}"))
        out.append(Quantity(a.value / b.value, a.unit, f"{a.text} / {b.text}"))
    return out


def _ratios(a: Quantity, b: Quantity) -> list[Quantity]:
    formula = f"{a.text} / {b.text}"
    if a.unit == b.unit and a.unit != "year":
        change = abs(a.value - b.value) / b.value * 100
        return [
            Quantity(a.value / b.value, "x", formula),
            Quantity(a.value / b.value * 100, "%", formula),
            Quantity(change, "%", f"({a.text} - {b.text}) / {b.text}"),
        ]
    if b.unit not in MEASURE_UNITS and (a.unit in CURRENCIES or a.unit not in MEASURE_UNITS):
        return [Quantity(a.value / b.value, a.unit if a.unit in CURRENCIES else "", formula)]  # per-unit
    return []


def describe(value: float, unit: str) -> str:
    """A readable rendering for explanations: 2.2e10 USD -> "22 billion USD"."""
    for word, scale in (("billion", 1e9), ("million", 1e6)):
        if abs(value) >= scale and unit != "year":
            return f"{value / scale:g} {word} {unit}".rstrip()
    return f"{value:g} {unit}".rstrip() if unit != "%" else f"{value:g}%"
