"""Rebuilding what can be rebuilt after damage (``assistant.history.set_aside`` moves a damaged file away).

The memory journal is the source of truth for memories and the chat history for past turns, so Chroma and the
word indexes can always be rebuilt from those two (``mnemo memory reindex``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING

from assistant.settings import Settings

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


# ``mnemo memory reindex`` and ``mnemo memory check``


def reindex_command(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    from assistant.history import HistoryStore

    if system.migration is not None and not system.migration.finished.is_set():
        from assistant.models.base import LoadProgress
        from assistant.progress import StderrProgress

        show = StderrProgress()
        stage = f"{system.migration.description}: entries copied"
        system.migration.run(lambda done, total: show(LoadProgress(stage, done, total)))
    history = HistoryStore(system.data_dir)
    try:
        users = sorted({*system.memories.journal.users(), *history.list_users()}) if args.all else [user]
        rebuilt = rebuild_indexes(system, history, users)
    finally:
        history.close()
    for name, counts in rebuilt.items():
        counts["active"] = len(system.memories.store.all(name))
    if args.json:
        print(json.dumps(rebuilt, indent=2))
    for name, counts in [] if args.json else rebuilt.items():
        print(f"reindexed {name}: {counts['memories']} memories ({counts['active']} active), {counts['turns']} turns")
    return 0


def check_command(system: MemorySystem, user: str, args: argparse.Namespace) -> int:
    from memory.consistency import check_and_repair

    with system.writer.lock:
        drift = check_and_repair(system.memories)
    if args.json:
        print(json.dumps([asdict(line) for line in drift], indent=2))
    for line in [] if args.json else drift:
        print(f"{line.user}: {line.checked} memories checked, {line.repaired} repaired, {line.removed} stray removed")
    return 0


def open_for_command(settings: Settings, *, repair: bool) -> MemorySystem:
    """The memory layer; for a reindex, a damaged embedded Chroma is set aside first and an empty one opened."""
    from assistant.recall import MemoryAccess
    from memory.system import embedded_chroma_damaged

    chroma = settings.data_dir / "chroma"
    if repair and not settings.memory.chroma_url and embedded_chroma_damaged(settings.data_dir):
        from assistant.history_schema import set_aside

        print(f"mnemo: {chroma} is damaged; set aside as {set_aside(chroma).name}, rebuilding", file=sys.stderr)
    return MemoryAccess(settings).get()
