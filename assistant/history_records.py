"""What the chat history holds, as the rest of the app reads it: sessions, messages, attachments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SessionInfo:
    id: str
    user: str
    title: str
    created_at: str
    updated_at: str
    message_count: int = 0


@dataclass(frozen=True)
class StoredMessage:
    id: int
    session_id: str
    role: str
    content: str
    status: str
    created_at: str
    model: str | None = None
    completion_tokens: int | None = None
    seconds: float | None = None


@dataclass(frozen=True)
class StoredAttachment:
    sha256: str
    kind: str
    mime_type: str
    size_bytes: int
    original_name: str
    path: Path
    description: str = ""


class UnknownSessionError(LookupError):
    """No session with that id belongs to that user."""
