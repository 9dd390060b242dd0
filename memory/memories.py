"""The memory layer's front door: every change goes to the journal, then to the Chroma and word indexes.

The journal is written first (write-ahead): a change is acknowledged once it is there. A process killed
between the journal and the indexes leaves them behind it, and :mod:`memory.consistency` puts them back in
step from the journal at the next start.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from memory.journal import ChangeAction, MemoryChange, MemoryJournal
from memory.lexical import LexicalIndex
from memory.records import Memory, MemoryStatus
from memory.store import MemoryStore, ScoredMemory


class Memories:
    """Add, edit, supersede, delete, restore and undo memories; each step is journaled and undoable.

    Chroma (meaning) and the FTS5 index (words) are both kept in step with every change.
    """

    def __init__(self, store: MemoryStore, journal: MemoryJournal, lexical: LexicalIndex) -> None:
        self.store = store
        self.journal = journal
        self.lexical = lexical

    def _put(self, memory: Memory) -> Memory:
        self.store.put(memory)
        self.lexical.put(
            memory.user, memory.id, memory.text, active=memory.status == MemoryStatus.ACTIVE, moments=memory.moments
        )
        return memory

    def add(self, memory: Memory, reason: str = "") -> Memory:
        self.journal.record(ChangeAction.ADD, None, memory, reason)
        self._put(memory)
        return memory

    def add_many(self, memories: Sequence[Memory], reason: str = "") -> list[Memory]:
        """Add several new memories (of any users): one embedding batch per user, one journal transaction."""
        by_user: dict[str, list[Memory]] = {}
        for memory in memories:
            by_user.setdefault(memory.user, []).append(memory)
        self.journal.record_many([(ChangeAction.ADD, None, memory, reason) for memory in memories])
        for user, batch in by_user.items():
            self.store.put_many(user, batch)
            active = [memory for memory in batch if memory.status == MemoryStatus.ACTIVE]
            self.lexical.put_many(
                user,
                [(memory.id, memory.text) for memory in active],
                moments={memory.id: memory.moments for memory in active},
            )
        return list(memories)

    def edit(self, user: str, memory_id: str, text: str, reason: str = "edited by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = Memory.model_validate({**before.model_dump(), "text": text})  # validates the new text
        self.journal.record(ChangeAction.UPDATE, before, after, reason)
        return self._put(after)

    def supersede(self, user: str, old_id: str, new: Memory, reason: str = "") -> Memory:
        """``new`` replaces the memory ``old_id``, which is kept as superseded with a link to ``new``."""
        before = self.store.get(user, old_id)
        after = before.model_copy(update={"status": MemoryStatus.SUPERSEDED, "replaced_by": new.id})
        self.add(new, reason)
        self.journal.record(ChangeAction.SUPERSEDE, before, after, reason)
        self._put(after)
        return new

    def delete(self, user: str, memory_id: str, reason: str = "deleted by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"status": MemoryStatus.DELETED})
        self.journal.record(ChangeAction.DELETE, before, after, reason)
        return self._put(after)

    def restore(self, user: str, memory_id: str, reason: str = "restored by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"status": MemoryStatus.ACTIVE, "replaced_by": None})
        self.journal.record(ChangeAction.RESTORE, before, after, reason)
        return self._put(after)

    def undo(self, user: str, change_id: int) -> MemoryChange:
        """Put the memory back as it was before change ``change_id`` (an add is undone by deleting)."""
        change = self.journal.change(user, change_id)
        current = self.store.get(user, change.memory_id)
        if change.before is None:
            restored = current.model_copy(update={"status": MemoryStatus.DELETED})
        else:
            restored = change.before
        recorded = self.journal.record(ChangeAction.UNDO, current, restored, f"undo of change {change_id}")
        self._put(restored)
        return recorded

    def history(self, user: str, memory_id: str) -> list[MemoryChange]:
        return self.journal.history(user, memory_id)

    def search(self, user: str, query: str, k: int = 10) -> list[ScoredMemory]:
        """Dense (meaning) search only."""
        return self.store.search(user, query, k)

    def reindex(self, user: str) -> int:
        """Rebuild the user's Chroma collection from the journal; returns how many memories it holds."""
        self.store.drop_user(user)
        self.lexical.drop_user(user)
        states = self.journal.latest_states(user)
        for memory in states:
            self._put(memory)
        return len(states)

    def pin(self, user: str, memory_id: str, pinned: bool = True) -> Memory:
        """Pin (or unpin) a memory; journaled as an update, so it can be undone."""
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"pinned": pinned})
        self.journal.record(
            ChangeAction.UPDATE, before, after, "pinned by the user" if pinned else "unpinned by the user"
        )
        return self._put(after)

    def import_memory(self, memory: Memory, history: Sequence[MemoryChange], reason: str = "imported") -> MemoryChange:
        """Bring in ``memory`` from an export with its past changes, which keep their own times and reasons.

        Changes the journal already holds (same action at the same time) are not written twice. A final
        IMPORT change holds the state now in force (its "before" is the state it replaced, if any), so
        undo and reindex treat an import like any other change.
        """
        current = self.store.get_many(memory.user, [memory.id])
        known = {(change.action, change.at) for change in self.journal.history(memory.user, memory.id)}
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        final = MemoryChange(
            0, memory.user, memory.id, ChangeAction.IMPORT, current[0] if current else None, memory, reason, at
        )
        new_history = [change for change in history if (change.action, change.at) not in known]
        recorded = self.journal.import_changes([*new_history, final])
        self._put(memory)
        return recorded[-1]

    def revise(
        self,
        user: str,
        memory_id: str,
        changes: Mapping[str, object],
        reason: str,
        action: ChangeAction = ChangeAction.UPDATE,
    ) -> MemoryChange:
        """Change several fields of a memory (text, sources, key…) as one journaled, undoable change."""
        before = self.store.get(user, memory_id)
        after = Memory.model_validate({**before.model_dump(), **changes})  # validates the new values
        recorded = self.journal.record(action, before, after, reason)
        self._put(after)
        return recorded
