"""The real-document run of bench/index_bench.py (`--documents FOLDER`): PDF extractors, chunking, a full build.

    .venv/bin/python bench/index_bench.py --documents ~/reports            # every figure below
    .venv/bin/python bench/index_bench.py --documents ~/reports --no-build # extraction and chunking only

1. PDF extraction, per library, over every PDF in the folder: pages/s, and what the
   text does to tables: lines holding 3+ figures (rows kept whole), decimals torn
   apart ("11,062 .6"), figures run together ("61,540" after ".6"). pypdfium2 is what
   `rag` uses, with stacked table headers restacked (rag/formats/pdf_tables.py); PDFium's
   text alone is the baseline that costs; pypdf and pdfplumber are measured when installed
   (`pip install pypdf pdfplumber`), for comparison only.
2. `rag`'s own loading (rag/formats) and chunking over every supported file: files/s,
   pages/s, chunks/s, table chunks.
3. A full `rag index FOLDER` in a fresh process: seconds, chunks/s, peak RSS, index size on disk.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

# A figure as a table prints it: "1,577", "11,062.6", "(370)", "12.5%".
_FIGURE = re.compile(r"(?<![\w.,])\(?-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?\)?(?![\w,])")
_TORN_DECIMAL = re.compile(r"\d \.\d")  # "11,062 .6"
_GLUED = re.compile(r"\d,\d{3}\d|\.\d,\d{3}")  # ".61,540" or "1,5771": two figures run together


def _pypdfium2_pages(path: Path) -> list[str]:
    from rag.formats.pdf import pdf_rendering

    rendering = pdf_rendering(path.read_bytes())
    bounds = [*rendering.page_starts[1:], len(rendering.text)]
    return [rendering.text[start:end] for start, end in zip(rendering.page_starts, bounds)]


def _pdfium_plain_pages(path: Path) -> list[str]:
    """PDFium's text alone, without rag's table restacking: the baseline its cost is measured against."""
    import pypdfium2

    from rag.formats.pdf import normalise

    document = pypdfium2.PdfDocument(path.read_bytes())
    try:
        return [normalise(document[i].get_textpage().get_text_range()) for i in range(len(document))]
    finally:
        document.close()


def _pypdf_pages(path: Path) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def _pdfplumber_pages(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


EXTRACTORS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "pypdfium2 (rag)": ("pypdfium2", _pypdfium2_pages),
    "pypdfium2, text alone": ("pypdfium2", _pdfium_plain_pages),
    "pypdf": ("pypdf", _pypdf_pages),
    "pdfplumber": ("pdfplumber", _pdfplumber_pages),
}


def compare_extractors(pdfs: list[Path], log: Callable[[str], None]) -> list[dict[str, object]]:
    """Each installed extractor over the same PDFs: speed and what happens to table rows."""
    import importlib.util

    rows = []
    for name, (module, extract) in EXTRACTORS.items():
        if importlib.util.find_spec(module) is None:
            rows.append({"extractor": name, "installed": False})
            continue
        pages = 0
        seconds = 0.0
        rows_3 = torn = glued = 0
        for pdf in pdfs:
            started = time.perf_counter()
            try:
                texts = extract(pdf)
            except Exception as exc:  # a library failing on a file is a finding, not a crash
                log(f"  {name}: {pdf.name} failed ({type(exc).__name__}: {exc})")
                continue
            seconds += time.perf_counter() - started
            pages += len(texts)
            text = "\n".join(texts)
            rows_3 += sum(1 for line in text.splitlines() if len(_FIGURE.findall(line)) >= 3)
            torn += len(_TORN_DECIMAL.findall(text))
            glued += len(_GLUED.findall(text))
        log(f"  {name}: {pages} pages in {seconds:.1f} s")
        rows.append({"extractor": name, "installed": True, "pages": pages, "seconds": round(seconds, 2),
                     "pages_per_s": round(pages / seconds, 1) if seconds else None,
                     "rows_with_3_figures": rows_3, "torn_decimals": torn, "glued_figures": glued})
    return rows


def load_and_chunk(folder: Path, log: Callable[[str], None]) -> dict[str, object]:
    """rag's loading and chunking over every supported file, as `rag index` does them (default Settings)."""
    from rag.chunking import chunk_document
    from rag.config import Settings
    from rag.loading import find_files, load_document
    from rag.types import Document

    settings = Settings()
    files = find_files([folder])
    load_s = chunk_s = 0.0
    pages = chunks = table_chunks = documents = 0
    pdf_pages = 0
    pdf_load_s = 0.0
    skipped = []
    for file in files:
        started = time.perf_counter()
        document = load_document(file)
        elapsed = time.perf_counter() - started
        load_s += elapsed
        if not isinstance(document, Document):
            skipped.append(f"{file.source}: {document.reason}")
            continue
        documents += 1
        pages += len(document.page_starts)
        if file.path.suffix.lower() == ".pdf":
            pdf_pages += len(document.page_starts)
            pdf_load_s += elapsed
        started = time.perf_counter()
        made = chunk_document(document, settings.chunk_chars, settings.chunk_overlap_chars)
        chunk_s += time.perf_counter() - started
        chunks += len(made)
        table_chunks += sum(1 for c in made if c.context)
    log(f"  loaded {documents} files ({pages} PDF pages) in {load_s:.1f} s, {chunks} chunks in {chunk_s:.1f} s")
    return {
        "files": len(files), "documents": documents, "skipped": skipped, "pdf_pages": pdf_pages,
        "load_seconds": round(load_s, 2), "pdf_pages_per_s": round(pdf_pages / pdf_load_s, 1) if pdf_load_s else None,
        "chunks": chunks, "table_chunks": table_chunks, "chunk_seconds": round(chunk_s, 2),
        "chunks_per_s": round(chunks / chunk_s, 1) if chunk_s else None,
    }


def folder_size_mb(folder: Path) -> float:
    return round(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6, 2)


def report(r: dict[str, object], table: Callable[[list[str], list[list[str]]], str], fmt: Callable[..., str]) -> str:
    out = [f"Real documents: {r['folder']}", ""]
    out.append(f"PDF extraction over {r['pdf_files']} PDF(s) (same files, same run):")
    rows = []
    for x in r["extractors"]:  # type: ignore[union-attr]
        if not x["installed"]:
            rows.append([x["extractor"], "not installed", "-", "-", "-", "-"])
            continue
        rows.append([x["extractor"], f"{x['pages']:,}", fmt(x["pages_per_s"]), f"{x['rows_with_3_figures']:,}",
                     f"{x['torn_decimals']:,}", f"{x['glued_figures']:,}"])
    out.append(table(["extractor", "pages", "pages/s", "lines with 3+ figures", "torn decimals", "glued figures"], rows))
    c = r["chunking"]
    out += ["", "rag loading and chunking (default chunk size):"]
    out.append(table(["files", "PDF pages", "PDF pages/s", "chunks", "table chunks", "chunks/s", "skipped"],
                     [[str(c["documents"]), f"{c['pdf_pages']:,}", fmt(c["pdf_pages_per_s"]), f"{c['chunks']:,}",
                       f"{c['table_chunks']:,}", fmt(c["chunks_per_s"]), str(len(c["skipped"]))]]))
    for line in c["skipped"]:
        out.append(f"  skipped {line}")
    if "build" in r:
        b = r["build"]
        out += ["", "Full `rag index` of the folder (fresh process, embedding included):"]
        out.append(table(["seconds", "chunks/s", "peak RSS MB", "index size MB"],
                         [[fmt(b["seconds"]), fmt(c["chunks"] / b["seconds"]), fmt(b["peak_rss_mb"], 0),
                           fmt(b["index_mb"], 1)]]))
    return "\n".join(out)
