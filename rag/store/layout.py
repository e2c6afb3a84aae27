"""Where an index lives on disk, and how a new one replaces the old one atomically.

`index/CURRENT` names the generation folder in use. A build writes a complete new
generation beside it, then replaces CURRENT with one `os.replace`. A crash or
Ctrl-C mid-build leaves CURRENT pointing at the previous, complete generation; the
half-written folder is removed by the next build. The previous generation is kept
one round so a process still reading it (another terminal, the UI) is not broken.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from pathlib import Path

POINTER = "CURRENT"
_GENERATION_PREFIX = "gen-"
_BUILDING_PREFIX = ".building-"


def current_generation(index_dir: Path) -> Path | None:
    """The folder CURRENT points at, or None when no index was ever completed here."""
    try:
        name = (index_dir / POINTER).read_text().strip()
    except (FileNotFoundError, NotADirectoryError):
        return None
    return index_dir / name if name else None


def new_build_folder(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    # pid first (to spot builds abandoned by a killed process), then a unique, time-ordered name
    folder = index_dir / f"{_BUILDING_PREFIX}{os.getpid()}-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    folder.mkdir()
    return folder


def commit(index_dir: Path, build_folder: Path) -> Path:
    """Publish a finished build: rename it to a generation, then swap CURRENT to it."""
    previous = current_generation(index_dir)
    generation = index_dir / (_GENERATION_PREFIX + build_folder.name.removeprefix(_BUILDING_PREFIX).split("-", 1)[1])
    os.replace(build_folder, generation)
    pointer_tmp = index_dir / f".{POINTER}.tmp-{os.getpid()}"
    pointer_tmp.write_text(generation.name + "\n")
    with open(pointer_tmp, "rb+") as f:
        os.fsync(f.fileno())
    os.replace(pointer_tmp, index_dir / POINTER)
    _remove_stale(index_dir, keep={generation.name, previous.name if previous else ""})
    return generation


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Drop older generations and abandoned builds (from a killed process)."""
    for entry in index_dir.iterdir():
        stale_generation = entry.name.startswith(_GENERATION_PREFIX) and entry.name not in keep
        abandoned_build = entry.name.startswith(_BUILDING_PREFIX) and not _owned_by_live_process(entry.name)
        if entry.is_dir() and (stale_generation or abandoned_build):
            shutil.rmtree(entry, ignore_errors=True)


def _owned_by_live_process(name: str) -> bool:
    try:
        pid = int(name.removeprefix(_BUILDING_PREFIX).split("-", 1)[0])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
