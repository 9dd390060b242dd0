"""Chat model backends, picked by name from settings. Heavy backends are imported only when used."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from assistant.models.base import (
    CancelToken,
    ChatMessage,
    ChatModel,
    GenerationOptions,
    LoadProgress,
    ModelError,
    ProgressCallback,
    ignore_progress,
)
from assistant.settings import ModelSettings

__all__ = [
    "CancelToken",
    "ChatMessage",
    "ChatModel",
    "GenerationOptions",
    "LoadProgress",
    "ModelError",
    "ProgressCallback",
    "load_chat_model",
    "model_label",
]

UserAdapters = Mapping[str, Path]
"""Each user's own adapter folder (``mnemo adapt``), by user name."""
Loader = Callable[[ModelSettings, Path, ProgressCallback, UserAdapters], ChatModel]


def _load_transformers(
    settings: ModelSettings, cache_dir: Path, progress: ProgressCallback, users: UserAdapters
) -> ChatModel:
    from assistant.models.model_cache import ModelSource
    from assistant.models.transformers_backend import load_transformers_model

    return load_transformers_model(
        ModelSource.from_settings(settings.profile, settings.path),
        cache_dir,
        threads=settings.threads,
        quantize=settings.quantize,
        context_window=settings.context_window,
        progress=progress,
    )


def _load_fake(settings: ModelSettings, cache_dir: Path, progress: ProgressCallback, users: UserAdapters) -> ChatModel:
    from assistant.models.fake import FakeChatModel

    return FakeChatModel(context_window=settings.context_window)


def _load_llamacpp(
    settings: ModelSettings, cache_dir: Path, progress: ProgressCallback, users: UserAdapters
) -> ChatModel:
    from assistant.models.llamacpp_backend import load_llamacpp_model
    from assistant.models.model_cache import ModelSource

    return load_llamacpp_model(
        ModelSource.from_settings(settings.profile, settings.path),
        cache_dir,
        threads=settings.threads,
        context_window=settings.context_window,
        progress=progress,
    )


def _load_openvino(
    settings: ModelSettings, cache_dir: Path, progress: ProgressCallback, users: UserAdapters
) -> ChatModel:
    from assistant.adapter import adapter_for, extraction_adapter_for
    from assistant.models.model_cache import ModelSource
    from assistant.models.openvino_backend import load_openvino_model

    return load_openvino_model(
        ModelSource.from_settings(settings.profile, settings.path),
        cache_dir,
        threads=settings.threads,
        context_window=settings.context_window,
        weights=settings.openvino_weights,
        adapter=adapter_for(settings.adapter, settings.profile, settings.path),
        user_adapters=users,
        extraction_adapter=extraction_adapter_for(settings.extraction_adapter, settings.profile, settings.path),
        progress=progress,
    )


def _load_openai(
    settings: ModelSettings, cache_dir: Path, progress: ProgressCallback, users: UserAdapters
) -> ChatModel:
    from assistant.models.openai_backend import OpenAIChatModel

    progress(LoadProgress(f"connecting to {settings.base_url}"))
    model = OpenAIChatModel.from_settings(settings)
    model.check()
    return model


BACKENDS: dict[str, Loader] = {
    "transformers": _load_transformers,
    "openvino": _load_openvino,
    "llamacpp": _load_llamacpp,
    "openai": _load_openai,
    "fake": _load_fake,
}


def load_chat_model(
    settings: ModelSettings,
    cache_dir: Path,
    progress: ProgressCallback = ignore_progress,
    user_adapters: UserAdapters | None = None,
) -> ChatModel:
    """Build the configured model; slow the first time a packaged model is converted (OpenVINO, transformers).
    ``user_adapters`` (OpenVINO only) are stacked on the memory adapter for their user's replies.

    On "auto", a model OpenVINO cannot export or load runs on the next runtime instead, and the progress line
    says why (the error names the log to read)."""
    from assistant.models.runtime import choose_runtime, llamacpp_installed

    backend = choose_runtime(settings).backend
    try:
        return BACKENDS[backend](settings, cache_dir, progress, user_adapters or {})
    except ModelError as error:
        if settings.backend != "auto" or backend != "openvino":
            raise
        fallback = "llamacpp" if llamacpp_installed() else "transformers"
        progress(LoadProgress(f"OpenVINO could not run the model, so {fallback} does: {error}"))
        return BACKENDS[fallback](settings, cache_dir, progress, {})


def model_label(settings: ModelSettings) -> str:
    """A short name for the configured model, known before it is loaded."""
    if settings.backend == "fake":
        return "fake"
    if settings.backend == "openai":
        return f"{settings.server_model or 'server model'} @ {settings.base_url}"
    if settings.path is not None:
        return settings.path.name
    from assistant.models.packaged import PACKAGED_MODELS

    return f"{settings.profile} ({PACKAGED_MODELS[settings.profile].display_name})"
