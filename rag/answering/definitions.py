"""The value a reference defines for a name the question gives ("#define TWIDEFLOAT 83"), proposed by code.

Reference manuals list constants by the dozen, one line each: "#define TSHORT 21",
"#define TWIDEINT 84", ... Asked for one of them by its name, a small model copies a
neighbouring line. The question's name picks the line: a code-like name (capitals of four
letters or more, or words joined by underscores: `TWIDEFLOAT`, `max_retry`) written as a
definition (`#define NAME value`, `NAME = value`, `NAME: value`). When every definition
of that one name in the whole corpus gives the same value ("WIDTH = 16" and "WIDTH = 64"
define no one value), its retrieved definition, up to its value, is proposed as a claim,
and the gate checks it as it checks the model's. Figures the question itself gives (a
release, "Acme 2.1") are never the value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rag.answering.reply import ProposedClaim
from rag.numbers import parse_quantities
from rag.types import Passage

_NAME = re.compile(r"\b(?:[A-Z][A-Z0-9]{3,}(?:_[A-Z0-9]+)*|[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)\b")
_VALUE = r"(?P<value>[-+]?\d[\d,]*(?:\.\d+)?)(?![\w.])"


def defined_values(question: str, passages: list[Passage], documents: Mapping[str, str]) -> list[ProposedClaim]:
    """The definition (numbered from 1 in `passages`) of the one code-like name the question gives that
    `documents` define with one value, or []."""
    given = {q.value for q in parse_quantities(question)}
    found: dict[str, ProposedClaim] = {}
    for name in {m.group() for m in _NAME.finditer(question)}:
        pattern = re.compile(rf"(?:#\s*define\s+{re.escape(name)}\s+|(?<![\w.]){re.escape(name)}\s*[=:]\s*){_VALUE}")
        values = {_value(match) for text in documents.values() for match in pattern.finditer(text)} - given
        if len(values) != 1:
            continue
        found[name] = next(
            (ProposedClaim(index, match.group().strip())
             for index, passage in enumerate(passages, start=1)
             for match in pattern.finditer(passage.chunk.text) if _value(match) in values),
            None,
        )
    claims = [claim for claim in found.values() if claim is not None]
    return claims if len(found) == 1 else []


def _value(match: re.Match[str]) -> float:
    return float(match.group("value").replace(",", ""))
