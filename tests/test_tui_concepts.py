"""The "your things" screen: concepts listed, renamed, photos added and removed, deleted (Pilot, real encoders)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Static

from assistant.factory import Assistant
from memory.concepts import ConceptStore
from tests.conftest import SHARED_DATA
from tests.pilot_waits import settle, steady
from tui.app import MnemoApp
from tui.screens.attach_file import AttachFileScreen
from tui.screens.concepts import ConceptsScreen, split_kind_and_description
from tui.screens.edit_text import EditTextScreen
from tui.screens.help import HelpScreen
from tui.widgets.concept_photos import ConceptTable, PhotoTile

BO = SHARED_DATA / "concepts" / "bo"
CUP = SHARED_DATA / "concepts" / "espresso_cup"
SIZE = (100, 30)
pytestmark = pytest.mark.skipif(not BO.is_dir(), reason="needs ../shared/data/concepts")


def concepts_of(assistant: Assistant) -> ConceptStore:
    return assistant.memory.get().concepts


@pytest.fixture
def bo(assistant: Assistant) -> None:
    assistant.concepts.register("alice", "Bo", [BO / "0.jpg", BO / "1.jpg"], kind="dog", description="a brown shiba")


async def open_concepts(app: MnemoApp, pilot, assistant: Assistant, user: str = "alice") -> ConceptsScreen:
    screen = ConceptsScreen(assistant, user)
    await app.push_screen(screen)
    await settle(pilot)
    return screen


def listed(screen: ConceptsScreen) -> list[list[str]]:
    table = screen.query_one(ConceptTable)
    return [[str(cell) for cell in table.get_row_at(row)] for row in range(table.row_count)]


async def test_lists_only_this_users_things_with_thumbnails(assistant: Assistant, bo: None) -> None:
    assistant.concepts.register("bob", "Mia", [SHARED_DATA / "concepts" / "my_cat" / "my_cat_1.jpg"], kind="cat")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concepts(app, pilot, assistant)
        assert listed(screen) == [["Bo", "dog", "2"]]
        assert "a brown shiba" in str(screen.query_one("#concept-description", Static).render())
        tiles = list(screen.query(PhotoTile))
        assert len(tiles) == 2 and all(tile.preview is not None and "▀" in tile.preview.plain for tile in tiles)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen) and ("x", "Remove photo") in app.screen.rows
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, ConceptsScreen)


async def test_rename_remove_a_photo_and_delete(assistant: Assistant, bo: None) -> None:
    store = concepts_of(assistant)
    first, _ = store.require("alice", "Bo").photos
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concepts(app, pilot, assistant)

        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, EditTextScreen)
        app.screen.query_one(Input).value = "Bobo"
        await pilot.press("enter")
        await settle(pilot)
        assert store.get("alice", "Bo") is None and store.require("alice", "Bobo").kind == "dog"
        assert listed(screen) == [["Bobo", "dog", "2"]]

        await pilot.press("right", "x")  # the second photo
        await settle(pilot)
        assert [photo.sha256 for photo in store.require("alice", "Bobo").photos] == [first.sha256]
        assert len(screen.query(PhotoTile)) == 1
        await pilot.press("x")  # the last photo stays: without one Bobo could not be recognised
        await settle(pilot)
        assert len(store.require("alice", "Bobo").photos) == 1

        await pilot.press("d")
        await settle(pilot)
        assert store.get("alice", "Bobo") is not None  # d once only asks
        await pilot.press("d")
        await settle(pilot)
        assert store.list("alice") == [] and listed(screen) == []
        assert "This is my dog Bo" in str(screen.query_one("#concept-heading", Static).render())


async def test_a_photo_is_clicked_and_added(assistant: Assistant, bo: None) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concepts(app, pilot, assistant)
        await pilot.click(list(screen.query(PhotoTile))[1])
        assert screen.selected_photo == 1
        screen.add_photos([BO / "2.jpg"])
        await settle(pilot)
        assert len(concepts_of(assistant).require("alice", "Bo").photos) == 3
        assert listed(screen) == [["Bo", "dog", "3"]] and len(screen.query(PhotoTile)) == 3
        assert not screen.query_one("#concept-progress").display and not screen.busy

        screen.add_photos([SHARED_DATA / "speech" / "jfk.flac"])  # not a photo: refused, nothing added
        await settle(pilot)
        assert len(concepts_of(assistant).require("alice", "Bo").photos) == 3
        assert any("jfk.flac" in notice.message for notice in app._notifications)


async def test_register_a_new_thing_through_the_dialogs(assistant: Assistant, bo: None) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concepts(app, pilot, assistant)
        await pilot.press("n")
        await pilot.pause()
        app.screen.query_one(Input).value = "bo"
        await pilot.press("enter")
        await pilot.pause()
        assert "already have something called bo" in str(app.screen.query_one("#edit-error", Static).render())
        app.screen.query_one(Input).value = "Cup"
        await pilot.press("enter")
        await pilot.pause()
        app.screen.query_one(Input).value = "espresso cup: the white one from Lisbon"
        await pilot.press("enter")
        await pilot.pause()
        for photo in ("espresso_cup_1.jpg", "espresso_cup_2.jpg"):
            assert isinstance(app.screen, AttachFileScreen)
            typed = app.screen.query_one(Input)
            typed.focus()
            typed.value = str(CUP / photo)
            await pilot.press("enter")
            await pilot.pause()
        await pilot.press("escape")  # done choosing
        await settle(pilot)
        cup = concepts_of(assistant).require("alice", "Cup")
        assert (cup.kind, cup.description, len(cup.photos)) == ("espresso cup", "the white one from Lisbon", 2)
        assert listed(screen) == [["Bo", "dog", "2"], ["Cup", "espresso cup", "2"]]
        assert screen.current is not None and screen.current.name == "Cup"


async def test_no_photo_no_concept_and_a_missing_file_shows_a_placeholder(assistant: Assistant, bo: None) -> None:
    Path(concepts_of(assistant).require("alice", "Bo").photos[0].path).unlink()
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=(60, 30)) as pilot:
        screen = await open_concepts(app, pilot, assistant)
        assert screen.has_class("-narrow")  # the list sits above the details
        assert screen.query_one(ConceptTable).region.bottom <= screen.query_one("#concept-detail").region.y
        first, second = screen.query(PhotoTile)
        assert first.preview is not None and "photo missing" in first.preview.plain
        assert second.preview is not None and "▀" in second.preview.plain

        screen.register_concept("Ghost", [])
        await settle(pilot)
        assert concepts_of(assistant).get("alice", "Ghost") is None


def test_kind_and_description_are_read_from_one_line() -> None:
    assert split_kind_and_description("dog: a brown shiba") == ("dog", "a brown shiba")
    assert split_kind_and_description("coffee mug") == ("coffee mug", "")
    assert split_kind_and_description("the bike I ride to work") == ("", "the bike I ride to work")


@pytest.fixture
def fixed_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Concepts registered "on 14 May 2025", shown in UTC, so the snapshot does not change with the date."""
    monkeypatch.setattr("memory.concepts._now", lambda: "2025-05-14T10:30:00+00:00")
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


def test_snapshot_of_the_concepts_screen(snap_compare, assistant: Assistant, fixed_clock: None) -> None:
    assistant.concepts.register("alice", "Bo", [BO / "0.jpg", BO / "1.jpg"], kind="dog", description="a brown shiba")
    assistant.concepts.register("alice", "Cup", [CUP / "espresso_cup_1.jpg"], kind="mug")
    app = MnemoApp(assistant, user="alice")

    async def open_screen(pilot) -> None:
        await app.push_screen(ConceptsScreen(assistant, "alice"))
        await steady(pilot)  # it lets the workers finish first, as settle does

    assert snap_compare(app, terminal_size=(80, 24), run_before=open_screen)
