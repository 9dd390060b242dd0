"""The memory layer's front door: every change goes to the journal and the Chroma index together."""

from __future__ import annotations

from memory.journal import ChangeAction, MemoryChange, MemoryJournal
from memory.records import Memory, MemoryStatus
from memory.store import MemoryStore, ScoredMemory


class Memories:
    """Add, edit, supersede, delete, restore and undo memories; each step is journaled and undoable."""

    def __init__(self, store: MemoryStore, journal: MemoryJournal) -> None:
        self.store = store
        self.journal = journal

    def add(self, memory: Memory, reason: str = "") -> Memory:
        self.store.put(memory)
        self.journal.record(ChangeAction.ADD, None, memory, reason)
        return memory

    def edit(self, user: str, memory_id: str, text: str, reason: str = "edited by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"text": text})
        after = Memory.model_validate(after.model_dump())  # validate the new text
        self.store.put(after)
        self.journal.record(ChangeAction.UPDATE, before, after, reason)
        return after

    def supersede(self, user: str, old_id: str, new: Memory, reason: str = "") -> Memory:
        """``new`` replaces the memory ``old_id``, which is kept as superseded with a link to ``new``."""
        before = self.store.get(user, old_id)
        after = before.model_copy(update={"status": MemoryStatus.SUPERSEDED, "replaced_by": new.id})
        self.add(new, reason)
        self.store.put(after)
        self.journal.record(ChangeAction.SUPERSEDE, before, after, reason)
        return new

    def delete(self, user: str, memory_id: str, reason: str = "deleted by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"status": MemoryStatus.DELETED})
        self.store.put(after)
        self.journal.record(ChangeAction.DELETE, before, after, reason)
        return after

    def restore(self, user: str, memory_id: str, reason: str = "restored by the user") -> Memory:
        before = self.store.get(user, memory_id)
        after = before.model_copy(update={"status": MemoryStatus.ACTIVE, "replaced_by": None})
        self.store.put(after)
        self.journal.record(ChangeAction.RESTORE, before, after, reason)
        return after

    def undo(self, user: str, change_id: int) -> MemoryChange:
        """Put the memory back as it was before change ``change_id`` (an add is undone by deleting)."""
        change = self.journal.change(user, change_id)
        current = self.store.get(user, change.memory_id)
        if change.before is None:
            restored = current.model_copy(update={"status": MemoryStatus.DELETED})
        else:
            restored = change.before
        self.store.put(restored)
        return self.journal.record(ChangeAction.UNDO, current, restored, f"undo of change {change_id}")

    def history(self, user: str, memory_id: str) -> list[MemoryChange]:
        return self.journal.history(user, memory_id)

    def search(self, user: str, query: str, k: int = 10) -> list[ScoredMemory]:
        return self.store.search(user, query, k)

    def reindex(self, user: str) -> int:
        """Rebuild the user's Chroma collection from the journal; returns how many memories it holds."""
        self.store.drop_user(user)
        states = self.journal.latest_states(user)
        for memory in states:
            self.store.put(memory)
        return len(states)
