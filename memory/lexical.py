"""Word search over memories with SQLite FTS5 (BM25), and its fusion with the dense (Chroma) results.

Dense embeddings miss exact names, numbers and rare words ("Miso", "PIN 4921"); BM25 finds them. The two
rankings are fused with reciprocal rank fusion, which needs no score calibration between them.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path

WORD = re.compile(r"\w+", re.UNICODE)
# Words that carry no topic: left out of searches so BM25 weighs names and things, not "what did I".
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with about from as is are was were be been being do does did "
    "doing have has had what when where who whom which why how that this these those it its i you he she they we "
    "me him her them my your his their our would could should will can may might shall than then so not no yes "
    "there here just also very too any some into over after before am i'm".split()
)


class LexicalIndex:
    """An FTS5 index of active memory texts, per user, in ``memory.sqlite3`` beside the journal."""

    def __init__(self, data_dir: Path, table: str = "memory_words") -> None:
        if not re.fullmatch(r"[a-z_]+", table):
            raise ValueError(f"bad table name {table!r}")
        self._table = table
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(data_dir / "memory.sqlite3", check_same_thread=False)
        with self._lock, self._db:
            self._db.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5("
                "memory_id UNINDEXED, user UNINDEXED, text, tokenize = 'porter unicode61')"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def put(self, user: str, memory_id: str, text: str, *, active: bool = True) -> None:
        """Index the memory's current text (or drop it from the index when it is no longer active)."""
        with self._lock, self._db:
            self._db.execute(f"DELETE FROM {self._table} WHERE user = ? AND memory_id = ?", (user, memory_id))
            if active:
                self._db.execute(
                    f"INSERT INTO {self._table}(memory_id, user, text) VALUES (?, ?, ?)", (memory_id, user, text)
                )

    def put_many(self, user: str, items: Sequence[tuple[str, str]]) -> None:
        """Index several new active texts ``(memory_id, text)`` in one transaction."""
        with self._lock, self._db:
            self._db.executemany(
                f"INSERT INTO {self._table}(memory_id, user, text) VALUES (?, ?, ?)",
                [(memory_id, user, text) for memory_id, text in items],
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
            self._db.execute(f"DELETE FROM {self._table} WHERE user = ?", (user,))

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
