"""Rebuilding what can be rebuilt after damage (``assistant.history.set_aside`` moves a damaged file away).

The memory journal is the source of truth for memories and the chat history for past turns, so Chroma and the
word indexes can always be rebuilt from those two (``mnemo memory reindex``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.history import HistoryStore
    from memory.episodes import Turn
    from memory.system import MemorySystem


def rebuild_indexes(system: MemorySystem, history: HistoryStore, users: list[str]) -> dict[str, dict[str, int]]:
    """For each user: Chroma and the word index of memories from the journal, of turns from the chat history."""
    rebuilt = {}
    for user in users:
        memories = system.memories.reindex(user)
        turns = history_turns(history, user)
        system.episodes.drop_user(user)
        for start in range(0, len(turns), 256):
            system.episodes.add(user, turns[start : start + 256])
        rebuilt[user] = {"memories": memories, "turns": len(turns)}
    return rebuilt


def history_turns(history: HistoryStore, user: str) -> list[Turn]:
    """Every message the user sent, as the turns memory indexed when they were said."""
    from assistant.recall import attachment_source, message_source
    from memory.episodes import Turn

    turns = []
    for session in history.list_sessions(user, limit=1_000_000):
        context = ""
        for message in history.messages(session.id):
            if message.role == "assistant":
                context = message.content if message.status != "error" else context
                continue
            voice = tuple(
                attachment_source(item.sha256)
                for item in history.message_attachments(message.id)
                if item.kind == "audio"
            )
            said_at = datetime.fromisoformat(message.created_at)
            turns.append(
                Turn(
                    message.content,
                    said_at,
                    message_source(message.id),
                    context=context,
                    session=session.id,
                    attachments=voice,
                )
            )
    return turns
