"""Load the configured model lazily, once, from whichever thread needs it first."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path

from assistant.models import load_chat_model, model_label
from assistant.models.base import ChatModel, ProgressCallback, ignore_progress
from assistant.settings import ModelSettings


class ModelHandle:
    """Loads the configured model once, on first need, from whichever thread asks first."""

    def __init__(
        self,
        settings: ModelSettings,
        cache_dir: Path,
        model: ChatModel | None = None,
        user_adapters: Callable[[], Mapping[str, Path]] = dict,
    ) -> None:
        self._settings = settings
        self._cache_dir = cache_dir
        self._model = model
        self._user_adapters = user_adapters
        self.user_adapters: list[str] = []
        """The users whose own adapter the loaded model applies (found when it loads)."""
        self._lock = threading.Lock()
        self.label = model.name if model is not None else model_label(settings)

    @property
    def loaded(self) -> ChatModel | None:
        return self._model

    def get(self, progress: ProgressCallback = ignore_progress) -> ChatModel:
        with self._lock:
            if self._model is None:
                users = self._user_adapters()
                self._model = load_chat_model(self._settings, self._cache_dir, progress, users)
                self.user_adapters = sorted(users)
                self.label = self._model.name
            return self._model
