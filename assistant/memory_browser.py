"""What the memory screen lists: a user's memories, searched the way the assistant recalls them, filtered
and sorted. No UI here, so the same query serves the app and its tests."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.recall import MemoryAccess
    from memory.journal import MemoryChange
    from memory.records import Memory

SEARCH_DEPTH = 50


class SortOrder(StrEnum):
    RELEVANCE = "relevance"
    NEWEST = "newest"
    OLDEST = "oldest"
    LAST_USED = "last used"
    CONFIDENCE = "confidence"
    KIND = "kind"


@dataclass(frozen=True)
class MemoryQuery:
    text: str = ""
    kind: str | None = None
    """A ``MemoryKind`` value, or None for every kind."""
    status: str | None = "active"
    """A ``MemoryStatus`` value, or None for every status."""
    sort: SortOrder = SortOrder.NEWEST
    only_ids: tuple[str, ...] = ()
    """When given, just these memories (say, the ones one exchange just wrote)."""


def find_memories(access: MemoryAccess, user: str, query: MemoryQuery, now: datetime) -> list[Memory]:
    """The memories ``query`` asks for. Searching the active ones uses the assistant's own recall (without
    counting it as a use), so the order is what the model would see; other statuses are matched by words."""
    from memory.records import MemoryKind, MemoryStatus

    system = access.get()
    status = MemoryStatus(query.status) if query.status else None
    words = query.text.strip()
    if query.only_ids:
        found = system.memories.store.get_many(user, list(query.only_ids))
    elif words and status == MemoryStatus.ACTIVE:
        recalled = access.retriever.retrieve(user, words, now=now, k=SEARCH_DEPTH)
        found = [item.memory for item in recalled if not item.is_episode]
    else:
        found = system.memories.store.all(user, status)
        if words:
            wanted = words.casefold().split()
            found = [memory for memory in found if all(word in memory.text.casefold() for word in wanted)]
    if query.kind:
        found = [memory for memory in found if memory.kind == MemoryKind(query.kind)]
    return sort_memories(found, query.sort if words or query.sort != SortOrder.RELEVANCE else SortOrder.NEWEST)


def sort_memories(memories: Sequence[Memory], order: SortOrder) -> list[Memory]:
    if order == SortOrder.RELEVANCE:
        return list(memories)
    if order == SortOrder.NEWEST:
        return sorted(memories, key=lambda memory: memory.said_at, reverse=True)
    if order == SortOrder.OLDEST:
        return sorted(memories, key=lambda memory: memory.said_at)
    if order == SortOrder.LAST_USED:  # never used last
        return sorted(
            memories,
            key=lambda memory: memory.last_used_at.timestamp() if memory.last_used_at else float("-inf"),
            reverse=True,
        )
    if order == SortOrder.CONFIDENCE:
        return sorted(memories, key=lambda memory: memory.confidence, reverse=True)
    return sorted(memories, key=lambda memory: (memory.kind.value, -memory.said_at.timestamp()))


def short_date(when: datetime | None, now: datetime) -> str:
    """ "26 Nov" this year, "Nov 2025" before, "never" for no date."""
    if when is None:
        return "never"
    local = when.astimezone()
    return f"{local:%d %b}" if local.year == now.year else f"{local:%b %Y}"


STATUS_LABELS = {"active": "active", "superseded": "replaced", "deleted": "deleted"}

CHANGE_WORDS = {
    "add": "created",
    "update": "changed",
    "supersede": "replaced",
    "delete": "deleted",
    "restore": "restored",
    "undo": "undone",
    "import": "imported",
}


def describe_change(change: MemoryChange) -> str:
    """One line of a memory's history: "26 Nov 2026 14:03 changed — edited by the user: “new text”"."""
    try:
        when = datetime.fromisoformat(change.at).astimezone().strftime("%d %b %Y %H:%M")
    except ValueError:
        when = change.at
    line = f"{when} {CHANGE_WORDS.get(change.action.value, change.action.value)}"
    if change.reason:
        line += f" — {change.reason}"
    before, after = change.before, change.after
    if after is not None and (before is None or before.text != after.text):
        line += f": “{after.text}”"
    elif after is not None and before is not None and before.pinned != after.pinned:
        line += " (pinned)" if after.pinned else " (unpinned)"
    return line
