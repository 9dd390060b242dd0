"""A question that names a span ("last weekend", "on 16 June") also searches what was said in it, by meaning."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memory.journal import MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.records import Memory
from memory.retrieval import RetrievalConfig, Retriever
from memory.store import MemoryStore, make_chroma_client

NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)  # a Thursday: last weekend is 21-22 November
SATURDAY = datetime(2026, 11, 21, 15, tzinfo=UTC)
FENCE = "Repainted the garden fence with Tom"


def open_memories(folder: Path, embedder) -> Memories:
    return Memories(
        MemoryStore(make_chroma_client(folder, None), embedder), MemoryJournal(folder), LexicalIndex(folder)
    )


@pytest.fixture
def memories(tmp_path: Path, embedder) -> Memories:
    return open_memories(tmp_path, embedder)


def a_busy_fortnight(memories: Memories) -> None:
    """A dozen texts from other days that sound more like "what did I do" than the fence does, and the fence."""
    for days in range(10, 22):
        memories.add(
            Memory(user="sam", text=f"I did my weekly review {days} days ago", said_at=NOW - timedelta(days=days))
        )
    memories.add(Memory(user="sam", text=FENCE, said_at=SATURDAY))


def recalled_texts(memories: Memories, question: str, config: RetrievalConfig) -> list[str]:
    return [
        item.memory.text for item in Retriever(memories, None, config=config).retrieve("sam", question, now=NOW, k=3)
    ]


def test_a_question_naming_a_day_finds_what_was_said_then_however_it_was_worded(memories: Memories) -> None:
    # Only the nearest three by meaning are taken (depth 3): the fence is not among them.
    a_busy_fortnight(memories)
    narrow = RetrievalConfig(depth=3)
    assert FENCE in recalled_texts(memories, "what did I do last weekend?", narrow)
    assert FENCE not in recalled_texts(memories, "what did I do last weekend?", replace(narrow, time_depth=0))
    assert FENCE not in recalled_texts(memories, "what did I do in 2026?", narrow)  # a year is no help in picking


def test_moments_follow_the_memory_through_edits_supersession_and_deletion(memories: Memories) -> None:
    words = memories.lexical
    said = memories.add(Memory(user="sam", text="The boat trip is on Saturday", said_at=NOW, refers_to=SATURDAY))
    day, week = timedelta(days=1), timedelta(days=7)
    assert words.within("sam", SATURDAY, SATURDAY + day, 10) == [said.id]  # the time it is about
    assert words.within("sam", NOW, NOW + day, 10) == [said.id]  # and when it was said
    assert words.within("sam", NOW - week - week, NOW - week, 10) == []
    assert words.within("kim", NOW - week, NOW + day, 10) == []  # another user's moments are not shared
    memories.edit("sam", said.id, "The boat trip is on Saturday morning")
    assert words.within("sam", SATURDAY, SATURDAY + day, 10) == [said.id]
    memories.delete("sam", said.id)
    assert words.within("sam", NOW - week, NOW + day, 10) == []
    memories.add(Memory(user="sam", text=FENCE, said_at=SATURDAY))
    words.drop_user("sam")
    assert words.within("sam", NOW - week, NOW + day, 10) == []


def test_a_data_dir_from_before_moments_were_indexed_gets_them_from_chroma_once(tmp_path: Path, embedder) -> None:
    memories = open_memories(tmp_path, embedder)
    a_busy_fortnight(memories)
    memories.lexical.close()
    with sqlite3.connect(tmp_path / "memory.sqlite3") as db:  # the index as older versions left it
        db.execute("DROP TABLE memory_words_times")
        db.execute("DROP TABLE memory_words_times_pending")
    memories.lexical = LexicalIndex(tmp_path)
    assert memories.lexical.times_pending("sam")
    assert memories.lexical.within("sam", SATURDAY, SATURDAY + timedelta(days=1), 10) == []
    assert FENCE in recalled_texts(memories, "what did I do last weekend?", RetrievalConfig(depth=3))
    assert not memories.lexical.times_pending("sam")
    assert len(memories.lexical.within("sam", NOW - timedelta(days=30), NOW, 100)) == 13
