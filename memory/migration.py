"""Moving a data dir's vector index to another embedder without ever blocking the user.

Collections are keyed by embedder (:func:`memory.store.collection_name`), and ``index.json`` in the data dir says
whose collections are complete. When mnemo starts with an embedder other than that one, the old collections keep
serving every search and write while :class:`IndexMigration` copies each of them, re-embedding the texts in
batches, into the new embedder's collections. Every write made meanwhile is noted; at the end, under the stores'
lock, those entries are copied again, the stores switch to the new embedder, ``index.json`` is updated and the
old collections are deleted. A migration cut short resumes where it stopped (entries already copied with the
same text are skipped).

Turns are re-embedded by their own words; ``mnemo memory reindex`` also weighs in each turn's context.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from memory.embeddings import Embedder
from memory.store import LEGACY_EMBEDDER, MemoryStore

STATE_FILE = "index.json"
PAGE = 128
MigrationProgress = Callable[[int, int], None]
"""Called with (entries copied, entries in all) as a migration goes."""


def indexed_embedder(data_dir: Path) -> str | None:
    """The key of the embedder whose collections are complete; None for a data dir that has not said."""
    try:
        return str(json.loads((data_dir / STATE_FILE).read_text())["embedder"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record_indexed_embedder(data_dir: Path, key: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    partial = data_dir / (STATE_FILE + ".partial")
    partial.write_text(json.dumps({"embedder": key}) + "\n")
    os.replace(partial, data_dir / STATE_FILE)


@dataclass
class _Pending:
    """Writes made to the serving collections while the copy runs: (tier, user) → ids, None for all."""

    changed: dict[tuple[str, str], set[str] | None] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hook(self, tier: str) -> Callable[[str, list[str] | None], None]:
        def note(user: str, memory_ids: list[str] | None) -> None:
            with self.lock:
                known = self.changed.get((tier, user), set())
                if memory_ids is None or known is None:
                    self.changed[(tier, user)] = None
                else:
                    known.update(memory_ids)
                    self.changed[(tier, user)] = known

        return note


class IndexMigration:
    """Re-embeds the collections of ``stores`` (all sharing one lock) for ``target`` in the background."""

    def __init__(
        self,
        data_dir: Path,
        stores: Sequence[MemoryStore],
        users: Callable[[], list[str]],
        target: Embedder,
        on_switch: Callable[[], None] = lambda: None,
    ) -> None:
        self.data_dir = data_dir
        self.stores = list(stores)
        self.users = users
        self.target = target
        self.on_switch = on_switch
        self.source_key = self.stores[0].embedder.key
        self.done = 0
        self.total = 0
        self.finished = threading.Event()
        self.error: BaseException | None = None
        self._run_lock = threading.Lock()

    @property
    def description(self) -> str:
        return f"re-indexing memory for the new embedder ({self.source_key} → {self.target.key})"

    def run(self, progress: MigrationProgress | None = None) -> bool:
        """Copy, catch up, switch. True once the stores serve from the target (also if another run did it)."""
        with self._run_lock:
            if self.finished.is_set():
                return self.error is None
            try:
                self._run(progress or (lambda done, total: None))
            except BaseException as error:
                self.error = error
                raise
            finally:
                for store in self.stores:
                    store.on_write = None
            self.finished.set()
            return True

    def _run(self, progress: MigrationProgress) -> None:
        pending = _Pending()
        for store in self.stores:
            store.on_write = pending.hook(store.tier)
        users = self.users()
        pairs = [(store, user) for store in self.stores for user in users]
        self.total = sum(store.count(user) for store, user in pairs)
        self.done = 0
        progress(0, self.total)
        for store, user in pairs:
            self._copy(store, user, progress)
        lock = self.stores[0].lock
        with lock:  # no write can land between the catch-up and the switch
            for store in self.stores:
                for (tier, user), changed in pending.changed.items():
                    if tier == store.tier:
                        self._catch_up(store, user, changed)
            for store in self.stores:
                store.switch_embedder(self.target)
            record_indexed_embedder(self.data_dir, self.target.key)
            self.on_switch()
        for store, user in pairs:
            store.delete_collection_of(user, self.source_key)
        progress(self.total, self.total)

    @staticmethod
    def _pages(store: MemoryStore, source: Any) -> Iterator[tuple[list[str], Any, Any]]:
        """The source collection's entries, a page at a time (writes and searches go on between pages)."""
        offset = 0
        while True:
            with store.lock:
                page = source.get(include=["documents", "metadatas"], limit=PAGE, offset=offset)
            ids = list(page["ids"])
            if not ids:
                return
            offset += len(ids)
            yield ids, page["documents"], page["metadatas"]

    def _copy(self, store: MemoryStore, user: str, progress: MigrationProgress) -> None:
        with store.lock:
            source = store.collection_for(user, store.embedder)
        target = store.collection_for(user, self.target)
        for ids, documents, metadatas in self._pages(store, source):
            self._put(target, ids, documents, metadatas, skip_unchanged=True)
            self.done += len(ids)
            progress(min(self.done, self.total), self.total)

    def _catch_up(self, store: MemoryStore, user: str, changed: set[str] | None) -> None:
        """Copy again what was written during the copy (everything when the collection was dropped)."""
        source = store.collection_for(user, store.embedder)
        target = store.collection_for(user, self.target)
        if changed is None:
            store.delete_collection_of(user, self.target.key)
            target = store.collection_for(user, self.target)
            for ids, documents, metadatas in self._pages(store, source):
                self._put(target, ids, documents, metadatas, skip_unchanged=False)
            return
        ids = sorted(changed)
        found = source.get(ids=ids, include=["documents", "metadatas"])
        self._put(target, list(found["ids"]), found["documents"], found["metadatas"], skip_unchanged=True)
        gone = sorted(set(ids) - set(found["ids"]))
        if gone:
            target.delete(ids=gone)

    def _put(self, target: Any, ids: list[str], documents: Any, metadatas: Any, *, skip_unchanged: bool) -> None:
        if not ids:
            return
        documents, metadatas = list(documents), list(metadatas)
        if skip_unchanged:
            already = target.get(ids=ids, include=["documents"])
            same = {
                memory_id
                for memory_id, document in zip(already["ids"], already["documents"], strict=True)
                if document == documents[ids.index(memory_id)]
            }
            if same:  # the text is embedded already: bring the metadata up to date only
                keep = [index for index, memory_id in enumerate(ids) if memory_id in same]
                target.update(ids=[ids[i] for i in keep], metadatas=[metadatas[i] for i in keep])
                rest = [index for index, memory_id in enumerate(ids) if memory_id not in same]
                ids, documents, metadatas = (
                    [ids[i] for i in rest],
                    [documents[i] for i in rest],
                    [metadatas[i] for i in rest],
                )
        if ids:
            target.upsert(ids=ids, documents=documents, metadatas=metadatas, embeddings=self.target.embed(documents))


def needs_migration(data_dir: Path, target_key: str, has_data: bool) -> str | None:
    """The key of the embedder whose collections serve until a migration to ``target_key`` ends; None if none
    is needed. A data dir that never said which embedder it used was indexed by MiniLM (if it holds anything)."""
    recorded = indexed_embedder(data_dir)
    if recorded is None:
        if not has_data:
            record_indexed_embedder(data_dir, target_key)
            return None
        recorded = LEGACY_EMBEDDER
    return None if recorded == target_key else recorded
