"""Collections keyed by embedder, and the background re-index when the embedder changes (real embedded Chroma).

Two small deterministic embedders of different widths stand in for MiniLM and nomic here, so every step of a
migration can be checked quickly; the packaged nomic model has its own tests in test_nomic_embedder.py.
"""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory.embeddings import DocumentEmbedder
from memory.episodes import Turn
from memory.migration import STATE_FILE, indexed_embedder
from memory.records import Memory, MemoryKind
from memory.store import collection_name
from memory.system import MemorySystem, open_memory

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


class WordHashEmbedder(DocumentEmbedder):
    """Bag of hashed words: texts sharing words are near. ``width`` tells two of them apart."""

    def __init__(self, key: str, width: int) -> None:
        self.key, self.width = key, width
        self.documents_embedded = 0

    def embed(self, texts: list[str]) -> list[list[float]]:
        self.documents_embedded += len(texts)
        return self.embed_queries(texts)

    def embed_queries(self, texts: list[str]) -> list[list[float]]:
        vectors = []
        for text in texts:
            vector = np.zeros(self.width)
            for word in text.lower().replace("?", " ").replace(".", " ").split():
                vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.width] += 1.0
            vectors.append((vector / max(np.linalg.norm(vector), 1e-9)).tolist())
        return vectors

    @staticmethod
    def name() -> str:
        return "mnemo-test-word-hash"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> WordHashEmbedder:
        return WordHashEmbedder("built", 64)


FACTS = [
    "My brother Pedro lives in Seville",
    "I am allergic to peanuts",
    "Our cat is called Miso",
    "I work as a nurse in Porto",
]


def _open(data_dir: Path, embedder: WordHashEmbedder, monkeypatch: pytest.MonkeyPatch) -> MemorySystem:
    """Open memory with ``embedder``; any other key it asks for (the one serving) is a fresh WordHash of it."""
    widths = {"old": 32, "new": 64}
    monkeypatch.setattr(
        "memory.system.make_embedder", lambda key, cache_dir: WordHashEmbedder(key, widths.get(key, 48))
    )
    return open_memory(data_dir, embedder=embedder)


def _remember(system: MemorySystem, text: str) -> Memory:
    memory = Memory(user="ana", text=text, kind=MemoryKind.FACT, said_at=NOW, sources=["test"])
    return system.memories.add(memory)


def _found(system: MemorySystem, query: str) -> list[str]:
    return [recalled.memory.text for recalled in system.retriever.retrieve("ana", query, now=NOW, k=3)]


@pytest.fixture
def old_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data dir indexed by the "old" embedder: four memories and two turns."""
    data_dir = tmp_path / "data"
    system = _open(data_dir, WordHashEmbedder("old", 32), monkeypatch)
    for fact in FACTS:
        _remember(system, fact)
    system.episodes.add(
        "ana", [Turn("We adopted Miso in May", NOW, "message:1"), Turn("Pedro visits", NOW, "message:2")]
    )
    system.close()
    assert indexed_embedder(data_dir) == "old"
    return data_dir


def test_a_new_data_dir_needs_no_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    system = _open(tmp_path / "data", WordHashEmbedder("new", 64), monkeypatch)
    try:
        assert system.migration is None
        assert system.embedder.key == "new"
        assert indexed_embedder(tmp_path / "data") == "new"
    finally:
        system.close()


def test_the_old_index_serves_until_the_migration_switches(old_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    new = WordHashEmbedder("new", 64)
    system = _open(old_data, new, monkeypatch)
    try:
        assert system.migration is not None
        assert system.embedder.key == "old"
        assert FACTS[0] in _found(system, "where does Pedro live?")
        seen: list[tuple[int, int]] = []
        system.migration.run(lambda done, total: seen.append((done, total)))
        assert system.embedder.key == "new"
        assert seen[0] == (0, 6) and seen[-1] == (6, 6)
        assert new.documents_embedded == 6
        assert FACTS[0] in _found(system, "where does Pedro live?")
        assert "We adopted Miso in May" in [
            r.memory.text for r in system.retriever.retrieve("ana", "when did we adopt Miso?", now=NOW, k=5)
        ]
        assert indexed_embedder(old_data) == "new"
        names = {collection.name for collection in system.memories.store._client.list_collections()}
        assert collection_name("ana", "memories", "old") not in names
        assert collection_name("ana", "memories", "new") in names
    finally:
        system.close()
    again = _open(old_data, WordHashEmbedder("new", 64), monkeypatch)
    try:
        assert again.migration is None and again.embedder.key == "new"
        assert sorted(memory.text for memory in again.memories.store.all("ana")) == sorted(FACTS)
    finally:
        again.close()


def test_writes_during_the_migration_reach_the_new_index(old_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("memory.migration.PAGE", 2)
    system = _open(old_data, WordHashEmbedder("new", 64), monkeypatch)
    written: list[Memory] = []
    try:
        assert system.migration is not None
        cat = next(memory for memory in system.memories.store.all("ana") if "Miso" in memory.text)

        def write_meanwhile(done: int, total: int) -> None:
            if done == 2 and not written:  # after the first page, from another thread, as the app's writer would
                thread = threading.Thread(
                    target=lambda: written.extend(
                        [_remember(system, "My sister Lena plays the cello"), system.memories.delete("ana", cat.id)]
                    )
                )
                thread.start()
                thread.join()

        system.migration.run(write_meanwhile)
        assert system.embedder.key == "new"
        texts = sorted(memory.text for memory in system.memories.store.all("ana"))
        assert texts == sorted([*FACTS[:2], FACTS[3], "My sister Lena plays the cello"])
        assert _found(system, "who plays the cello?")[0] == "My sister Lena plays the cello"
    finally:
        system.close()


def test_a_migration_cut_short_resumes_without_re_embedding(old_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("memory.migration.PAGE", 2)
    first = WordHashEmbedder("new", 64)
    system = _open(old_data, first, monkeypatch)

    def stop(done: int, total: int) -> None:
        if done >= 2:
            raise KeyboardInterrupt("the user quit")

    try:
        assert system.migration is not None
        with pytest.raises(KeyboardInterrupt):
            system.migration.run(stop)
        assert system.embedder.key == "old"  # still serving, still answering
        assert _found(system, "peanuts")[0] == FACTS[1]
    finally:
        system.close()
    assert indexed_embedder(old_data) == "old"
    second = WordHashEmbedder("new", 64)
    system = _open(old_data, second, monkeypatch)
    try:
        assert system.migration is not None
        system.migration.run()
        assert second.documents_embedded == 6 - first.documents_embedded
        assert system.embedder.key == "new"
        assert sorted(memory.text for memory in system.memories.store.all("ana")) == sorted(FACTS)
    finally:
        system.close()


def test_the_state_file_is_small_and_readable(old_data: Path) -> None:
    assert (old_data / STATE_FILE).read_text().strip() == '{"embedder": "old"}'


async def test_the_app_re_indexes_in_the_background_and_says_so(
    old_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel
    from assistant.settings import load_settings
    from tui.app import MnemoApp

    widths = {"old": 32, "new": 64}
    monkeypatch.setattr("memory.system.make_embedder", lambda key, cache_dir: WordHashEmbedder(key, widths[key]))
    monkeypatch.setattr("memory.system.embedder_key", lambda setting: "new")
    settings = load_settings(model={"backend": "fake"}, data_dir=old_data)
    assistant = build_assistant(settings, model=FakeChatModel())
    app = MnemoApp(assistant, user="ana")
    async with app.run_test(size=(100, 30)) as pilot:
        app.warm_up_memory()  # what the app does once its model has loaded (the scripted one is loaded already)
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [notification.message for notification in app._notifications]
        assert any("Re-indexing memory for the new embedder" in message for message in said)
        assert any("Memory now searches with the new embedder." in message for message in said)
        assert not app.chat.query_one("#model-progress").display
        assert assistant.memory.get().embedder.key == "new"
    assert indexed_embedder(old_data) == "new"
