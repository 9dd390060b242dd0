"""The memory store against a real embedded Chroma and a real `chroma run` server on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory.embeddings import MiniLMEmbedder
from memory.records import Memory, MemoryKind, MemoryStatus
from memory.store import MemoryNotFoundError, MemoryStore, make_chroma_client


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path, embedder: MiniLMEmbedder) -> MemoryStore:
    if request.param == "embedded":
        return MemoryStore(make_chroma_client(tmp_path / "data", None), embedder)
    url = request.getfixturevalue("chroma_server")
    # Each test gets fresh users on the shared server: names carry the test's own suffix.
    return MemoryStore(make_chroma_client(tmp_path, url), embedder)


def user_name(request: pytest.FixtureRequest, base: str) -> str:
    return f"{base}{abs(hash(request.node.nodeid)) % 10**8}"


def test_a_memory_round_trips_without_losing_anything(store: MemoryStore, request: pytest.FixtureRequest) -> None:
    user = user_name(request, "alice")
    memory = Memory(
        user=user,
        text="My cat is called Miso",
        kind=MemoryKind.PET,
        refers_to=datetime(2026, 11, 21, tzinfo=UTC),
        sources=["message:12", "attachment:" + "ab" * 32],
        importance=0.9,
        confidence=0.95,
        pinned=True,
    )
    store.put(memory)
    assert store.get(user, memory.id) == memory


def test_search_finds_by_meaning_not_words(store: MemoryStore, request: pytest.FixtureRequest) -> None:
    user = user_name(request, "alice")
    for text in ("My cat is called Miso", "I work as a nurse at the city hospital", "I love hiking in the Alps"):
        store.put(Memory(user=user, text=text))
    results = store.search(user, "what is the name of my pet?", k=3)
    assert results[0].memory.text == "My cat is called Miso"
    assert results[0].similarity > results[1].similarity
    assert store.search(user, "which mountains do I like?", k=1)[0].memory.text == "I love hiking in the Alps"


def test_one_users_memories_never_reach_another(store: MemoryStore, request: pytest.FixtureRequest) -> None:
    alice, bob = user_name(request, "alice"), user_name(request, "bob")
    store.put(Memory(user=alice, text="My bank PIN hint is the cat's birthday"))
    store.put(Memory(user=bob, text="I like trains"))
    assert [r.memory.text for r in store.search(bob, "bank PIN", k=5)] == ["I like trains"]
    with pytest.raises(MemoryNotFoundError):
        store.get(bob, store.all(alice)[0].id)


def test_deleted_memories_leave_search_but_can_come_back(store: MemoryStore, request: pytest.FixtureRequest) -> None:
    user = user_name(request, "alice")
    memory = store.put(Memory(user=user, text="I am allergic to peanuts"))
    store.put(memory.model_copy(update={"status": MemoryStatus.DELETED}))
    assert store.search(user, "allergy", k=5) == []
    assert [m.status for m in store.all(user, status=None)] == [MemoryStatus.DELETED]
    restored = store.get(user, memory.id)
    restored.status = MemoryStatus.ACTIVE
    store.put(restored)
    assert store.search(user, "allergy", k=1)[0].memory.id == memory.id


def test_editing_re_embeds_the_text(store: MemoryStore, request: pytest.FixtureRequest) -> None:
    user = user_name(request, "alice")
    memory = store.put(Memory(user=user, text="My favourite colour is red"))
    store.put(Memory(user=user, text="I drive a small car"))
    memory.text = "I play the violin every evening"
    store.put(memory)
    assert store.search(user, "musical instrument", k=1)[0].memory.id == memory.id


def test_embedded_store_persists_across_restarts(tmp_path: Path, embedder: MiniLMEmbedder) -> None:
    first = MemoryStore(make_chroma_client(tmp_path, None), embedder)
    memory = first.put(Memory(user="alice", text="My sister lives in Lyon"))
    del first
    again = MemoryStore(make_chroma_client(tmp_path, None), embedder)
    assert again.get("alice", memory.id).text == "My sister lives in Lyon"


def test_records_validate_their_fields() -> None:
    with pytest.raises(ValueError):
        Memory(user="../x", text="nope")
    with pytest.raises(ValueError):
        Memory(user="alice", text="   ")
    with pytest.raises(ValueError):
        Memory(user="alice", text="ok", importance=2)


def test_bad_server_url_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="http://host:port"):
        make_chroma_client(tmp_path, "localhost:8000")
