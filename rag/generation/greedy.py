"""Greedy decoding under a grammar that tests the model's best token first.

llama-cpp-python's sampler chain runs the grammar over the whole vocabulary (151k
entries for Qwen) before every token, which took generation from 14.7 to 8.5
tokens/s on a 2-core CPU. Greedy decoding only needs the best token the grammar
allows, and that is almost always the model's own best token: so that token
alone is checked, and the whole vocabulary is filtered only when the grammar
rejects it (0-2 times an answer). The tokens chosen are the ones llama.cpp's own
grammar sampler would choose.
"""

from __future__ import annotations

import codecs
import ctypes
from collections.abc import Iterator

import llama_cpp
import numpy as np

from rag.errors import ModelError

# The layout of llama.cpp's llama_token_data, so the whole vocabulary can be filtered in place.
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)], align=True)


class GrammarSampler:
    """A llama.cpp grammar's state while one reply is generated."""

    def __init__(self, llm: llama_cpp.Llama, grammar: str) -> None:
        self._handle = llama_cpp.llama_sampler_init_grammar(llm._model.vocab, grammar.encode("utf-8"), b"root")
        if not self._handle:
            raise ModelError("llama.cpp could not compile the reply grammar")
        self._one = (llama_cpp.llama_token_data * 1)()
        self._vocabulary = np.zeros(llm.n_vocab(), dtype=_TOKEN_DATA)
        self._vocabulary["id"] = np.arange(llm.n_vocab(), dtype=np.int32)

    def best_allowed(self, logits: np.ndarray) -> int:
        """The highest-scoring token the grammar allows next."""
        best = int(logits.argmax())
        self._one[0].id, self._one[0].logit = best, 0.0
        self._apply(self._one, 1)
        if self._one[0].logit != -np.inf:
            return best
        self._vocabulary["logit"] = logits
        self._apply(self._vocabulary.ctypes.data_as(ctypes.POINTER(llama_cpp.llama_token_data)), len(logits))
        return int(self._vocabulary["logit"].argmax())

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self._handle, token)

    def close(self) -> None:
        if self._handle:
            llama_cpp.llama_sampler_free(self._handle)
            self._handle = None

    def _apply(self, data, size: int) -> None:
        """Set the logit of every token the grammar rejects to -inf."""
        array = llama_cpp.llama_token_data_array(data=data, size=size, selected=-1, sorted=False)
        llama_cpp.llama_sampler_apply(self._handle, ctypes.byref(array))


def generate(llm: llama_cpp.Llama, prompt: list[int], *, grammar: str | None, max_tokens: int) -> Iterator[str]:
    """Decode greedily after `prompt`, reusing the KV cache of the longest prefix it shares with the last prompt."""
    room = llm.n_ctx() - len(prompt)
    if room <= 0:
        raise ModelError(f"the prompt ({len(prompt)} tokens) does not fit the model's context of {llm.n_ctx()} tokens")
    _feed_prompt(llm, prompt)
    sampler = GrammarSampler(llm, grammar) if grammar else None
    vocab = llm._model.vocab
    text = codecs.getincrementaldecoder("utf-8")(errors="replace")
    try:
        for _ in range(min(max_tokens, room)):
            logits = np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm._ctx.ctx, -1), shape=(llm.n_vocab(),))
            token = sampler.best_allowed(logits) if sampler else int(logits.argmax())
            if llama_cpp.llama_vocab_is_eog(vocab, token):
                break
            if sampler:
                sampler.accept(token)
            if piece := text.decode(llm.detokenize([token])):
                yield piece
            llm.eval([token])
        if tail := text.decode(b"", final=True):
            yield tail
    finally:
        if sampler:
            sampler.close()


def _feed_prompt(llm: llama_cpp.Llama, prompt: list[int]) -> None:
    """Evaluate the part of `prompt` the KV cache does not hold yet (at least its last token, for fresh logits)."""
    cached = 0
    for held, wanted in zip(llm.input_ids[: llm.n_tokens], prompt):
        if held != wanted:
            break
        cached += 1
    llm.n_tokens = min(cached, len(prompt) - 1)
    llm.eval(prompt[llm.n_tokens :])
