"""Links between the names in memories, and the one hop they give recall (issue 15, step 4).

Real parts: the packaged sentence embedder, an embedded Chroma, the SQLite journal and word index.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assistant.factory import Assistant
from memory.entities import mentions_in, query_keys
from memory.episodes import Turn, episode_id
from memory.journal import MemoryJournal
from memory.lexical import LexicalIndex
from memory.memories import Memories
from memory.records import Memory
from memory.retrieval import Recalled, Retriever, without_names
from memory.store import MemoryStore, make_chroma_client
from tui.app import MnemoApp
from tui.screens.links import LinksScreen, link_rows
from tui.screens.profile import ProfileScreen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
# One user's memories: a family, and many other people and places that "live" somewhere.
LIFE = [
    "Lena and Max are Tom's kids",
    "Lena lives in Bergen",
    "Max is studying law in Utrecht",
    "My cousin Farid lives in Oslo",
    "I live in Leeds",
    "My boss Karen lives near the office",
    "Our neighbours live in a blue house",
    "My sister Ana is a nurse",
    "Ana moved to Lisbon in May",
    "I want to live by the sea one day",
    "Tom plays the cello",
    "Tom's wife Sara teaches maths",
    "My friend Jo lives in Paris",
    "The kids next door are loud",
    "I love kids' films",
    "My parents live in Cardiff",
    "Priya lives in a flat in Manchester",
    "Bergen is rainy",
    "I visited Utrecht in 2019",
]


@pytest.fixture
def memories(tmp_path: Path, embedder) -> Memories:
    return Memories(
        MemoryStore(make_chroma_client(tmp_path, None), embedder), MemoryJournal(tmp_path), LexicalIndex(tmp_path)
    )


def tell(memories: Memories, user: str, texts: list[str]) -> dict[str, Memory]:
    return {
        text: memories.add(Memory(user=user, text=text, said_at=NOW - timedelta(days=len(texts) - number)))
        for number, text in enumerate(texts)
    }


def recall(memories: Memories, query: str, k: int = 5) -> list[Recalled]:
    return Retriever(memories, None).retrieve("ines", query, now=NOW, k=k)


def named(text: str) -> dict[str, str]:
    return {mention.key: mention.entity for mention in mentions_in(text)}


def test_names_are_found_by_their_capitals_without_greetings_days_or_the_word_my() -> None:
    assert named("Lena and Max are Tom's kids") == {"lena": "Lena", "max": "Max", "tom": "Tom"}
    assert named("Thanks, Melanie! Yesterday Tom flew to New York on Monday.") == {
        "melanie": "Melanie",
        "tom": "Tom",
        "new york": "New York",
    }
    assert named("I went for a walk") == {}


def test_a_relation_names_the_person_it_introduces() -> None:
    assert named("My sister Ana moved to Porto") == {"ana": "Ana", "sister": "Ana", "porto": "Porto"}
    assert named("I have a dog called Rex")["dog"] == "Rex"
    assert named("Tom's daughter Lena lives in Bergen")["tom's daughter"] == "Lena"


def test_a_question_may_name_someone_in_one_to_three_words_with_or_without_the_possessive() -> None:
    keys = query_keys("Where do Tom's kids live?")
    assert {"tom", "tom's kids", "kids"} <= set(keys)
    assert "where" not in keys and "do" not in keys


def test_links_follow_the_memory_that_says_them(memories: Memories) -> None:
    said = tell(memories, "ines", ["Lena and Max are Tom's kids", "Lena lives in Bergen"])
    links = {(one, other) for one, other, _ in memories.lexical.links("ines")}
    assert links == {("Lena", "Max"), ("Max", "Tom"), ("Lena", "Tom"), ("Bergen", "Lena")}
    memories.edit("ines", said["Lena lives in Bergen"].id, "Lena lives in Tromsø")
    assert ("Lena", "Tromsø") in {(one, other) for one, other, _ in memories.lexical.links("ines")}
    memories.delete("ines", said["Lena and Max are Tom's kids"].id)
    assert {(one, other) for one, other, _ in memories.lexical.links("ines")} == {("Lena", "Tromsø")}
    assert memories.lexical.links("someone-else") == []
    memories.lexical.drop_user("ines")
    assert memories.lexical.links("ines") == []


def test_a_word_index_from_before_names_were_indexed_is_read_for_them_once(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "memory.sqlite3") as db:  # the index as older versions left it
        db.execute(
            "CREATE VIRTUAL TABLE memory_words USING fts5("
            "memory_id UNINDEXED, user UNINDEXED, text, tokenize = 'porter unicode61')"
        )
        db.execute("INSERT INTO memory_words VALUES ('m1', 'ines', 'My sister Ana lives in Porto')")
    index = LexicalIndex(tmp_path)
    try:
        assert index.links("ines") == [("Ana", "Porto", "m1")]
        assert index.entities_named("ines", ["sister"]) == [("sister", "ana", "Ana")]
    finally:
        index.close()


def test_a_question_about_toms_kids_recalls_what_is_known_of_each_kid(memories: Memories) -> None:
    tell(memories, "ines", LIFE)
    recalled = {hit.memory.text: hit.via for hit in recall(memories, "Where do Tom's kids live?")}
    assert recalled.get("Lena lives in Bergen") == "Tom → Lena"
    assert recalled.get("Max is studying law in Utrecht") == "Tom → Max"
    assert "Lena and Max are Tom's kids" in recalled


def test_my_sister_reaches_what_was_said_of_her_by_name(memories: Memories) -> None:
    tell(memories, "ines", LIFE)
    recalled = {hit.memory.text: hit.via for hit in recall(memories, "where does my sister live now?", k=3)}
    assert recalled.get("Ana moved to Lisbon in May") == "Ana"


def test_no_hop_without_a_name_in_the_question_and_none_for_another_user(memories: Memories) -> None:
    tell(memories, "ines", LIFE)
    assert all(hit.via == "" for hit in recall(memories, "which city is rainy?"))
    tell(memories, "olga", ["I like tea"])
    hits = Retriever(memories, None).retrieve("olga", "Where do Tom's kids live?", now=NOW, k=5)
    assert [hit.memory.text for hit in hits] == ["I like tea"]


def test_speakers_named_in_a_question_leave_its_topic() -> None:
    assert without_names("What is Caroline's job?", {"caroline"}) == "What is job?"
    assert without_names("Did Jon and Gina both dance?", {"jon", "gina"}) == "Did and both dance?"
    assert without_names("Caroline?", {"caroline"}) == "Caroline?"  # nothing else to search for
    assert without_names("Where is Carolines?", {"caroline"}) == "Where is Carolines?"


def test_link_rows_list_each_pair_once_by_name() -> None:
    pairs = [("Tom", "Lena", "m1"), ("Lena", "Tom", "m1"), ("Bergen", "Lena", "m2"), ("Ana", "Gone", "m9")]
    texts = {"m1": "Lena and Max are Tom's kids", "m2": "Lena lives in Bergen"}
    assert link_rows(pairs, texts) == [
        ("Bergen", "Lena", "Lena lives in Bergen", "m2"),
        ("Lena", "Tom", "Lena and Max are Tom's kids", "m1"),
    ]


def test_a_turn_links_its_own_names_not_those_of_the_turn_before_it_nor_the_assistants(tmp_path: Path) -> None:
    from memory.system import open_memory

    system = open_memory(tmp_path, embedder_key="minilm")
    try:
        system.episodes.add(
            "ines",
            [
                Turn("Ana moved to Porto", NOW, "message:1", context="assistant: Say hi to Pedro!"),
                Turn("Pedro and Rosa are your cousins", NOW, "message:2", speaker="assistant"),
            ],
        )
        assert system.episodes.lexical.links("ines") == [("Ana", "Porto", episode_id("ines", "message:1"))]
    finally:
        system.close()


async def test_the_profile_screen_shows_the_links(assistant: Assistant) -> None:
    system = assistant.memory.get()
    system.writer.remember("alice", "Lena and Max are Tom's kids", sources=[], said_at=NOW)
    system.episodes.add("alice", [Turn("Tom lives in Oslo", NOW, "message:7")])
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(ProfileScreen(assistant, "alice"))
        await pilot.pause()
        await pilot.press("k")
        for _ in range(3):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()
        assert isinstance(app.screen, LinksScreen)
        table = app.screen.query_one("#links-table")
        cells = [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]  # type: ignore[attr-defined]
        assert cells[0][:2] == ["Lena", "Max"]
        assert ["", "Tom"] in [row[:2] for row in cells]
        assert ["Oslo", "Tom"] in [row[:2] for row in cells]  # said in a chat, not extracted
        assert all("Lena and Max are Tom's kids" in row[2] for row in cells if row[1] != "Tom" or row[0] != "Oslo")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ProfileScreen)
