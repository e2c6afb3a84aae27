"""Where an index lives: the `Store`/`StoreWriter` seam (base.py), chosen by `Settings.store` (factory.py).

The local folder (store.py, local.py: layout and atomic swap, manifest, FAISS and BM25
parts) is the default; Milvus (milvus.py) is the scale-out store.
"""
