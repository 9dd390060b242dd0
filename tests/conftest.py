"""Test isolation: every test gets its own HOME, data dir and config; nothing touches the real $HOME."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.factory import Assistant, build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO.parent / "shared" / "data"
# Converted packaged models are big and slow to make: tests share one cache between runs (git-ignored).
SHARED_MODEL_CACHE = Path(os.environ.get("MNEMO_TEST_MODEL_CACHE", REPO / ".cache" / "test-models"))


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("MNEMO_"):
            monkeypatch.delenv(name)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("MNEMO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("MNEMO_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    return tmp_path


@pytest.fixture
def settings() -> Settings:
    return load_settings(model={"backend": "fake"})


@pytest.fixture
def fake_model() -> FakeChatModel:
    return FakeChatModel()


@pytest.fixture
def assistant(settings: Settings, fake_model: FakeChatModel) -> Iterator[Assistant]:
    built = build_assistant(settings, model=fake_model)
    yield built
    built.close()


@pytest.fixture
def shared_model_cache(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the model cache at the cache shared between test runs (for tests with real models)."""
    SHARED_MODEL_CACHE.mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("MNEMO_CACHE_DIR", str(SHARED_MODEL_CACHE))
    return SHARED_MODEL_CACHE


@pytest.fixture(scope="session")
def embedder():
    """The packaged sentence embedder, loaded once for the whole run."""
    from memory.embeddings import MiniLMEmbedder

    return MiniLMEmbedder()
