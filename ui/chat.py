"""One step of the conversation: a question in, chat updates out as the answer streams.

Kept free of Gradio so the flow (streaming, follow-up history, errors shown in the
chat) reads in one place; ui/app.py only wires it to components.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

from rag.errors import RagError
from rag.types import Answer, SourcesEvent, TextDelta
from rag.ui.asking import Asker
from rag.ui.render import answer_html, error_html, pending_html, question_html
from rag.ui.sources import reading_html, sources_html

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Turn:
    """A question of the conversation and what came of it."""

    question: str
    answer: Answer | None  # None when the question failed
    html: str  # the assistant message as shown


@dataclass(frozen=True)
class Update:
    """What the page shows after one step; `sources` is None when the sources panel stays as it is."""

    messages: list[dict[str, str]]
    turns: list[Turn]
    sources: str | None


def converse(asker: Asker, question: str, top_k: int | None, turns: list[Turn]) -> Iterator[Update]:
    """Answer `question` in the context of `turns`: the passages being read first, then each verified piece."""
    question = question.strip()
    if not question:
        return
    number = len(turns)
    history = [(t.question, t.answer.answer) for t in turns if t.answer is not None]
    text = ""
    yield Update(chat_messages(turns, (question, pending_html(text, number))), turns, None)
    try:
        answer: Answer | None = None
        for event in asker.stream(question, history, top_k):
            if isinstance(event, SourcesEvent):
                yield Update(chat_messages(turns, (question, pending_html(text, number))), turns, reading_html(event.passages))
            elif isinstance(event, TextDelta):
                text += event.text
                yield Update(chat_messages(turns, (question, pending_html(text, number))), turns, None)
            else:
                answer = event
        assert answer is not None, "ask_stream ended without an Answer"
        turn = Turn(question, answer, answer_html(answer, number))
    except RagError as exc:
        turn = Turn(question, None, error_html(str(exc)))
    except Exception as exc:  # shown in the chat; the page and the other users carry on
        log.exception("answering %r failed", question)
        turn = Turn(question, None, error_html(f"internal error ({type(exc).__name__}: {exc}); see the server log"))
    turns = [*turns, turn]
    yield Update(chat_messages(turns), turns, sources_html([(t.question, t.answer) for t in turns], _documents(asker)))


def _documents(asker: Asker) -> dict[str, str]:
    """The indexed texts citations point into; none if the index cannot be opened (the chat says why)."""
    try:
        return asker.pipeline.open_index().documents
    except RagError:
        return {}


def chat_messages(turns: list[Turn], pending: tuple[str, str] | None = None) -> list[dict[str, str]]:
    """The chatbot's value: each turn as a user and an assistant message, plus the one in progress."""
    pairs = [(t.question, t.html) for t in turns] + ([pending] if pending else [])
    messages = []
    for question, reply in pairs:
        messages.append({"role": "user", "content": question_html(question)})
        messages.append({"role": "assistant", "content": reply})
    return messages
