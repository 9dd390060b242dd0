"""The extraction adapter: its cases pass the app's own gates and are never benchmark sentences, the model reads
the message less its questions, the evaluation's score, the setting, and on OpenVINO the extraction adapter
replaces the memory adapter for extraction calls only (a few training steps on the tiny model, real_model)."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import pytest

from assistant.adapter import SHIPPED_EXTRACTION_ADAPTER, extraction_adapter_for
from assistant.adapter.extraction_cases import NOW, Words, examples
from assistant.adapter.extraction_eval import score
from memory.extraction import PROMPT, is_about_the_user, is_grounded, parse_model_answer
from memory.extraction_text import model_text

from .conftest import SHARED_MODEL_CACHE

BENCH_DATA = Path(__file__).parents[1] / "bench" / "data"


def test_every_expected_fact_passes_the_gates_the_app_applies() -> None:
    cases = examples(seed=3, count=300, held_out=False)
    assert len(cases) == 300
    for case in cases:
        said = str(case["message"])
        assert case["messages"][0]["content"] == PROMPT.format(message=said)
        items = parse_model_answer(case["messages"][1]["content"])  # the answer is what the app parses
        assert [item.text for item in items] == case["facts"]
        for item in items:
            assert is_grounded(item.text, said) and is_about_the_user(item.text, NOW), (said, item.text)
    counts = [len(case["facts"]) for case in cases]
    assert counts.count(0) >= 20 and max(counts) >= 3  # chatter that states nothing, and several facts at once


def test_the_evaluation_uses_names_and_words_never_trained_on() -> None:
    train, held = Words(False), Words(True)
    assert not set(train.names) & set(held.names) and not set(train.allergens) & set(held.allergens)
    training_text = " ".join(str(case["message"]).lower() for case in examples(seed=1, count=400, held_out=False))
    for name in held.names:
        assert f" {name.lower()} " not in f" {training_text} "


def test_no_sentence_of_a_benchmark_is_trained_on() -> None:
    trained = {str(case["message"]).lower() for case in examples(seed=11, count=1000, held_out=False)}
    benchmark = set()
    for path in BENCH_DATA.glob("extraction_*.json"):
        benchmark |= {turn["text"].lower() for turn in json.loads(path.read_text())["turns"]}
    for case in json.loads((BENCH_DATA / "personal_qa.json").read_text())["users"]:
        benchmark |= {message.lower() for chat in case["chats"] for message in chat["messages"]}
    assert not trained & benchmark


def test_the_model_reads_the_message_less_its_questions_and_requests() -> None:
    assert model_text("have migraines. any tips for sleeping better?") == "have migraines."
    assert model_text("had a long day, allergic to shrimp. can you suggest a podcast?") == (
        "had a long day, allergic to shrimp."
    )
    assert model_text("I'm allergic to sesame, so can you suggest a sauce?") == "I'm allergic to sesame"
    assert model_text("Can you help me plan meals? What should I cook?") == ""
    assert model_text('She said "I am vegan". I live in Porto.') == "I live in Porto."


def test_the_score_counts_found_facts_kept_items_and_silence() -> None:
    cases = [
        {
            "message": "my sister ana lives in porto, allergic to kiwi",
            "facts": ["My sister Ana lives in Porto", "I'm allergic to kiwi"],
        },
        {"message": "had a long day", "facts": []},
    ]  # fmt: skip
    answers = [
        '[{"text": "My sister Ana lives in Porto", "kind": "person"}, {"text": "I live in Lisbon", "kind": "fact"}]',
        "[]",
    ]
    figures = score(cases, answers)
    assert figures["recall"] == 0.5 and figures["precision"] == 1.0  # the invented home fails the gates
    assert figures["valid_json"] == 1.0 and figures["silent_on_chatter"] == 1.0
    assert score(cases, ["not json", "[]"])["valid_json"] == 0.5


def test_the_setting_applies_the_shipped_extraction_adapter_only_to_the_default_model(tmp_path: Path) -> None:
    assert extraction_adapter_for("none", "default", None) is None
    assert extraction_adapter_for("extraction", "large", None) is None
    assert extraction_adapter_for(str(tmp_path / "x"), "tiny", None) == tmp_path / "x"


def test_the_shipped_extraction_adapter_fits_the_default_model_and_says_how_it_was_made() -> None:
    weights = SHIPPED_EXTRACTION_ADAPTER / "adapter_model.safetensors"
    recipe = json.loads((SHIPPED_EXTRACTION_ADAPTER / "recipe.json").read_text())
    metrics = json.loads((SHIPPED_EXTRACTION_ADAPTER / "metrics.json").read_text())
    assert recipe["rebuild"] == "make extraction-adapter" and recipe["seed"] is not None
    assert metrics["training"]["wall_s"] > 0 and "with_adapter" in metrics["evaluation"]
    with weights.open("rb") as handle:
        header = json.loads(handle.read(struct.unpack("<Q", handle.read(8))[0]))
    shapes = {name: entry["shape"] for name, entry in header.items() if name != "__metadata__"}
    assert shapes["base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight"] == [8, 896]
    assert weights.stat().st_size < 20_000_000
    # the shipped recipe's training set is the one examples() writes: a rebuild trains on the same messages
    assert len(examples(recipe["seed"], recipe["size"], held_out=False)) == recipe["train_examples"]


@pytest.mark.real_model
def test_extraction_calls_run_with_their_own_adapter_on_openvino(tmp_path: Path) -> None:
    from assistant.adapter.train import TrainConfig, train
    from assistant.models import CancelToken, ChatMessage, GenerationOptions, load_chat_model
    from assistant.models.model_cache import ModelSource, prepare_model_dir
    from assistant.models.runtime import openvino_installed
    from assistant.settings import ModelSettings

    model_dir = prepare_model_dir(ModelSource.from_settings("tiny", None), SHARED_MODEL_CACHE)
    config = TrainConfig(accumulate=2, checkpoint_every=1, warmup_steps=1)
    figures = train(model_dir, examples(seed=5, count=4, held_out=False), tmp_path, config, lambda *_: None)
    assert figures["optimizer_steps"] == 2
    if not openvino_installed():
        pytest.skip("OpenVINO is not installed (make openvino)")
    settings = ModelSettings(
        backend="openvino", profile="tiny", adapter="none", extraction_adapter=str(tmp_path / "adapter")
    )
    model = load_chat_model(settings, SHARED_MODEL_CACHE)
    for purpose in ("extraction", "reply", "extraction"):  # switching weights clears the cached prefix
        options = GenerationOptions(max_new_tokens=6, temperature=0.0, purpose=purpose)  # type: ignore[arg-type]
        reply = "".join(model.stream([ChatMessage("user", "I live in Porto.")], options, CancelToken()))
        assert reply.strip()
