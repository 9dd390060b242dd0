"""A turn always finishes: with the Chroma server stopped mid-session the message is kept, a notice says why,
the reply still comes, later messages flow, and memory catches up once the server is back."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from assistant.factory import Assistant, build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import load_settings
from assistant.turn import TurnOutcome, run_turn
from tests.conftest import ChromaServer
from tests.test_cli import run_mnemo


@pytest.fixture
def on_server(stoppable_chroma_server: ChromaServer) -> Iterator[Assistant]:
    settings = load_settings(model={"backend": "fake"}, memory={"chroma_url": stoppable_chroma_server.url})
    built = build_assistant(settings, model=FakeChatModel())
    yield built
    built.close()


def active_texts(assistant: Assistant, user: str) -> list[str]:
    return [memory.text for memory in assistant.memory.get().memories.store.all(user)]


def test_chroma_stopped_mid_chat_keeps_the_message_says_why_and_catches_up_later(
    on_server: Assistant, stoppable_chroma_server: ChromaServer
) -> None:
    conversation = on_server.conversation("marta")
    first = run_turn(conversation, "My sister Ana lives in Rome. I'm allergic to peanuts.")
    assert first.outcome == TurnOutcome.FINISHED and not first.notices
    assert any("Rome" in text for text in active_texts(on_server, "marta"))

    stoppable_chroma_server.stop()
    down = run_turn(conversation, "My brother Leo lives in Oslo.")
    assert down.outcome == TurnOutcome.FINISHED
    assert down.reply.text == "You said: My brother Leo lives in Oslo."
    expected = f"the Chroma server at {stoppable_chroma_server.url} is not reachable"
    assert down.reply.unavailable == [f"⚠ memory unavailable: {expected}"]
    assert down.memory_error == expected
    assert any("memory not updated" in notice for notice in down.notices)
    history = [message.content for message in conversation.history()]
    assert "My brother Leo lives in Oslo." in history
    backlog = on_server.store.memory_backlog("marta")
    assert [message.content for message, _ in backlog] == ["My brother Leo lives in Oslo."]  # kept to learn later

    later = run_turn(conversation, "And one more thing.")  # the queue never stalls
    assert later.outcome == TurnOutcome.FINISHED and later.reply.text == "You said: And one more thing."
    # The profile and the constraints are local: without Chroma the allergy is still warned about.
    satay = run_turn(conversation, "Chicken satay with peanut sauce tonight, good idea?")
    assert [notice.split(" (")[0] for notice in satay.reply.notices] == ["⚠ You told me you're allergic to peanuts"]
    assert any(part.title.startswith("About the person") for part in satay.reply.prompt_parts)

    stoppable_chroma_server.start()
    back = run_turn(conversation, "Thanks!")
    assert back.outcome == TurnOutcome.FINISHED and not back.reply.unavailable and not back.memory_error
    assert any("Oslo" in text for text in active_texts(on_server, "marta"))
    assert on_server.store.memory_backlog("marta") == []
    asked = run_turn(on_server.conversation("marta", on_server.store.create_session("marta").id), "Where is Leo?")
    recalled = " ".join(part.text for part in asked.reply.prompt_parts if part.source == "memory")
    assert "Oslo" in recalled


def test_a_failing_provider_never_costs_the_reply_and_skips_the_not_in_memory_guess(assistant: Assistant) -> None:
    class Broken:
        name = "memory"

        def parts(self, request: object) -> list[object]:
            raise RuntimeError("disk on fire")

    assistant.prompt_builder.add_provider(Broken())
    turn = run_turn(assistant.conversation("alice"), "What's my mother's name?")
    assert turn.outcome == TurnOutcome.FINISHED
    assert turn.reply.unavailable == ["⚠ memory unavailable: RuntimeError: disk on fire"]
    assert not turn.reply.answered_by_app  # "I don't know yet" would be a guess while memory is missing
    assert turn.reply.text == "You said: What's my mother's name?"


def test_refused_turns_store_nothing_and_say_why(settings: object) -> None:
    built = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel(context_window=600))
    conversation = built.conversation("alice")
    empty = run_turn(conversation, " \x07 ")
    too_long = run_turn(conversation, "word " * 1000)
    assert empty.outcome == too_long.outcome == TurnOutcome.REFUSED
    assert empty.reason == "" and "too long" in too_long.reason
    assert conversation.history() == []
    built.close()


def test_a_model_failure_mid_reply_keeps_the_message_and_ends_failed(settings: object) -> None:
    def explode(_: str) -> str:
        raise RuntimeError("out of memory")

    built = build_assistant(load_settings(model={"backend": "fake"}), model=FakeChatModel(explode))
    conversation = built.conversation("alice")
    turn = run_turn(conversation, "My cat is called Miso, what should I feed her?")  # news alone: the app replies
    assert turn.outcome == TurnOutcome.FAILED and "out of memory" in turn.reason
    assert [message.role for message in conversation.history()] == ["user", "assistant"]
    assert any("Miso" in text for text in active_texts(built, "alice"))  # memory still learns from the message
    built.close()


def test_ask_with_the_chroma_server_down_replies_keeps_the_message_and_says_why(
    stoppable_chroma_server: ChromaServer,
) -> None:
    env = {"MNEMO_MODEL__BACKEND": "fake", "MNEMO_MEMORY__CHROMA_URL": stoppable_chroma_server.url}
    stoppable_chroma_server.stop()
    result = run_mnemo("ask", "My sister lives in Rome.", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "You said: My sister lives in Rome."
    assert f"the Chroma server at {stoppable_chroma_server.url} is not reachable" in result.stderr
    as_json = json.loads(run_mnemo("ask", "--json", "Still there?", **env).stdout)
    assert as_json["reply"] == "You said: Still there?"
    assert "not reachable" in as_json["unavailable"][0] and "not reachable" in as_json["memory_error"]
    listed = json.loads(run_mnemo("sessions", "--json", **env).stdout)
    assert sum(session["message_count"] for session in listed) == 4


async def test_the_chat_goes_on_when_the_chroma_server_stops_mid_session(
    on_server: Assistant, stoppable_chroma_server: ChromaServer
) -> None:
    from tests.test_tui_constraints import SIZE, send
    from tui.app import MnemoApp
    from tui.widgets.message_view import MessageView

    app = MnemoApp(on_server, user="marta")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "My sister Ana lives in Rome.")
        assert not app.screen.query("MessageView.error")
        stoppable_chroma_server.stop()
        await send(pilot, "My brother Leo lives in Oslo.")
        await send(pilot, "Are you still there?")
        views = list(app.screen.query(MessageView))
        replies = [view.text for view in views if view.role == "assistant"]
        assert replies[-2:] == ["You said: My brother Leo lives in Oslo.", "You said: Are you still there?"]
        users = [view.text for view in views if view.role == "user"]
        assert users[-2:] == ["My brother Leo lives in Oslo.", "Are you still there?"]
        troubles = [view for view in views if view.has_class("error")]
        assert troubles and "is not reachable" in troubles[0].text
        assert views.index(troubles[0]) > views.index(next(v for v in views if v.text == replies[-2]))
        assert not app.screen._queue and app.screen._current is None
    waiting = [message.content for message, _ in on_server.store.memory_backlog("marta")]
    assert waiting == ["My brother Leo lives in Oslo.", "Are you still there?"]  # kept, to be remembered later


def test_a_history_that_cannot_store_refuses_the_turn_with_the_reason(assistant: Assistant, monkeypatch) -> None:
    import sqlite3

    def broken(*args: object, **kwargs: object) -> int:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(assistant.store, "add_message", broken)
    turn = run_turn(assistant.conversation("alice"), "Hello there")
    assert turn.outcome == TurnOutcome.REFUSED and turn.reason == "Could not store the message: disk I/O error"
