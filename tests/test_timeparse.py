"""Time expressions resolve against the moment they were said: "yesterday" on 8 May 2023 is 7 May 2023."""

import json
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from memory.timeparse import TimeRef, find_times, parse_session_datetime, resolve_time

from .conftest import SHARED_DATA

# Monday 8 May 2023, 13:56 UTC: the first LoCoMo session.
NOW = datetime(2023, 5, 8, 13, 56, tzinfo=UTC)


def span_of(text: str, now: datetime = NOW) -> tuple[date, date]:
    """The first and last day covered by the only time expression in ``text``."""
    found = find_times(text, now)
    assert len(found) == 1, found
    return found[0].start.date(), (found[0].end - timedelta(microseconds=1)).date()


def day_of(text: str, now: datetime = NOW) -> date:
    first, last = span_of(text, now)
    assert first == last, (first, last)
    return first


def test_the_reference_moment_is_a_monday() -> None:
    assert NOW.strftime("%A") == "Monday"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I went to a support group yesterday", date(2023, 5, 7)),
        ("Today was long", date(2023, 5, 8)),
        ("We talked the day before yesterday", date(2023, 5, 6)),
        ("I'm flying out tomorrow", date(2023, 5, 9)),
        ("The gig is the day after tomorrow", date(2023, 5, 10)),
        ("YESTERDAY was great", date(2023, 5, 7)),
    ],
)
def test_relative_days(text: str, expected: date) -> None:
    assert day_of(text) == expected


def test_parts_of_the_day_narrow_the_span() -> None:
    tonight = resolve_time("Dinner tonight?", NOW)
    morning = resolve_time("I ran this morning", NOW)
    last_night = resolve_time("We watched a movie last night", NOW)
    assert tonight and morning and last_night
    assert (tonight.start.hour, tonight.end) == (18, datetime(2023, 5, 9, tzinfo=UTC))
    assert (morning.start.hour, morning.end.hour, morning.day) == (6, 12, date(2023, 5, 8))
    assert (last_night.day, last_night.start.hour) == (date(2023, 5, 7), 18)
    assert day_of("this afternoon") == day_of("this evening") == date(2023, 5, 8)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I ran a charity race last Saturday", date(2023, 5, 6)),
        ("Last Monday was rough", date(2023, 5, 1)),
        ("I went hiking on Saturday", date(2023, 5, 6)),
        ("Sunday was lovely", date(2023, 5, 7)),
        ("I'll go hiking on Saturday", date(2023, 5, 13)),
        ("We're going to paint Friday", date(2023, 5, 12)),
        ("I plan to call mum on Wednesday", date(2023, 5, 10)),
        ("next Monday", date(2023, 5, 15)),
        ("this Saturday", date(2023, 5, 13)),
        ("this past Friday", date(2023, 5, 5)),
        ("Last Fri I took the kids out", date(2023, 5, 5)),
    ],
)
def test_weekdays_follow_the_modifier_or_the_tense(text: str, expected: date) -> None:
    assert day_of(text) == expected


def test_a_weekday_with_a_part_of_the_day() -> None:
    ref = resolve_time("Saturday night was wild", NOW)
    assert ref and (ref.day, ref.start.hour) == (date(2023, 5, 6), 18)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("What did I do last week?", date(2023, 5, 1), date(2023, 5, 7)),
        ("this week", date(2023, 5, 8), date(2023, 5, 14)),
        ("next week", date(2023, 5, 15), date(2023, 5, 21)),
        ("what did I do last weekend?", date(2023, 5, 6), date(2023, 5, 7)),
        ("this weekend", date(2023, 5, 13), date(2023, 5, 14)),
        ("next weekend", date(2023, 5, 20), date(2023, 5, 21)),
        ("I slept a lot over the weekend", date(2023, 5, 6), date(2023, 5, 7)),
        ("Any plans for the weekend?", date(2023, 5, 13), date(2023, 5, 14)),
        ("I saw her the other day", date(2023, 5, 1), date(2023, 5, 7)),
        ("last month", date(2023, 4, 1), date(2023, 4, 30)),
        ("this month", date(2023, 5, 1), date(2023, 5, 31)),
        ("next month", date(2023, 6, 1), date(2023, 6, 30)),
        ("last year", date(2022, 1, 1), date(2022, 12, 31)),
        ("this year", date(2023, 1, 1), date(2023, 12, 31)),
        ("next year", date(2024, 1, 1), date(2024, 12, 31)),
        ("earlier this week", date(2023, 5, 8), date(2023, 5, 8)),
        ("earlier this month", date(2023, 5, 1), date(2023, 5, 8)),
        ("earlier this year", date(2023, 1, 1), date(2023, 5, 8)),
        ("later this month", date(2023, 5, 9), date(2023, 5, 31)),
    ],
)
def test_calendar_periods(text: str, first: date, last: date) -> None:
    assert span_of(text) == (first, last)


def test_earlier_this_year_ends_at_the_moment_of_speech() -> None:
    ref = resolve_time("earlier this year", NOW)
    assert ref and ref.end == NOW


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 days ago", date(2023, 5, 5)),
        ("I met her three days ago", date(2023, 5, 5)),
        ("a day ago", date(2023, 5, 7)),
        ("one day ago", date(2023, 5, 7)),
        ("twelve days ago", date(2023, 4, 26)),
        ("in 2 days", date(2023, 5, 10)),
        ("See you in three days!", date(2023, 5, 11)),
    ],
)
def test_counted_days(text: str, expected: date) -> None:
    assert day_of(text) == expected


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("a couple of days ago", date(2023, 5, 5), date(2023, 5, 7)),
        ("a few days ago", date(2023, 5, 4), date(2023, 5, 6)),
        ("two weeks ago", date(2023, 4, 21), date(2023, 4, 27)),
        ("a few weeks ago", date(2023, 4, 10), date(2023, 4, 24)),
        ("two weekends ago", date(2023, 4, 29), date(2023, 4, 30)),
        ("5 months ago", date(2022, 12, 1), date(2022, 12, 31)),
        ("four years ago", date(2019, 1, 1), date(2019, 12, 31)),
        ("a few years back", date(2019, 1, 1), date(2021, 12, 31)),
        ("we'll know in two weeks", date(2023, 5, 19), date(2023, 5, 25)),
        ("in a few days", date(2023, 5, 10), date(2023, 5, 12)),
        ("for the past three weeks", date(2023, 4, 17), date(2023, 5, 8)),
        ("in the next few months", date(2023, 5, 8), date(2023, 9, 8)),
        ("over the past year", date(2022, 5, 8), date(2023, 5, 8)),
    ],
)
def test_counted_spans_around_the_estimate(text: str, first: date, last: date) -> None:
    assert span_of(text) == (first, last)


def test_a_duration_in_the_past_is_not_a_date_ahead() -> None:
    assert find_times("I lost five pounds in a week", NOW) == []
    assert find_times("We haven't talked in a few days", NOW) == []
    assert find_times("Rome wasn't built in a day", NOW) == []


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("last summer", date(2022, 6, 1), date(2022, 8, 31)),
        ("last winter", date(2022, 12, 1), date(2023, 2, 28)),
        ("last spring", date(2022, 3, 1), date(2022, 5, 31)),
        ("last fall", date(2022, 9, 1), date(2022, 11, 30)),
        ("last autumn", date(2022, 9, 1), date(2022, 11, 30)),
        ("this summer", date(2023, 6, 1), date(2023, 8, 31)),
        ("this winter was cold", date(2022, 12, 1), date(2023, 2, 28)),
        ("we went to the lake in the summer of 2021", date(2021, 6, 1), date(2021, 8, 31)),
    ],
)
def test_seasons_are_northern(text: str, first: date, last: date) -> None:
    assert span_of(text) == (first, last)


def test_last_summer_said_in_the_autumn_is_the_summer_just_gone() -> None:
    assert span_of("I took this pic last summer", datetime(2023, 10, 17)) == (date(2023, 6, 1), date(2023, 8, 31))


@pytest.mark.parametrize(
    "text",
    ["7 May 2023", "May 7", "May 7th, 2023", "the 7th of May", "2023-05-07", "7 may 2023", "on Sunday, May 7th"],
)
def test_explicit_dates(text: str) -> None:
    assert find_times(text, NOW)[-1].day == date(2023, 5, 7)


def test_a_date_without_a_year_follows_the_tense() -> None:
    assert day_of("My birthday was on June 3") == date(2022, 6, 3)
    assert day_of("The wedding will be on June 3rd") == date(2023, 6, 3)
    assert day_of("Dec 25") == date(2022, 12, 25)


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("in May", date(2023, 5, 1), date(2023, 5, 31)),
        ("I went to Paris in June", date(2022, 6, 1), date(2022, 6, 30)),
        ("I'll go to Paris in June", date(2023, 6, 1), date(2023, 6, 30)),
        ("last May", date(2022, 5, 1), date(2022, 5, 31)),
        ("last March", date(2023, 3, 1), date(2023, 3, 31)),
        ("next March", date(2024, 3, 1), date(2024, 3, 31)),
        ("May 2023", date(2023, 5, 1), date(2023, 5, 31)),
        ("in Sept. 2021", date(2021, 9, 1), date(2021, 9, 30)),
        ("in 2022", date(2022, 1, 1), date(2022, 12, 31)),
        ("I travelled a lot throughout 2018", date(2018, 1, 1), date(2018, 12, 31)),
        ("since 2019", date(2019, 1, 1), date(2023, 5, 8)),
        ("since last year", date(2022, 1, 1), date(2023, 5, 8)),
    ],
)
def test_months_and_years(text: str, first: date, last: date) -> None:
    assert span_of(text) == (first, last)


def test_since_runs_up_to_the_moment_of_speech() -> None:
    ref = resolve_time("I've lived here since 2019", NOW)
    assert ref and (ref.phrase, ref.end) == ("since 2019", NOW)


@pytest.mark.parametrize(
    "text",
    [
        "I may go to the park",
        "This may take a while",
        "March on, soldier",
        "We march 3 miles every day",
        "It takes a week to heal",
        "One day I'll climb Everest",
        "Give me a second",
        "I go to yoga on Saturdays",
        "I go running every Monday",
        "pottery classes on tuesday evenings",
        "I sat on the sun lounger",
        "05/07/2023",
        "a total of 2000 people",
        "Cyberpunk 2077 is fun",
        "the 3 may come later",
        "Let's do it the next day",
    ],
)
def test_ordinary_words_are_not_dates(text: str) -> None:
    assert find_times(text, NOW) == []


def test_a_weekly_habit_leaves_the_date_to_the_rest_of_the_sentence() -> None:
    found = find_times("I started pottery classes on tuesday evenings two weeks ago", NOW)
    assert [ref.phrase for ref in found] == ["two weeks ago"]


def test_several_expressions_come_back_in_order_without_overlap() -> None:
    found = find_times("Yesterday I booked flights for next Friday, and the day before yesterday I packed.", NOW)
    assert [ref.phrase for ref in found] == ["Yesterday", "next Friday", "the day before yesterday"]
    assert [ref.day for ref in found] == [date(2023, 5, 7), date(2023, 5, 12), date(2023, 5, 6)]


def test_the_longer_expression_wins_and_the_phrase_is_as_written() -> None:
    ref = resolve_time("It was Last SATURDAY, I think", NOW)
    assert ref and ref.phrase == "Last SATURDAY"
    assert resolve_time("nothing to see here", NOW) is None


def test_a_naive_now_is_taken_as_utc() -> None:
    ref = resolve_time("yesterday", NOW.replace(tzinfo=None))
    assert ref and ref.start == datetime(2023, 5, 7, tzinfo=UTC)


def test_an_aware_now_keeps_its_timezone() -> None:
    sydney = ZoneInfo("Australia/Sydney")
    now = datetime(2023, 5, 8, 7, 30, tzinfo=sydney)  # still 7 May in UTC
    ref = resolve_time("yesterday", now)
    assert ref and ref.start == datetime(2023, 5, 7, tzinfo=sydney) and ref.start.tzinfo is sydney
    assert ref.end == datetime(2023, 5, 8, tzinfo=sydney)
    offset = timezone(timedelta(hours=-5))
    late = resolve_time("tomorrow", datetime(2023, 5, 8, 22, 0, tzinfo=offset))
    assert late and late.start == datetime(2023, 5, 9, tzinfo=offset)


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (datetime(2023, 5, 7), datetime(2023, 5, 8), "7 May 2023"),
        (datetime(2023, 5, 1), datetime(2023, 5, 8), "1–7 May 2023"),
        (datetime(2023, 4, 28), datetime(2023, 5, 5), "28 April – 4 May 2023"),
        (datetime(2022, 12, 28), datetime(2023, 1, 4), "28 December 2022 – 3 January 2023"),
        (datetime(2023, 5, 1), datetime(2023, 6, 1), "May 2023"),
        (datetime(2022, 6, 1), datetime(2022, 9, 1), "June–August 2022"),
        (datetime(2022, 12, 1), datetime(2023, 3, 1), "December 2022 – February 2023"),
        (datetime(2022, 1, 1), datetime(2023, 1, 1), "2022"),
        (datetime(2019, 1, 1), datetime(2022, 1, 1), "2019–2021"),
    ],
)
def test_labels(start: datetime, end: datetime, expected: str) -> None:
    ref = TimeRef(start.replace(tzinfo=UTC), end.replace(tzinfo=UTC), "")
    assert ref.label() == expected


def test_labels_of_resolved_expressions() -> None:
    assert [ref.label() for ref in find_times("yesterday, last week, last summer and in 2022", NOW)] == [
        "7 May 2023",
        "1–7 May 2023",
        "June–August 2022",
        "2022",
    ]


def test_locomo_session_stamps() -> None:
    assert parse_session_datetime("1:56 pm on 8 May, 2023") == NOW
    assert parse_session_datetime("10:37 am on 27 June, 2023") == datetime(2023, 6, 27, 10, 37, tzinfo=UTC)
    assert parse_session_datetime("12:09 am on 13 September, 2023") == datetime(2023, 9, 13, 0, 9, tzinfo=UTC)
    assert parse_session_datetime("12:30 pm on 1 January, 2022").hour == 12


@pytest.mark.parametrize("text", ["yesterday", "13:56 on 8 May, 2023", "1:56 pm on 31 June, 2023", ""])
def test_other_stamps_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_session_datetime(text)


def test_every_locomo_session_stamp_parses() -> None:
    conversations = json.loads((SHARED_DATA / "locomo" / "locomo_dev.json").read_text())
    stamps = [
        value for item in conversations for key, value in item["conversation"].items() if key.endswith("_date_time")
    ]
    assert stamps and all(parse_session_datetime(stamp).tzinfo is UTC for stamp in stamps)
