"""The start-up check: the journal, the Chroma index and the word index agree, or are made to agree.

The journal is written first (see :mod:`memory.memories`), so after a crash the indexes can only be behind
it: a memory the journal holds that Chroma lacks or holds in an older state, a word-index entry missing or
stale, or an index entry the journal never acknowledged (an import killed half-way). Each is put back from
the journal's latest state of that memory.
"""

from __future__ import annotations

from dataclasses import dataclass

from memory.memories import Memories
from memory.records import Memory, MemoryStatus


@dataclass(frozen=True)
class Drift:
    user: str
    checked: int
    repaired: int
    """Memories whose index entries were put back from the journal."""
    removed: int
    """Index entries no journal entry stands behind."""


def _essence(memory: Memory) -> tuple[object, ...]:
    """What the indexes must agree on (use counts and last-used times live in Chroma alone)."""
    return (memory.text, memory.status, memory.replaced_by, memory.pinned, memory.kind, memory.key)


def check_and_repair(memories: Memories, users: list[str] | None = None) -> list[Drift]:
    """Compare each user's journal with Chroma and the word index and repair what differs; one line per user."""
    report = []
    for user in memories.journal.users() if users is None else users:
        truth = {memory.id: memory for memory in memories.journal.latest_states(user)}
        indexed = {memory.id: memory for memory in memories.store.all(user, status=None)}
        words = dict(memories.lexical.entries(user))
        repaired = 0
        for memory_id, memory in truth.items():
            active = memory.status == MemoryStatus.ACTIVE
            in_chroma = indexed.get(memory_id)
            chroma_ok = in_chroma is not None and _essence(in_chroma) == _essence(memory)
            words_ok = words.get(memory_id) == memory.text if active else memory_id not in words
            if not (chroma_ok and words_ok):
                memories.store.put(memory)
                memories.lexical.put(user, memory_id, memory.text, active=active, moments=memory.moments)
                repaired += 1
        extra = sorted((set(indexed) | set(words)) - set(truth))
        if extra:
            memories.store.delete_ids(user, extra)
            for memory_id in extra:
                memories.lexical.put(user, memory_id, "", active=False)
        report.append(Drift(user, len(truth), repaired, len(extra)))
    return report
