"""The start-up check: the indexes are put back in step with the journal after an interrupted write."""

from __future__ import annotations

from pathlib import Path

from memory.consistency import check_and_repair
from memory.journal import ChangeAction, MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.records import Memory, MemoryStatus
from memory.store import MemoryStore, make_chroma_client


def test_every_kind_of_drift_is_found_and_repaired_from_the_journal(tmp_path: Path, embedder) -> None:
    memories = Memories(
        MemoryStore(make_chroma_client(tmp_path, None), embedder), MemoryJournal(tmp_path), LexicalIndex(tmp_path)
    )
    kept = memories.add(Memory(user="ana", text="I live in Porto"))
    lost = memories.add(Memory(user="ana", text="My cat is called Miso"))
    edited = memories.add(Memory(user="ana", text="I work at a bakery"))
    deleted = memories.add(Memory(user="ana", text="I play the oboe"))
    assert check_and_repair(memories)[0].repaired == 0  # in step

    # A process killed after the journal and before the indexes, in each of the ways it can happen:
    memories.store.delete_ids("ana", [lost.id])
    memories.journal.record(
        ChangeAction.UPDATE,
        edited,
        edited.model_copy(update={"text": "I work at a library"}),
        "edited",
    )
    memories.journal.record(
        ChangeAction.DELETE,
        deleted,
        deleted.model_copy(update={"status": MemoryStatus.DELETED}),
        "deleted",
    )
    stray = Memory(user="ana", text="never acknowledged")
    memories.store.put(stray)
    memories.lexical.put("ana", stray.id, stray.text)

    [drift] = check_and_repair(memories)
    assert (drift.checked, drift.repaired, drift.removed) == (4, 3, 1)
    active = {memory.text for memory in memories.store.all("ana")}
    assert active == {kept.text, lost.text, "I work at a library"}
    assert set(dict(memories.lexical.entries("ana")).values()) == active
    assert check_and_repair(memories)[0].repaired == 0  # and stays in step
