"""Time in recalled memories: relative phrases dated, "how long" worked out by the app, "what did I do then"."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assistant.conversation import Conversation
from assistant.factory import Assistant
from assistant.memory_notes import memory_line, with_dates
from assistant.models.fake import FakeChatModel
from assistant.time_notes import (
    around_then_part,
    elapsed_part,
    last_time_part,
    newest_part,
    together_part,
    when_part,
)
from assistant.turn import run_turn
from memory.records import Memory, MemoryKind

NOW = datetime(2026, 11, 16, 12, 0, tzinfo=UTC)


def said(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 15, 0, tzinfo=UTC)


def test_relative_time_in_an_old_turn_is_dated_and_says_how_long_ago() -> None:
    assert with_dates("Our old collie Rua died last Thursday. Maureen is in bits", said(2026, 10, 2), NOW) == (
        "Our old collie Rua died on 1 Oct 2026 (7 weeks ago). Maureen is in bits"
    )
    assert with_dates("I started pottery classes two weeks ago", said(2026, 10, 17), NOW) == (
        "I started pottery classes around 3 Oct 2026 (6 weeks ago)"
    )
    assert (
        with_dates("from this month I'm on the Visp line", said(2026, 11, 7))
        == "from November 2026 I'm on the Visp line"
    )


def test_phrases_that_still_read_true_are_left_as_they_are() -> None:
    for text in (
        "me and Imran met at a chess club in 2015",  # has its year
        "I haven't been on a plane since 1998",
        "the dispensary was chaos today",  # the line's own date says which day
        "new rotation at work: 3 weeks on, 3 weeks off now",
    ):
        assert with_dates(text, said(2026, 10, 7), NOW) == text


def test_a_count_said_today_has_grown_since() -> None:
    assert with_dates("I'm pregnant!! 14 weeks today", said(2026, 10, 7), NOW) == (
        "I'm pregnant!! 14 weeks on 7 Oct 2026 (6 weeks ago), so about 20 weeks now"
    )


def test_a_recalled_turn_shows_the_dates() -> None:
    turn = Memory(
        user="me", kind=MemoryKind.EPISODE, said_at=said(2026, 11, 4), text="finally passed my test last Tuesday!!"
    )
    assert memory_line(turn, NOW) == "- finally passed my test on 3 Nov 2026 (13 days ago)!! (4 Nov 2026, 12 days ago)"


RECALLED = """- I started pottery classes around 3 October 2026 (about 3 Oct 2026, 6 weeks ago)
- I work as a pharmacist (8 Nov 2026, 8 days ago)
- I got the keys to our new flat today (11 Nov 2026, 5 days ago)
- finally passed my motorcycle licence test on 3 Nov 2026 (13 days ago)!! (4 Nov 2026, 12 days ago)
- Our old collie Rua died on 1 Oct 2026 (7 weeks ago), fourteen years old she was (2 Oct 2026, 6 weeks ago)"""


def test_how_long_is_worked_out_by_the_app_and_opens_the_reply() -> None:
    pottery = elapsed_part("roughly how long have I been doing pottery now?", [RECALLED])
    assert pottery is not None and pottery.opening == "About 6 weeks"
    assert "6 weeks ago" in pottery.text
    rua = elapsed_part("about how long ago did we lose Rua?", [RECALLED])
    assert rua is not None and rua.opening == "About 7 weeks ago"  # not Rua's age of fourteen years


def test_no_elapsed_note_without_a_dated_memory_of_it_or_for_other_how_long_questions() -> None:
    assert elapsed_part("how long have I worked as a pharmacist?", [RECALLED]) is None  # said 8 Nov: not when it began
    assert elapsed_part("how long should I roast a chicken?", [RECALLED]) is None
    assert elapsed_part("how long have I been doing yoga?", [RECALLED]) is None
    quit = "- I quit pottery around 3 Nov 2026 (2 weeks ago) (4 Nov 2026, 12 days ago)"
    assert elapsed_part("how long have I been doing pottery?", [quit]) is None  # when it ended, not began


def test_a_question_about_a_time_points_at_what_happened_then() -> None:
    part = around_then_part("what did I finally manage a couple of weeks ago?", [RECALLED], NOW)
    assert part is not None and "motorcycle licence test" in part.text and "3 Nov 2026" in part.text
    assert "(13 days ago)" not in part.text  # quoted without the app's brackets
    assert around_then_part("what did I do yesterday?", [RECALLED], NOW) is None  # nothing was said then
    assert around_then_part("when did I start pottery?", [RECALLED], NOW) is None  # a "when" question dates itself
    assert around_then_part("what should I do next week?", [RECALLED], NOW) is None  # the future


def test_of_two_things_from_around_then_the_note_points_at_the_one_nearest_the_time_asked() -> None:
    # "about a month ago" is October; both lines are from October and share no word with the question, in
    # either order: the talk (17 Oct) is nearer the middle of the month than the visit planned on 29 Oct.
    talk = "- around 17 Oct 2026 (4 weeks ago) I gave my first conference talk, in Montreal (7 Nov 2026, 9 days ago)"
    visit = "- Dana's sister Colleen is coming to stay in November 2026 (29 Oct 2026, 3 weeks ago)"
    question = "what was I doing about a month ago? something work-related, my memory is terrible"
    for known in ([talk, visit], [visit, talk]):
        part = around_then_part(question, known, NOW)
        assert part is not None and "conference talk" in part.text, known


def told_then_asked(
    assistant: Assistant, fake_model: FakeChatModel, told: str, days_ago: int, asked: str
) -> Conversation:
    """``told`` in a chat ``days_ago`` days before NOW, then ``asked`` in a new chat at NOW, by a model that goes on
    from the app's opening."""
    user = assistant.settings.user
    telling = assistant.conversation(user, assistant.store.create_session(user).id)
    run_turn(telling, told, now=NOW - timedelta(days=days_ago))
    fake_model.continues_replies = True
    asking = assistant.conversation(user, assistant.store.create_session(user).id)
    run_turn(asking, asked, now=NOW, remember=False)
    return asking


def test_in_a_chat_the_reply_opens_with_how_long_ago(assistant: Assistant, fake_model: FakeChatModel) -> None:
    fake_model.script = lambda messages: "since Rua died."
    asking = told_then_asked(
        assistant, fake_model, "Sad news: our old collie Rua died yesterday.", 40, "how long ago did we lose Rua?"
    )
    *_, message, opening = fake_model.received[-1]
    assert "Rua died on 6 Oct 2026 (6 weeks ago)" in message.content
    assert opening.content == "About 6 weeks ago"
    assert asking.last_reply.text == "About 6 weeks ago since Rua died."


def test_a_question_about_now_quotes_the_newest_line_on_it() -> None:
    recalled = """- My son Haruto is at uni in Melbourne, doing marine biology (14 Sep 2026, 2 months ago)
- Haruto switched his major to oceanography. Says marine biology was too much memorising (2 Nov 2026, 2 weeks ago)
- Our daughter Siobhan lives in Lisbon these days (28 Aug 2026, 3 months ago)"""
    part = newest_part("what's Haruto studying now?", [recalled])
    assert part is not None and "2 Nov 2026" in part.text and "switched his major to oceanography" in part.text
    assert newest_part("what's Haruto studying?", [recalled]) is None  # not asked about now
    assert newest_part("what's our dog called these days?", [recalled]) is None  # "these days" is not the topic


def test_why_did_it_say_that_shows_the_date_note_and_the_apps_first_words(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    from tui.screens.why import explain

    asking = told_then_asked(
        assistant, fake_model, "I started pottery classes two weeks ago.", 30, "how long have I been doing pottery?"
    )
    reply = asking.last_reply
    kept = asking.reply_context(reply.assistant_message_id or 0)
    assert kept is not None and reply.text.startswith("About 6 weeks")
    shown = explain(assistant, assistant.settings.user, kept, reply.text)
    assert "Worked out from the dates in memory" in shown and "“About 6 weeks”" in shown


def test_the_last_time_is_read_from_not_since() -> None:
    recalled = "- I haven't been on a plane since 1998 and I won't again (7 Sep 2026, 2 months ago)"
    part = last_time_part("when was the last time I was on a plane?", [recalled])
    assert part is not None and part.opening == "In 1998" and "haven't been on a plane since 1998" in part.text
    assert last_time_part("when was the last time I went swimming?", [recalled]) is None  # not about planes
    assert last_time_part("when did I get my cat?", [recalled]) is None


def test_a_date_worked_out_by_the_app_keeps_the_not_in_memory_note_away(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    told = "Never suggest flying to me. I haven't been on a plane since 1998."
    asking = told_then_asked(assistant, fake_model, told, 60, "when was the last time I was on a plane?")
    sources = [part.source for part in asking.last_reply.prompt_parts]
    assert "time" in sources and "unknown" not in sources
    assert asking.last_reply.opening == "In 1998"


def test_years_together_are_counted_from_an_anniversary() -> None:
    recalled = "- Bernadette and I went to Scilly for our 20th anniversary. Lovely few days (1 Nov 2026, 2 weeks ago)"
    part = together_part("how many years have Bernadette and I been together now?", [recalled], NOW)
    assert part is not None and part.opening == "About 20 years"
    a_year_on = together_part("how long have we been married?", [recalled], NOW + timedelta(days=400))
    assert a_year_on is not None and a_year_on.opening == "About 21 years"
    assert together_part("how many years have I lived in Plymouth?", [recalled], NOW) is None


def test_when_it_was_is_read_from_the_line_that_dates_it() -> None:
    recalled = (
        "- I flew to Montreal for the conference (12 Oct 2026, 5 weeks ago)\n"
        "- we drove up to Skye in May 2025, it rained the whole week (about 1 May 2025, 1 year ago)\n"
        "- My sister got married on 3 August 2024 in Porto (about 3 Aug 2024, 2 years ago)"
    )
    part = when_part("when did we drive up to Skye?", [recalled])
    assert part is not None and part.opening == "In May 2025" and "drove up to Skye in May 2025" in part.text
    assert "(about 1 May 2025" not in part.text  # the line's own words, not the app's dating
    assert when_part("when did I go to Skye?", [recalled]) is not None  # "go" says nothing: Skye alone
    assert when_part("when did we drive to Oban?", [recalled]) is None  # one word of two: not sure enough
    assert when_part("when did I fly to Montreal?", [recalled]) is None  # no date in its words
    assert when_part("when was the last time we drove up to Skye?", [recalled]) is None  # the last-time note's
    assert when_part("what did we do in Skye?", [recalled]) is None


def test_what_was_said_on_the_day_asked_about_covers_the_question(
    assistant: Assistant, fake_model: FakeChatModel
) -> None:
    # Found by hand: the fence line was recalled and dated today, yet the "not in memory" note fired (the line
    # shares no word with the question, and a line found by its date matches it weakly by meaning).
    told = "I repainted the garden fence with my neighbour Tom this afternoon."
    user = assistant.settings.user
    telling = assistant.conversation(user, assistant.store.create_session(user).id)
    run_turn(telling, told, now=NOW - timedelta(hours=2))
    asking = assistant.conversation(user, assistant.store.create_session(user).id)
    run_turn(asking, "What did I get up to today?", now=NOW, remember=False)
    parts = asking.last_reply.prompt_parts
    assert any("garden fence" in part.text for part in parts if part.source != "time")
    assert "unknown" not in [part.source for part in parts]


def test_of_two_lines_from_the_day_asked_the_note_points_at_what_the_user_did() -> None:
    fact = "- My neighbour is called Tom (16 Nov 2026, today)"
    told = "- I repainted the garden fence with my neighbour Tom this afternoon (16 Nov 2026, today)"
    for known in ([fact, told], [told, fact]):
        part = around_then_part("What did I get up to today?", known, NOW)
        assert part is not None and "garden fence" in part.text, known
