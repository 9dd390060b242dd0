"""The memory layer's own composition: one object holding the stores, opened from a data dir and a URL.

The assistant's composition root calls :func:`open_memory`; benchmarks and the CLI do too. Opening is
cheap: Chroma and the embedding model load on first use.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from memory.concepts import ConceptStore
from memory.embeddings import MiniLMEmbedder
from memory.episodes import EpisodeIndex
from memory.extraction import Extractor, LLMExtractor
from memory.extraction_rules import RuleExtractor
from memory.journal import MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.profile import ProfileStore
from memory.retrieval import Retriever
from memory.store import MemoryStore, make_chroma_client
from memory.writer import MemoryWriter

DAMAGED = re.compile(r"not a database|malformed|corrupt|disk image", re.IGNORECASE)


class MemoryDamagedError(RuntimeError):
    """A memory file cannot be read; the message names it and the fix."""


def damage(error: BaseException, data_dir: Path) -> str | None:
    """Which memory file ``error`` says is damaged, and the fix, in a sentence; None for other errors."""
    if not DAMAGED.search(str(error)):
        return None
    if isinstance(error, sqlite3.DatabaseError):
        return (
            f"{data_dir / 'memory.sqlite3'} is damaged ({error}). Restore your memories from an export "
            "('mnemo memory import FILE'), or move the file aside to start with an empty memory."
        )
    return (
        f"the Chroma index in {data_dir / 'chroma'} is damaged ({error}). 'mnemo memory reindex --all' rebuilds "
        "it from the journal and the chat history."
    )


def embedded_chroma_damaged(data_dir: Path) -> bool:
    """Whether the embedded Chroma's SQLite file fails SQLite's own check (checked before Chroma opens it: a
    Chroma client that failed to open a path cannot be opened again in the same process)."""
    database = data_dir / "chroma" / "chroma.sqlite3"
    if not database.exists():
        return False
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            return bool(db.execute("PRAGMA quick_check").fetchone()[0] != "ok")
    except sqlite3.DatabaseError:
        return True


@dataclass
class MemorySystem:
    memories: Memories
    episodes: EpisodeIndex
    embedder: MiniLMEmbedder
    data_dir: Path
    profile: ProfileStore
    writer: MemoryWriter
    """The write path: extraction from the user's turns, /remember, /forget (rules by default)."""
    concepts: ConceptStore
    """The user's registered personal things (reference photos' feature vectors)."""
    retriever: Retriever
    """The one search: the prompt, F5, ``mnemo memory search``, ``/forget`` and the benchmarks all use it."""

    def close(self) -> None:
        self.memories.journal.close()
        self.memories.lexical.close()
        self.episodes.lexical.close()
        self.profile.close()
        self.concepts.close()


def open_memory(
    data_dir: Path,
    chroma_url: str | None = None,
    embedder: MiniLMEmbedder | None = None,
    complete: Callable[[str], str] | None = None,
    chroma_token: str | None = None,
) -> MemorySystem:
    """The memory layer over ``data_dir`` (SQLite, and Chroma on disk unless ``chroma_url`` names a server).

    ``complete`` (a prompt in, the model's text out) makes extraction ask the model, the rules backing it up;
    ``chroma_token`` is sent to the server as a bearer token.
    """
    embedder = embedder or MiniLMEmbedder()
    try:
        journal, profile = MemoryJournal(data_dir), ProfileStore(data_dir)
        words, episode_words = LexicalIndex(data_dir), LexicalIndex(data_dir, "episode_words")
    except sqlite3.DatabaseError as error:
        raise MemoryDamagedError(damage(error, data_dir) or str(error)) from error
    try:
        client = make_chroma_client(data_dir, chroma_url, chroma_token)
    except Exception as error:
        found = None if chroma_url else damage(error, data_dir)
        if found is None:
            raise
        raise MemoryDamagedError(found) from error
    memories = Memories(MemoryStore(client, embedder), journal, words)
    episodes = EpisodeIndex(MemoryStore(client, embedder, tier="episodes"), episode_words, embedder)
    extractor: Extractor = RuleExtractor() if complete is None else LLMExtractor(complete, RuleExtractor())
    retriever = Retriever(memories, episodes)
    writer = MemoryWriter(memories, episodes, extractor, retriever, profile)
    return MemorySystem(
        memories=memories,
        episodes=episodes,
        embedder=embedder,
        data_dir=data_dir,
        profile=profile,
        writer=writer,
        concepts=ConceptStore(data_dir),
        retriever=retriever,
    )
