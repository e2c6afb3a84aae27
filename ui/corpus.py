"""The Corpus tab's work: list what is indexed, add uploaded files, re-index without a restart."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from rag.answering.pipeline import Pipeline
from rag.config import Settings
from rag.errors import InputError
from rag.indexing import IndexReport, build_index
from rag.loading import SUPPORTED_SUFFIXES
from rag.metadata import DocumentProfile
from rag.store.manifest import Manifest

UPLOAD_TYPES = [".txt", ".md", ".html", ".pdf", ".docx", ".csv", ".xlsx"]


def save_uploads(paths: Sequence[str | Path], corpus: Path) -> list[str]:
    """Copy uploaded files into the corpus folder; returns the names they were saved under.

    Never overwrites: a namesake with other content is saved as `name-2.ext` (then -3, ...),
    and the file already there stays. An upload identical to its namesake is not copied again.
    """
    files = [Path(p) for p in paths]
    for file in files:
        if file.name.startswith(".") or file.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise InputError(f"cannot add {file.name}: only {', '.join(UPLOAD_TYPES)} files can be indexed")
    corpus.mkdir(parents=True, exist_ok=True)
    return [_save_new(file, corpus) for file in files]


def _save_new(file: Path, corpus: Path) -> str:
    """Copy to a hidden temporary file (ignored by indexing), then link it under the first free name:
    the link fails if the name exists, so two uploads at once cannot overwrite each other either."""
    content = file.read_bytes()
    tmp = corpus / f".upload-{secrets.token_hex(8)}{file.suffix}"
    tmp.write_bytes(content)
    try:
        number = 1
        while True:
            name = file.name if number == 1 else f"{file.stem}-{number}{file.suffix}"
            target = corpus / name
            if target.is_file() and target.read_bytes() == content:
                return name
            try:
                os.link(tmp, target)
                return name
            except FileExistsError:
                number += 1
    finally:
        tmp.unlink(missing_ok=True)


def index_paths(settings: Settings, manifest: Manifest | None) -> list[Path]:
    """What a rebuild indexes: what the index was built from, so nothing drops out, plus the upload folder."""
    paths = [Path(p) for p in (manifest.corpus if manifest else []) if Path(p).exists()]
    if not any(p.resolve() == settings.corpus.resolve() for p in paths):
        paths.append(settings.corpus)
    return paths


def rebuild(pipeline: Pipeline, settings: Settings, progress: Callable[[float, str], object]) -> IndexReport:
    """Update the index incrementally and switch to it; an answer in progress finishes on the old one."""
    manifest = pipeline.open_index().manifest
    progress(0.1, "Indexing new and changed files")
    report = build_index(index_paths(settings, manifest), settings, embedder=pipeline.load_embedder(), show_progress=False)
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
        f"({report.seconds:.1f} s).{rebuilt}{skipped}{_flagged(report.instructions)}"
    )


def summary_markdown(manifest: Manifest, corpus: Path) -> str:
    files = len(manifest.files)
    return (
        f"**{files} file{'s' if files != 1 else ''}, {manifest.chunk_count} chunks** · "
        f"index built {_when(manifest.built_at)} · uploads are saved to `{corpus}`"
    ) + _flagged({source: len(entry.instructions) for source, entry in manifest.files.items() if entry.instructions})


def _flagged(counts: dict[str, int]) -> str:
    """Files with passages addressed to an AI: shown, since they are never used as evidence."""
    if not counts:
        return ""
    rows = "".join(f"\n- `{source}`: {count} passage{'s' if count != 1 else ''}" for source, count in counts.items())
    return f"\n\n**Instructions to an AI found** (treated as data, never used to support an answer):{rows}"


def file_rows(manifest: Manifest) -> list[list[str | int]]:
    """One row per indexed file: name, chunks, size, and what it is about (subject, period, how found)."""
    return [[source, entry.chunks, _size(entry.size), _about(entry.profile)] for source, entry in manifest.files.items()]


def _about(profile: DocumentProfile | None) -> str:
    if profile is None:
        return "not profiled (re-index to read subject and period)"
    return f"{profile.label} ({profile.found_by})" if profile.label else "no subject or period found"


def _named(names: list[str]) -> str:
    return f" ({', '.join(f'`{n}`' for n in names)})" if 0 < len(names) <= 5 else ""


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M %Z")
    except ValueError:
        return iso


def _size(size: int) -> str:
    return f"{size / 1024:.1f} KB" if size < 1024 * 1024 else f"{size / (1024 * 1024):.1f} MB"
