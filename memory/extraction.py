"""Candidate memories from what the user said: the types, and the LLM extractor that rules keep honest.

Extraction reads the user's own words only (never the assistant's reply, never recalled memories, so no
feedback loop). The rules in :mod:`memory.extraction_rules` carry precision; the local LLM is an optional
helper: its JSON is validated by pydantic, and every content word of a candidate it proposes must appear in
a statement the user made (not a question, request or hypothetical), or the candidate is dropped.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from memory.extraction_text import NEGATION, is_skipped, model_text
from memory.extraction_words import sentence_case
from memory.model_candidates import checked_key
from memory.profile import ProfileSection
from memory.records import MemoryKind
from memory.timeparse import find_times

KEY_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)*$"


class Candidate(BaseModel):
    """A memory the user's words support, before it is reconciled with what is already stored.

    ``key`` names the slot the fact fills (``ana.home``, ``user.job``, ``likes.jazz``): a later candidate
    with the same key and another value supersedes it. ``profile`` is the ``(section, key, value)`` entry it
    also sets in the user's profile, if any.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(min_length=1, max_length=500)
    kind: MemoryKind = MemoryKind.FACT
    key: str | None = Field(None, max_length=200, pattern=KEY_PATTERN)
    importance: float = Field(0.6, ge=0.0, le=1.0)
    confidence: float = Field(0.8, ge=0.0, le=1.0)
    refers_to: datetime | None = None
    profile: tuple[ProfileSection, str, str] | None = None

    @field_validator("key", mode="before")
    @classmethod
    def _plain_letters(cls, value: object) -> object:
        # A name with an accent makes a key too ("tomás.home" → "tomas.home"): the slot, not the spelling.
        if isinstance(value, str) and not value.isascii():
            return unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
        return value


def fact(
    text: str,
    key: str | None,
    profile: tuple[ProfileSection, str, str] | None = None,
    *,
    kind: MemoryKind = MemoryKind.FACT,
    importance: float = 0.9,
    confidence: float = 0.9,
    refers_to: datetime | None = None,
) -> Candidate:
    """A rule's candidate: the text in sentence case ("i usually go climbing" → "I usually go climbing")."""
    return Candidate(
        text=sentence_case(text),
        kind=kind,
        key=key,
        importance=importance,
        confidence=confidence,
        refers_to=refers_to,
        profile=profile,
    )


@dataclass(frozen=True)
class ExtractionContext:
    """What the extractor may know beyond the message: the user's people and pets, and who was last
    talked about (so "Ana moved to Porto" links to the user's sister, and "he" to the partner named just
    before)."""

    known_people: Mapping[str, str] = field(default_factory=dict)
    """Lower-case name → relation to the user: ``{"ana": "sister", "bo": "dog", "pedro": "Ana's husband"}``."""
    recent_person: str | None = None
    """Lower-case name of the person or pet the user mentioned last, if recently."""


class Extractor(Protocol):
    """Turns one user message into candidate memories."""

    def extract(self, text: str, said_at: datetime, context: ExtractionContext | None = None) -> list[Candidate]: ...


# Words a model may add around the user's own words without inventing anything.
FRAME_WORDS = frozenset(
    """a an the i i'm im me my mine we our us you your he she his her him they them their it its is am are was
    were be been being has have had do does did will would to of in on at for with and or but as by from that
    this these those there who which what user user's users name named called lives live living likes like
    wants want prefers prefer not no don't doesn't dont very really also just so than then""".split()
)
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def stem(word: str) -> str:
    """A word without its common ending: ``"lives"`` → ``"liv"``, ``"sister's"`` → ``"sister"``."""
    for ending in ("'s", "ing", "ies", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (not frame words): ``"My sister lives in Porto"`` → sister, porto."""
    return {stem(word) for word in WORD.findall(text.lower().replace("’", "'")) if word not in FRAME_WORDS}


def is_grounded(candidate_text: str, said: str) -> bool:
    """True when every content word of ``candidate_text`` appears in what the user ``said``."""
    words = content_words(candidate_text)
    return bool(words) and words <= content_words(said)


class ModelCandidate(BaseModel):
    """One item of the model's JSON answer, checked before it can become a candidate."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(min_length=3, max_length=300)
    kind: MemoryKind = MemoryKind.FACT
    key: str | None = Field(None, max_length=200)

    @field_validator("kind")
    @classmethod
    def _not_a_tier(cls, value: MemoryKind) -> MemoryKind:
        if value in (MemoryKind.EPISODE, MemoryKind.IMAGE):
            raise ValueError("the model may only propose facts, not episodes or images")
        return value

    @field_validator("key", mode="before")
    @classmethod
    def _slot_or_none(cls, value: object) -> object:
        # A small model often writes keys loosely ("Ana home"): normalise them, and drop what will not fit.
        if not isinstance(value, str):
            return None
        key = re.sub(r"[^a-z0-9_.]+", "_", value.strip().lower()).strip("._")
        return key if key and re.match(KEY_PATTERN, key) else None


MODEL_ANSWER = TypeAdapter(list[ModelCandidate])

PROMPT = """List the facts the user states about their own life in the message below: who they are, their \
people and pets, likes and dislikes, routines, plans with dates, and how they want answers. Skip questions, \
requests, wishes, hypotheticals and what other people said. Write each fact as a short sentence in the \
user's own voice ("I", "my"), using only the user's words.
Reply with only a JSON list, for example:
[{{"text": "My sister Ana lives in Porto", "kind": "person", "key": "ana.home"}}]
Kinds: fact, preference, event, plan, person, pet, thing, routine. Reply [] if there is no such fact.
Message: {message}
JSON:"""


def parse_model_answer(answer: str) -> list[ModelCandidate]:
    """The candidates in a model's answer; raises ValueError when it is not a valid JSON list of them. A list
    cut off by the token limit keeps its complete items."""
    start, end = answer.find("["), answer.rfind("]")
    if start >= 0 and end < start and (last := answer.rfind("}")) > start:
        answer, end = answer[: last + 1] + "]", last + 1
    if start < 0 or end < start:
        raise ValueError("no JSON list in the model's answer")
    try:
        return MODEL_ANSWER.validate_python(json.loads(answer[start : end + 1]))
    except (json.JSONDecodeError, ValidationError) as error:
        raise ValueError(f"the model's answer is not a list of candidates: {error}") from error


def _first_person(text: str) -> str:
    """Small models like "The user lives in Porto": put it back in the user's voice."""
    text = re.sub(r"^the user's\b", "my", text.strip(), flags=re.IGNORECASE)
    text = re.sub(r"^the user is\b", "I am", text, flags=re.IGNORECASE)
    text = re.sub(r"^the user\b", "I", text, flags=re.IGNORECASE)
    text = text.rstrip(" .")
    return text[:1].upper() + text[1:]


class LLMExtractor:
    """Rules first, then the local model for what they missed, each model candidate validated and grounded.

    ``complete`` sends a prompt to the model and returns its text. A malformed answer is asked for once
    more; a second failure leaves the rules' candidates alone. The model reads the message less its questions
    and requests (:func:`model_text`), a few sentences at a time, as it was trained (``make extraction-adapter``).
    """

    def __init__(self, complete: Callable[[str], str], fallback: Extractor) -> None:
        self.complete = complete
        self.fallback = fallback

    def extract(self, text: str, said_at: datetime, context: ExtractionContext | None = None) -> list[Candidate]:
        found = self.fallback.extract(text, said_at, context)
        said = model_text(text)
        if not said:
            return found
        # a long paste is the rules' alone past its first few passages: each passage costs seconds of model time
        proposed = [item for chunk in chunks(said)[:MAX_CHUNKS] for item in self._ask(chunk) or []]
        covered = [content_words(candidate.text) for candidate in found]
        for item in proposed:
            candidate_text = _first_person(item.text)
            words = content_words(candidate_text)
            if not is_grounded(candidate_text, said) or not is_about_the_user(candidate_text, said_at):
                continue  # invented, or not a lasting fact about the user
            if any(_overlap(words, other) >= 0.5 for other in covered):
                continue  # the rules already have it
            keep, key = checked_key(candidate_text, item.kind.value, item.key, said, said_at)
            if not keep:
                continue  # not in a shape the model was trained on, or said of someone else
            found.append(Candidate(text=candidate_text, kind=item.kind, key=key, importance=0.5, confidence=0.6))
            covered.append(words)
        return found

    def _ask(self, said: str) -> list[ModelCandidate] | None:
        prompt = PROMPT.format(message=said)
        for _ in range(2):
            try:
                return parse_model_answer(self.complete(prompt))
            except ValueError:
                prompt += " (JSON list only)"
        return None


CHUNK_WORDS = 45
MAX_CHUNKS = 6


def chunks(said: str) -> list[str]:
    """Whole sentences, about :data:`CHUNK_WORDS` words at a time: a small model lists the facts of a short
    passage, and stops early in a long one."""
    parts: list[str] = []
    for sentence in SENTENCE_BREAK.split(said):
        if parts and len(parts[-1].split()) + len(sentence.split()) <= CHUNK_WORDS:
            parts[-1] += " " + sentence
        elif sentence.strip():
            parts.append(sentence)
    return parts


SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+")
FIRST_PERSON = re.compile(r"\b(?:i|i'm|i've|i'd|my|me|mine|we|we're|our|us)\b", re.IGNORECASE)
DISLIKE = re.compile(r"\b(?:don't|do not)\s+(?:like|eat|want|drink)\b|\bcan't stand\b|\bnot a fan\b", re.IGNORECASE)
UNDATED_PLAN = re.compile(r"\b(?:will|'ll|going to|gonna|plan to|planning to)\b", re.IGNORECASE)
TRANSIENT = re.compile(r"\b(?:today|tonight|right now|this morning|this evening|good night|bed)\b", re.IGNORECASE)


def is_about_the_user(text: str, said_at: datetime) -> bool:
    """The gates a model's candidate must pass besides grounding, the ones the rules apply by construction:
    about the user (first person), not negated trivia, not a request or wish, not a passing moment, and a
    plan only when it has a date."""
    if not FIRST_PERSON.search(text) or is_skipped(text) or TRANSIENT.search(text):
        return False
    if NEGATION.search(text) and not DISLIKE.search(text):
        return False
    return not (UNDATED_PLAN.search(text) and not find_times(text, said_at))


def _overlap(first: set[str], second: set[str]) -> float:
    return len(first & second) / max(1, min(len(first), len(second)))
