"""Word search over memories with SQLite FTS5 (BM25), and its fusion with the dense (Chroma) results.

Dense embeddings miss exact names, numbers and rare words ("Miso", "PIN 4921"); BM25 finds them; the
retriever (memory/retrieval.py) fuses both on a calibrated scale.

Beside the words, each text's names are indexed (:mod:`memory.entities`): who and what it mentions, and the
kin words that name someone ("sister" for Ana). Two names in one text are linked; the links follow the text
through every edit, delete, reindex and repair, because they are written wherever its words are. So do its
moments (when it was said, and the time it is about), which find what was said on a day the query names.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path

from memory.entities import mentions_in
from memory.topic_words import STOPWORDS

WORD = re.compile(r"\w+", re.UNICODE)


class LexicalIndex:
    """An FTS5 index of active memory texts, per user, in ``memory.sqlite3`` beside the journal."""

    def __init__(self, data_dir: Path, table: str = "memory_words") -> None:
        if not re.fullmatch(r"[a-z_]+", table):
            raise ValueError(f"bad table name {table!r}")
        self._table = table
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(data_dir / "memory.sqlite3", check_same_thread=False)
        self._names = f"{table}_names"
        self._times = f"{table}_times"
        with self._lock, self._db:
            self._db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
                "memory_id UNINDEXED, user UNINDEXED, text, tokenize = 'porter unicode61')"
            )
            new_names = not self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (self._names,)
            ).fetchone()
            self._db.execute(
                f"CREATE TABLE IF NOT EXISTS {self._names} (user TEXT NOT NULL, memory_id TEXT NOT NULL, "
                "key TEXT NOT NULL, entity TEXT NOT NULL, shown TEXT NOT NULL)"
            )
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._names}_key ON {self._names}(user, key)")
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._names}_entity ON {self._names}(user, entity)")
            self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._names}_memory ON {self._names}(user, memory_id)")
            if new_names:  # a data dir from before names were indexed: read them from the texts once
                rows = self._db.execute(f"SELECT user, memory_id, text FROM {table}").fetchall()
                self._insert_names([(user, memory_id, text) for user, memory_id, text in rows])
            self._create_times()

    def _create_times(self) -> None:
        """The moments table; in a data dir from before it, the users whose texts still need theirs are noted
        (their moments are only in Chroma: ``times_pending`` says so, the retriever fills them once)."""
        new_times = not self._db.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (self._times,)
        ).fetchone()
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {self._times} (user TEXT NOT NULL, memory_id TEXT NOT NULL, at REAL NOT NULL)"
        )
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._times}_at ON {self._times}(user, at)")
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {self._times}_memory ON {self._times}(user, memory_id)")
        self._db.execute(f"CREATE TABLE IF NOT EXISTS {self._times}_pending (user TEXT PRIMARY KEY)")
        if new_times:
            self._db.execute(f"INSERT OR IGNORE INTO {self._times}_pending SELECT DISTINCT user FROM {self._table}")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(
        self, user: str, memory_id: str, text: str, *, active: bool = True, moments: Sequence[datetime] = ()
    ) -> None:
        """Index the memory's current text and ``moments`` (or drop it from the index when it is no longer
        active)."""
        with self._lock, self._db:
            for table in (self._table, self._names, self._times):
                self._db.execute(f"DELETE FROM {table} WHERE user = ? AND memory_id = ?", (user, memory_id))
            if active:
                self._db.execute(
                    f"INSERT INTO {self._table}(memory_id, user, text) VALUES (?, ?, ?)", (memory_id, user, text)
                )
                self._insert_names([(user, memory_id, text)])
                self._insert_times(user, {memory_id: moments})

    def put_many(
        self,
        user: str,
        items: Sequence[tuple[str, str]],
        *,
        names: Sequence[tuple[str, str]] | None = None,
        moments: Mapping[str, Sequence[datetime]] | None = None,
    ) -> None:
        """Index several new active texts ``(memory_id, text)`` in one transaction; their names are read from
        ``names`` (``(memory_id, text)``, default: the same texts), their moments from ``moments`` by id."""
        with self._lock, self._db:
            self._db.executemany(
                f"INSERT INTO {self._table}(memory_id, user, text) VALUES (?, ?, ?)",
                [(memory_id, user, text) for memory_id, text in items],
            )
            self._insert_names([(user, memory_id, text) for memory_id, text in (items if names is None else names)])
            self._insert_times(user, moments or {})

    def _insert_times(self, user: str, moments: Mapping[str, Sequence[datetime]]) -> None:
        self._db.executemany(
            f"INSERT INTO {self._times}(user, memory_id, at) VALUES (?, ?, ?)",
            [(user, memory_id, moment.timestamp()) for memory_id, times in moments.items() for moment in set(times)],
        )

    def within(self, user: str, start: datetime, end: datetime, limit: int) -> list[str]:
        """Ids of the user's texts said in, or about a moment in, ``[start, end)``: the newest ``limit``."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT memory_id FROM {self._times} WHERE user = ? AND at >= ? AND at < ? "
                "GROUP BY memory_id ORDER BY MAX(at) DESC LIMIT ?",
                (user, start.timestamp(), end.timestamp(), limit),
            ).fetchall()
        return [row[0] for row in rows]

    def times_pending(self, user: str) -> bool:
        """Whether the user's texts were indexed before moments were (``fill_times`` once, from Chroma)."""
        with self._lock:
            return bool(self._db.execute(f"SELECT 1 FROM {self._times}_pending WHERE user = ?", (user,)).fetchone())

    def fill_times(self, user: str, moments: Mapping[str, Sequence[datetime]]) -> None:
        """Record the moments of texts indexed before moments were (those still indexed), once per user."""
        with self._lock, self._db:
            indexed = {
                row[0] for row in self._db.execute(f"SELECT memory_id FROM {self._table} WHERE user = ?", (user,))
            }
            self._db.execute(f"DELETE FROM {self._times} WHERE user = ?", (user,))
            self._insert_times(user, {key: value for key, value in moments.items() if key in indexed})
            self._db.execute(f"DELETE FROM {self._times}_pending WHERE user = ?", (user,))

    def _insert_names(self, texts: Sequence[tuple[str, str, str]]) -> None:
        """Record the names each ``(user, memory_id, text)`` mentions (inside the caller's transaction)."""
        self._db.executemany(
            f"INSERT INTO {self._names}(user, memory_id, key, entity, shown) VALUES (?, ?, ?, ?, ?)",
            [
                (user, memory_id, mention.key, mention.entity.lower(), mention.entity)
                for user, memory_id, text in texts
                for mention in mentions_in(text)
            ],
        )

    def entries(self, user: str) -> list[tuple[str, str]]:
        """``(memory_id, text)`` of everything indexed for the user (the start-up check compares them)."""
        with self._lock:
            rows = self._db.execute(f"SELECT memory_id, text FROM {self._table} WHERE user = ?", (user,)).fetchall()
        return [(row[0], row[1]) for row in rows]

    def users(self) -> list[str]:
        with self._lock:
            return [row[0] for row in self._db.execute(f"SELECT DISTINCT user FROM {self._table} ORDER BY user")]

    def drop_user(self, user: str) -> None:
        with self._lock, self._db:
            for table in (self._table, self._names, self._times, f"{self._times}_pending"):
                self._db.execute(f"DELETE FROM {table} WHERE user = ?", (user,))

    def search(self, user: str, query: str, k: int = 10) -> list[str]:
        """Ids of the user's memories that share words with ``query``, best BM25 first."""
        words = list(dict.fromkeys(WORD.findall(query.lower())))
        if not words:
            return []
        # Stopwords match most rows of every user, and BM25 then ranks them all (~0.4 s at 100k memories):
        # they are searched only when the query has nothing else.
        words = [word for word in words if word not in STOPWORDS] or words
        # Any of the words may match (OR); each is quoted so FTS5 syntax in user text is inert.
        expression = " OR ".join(f'"{word}"' for word in words)
        with self._lock:
            rows = self._db.execute(
                f"SELECT memory_id FROM {self._table} WHERE {self._table} MATCH ? AND user = ? "
                f"ORDER BY bm25({self._table}) LIMIT ?",
                (expression, user, k),
            ).fetchall()
        return [row[0] for row in rows]

    def search_scored(self, user: str, query: str, k: int = 10) -> list[tuple[str, float]]:
        """``(id, score)`` of the user's texts sharing topic words with ``query``; higher is better (BM25)."""
        words = [word for word in WORD.findall(query.lower()) if word not in STOPWORDS]
        if not words:
            return []
        expression = " OR ".join(f'"{word}"' for word in dict.fromkeys(words))
        with self._lock:
            rows = self._db.execute(
                f"SELECT memory_id, -bm25({self._table}) FROM {self._table} WHERE {self._table} MATCH ? AND user = ? "
                f"ORDER BY bm25({self._table}) LIMIT ?",
                (expression, user, k),
            ).fetchall()
        return [(row[0], float(row[1])) for row in rows]

    # -- names: who and what the texts mention, and which of them are said together -----------------------------
    @property
    def _newest_mentions(self) -> str:
        """The newest rows naming one entity (user, entity, how many), read through the (user, entity) index:
        grouped by text first, SQLite would walk all the user's rows by text instead (5 ms against 0.2 at 10k)."""
        return (
            f"SELECT memory_id, rowid AS at FROM {self._names} "
            "WHERE user = ? AND entity = ? ORDER BY rowid DESC LIMIT ?"
        )

    def entities_named(self, user: str, keys: Sequence[str]) -> list[tuple[str, str, str]]:
        """``(key, entity, as written)`` for each entity (lower case) one of ``keys`` names ("sister": Ana)."""
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(
                f"SELECT key, entity, MIN(shown) FROM {self._names} WHERE user = ? AND key IN ({marks}) "
                "GROUP BY key, entity",
                (user, *keys),
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]

    def mentioning(self, user: str, entity: str, limit: int) -> list[str]:
        """Ids of the texts that mention ``entity`` (lower case), the newest first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT memory_id FROM ({self._newest_mentions}) GROUP BY memory_id ORDER BY MAX(at) DESC LIMIT ?",
                (user, entity, limit * 4, limit),
            ).fetchall()
        return [row[0] for row in rows]

    def naming(self, user: str, entity: str, keys: Sequence[str]) -> list[str]:
        """Ids of the texts where one of ``keys`` names ``entity`` ("my sister Ana": "sister" names Ana)."""
        if not keys:
            return []
        marks = ", ".join("?" * len(keys))
        with self._lock:
            rows = self._db.execute(
                f"SELECT DISTINCT memory_id FROM {self._names} INDEXED BY {self._names}_entity "
                f"WHERE user = ? AND entity = ? AND key IN ({marks})",
                (user, entity, *keys),
            ).fetchall()
        return [row[0] for row in rows]

    def mention_count(self, user: str, entity: str) -> int:
        """How many texts mention ``entity``."""
        with self._lock:
            row = self._db.execute(
                f"SELECT COUNT(DISTINCT memory_id) FROM {self._names} WHERE user = ? AND entity = ?", (user, entity)
            ).fetchone()
        return int(row[0])

    def linked(self, user: str, entity: str, limit: int, recent: int = 50) -> list[tuple[str, str, list[str]]]:
        """The entities said together with ``entity`` in the texts of its ``recent`` newest mentions:
        ``(entity, as written, ids of those texts)``, the most texts first."""
        with self._lock:
            rows = self._db.execute(
                f"WITH recent AS (SELECT DISTINCT memory_id FROM ({self._newest_mentions})) "
                "SELECT b.entity, MIN(b.shown), GROUP_CONCAT(DISTINCT b.memory_id), COUNT(DISTINCT b.memory_id) "
                f"AS shared FROM recent JOIN {self._names} AS b ON b.user = ? AND b.memory_id = recent.memory_id "
                "WHERE b.entity != ? GROUP BY b.entity ORDER BY shared DESC, b.entity LIMIT ?",
                (user, entity, recent, user, entity, limit),
            ).fetchall()
        return [(row[0], row[1], row[2].split(",")) for row in rows]

    def links(self, user: str, limit: int = 500) -> list[tuple[str, str, str]]:
        """Pairs of entities said together, ``(one, other, memory_id)`` as written, the newest texts first."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT a.shown, b.shown, a.memory_id FROM {self._names} AS a JOIN {self._names} AS b "
                "ON b.user = a.user AND b.memory_id = a.memory_id AND b.entity > a.entity "
                "WHERE a.user = ? GROUP BY a.entity, b.entity, a.memory_id ORDER BY MAX(a.rowid) DESC LIMIT ?",
                (user, limit),
            ).fetchall()
        return [(row[0], row[1], row[2]) for row in rows]
