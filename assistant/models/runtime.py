"""Which runtime runs the local model, and why (``model.backend = "auto"``, the default).

OpenVINO reads prompts and decodes fastest of the three where measured, in under 1 GB (README, "Speed"); the
packaged models are exported for it once (``make openvino`` installs the exporter, ``make run`` exports).
llama.cpp reads GGUF files as they are and loads in half a second, so it runs a GGUF file of the user's own.
transformers runs Hugging Face folders (vision-language models among them), and wherever neither of the
others is installed.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.settings import ModelSettings


@dataclass(frozen=True)
class RuntimeChoice:
    backend: str
    """The concrete backend: openvino, llamacpp, transformers, openai or fake."""
    reason: str
    """Why, in a few words, for `mnemo doctor` and the start-up progress line."""


def llamacpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def openvino_installed() -> bool:
    """OpenVINO GenAI and its exporter are both there (`make openvino`)."""
    from assistant.models.openvino_export import exporter_path

    return importlib.util.find_spec("openvino_genai") is not None and exporter_path() is not None


def choose_runtime(settings: ModelSettings) -> RuntimeChoice:
    if settings.backend != "auto":
        return RuntimeChoice(settings.backend, "set in the configuration")
    path = settings.path
    if path is not None and (Path(path).is_dir() or Path(path).suffix.lower() != ".gguf"):
        return RuntimeChoice("transformers", "a Hugging Face model folder runs on transformers")
    if path is not None and llamacpp_installed():  # any architecture and quantization, nothing to convert
        return RuntimeChoice("llamacpp", "llama.cpp reads your GGUF file as it is")
    if openvino_installed():
        return RuntimeChoice("openvino", "OpenVINO reads prompts and decodes fastest (int4, exported once)")
    if llamacpp_installed():
        return RuntimeChoice("llamacpp", "OpenVINO is not installed (`make openvino`); llama.cpp reads the GGUF")
    return RuntimeChoice(
        "transformers", "neither OpenVINO (`make openvino`) nor llama.cpp is installed, so the slower transformers runs"
    )


@cache
def llamacpp_kernels() -> str:
    """The CPU instruction sets the installed llama.cpp was built with, from its own system report."""
    if not llamacpp_installed():
        return "not installed"
    import llama_cpp

    report = llama_cpp.llama_print_system_info().decode("utf-8", "replace")
    wanted = ("AVX2", "AVX512", "AVX512_VBMI", "AVX512_VNNI", "AVX512_BF16", "AVX_VNNI", "AMX_INT8")
    found = [name for name in wanted if f"{name} = 1" in report]
    return " + ".join(found) or "generic"
