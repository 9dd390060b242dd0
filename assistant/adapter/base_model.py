"""The base model, as the app runs it, answering one prompt: for the replay set and for the evaluation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

from assistant.adapter.dataset import DEFAULT_PERSONA
from assistant.models import CancelToken, ChatMessage, GenerationOptions, load_chat_model
from assistant.prompt import DateProvider, PersonaProvider, PromptBuilder, PromptRequest
from assistant.settings import ModelSettings

REPLAY_TOKENS = 200
Role = Literal["system", "user", "assistant"]


def answerer(
    settings: ModelSettings, cache_dir: Path, max_new_tokens: int = REPLAY_TOKENS
) -> Callable[[Sequence[dict[str, str]]], str]:
    """A function from chat messages to the model's greedy reply, on the configured runtime (and adapter)."""
    model = load_chat_model(settings, cache_dir)
    options = GenerationOptions(max_new_tokens=max_new_tokens, temperature=0.0, repetition_penalty=1.1)

    def answer(messages: Sequence[dict[str, str]]) -> str:
        chat = [ChatMessage(cast(Role, message["role"]), message["content"]) for message in messages]
        return "".join(model.stream(chat, options, CancelToken()))

    return answer


def plain_messages(prompt: str, now: datetime | None = None) -> list[dict[str, str]]:
    """A general prompt as the app sends it with no memory: persona and date, then the message."""
    request = PromptRequest(user="me", session_id="replay", text=prompt, now=now or datetime(2026, 6, 1, tzinfo=UTC))
    parts = [*PersonaProvider(DEFAULT_PERSONA).parts(request), *DateProvider().parts(request)]
    return [{"role": "system", "content": PromptBuilder.render(parts)}, {"role": "user", "content": prompt}]
