"""What is said of one of the user's people or pets in passing: an age ("granddaughter valentina, 8"), a
birthday ("norma birthday 20 february"), a job in apposition ("son martin, sommelier at a restaurant in
madrid"), a coming birthday ("kamau turns 35 next week"), a breed ("he's a beagle") or an allergy."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from memory.extraction import Candidate
from memory.extraction_words import PETS, PROFESSIONS, object_phrase, slug, when
from memory.profile import ProfileSection
from memory.records import MemoryKind


class Person(Protocol):
    """What a detail needs of :class:`memory.extraction_people.Person` (kept apart: that module reads details)."""

    @property
    def is_pet(self) -> bool: ...

    @property
    def id(self) -> str: ...

    @property
    def display(self) -> str: ...

    def profile(self, detail: str) -> tuple[ProfileSection, str, str]: ...


BIRTHDAY = re.compile(
    r"^(?:'s\s+)?birthday(?:\s+is|'s)?\s+(?:on\s+)?(?P<day>(?:the\s+)?\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?[a-z]{3,9}"
    r"|[a-z]{3,9}\s+\d{1,2}(?:st|nd|rd|th)?)\b",
    re.IGNORECASE,
)
AGED = re.compile(r"^(?:,\s*)?(?P<age>\d{1,3})(?:\s*(?:yrs?|years?)(?:\s+old)?)?\s*(?:,|$)", re.I)
APPOSITIVE_JOB = re.compile(
    r"^(?:,\s*)?(?:an?\s+)?(?P<job>[a-z][\w-]*(?:\s+[a-z][\w-]*)?)(?P<where>\s+(?:at|in|for|with)\s+[^,]+)?(?:,|$)",
    re.IGNORECASE,
)
TURNS = re.compile(r"^(?:turns|is\s+turning|'s\s+turning|will\s+be)\s+(?P<age>\d{1,3})\b", re.IGNORECASE)
BREED = re.compile(rf"^(?:is|'s)\s+(?:a|an)\s+(?:[\w-]+\s+)?(?P<breed>{PETS})\s*$", re.IGNORECASE)
ALLERGIC = re.compile(r"^(?:is|'s)\s+(?:also\s+|very\s+|severely\s+)?allergic\s+to\s+(?P<what>.+)$", re.IGNORECASE)


def read_detail(person: Person, rest: str, said_at: datetime, kind: MemoryKind) -> Candidate | None:
    """A candidate for one detail of ``person`` from what follows their name, or None."""
    if birthday := BIRTHDAY.match(rest):
        day = birthday["day"].strip()
        return _said_of(person, kind, f"'s birthday is on {day}", "birthday", f"birthday {day}")
    if (aged := AGED.match(rest)) and 0 < int(aged["age"]) < 120:
        age = f"{aged['age']}{'' if person.is_pet else ' years old'}"
        return _said_of(person, kind, f" is {age}", "age", age)
    if (job := APPOSITIVE_JOB.match(rest)) and job["job"].split()[-1].lower() in PROFESSIONS:
        what = f"{job['job']}{job['where'] or ''}".strip()
        return _said_of(person, kind, f" is a {what}", "job", what, confidence=0.8)
    if (turns := TURNS.match(rest)) and not person.is_pet:
        ref = when(rest, said_at, future=True)
        on = f" on {ref.start:%-d %B %Y}" if ref and ref.start > said_at else ""
        said = f"turns {turns['age']}{on}"
        return _said_of(person, kind, f" {said}", "age", said, refers_to=ref.moment if ref else None)
    if person.is_pet and (breed := BREED.match(rest)):
        return _said_of(
            person, kind, f" is a {breed['breed'].lower()}", "breed", breed["breed"].lower(), confidence=0.9
        )
    if (allergic := ALLERGIC.match(rest)) and (allergen := object_phrase(allergic["what"])):
        slot = f"allergy.{slug(allergen, 3)}"
        detail = f"allergic to {allergen}"
        return _said_of(person, kind, f" is {detail}", slot, detail, importance=0.9, confidence=0.9)
    return None


def _said_of(
    person: Person,
    kind: MemoryKind,
    predicate: str,
    slot: str,
    detail: str,
    *,
    importance: float = 0.7,
    confidence: float = 0.85,
    refers_to: datetime | None = None,
) -> Candidate:
    return Candidate(
        text=f"{person.display}{predicate}",
        kind=kind,
        key=f"{person.id}.{slot}",
        importance=importance,
        confidence=confidence,
        refers_to=refers_to,
        profile=person.profile(detail),
    )
