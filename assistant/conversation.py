"""The conversation engine: one chat session, its history, and streaming replies into it."""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.history import HistoryStore
from assistant.history_records import SessionInfo, StoredAttachment, StoredMessage
from assistant.models.base import CancelToken, ChatMessage, ChatModel, GenerationOptions, ModelError
from assistant.models.handle import ModelHandle
from assistant.prompt import (
    AttachmentContext,
    PromptBuilder,
    PromptPart,
    PromptRequest,
    inert,
    parts_from_json,
)
from assistant.reply_rules import ReplyRewriter
from assistant.turn_learning import TurnLearning

if TYPE_CHECKING:
    from assistant.concepts import ConceptService
    from assistant.recall import MemoryAccess
    from memory.writer import WriteReport

TITLE_LENGTH = 48
PHOTO_WORDS = re.compile(r"\b(photo|photos|picture|pictures|pic|pics|image|images|snap|screenshot)\b", re.I)


class MessageTooLongError(ValueError):
    """The message alone does not fit in the model's context window."""


class EmptyMessageError(ValueError):
    """Nothing is left of the message once control characters and blanks are cleaned away."""


TRIM_TO = 2 / 3
"""A chat that outgrew the model's window keeps the newest turns that fill this share of it (see fit_to_context)."""


def _first(starts: Sequence[int], fits: Callable[[int], bool]) -> int:
    """The first of ``starts`` that ``fits`` (which holds for the last, and for every start after one it holds for)."""
    low, high = 0, len(starts) - 1
    while low < high:
        middle = (low + high) // 2
        if fits(starts[middle]):
            high = middle
        else:
            low = middle + 1
    return starts[low]


@dataclass
class ReplyResult:
    """What happened to the last reply: filled in while it streams, final once the stream ends."""

    text: str = ""
    status: str = "complete"  # complete | cancelled | error
    error: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    dropped_messages: int = 0
    time_to_first_token_s: float | None = None
    total_s: float = 0.0
    user_message_id: int | None = None
    assistant_message_id: int | None = None
    prompt_parts: list[PromptPart] = field(default_factory=list)
    user_text: str = ""
    said_at: datetime | None = None
    attachments: tuple[AttachmentContext, ...] = ()
    sent_text: str = ""
    """The user's message as the model read it, with this turn's notes."""
    opening: str = ""
    """The reply's first words, written by the app for the model to go on from (``PromptPart.opening``)."""
    model_text: str = ""
    """The model's own words, before the app kept the user's style on them (``text`` is what was shown)."""
    answered_by_app: bool = False
    """The app replied itself ("I don't know your mother's name yet"): no model speed to report."""

    @property
    def notices(self) -> list[str]:
        """What the app shows under the reply whatever the model wrote (constraint warnings)."""
        return [notice for part in self.prompt_parts if part.placement != "unavailable" for notice in part.notices]

    @property
    def unavailable(self) -> list[str]:
        """What the reply had to go without ("⚠ memory unavailable: the Chroma server at … is not reachable")."""
        return [notice for part in self.prompt_parts if part.placement == "unavailable" for notice in part.notices]

    @property
    def decode_tokens_per_s(self) -> float | None:
        if self.time_to_first_token_s is None or self.completion_tokens < 2 or self.answered_by_app:
            return None
        decode_time = self.total_s - self.time_to_first_token_s
        return (self.completion_tokens - 1) / decode_time if decode_time > 0 else None


def clean_user_text(text: str | bytes) -> str:
    """Make pasted input safe to store and send: valid UTF-8, no control characters but newlines and tabs."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    text = text.encode("utf-8", errors="replace").decode("utf-8")  # lone surrogates from bad pastes
    kept = (
        char if char in "\n\t" or unicodedata.category(char) != "Cc" else " " for char in text.replace("\r\n", "\n")
    )
    return "".join(kept).strip()


class Conversation:
    """A user's chat session: sends messages to the model with context, and records everything."""

    def __init__(
        self,
        store: HistoryStore,
        model: ModelHandle,
        prompt_builder: PromptBuilder,
        options: GenerationOptions,
        session: SessionInfo,
        memory: MemoryAccess | None = None,
        concepts: ConceptService | None = None,
    ) -> None:
        self.memory = memory
        self.concepts = concepts
        self.store = store
        self.model_handle = model
        self.prompt_builder = prompt_builder
        self.options = options
        self.session = session
        self.last_reply = ReplyResult()
        self._kept_from = 0  # the history is sent from this message on (see fit_to_context)
        self._memory_learning = TurnLearning(store, memory, concepts) if memory is not None else None

    @property
    def model(self) -> ChatModel:
        """The loaded model (waits for it to load on first use)."""
        return self.model_handle.get()

    @property
    def user(self) -> str:
        return self.session.user

    def history(self) -> list[StoredMessage]:
        return self.store.messages(self.session.id)

    def _history_for_model(self, history: Sequence[StoredMessage]) -> list[ChatMessage]:
        # Failed replies never reach the model; cancelled ones did reach the user, so they stay.
        # A user message goes as the model read it then, notes and all: the same tokens, so the model's cache of
        # the chat so far is reused and only the new message is read. Otherwise (older chats) earlier photos come
        # along as their tool reports, so "what colour is it?" can follow a photo.
        as_sent = self.store.as_sent(self.session.id) if history else {}
        messages = []
        for message in history:
            if message.status == "error" or not message.content.strip():
                continue
            content = message.content
            if message.id in as_sent:
                messages.append(ChatMessage("user", as_sent[message.id]))
                continue
            if message.role == "user":
                notes = [
                    f"[photo {attachment.original_name} — the image tool says: {attachment.description}]"
                    for attachment in self.store.message_attachments(message.id)
                    if attachment.kind == "image" and attachment.description
                ]
                content = "\n".join([content, *notes])
            messages.append(ChatMessage("user" if message.role == "user" else "assistant", inert(content)))
        return messages

    def fit_to_context(
        self, system_prompt: str, history: Sequence[ChatMessage], new_message: ChatMessage
    ) -> tuple[list[ChatMessage], int]:
        """The prompt messages that fit the window with room for the reply, and how many old ones were dropped."""
        budget = self.model.context_window - self.options.max_new_tokens
        system = ChatMessage("system", system_prompt)
        minimal = self.model.count_tokens([system, new_message])
        if minimal > budget:
            raise MessageTooLongError(
                f"This message is too long for the model: it needs about {minimal} tokens with the system "
                f"prompt, and {budget} are available ({self.model.context_window} in the context window, "
                f"{self.options.max_new_tokens} kept for the reply). Shorten it or split it."
            )
        # Keep a tail of the history that fits, starting at a user turn (never mid-exchange). Once the chat outgrows
        # the window, drop enough that the rest fills about two thirds of it and keep that start for the next
        # turns: the prompt then begins the same way turn after turn, and the model reuses its cache of it (dropping
        # one exchange a turn would make it read the whole chat again every turn).
        # Fewer kept turns never need more tokens, so a binary search over the start needs few counts.
        user_turns = {index for index, message in enumerate(history) if message.role == "user"}
        starts = [start for start in sorted(user_turns | {0}) if start >= self._kept_from] + [len(history)]

        def within(limit: int) -> Callable[[int], bool]:
            return lambda start: self.model.count_tokens([system, *history[start:], new_message]) <= limit

        if within(budget)(starts[0]):
            dropped = starts[0]
        else:
            refill = max(int(budget * TRIM_TO), minimal)
            dropped = _first(starts, within(refill))
            self._kept_from = dropped
        return [system, *history[dropped:], new_message], dropped

    def send(
        self,
        text: str,
        cancel: CancelToken | None = None,
        attachments: Sequence[AttachmentContext] = (),
        now: datetime | None = None,
        remember: bool = True,
    ) -> Iterator[str]:
        """Stream the reply to ``text``; ``last_reply`` holds the outcome once the iterator is exhausted.

        Raises :class:`EmptyMessageError` for an empty message and :class:`MessageTooLongError` for one that
        cannot fit the model on its own; nothing is stored then. Otherwise the message is stored first (and put
        in the memory backlog), and whatever fails after that — a provider, the model — ends the reply with
        ``status == "error"``; a memory source that fails is left out with a notice (``last_reply.unavailable``).
        ``now`` is when it is said (benchmarks replay past chats); ``remember=False`` keeps the message out of
        the memory backlog (a benchmark's question). :mod:`assistant.turn` runs the whole turn.
        """
        cancel = cancel or CancelToken()
        text = clean_user_text(text)
        if not text:
            raise EmptyMessageError("empty message")
        self._refuse_if_too_long(text)
        history = self.history()
        said_at = now or datetime.now().astimezone()
        result = ReplyResult(user_text=text, said_at=said_at, attachments=tuple(attachments))
        self.last_reply = result
        remembers = remember and self._learning is not None
        result.user_message_id = self.store.add_message(
            self.session.id,
            "user",
            text,
            attachment_hashes=tuple(a.sha256 for a in attachments),
            attachment_names=tuple(a.name for a in attachments),
            remember_from=said_at if remembers else None,
        )
        if not self.session.title:
            self._set_title(text)
        started = time.perf_counter()
        pieces: list[str] = []
        rewriter = ReplyRewriter(())
        try:
            messages = self._prompt(result, history, remembers)
            # The app answers itself where it is sure ("I don't know your mother's name yet"): a small model invents.
            own_reply = next((part.reply for part in result.prompt_parts if part.reply), "")
            result.answered_by_app = bool(own_reply)
            options = replace(self.options, user=self.user)  # the user's own adapter, where there is one
            if result.opening and not own_reply:  # shown at once; the model's first token is timed after it
                pieces.append(result.opening)
                result.text = result.opening
                yield result.opening
            rules = [rule for part in result.prompt_parts for rule in part.rules]
            rewriter = ReplyRewriter(rules, shown="" if own_reply else result.opening)
            model_pieces: list[str] = []
            for piece in [own_reply] if own_reply else self.model.stream(messages, options, cancel):
                if result.time_to_first_token_s is None:
                    result.time_to_first_token_s = time.perf_counter() - started
                model_pieces.append(piece)
                result.model_text = "".join(model_pieces)
                if shown := rewriter.feed(piece):
                    pieces.append(shown)
                    result.text = "".join(pieces)
                    yield shown
                if cancel.cancelled or rewriter.done:  # done: as long as the user wants answers
                    break
        except (ModelError, MessageTooLongError) as error:
            result.status, result.error = "error", str(error)
        except Exception as error:  # a crash in generation must not take the session with it
            result.status, result.error = "error", f"{type(error).__name__}: {error}"
        if rest := rewriter.finish():  # the words held back (a number waiting for its unit), whatever happened
            pieces.append(rest)
            yield rest
        if result.status != "error" and cancel.cancelled:
            result.status = "cancelled"
        result.total_s = time.perf_counter() - started
        result.text = "".join(pieces).strip()
        result.completion_tokens = self._count_reply_tokens(result.model_text.strip())
        if result.text or result.status == "error":
            result.assistant_message_id = self.store.add_message(
                self.session.id,
                "assistant",
                result.text,
                status=result.status,
                model=self.model.name,
                prompt_tokens=result.prompt_tokens,
                completion_tokens=result.completion_tokens,
                seconds=result.total_s,
            )
            self.store.set_reply_context(result.assistant_message_id, [asdict(part) for part in result.prompt_parts])
            if result.sent_text and result.user_message_id is not None:
                self.store.set_as_sent(result.user_message_id, result.sent_text)

    def _refuse_if_too_long(self, text: str) -> None:
        """Raise :class:`MessageTooLongError` when the message alone leaves no room for a reply."""
        budget = self.model.context_window - self.options.max_new_tokens
        needed = self.model.count_tokens([ChatMessage("system", ""), ChatMessage("user", text)])
        if needed > budget:
            raise MessageTooLongError(
                f"This message is too long for the model: it needs about {needed} tokens, and {budget} are "
                f"available ({self.model.context_window} in the context window, {self.options.max_new_tokens} "
                "kept for the reply). Shorten it or split it."
            )

    def _prompt(
        self, result: ReplyResult, history: Sequence[StoredMessage], remembers: bool = True
    ) -> list[ChatMessage]:
        """The messages for the model: the context providers' parts, this turn's notes and the history that fits."""
        sees_images = bool(getattr(self.model, "accepts_images", False))
        attachments = result.attachments
        request = PromptRequest(
            self.user,
            self.session.id,
            result.user_text,
            result.said_at or datetime.now().astimezone(),
            attachments,
            sees_images,
            tuple(message.content for message in history if message.role == "user"),
            remembers,
        )
        parts = self.prompt_builder.collect(request)
        result.prompt_parts = parts
        # Everything from the user's data is made inert: no chat template token can come out of a memory.
        if sees_images:
            photos = tuple(a.path for a in attachments if a.kind == "image" and a.path)
            turn = self.prompt_builder.render_turn(parts, result.user_text)
            new_message = ChatMessage("user", inert(turn), images=photos)
        else:  # each photo's tool report goes right after the words, where a small model reads it
            notes = [note for note in (attachment.inline() for attachment in attachments) if note]
            turn = self.prompt_builder.render_turn(parts, "\n".join([result.user_text, *notes]))
            new_message = ChatMessage("user", inert(turn))
            result.sent_text = new_message.content  # (a photo sent as an image cannot be sent the same way again)
        messages, result.dropped_messages = self.fit_to_context(
            inert(self.prompt_builder.render(parts)), self._history_for_model(history), new_message
        )
        if getattr(self.model, "continues_replies", False):
            # a warning's or an "I don't know"'s first words before those of the answer style
            ranked = sorted(parts, key=lambda part: part.source == "style")
            result.opening = next((part.opening for part in ranked if part.opening), "")
            if result.opening:
                messages.append(ChatMessage("assistant", result.opening))
        result.prompt_tokens = self.model.count_tokens(messages)
        return messages

    def reply_context(self, message_id: int) -> list[PromptPart] | None:
        """The parts of the system prompt the reply ``message_id`` was written from (None: not kept)."""
        stored = self.store.reply_context(message_id)
        return None if stored is None else parts_from_json(stored)

    def recalled_photos(self) -> list[StoredAttachment]:
        """When the last message asks for a photo ("show me the photo of the receipt"), the stored photos of
        the image memories recalled for it, best first."""
        result = self.last_reply
        if self.memory is None or not self.memory.enabled or not PHOTO_WORDS.search(result.user_text):
            return []
        references = [ref for part in result.prompt_parts if part.source == "memory" for ref in part.references]
        return [self.store.get_attachment(sha256) for sha256 in self.memory.recalled_photos(self.user, references)]

    def remember_last_turn(self) -> WriteReport | None:
        """Give the user's last message to long-term memory (call it after the reply is shown). If memory fails,
        the message stays in the memory backlog (with the reason) and the error is raised."""
        result = self.last_reply
        if self._learning is None or result.user_message_id is None:
            return None
        said_at = result.said_at or datetime.now().astimezone()
        return self._learning.remember(
            self.user, self.session.id, result.user_message_id, result.user_text, said_at, result.attachments
        )

    def catch_up_memory(self) -> WriteReport | None:
        """Remember the user's messages left in the memory backlog (memory was down, or the app was killed
        between a reply and its memory), oldest first; the current turn's message is left to its turn."""
        if self._learning is None:
            return None
        return self._learning.catch_up(self.user, skip=self.last_reply.user_message_id)

    @property
    def _learning(self) -> TurnLearning | None:
        """What learns from the user's messages; None while memory is off."""
        learning = self._memory_learning
        return learning if learning is not None and learning.memory.enabled else None

    def _count_reply_tokens(self, text: str) -> int:
        if not text:
            return 0
        reply_only = self.model.count_tokens([ChatMessage("assistant", text)])
        frame = self.model.count_tokens([ChatMessage("assistant", "")])
        return max(1, reply_only - frame)

    def _set_title(self, text: str) -> None:
        first_line = text.splitlines()[0] if text else ""
        title = first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"
        self.store.set_title(self.session.id, title)
        self.session = SessionInfo(
            self.session.id, self.session.user, title, self.session.created_at, self.session.updated_at
        )
