"""Resolve time expressions against the moment they were said.

"I went to a support group yesterday", said on 8 May 2023, refers to 7 May 2023; "what did I do last
weekend?" asks about 6–7 May. Each rule is a regular expression with a resolver; where two matches overlap
the longer one wins, so "the day before yesterday" beats "yesterday". Bare weekdays and months follow the
tense of their sentence ("I'll go on Saturday" is the next one, "I went on Saturday" the last). Words that
double as verbs ("may", "march") count as months only next to a day number, a year or a preposition.
Spans are half-open: a day is [00:00, next 00:00) in the timezone of ``now``.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

__all__ = ["TimeRef", "find_times", "parse_session_datetime", "resolve_time"]

Span = tuple[datetime, datetime]

_MONTH_NAMES = ["", *"January February March April May June July August September October November December".split()]
_MONTH_NUMBERS = {name.lower(): number for number, name in enumerate(_MONTH_NAMES) if name}
_MONTH_NUMBERS |= {name[:3]: number for name, number in list(_MONTH_NUMBERS.items())} | {"sept": 9}
_MONTH = r"(?:" + "|".join(_MONTH_NAMES[1:]) + r")\b|(?:sept|jan|feb|mar|apr|jun|jul|aug|sep|oct|nov|dec)\b\.?"
_VERB_MONTHS = {"may", "march", "mar"}  # lower-case spellings only: "May 7" is a date, "you may 7..." is not
_WEEKDAYS = "monday tuesday wednesday thursday friday saturday sunday".split()
_WEEKDAY = "(?:" + "|".join(_WEEKDAYS) + r")\b|(?:mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)\b\.?"
_NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve".split()
_NUMBER = r"\d{1,3}|an?|" + "|".join(_NUMBER_WORDS)
_COUNT = rf"(?:(?P<count>{_NUMBER})|(?P<fuzzy>a\s+few|(?:a\s+)?couple(?:\s+of)?|few|several))"
_FUZZY_RANGES = {"couple": (1, 3), "few": (2, 4), "several": (3, 6)}
_YEAR = r"(?:19|20)\d\d"
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night)\b)?"
_PART_HOURS = {"morning": (6, 12), "afternoon": (12, 18), "evening": (18, 24), "night": (18, 24)}
_SEASON_STARTS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}
_FUTURE_MARKERS = re.compile(
    r"\b(?:will|won't|shall|gonna|going\s+to|plan|plans|planning|next|tomorrow|upcoming|soon|can't\s+wait"
    r"|looking\s+forward)\b|['’]ll\b",
    re.IGNORECASE,
)
# "I lost five pounds in a week", "haven't talked in a few days": a duration, not a date ahead.
_PAST_MARKERS = re.compile(
    r"\b(?:was|were|did|had|went|took|got|made|spent|finished|lost|haven't|hasn't|wasn't|been)\b", re.I
)


@dataclass(frozen=True)
class TimeRef:
    """A resolved time expression: the half-open span ``[start, end)`` and the text it came from."""

    start: datetime
    end: datetime
    phrase: str

    @property
    def day(self) -> date:
        """The first day of the span (the day itself for single-day expressions)."""
        return self.start.date()

    @property
    def moment(self) -> datetime:
        """The time it most likely means: the middle of a span of a few days ("two weeks ago", "last week"), the
        start otherwise (a day, "in May", "in 2022")."""
        return self.start + (self.end - self.start) / 2 if 1 < (self.end - self.start).days <= 10 else self.start

    def label(self) -> str:
        """Human text for the span: "7 May 2023", "1–7 May 2023", "May 2023", "June–August 2022", "2022"."""
        first = self.start.date()
        last = max(first, (self.end - timedelta(microseconds=1)).date())
        same_year, same_month = first.year == last.year, (first.year, first.month) == (last.year, last.month)
        if first == last:
            return _day_text(first)
        if first.day == 1 and (last + timedelta(days=1)).day == 1:  # whole months
            if (first.month, last.month) == (1, 12):
                return str(first.year) if same_year else f"{first.year}–{last.year}"
            if same_month:
                return f"{_MONTH_NAMES[first.month]} {first.year}"
            if same_year:
                return f"{_MONTH_NAMES[first.month]}–{_MONTH_NAMES[last.month]} {first.year}"
            return f"{_MONTH_NAMES[first.month]} {first.year} – {_MONTH_NAMES[last.month]} {last.year}"
        if same_month:
            return f"{first.day}–{_day_text(last)}"
        if same_year:
            return f"{first.day} {_MONTH_NAMES[first.month]} – {_day_text(last)}"
        return f"{_day_text(first)} – {_day_text(last)}"


@dataclass(frozen=True)
class _Context:
    """What a resolver needs besides its match: the moment of speech and the sentence around the match."""

    now: datetime
    sentence: str
    future: bool

    @property
    def today(self) -> date:
        return self.now.date()

    def at(self, day: date, hours: int = 0) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.now.tzinfo) + timedelta(hours=hours)

    def days(self, first: date, after_last: date) -> Span:
        return self.at(first), self.at(after_last)

    def months(self, year: int, month: int, count: int = 1) -> Span:
        return self.at(date(year, month, 1)), self.at(date(*_shift_month(year, month, count), 1))


Resolver = Callable[[re.Match[str], _Context], Span | None]
_RULES: list[tuple[re.Pattern[str], Resolver]] = []


def _rule(*patterns: str) -> Callable[[Resolver], Resolver]:
    """Register a resolver for matches of ``patterns`` (case-insensitive)."""

    def register(resolve: Resolver) -> Resolver:
        _RULES.extend((re.compile(pattern, re.IGNORECASE), resolve) for pattern in patterns)
        return resolve

    return register


def _day_text(day: date) -> str:
    return f"{day.day} {_MONTH_NAMES[day.month]} {day.year}"


def _shift_month(year: int, month: int, count: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + count
    return index // 12, index % 12 + 1


def _shift_date(day: date, months: int) -> date:
    year, month = _shift_month(day.year, day.month, months)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _words(text: str | None) -> str:
    return " ".join((text or "").lower().split())


def _estimate(match: re.Match[str]) -> tuple[int, int]:
    """The (low, high) count meant by "3", "three", "a", "a couple of", "a few" or nothing at all."""
    if match["fuzzy"]:
        return next(span for key, span in _FUZZY_RANGES.items() if key in match["fuzzy"].lower())
    word = (match["count"] or "a").lower()
    number = int(word) if word.isdigit() else 1 if word in ("a", "an") else _NUMBER_WORDS.index(word) + 1
    return number, number


def _part_of_day(ctx: _Context, day: date, part: str | None) -> Span:
    if part is None:
        return ctx.days(day, day + timedelta(days=1))
    first, last = _PART_HOURS[part.lower()]
    return ctx.at(day, first), ctx.at(day, last)


@_rule(
    r"\b(?P<word>(?:the\s+)?day\s+(?:before\s+yesterday|after\s+tomorrow)|yesterday|tomorrow|today|tonight"
    r"|this(?=\s+(?:morning|afternoon|evening)\b)|last(?=\s+night\b)|the\s+other\s+day)\b" + _PART
)
def _relative_day(match: re.Match[str], ctx: _Context) -> Span:
    word = _words(match["word"])
    if word == "the other day":  # some day in the past week
        return ctx.days(ctx.today - timedelta(days=7), ctx.today)
    offsets = {"yesterday": -1, "last": -1, "tomorrow": 1}
    offset = -2 if "before" in word else 2 if "after" in word else offsets.get(word, 0)
    part = match["part"] or ("night" if word == "tonight" else None)
    return _part_of_day(ctx, ctx.today + timedelta(days=offset), part)


@_rule(
    rf"(?<!every\s)(?<!each\s)\b(?:(?P<mod>this\s+past|this\s+coming|last|this|next|past|coming|on)\s+)?"
    rf"(?P<weekday>{_WEEKDAY})(?!\s+(?:morning|afternoon|evening|night)s\b)" + _PART
)
def _weekday(match: re.Match[str], ctx: _Context) -> Span | None:
    modifier, written = _words(match["mod"]), match["weekday"].rstrip(".")
    if written.lower() not in _WEEKDAYS and (modifier in ("", "on", "this") or not written[0].isupper()):
        return None  # "Fri" only as "last Fri"/"next Fri": "sat", "sun", "wed" are ordinary words
    target = [name[:3] for name in _WEEKDAYS].index(written[:3].lower())
    behind = (ctx.today.weekday() - target) % 7 or 7
    ahead = (target - ctx.today.weekday()) % 7 or 7
    if modifier == "this":
        day = _week_start(ctx.today) + timedelta(days=target)
        day += timedelta(days=7 if ctx.future and day < ctx.today else 0)
    elif modifier in ("next", "coming", "this coming") or (modifier in ("", "on") and ctx.future):
        day = ctx.today + timedelta(days=ahead)
    else:
        day = ctx.today - timedelta(days=behind)
    return _part_of_day(ctx, day, match["part"])


@_rule(
    r"\b(?P<mod>this\s+past|this\s+coming|last|this|next|past|coming|earlier\s+this|later\s+this"
    r"|(?:over|on|at|during|for)\s+the)\s+(?P<unit>week|weekend|month|year)\b"
)
def _period(match: re.Match[str], ctx: _Context) -> Span | None:
    modifier, unit = _words(match["mod"]), match["unit"].lower()
    if modifier.endswith(" the"):  # "over the weekend": the one just gone, or the coming one
        if unit != "weekend":
            return None
        modifier = "this" if ctx.future or ctx.today.weekday() >= 5 else "last"
    offset = {"last": -1, "past": -1, "this past": -1, "next": 1, "coming": 1, "this coming": 1}.get(modifier, 0)
    if unit == "year":
        start, end = ctx.days(date(ctx.today.year + offset, 1, 1), date(ctx.today.year + offset + 1, 1, 1))
    elif unit == "month":
        start, end = ctx.months(*_shift_month(ctx.today.year, ctx.today.month, offset))
    else:
        monday = _week_start(ctx.today) + timedelta(days=7 * offset)
        start, end = ctx.days(monday + timedelta(days=5 if unit == "weekend" else 0), monday + timedelta(days=7))
    if modifier == "earlier this":
        return start, ctx.now
    if modifier == "later this":
        return ctx.at(ctx.today + timedelta(days=1)), end
    return start, end


@_rule(rf"\b(?P<ahead>in\s+)?{_COUNT}\s+(?P<unit>day|weekend|week|month|year)s?\b(?:\s+(?P<ago>ago|back)\b)?")
def _counted(match: re.Match[str], ctx: _Context) -> Span | None:
    """ "Three days ago", "a few weeks back", "in two weeks": a day, a week around the estimate, or whole months."""
    if bool(match["ahead"]) == bool(match["ago"]):
        return None  # "it takes a week" is a duration
    if match["ahead"] and not ctx.future and _PAST_MARKERS.search(ctx.sentence):
        return None
    sign, unit = (-1 if match["ago"] else 1), match["unit"].lower()
    first, last = sorted(sign * count for count in _estimate(match))
    if unit == "weekend":
        monday = _week_start(ctx.today)
        return ctx.days(monday + timedelta(days=7 * first + 5), monday + timedelta(days=7 * last + 7))
    if unit in ("day", "week"):
        size = 7 if unit == "week" else 1
        widen = 3 if unit == "week" and first == last else 0  # "two weeks ago" means roughly that week
        return ctx.days(
            ctx.today + timedelta(days=first * size - widen), ctx.today + timedelta(days=last * size + widen + 1)
        )
    if unit == "month":
        return ctx.months(*_shift_month(ctx.today.year, ctx.today.month, first), last - first + 1)
    return ctx.days(date(ctx.today.year + first, 1, 1), date(ctx.today.year + last + 1, 1, 1))


@_rule(
    r"\b(?:(?:in|over|during|for|within)\s+)?the\s+(?P<dir>past|last|next|coming)\s+"
    rf"(?:{_COUNT}\s+)?(?P<unit>day|week|month|year)(?P<plural>s)?\b"
)
def _rolling(match: re.Match[str], ctx: _Context) -> Span | None:
    """ "The past three weeks", "in the next few months", "over the past year": from now back or forward."""
    sign, unit = (1 if match["dir"].lower() in ("next", "coming") else -1), match["unit"].lower()
    counted = match["count"] or match["fuzzy"]
    if unit == "day" and not counted:
        return None  # "the next day" is relative to the story, not to now
    number = sign * (_estimate(match)[1] if counted or not match["plural"] else _FUZZY_RANGES["few"][1])
    if unit in ("day", "week"):
        edge = ctx.today + timedelta(days=number * (7 if unit == "week" else 1))
    else:
        edge = _shift_date(ctx.today, number * (12 if unit == "year" else 1))
    return (ctx.at(edge), ctx.now) if sign < 0 else (ctx.now, ctx.at(edge + timedelta(days=1)))


@_rule(
    r"\b(?:(?P<mod>this\s+past|last|this|next|past|(?:in|over|during|for)(?:\s+the)?)\s+)?"
    rf"(?P<season>summer|winter|spring|autumn|fall)\b(?:,?\s+(?:of\s+)?(?P<year>{_YEAR})\b)?"
)
def _season(match: re.Match[str], ctx: _Context) -> Span | None:
    """Northern-hemisphere seasons; winter runs from December into the next year."""
    modifier, month = _words(match["mod"]), _SEASON_STARTS[match["season"].lower()]
    if match["year"]:
        return ctx.months(int(match["year"]), month, 3)
    if not modifier:
        return None
    seasons = [ctx.months(year, month, 3) for year in range(ctx.today.year - 2, ctx.today.year + 2)]
    if modifier in ("last", "past", "this past"):
        return [span for span in seasons if span[1] <= ctx.now][-1]
    if modifier == "next":
        return [span for span in seasons if span[0] > ctx.now][0]
    if ctx.future:
        return [span for span in seasons if span[1] > ctx.now][0]
    if modifier == "this":  # the closest: in May "this winter" is the one just gone, "this summer" the next
        return min(seasons, key=lambda span: max(span[0] - ctx.now, ctx.now - span[1], timedelta(0)))
    return [span for span in seasons if span[0] <= ctx.now][-1]


def _is_verb(match: re.Match[str]) -> bool:
    """A lower-case "may"/"march" without a year: "I may go", "we march on"."""
    return match["month"].rstrip(".") in _VERB_MONTHS and not match["year"]


def _pick_year(ctx: _Context, month: int, modifier: str) -> int:
    """The year of a month named without one: "last May" is a past May, "in May" follows the tense."""
    year, current = ctx.today.year, ctx.today.month
    if modifier == "this" or (month == current and modifier not in ("last", "next")):
        return year
    if modifier == "next" or (modifier != "last" and ctx.future):
        return year if month > current else year + 1
    return year if month < current else year - 1


@_rule(
    r"\b(?:(?P<mod>in|during|since|last|this|next)\s+)?(?P<month>"
    rf"{_MONTH})(?!\s*\d{{1,2}}(?:st|nd|rd|th)?\b)(?:,?\s+(?:of\s+)?(?P<year>{_YEAR})\b)?",
    rf"\b(?P<mod>in|during|since|throughout|from)\s+(?P<year>{_YEAR})\b(?![-/:.]\d)",
)
def _month_or_year(match: re.Match[str], ctx: _Context) -> Span | None:
    """ "In May", "last March", "June 2022", "in 2022", "since May"; never a bare month name or number."""
    modifier, written, year = (match["mod"] or "").lower(), match.groupdict().get("month"), match["year"]
    if written is None:
        start, end = ctx.days(date(int(year), 1, 1), date(int(year) + 1, 1, 1))
    elif not (modifier or year) or (_is_verb(match) and modifier not in ("in", "during", "since", "last", "next")):
        return None  # "May I?", "this may take a while"
    else:
        month = _MONTH_NUMBERS[written.lower().rstrip(".")]
        start, end = ctx.months(int(year) if year else _pick_year(ctx, month, modifier), month)
    return (start, ctx.now) if modifier == "since" else (start, end)


@_rule(
    rf"\b(?:the\s+)?(?P<day>\d{{1,2}})(?P<ordinal>st|nd|rd|th)?\s+(?:of\s+)?(?P<month>{_MONTH})"
    rf"(?:,?\s+(?P<year>{_YEAR})\b)?",
    rf"\b(?P<month>{_MONTH})\s+(?P<day>\d{{1,2}})(?P<ordinal>st|nd|rd|th)?\b(?![:.]\d)"
    rf"(?:,?\s+(?P<year>{_YEAR})\b)?",
    rf"\b(?P<year>{_YEAR})-(?P<month>\d\d)-(?P<day>\d\d)\b",
)
def _calendar_day(match: re.Match[str], ctx: _Context) -> Span | None:
    """ "7 May 2023", "May 7th", "the 7th of May", "2023-05-07"; without a year, the tense picks one."""
    if _is_verb(match) and not match["ordinal"]:
        return None
    written = match["month"].lower().rstrip(".")
    month, day_number = int(written) if written.isdigit() else _MONTH_NUMBERS[written], int(match["day"])
    if match["year"]:
        day = date(int(match["year"]), month, day_number)
    else:
        years = range(ctx.today.year - 4, ctx.today.year + 5)
        options = [date(year, month, day_number) for year in years if day_number <= calendar.monthrange(year, month)[1]]
        if not options:
            return None
        past = [option for option in options if option <= ctx.today]
        day = min(option for option in options if option >= ctx.today) if ctx.future or not past else past[-1]
    return ctx.days(day, day + timedelta(days=1))


_SINCE = re.compile(r"\bsince\s+$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?\n]")


def _sentence(text: str, start: int, end: int) -> str:
    """The sentence around ``text[start:end]``, whose tense decides "Saturday" and "in May"."""
    left = max(text.rfind(mark, 0, start) for mark in ".!?\n") + 1
    found = _SENTENCE_END.search(text, end)
    return text[left : found.start() if found else len(text)]


def find_times(text: str, now: datetime) -> list[TimeRef]:
    """Every time expression in ``text`` resolved against ``now``, in order of appearance, never overlapping.

    A naive ``now`` is taken as UTC; an aware one keeps its timezone, and so do the returned spans.
    """
    now = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
    candidates: list[tuple[int, int, Span]] = []
    for pattern, resolve in _RULES:
        for match in pattern.finditer(text):
            sentence = _sentence(text, match.start(), match.end())
            try:
                span = resolve(match, _Context(now, sentence, bool(_FUTURE_MARKERS.search(sentence))))
            except ValueError:  # "31 June", "2023-13-45"
                span = None
            if span is not None:
                candidates.append((match.start(), match.end(), span))
    chosen: list[tuple[int, int, Span]] = []
    for start, end, span in sorted(candidates, key=lambda item: (item[0] - item[1], item[0])):
        if all(end <= other_start or start >= other_end for other_start, other_end, _ in chosen):
            chosen.append((start, end, span))
    found: list[TimeRef] = []
    for start, end, (span_start, span_end) in sorted(chosen, key=lambda item: item[0]):
        since = _SINCE.search(text, 0, start)
        if since and span_start < now:  # "since last year": from then until the moment of speech
            start, span_end = since.start(), now
        found.append(TimeRef(span_start, span_end, text[start:end]))
    return found


def resolve_time(text: str, now: datetime) -> TimeRef | None:
    """The first time expression in ``text`` resolved against ``now``, or None when there is none."""
    found = find_times(text, now)
    return found[0] if found else None


_SESSION_STAMP = re.compile(
    rf"\s*(?P<hour>\d{{1,2}}):(?P<minute>\d\d)\s*(?P<half>[ap])\.?m\.?\s+on\s+(?P<day>\d{{1,2}})\s+"
    rf"(?P<month>{_MONTH}),?\s+(?P<year>\d{{4}})\s*",
    re.IGNORECASE,
)


def parse_session_datetime(text: str) -> datetime:
    """A LoCoMo session stamp such as "1:56 pm on 8 May, 2023" as an aware UTC datetime.

    Raises ValueError for anything else, including impossible times and dates.
    """
    match = _SESSION_STAMP.fullmatch(text)
    if match is None:
        raise ValueError(f"not a session timestamp: {text!r}")
    hour, minute = int(match["hour"]), int(match["minute"])
    if not 1 <= hour <= 12:
        raise ValueError(f"hour out of range in {text!r}")
    hour = hour % 12 + (12 if match["half"].lower() == "p" else 0)
    month = _MONTH_NUMBERS[match["month"].lower().rstrip(".")]
    return datetime(int(match["year"]), month, int(match["day"]), hour, minute, tzinfo=UTC)
