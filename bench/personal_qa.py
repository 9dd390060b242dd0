"""End to end: facts told in earlier chats, asked in a new one, and what the user sees in the reply.

    python bench/personal_qa.py                              # the shipped default, every case
    python bench/personal_qa.py --profile large --backend llamacpp
    python bench/personal_qa.py --layout system              # memories in the system prompt, for comparison
    python bench/personal_qa.py --category constraint        # one category's questions (every fact still told)
    python bench/personal_qa.py --smoke                      # a few cases with the scripted fake model (CI)

It drives the real assistant (``build_assistant``: real extraction, recall, constraints, prompt, model). Each
scripted user of ``bench/data/personal_qa.json`` tells facts across several chats on past days, with unrelated
chats between; each question is asked in a new chat on day 0. A reply is right when it contains one of
``any_of``, none of ``none_of`` (lower-case substrings) and, where given, at most ``max_words`` words. Each miss
says why: "not recalled" (the needed memory never reached the prompt) or "recalled, not used" (the answer).
Then ``other_user`` asks the other users' questions and must get none of their answers.

Output (JSON): accuracy, recalled, used_when_recalled, by_category, accuracy_in_model_words,
constraints_in_model_words and style_in_model_words (the model's own words: without the first words the app
wrote for it to go on from, see ``PromptPart.opening``, and before the app kept the user's style on them, see
``assistant/reply_rules.py``; ``openings`` counts the replies that had them), constraints_with_warning (a constraint
question counts when the reply warns or the app showed its warning line), other_user, reply and first-token
latency p50/p95 and decode speed (model replies only), answered_by_app, and per-question rows.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.adapter.evaluate import passes  # noqa: E402
from assistant.conversation import Conversation  # noqa: E402
from assistant.factory import Assistant, build_assistant  # noqa: E402
from assistant.models import GenerationOptions  # noqa: E402
from assistant.models.fake import FakeChatModel  # noqa: E402
from assistant.models.runtime import choose_runtime  # noqa: E402
from assistant.settings import Settings  # noqa: E402
from assistant.turn import run_turn  # noqa: E402

DATA = ROOT / "bench" / "data" / "personal_qa.json"
DAY_ZERO = datetime(2026, 11, 16, 18, 0).astimezone()
SMOKE_USERS = 2
SMOKE_QUESTIONS = 3


def reply_is_right(reply: str, question: dict) -> bool:
    """One of ``any_of``, none of ``none_of``, within ``max_words`` (the adapter's evaluation checks the same)."""
    return passes(reply, question) is not False


def memory_material(conversation: Conversation) -> str:
    """What memory put into the prompt for the last reply (profile, recalled memories, notes), lower case."""
    parts = conversation.last_reply.prompt_parts
    return "\n".join(part.text for part in parts if part.source in ("memory", "constraint", "unknown")).lower()


def was_recalled(material: str, needed: list[str] | None) -> bool | None:
    if not needed:
        return None
    return any(all(word in line for word in needed) for line in re.split(r"\n|\. ", material))


def ask(assistant: Assistant, user: str, text: str, when: datetime, max_new_tokens: int) -> Conversation:
    conversation = assistant.conversation(user, assistant.store.create_session(user).id)
    conversation.options = GenerationOptions(max_new_tokens=max_new_tokens, temperature=0.0)
    run_turn(conversation, text, now=when, remember=False)
    return conversation


def tell(assistant: Assistant, user: str, chats: list[dict], tell_tokens: int) -> None:
    """Each chat in a session of its own, on its day; every message remembered after its reply, as the app does."""
    for chat in chats:
        conversation = assistant.conversation(user, assistant.store.create_session(user).id)
        conversation.options = GenerationOptions(max_new_tokens=tell_tokens, temperature=0.0)
        for minute, message in enumerate(chat["messages"]):
            when = DAY_ZERO + timedelta(days=chat["day"], minutes=minute)
            run_turn(conversation, message, now=when)


def run_question(assistant: Assistant, user: str, question: dict, max_new_tokens: int) -> dict:
    conversation = ask(assistant, user, question["ask"], DAY_ZERO + timedelta(hours=1), max_new_tokens)
    result = conversation.last_reply
    material = memory_material(conversation)
    right = reply_is_right(result.text, question)
    recalled = was_recalled(material, question.get("needed"))
    return {
        "id": question["id"],
        "category": question["category"],
        "ask": question["ask"],
        "reply": result.text,
        "right": right,
        "recalled": recalled,
        "miss": None if right else ("not recalled" if recalled is False else "recalled, not used"),
        "warnings": result.notices,
        "opening": result.opening,
        "right_in_model_words": reply_is_right(result.model_text.strip(), question),
        "model_text": result.model_text.strip(),
        "answered_by_app": result.answered_by_app,
        "ttft_s": round(result.time_to_first_token_s or 0.0, 3),
        "decode_tok_s": None if result.decode_tokens_per_s is None else round(result.decode_tokens_per_s, 1),
        "total_s": round(result.total_s, 3),
    }


def other_user_rows(assistant: Assistant, data: dict, users: list[dict], max_new_tokens: int) -> list[dict]:
    """The other user asks everyone's factual questions: the reply must hold none of their answers."""
    guest = data["other_user"]["user"]
    rows = []
    for user in users:
        for question in user["questions"]:
            if question["category"] not in ("direct", "update", "multihop"):
                continue
            conversation = ask(assistant, guest, question["ask"], DAY_ZERO + timedelta(hours=2), max_new_tokens)
            reply = conversation.last_reply.text.lower()
            leaked = [word for word in question["any_of"] if word in reply]
            needed = question.get("needed") or []
            in_prompt = bool(needed) and bool(was_recalled(memory_material(conversation), needed))
            rows.append({"id": question["id"], "leaked": leaked, "in_prompt": in_prompt, "reply": reply})
    return rows


def summarise(
    rows: list[dict], others: list[dict], settings: Settings, seconds: float, smoke: bool, model_name: str = ""
) -> dict:
    by_category: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_category[row["category"]].append(row)
    recalled_rows = [row for row in rows if row["recalled"] is not None]
    recalled = [row for row in recalled_rows if row["recalled"]]
    constraint_rows = by_category.get("constraint", [])
    totals = sorted(row["total_s"] for row in rows)
    first_tokens = sorted(row["ttft_s"] for row in rows if not row["answered_by_app"])
    decode = sorted(row["decode_tok_s"] for row in rows if row["decode_tok_s"] is not None)
    return {
        "accuracy": _share(rows, "right"),
        "questions": len(rows),
        "recalled": round(len(recalled) / max(1, len(recalled_rows)), 4),
        "used_when_recalled": _share(recalled, "right"),
        "by_category": {name: _share(items, "right") for name, items in sorted(by_category.items())},
        "accuracy_in_model_words": _share(rows, "right_in_model_words"),
        "constraints_in_model_words": _share(constraint_rows, "right_in_model_words"),
        "style_in_model_words": _share(by_category.get("style", []), "right_in_model_words"),
        "openings": sum(bool(row["opening"]) for row in rows),
        "constraints_with_warning": round(
            sum(row["right"] or bool(row["warnings"]) for row in constraint_rows) / max(1, len(constraint_rows)), 4
        ),
        "other_user": {
            "questions": len(others),
            "clean": round(sum(not o["leaked"] and not o["in_prompt"] for o in others) / max(1, len(others)), 4),
            "leaks": [o for o in others if o["leaked"] or o["in_prompt"]],
        },
        "reply_s_p50": _percentile(totals, 0.5),
        "reply_s_p95": _percentile(totals, 0.95),
        "first_token_s_p50": _percentile(first_tokens, 0.5),
        "first_token_s_p95": _percentile(first_tokens, 0.95),
        "decode_tok_s_p50": _percentile(decode, 0.5),
        "answered_by_app": sum(row["answered_by_app"] for row in rows),
        "settings": {
            "backend": choose_runtime(settings.model).backend,  # "auto" resolved
            "profile": settings.model.profile,
            "adapter": settings.model.adapter or "none",
            "model": model_name,
            "layout": settings.memory.layout,
            "notes": settings.memory.notes,
            "extractor": settings.memory.extractor,
            "embedder": settings.memory.embedder,
            "smoke": smoke,
        },
        "seconds": round(seconds, 1),
        "rows": rows,
    }


def _share(rows: list[dict], key: str) -> float:
    return round(sum(bool(row[key]) for row in rows) / max(1, len(rows)), 4)


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    return (
        round(values[min(len(values) - 1, int(fraction * len(values)))], 3)
        if fraction != 0.5
        else round(statistics.median(values), 3)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--profile", default="default")
    parser.add_argument("--backend", default="auto", help="default: what the app runs (OpenVINO where installed)")
    parser.add_argument("--layout", choices=["beside", "system"], default="beside")
    parser.add_argument("--no-notes", action="store_true", help="no constraint or 'not in memory' notes")
    parser.add_argument("--extractor", choices=["rules", "llm"], default="rules")
    parser.add_argument("--users", type=int, default=0, help="only the first N users (0: all)")
    parser.add_argument("--category", default="", help="ask only this category's questions (facts still all told)")
    parser.add_argument("--max-new-tokens", type=int, default=160, help="longest answer to a question")
    parser.add_argument("--tell-tokens", type=int, default=24, help="longest reply while facts are told")
    parser.add_argument("--skip-other-user", action="store_true")
    parser.add_argument("--smoke", action="store_true", help="a few cases with the scripted fake model")
    parser.add_argument("--adapter", default="memory", help="model.adapter: 'memory' (shipped), '' (none) or a path")
    parser.add_argument(
        "--extraction-adapter", default="extraction", help="model.extraction_adapter (with --extractor llm)"
    )
    arguments = parser.parse_args()
    data = json.loads(arguments.data.read_text())
    users = data["users"][: arguments.users or None]
    if arguments.category:
        users = [
            dict(user, questions=[q for q in user["questions"] if q["category"] == arguments.category])
            for user in users
        ]
        users = [user for user in users if user["questions"]]
    if arguments.smoke:
        users = [dict(user, questions=user["questions"][:SMOKE_QUESTIONS]) for user in data["users"][:SMOKE_USERS]]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="mnemo-personal-qa-") as scratch:
        settings = Settings(
            data_dir=Path(scratch) / "data",
            model={
                "backend": "fake" if arguments.smoke else arguments.backend,
                "profile": arguments.profile,
                "adapter": arguments.adapter,
                "extraction_adapter": arguments.extraction_adapter,
            },
            memory={"layout": arguments.layout, "notes": not arguments.no_notes, "extractor": arguments.extractor},
        )
        assistant = build_assistant(settings, FakeChatModel() if arguments.smoke else None)
        try:
            model_name = assistant.model.get().name
            rows = []
            for user in users:
                tell(assistant, user["user"], user["chats"], arguments.tell_tokens)
                rows += [run_question(assistant, user["user"], q, arguments.max_new_tokens) for q in user["questions"]]
                print(f"{user['user']}: {sum(row['right'] for row in rows)}/{len(rows)} so far", file=sys.stderr)
            others = [] if arguments.skip_other_user else other_user_rows(assistant, data, users, 60)
        finally:
            assistant.close()
    report = summarise(rows, others, settings, time.perf_counter() - started, arguments.smoke, model_name)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
