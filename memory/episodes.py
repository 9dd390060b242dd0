"""The episodic tier: every turn of the conversation, embedded word for word with its id and date.

Extracted memories are short and clean but lossy; the turns themselves keep every detail ("what did I say
about the boat?"). Retrieval searches both tiers. Episodes are not journaled: the chat history (or the
imported conversation) is their source of truth, and they never change once said.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from memory.lexical import LexicalIndex
from memory.records import Memory, MemoryKind
from memory.store import MemoryStore


@dataclass(frozen=True)
class Turn:
    """One thing someone said: ``source`` is its provenance id (``message:12``, ``locomo:D1:3``)."""

    text: str
    said_at: datetime
    source: str
    speaker: str = ""


def episode_id(user: str, source: str) -> str:
    """Stable id per (user, turn), so ingesting the same turn twice keeps one episode."""
    return "e" + hashlib.sha256(f"{user}\0{source}".encode()).hexdigest()[:16]


class EpisodeIndex:
    """Per-user episodes in their own Chroma collection and FTS5 table."""

    def __init__(self, store: MemoryStore, lexical: LexicalIndex) -> None:
        self.store = store
        self.lexical = lexical

    @staticmethod
    def episode_for(user: str, turn: Turn) -> Memory:
        text = f"{turn.speaker}: {turn.text}" if turn.speaker else turn.text
        return Memory(
            id=episode_id(user, turn.source),
            user=user,
            text=text[:2000],
            kind=MemoryKind.EPISODE,
            said_at=turn.said_at,
            sources=[turn.source],
            importance=0.3,
            confidence=1.0,
        )

    def add(self, user: str, turns: Sequence[Turn]) -> list[Memory]:
        """Embed and index ``turns`` (skipping blank ones) in one batch; returns the episodes."""
        episodes = [self.episode_for(user, turn) for turn in turns if turn.text.strip()]
        if episodes:
            self.store.put_many(user, episodes)
            for episode in episodes:
                self.lexical.put(user, episode.id, episode.text)
        return episodes

    def drop_user(self, user: str) -> None:
        self.store.drop_user(user)
        self.lexical.drop_user(user)
