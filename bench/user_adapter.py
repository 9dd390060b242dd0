"""A scripted user who wants bullet points: rates replies in the app, runs `mnemo adapt`, and what changes.

    python bench/user_adapter.py                 # the shipped default: 40 rated replies, 8 new questions
    python bench/user_adapter.py --style short   # a user who wants short answers
    python bench/user_adapter.py --smoke         # the tiny model, a few replies, one pass (CI)

The user asks everyday questions in the real app (``build_assistant``, the configured model and the memory
adapter); each reply is rated 👎 with the reply they wanted written in (the same answer as bullet points, or cut
short). Then the user's adapter is trained on the kept pairs exactly as ``mnemo adapt`` does, and:

- held_out_preferred_before/after: how often the wanted reply is the likelier one (per token) on the rated
  replies held out of training (one in five);
- style_before/after: the share of replies in the wanted style to questions never rated, asked before and after
  with the user's adapter stacked on the memory adapter, as the app applies it;
- knowledge_before/after: the 60 everyday questions with known answers (``bench/data/general_knowledge.json``)
  asked by the same user before and after: what the user's adapter costs elsewhere.

A reply with code in it is rated 👍 as it is: nobody wants code turned into bullet points.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapt_cli import install_user_adapter  # noqa: E402
from assistant.adapter.evaluate import passes  # noqa: E402
from assistant.adapter.preference import PreferenceConfig  # noqa: E402
from assistant.adapter.replay import bulleted, general_prompts, shortened  # noqa: E402
from assistant.factory import Assistant, build_assistant  # noqa: E402
from assistant.feedback import last_reply_id, preference_pairs, rate  # noqa: E402
from assistant.models import GenerationOptions  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.turn import run_turn  # noqa: E402
from bench.machine import describe_machine  # noqa: E402

USER = "sam"
KNOWLEDGE = ROOT / "bench" / "data" / "general_knowledge.json"
BULLET_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s+\S", re.M)
STYLES = {
    "bullets": (bulleted, lambda reply: len(BULLET_LINE.findall(reply)) >= 2),
    "short": (shortened, lambda reply: len(reply.split()) <= 50),
}


def ask_all(assistant: Assistant, prompts: list[str], max_new_tokens: int) -> list[tuple[str, int]]:
    """Each prompt in a new chat, as the user would: (reply, its message id)."""
    answers = []
    for prompt in prompts:
        conversation = assistant.conversation(USER)
        conversation.options = GenerationOptions(max_new_tokens=max_new_tokens, temperature=0.0)
        run_turn(conversation, prompt, remember=False)
        answers.append((conversation.last_reply.text, last_reply_id(assistant.store, conversation.session.id)))
    return answers


def knowledge(assistant: Assistant, questions: list[dict], max_new_tokens: int) -> float:
    """The share of everyday questions answered right."""
    answers = ask_all(assistant, [question["ask"] for question in questions], max_new_tokens)
    right = [passes(reply, question) is not False for (reply, _), question in zip(answers, questions, strict=True)]
    return round(sum(right) / max(len(right), 1), 3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--style", choices=sorted(STYLES), default="bullets")
    parser.add_argument("--pairs", type=int, default=40, help="replies the user rates")
    parser.add_argument("--unseen", type=int, default=8, help="new questions asked before and after")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=160)
    parser.add_argument("--smoke", action="store_true", help="tiny model, 6 rated replies, 2 new questions, 1 pass")
    arguments = parser.parse_args()
    if arguments.smoke:
        arguments.profile, arguments.pairs, arguments.unseen, arguments.epochs = "tiny", 6, 2, 1
        arguments.max_new_tokens = 24
    rewrite, in_style = STYLES[arguments.style]
    prompts = general_prompts(seed=2027, count=arguments.pairs + arguments.unseen)
    questions = json.loads(KNOWLEDGE.read_text())["questions"][: 3 if arguments.smoke else None]
    rated_prompts, unseen = prompts[: arguments.pairs], prompts[arguments.pairs :]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mnemo-user-adapter-") as scratch:
        settings = Settings(data_dir=Path(scratch) / "data", model={"profile": arguments.profile})
        assistant = build_assistant(settings)
        try:
            model_name = assistant.model.get().name
            for reply, message_id in ask_all(assistant, rated_prompts, arguments.max_new_tokens):
                if "```" in reply:
                    rate(assistant.store, message_id, "good")
                else:
                    rate(assistant.store, message_id, "bad", rewrite(reply), f"{arguments.style} please")
            before = [reply for reply, _ in ask_all(assistant, unseen, arguments.max_new_tokens)]
            knowledge_before = knowledge(assistant, questions, arguments.max_new_tokens)
            pairs = preference_pairs(assistant.store, USER)
        finally:
            assistant.close()
        figures = install_user_adapter(settings, USER, pairs, PreferenceConfig(epochs=arguments.epochs))
        adapted = build_assistant(settings)  # a new start: the user's adapter is found and stacked
        try:
            adapted.model.get()  # loads the model, finding the users' adapters
            applied = USER in adapted.model.user_adapters
            after = [reply for reply, _ in ask_all(adapted, unseen, arguments.max_new_tokens)]
            knowledge_after = knowledge(adapted, questions, arguments.max_new_tokens)
        finally:
            adapted.close()
    report = {
        "model": model_name,
        "style": arguments.style,
        "rated": len(pairs),
        "held_out_pairs": figures["held_out_pairs"],
        "held_out_preferred_before": figures["held_out_preferred_before"],
        "held_out_preferred_after": figures["held_out_preferred_after"],
        "unseen_questions": len(unseen),
        "style_before": round(sum(map(in_style, before)) / max(len(before), 1), 3),
        "style_after": round(sum(map(in_style, after)) / max(len(after), 1), 3),
        "knowledge_questions": len(questions),
        "knowledge_before": knowledge_before,
        "knowledge_after": knowledge_after,
        "user_adapter_applied": applied,
        "training": {key: figures[key] for key in ("steps", "first_loss", "last_loss", "wall_s")},
        "seconds": round(time.perf_counter() - started, 1),
        "machine": describe_machine(),
        "replies_before": before,
        "replies_after": after,
    }
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
