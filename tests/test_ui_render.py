"""The chat UI's pure parts: answer HTML, the sources panel, example questions, the conversation flow.

No model and no browser: answers are built by hand, and the conversation runs on a
stub pipeline, so these run in the fast suite.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest

from rag.config import Settings
from rag.errors import InputError
from rag.types import Answer, Chunk, Citation, NumberCheck, Passage, SourcesEvent, TextDelta
from rag.ui.asking import Asker
from rag.ui.chat import converse
from rag.ui.corpus import index_paths, save_uploads
from rag.ui.examples import example_questions, figure_topics
from rag.ui.render import answer_html, error_html, number_title, pending_html, question_html
from rag.ui.sources import EMPTY, highlight, locate, sources_html

DOC = 'Intro line.\nAcme will invest $6.8 billion abroad <script>alert("x")</script>.\nIt sold 500 units & more.\n'
QUOTE = "Acme will invest $6.8 billion abroad"
START = DOC.index(QUOTE)


def citation(cid: int = 1, quote: str = QUOTE, start: int = START, source: str = "docs/acme.txt") -> Citation:
    return Citation(id=cid, source=source, start=start, end=start + len(quote), line_start=2, line_end=2, quote=quote)


def check(text: str, answer_text: str, value: float, unit: str, supported: bool = True, ids=(1,), **extra) -> NumberCheck:
    """A NumberCheck placed where `text` first stands in `answer_text`, as the pipeline places it."""
    at = answer_text.index(text)
    return NumberCheck(text, value, unit, supported, list(ids), start=at, end=at + len(text), **extra)


def answer(text: str, **overrides) -> Answer:
    fields = dict(
        question="q",
        answer=text,
        abstained=False,
        citations=[citation()],
        numbers=[check("$6.8 billion", text, 6.8e9, "USD")] if "$6.8 billion" in text else [],
        conflict=False,
        model="test-model",
        timings={"total_ms": 1234.0},
    )
    fields.update(overrides)
    return Answer(**fields)


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# --------------------------------------------------------------------------- answer messages


def test_markers_become_chips_that_name_turn_and_citation() -> None:
    html = answer_html(answer("Acme will invest $6.8 billion abroad [1]."), turn=3)
    assert 'class="rag-chip rag-key-t3-c1"' in html
    assert "[1]" in text_of(html)  # the brackets stay in the text, for copying and screen readers


def test_adjacent_markers_each_become_a_chip() -> None:
    html = pending_html("Both say so [1][2].", turn=0)
    assert "rag-key-t0-c1" in html and "rag-key-t0-c2" in html


def test_supported_number_carries_its_badge_and_tooltip() -> None:
    html = answer_html(answer("Acme will invest $6.8 billion abroad [1]."), turn=0)
    assert '<span class="rag-num rag-num-ok" title="supported by [1]">$6.8 billion</span>' in html


def test_unsupported_and_derived_numbers_say_so() -> None:
    text = "The gap is $5 billion and 40% [1][2]."
    checks = [
        check("$5 billion", text, 5e9, "USD", ids=(1, 2), derived="12000000000 - 7000000000"),
        check("40%", text, 40.0, "%", supported=False, ids=()),
    ]
    html = answer_html(answer(text, numbers=checks), turn=0)
    assert 'rag-num-derived" title="computed from [1], [2]: 12000000000 - 7000000000">$5 billion<' in html
    assert 'rag-num-bad" title="not supported by any cited passage">40%<' in html


def test_each_mention_gets_the_check_placed_on_it() -> None:
    text = "In 2025 [1]. Also in 2025 [2]."
    second = text.index("2025", text.index("2025") + 1)
    checks = [check("2025", text, 2025, "year"), NumberCheck("2025", 2025, "year", True, [2], start=second, end=second + 4)]
    html = answer_html(answer(text, numbers=checks), turn=0)
    assert html.count('title="supported by [1]">2025<') == 1 and html.count('title="supported by [2]">2025<') == 1
    assert number_title(None) == "not supported by any cited passage"


def test_answer_text_is_escaped() -> None:
    html = answer_html(answer('Acme says <img src=x onerror="alert(x)"> & "more" [1].', numbers=[]), turn=0)
    assert "<img" not in html
    assert "&lt;img src=x onerror=&quot;alert(x)&quot;&gt; &amp; &quot;more&quot;" in html


def test_abstention_is_a_neutral_notice_not_an_error() -> None:
    html = answer_html(answer("The documents do not say.", abstained=True, citations=[], numbers=[]), turn=0)
    assert "rag-abstain" in html and "Not in the documents." in html
    assert "rag-error" not in html
    assert "no citations" in html


def test_conflict_is_flagged() -> None:
    html = answer_html(answer("Acme will invest $6.8 billion abroad [1].", conflict=True), turn=0)
    assert "rag-conflict" in html and "Sources disagree." in html
    assert "rag-conflict" not in answer_html(answer("Acme will invest $6.8 billion abroad [1]."), turn=0)


def test_meta_line_and_error_and_question_are_escaped() -> None:
    assert "1 cited passage · test-model · 1.2 s" in answer_html(answer("x [1]."), turn=0)
    assert error_html("bad <thing>") .count("&lt;thing&gt;") == 1
    assert question_html("a <b>\nc") == "a &lt;b&gt;<br>c"


def test_streaming_message_shows_placeholder_then_text() -> None:
    assert "Searching the documents" in pending_html("", turn=0)
    html = pending_html("Acme invests [1].", turn=2)
    assert "rag-streaming" in html and "rag-key-t2-c1" in html and "rag-typing" in html


# --------------------------------------------------------------------------- sources panel


def test_highlight_escapes_document_text_and_marks_the_span() -> None:
    html = highlight(DOC, [(START, START + len(QUOTE), "t0-c1")])
    assert f'<mark data-keys="t0-c1">{QUOTE}</mark>' in html
    assert "<script>" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert "500 units &amp; more" in html
    assert text_of(html).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&") == DOC


def test_overlapping_spans_share_a_mark() -> None:
    html = highlight("abcdef", [(1, 4, "t0-c1"), (3, 5, "t1-c2")])
    assert html == (
        'a<mark data-keys="t0-c1">bc</mark><mark data-keys="t0-c1 t1-c2">d</mark><mark data-keys="t1-c2">e</mark>f'
    )


def test_locate_follows_a_quote_that_moved_and_gives_up_when_it_is_gone() -> None:
    assert locate(citation(), DOC) == (START, START + len(QUOTE))
    assert locate(citation(), "New first line.\n" + DOC) == (START + 16, START + 16 + len(QUOTE))
    assert locate(citation(), "rewritten entirely") is None
    assert locate(citation(), None) is None


def test_sources_panel_lists_citations_and_opens_documents_by_key() -> None:
    first = answer("Acme will invest $6.8 billion abroad [1].")
    sold = citation(1, "It sold 500 units", DOC.index("It sold"))
    second = answer("It sold 500 units [1].", citations=[sold], numbers=[])
    html = sources_html([("first?", first), ("failed?", None), ("second?", second)], {"docs/acme.txt": DOC})
    assert 'class="rag-cite-item rag-key-t0-c1"' in html and 'class="rag-cite-item rag-key-t2-c1"' in html
    assert '<section class="rag-turn" data-turn="0" hidden>' in html  # older answers are hidden
    assert '<section class="rag-turn" data-turn="2">' in html  # the latest is shown
    assert html.count('<article class="rag-doc"') == 1  # one document, both answers' marks in it
    assert '<mark data-keys="t0-c1">' in html and '<mark data-keys="t2-c1">' in html
    assert "docs/acme.txt" in html and "line 2" in html and f"“{QUOTE}”" in html


def test_a_pdf_citation_opens_its_page_with_the_passage_marked() -> None:
    from rag.formats.pdf import join_pages

    text = join_pages(["Cover page.", "Table 4. Capital spending\nPipes and mains 1,577 1,432", "Outlook."]).text
    quote = "Pipes and mains 1,577 1,432"
    cited = Citation(id=1, source="r.pdf", start=text.index(quote), end=text.index(quote) + len(quote),
                     line_start=2, line_end=2, quote=quote, page=2)
    html = sources_html([("q", answer("Pipes cost 1,577 [1].", citations=[cited], numbers=[]))], {"r.pdf": text})
    assert "p. 2, line 2" in html
    assert '<div class="rag-page-head">p. 2</div>' in html and "Cover page" not in html and "Outlook" not in html
    assert f'<mark data-keys="t0-c1">{quote}</mark>' in html


def test_sources_panel_escapes_quotes_sources_and_questions() -> None:
    evil = citation(1, 'say "<b>hi</b>"', 0, source="docs/<x>.txt")
    turns = [("<q>?", answer("x [1].", citations=[evil], numbers=[]))]
    html = sources_html(turns, {"docs/<x>.txt": 'say "<b>hi</b>" now'})
    assert "<b>" not in html and "<x>" not in html and "<q>" not in html
    assert "docs/&lt;x&gt;.txt" in html


def test_sources_panel_when_nothing_is_cited_or_asked() -> None:
    assert sources_html([], {}) == EMPTY
    searched = [Passage(Chunk("docs/<a>.txt", t, 0, 1, 1, 1, ""), 0.5) for t in ("one", "two")]
    abstained = answer("The documents do not say.", abstained=True, citations=[], numbers=[], passages=searched)
    html = sources_html([("q", abstained)], {})
    assert "No passage was cited. Searched docs/&lt;a&gt;.txt." in html
    gone = sources_html([("q", answer("x [1]."))], {})
    assert "cannot be shown" in gone and "<article" not in gone


# --------------------------------------------------------------------------- example questions


def test_examples_come_from_the_figures_in_the_documents() -> None:
    documents = {
        "a.txt": "Orbital Freight plans to spend $3 billion on lunar cargo tugs by 2030.",
        "b.txt": "About 40% of the budget goes into the relay network; 15% of these orders are delayed.",
        "c.txt": "No figures here at all.",
    }
    assert figure_topics(documents["a.txt"]) == ["lunar cargo tugs"]
    assert figure_topics(documents["b.txt"]) == ["the budget", "orders"]
    assert example_questions(documents, {"c.txt": "A Quiet Report"}) == [
        "What do the documents say about lunar cargo tugs?",
        "What do the documents say about the budget?",
        "What does “A Quiet Report” report?",
    ]


def test_examples_skip_years_and_repeat_no_topic() -> None:
    documents = {
        "a.txt": "In 2024 of note: nothing.",
        "b.txt": "It costs $5 for widgets.",
        "c.txt": "Also $9 for widgets.",
    }
    assert example_questions(documents, {}, limit=4) == ["What do the documents say about widgets?"]


# --------------------------------------------------------------------------- corpus helpers


def test_uploads_are_copied_by_name_and_other_types_refused(tmp_path: Path) -> None:
    upload = tmp_path / "upload" / "notes.md"
    upload.parent.mkdir()
    upload.write_text("# Notes\n")
    corpus = tmp_path / "corpus"
    assert save_uploads([str(upload)], corpus) == ["notes.md"]
    assert (corpus / "notes.md").read_text() == "# Notes\n"
    bad = tmp_path / "upload" / "tool.exe"
    bad.write_bytes(b"MZ")
    with pytest.raises(InputError, match="tool.exe"):
        save_uploads([str(upload), str(bad)], corpus)


def test_reindex_keeps_what_the_index_was_built_from(tmp_path: Path) -> None:
    built_from, uploads = tmp_path / "reports", tmp_path / "uploads"
    built_from.mkdir()
    manifest = SimpleNamespace(corpus=[str(built_from), str(tmp_path / "deleted")])
    settings = Settings(corpus=uploads)
    assert index_paths(settings, manifest) == [built_from, uploads]  # type: ignore[arg-type]
    assert index_paths(Settings(corpus=built_from), manifest) == [built_from]  # type: ignore[arg-type]


# --------------------------------------------------------------------------- the conversation


@dataclass
class StubPipeline:
    """Stands in for Pipeline: records what it was asked, answers from a script."""

    settings: Settings = field(default_factory=Settings)
    calls: list[tuple[str, list[tuple[str, str]], int]] = field(default_factory=list)
    fail_with: Exception | None = None

    def open_index(self) -> SimpleNamespace:
        return SimpleNamespace(documents={"docs/acme.txt": DOC})

    def ask_stream(self, question: str, *, history=(), top_k: int | None = None):
        self.calls.append((question, list(history), top_k or self.settings.top_k))
        if self.fail_with:
            raise self.fail_with
        chunk = Chunk("docs/acme.txt", DOC.splitlines()[1], 0, 1, 2, 2, "Acme")
        yield SourcesEvent([Passage(chunk, 0.5)])
        yield TextDelta("Acme will invest $6.8 billion abroad [1].")
        yield answer("Acme will invest $6.8 billion abroad [1].", question=question)


def test_conversation_streams_then_renders_and_passes_history_and_top_k() -> None:
    stub = StubPipeline()
    asker = Asker(stub)  # type: ignore[arg-type]
    updates = list(converse(asker, "  How much abroad?  ", 3, []))
    # The panel shows the passages being read before any text, then the answer's sources at the end.
    assert [u.sources is None for u in updates] == [True, False, True, False]
    assert "Searching the documents" in updates[0].messages[-1]["content"]
    assert "rag-reading" in updates[1].sources and "docs/acme.txt" in updates[1].sources
    assert "<script>" not in updates[1].sources  # passage text is escaped like everything else
    assert "Acme will invest" not in updates[1].messages[-1]["content"]
    assert "rag-streaming" in updates[2].messages[-1]["content"]
    final = updates[-1]
    assert final.messages[0] == {"role": "user", "content": "How much abroad?"}
    assert "rag-num-ok" in final.messages[1]["content"] and "rag-key-t0-c1" in final.sources
    follow_up = list(converse(asker, "And at home?", 8, final.turns))[-1]
    assert stub.calls == [
        ("How much abroad?", [], 3),
        ("And at home?", [("How much abroad?", "Acme will invest $6.8 billion abroad [1].")], 8),
    ]
    assert "rag-key-t1-c1" in follow_up.messages[3]["content"] and len(follow_up.messages) == 4
    assert stub.settings.top_k == Settings().top_k  # the per-request value does not stick


def test_a_rag_error_is_shown_in_the_chat_and_the_chat_goes_on() -> None:
    stub = StubPipeline(fail_with=InputError("the question is 3000 characters long; the limit is 2000"))
    final = list(converse(Asker(stub), "q" * 10, None, []))[-1]  # type: ignore[arg-type]
    assert "rag-error" in final.messages[-1]["content"] and "the limit is 2000" in final.messages[-1]["content"]
    assert final.turns[0].answer is None
    stub.fail_with = None
    again = list(converse(Asker(stub), "How much?", None, final.turns))[-1]  # type: ignore[arg-type]
    assert stub.calls[-1][1] == []  # a failed turn is no context for the next question
    assert "rag-key-t1-c1" in again.messages[-1]["content"]


def test_an_empty_question_does_nothing() -> None:
    stub = StubPipeline()
    assert list(converse(Asker(stub), "   ", None, [])) == []  # type: ignore[arg-type]
    assert stub.calls == []
