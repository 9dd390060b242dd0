"""Constraints the user states in other words than "I'm allergic to …": a peanut allergy, a condition, a
medication, something they never want ("I have type 2 diabetes", "I'm on warfarin", "never book me flights").

The kind and subject come from :func:`memory.constraints.read_constraint`, the same reading the constraint
finder uses, so whatever is stored here is checked against every later message.
"""

from __future__ import annotations

import re

from memory.constraints import MEDICATION_WORDS, ConstraintKind, read_constraint
from memory.extraction import Candidate, fact
from memory.extraction_words import object_phrase, sentence_case, slug
from memory.profile import ProfileSection
from memory.records import MemoryKind
from memory.voice import second_person

DIETS = "vegetarian|vegan|pescatarian|pescetarian|keto|teetotal|halal|kosher"
INTOLERANCES = "coeliac|celiac|(?:gluten|lactose|dairy|nut|sugar)[- ](?:free|intolerant)"
I_AM = r"(?i:i'm|i am|im)"
HEALTH = ProfileSection.HEALTH


def constraint_fact(
    text: str, key: str, profile: tuple[ProfileSection, str, str], *, kind: MemoryKind, importance: float = 0.9
) -> Candidate:
    return fact(text, key, profile, kind=kind, importance=importance)


def read_diet_and_allergy(clause: str) -> Candidate | None:
    """The plainest ways to say it: "I'm vegetarian", "I'm lactose intolerant", "I'm allergic to peanuts",
    "I don't eat pork"."""
    if match := re.match(
        rf"^(?:{I_AM}|i've been|i have been)\s+(?:a\s+)?(?:strict\s+)?(?P<diet>{DIETS})\b(?P<rest>.*)$", clause, re.I
    ):
        rest = re.split(r",|\s+(?:and|but|so|because)\b", match["rest"], maxsplit=1)[0]  # one fact to a memory
        rest = re.sub(r"\b(?:btw|lol|tbh|haha)\b", "", rest)
        diet = " ".join(f"{match['diet']} {rest}".lower().split())
        return constraint_fact(f"I am {diet}", "user.diet", (HEALTH, "diet", diet), kind=MemoryKind.CONSTRAINT)
    if match := re.match(rf"^{I_AM}\s+(?:also\s+|very\s+)?(?P<what>{INTOLERANCES})\b", clause, re.I):
        what = match["what"].lower()
        return constraint_fact(
            f"I am {what}",
            f"user.intolerance.{slug(what.split()[0].split('-')[0])}",
            (HEALTH, what, what),
            kind=MemoryKind.CONSTRAINT,
        )
    if match := re.match(
        rf"^{I_AM}\s+(?:really\s+|very\s+|severely\s+|deathly\s+)?allergic\s+to\s+(?P<rest>.+)$", clause, re.I
    ):
        allergen = object_phrase(match["rest"])
        if allergen:
            return constraint_fact(
                f"I'm allergic to {allergen}",
                f"allergy.{slug(allergen)}",
                (HEALTH, f"allergic to {allergen.lower()}", f"allergic to {allergen.lower()}"),
                kind=MemoryKind.CONSTRAINT,
                importance=0.95,
            )
    if match := re.match(
        r"^i\s+(?:don't|do not|never)\s+eat\s+(?P<food>meat|fish|pork|beef|dairy|eggs|seafood)$", clause, re.I
    ):
        food = match["food"].lower()
        return constraint_fact(
            f"I don't eat {food}", f"user.diet.{food}", (HEALTH, f"no {food}", f"no {food}"), kind=MemoryKind.CONSTRAINT
        )
    return None


PRESCRIBED = re.compile(
    r"\b(?:started|put|switched|moved|changed)\s+me\s+(?:from\s+(?P<old>[\w-]+)\s+)?(?:on|onto|to)\b", re.IGNORECASE
)
""" "they've started me on amlodipine", "the gp switched me from amlodipine to losartan": the user's medication."""
MEDICINE_SWAPPED = re.compile(
    r"\b(?:switched|changed|swapped|moved)\s+(?:me\s+)?(?:from\s+)?(?P<old>[\w-]+)\s+(?:to|for)\s+(?P<new>[\w-]+)",
    re.IGNORECASE,
)
RUNNING_HIGH = re.compile(
    r"^(?P<what>blood pressure|cholesterol|blood sugar)(?:'s|\s+is|\s+was)?\s+(?:still\s+|too\s+|very\s+)?"
    r"(?:high|up)\b",
    re.IGNORECASE,
)
BARE_CONDITION = re.compile(
    r"^(?P<what>arthritis|asthma|diabetes|type\s+[12]\s+diabetes|epilepsy|migraines|gout|ibs|coeliac disease"
    r"|celiac disease|hypertension|sleep apnoea|sleep apnea|anaemia|anemia)\s*(?:,|$)",
    re.IGNORECASE,
)
TAKEN_FOR = re.compile(
    r"\bfor\s+(?:my\s+)?(?P<why>(?:high\s+|low\s+)?(?:blood pressure|cholesterol|heart|thyroid|diabetes|asthma"
    r"|epilepsy|depression|anxiety|migraines?|arthritis|acid reflux|reflux|back pain|blood sugar|sleep|adhd))\b",
    re.IGNORECASE,
)
ONE_AT_A_TIME = frozenset(
    "vegetarian vegan pescatarian pescetarian keto plant-based mediterranean paleo low-carb low-fodmap".split()
)
ADJECTIVES = frozenset("diabetic pregnant coeliac celiac epileptic asthmatic".split())
KEY_FAMILY = {
    ConstraintKind.ALLERGY: "allergy",
    ConstraintKind.INTOLERANCE: "user.intolerance",
    ConstraintKind.DIET: "user.diet",
    ConstraintKind.CONDITION: "health",
    ConstraintKind.MEDICATION: "medication",
    ConstraintKind.NEVER: "never",
}
STARTS_AS_STATEMENT = re.compile(
    r"^(?:i|i'm|i've|i'd|im|my|never|no|nothing|please never|don't ever|do not ever|we|we're|got|been|have|going|gone"
    r"|doing|(?:type\s+[12]\s+)?diabetic|coeliac|celiac|pregnant)\b",
    re.IGNORECASE,
)


def read_constraint_statement(clause: str) -> Candidate | None:
    """A constraint candidate from a clause that states one about the user, or None."""
    if (switch := MEDICINE_SWAPPED.search(clause)) and MEDICATION_WORDS.search(switch["old"]):
        taken = (
            f"takes {switch['new'].lower()}"  # "doctor switched enalapril to losartan 50": it takes the old one's place
        )
        key = f"medication.{slug(switch['old'], 3)}"
        return constraint_fact(
            f"I take {switch['new']}", key, (HEALTH, taken, taken), kind=MemoryKind.CONSTRAINT, importance=0.95
        )
    if high := RUNNING_HIGH.match(clause):  # "blood pressure high again at the clinic", as "my blood pressure is …"
        said = f"{high['what'].lower()} is high"
        return constraint_fact(
            f"My {said}", f"health.{slug(said, 3)}", (HEALTH, said, said), kind=MemoryKind.CONSTRAINT
        )
    if bare := BARE_CONDITION.match(clause):  # "arthritis, mostly right thumb"
        what = bare["what"].lower()
        return constraint_fact(
            f"I have {what}", f"health.{slug(what)}", (HEALTH, what, what), kind=MemoryKind.CONSTRAINT
        )
    if not STARTS_AS_STATEMENT.match(clause) and not PRESCRIBED.search(clause):
        return None
    found = read_constraint(clause)
    if found is None:
        return None
    kind, subject = found
    subject_lower = subject.lower()
    topic_key = None
    if kind == ConstraintKind.ALLERGY:
        text, phrase = f"I'm allergic to {subject}", f"allergic to {subject_lower}"
    elif kind == ConstraintKind.CONDITION and " is " in subject_lower:  # "my blood pressure is too high"
        text, phrase = f"My {subject_lower}", subject_lower
    elif kind == ConstraintKind.CONDITION:
        verb = "I'm" if subject_lower.split()[-1] in ADJECTIVES else "I have"
        text, phrase = f"{verb} {subject}", subject_lower
    elif kind == ConstraintKind.DIET and subject_lower in ("halal", "kosher"):
        text, phrase = f"I only eat {subject_lower}", f"only eats {subject_lower}"
    elif kind == ConstraintKind.DIET and " " not in subject_lower:
        text, phrase = f"I'm {subject_lower}", subject_lower
        if subject_lower in ONE_AT_A_TIME:  # "going pescatarian instead" ends keto; "teetotal" ends no diet
            topic_key = "user.diet"
    elif kind == ConstraintKind.MEDICATION:
        text, phrase = f"I take {subject}", f"takes {subject_lower}"
        if switched := PRESCRIBED.search(clause):  # "switched me from amlodipine to losartan": one replaces the other
            topic_key = f"medication.{slug(switched['old'], 3)}" if switched["old"] else None
        if why := TAKEN_FOR.search(clause):  # "been on losartan for my blood pressure"
            text, phrase = f"{text} for my {why['why']}", f"{phrase} for {why['why'].lower()}"
    else:  # the user's own words say it best: "I can't eat spicy food", "Never book me flights"
        text = clause.strip(" .!")
        phrase = re.sub(r"^(?:you're|you are|you)\s+", "", second_person(text)) or text
    if len(text.split()) > 14:
        return None  # a long reflection, not a constraint worth checking every message against
    topic = slug(subject, 3) or "other"
    return Candidate(
        text=sentence_case(text),
        kind=MemoryKind.CONSTRAINT,
        key=topic_key or f"{KEY_FAMILY[kind]}.{topic}",
        importance=0.95,
        confidence=0.9,
        profile=(ProfileSection.HEALTH, phrase[:80], phrase[:200]),
    )
