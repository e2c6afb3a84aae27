"""A count a sentence writes before another word for the noun the question counts, read by code."""

from __future__ import annotations

from rag.answering.counted import counted_claim
from rag.answering.expected import counted_nouns
from rag.types import Chunk, Passage

_STORY = (
    "The valley's wine trade grew fast. At least seven local firms have exported more than 5,000 cases each, "
    "including two that shipped 12,000 cases to 40 buyers. Growers expect a larger harvest."
)


def passage(text: str) -> Passage:
    return Passage(Chunk("news/valley.txt", text, 0, len(text), 1, 1, ""), score=1.0)


def _count(question: str, text: str = _STORY) -> str | None:
    found = counted_claim(question, [passage(text)])
    return found.statement if found else None


def test_what_how_many_counts_is_the_phrases_last_noun_with_its_group():
    assert {"company", "firm"} <= counted_nouns("How many local wine companies have exported more than 5,000 cases?")
    assert counted_nouns("How many employees does the winery have?") >= {"employee", "worker"}
    assert counted_nouns("How many yuan did it spend?") == set()
    assert counted_nouns("How many times larger is the harvest?") == set()


def test_a_spelled_count_of_another_word_for_the_counted_noun_answers():
    found = _count("How many local wine companies have exported more than 5,000 cases each?")
    assert found is not None and found.startswith("At least seven local firms")


def test_a_figure_the_question_gives_is_not_the_count():
    # 5,000 cases is the question's own figure: the one other count of cases answers.
    found = _count("Of the local firms that exported more than 5,000 cases each, how many cases did the top two ship?")
    assert found is not None and "12,000 cases" in found


def test_a_sentence_that_names_too_few_of_the_questions_words_answers_nothing():
    assert _count("How many companies make olive oil in the northern hills?") is None


def test_two_counts_of_the_noun_in_one_sentence_are_ambiguous():
    text = "Seven local firms exported wine in 2023 and nine local firms exported wine in 2024."
    assert _count("How many local firms exported wine?", text) is None
