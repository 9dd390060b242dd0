"""The adapter against the base model on the held-out cases (templates and words never trained on), on the
runtime the app uses, with the checks ``bench/personal_qa.py`` makes: must contain one of, none of, length."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

EVAL_TOKENS = 160


def passes(reply: str, case: dict[str, Any]) -> bool | None:
    """Whether ``reply`` meets the case's checks; None when the case has none (everyday prompts)."""
    lowered = reply.lower().replace("’", "'")
    checks: list[bool] = []
    if case.get("any_of"):
        checks.append(any(word.lower() in lowered for word in case["any_of"]))
    if case.get("none_of"):
        checks.append(not any(word.lower() in lowered for word in case["none_of"]))
    if case.get("max_words"):
        checks.append(len(reply.split()) <= int(case["max_words"]))
    if case.get("needs_bullets"):
        checks.append(any(line.lstrip().startswith(("- ", "* ", "•", "1.")) for line in reply.splitlines()))
    return all(checks) if checks else None


def score(cases: Sequence[dict[str, Any]], replies: Sequence[str]) -> dict[str, Any]:
    by_behaviour: dict[str, list[bool]] = defaultdict(list)
    for case, reply in zip(cases, replies, strict=True):
        verdict = passes(reply, case)
        if verdict is not None:
            by_behaviour[case["behaviour"]].append(verdict)
    every = [verdict for verdicts in by_behaviour.values() for verdict in verdicts]
    return {
        "accuracy": round(sum(every) / max(len(every), 1), 3),
        "checked": len(every),
        "by_behaviour": {name: round(sum(v) / len(v), 3) for name, v in sorted(by_behaviour.items())},
    }


def knowledge_cases(path: Path) -> list[dict[str, Any]]:
    """Everyday questions with known answers (``bench/data/general_knowledge.json``), as the app asks them of a
    user with no memories yet: the adapter must leave these as they were."""
    from assistant.adapter.base_model import plain_messages

    if not path.exists():
        return []
    questions = json.loads(path.read_text())["questions"]
    return [
        {
            "behaviour": "knowledge",
            "messages": [*plain_messages(item["ask"]), {"role": "assistant", "content": ""}],
            "any_of": item["any_of"],
        }
        for item in questions
    ]


def evaluate_adapter(
    cases: Sequence[dict[str, Any]],
    adapter_dir: Path,
    cache_dir: Path,
    progress: Callable[[int, int], None],
    knowledge: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """Replies of the base model and of base + adapter to every held-out case and knowledge question, scored; a
    few replies of each are kept in the report to read."""
    from assistant.adapter.base_model import answerer
    from assistant.settings import ModelSettings

    every = [*cases, *knowledge]
    report: dict[str, Any] = {"cases": len(cases), "knowledge_questions": len(knowledge)}
    total = 2 * len(every)
    done = 0
    samples: dict[str, list[dict[str, str]]] = {}
    for name, adapter in (("base", "none"), ("adapter", str(adapter_dir))):
        ask = answerer(ModelSettings(backend="openvino", adapter=adapter), cache_dir, EVAL_TOKENS)
        replies = []
        for case in every:
            replies.append(ask(case["messages"][:-1]).strip())
            done += 1
            progress(done, total)
        report[name] = score(cases, replies[: len(cases)])
        if knowledge:
            report[name]["knowledge"] = score(knowledge, replies[len(cases) :])["accuracy"]
        samples[name] = [
            {"behaviour": case["behaviour"], "message": case["messages"][1]["content"][-160:], "reply": reply[:300]}
            for case, reply in list(zip(cases, replies[: len(cases)], strict=True))[:12]
        ]
    report["samples"] = samples
    return report
