"""What the extraction model may add: a fact in one of the shapes it was trained on, said by the user about
themselves or their people.

The packaged 0.5B model with its extraction adapter finds facts the rules miss, but in long or unusual messages
it also lists passing remarks ("I have a small request"), files a fact under the wrong slot ("I'm Brazilian"
as a diet) and moves a fact from one person to another ("my sister bia is studying medicine" → "I'm studying
medicine"). A candidate is kept only when its key names a slot the adapter was trained on and its text has that
slot's shape (an age is "I am 41", a home names a place after "live in", a diet names a diet), a person's
relation stands next to their name in the message, and a fact the user gives as theirs was not said of someone
else. The key is the slot a later fact replaces, so a wrong one would overwrite a right memory: when in doubt,
the candidate goes.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

from memory.extraction_text import is_skipped
from memory.extraction_words import PET_WORDS, PROFESSIONS, RELATIONS
from memory.timeparse import find_times

DIETS = (
    r"vegetarian|vegan|pescatarian|keto|paleo|halal|kosher|gluten[- ]free|dairy[- ]free|plant[- ]based|low[- ]carb"
    r"|carnivore|flexitarian"
)
PLACE = r"(?!The\b|A\b|An\b|My\b|Our\b)[A-Z][\w'-]+"
# slot → the shape its memory text must have (the text as the model wrote it, before any rewording)
USER_SHAPES: dict[str, re.Pattern[str]] = {
    "name": re.compile(
        r"^(?:my name is|everyone calls me|i'm|i am)\s+(?P<name>[a-z][\w'-]+)(?:\s+[a-z][\w'-]+)?$", re.I
    ),
    "age": re.compile(r"^i(?: am|'m| just turned| turned)\s+\d{1,3}\b(?! years? (?:younger|older|ago))", re.I),
    "home": re.compile(
        rf"^(?i:i(?:'m| am)?\s+(?:live|living|moved|relocated|based|just moved|now live)\b.*\b(?:in|to))\s+{PLACE}"
    ),
    "origin": re.compile(
        rf"^(?i:i(?:'m| am| was| grew)?\s*(?:from|born in|up in|born and brought up in|brought up in))\s+{PLACE}"
    ),
    "job": re.compile(r"^i\s+(?:work|am|'m|started)\b.*\b(?P<job>\w+)\b", re.I),
    "diet": re.compile(rf"^i(?:'m| am| went| eat| have been| am going| started)\b.*\b(?:{DIETS})\b", re.I),
}
NO_LONGER = re.compile(r"\b(?:given up|gave up|stopped|quit|no longer|not|never|off)\b", re.I)
SHAPES: dict[str, re.Pattern[str]] = {
    "allergy": re.compile(r"\ballerg", re.I),
    "health": re.compile(r"^i (?:have|'ve got|have got|was diagnosed with)\b", re.I),
    "medication": re.compile(r"\d|\b(?:take|taking|on)\b", re.I),
    "likes": re.compile(
        r"^(?:i (?:love|like|hate|adore|don't like|can't stand|'m (?:a big fan|not a fan|obsessed)|am (?:a big fan"
        r"|not a fan|obsessed))|my favou?rite\b)",
        re.I,
    ),
    "hobby": re.compile(
        r"^(?:i(?:'m| am) (?:really )?into|i have been learning|my hobby is|i spend \w+ on|i (?:took"
        r"|am taking|'m taking|started) up)\b",
        re.I,
    ),  # fmt: skip
    "routine": re.compile(
        r"\b(?:mondays?|tuesdays?|wednesdays?|thursdays?|fridays?|saturdays?|sundays?|weekends?|every"
        r"|mornings|evenings|nights)\b",
        re.I,
    ),  # fmt: skip
}
NOT_A_NAME = re.compile(r"(?:ian|ese|ish|ing|ed|ous|ive|ful|ic|al|y)$")
RELATION_FACT = re.compile(
    rf"^(?:my|our)\s+(?P<relation>{RELATIONS}|bff|gf|bf|mom|mam)(?=\s+(?:is|works|lives)\b)", re.I
)
PERSON = re.compile(rf"^(?:my|our)\s+(?P<relation>{RELATIONS}|bff|gf|bf|mom|mam)\s+(?P<name>[A-Z][\w'-]+)\b", re.I)
PERSON_SHAPES: dict[str, re.Pattern[str]] = {
    "home": re.compile(
        rf"^\s+(?i:lives|is living|moved|has moved|just moved|is based|is now)\b.*\b(?i:in|to)\s+{PLACE}"
    ),
    "job": re.compile(
        rf"^\s+(?:is an?|works as an?|works at|is now an?)\s+(?:\w+\s+)?(?:{'|'.join(PROFESSIONS)})\b", re.I
    ),
    "age": re.compile(r"^\s+(?:is|just turned|turned|turns)\s+\d{1,3}\b", re.I),
    "allergy": re.compile(r"^\s+is allergic to\b", re.I),
    "diet": re.compile(rf"^\s+is\s+(?:{DIETS})\b", re.I),
}
RELATION_NAME = re.compile(rf"^(?:my|our)\s+(?P<relation>{RELATIONS}|bff|gf|bf)(?:'s name is| is called)\s+\w+", re.I)
PET_NAMED = re.compile(rf"^(?:i have|i've got|we have) an? (?:{'|'.join(PET_WORDS)}) (?:called|named) [A-Z]", re.I)
PET_BREED = re.compile(rf"^(?:my|our)\s+(?:old\s+)?(?:{'|'.join(PET_WORDS)})\s+\w+\s+is an?\s+", re.I)
SOMEONE_ELSE = re.compile(
    rf"^(?:(?:oh|so|and|but|also|btw|actually)\s+)?(?:(?:my|our|his|her|their)\s+(?:{RELATIONS}|bff|gf|bf|mom|mam|lead)\b"
    r"|he\b|she\b|they\b|he's\b|she's\b|they're\b)",
    re.I,
)
CLAUSES = re.compile(r"[.!?;,]\s+|\s+(?:and|but|so|bc|because)\s+", re.I)
WORD = re.compile(r"[a-z0-9]+")


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _words(text: str) -> list[str]:
    return WORD.findall(_plain(text))


def _named_together(relation: str, name: str, said: str) -> bool:
    """Whether the user named this person with this relation: "my sister Bia", "Bia (my sister", "Bia, my sister",
    "Bia is my sister" — not "Marta's sister"."""
    relation, name, plain = re.escape(_plain(relation)), re.escape(_plain(name)), _plain(said)
    together = (
        rf"\b(?:my|our)\s+(?:\w+\s+)?{relation}\s+(?:\w+\s+){{0,2}}{name}\b"
        rf"|\b{name}\s*[(,-]\s*(?:my|our)\s+(?:\w+\s+)?{relation}\b|\b{name} is (?:my|our) {relation}\b"
    )
    return bool(re.search(together, plain))


def _source_clause(text: str, said: str) -> str:
    """The clause of what was said that holds most of the candidate's words."""
    wanted = {word for word in _words(text) if len(word) > 3} - {"have", "been", "with", "from", "called", "name"}
    if not wanted:
        return ""
    return max(CLAUSES.split(said), key=lambda clause: len(wanted & set(_words(clause)))).strip()


def _said_of_someone_else(text: str, said: str) -> bool:
    """A fact in the user's voice whose words the user said about someone else ("my sister bia is studying
    medicine" read as "I'm studying medicine")."""
    clause = _source_clause(text, said)
    return bool(SOMEONE_ELSE.match(clause)) and not re.search(r"\b(?:i|i'm|im|me)\b", clause, re.I)


def _introduced(text: str, said: str) -> bool:
    """The user's name, as the user introduced themselves ("i'm olu", "name's Ruth", "Morag here")."""
    match = USER_SHAPES["name"].search(text)
    if match is None:
        return False
    name = _plain(match["name"])
    capitalised = match["name"][:1].isupper() and re.search(rf"\b{re.escape(match['name'])}\b", said)
    if not capitalised and (NOT_A_NAME.search(name) or name in PROFESSIONS):
        return False  # "I'm vegetarian", "im brazilian"
    introduced = rf"\b(?:i'm|im|i am|name's|name is|call me|calls me)\s+{re.escape(name)}\b|\b{re.escape(name)} here\b"
    return bool(re.search(introduced, _plain(said)))


def _user_slot(text: str, proposed: str) -> str:
    """The slot of the user's own facts the text has the shape of (a diet is a diet whatever the model filed it
    under: "I am a pescatarian" under "user.job"), else the model's."""
    for slot in ("diet", "age", "home", "origin"):
        if USER_SHAPES[slot].search(text):
            return slot
    return proposed


def checked_key(text: str, kind: str, key: str | None, said: str, said_at: datetime) -> tuple[bool, str | None]:
    """(keep, key) for a model candidate: whether it has the shape of a slot it was trained on, and the key."""
    if is_skipped(_source_clause(text, said)):
        return False, None  # "if I were allergic to shellfish", "my friend says she's vegan"
    if key is None:
        return kind == "plan" and bool(find_times(text, said_at)), None
    head, _, slot = key.partition(".")
    if pet := PET_NAMED.match(text):  # a named pet is the pet's slot whatever key the model gave ("cat.name")
        return True, f"pet.{_words(text[pet.end() - 1 :])[0]}"
    about_someone = PERSON.match(text) or RELATION_FACT.match(text) or RELATION_NAME.match(text)
    if head == "user" or (head not in SHAPES and head != "pet" and slot != "breed" and not about_someone):
        slot = _user_slot(text, slot if head == "user" else "")
        own = f"user.{slot}"
        shape = USER_SHAPES.get(slot)
        if shape is None or not shape.search(text) or _said_of_someone_else(text, said):
            return False, None
        if slot == "name":
            return _introduced(text, said), own
        if slot == "diet" and NO_LONGER.search(text):
            return False, None
        if slot == "job":
            said_job = set(_words(text)) & PROFESSIONS or re.search(r"\bwork(?:s|ing)? (?:as|at|for)\b", text, re.I)
            return bool(said_job), own
        return True, own
    if head in SHAPES:
        keep = bool(SHAPES[head].search(text)) and not PERSON.match(text) and not _said_of_someone_else(text, said)
        slot_named = set(_words(slot.replace("_", " "))) <= set(_words(text))
        return keep, key if keep and slot_named else None  # a slot the text does not name would replace another
    if head == "pet":
        return bool(PET_NAMED.match(text)), key if set(_words(slot.replace("_", " "))) <= set(_words(text)) else None
    person = PERSON.match(text)
    if slot == "name" and (named := RELATION_NAME.match(text)):
        return named["relation"].replace(" ", "_").lower() == head, key
    if (about := RELATION_FACT.match(text)) and _words(about["relation"]) == head.split("_"):
        shape = PERSON_SHAPES.get(slot)
        return bool(shape and shape.search(text[about.end() :])), key
    if slot == "breed":
        return bool(PET_BREED.match(text)), key
    if person is None or _plain(person["name"]) != head.replace("_", " "):
        return False, None
    if not _named_together(person["relation"], person["name"], said):
        return False, None  # "marta's sister" is not "my sister Marta"
    shape = PERSON_SHAPES.get(slot)
    return bool(shape and shape.search(text[person.end() :])), key
