"""Who each user has introduced, and who they named last: the extraction context the memory writer passes on.

"Ana moved to Porto" is about the user's sister when memory knows her, and "she's a chef" is about the person
named just before, within a few turns and hours (see :meth:`memory.extraction_people.People.resolve_pronoun`
for the rest of that rule).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from memory.extraction import Candidate, ExtractionContext
from memory.extraction_people import people_in
from memory.records import Memory, MemoryKind

RECENT_TURNS = 3
"""For how many user turns "he" or "she" can still mean the person last named…"""
RECENT_WITHIN = timedelta(hours=6)
"""… and for how long: a "she" in a chat days later is about someone else."""


class PeopleTracker:
    """Per user: the people and pets memory knows (name → relation, read from the stored memories once and kept
    up to date), and the one named last. Not thread-safe on its own: the writer's lock serialises its calls."""

    def __init__(self, memories_of: Callable[[str], Iterable[Memory]]) -> None:
        self._memories_of = memories_of
        self._people: dict[str, dict[str, str]] = {}
        self._last_named: dict[str, tuple[str, int, datetime]] = {}
        self._turns_seen: dict[str, int] = {}

    def context(self, user: str, said_at: datetime) -> ExtractionContext:
        return ExtractionContext(dict(self.people_of(user)), self._recent_person(user, said_at))

    def people_of(self, user: str) -> dict[str, str]:
        if user not in self._people:
            people: dict[str, str] = {}
            for memory in self._memories_of(user):
                if memory.kind in (MemoryKind.PERSON, MemoryKind.PET):
                    people.update(people_in(memory.text))
            self._people[user] = people
        return self._people[user]

    def learn(self, user: str, candidates: Sequence[Candidate]) -> None:
        for candidate in candidates:
            self.people_of(user).update(people_in(candidate.text))

    def note_names(self, user: str, text: str, said_at: datetime) -> None:
        """Remember who this turn named last, so a "she" in the next few turns can refer to them."""
        seen = self._turns_seen[user] = self._turns_seen.get(user, 0) + 1
        positions = {
            name: match.start()
            for name in self.people_of(user)
            if (match := re.search(rf"\b{re.escape(name)}\b", text, re.IGNORECASE))
        }
        if positions:
            self._last_named[user] = (max(positions, key=lambda name: positions[name]), seen, said_at)

    def reread(self, user: str) -> None:
        """Read the user's people from their memories again at next use (a memory was undone or deleted)."""
        self._people.pop(user, None)

    def forget_user(self, user: str) -> None:
        for cache in (self._people, self._last_named, self._turns_seen):
            cache.pop(user, None)

    def _recent_person(self, user: str, said_at: datetime) -> str | None:
        last = self._last_named.get(user)
        if last is None:
            return None
        name, turn, when = last
        recent = self._turns_seen.get(user, 0) - turn <= RECENT_TURNS and abs(said_at - when) <= RECENT_WITHIN
        return name if recent else None
