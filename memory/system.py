"""The memory layer's own composition: one object holding the stores, opened from a data dir and a URL.

The assistant's composition root calls :func:`open_memory`; benchmarks and the CLI do too. Opening is
cheap: Chroma and the embedding model load on first use.
"""

from __future__ import annotations

from collections.abc import Callable
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
    client = make_chroma_client(data_dir, chroma_url, chroma_token)
    memories = Memories(MemoryStore(client, embedder), MemoryJournal(data_dir), LexicalIndex(data_dir))
    episodes = EpisodeIndex(
        MemoryStore(client, embedder, tier="episodes"), LexicalIndex(data_dir, "episode_words"), embedder
    )
    profile = ProfileStore(data_dir)
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
