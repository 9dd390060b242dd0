"""What memory adds to a turn: recalled memories and notes beside the message, a stable system prompt above."""

from __future__ import annotations

import pytest

from assistant.factory import Assistant
from assistant.models.fake import FakeChatModel
from assistant.unknown_notes import unknown_topic


def say(assistant: Assistant, text: str, *, new_chat: bool = False) -> None:
    user = assistant.settings.user
    session_id = assistant.store.create_session(user).id if new_chat else None
    conversation = assistant.conversation(user, session_id)
    list(conversation.send(text))
    conversation.remember_last_turn()
    return conversation


def test_the_allergy_is_noted_beside_the_question_and_shown_under_the_reply(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "Hi! I'm Marta. I'm allergic to peanuts and my brother Pedro lives in Seville.")
    conversation = say(
        assistant, "I'm thinking of ordering chicken satay with peanut sauce tonight. Good idea?", new_chat=True
    )
    system, *_, message = fake_model.received[-1]
    assert message.content.index("I'm allergic to peanuts") < message.content.index("chicken satay")
    assert "(Important: I'm allergic to peanuts." in message.content.split("chicken satay")[1]
    assert "Health and diet: allergic to peanuts" in system.content
    assert conversation.last_reply.notices == [
        f"⚠ You told me you're allergic to peanuts ({conversation.last_reply.said_at:%-d %b})"
    ]
    kept = conversation.reply_context(conversation.last_reply.assistant_message_id or 0)
    assert kept is not None and [part.notices for part in kept if part.source == "constraint"] == [
        tuple(conversation.last_reply.notices)
    ]


def test_a_model_that_continues_replies_starts_from_the_apps_words_about_the_allergy(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    fake_model.continues_replies = True
    fake_model.script = lambda messages: "the peanut sauce."
    say(assistant, "Hi! I'm Marta. I'm allergic to peanuts and my brother Pedro lives in Seville.")
    conversation = say(assistant, "Thinking of chicken satay tonight. Good idea?", new_chat=True)
    *_, message, opening = fake_model.received[-1]
    assert message.role == "user" and "(Important: I'm allergic to peanuts." in message.content
    assert (opening.role, opening.content) == ("assistant", "You told me you're allergic to peanuts, so I'd avoid")
    reply = conversation.last_reply
    assert reply.text == "You told me you're allergic to peanuts, so I'd avoid the peanut sauce."
    assert reply.opening == opening.content and reply.notices  # the warning line still shows
    assert conversation.history()[-1].content == reply.text  # the reply as the user saw it
    kept = conversation.reply_context(reply.assistant_message_id or 0)
    assert kept is not None and [part.opening for part in kept if part.opening] == [opening.content]
    from tui.screens.why import explain

    assert "The reply's first words are mnemo's" in explain(assistant, "me", kept, reply.text)  # F4 says so
    list(conversation.send("Where does my brother live?"))  # nothing bears on it: the model starts the reply
    assert fake_model.received[-1][-1].role == "user" and conversation.last_reply.opening == ""


def test_only_an_assistant_message_after_the_users_is_an_opening() -> None:
    from assistant.models.base import ChatMessage, reply_opening

    user, opening = ChatMessage("user", "Satay tonight?"), ChatMessage("assistant", "You told me, so")
    assert reply_opening([user, opening]) == ([user], "You told me, so")
    assert reply_opening([opening]) == ([opening], "")  # a reply counted on its own
    assert reply_opening([user]) == ([user], "")


def test_no_opening_goes_to_a_model_that_cannot_continue_a_reply(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "I'm allergic to peanuts.")
    conversation = say(assistant, "Thinking of chicken satay tonight. Good idea?", new_chat=True)
    assert fake_model.received[-1][-1].role == "user"
    assert conversation.last_reply.opening == "" and conversation.last_reply.text.startswith("You said:")
    assert conversation.last_reply.notices  # the warning line is the app's, on every backend


def test_the_prompt_speaks_to_the_user_and_never_names_their_user_id(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "I'm Marta and my sister Ana lives in Lisbon.")
    say(assistant, "Where does my sister live?", new_chat=True)
    prompt = "\n".join(message.content for message in fake_model.received[-1])
    assert "What I told you in earlier chats" in prompt and "- My sister Ana lives in Lisbon" in prompt
    assert "Name: Marta" in prompt
    assert assistant.settings.user == "me" and not any(
        phrase in prompt for phrase in ("What me told", "me's", "talking with me")
    )


def test_the_next_turn_starts_with_the_last_prompt_unchanged_so_the_model_reuses_its_cache(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "My sister Ana lives in Lisbon. I love green tea.")
    chat = say(assistant, "Where does Ana live?", new_chat=True)
    first = fake_model.received[-1]
    list(chat.send("What do I like to drink?"))
    second = fake_model.received[-1]
    assert [m.content for m in second[: len(first)]] == [m.content for m in first]  # system and earlier turn as sent
    assert "Lisbon" in second[1].content and second[1].content.endswith("Where does Ana live?")
    assert second[2].role == "assistant" and "green tea" in second[-1].content
    again = assistant.conversation(chat.user, chat.session.id)  # reopened later: the same prompt comes back
    list(again.send("And where does she live?"))
    assert [m.content for m in fake_model.received[-1][: len(second)]] == [m.content for m in second]


def test_a_question_about_something_never_told_is_answered_by_the_app_without_inventing(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "My brother Pedro lives in Seville.")
    calls = fake_model.calls
    conversation = say(assistant, "What's my mother's name?", new_chat=True)
    assert fake_model.calls == calls  # the model, which would invent a name, is not asked
    assert conversation.last_reply.answered_by_app and conversation.last_reply.decode_tokens_per_s is None
    assert conversation.last_reply.text == (
        "I don't know your mother's name yet: you haven't told me. If you tell me, I'll remember it."
    )
    [note] = [part for part in conversation.last_reply.prompt_parts if part.source == "unknown"]
    assert note.text.startswith("(You don't know my mother's name: I haven't told you yet.")
    say(assistant, "Where does my brother live?", new_chat=True)
    assert "You don't know" not in fake_model.received[-1][-1].content


def test_a_name_memory_never_gave_is_noted_even_when_memory_speaks_of_the_person(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "My mum loves gardening.")  # she is spoken of, but never named: a small model invents a name
    calls = fake_model.calls
    conversation = say(assistant, "What's my mother's name?", new_chat=True)
    assert fake_model.calls == calls + 1  # mum was mentioned, so the app is not sure enough to answer itself
    [note] = [part for part in conversation.last_reply.prompt_parts if part.source == "unknown"]
    assert note.text.startswith("(You don't know my mother's name")
    say(assistant, "My mum Rosa has taken up pottery.")
    conversation = say(assistant, "What's my mum called again?", new_chat=True)
    assert not [part for part in conversation.last_reply.prompt_parts if part.source == "unknown"]


@pytest.mark.parametrize(
    ("question", "known", "topic"),
    [
        ("What's my mother's name?", ["People: Pedro (brother, lives in Seville)."], "mother's name"),
        ("what car do I drive?", ["I love green tea", "I drive trams in Wroclaw"], ""),
        ("What do I like to drink?", ["I love green tea"], None),
        ("What's my mum called?", ["My mother is called Rosa"], None),
        ("remind me, what's my dog's name?", ["Pets: Bimba (dog)."], None),
        ("What should I cook for dinner tonight?", [], None),
        ("What is the capital of France?", [], None),
        ("Can you recommend a podcast for my commute?", [], None),
        ("what's my mom's first name?", ["My mum loves gardening"], "mom's first name"),
        ("what's my mom's first name?", ["People: Rosa (mother)."], None),
        ("what are my kids called?", ["People: Lena (daughter), Max (son)."], None),
        ("what's the name of my big band?", ["I play trombone in a big band"], "big band's name"),
        ("what's my last name?", ["Name: Ruth."], "last name"),
        ("what's my last name?", ["My name is Ruth Kelly"], None),
        ("how old am I?", ["I work as a nurse"], "age"),
        ("what was Maureen's maiden name?", ["People: Maureen (wife)."], ""),
        ("how old is Malik?", ["- my husband Malik is a sous-chef (1 Sep 2026)"], ""),
        ("how old is Malik?", ["- my husband Malik turned 40 (1 Sep 2026)"], None),
        ("What was Gandhi's last name?", ["People: Maureen (wife)."], None),
        (
            "what's the name of the school I work at?",
            ["- I teach at a school (3 Sep 2026)\n- My name is Ana (3 Sep 2026)"],
            "",
        ),
        ("what's our cat called?", ["- we adopted a cat! (2 Oct 2026)\n- we named her Miso (2 Oct 2026)"], None),
        (
            "what's our cat called?",
            ["- we adopted a cat! (2 Oct 2026)\n- a girl called Miso (9 Oct 2026)"],
            "cat's name",
        ),
        (
            "what's my dog's name?",
            ["- she's a shy whippet, her name is Pip (3 Sep 2026)\n- we got a dog!! (3 Sep 2026)"],
            None,
        ),
        (
            "what's my mum's first name?",
            ["- back from visiting my mum! my brother is called Ravi (3 Sep 2026)"],
            "mum's first name",
        ),
        ("what's my husband's name?", ["- my husband is Jonas and we live in Graz (3 Sep 2026)"], None),
        (
            "how old's my mother-in-law?",
            ["- the wife Eira runs a shop (1 Sep 2026)\n- Eira's mum Nia, she's 81 (8 Sep 2026)"],
            None,
        ),
        ("how old's my mother-in-law?", ["my mother-in-law turned 80 last week"], None),
        ("what's my sister-in-law's name?", ["People: Aoife (husband's sister), Tom (husband)."], None),
        ("where's my niece living now?", ["my brother's little girl Lucia lives in Cork"], None),
        ("remind me, what's my brother's little girl called?", ["- my niece is Anaya, not Ananya (1 Sep 2026)"], None),
        (
            "what's my niece called again?",
            ["- My brother Pedro lives in Bilbao (4 Oct 2026)\n- Pedro's wife had a girl called Lucia (4 Oct 2026)"],
            None,
        ),
        ("remind me of my grandson's name?", ["- Our daughter Siobhan is in Lisbon. Her little lad Oisin is 6"], None),
        ("what's my granddaughter called?", ["- Our daughter Siobhan lives in Lisbon"], "granddaughter's name"),
        ("what's my sister's husband called?", ["- my sister Noor lives in Toronto with her husband Kwame"], None),
        ("what's my sister's husband called?", ["- my sister Noor lives in Toronto"], "brother-in-law's name"),
        ("what does Imran do for a living?", ["- me and Imran (the hubby) met at a chess club (17 Sep 2026)"], ""),
        ("what does my dad do?", ["- my dad Karim loves chess (1 Sep 2026)"], "dad's job"),
        ("what does Saga do for work?", ["Job: electrician. People: Saga (girlfriend).", "- my girlfriend Saga"], ""),
        ("what does my sister do for work?", ["- my sister Noor lives in Toronto. she's a dentist (2 Sep 2026)"], None),
        ("what's Rhian doing for work these days?", ["- Rhian's retraining as a paramedic (27 Oct 2026)"], None),
        ("which part of Lausanne do we live in?", ["- we live in Lausanne, near Ouchy (1 Sep 2026)"], None),
        ("where am I originally from?", ["- I'm from Rosario (1 Sep 2026)"], None),
    ],
)
def test_unknown_topics_are_questions_about_the_user_that_memory_does_not_cover(
    question: str, known: list[str], topic: str | None
) -> None:
    assert unknown_topic(question, known) == topic


def test_a_strongly_matching_memory_covers_a_question_in_other_words() -> None:
    question, known = "what hobby did I pick up?", ["- I started paragliding (24 Oct 2026)"]
    assert unknown_topic(question, known, strength=0.5) == ""  # no "my …" phrase to repeat
    assert unknown_topic(question, known, strength=4.0) is None
    assert unknown_topic("what's my mum's name?", ["- My mum loves gardening"], strength=4.0) == "mum's name"
    car = "which car do I drive again?"  # a memory about the brother matched 3.2 deviations up, sharing no word
    assert unknown_topic(car, ["- my brother Pedro moved to Bilbao (1 Oct 2026)"], strength=3.2) == ""
    assert unknown_topic("what year did I move to Ottawa?", ["- I moved to Ottawa (1 Oct 2026)"]) is None
    anniversary, wife = "when is Dana's and my wedding anniversary?", ["- My wife is called Dana (22 Sep 2026)"]
    assert unknown_topic(anniversary, wife, strength=3.1) == "wedding anniversary"  # sharing her name is no match


def test_an_unnamed_relative_in_the_profile_gives_no_name() -> None:
    profile = "People: Dana (wife), Mom (mom, lives in Kochi), Vikram (brother)."
    assert unknown_topic("what's my mom's first name?", [profile]) == "mom's first name"
    assert unknown_topic("what's my brother's name?", [profile]) is None


def test_a_question_that_dates_an_event_gets_no_vague_note() -> None:
    """ "What did I pick up a few weeks ago?" asks about an event, which words cannot match ("I started
    paragliding"); a "my …" question keeps its note."""
    known = ["- I started paragliding (24 Oct 2026)"]
    assert unknown_topic("what new hobby did I pick up a few weeks ago?", known) is None
    assert unknown_topic("what did I finally manage a couple of weeks ago?", known) is None
    assert unknown_topic("what was my mum's name again, last week you knew?", known) == "mum's name"


def test_the_system_layout_keeps_everything_in_the_system_prompt(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    assistant.settings.memory.layout = "system"
    say(assistant, "I'm allergic to peanuts.")
    say(assistant, "Any good satay recipes?", new_chat=True)
    system, message = fake_model.received[-1]
    assert message.content == "Any good satay recipes?"
    assert "I'm allergic to peanuts" in system.content and "warn them first" in system.content


def test_a_recalled_turn_keeps_only_what_the_user_stated_and_says_how_long_ago() -> None:
    from datetime import UTC, datetime

    from assistant.memory_notes import how_long_ago, memory_line
    from memory.records import Memory, MemoryKind

    said = datetime(2026, 10, 26, 18, 0, tzinfo=UTC)
    turn = Memory(
        user="marta",
        kind=MemoryKind.EPISODE,
        said_at=said,
        text="We got a dog! Her name is Bimba. Any tips for the first week? Can you suggest a bed for her?",
    )
    now = datetime(2026, 11, 16, 18, 0, tzinfo=UTC)
    assert memory_line(turn, now) == "- We got a dog! Her name is Bimba (26 Oct 2026, 3 weeks ago)"
    only_asks = turn.model_copy(update={"text": "give me a python one-liner to reverse a string"})
    assert memory_line(only_asks, now) is None  # an old request would be answered again by a small model
    race = turn.model_copy(update={"text": "I ran the Berlin half in 2:05, what's a realistic goal for the next one?"})
    assert memory_line(race, now) == "- I ran the Berlin half in 2:05 (26 Oct 2026, 3 weeks ago)"
    assert [how_long_ago(now.replace(day=day), now) for day in (16, 15, 13)] == ["today", "yesterday", "3 days ago"]


def test_kin_memory_names_in_two_steps_is_spelled_out_beside_the_question(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "My brother Pedro lives in Seville.")
    say(assistant, "Pedro's wife Itziar just started a new job as a nurse.")
    conversation = say(assistant, "what's my sister-in-law called again?", new_chat=True)
    sent = fake_model.received[-1][-1].content
    assert "(My sister-in-law is Itziar: my brother Pedro's wife.)" in sent
    assert not [part for part in conversation.last_reply.prompt_parts if part.source == "unknown"]
    say(assistant, "where does my brother live?", new_chat=True)
    assert "sister-in-law" not in fake_model.received[-1][-1].content


def test_why_did_it_say_that_shows_the_who_is_who_note(assistant: Assistant) -> None:
    from assistant.kin import Kin
    from assistant.memory_notes import kin_part
    from tui.screens.why import explain

    note = kin_part([Kin("sister-in-law", "Itziar", "my brother Pedro's wife")], "turn")
    shown = explain(assistant, "me", [note])
    assert "**Who is who**" in shown and "My sister-in-law is Itziar: my brother Pedro's wife." in shown


def test_answer_style_is_repeated_beside_the_message_before_the_other_notes(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "Please keep your answers short, and no emojis. And answer in Spanish.")
    say(assistant, "My mum loves gardening.")
    say(assistant, "What's my mum's name again?", new_chat=True)
    sent = fake_model.received[-1][-1].content
    # a question of fact: the language alone (what the app keeps itself, and a length, need no telling)
    assert "(How I want answers: in Spanish.) Responde en español." in sent
    assert sent.index("(How I want answers") < sent.index("(You don't know my mum's name")
    say(assistant, "give me an idea for a rainy afternoon", new_chat=True)
    assert "(How I want answers: in Spanish; short.)" in fake_model.received[-1][-1].content  # a request: all


def test_a_wish_for_another_language_is_said_in_that_language_too(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "please always reply to me in Spanish, and use metric units")
    say(assistant, "what should I see in Lisbon?", new_chat=True)
    sent = fake_model.received[-1][-1].content
    beside = sent.split("what should I see in Lisbon?")[1]
    assert "(How I want answers: in Spanish.)" in beside and "metric" not in beside  # the app converts the units
    assert sent.endswith("Responde en español.")


def test_lines_said_before_a_name_was_corrected_show_the_corrected_name() -> None:
    from datetime import UTC, datetime

    from assistant.memory_notes import recalled_part
    from memory.records import Memory, MemoryKind
    from memory.retrieval import Recalled

    def turn(text: str, day: int) -> Recalled:
        said = datetime(2026, 10, day, 18, 0, tzinfo=UTC)
        memory = Memory(user="priya", kind=MemoryKind.EPISODE, said_at=said, text=text)
        return Recalled(memory=memory, score=1.0, dense=1.0, lexical=1.0, tokens=10)

    daughter = turn("my brother Vikram's daughter Ananya is 3 now", 1)
    correction = turn("oops, correction from before: my niece is Anaya, not Ananya", 17)
    later = turn("Ananya's nursery called", 20)  # said after the correction: left as said
    lines = recalled_part([daughter, correction, later], "beside").text.splitlines()
    assert lines[0].startswith("- my brother Vikram's daughter Anaya is 3 now")
    assert "not Ananya" in lines[1] and lines[2].startswith("- Ananya's nursery called")


def test_the_pets_a_question_names_are_spelled_out_beside_it_the_one_that_died_as_died(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    say(assistant, "Sad news, our old collie Rua died on Sunday.")
    say(assistant, "Happier news: there's a new collie pup in the house, my wife named her Misty.", new_chat=True)
    say(assistant, "we also have a cat called Tigger", new_chat=True)
    say(assistant, "what's our dog called these days?", new_chat=True)
    message = fake_model.received[-1][-1].content
    note = message.split("what's our dog called these days?")[1]
    assert "Misty is my collie pup." in note and "Rua, my collie dog, died." in note and "Tigger" not in note
    say(assistant, "how old is Tigger now?", new_chat=True)
    assert "(Tigger is my cat.)" in fake_model.received[-1][-1].content
    say(assistant, "what's a good name for a goldfish?", new_chat=True)
    assert " is my " not in fake_model.received[-1][-1].content.split("goldfish?")[1]


def test_one_of_the_users_people_and_theirs_is_spelled_out_beside_the_question() -> None:
    from assistant.kin import chained_kin_in

    known = ["- My best friend is called Solene (9 Oct 2026)\n- Solene's fiancé Theo is a pilot (9 Oct 2026)"]
    [kin] = chained_kin_in("what does my best friend's fiancé do?", known)
    assert (kin.kin, kin.name, kin.via) == ("best friend's fiancé", "Theo", "my best friend Solene's fiancé")
    assert chained_kin_in("what does my sister's fiancé do?", known) == []
    assert chained_kin_in("what does Solene's fiancé do?", known) == []  # named: the memory line says it
