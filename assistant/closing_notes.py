"""Closing notes drawn from what the prompt already holds about the user: who a relative is in two steps, how
long ago something was, and "not in memory" when nothing speaks of what the user asks about."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.kin import chained_kin_in, kin_in
from assistant.memory_notes import kin_part
from assistant.prompt import PromptPart, PromptRequest
from assistant.recall import MemoryAccess
from assistant.time_notes import (
    around_then_part,
    dated_then,
    elapsed_part,
    last_time_part,
    newest_part,
    together_part,
    when_part,
)
from assistant.unknown_notes import answers_itself, topic_words, unknown_part, unknown_topic


class _MemoryNote:
    """A closing note drawn from what the prompt already holds about the user (any provider's part but the persona
    and the date, and this chat's earlier messages); none when memory or its notes are off."""

    def __init__(self, access: MemoryAccess) -> None:
        self.access = access

    def known(self, request: PromptRequest, parts: Sequence[PromptPart]) -> list[str] | None:
        if not self.access.enabled or not self.access.settings.memory.notes:
            return None
        return [*(part.text for part in parts if part.source not in ("persona", "date")), *request.earlier]


class KinNote(_MemoryNote):
    """ "What's my sister-in-law's name?" when memory says "Pedro's wife Itziar" and "my brother Pedro": a note
    that takes the two steps for the model ("My sister-in-law is Itziar: my brother Pedro's wife")."""

    name = "kin"

    def note(self, request: PromptRequest, parts: Sequence[PromptPart]) -> PromptPart | None:
        known = self.known(request, parts)
        found = (kin_in(request.text, known) or chained_kin_in(request.text, known)) if known is not None else []
        return kin_part(found, self.access.settings.memory.layout) if found else None


class TimeNote(_MemoryNote):
    """ "How long have I been doing pottery?" when a recalled line dates it: the app works out how long ago;
    "what did I do a couple of weeks ago?": the recalled line dated then is pointed at; "what's Haruto studying
    now?": the newest line on it is."""

    name = "time"

    def note(self, request: PromptRequest, parts: Sequence[PromptPart]) -> PromptPart | None:
        known = self.known(request, parts)
        if known is None:
            return None
        text, now = request.text, request.now
        return (
            elapsed_part(text, known)
            or last_time_part(text, known)
            or when_part(text, known)
            or together_part(text, known, now)
            or around_then_part(text, known, now)
            or newest_part(text, known)
        )


class NotInMemoryNote(_MemoryNote):
    """ "What's my mother's name?" when nothing the prompt holds (profile, recalled memories, any provider's
    part, this chat's earlier messages) speaks of it: a note that says so, so the model does not invent one."""

    name = "unknown"

    def note(self, request: PromptRequest, parts: Sequence[PromptPart]) -> PromptPart | None:
        known = self.known(request, parts)
        if known is None:
            return None
        strength = max((part.strength for part in parts), default=0.0)
        topic = unknown_topic(request.text, known, strength)
        if topic is None or (topic == "" and dated_then(request.text, known, request.now) is not None):
            # "What did I get up to today?": a recalled line dated today covers it, however weakly it matches.
            return None
        certain = answers_itself(topic) and not self.access.ever_mentioned(request.user, topic_words(request.text)[:4])
        return unknown_part(topic, self.access.settings.memory.layout, certain=certain)
