"""Journaled changes: undo any of them, and rebuild Chroma from the journal (real SQLite + embedded Chroma)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory.journal import ChangeAction, MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.records import Memory, MemoryStatus
from memory.retrieval import Recalled, Retriever
from memory.store import MemoryStore, make_chroma_client


@pytest.fixture
def memories(tmp_path: Path, embedder) -> Memories:
    return Memories(
        MemoryStore(make_chroma_client(tmp_path, None), embedder), MemoryJournal(tmp_path), LexicalIndex(tmp_path)
    )


def search(memories: Memories, user: str, query: str, k: int = 10) -> list[Recalled]:
    """The one search the app uses, over the memories alone."""
    return Retriever(memories, None).retrieve(user, query, now=datetime.now(UTC), k=k)


def test_every_change_is_journaled_in_order(memories: Memories) -> None:
    memory = memories.add(Memory(user="alice", text="I live in Leeds"), reason="said in chat")
    memories.edit("alice", memory.id, "I live in York")
    memories.delete("alice", memory.id)
    memories.restore("alice", memory.id)
    history = memories.history("alice", memory.id)
    assert [change.action for change in history] == [
        ChangeAction.ADD,
        ChangeAction.UPDATE,
        ChangeAction.DELETE,
        ChangeAction.RESTORE,
    ]
    assert history[1].before.text == "I live in Leeds" and history[1].after.text == "I live in York"
    assert history[0].reason == "said in chat"


def test_undo_an_edit_puts_the_old_text_back_and_search_finds_it(memories: Memories) -> None:
    memory = memories.add(Memory(user="alice", text="My favourite food is ramen"))
    memories.add(Memory(user="alice", text="I drive a blue bicycle"))
    edit = memories.edit("alice", memory.id, "My favourite food is lasagne")
    change_id = memories.history("alice", memory.id)[-1].id
    assert edit.text == "My favourite food is lasagne"
    memories.undo("alice", change_id)
    assert memories.store.get("alice", memory.id).text == "My favourite food is ramen"
    assert memories.search("alice", "japanese noodles", k=1)[0].memory.id == memory.id


def test_delete_then_undo_restores_the_same_id(memories: Memories) -> None:
    memory = memories.add(Memory(user="alice", text="I am allergic to peanuts"))
    memories.delete("alice", memory.id)
    assert memories.search("alice", "allergy") == []
    memories.undo("alice", memories.history("alice", memory.id)[-1].id)
    assert memories.search("alice", "allergy", k=1)[0].memory.id == memory.id


def test_superseded_fact_is_kept_with_a_link_to_its_replacement(memories: Memories) -> None:
    old = memories.add(Memory(user="alice", text="I work at the bakery"))
    new = memories.supersede("alice", old.id, Memory(user="alice", text="I work at the library"), "job changed")
    kept = memories.store.get("alice", old.id)
    assert (kept.status, kept.replaced_by) == (MemoryStatus.SUPERSEDED, new.id)
    assert [r.memory.id for r in memories.search("alice", "where do I work?", k=5)] == [new.id]


def test_reindex_rebuilds_chroma_from_the_journal(memories: Memories, tmp_path: Path, embedder) -> None:
    kept = memories.add(Memory(user="alice", text="My sister is called Ana"))
    gone = memories.add(Memory(user="alice", text="I like olives"))
    memories.delete("alice", gone.id)
    memories.store.drop_user("alice")  # the index is lost (or was corrupted)
    assert memories.search("alice", "sister") == []
    assert memories.reindex("alice") == 2
    assert memories.search("alice", "sister", k=5)[0].memory.id == kept.id
    assert memories.store.get("alice", gone.id).status == MemoryStatus.DELETED
    fresh = Memories(
        MemoryStore(make_chroma_client(tmp_path / "other", None), embedder),
        MemoryJournal(tmp_path),
        LexicalIndex(tmp_path / "other"),
    )
    assert fresh.reindex("alice") == 2  # a new Chroma anywhere can be rebuilt from the journal alone


def test_search_finds_exact_names_that_meaning_alone_ranks_low(memories: Memories) -> None:
    for text in (
        "My neighbour Ingrid waters the plants when I travel",
        "I water my plants every Sunday morning",
        "My garden has tomatoes and basil",
        "I travel to Lisbon for work twice a year",
    ):
        memories.add(Memory(user="alice", text=text))
    found = search(memories, "alice", "Ingrid", k=2)
    assert found[0].memory.text.startswith("My neighbour Ingrid")
    assert found[0].lexical == 1.0  # the best word match


def test_search_keeps_deleted_and_superseded_memories_out(memories: Memories) -> None:
    old = memories.add(Memory(user="alice", text="My PIN hint is tulip 4921"))
    memories.supersede("alice", old.id, Memory(user="alice", text="My PIN hint is daisy 7310"))
    gone = memories.add(Memory(user="alice", text="tulip bulbs are in the shed"))
    memories.delete("alice", gone.id)
    texts = [r.memory.text for r in search(memories, "alice", "tulip 4921", k=5)]
    assert "My PIN hint is tulip 4921" not in texts and "tulip bulbs are in the shed" not in texts
    assert search(memories, "bob", "tulip") == []


def test_search_is_safe_with_search_syntax_in_the_query(memories: Memories) -> None:
    memories.add(Memory(user="alice", text='I said "hello" AND left'))
    assert search(memories, "alice", 'hello" OR * NEAR( -', k=1)[0].memory.text.startswith("I said")


def test_add_many_indexes_each_users_memories_in_their_own_store(memories: Memories) -> None:
    added = memories.add_many(
        [
            Memory(user="alice", text="My cat Miso sleeps on the radiator"),
            Memory(user="bob", text="My dog Pepper chases the postman"),
            Memory(user="alice", text="I play the cello on Tuesday evenings"),
        ],
        reason="imported",
    )
    alice_cat, bob_dog, alice_cello = added
    assert search(memories, "alice", "Miso", k=1)[0].memory.id == alice_cat.id
    assert search(memories, "alice", "which instrument do I play?", k=1)[0].memory.id == alice_cello.id
    assert {r.memory.id for r in search(memories, "bob", "pet cat dog", k=5)} == {bob_dog.id}
    assert [r.memory.user for r in search(memories, "bob", "Miso the cat on the radiator")] == ["bob"]
    assert [(c.action, c.reason) for c in memories.history("alice", alice_cat.id)] == [(ChangeAction.ADD, "imported")]


def test_add_many_is_journaled_so_reindex_rebuilds_it(memories: Memories) -> None:
    added = memories.add_many([Memory(user="alice", text=f"Locker {n} holds my {n}th umbrella") for n in range(40)])
    memories.store.drop_user("alice")
    assert memories.reindex("alice") == 40
    assert search(memories, "alice", "Locker 17", k=1)[0].memory.id == added[17].id


def test_record_many_keeps_order_and_returns_the_stored_changes(tmp_path: Path) -> None:
    journal = MemoryJournal(tmp_path)
    first, second = Memory(user="alice", text="I like figs"), Memory(user="alice", text="I like dates")
    edited = first.model_copy(update={"text": "I love figs"})
    recorded = journal.record_many(
        [
            (ChangeAction.ADD, None, first, "chat"),
            (ChangeAction.ADD, None, second, "chat"),
            (ChangeAction.UPDATE, first, edited, "edited"),
        ]
    )
    assert [change.id for change in recorded] == sorted({change.id for change in recorded})
    assert journal.history("alice", first.id) == [recorded[0], recorded[2]]
    assert journal.latest_states("alice") == [second, edited]


def test_record_many_records_nothing_when_a_change_has_no_memory(tmp_path: Path) -> None:
    journal = MemoryJournal(tmp_path)
    with pytest.raises(ValueError):
        journal.record_many(
            [(ChangeAction.ADD, None, Memory(user="alice", text="I like figs"), ""), (ChangeAction.ADD, None, None, "")]
        )
    assert journal.users() == []


def test_search_still_finds_active_memories_behind_many_deleted_nearer_ones(memories: Memories) -> None:
    deleted = memories.add_many([Memory(user="alice", text=f"My cat number {n} likes tuna") for n in range(8)])
    for memory in deleted:
        memories.delete("alice", memory.id)
    kept = memories.add_many(
        [Memory(user="alice", text="My old tomcat hunts mice"), Memory(user="alice", text="I paint on Sundays")]
    )
    assert [scored.memory.id for scored in memories.search("alice", "my cat likes tuna", k=2)] == [
        memory.id for memory in kept
    ]
