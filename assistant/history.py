"""Users, chat sessions, messages and attachments in one SQLite file under the data dir.

Schema changes are numbered migrations applied in order and recorded in ``PRAGMA user_version``.
Attachment files are stored once, named by their sha256, and linked from messages.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import secrets
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from assistant.history_records import SessionInfo, StoredAttachment, StoredMessage, UnknownSessionError, utc_now
from assistant.history_schema import MIGRATIONS, QUICK_CHECK_BYTES, set_aside
from memory.users import validate_user_name

SESSION_SELECT = (
    "SELECT s.*, (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id) AS message_count FROM sessions s"
)


class HistoryStore:
    """Thread-safe access to the chat history database (workers write replies from their threads)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.attachments_dir = data_dir / "attachments"
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        data_dir.chmod(0o700)  # private: only its owner may list or open what is inside
        self._lock = threading.RLock()
        self.damaged_copy: Path | None = None
        """Where a damaged history file was moved when this one was started afresh (the app says so)."""
        path = data_dir / "mnemo.sqlite3"
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError:
            if not path.exists():
                raise
            self.damaged_copy = set_aside(path)
            self._db = self._open(path)

    def _open(self, path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, check_same_thread=False)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA foreign_keys = ON")
            db.execute("PRAGMA journal_mode = WAL")
            # synchronous=NORMAL in WAL mode: a power cut may lose the last commits, never the file's integrity;
            # a killed process loses nothing acknowledged.
            db.execute("PRAGMA synchronous = NORMAL")
            if path.stat().st_size < QUICK_CHECK_BYTES and db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("database disk image is malformed")
            self._db = db
            self.migrate()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @property
    def damage_notice(self) -> str:
        """What the app tells the user when the history file was damaged and set aside (empty otherwise)."""
        if self.damaged_copy is None:
            return ""
        return (
            f"The chat history file {self.data_dir / 'mnemo.sqlite3'} was damaged: it was set aside as "
            f"{self.damaged_copy.name} and a new one started. Memories are untouched. To try to get old chats back: "
            f"sqlite3 {self.damaged_copy} .recover | sqlite3 recovered.sqlite3"
        )

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        with self._lock:
            for version, script in enumerate(MIGRATIONS, start=1):
                if self.schema_version < version:
                    self._db.executescript(f"BEGIN; {script}; PRAGMA user_version = {version}; COMMIT;")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def _query(self, sql: str, parameters: tuple[object, ...]) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, parameters).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # users -----------------------------------------------------------------------------------------
    def ensure_user(self, name: str) -> str:
        validate_user_name(name)
        with self._transaction() as db:
            db.execute("INSERT OR IGNORE INTO users(name, created_at) VALUES (?, ?)", (name, utc_now()))
        return name

    def list_users(self) -> list[str]:
        return [row[0] for row in self._query("SELECT name FROM users ORDER BY name", ())]

    # sessions --------------------------------------------------------------------------------------
    def create_session(self, user: str, title: str = "") -> SessionInfo:
        self.ensure_user(user)
        now = utc_now()
        with self._transaction() as db:
            while True:
                session_id = secrets.token_hex(4)
                if not db.execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone():
                    break
            db.execute(
                "INSERT INTO sessions(id, user, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                (session_id, user, title, now, now),
            )
        return SessionInfo(session_id, user, title, now, now)

    def latest_empty_session(self, user: str) -> SessionInfo | None:
        """The user's most recent session if nobody has written in it yet (reused instead of a new one)."""
        latest = self.list_sessions(user, limit=1)
        return latest[0] if latest and latest[0].message_count == 0 else None

    def get_session(self, user: str, session_id: str) -> SessionInfo:
        """The user's session; raise :class:`UnknownSessionError` for another user's or a missing id."""
        rows = self._query(f"{SESSION_SELECT} WHERE s.id = ? AND s.user = ?", (session_id, user))
        if not rows:
            raise UnknownSessionError(f"no session {session_id!r} for user {user!r}")
        return SessionInfo(**dict(rows[0]))

    def list_sessions(self, user: str, limit: int = 200) -> list[SessionInfo]:
        rows = self._query(
            f"{SESSION_SELECT} WHERE s.user = ? ORDER BY s.updated_at DESC, s.rowid DESC LIMIT ?", (user, limit)
        )
        return [SessionInfo(**dict(row)) for row in rows]

    def set_title(self, session_id: str, title: str) -> None:
        with self._transaction() as db:
            db.execute("UPDATE sessions SET title = ? WHERE id = ?", (title, session_id))

    # messages --------------------------------------------------------------------------------------
    def add_message(
        self,
        session_id: str,
        role: str,
        content: str,
        *,
        status: str = "complete",
        model: str | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        seconds: float | None = None,
        attachment_hashes: tuple[str, ...] = (),
        attachment_names: tuple[str, ...] = (),
        remember_from: datetime | None = None,
    ) -> int:
        """Store a message. ``remember_from`` (when it was said) puts it in the memory backlog in the same
        transaction: a crash or a memory outage before it is remembered leaves it there to catch up on."""
        now = utc_now()
        with self._transaction() as db:
            cursor = db.execute(
                "INSERT INTO messages(session_id, role, content, status, model, prompt_tokens, "
                "completion_tokens, seconds, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, role, content, status, model, prompt_tokens, completion_tokens, seconds, now),
            )
            message_id = int(cursor.lastrowid or 0)
            names = [*attachment_names, *[""] * (len(attachment_hashes) - len(attachment_names))]
            db.executemany(
                "INSERT OR IGNORE INTO message_attachments(message_id, sha256, name) VALUES (?, ?, ?)",
                [(message_id, digest, name) for digest, name in zip(attachment_hashes, names, strict=False)],
            )
            if remember_from is not None:
                db.execute(
                    "INSERT INTO memory_backlog(message_id, said_at) VALUES (?, ?)",
                    (message_id, remember_from.isoformat()),
                )
            db.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (now, session_id))
        return message_id

    # the memory backlog ----------------------------------------------------------------------------
    def memory_backlog(self, user: str, limit: int = 50) -> list[tuple[StoredMessage, datetime]]:
        """The user's messages still to be remembered, oldest first, with when each was said."""
        rows = self._query(
            "SELECT m.id, m.session_id, m.role, m.content, m.status, m.created_at, m.model, m.completion_tokens, "
            "m.seconds, b.said_at FROM memory_backlog b JOIN messages m ON m.id = b.message_id "
            "JOIN sessions s ON s.id = m.session_id WHERE s.user = ? ORDER BY m.id LIMIT ?",
            (user, limit),
        )
        backlog = []
        for row in rows:
            fields = dict(row)
            said_at = datetime.fromisoformat(fields.pop("said_at"))
            backlog.append((StoredMessage(**fields), said_at))
        return backlog

    def remembered(self, message_id: int) -> None:
        """The message's memory is written: it leaves the backlog."""
        with self._transaction() as db:
            db.execute("DELETE FROM memory_backlog WHERE message_id = ?", (message_id,))

    def memory_failed(self, message_id: int, error: str) -> None:
        """Writing the message's memory failed; it stays in the backlog with the reason."""
        with self._transaction() as db:
            db.execute("UPDATE memory_backlog SET error = ? WHERE message_id = ?", (error, message_id))

    def messages(self, session_id: str) -> list[StoredMessage]:
        rows = self._query(
            "SELECT id, session_id, role, content, status, created_at, model, completion_tokens, seconds "
            "FROM messages WHERE session_id = ? ORDER BY id",
            (session_id,),
        )
        return [StoredMessage(**dict(row)) for row in rows]

    def get_message(self, message_id: int) -> StoredMessage:
        rows = self._query(
            "SELECT id, session_id, role, content, status, created_at, model, completion_tokens, seconds "
            "FROM messages WHERE id = ?",
            (message_id,),
        )
        if not rows:
            raise LookupError(f"no message {message_id}")
        return StoredMessage(**dict(rows[0]))

    def set_reply_context(self, message_id: int, parts: list[dict[str, object]]) -> None:
        """Keep the parts of the system prompt a reply was written from (see ``reply_context``)."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO reply_context(message_id, parts_json) VALUES (?, ?)",
                (message_id, json.dumps(parts)),
            )

    def set_as_sent(self, message_id: int, text: str) -> None:
        """Keep the user's message as the model read it (see ``as_sent``)."""
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO message_as_sent(message_id, text) VALUES (?, ?)", (message_id, text))

    def as_sent(self, session_id: str) -> dict[int, str]:
        """The session's user messages as the model read them, with that turn's notes, by message id."""
        rows = self._query(
            "SELECT a.message_id, a.text FROM message_as_sent a JOIN messages m ON m.id = a.message_id "
            "WHERE m.session_id = ?",
            (session_id,),
        )
        return {row[0]: row[1] for row in rows}

    def set_feedback(self, message_id: int, verdict: str, better: str = "", note: str = "") -> None:
        """Keep the user's verdict on a reply ("good" or "bad"); a later one replaces it."""
        with self._transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO feedback(message_id, verdict, better, note, created_at) VALUES (?, ?, ?, ?, ?)",
                (message_id, verdict, better, note, utc_now()),
            )

    def feedback(self, user: str) -> list[sqlite3.Row]:
        """The user's verdicts, oldest first, with the reply and the message it answered (``asked_id``)."""
        return self._query(
            "SELECT f.message_id, f.verdict, f.better, f.note, m.content AS reply, m.session_id, "
            "(SELECT MAX(u.id) FROM messages u WHERE u.session_id = m.session_id AND u.role = 'user' "
            "AND u.id < m.id) AS asked_id FROM feedback f JOIN messages m ON m.id = f.message_id "
            "JOIN sessions s ON s.id = m.session_id WHERE s.user = ? ORDER BY f.created_at, f.message_id",
            (user,),
        )

    def reply_context(self, message_id: int) -> list[dict[str, Any]] | None:
        """The prompt parts stored for an assistant message; None for replies written before they were kept."""
        rows = self._query("SELECT parts_json FROM reply_context WHERE message_id = ?", (message_id,))
        return json.loads(rows[0][0]) if rows else None

    def recent_user_messages(self, user: str, limit: int = 100) -> list[str]:
        """What the user sent most recently, across all their sessions, oldest first (input history)."""
        rows = self._query(
            "SELECT m.content FROM messages m JOIN sessions s ON s.id = m.session_id "
            "WHERE s.user = ? AND m.role = 'user' ORDER BY m.id DESC LIMIT ?",
            (user, limit),
        )
        return [row[0] for row in reversed(rows)]

    def delete_user(self, user: str, owned: set[str], shared: set[str]) -> list[Path]:
        """Delete the user, their sessions, messages, reply contexts and backlog, and the records of their
        attachments (those of their messages, and ``owned``: their concept photos) that nobody else uses
        (``shared``: e.g. other users' concept photos); then scrub the file (see :mod:`memory.erase`).
        Returns the attachment files to remove."""
        from memory.erase import scrub

        mine = "SELECT m.id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.user = ?"
        with self._transaction() as db:
            db.execute("PRAGMA secure_delete = ON")
            attached = {
                row[0]
                for row in db.execute(f"SELECT sha256 FROM message_attachments WHERE message_id IN ({mine})", (user,))
            }
            for table in ("reply_context", "memory_backlog", "message_attachments", "message_as_sent", "feedback"):
                db.execute(f"DELETE FROM {table} WHERE message_id IN ({mine})", (user,))
            db.execute("DELETE FROM messages WHERE session_id IN (SELECT id FROM sessions WHERE user = ?)", (user,))
            db.execute("DELETE FROM sessions WHERE user = ?", (user,))
            db.execute("DELETE FROM users WHERE name = ?", (user,))
            still_used = {row[0] for row in db.execute("SELECT DISTINCT sha256 FROM message_attachments")}
            candidates = sorted((attached | owned) - still_used - shared)
            marks = ",".join("?" * len(candidates))
            gone = db.execute(f"SELECT stored_path FROM attachments WHERE sha256 IN ({marks})", candidates).fetchall()
            db.execute(f"DELETE FROM attachments WHERE sha256 IN ({marks})", candidates)
            # A file others still use keeps no name the deleted user gave it: it takes one of theirs.
            db.execute(
                "UPDATE attachments SET original_name = COALESCE((SELECT ma.name FROM message_attachments ma "
                "WHERE ma.sha256 = attachments.sha256 AND ma.name != '' LIMIT 1), 'attachment' || "
                "substr(stored_path, instr(stored_path, '.'))) WHERE sha256 IN (SELECT value FROM json_each(?))",
                (json.dumps(sorted(attached | owned)),),
            )
        with self._lock:
            scrub(self._db)
        return [self.data_dir / row[0] for row in gone]

    # attachments -----------------------------------------------------------------------------------
    def store_attachment(self, source: Path, kind: str) -> StoredAttachment:
        """Copy ``source`` into the store once (keyed by sha256) and record it; return the record."""
        digest = hashlib.sha256()
        with source.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
        sha256 = digest.hexdigest()
        mime_type = mimetypes.guess_type(source.name)[0] or "application/octet-stream"
        target = self.attachments_dir / sha256[:2] / (sha256 + source.suffix.lower())
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(target.suffix + ".partial")
            shutil.copyfile(source, partial)
            partial.replace(target)
        with self._transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO attachments(sha256, kind, mime_type, size_bytes, original_name, "
                "stored_path, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    sha256,
                    kind,
                    mime_type,
                    target.stat().st_size,
                    source.name,
                    str(target.relative_to(self.data_dir)),
                    utc_now(),
                ),
            )
        # The same bytes may be stored already under another name (another user's): this call's name is the one.
        return replace(self.get_attachment(sha256), original_name=source.name)

    def get_attachment(self, sha256: str) -> StoredAttachment:
        with self._lock:
            row = self._db.execute("SELECT * FROM attachments WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            raise LookupError(f"no attachment {sha256}")
        return StoredAttachment(
            row["sha256"],
            row["kind"],
            row["mime_type"],
            row["size_bytes"],
            row["original_name"],
            self.data_dir / row["stored_path"],
            row["description"],
        )

    def describe_attachment(self, sha256: str, description: str) -> None:
        """Keep what the encoders made of the file, so later turns and the history can show it."""
        with self._transaction() as db:
            db.execute("UPDATE attachments SET description = ? WHERE sha256 = ?", (description, sha256))

    def message_attachments(self, message_id: int) -> list[StoredAttachment]:
        """The message's attachments, each under the name it had when attached to this message."""
        rows = self._query(
            "SELECT sha256, name FROM message_attachments WHERE message_id = ? ORDER BY rowid", (message_id,)
        )
        attachments = [self.get_attachment(row[0]) for row in rows]
        return [
            replace(attachment, original_name=row[1]) if row[1] else attachment
            for attachment, row in zip(attachments, rows, strict=True)
        ]
