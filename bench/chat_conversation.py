"""An 8-turn chat with memory, timed as the user sees it (``bench/chat.py --conversation``).

Facts are told in earlier chats (scripted model, so seeding is quick and the same every run); then a new chat
asks eight questions that recall them, through the app's own turn runner on the real model. Per turn: the first
token as the user sees it (recall, prompt and prefill included), decode speed, prompt size, how many memories
were recalled and how much of the prompt the model could reuse from the last turn.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from typing import Any

FACTS_BY_CHAT = [
    [
        "Hi! I'm Marta. I'm allergic to peanuts.",
        "My brother Pedro lives in Seville.",
        "I have a dog called Biscuit; he is a beagle.",
        "I work as a nurse at the city hospital.",
    ],
    [
        "My favourite food is ramen.",
        "I'm learning to play the cello.",
        "My partner Sam loves hiking in the mountains.",
        "My daughter Lena starts school in September.",
        "I drink my coffee black, no sugar.",
    ],
]
QUESTIONS = [
    "Hi again! Can you suggest something for dinner tonight?",
    "Where does my brother live?",
    "What kind of dog do I have?",
    "I'm thinking of ordering chicken satay with peanut sauce. Good idea?",
    "What could I give Sam for his birthday?",
    "Any tips for my cello practice this week?",
    "What should I pack for Lena's first school day?",
    "Remind me how I take my coffee.",
]


def seed_memories(settings: Any) -> int:
    """Tell the facts in earlier chats, through the app, with a scripted model; how many memories it kept."""
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel
    from assistant.turn import run_turn

    assistant = build_assistant(settings, model=FakeChatModel(lambda _: "Noted, thank you."))
    try:
        for chat in FACTS_BY_CHAT:
            conversation = assistant.conversation("me", assistant.store.create_session("me").id)
            for fact in chat:
                run_turn(conversation, fact)
        return int(assistant.memory.get().memories.store.count("me"))
    finally:
        assistant.close()


def run_conversation(backend: str, profile: str, threads: int | None, new_tokens: int) -> dict[str, Any]:
    from assistant.factory import build_assistant
    from assistant.memory_notes import SOURCE
    from assistant.settings import load_settings
    from assistant.turn import TurnOutcome, run_turn

    with tempfile.TemporaryDirectory(prefix="mnemo-bench-chat-") as data_dir:
        os.environ["MNEMO_DATA_DIR"] = data_dir  # a fresh memory each run; the model cache stays the user's
        model_settings: dict[str, Any] = {
            "backend": backend,
            "profile": profile,
            "max_new_tokens": new_tokens,
            "temperature": 0.0,
        }
        if threads:
            model_settings["threads"] = threads
        settings = load_settings(model=model_settings)
        memories = seed_memories(settings)
        assistant = build_assistant(settings)
        try:
            started = time.perf_counter()
            model = assistant.model.get()
            load_s = time.perf_counter() - started
            conversation = assistant.conversation("me", assistant.store.create_session("me").id)
            turns = []
            for question in QUESTIONS:
                result = run_turn(conversation, question)
                reply = result.reply
                decode = reply.decode_tokens_per_s
                turns.append(
                    {
                        "first_token_s": reply.time_to_first_token_s and round(reply.time_to_first_token_s, 3),
                        "decode_tok_s": decode and round(decode, 1),
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "reused_tokens": getattr(model, "last_reused_tokens", None),
                        "recalled": sum(len(part.references) for part in reply.prompt_parts if part.source == SOURCE),
                        "finished": result.outcome == TurnOutcome.FINISHED,
                        "answered_by_app": reply.answered_by_app,
                        "reply": reply.text[:160],
                    }
                )
        finally:
            assistant.close()
    later = [turn["first_token_s"] for turn in turns[1:] if turn["first_token_s"] is not None]
    decode = [turn["decode_tok_s"] for turn in turns if turn["decode_tok_s"]]
    return {
        "mode": "conversation",
        "backend": backend,
        "profile": profile,
        "load_s": round(load_s, 2),
        "memories_seeded": memories,
        "recalled_total": sum(turn["recalled"] or 0 for turn in turns),
        "median_first_token_after_first_s": round(statistics.median(later), 3) if later else None,
        "first_token_first_turn_s": turns[0]["first_token_s"],
        "median_decode_tok_s": round(statistics.median(decode), 1) if decode else None,
        "turns": turns,
    }
