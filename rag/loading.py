"""Turn files into `Document`s: .txt and .md as decoded, .html and .pdf as extracted text.

Offsets and line numbers everywhere refer to the text returned here. For .txt and
.md that is the file itself; for .html and .pdf it is the extracted text, so a
citation into a PDF points into its text layer, not into page coordinates. Scanned
PDFs without a text layer yield nothing and are reported as empty.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from rag.errors import CorpusError
from rag.types import Document

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | {".html", ".htm", ".pdf"}
_BINARY_PROBE = 8192
_TITLE_MAX_CHARS = 200


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
    found: dict[str, CorpusFile] = {}
    for root in paths:
        if not root.exists():
            raise CorpusError(f"corpus path {root} does not exist; give a folder of .txt/.md/.html/.pdf files")
        base = root.resolve().parent
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in candidates:
            relative = path.resolve().relative_to(base)
            if any(part.startswith(".") for part in relative.parts):
                continue
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[relative.as_posix()] = CorpusFile(path, relative.as_posix())
    return [found[k] for k in sorted(found)]


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
        if suffix == ".pdf":
            text = _pdf_text(raw)
        else:
            if b"\x00" in raw[:_BINARY_PROBE]:
                return Skipped(file.source, "binary content")
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                return Skipped(file.source, f"not UTF-8 (bad byte at offset {exc.start})")
            if suffix in {".html", ".htm"}:
                text = _html_text(text)
    except _ExtractionError as exc:
        return Skipped(file.source, str(exc))
    if not text.strip():
        return Skipped(file.source, "no text")
    return Document(source=file.source, text=text, title=_title(text, suffix))


class _ExtractionError(Exception):
    pass


def _html_text(html: str) -> str:
    try:
        from bs4 import BeautifulSoup
    except ImportError:
        raise _ExtractionError("HTML support needs beautifulsoup4 (pip install beautifulsoup4)") from None
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template"]):
        tag.decompose()
    lines = (line.strip() for line in soup.get_text("\n").splitlines())
    return "\n".join(line for line in lines if line)


def _pdf_text(raw: bytes) -> str:
    try:
        from io import BytesIO

        from pypdf import PdfReader
        from pypdf.errors import PdfReadError
    except ImportError:
        raise _ExtractionError("PDF support needs pypdf (pip install pypdf)") from None
    try:
        reader = PdfReader(BytesIO(raw))
        return "\n\n".join((page.extract_text() or "").strip() for page in reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise _ExtractionError(f"unreadable PDF ({exc})") from None


def _title(text: str, suffix: str) -> str:
    """The first heading of a Markdown file, else the first non-empty line if it is short enough to be one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if suffix in {".md", ".markdown"}:
        for line in lines:
            if line.startswith("#"):
                return line.lstrip("#").strip()[:_TITLE_MAX_CHARS]
    if lines and len(lines[0]) <= _TITLE_MAX_CHARS:
        return lines[0]
    return ""


def load_corpus(files: list[CorpusFile]) -> tuple[list[Document], list[Skipped]]:
    """Load every file; raises CorpusError only when nothing at all is usable."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    for file in files:
        result = load_document(file)
        (documents if isinstance(result, Document) else skipped).append(result)  # type: ignore[arg-type]
    return documents, skipped
