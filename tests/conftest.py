"""Test isolation: every test gets its own HOME, data dir and config; nothing touches the real $HOME."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
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
    # Tests share one small MiniLM (see below); the nomic embedder and the migration to it have tests of their own.
    monkeypatch.setenv("MNEMO_MEMORY__EMBEDDER", "minilm")
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


@pytest.fixture(autouse=True)
def one_embedder_for_the_run(monkeypatch: pytest.MonkeyPatch, embedder) -> None:
    """Every memory layer a test opens shares the session's embedder (it loads on first use only)."""
    monkeypatch.setattr("memory.system.MiniLMEmbedder", lambda: embedder)


def wait_until_serving(server: subprocess.Popen, probe_url: str, timeout_s: float, what: str) -> None:
    """Poll ``probe_url`` until the server just started answers; fail the test (with its last words) if it dies."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            urllib.request.urlopen(probe_url, timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                stderr = server.stderr.read().decode(errors="replace")[-2000:] if server.stderr else ""
                pytest.fail(f"{what} did not start {stderr}")
            time.sleep(0.2)


class ChromaServer:
    """A real ``chroma run`` on a free loopback port over ``path``; it can be stopped and started again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        chroma = Path(sys.executable).parent / "chroma"
        self.process = subprocess.Popen(
            [chroma, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False", "HOME": str(self.path)},
        )
        wait_until_serving(self.process, f"{self.url}/api/v2/heartbeat", 60, "chroma run")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server"))
    server.start()
    yield server.url
    server.stop()


@pytest.fixture
def stoppable_chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    """A Chroma server of the test's own, which the test may stop mid-session (and start again)."""
    path = tmp_path / "chroma-server"
    path.mkdir()
    server = ChromaServer(path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def media_encoders(tmp_path_factory: pytest.TempPathFactory):
    """The image describer, Whisper tiny.en and the concept features, each loaded once for the run."""
    from assistant.media import MediaEncoders
    from assistant.settings import SpeechSettings, VisionSettings

    settings = Settings.model_construct(
        speech=SpeechSettings(model="tiny.en"), vision=VisionSettings(), cache_dir=tmp_path_factory.mktemp("cache")
    )
    return MediaEncoders(settings)


@pytest.fixture(autouse=True)
def one_set_of_media_encoders_for_the_run(monkeypatch: pytest.MonkeyPatch, media_encoders) -> None:
    """Every assistant a test builds shares the session's encoders (each loads on first use only)."""
    monkeypatch.setattr("assistant.factory.MediaEncoders", lambda settings: media_encoders)
