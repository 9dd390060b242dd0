"""The small interface every chat model backend implements."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One message as the model sees it."""

    role: Role
    content: str
    images: tuple[str, ...] = ()
    """Paths of photos sent with the message, for models that accept images."""


@dataclass(frozen=True)
class GenerationOptions:
    """How to sample one reply."""

    max_new_tokens: int = 512
    temperature: float = 0.7
    top_p: float = 0.9
    repetition_penalty: float = 1.1
    user: str = ""
    """Whose own adapter (``mnemo adapt``) applies, where the backend holds one; others ignore it."""
    purpose: Literal["reply", "extraction"] = "reply"
    """"extraction" runs the extraction adapter instead of the memory adapter, where the backend holds one."""


@dataclass(frozen=True)
class LoadProgress:
    """A step of preparing a model, for progress bars: ``done`` of ``total`` units (bytes or steps)."""

    stage: str
    done: float = 0.0
    total: float | None = None

    @property
    def fraction(self) -> float | None:
        if not self.total:
            return None
        return min(1.0, self.done / self.total)


ProgressCallback = Callable[[LoadProgress], None]


def ignore_progress(_: LoadProgress) -> None:
    """A progress callback that shows nothing."""


@dataclass
class CancelToken:
    """Set from the UI thread to stop a reply in flight."""

    _event: threading.Event = field(default_factory=threading.Event)

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()


class ModelError(Exception):
    """A model could not be prepared or failed while generating; the message is for the user."""


@runtime_checkable
class ChatModel(Protocol):
    """A loaded language model that streams a reply to a list of messages."""

    name: str
    """Shown in the status line and stored with every reply."""
    accepts_images: bool
    """Whether images can be passed as images (otherwise they arrive as text descriptions)."""
    context_window: int
    """The most tokens a prompt plus its reply may use."""

    def count_tokens(self, messages: Sequence[ChatMessage]) -> int:
        """Tokens the prompt for ``messages`` takes, chat template included."""
        ...

    def stream(self, messages: Sequence[ChatMessage], options: GenerationOptions, cancel: CancelToken) -> Iterator[str]:
        """Yield the reply piece by piece; stop early once ``cancel`` is set."""
        ...


def reply_opening(messages: Sequence[ChatMessage]) -> tuple[list[ChatMessage], str]:
    """The messages before the reply, and the reply's first words when an assistant message follows the last user
    message: the app wrote them (``PromptPart.opening``) and the model goes on from there. Backends that can
    continue a reply say so with ``continues_replies = True``; the app sends an opening to no other."""
    if len(messages) > 1 and messages[-1].role == "assistant" and messages[-2].role == "user":
        return list(messages[:-1]), messages[-1].content
    return list(messages), ""


def common_prefix(first: Sequence[int], second: Sequence[int]) -> int:
    """How many tokens two token sequences share from the start (a key/value cache reusable for the second)."""
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length
