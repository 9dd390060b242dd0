"""Memory in the conversation: what the user says is remembered after the reply and recalled in later chats."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from assistant.chat_commands import is_command, run_command
from assistant.factory import Assistant, build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import load_settings
from memory.records import Memory, MemoryStatus


def say(assistant: Assistant, user: str, text: str, session_id: str | None = None):
    conversation = assistant.conversation(user, session_id)
    list(conversation.send(text))
    return conversation, conversation.remember_last_turn()


def system_prompt(fake_model: FakeChatModel) -> str:
    return fake_model.received[-1][0].content


@pytest.fixture(params=["embedded", "server"])
def either_chroma(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Assistant, str]]:
    """The assistant on an embedded Chroma, and on a real `chroma run` server (fresh user names there)."""
    if request.param == "server":
        monkeypatch.setenv("MNEMO_MEMORY__CHROMA_URL", request.getfixturevalue("chroma_server"))
    built = build_assistant(load_settings(), model=FakeChatModel())
    yield built, "sam" + secrets.token_hex(3)
    built.close()


def test_a_moved_sister_is_one_active_memory_and_the_new_session_recalls_porto(
    either_chroma: tuple[Assistant, str],
) -> None:
    assistant, sam = either_chroma
    fake_model = assistant.model.get()
    assert isinstance(fake_model, FakeChatModel)
    first, report = say(assistant, sam, "My sister Ana lives in Lisbon.")
    assert report is not None and any("Lisbon" in memory.text for memory in report.remembered)
    _, report = say(assistant, sam, "Ana moved to Porto last month.", first.session.id)
    assert report is not None and any("Porto" in memory.text for memory in report.remembered)

    memories = assistant.memory.get().memories
    everything = memories.store.all(sam, status=None)
    about_ana = [memory for memory in everything if "Ana" in memory.text]
    active = [memory for memory in about_ana if memory.status == MemoryStatus.ACTIVE]
    superseded = [memory for memory in about_ana if memory.status == MemoryStatus.SUPERSEDED]
    assert [memory.text for memory in active if "Porto" in memory.text] and len(active) == 1
    assert len(superseded) == 1 and "Lisbon" in superseded[0].text and superseded[0].replaced_by == active[0].id
    assert all(memory.sources and memory.sources[0].startswith("message:") for memory in about_ana)

    new_session, _ = say(assistant, sam, "Where does my sister live?")
    assert new_session.session.id != first.session.id
    prompt = system_prompt(fake_model)
    assert "Porto" in prompt
    assert "lives in Lisbon" not in prompt.split("told you in earlier chats")[0]  # not in the profile
    memory_parts = [part for part in new_session.last_reply.prompt_parts if part.source == "memory"]
    assert any(active[0].id in part.references for part in memory_parts)


def test_another_user_never_sees_the_first_users_memories(assistant: Assistant, fake_model: FakeChatModel) -> None:
    say(assistant, "sam", "My dog Bo loves the beach.")
    kims, _ = say(assistant, "kim", "Tell me about my dog.")
    assert not [part for part in kims.last_reply.prompt_parts if "Bo" in part.text]
    assert "Bo" not in kims.last_reply.text
    assert assistant.memory.get().memories.store.all("kim") == []


def test_the_assistants_words_are_never_remembered_as_the_users(assistant: Assistant) -> None:
    fake = FakeChatModel(script=lambda messages: "As you told me, you love hiking and live in Paris!")
    assistant.model._model = fake  # noqa: SLF001 - the scripted reply is the point of this test
    _, report = say(assistant, "sam", "What's a good weekend plan?")
    assert report is not None and report.changes == []
    texts = " ".join(memory.text for memory in assistant.memory.get().memories.store.all("sam"))
    assert "hiking" not in texts and "Paris" not in texts


def test_this_sessions_own_turns_are_not_recalled_twice(assistant: Assistant, fake_model: FakeChatModel) -> None:
    conversation, _ = say(assistant, "sam", "I repaired the blue bicycle this morning.")
    list(conversation.send("What did I repair?"))
    recalled = assistant.memory.recall("sam", "What did I repair?", datetime.now(UTC), conversation.session.id)
    assert all(f"session:{conversation.session.id}" not in item.memory.sources for item in recalled)


def test_slash_commands_remember_forget_and_undo(assistant: Assistant) -> None:
    now = datetime.now(UTC)
    assert is_command("/remember x") and not is_command("/etc/passwd is a file")
    outcome = run_command(assistant.memory, "sam", "/remember my PIN hint is blue", now=now)
    assert "PIN hint is blue" in outcome.text and outcome.report is not None
    listed = run_command(assistant.memory, "sam", "/memories PIN", now=now)
    assert "PIN hint is blue" in listed.text
    forgotten = run_command(assistant.memory, "sam", "/forget PIN hint", now=now)
    assert "forgot" in forgotten.text and forgotten.report is not None
    assert assistant.memory.get().memories.store.all("sam") == []
    run_command(assistant.memory, "sam", "/undo", now=now, last=forgotten.report)
    assert [memory.text for memory in assistant.memory.get().memories.store.all("sam")] == ["My PIN hint is blue"]
    nothing = run_command(assistant.memory, "sam", "/forget quantum chromodynamics", now=now)
    assert nothing.error and "Nothing clearly matches" in nothing.text
    assert "/remember" in run_command(assistant.memory, "sam", "/help", now=now).text


def test_pinned_memories_never_fade_and_old_unused_ones_do(assistant: Assistant) -> None:
    system = assistant.memory.get()
    now = datetime.now(UTC)
    old = now - timedelta(days=3 * 365)
    system.memories.add(Memory(user="sam", text="My locker code is 4471", said_at=old, pinned=True))
    system.memories.add(Memory(user="sam", text="My gym locker code was 1234", said_at=old))
    ranked = assistant.memory.retriever.retrieve("sam", "locker code", now=now, k=2)
    assert [item.memory.text for item in ranked][0] == "My locker code is 4471"


def test_recall_respects_the_token_budget(assistant: Assistant) -> None:
    system = assistant.memory.get()
    for number in range(12):
        system.memories.add(Memory(user="sam", text=f"Trip {number}: I went hiking in the Alps with friend {number}"))
    recalled = assistant.memory.retriever.retrieve("sam", "hiking trips", now=datetime.now(UTC), k=12, token_budget=60)
    assert recalled and sum(item.tokens for item in recalled) <= 60


def test_a_question_about_last_week_prefers_what_happened_last_week(assistant: Assistant) -> None:
    system = assistant.memory.get()
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    system.memories.add(Memory(user="sam", text="I went to a concert", said_at=now - timedelta(days=200)))
    system.memories.add(Memory(user="sam", text="I went to a jazz concert", said_at=now - timedelta(days=8)))
    ranked = assistant.memory.retriever.retrieve("sam", "which concert did I go to last week?", now=now, k=2)
    assert ranked[0].memory.text == "I went to a jazz concert"


def test_the_turn_that_said_the_old_fact_is_not_recalled_after_it_was_superseded(assistant: Assistant) -> None:
    first, _ = say(assistant, "sam", "My sister Ana lives in Lisbon.")
    _, report = say(assistant, "sam", "Ana moved to Porto.", first.session.id)
    episodes = assistant.memory.get().episodes.store
    said_lisbon = [episode for episode in episodes.all("sam", status=None) if "Lisbon" in episode.text]
    assert [episode.status for episode in said_lisbon] == [MemoryStatus.SUPERSEDED]
    recalled = assistant.memory.recall("sam", "Lisbon", datetime.now(UTC))  # not even by its own words
    assert not any("Lisbon" in item.memory.text for item in recalled)
    assert report is not None
    assistant.memory.get().writer.undo("sam", report)  # undoing the move brings the old turn back
    recalled = assistant.memory.recall("sam", "Lisbon", datetime.now(UTC))
    assert any("Lisbon" in item.memory.text for item in recalled)


def test_a_turn_that_says_more_than_the_memory_drawn_from_it_is_still_recalled(assistant: Assistant) -> None:
    # The extracted memory "My sister Noor lives in Toronto" holds every word of its own but not the job, which
    # only the turn says: the turn must not be dropped as the memory's duplicate.
    say(
        assistant,
        "aisha",
        "my sister Noor lives in Toronto with her husband Kwame and their two boys. she's a dentist over there "
        "and keeps telling me to move lol. what's the time difference between Leicester and Toronto?",
    )
    recalled = assistant.memory.recall("aisha", "what does my sister do for work again?", datetime.now(UTC))
    texts = [item.memory.text for item in recalled]
    assert any("Noor lives in Toronto" in text and "dentist" not in text for text in texts)
    assert any("dentist" in text for text in texts)


def test_a_message_that_asks_nothing_brings_only_memories_that_share_a_word_with_it(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "sam", "I'm allergic to peanuts and I work as a nurse.")
    say(assistant, "sam", "My daughter Lena is six.")

    venting, _ = say(assistant, "sam", "My boss yelled at me today, rough day.")
    assert not [
        part for part in venting.last_reply.prompt_parts if part.source == "memory" and part.placement == "turn"
    ]
    assert "yelled" in fake_model.received[-1][-1].content  # the message itself still reaches the model

    about_lena, _ = say(assistant, "sam", "Lena was up all night with a cough.")
    beside = [
        part for part in about_lena.last_reply.prompt_parts if part.source == "memory" and part.placement == "turn"
    ]
    assert beside and "Lena" in beside[0].text and "peanuts" not in beside[0].text

    say(assistant, "sam", "Today I ran 10k in under an hour!")
    tired, _ = say(assistant, "sam", "I'm so tired, my shift ran four hours over.")  # "ran" is no shared topic
    assert not [
        part
        for part in tired.last_reply.prompt_parts
        if part.source == "memory" and part.placement == "turn" and "10k" in part.text
    ]

    asked, _ = say(assistant, "sam", "What should I cook tonight?")  # a question keeps what recall found by meaning
    assert asked.last_reply.prompt_parts
