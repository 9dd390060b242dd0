"""Erasing a user for good: their rows leave every SQLite table and their bytes leave the files.

Deleting a row only marks its space free: the bytes stay in the page, the WAL and, for the word index, in
FTS5's merged segments. So after the deletes: FTS5 indexes are optimised (segments rewritten without the
deleted entries), the file is vacuumed (rewritten) and the WAL truncated. An embedded Chroma is vacuumed the
same way and its deleted collections' segment folders go; a Chroma server's freed bytes stay in its own files
until ``chroma vacuum`` is run where it stores them.
"""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from pathlib import Path


def erase_user_rows(database: Path, user: str) -> int:
    """Delete ``user``'s rows from every table of ``database`` with a ``user`` column, then scrub the file.
    Returns how many rows went."""
    if not database.exists():
        return 0
    with closing(sqlite3.connect(database, timeout=30)) as db:
        db.execute("PRAGMA secure_delete = ON")
        tables = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall()
        full_text = [name for name, sql in tables if "using fts5" in (sql or "").lower()]
        deleted = 0
        with db:
            for name, _ in tables:
                columns = {row[1] for row in db.execute(f'PRAGMA table_info("{name}")')}
                if "user" in columns:
                    deleted += db.execute(f'DELETE FROM "{name}" WHERE user = ?', (user,)).rowcount
            for name in full_text:  # merge the segments, dropping what was deleted
                db.execute(f'INSERT INTO "{name}"("{name}") VALUES (\'optimize\')')
        scrub(db)
    return deleted


def concept_photos_by_user(database: Path) -> dict[str, set[str]]:
    """The sha256 of each user's concept reference photos and counter-examples (stored attachments)."""
    from memory.concepts import PHOTO_TABLES

    if not database.exists():
        return {}
    owners: dict[str, set[str]] = {}
    with closing(sqlite3.connect(database, timeout=30)) as db:
        known = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        for table in PHOTO_TABLES:
            if table in known:
                for user, sha256 in db.execute(f"SELECT user, sha256 FROM {table}"):
                    owners.setdefault(user, set()).add(sha256)
    return owners


def scrub(db: sqlite3.Connection) -> None:
    """Rewrite the file without free space, and empty its WAL."""
    db.execute("VACUUM")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def scrub_chroma_folder(path: Path) -> int:
    """Vacuum the SQLite file of an embedded Chroma, or of a stopped Chroma server's persist dir, and remove
    the segment folders no collection uses any more (Chroma leaves them behind when a collection is deleted,
    and ``chroma vacuum`` too). Returns how many folders went."""
    database = path / "chroma.sqlite3"
    if not database.exists():
        return 0
    with closing(sqlite3.connect(database, timeout=30)) as db:
        db.execute("PRAGMA secure_delete = ON")
        in_use = {str(row[0]) for row in db.execute("SELECT id FROM segments")}
        scrub(db)
    removed = 0
    for folder in path.iterdir():
        if folder.is_dir() and _looks_like_segment(folder.name) and folder.name not in in_use:
            shutil.rmtree(folder)
            removed += 1
    return removed


def _looks_like_segment(name: str) -> bool:
    parts = name.split("-")
    return [len(part) for part in parts] == [8, 4, 4, 4, 12]
