"""The memory screen, the notices under replies and "why did it say that?", driven through Pilot."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import DataTable, Input, Markdown

from assistant.factory import Assistant, build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import Settings
from memory.journal import ChangeAction, MemoryChange
from memory.records import Memory, MemoryKind, MemoryStatus
from tests.pilot_waits import settle, steady
from tui.app import MnemoApp
from tui.screens.edit_text import EditTextScreen
from tui.screens.memories import MemoriesScreen
from tui.screens.why import WhyScreen
from tui.widgets.memory_notice import MemoryNotice
from tui.widgets.message_view import MessageView
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)
SNAPSHOT_SIZE = (80, 24)


async def send(pilot, text: str) -> None:
    pilot.app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")


def active_texts(assistant: Assistant, user: str) -> list[str]:
    return sorted(memory.text for memory in assistant.memory.get().memories.store.all(user))


def seed(assistant: Assistant, user: str, *texts: str, kind: MemoryKind = MemoryKind.FACT) -> list[Memory]:
    """Memories with fixed ids and times, journaled as if said in March 2026 (for stable snapshots)."""
    memories = assistant.memory.get().memories
    seeded = []
    for number, text in enumerate(texts, start=1):
        said = datetime(2026, 3, number, 9, 30, tzinfo=UTC)
        memory = Memory(id=f"m{user[:3]}{number:04d}", user=user, text=text, kind=kind, said_at=said)
        change = MemoryChange(0, user, memory.id, ChangeAction.ADD, None, memory, "said in a chat", said.isoformat())
        memories.journal.import_changes([change])
        seeded.append(memory)
    memories.reindex(user)
    return seeded


def after_pressing(key: str):
    """A pilot step: let the app settle, press ``key``, let it settle again."""

    async def run(pilot) -> None:
        await settle(pilot)
        await pilot.press(key)
        await settle(pilot)

    return run


def steadily(step):
    """``step``, then hold the screen still for its snapshot."""

    async def run(pilot) -> None:
        await step(pilot)
        await steady(pilot)

    return run


async def open_memories(app: MnemoApp, pilot) -> MemoriesScreen:
    await after_pressing("f5")(pilot)
    assert isinstance(app.screen, MemoriesScreen)
    return app.screen


def shown(screen: MemoriesScreen) -> list[str]:
    return [memory.text for memory in screen.rows]


async def test_edit_then_search_finds_the_new_text(assistant: Assistant) -> None:
    seed(assistant, "alice", "My sister Ana lives in Lisbon", "I love green tea")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memories(app, pilot)
        assert sorted(shown(screen)) == ["I love green tea", "My sister Ana lives in Lisbon"]
        screen.query_one(DataTable).move_cursor(row=shown(screen).index("My sister Ana lives in Lisbon"))
        await pilot.press("e")
        assert isinstance(app.screen, EditTextScreen)
        app.screen.query_one(Input).value = "My sister Ana lives in Porto"
        await pilot.press("enter")
        await settle(pilot)
        assert active_texts(assistant, "alice") == ["I love green tea", "My sister Ana lives in Porto"]

        await pilot.press("slash")
        await pilot.press(*"where does Ana live")
        await pilot.pause(0.4)
        await settle(pilot)
        assert shown(screen)[0] == "My sister Ana lives in Porto"  # re-embedded: found by meaning
        detail = str(screen.query_one("#memory-detail-text").render())
        assert "edited by the user" in detail and "Lisbon" not in detail.split("History")[0]


async def test_delete_then_undo_restores_the_same_memory(assistant: Assistant) -> None:
    (tea,) = seed(assistant, "alice", "I love green tea")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memories(app, pilot)
        await pilot.press("d")
        await settle(pilot)
        assert active_texts(assistant, "alice") == [] and shown(screen) == []
        await pilot.press("u")
        await settle(pilot)
        restored = assistant.memory.get().memories.store.all("alice")
        assert [(memory.id, memory.text) for memory in restored] == [(tea.id, "I love green tea")]
        assert shown(screen) == ["I love green tea"]


async def test_a_pin_survives_a_restart(settings: Settings) -> None:
    first = build_assistant(settings, model=FakeChatModel())
    (tea,) = seed(first, "alice", "I love green tea")
    app = MnemoApp(first, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await open_memories(app, pilot)
        await pilot.press("p")
        await settle(pilot)
    first.close()
    second = build_assistant(settings, model=FakeChatModel())
    app = MnemoApp(second, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memories(app, pilot)
        assert screen.rows[0].id == tea.id and screen.rows[0].pinned
        assert "📌" in str(screen.query_one(DataTable).get_row_at(0))
    second.close()


async def test_merge_two_duplicates_and_restore_the_replaced_one(assistant: Assistant) -> None:
    first, second = seed(assistant, "alice", "I love green tea", "I really like green tea")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memories(app, pilot)
        table = screen.query_one(DataTable)
        table.move_cursor(row=shown(screen).index(first.text))
        await pilot.press("space")
        await settle(pilot)
        table.move_cursor(row=shown(screen).index(second.text))
        await pilot.press("m")
        assert isinstance(app.screen, EditTextScreen)
        app.screen.query_one(Input).value = "I love green tea, most of all sencha"
        await pilot.press("enter")
        await settle(pilot)
        assert active_texts(assistant, "alice") == ["I love green tea, most of all sencha"]
        store = assistant.memory.get().memories.store
        old = store.get("alice", first.id)
        assert old.status == MemoryStatus.SUPERSEDED and old.replaced_by == second.id

        await pilot.click("#memory-status")
        await settle(pilot)
        screen.query_one("#memory-status").value = "superseded"  # type: ignore[attr-defined]
        await settle(pilot)
        assert shown(screen) == ["I love green tea"]
        screen.query_one(DataTable).focus()
        await pilot.press("r")
        await settle(pilot)
        assert active_texts(assistant, "alice") == ["I love green tea"]
        assert store.get("alice", second.id).status == MemoryStatus.SUPERSEDED


async def test_the_palette_offers_the_screens_actions(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        titles = {command.title for command in app.get_system_commands(app.screen)}
        assert {"Memories", "Profile", "Things in your photos", "Why did it say that?", "Switch user"} <= titles
        screen = await open_memories(app, pilot)
        titles = {command.title for command in app.get_system_commands(screen)}
        assert {"Edit", "Delete", "Undo", "Pin", "Add", "Merge", "Restore", "Go to chat", "Sort"} <= titles


async def test_add_by_hand(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await open_memories(app, pilot)
        await pilot.press("a")
        await pilot.press(*"I am allergic to peanuts", "enter")
        await settle(pilot)
        assert active_texts(assistant, "alice") == ["I am allergic to peanuts"]


async def test_each_user_sees_only_their_own_memories(assistant: Assistant) -> None:
    seed(assistant, "alice", "I love green tea")
    seed(assistant, "bob", "I play the cello")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_memories(app, pilot)
        assert shown(screen) == ["I love green tea"]
        await pilot.press("escape")
        await pilot.press("f3")
        await pilot.press(*"bob", "enter")
        await settle(pilot)
        screen = await open_memories(app, pilot)
        assert shown(screen) == ["I play the cello"]
        await pilot.press("slash", *"tea")
        await pilot.pause(0.4)
        await settle(pilot)
        assert "I love green tea" not in shown(screen)


async def test_go_to_the_message_a_memory_came_from(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "My sister Ana lives in Lisbon.")
        await settle(pilot)
        said_in = app.chat.conversation.session.id
        await app.action_new_chat()
        await settle(pilot)
        screen = await open_memories(app, pilot)
        assert any("Lisbon" in text for text in shown(screen))
        screen.query_one(DataTable).move_cursor(row=next(i for i, t in enumerate(shown(screen)) if "Lisbon" in t))
        await settle(pilot)
        assert "you said in" in str(screen.query_one("#memory-detail-text").render())
        await pilot.press("g")
        await settle(pilot)
        assert app.chat.conversation.session.id == said_in
        jumped = [view for view in app.chat.query(MessageView) if view.has_class("jumped")]
        assert [view.text for view in jumped] == ["My sister Ana lives in Lisbon."]


async def test_notice_buttons_accept_edit_and_undo(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "I love green tea.")
        await settle(pilot)
        notice = app.chat.query(MemoryNotice).last()
        (memory_id,) = notice.memory_ids
        await pilot.click(notice.query_one("#accept"))
        await settle(pilot)
        assert assistant.memory.get().memories.store.get("sam", memory_id).confidence == 1.0
        assert notice.has_class("settled")

        await send(pilot, "My brother Tom lives in Oslo.")
        await settle(pilot)
        notice = app.chat.query(MemoryNotice).last()
        (memory_id,) = notice.memory_ids
        await pilot.click(notice.query_one("#edit"))
        assert isinstance(app.screen, EditTextScreen)
        app.screen.query_one(Input).value = "My brother Tom lives in Bergen"
        await pilot.press("enter")
        await settle(pilot)
        assert assistant.memory.get().memories.store.get("sam", memory_id).text == "My brother Tom lives in Bergen"
        assert "Bergen" in str(notice.query_one("#footer").render())

        await send(pilot, "I hate olives.")
        await settle(pilot)
        notice = app.chat.query(MemoryNotice).last()
        await pilot.click(notice.query_one("#undo"))
        await settle(pilot)
        assert not any("olives" in text for text in active_texts(assistant, "sam"))


async def test_why_shows_the_memories_in_the_prompt(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await send(pilot, "My sister Ana lives in Porto.")  # a memory, and a profile entry resting on it
        await settle(pilot)
        await app.action_new_chat()
        await send(pilot, "Where does my sister live?")
        await settle(pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, WhyScreen)
        text = app.screen.query_one("#why-text", Markdown).source
        assert "My sister Ana lives in Porto" in text and "Could not" not in text


def test_memory_screen_snapshot(snap_compare, assistant: Assistant) -> None:
    seed(assistant, "alice", "My sister Ana lives in Porto", "I love green tea", "I take the 8:15 train to work")
    app = MnemoApp(assistant, user="alice")
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=steadily(after_pressing("f5")))


def test_why_screen_snapshot(snap_compare, assistant: Assistant) -> None:
    seed(assistant, "alice", "My sister Ana lives in Porto")
    assistant.model.get().script = lambda _: "Ana lives in Porto."  # type: ignore[attr-defined]
    conversation = assistant.conversation("alice")
    asked = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)  # the prompt says how long ago: "9 months ago" on any date
    list(conversation.send("Where does my sister live?", now=asked))
    app = MnemoApp(assistant, user="alice", session_id=conversation.session.id)
    assert snap_compare(app, terminal_size=SNAPSHOT_SIZE, run_before=steadily(after_pressing("f4")))
