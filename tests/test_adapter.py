"""The memory adapter: its cases are rendered by the app's own prompt code, the evaluation's words and templates
are never trained on, the checks, the setting, the shipped files, and a few training steps on the tiny model
(real_model) that OpenVINO then applies."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from assistant.adapter import SHIPPED_ADAPTER, adapter_for
from assistant.adapter.cases import Vocabulary
from assistant.adapter.dataset import DEFAULT_PERSONA, MIX, build, complete
from assistant.adapter.evaluate import passes, score
from assistant.adapter.replay import bulleted, general_prompts, shortened, without_emojis
from assistant.memory_notes import PROFILE_TITLE

from .conftest import SHARED_MODEL_CACHE

REPLAY = {
    "How do I boil an egg?": "Put the egg in boiling water.\nCook it for 7 minutes.\nCool it in cold water.",
    "What is 12 times 3?": "12 times 3 is 36.",
}


def test_cases_are_rendered_in_the_layout_the_app_sends() -> None:
    examples = build(seed=1, size=2, held_out=False, replay=REPLAY)
    assert len(examples) == 2 * sum(MIX.values())
    for example in examples:
        system, user, assistant = example.messages
        assert (system["role"], user["role"], assistant["role"]) == ("system", "user", "assistant")
        assert system["content"].startswith(DEFAULT_PERSONA)
        assert "Today is " in system["content"]
        assert assistant["content"].strip()
    turns = {example.behaviour: example.messages[1]["content"] for example in examples}
    assert turns["direct"].startswith("What I told you in earlier chats (most relevant first):\n- ")
    assert any(f"## {PROFILE_TITLE}" in example.messages[0]["content"] for example in examples)
    constraint_turns = [example.messages[1]["content"] for example in examples if example.behaviour == "constraint"]
    assert any("(Important: " in turn and "warn me first" in turn for turn in constraint_turns)


def test_a_constraint_reply_warns_and_an_unknown_is_not_invented() -> None:
    examples = build(seed=3, size=6, held_out=False, replay=REPLAY)
    for example in examples:
        reply = example.messages[2]["content"]
        if example.behaviour == "constraint":
            assert reply.startswith(("Careful:", "Wait, before you do:", "Heads up:", "Hold on:"))
            assert "you told me" in reply
        if example.behaviour == "abstention":
            assert "know" in reply and "you" in reply
        if example.behaviour == "update":
            assert passes(reply, example.to_json()), reply  # the newest fact, never the superseded one


def test_the_evaluation_uses_words_and_templates_never_trained_on() -> None:
    train, held = Vocabulary(held_out=False), Vocabulary(held_out=True)
    for name in ("names", "cities", "pets", "jobs", "hobbies", "constraints", "relations"):
        assert set(getattr(train, name)).isdisjoint(getattr(held, name)), name
        assert getattr(held, name), name
    trained = build(seed=5, size=8, held_out=False, replay=REPLAY)
    evaluated = build(seed=6, size=4, held_out=True, replay=REPLAY)
    learned = {example.template for example in trained if example.behaviour not in ("general", "style", "plain")}
    asked = {example.template for example in evaluated if example.behaviour not in ("general", "style", "plain")}
    assert asked and learned and asked.isdisjoint(learned)
    trained_names = " ".join(example.messages[1]["content"] for example in trained)
    assert not any(f" {name} " in trained_names for name in held.names)


def test_no_question_of_the_personal_qa_benchmark_is_trained_on() -> None:
    data = json.loads((Path(__file__).parents[1] / "bench" / "data" / "personal_qa.json").read_text())
    asked = {question["ask"].strip().lower() for user in data["users"] for question in user["questions"]}
    trained = build(seed=7, size=80, held_out=False, replay=REPLAY)  # the shipped recipe's seed and size
    said = {part.strip().lower() for example in trained for part in example.messages[1]["content"].split("\n\n")}
    assert asked.isdisjoint(said)


def test_everyday_prompts_are_fixed_by_the_seed() -> None:
    assert general_prompts(7, 30) == general_prompts(7, 30)
    assert general_prompts(7, 30) == general_prompts(7, 60)[:30]
    assert len(set(general_prompts(7, 60))) == 60


def test_replies_cut_by_the_token_limit_end_on_a_whole_sentence() -> None:
    assert complete("Step one. Step two. Step thr") == "Step one. Step two."
    assert complete("1. Mix.\n\n2. Bake the") == "1. Mix."
    assert complete("All done.") == "All done."
    assert bulleted(REPLAY["How do I boil an egg?"]).splitlines() == [
        "- Put the egg in boiling water",
        "- Cook it for 7 minutes",
        "- Cool it in cold water",
    ]
    assert len(shortened(" ".join(["A sentence of six words here."] * 20)).split()) <= 45
    assert without_emojis("Great idea 🎉 enjoy") == "Great idea enjoy"


def test_checks_read_keywords_length_and_bullets() -> None:
    case = {"behaviour": "update", "any_of": ["bilbao"], "none_of": ["seville"]}
    assert passes("Pedro lives in Bilbao now.", case) is True
    assert passes("He moved from Seville to Bilbao.", case) is False
    assert passes("Twenty words " * 40, {"behaviour": "style", "max_words": 60}) is False
    assert passes("- one\n- two", {"behaviour": "style", "needs_bullets": True}) is True
    assert passes("Anything.", {"behaviour": "general"}) is None
    report = score([case, {"behaviour": "general"}], ["Bilbao.", "Hello."])
    assert report == {"accuracy": 1.0, "checked": 1, "by_behaviour": {"update": 1.0}}


def test_the_setting_applies_the_shipped_adapter_only_to_the_default_model(tmp_path: Path) -> None:
    assert adapter_for("", "default", None) is None
    assert adapter_for("none", "default", None) is None
    assert adapter_for("memory", "large", None) is None  # trained on the default model's layers
    assert adapter_for("memory", "default", tmp_path / "mine.gguf") is None
    assert adapter_for(str(tmp_path / "a" / "adapter_model.safetensors"), "tiny", None) == tmp_path / "a"
    assert adapter_for(str(tmp_path / "a"), "tiny", None) == tmp_path / "a"
    if (SHIPPED_ADAPTER / "adapter_model.safetensors").exists():
        assert adapter_for("memory", "default", None) == SHIPPED_ADAPTER


def test_the_shipped_adapter_fits_the_default_model_and_says_how_it_was_made() -> None:
    weights = SHIPPED_ADAPTER / "adapter_model.safetensors"
    if not weights.exists():
        pytest.skip("no adapter shipped yet (make adapter)")
    config = json.loads((SHIPPED_ADAPTER / "adapter_config.json").read_text())
    recipe = json.loads((SHIPPED_ADAPTER / "recipe.json").read_text())
    metrics = json.loads((SHIPPED_ADAPTER / "metrics.json").read_text())
    assert recipe["rebuild"] == "make adapter" and recipe["seed"] is not None
    assert metrics["training"]["wall_s"] > 0 and "evaluation" in metrics
    with weights.open("rb") as handle:
        header = json.loads(handle.read(struct.unpack("<Q", handle.read(8))[0]))
    shapes = {name: entry["shape"] for name, entry in header.items() if name != "__metadata__"}
    rank = config["r"]
    assert shapes["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] == [rank, 896]
    assert shapes["base_model.model.model.layers.23.mlp.down_proj.lora_A.weight"] == [rank, 4864]
    assert weights.stat().st_size < 20_000_000


@pytest.mark.real_model
def test_a_few_steps_on_the_tiny_model_train_resume_and_run_on_openvino(tmp_path: Path) -> None:
    from assistant.adapter.train import TrainConfig, train
    from assistant.models import CancelToken, ChatMessage, GenerationOptions, load_chat_model
    from assistant.models.model_cache import ModelSource, prepare_model_dir
    from assistant.models.runtime import openvino_installed
    from assistant.settings import ModelSettings

    model_dir = prepare_model_dir(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE)
    examples = [example.to_json() for example in build(seed=2, size=1, held_out=False, replay=REPLAY)][:6]
    config = TrainConfig(accumulate=2, checkpoint_every=1, warmup_steps=1)
    steps: list[tuple[int, float]] = []
    first = train(model_dir, examples[:4], tmp_path, config, lambda done, total, loss: steps.append((done, loss)))
    assert first["optimizer_steps"] == 2 and [done for done, _ in steps] == [1, 2]
    assert all(loss == loss and loss > 0 for _, loss in steps)  # finite, not NaN
    assert (tmp_path / "adapter" / "adapter_model.safetensors").exists()
    resumed = train(model_dir, examples, tmp_path, config, lambda done, total, loss: steps.append((done, loss)))
    assert resumed["resumed_from_step"] == 2 and resumed["optimizer_steps"] == 3
    if not openvino_installed():
        pytest.skip("OpenVINO is not installed (make openvino)")
    settings = ModelSettings(backend="openvino", profile="tiny", adapter=str(tmp_path / "adapter"))
    model = load_chat_model(settings, SHARED_MODEL_CACHE)
    assert model.name.endswith("+ adapter adapter")  # the label names the adapter folder
    reply = "".join(
        model.stream(
            [ChatMessage("user", "Say hello.")], GenerationOptions(max_new_tokens=8, temperature=0.0), CancelToken()
        )
    )
    assert reply.strip()


def test_a_damaged_adapter_names_the_file_and_the_way_out(tmp_path: Path) -> None:
    openvino_genai = pytest.importorskip("openvino_genai")
    from assistant.models import ModelError
    from assistant.models.openvino_backend import _adapter

    (tmp_path / "adapter_model.safetensors").write_bytes(b"not a safetensors file")
    with pytest.raises(ModelError, match=r'adapter_model.safetensors could not be read.*model.adapter = "none"'):
        _adapter(openvino_genai, tmp_path)


def test_the_knowledge_questions_are_asked_as_a_new_user_would() -> None:
    from assistant.adapter.evaluate import knowledge_cases
    from assistant.adapter.pipeline import KNOWLEDGE

    cases = knowledge_cases(KNOWLEDGE)
    assert len(cases) >= 50
    system, user, _ = cases[0]["messages"]
    assert system["content"].startswith(DEFAULT_PERSONA) and "What I told you" not in user["content"]
    assert all(case["any_of"] for case in cases)
    assert knowledge_cases(Path("absent.json")) == []


@pytest.mark.real_model
def test_a_users_adapter_trains_on_rated_replies_and_stacks_per_user_on_openvino(tmp_path: Path) -> None:
    from assistant.adapter.preference import PreferenceConfig, train_user_adapter
    from assistant.feedback import PreferencePair
    from assistant.models import CancelToken, ChatMessage, GenerationOptions, load_chat_model
    from assistant.models.model_cache import ModelSource, prepare_model_dir
    from assistant.models.runtime import openvino_installed
    from assistant.settings import ModelSettings

    model_dir = prepare_model_dir(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE)
    pairs = [
        PreferencePair(i, "You are mnemo.", f"Ideas for day {i}?", f"- walk\n- read {i}", f"Walk or read {i}.")
        for i in range(6)
    ]
    seen: list[int] = []
    figures = train_user_adapter(
        model_dir, None, pairs, tmp_path / "ana", PreferenceConfig(epochs=1), lambda d, n, loss: seen.append(d)
    )
    assert figures["trained_on"] == 5 and figures["held_out_pairs"] == 1 and seen == [1, 2, 3, 4, 5]
    assert figures["held_out_preferred_before"] in (0.0, 1.0) and figures["held_out_preferred_after"] in (0.0, 1.0)
    assert (tmp_path / "ana" / "adapter_model.safetensors").is_file()
    if not openvino_installed():
        pytest.skip("OpenVINO is not installed (make openvino)")
    settings = ModelSettings(backend="openvino", profile="tiny", adapter="none")
    model = load_chat_model(settings, SHARED_MODEL_CACHE, user_adapters={"ana": tmp_path / "ana"})
    for user in ("ana", "bo"):  # ana's replies with her adapter, bo's without: both run
        options = GenerationOptions(max_new_tokens=6, temperature=0.0, user=user)
        reply = "".join(model.stream([ChatMessage("user", "Say hello.")], options, CancelToken()))
        assert reply.strip()
