"""A scripted model for tests and demos: replies are predictable and instant (or paced)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

from assistant.models.base import CancelToken, ChatMessage, GenerationOptions, ModelError, reply_opening

Script = Callable[[Sequence[ChatMessage]], str]


def echo_script(messages: Sequence[ChatMessage]) -> str:
    """Answer every message by quoting it, so tests can see what reached the model."""
    last_user = next((m.content for m in reversed(messages) if m.role == "user"), "")
    return f"You said: {last_user}"


class FakeChatModel:
    """Streams a scripted reply word by word. ``delay`` paces the words; ``fail_after`` raises mid-reply."""

    accepts_images = False

    def __init__(
        self,
        script: Script = echo_script,
        *,
        name: str = "fake",
        delay: float = 0.0,
        context_window: int = 4096,
        fail_after: int | None = None,
        continues_replies: bool = False,
    ) -> None:
        self.name = name
        self.continues_replies = continues_replies
        """Whether the app may start a reply for it (the script then reads the opening as the last message)."""
        self.script = script
        self.delay = delay
        self.context_window = context_window
        self.fail_after = fail_after
        # The last prompts, for tests to read; bounded, so a long demo or soak does not grow without end.
        self.received: deque[list[ChatMessage]] = deque(maxlen=32)
        self.calls = 0
        self.last_options: GenerationOptions | None = None

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        # One token per word plus a few for each message's template framing.
        return sum(len(message.content.split()) + 4 for message in messages) + 2

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        self.received.append(list(messages))
        self.last_options = options
        self.calls += 1
        words = self.script(messages).split(" ")
        continuing = bool(reply_opening(messages)[1])
        for index, word in enumerate(words[: options.max_new_tokens]):
            if cancel.cancelled:
                return
            if self.fail_after is not None and index >= self.fail_after:
                raise ModelError("the fake model failed on purpose")
            if self.delay:
                time.sleep(self.delay)
            yield word if index == 0 and not continuing else " " + word
