"""The memory store on Chroma: embedded on disk by default, or a Chroma server — one code path for both.

Each user has their own collection, so one user's memories cannot reach another's results even if a
filter were wrong. Telemetry is off, and Chroma's default embedder is never created: mnemo passes its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from memory.embeddings import MiniLMEmbedder
from memory.records import Memory, MemoryStatus


class MemoryNotFoundError(LookupError):
    """No memory with that id for that user."""


@dataclass(frozen=True)
class ScoredMemory:
    memory: Memory
    similarity: float
    """Cosine similarity to the query, 1.0 for the same meaning."""


def make_chroma_client(data_dir: Path, chroma_url: str | None) -> Any:
    """A Chroma client for the data dir (embedded) or for ``chroma_url`` (server), telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if not chroma_url:
        path = data_dir / "chroma"
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=settings)
    url = urlparse(chroma_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ValueError(f"memory.chroma_url must look like http://host:port, got {chroma_url!r}")
    return chromadb.HttpClient(
        host=url.hostname,
        port=url.port or (443 if url.scheme == "https" else 8000),
        ssl=url.scheme == "https",
        settings=settings,
    )


def collection_name(user: str, tier: str = "memories") -> str:
    return f"mnemo-{user}-{tier}"


class MemoryStore:
    """The Chroma index of one user's memories (every call names the user).

    Changes go through :class:`memory.memories.Memories`, which journals them and keeps the word index
    in step; this class only stores, reads and searches.
    """

    def __init__(self, client: Any, embedder: MiniLMEmbedder | None = None, tier: str = "memories") -> None:
        self._client = client
        self.tier = tier
        self._embedder = embedder or MiniLMEmbedder()
        self._collections: dict[str, Any] = {}

    def _collection(self, user: str) -> Any:
        if user not in self._collections:
            self._collections[user] = self._client.get_or_create_collection(
                collection_name(user, self.tier), embedding_function=self._embedder, metadata={"hnsw:space": "cosine"}
            )
        return self._collections[user]

    def put(self, memory: Memory) -> Memory:
        """Store ``memory`` (new or changed); its text is embedded again."""
        self._collection(memory.user).upsert(ids=[memory.id], documents=[memory.text], metadatas=[memory.to_metadata()])
        return memory

    def put_many(self, user: str, memories: list[Memory]) -> None:
        """Store several of one user's memories in one call (one embedding batch)."""
        if memories:
            self._collection(user).upsert(
                ids=[memory.id for memory in memories],
                documents=[memory.text for memory in memories],
                metadatas=[memory.to_metadata() for memory in memories],
            )

    def touch(self, user: str, memories: list[Memory], when: datetime) -> None:
        """Note that ``memories`` were used in a prompt (last used, use count) without re-embedding them."""
        if memories:
            self._collection(user).update(
                ids=[memory.id for memory in memories],
                metadatas=[
                    {
                        "last_used_at": when.isoformat(),
                        "last_used_at_epoch": when.timestamp(),
                        "use_count": memory.use_count + 1,
                    }
                    for memory in memories
                ],
            )

    def get_many(self, user: str, memory_ids: list[str]) -> list[Memory]:
        """The memories with these ids that exist, in the order asked."""
        if not memory_ids:
            return []
        found = self._collection(user).get(ids=memory_ids, include=["documents", "metadatas"])
        by_id = {
            memory_id: Memory.from_chroma(memory_id, document, metadata)
            for memory_id, document, metadata in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        }
        return [by_id[memory_id] for memory_id in memory_ids if memory_id in by_id]

    def get(self, user: str, memory_id: str) -> Memory:
        found = self._collection(user).get(ids=[memory_id], include=["documents", "metadatas"])
        if not found["ids"]:
            raise MemoryNotFoundError(f"no memory {memory_id!r} for user {user!r}")
        return Memory.from_chroma(found["ids"][0], found["documents"][0], found["metadatas"][0])

    def all(self, user: str, status: MemoryStatus | None = MemoryStatus.ACTIVE) -> list[Memory]:
        """The user's memories with ``status`` (all of them for None), oldest first."""
        where = {"status": status.value} if status is not None else None
        found = self._collection(user).get(where=where, include=["documents", "metadatas"])
        memories = [
            Memory.from_chroma(memory_id, document, metadata)
            for memory_id, document, metadata in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        ]
        return sorted(memories, key=lambda memory: (memory.said_at, memory.id))

    def search(self, user: str, query: str, k: int = 10) -> list[ScoredMemory]:
        """The ``k`` active memories nearest in meaning to ``query``, best first."""
        collection = self._collection(user)
        count = collection.count()
        if count == 0 or not query.strip():
            return []
        found = collection.query(
            query_texts=[query],
            n_results=min(k, count),
            where={"status": MemoryStatus.ACTIVE.value},
            include=["documents", "metadatas", "distances"],
        )
        return [
            ScoredMemory(Memory.from_chroma(memory_id, document, metadata), 1.0 - float(distance))
            for memory_id, document, metadata, distance in zip(
                found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True
            )
        ]

    def drop_user(self, user: str) -> None:
        """Remove the user's whole collection (reindex rebuilds it from the journal)."""
        self._collections.pop(user, None)
        try:
            self._client.delete_collection(collection_name(user, self.tier))
        except Exception:  # noqa: BLE001 - chroma raises different errors for "no such collection"
            pass
