"""`ask()`: retrieve, generate, verify, compose. The one path the CLI, the UI and the eval share.

Models load lazily and once per `Pipeline`; a lock serialises questions because one
llama.cpp context cannot serve two at a time (the UI queues requests in front of it).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rag.answering.compose import NOT_IN_DOCUMENTS, Composer, Segment, unsupported_numbers
from rag.answering.conflicts import find_conflict
from rag.answering.expected import expected_kind
from rag.answering.focus import focus_passages
from rag.answering.prompt import SYSTEM_PROMPT, answer_schema, asks_for_arithmetic, build_messages
from rag.answering.reply import ProposedClaim, finished_claims, nothing_left_to_say, parse_reply, reply_status
from rag.answering.verify import (
    CalculationResult,
    CheckedNumber,
    Rejection,
    VerifiedClaim,
    calculate,
    find_in_passage,
    verify_claim,
)
from rag.config import Settings
from rag.embedding import Embedder, embedder_name, make_embedder
from rag.errors import IndexMismatchError, IndexMissingError, InputError
from rag.generation import Generator, load_generator
from rag.indexing import IndexReport, build_index
from rag.numbers import Quantity, parse_quantities
from rag.retrieval import Retriever
from rag.store.store import open_store
from rag.types import Answer, NumberCheck, Passage

FALSE_PREMISE_NOTE = "The documents do not support the question's premise."
# A claim less similar than this to the question (MiniLM cosine) is filler the model added,
# e.g. a neighbouring sentence copied from the passage. Answers measured 0.44-0.86, filler 0.10-0.17.
MIN_CLAIM_RELEVANCE = 0.3
# Passages searched for figures that disagree with the answer's. More than the model reads:
# sources that disagree rank close to each other, and checking a figure costs no prompt tokens.
CONFLICT_POOL = 15


@dataclass(frozen=True)
class TextDelta:
    """A verified piece of answer text, ready to show."""

    text: str


class Pipeline:
    """Holds the loaded index and models for a series of questions."""

    def __init__(self, settings: Settings, *, show_progress: bool = True) -> None:
        self.settings = settings
        self.show_progress = show_progress
        self._embedder: Embedder | None = None
        self._retriever: Retriever | None = None
        self._generator: Generator | None = None
        # One question at a time (one llama.cpp context). A plain Lock, not an RLock: a streaming
        # consumer such as Gradio may resume the generator, and so release the lock, on another thread.
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.index_report: IndexReport | None = None  # set when this pipeline had to build the index

    # -- loading -------------------------------------------------------------------------------

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings.embedder, self.settings.threads)
        return self._embedder

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            try:
                store = open_store(self.settings.index_dir)
            except IndexMissingError:
                if not self.settings.corpus.exists():
                    raise
                self.index_report = build_index(
                    [self.settings.corpus], self.settings, embedder=self.embedder, show_progress=self.show_progress
                )
                store = open_store(self.settings.index_dir)
            expected = embedder_name(self.settings.embedder)
            if store.manifest.embedder != expected:
                raise IndexMismatchError(
                    f"the index at {self.settings.index_dir} was built with {store.manifest.embedder}, "
                    f"but the embedder in use is {expected}; run `rag index` to rebuild it"
                )
            self._retriever = Retriever(store, self.embedder)
        return self._retriever

    @property
    def generator(self) -> Generator:
        with self._load_lock:
            if self._generator is None:
                self._generator = self._load_generator()
            return self._generator

    def preload(self) -> threading.Thread:
        """Start loading the answer model in the background (overlaps with index loading and retrieval)."""
        thread = threading.Thread(target=self._preload_generator, daemon=True)
        thread.start()
        return thread

    def _preload_generator(self) -> None:
        try:
            self.generator
        except Exception:  # noqa: BLE001 - the same error is raised again, on the caller's thread, when the model is needed
            return

    def _load_generator(self) -> Generator:
        generator = load_generator(
            self.settings.model,
            cache_dir=self.settings.cache_dir,
            context_tokens=self.settings.context_tokens,
            threads=self.settings.threads,
            show_progress=self.show_progress,
        )
        generator.cache_prefix(SYSTEM_PROMPT, self.settings.cache_dir / "prompt-state")
        return generator

    def reload_index(self) -> None:
        """Pick up a rebuilt index (after `build_index`) for the next question."""
        with self._lock:
            self._retriever = None

    # -- asking --------------------------------------------------------------------------------

    def ask(self, question: str, history: list[tuple[str, str]] | None = None) -> Answer:
        """The whole answer at once."""
        for event in self.ask_stream(question, history):
            if isinstance(event, Answer):
                return event
        raise AssertionError("ask_stream ended without an Answer")

    def ask_stream(
        self, question: str, history: list[tuple[str, str]] | None = None
    ) -> Iterator[TextDelta | Answer]:
        """Verified answer text as it is produced, then the complete `Answer`."""
        question = validate_question(question, self.settings.max_question_chars)
        history = list(history or [])[-2:]
        with self._lock:
            yield from _AnswerRun(self, question, history).run()


def validate_question(question: str, max_chars: int) -> str:
    text = (question or "").strip()
    if not text:
        raise InputError("the question is empty; ask something, e.g. rag ask \"What does the report say about X?\"")
    if len(text) > max_chars:
        raise InputError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    return text


class _AnswerRun:
    """The state of answering one question; `run()` yields deltas then the Answer."""

    def __init__(self, pipeline: Pipeline, question: str, history: list[tuple[str, str]]) -> None:
        self.pipeline = pipeline
        self.question = question
        self.history = history
        self.composer = Composer()
        self.verified: list[VerifiedClaim] = []
        self.dropped: list[dict[str, str]] = []
        self.repairs: list[dict[str, str]] = []
        self.started = time.perf_counter()
        self.first_text_at: float | None = None
        self.question_vector: np.ndarray | None = None

    def run(self) -> Iterator[TextDelta | Answer]:
        retriever = self.pipeline.retriever
        query = " ".join([self.history[-1][0], self.question]) if self.history else self.question
        settings = self.pipeline.settings
        pool = retriever.search(query, max(settings.top_k, CONFLICT_POOL), settings.candidates)
        passages = pool[: settings.top_k]
        retrieve_ms = (time.perf_counter() - self.started) * 1000
        generator = self.pipeline.generator

        # Figures in the question are looked for in whole passages; the model sees only their best sentences.
        absent = _absent_from(self.question, passages)
        absent_years = [q for q in absent if q.unit == "year"]
        if absent_years or not passages:
            note = f"The documents do not cover {', '.join(q.text for q in absent_years)}." if absent_years else ""
            yield from self._emit_plain(f"{NOT_IN_DOCUMENTS} {note}".strip())
            yield self._answer(passages, generator.name, retrieve_ms, abstained=True)
            return
        if absent:
            yield from self._emit_plain(f"The documents do not mention {', '.join(q.text for q in absent)}.")
        passages = focus_passages(self._question_vector(), passages, self.pipeline.embedder, settings.passage_chars)

        generated = ""
        pending: list[ProposedClaim] = []
        seen = 0
        status_shown = False
        messages = build_messages(self.question, passages, self.history)
        schema = answer_schema(len(passages), with_calculation=asks_for_arithmetic(self.question))
        with contextlib.closing(generator.stream(messages, schema=schema, max_tokens=settings.max_answer_tokens)) as pieces:
            for piece in pieces:
                generated += piece
                if nothing_left_to_say(generated):
                    break
                status = reply_status(generated)
                if status == "not_in_documents":
                    continue
                if status == "false_premise" and not status_shown and not absent:
                    status_shown = True
                    yield from self._emit_plain(FALSE_PREMISE_NOTE)
                claims = finished_claims(generated)
                for claim in claims[seen:]:
                    yield from self._try_claim(claim, passages, None, pending)
                seen = len(claims)

        reply = parse_reply(generated)
        # Claims the model proposed while saying the documents do not answer are not shown.
        disowned = reply.status == "not_in_documents"
        for claim in [] if disowned else reply.claims[seen:]:
            yield from self._try_claim(claim, passages, None, pending)
        calculation = self._calculate(reply, passages)
        for claim in pending:
            yield from self._try_claim(claim, passages, calculation, None)
        if calculation and not any(n.derived for c in self.verified for n in c.numbers):
            yield from self._emit_calculation(calculation)
        conflict = yield from self._emit_conflicts(pool)

        abstained = not self.verified and calculation is None
        if abstained and not self.composer.parts:
            yield from self._emit_plain(NOT_IN_DOCUMENTS)
        yield self._answer(passages, generator.name, retrieve_ms, abstained=abstained, conflict=conflict)

    def _try_claim(
        self,
        claim: ProposedClaim,
        passages: list[Passage],
        calculation: CalculationResult | None,
        pending: list[ProposedClaim] | None,
    ) -> Iterator[TextDelta]:
        result = verify_claim(claim, passages, calculation)
        if isinstance(result, Rejection):
            if pending is not None and "is not in the cited passage" in result.reason:
                pending.append(claim)  # may be a derived figure; retried once the calculation is known
            else:
                self.dropped.append({"statement": result.statement, "reason": result.reason})
            return
        if any(_same_statement(result, earlier) for earlier in self.verified):
            return
        relevance = self._relevance(result.statement)
        if relevance < MIN_CLAIM_RELEVANCE:
            self.dropped.append({"statement": result.statement, "reason": f"off the question (similarity {relevance:.2f})"})
            return
        expected = expected_kind(self.question)
        if expected and not any(expected.satisfied_by(n.quantity) for n in result.numbers):
            self.dropped.append({"statement": result.statement, "reason": f"gives no figure of the kind asked for ({expected.description})"})
            return
        other_period = _other_period(self.question, result, self.pipeline.retriever.store.documents)
        if other_period:
            self.dropped.append({"statement": result.statement, "reason": other_period})
            return
        self.verified.append(result)
        self.repairs += [{"statement": result.statement, "repair": r} for r in result.repairs]
        yield self._delta(self.composer.add(Segment(result.statement, result.spans, result.numbers)))

    def _question_vector(self) -> np.ndarray:
        if self.question_vector is None:
            self.question_vector = self.pipeline.embedder.embed([self.question])[0]
        return self.question_vector

    def _relevance(self, statement: str) -> float:
        return float(self.pipeline.embedder.embed([statement])[0] @ self._question_vector())

    def _calculate(self, reply, passages: list[Passage]) -> CalculationResult | None:
        if reply.calculation is None:
            return None
        result = calculate(reply.calculation, passages)
        if isinstance(result, Rejection):
            self.dropped.append({"statement": result.statement, "reason": result.reason})
            return None
        return result

    def _emit_calculation(self, calc: CalculationResult) -> Iterator[TextDelta]:
        result = CheckedNumber(calc.value, calc.first.spans + calc.second.spans, calc.expression)
        text = f"Computed from the cited figures: {calc.expression} = {calc.value.text}."
        yield self._delta(self.composer.add(Segment(text, [], [calc.first, calc.second, result])))

    def _emit_conflicts(self, passages: list[Passage]) -> Iterator[TextDelta]:
        """Report figures in `passages` of other documents that differ from the answer's; returns whether sources disagree."""
        conflict = find_conflict(self.question, self.verified, passages, self.pipeline.embedder)
        if conflict is None:
            return False
        for figure in conflict.from_passages:
            span = figure.spans[0]
            # The quote is the source's own words, so each of its other figures is vouched for by the same span.
            same = (figure.quantity.value, figure.quantity.unit)
            quoted = [CheckedNumber(q, [span]) for q in parse_quantities(span.quote) if (q.value, q.unit) != same]
            sentence = f"Another source gives {figure.quantity.text}: \"{_shorten(span.quote)}\""
            yield self._delta(self.composer.add(Segment(sentence, [span], [figure, *quoted])))
        yield from self._emit_plain(self._conflict_summary(conflict.anchors + conflict.others))
        return True

    def _conflict_summary(self, figures: list[CheckedNumber]) -> str:
        """Each disagreeing figure with its citation and the years its quote gives, so the reader sees how they differ.

        Only figures of a unit that more than one source gives are listed: the anchor claim's
        other figures ("a two-pronged plan", its yuan amount beside dollar ones) do not disagree.
        """
        units = Counter(figure.quantity.unit for figure in figures)
        parts = []
        for figure in figures:
            if units[figure.quantity.unit] < 2:
                continue
            span = figure.spans[0]
            years = sorted({int(q.value) for q in parse_quantities(span.quote) if q.unit == "year"})
            when = f" ({', '.join(map(str, years))})" if years else ""
            parts.append(f"{figure.quantity.text} [{self.composer.cite(span)}]{when}")
        return f"The sources disagree: {'; '.join(parts)}. They may differ in date or scope; see each quote."

    def _emit_plain(self, text: str) -> Iterator[TextDelta]:
        yield self._delta(self.composer.add_plain(text))

    def _delta(self, text: str) -> TextDelta:
        if self.first_text_at is None:
            self.first_text_at = time.perf_counter()
        return TextDelta(text)

    def _answer(
        self, passages: list[Passage], model: str, retrieve_ms: float, *, abstained: bool, conflict: bool = False
    ) -> Answer:
        now = time.perf_counter()
        first = self.first_text_at or now
        text = self.composer.text
        unvouched = [
            NumberCheck(q.text, q.value, q.unit, supported=False) for q in unsupported_numbers(text, self.composer.numbers)
        ]
        return Answer(
            question=self.question,
            answer=text,
            abstained=abstained,
            citations=self.composer.citations,
            numbers=self.composer.numbers + unvouched,
            conflict=conflict,
            model=model,
            timings={
                "retrieve_ms": round(retrieve_ms, 1),
                "first_token_ms": round((first - self.started) * 1000, 1),
                "total_ms": round((now - self.started) * 1000, 1),
            },
            passages=passages,
            dropped=self.dropped,
            repairs=self.repairs,
        )


def _absent_from(question: str, passages: list[Passage]) -> list[Quantity]:
    """Figures in the question that no retrieved passage states: a year not covered, a false premise."""
    return [q for q in parse_quantities(question) if not any(find_in_passage(q, p) for p in passages)]


def _other_period(question: str, claim: VerifiedClaim, documents: dict[str, str]) -> str | None:
    """Why a claim cannot answer a question about a given year, or None.

    A document that never mentions the year asked about cannot be answering for
    it; a small model asked about 2023 readily answers with a 2025 figure.
    """
    asked = {q.value for q in parse_quantities(question) if q.unit == "year"}
    if not asked:
        return None
    for source in {span.source for span in claim.spans}:
        named = {q.value for q in parse_quantities(documents.get(source, "")) if q.unit == "year"}
        if not named & asked:
            return f"{source} never mentions {', '.join(str(int(y)) for y in sorted(asked))}"
    return None


def _same_statement(a: VerifiedClaim, b: VerifiedClaim) -> bool:
    return a.statement.strip().lower() == b.statement.strip().lower()


def _shorten(quote: str, limit: int = 160) -> str:
    quote = " ".join(quote.split())
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "…"


_default: Pipeline | None = None


def ask(question: str, settings: Settings | None = None) -> Answer:
    """Answer one question with a process-wide pipeline (models load on the first call)."""
    global _default
    if _default is None or (settings is not None and _default.settings != settings):
        from rag.config import load_settings

        _default = Pipeline(settings or load_settings())
    return _default.ask(question)

