"""The OpenAI-compatible backend's wire format and errors (scripted HTTP); the real server is in
test_model_server.py."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest

from assistant.models.base import CancelToken, ChatMessage, GenerationOptions, ModelError
from assistant.models.openai_backend import OpenAIChatModel, data_url
from tests.conftest import SHARED_DATA

URL = "http://127.0.0.1:9/v1"
OPTIONS = GenerationOptions(max_new_tokens=20)


def sse(*pieces: str, error: str | None = None) -> bytes:
    lines = [
        "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": piece}}]}) + "\n\n" for piece in pieces
    ]
    if error:
        lines.append("data: " + json.dumps({"error": {"message": error}}) + "\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


def model_with(handler, **options) -> tuple[OpenAIChatModel, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.Client(transport=httpx.MockTransport(record), headers=options.pop("headers", {}))
    return OpenAIChatModel(URL, "smollm2", client=client, **options), seen


def test_a_reply_streams_piece_by_piece() -> None:
    model, seen = model_with(lambda request: httpx.Response(200, content=sse("Hel", "lo", "!")))
    pieces = list(model.stream([ChatMessage("user", "hi")], OPTIONS, CancelToken()))
    assert pieces == ["Hel", "lo", "!"]
    body = json.loads(seen[0].content)
    assert body["stream"] is True and body["model"] == "smollm2" and body["max_tokens"] == 20
    assert body["messages"] == [{"role": "user", "content": "hi"}]


def test_cancel_stops_reading_the_stream() -> None:
    cancel = CancelToken()
    model, _ = model_with(lambda request: httpx.Response(200, content=sse(*[f"w{i} " for i in range(50)])))
    received = []
    for piece in model.stream([ChatMessage("user", "hi")], OPTIONS, cancel):
        received.append(piece)
        if len(received) == 3:
            cancel.cancel()
    assert received == ["w0 ", "w1 ", "w2 "]


def test_photos_go_as_data_urls_only_when_the_server_model_takes_images() -> None:
    photo = SHARED_DATA / "images" / "chelsea.png"
    if not photo.exists():
        pytest.skip("needs ../shared/data/images")
    message = ChatMessage("user", "what is this?", images=(str(photo),))
    seeing, seen = model_with(lambda request: httpx.Response(200, content=sse("a cat")), accepts_images=True)
    list(seeing.stream([message], OPTIONS, CancelToken()))
    content = json.loads(seen[0].content)["messages"][0]["content"]
    assert content[0] == {"type": "text", "text": "what is this?"}
    assert content[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert data_url(Path(photo)) == content[1]["image_url"]["url"]

    blind, seen = model_with(lambda request: httpx.Response(200, content=sse("ok")))
    list(blind.stream([message], OPTIONS, CancelToken()))
    assert json.loads(seen[0].content)["messages"][0]["content"] == "what is this?"


def test_a_refused_key_is_named_but_never_shown() -> None:
    model, seen = model_with(
        lambda request: httpx.Response(401, json={"error": {"message": "bad key"}}),
        headers={"Authorization": "Bearer sk-very-secret"},
    )
    with pytest.raises(ModelError, match="refused the API key") as raised:
        list(model.stream([ChatMessage("user", "hi")], OPTIONS, CancelToken()))
    assert "sk-very-secret" not in str(raised.value) and "sk-very-secret" not in repr(model)
    assert seen[0].headers["Authorization"] == "Bearer sk-very-secret"


def test_an_unknown_model_is_named_with_the_ones_offered() -> None:
    offered = {"data": [{"id": "qwen2.5-0.5b"}, {"id": "smollm2-135m"}]}
    model, _ = model_with(lambda request: httpx.Response(200, json=offered))
    with pytest.raises(ModelError, match="no model called 'smollm2'.*'qwen2.5-0.5b', 'smollm2-135m'"):
        model.check()
    unnamed, _ = model_with(lambda request: httpx.Response(200, json=offered))
    unnamed.model = ""
    unnamed.check()
    assert unnamed.model == "qwen2.5-0.5b" and unnamed.name == "qwen2.5-0.5b @ 127.0.0.1"


def test_an_error_in_the_middle_of_a_reply_is_reported() -> None:
    model, _ = model_with(lambda request: httpx.Response(200, content=sse("Hel", error="out of memory")))
    pieces = []
    with pytest.raises(ModelError, match="failed mid-reply: out of memory"):
        for piece in model.stream([ChatMessage("user", "hi")], OPTIONS, CancelToken()):
            pieces.append(piece)
    assert pieces == ["Hel"]


def test_a_server_that_is_down_is_retried_then_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assistant.models.openai_backend.BACKOFF_S", (0.01,))
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIChatModel(f"http://127.0.0.1:{port}/v1", "smollm2", retries=2, timeout_s=5)
    with pytest.raises(ModelError, match=f"Cannot reach the model server at http://127.0.0.1:{port}/v1.*running"):
        list(model.stream([ChatMessage("user", "hi")], OPTIONS, CancelToken()))
    with pytest.raises(ModelError, match="Cannot reach"):
        model.check()


def test_the_backend_is_chosen_from_the_environment_and_the_key_stays_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import model_label
    from assistant.settings import load_settings

    monkeypatch.setenv("MNEMO_MODEL__BACKEND", "openai")
    monkeypatch.setenv("MNEMO_MODEL__BASE_URL", "http://gpu-box:8000/v1")
    monkeypatch.setenv("MNEMO_MODEL__SERVER_MODEL", "qwen2.5")
    monkeypatch.setenv("MNEMO_MODEL__API_KEY", "sk-very-secret")
    settings = load_settings()
    assert settings.model.backend == "openai" and settings.model.api_key is not None
    assert settings.model.api_key.get_secret_value() == "sk-very-secret"
    assert "sk-very-secret" not in repr(settings) and "sk-very-secret" not in settings.model_dump_json()
    assert model_label(settings.model) == "qwen2.5 @ http://gpu-box:8000/v1"
