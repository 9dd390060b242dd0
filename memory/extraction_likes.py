"""Likes and dislikes: "I love hiking", "I'm not a fan of jazz", "true crime podcasts bore me to tears"."""

from __future__ import annotations

import re

from memory.extraction import Candidate
from memory.extraction_words import object_phrase, sentence_case, slug
from memory.profile import ProfileSection
from memory.records import MemoryKind

LIKES = re.compile(
    r"^(?P<subject>i\s+|)(?P<verb>(?:really\s+|absolutely\s+|totally\s+|just\s+)?(?:love|adore|hate|detest"
    r"|can't stand|cannot stand)|(?:(?<=i )(?:really\s+)?(?:like|enjoy|dislike|don't (?:really )?like"
    r"|do not like|don't enjoy))|(?<=i )(?:'m|am)\s+(?:not\s+)?(?:(?:a\s+)?(?:big\s+|huge\s+)?fan\s+of|into))"
    r"\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
DISLIKING = re.compile(r"hate|detest|stand|dislike|don't|do not|not", re.IGNORECASE)


BORES_ME = re.compile(
    r"^(?!(?:it|that|this|he|she|they|you|everyone|everything|work)\b)(?P<thing>(?:[\w'-]+\s+){0,3}?[\w'-]+)\s+"
    r"(?:bores?|bored|drives?)\s+me\b(?:\s+(?:to tears|mad|crazy|nuts|up the wall|to sleep))?",
    re.IGNORECASE,
)
""" "True crime podcasts bore me to tears": a dislike said the other way round."""


BIG_FAN = re.compile(
    r"^(?:i'm|i am|im)\s+(?:a\s+)?(?:big|huge|massive|total|real|proper)\s+(?P<thing>[\w\s'-]{2,30}?)\s+"
    r"(?:guy|girl|fan|person|lover|nerd|geek|buff|head|fiend)$",
    re.IGNORECASE,
)
""" "I'm a big jazz guy", "I'm a huge horror fan": a like said as who the user is."""
CANT_STAND_IT = re.compile(
    r"^(?P<thing>[a-z][\w\s'-]{1,30}?)(?:\s+please)?\s*,?\s+(?:i\s+)?(?:can't|cannot)\s+stand\s+(?:the\s+stuff"
    r"|it|them|that stuff)$",
    re.IGNORECASE,
)
""" "(no) coriander please, can't stand the stuff": the dislike named before the verb."""


def read_like(clause: str) -> Candidate | None:
    clause = re.sub(r"^not\s+(?=(?:a\s+)?(?:big\s+|huge\s+)?fan\s+of\b)", "i'm not ", clause, flags=re.IGNORECASE)
    if (fan := BIG_FAN.match(clause)) and (thing := object_phrase(fan["thing"])):
        clause = f"i love {thing}"
    elif stand := CANT_STAND_IT.match(clause):
        clause = f"i can't stand {stand['thing']}"
    if (bores := BORES_ME.match(clause)) and (thing := object_phrase(bores["thing"])):
        rest = clause[bores.end() :].strip()
        if not rest or not re.match(r"^(?:to|into|home|around)\b", rest, re.IGNORECASE):
            clause = f"i don't like {thing}"
    clause = re.sub(r"^(?:i'm|im)\b", "i 'm", clause, flags=re.IGNORECASE)
    match = LIKES.match(clause)
    if match is None:
        return None
    liked = object_phrase(match["rest"])
    if liked is None or liked.lower().startswith("to "):  # "I'd love to …" is a wish, "I hate to say" a turn of phrase
        return None
    topic = slug(liked)
    if topic is None:  # only determiners or punctuation ("I love that!"): nothing to remember
        return None
    verb = match["verb"].replace("'m", "am").lower()
    section = ProfileSection.DISLIKES if DISLIKING.search(verb) else ProfileSection.LIKES
    return Candidate(
        text=sentence_case(f"I {verb} {liked}".replace("I am ", "I'm ")),
        kind=MemoryKind.PREFERENCE,
        key=f"likes.{topic}",
        importance=0.6,
        confidence=0.85,
        profile=(section, liked.lower(), liked),
    )
