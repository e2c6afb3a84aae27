"""Milvus as a store: dense vectors and BM25 full-text search in one collection, fused by RRF in the server.

`milvus:PATH` is Milvus Lite (embedded, one process); `milvus://HOST:PORT` a Milvus standalone
or cluster. Two collections:
- `rag_chunks`: one row per chunk with everything a citation needs (text, source, offsets,
  lines, page, context, about), its vector, and `lexical`, the text the BM25 function reads;
- `rag_texts`: the manifest and each document's full text, in parts below Milvus's
  VARCHAR limit.

The lexical text is `rag.store.lexical.tokenize` output, so both stores index the same terms:
figures stay whole ("6.8", "296"), scale letters become words ("22B" -> "22 billion").
Milvus's analyzers split "6.8" at the dot, so a token's dots and commas are written as
underscores, which every Milvus tokenizer (the standard one here) keeps inside a word.

Updates are per file: a file's new chunks (ids keyed by its sha256) are written before its
old ones are deleted, and the manifest last, so an interrupted `rag index` leaves each file
in its old or its new state, and re-running it finishes the job. One update at a time, as
with the local folder: `milvus_writer` holds an OS lock (flock) for the whole update.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ConfigError, IndexBusyError, IndexCorruptError, IndexMissingError, IndexWriteError
from rag.store.dense import HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH, HNSW_NEIGHBOURS
from rag.store.factory import StoreLocation
from rag.store.fusion import RRF_K
from rag.store.layout import file_lock
from rag.store.lexical import tokenize
from rag.store.manifest import FileEntry, Manifest
from rag.types import Chunk, Passage

CHUNKS = "rag_chunks"
TEXTS = "rag_texts"
_VARCHAR_MAX = 65_535  # Milvus's VARCHAR limit, in bytes
_PART_CHARS = 16_000  # at most 4 UTF-8 bytes a character: a part always fits in a VARCHAR
_WRITE_ROWS = 500  # rows per upsert: bounded request size
_VECTOR_SAMPLE = 256  # vectors the relevance scale samples (rag/answering/relevance.py BACKGROUND_SAMPLE)
_READ_PAGE = 1000
_NO_PAGE = 0  # pages count from 1
_CHUNK_FIELDS = ["source", "text", "start", "end", "line_start", "line_end", "title", "about", "page", "context"]
_INSTALL = "Milvus support is not installed: run `pip install -e '.[scale]'` (or `bash setup.sh --extra scale`)"


def lexical_text(text: str) -> str:
    """The terms BM25 indexes, written so that Milvus's analyzer reads each as one word."""
    return " ".join(token.replace(".", "_").replace(",", "_") for token in tokenize(text))


def _source_key(source: str) -> str:
    """Sources hashed: filters compare hex digests, so no file name needs escaping in an expression."""
    return hashlib.sha256(source.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _connect(location: StoreLocation):
    try:
        from pymilvus import MilvusClient
    except ImportError:
        raise ConfigError(_INSTALL) from None
    # Milvus Lite keeps no MVCC timestamps, and the query iterator warns about that on every read.
    logging.getLogger("pymilvus.orm.iterator").setLevel(logging.ERROR)
    # Milvus Lite (on the root logger) and pymilvus log a failed open; the error below says it in one line.
    logging.getLogger("pymilvus.milvus_client._utils").setLevel(logging.CRITICAL)
    try:
        with _root_records_dropped():
            return MilvusClient(uri=location.uri, token=location.token, timeout=10)
    except Exception as exc:  # noqa: BLE001 - pymilvus and Milvus Lite raise many kinds; all mean "not reachable"
        if not location.uri.startswith("http"):  # not IndexMissingError: `rag ask` would build an index in its place
            raise IndexBusyError(
                f"cannot open Milvus Lite at {location.uri} ({_first_line(exc)}); Milvus Lite lets one process open it "
                "at a time: is another `rag` (index, serve, ui) using it?"
            ) from None
        raise IndexMissingError(f"cannot reach Milvus at {location.uri} ({_first_line(exc)}); start it, or check --store") from None


@contextlib.contextmanager
def _root_records_dropped() -> Iterator[None]:
    """Milvus Lite logs on the root logger; a filter there drops only records logged on root itself."""
    root = logging.getLogger()
    root.addFilter(_drop)
    try:
        yield
    finally:
        root.removeFilter(_drop)


def _drop(record: logging.LogRecord) -> bool:
    return False


def _first_line(exc: Exception) -> str:
    text = str(getattr(exc, "message", "") or exc).strip()  # MilvusException's str() wraps its message in a repr
    return text.splitlines()[0][:200] if text else type(exc).__name__


class _Collections:
    """The two collections of one Milvus store, and the reads and writes both the store and the writer need."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.client = _connect(location)
        self.lite = not location.uri.startswith("http")

    def exists(self) -> bool:
        return self._call(lambda: self.client.has_collection(TEXTS) and self.client.has_collection(CHUNKS))

    def read_manifest(self) -> Manifest | None:
        if not self._call(lambda: self.client.has_collection(TEXTS)):
            return None
        rows = self._query(TEXTS, 'kind == "manifest"', ["part", "text"])
        if not rows:
            return None
        text = "".join(row["text"] for row in sorted(rows, key=lambda row: row["part"]))
        return Manifest.from_json(text, f"in {self.location}")

    def read_documents(self) -> dict[str, str]:
        parts: dict[str, list[tuple[int, str]]] = {}
        for row in self._query(TEXTS, 'kind == "document"', ["name", "part", "text"]):
            parts.setdefault(row["name"], []).append((row["part"], row["text"]))
        return {name: "".join(text for _, text in sorted(rows)) for name, rows in sorted(parts.items())}

    def _query(self, collection: str, expression: str, fields: list[str]) -> list[dict[str, Any]]:
        def read() -> list[dict[str, Any]]:
            self.client.load_collection(collection)
            rows: list[dict[str, Any]] = []
            iterator = self.client.query_iterator(collection, batch_size=_READ_PAGE, filter=expression, output_fields=fields)
            while batch := iterator.next():
                rows.extend(batch)
            iterator.close()
            return rows

        return self._call(read)

    def _call(self, action):
        from pymilvus.exceptions import MilvusException

        try:
            return action()
        except MilvusException as exc:
            raise IndexCorruptError(f"Milvus at {self.location.uri} failed ({_first_line(exc)})") from None


class MilvusStore:
    """A Milvus collection searched in the server (rag/store/base.py `Store`)."""

    def __init__(self, collections: _Collections, manifest: Manifest) -> None:
        self._collections = collections
        self.manifest = manifest
        self._documents: dict[str, str] | None = None
        self._vectors: np.ndarray | None = None

    @classmethod
    def open(cls, location: StoreLocation) -> MilvusStore:
        collections = _Collections(location)
        manifest = collections.read_manifest() if collections.exists() else None
        if manifest is None:
            raise IndexMissingError(f"no index in {location}; build one with `rag index --store {location}`")
        collections.client.load_collection(CHUNKS)
        return cls(collections, manifest)

    @property
    def documents(self) -> Mapping[str, str]:
        """Read on first use: only showing a citation in context and the UI's examples need them."""
        if self._documents is None:
            self._documents = self._collections.read_documents()
        return self._documents

    @property
    def vectors(self) -> np.ndarray:
        if self._vectors is None:
            client = self._collections.client
            rows = self._collections._call(lambda: client.query(CHUNKS, filter="", output_fields=["dense"], limit=_VECTOR_SAMPLE))
            self._vectors = np.array([row["dense"] for row in rows], dtype=np.float32).reshape(-1, self.manifest.dim)
        return self._vectors

    def instruction_spans(self, source: str) -> list[tuple[int, int]]:
        return self.manifest.instruction_spans(source)

    def search(self, query_vector: np.ndarray, query: str, candidates: int) -> list[Passage]:
        """One hybrid request: dense (inner product) and BM25 lists fused by Milvus's RRF ranker with our k.

        The server returns only the fused list, so a passage's rank in each list is not known (None).
        """
        from pymilvus import AnnSearchRequest, RRFRanker

        client = self._collections.client
        requests = [AnnSearchRequest(data=[query_vector.tolist()], anns_field="dense", param=_dense_search_params(self._collections.lite), limit=candidates)]
        terms = lexical_text(query)
        if terms:
            requests.append(AnnSearchRequest(data=[terms], anns_field="sparse", param={"metric_type": "BM25"}, limit=candidates))
        hits = self._collections._call(
            lambda: client.hybrid_search(
                CHUNKS, requests, ranker=RRFRanker(RRF_K), limit=len(requests) * candidates, output_fields=_CHUNK_FIELDS
            )
        )
        return [Passage(_chunk(hit["entity"]), float(hit["distance"])) for hit in hits[0]]


def _chunk(row: Mapping[str, Any]) -> Chunk:
    fields = {name: row.get(name) for name in _CHUNK_FIELDS}
    return Chunk(**{**fields, "page": fields["page"] or None})


def _dense_search_params(lite: bool) -> dict[str, Any]:
    return {"metric_type": "IP"} if lite else {"metric_type": "IP", "params": {"ef": HNSW_EF_SEARCH}}


@contextlib.contextmanager
def milvus_writer(
    location: StoreLocation, lock_dir: Path, *, wait: bool, on_wait: Callable[[str], None] | None
) -> Iterator[MilvusWriter]:
    """An update of the store, holding its writer lock: wait for it (saying so) or, with wait=False, fail at once.

    A Milvus Lite file's lock is a file beside it. A server's lock is in `lock_dir` on this machine, so it keeps
    out only other builds on this machine: builds from two machines into one server are not kept apart.
    """
    lite = not location.uri.startswith("http")
    lock = Path(f"{location.uri}.lock") if lite else lock_dir / f"milvus-{_source_key(location.uri)}.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(lock, str(location), wait=wait, on_wait=on_wait):
        yield MilvusWriter(location)


class MilvusWriter:
    """Updates a Milvus store file by file (rag/store/base.py `StoreWriter`)."""

    def __init__(self, location: StoreLocation) -> None:
        self._collections = _Collections(location)
        self.unreadable: str | None = None
        # In collections this update created, no file has old rows: adding needs no delete (a scan in Milvus Lite).
        self._fresh = not any(self._write(lambda name=name: self._client.has_collection(name)) for name in (CHUNKS, TEXTS))
        try:
            self.previous = self._collections.read_manifest()
        except IndexCorruptError as exc:
            self.unreadable, self.previous = f"previous index unreadable ({str(exc).split('; ')[0]})", None
            self.start_over()

    @property
    def _client(self):
        return self._collections.client

    def start_over(self) -> None:
        for name in (CHUNKS, TEXTS):
            self._write(lambda name=name: self._client.drop_collection(name))
        self.previous, self._fresh = None, True

    def keep(self, source: str) -> None:
        """Nothing to do: a kept file's rows stay where they are."""

    def add(self, source: str, entry: FileEntry, text: str, chunks: list[Chunk], vectors: np.ndarray) -> None:
        key, sha = _source_key(source), entry.sha256
        if len(chunks):
            self._ensure_chunks(vectors.shape[1])
            rows = [
                {
                    "id": f"{key}-{sha[:16]}-{i}",
                    "source_key": key,
                    "sha": sha,
                    **{name: getattr(chunk, name) for name in _CHUNK_FIELDS},
                    "page": chunk.page or _NO_PAGE,
                    "lexical": lexical_text(f"{chunk.context}\n{chunk.text}" if chunk.context else chunk.text),
                    "dense": vector.tolist(),
                }
                for i, (chunk, vector) in enumerate(zip(chunks, vectors))
            ]
            self._write_rows(CHUNKS, rows)
        self._ensure_texts()
        parts = [text[i : i + _PART_CHARS] for i in range(0, len(text), _PART_CHARS)] or [""]
        self._write_rows(
            TEXTS,
            [
                {"id": f"d-{key}-{sha[:16]}-{n}", "kind": "document", "name": source, "name_key": key, "sha": sha, "part": n, "text": part, "stub": [0.0, 0.0]}
                for n, part in enumerate(parts)
            ],
        )
        if not self._fresh:  # only now, with the new state written, the old one goes
            self._delete(CHUNKS, f'source_key == "{key}" and sha != "{sha}"')
            self._delete(TEXTS, f'kind == "document" and name_key == "{key}" and sha != "{sha}"')

    def delete(self, source: str) -> None:
        key = _source_key(source)
        self._delete(CHUNKS, f'source_key == "{key}"')
        self._delete(TEXTS, f'kind == "document" and name_key == "{key}"')

    def dense_kind(self, count: int) -> str:
        return "milvus flat" if self._collections.lite else "milvus hnsw"

    def commit(self, manifest: Manifest) -> None:
        """The manifest last, in parts; parts a longer earlier manifest left are removed."""
        self._ensure_texts()
        text = manifest.to_json()
        parts = [text[i : i + _PART_CHARS] for i in range(0, len(text), _PART_CHARS)]
        self._write_rows(
            TEXTS,
            [
                {"id": f"m-{n}", "kind": "manifest", "name": "manifest", "name_key": "", "sha": "", "part": n, "text": part, "stub": [0.0, 0.0]}
                for n, part in enumerate(parts)
            ],
        )
        self._delete(TEXTS, f'kind == "manifest" and part >= {len(parts)}')
        self._write(lambda: self._client.flush(CHUNKS) if self._client.has_collection(CHUNKS) else None)
        self._write(lambda: self._client.flush(TEXTS))

    # -- schema and writes -----------------------------------------------------------------------

    def _ensure_chunks(self, dim: int) -> None:
        from pymilvus import DataType, Function, FunctionType

        if self._write(lambda: self._client.has_collection(CHUNKS)):
            return
        client = self._client
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
        schema.add_field("source_key", DataType.VARCHAR, max_length=64)
        schema.add_field("sha", DataType.VARCHAR, max_length=64)
        for name in ("source", "title", "about"):
            schema.add_field(name, DataType.VARCHAR, max_length=4096)
        for name in ("text", "context"):
            schema.add_field(name, DataType.VARCHAR, max_length=_VARCHAR_MAX)
        for name in ("start", "end", "line_start", "line_end"):
            schema.add_field(name, DataType.INT64)
        schema.add_field("page", DataType.INT64)  # _NO_PAGE for a file without pages: Milvus Lite 2.5 has no nullable fields
        schema.add_field("lexical", DataType.VARCHAR, max_length=_VARCHAR_MAX, enable_analyzer=True, analyzer_params={"tokenizer": "standard"})
        schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dim)
        schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["lexical"], output_field_names=["sparse"]))
        index = client.prepare_index_params()
        if self._collections.lite:
            index.add_index("dense", index_type="FLAT", metric_type="IP")
        else:
            index.add_index("dense", index_type="HNSW", metric_type="IP", params={"M": HNSW_NEIGHBOURS, "efConstruction": HNSW_EF_CONSTRUCTION})
        index.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25")
        self._write(lambda: client.create_collection(CHUNKS, schema=schema, index_params=index, consistency_level="Strong"))
        self._write(lambda: client.load_collection(CHUNKS))

    def _ensure_texts(self) -> None:
        from pymilvus import DataType

        if self._write(lambda: self._client.has_collection(TEXTS)):
            return
        client = self._client
        schema = client.create_schema(auto_id=False)
        schema.add_field("id", DataType.VARCHAR, is_primary=True, max_length=128)
        for name in ("kind", "name_key", "sha"):
            schema.add_field(name, DataType.VARCHAR, max_length=64)
        schema.add_field("name", DataType.VARCHAR, max_length=4096)
        schema.add_field("part", DataType.INT64)
        schema.add_field("text", DataType.VARCHAR, max_length=_VARCHAR_MAX)
        schema.add_field("stub", DataType.FLOAT_VECTOR, dim=2)  # Milvus needs a vector field in every collection
        index = client.prepare_index_params()
        index.add_index("stub", index_type="FLAT", metric_type="L2")
        self._write(lambda: client.create_collection(TEXTS, schema=schema, index_params=index, consistency_level="Strong"))
        self._write(lambda: client.load_collection(TEXTS))

    def _write_rows(self, collection: str, rows: list[dict[str, Any]]) -> None:
        """Insert into collections this update created (no row can exist yet); elsewhere upsert, which
        first deletes rows of the same id, so re-running an interrupted update writes no row twice."""
        write = self._client.insert if self._fresh else self._client.upsert
        for begin in range(0, len(rows), _WRITE_ROWS):
            batch = rows[begin : begin + _WRITE_ROWS]
            self._write(lambda batch=batch: write(collection, batch))

    def _delete(self, collection: str, expression: str) -> None:
        if self._write(lambda: self._client.has_collection(collection)):
            self._write(lambda: self._client.delete(collection, filter=expression))

    def _write(self, action):
        from pymilvus.exceptions import MilvusException

        try:
            return action()
        except MilvusException as exc:
            raise IndexWriteError(
                f"could not write to Milvus at {self._collections.location.uri} ({_first_line(exc)}); "
                "run `rag index` again to finish (each file is in its old or new state)"
            ) from None

