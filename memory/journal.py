"""Every change to a memory, appended to SQLite: any change can be undone, and Chroma rebuilt from it.

The journal is the source of truth; Chroma is an index over the latest state of each memory. Each row
keeps the memory as it was before and after the change (JSON of the pydantic record), so undo puts the
"before" back, and reindex replays the latest "after" of every memory.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from memory.records import Memory

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE memory_changes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        user TEXT NOT NULL,
        memory_id TEXT NOT NULL,
        action TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT,
        reason TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    CREATE INDEX memory_changes_by_memory ON memory_changes(user, memory_id, id);
    """,
)


class ChangeAction(StrEnum):
    ADD = "add"
    UPDATE = "update"
    SUPERSEDE = "supersede"
    DELETE = "delete"
    RESTORE = "restore"
    UNDO = "undo"
    IMPORT = "import"
    """The memory arrived from an export file; its earlier changes are journaled before this one."""


@dataclass(frozen=True)
class MemoryChange:
    id: int
    user: str
    memory_id: str
    action: ChangeAction
    before: Memory | None
    after: Memory | None
    reason: str
    at: str

    def to_json(self) -> dict[str, Any]:
        """The change as plain JSON: what it did, when, why, and the memory before and after."""
        return {
            "action": self.action.value,
            "before": self.before.model_dump(mode="json") if self.before else None,
            "after": self.after.model_dump(mode="json") if self.after else None,
            "reason": self.reason,
            "at": self.at,
        }


class MemoryJournal:
    """Append-only log of memory changes in ``memory.sqlite3`` under the data dir (thread-safe)."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(data_dir / "memory.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode = WAL")
        with self._lock:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            for number, script in enumerate(MIGRATIONS, start=1):
                if version < number:
                    self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {number}; COMMIT;")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record(
        self, action: ChangeAction, before: Memory | None, after: Memory | None, reason: str = ""
    ) -> MemoryChange:
        return self.record_many([(action, before, after, reason)])[0]

    def record_many(
        self, changes: Sequence[tuple[ChangeAction, Memory | None, Memory | None, str]]
    ) -> list[MemoryChange]:
        """Record several ``(action, before, after, reason)`` changes in one transaction, in order."""
        at = datetime.now(UTC).isoformat(timespec="microseconds")
        made = []
        for action, before, after, reason in changes:
            subject = after or before
            if subject is None:
                raise ValueError("a change needs a memory before or after it")
            made.append(MemoryChange(0, subject.user, subject.id, action, before, after, reason, at))
        return self._append(made)

    def import_changes(self, changes: Sequence[MemoryChange]) -> list[MemoryChange]:
        """Append changes made elsewhere (an export file) in one transaction, in order, keeping each one's
        own user, memory, time and reason; the ids of ``changes`` are ignored and new ones given."""
        return self._append(changes)

    def _append(self, changes: Sequence[MemoryChange]) -> list[MemoryChange]:
        recorded = []
        with self._lock, self._db:
            # One INSERT per row rather than executemany: each change needs its own row id back.
            for change in changes:
                cursor = self._db.execute(
                    "INSERT INTO memory_changes(user, memory_id, action, before_json, after_json, reason, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        change.user,
                        change.memory_id,
                        change.action.value,
                        change.before.model_dump_json() if change.before else None,
                        change.after.model_dump_json() if change.after else None,
                        change.reason,
                        change.at,
                    ),
                )
                recorded.append(replace(change, id=int(cursor.lastrowid or 0)))
        return recorded

    def _changes(self, sql: str, parameters: tuple[object, ...]) -> list[MemoryChange]:
        with self._lock:
            rows = self._db.execute(sql, parameters).fetchall()
        return [
            MemoryChange(
                row["id"],
                row["user"],
                row["memory_id"],
                ChangeAction(row["action"]),
                Memory.model_validate_json(row["before_json"]) if row["before_json"] else None,
                Memory.model_validate_json(row["after_json"]) if row["after_json"] else None,
                row["reason"],
                row["at"],
            )
            for row in rows
        ]

    def history(self, user: str, memory_id: str) -> list[MemoryChange]:
        """Every change to one memory, oldest first."""
        return self._changes(
            "SELECT * FROM memory_changes WHERE user = ? AND memory_id = ? ORDER BY id", (user, memory_id)
        )

    def change(self, user: str, change_id: int) -> MemoryChange:
        found = self._changes("SELECT * FROM memory_changes WHERE user = ? AND id = ?", (user, change_id))
        if not found:
            raise LookupError(f"no change {change_id} for user {user!r}")
        return found[0]

    def latest_states(self, user: str, kind: str | None = None) -> list[Memory]:
        """The current state of each of the user's memories (what Chroma should hold), oldest first; only those
        of ``kind`` when given (filtered in SQL: only they are parsed)."""
        of_kind = " WHERE json_extract(c.after_json, '$.kind') = ?" if kind else ""
        changes = self._changes(
            "SELECT c.* FROM memory_changes c JOIN (SELECT memory_id, MAX(id) AS last FROM memory_changes "
            f"WHERE user = ? GROUP BY memory_id) latest ON c.id = latest.last{of_kind} ORDER BY c.id",
            (user, kind) if kind else (user,),
        )
        return [change.after for change in changes if change.after is not None]

    def last_change_id(self, user: str) -> int:
        """The id of the user's newest change (0 for none): it moves whenever any of their memories changes."""
        with self._lock:
            row = self._db.execute("SELECT MAX(id) FROM memory_changes WHERE user = ?", (user,)).fetchone()
        return int(row[0] or 0)

    def users(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute("SELECT DISTINCT user FROM memory_changes ORDER BY user")]
