"""A memory: one thing mnemo believes about its user, with where it came from and how sure it is."""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from memory.users import validate_user_name


class MemoryKind(StrEnum):
    FACT = "fact"
    PREFERENCE = "preference"
    EVENT = "event"
    PLAN = "plan"
    PERSON = "person"
    PET = "pet"
    THING = "thing"
    ROUTINE = "routine"
    IMAGE = "image"
    CONSTRAINT = "constraint"
    """Health, diet and firm "never"s: checked against every message (see memory/constraints.py)."""
    EPISODE = "episode"
    """A turn of the conversation itself, kept word for word (the episodic tier)."""


class MemoryStatus(StrEnum):
    ACTIVE = "active"
    SUPERSEDED = "superseded"
    DELETED = "deleted"


def new_memory_id() -> str:
    return "m" + secrets.token_hex(6)


def _now() -> datetime:
    return datetime.now(UTC)


class Memory(BaseModel):
    """One memory. ``sources`` are provenance ids like ``message:12`` or ``attachment:<sha256>``."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: str = Field(default_factory=new_memory_id, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    user: str
    text: str = Field(min_length=1, max_length=2000)
    kind: MemoryKind = MemoryKind.FACT
    key: str | None = Field(
        None, max_length=200, description="What the memory is about, e.g. 'ana.home': a newer value supersedes it."
    )
    said_at: datetime = Field(default_factory=_now, description="When the user said it.")
    speaker: str | None = Field(None, max_length=64, description="Who said it, when not the user (episodes).")
    refers_to: datetime | None = Field(None, description="When the fact happens or happened, where stated.")
    sources: list[str] = Field(default_factory=list)
    importance: float = Field(0.5, ge=0.0, le=1.0)
    confidence: float = Field(0.8, ge=0.0, le=1.0)
    pinned: bool = False
    status: MemoryStatus = MemoryStatus.ACTIVE
    replaced_by: str | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    use_count: int = Field(0, ge=0)

    @field_validator("user")
    @classmethod
    def _valid_user(cls, value: str) -> str:
        return validate_user_name(value)

    @field_validator("text")
    @classmethod
    def _stripped(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a memory needs some text")
        return value

    @field_validator("said_at", "refers_to", "expires_at", "last_used_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value

    @property
    def is_active(self) -> bool:
        return self.status == MemoryStatus.ACTIVE

    @property
    def moments(self) -> list[datetime]:
        """When it was said, and the time it is about where stated: what a question naming a day looks up."""
        return [self.said_at] if self.refers_to is None else [self.said_at, self.refers_to]

    def to_metadata(self) -> dict[str, str | int | float | bool]:
        """Chroma metadata (scalars only): lists as JSON, times as ISO text and epoch seconds, no Nones."""
        metadata: dict[str, str | int | float | bool] = {}
        for name, value in self.model_dump(exclude={"id", "text"}).items():
            if value is None:
                continue
            if isinstance(value, datetime):
                metadata[name] = value.isoformat()
                metadata[f"{name}_epoch"] = value.timestamp()
            elif isinstance(value, list):
                metadata[name] = json.dumps(value)
            elif isinstance(value, StrEnum):
                metadata[name] = value.value
            else:
                metadata[name] = value
        return metadata

    @classmethod
    def from_chroma(cls, memory_id: str, document: str, metadata: dict[str, Any]) -> Memory:
        fields = {key: value for key, value in metadata.items() if not key.endswith("_epoch")}
        fields["sources"] = json.loads(str(fields.get("sources", "[]")))
        return cls(id=memory_id, text=document, **fields)
