"""Attachments in the chat app (Pilot, scripted model, real encoders on real files)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from assistant.factory import Assistant
from assistant.models.fake import FakeChatModel
from tests.conftest import SHARED_DATA
from tests.pilot_waits import settle
from tui.app import MnemoApp
from tui.screens.attach_file import AttachFileScreen
from tui.widgets.attachment_bar import AttachmentBar, AttachmentChip
from tui.widgets.image_preview import ImagePreview, render_preview
from tui.widgets.message_view import MessageView
from tui.widgets.prompt_input import PromptInput, complete_path, pasted_paths

IMAGES = SHARED_DATA / "images"
SPEECH = SHARED_DATA / "speech"
SIZE = (100, 30)
pytestmark = pytest.mark.skipif(not IMAGES.is_dir(), reason="needs ../shared/data")


async def type_and_send(pilot, text: str) -> None:
    pilot.app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")


async def test_attach_a_photo_and_ask_what_it_is(assistant: Assistant, fake_model: FakeChatModel) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, f"/attach {IMAGES / 'chelsea.png'}")
        await settle(pilot)
        bar = app.screen.query_one(AttachmentBar)
        assert [prepared.name for prepared in bar.ready()] == ["chelsea.png"]
        assert "ready" in bar.query_one(AttachmentChip).classes
        await type_and_send(pilot, "what is this?")
        await settle(pilot)
        assert "tabby cat" in fake_model.received[-1][-1].content  # the tool report reached the model
        user_view = app.screen.query(MessageView).filter(".user").first()
        assert user_view.attachments[0][0] == "🖼 chelsea.png" and user_view.query(ImagePreview)
        assert not bar.jobs and not bar.display  # the chips went with the message


async def test_a_bad_path_is_refused_and_given_back(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "/attach /nowhere/cat.png")
        await pilot.pause()
        assert app.screen.query_one(PromptInput).text == "/attach /nowhere/cat.png"
        assert not app.screen.query_one(AttachmentBar).jobs


async def test_a_voice_note_transcript_lands_in_the_input_to_edit(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.attach(SPEECH / "jfk.flac")
        await settle(pilot)
        text = app.screen.query_one(PromptInput).text.lower()
        assert "ask not what your country can do for you" in text
        chip = app.screen.query_one(AttachmentChip)
        await pilot.click(chip.query_one("RemoveButton"))  # ✕ removes it
        await pilot.pause()
        assert not app.screen.query_one(AttachmentBar).jobs


async def test_ctrl_o_opens_the_file_picker(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert isinstance(app.screen, AttachFileScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AttachFileScreen)


async def test_a_pasted_path_attaches_instead_of_being_typed(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.screen.query_one(PromptInput)
        prompt.focus()
        await prompt._on_paste(events.Paste(f"'{IMAGES / 'coffee.png'}'"))
        await settle(pilot)
        assert prompt.text == "" and [p.name for p in app.screen.query_one(AttachmentBar).ready()] == ["coffee.png"]


def test_paths_in_a_paste_and_tab_completion(tmp_path: Path) -> None:
    (tmp_path / "my photos").mkdir()
    photo = tmp_path / "my photos" / "bo at the beach.jpg"
    photo.write_bytes(b"x")
    assert pasted_paths(str(photo).replace(" ", "\\ ")) == [photo]
    assert pasted_paths(f"file://{photo}") == []  # URL-encoded paths need unquoting; plain text stays text
    assert pasted_paths("just some words.jpg") == []
    completed, _ = complete_path(str(tmp_path / "my"))
    assert completed == str(tmp_path / "my photos") + "/"
    completed, choices = complete_path(str(tmp_path / "my photos" / "b"))
    assert completed == str(photo) and choices == ["bo at the beach.jpg"]


def test_preview_keeps_the_photo_shape() -> None:
    preview = render_preview(IMAGES / "chelsea.png", columns=24, rows=8)
    lines = preview.plain.split("\n")
    assert 1 < len(lines) <= 8 and all(len(line) <= 24 for line in lines)


async def test_show_me_the_photo_brings_back_the_remembered_photo(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        app.screen.attach(IMAGES / "coffee.png")
        await settle(pilot)
        await type_and_send(pilot, "my espresso this morning at the corner cafe")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await type_and_send(pilot, "show me the photo of my espresso")
        await settle(pilot)
        notices = [view for view in app.screen.query(MessageView) if "photos from memory" in view._header]
        assert notices and notices[0].attachments[0][0] == "🖼 coffee.png"
