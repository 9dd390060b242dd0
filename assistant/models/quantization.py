"""int8 dynamic quantization of a model's linear layers, done once and cached.

On a CPU, decoding is bound by memory bandwidth: weights four times smaller decode two to three times
faster. Measured here (2 cores, Qwen2.5-0.5B): fp32 5.5–6.4 tok/s, int8 per-channel 16–18 tok/s with the
same answers. Per-*tensor* quantization (torch's default) broke the answers ("I'm sorry, but I can't
assist with that." to "What is the capital of France?"), so per-channel it is, and the output layer
(lm_head, a 151936×896 matrix read for every token) is quantized too.

Quantizing takes 12–24 s and briefly doubles memory, so the quantized module is pickled once into the
model cache; later loads take about 8 s and a third of the memory. The pickle is written by mnemo into
the user's own cache directory and read back only from there.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from assistant.models.base import LoadProgress, ProgressCallback, ignore_progress


@contextmanager
def _quiet_deprecations() -> Iterator[None]:
    # torch.ao.quantization announces its own removal on every use; the user can do nothing about it.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        yield


def quantized_cache_path(model_folder: Path, cache_dir: Path) -> Path:
    # The torch version is part of the key (a pickle from another torch may not load); read it from
    # the package metadata so `mnemo doctor --no-load` need not import torch.
    torch_version = importlib.metadata.version("torch")
    config = model_folder / "config.json"
    stamp = f"{model_folder.resolve()}:{config.stat().st_mtime_ns if config.exists() else 0}"
    key = hashlib.sha256(stamp.encode()).hexdigest()[:12]
    return cache_dir / "quantized" / f"{model_folder.name}-{key}-int8pc-torch{torch_version}.pt"


def quantize_linear_layers(model: Any) -> Any:
    """Replace every ``nn.Linear`` with an int8 per-channel dynamically quantized one (in place)."""
    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with _quiet_deprecations():
        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8, inplace=True)


def load_int8_model(
    model_folder: Path, cache_dir: Path, load_fp32: Callable[[], Any], progress: ProgressCallback = ignore_progress
) -> Any:
    """The quantized model from the cache, or ``load_fp32()`` quantized now and cached for next time."""
    import torch

    cached = quantized_cache_path(model_folder, cache_dir)
    if cached.exists():
        try:
            with _quiet_deprecations():
                return torch.load(cached, weights_only=False, mmap=True)
        except Exception:  # a torch upgrade or a truncated file: rebuild it below
            cached.unlink(missing_ok=True)
    stage = "quantizing to int8 once (about 30 s)"
    progress(LoadProgress(stage, 0, 3))
    model = load_fp32()
    progress(LoadProgress(stage, 1, 3))
    model = quantize_linear_layers(model)
    progress(LoadProgress(stage, 2, 3))
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(".partial")
    with _quiet_deprecations():
        torch.save(model, partial)
    os.replace(partial, cached)
    progress(LoadProgress(stage, 3, 3))
    return model
