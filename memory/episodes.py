"""The episodic tier: every turn of the conversation, embedded word for word with its id and date.

Extracted memories are short and clean but lossy; the turns themselves keep every detail ("what did I say
about the boat?"). Retrieval searches both tiers. Episodes are not journaled: the chat history (or the
imported conversation) is their source of truth, and they never change once said.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from memory.lexical import LexicalIndex
from memory.records import Memory, MemoryKind, MemoryStatus
from memory.store import MemoryStore

ASSISTANT_SPEAKERS = frozenset({"assistant", "mnemo", "system"})
"""Speakers of turns that are the assistant's words, not the user's."""


@dataclass(frozen=True)
class Turn:
    """One thing someone said: ``source`` is its provenance id (``message:12``, ``locomo:D1:3``)."""

    text: str
    said_at: datetime
    source: str
    speaker: str = ""
    context: str = ""
    """What was said just before (often the question this turn answers): a retrieval aid, never stored as said."""
    session: str = ""
    """The chat session it belongs to, kept as a ``session:<id>`` source."""
    attachments: tuple[str, ...] = ()
    """Sources of the files it came with (``attachment:<sha256>``: a voice note it was transcribed from)."""

    @property
    def sources(self) -> list[str]:
        """Where what is learnt from this turn came from: the message, then the files it came with."""
        return [self.source, *self.attachments]


CONTEXT_WEIGHT = 0.3  # measured on LoCoMo: 0.3 beat 0, 0.5 and 0.7


def _normalised(vector: list[float]) -> list[float]:
    length = math.sqrt(sum(value * value for value in vector)) or 1.0
    return [value / length for value in vector]


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
            sources=[*turn.sources, f"session:{turn.session}"] if turn.session else turn.sources,
            speaker=turn.speaker or None,
            importance=0.3,
            confidence=1.0,
        )

    def add(self, user: str, turns: Sequence[Turn]) -> list[Memory]:
        """Embed and index ``turns`` (skipping blank ones) in one batch; returns the episodes.

        A turn is found by its own words and, more weakly, by the turn before it: "any plans for the
        summer?" – "researching adoption agencies" is found by a question about summer plans. The vector
        is the turn's plus a third of its context's; the word index holds both texts.
        """
        kept = [turn for turn in turns if turn.text.strip()]
        if not kept:
            return []
        episodes = [self.episode_for(user, turn) for turn in kept]
        contexts = [turn.context.strip() for turn in kept]
        with_context = [index for index, context in enumerate(contexts) if context]
        with self.store.lock:  # vectors of the embedder that serves, even while a migration switches it
            texts = [episode.text for episode in episodes] + [contexts[i] for i in with_context]
            vectors = self.store.embedder.embed(texts)
            own, context_vectors = vectors[: len(episodes)], vectors[len(episodes) :]
            for index, context_vector in zip(with_context, context_vectors, strict=True):
                own[index] = _normalised(
                    [a + CONTEXT_WEIGHT * b for a, b in zip(own[index], context_vector, strict=True)]
                )
            self.store.put_many(user, episodes, embeddings=own)
        self.lexical.put_many(
            user,
            [
                (episode.id, f"{context} {episode.text}".strip())
                for episode, context in zip(episodes, contexts, strict=True)
            ],
            # Names link only within the turn's own words, and never through the assistant's.
            names=[
                (episode.id, episode.text)
                for episode in episodes
                if (episode.speaker or "").lower() not in ASSISTANT_SPEAKERS
            ],
            moments={episode.id: episode.moments for episode in episodes},
        )
        return episodes

    def retire(self, user: str, sources: Sequence[str], replaced_by: str | None) -> None:
        """The turns ``sources`` stated something since superseded: recall them no more (None brings them back).

        Otherwise "my sister lives in Lisbon", word for word, would keep coming back after she moved.
        """
        ids = [episode_id(user, source) for source in sources if not source.startswith("session:")]
        status = MemoryStatus.SUPERSEDED if replaced_by else MemoryStatus.ACTIVE
        if ids:
            self.store.set_status(user, ids, status, replaced_by)
            for episode in self.store.get_many(user, ids):
                self.lexical.put(user, episode.id, episode.text, active=replaced_by is None, moments=episode.moments)

    def drop_user(self, user: str) -> None:
        self.store.drop_user(user)
        self.lexical.drop_user(user)
