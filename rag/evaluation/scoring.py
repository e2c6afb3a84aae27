"""Score one Answer against one gold question.

Rules, and why:
- correctness: a gold number counts as given when the answer text states it
  (1% relative tolerance, or equal once rounded as the answer wrote it; same
  unit, except that counts match whatever noun they carry). An accepted word
  counts when a word of the text starts with it, case-insensitively ("doubl"
  finds "doubled", "lag" does not find "flagship").
  - fact, derived, multi_source, paraphrase: every gold number, or one accepted word.
  - conflict: every figure -> correct; at least one but not all -> partial
    (a single figure is true but hides the disagreement); none -> wrong.
  - unanswerable: correct when it abstained and states no number beyond those
    of the question; abstaining while offering other numbers is partial.
  - false_premise: correct when it abstained or corrected the premise (an
    accepted word, or every gold number); otherwise it went along with it.
  - an abstention on any other kind is "abstained" (CRAG "missing").
- faithfulness: an answer number is hallucinated when no cited quote states it
  and no single arithmetic step on two quoted numbers gives it (a spelled "one" or "two"
  is no operand, "seven" is); a quoted table cell
  also counts in its table's units line ("1,577" under "(In millions of dollars)").
  Numbers of the question and bare spelled-out counts ("two sources") are not checked,
  nor are the years and dates an abstention names: they say which periods the corpus
  covers ("The documents cover 2021 and 2022, not 2019."), read from its documents, not a figure.
- CRAG score: +1 correct, 0 partial/abstained/error, -1 wrong; any
  hallucinated number makes it -1 whatever the verdict.
- citation_correct: some citation comes from a gold source (answered questions
  with gold sources only); citation_only_gold: every citation does (an answer that
  also cites another subject's or period's document fails it). retrieval_hit: a gold source among the passages.
- cited_gold_page: for a correct answer (not an abstention) whose gold note names the pages
  that hold the figure (`report.pdf "page": 47`), some citation is of one of those pages.
- citation_precision: over (sentence, citation) pairs where the sentence (the
  text up to and including its [n] markers) has checked numbers. With one
  citation its quote must back every number; with several, each quote must
  state one of them or give an operand of one (the rest is faithfulness's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from rag.evaluation.gold import GoldNumber, GoldQuestion
from rag.evaluation.numbers import Quantity, backed, derivations, describe, in_table_units, parse_quantities, states
from rag.types import Answer, Citation

Verdict = Literal["correct", "partial", "wrong", "abstained", "error"]
CRAG_POINTS: dict[str, int] = {"correct": 1, "partial": 0, "abstained": 0, "error": 0, "wrong": -1}
_SPELLED_DATA_MIN = 3  # a spelled count this large is data an answer may compute with
_MARKERS = re.compile(r"(?:\s*\[\d+(?:\s*,\s*\d+)*\])+")
_YEAR = r"(?:1[6-9]|20)\d\d"
_DATE = re.compile(
    rf"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?\s+(?:\d{{1,2}},?\s+)?{_YEAR}\b|\b{_YEAR}-\d\d(?:-\d\d)?\b"
)


@dataclass
class Score:
    """The verdict on one answer and the measurements behind it."""

    verdict: Verdict
    why: str
    crag: int
    abstained: bool = False
    hallucinated: list[str] = field(default_factory=list)  # answer numbers, as written, that nothing cited backs
    citation_correct: bool | None = None
    citation_only_gold: bool | None = None
    cited_gold_page: bool | None = None
    citation_precision: float | None = None
    retrieval_hit: bool | None = None
    total_s: float | None = None
    first_token_s: float | None = None


def score_answer(gold: GoldQuestion, answer: Answer) -> Score:
    """Judge `answer` by the rules in the module docstring."""
    question_numbers = parse_quantities(gold.question)
    claims = _claims(answer.answer, question_numbers, abstained=answer.abstained)
    hallucinated = [q.text for q in _unbacked(claims, _quoted(answer))]
    verdict, why = _judge(gold, answer, claims)
    if hallucinated:
        why += f"; hallucinated: {', '.join(hallucinated)}"
    return Score(
        verdict=verdict,
        why=why,
        crag=-1 if hallucinated else CRAG_POINTS[verdict],
        abstained=answer.abstained,
        hallucinated=hallucinated,
        citation_correct=_citation_correct(gold, answer),
        citation_only_gold=_citation_only_gold(gold, answer),
        cited_gold_page=_cited_gold_page(gold, answer) if verdict == "correct" and not answer.abstained else None,
        citation_precision=_citation_precision(answer, question_numbers),
        retrieval_hit=_retrieval_hit(gold, answer),
        total_s=_seconds(answer, "total_ms"),
        first_token_s=_seconds(answer, "first_token_ms"),
    )


def error_score(message: str) -> Score:
    """The score of a question whose answer or scoring raised."""
    return Score(verdict="error", why=message, crag=CRAG_POINTS["error"])


def _judge(gold: GoldQuestion, answer: Answer, claims: list[Quantity]) -> tuple[Verdict, str]:
    stated = parse_quantities(answer.answer)
    if gold.kind == "unanswerable":
        if not answer.abstained:
            return "wrong", "answered a question the corpus cannot answer"
        if claims:
            return "partial", f"abstained but stated {', '.join(q.text for q in claims)}"
        return "correct", "abstained"
    if gold.kind == "false_premise":
        if answer.abstained:
            return "correct", "abstained instead of accepting the premise"
        if _has_word(gold, answer.answer) or (gold.gold_numbers and not _missing(gold.gold_numbers, stated)):
            return "correct", "corrected the premise"
        return "wrong", "went along with the false premise"
    if answer.abstained:
        return "abstained", "abstained on an answerable question"
    missing = _missing(gold.gold_numbers, stated)
    if gold.kind == "conflict":
        given = len(gold.gold_numbers) - len(missing)
        if not missing:
            return "correct", f"gave all {given} figures"
        if given:
            return "partial", f"gave {given} of {len(gold.gold_numbers)} figures; missing {_listed(missing)}"
        return "wrong", f"gave none of the figures {_listed(missing)}"
    if _has_word(gold, answer.answer):
        return "correct", "names an accepted answer"
    if gold.gold_numbers and not missing:
        return "correct", "states every gold number"
    return "wrong", f"missing {_listed(missing)}" if missing else "names no accepted answer"


def _claims(text: str, question_numbers: list[Quantity], *, abstained: bool = False) -> list[Quantity]:
    """The answer numbers that must be backed: not echoed from the question, not a spelled-out count,
    not a year or date an abstention names."""
    periods = [m.span() for m in _DATE.finditer(text)] if abstained else []
    return [
        q for q in parse_quantities(text)
        if not q.spelled and not backed(q, question_numbers)
        and not (abstained and (_is_year(q) or any(start <= q.start and q.end <= end for start, end in periods)))
    ]


def _is_year(quantity: Quantity) -> bool:
    """A bare four-digit whole number from 1600 to 2099: "1889", "2021"; not "1,889" or "2021 chips"."""
    return quantity.unit in ("", "year") and re.fullmatch(_YEAR, quantity.text) is not None


def _quoted(answer: Answer) -> list[Quantity]:
    """The numbers of every cited quote, and of table cells also read in their table's units line."""
    return [q for citation in answer.citations for q in _quote_numbers(citation, answer)]


def _quote_numbers(citation: Citation, answer: Answer) -> list[Quantity]:
    """The numbers of one cited quote, its table cells also read in their table's units line
    ("102.1" under "[In thousands" is also 102,100)."""
    numbers = parse_quantities(citation.quote)
    context = next(
        (p.chunk.context for p in answer.passages
         if p.chunk.source == citation.source and p.chunk.start <= citation.start < p.chunk.end),
        "",
    )
    return numbers + in_table_units(numbers, context)


def _unbacked(numbers: list[Quantity], quoted: list[Quantity]) -> list[Quantity]:
    """The `numbers` that no quoted number states and no one arithmetic step on two quoted numbers gives.

    The steps are worked out only for numbers no quote states: on a long quote (a table page)
    every pair is hundreds of thousands of steps. Spelled "one" and "two" are not data ("one of
    the largest", "a two-pronged plan", "two sources"); a spelled count from three up is
    ("only seven members": 140 / 7 is backed).
    """
    left = [n for n in numbers if not backed(n, quoted)]
    if not left:
        return []
    data = [q for q in quoted if not q.spelled or abs(q.value) >= _SPELLED_DATA_MIN]
    steps = [d for i, a in enumerate(data) for j, b in enumerate(data) if i != j for d in derivations(a, b)]
    return [n for n in left if not backed(n, steps)]


def _missing(gold_numbers: tuple[GoldNumber, ...], stated: list[Quantity]) -> list[GoldNumber]:
    return [g for g in gold_numbers if not states(stated, g.value, g.unit)]


def _has_word(gold: GoldQuestion, text: str) -> bool:
    """A word of the text starts with an accepted word: "doubl" finds "doubled", "lag" not "flagship"."""
    return any(re.search(rf"\b{re.escape(word)}", text, re.IGNORECASE) for word in gold.accepted_words)


def _listed(numbers: list[GoldNumber]) -> str:
    return ", ".join(describe(n.value, n.unit) for n in numbers)


def _same_source(a: str, b: str) -> bool:
    """Paths may be given relative to different roots: compare by trailing path parts."""
    a, b = a.replace("\\", "/").removeprefix("./"), b.replace("\\", "/").removeprefix("./")
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)


def _citation_correct(gold: GoldQuestion, answer: Answer) -> bool | None:
    if not gold.gold_sources or answer.abstained:
        return None
    return any(_same_source(c.source, g) for c in answer.citations for g in gold.gold_sources)


def _citation_only_gold(gold: GoldQuestion, answer: Answer) -> bool | None:
    if not gold.gold_sources or answer.abstained or not answer.citations:
        return None
    return all(any(_same_source(c.source, g) for g in gold.gold_sources) for c in answer.citations)


def _cited_gold_page(gold: GoldQuestion, answer: Answer) -> bool | None:
    if not gold.pages:
        return None
    return any(c.page == page and _same_source(c.source, source) for c in answer.citations for source, page in gold.pages)


def _retrieval_hit(gold: GoldQuestion, answer: Answer) -> bool | None:
    if not gold.gold_sources:
        return None
    return any(_same_source(p.chunk.source, g) for p in answer.passages for g in gold.gold_sources)


def _citation_precision(answer: Answer, question_numbers: list[Quantity]) -> float | None:
    quotes = {c.id: _quote_numbers(c, answer) for c in answer.citations}
    verdicts: list[bool] = []
    start = 0
    for group in _MARKERS.finditer(answer.answer):
        numbers = _claims(answer.answer[start : group.start()], question_numbers)
        start = group.end()
        ids = [int(n) for n in re.findall(r"\d+", group.group())]
        if numbers:
            verdicts += [_precise(i, ids, quotes, numbers) for i in ids]
    return sum(verdicts) / len(verdicts) if verdicts else None


def _precise(cited: int, ids: list[int], quotes: dict[int, list[Quantity]], numbers: list[Quantity]) -> bool:
    quote = quotes.get(cited)
    if quote is None:  # a marker that points at no citation
        return False
    if len(ids) == 1:
        return not _unbacked(numbers, quote)
    others = [q for i in ids if i != cited for q in quotes.get(i, [])]
    return any(_contributes(quote, others, n) for n in numbers)


def _contributes(quote: list[Quantity], others: list[Quantity], number: Quantity) -> bool:
    """Whether `quote` states `number` or gives one operand of a step that yields it with another quote."""
    if backed(number, quote):
        return True
    steps = (d for a in quote for b in others for d in (*derivations(a, b), *derivations(b, a)))
    return backed(number, list(steps))


def _seconds(answer: Answer, key: str) -> float | None:
    return answer.timings[key] / 1000 if key in answer.timings else None
