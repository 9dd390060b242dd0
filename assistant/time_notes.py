"""Time in the answer, worked out by the app: how long ago, what happened then, and which fact is the newest.

"How long have I been doing pottery?" when memory dates the start:
The recalled lines carry their dates and how long ago they were ("I started pottery classes around 3 Oct 2026
(6 weeks ago)"), but a 0.5B model asked "how long" still answered "about 30 weeks" (from "30 Sep") or "14 years"
(Rua's age). The app reads the elapsed time off the most relevant dated line that speaks of what is asked, and
the reply opens with it ("About 6 weeks"), as the constraint and "I don't know" notes open theirs.

"What did I finally manage a couple of weeks ago?" points at the line dated then, and "what's Haruto studying
now?" at the newest line that speaks of it ("Haruto switched his major to oceanography"): the model had
answered from the profile, which still said marine biology. "When was the last time I was on a plane?" opens
"In 1998" from "I haven't been on a plane since 1998", and "how many years have we been together?" counts on
from "our 20th anniversary".
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta, tzinfo

from assistant.asked_detail import SYNONYMS
from assistant.prompt import PromptPart
from memory.timeparse import find_times

SOURCE = "time"

HOW_LONG = re.compile(
    r"\bhow\s+long\s+(?:(?P<ago>ago)\b|(?:have|has|had)\s+(?:i|we|you|my\s+\w+|our\s+\w+)\s+(?:been|had|known|owned"
    r"|lived|worked|played|kept|done|practi[sc]ed)\b|since\b)",
    re.IGNORECASE,
)
"""A question about time gone by: "how long ago did we lose Rua?", "how long have I had my rabbit?" (never "how
long should I roast a chicken?" or "how long did the flight take?")."""

FRAME = frozenset(
    """how long ago roughly about approximately now have has had been being doing done did do does we i my our me us
    you your get got gotten lose lost start started begin began the a an since it was were is are this that there so
    far already exactly just keep kept time times when what been with for of in on at to by any idea remind again
    owned known lived worked played practised practiced these days moment currently nowadays present still anymore
    latest current""".split()
)

AGO = r"(?P<ago>\d+ (?:day|week|month|year)s? ago)"
DATED_LINE = re.compile(rf"\((?:about|around) \d{{1,2}} [A-Z][a-z]+ \d{{4}}, {AGO}\)$")
"""A memory dated by what it says ("I started pottery two weeks ago", stored with its date): its line ends
"(about 3 Oct 2026, 6 weeks ago)". A line ending "(17 Oct 2026, 4 weeks ago)" only says when it was said."""
DATED_IN_TEXT = re.compile(rf"\b(?:on|around) \d{{1,2}} [A-Z][a-z]+ \d{{4}} \({AGO}\)")
""" "Rua died on 1 Oct 2026 (7 weeks ago)": a relative time in an old turn, dated by the app."""
BEGAN = re.compile(
    r"\b(?:start|began|begun|begin|got|adopt|moved|joined|took up|picked up|bought|met|married|new|first|since)",
    re.IGNORECASE,
)
""" "How long have I been doing pottery?" is answered from when it began ("I started pottery classes"), never from
"I quit pottery two weeks ago"."""
STEM_LENGTH = 5


def _asked_words(question: str) -> list[str]:
    words = re.findall(r"[a-z][a-z'-]+", question.lower())
    return [word[:STEM_LENGTH] for word in words if word not in FRAME and len(word) > 2]


def _speaks_of(text: str, words: Sequence[str]) -> int:
    """How many of the words asked about (stems) begin a word of ``text``."""
    lowered = text.lower()
    return sum(1 for word in words if re.search(rf"\b{re.escape(word)}", lowered))


def _recalled_lines(known: Sequence[str]) -> Iterator[str]:
    """The recalled memory lines ("- I started pottery …"), most relevant first, out of everything known."""
    for text in known:
        yield from (line for line in text.splitlines() if line.startswith("- "))


def _day(dated: re.Match[str], zone: tzinfo | None = None) -> datetime:
    """The day a line's "3 Nov 2026" names (its ``day`` group), in ``zone``."""
    return datetime.strptime(dated["day"], "%d %b %Y").replace(tzinfo=zone)


def elapsed_part(question: str, known: Sequence[str]) -> PromptPart | None:
    """A note and the reply's opening ("About 7 weeks ago") for a "how long" question about the user's past, from
    the first recalled line that speaks of what is asked and carries a date; None otherwise."""
    asked = HOW_LONG.search(question)
    words = _asked_words(question)
    if asked is None or not words:
        return None
    for line in _recalled_lines(known):
        dated = (DATED_IN_TEXT.search(line) or DATED_LINE.search(line)) if _speaks_of(line, words) else None
        if dated is None or not (asked["ago"] or BEGAN.search(line)):
            continue
        ago = dated["ago"]
        since = ago if asked["ago"] else ago.removesuffix(" ago")
        note = f"(Worked out from what I told you: that was {ago}.)"
        return PromptPart("", note, order=96, source=SOURCE, placement="turn", opening=f"About {since}")
    return None


ASKS_WHAT_HAPPENED = re.compile(r"^(?!.*\bwhen\b)(?=.*\b(?:what|where|who|which)\b)", re.IGNORECASE)
""" "what did I finally manage a couple of weeks ago?", "what was the deal with the cat a few weeks ago?"."""
SAID_ON = re.compile(r"\((?:about |around )?(?P<day>\d{1,2} [A-Z][a-z]{2} \d{4})[,)][^()]*\)$")
HAPPENED_ON = re.compile(r"\b(?:on|around) (?P<day>\d{1,2} [A-Z][a-z]{2} \d{4}) \(\d+ \w+ ago\)")
DID = re.compile(
    r"\b(?:I|we)\s+(?:\w+ly\s+)?(?:\w+ed|went|got|did|made|took|saw|met|ran|won|lost|began|bought|gave|had|came|"
    r"left|found|wrote|sold|spent|flew|drove|swam|ate|read|heard|built|caught|fell|kept|paid|taught|told|became)\b",
    re.IGNORECASE,
)
"""Something the user did: "I finally passed …", "we went …" (not "my neighbour is called Tom")."""
SLACK = timedelta(days=3)
MOST_QUOTED = 220


def around_then_part(question: str, known: Sequence[str], now: datetime) -> PromptPart | None:
    """ "What did I finally manage a couple of weeks ago?": a note that points at the most relevant recalled line
    dated inside the time asked about (the model had answered from the flat keys of 5 days ago)."""
    if not ASKS_WHAT_HAPPENED.match(question) or HOW_LONG.search(question):
        return None
    found = dated_then(question, known, now)
    if found is None:
        return None
    line, dated = found
    note = f"(What I told you from around then, {dated['day']}: “{_quoted(line, dated)}”.)"
    return PromptPart("", note, order=96, source=SOURCE, placement="turn")


def dated_then(question: str, known: Sequence[str], now: datetime) -> tuple[str, re.Match[str]] | None:
    """The recalled line dated inside the past span ``question`` names ("today", "a couple of weeks ago") that
    speaks most of what is asked, then is nearest the middle of the span, with its date; None when the question
    names no past span or no recalled line is dated inside it."""
    spans = [ref for ref in find_times(question, now) if ref.end <= now + SLACK]
    if not spans:
        return None
    start, end = spans[0].start - SLACK, spans[0].end + SLACK
    middle = spans[0].start + (spans[0].end - spans[0].start) / 2
    words = _asked_words(question)
    best: tuple[tuple[int, float, int], str, re.Match[str]] | None = None
    for line in _recalled_lines(known):
        dated = HAPPENED_ON.search(line) or SAID_ON.search(line)
        if dated is None or not start <= _day(dated, now.tzinfo) < end:
            continue
        # The most words asked about, then the day nearest the time asked ("a month ago": mid-October), whatever
        # order recall put the lines in; on the same day, something the user did ("I repainted the garden fence
        # with my neighbour Tom this afternoon") over a fact drawn from it ("My neighbour is called Tom"); then
        # recall's order.
        day = _day(dated, now.tzinfo)
        rank = (_speaks_of(line, words), -abs((day - middle).total_seconds()), int(bool(DID.search(line))))
        if best is None or rank > best[0]:
            best = (rank, line, dated)
    return None if best is None else (best[1], best[2])


def _quoted(line: str, dated: re.Match[str], words: Sequence[str] = ()) -> str:
    """The line's words without its dates in brackets; when long, the sentence that holds the date or the
    most words asked about."""
    text = SAID_ON.sub("", line.removeprefix("- ")).strip()
    text = re.sub(r" \(\d+ \w+ ago\)", "", text)
    if len(text) <= MOST_QUOTED:
        return text
    day = " ".join(dated["day"].split()[:2])
    held = [(day in sentence, _speaks_of(sentence, words), sentence) for sentence in re.split(r"(?<=[.!?])\s+", text)]
    best = max(held, key=lambda found: found[:2])
    return best[2] if best[0] or best[1] else text[:MOST_QUOTED].rsplit(" ", 1)[0] + " …"


ASKS_ABOUT_NOW = re.compile(
    r"\b(?:now|these days|at the moment|currently|at present|nowadays|still|any ?more|latest|current)\b", re.IGNORECASE
)


def newest_part(question: str, known: Sequence[str]) -> PromptPart | None:
    """ "What's Haruto studying now?": a note that quotes the newest recalled line speaking of what is asked, when
    an older one does too (the older fact may also be in the profile, which the model believes first)."""
    if not ASKS_ABOUT_NOW.search(question) or HOW_LONG.search(question):
        return None
    words = _asked_words(question)
    speaking: list[tuple[datetime, str, re.Match[str]]] = []
    for line in _recalled_lines(known):
        dated = (HAPPENED_ON.search(line) or SAID_ON.search(line)) if _speaks_of(line, words) else None
        if dated is not None:
            speaking.append((_day(dated), line, dated))
    if len({day for day, _, _ in speaking}) < 2:
        return None
    _, line, dated = max(speaking, key=lambda found: found[0])
    note = f"(The newest I told you on this, {dated['day']}: “{_quoted(line, dated, words)}”.)"
    return PromptPart("", note, order=96, source=SOURCE, placement="turn")


ASKS_LAST_TIME = re.compile(r"\b(?:when\s+was\s+the\s+last\s+time|when\s+did\s+(?:i|we)\s+last)\b", re.IGNORECASE)
NOT_SINCE = re.compile(
    r"\b(?:haven't|have not|hasn't|has not|hadn't|not|never)\b[^.!?]*?"
    r"\bsince\s+(?P<when>(?:[A-Z][a-z]+\s+)?(?:19|20)\d\d)\b"
)
""" "I haven't been on a plane since 1998": the last time was in 1998."""


def last_time_part(question: str, known: Sequence[str]) -> PromptPart | None:
    """ "When was the last time I was on a plane?" when memory says "I haven't been on a plane since 1998": the
    reply opens "In 1998" (the model had said it did not know)."""
    if not ASKS_LAST_TIME.search(question):
        return None
    words = _asked_words(question.replace("last", ""))
    for line in _recalled_lines(known):
        found = NOT_SINCE.search(line)
        if found and _speaks_of(found[0], words):
            note = f"(Worked out from what I told you: “{found[0]}”, so the last time was in {found['when']}.)"
            return PromptPart("", note, order=96, source=SOURCE, placement="turn", opening=f"In {found['when']}")
    return None


ASKS_YEARS_TOGETHER = re.compile(
    r"\bhow\s+(?:many\s+years|long)\b.*\b(?:together|married)\b|\bwhen\s+did\s+we\s+get\s+together\b", re.IGNORECASE
)
YEARS_TOGETHER = re.compile(
    r"\b(?:our\s+(?P<nth>\d{1,2})(?:st|nd|rd|th)\s+(?:wedding\s+)?anniversary"
    r"|(?:together|married)\s+(?:for\s+)?(?P<years>\d{1,2})\s+years)\b",
    re.IGNORECASE,
)
""" "our 20th anniversary", "married for 12 years": how long a couple has been together when it was said."""


def together_part(question: str, known: Sequence[str], now: datetime) -> PromptPart | None:
    """ "How many years have Bernadette and I been together?" from "our 20th anniversary", said two weeks ago:
    the reply opens "About 20 years" (the model had said "You're 6 weeks old now!")."""
    if not ASKS_YEARS_TOGETHER.search(question):
        return None
    for line in _recalled_lines(known):
        found = YEARS_TOGETHER.search(line)
        dated = SAID_ON.search(line) if found else None
        if found and dated:
            years = int(found["nth"] or found["years"]) + int((now - _day(dated, now.tzinfo)).days / 365.25)
            note = f"(Worked out from what I told you on {dated['day']}: “{found[0]}”, so about {years} years now.)"
            return PromptPart("", note, order=96, source=SOURCE, placement="turn", opening=f"About {years} years")
    return None


ASKS_WHEN = re.compile(r"^\W*(?:so\s+|and\s+|remind\s+me,?\s+)?when\s+(?:did|was|were)\s+(?:i|we)\b", re.IGNORECASE)
SAID_WHEN = re.compile(
    r"\b(?P<prep>in|on|around)\s+(?P<when>(?:\d{1,2}\s+)?(?:January|February|March|April|May|June|July|August"
    r"|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\s+\d{4})\b"
)
""" "I ran the Berlin half in February 2024": when it was, as the user's own line says it."""


def when_part(question: str, known: Sequence[str]) -> PromptPart | None:
    """ "When did I run my last half marathon?" when a recalled line dates it ("I ran the Berlin half in February
    2024"): the reply opens "In February 2024" (the model had said it had not been told)."""
    if not ASKS_WHEN.search(question) or ASKS_LAST_TIME.search(question):
        return None
    words = _asked_words(question)
    best: tuple[int, str, re.Match[str]] | None = None
    for line in _recalled_lines(known):
        said = SAID_WHEN.search(SAID_ON.sub("", line))
        plain = " ".join(SYNONYMS.get(word, word) for word in re.findall(r"[\w'-]+", line.lower()))  # ran: run
        shared = _speaks_of(plain, words)
        if said and shared >= min(2, len(words)) and (best is None or shared > best[0]):
            best = (shared, line, said)
    if best is None:
        return None
    _, line, said = best
    quoted = SAID_ON.sub("", line.removeprefix("- ")).strip()
    note = f"(When it was, from what I told you: “{quoted[:MOST_QUOTED]}”.)"
    opening = f"{said['prep'].capitalize()} {said['when']}"
    return PromptPart("", note, order=96, source=SOURCE, placement="turn", opening=opening)
