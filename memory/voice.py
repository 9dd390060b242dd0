"""Memories are kept in the user's own voice ("I'm allergic to peanuts"); the app speaks to them as "you"."""

from __future__ import annotations

import re

# Longest forms first, so "i'm" never becomes "you'm".
SECOND_PERSON = (
    (r"\bi am\b", "you are"),
    (r"\bi'm\b", "you're"),
    (r"\bim\b", "you're"),
    (r"\bi was\b", "you were"),
    (r"\bi've\b", "you've"),
    (r"\bi'll\b", "you'll"),
    (r"\bi'd\b", "you'd"),
    (r"\bmyself\b", "yourself"),
    (r"\bmine\b", "yours"),
    (r"\bmy\b", "your"),
    (r"\bme\b", "you"),
    (r"\bi\b", "you"),
    (r"\bwe're\b", "you're"),
    (r"\bour\b", "your"),
)
# Verbs that take an -s after "I" never do: only the few that read wrongly after "you" need mending.
VERB_AFTER_YOU = ((r"\byou has\b", "you have"), (r"\byou doesn't\b", "you don't"), (r"\byou is\b", "you are"))


def second_person(text: str) -> str:
    """``"I'm allergic to peanuts"`` → ``"you're allergic to peanuts"``; ``"My brother lives in Oslo"`` →
    ``"your brother lives in Oslo"``. The first letter is lower-cased so it reads inside a sentence."""
    converted = text.replace("’", "'")
    for pattern, replacement in (*SECOND_PERSON, *VERB_AFTER_YOU):
        converted = re.sub(pattern, replacement, converted, flags=re.IGNORECASE)
    return converted[:1].lower() + converted[1:] if converted[:2].lower() in ("yo",) else converted
