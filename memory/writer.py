"""The memory write path: after a reply, read the user's words for memories and reconcile each one.

Each candidate is compared with the nearest active memories and with the memory holding the same slot
(``key``): a duplicate is skipped, a new value for a slot supersedes the old one (kept, marked superseded,
linked to its replacement), a statement that only adds detail updates the memory it extends, and anything
else is added. Every change is journaled, so what a turn remembered can be shown and undone as a whole.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from memory.constraints import constraint_of
from memory.episodes import ASSISTANT_SPEAKERS, EpisodeIndex, Turn
from memory.extraction import Candidate, Extractor
from memory.extraction_rules import RuleExtractor
from memory.journal import ChangeAction, MemoryChange
from memory.memories import Memories
from memory.people_tracker import PeopleTracker
from memory.profile import ProfileStore
from memory.records import Memory, MemoryKind, MemoryStatus
from memory.retrieval import Retriever
from memory.store import MemoryNotFoundError
from memory.timeparse import resolve_time

DUPLICATE_SIMILARITY = 0.9
"""Cosine at or above which two memories in compatible slots say the same thing."""
DETAIL_SIMILARITY = 0.8
"""Cosine at or above which a memory whose words all reappear in a candidate is extended by it."""
FORGET_SIMILARITY = 0.55
"""Cosine a ``/forget`` query needs with a memory (unless it names all of the memory's words) to delete it."""
MEMORY_ID = re.compile(r"m[0-9a-f]{12}")
# Slot families whose members may restate one another ("likes.jazz" and "likes.jazz_music").
LOOSE_FAMILIES = frozenset({"likes", "prefers", "routine", "allergy", "style"})
CONTRACTIONS = (
    ("can't", "can not"),
    ("won't", "will not"),
    ("n't", " not"),
    ("'m", " am"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'s", ""),
)
FILLER = frozenset("a an the i my me am is are was were to of in on at and".split())


def normalised(text: str) -> str:
    """Text as compared for duplicates: lower case, contractions spelled out, no punctuation."""
    text = text.lower().replace("’", "'")
    for short, long in CONTRACTIONS:
        text = text.replace(short, long)
    return " ".join(re.findall(r"[a-z0-9]+", text))


def meaning_words(text: str) -> set[str]:
    """The words that make a statement what it is, negations included ("not" matters here)."""
    return set(normalised(text).split()) - FILLER


@dataclass(frozen=True)
class WriteReport:
    """What one write did: the journaled changes (their ids undo them) and the candidates skipped as known."""

    changes: list[MemoryChange] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    """Other things learnt from the turn, told to the user as written ("Bo is now a concept: 2 photos")."""

    def __add__(self, other: WriteReport) -> WriteReport:
        return WriteReport(
            [*self.changes, *other.changes], [*self.skipped, *other.skipped], [*self.notes, *other.notes]
        )

    @property
    def remembered(self) -> list[Memory]:
        """The memories added or updated, as they now read: what the chat shows the user."""
        return [
            change.after
            for change in self.changes
            if change.action in (ChangeAction.ADD, ChangeAction.UPDATE) and change.after is not None
        ]


class MemoryWriter:
    """Turns what the user says into memories: extraction, reconciliation, /remember, /forget and undo.

    The caller passes the user's own turns only; the assistant's replies and recalled memories never
    reach extraction. Calls are serialised, so a background worker and a command can share one writer.
    """

    def __init__(
        self,
        memories: Memories,
        episodes: EpisodeIndex,
        extractor: Extractor,
        retriever: Retriever,
        profile: ProfileStore | None = None,
    ) -> None:
        self.memories = memories
        self.episodes = episodes
        self.extractor = extractor
        self.retriever = retriever
        self.profile = profile
        self.rules = RuleExtractor()
        self._lock = threading.RLock()
        self.people = PeopleTracker(lambda user: self.memories.store.all(user))

    def forget_user(self, user: str) -> None:
        """Drop what the writer keeps in memory about ``user`` (their data is being erased)."""
        with self._lock:
            self.people.forget_user(user)

    @property
    def lock(self) -> threading.RLock:
        """Held by every write; editors that change several memories at once hold it too."""
        return self._lock

    def observe(self, user: str, turn: Turn, *, extract: bool = True) -> WriteReport:
        """Index ``turn`` as an episode, then (if ``extract``) remember what it tells about the user."""
        return self.observe_many(user, [turn], extract=extract)

    def observe_many(self, user: str, turns: Sequence[Turn], *, extract: bool = True) -> WriteReport:
        """Index ``turns`` as episodes in one batch, then extract from each of the user's turns in order (a turn
        whose speaker is the assistant is indexed but never read for memories)."""
        with self._lock:
            self.episodes.add(user, turns)
            report = WriteReport()
            if extract:
                for turn in turns:
                    if turn.speaker.lower() not in ASSISTANT_SPEAKERS:  # only the user's own words
                        report += self._extract(user, turn)
            return report

    def remember(self, user: str, text: str, *, sources: Sequence[str], said_at: datetime) -> WriteReport:
        """``/remember TEXT``: stored as the user wrote it, with a high importance, even where the rules would
        not have stored it; its kind and slot come from the rules when they recognise it."""
        with self._lock:
            text = " ".join(text.split()).rstrip(".")
            text = text[:1].upper() + text[1:]  # as written, only tidied
            if not text:
                return WriteReport()
            found = self.rules.extract(text, said_at, self.people.context(user, said_at))
            rule = found[0] if len(found) == 1 else None
            when = resolve_time(text, said_at)
            candidate = Candidate(
                text=text,
                kind=rule.kind if rule else MemoryKind.FACT,
                key=rule.key if rule else None,
                importance=0.9,
                confidence=1.0,
                refers_to=rule.refers_to if rule else when.moment if when else None,
                profile=rule.profile if rule else None,
            )
            report = self._reconcile(user, candidate, list(sources), said_at, "remembered on request")
            self.people.learn(user, [candidate])
            return report

    def remember_photo(
        self, user: str, *, name: str, words: str, description: str, sources: Sequence[str], said_at: datetime
    ) -> WriteReport:
        """A photo the user shared becomes an image memory: their words about it, and what the image tool saw.

        ``sources`` links the message and the stored file (``attachment:<sha256>``), so "show me the photo
        of the receipt" can find the memory and open the file. The same photo is remembered once.
        """
        with self._lock:
            attachment = next((source for source in sources if source.startswith("attachment:")), None)
            if attachment and any(
                attachment in memory.sources
                for memory in self.memories.store.all(user)
                if memory.kind == MemoryKind.IMAGE
            ):
                return WriteReport(skipped=[f"photo {name}"])
            said = " ".join(words.split())
            text = f"Photo {name!r}" + (f" that I shared saying: {said}" if said else " that I shared")
            text = f"{text} (the image tool saw: {description})" if description else text
            memory = Memory(
                user=user,
                text=text[:1000],
                kind=MemoryKind.IMAGE,
                said_at=said_at,
                sources=list(sources),
                importance=0.6,
                confidence=1.0,
            )
            self.memories.add(memory, "a photo the user shared")
            return WriteReport(changes=[self._last_change(user, memory.id)])

    def forget(self, user: str, query_or_id: str) -> list[MemoryChange]:
        """``/forget ID|QUERY``: delete that memory, or the best match when it clearly matches; [] otherwise."""
        with self._lock:
            query = query_or_id.strip()
            if MEMORY_ID.fullmatch(query):
                try:
                    memory = self.memories.store.get(user, query)
                except MemoryNotFoundError:
                    return []
                return [self._delete(user, memory)] if memory.status == MemoryStatus.ACTIVE else []
            found = self.retriever.retrieve(user, query, now=datetime.now(UTC), k=3, turns=False)
            if not found:
                return []
            best = found[0].memory
            similarity = {scored.memory.id: scored.similarity for scored in self.memories.search(user, query, k=5)}
            words = meaning_words(query) - {"forget", "about", "that", "memory"}
            if (words and words <= meaning_words(best.text)) or similarity.get(best.id, 0.0) >= FORGET_SIMILARITY:
                return [self._delete(user, best)]
            return []

    def undo(self, user: str, report: WriteReport) -> None:
        """Undo every change of ``report``, newest first, and bring the profile back in step."""
        with self._lock:
            for change in sorted(report.changes, key=lambda change: change.id, reverse=True):
                self.memories.undo(user, change.id)
                if change.action == ChangeAction.SUPERSEDE and change.before is not None:
                    self.episodes.retire(user, change.before.sources, replaced_by=None)
            for memory_id in dict.fromkeys(change.memory_id for change in report.changes):
                self.sync_profile(user, memory_id)
            self.people.reread(user)  # rebuilt from the memories as they now are

    def _extract(self, user: str, turn: Turn) -> WriteReport:
        candidates = self.extractor.extract(turn.text, turn.said_at, self.people.context(user, turn.said_at))
        report = WriteReport()
        for candidate in candidates:
            try:
                report += self._reconcile(user, candidate, turn.sources, turn.said_at, f"said in {turn.source}")
            except ValidationError:  # one malformed candidate never costs the turn's other memories
                continue
        self.people.learn(user, candidates)
        self.people.note_names(user, turn.text, turn.said_at)
        return report

    def _reconcile(
        self, user: str, candidate: Candidate, sources: list[str], said_at: datetime, reason: str
    ) -> WriteReport:
        new = Memory(
            user=user,
            text=candidate.text,
            kind=candidate.kind,
            key=candidate.key,
            said_at=said_at,
            refers_to=candidate.refers_to,
            sources=sources,
            importance=candidate.importance,
            confidence=candidate.confidence,
        )
        nearest = self.memories.search(user, new.text, k=8)
        same_slot = [memory for memory in self.memories.store.all(user) if new.key and memory.key == new.key]
        if candidate.kind == MemoryKind.CONSTRAINT and not same_slot and self._constraint_known(user, new):
            return WriteReport(skipped=[new.text])  # "I can't eat peanuts, remember?" after "I'm allergic to peanuts"
        wording = normalised(new.text)
        if any(normalised(memory.text) == wording for memory in [*same_slot, *(s.memory for s in nearest)]):
            return WriteReport(skipped=[new.text])
        if same_slot:
            current = same_slot[-1]
            old_words, new_words = meaning_words(current.text), meaning_words(new.text)
            if new_words <= old_words:
                return WriteReport(skipped=[new.text])
            if old_words < new_words:
                return self._extend(user, current, new, candidate, reason)
            return self._supersede(user, same_slot, new, candidate, reason)
        for scored in nearest:
            if not _compatible(scored.memory, new):
                continue
            if scored.similarity >= DUPLICATE_SIMILARITY:
                return WriteReport(skipped=[new.text])
            if scored.similarity >= DETAIL_SIMILARITY:
                old_words, new_words = meaning_words(scored.memory.text), meaning_words(new.text)
                if new_words <= old_words:
                    return WriteReport(skipped=[new.text])
                if old_words < new_words:
                    return self._extend(user, scored.memory, new, candidate, reason)
        self.memories.add(new, reason)
        self._apply_profile(user, candidate, new.id)
        return WriteReport(changes=[self._last_change(user, new.id)])

    def _constraint_known(self, user: str, new: Memory) -> bool:
        """Whether an active constraint already covers what ``new`` is about (the same subject, any wording)."""
        stated = constraint_of(new)
        if stated is None:
            return False
        subject = _singular(stated.subject)
        return any(
            (known := constraint_of(memory)) is not None and _singular(known.subject) == subject
            for memory in self.memories.store.active_of_kind(user, MemoryKind.CONSTRAINT)
        )

    def _extend(self, user: str, old: Memory, new: Memory, candidate: Candidate, reason: str) -> WriteReport:
        change = self.memories.revise(
            user,
            old.id,
            {
                "text": new.text,
                "key": old.key or new.key,
                "sources": list(dict.fromkeys([*old.sources, *new.sources])),
                "importance": max(old.importance, new.importance),
                "confidence": max(old.confidence, new.confidence),
                "refers_to": new.refers_to or old.refers_to,
            },
            f"more detail: {reason}",
        )
        self._apply_profile(user, candidate, old.id)
        return WriteReport(changes=[change])

    def _supersede(self, user: str, olds: list[Memory], new: Memory, candidate: Candidate, reason: str) -> WriteReport:
        current, *older = reversed(olds)
        self.memories.supersede(user, current.id, new, f"replaced: {reason}")
        changes = [self._last_change(user, new.id), self._last_change(user, current.id)]
        for stale in older:  # two active memories in one slot (from before this rule): both give way
            update = {"status": MemoryStatus.SUPERSEDED, "replaced_by": new.id}
            changes.append(self.memories.revise(user, stale.id, update, reason, ChangeAction.SUPERSEDE))
        for old in olds:
            self.episodes.retire(user, old.sources, replaced_by=new.id)
            if self.profile is not None:
                self.profile.forget_source(user, old.id)
        self._apply_profile(user, candidate, new.id)
        return WriteReport(changes=sorted(changes, key=lambda change: change.id))

    def _delete(self, user: str, memory: Memory) -> MemoryChange:
        self.memories.delete(user, memory.id, "forgotten on request")
        if self.profile is not None:
            self.profile.forget_source(user, memory.id)
        self.people.reread(user)
        return self._last_change(user, memory.id)

    def _apply_profile(self, user: str, candidate: Candidate, memory_id: str) -> None:
        if self.profile is not None and candidate.profile is not None:
            section, key, value = candidate.profile
            try:
                self.profile.apply_automatic(
                    user, section, key, value, source=memory_id, confidence=candidate.confidence
                )
            except ValidationError:  # too long or empty for a profile line: the memory itself is kept
                pass

    def sync_profile(self, user: str, memory_id: str) -> None:
        """After an undo or an edit: drop what a memory no longer supports, or restore what it supports again."""
        if self.profile is None:
            return
        memory = self.memories.store.get(user, memory_id)
        self.profile.forget_source(user, memory_id)
        if memory.status == MemoryStatus.ACTIVE:
            for candidate in self.rules.extract(memory.text, memory.said_at, self.people.context(user, memory.said_at)):
                if candidate.key == memory.key:
                    self._apply_profile(user, candidate, memory.id)

    def _last_change(self, user: str, memory_id: str) -> MemoryChange:
        return self.memories.history(user, memory_id)[-1]


def _singular(subject: str) -> str:
    return re.sub(r"(?:es|s)$", "", subject.lower().strip())


def _compatible(old: Memory, new: Memory) -> bool:
    """Whether two memories could say the same thing: not two slots of one subject ("ana.home", "ana.job"),
    and not two events on different days."""
    if old.key and new.key and old.key != new.key:
        family = old.key.split(".")[0]
        if family not in LOOSE_FAMILIES or new.key.split(".")[0] != family:
            return False
    if old.refers_to and new.refers_to and old.refers_to.date() != new.refers_to.date():
        return False
    return re.findall(r"\d+", old.text) == re.findall(r"\d+", new.text)
