"""The grammar-first greedy decoder against llama.cpp's own grammar sampler, on a real model."""

from __future__ import annotations

import json

import pytest

from rag.answering.prompt import answer_schema
from rag.config import load_settings
from rag.errors import ModelError
from rag.generation import load_generator

pytestmark = pytest.mark.slow

FACT = [
    {"role": "system", "content": "Answer from the passage, in JSON."},
    {"role": "user", "content": "[1] Northwind employs 12,000 people in 40 countries.\nQuestion: How many people does Northwind employ?"},
]
# The model's first choice would be prose, which the grammar rejects: the whole vocabulary gets filtered.
GREETING = [{"role": "user", "content": "Say hello to me in one friendly sentence."}]
GREETING_SCHEMA = {"type": "object", "properties": {"greeting": {"enum": ["hi", "hello"]}}, "required": ["greeting"]}


@pytest.fixture(scope="module")
def fast_model():
    settings = load_settings()
    return load_generator("fast", cache_dir=settings.cache_dir, context_tokens=1024, threads=settings.threads, show_progress=False)


@pytest.mark.parametrize(
    ("messages", "schema"),
    [(FACT, answer_schema(1, with_calculation=False)), (GREETING, GREETING_SCHEMA), (FACT, None)],
    ids=["answer-schema", "grammar-rejects-first-choice", "no-grammar"],
)
def test_same_reply_as_llama_cpp_grammar_sampling(fast_model, messages, schema):
    llm = fast_model._llm
    llm.reset()
    response_format = {"type": "json_object", "schema": schema} if schema else None
    reference = llm.create_chat_completion(messages, response_format=response_format, temperature=0.0, max_tokens=80)
    expected = reference["choices"][0]["message"]["content"]
    llm.reset()
    got = "".join(fast_model.stream(messages, schema=schema, max_tokens=80))
    assert got == expected
    if schema:
        assert set(json.loads(got)) >= set(schema["required"])


def test_a_repeated_prompt_is_read_from_the_kv_cache(fast_model, monkeypatch):
    first = "".join(fast_model.stream(FACT, schema=None, max_tokens=20))
    evaluated: list[int] = []
    real_eval = fast_model._llm.eval
    monkeypatch.setattr(fast_model._llm, "eval", lambda tokens: (evaluated.append(len(tokens)), real_eval(tokens))[1])
    assert "".join(fast_model.stream(FACT, schema=None, max_tokens=20)) == first
    assert evaluated[0] == 1  # only the prompt's last token is read again, to refresh the logits


def test_prompt_longer_than_the_context_is_a_model_error(fast_model):
    huge = [{"role": "user", "content": "word " * 2000}]
    with pytest.raises(ModelError, match="does not fit"):
        list(fast_model.stream(huge, schema=None, max_tokens=10))
