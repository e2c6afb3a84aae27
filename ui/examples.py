"""Example questions drawn from the indexed documents themselves, so they fit any corpus.

A figure in a document is usually followed by what it measures: "$12 billion toward
AI infrastructure", "40% of the orders". The words after such a figure's
preposition make a topic the documents have numbers about, hence a question they
can answer. Documents without figures contribute their titles instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rag.numbers import parse_quantities

_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]|$)")
_TOKEN = re.compile(r"[A-Za-z][\w'’-]*|\S")
_PARENTHESIS = re.compile(r"^\s*\([^)]*\)")  # a conversion after a figure: "160 billion yuan (US$22 billion)"
_LEADS = {"in", "on", "for", "toward", "towards", "into", "of"}
_DETERMINERS = {"the", "a", "an", "these", "those", "this", "that", "its", "their", "his", "her", "our"}
_STOPS = _LEADS | _DETERMINERS | {
    "to", "by", "with", "and", "or", "from", "at", "as", "during", "within", "while", "which", "than", "per",
    "over", "under", "between", "is", "are", "was", "were", "will", "would", "has", "have", "had", "be",
    "can", "could", "may", "might", "should", "goes", "go", "went", "comes", "come", "came", "makes", "made",
}
_MAX_TOPIC_WORDS = 4
_MAX_TITLE_CHARS = 80


def example_questions(documents: Mapping[str, str], titles: Mapping[str, str], limit: int = 4) -> list[str]:
    """Up to `limit` questions, at most one per document, in corpus order."""
    questions: list[str] = []
    seen: set[str] = set()
    for source, text in documents.items():
        topic = next((t for t in figure_topics(text) if t.lower() not in seen), None)
        if topic:
            seen.add(topic.lower())
            questions.append(f"What do the documents say about {topic}?")
        elif (title := titles.get(source, "").strip()) and len(title) <= _MAX_TITLE_CHARS:
            questions.append(f"What does “{title.rstrip('.')}” report?")
        if len(questions) == limit:
            break
    return questions


def figure_topics(text: str) -> list[str]:
    """Noun phrases that follow a figure and a preposition, e.g. "AI infrastructure"; calendar years don't count."""
    topics = []
    for sentence in _SENTENCE.findall(text):
        for quantity in parse_quantities(sentence):
            if quantity.unit in ("year", ""):
                continue
            topic = _phrase_after(sentence[quantity.end :])
            if topic:
                topics.append(topic)
    return topics


def _phrase_after(rest: str) -> str | None:
    tokens = _TOKEN.findall(_PARENTHESIS.sub("", rest))
    if not tokens or tokens[0].lower() not in _LEADS:
        return None
    article = ""
    words: list[str] = []
    for token in tokens[1:]:
        lower = token.lower()
        if not words and lower in _DETERMINERS:
            article = "the " if lower == "the" else ""  # "the budget" reads well alone, "these orders" does not
            continue
        if not token[0].isalpha() or lower in _STOPS or (words and lower.endswith(("ed", "ly"))):
            break  # a verb or an adverb ends the noun phrase
        words.append(token)
        if len(words) == _MAX_TOPIC_WORDS:
            break
    return article + " ".join(words) if words else None
