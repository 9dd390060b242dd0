"""The chat history database's schema, as numbered migrations (applied in order, recorded in ``PRAGMA
user_version``), and what happens to a history file found damaged."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

MIGRATIONS: tuple[str, ...] = (
    # 1: users, sessions, messages, attachments
    """
    CREATE TABLE users (
        name TEXT PRIMARY KEY,
        created_at TEXT NOT NULL
    );
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        user TEXT NOT NULL REFERENCES users(name),
        title TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions(user, updated_at);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'complete' CHECK (status IN ('complete', 'cancelled', 'error')),
        model TEXT,
        prompt_tokens INTEGER,
        completion_tokens INTEGER,
        seconds REAL,
        created_at TEXT NOT NULL
    );
    CREATE INDEX messages_by_session ON messages(session_id, id);
    CREATE TABLE attachments (
        sha256 TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        mime_type TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        original_name TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        created_at TEXT NOT NULL
    );
    CREATE TABLE message_attachments (
        message_id INTEGER NOT NULL REFERENCES messages(id),
        sha256 TEXT NOT NULL REFERENCES attachments(sha256),
        PRIMARY KEY (message_id, sha256)
    );
    """,
    # 2: what the encoders made of an attachment (a photo's tool report, a voice note's transcript)
    """
    ALTER TABLE attachments ADD COLUMN description TEXT NOT NULL DEFAULT '';
    """,
    # 3: what was in the prompt of each reply (memories, profile…), for "why did it say that?"
    """
    CREATE TABLE reply_context (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        parts_json TEXT NOT NULL
    );
    """,
    # 4: user messages whose memory is not written yet (a reply in progress, memory down, a crash)
    """
    CREATE TABLE memory_backlog (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        said_at TEXT NOT NULL,
        error TEXT NOT NULL DEFAULT ''
    );
    """,
    # 5: the name a file had when it was attached to this message (the same bytes may come under other names)
    """
    ALTER TABLE message_attachments ADD COLUMN name TEXT NOT NULL DEFAULT '';
    """,
    # 6: the user's message as the model read it (with that turn's notes): later turns send it unchanged, so the
    # model's key/value cache of the chat so far is reused instead of read again
    """
    CREATE TABLE message_as_sent (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        text TEXT NOT NULL
    );
    """,
    # 7: the user's verdict on a reply (👍/👎), the reply they wanted instead, and what was wrong with it: the
    # preference pairs `mnemo adapt` trains the user's own adapter on
    """
    CREATE TABLE feedback (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id),
        verdict TEXT NOT NULL CHECK (verdict IN ('good', 'bad')),
        better TEXT NOT NULL DEFAULT '',
        note TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    """,
)


QUICK_CHECK_BYTES = 64 * 1024 * 1024
"""Files smaller than this are checked page by page at start-up (tens of milliseconds); larger ones are not."""


def set_aside(path: Path) -> Path:
    """Rename ``path`` (and an SQLite file's -wal and -shm) to ``NAME.damaged-YYYYmmdd-HHMMSS``; the new name.
    A damaged file is never deleted: something may still be recovered from it."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    path.rename(target)
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            companion.rename(target.with_name(target.name + suffix))
    return target
