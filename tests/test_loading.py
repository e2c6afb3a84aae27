from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import CorpusError
from rag.loading import Skipped, find_files, load_corpus, load_document
from rag.types import Document

# A one-page PDF with a text layer, written by hand (objects and xref offsets computed below).
def _tiny_pdf(text: str) -> bytes:
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_finds_supported_files_recursively_and_skips_hidden(tmp_path: Path):
    (tmp_path / "docs" / "sub").mkdir(parents=True)
    (tmp_path / "docs" / "a.txt").write_text("alpha")
    (tmp_path / "docs" / "sub" / "b.md").write_text("# B\nbeta")
    (tmp_path / "docs" / ".hidden.txt").write_text("secret")
    (tmp_path / "docs" / "image.png").write_bytes(b"\x89PNG")
    files = find_files([tmp_path / "docs"])
    assert [f.source for f in files] == ["docs/a.txt", "docs/sub/b.md"]


def test_missing_folder_is_a_corpus_error(tmp_path: Path):
    with pytest.raises(CorpusError, match="does not exist"):
        find_files([tmp_path / "nope"])


def test_binary_and_non_utf8_files_are_skipped_with_reason(tmp_path: Path):
    (tmp_path / "bin.txt").write_bytes(b"abc\x00\x01\x02")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "ok.txt").write_text("fine text")
    documents, skipped = load_corpus(find_files([tmp_path]))
    assert [d.source.split("/")[-1] for d in documents] == ["ok.txt"]
    reasons = {s.source.split("/")[-1]: s.reason for s in skipped}
    assert reasons["bin.txt"] == "binary content"
    assert reasons["latin1.txt"].startswith("not UTF-8")


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    (tmp_path / "locked.txt").write_text("x")
    [file] = find_files([tmp_path])

    def deny(self):  # root can read anything, so simulate the permission error
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", deny)
    result = load_document(file)
    assert isinstance(result, Skipped) and "Permission denied" in result.reason


def test_empty_file_is_skipped(tmp_path: Path):
    (tmp_path / "empty.txt").write_text("  \n")
    [file] = find_files([tmp_path])
    assert load_document(file) == Skipped(file.source, "no text")


def test_html_is_reduced_to_visible_text(tmp_path: Path):
    (tmp_path / "page.html").write_text(
        "<html><head><title>T</title><style>p{}</style><script>var x=1;</script></head>"
        "<body><h1>Pumps</h1><p>The pump costs $40.</p></body></html>"
    )
    [file] = find_files([tmp_path])
    document = load_document(file)
    assert isinstance(document, Document)
    assert "The pump costs $40." in document.text
    assert "var x" not in document.text and "p{}" not in document.text


def test_pdf_text_layer_is_extracted(tmp_path: Path):
    (tmp_path / "report.pdf").write_bytes(_tiny_pdf("Revenue rose to 12 million euros."))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    documents, skipped = load_corpus(find_files([tmp_path]))
    assert [d.source.split("/")[-1] for d in documents] == ["report.pdf"]
    assert "Revenue rose to 12 million euros." in documents[0].text
    assert skipped and skipped[0].source.endswith("broken.pdf")


def test_title_is_first_markdown_heading_or_short_first_line(tmp_path: Path):
    (tmp_path / "a.md").write_text("intro\n# Real Title\ntext")
    (tmp_path / "b.txt").write_text("Short headline\nBody text.")
    (tmp_path / "c.txt").write_text("x" * 300 + "\nBody.")
    titles = {d.source.split("/")[-1]: d.title for d in load_corpus(find_files([tmp_path]))[0]}
    assert titles == {"a.md": "Real Title", "b.txt": "Short headline", "c.txt": ""}
