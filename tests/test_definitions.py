"""The value a reference defines for a code-like name the question gives, proposed by code."""

from __future__ import annotations

from rag.answering.definitions import defined_values
from rag.types import Chunk, Passage

_HEADER = """Data type codes of the Acme 2.1 library:
#define TSHORT 21 /* signed short */
#define TWIDEFLOAT 83 /* wide float (2 words) */
#define TWIDEINT 84 /* wide int */
RETRY_LIMIT = 5
"""


def passage(text: str) -> Passage:
    return Passage(Chunk("docs/acme.h.txt", text, 0, len(text), 1, 1 + text.count("\n"), ""), score=1.0)


def _defined(question: str, *texts: str) -> list[str]:
    passages = [passage(t) for t in texts or (_HEADER,)]
    documents = {f"docs/{i}.txt": p.chunk.text for i, p in enumerate(passages)}
    return [claim.statement for claim in defined_values(question, passages, documents)]


def test_the_definition_of_the_name_asked_is_proposed_up_to_its_value():
    assert _defined("In the Acme 2.1 library, what type code is defined for TWIDEFLOAT?") == ["#define TWIDEFLOAT 83"]
    assert _defined("What is RETRY_LIMIT set to?") == ["RETRY_LIMIT = 5"]


def test_a_name_mentioned_but_not_defined_gives_nothing():
    assert _defined("What code does TWIDEFLOAT have?", "Use TWIDEFLOAT 2 times for pairs.") == []


def test_two_values_for_one_name_or_two_names_asked_give_nothing():
    assert _defined("What is TWIDEINT?", _HEADER, "#define TWIDEINT 85") == []
    assert _defined("Which is larger, TWIDEINT or TSHORT?") == []


def test_a_name_the_corpus_defines_twice_outside_the_passages_gives_nothing():
    question = "What is TWIDEINT?"
    documents = {"docs/acme.h.txt": _HEADER, "docs/old.h.txt": "#define TWIDEINT 85"}
    assert defined_values(question, [passage(_HEADER)], documents) == []


def test_a_figure_the_question_gives_is_not_the_value():
    assert _defined("What is VERSION in release 2.1?", "VERSION = 2.1") == []
