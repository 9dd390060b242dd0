"""The OpenVINO backend: the exporter's errors (a scripted exporter), the group size, the fallback on "auto", and
the real packaged tiny model exported and run (real_model)."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from assistant.models import CancelToken, ChatMessage, GenerationOptions, LoadProgress, ModelError, load_chat_model
from assistant.models.model_cache import ModelSource
from assistant.models.openvino_export import (
    EXPORTER_ENV,
    export_for_openvino,
    exported_group_size,
    exported_model,
    group_size_for,
)
from assistant.settings import load_settings

from .conftest import SHARED_MODEL_CACHE

QUESTION = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "What is the capital of France? Answer in one word."),
]
GREEDY = GenerationOptions(max_new_tokens=24, temperature=0.0, repetition_penalty=1.0)


def model_folder(tmp_path: Path, hidden: int = 896, intermediate: int = 4864) -> Path:
    folder = tmp_path / "model"
    tmp_path.mkdir(parents=True, exist_ok=True)
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"hidden_size": hidden, "intermediate_size": intermediate}))
    return folder


def scripted_exporter(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "optimum-cli"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return script


def test_the_group_size_divides_every_layer(tmp_path: Path) -> None:
    assert group_size_for(model_folder(tmp_path / "qwen", 896, 4864)) == 128
    assert group_size_for(model_folder(tmp_path / "smollm", 576, 1536)) == 64  # 576 is not a multiple of 128
    assert group_size_for(model_folder(tmp_path / "odd", 800, 1600)) == 32
    with pytest.raises(ModelError, match="config.json"):
        group_size_for(tmp_path)


def test_without_the_exporter_the_error_names_the_make_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(EXPORTER_ENV, str(tmp_path / "absent" / "optimum-cli"))
    source = ModelSource(label="mine", path=model_folder(tmp_path))
    with pytest.raises(ModelError, match="make openvino"):
        export_for_openvino(source, tmp_path / "cache", "int4")


def test_a_failed_export_names_its_log_and_leaves_nothing_marked_finished(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = scripted_exporter(tmp_path, 'echo "nncf: out of memory while compressing" >&2; exit 3')
    monkeypatch.setenv(EXPORTER_ENV, str(exporter))
    source = ModelSource(label="mine", path=model_folder(tmp_path))
    stages: list[LoadProgress] = []
    with pytest.raises(ModelError, match=r"exit 3.*out of memory.*\.log"):
        export_for_openvino(source, tmp_path / "cache", "int4", stages.append)
    assert exported_model(source, tmp_path / "cache", "int4") is None
    assert stages and "OpenVINO" in stages[0].stage


def test_an_export_that_writes_no_model_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exporter = scripted_exporter(tmp_path, 'for last; do :; done; mkdir -p "$last"; echo "$@" > "$last/arguments"')
    monkeypatch.setenv(EXPORTER_ENV, str(exporter))
    source = ModelSource(label="mine", path=model_folder(tmp_path))
    with pytest.raises(ModelError, match="incomplete"):
        export_for_openvino(source, tmp_path / "cache", "int4")
    written = next((tmp_path / "cache" / "openvino").glob("*.partial/arguments")).read_text()
    assert "--weight-format int4 --group-size 128" in written and "text-generation-with-past" in written


def test_a_finished_export_is_reused_and_remembers_its_group_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exporter = scripted_exporter(
        tmp_path,
        'for last; do :; done; mkdir -p "$last"; touch "$last/openvino_model.xml" "$last/openvino_tokenizer.xml";'
        f' echo run >> "{tmp_path}/runs"',
    )
    monkeypatch.setenv(EXPORTER_ENV, str(exporter))
    source = ModelSource(label="mine", path=model_folder(tmp_path, 576, 1536))
    first = export_for_openvino(source, tmp_path / "cache", "int4")
    again = export_for_openvino(source, tmp_path / "cache", "int4")
    assert first == again == exported_model(source, tmp_path / "cache", "int4")
    assert (tmp_path / "runs").read_text().count("run") == 1
    assert exported_group_size(first) == 64


def test_auto_falls_back_when_openvino_cannot_run_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.models import BACKENDS
    from assistant.models.fake import FakeChatModel

    def broken(*_: object) -> FakeChatModel:
        raise ModelError("the OpenVINO export failed (exit 1): killed")

    monkeypatch.setattr("assistant.models.runtime.openvino_installed", lambda: True)
    monkeypatch.setattr("assistant.models.runtime.llamacpp_installed", lambda: False)
    monkeypatch.setitem(BACKENDS, "openvino", broken)
    monkeypatch.setitem(BACKENDS, "transformers", lambda *_: FakeChatModel())
    stages: list[LoadProgress] = []
    model = load_chat_model(load_settings().model, Path("unused"), stages.append)
    assert isinstance(model, FakeChatModel)
    assert "OpenVINO could not run the model, so transformers does: the OpenVINO export failed" in stages[-1].stage
    with pytest.raises(ModelError, match="killed"):  # chosen by name, it is not swapped behind the user's back
        load_chat_model(load_settings(model={"backend": "openvino"}).model, Path("unused"))


@pytest.fixture(scope="module")
def tiny_on_openvino():
    from assistant.models.openvino_backend import load_openvino_model
    from assistant.models.runtime import openvino_installed

    if not openvino_installed():
        pytest.fail("OpenVINO or its exporter is missing: run `make openvino` (part of `make test`)")
    model = load_openvino_model(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE, context_window=2048)
    yield model
    model.close()


@pytest.mark.real_model
def test_the_tiny_model_answers_on_openvino_and_the_next_turn_reuses_the_cache(tiny_on_openvino) -> None:
    model = tiny_on_openvino
    model.clear_cache()
    answer = "".join(model.stream(QUESTION, GREEDY, CancelToken()))
    assert "paris" in answer.lower()
    assert model.last_reused_tokens == 0
    model.clear_cache()
    assert "".join(model.stream(QUESTION, GREEDY, CancelToken())) == answer  # greedy is repeatable, read afresh
    follow_up = [*QUESTION, ChatMessage("assistant", answer), ChatMessage("user", "And of Italy?")]
    reply = "".join(model.stream(follow_up, GREEDY, CancelToken()))
    assert reply.strip()
    assert model.last_reused_tokens >= model.count_tokens(QUESTION) - 2  # the first turn was not read again
    assert model.count_tokens(follow_up) > model.count_tokens(QUESTION) + model.tokens_in(answer)


@pytest.mark.real_model
def test_openvino_generation_stops_when_cancelled_or_abandoned(tiny_on_openvino) -> None:
    model = tiny_on_openvino
    long_reply = GenerationOptions(max_new_tokens=400, temperature=0.0)
    essay = [ChatMessage("user", "Write a long essay about the history of bread.")]
    cancel = CancelToken()
    pieces = []
    for piece in model.stream(essay, long_reply, cancel):
        pieces.append(piece)
        if len(pieces) == 3:
            cancel.cancel()
    assert len(pieces) == 3
    stream = model.stream(essay, long_reply, CancelToken())
    next(stream)
    stream.close()  # the reader walked away: the generating thread ends too
    assert "paris" in "".join(model.stream(QUESTION, GREEDY, CancelToken())).lower()


@pytest.mark.real_model
def test_openvino_goes_on_from_the_first_words_the_app_wrote(tiny_on_openvino) -> None:
    model = tiny_on_openvino
    opening = ChatMessage("assistant", "The capital of France is")
    assert model._render([*QUESTION, opening]).endswith("assistant\nThe capital of France is")
    assert model.count_tokens([*QUESTION, opening]) == model.count_tokens(QUESTION) + model.tokens_in(opening.content)
    rest = "".join(model.stream([*QUESTION, opening], GREEDY, CancelToken()))
    assert "paris" in rest.lower() and not rest.lstrip().startswith("The capital of France is")  # continued, not redone


class _FakeGenAI:
    """openvino_genai's Adapter and AdapterConfig, recording how adapters are registered and applied."""

    class Adapter:
        def __init__(self, path: str) -> None:
            self.name = Path(path).parent.name

    class AdapterConfig:
        class Mode:
            MODE_AUTO = "auto"
            MODE_STATIC = "static"

        def __init__(self, mode: str = "auto") -> None:
            self.mode = mode
            self.applied: list[str] = []

        def add(self, adapter: _FakeGenAI.Adapter, weight: float) -> None:
            self.applied.append(adapter.name)


def test_the_memory_adapter_alone_is_fixed_at_load_and_others_switch_per_call(tmp_path: Path) -> None:
    from assistant.models.openvino_backend import AdapterChoice

    memory, ana, extraction = tmp_path / "memory", tmp_path / "ana", tmp_path / "extraction"
    bo, ana_reply = GenerationOptions(user="bo"), GenerationOptions(user="ana")
    extracting = GenerationOptions(purpose="extraction")
    alone = AdapterChoice(_FakeGenAI, memory, {})
    assert alone.static and alone.every.mode == "static" and alone.every.applied == ["memory"]
    assert alone.config_for(bo) is alone.every and alone.config_for(extracting) is alone.every
    switching = AdapterChoice(_FakeGenAI, memory, {"ana": ana}, extraction)
    assert not switching.static and switching.every.mode == "auto"
    assert switching.every.applied == ["memory", "ana", "extraction"]
    assert switching.config_for(bo).applied == ["memory"]
    assert switching.config_for(ana_reply).applied == ["memory", "ana"]
    assert switching.config_for(extracting).applied == ["extraction"]
    assert not AdapterChoice(_FakeGenAI, memory, {}, extraction).static  # extraction runs without the memory one
