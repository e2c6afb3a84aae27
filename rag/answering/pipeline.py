"""`Pipeline`: retrieve, generate, gate, compose. The one path the CLI, the UI, the API and the eval share.

Components (store, embedder, generator) can be handed in, or are loaded by explicit calls
(`open_index`, `load_embedder`, `load_generator`) the first time a question needs them.
Per-request options are arguments of `ask_stream`; nothing shared is changed per request.
A lock serialises answers because one model context cannot serve two at a time; `search`
does not take it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from rag import brackets
from rag.answering.cells import cell_claims, compared_cells, compared_rows
from rag.answering.change import earlier_level, period_change
from rag.answering.compare import (
    as_asked,
    asks_about_two,
    claimed_comparison,
    proposed_comparison,
    side_difference,
    uncovered_side,
)
from rag.answering.compose import NOT_IN_DOCUMENTS, Composer, Segment, unsupported_numbers
from rag.answering.conflicts import find_conflict, is_estimate
from rag.answering.counted import counted_claim
from rag.answering.definitions import defined_values
from rag.answering.fields import field_claims, unanswered_documents
from rag.answering.focus import focus_passages
from rag.answering.gate import ClaimGate, Evidence, absent_premises, premise_figures
from rag.answering.lookup import lookup_difference, table_lookups
from rag.answering.prompt import SYSTEM_PROMPT, answer_schema, asks_for_arithmetic, build_messages
from rag.answering.relevance import RelevanceScale, background_sample, measure_scale
from rag.answering.reply import (
    Calculation,
    ProposedClaim,
    Reply,
    finished_claims,
    nothing_left_to_say,
    parse_reply,
    reply_status,
)
from rag.answering.scope import Scope, periods_of_documents
from rag.answering.shares import share_of_amount, share_of_whole
from rag.answering.sides import side_claims
from rag.answering.spread import row_range
from rag.answering.verify import CalculationResult, CheckedNumber, VerifiedClaim, calculate, passage_span
from rag.answering.words import content_stems
from rag.config import Settings
from rag.embedding import Embedder, embedder_name, make_embedder
from rag.errors import IndexMismatchError, IndexMissingError, InputError
from rag.generation import Generator, load_generator
from rag.indexing import IndexReport, build_index
from rag.numbers import Quantity, parse_quantities
from rag.periods import Period
from rag.retrieval import Retriever
from rag.store.base import Store
from rag.store.factory import open_index
from rag.types import Answer, DroppedClaim, NumberCheck, Passage, RejectionKind, Repair, SourcesEvent, TextDelta

FALSE_PREMISE_NOTE = "The documents do not support the question's premise."
INSTRUCTION_NOTE = "A passage that gives instructions to an AI was not used as evidence."
# Passages searched for figures that disagree with the answer's (and read by the code that looks up table
# cells). More than the model reads, and checking a figure costs no prompt tokens: a source that disagrees
# often words the figure unlike the question (an estimate beside an actual, a headline beside the body) and
# ranks 16th to 30th (on the seeds suite, 2 of its 9 conflict questions found a source only there).
CONFLICT_POOL = 30
HISTORY_TURNS = 2  # earlier (question, answer) pairs kept as context for a follow-up
_AFTER_FIGURE = 40  # characters of a disagreeing source's quote still shown after the figure it is quoted for

Event = SourcesEvent | TextDelta | Answer


class Pipeline:
    """Holds the index and models for a series of questions; components may be shared between pipelines."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        embedder: Embedder | None = None,
        generator: Generator | None = None,
        show_progress: bool = True,
    ) -> None:
        self.settings = settings
        self.show_progress = show_progress
        self.store = store
        self.embedder = embedder
        self.generator = generator
        self._retriever: Retriever | None = None
        self._periods_store: Store | None = None
        self._periods: Callable[[str], list[Period]] = periods_of_documents({})
        # One question at a time (one model context). A plain Lock, not an RLock: a streaming
        # consumer may resume the generator, and so release the lock, on another thread.
        self._lock = threading.Lock()
        self._load_lock = threading.Lock()
        self.index_report: IndexReport | None = None  # set when open_index had to build the index

    # -- loading -------------------------------------------------------------------------------

    def load_embedder(self) -> Embedder:
        with self._load_lock:
            if self.embedder is None:
                self.embedder = make_embedder(self.settings.embedder, self.settings.threads)
            return self.embedder

    def open_index(self) -> Store:
        """The index in use; opened on first call, and built from `settings.corpus` when there is none yet.

        A mismatched embedder is reported before the embedder loads (torch takes a minute to import).
        """
        if self.store is None:
            try:
                store = open_index(self.settings)
            except IndexMissingError:
                if not self.settings.corpus.exists():
                    raise
                self.index_report = build_index(
                    [self.settings.corpus], self.settings, embedder=self.load_embedder(), show_progress=self.show_progress
                )
                store = open_index(self.settings)
            expected = embedder_name(self.settings.embedder)
            if store.manifest.embedder != expected:
                raise IndexMismatchError(
                    f"the index at {self._index_location()} was built with {store.manifest.embedder}, "
                    f"but the embedder in use is {expected}; run `rag index` to rebuild it"
                )
            self.store = store
        return self.store

    def _index_location(self) -> str:
        return str(self.settings.index_dir) if self.settings.store == "local" else self.settings.store

    def load_generator(self) -> Generator:
        with self._load_lock:
            if self.generator is None:
                self.generator = load_generator(
                    self.settings.model,
                    backend=self.settings.backend,
                    base_url=self.settings.base_url,
                    cache_dir=self.settings.cache_dir,
                    context_tokens=self.settings.context_tokens,
                    threads=self.settings.threads,
                    show_progress=self.show_progress,
                )
                self.generator.cache_prefix(SYSTEM_PROMPT, self.settings.cache_dir / "prompt-state")
            return self.generator

    def preload(self) -> threading.Thread:
        """Start loading the answer model in the background (overlaps with index loading and retrieval)."""
        thread = threading.Thread(target=self._preload_generator, daemon=True)
        thread.start()
        return thread

    def _preload_generator(self) -> None:
        try:
            self.load_generator()
        except Exception:  # noqa: BLE001 - the same error is raised again, on the caller's thread, when the model is needed
            return

    def reload_index(self) -> None:
        """Pick up a rebuilt index (after `build_index`) for the next question."""
        with self._lock:
            self.store = None
            self._retriever = None

    def _document_periods(self, store: Store) -> Callable[[str], list[Period]]:
        """Periods of each document of `store`, read once per loaded index."""
        if self._periods_store is not store:
            self._periods_store, self._periods = store, periods_of_documents(store.documents)
        return self._periods

    def _retriever_for_store(self) -> Retriever:
        store = self.open_index()
        if self._retriever is None or self._retriever.store is not store:
            self._retriever = Retriever(store, self.load_embedder())
        return self._retriever

    # -- asking --------------------------------------------------------------------------------

    def search(self, query: str, top_k: int | None = None) -> list[Passage]:
        """The best passages for `query`; does not wait for an answer in progress."""
        return self._retriever_for_store().search(query, top_k or self.settings.top_k, self.settings.candidates)

    def ask(self, question: str, *, history: Sequence[tuple[str, str]] = (), top_k: int | None = None) -> Answer:
        """The whole answer at once."""
        for event in self.ask_stream(question, history=history, top_k=top_k):
            if isinstance(event, Answer):
                return event
        raise AssertionError("ask_stream ended without an Answer")

    def ask_stream(
        self, question: str, *, history: Sequence[tuple[str, str]] = (), top_k: int | None = None
    ) -> Iterator[Event]:
        """The passages the model will read, then verified answer text as it is produced, then the `Answer`."""
        question = validate_question(question, self.settings.max_question_chars)
        if top_k is not None and top_k < 1:
            raise InputError(f"top_k must be at least 1, not {top_k}")
        run = _AnswerRun(self, question, list(history)[-HISTORY_TURNS:], top_k or self.settings.top_k)
        # Reading needs no model, so a question waiting for the model already shows what it will read.
        reading = run.read()
        yield SourcesEvent(reading.passages)
        if reading.uncovered is not None:
            yield from run.abstain(reading)
            return
        with self._lock:
            yield from run.answer(reading)


def validate_question(question: str, max_chars: int) -> str:
    text = (question or "").strip()
    if not text:
        raise InputError("the question is empty; ask something, e.g. rag ask \"What does the report say about X?\"")
    if len(text) > max_chars:
        raise InputError(f"the question is {len(text)} characters long; the limit is {max_chars}")
    return text


class _AnswerRun:
    """Answering one question: `read()` without the model, then `answer()` (or `abstain()`) with it."""

    def __init__(self, pipeline: Pipeline, question: str, history: list[tuple[str, str]], top_k: int) -> None:
        self.pipeline = pipeline
        self.question = question
        self.history = history
        self.top_k = top_k
        self.composer = Composer()
        self.verified: list[VerifiedClaim] = []
        self.dropped: list[DroppedClaim] = []
        self.repairs: list[Repair] = []
        self.started = time.perf_counter()
        self.first_text_at: float | None = None

    def read(self) -> _Reading:
        """Retrieve, check the scope, and focus the passages: everything before the model."""
        pipeline, settings = self.pipeline, self.pipeline.settings
        retriever = pipeline._retriever_for_store()
        embedder = pipeline.load_embedder()
        query = " ".join([self.history[-1][0], self.question]) if self.history else self.question
        pool = retriever.search(query, max(self.top_k, CONFLICT_POOL), settings.candidates)
        passages = pool[: self.top_k]
        retrieve_ms = (time.perf_counter() - self.started) * 1000
        store = retriever.store
        profiles = {source: entry.profile for source, entry in store.manifest.files.items() if entry.profile}
        scope = Scope.of(self.question, profiles, self.pipeline._document_periods(store))
        # Periods and figures of the question are looked for in whole passages; the model sees only their best sentences.
        uncovered = scope.uncovered_note(passages) if passages else ""
        if uncovered is not None:
            return _Reading(store, pool, passages, retrieve_ms, scope, [], None, uncovered, passages)
        absent = absent_premises(self.question, passages)
        if rows := retriever.bracket_rows(premise_figures(self.question), settings.candidates):
            # Bracket rows that hold a figure of the question ("60,400 60,450 ..." for $60,425) join the pool,
            # where table lookups look, every document's; the model reads those of figures no passage states first.
            found = {(row.chunk.source, row.chunk.start) for row in rows}
            pool = rows + [p for p in pool if (p.chunk.source, p.chunk.start) not in found]
            if absent:
                shown = [row for row in rows if any(brackets.holds(q, row.chunk.text) for q in absent)][: len(absent)]
                seen = {(row.chunk.source, row.chunk.start) for row in shown}
                passages = (shown + [p for p in passages if (p.chunk.source, p.chunk.start) not in seen])[: self.top_k]
                absent = absent_premises(self.question, passages)
        question_vector = embedder.embed([self.question])[0]
        focused = focus_passages(self.question, question_vector, passages, embedder, settings.passage_chars)
        return _Reading(store, pool, focused, retrieve_ms, scope, absent, question_vector, None, passages)

    def abstain(self, reading: _Reading) -> Iterator[Event]:
        """The answer when no passage is about what the question names: no model needed."""
        yield self._delta(self.composer.add_plain(f"{NOT_IN_DOCUMENTS} {reading.uncovered or ''}".strip(), coverage=True))
        generator = self.pipeline.generator
        model = generator.name if generator else self.pipeline.settings.model
        yield self._answer(reading.passages, model, reading.retrieve_ms, abstained=True)

    def answer(self, reading: _Reading) -> Iterator[Event]:
        """Look a table value up by code, or generate; gate each claim as it arrives; find conflicts; compose."""
        embedder, store, passages = self.pipeline.load_embedder(), reading.store, reading.passages
        scale = measure_scale(
            reading.question_vector, [p.chunk.embedding_text() for p in passages], background_sample(store.vectors), embedder
        )
        gate = ClaimGate(
            self.question,
            passages,
            relevance=lambda statement: float(scale.of_vectors(embedder.embed([statement]))[0]),
            scope=reading.scope,
            evidence=Evidence({p.chunk.source: store.instruction_spans(p.chunk.source) for p in reading.pool}),
            pool=reading.whole,
        )
        calculation = yield from self._look_up(reading, gate)
        looked_up = bool(self.verified)
        loaded = self.pipeline.generator
        model = loaded.name if loaded else self.pipeline.settings.model
        if not looked_up:
            generator = self.pipeline.load_generator()
            model = generator.name
            calculation = yield from self._model_claims(generator, reading, gate)
        # A lookup read the row of every document that has one: only its own cells can disagree. Figures an
        # answer subtracted are what the question compares, not sources that disagree; so are the figures of a
        # question about two things ("how many more A than B", "A and B each"), which differ as the things do.
        cited = {span.source for claim in self.verified for span in claim.spans}
        candidates = [p for p in reading.pool if p.chunk.source in cited] if looked_up else reading.pool
        conflict = False
        compares = calculation is not None or any(n.derived for c in self.verified for n in c.numbers)
        if not compares and not asks_about_two(self.question):
            conflict = yield from self._emit_conflicts(candidates, scale, reading.scope)
        if any(d.kind is RejectionKind.INSTRUCTION for d in self.dropped):
            yield from self._emit_plain(INSTRUCTION_NOTE)
        # A statement that the documents do not cover something ends the answer; a figure that a verified
        # claim cites (a numbered column's "2" for "two children") is covered.
        cited_values = {n.quantity.value for claim in self.verified for n in claim.numbers if not n.derived}
        if absent := [q for q in reading.absent if q.value not in cited_values]:
            yield from self._emit_plain(f"The documents do not mention {', '.join(q.text for q in absent)}.")

        abstained = not self.verified and calculation is None
        if abstained and not self.composer.parts:
            yield from self._emit_plain(NOT_IN_DOCUMENTS)
        yield self._answer(passages, model, reading.retrieve_ms, abstained=abstained, conflict=conflict)

    def _look_up(self, reading: _Reading, gate: ClaimGate) -> Iterator[TextDelta]:
        """Answer by code, no model: a bracket-table lookup (`lookup.py`), else the cell of a written-out row
        the question names by row and column (`cells.py`: a small model reading a table of like rows often
        copies a neighbouring row's), else the definition of a code-like name it gives (`definitions.py`);
        returns the difference of two cells when the question asks for it."""
        claims = table_lookups(self.question, premise_figures(self.question), reading.pool, reading.store.documents)
        pool_gate = gate.over(reading.pool)
        if not claims:
            cells = (
                cell_claims(self.question, reading.pool) or compared_rows(self.question, reading.pool)
                or defined_values(self.question, reading.pool, reading.store.documents)
            )
            checked = [pool_gate.check(claim) for claim in cells]
            if not any(isinstance(claim, VerifiedClaim) for claim in checked):
                self.dropped += [claim for claim in checked if isinstance(claim, DroppedClaim)]
                return None  # the model answers; the same cells would fail the same gate again
            for claim in checked:
                yield from self._show(claim)
            calculation = self._implied(reading, reading.pool, pool_gate)
            if calculation:
                yield from self._emit_calculation(calculation)
            return calculation
        for claim in claims:
            yield from self._show(pool_gate.admit(claim))
        # Each operand passed the gate as its own claim, its column or row chosen by its side's words or figure.
        calculation = lookup_difference(self.question, self.verified)
        if calculation:
            yield from self._emit_calculation(calculation)
        return calculation

    def _model_claims(self, generator: Generator, reading: _Reading, gate: ClaimGate) -> Iterator[TextDelta]:
        """Generate (twice when the first reply cited the wrong passages), gate, calculate; returns the calculation."""
        passages = reading.passages
        reply = yield from self._generate(generator, gate, passages, quiet=bool(reading.absent))
        shown_gate = gate
        closer = self._second_look(reply, gate, passages, reading.scope)
        if closer:
            passages, gate = closer, gate.over(closer)
            reply = yield from self._generate(generator, gate, passages, quiet=bool(reading.absent))
        # Code looks for the two sides' figures in every retrieved passage, not only in what the model read.
        pool = reading.pool
        pool_gate = shown_gate.over(pool)
        calculation = self._calculate(reply.reply.calculation, passages, gate) or self._calculate(
            proposed_comparison(self.question, pool), pool, pool_gate
        )
        for claim in reply.pending:
            yield from self._try_claim(gate, claim, calculation, None)
        # A side of "the A and B hotels" no claim speaks of: its documents' field of the asked kind, read by code.
        if unanswered := unanswered_documents(self.question, self.verified, {p.chunk.source for p in pool}, reading.scope):
            for field in field_claims(self.question, unanswered, pool):
                yield from self._show(pool_gate.admit(field))
        # A side of "how much more A than B" or "A, and B?" no claim speaks of: the sentence that names it and
        # states one figure of the asked kind, read by code (a small model shown it again still leaves it out);
        # when nothing stood, both sides or neither.
        if self.verified or calculation is None:
            found = side_claims(self.question, self.verified, pool, reading.store.documents)
            sides = [pool_gate.admit(side) for side in found]
            shown = sides if all(isinstance(side, VerifiedClaim) for side in sides) else []
            self.dropped += [side for side in sides if isinstance(side, DroppedClaim)]
            for side in shown:
                yield from self._show(side)
        # Nothing the model wrote stood: the two cells of one row whose columns the question compares, read by
        # code (the cell a question names by row and column was read before the model, `_look_up`).
        if not self.verified and calculation is None:
            calculation = yield from self._compare_cells(pool_gate, gate)
        # "How many dollars will go to A?" of "It will spend $8 million. About 30% of this will go to A":
        # a stated share of a stated whole, multiplied by code (the model quotes the share, or divides it by itself);
        # "What share of the plan goes to A?" of "a $12 million plan, including $3 million for A": divided by code.
        if not self.verified and calculation is None:
            calculation = self._checked(
                share_of_amount(self.question, pool) or share_of_whole(self.question, pool), pool_gate
            )
        # "How many companies ...?" of "seven local firms have ...": a count the model passed over, read by code.
        if not self.verified and calculation is None and (count := counted_claim(self.question, pool)):
            yield from self._show(pool_gate.admit(count))
        # "How much did it fall between February and November?", "How many more A than B?", "What is the
        # range?": the claims state one figure for each date, each side, or each end, and code does the arithmetic.
        if calculation is None:
            calculation = self._implied(reading, [*passages, *pool], gate)
        if calculation and not any(n.derived for c in self.verified for n in c.numbers):
            yield from self._emit_calculation(calculation)
        return calculation

    def _implied(self, reading: _Reading, passages: list[Passage], gate: ClaimGate) -> CalculationResult | None:
        """The arithmetic the question asks of the verified claims: a change between two dates, the difference
        of two sides, a row's range, or an earlier period's level from a later one and its growth."""
        implied = (
            period_change(self.question, self.verified, reading.scope.profile_periods)
            or claimed_comparison(self.question, self.verified)
            or row_range(self.question, self.verified, passages)
            or earlier_level(self.question, self.verified)
        )
        return self._checked(implied, gate)

    def _compare_cells(self, pool_gate: ClaimGate, gate: ClaimGate) -> Iterator[TextDelta]:
        """"How many more male than female ...": each side's cell of the row, shown, and the calculation on them."""
        pair = compared_cells(self.question, pool_gate.passages)
        checked = [pool_gate.check(claim) for claim in pair or ()]
        if not checked or not all(isinstance(claim, VerifiedClaim) for claim in checked):
            self.dropped += [claim for claim in checked if isinstance(claim, DroppedClaim)]
            return None
        for claim in checked:
            yield from self._show(claim)
        first, second = (claim.numbers[-1] for claim in checked)
        return self._checked(side_difference(self.question, first, second), gate)

    def _second_look(
        self, reply: _GeneratedReply, gate: ClaimGate, passages: list[Passage], scope: Scope
    ) -> list[Passage]:
        """The passages to ask again with, when the model answered from the wrong passages; [] for none.

        A small model often cites the passage that names the question's subject over the one
        that states the figure ("the TikTok parent's project aims at 100,000 units"), copies
        the sentence worded most like the question from another year's report, and asked to
        compare two things it reports one. So it is asked once more, with only the passages
        that state a figure of the kind asked, when every claim it proposed gave no such figure;
        with only the passages of the subject and period asked, when every claim was of another;
        or with those that also name the side of a comparison no verified claim speaks of. The
        same gate checks the second reply; what the first one verified stays.
        """
        if reply.pending or reply.reply.calculation is not None or reply.reply.status == "not_in_documents":
            return []
        wrong_figure = {RejectionKind.NO_FIGURE, RejectionKind.WRONG_KIND, RejectionKind.OTHER_COLUMN, RejectionKind.OTHER_TABLE}
        wrong_scope = {RejectionKind.OTHER_PERIOD, RejectionKind.OTHER_SUBJECT}
        if not self.verified and reply.reply.claims and all(d.kind in wrong_figure for d in self.dropped):
            closer = [p for p in passages if gate.could_answer(p)]
        elif not self.verified and reply.reply.claims and all(d.kind in wrong_scope for d in self.dropped):
            whole = [passage_span(p, 0, len(p.chunk.text)) for p in passages]
            closer = [p for p, span in zip(passages, whole) if scope.span_refusal(span, passages) is None]
        elif self.verified and (missing := uncovered_side(self.question, [c.statement for c in self.verified])):
            cited = {(s.source, s.start) for c in self.verified for s in c.spans}
            closer = [
                p for p in passages
                if missing & content_stems(p.chunk.text) and gate.could_answer(p)
                and not any(p.chunk.source == source and p.chunk.start <= start < p.chunk.end for source, start in cited)
            ]
        else:
            return []
        return closer if len(closer) < len(passages) else []

    def _generate(
        self, generator: Generator, gate: ClaimGate, passages: list[Passage], *, quiet: bool
    ) -> Iterator[TextDelta]:
        """Stream the model's reply, showing each claim as soon as the gate passes it; returns the parsed reply."""
        settings = self.pipeline.settings
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
                if status == "false_premise" and not status_shown and not quiet:
                    status_shown = True
                    yield from self._emit_plain(FALSE_PREMISE_NOTE)
                claims = finished_claims(generated)
                for claim in claims[seen:]:
                    yield from self._try_claim(gate, claim, None, pending)
                seen = len(claims)
        reply = parse_reply(generated)
        # Claims the model proposed while saying the documents do not answer are not shown.
        if reply.status != "not_in_documents":
            for claim in reply.claims[seen:]:
                yield from self._try_claim(gate, claim, None, pending)
        return _GeneratedReply(reply, pending)

    def _try_claim(
        self,
        gate: ClaimGate,
        claim: ProposedClaim,
        calculation: CalculationResult | None,
        pending: list[ProposedClaim] | None,
    ) -> Iterator[TextDelta]:
        result = gate.check(claim, calculation)
        if isinstance(result, DroppedClaim) and pending is not None and result.kind is RejectionKind.NUMBER_NOT_IN_PASSAGE:
            pending.append(claim)  # may be a derived figure; retried once the calculation is known
            return
        yield from self._show(result)

    def _show(self, result: VerifiedClaim | DroppedClaim) -> Iterator[TextDelta]:
        """Add a gated claim to the answer, or record why it was dropped."""
        if isinstance(result, DroppedClaim):
            self.dropped.append(result)
            return
        if any(_repeats(result, earlier) for earlier in self.verified):
            return
        self.verified.append(result)
        self.repairs += [Repair(result.statement, r) for r in result.repairs]
        yield self._delta(self.composer.add(Segment(result.statement, result.spans, result.numbers)))

    def _calculate(
        self, proposed: Calculation | None, passages: list[Passage], gate: ClaimGate
    ) -> CalculationResult | None:
        """`proposed` (its operands' passages numbered in `passages`) done by code, if it passes the gate."""
        if proposed is None:
            return None
        return self._checked(calculate(as_asked(self.question, proposed), passages), gate)

    def _checked(self, result: CalculationResult | DroppedClaim | None, gate: ClaimGate) -> CalculationResult | None:
        """`result` if it passes the gate; a refused calculation is recorded in `dropped`."""
        if isinstance(result, CalculationResult):
            result = gate.check_calculation(result) or result
        if isinstance(result, DroppedClaim):
            self.dropped.append(result)
            return None
        return result

    def _emit_calculation(self, calc: CalculationResult) -> Iterator[TextDelta]:
        operand_spans = calc.first.spans + calc.second.spans
        result = CheckedNumber(calc.value, operand_spans, calc.expression)
        text = f"Computed from the cited figures: {calc.expression} = {calc.value.text}."
        # An operand's passage may back no claim of its own: the sentence cites every operand's passage.
        yield self._delta(self.composer.add(Segment(text, operand_spans, [calc.first, calc.second, result])))

    def _emit_conflicts(self, passages: list[Passage], scale: RelevanceScale, scope: Scope) -> Iterator[TextDelta]:
        """Report figures in `passages` of other documents that differ from the answer's; returns whether sources disagree."""
        conflict = find_conflict(
            self.question, self.verified, passages, self.pipeline.load_embedder(), scale,
            in_scope=lambda span: scope.span_refusal(span, passages) is None, document_periods=scope.profile_periods,
        )
        if conflict is None:
            return False
        for figure in conflict.from_passages:
            span = figure.spans[0]
            # The quote is the source's own words, so each of its other figures is vouched for by the same span.
            same = (figure.quantity.value, figure.quantity.unit)
            shown = _shorten(span.quote, figure.quantity.text)  # a prefix of the quote: its figures, as shown, are the quote's
            quoted = [CheckedNumber(q, [span]) for q in parse_quantities(shown) if (q.value, q.unit) != same]
            sentence = f"Another source gives {figure.quantity.text}: \"{shown}\""
            yield self._delta(self.composer.add(Segment(sentence, [span], [figure, *quoted])))
        yield self._delta(self.composer.add(self._conflict_summary(conflict.anchors + conflict.others)))
        return True

    def _conflict_summary(self, figures: list[CheckedNumber]) -> Segment:
        """Each disagreeing figure with its citation and the years its quote gives, and what differs between them
        (their dates; which are estimates).

        Only figures of a unit that more than one source gives are listed: the anchor claim's
        other figures ("a two-pronged plan", its yuan amount beside dollar ones) do not disagree.
        """
        units = Counter(figure.quantity.unit for figure in figures)
        listed = [figure for figure in figures if units[figure.quantity.unit] >= 2]
        parts, dates, shown, estimates = [], set(), set(), []
        for figure in listed:
            span = figure.spans[0]
            citation = self.composer.cite(span)
            if (figure.quantity.value, figure.quantity.unit, citation) in shown:
                continue  # one passage writing the figure twice ("$22B" in its headline and its text) is one source
            shown.add((figure.quantity.value, figure.quantity.unit, citation))
            years = tuple(sorted({int(q.value) for q in parse_quantities(span.quote) if q.unit == "year"}))
            dates.add(years)
            when = f" ({', '.join(map(str, years))})" if years else ""
            parts.append(f"{figure.quantity.text} [{citation}]{when}")
            if is_estimate(figure):
                estimates.append(f"[{citation}]")
        differences = ["they are dated differently"] if len(dates) > 1 else []
        if estimates and len(estimates) < len(parts):
            verb = "is an estimate" if len(estimates) == 1 else "are estimates"
            differences.append(f"{' and '.join(estimates)} {verb}")
        differ = "; ".join(differences) if differences else "they may differ in scope"
        differ = f"{differ[0].upper()}{differ[1:]}; see each quote."
        return Segment(f"The sources disagree: {'; '.join(parts)}. {differ}", [], listed)

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
            NumberCheck(q.text, q.value, q.unit, supported=False, start=q.start, end=q.end)
            for q in unsupported_numbers(text, self.composer.numbers, self.composer.coverage)
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


@dataclass(frozen=True)
class _Reading:
    """What answering a question needs before the model: the passages, and what the question names."""

    store: Store
    pool: list[Passage]  # the retrieved candidates, searched for conflicting figures
    passages: list[Passage]  # what the model reads (focused)
    retrieve_ms: float
    scope: Scope
    absent: list[Quantity]  # figures of the question no passage states
    question_vector: np.ndarray | None
    uncovered: str | None  # not None: no passage is about what the question names; the note says so
    whole: list[Passage]  # what the model reads, before focus: the whole chunks


@dataclass(frozen=True)
class _GeneratedReply:
    """The model's parsed reply and the claims held back until the calculation is known."""

    reply: Reply
    pending: list[ProposedClaim]


def _repeats(claim: VerifiedClaim, earlier: VerifiedClaim) -> bool:
    """Whether `claim` says nothing `earlier` did not: its statement is the earlier one's, or part of it (the
    model's sentence after code quoted the whole sentence it comes from)."""
    return " ".join(claim.statement.lower().split()).rstrip(".") in " ".join(earlier.statement.lower().split())


def _shorten(quote: str, figure: str, limit: int = 160) -> str:
    """A prefix of `quote` (spaces folded) of about `limit` characters that reaches past `figure`, the figure
    it is quoted for ("will be $430,121,365 and its expenditures $458,121,365, ..." shows the second)."""
    quote = " ".join(quote.split())
    if (at := quote.find(figure)) >= 0:
        limit = max(limit, at + len(figure) + _AFTER_FIGURE)
    return quote if len(quote) <= limit else quote[: limit - 1].rsplit(" ", 1)[0] + "…"


_default: Pipeline | None = None


def ask(question: str, settings: Settings | None = None) -> Answer:
    """Answer one question with a process-wide pipeline (models load on the first call)."""
    global _default
    if _default is None or (settings is not None and _default.settings != settings):
        from rag.config import load_settings

        _default = Pipeline(settings or load_settings())
    return _default.ask(question)

