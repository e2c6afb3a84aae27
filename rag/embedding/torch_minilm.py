"""all-MiniLM-L6-v2 through sentence-transformers and torch: the reference embedder.

Slower to start (torch import) than the ONNX one; kept as the reference the
int8 model is checked against, and for users who prefer full precision.
"""

from __future__ import annotations

import numpy as np

from rag.embedding.base import Embedder
from rag.embedding.minilm_files import DIM, sentence_transformer_dir

BATCH_SIZE = 64


class TorchMiniLM(Embedder):
    name = "all-MiniLM-L6-v2"
    dim = DIM

    def __init__(self, threads: int) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        torch.set_num_threads(threads)
        self._model = SentenceTransformer(str(sentence_transformer_dir()), device="cpu", local_files_only=True)

    def embed(self, texts: list[str]) -> np.ndarray:
        vectors = self._model.encode(
            texts, batch_size=BATCH_SIZE, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)
