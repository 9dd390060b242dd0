"""What memory learns from a user's message: its words, its photos and voice notes, corrections of the photos
before it; and catching up on the messages a memory outage or a crash left in the backlog."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.history import HistoryStore
from assistant.prompt import AttachmentContext

if TYPE_CHECKING:
    from assistant.concepts import ConceptService
    from assistant.recall import MemoryAccess
    from memory.writer import WriteReport


class TurnLearning:
    def __init__(self, store: HistoryStore, memory: MemoryAccess, concepts: ConceptService | None = None) -> None:
        self.store = store
        self.memory = memory
        self.concepts = concepts

    def remember(
        self,
        user: str,
        session_id: str,
        message_id: int,
        text: str,
        said_at: datetime,
        attachments: Sequence[AttachmentContext],
    ) -> WriteReport:
        """Learn from one message; it leaves the backlog once written, or stays there with the reason (the error
        is raised). Only the user's own words are mined; the reply before it goes along as context for finding
        the turn again ("where do you live?" – "Porto"), never as something the user said."""
        try:
            history = self.store.messages(session_id)
            context = ""
            for message in history:
                if message.id == message_id:
                    break
                if message.role == "assistant" and message.status != "error":
                    context = message.content
            voice_notes = [attachment.sha256 for attachment in attachments if attachment.kind == "audio"]
            report = self.memory.record_turn(
                user, message_id, text, said_at, session_id=session_id, context=context, voice_notes=voice_notes
            )
            photos = [attachment for attachment in attachments if attachment.kind == "image"]
            if photos:
                report += self.memory.record_photos(user, message_id, text, said_at, photos)
                if self.concepts is not None:
                    report += self.concepts.learn_from_turn(user, text, photos)
            elif self.concepts is not None:  # "that's not Bo" about the photos of the message before
                earlier = [message for message in history if message.role == "user" and message.id < message_id]
                if earlier:
                    paths = [a.path for a in self.store.message_attachments(earlier[-1].id) if a.kind == "image"]
                    report += self.concepts.learn_from_correction(user, text, paths)
        except Exception as error:
            self.store.memory_failed(message_id, self.memory.trouble(error))
            raise
        self.store.remembered(message_id)
        return report

    def catch_up(self, user: str, skip: int | None = None) -> WriteReport:
        """Remember the user's messages still in the backlog, oldest first (``skip``: the one a turn is on)."""
        from memory.writer import WriteReport

        report = WriteReport()
        for message, said_at in self.store.memory_backlog(user):
            if message.id == skip:
                continue
            attachments = tuple(
                AttachmentContext(item.sha256, item.kind, item.original_name, item.description, str(item.path))
                for item in self.store.message_attachments(message.id)
            )
            report += self.remember(user, message.session_id, message.id, message.content, said_at, attachments)
        return report
