"""Load the configured model lazily, once, from whichever thread needs it first."""

from __future__ import annotations

import threading
from pathlib import Path

from assistant.models import load_chat_model, model_label
from assistant.models.base import ChatModel, ProgressCallback, ignore_progress
from assistant.settings import ModelSettings


class ModelHandle:
    """Loads the configured model once, on first need, from whichever thread asks first."""

    def __init__(self, settings: ModelSettings, cache_dir: Path, model: ChatModel | None = None) -> None:
        self._settings = settings
        self._cache_dir = cache_dir
        self._model = model
        self._lock = threading.Lock()
        self.label = model.name if model is not None else model_label(settings)

    @property
    def loaded(self) -> ChatModel | None:
        return self._model

    def get(self, progress: ProgressCallback = ignore_progress) -> ChatModel:
        with self._lock:
            if self._model is None:
                self._model = load_chat_model(self._settings, self._cache_dir, progress)
                self.label = self._model.name
            return self._model
