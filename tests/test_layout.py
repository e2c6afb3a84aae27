"""Index layout on disk: the CURRENT pointer read defensively, the writer lock, publishing and clean-up."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import IndexBusyError, IndexCorruptError, InputError
from rag.store.layout import LOCK, POINTER, commit, current_generation, new_build_folder, writer_lock

from conftest import REPO


def _publish(index_dir: Path, marker: str) -> Path:
    folder = new_build_folder(index_dir)
    (folder / "marker").write_text(marker)
    return commit(index_dir, folder)


def test_commit_swaps_current_and_keeps_one_previous_generation(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = _publish(index_dir, "1")
    second = _publish(index_dir, "2")
    assert current_generation(index_dir) == second and first.is_dir()
    third = _publish(index_dir, "3")
    assert current_generation(index_dir) == third
    assert second.is_dir() and not first.exists()  # the one CURRENT named before is kept, older ones go
    assert not list(index_dir.glob(".building-*"))


@pytest.mark.parametrize(
    "pointer",
    ["../../etc", "/etc", "gen-x/../../outside", "garbage here", "gen-\u00e9", "\x00\x01\x02", "gen-" + "a" * 200],
)
def test_current_that_does_not_name_a_generation_inside_the_folder_is_damage(tmp_path: Path, pointer: str) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    (index_dir / POINTER).write_bytes(pointer.encode("utf-8", "surrogateescape"))
    with pytest.raises(IndexCorruptError, match="CURRENT.*rebuild with `rag index`"):
        current_generation(index_dir)


def test_binary_current_is_damage_and_a_new_build_repairs_it(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    _publish(index_dir, "old")
    (index_dir / POINTER).write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(IndexCorruptError):
        current_generation(index_dir)
    repaired = _publish(index_dir, "new")
    assert current_generation(index_dir) == repaired and (repaired / "marker").read_text() == "new"


def test_empty_or_missing_current_means_no_index(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    assert current_generation(index_dir) is None
    index_dir.mkdir()
    (index_dir / POINTER).write_text("\n")
    assert current_generation(index_dir) is None


def test_second_writer_fails_at_once_without_wait(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with writer_lock(index_dir, wait=False):
        with pytest.raises(IndexBusyError, match="another `rag index` is writing"):
            with writer_lock(index_dir, wait=False):
                pass
    with writer_lock(index_dir, wait=False):  # released on exit
        pass


def test_lock_held_by_another_process_makes_a_writer_wait_and_say_so(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from pathlib import Path; from rag.store.layout import writer_lock\n"
            "with writer_lock(Path(sys.argv[1]), wait=False):\n"
            "    print('held', flush=True); time.sleep(1.5)"
        ), str(index_dir)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout and holder.stdout.readline().strip() == "held"
    messages: list[str] = []
    with writer_lock(index_dir, wait=True, on_wait=messages.append):
        pass
    holder.wait(timeout=30)
    assert len(messages) == 1 and "waiting for another `rag index`" in messages[0]
    assert holder.returncode == 0 and (index_dir / LOCK).exists()


def test_a_killed_holder_releases_the_lock(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    holder = subprocess.Popen(
        [sys.executable, "-c", (
            "import sys, time; from pathlib import Path; from rag.store.layout import writer_lock\n"
            "with writer_lock(Path(sys.argv[1]), wait=False):\n"
            "    print('held', flush=True); time.sleep(60)"
        ), str(index_dir)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout and holder.stdout.readline().strip() == "held"
    with pytest.raises(IndexBusyError):
        with writer_lock(index_dir, wait=False):
            pass
    holder.kill()
    holder.wait(timeout=30)
    with writer_lock(index_dir, wait=False):
        pass


def test_index_folder_that_is_a_file_is_refused_before_any_work(tmp_path: Path) -> None:
    index_file = tmp_path / "index"
    index_file.write_text("not a folder")
    with pytest.raises(InputError, match="is a file"):
        with writer_lock(index_file, wait=True):
            pass
