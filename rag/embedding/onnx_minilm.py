"""all-MiniLM-L6-v2 as an int8 ONNX graph: the default embedder.

Why not sentence-transformers here: importing torch alone costs seconds, which a
cold `rag search` cannot afford, and int8 matmuls with length-sorted batches
(no padding to the longest text of the whole corpus) embed faster on a 2-core CPU.
Vectors stay within about 0.005 cosine of the torch model's.
"""

from __future__ import annotations

import numpy as np

from rag.embedding.base import Embedder
from rag.embedding.minilm_files import DIM, MAX_TOKENS, int8_onnx_file, sentence_transformer_dir

BATCH_SIZE = 32  # length-sorted, so a batch pads only to its own longest text


class OnnxMiniLM(Embedder):
    name = "all-MiniLM-L6-v2-int8-onnx"
    dim = DIM

    def __init__(self, threads: int) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(sentence_transformer_dir() / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # tokenizer.json pads to a fixed width; we pad per batch instead
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(int8_onnx_file()), options, providers=["CPUExecutionProvider"]
        )

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch(texts)
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for begin in range(0, len(order), BATCH_SIZE):
            batch = order[begin : begin + BATCH_SIZE]
            out[batch] = self._embed_batch([encodings[i] for i in batch])
        return out

    def _embed_batch(self, encodings: list) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, encoding in enumerate(encodings):
            ids[row, : len(encoding.ids)] = encoding.ids
            mask[row, : len(encoding.ids)] = 1
        (hidden,) = self._session.run(
            ["last_hidden_state"], {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )
        # Mean pooling over real tokens, then L2 normalisation: the model's own pooling config.
        summed = (hidden * mask[:, :, None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
