"""The two sides a comparison question names, and the figures that measure each.

"How many more A than B?" is answered by A - B. A small model often proposes the wrong
pair (the total minus B), or no calculation at all while a passage states both figures.
So the sides are read from the question: a side's own words are those the other side
does not share ("more revenue came from <hardware> than <from services>"; the words
further off name what is measured, which both figures share). `operands_mismatch`
refuses a calculation whose operands are not the two sides (or state a change, "$5 million
less", rather than an amount); `proposed_comparison`
finds the pair in one retrieved sentence when the model gave none, and `claimed_comparison`
in the answer's own claims when each states one side ("The wine dataset has 178 instances."
"The iris dataset has 150."). A figure whose quote names no side ("Number of rooms: 340")
stands for the side its file's name names (harbour_hotel.txt). When the words next to "than" do
not tell two figures of one quote apart, side A's other words may (`_side_readings`).
"""

from __future__ import annotations

import re
from dataclasses import replace

from rag.answering.conflicts import figures_of
from rag.answering.expected import expected_kind
from rag.answering.reply import Calculation
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, combine
from rag.answering.words import COMPARISON_STEMS, content_stems, content_words, file_name_stems
from rag.chunking import Span, sentence_spans
from rag.numbers import PERCENT, YEAR, Quantity, is_count, parse_quantities, table_scale
from rag.periods import find_periods, non_figure_spans
from rag.types import Passage

# "How many more A than B", "A exceeded B", "difference between A and B", "A compared with B": the two sides compared.
_COMPARATIVE = (
    "more|less|fewer|larger|smaller|bigger|higher|lower|greater|longer|shorter|wider|narrower|heavier|lighter"
    "|older|younger|faster|slower|deeper|shallower|taller"
)
_MORE_THAN = re.compile(rf"\b(?:{_COMPARATIVE})\b(?P<a>.+?)\bthan\b(?P<b>.+)", re.IGNORECASE)
_EXCEEDS = re.compile(r"(?P<a>.+?)\b(?:exceed|outnumber|outweigh)(?:s|ed)?\b(?P<b>.+)", re.IGNORECASE)
_FEWER = re.compile(r"^(?:less|fewer|smaller|lower|shorter|narrower|lighter|younger|slower|shallower)\b", re.IGNORECASE)
_TIMES = re.compile(r"\btimes\b", re.IGNORECASE)  # "how many times larger", "three times as many"
_TIMES_MORE = re.compile(  # "how many times more": a ratio, whatever operation is proposed
    rf"\btimes\s+(?:{_COMPARATIVE}|as)\b", re.IGNORECASE
)
_BETWEEN = re.compile(r"\bbetween\b(?P<a>.+?)\band\b(?P<b>.+)", re.IGNORECASE)
_EACH = re.compile(r"\b(?:each|respectively|both)\b", re.IGNORECASE)  # a figure for every thing named
_AND = re.compile(r"(?P<a>.+?)\band\b(?P<b>.+)", re.IGNORECASE)  # "How many A and how many B?"
_COMPARED = re.compile(r"(?P<a>.+?)\b(?:compared? (?:with|to|against)|versus|vs\.?)\b(?P<b>.+)", re.IGNORECASE)
# A time named relative to now: "this year", "last quarter", "the latest report", "currently".
_RELATIVE_TIME = re.compile(
    r"\b(?:(?:this|last|next|current|previous|past|coming)\s+(?:fiscal\s+)?(?:year|quarter|month|week)|"
    r"currently|now|today|latest|most recent)\b",
    re.IGNORECASE,
)
_SAME_PREFIX = 4  # letters two words must share to be one word of a side ("plan" and "planning")
_SIDE_WORDS = 2  # content words just before "than" that name the first side compared
# "How many more <units> does <side A> deliver than ...": what follows the auxiliary is side A, whole.
_AUXILIARY = re.compile(r"\b(?:is|are|was|were|does|do|did|has|have|had|will|would|can|could)\b", re.IGNORECASE)
# A model or product name written with digits ("X5", "A100") names a side as much as a word does.
_NAME_WITH_DIGITS = re.compile(r"[A-Za-z]+\d[A-Za-z\d-]*")
# Within a sentence, a figure belongs to the words of its own clause: "receipts amounted to $75.9
# million | and its expenditures to $81.1 million", "212 - Malignant | 357 - Benign".
_CLAUSE_BREAK = re.compile(r"[,;|()]|\band\b|\bwhile\b|\bwhereas\b|\bbut\b", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z\d-]*")
# A figure that says by how much something changed, not how much there is: "$73.5 million less than
# in 1893", "rose by 4%", "an increase of 5,343". Such a figure is not a side of a difference.
_CHANGE_AFTER = re.compile(r"[^\S\n]*(?:less|more|fewer|higher|lower|greater|smaller|larger)\b", re.IGNORECASE)
_CHANGE_BEFORE = re.compile(
    r"(?:\bby|\b(?:an?\s+)?(?:increase|decrease|rise|fall|drop|gain|decline|growth|reduction)\s+of"
    r"|\b(?:increased|decreased|rose|fell|grew|declined|dropped|gained|lost)"
    r"(?:\s+(?:about|nearly|almost|approximately|roughly|some|over|(?:more|less)\s+than))?)[^\S\n]+$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\D*[\d.,]*\d")
_SHARE_OF = re.compile(r"\bwhat (?:percentage|percent|share|proportion|fraction|part) of\b", re.IGNORECASE)
_ASKS_FOR_CHANGES = re.compile(
    r"\b(?:increase|decrease|rise|fall|drop|gain|decline|growth|reduction|change)s?\b", re.IGNORECASE
)


def operands_mismatch(question: str, first: CheckedNumber, second: CheckedNumber) -> str | None:
    """Why two operands are not the two sides the question compares, or None when they are (or it cannot tell).

    An operand can stand for a side when its own clause names that side (its nearest side
    word), or, when its clause names neither, when its sentence does. The two must be able
    to stand for different sides: "total - B" fails, as the total's sentence names neither.
    When each can stand for one side only, side A's figure must be the larger one for "how
    much more A than B" (the smaller for "fewer"): otherwise the figures are not what was asked
    about, or the question's premise is wrong, and a difference would hide either.
    """
    if not _ASKS_FOR_CHANGES.search(question):
        change = next((n for n in (first, second) if states_change(n)), None)
        if change is not None:
            return f"{change.quantity.text} states a change, not an amount the question compares"
    readings = _readings_apart(question, [first, second])
    if not readings:
        return None
    for sides, wide in readings:
        if wide and first.spans[0] != second.spans[0]:
            continue
        first_sides, second_sides = _possible_sides(first, sides, wide), _possible_sides(second, sides, wide)
        if len(first_sides) == len(second_sides) == 1 and first_sides != second_sides:
            a, b = (first, second) if first_sides == {0} else (second, first)
            return _against_direction(question, a, b)
        if any(a != b for a in first_sides for b in second_sides):
            return None
    only_a, only_b = readings[0][0]
    return (
        f"the operands {first.quantity.text} and {second.quantity.text} are not the two things the question "
        f"compares ({' '.join(sorted(only_a))} / {' '.join(sorted(only_b))})"
    )


def _readings_apart(text: str, numbers: list[CheckedNumber]) -> list[tuple[tuple[set[str], set[str]], bool]]:
    """`_side_readings` of `text`, then each less the words that the figures' separate quotes all name:
    "semi-major axis" in both rows of "how much longer is A's semi-major axis than B's" does not tell
    the sides apart. The words left do, in separate quotes, so a reading reduced so is not read `wide`."""
    readings = _side_readings(text)
    quotes = {n.spans[0].quote for n in numbers if n.spans}
    shared = set.intersection(*(content_stems(q) for q in quotes)) if len(quotes) > 1 else set()
    reduced = [
        ((a - shared, b - shared), False) for (a, b), _ in readings
        if shared and a - shared and b - shared and (a - shared, b - shared) != (a, b)
    ]
    return readings + reduced


def _against_direction(question: str, a: CheckedNumber, b: CheckedNumber) -> str | None:
    """Why side A's figure `a` and side B's `b` run against the question's "more A than B" (or "fewer"), or None."""
    match = _MORE_THAN.search(question) or _EXCEEDS.search(question)
    if match is None or a.quantity.unit != b.quantity.unit or a.quantity.value == b.quantity.value:
        return None
    fewer = bool(_FEWER.match(question[match.start() :]))
    if (a.quantity.value < b.quantity.value) == fewer:
        return None
    return (
        f"the question asks for {'fewer' if fewer else 'more'} of the first thing it compares, "
        f"but its figure {a.quantity.text} is {'larger' if fewer else 'smaller'} than {b.quantity.text}"
    )


def share_over_whole(question: str, calculation: CalculationResult) -> str | None:
    """Why a share asked of a whole ("what percentage of the orders were ...") is no share: over 100%, its
    operands are not a part and its whole. None when it is one, or when the question asks no such share."""
    if calculation.operation != "percent_of" or not _SHARE_OF.search(question) or calculation.value.value <= 100:
        return None
    return (
        f"{calculation.first.quantity.text} is more than {calculation.second.quantity.text}: "
        "not a part of that whole, as the question asks"
    )


def proposed_comparison(question: str, passages: list[Passage]) -> Calculation | None:
    """"How much more A than B?": A - B ("how many times", A / B) from the first sentence stating one figure per side.

    The sentence must name all of side A's own words (the words next to "than": "post-office
    expenditures") and one of B's, so that a sentence about another total is passed over. A
    figure is A's (or B's) when the nearest side word of its own clause is A's (or B's); a
    sentence that gives either side two different figures is ambiguous, and then no
    difference is proposed at all. Periods of the question say when, not which side. Years,
    dates, references ("line 5") and numbers in names are not figures; when the question
    names a kind of figure, only that kind counts.
    """
    match = _MORE_THAN.search(question) or _EXCEEDS.search(question)
    sides = _own_words(without_periods(question))
    if match is None or sides is None:
        return None
    expected = expected_kind(question)
    for index, passage in enumerate(passages, start=1):
        text = passage.chunk.text
        for sentence in sentence_spans(text):
            words = side_stems(text[sentence.start : sentence.end])
            if not (sides[0] <= words and sides[1] & words):  # side A is its words next to "than": all of them
                continue
            found: dict[int, set[tuple[float, str]]] = {0: set(), 1: set()}
            written: dict[tuple[float, str], Quantity] = {}
            for quantity in sentence_figures(passage, sentence.start, sentence.end):
                if expected and not expected.satisfied_by(quantity, text):
                    continue
                side = side_of(text, sentence, quantity.start, quantity.end, sides)
                if side is not None:
                    found[side].add((quantity.value, quantity.unit))
                    written.setdefault((quantity.value, quantity.unit), quantity)
            if len(found[0]) > 1 or len(found[1]) > 1:
                return None
            if found[0] and found[1]:
                a, b = written[next(iter(found[0]))], written[next(iter(found[1]))]
                if a.unit != b.unit or a.value == b.value:
                    return None
                first, second = (b, a) if _FEWER.match(question[match.start() :]) else (a, b)
                operation = "ratio" if _TIMES.search(question) else "difference"
                return Calculation(operation, first.text, index, second.text, index)
    return None


def claimed_comparison(question: str, claims: list[VerifiedClaim]) -> CalculationResult | None:
    """"How many more A than B?" when the answer's claims state each side's figure on its own
    ("The wine dataset has 178 instances." "The iris dataset has 150."): A - B, or A / B for
    "how many times", done by code.

    A figure stands for a side when its quote names that side only (`_possible_sides`); a
    figure written as a change ("150 more") stands for none. Exactly one figure per side, of
    the kind the question asks and of one unit, or nothing is computed.
    """
    if not (_MORE_THAN.search(question) or _EXCEEDS.search(question)):
        return None
    expected = expected_kind(question)
    numbers = [
        n for claim in claims for n in figures_of(claim)
        if not states_change(n) and not (expected and not expected.satisfied_by(n.quantity, claim.statement))
    ]
    readings = _readings_apart(without_periods(question), numbers)
    # Last, each figure read in its own clause alone, in any quote: "The expenditures were $90 million,
    # exclusive of $1.5 million earned by the ferry" names a side for its first figure only.
    tries = [(sides, wide, wide) for sides, wide in readings]
    tries += [(sides, False, True) for sides, wide in readings if not wide]
    pair = next(
        (pair for sides, one_quote, in_clause in tries if (pair := _one_per_side(numbers, sides, one_quote, in_clause))),
        None,
    )
    return None if pair is None else side_difference(question, *pair)


def side_difference(question: str, a: CheckedNumber, b: CheckedNumber) -> CalculationResult | None:
    """What "how many more A than B" asks of side A's figure `a` and side B's `b`: A - B, B - A for
    "how many fewer", A / B for "how many times"; None when the question compares nothing."""
    match = _MORE_THAN.search(question) or _EXCEEDS.search(question)
    if match is None:
        return None
    first, second = (b, a) if _FEWER.match(question[match.start() :]) else (a, b)
    result = combine(_asked_operation(question, "ratio" if _TIMES.search(question) else "difference"), first, second)
    return result if isinstance(result, CalculationResult) else None


def compared_sides(question: str) -> tuple[set[str], set[str]] | None:
    """The stems only side A of "how many more A than B" names, and those only side B names, or None."""
    return _own_words(question)


def _one_per_side(
    numbers: list[CheckedNumber], sides: tuple[set[str], set[str]], one_quote: bool, clause_only: bool
) -> tuple[CheckedNumber, CheckedNumber] | None:
    """The one figure that stands for each side, when exactly one does, both of one unit (and, when
    `one_quote`, both in one quote), each read in its own clause when `clause_only`."""
    found: list[dict[tuple[float, str], CheckedNumber]] = [{}, {}]
    either: dict[tuple[float, str], CheckedNumber] = {}
    for number in numbers:
        possible = _possible_sides(number, sides, clause_only)
        key = (number.quantity.value, number.quantity.unit)
        if len(possible) == 1:
            found[possible.pop()].setdefault(key, number)
        elif len(possible) == 2:
            either.setdefault(key, number)
    _by_elimination(found, either)
    if len(found[0]) != 1 or len(found[1]) != 1:
        return None
    [a], [b] = found[0].values(), found[1].values()
    if one_quote and a.spans[0] != b.spans[0]:
        return None
    return (a, b) if a.quantity.unit == b.quantity.unit else None


def _by_elimination(
    found: list[dict[tuple[float, str], CheckedNumber]], either: dict[tuple[float, str], CheckedNumber]
) -> None:
    """One side's figure is known and the other's is not: the one other figure of that quote whose
    sentence names both sides stands for the other ("the X5 manages 48 pages, ahead of <the Orca at 30>")."""
    for side in (0, 1):
        if len(found[side]) == 1 and not found[1 - side]:
            [known] = found[side].values()
            rest = [n for key, n in either.items() if key not in found[side] and n.spans[0] == known.spans[0]]
            if len(rest) == 1:
                found[1 - side][(rest[0].quantity.value, rest[0].quantity.unit)] = rest[0]


def as_asked(question: str, calculation: Calculation) -> Calculation:
    """The calculation in the form the question asks (`_asked_operation`) and its operands' units allow:
    a small model proposes "percent_of" for 60% of 40 billion yuan, and "ratio" for an amount per unit."""
    operation = _asked_operation(question, calculation.operation)
    first, second = (parse_quantities(text)[:1] for text in (calculation.first, calculation.second))
    if first and second:
        operation = _by_units(question, operation, first[0], second[0])
    return replace(calculation, operation=operation)


def _by_units(question: str, operation: str, first: Quantity, second: Quantity) -> str:
    """"multiply" for a share of a percentage and an amount when no percentage is asked; "divide" for a
    ratio of an amount to a count of something else. Other operations are kept as proposed."""
    if operation not in {"ratio", "percent_of"} or first.unit == second.unit:
        return operation
    kind = expected_kind(question)
    if (first.unit == PERCENT) != (second.unit == PERCENT) and not (kind is not None and kind.percent):
        return "multiply"
    if operation == "ratio" and is_count(second) and not is_count(first) and first.unit not in {YEAR, PERCENT}:
        return "divide"
    return operation


def _asked_operation(question: str, operation: str) -> str:
    """The operation the question asks for: "how many times more" is a ratio, whatever the model proposed;
    a ratio asked as a share ("what percentage of") is a percentage."""
    if operation == "difference" and _TIMES_MORE.search(question):
        operation = "ratio"
    kind = expected_kind(question)
    return "percent_of" if operation == "ratio" and kind is not None and kind.percent else operation


def uncovered_side(question: str, statements: list[str]) -> set[str]:
    """The own words of the side of a comparison, or of the two things asked together, that none of
    `statements` names, when the other side is named."""
    sides = two_sides(question)
    if sides is None:
        return set()
    said = set().union(*(side_stems(s) for s in statements))
    named = [bool(own & said) for own in sides]
    return sides[named.index(False)] if named.count(True) == 1 else set()


def two_sides(question: str) -> tuple[set[str], set[str]] | None:
    """The stems only each side names: of the two things compared, else of the two asked together."""
    return _own_words(question) or _asked_together(question)


def dated_sides(question: str) -> tuple[set[str], set[str]] | None:
    """The own words of the side of a two-sided question that names a period, then of the side that names its
    own time another way: "spent on A in 2025, and what is its B plan this year" dates A only. None otherwise
    ("revenue in 2021, and its profit": the one period holds for both)."""
    sides = two_sides(question)
    texts = compared_texts(question) or ((m.group("a"), m.group("b")) if (m := _AND.search(question)) else None)
    if sides is None or texts is None:
        return None
    dated = [bool(find_periods(text)) for text in texts]
    if dated.count(True) != 1 or not _RELATIVE_TIME.search(texts[dated.index(False)]):
        return None
    return (sides[0], sides[1]) if dated[0] else (sides[1], sides[0])


def names_side(words: set[str], own: set[str]) -> bool:
    """Whether `words` name at least half of a side's `own` words (one word of a long side, "report", names
    no side)."""
    return named_share(words, own) >= 0.5


def named_share(words: set[str], own: set[str]) -> float:
    """The share of a side's `own` words that `words` name, a word matching another that shares its first
    four letters or more ("plan" and "planning"): a question words a side unlike its source."""
    return sum(any(_same_word(word, other) for other in words) for word in own) / len(own) if own else 0.0


def _same_word(a: str, b: str) -> bool:
    shorter, longer = sorted((a, b), key=len)
    return a == b or (len(shorter) >= _SAME_PREFIX and longer.startswith(shorter))


def asks_about_two(question: str) -> bool:
    """Whether the question compares two things ("how much more A than B", "A compared with B") or asks a
    figure for each of two ("the A and B datasets each", "A and B, respectively"): their figures differ as
    the things do. "Acme's 2023 and 2024 reports" alone names two sources of one figure."""
    return compared_texts(question) is not None or bool(_EACH.search(question) and _asked_together(question))


def compared_texts(question: str) -> tuple[str, str] | None:
    """The text of each side a question compares ("how much more <A> than <B>"), or None."""
    for pattern in (_MORE_THAN, _EXCEEDS, _BETWEEN, _COMPARED):
        match = pattern.search(question)
        if match:
            return match.group("a"), match.group("b")
    return None


def _own_words(question: str, *, wide: bool = False) -> tuple[set[str], set[str]] | None:
    """The stems only side A names and those only side B names, or None when the question compares nothing.

    Side A is its two content words next to "than": the words further off usually name what
    is measured ("how much more <revenue> came from hardware than ..."); what comes before an
    auxiliary verb is measured too ("how many more <units> does the X5 deliver than"). `wide`
    reads every word of side A but what is measured: the word right after "more" ("how many
    more volunteers worked in the <morning> shift of the fair than in its evening shift"), or
    nothing when an auxiliary follows the comparative ("how many times larger is <the plant's
    possible yearly output> than"); None when neither shape is asked.
    """
    texts = compared_texts(question)
    if texts is None:
        return None
    subject = _AUXILIARY.search(texts[0])
    first = [w for w in side_words(texts[0][subject.end() :] if subject else texts[0]) if w not in COMPARISON_STEMS]
    if not wide:
        side_a = set(first[-_SIDE_WORDS:])
    elif subject:
        if side_words(texts[0][: subject.start()]):
            return None
        side_a = set(first)
    else:
        more = _MORE_THAN.search(question)
        measured = more and _WORD.match(more.group("a").lstrip())
        if not (more and more.group("a") == texts[0] and measured and content_words(measured.group())):
            return None
        side_a = set(first[1:])
    side_b = _stems(texts[1])
    only_a, only_b = side_a - side_b, side_b - side_a
    return (only_a, only_b) if only_a and only_b else None


def _side_readings(question: str) -> list[tuple[tuple[set[str], set[str]], bool]]:
    """The ways to read the two sides, each with whether it is the wide one: the words next to "than",
    then side A's every word but what is measured. A wide reading is looser (a total's sentence may
    name a word of side A), so it holds only for two figures of one quote, each named by its own
    clause: "38 worked in the morning shift and 23 in the evening shift"."""
    narrow, wide = _own_words(question), _own_words(question, wide=True)
    readings = [(narrow, False)] if narrow else []
    return readings + [(wide, True)] if wide and wide != narrow else readings


def _asked_together(question: str) -> tuple[set[str], set[str]] | None:
    """The two things a question asks about at once ("the <diabetes> and <Linnerud> datasets", "the
    <receipts> and <expenditures>"): the content word nearest "and" on each side, when they differ."""
    match = _AND.search(without_periods(question))
    if match is None:
        return None
    before = [w for w in content_words(match.group("a")) if w not in COMPARISON_STEMS][-1:]
    after = [w for w in content_words(match.group("b")) if w not in COMPARISON_STEMS][:1]
    return ({before[0]}, {after[0]}) if before and after and before != after else None


def without_periods(question: str) -> str:
    """The question with its periods blanked: "in the fiscal year ended June 30, 1896" says when, not which side."""
    for mention in reversed(find_periods(question)):
        question = question[: mention.start] + " " * (mention.end - mention.start) + question[mention.end :]
    return question


def sentence_figures(passage: Passage, start: int, end: int) -> list[Quantity]:
    """The figures between `start` and `end` of the passage: not years, dates, references or numbers in names."""
    text = passage.chunk.text
    not_figures = non_figure_spans(text)
    return [
        q for q in parse_quantities(text, table_scale(passage.chunk.context))
        if start <= q.start < end and q.unit != YEAR and not any(s <= q.start < e for s, e in not_figures)
    ]


def side_of(
    text: str, sentence: Span, start: int, end: int, sides: tuple[set[str], set[str]], *, in_clause: bool = True
) -> int | None:
    """0 for side A, 1 for side B: the side whose own word is nearest the figure at `start:end` within its
    clause (`in_clause`), else within its sentence."""
    breaks = [m.start() for m in _CLAUSE_BREAK.finditer(text, sentence.start, sentence.end)] if in_clause else []
    clause_start = max([b for b in breaks if b < start], default=sentence.start)
    clause_end = min([b for b in breaks if b >= end], default=sentence.end)
    clause = without_periods(text[clause_start:clause_end])  # once per clause: it is the slow part
    nearest: dict[int, int] = {}
    for word in _WORD.finditer(clause):
        stems = set(_word_stems(word.group()))
        word_start, word_end = clause_start + word.start(), clause_start + word.end()
        distance = start - word_end if word_end <= start else word_start - end
        for side, own in enumerate(sides):
            if stems & own:
                nearest[side] = min(nearest.get(side, distance), distance)
    if len(nearest) == 1:
        return next(iter(nearest))
    if len(nearest) == 2 and nearest[0] != nearest[1]:
        return min(nearest, key=nearest.__getitem__)
    return None


def _possible_sides(number: CheckedNumber, sides: tuple[set[str], set[str]], clause_only: bool = False) -> set[int]:
    """The sides (0 for A, 1 for B) an operand can stand for, read in its quote (`clause_only`: in its own clause)."""
    quote, at = _figure_in_quote(number)
    if clause_only:
        sentence = next((s for s in sentence_spans(quote) if s.start <= at < s.end), None)
        side = side_of(quote, sentence, at, at + len(number.quantity.text), sides) if sentence and at >= 0 else None
        return set() if side is None else {side}
    if at < 0:
        named = _named_sides(_stems(quote), sides)
    else:
        sentence = next((s for s in sentence_spans(quote) if s.start <= at < s.end), Span(0, len(quote)))
        side = side_of(quote, sentence, at, at + len(number.quantity.text), sides)
        if side is not None:
            return {side}
        named = _named_sides(_stems(quote[sentence.start : sentence.end]), sides)
    # A field ("Number of rooms: 340") names no side; the file it is in may (harbour_hotel.txt).
    return named or _named_sides(file_name_stems(number.spans[0].source) - COMPARISON_STEMS, sides)


def _named_sides(words: set[str], sides: tuple[set[str], set[str]]) -> set[int]:
    return {side for side, own in enumerate(sides) if own & words}


def _figure_in_quote(number: CheckedNumber) -> tuple[str, int]:
    """The operand's quote and where its figure is written in it (-1 when written otherwise)."""
    quote = number.spans[0].quote
    return quote, quote.find(number.quantity.text)


def states_change(number: CheckedNumber) -> bool:
    """Whether the operand's quote writes its figure as a change ("$73.5 million less", "by 4%")."""
    quote, at = _figure_in_quote(number)
    if at < 0:
        return False
    digits = _DIGITS.match(number.quantity.text)  # "28 more instances" is read as one figure
    ends = {at + len(number.quantity.text), at + (digits.end() if digits else 0)}
    return any(_CHANGE_AFTER.match(quote, end) for end in ends) or bool(_CHANGE_BEFORE.search(quote[:at]))


def _stems(text: str) -> set[str]:
    return side_stems(text) - COMPARISON_STEMS


def side_words(text: str) -> list[str]:
    """The words that can name a side, in order: content stems, and names written with digits, lower-cased."""
    return [stem for word in _WORD.finditer(without_periods(text)) for stem in _word_stems(word.group())]


def _word_stems(word: str) -> list[str]:
    return [word.lower()] if _NAME_WITH_DIGITS.fullmatch(word) else content_words(word)


def side_stems(text: str) -> set[str]:
    return set(side_words(text))
