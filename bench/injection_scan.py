"""False positives of the injected-instruction rule (rag/injection.py) on real text.

Every sentence the rule flags in text that contains no injection is a false
positive. Scans the seed corpus, the eval questions and corpora, and any folders given
(e.g. installed packages' README/METADATA files, cmake's .rst help), and prints
documents, sentences and flags per source, plus each flagged sentence.

    .venv/bin/python bench/injection_scan.py [FOLDER ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from rag.chunking import sentence_spans
from rag.injection import instruction_spans

REPO = Path(__file__).resolve().parent.parent
SUFFIXES = {".txt", ".md", ".rst", ".html", ".htm"}
MAX_SHOWN = 30


def texts_under(folder: Path) -> list[tuple[str, str]]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and (path.suffix.lower() in SUFFIXES or path.name == "METADATA"):
            try:
                found.append((str(path), path.read_text(encoding="utf-8")))
            except (OSError, UnicodeDecodeError):
                continue
    return found


def eval_questions() -> list[tuple[str, str]]:
    rows = []
    for path in sorted((REPO / "eval").rglob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.strip():
                row = json.loads(line)
                rows.append((f"{path.relative_to(REPO)}:{number}", " ".join(str(v) for v in row.values() if isinstance(v, str))))
    return rows


def scan(label: str, documents: list[tuple[str, str]]) -> list[str]:
    sentences = sum(len(sentence_spans(text)) for _, text in documents)
    characters = sum(len(text) for _, text in documents)
    flagged = [f"{name}: {text[s:e][:160]!r}" for name, text in documents for s, e in instruction_spans(text)]
    print(f"{label}: {len(documents)} documents, {characters / 1e6:.2f} M chars, {sentences} sentences, {len(flagged)} flagged")
    return flagged


def main(folders: list[str]) -> None:
    flagged = scan("seeds", texts_under(REPO / "seeds"))
    flagged += scan("eval questions", eval_questions())
    flagged += scan("eval corpora", texts_under(REPO / "eval"))
    for folder in folders:
        flagged += scan(folder, texts_under(Path(folder)))
    for line in flagged[:MAX_SHOWN]:
        print("  " + line)


if __name__ == "__main__":
    main(sys.argv[1:])
