"""Which runtime runs the local model, and the llama.cpp build switches made for this CPU."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.models import cpu_features
from assistant.models.runtime import choose_runtime
from assistant.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
AVX2_ONLY = {"sse4_2", "avx", "avx2", "bmi2", "fma", "f16c"}
AVX512_VNNI = AVX2_ONLY | {"avx512f", "avx512cd", "avx512vl", "avx512dq", "avx512bw", "avx512_vnni", "avx512vbmi"}
WITH_AMX = AVX512_VNNI | {"amx_tile", "amx_int8", "amx_bf16", "avx512_bf16"}


def switches(args: str) -> dict[str, str]:
    return dict(arg.removeprefix("-D").split("=") for arg in args.split())


def test_avx2_machine_gets_avx2_and_no_avx512() -> None:
    built = switches(cpu_features.cmake_args(AVX2_ONLY))
    assert built["GGML_NATIVE"] == "OFF"
    assert built["GGML_AVX2"] == "ON" and built["GGML_FMA"] == "ON"
    assert built["GGML_AVX512"] == "OFF" and built["GGML_AVX512_VNNI"] == "OFF"
    assert cpu_features.kernels(AVX2_ONLY) == "AVX2"


def test_avx512_machine_gets_vnni_but_never_amx() -> None:
    built = switches(cpu_features.cmake_args(WITH_AMX))
    assert built["GGML_AVX512"] == built["GGML_AVX512_VNNI"] == built["GGML_AVX512_BF16"] == "ON"
    assert built["GGML_AMX_TILE"] == built["GGML_AMX_INT8"] == built["GGML_AMX_BF16"] == "OFF"
    assert cpu_features.kernels(WITH_AMX) == "AVX-512 + VNNI + BF16"


def test_avx512_extensions_need_the_base_set() -> None:
    partial = AVX2_ONLY | {"avx512f", "avx512_vnni"}  # no avx512bw/vl/dq/cd: the base set is incomplete
    built = switches(cpu_features.cmake_args(partial))
    assert built["GGML_AVX512"] == "OFF" and built["GGML_AVX512_VNNI"] == "OFF"


def test_wheel_key_differs_by_instruction_set_only() -> None:
    assert cpu_features.build_key(AVX2_ONLY) != cpu_features.build_key(AVX512_VNNI)
    assert cpu_features.build_key(AVX512_VNNI) == cpu_features.build_key(AVX512_VNNI | {"sse3", "aes"})
    assert cpu_features.build_key(AVX512_VNNI).startswith("avx512-vnni512-")


def test_the_makefile_can_run_it_as_a_script_with_no_project_imports() -> None:
    done = subprocess.run(
        [sys.executable, "-S", str(ROOT / "assistant/models/cpu_features.py"), "cmake-args"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-DGGML_AMX_INT8=OFF" in done.stdout
    assert subprocess.run([sys.executable, str(ROOT / "assistant/models/cpu_features.py")]).returncode == 2


def test_cpuinfo_missing_reads_as_no_flags(tmp_path: Path) -> None:
    assert cpu_features.cpu_flags(tmp_path / "absent") == set()
    (tmp_path / "cpuinfo").write_text("processor\t: 0\nflags\t\t: fpu avx2 fma\n")
    assert cpu_features.cpu_flags(tmp_path / "cpuinfo") == {"fpu", "avx2", "fma"}


def test_auto_picks_openvino_then_llamacpp_then_transformers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.models.runtime.openvino_installed", lambda: True)
    monkeypatch.setattr("assistant.models.runtime.llamacpp_installed", lambda: True)
    assert choose_runtime(load_settings().model).backend == "openvino"
    monkeypatch.setattr("assistant.models.runtime.openvino_installed", lambda: False)
    choice = choose_runtime(load_settings().model)
    assert choice.backend == "llamacpp" and "make openvino" in choice.reason
    monkeypatch.setattr("assistant.models.runtime.llamacpp_installed", lambda: False)
    choice = choose_runtime(load_settings().model)
    assert choice.backend == "transformers" and "make openvino" in choice.reason


def test_auto_runs_a_model_folder_on_transformers_and_your_gguf_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assistant.models.runtime.openvino_installed", lambda: True)
    monkeypatch.setattr("assistant.models.runtime.llamacpp_installed", lambda: True)
    assert choose_runtime(load_settings(model={"path": str(tmp_path)}).model).backend == "transformers"
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF")
    assert choose_runtime(load_settings(model={"path": str(gguf)}).model).backend == "llamacpp"


def test_an_explicit_backend_is_kept() -> None:
    for backend in ("transformers", "openvino", "llamacpp", "openai", "fake"):
        assert choose_runtime(load_settings(model={"backend": backend}).model).backend == backend
