"""The answer style kept by the app on the reply (no emojis, metric units) and the reply's first words for it."""

from __future__ import annotations

import random

import pytest

from assistant.factory import Assistant
from assistant.models.fake import FakeChatModel
from assistant.reply_rules import METRIC, NO_EMOJIS, NO_EXCLAMATION, ReplyRewriter, in_metric, without_emojis
from tests.test_memory_notes import say


def streamed(rewriter: ReplyRewriter, reply: str, chance: random.Random, longest: int) -> str:
    """What the user sees of ``reply`` fed to ``rewriter`` in random pieces of 1 to ``longest`` characters."""
    shown, start = [], 0
    while start < len(reply) and not rewriter.done:
        end = start + chance.randint(1, longest)
        shown.append(rewriter.feed(reply[start:end]))
        start = end
    return "".join(shown) + rewriter.finish()


@pytest.mark.parametrize(
    ("said", "metric"),
    [
        ("Roast it at 425°F for 90 minutes.", "Roast it at 220°C for 90 minutes."),
        ("Preheat the oven to 350 degrees Fahrenheit.", "Preheat the oven to 175°C."),
        ("Bake at 375 F, then rest.", "Bake at 190°C, then rest."),
        ("between 350 and 375°F", "between 175 and 190°C"),
        ("It's about 80 miles, 60 mph most of the way.", "It's about 130 km, 97 km/h most of the way."),
        ("a 5 lb bag and 8 oz of butter", "a 2.3 kg bag and 225 g of butter"),
        ("6 feet tall, 2-3 inches deep, 500 square feet", "1.8 m tall, 5.1-7.6 cm deep, 46 m²"),
        ("Keep it at 200°C.", "Keep it at 200°C."),
        ("Preheat to 375°F (190°C), or 400 degrees F (about 200 °C).", "Preheat to 190°C, or 205°C."),  # not twice
        ("Buy 3 eggs (about 150 g) too.", "Buy 3 eggs (about 150 g) too."),
        ("It costs 5 pounds.", "It costs 5 pounds."),  # money as often as weight: left alone
        ("Set F to 3 and read chapter 12.", "Set F to 3 and read chapter 12."),
    ],
)
def test_imperial_measures_are_written_in_metric(said: str, metric: str) -> None:
    assert in_metric(said) == metric


@pytest.mark.parametrize(
    ("said", "kept"),
    [
        ("🎉 Great idea! Let's go 🚗.", "Great idea! Let's go."),
        ("- 🎨 Painting\n- 📚 Reading ✨✨", "- Painting\n- Reading"),
        ("Here 😊 it is", "Here it is"),
        ("I ❤️ it", "I it"),
    ],
)
def test_emojis_go_and_the_spacing_stays_natural(said: str, kept: str) -> None:
    assert without_emojis(said) == kept


def test_a_streamed_reply_comes_out_as_the_whole_one_would_however_it_is_cut() -> None:
    reply = (
        "🎉 Great! Roast it at 425°F for 1.5 hours, or between 350 and 375 degrees Fahrenheit. It's 80 miles away"
        " 🚗, about 60 mph.\n- 🎨 Painting\n✨ Shiny\n```\nx = 1!  # 🎉 stays in code\n```\nDone!"
    )
    rules = (METRIC, NO_EMOJIS, NO_EXCLAMATION)
    whole = ReplyRewriter(rules).rewrite(reply)
    assert whole == (
        "Great. Roast it at 220°C for 1.5 hours, or between 175 and 190°C. It's 130 km away, about 97 km/h.\n"
        "- Painting\nShiny\n```\nx = 1!  # 🎉 stays in code\n```\nDone."
    )
    chance = random.Random(7)
    for _ in range(100):
        assert streamed(ReplyRewriter(rules), reply, chance, 6) == whole


def test_a_measure_given_both_ways_is_given_once_however_the_reply_is_cut() -> None:
    reply = "Preheat your oven to 375°F (190°C) and roast. Or 400 degrees Fahrenheit (about 200 °C). Done."
    once = "Preheat your oven to 190°C and roast. Or 205°C. Done."
    chance = random.Random(11)
    for _ in range(200):
        assert streamed(ReplyRewriter([METRIC]), reply, chance, 5) == once


def test_without_rules_every_piece_passes_at_once() -> None:
    rewriter = ReplyRewriter(())
    assert rewriter.feed("It's 80") == "It's 80" and rewriter.feed(" miles 🎉!") == " miles 🎉!"
    assert rewriter.finish() == ""


def test_the_user_sees_their_style_whatever_the_model_wrote(assistant: Assistant, fake_model: FakeChatModel) -> None:
    say(assistant, "one request: no emojis in your answers please, and metric units please.")
    fake_model.script = lambda messages: "Roast it at 425°F for about 90 minutes 🍗🎉"
    conversation = say(assistant, "How long should I roast a chicken for?", new_chat=True)
    reply = conversation.last_reply
    assert reply.text == "Roast it at 220°C for about 90 minutes"
    assert reply.model_text == "Roast it at 425°F for about 90 minutes 🍗🎉"  # the model's own words, kept apart
    assert conversation.history()[-1].content == reply.text  # the reply as the user saw it
    kept = conversation.reply_context(reply.assistant_message_id or 0)
    assert kept is not None and [part.rules for part in kept if part.rules] == [(NO_EMOJIS, METRIC)]
    from tui.screens.why import explain

    said = explain(assistant, "me", kept, reply.text)  # F4 says what the app did to the model's words
    assert "mnemo kept these on the reply itself, whatever the model wrote: no emojis, metric units." in said


def test_a_request_opens_in_the_users_language_and_a_question_of_fact_does_not(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    fake_model.continues_replies = True
    fake_model.script = lambda messages: "aquí tienes algunas ideas."
    say(assistant, "My dog is called Bimba. Please always answer in Spanish.")
    conversation = say(assistant, "what should I see in Lisbon in two days?", new_chat=True)
    *_, opening = fake_model.received[-1]
    assert (opening.role, opening.content) == ("assistant", "Claro,")
    assert conversation.last_reply.text == "Claro, aquí tienes algunas ideas."
    list(conversation.send("what's my dog's name?"))
    assert fake_model.received[-1][-1].role == "user" and conversation.last_reply.opening == ""


def test_a_warning_opens_the_reply_before_the_answer_style(assistant: Assistant, fake_model: FakeChatModel) -> None:
    fake_model.continues_replies = True
    say(assistant, "I'm allergic to peanuts. Call me Doc, everyone does.")
    conversation = say(assistant, "Thinking of chicken satay tonight. Good idea?", new_chat=True)
    assert conversation.last_reply.opening.startswith("You told me you're allergic to peanuts")
    list(conversation.send("recommend me a good book for a winter evening"))
    assert conversation.last_reply.opening == "Doc,"


def test_bullet_points_open_on_a_bullet(assistant: Assistant, fake_model: FakeChatModel) -> None:
    fake_model.continues_replies = True
    fake_model.script = lambda messages: "A picnic\n- A quiz"
    say(assistant, "I like answers in bullet points, please.")
    conversation = say(assistant, "give me some ideas for an end of term party", new_chat=True)
    assert conversation.last_reply.text == "Sure:\n\n- A picnic\n- A quiz"


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("short", "at most 60 words"),
        ("at most 50 words", "at most 50 words"),
        ("one sentence", "at most 1 sentence"),
        ("2-3 sentences", "at most 3 sentences"),
        ("detailed", None),
    ],
)
def test_a_length_the_user_asked_for_is_a_rule(value: str, rule: str | None) -> None:
    from assistant.reply_rules import reply_rules
    from memory.profile import ProfileEntry, ProfileSection

    entry = ProfileEntry(user="me", section=ProfileSection.ANSWER_STYLE, key="length", value=value)
    assert reply_rules([entry]) == ((rule,) if rule else ())


SKY = (
    "The sky looks blue because sunlight is scattered by the air. Blue light has a shorter wavelength, so it scatters"
    " more than red light does (e.g. by nitrogen). That blue light reaches your eyes from every direction of the sky."
    " At sunset the light travels further and the blues are scattered away, so you see reds and oranges instead."
)


@pytest.mark.parametrize(
    ("rule", "words"),
    [("at most 1 sentence", 11), ("at most 2 sentences", 28), ("at most 30 words", 28), ("at most 45 words", 40)],
)
def test_the_reply_ends_at_the_sentence_that_reaches_the_length(rule: str, words: int) -> None:
    chance = random.Random(3)
    for _ in range(30):
        rewriter = ReplyRewriter([rule])
        reply = streamed(rewriter, SKY, chance, 6)
        assert rewriter.done and len(reply.split()) == words and reply.endswith(".")


def test_one_long_sentence_is_cut_at_the_word_limit() -> None:
    assert (
        ReplyRewriter(["at most 10 words"]).rewrite(SKY) == "The sky looks blue because sunlight is scattered by the…"
    )


def test_the_model_stops_once_the_reply_is_as_long_as_the_user_wants(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "Answer me in one sentence, I mean it.")
    fake_model.script = lambda messages: SKY
    conversation = say(assistant, "why is the sky blue?", new_chat=True)
    assert conversation.last_reply.text == "The sky looks blue because sunlight is scattered by the air."
    assert conversation.last_reply.status == "complete"


def test_a_list_becomes_sentences_for_a_user_who_wants_no_lists() -> None:
    from assistant.reply_rules import NO_LISTS

    reply = "Here are some tips:\n\n1. **Sleep**: go to bed early\n2. Drink water.\n- Walk daily\n\nThat's all."
    whole = "Here are some tips: **Sleep**: go to bed early. Drink water. Walk daily\n\nThat's all."
    chance = random.Random(5)
    for _ in range(50):
        assert streamed(ReplyRewriter([NO_LISTS]), reply, chance, 5) == whole
    assert ReplyRewriter([NO_LISTS]).rewrite("Line one\nLine two\n\n3.5 is a number") == (
        "Line one\nLine two\n\n3.5 is a number"  # lines that are not items stay as they are
    )


def test_stop_with_the_lists_reaches_the_reply(assistant: Assistant, fake_model: FakeChatModel) -> None:
    say(assistant, "can you stop with the bullet lists? just talk to me normally")
    fake_model.script = lambda messages: "Try these:\n- a walk\n- a nap"
    conversation = say(assistant, "any ideas for a lazy sunday?", new_chat=True)
    assert conversation.last_reply.text == "Try these: a walk. A nap"
