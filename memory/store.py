"""The memory store on Chroma: embedded on disk by default, or a Chroma server — one code path for both.

Each user has their own collection, so one user's memories cannot reach another's results even if a
filter were wrong. Telemetry is off, and Chroma's default embedder is never created: mnemo passes its own.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlparse

from memory.embeddings import Embedder, MiniLMEmbedder
from memory.records import Memory, MemoryKind, MemoryStatus

# Chroma keeps every vector added since the index was last written to disk in memory, in a second structure,
# until ``sync_threshold`` of them (1,000 by default) have arrived: in a chat that adds one or two vectors a turn,
# that reads as a steady leak of ~3 MB per 100 turns for the first thousand. Writing every 200 bounds it, and a
# crash has less to replay. (Collections made before this keep their own setting.)
COLLECTION_METADATA = {"hnsw:space": "cosine", "hnsw:sync_threshold": 200, "hnsw:batch_size": 100}


class MemoryNotFoundError(LookupError):
    """No memory with that id for that user."""


@dataclass(frozen=True)
class ScoredMemory:
    memory: Memory
    similarity: float
    """Cosine similarity to the query, 1.0 for the same meaning."""


def make_chroma_client(data_dir: Path, chroma_url: str | None, token: str | None = None) -> Any:
    """A Chroma client for the data dir (embedded) or for ``chroma_url`` (server), telemetry off. ``token`` goes
    to the server as a bearer token (for a proxy in front of it that checks one)."""
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
    host = url.hostname

    def connect() -> Any:
        return chromadb.HttpClient(
            host=host,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            headers={"Authorization": f"Bearer {token}"} if token else None,
            settings=settings,
        )

    return LazyClient(connect)


class LazyClient:
    """A Chroma server client made on first use, and made again after a failed try: mnemo opens (profile,
    journal, constraints) while the server is down, and memory search comes back when the server does."""

    def __init__(self, connect: Callable[[], Any]) -> None:
        self._connect = connect
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._connect()
        return getattr(self._client, name)


LEGACY_EMBEDDER = "minilm"  # collections made before embedders had keys carry no suffix
WriteHook = Callable[[str, "list[str] | None"], None]
"""Told of every change to a user's collection: the ids written, or None when the whole collection went."""


def collection_name(user: str, tier: str = "memories", embedder_key: str = LEGACY_EMBEDDER) -> str:
    name = f"mnemo-{user}-{tier}"
    return name if embedder_key == LEGACY_EMBEDDER else f"{name}-{embedder_key}"


Arguments = ParamSpec("Arguments")
Result = TypeVar("Result")


def _locked(
    method: Callable[Concatenate[MemoryStore, Arguments], Result],
) -> Callable[Concatenate[MemoryStore, Arguments], Result]:
    @functools.wraps(method)
    def holding_the_lock(self: MemoryStore, *args: Arguments.args, **kwargs: Arguments.kwargs) -> Result:
        with self.lock:
            return method(self, *args, **kwargs)

    return holding_the_lock


class MemoryStore:
    """The Chroma index of one user's memories (every call names the user).

    Changes go through :class:`memory.memories.Memories`, which journals them and keeps the word index
    in step; this class only stores, reads and searches.
    """

    def __init__(
        self,
        client: Any,
        embedder: Embedder | None = None,
        tier: str = "memories",
        lock: threading.RLock | None = None,
    ) -> None:
        self._client = client
        self.tier = tier
        self._embedder: Embedder = embedder or MiniLMEmbedder()
        self._collections: dict[str, Any] = {}
        self.lock = lock or threading.RLock()
        """Held by every call, and by a search from query vector to results: the embedder is switched under it."""
        self.on_write: WriteHook | None = None

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def switch_embedder(self, embedder: Embedder) -> None:
        """Serve from ``embedder``'s collections from now on (they must be complete: see memory.migration)."""
        with self.lock:
            self._embedder = embedder
            self._collections.clear()

    def collection_for(self, user: str, embedder: Embedder) -> Any:
        """The user's collection for any embedder (the migration fills the next one while this one serves)."""
        return self._client.get_or_create_collection(
            collection_name(user, self.tier, embedder.key), embedding_function=embedder, metadata=COLLECTION_METADATA
        )

    def delete_collection_of(self, user: str, embedder_key: str) -> None:
        try:
            self._client.delete_collection(collection_name(user, self.tier, embedder_key))
        except Exception:  # noqa: BLE001 - chroma raises different errors for "no such collection"
            pass

    def _collection(self, user: str) -> Any:
        if user not in self._collections:
            self._collections[user] = self.collection_for(user, self._embedder)
        return self._collections[user]

    def _written(self, user: str, memory_ids: list[str] | None) -> None:
        if self.on_write is not None:
            self.on_write(user, memory_ids)

    @_locked
    def put(self, memory: Memory) -> Memory:
        """Store ``memory`` (new or changed); its text is embedded again."""
        self._collection(memory.user).upsert(ids=[memory.id], documents=[memory.text], metadatas=[memory.to_metadata()])
        self._written(memory.user, [memory.id])
        return memory

    @_locked
    def put_many(self, user: str, memories: list[Memory], embeddings: list[list[float]] | None = None) -> None:
        """Store several of one user's memories in one call (one embedding batch, unless given)."""
        if memories:
            self._collection(user).upsert(
                ids=[memory.id for memory in memories],
                documents=[memory.text for memory in memories],
                metadatas=[memory.to_metadata() for memory in memories],
                embeddings=embeddings,
            )
            self._written(user, [memory.id for memory in memories])

    @_locked
    def set_status(self, user: str, memory_ids: list[str], status: MemoryStatus, replaced_by: str | None) -> None:
        """Change only the status (and link) of existing entries, without re-embedding them."""
        collection = self._collection(user)
        existing = collection.get(ids=memory_ids, include=[])["ids"]
        if existing:
            metadata: dict[str, str] = {"status": status.value}
            if replaced_by:
                metadata["replaced_by"] = replaced_by
            collection.update(ids=existing, metadatas=[metadata] * len(existing))
            self._written(user, existing)

    @_locked
    def count(self, user: str) -> int:
        return int(self._collection(user).count())

    @_locked
    def search_vector(self, user: str, vector: list[float], k: int) -> list[ScoredMemory]:
        """The ``k`` active memories nearest to an already embedded query, best first."""
        return self._active_nearest(self._collection(user), [vector], k)

    @_locked
    def sample_embeddings(self, user: str, limit: int) -> list[list[float]]:
        """Up to ``limit`` stored vectors of the user's (to calibrate similarity scores)."""
        found = self._collection(user).get(limit=limit, include=["embeddings"])
        embeddings = found.get("embeddings")
        return [] if embeddings is None else [list(vector) for vector in embeddings]

    @_locked
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
            self._written(user, [memory.id for memory in memories])

    @_locked
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

    @_locked
    def get_with_vectors(self, user: str, memory_ids: list[str]) -> list[tuple[Memory, list[float]]]:
        """The memories with these ids that exist, each with its stored vector."""
        if not memory_ids:
            return []
        found = self._collection(user).get(ids=memory_ids, include=["documents", "metadatas", "embeddings"])
        return [
            (Memory.from_chroma(memory_id, document, metadata), list(vector))
            for memory_id, document, metadata, vector in zip(
                found["ids"], found["documents"], found["metadatas"], found["embeddings"], strict=True
            )
        ]

    @_locked
    def get(self, user: str, memory_id: str) -> Memory:
        found = self._collection(user).get(ids=[memory_id], include=["documents", "metadatas"])
        if not found["ids"]:
            raise MemoryNotFoundError(f"no memory {memory_id!r} for user {user!r}")
        return Memory.from_chroma(found["ids"][0], found["documents"][0], found["metadatas"][0])

    @_locked
    def all(self, user: str, status: MemoryStatus | None = MemoryStatus.ACTIVE) -> list[Memory]:
        """The user's memories with ``status`` (all of them for None), oldest first."""
        return self._oldest_first(user, {"status": status.value} if status is not None else None)

    @_locked
    def active_of_kind(self, user: str, kind: MemoryKind) -> list[Memory]:
        """The user's active memories of one kind (their constraints, say), oldest first."""
        return self._oldest_first(user, {"$and": [{"kind": kind.value}, {"status": MemoryStatus.ACTIVE.value}]})

    def _oldest_first(self, user: str, where: dict[str, Any] | None) -> list[Memory]:
        found = self._collection(user).get(where=where, include=["documents", "metadatas"])
        memories = [
            Memory.from_chroma(memory_id, document, metadata)
            for memory_id, document, metadata in zip(found["ids"], found["documents"], found["metadatas"], strict=True)
        ]
        return sorted(memories, key=lambda memory: (memory.said_at, memory.id))

    @_locked
    def search(self, user: str, query: str, k: int = 10) -> list[ScoredMemory]:
        """The ``k`` active memories nearest in meaning to ``query``, best first."""
        if not query.strip():
            return []
        collection = self._collection(user)
        vector = self._embedder.embed_queries([query])
        # Chroma's metadata filter scans the whole collection (at 10k memories: 113 ms against 5 ms without
        # it), so take twice as many unfiltered and drop the inactive ones here; only when that leaves too
        # few is the filtered query needed. (An n_results above the count is fine: fewer come back.)
        return self._active_nearest(collection, vector, k)

    def _active_nearest(self, collection: Any, vector: Any, k: int) -> list[ScoredMemory]:
        nearest = self._nearest(collection, vector, 2 * k, where=None)
        active = [scored for scored in nearest if scored.memory.status == MemoryStatus.ACTIVE]
        if len(active) < k and len(nearest) == 2 * k:
            active = self._nearest(collection, vector, k, where={"status": MemoryStatus.ACTIVE.value})
        return active[:k]

    @staticmethod
    def _nearest(collection: Any, vector: Any, k: int, where: dict[str, str] | None) -> list[ScoredMemory]:
        found = collection.query(
            query_embeddings=vector, n_results=k, where=where, include=["documents", "metadatas", "distances"]
        )
        return [
            ScoredMemory(Memory.from_chroma(memory_id, document, metadata), 1.0 - float(distance))
            for memory_id, document, metadata, distance in zip(
                found["ids"][0], found["documents"][0], found["metadatas"][0], found["distances"][0], strict=True
            )
        ]

    @_locked
    def delete_ids(self, user: str, memory_ids: list[str]) -> None:
        """Remove entries outright (index entries that no journal entry stands behind)."""
        if memory_ids:
            self._collection(user).delete(ids=memory_ids)
            self._written(user, memory_ids)

    def drop_user(self, user: str) -> None:
        """Remove the user's whole collection (reindex rebuilds it from the journal)."""
        with self.lock:
            self._collections.pop(user, None)
            self.delete_collection_of(user, self._embedder.key)
            self._written(user, None)
