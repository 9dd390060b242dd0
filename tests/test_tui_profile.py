"""The profile screen driven through Pilot: edit, lock, delete and undo, add, and one snapshot at 80x24.

The data is real (SQLite profile, Chroma memories); the app is the real MnemoApp with the scripted fake model.
Update the snapshot with: pytest tests/test_tui_profile.py --snapshot-update
"""

from __future__ import annotations

from datetime import UTC, datetime

from textual.events import Paste
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from assistant.factory import Assistant
from memory.profile import ProfileSection, ProfileStore
from memory.records import Memory
from tests.pilot_waits import settle, steady
from tui.app import MnemoApp
from tui.screens.chat import ChatScreen
from tui.screens.edit_text import EditTextScreen
from tui.screens.pick_section import PickSectionScreen
from tui.screens.profile import ProfileScreen

SIZE = (100, 30)
FIXED_TIME = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)  # noon UTC: the same date in every time zone's view


def profile_of(assistant: Assistant) -> ProfileStore:
    return assistant.memory.get().profile


def remember(assistant: Assistant, user: str, text: str) -> str:
    """A real memory, as /remember stores it; its id is what profile entries cite.

    What the extraction rules derived from it is dropped: each test sets the profile it needs itself.
    """
    system = assistant.memory.get()
    report = system.writer.remember(user, text, sources=[], said_at=datetime.now(UTC))
    memory = report.changes[0].after
    assert memory is not None
    for entry in system.profile.entries(user):
        system.profile.unset(user, entry.section, entry.key)
    return memory.id


async def open_profile(pilot: Pilot, assistant: Assistant, user: str) -> ProfileScreen:
    await settle(pilot)
    screen = ProfileScreen(assistant, user)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def rows(screen: ProfileScreen) -> list[list[str]]:
    """The table as the user reads it: section, key, value, confidence, you/auto."""
    table = screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(index)] for index in range(table.row_count)]


def detail(screen: ProfileScreen) -> str:
    return str(screen.query_one("#profile-detail-text", Static).render())


async def paste(pilot: Pilot, text: str) -> None:
    """What a terminal sends when text is pasted (typing hundreds of keys through Pilot takes a minute)."""
    pilot.app.screen.query_one(Input).post_message(Paste(text))
    await pilot.pause()


def stored_value(assistant: Assistant, section: ProfileSection, key: str) -> str | None:
    entry = profile_of(assistant).get("alice", section, key)
    return entry.value if entry is not None else None


def highlighted_key(screen: ProfileScreen) -> str | None:
    entry = screen.highlighted()
    return entry.key if entry is not None else None


async def test_edit_locks_the_value_against_extraction_until_unlocked(assistant: Assistant) -> None:
    source = remember(assistant, "alice", "I drink espresso every morning")
    profile = profile_of(assistant)
    profile.apply_automatic("alice", ProfileSection.LIKES, "coffee", "espresso", source=source, confidence=0.9)
    profile.apply_automatic("alice", ProfileSection.IDENTITY, "home", "Lisbon", source=source, confidence=0.7)
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profile(pilot, assistant, "alice")
        assert rows(screen) == [
            ["Identity", "home", "Lisbon", "70%", "auto"],
            ["Likes", "coffee", "espresso", "90%", "auto"],
        ]
        await pilot.click("#profile-table", offset=(3, 2))  # the header, home, then coffee
        await settle(pilot)
        assert highlighted_key(screen) == "coffee"
        assert "automatic: mnemo updates it as you chat" in detail(screen)
        assert f"I drink espresso every morning ({source})" in detail(screen)

        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditTextScreen)
        await pilot.press("ctrl+u", *"flat white", "enter")
        await settle(pilot)
        edited = profile.get("alice", ProfileSection.LIKES, "coffee")
        assert edited is not None
        assert (edited.value, edited.manual, edited.sources) == ("flat white", True, [source])
        assert rows(screen)[1][1:] == ["coffee", "flat white", "100%", "you"]
        assert "locked: your edit; mnemo will not change it — press l to let it" in detail(screen)

        # Chatting on: the extractor proposes another value, and the user's edit wins.
        assert (
            profile.apply_automatic("alice", ProfileSection.LIKES, "coffee", "latte", source="m1", confidence=1) is None
        )
        assert stored_value(assistant, ProfileSection.LIKES, "coffee") == "flat white"

        await pilot.press("l")
        await settle(pilot)
        unlocked = profile.get("alice", ProfileSection.LIKES, "coffee")
        assert unlocked is not None and (unlocked.value, unlocked.manual) == ("flat white", False)
        assert rows(screen)[1][4] == "auto"
        assert profile.apply_automatic("alice", ProfileSection.LIKES, "coffee", "latte", source="m1", confidence=1)
        assert stored_value(assistant, ProfileSection.LIKES, "coffee") == "latte"


async def test_undo_puts_back_an_edit_exactly(assistant: Assistant) -> None:
    profile = profile_of(assistant)
    profile.apply_automatic("alice", ProfileSection.PETS, "bo", "grey cat", source="m1", confidence=0.6)
    before = profile.get("alice", ProfileSection.PETS, "bo")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profile(pilot, assistant, "alice")
        await pilot.press("e", "ctrl+u", *"black cat", "enter")
        await settle(pilot)
        assert stored_value(assistant, ProfileSection.PETS, "bo") == "black cat"
        await pilot.press("u")
        await settle(pilot)
        assert profile.get("alice", ProfileSection.PETS, "bo") == before
        assert rows(screen) == [["Pets", "bo", "grey cat", "60%", "auto"]]


async def test_delete_then_undo_restores_the_same_entry(assistant: Assistant) -> None:
    source = remember(assistant, "alice", "My sister Ana lives in Porto")
    profile = profile_of(assistant)
    profile.apply_automatic(
        "alice", ProfileSection.PEOPLE, "ana", "sister, lives in Porto", source=source, confidence=0.8
    )
    profile.set("alice", ProfileSection.ANSWER_STYLE, "length", "short")
    original = profile.get("alice", ProfileSection.PEOPLE, "ana")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profile(pilot, assistant, "alice")
        assert highlighted_key(screen) == "ana"
        await pilot.press("d")
        await settle(pilot)
        assert profile.get("alice", ProfileSection.PEOPLE, "ana") is None
        assert [row[1] for row in rows(screen)] == ["length"]
        await pilot.press("u")
        await settle(pilot)
        assert profile.get("alice", ProfileSection.PEOPLE, "ana") == original  # sources, confidence, date and all
        assert [row[1] for row in rows(screen)] == ["ana", "length"]
        assert screen.highlighted() == original
        await pilot.press("u")  # nothing left to undo: nothing happens
        await settle(pilot)
        assert len(rows(screen)) == 2


async def test_add_an_entry_picking_its_section_with_lengths_checked(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profile(pilot, assistant, "alice")
        assert "Press a to add an entry" in str(screen.query_one("#profile-empty", Static).render())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PickSectionScreen)
        await pilot.press("down", "down", "down", "enter")  # Identity, Health, People, Pets
        await pilot.pause()
        assert isinstance(app.screen, EditTextScreen)
        await paste(pilot, "x" * 81)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditTextScreen)  # refused: a key is at most 80 characters
        assert "at most 80 characters" in str(app.screen.query_one("#edit-error", Static).render())
        await pilot.press("ctrl+u", *"Bo", "enter")
        await pilot.pause()
        await paste(pilot, "y" * 301)
        await pilot.press("enter")
        await pilot.pause()
        assert "at most 300 characters" in str(app.screen.query_one("#edit-error", Static).render())
        await pilot.press("ctrl+u", *"grey cat", "enter")
        await settle(pilot)
        assert app.screen is screen
        added = profile_of(assistant).get("alice", ProfileSection.PETS, "bo")
        assert added is not None and (added.value, added.manual) == ("grey cat", True)
        assert rows(screen) == [["Pets", "bo", "grey cat", "100%", "you"]]
        assert app.focused is screen.query_one(DataTable)  # the arrow keys move through the new rows
        assert "No supporting memories: you set it." in detail(screen)


async def test_each_user_sees_only_their_own_profile(assistant: Assistant) -> None:
    profile = profile_of(assistant)
    profile.set("alice", ProfileSection.IDENTITY, "name", "Alice")
    profile.set("alice", ProfileSection.LIKES, "music", "fado")
    profile.set("bob", ProfileSection.IDENTITY, "name", "Bob")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        alice = await open_profile(pilot, assistant, "alice")
        assert [row[2] for row in rows(alice)] == ["Alice", "fado"]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ChatScreen)
        bob = await open_profile(pilot, assistant, "bob")
        assert rows(bob) == [["Identity", "name", "Bob", "100%", "you"]]
        assert "Profile of bob" in str(bob.query_one("#profile-title", Static).render())


async def test_an_entry_gone_behind_the_screens_back_is_an_error_not_a_crash(assistant: Assistant) -> None:
    profile = profile_of(assistant)
    profile.set("alice", ProfileSection.LIKES, "tea", "green")
    profile.set("alice", ProfileSection.LIKES, "music", "fado")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_profile(pilot, assistant, "alice")
        profile.unset("alice", ProfileSection.LIKES, "music")  # e.g. another window of mnemo
        await pilot.press("d")
        await settle(pilot)
        assert app.screen is screen
        assert any("no longer in the profile" in notice.message for notice in app._notifications)
        assert [row[1] for row in rows(screen)] == ["tea"]  # reloaded from the store


def seed_fixed_profile(assistant: Assistant) -> None:
    """Entries and a supporting memory with fixed ids and dates, so the snapshot never changes."""
    system = assistant.memory.get()
    system.memories.add(Memory(id="m0000000000a1", user="alice", text="My name is Alice", said_at=FIXED_TIME))
    system.memories.add(
        Memory(id="m0000000000a2", user="alice", text="Ana is my sister, she lives in Porto", said_at=FIXED_TIME)
    )
    entries = [
        (ProfileSection.IDENTITY, "name", "Alice", 0.9, ["m0000000000a1"], False),
        (ProfileSection.IDENTITY, "home", "Lisbon", 1.0, [], True),
        (ProfileSection.PEOPLE, "ana", "sister, lives in Porto", 0.8, ["m0000000000a2"], False),
        (ProfileSection.LIKES, "coffee", "flat white, no sugar, and a pastel de nata on Sundays", 0.7, [], True),
        (ProfileSection.ANSWER_STYLE, "length", "short", 1.0, [], True),
    ]
    for section, key, value, confidence, sources, manual in entries:
        entry = system.profile.set("alice", section, key, value, sources=sources, confidence=confidence)
        system.profile.put(entry.model_copy(update={"manual": manual, "updated_at": FIXED_TIME}))


def test_profile_screen_at_80x24(snap_compare, assistant: Assistant) -> None:
    seed_fixed_profile(assistant)

    async def open_alices_profile(pilot: Pilot) -> None:
        await open_profile(pilot, assistant, "alice")
        await pilot.press("down")  # the name: an automatic entry with a supporting memory
        await steady(pilot)  # it lets the workers finish first, as settle does

    app = MnemoApp(assistant, user="alice")
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_alices_profile)
