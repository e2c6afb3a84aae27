"""Where an index lives on disk, how a new one replaces the old one atomically, and who may write it.

`index/CURRENT` names the generation folder in use. A build writes a complete new
generation beside it, then replaces CURRENT with one `os.replace`. A crash or
Ctrl-C mid-build leaves CURRENT pointing at the previous, complete generation; the
half-written folder is removed by the next build.

One writer at a time: a build holds an OS lock on `index/LOCK` (flock) from
before it reads the previous index until after it has published and cleaned up,
so two builds can neither lose each other's update nor delete what the other
published. The lock dies with its process, so a killed build never leaves it
held. Readers never lock: they read CURRENT once and load that generation. The
generation CURRENT named before a build is kept one round, so a process still
reading it (another terminal, the UI) is not broken.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from rag.errors import IndexBusyError, IndexCorruptError, InputError

POINTER = "CURRENT"
LOCK = "LOCK"
_GENERATION_PREFIX = "gen-"
_BUILDING_PREFIX = ".building-"
_GENERATION_NAME = re.compile(r"gen-[0-9A-Za-z-]{1,64}")


def current_generation(index_dir: Path) -> Path | None:
    """The folder CURRENT points at, or None when no index was ever completed here.

    CURRENT is trusted only to name a generation folder directly inside `index_dir`;
    anything else (garbage, a path elsewhere) is reported as damage, never followed.
    """
    try:
        raw = (index_dir / POINTER).read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise IndexCorruptError(f"cannot read {index_dir / POINTER} ({exc.strerror}); rebuild with `rag index`") from None
    name = raw.decode("ascii", errors="replace").strip()
    if not name:
        return None
    if not _GENERATION_NAME.fullmatch(name):
        raise IndexCorruptError(f"{index_dir / POINTER} is damaged (it does not name a generation); rebuild with `rag index`")
    return index_dir / name


@contextlib.contextmanager
def writer_lock(index_dir: Path, *, wait: bool, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's writer lock; wait for it (saying so) or, with wait=False, fail at once."""
    if index_dir.exists() and not index_dir.is_dir():
        raise InputError(f"the index folder {index_dir} is a file; give a folder with --index")
    index_dir.mkdir(parents=True, exist_ok=True)
    with file_lock(index_dir / LOCK, str(index_dir), wait=wait, on_wait=on_wait):
        yield


@contextlib.contextmanager
def file_lock(path: Path, store: str, *, wait: bool, on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """Hold an OS lock (flock) on `path` for one update of `store`; it dies with its process, so a killed
    build never leaves a stale lock."""
    with open(path, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise IndexBusyError(f"another `rag index` is writing {store}; try again when it is done") from None
            if on_wait:
                on_wait(f"waiting for another `rag index` to finish writing {store} ...")
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def new_build_folder(index_dir: Path) -> Path:
    index_dir.mkdir(parents=True, exist_ok=True)
    # pid first (to spot builds abandoned by a killed process), then a unique, time-ordered name
    folder = index_dir / f"{_BUILDING_PREFIX}{os.getpid()}-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(4)}"
    folder.mkdir()
    return folder


def commit(index_dir: Path, build_folder: Path) -> Path:
    """Publish a finished build: rename it to a generation, then swap CURRENT to it.

    Call with the writer lock held: the clean-up keeps only the new generation and the
    one CURRENT named before, which is safe because no other writer can publish meanwhile.
    """
    try:
        previous = current_generation(index_dir)
    except IndexCorruptError:
        previous = None  # a damaged pointer is being replaced; nothing it names is trusted
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
        if entry.is_dir() and not entry.is_symlink() and (stale_generation or abandoned_build):
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
