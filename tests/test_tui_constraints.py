"""The warning line: a constraint the message clashes with is shown under the reply, whatever the model wrote."""

from __future__ import annotations

import json

from assistant.ask import run_ask
from assistant.factory import build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import Settings
from tui.app import MnemoApp
from tui.widgets.message_view import MessageView
from tui.widgets.prompt_input import PromptInput

SIZE = (100, 30)
CARELESS = "Sure! Satay with peanut sauce is a great idea."


async def send(pilot, text: str) -> None:
    pilot.app.screen.query_one(PromptInput).insert(text)
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_allergy_warning_shows_under_a_reply_that_ignores_it(settings: Settings) -> None:
    app = MnemoApp(build_assistant(settings, model=FakeChatModel(lambda _: CARELESS)), user="marta")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "Hi! I'm Marta. I'm allergic to peanuts and my brother Pedro lives in Seville.")
        assert not app.screen.query("MessageView.warning")
        await send(pilot, "I'm thinking of ordering chicken satay with peanut sauce tonight. Good idea?")
        views = list(app.screen.query(MessageView))
        [warning] = [view for view in views if view.has_class("warning")]
        reply = views[views.index(warning) - 1]
        assert reply.role == "assistant" and reply.text == CARELESS  # right under the reply it warns about
        assert warning.text.startswith("⚠ You told me you're allergic to peanuts (")
        await send(pilot, "Can you help me write a cover letter?")
        assert len(app.screen.query("MessageView.warning")) == 1  # nothing to warn about there


async def test_the_reply_starts_with_the_apps_words_about_the_allergy_where_the_model_continues(
    settings: Settings,
) -> None:
    model = FakeChatModel(lambda _: "the satay. How about grilled chicken instead?", continues_replies=True)
    app = MnemoApp(build_assistant(settings, model=model), user="marta")
    async with app.run_test(size=SIZE) as pilot:
        await send(pilot, "I'm allergic to peanuts.")
        await send(pilot, "I'm thinking of ordering chicken satay tonight. Good idea?")
        views = list(app.screen.query(MessageView))
        [warning] = [view for view in views if view.has_class("warning")]
        reply = views[views.index(warning) - 1]
        assert reply.role == "assistant"
        assert reply.text == (
            "You told me you're allergic to peanuts, so I'd avoid the satay. How about grilled chicken instead?"
        )


def test_ask_prints_the_warning_and_lists_it_in_json(settings: Settings, capsys) -> None:
    for_ask = settings.model_copy(update={"model": settings.model.model_copy(update={"backend": "fake"})})
    assert run_ask(for_ask, "marta", None, "I'm allergic to peanuts.", as_json=False) == 0
    capsys.readouterr()
    assert run_ask(for_ask, "marta", None, "Any good satay recipes?", as_json=True) == 0
    result = json.loads(capsys.readouterr().out)
    assert [line.split(" (")[0] for line in result["warnings"]] == ["⚠ You told me you're allergic to peanuts"]
