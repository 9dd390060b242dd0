"""How well the packaged model lists a message's facts, with and without the extraction adapter.

Each held-out message (words and names never trained on) goes through the app's own path: the extraction
prompt, the model on OpenVINO greedy, the JSON parsed and every item put through the app's gates (grounded in
the message, about the user). A stated fact counts as found when a kept item holds all its content words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from assistant.adapter.extraction_cases import NOW
from memory.extraction import content_words, is_about_the_user, is_grounded, parse_model_answer


def matches(kept: str, expected: str) -> bool:
    return content_words(expected) <= content_words(kept)


def score(cases: Sequence[dict[str, Any]], answers: Sequence[str]) -> dict[str, Any]:
    """Recall of the stated facts, precision of the kept items, valid JSON, and silence on messages with none."""
    found = expected = kept_total = kept_right = valid = quiet = empties = 0
    for case, answer in zip(cases, answers, strict=True):
        try:
            items = parse_model_answer(answer)
            valid += 1
        except ValueError:
            items = []
        said = str(case["message"])
        kept = [item.text for item in items if is_grounded(item.text, said) and is_about_the_user(item.text, NOW)]
        facts = list(case["facts"])
        expected += len(facts)
        found += sum(any(matches(text, fact) for text in kept) for fact in facts)
        kept_total += len(kept)
        kept_right += sum(any(matches(text, fact) for fact in facts) for text in kept)
        if not facts:
            empties += 1
            quiet += not kept
    return {
        "messages": len(cases),
        "recall": round(found / max(expected, 1), 3),
        "precision": round(kept_right / max(kept_total, 1), 3),
        "valid_json": round(valid / max(len(cases), 1), 3),
        "silent_on_chatter": round(quiet / max(empties, 1), 3),
    }


def evaluate_extraction(
    cases: Sequence[dict[str, Any]], adapter: Path, cache_dir: Path, progress: Callable[[int, int], None]
) -> dict[str, Any]:
    """The held-out cases answered by the bare model and with ``adapter``, on OpenVINO (the app's runtime)."""
    from assistant.models import CancelToken, ChatMessage, GenerationOptions
    from assistant.models.model_cache import ModelSource
    from assistant.models.openvino_backend import load_openvino_model

    model = load_openvino_model(ModelSource.from_settings("default", None), cache_dir, extraction_adapter=adapter)
    report: dict[str, Any] = {}
    total = 2 * len(cases)
    purposes: tuple[Literal["reply", "extraction"], ...] = ("reply", "extraction")
    for number, purpose in enumerate(purposes):
        options = GenerationOptions(max_new_tokens=256, temperature=0.0, repetition_penalty=1.0, purpose=purpose)
        answers = []
        for index, case in enumerate(cases):
            prompt = case["messages"][0]["content"]
            answers.append("".join(model.stream([ChatMessage("user", prompt)], options, CancelToken())))
            progress(number * len(cases) + index + 1, total)
        report["with_adapter" if purpose == "extraction" else "without"] = score(cases, answers)
    model.close()
    return report
