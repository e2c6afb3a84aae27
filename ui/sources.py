"""The sources panel: each answer's cited passages, and each cited document with its passages marked.

The panel holds every turn of the conversation, so a chip in an old answer still
opens its passage without a round trip to the server (which may be busy answering
someone else). Each cited document appears once; its `<mark>`s list, in
`data-keys`, the citations they belong to. ui/assets.py holds the script that
shows a document and scrolls to a mark when a chip or a list item is clicked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from rag.formats import page_bounds
from rag.types import Answer, Citation, Passage
from rag.ui.render import citation_key

_CHANGED = "The document has changed since; the passage cannot be shown."
EMPTY = (
    '<div class="rag-sources rag-empty">Sources appear here after an answer. '
    "Click a citation chip or a source to read the passage in its document.</div>"
)


def sources_html(turns: Sequence[tuple[str, Answer | None]], documents: Mapping[str, str]) -> str:
    """The panel for a conversation of (question, answer) turns; the latest answer's sources are shown.

    A failed question has no answer but keeps its turn number, which chips carry.
    """
    answered = [(n, question, answer) for n, (question, answer) in enumerate(turns) if answer is not None]
    if not answered:
        return EMPTY
    latest = answered[-1][0]
    marks: dict[str, list[tuple[int, int, str]]] = {}
    sections = []
    for n, question, answer in answered:
        items = []
        for citation in answer.citations:
            key = citation_key(n, citation.id)
            where = locate(citation, documents.get(citation.source))
            if where is not None:
                marks.setdefault(citation.source, []).append((*where, key))
            items.append(_citation_item(citation, key, shown=where is not None))
        searched = list(dict.fromkeys(p.chunk.source for p in answer.passages))
        sections.append(_section(n, question, items, searched, hidden=n != latest))
    docs = [_document(source, documents[source], spans) for source, spans in sorted(marks.items())]
    return f'<div class="rag-sources">{"".join(sections)}<div class="rag-docs">{"".join(docs)}</div></div>'


def reading_html(passages: Sequence[Passage]) -> str:
    """The panel while an answer is written: the passages the model is reading, shown before any of its text."""
    if not passages:
        return '<div class="rag-sources rag-empty">No passage matches the question.</div>'
    items = "".join(
        f'<li><span class="rag-cite-head"><span class="rag-file">{escape(p.chunk.source)}</span>'
        f'<span class="rag-lines">{_lines(p.chunk.line_start, p.chunk.line_end, p.chunk.page)}</span></span>'
        f'<span class="rag-quote">{escape(" ".join(p.chunk.text.split()))}</span></li>'
        for p in passages
    )
    return (
        '<div class="rag-sources rag-reading"><div class="rag-turn-q">Reading these passages…</div>'
        f'<ol class="rag-cites">{items}</ol></div>'
    )


def locate(citation: Citation, text: str | None) -> tuple[int, int] | None:
    """Where the quote is in the document as indexed now; it moves if the file was edited since."""
    if text is None:
        return None
    if text[citation.start : citation.end] == citation.quote:
        return citation.start, citation.end
    found = text.find(citation.quote)
    return (found, found + len(citation.quote)) if found >= 0 else None


def highlight(text: str, spans: Sequence[tuple[int, int, str]]) -> str:
    """Escaped `text` with each span in a `<mark>` naming its keys; overlapping spans share marks."""
    cuts = sorted({0, len(text), *(max(0, min(len(text), edge)) for s, e, _ in spans for edge in (s, e))})
    out = []
    for begin, end in zip(cuts, cuts[1:]):
        piece = escape(text[begin:end])
        keys = [key for s, e, key in spans if s <= begin and end <= e]
        out.append(f'<mark data-keys="{" ".join(keys)}">{piece}</mark>' if keys else piece)
    return "".join(out)


def lines_label(citation: Citation) -> str:
    return _lines(citation.line_start, citation.line_end, citation.page)


def _lines(start: int, end: int, page: int | None = None) -> str:
    lines = f"line {start}" if start == end else f"lines {start}–{end}"
    return f"p. {page}, {lines}" if page is not None else lines


def _section(turn: int, question: str, items: list[str], searched: list[str], *, hidden: bool) -> str:
    if items:
        body = f'<ol class="rag-cites">{"".join(items)}</ol>'
    else:
        files = f" Searched {', '.join(escape(s) for s in searched)}." if searched else ""
        body = f'<p class="rag-none">No passage was cited.{files}</p>'
    return (
        f'<section class="rag-turn" data-turn="{turn}"{" hidden" if hidden else ""}>'
        f'<div class="rag-turn-q">Sources for “{escape(question)}”</div>{body}</section>'
    )


def _citation_item(citation: Citation, key: str, *, shown: bool) -> str:
    missing = "" if shown else f'<span class="rag-missing">{_CHANGED}</span>'
    return (
        f'<li><button type="button" class="rag-cite-item rag-key-{key}" title="Show in the document">'
        f'<span class="rag-cite-head"><span class="rag-chip-static">{citation.id}</span>'
        f'<span class="rag-file">{escape(citation.source)}</span>'
        f'<span class="rag-lines">{lines_label(citation)}</span></span>'
        f'<span class="rag-quote">“{escape(" ".join(citation.quote.split()))}”</span>{missing}</button></li>'
    )


def _document(source: str, text: str, spans: list[tuple[int, int, str]]) -> str:
    """The document with its cited spans marked; a paged one (PDF) as only the pages its spans are on."""
    pages = page_bounds(text)
    if len(pages) == 1:
        body = highlight(text, spans)
    else:
        body = "".join(
            _page(number, text, start, end, spans)
            for number, (start, end) in enumerate(pages, start=1)
            if any(s < end and start < e for s, e, _ in spans)
        )
    return (
        f'<article class="rag-doc" hidden><header class="rag-doc-head">{escape(source)}</header>'
        f'<div class="rag-doc-text">{body}</div></article>'
    )


def _page(number: int, text: str, start: int, end: int, spans: list[tuple[int, int, str]]) -> str:
    """One page of a paged document, headed by its number, with the spans on it marked."""
    while start < end and text[start].isspace():
        start += 1
    shifted = [(s - start, e - start, key) for s, e, key in spans]
    return f'<section class="rag-page"><div class="rag-page-head">p. {number}</div>{highlight(text[start:end].rstrip(), shifted)}</section>'
