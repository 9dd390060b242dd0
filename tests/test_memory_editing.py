"""The user's own edits to memories keep the profile in step and undo exactly; replies keep their prompt."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.factory import Assistant
from memory.editing import MemoryEditor
from memory.episodes import Turn
from memory.profile import ProfileSection
from memory.records import MemoryStatus
from memory.system import MemorySystem, open_memory

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def system(tmp_path: Path):
    opened = open_memory(tmp_path / "data")
    yield opened
    opened.close()


def told(system: MemorySystem, text: str) -> str:
    report = system.writer.observe("sam", Turn(text=text, said_at=NOW, source="message:1", speaker="sam"))
    return report.remembered[0].id


def test_an_edit_moves_the_automatic_profile_entry_with_it(system: MemorySystem) -> None:
    memory_id = told(system, "My sister Ana lives in Lisbon.")
    entry = system.profile.get("sam", ProfileSection.PEOPLE, "ana")
    assert entry is not None and "Lisbon" in entry.value
    editor = MemoryEditor(system.writer)
    report = editor.edit("sam", memory_id, "My sister Ana lives in Porto")
    entry = system.profile.get("sam", ProfileSection.PEOPLE, "ana")
    assert entry is not None and "Porto" in entry.value and "Lisbon" not in entry.value
    assert system.memories.store.get("sam", memory_id).confidence == 1.0

    editor.undo("sam", report)
    assert system.memories.store.get("sam", memory_id).text.startswith("My sister Ana lives in Lisbon")
    entry = system.profile.get("sam", ProfileSection.PEOPLE, "ana")
    assert entry is not None and "Lisbon" in entry.value


def test_delete_drops_what_only_that_memory_supported_and_undo_brings_it_back(system: MemorySystem) -> None:
    memory_id = told(system, "My sister Ana lives in Lisbon.")
    editor = MemoryEditor(system.writer)
    report = editor.delete("sam", [memory_id])
    assert system.memories.store.get("sam", memory_id).status == MemoryStatus.DELETED
    assert system.profile.get("sam", ProfileSection.PEOPLE, "ana") is None
    editor.undo("sam", report)
    assert system.memories.store.get("sam", memory_id).status == MemoryStatus.ACTIVE
    assert system.profile.get("sam", ProfileSection.PEOPLE, "ana") is not None


def test_a_hand_written_profile_entry_is_never_touched_by_edits(system: MemorySystem) -> None:
    memory_id = told(system, "My sister Ana lives in Lisbon.")
    system.profile.set("sam", ProfileSection.PEOPLE, "ana", "sister, a doctor in Lisbon")
    MemoryEditor(system.writer).edit("sam", memory_id, "My sister Ana lives in Porto")
    entry = system.profile.get("sam", ProfileSection.PEOPLE, "ana")
    assert entry is not None and entry.value == "sister, a doctor in Lisbon" and entry.manual


def test_merge_keeps_both_sources_and_restore_undoes_the_replacement(system: MemorySystem) -> None:
    editor = MemoryEditor(system.writer)
    first = editor.add("sam", "I love green tea").remembered[0]
    second = editor.add("sam", "I really like green tea", pinned=True).remembered[-1]
    system.memories.revise("sam", first.id, {"sources": ["message:7"]}, "test setup")
    editor.merge("sam", second.id, first.id, "I love green tea, sencha most of all")
    kept = system.memories.store.get("sam", second.id)
    assert kept.text == "I love green tea, sencha most of all" and "message:7" in kept.sources and kept.pinned
    assert system.memories.store.get("sam", first.id).replaced_by == second.id

    editor.restore("sam", first.id)
    assert system.memories.store.get("sam", first.id).status == MemoryStatus.ACTIVE
    assert system.memories.store.get("sam", second.id).status == MemoryStatus.SUPERSEDED
    with pytest.raises(ValueError):
        editor.merge("sam", first.id, first.id)


def test_a_reply_keeps_the_memories_of_its_prompt_across_a_restart(assistant: Assistant, settings) -> None:
    from assistant.factory import build_assistant
    from assistant.models.fake import FakeChatModel

    assistant.memory.get().writer.remember("sam", "My sister Ana lives in Porto", sources=[], said_at=NOW)
    conversation = assistant.conversation("sam")
    list(conversation.send("Where does my sister live?"))
    reply_id = conversation.last_reply.assistant_message_id
    assert reply_id is not None
    assistant.close()

    again = build_assistant(settings, model=FakeChatModel())
    parts = again.conversation("sam", conversation.session.id).reply_context(reply_id)
    assert parts is not None
    recalled = [part for part in parts if part.source == "memory" and "Porto" in part.text]
    assert recalled and all(reference.startswith("m") for reference in recalled[-1].references)
    again.close()
