"""Hugging Face transformers as the generator: a checkpoint folder, or a GGUF file read by transformers.

For a machine with a CUDA GPU (used when torch sees one), or for a model llama.cpp cannot
run. A GGUF file is dequantized on loading (transformers' `gguf_file=`), so it takes
about four bytes a weight in memory on the CPU: the fast model's 0.5B weights need
about 2 GB. The reply is held to the JSON schema by xgrammar: before each token, the
tokens the grammar cannot accept are masked out of the logits, then the best one is
taken (greedy, as with llama.cpp). xgrammar was chosen over lm-format-enforcer and
outlines for its speed (see README, "Generator backends").
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import transformers
import xgrammar

from rag.errors import ModelError
from rag.generation.base import Generator
from rag.generation.model_files import resolve_model


class TransformersGenerator(Generator):
    def __init__(self, model: Any, tokenizer: Any, name: str) -> None:
        self.name = name
        self._model = model
        self._tokenizer = tokenizer
        self._device = next(model.parameters()).device
        vocab_size = model.get_output_embeddings().weight.shape[0]  # may exceed the tokenizer's (padding rows)
        self._vocab_size = vocab_size
        self._grammar_compiler = xgrammar.GrammarCompiler(
            xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=vocab_size)
        )
        self._grammars: dict[str, Any] = {}  # compiled per schema (0.2 s each); a schema depends on the passage count
        eos = {tokenizer.eos_token_id, *(_as_list(getattr(model.generation_config, "eos_token_id", None)))}
        self._stop_tokens = {t for t in eos if t is not None}

    @classmethod
    def load(cls, spec: str, *, cache_dir: Path, threads: int, show_progress: bool = True) -> TransformersGenerator:
        """`spec`: a checkpoint folder (config.json and weights), a .gguf file, or `default`/`fast` (their GGUF)."""
        folder = Path(spec).expanduser()
        if folder.is_dir():
            gguf, name = None, folder.name
        else:
            model_file = resolve_model(spec, cache_dir / "models", show_progress=show_progress)
            folder, gguf, name = model_file.path.parent, model_file.path.name, model_file.name
        cuda = torch.cuda.is_available()
        if not cuda:
            torch.set_num_threads(threads)
        try:
            tokenizer = _tokenizer(folder, gguf, cache_dir / "transformers" / f"{name}-tokenizer")
            model = transformers.AutoModelForCausalLM.from_pretrained(
                folder, gguf_file=gguf, local_files_only=True, dtype=torch.bfloat16 if cuda else torch.float32
            )
        except (OSError, ValueError, KeyError, RuntimeError) as exc:
            raise ModelError(f"transformers could not load {folder / (gguf or '')}: {exc}") from None
        if not tokenizer.chat_template:
            raise ModelError(f"{name} has no chat template; rag needs an instruction-tuned (chat) model")
        model = model.to("cuda" if cuda else "cpu").eval()
        return cls(model, tokenizer, f"{name} (transformers, {'cuda' if cuda else 'cpu'})")

    def stream(self, messages: list[dict[str, str]], *, schema: dict[str, Any] | None, max_tokens: int) -> Iterator[str]:
        prompt = self._tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        ids = self._tokenizer(prompt, return_tensors="pt", add_special_tokens=False).input_ids.to(self._device)
        matcher = xgrammar.GrammarMatcher(self._grammar(schema)) if schema else None
        bitmask = xgrammar.allocate_token_bitmask(1, self._vocab_size) if matcher else None
        generated: list[int] = []
        shown = ""
        past = transformers.DynamicCache()
        with torch.inference_mode():
            for _ in range(max_tokens):
                output = self._model(input_ids=ids, past_key_values=past, use_cache=True)
                past = output.past_key_values
                logits = output.logits[0, -1:, :].float()
                if matcher is not None:
                    matcher.fill_next_token_bitmask(bitmask)
                    xgrammar.apply_token_bitmask_inplace(logits, bitmask.to(logits.device))
                token = int(logits[0].argmax())
                if token in self._stop_tokens or (matcher is not None and not matcher.accept_token(token)):
                    break
                generated.append(token)
                text = self._tokenizer.decode(generated, skip_special_tokens=True)
                if not text.endswith("\ufffd") and len(text) > len(shown):  # a character split across tokens waits
                    yield text[len(shown) :]
                    shown = text
                if matcher is not None and matcher.is_terminated():
                    break
                ids = torch.tensor([[token]], device=self._device)


    def _grammar(self, schema: dict[str, Any]) -> Any:
        """The compiled grammar of `schema`: compact JSON (no free whitespace, which a small model may pad with)."""
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            self._grammars[key] = self._grammar_compiler.compile_json_schema(json.dumps(schema), any_whitespace=False)
        return self._grammars[key]


def _tokenizer(folder: Path, gguf: str | None, saved: Path) -> Any:
    """The model's tokenizer. Converting a GGUF file's vocabulary takes over a minute on 2 cores,
    so the converted tokenizer is saved in the cache folder and read from there next time."""
    if gguf is None:
        return transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
    if (saved / "tokenizer.json").is_file():
        return transformers.AutoTokenizer.from_pretrained(saved, local_files_only=True)
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder, gguf_file=gguf, local_files_only=True)
    tmp = saved.with_name(f"{saved.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer.save_pretrained(tmp)
    shutil.rmtree(saved, ignore_errors=True)
    os.replace(tmp, saved)
    return tokenizer


def _as_list(value: int | list[int] | None) -> list[int | None]:
    return value if isinstance(value, list) else [value]
