"""The user's profile: a few structured facts and preferences, always in the system prompt.

Memories are many and found by search; the profile is small and always there ("Name: Sam. Answers:
short."). Entries come from two places: the user sets them by hand, or the extractor derives them from
memories. A manual entry is never overwritten by an automatic one, and an automatic entry disappears
when the last memory it rests on is deleted. Stored in ``memory.sqlite3`` beside the journal.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from memory.users import validate_user_name

SCHEMA = """
CREATE TABLE IF NOT EXISTS profile_entries (
    user TEXT NOT NULL,
    section TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    confidence REAL NOT NULL,
    sources_json TEXT NOT NULL,
    manual INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user, section, key)
)
"""


class ProfileSection(StrEnum):
    IDENTITY = "identity"
    """Name, age, home, job, languages…"""
    HEALTH = "health"
    """Allergies, intolerances, diet, conditions, medication, firm "never"s."""
    PEOPLE = "people"
    PETS = "pets"
    LIKES = "likes"
    DISLIKES = "dislikes"
    ROUTINES = "routines"
    ANSWER_STYLE = "answer_style"
    """How the user wants answers: length, tone, language, format."""


SECTION_ORDER = {section: position for position, section in enumerate(ProfileSection)}


def normalise_key(key: str) -> str:
    """Keys compare case- and space-insensitively: ``" Name "`` and ``"name"`` are one entry."""
    return " ".join(key.split()).lower()


class ProfileEntry(BaseModel):
    """One profile fact: ``key`` within ``section`` (``people``/``ana`` → ``sister, lives in Porto``)."""

    model_config = ConfigDict(extra="forbid")

    user: str
    section: ProfileSection
    key: str = Field(min_length=1, max_length=80)
    value: str = Field(min_length=1, max_length=300)
    confidence: float = Field(1.0, ge=0.0, le=1.0)
    sources: list[str] = Field(default_factory=list, description="Ids of the memories the entry rests on.")
    manual: bool = False
    updated_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @field_validator("user")
    @classmethod
    def _valid_user(cls, value: str) -> str:
        return validate_user_name(value)

    @field_validator("key", mode="before")
    @classmethod
    def _normalised_key(cls, value: object) -> object:
        return normalise_key(value) if isinstance(value, str) else value

    @field_validator("value", mode="before")
    @classmethod
    def _stripped_value(cls, value: object) -> object:
        return " ".join(value.split()) if isinstance(value, str) else value

    @field_validator("updated_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


class ProfileStore:
    """Per-user profile entries in SQLite (thread-safe); every call names the user."""

    def __init__(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._db = sqlite3.connect(data_dir / "memory.sqlite3", check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("PRAGMA journal_mode = WAL")
            with self._db:
                self._db.execute(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def entries(self, user: str, section: ProfileSection | None = None) -> list[ProfileEntry]:
        """The user's entries (of one section, or all), in section order then by key."""
        validate_user_name(user)
        sql, parameters = "SELECT * FROM profile_entries WHERE user = ?", [user]
        if section is not None:
            sql += " AND section = ?"
            parameters.append(ProfileSection(section).value)
        with self._lock:
            rows = self._db.execute(sql, parameters).fetchall()
        found = [self._entry(row) for row in rows]
        return sorted(found, key=lambda entry: (SECTION_ORDER[entry.section], entry.key))

    def get(self, user: str, section: ProfileSection, key: str) -> ProfileEntry | None:
        validate_user_name(user)
        with self._lock:
            row = self._db.execute(
                "SELECT * FROM profile_entries WHERE user = ? AND section = ? AND key = ?",
                (user, ProfileSection(section).value, normalise_key(key)),
            ).fetchone()
        return self._entry(row) if row else None

    def set(
        self,
        user: str,
        section: ProfileSection,
        key: str,
        value: str,
        *,
        sources: Iterable[str] = (),
        confidence: float = 1.0,
    ) -> ProfileEntry:
        """The user's own edit: stored as manual, so extraction never overwrites it."""
        entry = ProfileEntry(
            user=user,
            section=section,
            key=key,
            value=value,
            confidence=confidence,
            sources=list(dict.fromkeys(sources)),
            manual=True,
        )
        return self.put(entry)

    def put(self, entry: ProfileEntry) -> ProfileEntry:
        """Store ``entry`` exactly as given, replacing any entry with its section and key (used by import)."""
        with self._lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO profile_entries"
                "(user, section, key, value, confidence, sources_json, manual, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    entry.user,
                    entry.section.value,
                    entry.key,
                    entry.value,
                    entry.confidence,
                    json.dumps(entry.sources),
                    int(entry.manual),
                    entry.updated_at.isoformat(timespec="microseconds"),
                ),
            )
        return entry

    def unset(self, user: str, section: ProfileSection, key: str) -> bool:
        """Remove an entry; True when there was one."""
        validate_user_name(user)
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM profile_entries WHERE user = ? AND section = ? AND key = ?",
                (user, ProfileSection(section).value, normalise_key(key)),
            )
        return cursor.rowcount > 0

    def apply_automatic(
        self, user: str, section: ProfileSection, key: str, value: str, *, source: str, confidence: float
    ) -> ProfileEntry | None:
        """An entry derived from memory ``source``; None when a manual entry holds that key.

        The same value again adds ``source`` to the evidence and keeps the higher confidence; a
        different value replaces the old one (the newest memory wins) and rests on ``source`` alone.
        """
        proposed = ProfileEntry(
            user=user, section=section, key=key, value=value, confidence=confidence, sources=[source], manual=False
        )
        with self._lock:
            current = self.get(user, proposed.section, proposed.key)
            if current is not None and current.manual:
                return None
            if current is not None and current.value.casefold() == proposed.value.casefold():
                proposed = current.model_copy(
                    update={
                        "sources": list(dict.fromkeys([*current.sources, source])),
                        "confidence": max(current.confidence, proposed.confidence),
                        "updated_at": proposed.updated_at,
                    }
                )
            return self.put(proposed)

    def forget_source(self, user: str, memory_id: str) -> None:
        """Memory ``memory_id`` is gone: drop it as evidence, and drop automatic entries left with none."""
        with self._lock:
            for entry in self.entries(user):
                if memory_id not in entry.sources:
                    continue
                sources = [source for source in entry.sources if source != memory_id]
                if not sources and not entry.manual:
                    self.unset(user, entry.section, entry.key)
                else:
                    self.put(entry.model_copy(update={"sources": sources}))

    def render(self, user: str, max_chars: int = 800) -> tuple[str, tuple[str, ...]]:
        """The profile as a few sentences for the system prompt, within ``max_chars``, and the memory ids
        behind what made it in. Entries go in section order; one that does not fit is left out."""
        return render_entries(self.entries(user), max_chars)

    @staticmethod
    def _entry(row: sqlite3.Row) -> ProfileEntry:
        return ProfileEntry(
            user=row["user"],
            section=row["section"],
            key=row["key"],
            value=row["value"],
            confidence=row["confidence"],
            sources=json.loads(row["sources_json"]),
            manual=bool(row["manual"]),
            updated_at=datetime.fromisoformat(row["updated_at"]),
        )


# The order a person would say them in ("Name: Sam. Age: 34."), not alphabetical; other keys follow.
PREFERRED_KEY_ORDER = {
    ProfileSection.IDENTITY: ("name", "age", "home", "job", "languages"),
    ProfileSection.ANSWER_STYLE: ("length", "tone", "language", "format"),
}

SECTION_LABELS = {
    ProfileSection.HEALTH: "Health and diet",
    ProfileSection.PEOPLE: "People",
    ProfileSection.PETS: "Pets",
    ProfileSection.LIKES: "Likes",
    ProfileSection.DISLIKES: "Dislikes",
    ProfileSection.ROUTINES: "Routines",
    ProfileSection.ANSWER_STYLE: "Answers",
}


def _label_and_phrase(entry: ProfileEntry) -> tuple[str, str]:
    """Where an entry goes in the rendered text and how it reads: ``("People", "Ana (sister)")``."""
    value = entry.value.rstrip(" .")
    if entry.section == ProfileSection.IDENTITY:
        return entry.key.capitalize(), value
    if entry.section == ProfileSection.HEALTH:
        return SECTION_LABELS[entry.section], value
    if entry.section in (ProfileSection.PEOPLE, ProfileSection.PETS):
        return SECTION_LABELS[entry.section], f"{entry.key.title()} ({value})"
    if entry.section == ProfileSection.ROUTINES:
        return SECTION_LABELS[entry.section], f"{entry.key} ({value})"
    if entry.section == ProfileSection.ANSWER_STYLE and entry.key == "language" and not value.startswith("in "):
        return SECTION_LABELS[entry.section], f"in {value}"
    return SECTION_LABELS[entry.section], value


def _reading_order(entry: ProfileEntry) -> tuple[int, int, str]:
    preferred = PREFERRED_KEY_ORDER.get(entry.section, ())
    rank = preferred.index(entry.key) if entry.key in preferred else len(preferred)
    return SECTION_ORDER[entry.section], rank, entry.key


def _sentences(groups: dict[str, list[str]]) -> str:
    return " ".join(f"{label}: {', '.join(phrases)}." for label, phrases in groups.items())


def render_entries(entries: Iterable[ProfileEntry], max_chars: int = 800) -> tuple[str, tuple[str, ...]]:
    """See :meth:`ProfileStore.render`."""
    groups: dict[str, list[str]] = {}
    sources: list[str] = []
    entries = list(entries)
    if any(entry.section == ProfileSection.ANSWER_STYLE and entry.key == "address me as" for entry in entries):
        # "call me Skipper": the name the model should use is that one, not "Name: Ruth" beside it
        entries = [entry for entry in entries if not (entry.section == ProfileSection.IDENTITY and entry.key == "name")]
    for entry in sorted(entries, key=_reading_order):
        label, phrase = _label_and_phrase(entry)
        candidate = {name: list(phrases) for name, phrases in groups.items()}
        candidate.setdefault(label, []).append(phrase)
        if len(_sentences(candidate)) <= max_chars:
            groups = candidate
            sources.extend(entry.sources)
    return _sentences(groups), tuple(dict.fromkeys(sources))
