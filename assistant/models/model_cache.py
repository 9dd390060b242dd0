"""Turn a GGUF file into a fast-loading Hugging Face folder, once.

transformers dequantizes a GGUF on every load (20–60 s, several GB of RAM). mnemo does it once and saves
an fp32 copy in the cache; later starts load that in a few seconds. A ``mnemo-cache.json`` written last
marks a finished conversion, so an interrupted one is redone rather than trusted.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from assistant.models.base import LoadProgress, ModelError, ProgressCallback, ignore_progress
from assistant.models.packaged import PACKAGED_MODELS, PackagedModel, assemble_gguf, sha256_of_file

CACHE_MARKER = "mnemo-cache.json"
CACHE_FORMAT = 1


@dataclass(frozen=True)
class ModelSource:
    """Where a model's weights come from: a packaged profile, a user's GGUF file or a user's HF folder."""

    label: str
    packaged: PackagedModel | None = None
    path: Path | None = None

    @classmethod
    def from_settings(cls, profile: str, path: Path | None) -> ModelSource:
        if path is not None:
            return cls(label=path.name, path=path)
        return cls(label=PACKAGED_MODELS[profile].display_name, packaged=PACKAGED_MODELS[profile])


def quiet_transformers() -> None:
    """Keep transformers' progress bars and warnings off the terminal (they would corrupt the TUI)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    os.environ.setdefault("TQDM_DISABLE", "1")  # GGUF conversion draws its own bars otherwise
    from transformers.utils import logging as transformers_logging

    transformers_logging.set_verbosity_error()
    transformers_logging.disable_progress_bar()


def converted_dir(cache_dir: Path, key: str) -> Path:
    return cache_dir / "converted" / key


def cached_model_dir(source: ModelSource, cache_dir: Path) -> Path | None:
    """The finished converted folder for ``source`` if it is already in the cache (no work done)."""
    if source.packaged is not None:
        folder = converted_dir(cache_dir, f"{source.packaged.profile}-{source.packaged.sha256[:12]}")
        return folder if (folder / CACHE_MARKER).exists() else None
    assert source.path is not None
    if source.path.is_dir():
        return source.path
    return None  # a user GGUF's cache key needs its hash; see prepare_model_dir


def prepare_model_dir(source: ModelSource, cache_dir: Path, progress: ProgressCallback = ignore_progress) -> Path:
    """Return a Hugging Face model folder for ``source``, assembling and converting it if needed."""
    if source.path is not None and source.path.is_dir():
        if not (source.path / "config.json").exists():
            raise ModelError(f"{source.path} is not a Hugging Face model folder (no config.json)")
        return source.path
    if source.packaged is not None:
        cached = cached_model_dir(source, cache_dir)
        if cached is not None:
            return cached
        gguf_path = assemble_gguf(source.packaged, cache_dir, progress)
        key = f"{source.packaged.profile}-{source.packaged.sha256[:12]}"
    else:
        assert source.path is not None
        if source.path.suffix.lower() != ".gguf":
            raise ModelError(f"{source.path} is neither a model folder nor a .gguf file")
        digest = sha256_of_file(source.path, progress, f"hashing {source.path.name}")
        gguf_path, key = source.path, f"user-{digest[:12]}"
    folder = converted_dir(cache_dir, key)
    if not (folder / CACHE_MARKER).exists():
        convert_gguf(gguf_path, folder, progress, label=source.label)
    return folder


def convert_gguf(
    gguf_path: Path, target: Path, progress: ProgressCallback = ignore_progress, *, label: str = ""
) -> None:
    """Dequantize ``gguf_path`` into an fp32 Hugging Face folder at ``target``."""
    quiet_transformers()
    import torch
    import transformers
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    stage = f"converting {label or gguf_path.name} once (about a minute)"
    progress(LoadProgress(stage, 0, 3))
    partial = target.with_name(target.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, gguf_file=gguf_path.name)
        progress(LoadProgress(stage, 1, 3))
        gguf_model = AutoModelForCausalLM.from_pretrained(
            gguf_path.parent, gguf_file=gguf_path.name, dtype=torch.float32
        )
        progress(LoadProgress(stage, 2, 3))
        # A GGUF-loaded model refuses save_pretrained: rebuild it plainly from its config.
        config = AutoConfig.for_model(**gguf_model.config.to_dict())
        if hasattr(config, "quantization_config"):
            delattr(config, "quantization_config")
        with torch.device("meta"):
            plain_model = AutoModelForCausalLM.from_config(config, dtype=torch.float32)
        plain_model.load_state_dict(gguf_model.state_dict(), assign=True)
        plain_model.tie_weights()
        del gguf_model
        plain_model.generation_config = plain_model.generation_config.__class__.from_model_config(config)
        plain_model.save_pretrained(partial)
        tokenizer.save_pretrained(partial)
    except ModelError:
        raise
    except Exception as error:  # transformers raises many kinds; the user needs one clear message
        shutil.rmtree(partial, ignore_errors=True)
        raise ModelError(f"could not convert {gguf_path.name}: {type(error).__name__}: {error}") from error
    (partial / CACHE_MARKER).write_text(
        json.dumps(
            {"format": CACHE_FORMAT, "source": str(gguf_path), "transformers": transformers.__version__},
            indent=2,
        )
    )
    shutil.rmtree(target, ignore_errors=True)
    os.replace(partial, target)
    progress(LoadProgress(stage, 3, 3))
