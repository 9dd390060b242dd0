"""Which runtime runs the local model, and why (``model.backend = "auto"``, the default).

llama.cpp reads the packaged GGUF files as they are: no conversion on first start, a load in about a second,
and faster decoding on every CPU measured (README, "Speed"). transformers stays for Hugging Face folders
(vision-language models among them) and wherever llama.cpp is not built.
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
    """The concrete backend: transformers, llamacpp, openai or fake."""
    reason: str
    """Why, in a few words, for `mnemo doctor` and the start-up progress line."""


def llamacpp_installed() -> bool:
    return importlib.util.find_spec("llama_cpp") is not None


def choose_runtime(settings: ModelSettings) -> RuntimeChoice:
    if settings.backend != "auto":
        return RuntimeChoice(settings.backend, "set in the configuration")
    path = settings.path
    if path is not None and (Path(path).is_dir() or Path(path).suffix.lower() != ".gguf"):
        return RuntimeChoice("transformers", "a Hugging Face model folder runs on transformers")
    if llamacpp_installed():
        return RuntimeChoice("llamacpp", "llama.cpp reads the GGUF directly and decodes fastest")
    return RuntimeChoice(
        "transformers", "llama.cpp is not built on this machine (`make llamacpp`), so the slower transformers runs"
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
