"""Turn files into `Document`s: .txt, .md and .rst as decoded; .html, .pdf, .docx, .csv and .xlsx as rendered text.

Offsets and line numbers everywhere refer to the text returned here. For .txt, .md
and .rst that is the file itself; for the other formats it is the text rag/formats
renders (tables one row a line with their headers), so a citation into a PDF points
into its text layer and names its page (`Document.page_starts`), not page
coordinates. Scanned PDFs without a text layer yield nothing and are reported as empty.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from rag.errors import CorpusError
from rag.formats import ExtractionError as _ExtractionError
from rag.formats import Rendering, is_page_number, running_lines
from rag.types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".rst"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".pdf", ".docx", ".csv", ".xlsx"}
_BINARY_PROBE = 8192
_TITLE_MAX_CHARS = 200
_HEADING_LINES = 3  # an underlined heading this near the top is the document's title
_UNDERLINE = re.compile(r"([=\-~^*+#`'\".:_])\1{2,}")  # "-----", "=====" under a heading
_MARKUP_LINE = re.compile(r"\.\.\s")  # reStructuredText's ".. _label:", ".. note::": markup, no title


@dataclass(frozen=True)
class CorpusFile:
    """A file found in the corpus, named the way it will be cited."""

    path: Path
    source: str  # e.g. "seeds/000_x.txt": relative to the corpus folder's parent, so stable across working dirs


@dataclass(frozen=True)
class Skipped:
    """A file we could not use, and why (reported to the user, never fatal)."""

    source: str
    reason: str


def find_files(paths: list[Path]) -> list[CorpusFile]:
    """All supported files under the given folders or files, sorted; hidden entries are ignored."""
    return scan_corpus(paths)[0]


def scan_corpus(paths: list[Path]) -> tuple[list[CorpusFile], list[Skipped]]:
    """The supported files under `paths`, plus the sub-folders that could not be listed, and why.

    Symbolic links to folders are not followed (no loops, nothing outside the corpus by
    surprise). A file name with bytes that are not UTF-8 is kept, and cited with those
    bytes written as escapes (`\\xff`).
    """
    found: dict[str, CorpusFile] = {}
    unreadable: list[Skipped] = []
    for root in paths:
        if not root.exists():
            raise CorpusError(f"corpus path {root} does not exist; give a folder of .txt/.md/.rst/.html/.pdf/.docx/.csv/.xlsx files")
        base = root.absolute().parent
        if root.is_file():
            candidates = [root.absolute()]
        else:
            candidates = []
            for folder, subfolders, names in os.walk(root.absolute(), onerror=lambda exc: unreadable.append(_unlistable(exc, base))):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                candidates += [Path(folder) / name for name in names if not name.startswith(".")]
        for path in candidates:
            relative = path.relative_to(base)
            if any(part.startswith(".") for part in relative.parts) or path.suffix.lower() not in SUPPORTED_SUFFIXES:
                continue
            source = _printable_name(relative.as_posix())
            if path.is_file():
                found[source] = CorpusFile(path, source)
            else:  # reading a pipe would block; a device or a broken link has nothing to index
                unreadable.append(Skipped(source, "not a regular file (a pipe, device or broken link)"))
    return [found[k] for k in sorted(found)], unreadable


def _unlistable(exc: OSError, base: Path) -> Skipped:
    folder = Path(exc.filename)
    name = folder.relative_to(base).as_posix() if folder.is_relative_to(base) else str(folder)
    return Skipped(_printable_name(name) + "/", f"folder not readable ({exc.strerror or exc})")


def _printable_name(name: str) -> str:
    """A file name as valid UTF-8 text: bytes that do not decode (surrogate escapes) become `\\xNN`."""
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def load_document(file: CorpusFile) -> Document | Skipped:
    """Read one file; a problem becomes a `Skipped` with a reason instead of an exception."""
    try:
        raw = file.path.read_bytes()
    except OSError as exc:
        return Skipped(file.source, f"unreadable ({exc.strerror or exc})")
    suffix = file.path.suffix.lower()
    try:
        rendering = _render(suffix, raw)
    except _ExtractionError as exc:
        return Skipped(file.source, str(exc))
    text = rendering.text
    if not text.strip():
        return Skipped(file.source, "no text")
    title = document_title(text, suffix, rendering.page_starts)
    return Document(source=file.source, text=text, title=title, page_starts=rendering.page_starts)


def _render(suffix: str, raw: bytes) -> Rendering:
    """The text of a file as indexed and cited: decoded, or extracted by its format's reader (rag/formats)."""
    from rag.formats import html, office, pdf

    if suffix == ".pdf":
        return pdf.pdf_rendering(raw)
    if suffix == ".docx":
        return office.docx_rendering(raw)
    if suffix == ".xlsx":
        return office.xlsx_rendering(raw)
    text = _decode_text(raw)
    if suffix in {".html", ".htm"}:
        return html.html_rendering(text)
    if suffix == ".csv":
        return office.csv_rendering(text)
    return Rendering(text)


_MIN_UTF16_BYTES = 16  # a few bytes with zeros in them are binary, whatever their pattern


def _decode_text(raw: bytes) -> str:
    """UTF-8 (with or without BOM), or UTF-16 when a BOM or the pattern of zero bytes says so."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom) and not raw.startswith(codecs.BOM_UTF32_LE):
            return _decode_utf16(raw[len(bom) :], encoding)
    probe = raw[:_BINARY_PROBE]
    if b"\x00" in probe:
        # ASCII-range text in UTF-16 has a zero in every other byte, all on the same side
        odd_zeros, even_zeros = probe[1::2].count(0), probe[0::2].count(0)
        utf16_shaped = max(odd_zeros, even_zeros) > 0.9 * (len(probe) // 2) and min(odd_zeros, even_zeros) == 0
        if len(raw) % 2 == 0 and len(raw) >= _MIN_UTF16_BYTES and utf16_shaped:
            return _decode_utf16(raw, "utf-16-le" if odd_zeros else "utf-16-be")
        raise _ExtractionError("binary content")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _ExtractionError(f"not UTF-8 (bad byte at offset {exc.start}); save it as UTF-8") from None


def _decode_utf16(raw: bytes, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        raise _ExtractionError(f"looks like {encoding.upper()} but does not decode (offset {exc.start})") from None


def document_title(text: str, suffix: str, page_starts: tuple[int, ...] = ()) -> str:
    """The first heading of a Markdown file; else a heading underlined near the top ("Forest covertypes"
    over "-----", as reStructuredText and Markdown write them); else the first non-empty line if it is
    short enough to be one. Markup lines (".. _covtype_dataset:"), a paged document's running heads and
    feet ("UNCLASSIFIED" on every page) and page numbers are never a title."""
    furniture = running_lines(text, page_starts)
    lines = [
        line.strip() for line in text.splitlines()
        if line.strip() and not _MARKUP_LINE.match(line.strip()) and line.strip() not in furniture
        and not (page_starts and is_page_number(line))
    ]
    if suffix in {".md", ".markdown", ".docx"}:
        for line in lines:
            if line.startswith("#"):
                return line.lstrip("#").strip()[:_TITLE_MAX_CHARS]
    for line, below in zip(lines[:_HEADING_LINES], lines[1 : _HEADING_LINES + 1]):
        if _UNDERLINE.fullmatch(below) and not _UNDERLINE.fullmatch(line) and any(c.isalpha() for c in line):
            return line[:_TITLE_MAX_CHARS]
    if lines and len(lines[0]) <= _TITLE_MAX_CHARS:
        return lines[0].lstrip("#").strip() if suffix in {".html", ".htm"} else lines[0]
    return ""


def load_corpus(files: list[CorpusFile]) -> tuple[list[Document], list[Skipped]]:
    """Load every file; raises CorpusError only when nothing at all is usable."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for file in files:
        result = load_document(file)
        (documents if isinstance(result, Document) else skipped).append(result)  # type: ignore[arg-type]
    return documents, skipped
