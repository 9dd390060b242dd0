"""The user's own changes to their memories (the memory screen and the chat's notices), each one undoable.

Every method returns a :class:`WriteReport` whose changes ``MemoryWriter.undo`` takes back, and keeps the
profile in step: an entry rests on the memories behind it, so editing, deleting or merging them updates it
(a profile entry the user wrote by hand is never touched).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from memory.journal import ChangeAction, MemoryChange
from memory.records import MemoryKind, MemoryStatus
from memory.writer import MemoryWriter, WriteReport

CONFIRMED = 1.0


class MemoryEditor:
    """Edit, delete, pin, confirm, restore, merge and add memories by hand, for one user at a time."""

    def __init__(self, writer: MemoryWriter) -> None:
        self.writer = writer
        self.memories = writer.memories

    def edit(self, user: str, memory_id: str, text: str) -> WriteReport:
        """New text for a memory: re-embedded and re-indexed, and the profile follows it."""
        with self.writer.lock:
            change = self.memories.revise(
                user, memory_id, {"text": text, "confidence": CONFIRMED}, "edited by the user"
            )
            self.writer.sync_profile(user, memory_id)
            return WriteReport([change])

    def delete(self, user: str, memory_ids: Sequence[str]) -> WriteReport:
        """Delete memories (kept in the journal as deleted, so undo brings each back with its id)."""
        with self.writer.lock:
            changes = []
            for memory_id in memory_ids:
                if self.memories.store.get(user, memory_id).status == MemoryStatus.DELETED:
                    continue
                self.memories.delete(user, memory_id)
                changes.append(self.memories.history(user, memory_id)[-1])
                if self.writer.profile is not None:
                    self.writer.profile.forget_source(user, memory_id)
            return WriteReport(changes)

    def pin(self, user: str, memory_id: str, pinned: bool) -> WriteReport:
        """A pinned memory is always in the prompt and never expires."""
        with self.writer.lock:
            self.memories.pin(user, memory_id, pinned)
            return WriteReport([self.memories.history(user, memory_id)[-1]])

    def confirm(self, user: str, memory_ids: Sequence[str]) -> WriteReport:
        """The user accepted what was remembered: full confidence."""
        with self.writer.lock:
            changes = [
                self.memories.revise(user, memory_id, {"confidence": CONFIRMED}, "accepted by the user")
                for memory_id in memory_ids
                if self.memories.store.get(user, memory_id).status == MemoryStatus.ACTIVE
            ]
            return WriteReport(changes)

    def restore(self, user: str, memory_id: str) -> WriteReport:
        """Bring back a deleted memory, or a superseded version (the one that replaced it steps aside)."""
        with self.writer.lock:
            memory = self.memories.store.get(user, memory_id)
            if memory.status == MemoryStatus.ACTIVE:
                return WriteReport()
            changes = []
            newer_id = memory.replaced_by
            self.memories.restore(user, memory_id)
            changes.append(self.memories.history(user, memory_id)[-1])
            if memory.status == MemoryStatus.SUPERSEDED and newer_id:
                newer = self.memories.store.get_many(user, [newer_id])
                if newer and newer[0].status == MemoryStatus.ACTIVE:
                    changes.append(self._supersede_by(user, newer_id, memory_id, "an older version was restored"))
            for change in changes:
                self.writer.sync_profile(user, change.memory_id)
            return WriteReport(changes)

    def merge(self, user: str, keep_id: str, other_id: str, text: str | None = None) -> WriteReport:
        """Two memories that say the same thing become one: ``keep_id`` keeps both sources (and ``text`` when
        given); ``other_id`` is kept as superseded by it."""
        if keep_id == other_id:
            raise ValueError("pick two different memories to merge")
        with self.writer.lock:
            keep = self.memories.store.get(user, keep_id)
            other = self.memories.store.get(user, other_id)
            update: dict[str, object] = {
                "sources": list(dict.fromkeys([*keep.sources, *other.sources])),
                "pinned": keep.pinned or other.pinned,
                "confidence": CONFIRMED,
            }
            if text:
                update["text"] = text
            changes = [self.memories.revise(user, keep_id, update, f"merged with {other_id} by the user")]
            changes.append(self._supersede_by(user, other_id, keep_id, "merged into another memory by the user"))
            if self.writer.profile is not None:
                self.writer.profile.forget_source(user, other_id)
            self.writer.sync_profile(user, keep_id)
            return WriteReport(changes)

    def add(self, user: str, text: str, kind: MemoryKind | None = None, *, pinned: bool = False) -> WriteReport:
        """A memory typed by the user: as written, even where the rules would not have stored it."""
        with self.writer.lock:
            report = self.writer.remember(user, text, sources=[], said_at=datetime.now(UTC))
            added = [change.after for change in report.changes if change.action == ChangeAction.ADD and change.after]
            if added and (kind is not None or pinned):
                update: dict[str, object] = {"pinned": pinned}
                if kind is not None:
                    update["kind"] = kind
                report += WriteReport([self.memories.revise(user, added[-1].id, update, "added by the user")])
            return report

    def undo(self, user: str, report: WriteReport) -> None:
        self.writer.undo(user, report)

    def _supersede_by(self, user: str, old_id: str, new_id: str, reason: str) -> MemoryChange:
        return self.memories.revise(
            user,
            old_id,
            {"status": MemoryStatus.SUPERSEDED, "replaced_by": new_id},
            reason,
            action=ChangeAction.SUPERSEDE,
        )
