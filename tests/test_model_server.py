"""The openai backend against a real OpenAI-compatible server: llama-cpp-python's, serving the packaged SmolLM2
GGUF on a free loopback port. Also the llamacpp backend in-process on the same file."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.models.base import CancelToken, ChatMessage, GenerationOptions, ModelError
from assistant.models.model_cache import ModelSource
from assistant.models.openai_backend import OpenAIChatModel

from .conftest import SHARED_MODEL_CACHE, wait_until_serving

pytestmark = pytest.mark.real_model
ALIAS = "smollm2"
GREEDY = GenerationOptions(max_new_tokens=24, temperature=0.0)
QUESTION = [
    ChatMessage("system", "You are a helpful assistant."),  # SmolLM2 answers far better with one
    ChatMessage("user", "What is the capital of France? Answer in one word."),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def require_llama_cpp(module: str) -> None:
    """Fail (not skip) without it: `make test` builds and installs it, so its absence is a broken set-up."""
    from importlib.util import find_spec

    try:
        found = find_spec(module) is not None
    except ModuleNotFoundError:
        found = False
    if not found:
        pytest.fail(f"{module} is missing: run `make llamacpp` (part of `make test`)")


@pytest.fixture(scope="module")
def tiny_gguf() -> Path:
    from assistant.models.llamacpp_backend import gguf_for

    return gguf_for(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE, lambda _: None)


@pytest.fixture(scope="module")
def llama_server(tiny_gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_llama_cpp("llama_cpp.server")
    port = free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(tiny_gguf), "--model_alias", ALIAS]
    command += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "2"]
    command += ["--verbose", "False"]
    log = tmp_path_factory.mktemp("llama-server") / "server.log"  # a pipe nobody reads would fill and stall it
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log.open("wb"), env=dict(os.environ))
    url = f"http://127.0.0.1:{port}/v1"
    try:
        wait_until_serving(server, f"{url}/models", 180, "the llama.cpp server")
    except BaseException:
        print(log.read_text(errors="replace")[-3000:])
        raise
    yield url
    server.terminate()
    server.wait(timeout=20)


def test_chat_streams_from_the_server(llama_server: str) -> None:
    model = OpenAIChatModel(llama_server, "")
    model.check()  # no model named: the first one the server lists
    assert model.model == ALIAS and model.name == f"{ALIAS} @ 127.0.0.1"
    pieces = list(model.stream(QUESTION, GREEDY, CancelToken()))
    assert len(pieces) > 1 and "paris" in "".join(pieces).lower()


def test_cancel_mid_stream_stops_the_reply(llama_server: str) -> None:
    model = OpenAIChatModel(llama_server, ALIAS)
    cancel = CancelToken()
    received = []
    long = GenerationOptions(max_new_tokens=200, temperature=0.0)
    for piece in model.stream([ChatMessage("user", "Tell me a long story about a dragon.")], long, cancel):
        received.append(piece)
        if len(received) == 3:
            cancel.cancel()
    assert len(received) == 3
    # The server is free again at once: the next reply is not stuck behind the cancelled one.
    assert "paris" in "".join(model.stream(QUESTION, GREEDY, CancelToken())).lower()


def test_an_unknown_model_is_refused_with_the_names_offered(llama_server: str) -> None:
    with pytest.raises(ModelError, match=f"no model called 'gpt-9'.*'{ALIAS}'"):
        OpenAIChatModel(llama_server, "gpt-9").check()


def test_a_stopped_server_is_named(tiny_gguf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.models.openai_backend.BACKOFF_S", (0.05,))
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(ModelError, match="Cannot reach the model server at .* Is it running"):
        list(OpenAIChatModel(url, ALIAS, retries=1).stream(QUESTION, GREEDY, CancelToken()))


def test_the_llamacpp_backend_answers_in_process(tiny_gguf: Path) -> None:
    require_llama_cpp("llama_cpp")
    from assistant.models.llamacpp_backend import load_llamacpp_model

    model = load_llamacpp_model(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE, context_window=2048)
    assert model.count_tokens(QUESTION) > 5
    assert "paris" in "".join(model.stream(QUESTION, GREEDY, CancelToken())).lower()
    cancel = CancelToken()
    cancel.cancel()
    assert list(model.stream(QUESTION, GREEDY, cancel)) == []
    opening = ChatMessage("assistant", "The capital of France is")  # the app's first words: it goes on from them
    rest = "".join(model.stream([*QUESTION, opening], GREEDY, CancelToken()))
    assert "paris" in rest.lower() and not rest.lstrip().startswith("The capital")
