"""Habits and pastimes: routines ("I swim at 6:30am mon/wed/fri"), a changed schedule ("my swims are after
work instead, around 6pm"), what the user plays or practises, and projects ("I'm restoring an old road bike")."""

from __future__ import annotations

import re

from memory.extraction import Candidate, fact
from memory.extraction_words import DETERMINERS, PHRASE_STOP, object_phrase, slug
from memory.profile import ProfileSection
from memory.records import MemoryKind


def _habit(
    text: str,
    key: str,
    profile: tuple[ProfileSection, str, str] | None = None,
    *,
    kind: MemoryKind = MemoryKind.FACT,
) -> Candidate:
    return fact(text, key, profile, kind=kind, importance=0.6, confidence=0.8)


DAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?s?"
FREQUENCY = re.compile(
    r"\b(?:every|each)\s+(?:other\s+)?(?:\w+\s+)?(?:morning|afternoon|evening|night|day|week|weekend|month|year"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)s?\b(?:\s+(?:morning|afternoon|evening|night)s?)?"
    r"|\bon\s+(?:weekdays|weekends|mondays|tuesdays|wednesdays|thursdays|fridays|saturdays|sundays)\b"
    r"|\bon\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:mornings|afternoons|evenings|nights)\b"
    r"|\b(?:daily|weekly|twice a week|once a week|three times a week|every day)\b"
    rf"|\b{DAY}(?:\s*(?:/|,|&|and)\s*{DAY})+\b"  # "mon/wed/fri", "tue and thu"
    r"|(?<=ing)\s+(?:mornings|evenings|nights|weekends|weeknights)\b"  # "I'm swimming evenings now"
    r"|\b(?:usually|always|often|normally|regularly|typically|generally)\b",
    re.IGNORECASE,
)
FIRST_PERSON = re.compile(r"^(?:i|we|i've|we've|i'm|we're)\b", re.IGNORECASE)


def read_routine(clause: str) -> Candidate | None:
    """Habits: "every morning I walk the dog", "I usually go climbing on Thursdays"."""
    frequency = FREQUENCY.search(clause)
    if frequency is None:
        return None
    leading = re.match(r"^(?P<when>(?:every|each)\s+[\w\s]+?),?\s+(?P<rest>(?:i|we)\b.+)$", clause, re.IGNORECASE)
    statement = leading["rest"] if leading else clause
    if not FIRST_PERSON.match(statement) or re.match(r"^i(?:'m| am)\s+(?!\w+ing\b)", statement, re.I):
        return None  # "I'm always tired" is a state, not a routine
    if re.match(r"^(?:i|we)\s+(?:just\s+|finally\s+)?(?:started|began|joined|signed\s+up)\b", statement, re.I) and (
        re.search(r"\b(?:ago|last|yesterday|since)\b", statement, re.IGNORECASE)
    ):
        return None  # "I started pottery classes on tuesday evenings two weeks ago": a dated beginning, an event
    if re.match(r"^(?:i|we)(?:'ll|'d|\s+will|\s+would|\s+can|\s+could|\s+should)\b", statement, re.I):
        return None  # "I'll always remember…" is a promise, not a habit
    if len(statement.split()) > 16:
        return None  # a long reflective sentence, not a habit worth a profile line
    activity = FREQUENCY.sub("", statement)
    activity = re.sub(r"^(?:i|we)(?:'ve|\s+have)?\s+(?:been\s+)?", "", activity, flags=re.IGNORECASE).strip(" ,")
    activity = re.sub(r"\s+for\s+(?:a|an|\w+)\s+(?:days?|weeks?|months?|years?)(?:\s+now)?$", "", activity).strip()
    activity = " ".join(activity.split())
    activity = re.sub(r"^(?:'m|'re|am|are)\s+", "", activity)
    doing = _activity(activity)
    if doing is None:
        return None
    return _habit(
        clause,
        f"routine.{doing}",
        (ProfileSection.ROUTINES, activity.lower(), frequency[0].lower()),
        kind=MemoryKind.ROUTINE,
    )


LIGHT_VERBS = frozenset(
    "go goes going went do does doing did have has having take takes taking get gets getting m re ve ll".split()
)


def _activity(phrase: str) -> str | None:
    """What a routine is for its key, so a new schedule replaces the old one: "swim at 6:30am mon/wed/fri" and
    "swimming evenings now" are both ``swim``."""
    for word in re.findall(r"[a-z]+", phrase.lower()):
        if word in PHRASE_STOP or word in DETERMINERS or word in LIGHT_VERBS:
            continue
        if word.endswith("ing") and len(word) > 5:
            word = word[:-3]
            word = word[:-1] if word[-1] == word[-2] and word[-1] not in "lsz" else word
        elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
            word = word[:-1]
        return word.removesuffix("e") if len(word) > 3 else word
    return None


CHANGED_SCHEDULE = re.compile(
    r"\bmy\s+(?P<what>[a-z]+?)s?\s+(?:are|is)\s+(?:now\s+)?(?P<when>[\w\s:,]+?)\s+(?:now|instead)\b(?P<more>,?\s+"
    r"(?:around|at|on)\s+[\w:]+)?"
    r"|\bthat's\s+my\s+(?P<what2>[a-z]+)\s+(?:night|day|morning|evening|slot|time)\s+now\b"
    r"|\b(?:i\s+)?(?:moved|changed|switched)\s+(?:my\s+)?(?P<what4>[a-z]+)\s+(?P<kind4>practice|training|class|classes"
    r"|night|day|lessons?|sessions?)\s+to\s+(?P<when4>(?:mon|tues|wednes|thurs|fri|satur|sun)days?\s*(?:mornings?|evenings?"
    r"|nights?|afternoons?)?)"
    r"|\b(?P<what3>[a-z]+)\s+(?P<kind3>practice|training|class|classes|lessons?|sessions?|night|day)\s+(?:has|have|is|are)\s+"
    r"(?:moved|changed|switched)\s+to\s+(?P<when3>(?:mon|tues|wednes|thurs|fri|satur|sun)day\s*(?:mornings?|evenings?"
    r"|nights?|afternoons?)?)",
    re.IGNORECASE,
)
""" "since the move my swims are after work instead, around 6pm", "… on thursday evenings so that's my swim
night now": the routine of that name has moved."""


def read_changed_schedule(sentence: str) -> Candidate | None:
    """A new time for a routine the user already keeps, keyed like the old one so it replaces it."""
    match = CHANGED_SCHEDULE.search(sentence)
    if match is None:
        return None
    doing = _activity(match["what"] or match["what2"] or match["what3"] or match["what4"])
    if doing is None:
        return None
    if match["what3"] or match["what4"]:  # "netball practice has moved to saturday mornings", "moved chess night to …"
        what, kind, when = (
            match.group("what3", "kind3", "when3") if match["what3"] else match.group("what4", "kind4", "when4")
        )
        text = f"My {what.lower()} {kind.lower()} is on {when.strip()} now"
    elif match["what"]:
        text = f"My {match['what'].lower()}s are {match['when'].strip()}{match['more'] or ''} now"
    else:
        days = FREQUENCY.search(sentence[: match.start()]) or re.search(
            rf"\b{DAY}(?:\s+(?:mornings|evenings|nights))?", sentence[: match.start()], re.IGNORECASE
        )
        if days is None:
            return None
        text = f"My {match['what2'].lower()} is {days[0].strip()} now"
    return _habit(text, f"routine.{doing}", kind=MemoryKind.ROUTINE)


PROJECT = re.compile(
    r"^(?:i'm|i am|i've been|we're|we are)\s+(?:slowly\s+|finally\s+|still\s+)?(?P<verb>restoring|rebuilding"
    r"|renovating|building|knitting|sewing|writing|training for|fixing up|doing up|brewing|growing|making)\s+"
    r"(?P<rest>(?:a|an|my|our|the)\s+.+)$",
    re.IGNORECASE,
)
""" "I'm restoring an old Crescent road bike I found at a flea market": a project of the user's."""


def read_hobby(clause: str) -> Candidate | None:
    """ "I play the cello", "I started learning to knit": what the user does, without a schedule."""
    project = PROJECT.match(clause)
    found_at = r"\s+(?i:i|we)\s+(?:found|got|bought|picked up)\b"  # "… bike I found at a flea market"
    rest = re.split(found_at, project["rest"], maxsplit=1)[0] if project else ""
    if project and (made := object_phrase(rest)):
        verb = project["verb"].lower()
        return _habit(f"I'm {verb} {made}", f"user.project.{slug(made, 3)}")
    match = re.match(
        r"^i\s+(?:just\s+)?(?:play|started\s+playing|'ve\s+started\s+playing|started\s+learning|practi[cs]e)\s+"
        r"(?P<rest>.+)$",
        clause,
        re.IGNORECASE,
    )
    hobby = object_phrase(match["rest"]) if match else None
    if match is None or hobby is None or hobby.split()[0].lower() in ("nothing", "not", "it"):
        return None
    return _habit(f"{clause[: match.start('rest')].strip()} {hobby}", f"user.hobby.{slug(hobby, 3)}")
