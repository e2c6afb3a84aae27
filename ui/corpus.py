"""The Corpus tab's work: list what is indexed, add uploaded files, re-index without a restart."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rag.answering.pipeline import Pipeline
from rag.config import Settings
from rag.errors import InputError
from rag.indexing import IndexReport, build_index
from rag.loading import SUPPORTED_SUFFIXES
from rag.store.manifest import Manifest

UPLOAD_TYPES = [".txt", ".md", ".html", ".pdf"]


def save_uploads(paths: Sequence[str | Path], corpus: Path) -> list[str]:
    """Copy uploaded files into the corpus folder under their own names (replacing a namesake)."""
    files = [Path(p) for p in paths]
    for file in files:
        if file.name.startswith(".") or file.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(f"cannot add {file.name}: only {', '.join(UPLOAD_TYPES)} files can be indexed")
    corpus.mkdir(parents=True, exist_ok=True)
    for file in files:
        shutil.copyfile(file, corpus / file.name)
    return [file.name for file in files]


def index_paths(settings: Settings, manifest: Manifest | None) -> list[Path]:
    """What a rebuild indexes: what the index was built from, so nothing drops out, plus the upload folder."""
    paths = [Path(p) for p in (manifest.corpus if manifest else []) if Path(p).exists()]
    if not any(p.resolve() == settings.corpus.resolve() for p in paths):
        paths.append(settings.corpus)
    return paths


def rebuild(pipeline: Pipeline, settings: Settings, progress: Callable[[float, str], object]) -> IndexReport:
    """Update the index incrementally and switch to it; an answer in progress finishes on the old one."""
    manifest = pipeline.retriever.store.manifest
    progress(0.1, "Indexing new and changed files")
    report = build_index(index_paths(settings, manifest), settings, embedder=pipeline.embedder, show_progress=False)
    progress(0.9, "Switching to the new index once the answer in progress is done")
    pipeline.reload_index()
    return report


def report_markdown(report: IndexReport) -> str:
    """What a build did, in a sentence or two."""
    skipped = "".join(f"\n- skipped `{s.source}`: {s.reason}" for s in report.skipped)
    if report.up_to_date:
        return f"Index already up to date: {len(report.unchanged)} files, {report.chunk_count} chunks.{skipped}"
    changes = (("added", report.added), ("changed", report.changed), ("removed", report.removed))
    counts = ", ".join(f"{len(names)} {label}{_named(names)}" for label, names in changes)
    counts += f", {len(report.unchanged)} unchanged"
    rebuilt = f"\n\nFull rebuild: {report.rebuild_reason}." if report.rebuild_reason else ""
    return (
        f"**Indexed:** {counts}; {report.chunks_embedded} chunks embedded, {report.chunk_count} in total "
        f"({report.seconds:.1f} s).{rebuilt}{skipped}"
    )


def summary_markdown(manifest: Manifest, corpus: Path) -> str:
    files = len(manifest.files)
    return (
        f"**{files} file{'s' if files != 1 else ''}, {manifest.chunk_count} chunks** · "
        f"index built {_when(manifest.built_at)} · uploads are saved to `{corpus}`"
    )


def file_rows(manifest: Manifest) -> list[list[str | int]]:
    """One row per indexed file: name, chunks, size."""
    return [[source, entry.chunks, _size(entry.size)] for source, entry in manifest.files.items()]


def _named(names: list[str]) -> str:
    return f" ({', '.join(f'`{n}`' for n in names)})" if 0 < len(names) <= 5 else ""


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    except ValueError:
        return iso


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"
