"""Where a memory came from, in words: the messages, chats and attachments behind its ``sources``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from assistant.history import HistoryStore
from assistant.history_records import StoredAttachment, UnknownSessionError

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class Provenance:
    """One source of a memory, ready to show; ``session_id``/``message_id`` say where to jump to."""

    label: str
    excerpt: str = ""
    session_id: str | None = None
    message_id: int | None = None
    attachment: StoredAttachment | None = None


def _when(iso: str) -> str:
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        return iso


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1] + "…"


def trace_sources(store: HistoryStore, user: str, sources: Sequence[str]) -> list[Provenance]:
    """Each of ``sources`` explained; ones that are gone, or belong to another user, say so plainly."""
    traced: list[Provenance] = []
    for source in sources:
        kind, _, value = source.partition(":")
        if kind == "message" and value.isdigit():
            traced.append(_message(store, user, int(value)))
        elif kind == "attachment":
            try:
                attachment = store.get_attachment(value)
            except LookupError:
                traced.append(Provenance("an attachment that is no longer stored"))
                continue
            noun = "photo" if attachment.kind == "image" else "voice note"
            traced.append(Provenance(f"your {noun} {attachment.original_name}", attachment=attachment))
        elif kind == "session":
            try:
                session = store.get_session(user, value)
            except UnknownSessionError:
                traced.append(Provenance("a chat that no longer exists"))
                continue
            traced.append(Provenance(f"the chat “{session.title or 'untitled'}”", session_id=session.id))
        else:
            traced.append(Provenance(source))
    return traced or [Provenance("added by hand (no message behind it)")]


def _message(store: HistoryStore, user: str, message_id: int) -> Provenance:
    try:
        message = store.get_message(message_id)
        session = store.get_session(user, message.session_id)
    except (LookupError, UnknownSessionError):
        return Provenance("a message that no longer exists")
    who = "you said" if message.role == "user" else "mnemo said"
    title = session.title or "untitled"
    return Provenance(
        f"{who} in “{title}”, {_when(message.created_at)}",
        _excerpt(message.content),
        session_id=session.id,
        message_id=message.id,
    )
