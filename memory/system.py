"""The memory layer's own composition: one object holding the stores, opened from a data dir and a URL.

The assistant's composition root calls :func:`open_memory`; benchmarks and the CLI do too. Opening is
cheap: Chroma and the embedding model load on first use.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from memory.concepts import ConceptStore
from memory.embeddings import Embedder, MiniLMEmbedder
from memory.episodes import EpisodeIndex
from memory.extraction import Extractor, LLMExtractor
from memory.extraction_rules import RuleExtractor
from memory.journal import MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.migration import IndexMigration, needs_migration
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
    data_dir: Path
    profile: ProfileStore
    writer: MemoryWriter
    """The write path: extraction from the user's turns, /remember, /forget (rules by default)."""
    concepts: ConceptStore
    """The user's registered personal things (reference photos' feature vectors)."""
    retriever: Retriever
    """The one search: the prompt, F5, ``mnemo memory search``, ``/forget`` and the benchmarks all use it."""
    migration: IndexMigration | None = None
    """Set when the index is being moved to the configured embedder; run it in the background."""

    @property
    def embedder(self) -> Embedder:
        """The embedder that serves searches now (the previous one while a migration runs)."""
        return self.memories.store.embedder

    def close(self) -> None:
        self.memories.journal.close()
        self.memories.lexical.close()
        self.episodes.lexical.close()
        self.profile.close()
        self.concepts.close()


def embedder_key(setting: str) -> str:
    """The collection key for the ``memory.embedder`` setting ("nomic" runs at the dimensions chosen by bench)."""
    if setting == "nomic":
        from memory.nomic_embedder import DEFAULT_DIMENSIONS

        return f"nomic{DEFAULT_DIMENSIONS}"
    return setting


def make_embedder(key: str, cache_dir: Path | None) -> Embedder:
    """The embedder named by a collection key: "minilm", or "nomic768" / "nomic512" / "nomic256"."""
    if key == "minilm":
        return MiniLMEmbedder()
    if key.startswith("nomic") and key[5:].isdigit():
        from memory.nomic_embedder import NomicEmbedder

        if cache_dir is None:
            raise ValueError("the nomic embedder needs the cache dir (its weights are unpacked there)")
        return NomicEmbedder(cache_dir, dimensions=int(key[5:]))
    raise ValueError(f"unknown embedder {key!r}")


def open_memory(
    data_dir: Path,
    chroma_url: str | None = None,
    embedder: Embedder | None = None,
    complete: Callable[[str], str] | None = None,
    chroma_token: str | None = None,
    *,
    embedder_key: str = "minilm",
    cache_dir: Path | None = None,
) -> MemorySystem:
    """The memory layer over ``data_dir`` (SQLite, and Chroma on disk unless ``chroma_url`` names a server).

    ``complete`` (a prompt in, the model's text out) makes extraction ask the model, the rules backing it up;
    ``chroma_token`` is sent to the server as a bearer token. The embedder is ``embedder`` or the one named by
    ``embedder_key`` (its weights cached under ``cache_dir``); if the data dir was indexed by another, that one
    serves until ``system.migration`` has been run.
    """
    embedder = embedder or make_embedder(embedder_key, cache_dir)
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

    def users() -> list[str]:
        return sorted(set(journal.users()) | set(episode_words.users()))

    serving_key = needs_migration(data_dir, embedder.key, has_data=bool(users()))
    serving = embedder if serving_key is None else make_embedder(serving_key, cache_dir)
    lock = threading.RLock()  # one for both tiers: a search embeds its query and searches both under it
    memories = Memories(MemoryStore(client, serving, lock=lock), journal, words)
    episodes = EpisodeIndex(MemoryStore(client, serving, tier="episodes", lock=lock), episode_words)
    extractor: Extractor = RuleExtractor() if complete is None else LLMExtractor(complete, RuleExtractor())
    retriever = Retriever(memories, episodes)
    writer = MemoryWriter(memories, episodes, extractor, retriever, profile)
    migration = (
        None if serving_key is None else IndexMigration(data_dir, [memories.store, episodes.store], users, embedder)
    )
    return MemorySystem(
        memories=memories,
        episodes=episodes,
        migration=migration,
        data_dir=data_dir,
        profile=profile,
        writer=writer,
        concepts=ConceptStore(data_dir),
        retriever=retriever,
    )
