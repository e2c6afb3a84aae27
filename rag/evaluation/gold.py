"""The gold question file: load it, and refuse it loudly when a line is malformed.

A typo in the gold file silently skews every score, so each line is checked
against the schema and an error names the file and line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.evaluation.numbers import MEASURE_UNITS

KINDS = ("fact", "derived", "conflict", "multi_source", "unanswerable", "false_premise", "paraphrase")
ANSWERABLE = frozenset({"fact", "derived", "conflict", "multi_source", "paraphrase"})
_REQUIRED = {"id", "kind", "question"}
_OPTIONAL = {"gold_numbers", "accepted_words", "gold_sources", "note", "operands"}
_NUMBER_KEYS = {"value", "unit", "source"}


class GoldFileError(ValueError):
    """A question file line that does not follow the schema."""


@dataclass(frozen=True)
class GoldNumber:
    """A number the answer must state; `source` is "" for a computed (derived) result."""

    value: float
    unit: str
    source: str = ""


@dataclass(frozen=True)
class GoldQuestion:
    """One evaluation question and what a correct answer contains."""

    id: str
    kind: str
    question: str
    gold_numbers: tuple[GoldNumber, ...] = ()
    accepted_words: tuple[str, ...] = ()  # alternatives: any one present is enough
    gold_sources: tuple[str, ...] = ()
    note: str = ""
    operands: tuple[GoldNumber, ...] = ()  # derived only: the quoted numbers the result comes from

    @property
    def pages(self) -> list[tuple[str, int]]:
        """The (source, page) pairs the note names as holding the answer's figures ('report.pdf "page": 47')."""
        return [(source, int(page)) for source, page in _NOTE_PAGE.findall(self.note)]


_NOTE_PAGE = re.compile(r'(\S+)\s+"page":\s*(\d+)')


def load_questions(path: str | Path) -> list[GoldQuestion]:
    """All questions of a JSONL file; blank lines are skipped, ids must be unique."""
    questions: list[GoldQuestion] = []
    seen: set[str] = set()
    for line_no, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            question = parse_question(json.loads(line))
            if question.id in seen:
                raise ValueError(f"duplicate id {question.id!r}")
        except json.JSONDecodeError as exc:
            raise GoldFileError(f"{path}, line {line_no}: invalid JSON: {exc.msg} at column {exc.colno}") from exc
        except ValueError as exc:
            raise GoldFileError(f"{path}, line {line_no}: {exc}") from exc
        seen.add(question.id)
        questions.append(question)
    return questions


def first_per_kind(questions: list[GoldQuestion], count: int) -> list[GoldQuestion]:
    """The first `count` questions of each kind, in file order: a fixed subset that still covers every kind."""
    taken: dict[str, int] = {}
    subset = []
    for question in questions:
        if taken.get(question.kind, 0) < count:
            taken[question.kind] = taken.get(question.kind, 0) + 1
            subset.append(question)
    return subset


def parse_question(data: Any) -> GoldQuestion:
    """One decoded line as a GoldQuestion; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError("a line must be a JSON object")
    keys = set(data)
    if missing := _REQUIRED - keys:
        raise ValueError(f"missing keys: {sorted(missing)}")
    if unknown := keys - _REQUIRED - _OPTIONAL:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    question = GoldQuestion(
        id=_text(data, "id"),
        kind=_text(data, "kind"),
        question=_text(data, "question"),
        gold_numbers=_numbers(data.get("gold_numbers", []), "gold_numbers"),
        accepted_words=_strings(data.get("accepted_words", []), "accepted_words"),
        gold_sources=_strings(data.get("gold_sources", []), "gold_sources"),
        note=_text(data, "note") if "note" in data else "",
        operands=_numbers(data.get("operands", []), "operands"),
    )
    _check_kind_rules(question)
    return question


def _check_kind_rules(q: GoldQuestion) -> None:
    """What each kind needs, so a scorer never meets a question it cannot judge."""
    if q.kind not in KINDS:
        raise ValueError(f"kind {q.kind!r} is not one of {KINDS}")
    if q.kind == "unanswerable" and (q.gold_numbers or q.gold_sources or q.accepted_words):
        raise ValueError("an unanswerable question has no gold numbers, words or sources")
    if q.kind in ANSWERABLE and not (q.gold_numbers or q.accepted_words):
        raise ValueError(f"a {q.kind} question needs gold_numbers or accepted_words")
    if q.kind in ANSWERABLE and not q.gold_sources:
        raise ValueError(f"a {q.kind} question needs gold_sources")
    if q.kind == "conflict" and len(q.gold_numbers) < 2:
        raise ValueError("a conflict question lists at least two disagreeing figures")
    if (q.kind == "derived") != bool(q.operands):
        raise ValueError("operands are required for derived questions and only for them")
    if q.kind == "derived" and len(q.operands) < 2:
        raise ValueError("a derived question needs at least two operands")
    for number in (*q.gold_numbers, *q.operands):
        if number.source and number.source not in q.gold_sources:
            raise ValueError(f"source {number.source!r} is not in gold_sources")
    sourced = q.operands if q.kind == "derived" else q.gold_numbers  # a derived result is computed, not quoted
    if any(not number.source for number in sourced):
        raise ValueError("every quoted number needs a source")


def _numbers(raw: Any, key: str) -> tuple[GoldNumber, ...]:
    if not isinstance(raw, list):
        raise ValueError(f"{key} must be a list")
    numbers = []
    for item in raw:
        if not isinstance(item, dict) or not {"value", "unit"} <= set(item) <= _NUMBER_KEYS:
            raise ValueError(f"{key}: each item is an object with value, unit and source")
        value, unit, source = item["value"], item["unit"], item.get("source", "")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{key}: value {value!r} is not a number")
        if not isinstance(unit, str) or not (unit in MEASURE_UNITS or re.fullmatch(r"[a-z]*", unit)):
            raise ValueError(f"{key}: unit {unit!r} is not canonical (USD, CNY, %, year, x, a lower-case word, or '')")
        if not isinstance(source, str):
            raise ValueError(f"{key}: source must be a string")
        numbers.append(GoldNumber(float(value), unit, source))
    return tuple(numbers)


def _strings(raw: Any, key: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not all(isinstance(s, str) and s for s in raw):
        raise ValueError(f"{key} must be a list of non-empty strings")
    return tuple(raw)


def _text(data: dict[str, Any], key: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{key} must be a non-empty string")
    return value
