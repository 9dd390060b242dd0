"""Constraints the user states in other words than "I'm allergic to …": a peanut allergy, a condition, a
medication, something they never want ("I have type 2 diabetes", "I'm on warfarin", "never book me flights").

The kind and subject come from :func:`memory.constraints.read_constraint`, the same reading the constraint
finder uses, so whatever is stored here is checked against every later message.
"""

from __future__ import annotations

import re

from memory.constraints import ConstraintKind, read_constraint
from memory.extraction import Candidate
from memory.extraction_words import sentence_case, slug
from memory.profile import ProfileSection
from memory.records import MemoryKind
from memory.voice import second_person

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
    r"^(?:i|i'm|i've|i'd|im|my|never|no|nothing|please never|don't ever|do not ever)\b", re.IGNORECASE
)


def read_constraint_statement(clause: str) -> Candidate | None:
    """A constraint candidate from a clause that states one about the user, or None."""
    if not STARTS_AS_STATEMENT.match(clause):
        return None
    found = read_constraint(clause)
    if found is None:
        return None
    kind, subject = found
    subject_lower = subject.lower()
    if kind == ConstraintKind.ALLERGY:
        text, phrase = f"I'm allergic to {subject}", f"allergic to {subject_lower}"
    elif kind == ConstraintKind.CONDITION:
        verb = "I'm" if subject_lower in ADJECTIVES else "I have"
        text, phrase = f"{verb} {subject}", subject_lower
    elif kind == ConstraintKind.MEDICATION:
        text, phrase = f"I take {subject}", f"takes {subject_lower}"
    else:  # the user's own words say it best: "I can't eat spicy food", "Never book me flights"
        text = clause.strip(" .!")
        phrase = re.sub(r"^(?:you're|you are|you)\s+", "", second_person(text)) or text
    if len(text.split()) > 14:
        return None  # a long reflection, not a constraint worth checking every message against
    topic = slug(subject, 3) or "other"
    return Candidate(
        text=sentence_case(text),
        kind=MemoryKind.CONSTRAINT,
        key=f"{KEY_FAMILY[kind]}.{topic}",
        importance=0.95,
        confidence=0.9,
        profile=(ProfileSection.HEALTH, phrase[:80], phrase[:200]),
    )
