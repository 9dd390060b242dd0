"""A message that only tells mnemo about the user gets the app's own "Got it: I'll remember that …"."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.acknowledgement import acknowledgement
from assistant.factory import Assistant, build_assistant
from assistant.models.fake import FakeChatModel
from assistant.settings import Settings
from memory.extraction_rules import RuleExtractor
from memory.extraction_text import tells_only

NOW = datetime(2026, 11, 20, 18, 0).astimezone()


def said_back(text: str) -> str:
    return acknowledgement(text, RuleExtractor().extract(text, NOW))


@pytest.mark.parametrize(
    ("message", "reply"),
    [
        ("My cousin Farid lives in Oslo.", "Got it: I'll remember that your cousin Farid lives in Oslo."),
        (
            "We finally got a dog! She's a rescue greyhound, her name is Bimba.",
            "Got it: I'll remember that you have a dog called Bimba.",
        ),
        (  # "Nothing with Nutella for you" does not read after "I'll remember that"
            "Oh, I should mention I'm allergic to hazelnuts, so nothing with Nutella for me.",
            "Got it: I'll remember that you're allergic to hazelnuts.",
        ),
        (
            "I'm Marta. I'm allergic to peanuts and my brother Pedro lives in Seville.",
            "Got it: I'll remember that your name is Marta, you're allergic to peanuts and your brother Pedro "
            "lives in Seville.",
        ),
    ],
)
def test_news_about_the_user_is_said_back_as_what_memory_will_keep(message: str, reply: str) -> None:
    assert said_back(message) == reply


@pytest.mark.parametrize(
    "message",
    [
        "My sister Noor lives in Leeds, what should I get her for her birthday?",  # asks
        "Can you remind me that my brother Pedro lives in Seville",  # a request
        "Ugh, my sister Noor is driving me nuts, she borrowed my car again.",  # venting, not news
        "My mum passed away last year.",  # wants a word of sympathy
        "Today I ran 10k in under an hour!",  # an event of the day
        "ok so... I'm pregnant!! 14 weeks today. we haven't told many people yet so shhh",  # big news wants joy
        "Pedro and Itziar just moved to Bilbao. no more Seville visits for me :(",
        "I love this song",  # nothing lasting about the user
        "lol",
    ],
)
def test_questions_requests_feelings_and_events_go_to_the_model(message: str) -> None:
    assert said_back(message) == ""


def test_a_statement_with_a_question_mark_anywhere_is_not_only_telling() -> None:
    assert tells_only("My sister lives in Rome.")
    assert not tells_only("My sister lives in Rome. Is it far from Naples?")


def test_the_app_replies_to_news_without_the_model_and_f4_says_so(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    conversation = assistant.conversation(assistant.settings.user)
    list(conversation.send("My cousin Farid lives in Oslo."))
    assert fake_model.calls == 0
    reply = conversation.last_reply
    assert reply.answered_by_app and reply.text == "Got it: I'll remember that your cousin Farid lives in Oslo."
    conversation.remember_last_turn()
    kept = conversation.reply_context(reply.assistant_message_id or 0)
    assert kept is not None and [part.reply for part in kept if part.source == "acknowledge"] == [reply.text]
    from tui.screens.why import explain

    assert "News about you" in explain(assistant, assistant.settings.user, kept, reply.text)
    list(conversation.send("Where does my cousin live?"))
    assert fake_model.calls == 1  # a question still goes to the model


def test_with_acknowledge_off_or_a_message_not_remembered_the_model_replies(tmp_path, fake_model) -> None:
    settings = Settings(data_dir=tmp_path / "data", memory={"acknowledge": False})
    off = build_assistant(settings, fake_model)
    try:
        list(off.conversation(settings.user).send("My cousin Farid lives in Oslo."))
        assert fake_model.calls == 1
    finally:
        off.close()
    on = build_assistant(Settings(data_dir=tmp_path / "data2"), fake_model)
    try:
        list(on.conversation(settings.user).send("My cousin Farid lives in Oslo.", remember=False))
        assert fake_model.calls == 2
    finally:
        on.close()


def test_when_the_preview_fails_the_model_replies_and_the_turn_goes_on(
    assistant: Assistant, fake_model: FakeChatModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> list:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(assistant.memory, "preview", broken)
    conversation = assistant.conversation(assistant.settings.user)
    list(conversation.send("My cousin Farid lives in Oslo."))
    assert conversation.last_reply.status != "error" and fake_model.calls == 1
