"""Export and import: nothing is lost on the way, nothing doubles, bad lines are refused whole."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from memory.journal import ChangeAction
from memory.profile import ProfileSection
from memory.records import Memory, MemoryKind, MemoryStatus
from memory.system import MemorySystem, open_memory
from memory.transfer import export_memories, import_memories


@pytest.fixture
def source(tmp_path: Path, embedder) -> Iterator[MemorySystem]:
    system = open_memory(tmp_path / "source", None, embedder)
    yield system
    system.close()


@pytest.fixture
def target(tmp_path: Path, embedder) -> Iterator[MemorySystem]:
    system = open_memory(tmp_path / "target", None, embedder)
    yield system
    system.close()


def fill(system: MemorySystem) -> None:
    memories = system.memories
    cat = memories.add(
        Memory(
            user="alice",
            text="My cat is called Miso",
            kind=MemoryKind.PET,
            refers_to=datetime(2024, 5, 1, tzinfo=UTC),
            sources=["message:3"],
            importance=0.9,
            confidence=0.95,
            expires_at=datetime(2030, 1, 1, tzinfo=UTC),
        ),
        reason="said in chat",
    )
    memories.edit("alice", cat.id, "My cat is called Miso, a grey tabby")
    memories.pin("alice", cat.id)
    memories.store.touch("alice", [memories.store.get("alice", cat.id)], datetime(2025, 2, 3, tzinfo=UTC))
    job = memories.add(Memory(user="alice", text="I work at the bakery", key="job"))
    memories.supersede("alice", job.id, Memory(user="alice", text="I work at the library", key="job"), "job changed")
    olives = memories.add(Memory(user="alice", text="I like olives", kind=MemoryKind.PREFERENCE))
    memories.delete("alice", olives.id)
    system.profile.set("alice", ProfileSection.IDENTITY, "name", "Alice")
    system.profile.apply_automatic("alice", ProfileSection.PETS, "miso", "cat", source=cat.id, confidence=0.8)


def exported(system: MemorySystem, user: str = "alice") -> str:
    out = io.StringIO()
    export_memories(system, user, out)
    return out.getvalue()


def test_round_trip_keeps_every_field_the_history_and_the_profile(source: MemorySystem, target: MemorySystem) -> None:
    fill(source)
    text = exported(source)
    assert all(json.loads(line)["format"] == 1 for line in text.splitlines())
    report = import_memories(target, text.splitlines(), reason="imported from test")
    assert (report.imported, report.skipped, report.bad) == (6, 0, [])

    originals = source.memories.store.all("alice", status=None)
    assert target.memories.store.all("alice", status=None) == originals
    assert {memory.status for memory in originals} == set(MemoryStatus)
    for memory in originals:
        before = source.memories.history("alice", memory.id)
        after = target.memories.history("alice", memory.id)
        assert [(c.action, c.at, c.reason, c.before, c.after) for c in after[:-1]] == [
            (c.action, c.at, c.reason, c.before, c.after) for c in before
        ]
        assert (after[-1].action, after[-1].after, after[-1].reason) == (
            ChangeAction.IMPORT,
            memory,
            "imported from test",
        )
    assert target.profile.entries("alice") == source.profile.entries("alice")
    # The word index came along too, and the journal alone can rebuild Chroma.
    found = target.retriever.retrieve("alice", "Miso", now=datetime.now(UTC), k=1, turns=False)
    assert [r.memory.text for r in found] == ["My cat is called Miso, a grey tabby"]
    assert target.memories.reindex("alice") == len(originals)
    assert target.memories.store.all("alice", status=None) == originals


def test_importing_the_same_file_twice_changes_nothing_unless_replace(
    source: MemorySystem, target: MemorySystem
) -> None:
    fill(source)
    lines = exported(source).splitlines()
    import_memories(target, lines)
    cat = next(m for m in target.memories.store.all("alice") if m.kind == MemoryKind.PET)
    history_length = len(target.memories.history("alice", cat.id))

    again = import_memories(target, lines)
    assert (again.imported, again.skipped) == (0, 6)
    assert len(target.memories.history("alice", cat.id)) == history_length
    assert len(target.memories.store.all("alice", status=None)) == 4

    target.memories.edit("alice", cat.id, "My cat is called Miso, and she is old")
    replaced = import_memories(target, lines, replace=True)
    assert (replaced.imported, replaced.skipped) == (6, 0)
    assert target.memories.store.get("alice", cat.id).text == "My cat is called Miso, a grey tabby"
    history = target.memories.history("alice", cat.id)
    assert [c.action for c in history[history_length:]] == [ChangeAction.UPDATE, ChangeAction.IMPORT]
    target.memories.undo("alice", history[-1].id)  # the replacing import can be undone
    assert target.memories.store.get("alice", cat.id).text == "My cat is called Miso, and she is old"


def test_import_as_another_user_moves_everything_to_that_user(source: MemorySystem, target: MemorySystem) -> None:
    fill(source)
    report = import_memories(target, exported(source).splitlines(), as_user="bob")
    assert report.imported == 6
    assert target.memories.store.all("alice", status=None) == []
    moved = target.memories.store.all("bob", status=None)
    assert {memory.user for memory in moved} == {"bob"}
    assert all(
        state.user == "bob"
        for memory in moved
        for change in target.memories.history("bob", memory.id)
        for state in (change.before, change.after)
        if state is not None
    )
    assert [entry.user for entry in target.profile.entries("bob")] == ["bob", "bob"]
    assert target.profile.entries("alice") == []
    with pytest.raises(ValueError, match="invalid user name"):
        import_memories(target, [], as_user="no/slashes")


def test_bad_lines_are_reported_by_number_and_none_of_them_is_half_imported(
    source: MemorySystem, target: MemorySystem
) -> None:
    good = source.memories.add(Memory(user="alice", text="I speak Portuguese"))
    other = source.memories.add(Memory(user="alice", text="I have two bikes"))
    lines = exported(source).splitlines()
    good_line, other_line = (line for line in lines if json.loads(line)["memory"]["id"] in (good.id, other.id))
    borrowed_history = json.loads(other_line)
    borrowed_history["history"] = json.loads(good_line)["history"]
    empty_text = json.loads(good_line)
    empty_text["memory"]["id"] = "mempty"
    empty_text["memory"]["text"] = "   "
    future = json.loads(good_line) | {"format": 2}
    file = [
        good_line,
        "{not json",
        "",
        json.dumps(empty_text),
        json.dumps(borrowed_history),
        json.dumps(future),
        json.dumps({"type": "recipe", "format": 1}),
        json.dumps({"type": "profile", "format": 1, "entry": {"user": "alice", "section": "hobbies"}}),
    ]
    report = import_memories(target, file)
    assert (report.imported, report.skipped) == (1, 0)
    reasons = dict(report.bad)
    assert sorted(reasons) == [2, 4, 5, 6, 7, 8]
    assert reasons[2].startswith("not JSON")
    assert "memory.text" in reasons[4]
    assert "another memory" in reasons[5]
    assert "unsupported format 2" in reasons[6]
    assert "unknown type 'recipe'" in reasons[7]
    assert "entry.section" in reasons[8]
    assert [memory.id for memory in target.memories.store.all("alice", status=None)] == [good.id]
    assert target.memories.history("alice", other.id) == []
    assert target.memories.history("alice", "mempty") == []
