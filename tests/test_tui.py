"""The chat app driven through Textual's Pilot with a scripted model."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Button

from assistant.factory import Assistant, build_assistant
from assistant.models import ModelError
from assistant.models.fake import FakeChatModel
from assistant.models.handle import ModelHandle
from assistant.settings import Settings
from tests.pilot_waits import settle
from tui.app import MnemoApp
from tui.screens.help import HelpScreen
from tui.widgets.memory_notice import MemoryNotice
from tui.widgets.message_view import MessageView
from tui.widgets.prompt_input import PromptInput
from tui.widgets.status_line import StatusLine

SIZE = (100, 30)


def bubbles(app: MnemoApp) -> list[tuple[str, str]]:
    return [(view.role, view.text) for view in app.screen.query(MessageView)]


async def type_and_send(pilot, text: str) -> None:
    pilot.app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")


async def test_typed_message_gets_a_streamed_reply(settings: Settings) -> None:
    model = FakeChatModel(lambda _: " ".join(f"word{i}" for i in range(12)), delay=0.04)
    app = MnemoApp(build_assistant(settings, model=model), user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press(*"hello")
        await pilot.press("enter")
        partial = ""
        # Wait for the first words however busy the machine is (the first message also opens the memory layer
        # and may load its embedder); then the reply itself takes 0.5 s.
        for _ in range(1000):
            await pilot.pause(0.03)
            partial = app.screen.query(MessageView).last().text
            if partial:
                break
        assert partial.startswith("word0") and "word11" not in partial  # arrived piece by piece
        await settle(pilot)
        assert bubbles(app) == [("user", "hello"), ("assistant", " ".join(f"word{i}" for i in range(12)))]
        assert app.screen.query_one(PromptInput).text == ""
        status = app.screen.query_one(StatusLine)
        assert status.user == "alice" and status.session_title == "hello" and status.tokens_per_s


async def test_escape_cancels_a_reply_in_flight_and_keeps_what_was_written(settings: Settings) -> None:
    model = FakeChatModel(lambda _: " ".join(f"w{i}" for i in range(50)), delay=0.05)
    assistant = build_assistant(settings, model=model)
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "long answer please")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await settle(pilot)
        reply = app.screen.query(MessageView).last()
        assert reply.has_class("cancelled")
        assert reply.text.startswith("w0") and "w49" not in reply.text
        session = app.chat.conversation.session.id
        stored = assistant.store.messages(session)
        assert [(m.role, m.status) for m in stored] == [("user", "complete"), ("assistant", "cancelled")]
        assert stored[-1].content == reply.text


async def test_ctrl_c_also_cancels(settings: Settings) -> None:
    model = FakeChatModel(lambda _: " ".join(["x"] * 60), delay=0.05)
    app = MnemoApp(build_assistant(settings, model=model), user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "go")
        await pilot.pause(0.2)
        await pilot.press("ctrl+c")
        await settle(pilot)
        assert app.screen.query(MessageView).last().has_class("cancelled")
        assert app.is_running


async def test_resume_an_old_session_from_the_sessions_list(assistant: Assistant) -> None:
    old = assistant.conversation("alice")
    list(old.send("remember the blue door"))
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        assert bubbles(app) == []  # a new chat on start
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("down", "down", "enter")  # skip "New chat" and the current empty chat
        await pilot.pause()
        assert bubbles(app) == [("user", "remember the blue door"), ("assistant", "You said: remember the blue door")]
        await type_and_send(pilot, "and then?")
        await settle(pilot)
        assert [m.content for m in assistant.store.messages(old.session.id)][-1] == "You said: and then?"


async def test_session_flag_opens_that_session(assistant: Assistant) -> None:
    old = assistant.conversation("alice")
    list(old.send("first words"))
    app = MnemoApp(assistant, user="alice", session_id=old.session.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert bubbles(app)[0] == ("user", "first words")


async def test_switch_user_shows_only_that_users_chats(assistant: Assistant) -> None:
    list(assistant.conversation("alice").send("alice's secret"))
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f3")
        await pilot.pause()
        await pilot.press(*"../bob", "enter")
        await pilot.pause()
        assert app.user == "alice"  # refused: path tricks are not user names
        await pilot.press(*["backspace"] * 6, *"bob", "enter")
        await pilot.pause()
        assert app.user == "bob"
        assert app.screen.query_one(StatusLine).user == "bob"
        await type_and_send(pilot, "hi from bob")
        await settle(pilot)
        sessions = assistant.store.list_sessions("bob")
        assert [s.title for s in sessions] == ["hi from bob"]
        await pilot.press("f2")
        await pilot.pause()
        text = str(app.screen.query_one("#session-list").render_lines)  # the list exists
        assert text
        labels = [str(o.prompt) for o in app.screen.query_one("#session-list").options]
        assert not any("alice's secret" in label for label in labels)


class GatedModelHandle(ModelHandle):
    """A model that takes as long to load as the test says."""

    def __init__(self, model: FakeChatModel, gate: threading.Event, error: str | None = None) -> None:
        super().__init__(Settings.model_construct().model, settings_cache := None, None)  # type: ignore[arg-type]
        del settings_cache
        self.label = "gated"
        self._ready = model
        self._gate = gate
        self._error = error

    def get(self, progress=None):  # type: ignore[override]
        self._gate.wait(10)
        if self._error:
            raise ModelError(self._error)
        self._model = self._ready
        return self._ready


async def test_message_sent_while_the_model_loads_waits_and_is_answered(assistant: Assistant) -> None:
    gate = threading.Event()
    assistant.model = GatedModelHandle(FakeChatModel(), gate)
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "early bird")
        await pilot.pause(0.1)
        assert app.screen.query_one(StatusLine).model_state == "loading"
        footer = app.screen.query(MessageView).last().query_one("#footer").render()
        assert "waiting for the model" in str(footer)
        gate.set()
        await settle(pilot)
        assert bubbles(app)[-1] == ("assistant", "You said: early bird")
        assert app.screen.query_one(StatusLine).model_state == "ready"


async def test_model_that_cannot_load_leaves_the_app_usable_and_the_text_kept(assistant: Assistant) -> None:
    gate = threading.Event()
    gate.set()
    assistant.model = GatedModelHandle(FakeChatModel(), gate, error="the 'default' model is not installed")
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(StatusLine).model_state == "unavailable"
        await type_and_send(pilot, "are you there?")
        await pilot.pause()
        assert app.screen.query_one(PromptInput).text == "are you there?"
        assert bubbles(app) == []


async def test_over_long_message_is_refused_and_given_back(settings: Settings) -> None:
    app = MnemoApp(build_assistant(settings, model=FakeChatModel(context_window=600)), user="alice")
    async with app.run_test(size=SIZE) as pilot:
        long_text = "word " * 800
        await type_and_send(pilot, long_text)
        await settle(pilot)
        assert bubbles(app) == []
        assert app.screen.query_one(PromptInput).text == long_text


async def test_generation_error_shows_in_the_chat_and_the_session_goes_on(settings: Settings) -> None:
    model = FakeChatModel(fail_after=1)
    app = MnemoApp(build_assistant(settings, model=model), user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "break please")
        await settle(pilot)
        reply = app.screen.query(MessageView).last()
        assert reply.has_class("error") and "failed on purpose" in reply.text
        model.fail_after = None
        await type_and_send(pilot, "better now")
        await settle(pilot)
        assert bubbles(app)[-1] == ("assistant", "You said: better now")


async def test_empty_message_is_ignored_and_multiline_input_works(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("space", "space", "enter")
        await settle(pilot)
        assert bubbles(app) == []
        await pilot.press(*"line", "ctrl+j", *"two", "enter")
        await settle(pilot)
        assert bubbles(app)[0] == ("user", "line\ntwo")


async def test_up_and_down_recall_sent_messages(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        for text in ("first", "second"):
            await type_and_send(pilot, text)
            await settle(pilot)
        prompt = app.screen.query_one(PromptInput)
        await pilot.press(*"draft")
        await pilot.press("up")
        assert prompt.text == "second"
        await pilot.press("up")
        assert prompt.text == "first"
        await pilot.press("down")
        assert prompt.text == "second"
        await pilot.press("down")
        assert prompt.text == "draft"
        await pilot.press("ctrl+n")  # a new chat still remembers what you typed before
        await pilot.pause()
        await pilot.press("up")
        assert app.screen.query_one(PromptInput).text == "second"


async def test_help_lists_every_chat_binding_and_new_chat_starts_fresh(assistant: Assistant) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "something")
        await settle(pilot)
        rows = dict((description, keys) for keys, description in app.binding_rows())
        for description in (
            "New chat",
            "Sessions",
            "Users",
            "Help",
            "Quit",
            "Send",
            "Command palette",
            "Cancel reply",
        ):
            assert description in rows
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.press("ctrl+n")
        await pilot.pause()
        assert bubbles(app) == []
        assert len(assistant.store.list_sessions("alice")) == 2


@pytest.mark.parametrize("command", ["New chat", "Sessions", "Switch user", "Help"])
async def test_command_palette_has_the_app_commands(assistant: Assistant, command: str) -> None:
    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert command in titles
        await pilot.press("ctrl+p")
        await pilot.press(*command.lower())
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)
        expected = {"New chat": "ChatScreen", "Sessions": "SessionsScreen", "Switch user": "SwitchUserScreen"}
        assert type(app.screen).__name__ == expected.get(command, "HelpScreen")


async def test_pasted_binary_text_is_cleaned_not_lost(assistant: Assistant) -> None:
    from textual import events

    app = MnemoApp(assistant, user="alice")
    async with app.run_test(size=SIZE) as pilot:
        prompt = app.screen.query_one(PromptInput)
        prompt.post_message(events.Paste("caf\u00e9\x00 \x1b[31mred\x07 \ud800end"))
        await pilot.pause()
        await pilot.press("enter")
        await settle(pilot)
        (role, text), _ = bubbles(app)
        assert role == "user" and text.startswith("café") and text.endswith("end") and "red" in text
        assert "\x00" not in text and "\x1b" not in text
        stored = assistant.store.messages(app.chat.conversation.session.id)[0].content
        assert stored == text


async def test_what_was_remembered_shows_under_the_reply_and_undo_takes_it_back(settings: Settings) -> None:
    assistant = build_assistant(settings, model=FakeChatModel())
    app = MnemoApp(assistant, user="sam")
    async with app.run_test(size=SIZE) as pilot:
        await type_and_send(pilot, "My dog Bo loves the beach.")
        await settle(pilot)
        notices = list(app.screen.query(MemoryNotice))
        assert notices and "Bo" in notices[0].text
        assert {button.id for button in notices[0].query(Button)} == {"accept", "edit", "undo"}
        assert [memory.text for memory in assistant.memory.get().memories.store.all("sam")]
        asked = len(assistant.model.get().received)  # none: mnemo answers news about the user itself
        assert bubbles(app)[1] == ("assistant", "Got it: I'll remember that your dog Bo loves the beach.")

        await type_and_send(pilot, "/undo")  # typing it works as well as the button
        await settle(pilot)
        assert "undone" in bubbles(app)[-1][1]
        assert notices[0].has_class("settled")
        assert assistant.memory.get().memories.store.all("sam") == []

        await type_and_send(pilot, "/remember I take the 8:15 train")
        await settle(pilot)
        assert "8:15 train" in bubbles(app)[-1][1]
        assert len(assistant.model.get().received) == asked  # commands never reach the model
    assistant.close()
