"""The on-disk index: layout and atomic swap, manifest, dense (FAISS) and lexical (BM25) parts."""
