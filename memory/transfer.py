"""Export a user's memories and profile to JSON Lines, and import them back without losing anything.

Each memory is one line: its whole record and every journaled change to it, so an import on another
machine keeps the history (and its undo) as well as the current state. Each profile entry is one line.
Import checks every line before writing any: a bad line is reported by number and left out whole, never
half written. Episodes are not exported: the chat history is their source and rebuilds them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Literal, TextIO

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator, model_validator

from memory.journal import ChangeAction, MemoryChange
from memory.profile import ProfileEntry
from memory.records import Memory
from memory.system import MemorySystem
from memory.users import validate_user_name

FORMAT = 1


class ExportedChange(BaseModel):
    """One journaled change as it appears in an export line."""

    model_config = ConfigDict(extra="forbid")

    action: ChangeAction
    before: Memory | None
    after: Memory | None
    reason: str = ""
    at: datetime

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("the time of a change needs a timezone")
        return value


class MemoryLine(BaseModel):
    """A memory with its history: ``{"type": "memory", "format": 1, "memory": …, "history": […]}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["memory"]
    format: Literal[1]
    memory: Memory
    history: list[ExportedChange] = Field(default_factory=list)

    @model_validator(mode="after")
    def _history_is_about_this_memory(self) -> MemoryLine:
        for number, change in enumerate(self.history, start=1):
            states = [state for state in (change.before, change.after) if state is not None]
            if not states:
                raise ValueError(f"history change {number} has neither a before nor an after")
            if any((state.id, state.user) != (self.memory.id, self.memory.user) for state in states):
                raise ValueError(f"history change {number} is about another memory or user")
        return self


class ProfileLine(BaseModel):
    """A profile entry: ``{"type": "profile", "format": 1, "entry": …}``."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["profile"]
    format: Literal[1]
    entry: ProfileEntry


ExportLine = Annotated[MemoryLine | ProfileLine, Field(discriminator="type")]
_LINE: TypeAdapter[MemoryLine | ProfileLine] = TypeAdapter(ExportLine)


@dataclass(frozen=True)
class ExportReport:
    memories: int
    profile_entries: int


@dataclass
class ImportReport:
    """What an import did: records written, records already there (skipped), and lines refused."""

    imported: int = 0
    skipped: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)
    """``(line number, reason)`` for each line that was not imported, counting from 1."""


def export_memories(system: MemorySystem, user: str, out: TextIO) -> ExportReport:
    """Write every memory of ``user`` (any status) with its history, then the profile, as JSON Lines. Memories
    come from the journal, the source of truth, so an index behind it (after a crash) loses nothing; how often
    and when each was last used is kept by Chroma alone, and comes from there."""
    memories = system.memories.journal.latest_states(validate_user_name(user))
    used = {memory.id: memory for memory in system.memories.store.all(user, status=None)}
    memories = [
        memory.model_copy(update={"use_count": used[memory.id].use_count, "last_used_at": used[memory.id].last_used_at})
        if memory.id in used
        else memory
        for memory in memories
    ]
    for memory in memories:
        history = [change.to_json() for change in system.memories.journal.history(user, memory.id)]
        line = {"type": "memory", "format": FORMAT, "memory": memory.model_dump(mode="json"), "history": history}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    entries = system.profile.entries(user)
    for entry in entries:
        line = {"type": "profile", "format": FORMAT, "entry": entry.model_dump(mode="json")}
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
    return ExportReport(memories=len(memories), profile_entries=len(entries))


def parse_line(text: str) -> MemoryLine | ProfileLine:
    """One export line, validated; ``ValueError`` says what is wrong with it."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"not JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    if raw.get("format") != FORMAT:
        raise ValueError(f"unsupported format {raw.get('format')!r} (this mnemo reads format {FORMAT})")
    if raw.get("type") not in ("memory", "profile"):
        raise ValueError(f"unknown type {raw.get('type')!r} (expected 'memory' or 'profile')")
    try:
        return _LINE.validate_python(raw)
    except ValidationError as error:
        raise ValueError(_describe(error)) from None


def _describe(error: ValidationError) -> str:
    problems = [
        f"{'.'.join(str(part) for part in problem['loc'][1:]) or 'line'}: {problem['msg']}"
        for problem in error.errors()
    ]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return "; ".join(problems[:3]) + more


def import_memories(
    system: MemorySystem,
    lines: Iterable[str],
    *,
    as_user: str | None = None,
    replace: bool = False,
    reason: str = "imported",
) -> ImportReport:
    """Import an export. Every line is checked first; bad ones are reported and skipped whole.

    ``as_user`` moves everything to that user. A memory whose id the user already has (or a profile
    entry with the same section and key) is skipped, so importing a file twice changes nothing, unless
    ``replace``: then the file's version wins, journaled as an import that can be undone.
    """
    if as_user is not None:
        validate_user_name(as_user)
    report = ImportReport()
    parsed: list[MemoryLine | ProfileLine] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            parsed.append(parse_line(text))
        except ValueError as error:
            report.bad.append((number, str(error)))
    for record in parsed:
        if isinstance(record, MemoryLine):
            written = _import_memory(system, record, as_user, replace, reason)
        else:
            written = _import_profile_entry(system, record, as_user, replace)
        if written:
            report.imported += 1
        else:
            report.skipped += 1
    return report


def _import_memory(system: MemorySystem, record: MemoryLine, as_user: str | None, replace: bool, reason: str) -> bool:
    memory = _moved(record.memory, as_user)
    memories = system.memories
    exists = bool(memories.store.get_many(memory.user, [memory.id]) or memories.journal.history(memory.user, memory.id))
    if exists and not replace:
        return False
    history = [
        MemoryChange(
            0,
            memory.user,
            memory.id,
            change.action,
            _moved(change.before, as_user) if change.before else None,
            _moved(change.after, as_user) if change.after else None,
            change.reason,
            change.at.astimezone(UTC).isoformat(timespec="microseconds"),
        )
        for change in record.history
    ]
    memories.import_memory(memory, history, reason)
    return True


def _import_profile_entry(system: MemorySystem, record: ProfileLine, as_user: str | None, replace: bool) -> bool:
    entry = record.entry.model_copy(update={"user": as_user}) if as_user else record.entry
    if system.profile.get(entry.user, entry.section, entry.key) is not None and not replace:
        return False
    system.profile.put(entry)
    return True


def _moved(memory: Memory, user: str | None) -> Memory:
    return memory.model_copy(update={"user": user}) if user else memory
