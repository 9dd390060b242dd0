"""The assistant's link to long-term memory: recall into the prompt, and remember what the user said.

The memory layer (Chroma, the embedding model) opens on first use, so the app starts as fast as before;
the TUI warms it up in a worker once the chat is on screen.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from assistant.memory_notes import constraint_part, pet_part, profile_part, recalled_part, style_part
from assistant.prompt import (
    AttachmentContext,
    ContextUnavailableError,
    PromptPart,
    PromptRequest,
    unavailable_part,
)
from assistant.settings import Settings
from memory.constraints import ConstraintFinder, constraint_of
from memory.extraction_text import tells_only
from memory.profile import ProfileSection
from memory.topic_words import topic_stems

if TYPE_CHECKING:
    from memory.episodes import Turn
    from memory.extraction import Candidate
    from memory.records import Memory
    from memory.retrieval import Recalled, Retriever
    from memory.system import MemorySystem
    from memory.writer import WriteReport


def message_source(message_id: int) -> str:
    return f"message:{message_id}"


def attachment_source(sha256: str) -> str:
    return f"attachment:{sha256}"


def session_source(session_id: str) -> str:
    return f"session:{session_id}"


class MemoryAccess:
    """Opens the memory layer once, on first use, from any thread."""

    def __init__(self, settings: Settings, complete: Callable[[str], str] | None = None) -> None:
        self.settings = settings
        self._complete = complete
        self._system: MemorySystem | None = None
        self._constraints: dict[str, tuple[int, list[Memory]]] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.settings.memory.enabled

    @property
    def is_open(self) -> bool:
        return self._system is not None

    def get(self) -> MemorySystem:
        with self._lock:
            if self._system is None:
                from memory.system import embedder_key, open_memory

                memory = self.settings.memory
                complete = self._complete if memory.extractor == "llm" else None
                token = memory.chroma_token.get_secret_value() if memory.chroma_token else None
                self._system = open_memory(
                    self.settings.data_dir,
                    memory.chroma_url,
                    complete=complete,
                    chroma_token=token,
                    embedder_key=embedder_key(memory.embedder),
                    cache_dir=self.settings.cache_dir,
                )
            return self._system

    @property
    def retriever(self) -> Retriever:
        return self.get().retriever

    def warm_up(self) -> str:
        """Open the stores and load the embedding model now, so the first message does not wait for them; then
        the start-up check (journal, Chroma and word index agree). A line on what it repaired, if anything."""
        system = self.get()
        system.embedder.embed(["warm up"])
        return self.check()

    def pending_migration(self) -> str | None:
        """What a pending re-index to the configured embedder will do, in words; None when none is pending."""
        migration = self.get().migration
        if migration is None or migration.finished.is_set():
            return None
        return migration.description

    def migrate(self, progress: Callable[[int, int], None] | None = None) -> None:
        """Run the pending re-index to the configured embedder (the old index serves until it ends)."""
        migration = self.get().migration
        if migration is not None:
            migration.run(progress)

    def check(self) -> str:
        """Put the indexes back in step with the journal (after a crash); a line on what was repaired, or ""."""
        from memory.consistency import check_and_repair

        system = self.get()
        with system.writer.lock:
            drift = check_and_repair(system.memories)
        repaired, removed = sum(d.repaired for d in drift), sum(d.removed for d in drift)
        if not repaired and not removed:
            return ""
        return f"Memory's search indexes were behind its journal (an interrupted write): {repaired} memories " + (
            f"put back and {removed} stray entries removed." if removed else "put back."
        )

    def recall(
        self,
        user: str,
        text: str,
        now: datetime,
        session_id: str = "",
        token_budget: int | None = None,
        *,
        sharing_words: bool = False,
    ) -> list[Recalled]:
        """What to put in the prompt for ``text``: memories and earlier turns (not this session's own).

        ``sharing_words``: only those that share a word with ``text`` or that a name in it leads to (for a message
        that asks nothing, see :func:`about_the_message`); only what is kept counts as used."""
        memory = self.settings.memory
        if not memory.enabled or memory.recall_k == 0:
            return []
        retriever = self.retriever
        recalled = retriever.retrieve(
            user,
            text,
            now=now,
            k=memory.recall_k,
            token_budget=memory.token_budget if token_budget is None else token_budget,
            exclude_source=session_source(session_id) if session_id else None,  # already in the chat history
        )
        if sharing_words:
            recalled = about_the_message(recalled, text)
        retriever.mark_used(user, recalled, now)
        return recalled

    def record_turn(
        self,
        user: str,
        message_id: int,
        text: str,
        said_at: datetime,
        *,
        session_id: str,
        context: str = "",
        voice_notes: Sequence[str] = (),
    ) -> WriteReport:
        """After the reply: keep the user's turn as an episode and remember what it says about them.

        ``voice_notes`` are the sha256 of the notes the words were transcribed from: what is learnt links to them.
        """
        from memory.episodes import Turn

        attachments = tuple(attachment_source(sha256) for sha256 in voice_notes)
        turn: Turn = Turn(
            text, said_at, message_source(message_id), context=context, session=session_id, attachments=attachments
        )
        return self.get().writer.observe(user, turn)

    def record_photos(
        self, user: str, message_id: int, text: str, said_at: datetime, photos: Sequence[AttachmentContext]
    ) -> WriteReport:
        """Each photo of the turn becomes an image memory linked to the message and the stored file."""
        from memory.writer import WriteReport

        report = WriteReport()
        writer = self.get().writer
        for photo in photos:
            sources = [message_source(message_id), attachment_source(photo.sha256)]
            seen = f"{photo.recognised}; {photo.description}" if photo.recognised else photo.description
            report += writer.remember_photo(
                user, name=photo.name, words=text, description=seen, sources=sources, said_at=said_at
            )
        return report

    def recalled_photos(self, user: str, references: Sequence[str]) -> list[str]:
        """The stored photos (sha256) of the image memories among ``references``, most relevant first."""
        ids = [reference for reference in references if reference.startswith("m")]
        photos = []
        for memory in self.get().memories.store.get_many(user, ids):
            if memory.kind.value == "image":
                photos += [
                    source.removeprefix("attachment:") for source in memory.sources if source.startswith("attachment:")
                ]
        return list(dict.fromkeys(photos))

    def ever_mentioned(self, user: str, words: Sequence[str]) -> bool:
        """Whether any memory or past turn of the user, even a replaced one, holds one of ``words``."""
        system = self.get()
        query = " ".join(words)
        return bool(
            system.memories.lexical.search(user, query, k=1) or system.episodes.lexical.search(user, query, k=1)
        )

    def preview(self, user: str, text: str, said_at: datetime) -> list[Candidate]:
        """What the writer's extractor finds in ``text`` for ``user`` now, with the people it knows; nothing is
        written (the reply is written from it before the turn is remembered)."""
        writer = self.get().writer
        return writer.extractor.extract(text, said_at, writer.people.context(user, said_at))

    def constraints(self, user: str) -> list[Memory]:
        """The user's constraint memories (health, diet, "never"): every message is checked against them all.

        They come from the journal (local SQLite, the source of truth), not from Chroma, so an allergy is still
        warned about while a Chroma server is down; read again only when the user's journal has moved on."""
        from memory.records import MemoryKind, MemoryStatus

        journal = self.get().memories.journal
        version = journal.last_change_id(user)
        cached = self._constraints.get(user)
        if cached is None or cached[0] != version:
            found = [
                memory
                for memory in journal.latest_states(user, MemoryKind.CONSTRAINT.value)
                if memory.status == MemoryStatus.ACTIVE
            ]
            cached = self._constraints[user] = (version, found)
        return list(cached[1])

    def trouble(self, error: BaseException) -> str:
        """Why memory failed, in one sentence for the user."""
        from memory.system import MemoryDamagedError, damage

        url = self.settings.memory.chroma_url
        if url and not server_reachable(url):
            return f"the Chroma server at {url} is not reachable"
        if isinstance(error, MemoryDamagedError):
            return str(error)
        return damage(error, self.settings.data_dir) or f"{type(error).__name__}: {error}"

    def close(self) -> None:
        if self._system is not None:
            self._system.close()


def about_the_message(recalled: Sequence[Recalled], text: str) -> list[Recalled]:
    """The recalled items that share a topic word with the message ``text`` or that a name in it led to.

    For a message that asks nothing ("My boss yelled at me today, rough day."), memories close to it only in
    meaning are noise to a small model: shown "I'm allergic to peanuts" and "I work as a nurse" beside it, the
    packaged model answered "I don't know what you said before, so I can't answer that question" or restated them;
    with nothing beside the message it said "I'm sorry to hear that …". "Lena was up all night" still brings
    "Lena is my daughter"."""
    said = topic_stems(text)
    return [item for item in recalled if item.via or said & topic_stems(item.memory.text)]


def server_reachable(url: str, timeout_s: float = 1.0) -> bool:
    """Whether anything accepts a connection at ``url``'s host and port."""
    parsed = urlparse(url)
    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", port), timeout=timeout_s):
            return True
    except OSError:
        return False


class MemoryProvider:
    """What memory adds to each prompt: the user's profile in the system prompt, and beside the message the
    memories recalled for it, the constraints that bear on it, and a "not in memory" note when the user asks
    about their own life and nothing was recalled (see :mod:`assistant.memory_notes`)."""

    name = "memory"

    def __init__(self, access: MemoryAccess) -> None:
        self.access = access
        self.finder = ConstraintFinder()

    def parts(self, request: PromptRequest) -> Sequence[PromptPart]:
        if not self.access.enabled:
            return []
        try:
            return self._parts(request)
        except Exception as error:
            raise ContextUnavailableError(self.access.trouble(error)) from error

    def _parts(self, request: PromptRequest) -> list[PromptPart]:
        from memory.retrieval import approximate_tokens

        system = self.access.get()
        settings = self.access.settings.memory
        parts: list[PromptPart] = []
        profile, profile_sources = system.profile.render(request.user)
        if profile:
            parts.append(profile_part(profile, profile_sources))
        budget = max(settings.token_budget - approximate_tokens(profile), 0)
        try:  # the search needs Chroma; the profile and the constraints are local SQLite and still hold without it
            statement = settings.notes and tells_only(request.text)  # a small model's aid, as the notes are
            recalled = self.access.recall(
                request.user, request.text, request.now, request.session_id, budget, sharing_words=statement
            )
        except Exception as error:  # noqa: BLE001 - reported under the reply; the rest of memory still helps
            parts.append(unavailable_part(self.name, ContextUnavailableError(self.access.trouble(error))))
            recalled = []
        part = recalled_part(recalled, settings.layout, request.now)
        if part.text:
            parts.append(part)
        if not settings.notes:
            return parts
        constraints = [found for found in map(constraint_of, self.access.constraints(request.user)) if found]
        bearing = self.finder.bearing_on(request.text, constraints)
        if bearing:
            parts.append(constraint_part(bearing, settings.layout, request.text))
        styles = system.profile.entries(request.user, ProfileSection.ANSWER_STYLE)
        if styles:  # the system layout has them in the profile, where they are; the app keeps its part either way
            style = style_part(styles, request.text)
            parts.append(style if settings.layout != "system" else replace(style, text=""))
        if pets := pet_part(system.profile.entries(request.user, ProfileSection.PETS), request.text, settings.layout):
            parts.append(pets)
        return parts
