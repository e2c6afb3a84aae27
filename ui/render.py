"""Chat messages as HTML: citation chips, number badges, abstention and conflict notices.

Everything that came from a document, the model or the user is HTML-escaped here;
the only markup in a message is ours. The chatbot's sanitizer strips `data-*`
attributes, so a chip names its citation in a class: `rag-key-t<turn>-c<id>`.
"""

from __future__ import annotations

import re
from html import escape

from rag.types import Answer, NumberCheck

_MARKER = re.compile(r"\[(\d+)\]")


def citation_key(turn: int, citation_id: int) -> str:
    """The name a chip, a source list item and a highlighted passage share."""
    return f"t{turn}-c{citation_id}"


def chip_html(turn: int, citation_id: int) -> str:
    """A clickable [n]; the brackets stay in the text so copying gives "[n]"."""
    key = citation_key(turn, citation_id)
    return (
        f'<button type="button" class="rag-chip rag-key-{key}" title="Show source {citation_id}">'
        f'<span class="rag-bracket">[</span>{citation_id}<span class="rag-bracket">]</span></button>'
    )


def question_html(question: str) -> str:
    return escape(question).replace("\n", "<br>")


def waiting_html() -> str:
    """The reply's place while the question waits for the model."""
    return '<div class="rag-answer rag-waiting"><span class="rag-status">Waiting for the model…</span></div>'


def pending_html(text: str, turn: int) -> str:
    """The answer while it streams: text and chips so far, then a typing indicator."""
    body = _marked_text(text, turn, None) if text else '<span class="rag-status">Searching the documents…</span>'
    return f'<div class="rag-answer rag-streaming"><p class="rag-text">{body}<span class="rag-typing"></span></p></div>'


def answer_html(answer: Answer, turn: int) -> str:
    """The finished answer: chips, verified numbers, and notices for abstention and conflict."""
    text = f'<p class="rag-text">{_marked_text(answer.answer, turn, answer.numbers)}</p>'
    conflict = _notice(
        "conflict", "Sources disagree.", "Compare the quoted passages; the figures may differ in date or scope."
    )
    return "".join(
        [
            '<div class="rag-answer">',
            conflict if answer.conflict else "",
            _notice("abstain", "Not in the documents.", text) if answer.abstained else text,
            f'<div class="rag-meta">{_meta(answer)}</div></div>',
        ]
    )


def error_html(message: str) -> str:
    return _notice("error", "Could not answer.", escape(message))


def _notice(kind: str, title: str, body: str) -> str:
    """A boxed message; `body` is HTML already."""
    return f'<div class="rag-notice rag-{kind}"><span class="rag-notice-title">{title}</span> {body}</div>'


def _meta(answer: Answer) -> str:
    sources = len(answer.citations)
    cited = f"{sources} cited passage{'s' if sources != 1 else ''}" if sources else "no citations"
    seconds = answer.timings.get("total_ms", 0.0) / 1000
    return escape(f"{cited} · {answer.model} · {seconds:.1f} s")


def _marked_text(text: str, turn: int, checks: list[NumberCheck] | None) -> str:
    """Escape `text`, turning [n] into chips and, when checks are given, each checked number into a badge.

    The pipeline records where each number stands in the answer text (`NumberCheck.start`),
    so nothing is parsed again here.
    """
    spans = [(m.start(), m.end(), chip_html(turn, int(m.group(1)))) for m in _MARKER.finditer(text)]
    if checks is not None:
        spans += [(c.start, c.end, _number_html(c)) for c in checks if c.start is not None and c.end is not None]
    out, pos = [], 0
    for start, end, html in sorted(spans):
        if start < pos:  # never expected: markers and numbers do not overlap
            continue
        out += [escape(text[pos:start]), html]
        pos = end
    out.append(escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def number_title(check: NumberCheck | None) -> str:
    """The tooltip that states a number's verification."""
    if check is None or not check.supported:
        return "not supported by any cited passage"
    cited = ", ".join(f"[{i}]" for i in check.citation_ids)
    if check.derived:
        return f"computed from {cited}: {check.derived}" if cited else f"computed: {check.derived}"
    return f"supported by {cited}" if cited else "supported"


def _number_html(check: NumberCheck) -> str:
    state = "ok" if check.supported else "bad"
    if state == "ok" and check.derived:
        state = "derived"
    return f'<span class="rag-num rag-num-{state}" title="{escape(number_title(check))}">{escape(check.text)}</span>'
